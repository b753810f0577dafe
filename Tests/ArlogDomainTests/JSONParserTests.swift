import Testing

@testable import ArlogDomain

struct JSONParserTests {
    func parse(_ s: String) throws(JSONSyntaxError) -> JSONObject {
        try JSONParser.parseObject(Array(s.utf8))
    }

    func parse(bytes: [UInt8]) throws(JSONSyntaxError) -> JSONObject {
        try JSONParser.parseObject(bytes)
    }

    func fails(_ s: String) -> Bool {
        do {
            _ = try parse(s)
            return false
        } catch {
            return true
        }
    }

    func failsBytes(_ b: [UInt8]) -> Bool {
        do {
            _ = try parse(bytes: b)
            return false
        } catch {
            return true
        }
    }

    func string(_ json: String) throws -> String? {
        if case .string(let s) = try parse(json)["s"] { return s }
        return nil
    }

    @Test func validNesting() throws {
        let o = try parse(#" { "a" : [1, {"b": [true, false, null]}, []], "c": {"d": "e", "f": {}}, "g": -1.5e+3 } "#)
        #expect(o.members.map(\.key) == ["a", "c", "g"])
        guard case .array(let a) = o["a"] else { Issue.record("a is not an array"); return }
        #expect(a.count == 3)
        #expect(a[0] == .number(JSONNumber(text: "1")))
        guard case .object(let inner) = a[1], case .array(let b) = inner["b"] else { Issue.record("a[1].b"); return }
        #expect(b == [.bool(true), .bool(false), .null])
        #expect(a[2] == .array([]))
        guard case .object(let c) = o["c"] else { Issue.record("c"); return }
        #expect(c["d"] == .string("e"))
        #expect(c["f"] == .object(JSONObject()))
        #expect(o["g"] == .number(JSONNumber(text: "-1.5e+3")))
        #expect(o["missing"] == nil)
        #expect(try parse("{}").members.isEmpty)
        #expect(try parse("\t{}\r\n").members.isEmpty)
    }

    @Test func escapes() throws {
        #expect(try string(#"{"s":"a\"b\\c\/d\b\f\n\r\t"}"#) == "a\"b\\c/d\u{8}\u{C}\n\r\t")
        #expect(try string(#"{"s":"\u0041\u00e9\u00E9\u20AC"}"#) == "Aéé€")
        #expect(try string(#"{"s":"x\ud83d\ude00y"}"#) == "x😀y")
        #expect(try string(#"{"s":"\uD834\uDD1E"}"#) == "𝄞")
        #expect(try string(#"{"s":"\u0000"}"#) == "\u{0}")
        #expect(try string(#"{"s":"é raw"}"#) == "é raw")
        #expect(try string("{\"s\":\"\u{7F}\"}") == "\u{7F}")
    }

    @Test(arguments: [
        #"{"s":"\ud83d"}"#, #"{"s":"\ud83d\u0041"}"#, #"{"s":"\ude00"}"#, #"{"s":"\ud83dx"}"#, #"{"s":"\ud83d\n"}"#,
        #"{"s":"\u12"}"#, #"{"s":"\u12G4"}"#, #"{"s":"\x41"}"#, #"{"s":"\'"}"#, #"{"s":"\"#, #"{"s":"\U0041"}"#,
    ])
    func badEscapes(_ json: String) {
        #expect(fails(json))
    }

    @Test func invalidUTF8Rejected() {
        let prefix = Array(#"{"s":""#.utf8)
        let suffix = Array(#""}"#.utf8)
        for bad: [UInt8] in [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xF4, 0x90, 0x80, 0x80]] {
            #expect(failsBytes(prefix + bad + suffix), "fast path \(bad)")
            // After an escape the parser takes its slow path: validated there too.
            #expect(failsBytes(prefix + Array(#"\n"#.utf8) + bad + suffix), "slow path \(bad)")
        }
        // In a key.
        #expect(failsBytes([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]))
        // Valid multi-byte sequences pass.
        #expect(!failsBytes(prefix + [0xF0, 0x9F, 0x98, 0x80] + suffix))
    }

    @Test func controlCharactersInStrings() {
        for c: UInt8 in [0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F] {
            #expect(failsBytes(Array(#"{"s":"a"#.utf8) + [c] + Array(#"b"}"#.utf8)), "raw \(c)")
            #expect(failsBytes(Array(#"{"s":"\na"#.utf8) + [c] + Array(#"b"}"#.utf8)), "raw \(c) after escape")
        }
    }

    @Test func duplicateKeys() throws {
        #expect(fails(#"{"a":1,"a":2}"#))
        #expect(fails(#"{"a":1,"a":1}"#))
        #expect(fails(#"{"a":1,"\u0061":2}"#))
        #expect(fails(#"{"x":{"b":1,"b":2}}"#))
        #expect(fails(#"{"x":[{"b":1,"b":2}]}"#))
        // The same key in different objects is fine; keys are case-sensitive.
        #expect(!fails(#"{"a":{"a":1},"b":{"a":2},"A":3}"#))
        do {
            _ = try parse(#"{"a":1,"a":2}"#)
        } catch {
            #expect(error.offset == 7)
            #expect(error.reason.contains("duplicate"))
        }
    }

    @Test(arguments: [
        #"{}x"#, #"{}{}"#, #"{"a":1}]"#, #"{"a":1},"#, #"{"a":1} 1"#, "{}\u{0}",
    ])
    func trailingGarbage(_ json: String) {
        #expect(fails(json))
    }

    @Test func errorOffsetAndDescription() {
        do {
            _ = try parse(#"{"a":1}x"#)
            Issue.record("accepted")
        } catch {
            #expect(error.offset == 7)
            #expect(error.description.hasPrefix("invalid JSON at byte 8: "))
        }
    }

    @Test(arguments: [
        "", "   ", "[]", "[{}]", "\"s\"", "1", "null", "true", "{", "{\"a\"", "{\"a\":", "{\"a\":1", "{\"a\":\"b",
        "{\"a\":1,}", "{,}", "{\"a\":[1,]}", "{\"a\" 1}", "{a:1}", "{'a':1}", "{\"a\":'b'}", "{\"a\":tru}", "{\"a\":True}",
        "{\"a\":nul}", "{\"a\":nulll}", "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":undefined}", "{\"a\":1 2}",
        "\u{A0}{}", "{\u{C}}", "\u{FEFF}{}", "{\"a\":[1 2]}", "{\"a\"::1}", "{1:2}",
    ])
    func notAnObjectOrMalformed(_ json: String) {
        #expect(fails(json))
    }

    @Test(arguments: [
        ("01", false), ("-01", false), ("00", false), ("0", true), ("-0", true), ("0.5", true), ("-0.5e-3", true),
        ("1.", false), (".5", false), ("1e", false), ("1e+", false), ("1E+2", true), ("+1", false), ("-", false),
        ("1.e3", false), ("0e0", true), ("10", true), ("1.5.2", false), ("0x1", false), ("1_000", false),
    ])
    func numbers(_ literal: String, _ ok: Bool) {
        #expect(fails("{\"n\":\(literal)}") == !ok)
    }

    @Test func depthLimit() {
        // The object is depth 0; each nested array one more; values at depth 32 are refused.
        func nested(_ n: Int, inner: String = "") -> String {
            "{\"a\":" + repeated("[", n) + inner + repeated("]", n) + "}"
        }
        #expect(JSONParser.depthMax == 32)
        #expect(!fails(nested(31)))
        #expect(fails(nested(32)))
        #expect(!fails(nested(30, inner: "1")))
        #expect(fails(nested(31, inner: "1")))
        // A hostile line does not exhaust the stack.
        #expect(fails(nested(100_000)))
    }

    @Test func objectEqualityIgnoresKeyOrder() throws {
        let a = try parse(#"{"a":1,"b":{"x":"1","y":[1,2]},"c":null}"#)
        let b = try parse(#"{ "c" : null , "b":{"y":[1,2],"x":"1"},"a":1.0}"#)
        #expect(a == b)
        #expect(a != (try parse(#"{"a":1,"b":{"x":"1","y":[2,1]},"c":null}"#)))
        #expect(a != (try parse(#"{"a":1,"b":{"x":"1","y":[1,2]}}"#)))
        #expect(a != (try parse(#"{"a":1,"b":{"x":"1","y":[1,2]},"c":null,"d":1}"#)))
        #expect(a != (try parse(#"{"a":"1","b":{"x":"1","y":[1,2]},"c":null}"#)))
        #expect(a != (try parse(#"{"a":1,"b":{"x":"1","y":[1,2]},"C":null}"#)))
        #expect(try parse(#"{"s":"é"}"#) == (try parse(#"{"s":"\u00e9"}"#)))
        #expect(try parse(#"{"t":true}"#) != (try parse(#"{"t":false}"#)))
        #expect(try parse(#"{"t":null}"#) != (try parse(#"{"t":false}"#)))
    }

    @Test(arguments: [
        ("1", "1.0"), ("1", "10e-1"), ("1.0", "10e-1"), ("100", "1e2"), ("100", "1E+2"), ("0", "-0"), ("0", "0.000"),
        ("0", "0e10"), ("0.001", "1e-3"), ("1.5", "15E-1"), ("-2", "-2.00"), ("123.4500", "12345e-2"), ("-0.0", "0"),
        ("0.10", "1e-1"), ("2500", "2.5e3"),
    ])
    func numbersEqualNumerically(_ a: String, _ b: String) {
        #expect(JSONNumber(text: a) == JSONNumber(text: b))
        #expect(JSONNumber(text: b) == JSONNumber(text: a))
    }

    @Test(arguments: [
        ("1", "-1"), ("1", "1.01"), ("10", "1"), ("0.1", "0.01"), ("1e2", "1e3"), ("1", "0"), ("12", "21"),
        ("100", "1e-2"), ("-0.5", "0.5"),
    ])
    func numbersDiffer(_ a: String, _ b: String) {
        #expect(JSONNumber(text: a) != JSONNumber(text: b))
    }

    /// Numbers with different huge exponents are different values; equality must not say
    /// otherwise (a conflicting event would be taken for a duplicate and silently dropped).
    @Test func hugeExponentsStayDistinct() {
        #expect(JSONNumber(text: "1e1000001") != JSONNumber(text: "1e1000002"))
        #expect(JSONNumber(text: "1e-1000001") != JSONNumber(text: "1e-1000002"))
    }

    @Test func integerOfNumber() {
        #expect(JSONNumber(text: "30").integer == 30)
        #expect(JSONNumber(text: "-5").integer == -5)
        #expect(JSONNumber(text: "30.0").integer == nil)
        #expect(JSONNumber(text: "3e1").integer == nil)
        #expect(JSONNumber(text: "3E1").integer == nil)
        #expect(JSONNumber(text: "99999999999999999999").integer == nil)
    }

    @Test func writerEscapesAndRoundTrips() throws {
        var w = JSONWriter()
        w.string("a\"b\\c\n\r\t\u{1}\u{1F}é/")
        #expect(w.text == #""a\"b\\c\n\r\t\u0001\u001fé/""#)
        let source = #"{"k":[1,-2.5e3,true,false,null,"x\"y",{"z":{}}],"u":"\u0007"}"#
        let o = try parse(source)
        var w2 = JSONWriter()
        w2.value(.object(o))
        #expect(w2.text == #"{"k":[1,-2.5e3,true,false,null,"x\"y",{"z":{}}],"u":"\u0007"}"#)
        #expect(try parse(w2.text) == o)
    }
}
