import ArlogFeedGen
import Foundation
import Testing

@testable import ArlogDomain

/// Our JSON parser against Foundation's JSONSerialization (used here only, never in arlog) on
/// generated object texts, valid and invalid: both must accept or both reject, except for the
/// known, intended differences listed in docs/feed.md ("JSON: where arlog differs from other
/// parsers"), each of which is recognised and asserted explicitly rather than skipped:
///
/// - a key repeated in one object: ours rejects (the event's meaning would be ambiguous);
///   Foundation accepts.
/// - nesting deeper than `JSONParser.depthMax` (32): ours rejects; Foundation accepts to ~512.
/// - a number beyond the range of a Double (`1e400`, 310 digits): ours accepts, as RFC 8259's
///   grammar does (numbers are kept as text); Foundation rejects it.
/// - a comma before `}` or `]`: Foundation on Linux accepts it, which RFC 8259 does not; ours
///   rejects it. (Foundation is wrong here; our parser is not weakened to match.)
/// - a byte-order mark, or UTF-16/32 text: Foundation detects the encoding; ours reads UTF-8
///   only, as the contract says (the line reader drops a UTF-8 BOM before the parser).
///
/// Foundation agrees with ours on invalid UTF-8 (overlong, encoded surrogates, beyond
/// U+10FFFF, truncated, stray continuation bytes) and on unpaired surrogate escapes: both
/// reject them.
struct JSONDifferentialTests {
    /// SplitMix64: small, seeded, the same sequence on every machine.
    struct Seeded: RandomNumberGenerator {
        var generator: SplitMix64
        init(state: UInt64) { generator = SplitMix64(state: state) }
        mutating func next() -> UInt64 { generator.next() }
    }

    /// A broken fragment put in place of one value, key or separator of a valid text.
    static let poisons: [[UInt8]] = {
        var p: [[UInt8]] = []
        func s(_ t: String) { p.append(Array(t.utf8)) }
        // Strings: unpaired surrogates, bad escapes, raw control characters, invalid UTF-8.
        for t in [#""\uD83D""#, #""\uDE00""#, #""\uD83D\uD83D""#, #""\uD83Dx""#, #""\uD83D\u0041""#, #""\uDBFF""#,
                  #""\x41""#, #""\U0041""#, #""\u12""#, #""\u12G4""#, #""\'""#, #""\a""#, #""abc"#, #""\"#] { s(t) }
        for c: UInt8 in [0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F] { p.append([0x22, 0x61, c, 0x62, 0x22]) }
        for bad: [UInt8] in [[0xFF], [0xFE], [0xC0, 0x80], [0xC1, 0xBF], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],
                             [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0x80],
                             [0xBF], [0xE0, 0x80, 0x80], [0xF0, 0x80, 0x80, 0x80], [0xC3]] {
            p.append([0x22, 0x61] + bad + [0x62, 0x22])
        }
        // Numbers.
        for t in ["01", "-", "-01", "1.", ".5", "+1", "1e", "1e+", "1E-", "0x10", "1_000", "--1", "1.2.3", "Infinity",
                  "-Infinity", "NaN", "1e5.5", "00", "-.5", "2."] { s(t) }
        // Literals and structure.
        for t in ["True", "nul", "nulll", "undefined", "'a'", "{\"a\"}", "{\"a\" 1}", "{\"a\":1 \"b\":2}", "[1 2]", "{,}",
                  "[,1]", "{\"a\":1,,\"b\":2}", "/* c */1", "{a:1}", "{'a':1}", "[1,]", "{\"a\":1,}", "{", "[", "}", "]", ":"] {
            s(t)
        }
        return p
    }()

    /// Keys as decoded text; each object uses distinct ones (however they are escaped).
    static let keyTexts = ["id", "type", "a", "b", "amount", "é", "名前", "😀", "", " ", "a b", "\"", "\\", "/", "\n", "\u{0}", "\u{7F}", "k1", "k10", "K1"]

    struct Generator {
        var rng: Seeded
        var poison: [UInt8]?
        var out: [UInt8] = []

