import Testing

@testable import ArlogDomain

/// A 1 MiB line must cost time linear in its size, whatever its shape. These tests count the
/// parser's key comparisons and the equality check's key lookups (never wall-clock time): a
/// quadratic check makes 40,000 keys cost 16 × what 10,000 cost; a linear one about 4 ×.
/// Benchmarks/ has the timing counterpart ("JSON object of 10k / 40k keys").
struct JSONLinearityTests {
    /// `{"k0":0,"k1":1,…}` with `count` distinct keys, in the given order.
    static func object(keys count: Int, reversed: Bool = false, value: (Int) -> String = { "\($0)" }) -> [UInt8] {
        var text = "{"
        let order = reversed ? Array((0..<count).reversed()) : Array(0..<count)
        for (n, i) in order.enumerated() {
            if n > 0 { text += "," }
            text += "\"k\(i)\":\(value(i))"
        }
        return Array((text + "}").utf8)
    }

    @Test func repeatedKeyCheckGrowsLinearly() throws {
        let small = try JSONParser.parseObjectCounting(Self.object(keys: 10_000))
        let large = try JSONParser.parseObjectCounting(Self.object(keys: 40_000))
        #expect(small.object.members.count == 10_000 && large.object.members.count == 40_000)
        // A scan of every earlier key would make n(n-1)/2: 50 million and 800 million.
        #expect(small.keyComparisons <= 2 * 10_000)
        #expect(large.keyComparisons <= 2 * 40_000)
        #expect(large.keyComparisons <= 5 * small.keyComparisons)
    }

    /// Small objects (the hot path) keep the allocation-free scan: at most n(n-1)/2 for n up
    /// to the threshold.
    @Test func smallObjectsScan() throws {
        let n = JSONParser.keyScanMembersMax
        let r = try JSONParser.parseObjectCounting(Self.object(keys: n))
        #expect(r.keyComparisons == n * (n - 1) / 2)
    }

    /// The repeated key is found at every position, on both sides of the switch from scanning
    /// to the hash set.
    @Test func repeatedKeyFoundAtEveryPosition() {
        for n in 1...(2 * JSONParser.keyScanMembersMax + 2) {
            var keys = (0..<n).map { "k\($0)" }
            let valid = "{" + keys.map { "\"\($0)\":1" }.joined(separator: ",") + "}"
            #expect(throws: Never.self) { try JSONParser.parseObject(Array(valid.utf8)) }
            for j in 0..<n {
                keys.append("k\(j)")
                let text = "{" + keys.map { "\"\($0)\":1" }.joined(separator: ",") + "}"
                keys.removeLast()
                do {
                    _ = try JSONParser.parseObject(Array(text.utf8))
                    Issue.record("\(n) keys, k\(j) repeated last: accepted")
                } catch {
                    #expect(error.reason == "duplicate key \"k\(j)\"")
                }
            }
        }
    }

