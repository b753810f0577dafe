import ArlogStorage
import Testing

@Suite struct ScanTests {
    @Test func scanVisitsKeysInBytewiseOrder() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(directory: dir, options: testOptions())
            let db = try env.openDatabase("kv")
            let keys = ["b", "a", "ab", "B", "ba", "c", "aa"]
            try env.write { txn throws in
                for key in keys { try txn.put(db, key: bytes(key), value: bytes("v-" + key)) }
            }
            var seen: [String] = []
            try env.read { txn throws in
                try txn.scan(db, from: nil) { key, value in
                    #expect(string(value) == "v-" + string(key))
                    seen.append(string(key))
                    return true
                }
            }
            #expect(seen == keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
            #expect(seen == ["B", "a", "aa", "ab", "b", "ba", "c"])
        }
    }

    @Test func scanFromStartsAtFirstKeyNotLessAndStopsOnFalse() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(directory: dir, options: testOptions())
            let db = try env.openDatabase("kv")
            try env.write { txn throws in
                for key in ["a", "c", "e", "g"] { try txn.put(db, key: bytes(key), value: []) }
            }
            func scanned(from: String?, limit: Int = .max) throws -> [String] {
                var out: [String] = []
                try env.read { txn throws in
                    try txn.scan(db, from: from.map(bytes)) { key, _ in
                        out.append(string(key))
                        return out.count < limit
                    }
                }
                return out
            }
            #expect(try scanned(from: "c") == ["c", "e", "g"])   // exact key included
            #expect(try scanned(from: "d") == ["e", "g"])        // between keys
            #expect(try scanned(from: "h") == [])                // past the end
            #expect(try scanned(from: nil, limit: 2) == ["a", "c"])
        }
    }

    @Test func prefixScanVisitsOnlyMatchingKeys() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(directory: dir, options: testOptions())
            let db = try env.openDatabase("index")
            try env.write { txn throws in
                for key in ["cust1/inv2", "cust1/inv1", "cust10/inv1", "cust2/inv1", "cust1", "cust0/x", "cust1/inv3"] {
                    try txn.put(db, key: bytes(key), value: bytes(key))
                }
            }
            func scanned(prefix: String) throws -> [String] {
                var out: [String] = []
                try env.read { txn throws in
                    try txn.scan(db, prefix: bytes(prefix)) { key, value in
                        #expect(key.elementsEqual(value))
                        out.append(string(key))
                        return true
                    }
                }
                return out
            }
            #expect(try scanned(prefix: "cust1/") == ["cust1/inv1", "cust1/inv2", "cust1/inv3"])
            #expect(try scanned(prefix: "cust1") == ["cust1", "cust1/inv1", "cust1/inv2", "cust1/inv3", "cust10/inv1"])
            #expect(try scanned(prefix: "cust3") == [])
            #expect(try scanned(prefix: "zzz") == [])
            #expect(try scanned(prefix: "").count == 7)
        }
    }

    @Test func bigEndianSequenceKeysScanNumerically() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(directory: dir, options: testOptions())
            let log = try env.openDatabase("log")
            // Little-endian or decimal-text keys would sort 256 before 2, 1_000 before 9, etc.
            let sequences: [UInt64] = [256, 2, 1, 65_536, 255, 9, 1_000, UInt64.max, 0, 257]
            try env.write { txn throws in
                for seq in sequences { try txn.put(log, key: seq.bigEndianBytes, value: seq.bigEndianBytes) }
            }
            var seen: [UInt64] = []
            try env.read { txn throws in
                try txn.scan(log, from: UInt64(9).bigEndianBytes) { key, value in
                    #expect(key.elementsEqual(value))
                    seen.append(UInt64(bigEndianBytes: key)!)
                    return true
                }
            }
            #expect(seen == sequences.sorted().filter { $0 >= 9 })
        }
    }

    @Test func scanBodyErrorPropagates() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(directory: dir, options: testOptions())
            let db = try env.openDatabase("kv")
            try env.write { txn throws in
                for i: UInt64 in 0..<10 { try txn.put(db, key: i.bigEndianBytes, value: []) }
            }
            var visited = 0
            #expect(throws: TestFailure(tag: "stop")) {
                try env.read { txn throws in
                    try txn.scan(db, from: nil) { _, _ in
                        visited += 1
                        if visited == 3 { throw TestFailure(tag: "stop") }
                        return true
                    }
                }
            }
            #expect(visited == 3)
        }
    }

    @Test func scanInsideWriteSeesUncommittedData() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(directory: dir, options: testOptions())
            let db = try env.openDatabase("kv")
            let keys = try env.write { txn throws in
                try txn.put(db, key: bytes("p/1"), value: [])
                try txn.put(db, key: bytes("p/2"), value: [])
                var keys: [String] = []
                try txn.scan(db, prefix: bytes("p/")) { key, _ in
                    keys.append(string(key))
                    return true
                }
                return keys
            }
            #expect(keys == ["p/1", "p/2"])
        }
    }
}

@Suite struct KeyBytesTests {
    @Test func bigEndianRoundTrip() {
        for value: UInt64 in [0, 1, 255, 256, 0x0102_0304_0506_0708, UInt64.max] {
            let encoded = value.bigEndianBytes
            #expect(encoded.count == 8)
            #expect(UInt64(bigEndianBytes: encoded) == value)
            #expect(value.withBigEndianBytes { Array($0) } == encoded)
        }
        #expect(UInt64(0x0102_0304_0506_0708).bigEndianBytes == [1, 2, 3, 4, 5, 6, 7, 8])
    }

    @Test func wrongLengthDecodesToNil() {
        #expect(UInt64(bigEndianBytes: [1, 2, 3]) == nil)
        #expect(UInt64(bigEndianBytes: [UInt8](repeating: 0, count: 9)) == nil)
        #expect(UInt64(bigEndianBytes: [UInt8](repeating: 0, count: 9).dropFirst()) == 0)
    }

    @Test func byteOrderIsNumericOrder() {
        let values: [UInt64] = [3, 1 << 40, 255, 256, 0, UInt64.max, 1 << 8 + 1]
        let byBytes = values.sorted { $0.bigEndianBytes.lexicographicallyPrecedes($1.bigEndianBytes) }
        #expect(byBytes == values.sorted())
    }
}