        mutating func chance(_ percent: UInt64) -> Bool { rng.next() % 100 < percent }
        mutating func pick<T>(_ items: [T]) -> T { items[Int(rng.next() % UInt64(items.count))] }

        mutating func space() {
            guard chance(30) else { return }
            for _ in 0..<(rng.next() % 3 + 1) { out.append(pick([0x20, 0x09, 0x0A, 0x0D])) }
        }

        /// Emits the poison here if it is still pending and the dice say so.
        mutating func maybePoison() -> Bool {
            guard let p = poison, chance(25) else { return false }
            out.append(contentsOf: p)
            poison = nil
            return true
        }

        mutating func string(_ text: String) {
            out.append(0x22)
            for scalar in text.unicodeScalars {
                let v = scalar.value
                switch v {
                case 0x22: out.append(contentsOf: [0x5C, 0x22])
                case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
                case 0..<0x20:
                    if let short = [0x08: "b", 0x0C: "f", 0x0A: "n", 0x0D: "r", 0x09: "t"][v], chance(50) {
                        out.append(contentsOf: Array(("\\" + short).utf8))
                    } else {
                        out.append(contentsOf: Array(String(format: "\\u%04x", v).utf8))
                    }
                default:
                    if chance(15) {
                        // A \u escape: one, or a surrogate pair beyond the BMP; either case of hex.
                        let format = chance(50) ? "\\u%04x" : "\\u%04X"
                        if v >= 0x10000 {
                            let u = v - 0x10000
                            out.append(contentsOf: Array((String(format: format, 0xD800 + (u >> 10)) + String(format: format, 0xDC00 + (u & 0x3FF))).utf8))
                        } else {
                            out.append(contentsOf: Array(String(format: format, v).utf8))
                        }
                    } else if v == 0x2F, chance(50) {
                        out.append(contentsOf: [0x5C, 0x2F])
                    } else {
                        out.append(contentsOf: Array(String(scalar).utf8))
                    }
                }
            }
            out.append(0x22)
        }

        mutating func randomText() -> String {
            let alphabet: [String] = ["a", "Z", "0", " ", "é", "€", "名", "😀", "𝄞", "\"", "\\", "/", "\n", "\t", "\u{1}", "\u{1F}", "\u{7F}", "\u{FFFE}", "\u{FFFF}", "\u{10FFFF}", "\u{2028}"]
            var s = ""
            for _ in 0..<(rng.next() % 12) { s += pick(alphabet) }
            return s
        }

        /// Numbers of every valid shape, within a Double's range (see the type's comment).
        mutating func number() {
            var t = chance(30) ? "-" : ""
            if chance(20) {
                t += "0"
            } else {
                t += String(rng.next() % 9 + 1)
                for _ in 0..<(chance(10) ? rng.next() % 280 : rng.next() % 6) { t += String(rng.next() % 10) }
            }
            if chance(40) {
                t += "."
                for _ in 0..<(chance(10) ? rng.next() % 300 + 1 : rng.next() % 4 + 1) { t += String(rng.next() % 10) }
            }
            if chance(25) {
                t += pick(["e", "E"]) + pick(["", "+", "-"])
                if chance(20) { t += "0" }
                t += String(rng.next() % 15)
            }
            out.append(contentsOf: Array(t.utf8))
        }

        mutating func value(depth: Int) {
            space()
            if maybePoison() { space(); return }
            switch rng.next() % (depth >= 7 ? 5 : 7) {
            case 0: out.append(contentsOf: Array(pick(["null", "true", "false"]).utf8))
            case 1, 2: number()
            case 3, 4: string(randomText())
            case 5: array(depth: depth + 1)
            default: object(depth: depth + 1)
            }
            space()
        }

        mutating func array(depth: Int) {
            out.append(UInt8(ascii: "["))
            let n = chance(15) ? 0 : rng.next() % 4 + 1
            if n == 0 { space() }
            for i in 0..<n {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                value(depth: depth)
            }
            out.append(UInt8(ascii: "]"))
        }

