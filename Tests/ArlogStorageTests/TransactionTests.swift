import ArlogStorage
import Testing

@Suite struct TransactionTests {
    @Test func putGetDeleteRoundTrip() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(directory: dir, options: testOptions())
            let db = try env.openDatabase("kv")
            let stored = try env.write { txn throws in
                try txn.put(db, key: bytes("alpha"), value: bytes("one"))
            }
            #expect(stored)
            try env.read { txn throws in
                #expect(try txn.get(db, key: bytes("alpha")) == bytes("one"))
                #expect(try txn.get(db, key: bytes("beta")) == nil)
                #expect(try txn.contains(db, key: bytes("alpha")))
                #expect(try txn.withValue(db, key: bytes("alpha")) { string($0) } == "one")
                #expect(try txn.withValue(db, key: bytes("beta")) { string($0) } == nil)
            }
            // Overwrite without flags replaces.
            try env.write { txn in try txn.put(db, key: bytes("alpha"), value: bytes("uno")) }
            #expect(try env.read { try $0.get(db, key: bytes("alpha")) } == bytes("uno"))

            let deleted = try env.write { try $0.delete(db, key: bytes("alpha")) }
            let deletedAgain = try env.write { try $0.delete(db, key: bytes("alpha")) }
            #expect(deleted)
            #expect(!deletedAgain)
            #expect(try env.read { try $0.get(db, key: bytes("alpha")) } == nil)
        }
    }

    @Test func emptyValueAndRawBufferVariants() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(directory: dir, options: testOptions())
            let db = try env.openDatabase("kv")
            try env.write { txn throws in
                try txn.put(db, key: bytes("empty"), value: [])
                _ = try UInt64(7).withBigEndianBytes { key in
                    try bytes("seven").withUnsafeBytes { value in
                        try txn.put(db, key: key, value: value)
                    }
                }
            }
            try env.read { txn throws in
                #expect(try txn.get(db, key: bytes("empty")) == [])
                let seven = try UInt64(7).withBigEndianBytes { try txn.get(db, key: $0) }
                #expect(seven == bytes("seven"))
            }
        }
    }

    @Test func writeSeesItsOwnUncommittedWrites() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(directory: dir, options: testOptions())
            let db = try env.openDatabase("kv")
            try env.write { txn throws in
                try txn.put(db, key: bytes("k"), value: bytes("v"))
                #expect(try txn.get(db, key: bytes("k")) == bytes("v"))
                #expect(try txn.count(db) == 1)
            }
        }
    }

    @Test func noOverwriteReturnsFalseAndKeepsOldValue() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(directory: dir, options: testOptions())
            let db = try env.openDatabase("kv")
            let results = try env.write { txn throws in
                let first = try txn.put(db, key: bytes("k"), value: bytes("old"), flags: .noOverwrite)
                let second = try txn.put(db, key: bytes("k"), value: bytes("new"), flags: .noOverwrite)
                // KEYEXIST must not poison the transaction: later writes still commit.
                try txn.put(db, key: bytes("other"), value: bytes("x"))
                return (first, second)
            }
            #expect(results.0)
            #expect(!results.1)
            try env.read { txn throws in
                #expect(try txn.get(db, key: bytes("k")) == bytes("old"))
                #expect(try txn.get(db, key: bytes("other")) == bytes("x"))
            }
        }
    }

    @Test func appendInOrderAndOutOfOrder() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(directory: dir, options: testOptions())
            let log = try env.openDatabase("log")
            try env.write { txn throws in
                for seq in UInt64(1)...1000 {
                    try txn.put(log, key: seq.bigEndianBytes, value: bytes("e\(seq)"), flags: .append)
                }
            }
            // Out of order: an LMDB error, and the write is rolled back.
            #expect {
                try env.write { txn throws in
                    try txn.put(log, key: UInt64(1001).bigEndianBytes, value: [1], flags: .append)
                    try txn.put(log, key: UInt64(5).bigEndianBytes, value: [1], flags: .append)
                }
            } throws: { error in
                (error as? LMDBError)?.isKeyExist == true
            }
            // append + noOverwrite on an existing key is a plain `false`.
            let again = try env.write { txn throws in
                try txn.put(log, key: UInt64(1000).bigEndianBytes, value: [9], flags: [.append, .noOverwrite])
            }
            #expect(!again)
            try env.read { txn throws in
                #expect(try txn.count(log) == 1000)
                #expect(try txn.get(log, key: UInt64(1000).bigEndianBytes) == bytes("e1000"))
                #expect(try txn.get(log, key: UInt64(1001).bigEndianBytes) == nil)
            }
        }
    }

    @Test func throwInsideWriteRollsBackAndRethrowsUnchanged() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(directory: dir, options: testOptions())
            let db = try env.openDatabase("kv")
            try env.write { try $0.put(db, key: bytes("kept"), value: bytes("1")) }
            #expect(throws: TestFailure(tag: "boom")) {
                try env.write { txn throws in
                    try txn.put(db, key: bytes("lost"), value: bytes("2"))
                    try txn.put(db, key: bytes("kept"), value: bytes("changed"))
                    try txn.delete(db, key: bytes("kept"))
                    throw TestFailure(tag: "boom")
                }
            }
            try env.read { txn throws in
                #expect(try txn.get(db, key: bytes("lost")) == nil)
                #expect(try txn.get(db, key: bytes("kept")) == bytes("1"))
                #expect(try txn.count(db) == 1)
            }
        }
    }

    @Test func throwInsideReadPropagates() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(directory: dir, options: testOptions())
            #expect(throws: TestFailure(tag: "read")) {
                try env.read { _ in throw TestFailure(tag: "read") }
            }
            // The environment is still usable (gate and reader slot released).
            let db = try env.openDatabase("kv")
            try env.write { try $0.put(db, key: [1], value: [2]) }
            #expect(try env.read { try $0.get(db, key: [1]) } == [2])
        }
    }

    @Test func countLastKeyFirstKeyAndDrop() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(directory: dir, options: testOptions())
            let db = try env.openDatabase("log")
            try env.read { txn throws in
                #expect(try txn.count(db) == 0)
                #expect(try txn.lastKey(db) == nil)
                #expect(try txn.firstKey(db) == nil)
            }
            try env.write { txn throws in
                for seq: UInt64 in [300, 2, 70_000, 1] {
                    try txn.put(db, key: seq.bigEndianBytes, value: [])
                }
            }
            try env.read { txn throws in
                #expect(try txn.count(db) == 4)
                #expect(try txn.lastKey(db).flatMap { UInt64(bigEndianBytes: $0) } == 70_000)
                #expect(try txn.firstKey(db).flatMap { UInt64(bigEndianBytes: $0) } == 1)
            }
            try env.write { try $0.drop(db) }
            try env.read { txn throws in
                #expect(try txn.count(db) == 0)
                #expect(try txn.lastKey(db) == nil)
            }
            // Dropped (emptied), not deleted: the handle still works.
            try env.write { try $0.put(db, key: [1], value: [1]) }
            #expect(try env.read { try $0.count(db) } == 1)
        }
    }

    @Test func keySizeLimits() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(directory: dir, options: testOptions())
            #expect(env.keySizeBytesMax == 511)
            let db = try env.openDatabase("kv")
            let longest = [UInt8](repeating: 0xAB, count: env.keySizeBytesMax)
            let tooLong = [UInt8](repeating: 0xAB, count: env.keySizeBytesMax + 1)
            try env.write { try $0.put(db, key: longest, value: [1]) }
            #expect(try env.read { try $0.get(db, key: longest) } == [1])

            func expectKeySize(_ body: () throws -> Void) {
                #expect {
                    try body()
                } throws: { error in
                    (error as? StorageError)?.kind == .keySize
                }
            }
            expectKeySize { _ = try env.write { try $0.put(db, key: tooLong, value: [1]) } }
            expectKeySize { _ = try env.write { try $0.put(db, key: [], value: [1]) } }
            expectKeySize { _ = try env.write { try $0.delete(db, key: tooLong) } }
            expectKeySize { _ = try env.read { try $0.get(db, key: tooLong) } }
            expectKeySize { _ = try env.read { try $0.get(db, key: []) } }
            expectKeySize { try env.read { try $0.scan(db, from: tooLong) { _, _ in true } } }
            // Nothing was written by the failed attempts.
            #expect(try env.read { try $0.count(db) } == 1)
        }
    }

    @Test func databasesAreSeparateNamespaces() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(directory: dir, options: testOptions())
            let a = try env.openDatabase("a")
            let b = try env.openDatabase("b")
            #expect(a != b)
            #expect(try env.openDatabase("a") == a)   // cached
            try env.write { txn throws in
                try txn.put(a, key: [1], value: bytes("in a"))
                try txn.put(b, key: [1], value: bytes("in b"))
            }
            try env.read { txn throws in
                #expect(try txn.get(a, key: [1]) == bytes("in a"))
                #expect(try txn.get(b, key: [1]) == bytes("in b"))
            }
            #expect(try env.openDatabase("missing", create: false) == nil)
        }
    }

    @Test func lmdbErrorDescribesTheCall() {
        let error = LMDBError(code: -30792, operation: "mdb_put(log)")
        #expect(error.isMapFull)
        #expect(!error.isNotFound)
        #expect(error.description.contains("mdb_put(log)"))
        #expect(error.message.contains("MDB_MAP_FULL"))
    }
}