    @Test func repeatedKeyInALargeObject() {
        var bytes = Self.object(keys: 40_000)
        bytes.removeLast()
        bytes.append(contentsOf: Array(#","k20000":"again"}"#.utf8))
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parseObject(bytes) }
        // A repeated key of a megabyte is quoted short in the message.
        let long = String(repeating: "x", count: 1 << 20)
        do {
            _ = try JSONParser.parseObject(Array("{\"\(long)\":1,\"\(long)\":2}".utf8))
            Issue.record("accepted")
        } catch {
            #expect(error.reason.utf8.count < 200)
        }
    }

    /// Comparing two objects (the duplicate check of a whole event) looks each key up once.
    @Test func objectEqualityGrowsLinearly() throws {
        func lookups(_ n: Int) throws -> Int {
            let a = try JSONParser.parseObject(Self.object(keys: n))
            let b = try JSONParser.parseObject(Self.object(keys: n, reversed: true))
            var count = 0
            #expect(JSONValue.equal(.object(a), .object(b), lookups: &count))
            return count
        }
        let small = try lookups(10_000)
        let large = try lookups(40_000)
        #expect(small <= 2 * 10_000)
        #expect(large <= 5 * small)
    }

    @Test func largeObjectEqualityIsStillExact() throws {
        let a = try JSONParser.parseObject(Self.object(keys: 1000))
        #expect(a == (try JSONParser.parseObject(Self.object(keys: 1000, reversed: true))))
        // Numbers compare by value, at any depth.
        #expect(a == (try JSONParser.parseObject(Self.object(keys: 1000, reversed: true) { "\($0).0" })))
        // One value different, one key different, one key more.
        #expect(a != (try JSONParser.parseObject(Self.object(keys: 1000) { $0 == 777 ? "\"x\"" : "\($0)" })))
        var renamed = Self.object(keys: 1000)
        renamed.removeLast()
        renamed.append(contentsOf: Array(#","extra":1}"#.utf8))
        let more = try JSONParser.parseObject(renamed)
        #expect(a != more && more != a)
        var b = a
        b.members[500].key = "other"
        #expect(a != b && b != a)
    }

    /// A whole hostile line, ingested twice: the second is a duplicate (same id, equal
    /// content); the same id with one value changed is a conflict.
    @Test func duplicateOfALineOfManyKeys() throws {
        var b = Book()
        let keys = (0..<60_000).map { "\"x\($0)\":\($0)" }.joined(separator: ",")
        let line = eventLine("r1", "customer.registered", at: noon("2025-01-01"),
                             #""name":"N","currency":"EUR","terms_days":30,"credit_limit":"0","# + keys)
        #expect(line.utf8.count < FeedLimits.lineBytesMax)
        expectAccepted(b.raw(line))
        #expect(b.raw(line).isDuplicate)
        expectRejected(b.raw(line.replacingOccurrences(of: "\"x59999\":59999", with: "\"x59999\":1")), .conflict)
        #expect(b.log.events.count == 1)
    }

    /// `\u` escapes are written as UTF-8 directly: every length of encoding, surrogate pairs
    /// up to U+10FFFF, and a megabyte of escapes.
    @Test func unicodeEscapesEncodeEveryRange() throws {
        let cases: [(String, String)] = [
            (#"\u0000"#, "\u{0}"), (#"\u007f"#, "\u{7F}"), (#"\u0080"#, "\u{80}"), (#"\u07FF"#, "\u{7FF}"),
            (#"\u0800"#, "\u{800}"), (#"\uFFFF"#, "\u{FFFF}"), (#"\uD800\uDC00"#, "\u{10000}"),
            (#"\uDBFF\uDFFF"#, "\u{10FFFF}"), (#"a\u00e9b"#, "aéb"), (#"\u20AC"#, "€"),
        ]
        for (escaped, want) in cases {
            let o = try JSONParser.parseObject(Array("{\"s\":\"\(escaped)\"}".utf8))
            #expect(o["s"] == .string(want), "\(escaped)")
        }
        let many = String(repeating: #"\u00e9"#, count: 170_000)
        let o = try JSONParser.parseObject(Array("{\"s\":\"\(many)\"}".utf8))
        #expect(o["s"] == .string(String(repeating: "é", count: 170_000)))
    }

    /// Other shapes of a 1 MiB line parse (and compare) correctly: a long string, a long
    /// number, a 100,000-element array, nesting at the limit.
    @Test func otherLargeShapes() throws {
        let digits = String(repeating: "7", count: 500_000)
        let number = try JSONParser.parseObject(Array("{\"n\":\(digits).5e-3}".utf8))
        #expect(number == (try JSONParser.parseObject(Array("{\"n\":\(digits)5e-4}".utf8))))
        let items = (0..<100_000).map { _ in "1" }.joined(separator: ",")
        let array = try JSONParser.parseObject(Array("{\"a\":[\(items)]}".utf8))
        if case .array(let a) = array["a"] { #expect(a.count == 100_000) } else { Issue.record("a") }
        let depth = JSONParser.depthMax
        let deep = String(repeating: "[", count: depth - 1) + String(repeating: "]", count: depth - 1)
        #expect(throws: Never.self) { try JSONParser.parseObject(Array("{\"d\":\(deep)}".utf8)) }
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parseObject(Array("{\"d\":[\(deep)]}".utf8)) }
    }
}