        mutating func object(depth: Int) {
            out.append(UInt8(ascii: "{"))
            var keys = JSONDifferentialTests.keyTexts
            let n = chance(10) ? 0 : rng.next() % 5 + 1
            if n == 0 { space() }
            for i in 0..<n {
                if i > 0 {
                    if !maybePoison() { out.append(UInt8(ascii: ",")) }
                }
                space()
                if !maybePoison() {
                    let k = Int(rng.next() % UInt64(keys.count))
                    string(keys.remove(at: k))
                }
                space()
                out.append(UInt8(ascii: ":"))
                value(depth: depth)
            }
            out.append(UInt8(ascii: "}"))
        }

        /// One object text; with a poison, it is spliced in somewhere (or, if the dice never
        /// placed it, appended: trailing text).
        mutating func document() -> [UInt8] {
            out = []
            space()
            object(depth: 1)
            space()
            if let p = poison { out.append(contentsOf: p) }
            return out
        }
    }

    enum Verdict: String {
        case agree, duplicateKey, tooDeep, numberBeyondDouble, trailingComma, notUTF8Detection
    }

    /// Classifies one text and checks it. Returns which class it fell in.
    static func check(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> Verdict {
        let ours = Result<JSONObject, JSONSyntaxError> { () throws(JSONSyntaxError) in try JSONParser.parseObject(bytes) }
        let theirs = (try? JSONSerialization.jsonObject(with: Data(bytes), options: [])) is [String: Any]
        switch ours {
        case .success(let object):
            if theirs { return .agree }
            // Ours accepted, Foundation refused: only for a number a Double cannot hold.
            #expect(containsNumberBeyondDouble(.object(object)), "Foundation rejects what we accept: \(show(bytes))", sourceLocation: sourceLocation)
            return .numberBeyondDouble
        case .failure(let error):
            if !theirs { return .agree }
            if error.reason.hasPrefix("duplicate key") { return .duplicateKey }
            if error.reason.hasPrefix("nested deeper") { return .tooDeep }
            if bytes.prefix(4).contains(0) || bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return .notUTF8Detection }
            if isTrailingComma(bytes, at: error.offset) { return .trailingComma }
            Issue.record("we reject what Foundation accepts (\(error)): \(show(bytes))", sourceLocation: sourceLocation)
            return .agree
        }
    }

    static func containsNumberBeyondDouble(_ v: JSONValue) -> Bool {
        switch v {
        case .number(let n): return !(Double(n.text)?.isFinite ?? false)
        case .array(let items): return items.contains(where: containsNumberBeyondDouble)
        case .object(let o): return o.members.contains { containsNumberBeyondDouble($0.value) }
        default: return false
        }
    }

    /// Our error is at a `}` or `]` whose previous non-space byte is a comma.
    static func isTrailingComma(_ b: [UInt8], at offset: Int) -> Bool {
        guard offset < b.count, b[offset] == UInt8(ascii: "}") || b[offset] == UInt8(ascii: "]") else { return false }
        var i = offset - 1
        while i >= 0, [0x20, 0x09, 0x0A, 0x0D].contains(b[i]) { i -= 1 }
        return i >= 0 && b[i] == UInt8(ascii: ",")
    }

    static func show(_ b: [UInt8]) -> String {
        String(decoding: b.prefix(300), as: UTF8.self).debugDescription + " bytes \(b.prefix(40).map { String($0, radix: 16) })"
    }

    @Test func validTextsAgree() {
        var g = Generator(rng: Seeded(state: 8), poison: nil)
        var verdicts: [Verdict: Int] = [:]
        for _ in 0..<4000 {
            verdicts[Self.check(g.document()), default: 0] += 1
        }
        // Generated valid texts have unique keys, depth ≤ 8 and numbers within a Double.
        #expect(verdicts == [.agree: 4000], "\(verdicts)")
    }

    @Test func poisonedTextsAgree() {
        var g = Generator(rng: Seeded(state: 9), poison: nil)
        var verdicts: [Verdict: Int] = [:]
        var rejected = 0
        for i in 0..<(Self.poisons.count * 60) {
            g.poison = Self.poisons[i % Self.poisons.count]
            let text = g.document()
            if (try? JSONParser.parseObject(text)) == nil { rejected += 1 }
            verdicts[Self.check(text), default: 0] += 1
        }
        // Every poison breaks the text, wherever it lands; the only disagreements are
        // Foundation accepting trailing commas.
        #expect(rejected == Self.poisons.count * 60)
        #expect(Set(verdicts.keys).isSubset(of: [.agree, .trailingComma]), "\(verdicts)")
        #expect(verdicts[.trailingComma, default: 0] > 0)
    }

