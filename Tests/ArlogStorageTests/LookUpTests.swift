import ArlogStorage
import Testing

/// `ReadTransaction.lookUp`: many point look-ups with one cursor give exactly what one
/// `withValue` per key gives, in whatever order the keys are asked (the merge that skips
/// absent keys is only a shortcut for keys asked in ascending order).
@Suite struct LookUpTests {
    /// Stored: a few hundred keys with gaps, prefixes of each other and neighbours in byte
    /// order; asked: those, absent keys between and around them, the empty database's case.
    @Test func sameAnswersAsOneLookUpPerKeyInAnyOrder() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(directory: dir, options: testOptions())
            let db = try env.openDatabase("kv")
            let empty = try env.openDatabase("empty")
            var stored: [String] = []
            for i in stride(from: 0, to: 600, by: 3) { stored.append("k.\(i)") }
            stored += ["a", "ab", "abc", "k.", "k.1", "z", "zz"]
            try env.write { txn throws in
                for k in stored { try txn.put(db, key: bytes(k), value: bytes("v-" + k)) }
            }
            var asked: [String] = stored
            for i in 0..<620 { asked.append("k.\(i)") }
            asked += ["0", "aa", "abcd", "k", "k.99999", "y", "zzz", "~"]
            var generator = SplitMix(seed: 7)
            let orders: [[String]] = [
                asked.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) },
                asked.sorted { $1.utf8.lexicographicallyPrecedes($0.utf8) },
                asked.shuffled(using: &generator),
                // Ascending with each key twice (a found key asked again is found again).
                asked.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.flatMap { [$0, $0] },
            ]
            try env.read { txn throws in
                for keys in orders {
                    var expected: [Int: String] = [:]
                    for (i, k) in keys.enumerated() {
                        if let v = try txn.withValue(db, key: bytes(k), { string($0) }) { expected[i] = v }
                    }
                    var got: [Int: String] = [:]
                    var calls: [Int] = []
                    try txn.lookUp(db, count: keys.count, key: { i, key in
                        #expect(key.isEmpty)
                        key += bytes(keys[i])
                    }, found: { i, value in
                        calls.append(i)
                        got[i] = string(value)
                    })
                    #expect(got == expected)
                    #expect(calls == calls.sorted())
                    #expect(!expected.isEmpty)
                }
                var none = 0
                try txn.lookUp(empty, count: 3, key: { i, key in key += bytes("k.\(i)") }, found: { _, _ in none += 1 })
                #expect(none == 0)
            }
        }
    }

    @Test func keyOrderIsLMDBs() {
        func precedes(_ a: String, _ b: String) -> Bool {
            bytes(a).withUnsafeBytes { x in bytes(b).withUnsafeBytes { y in keyPrecedes(x, y) } }
        }
        #expect(precedes("a", "b") && !precedes("b", "a"))
        #expect(precedes("a", "ab") && !precedes("ab", "a"))
        #expect(!precedes("a", "a"))
        #expect(precedes("", "a") && !precedes("", ""))
        #expect(precedes("B", "a"))
        #expect(precedes("k.1.", "k.10"))
    }
}

/// A small seeded generator, so that the shuffled order is the same on every run.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