    /// Random byte edits of valid texts: insert, delete, replace, truncate.
    @Test func mutatedTextsAgree() {
        var g = Generator(rng: Seeded(state: 10), poison: nil)
        var rng = Seeded(state: 11)
        var verdicts: [Verdict: Int] = [:]
        let interesting: [UInt8] = Array("{}[]:,\"\\ 0123456789.eE+-tfnu".utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xE2, 0xED, 0xF0, 0xFF]
        for _ in 0..<8000 {
            var text = g.document()
            for _ in 0..<(rng.next() % 3 + 1) {
                let at = Int(rng.next() % UInt64(text.count + 1))
                let byte = rng.next() % 2 == 0 ? interesting[Int(rng.next() % UInt64(interesting.count))] : UInt8(truncatingIfNeeded: rng.next())
                switch rng.next() % 4 {
                case 0: text.insert(byte, at: at)
                case 1: if at < text.count { text.remove(at: at) }
                case 2: if at < text.count { text[at] = byte }
                default: text.removeLast(min(text.count, Int(rng.next() % 4)))
                }
            }
            verdicts[Self.check(text), default: 0] += 1
        }
        #expect(verdicts[.agree, default: 0] > 7000, "\(verdicts)")
    }

    // The known differences, each asserted on its own.

    func foundationAccepts(_ text: [UInt8]) -> Bool { (try? JSONSerialization.jsonObject(with: Data(text), options: [])) is [String: Any] }
    func oursAccepts(_ text: [UInt8]) -> Bool { (try? JSONParser.parseObject(text)) != nil }

    @Test func repeatedKeysOursRejects() {
        for t in [#"{"a":1,"a":2}"#, #"{"a":1,"\u0061":1}"#, #"{"x":{"a":1,"a":1}}"#, #"{"x":[{"é":1,"\u00e9":2}]}"#] {
            #expect(!oursAccepts(Array(t.utf8)) && foundationAccepts(Array(t.utf8)), "\(t)")
        }
    }

    @Test func nestingBeyondTheLimitOursRejects() {
        for depth in [JSONParser.depthMax, 64, 500] {
            let t = Array(("{\"a\":" + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}").utf8)
            #expect(!oursAccepts(t) && foundationAccepts(t), "depth \(depth + 1)")
        }
        let limit = JSONParser.depthMax - 1
        let t = Array(("{\"a\":" + String(repeating: "[", count: limit) + String(repeating: "]", count: limit) + "}").utf8)
        #expect(oursAccepts(t) && foundationAccepts(t))
    }

    @Test func numbersBeyondADoubleOursAccepts() throws {
        for t in ["1e400", "-1e400", "1.8e308", "1" + String(repeating: "0", count: 400), "1e" + String(repeating: "9", count: 30)] {
            let text = Array("{\"n\":\(t)}".utf8)
            #expect(oursAccepts(text) && !foundationAccepts(text), "\(t.prefix(20))")
            // Kept exactly as written.
            #expect(try JSONParser.parseObject(text)["n"] == .number(JSONNumber(text: t)))
        }
    }

    @Test func trailingCommasFoundationAcceptsWrongly() {
        for t in [#"{"a":1,}"#, #"{"a":[1,]}"#, #"{"a":{"b":1 , } }"#] {
            #expect(!oursAccepts(Array(t.utf8)) && foundationAccepts(Array(t.utf8)), "\(t)")
        }
    }

    @Test func otherEncodingsOursRejects() {
        let bom = [0xEF, 0xBB, 0xBF] + Array(#"{"a":1}"#.utf8)
        #expect(!oursAccepts(bom) && foundationAccepts(bom))
        let utf16 = Array(#"{"a":1}"#.utf16.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] })
        #expect(!oursAccepts(utf16) && foundationAccepts(utf16))
    }
}
