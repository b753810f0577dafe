import ArlogStorage
import Glibc
import Dispatch
import Synchronization
import Testing

@Suite struct MapGrowthTests {
    static let tinyMapBytes = 64 * 1024
    static let valueBytes = 4096

    @Test func oneLargeWriteGrowsTheMapAndRerunsTheBody() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(directory: dir, options: testOptions(mapSizeBytes: Self.tinyMapBytes))
            let db = try env.openDatabase("log")
            #expect(env.mapSizeBytes == Self.tinyMapBytes)
            let count = 1024   // 4 MiB of values, 64 times the initial map
            var runs = 0
            let returned = try env.write { txn throws in
                runs += 1
                for i in 0..<count {
                    try txn.put(db, key: UInt64(i).bigEndianBytes, value: payload(i, sizeBytes: Self.valueBytes), flags: .append)
                }
                return "done"
            }
            #expect(returned == "done")
            #expect(runs > 1)   // it did hit MDB_MAP_FULL and start over
            #expect(env.mapSizeBytes >= count * Self.valueBytes)
            try env.read { txn throws in
                #expect(try txn.count(db) == count)
                for i in 0..<count {
                    #expect(try txn.get(db, key: UInt64(i).bigEndianBytes) == payload(i, sizeBytes: Self.valueBytes))
                }
            }
        }
    }

    /// Blocks of `data.mdb` allocated on disk (not its apparent size, which a sparse file
    /// can have without any).
    static func allocatedBytes(_ dir: String) throws -> Int {
        var st = stat()
        guard stat(dir + "/data.mdb", &st) == 0 else { throw TestFailure(tag: "stat") }
        return Int(st.st_blocks) * 512
    }

    /// A writer writes pages through the map (`writeMap`), so the whole map is allocated on
    /// disk at open and at every growth (a page stored into a hole of a full disk would be a
    /// SIGBUS); a store opened again keeps the map it has, whatever size is asked.
    @Test func aWriterReservesItsWholeMapOnDisk() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(directory: dir, options: testOptions(mapSizeBytes: Self.tinyMapBytes))
            #expect(env.options.writeMap)
            #expect(try Self.allocatedBytes(dir) >= env.mapSizeBytes)
            let db = try env.openDatabase("kv")
            for batch in 0..<16 {
                try env.write { txn throws in
                    for j in 0..<16 {
                        let i = batch * 16 + j
                        try txn.put(db, key: UInt64(i).bigEndianBytes, value: payload(i, sizeBytes: Self.valueBytes))
                    }
                }
                #expect(try Self.allocatedBytes(dir) >= env.mapSizeBytes, "after batch \(batch)")
            }
            let grown = env.mapSizeBytes
            #expect(grown > Self.tinyMapBytes)
            // Grown ahead of need (by half when three quarters are used), not far beyond it.
            #expect(env.info().usedBytes <= grown)
            #expect(grown <= 4 * env.info().usedBytes)
            env.close()
            let reopened = try Environment(directory: dir, options: testOptions(mapSizeBytes: 64 * grown))
            #expect(reopened.mapSizeBytes == grown)
            #expect(try Self.allocatedBytes(dir) < 64 * grown)
        }
    }

    @Test func manySmallWritesGrowTheMap() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(directory: dir, options: testOptions(mapSizeBytes: Self.tinyMapBytes))
            let db = try env.openDatabase("kv")
            let batches = 32
            let perBatch = 32   // 32 x 32 x 4 KiB = 4 MiB
            for batch in 0..<batches {
                try env.write { txn throws in
                    for j in 0..<perBatch {
                        let i = batch * perBatch + j
                        try txn.put(db, key: UInt64(i).bigEndianBytes, value: payload(i, sizeBytes: Self.valueBytes))
                    }
                }
            }
            #expect(env.mapSizeBytes > Self.tinyMapBytes)
            env.close()
            // Everything is there after a reopen too (with the tiny size requested again: LMDB keeps
            // the map at least as large as the data).
            let reopened = try Environment(directory: dir, options: testOptions(mapSizeBytes: Self.tinyMapBytes))
            let again = try reopened.openDatabase("kv")
            try reopened.read { txn throws in
                #expect(try txn.count(again) == batches * perBatch)
                var index = 0
                try txn.scan(again, from: nil) { key, value in
                    #expect(UInt64(bigEndianBytes: key) == UInt64(index))
                    #expect(value.elementsEqual(payload(index, sizeBytes: Self.valueBytes)))
                    index += 1
                    return true
                }
                #expect(index == batches * perBatch)
            }
        }
    }

    @Test func bodyThatSwallowsMapFullIsStillRetried() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(directory: dir, options: testOptions(mapSizeBytes: Self.tinyMapBytes))
            let db = try env.openDatabase("kv")
            var sawMapFull = false
            try env.write { txn throws in
                for i in 0..<256 {
                    do {
                        try txn.put(db, key: UInt64(i).bigEndianBytes, value: payload(i, sizeBytes: Self.valueBytes))
                    } catch let error as LMDBError where error.isMapFull {
                        sawMapFull = true
                        return   // swallowed: `write` must not commit a poisoned transaction
                    }
                }
            }
            #expect(sawMapFull)
            #expect(try env.read { try $0.count(db) } == 256)
        }
    }

    @Test func growthCappedByMaxThrowsAndCommitsNothing() throws {
        try withTemporaryDirectory { dir in
            let maxBytes = 256 * 1024
            let env = try Environment(directory: dir, options: testOptions(mapSizeBytes: Self.tinyMapBytes, mapSizeBytesMax: maxBytes))
            let db = try env.openDatabase("kv")
            try env.write { try $0.put(db, key: bytes("before"), value: bytes("kept")) }

            var runs = 0
            #expect {
                try env.write { txn throws in
                    runs += 1
                    for i in 0..<256 {   // 1 MiB: cannot fit in 256 KiB
                        try txn.put(db, key: UInt64(i).bigEndianBytes, value: payload(i, sizeBytes: Self.valueBytes))
                    }
                }
            } throws: { error in
                guard let error = error as? StorageError else { return false }
                return error.kind == .mapFull && error.message.contains("mapSizeBytesMax")
            }
            #expect(runs > 1)
            #expect(env.mapSizeBytes == maxBytes)
            try env.read { txn throws in
                #expect(try txn.count(db) == 1)
                #expect(try txn.get(db, key: bytes("before")) == bytes("kept"))
                #expect(try txn.get(db, key: UInt64(0).bigEndianBytes) == nil)
            }
            // Still usable for writes that fit.
            try env.write { try $0.put(db, key: bytes("after"), value: bytes("ok")) }
            #expect(try env.read { try $0.get(db, key: bytes("after")) } == bytes("ok"))
        }
    }

    @Test func writeInsideReadCannotGrowTheMap() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(directory: dir, options: testOptions(mapSizeBytes: Self.tinyMapBytes))
            let db = try env.openDatabase("kv")
            #expect {
                try env.read { _ in
                    try env.write { txn throws in
                        for i in 0..<256 {
                            try txn.put(db, key: UInt64(i).bigEndianBytes, value: payload(i, sizeBytes: Self.valueBytes))
                        }
                    }
                }
            } throws: { error in
                (error as? StorageError)?.kind == .nestedTransaction
            }
            #expect(try env.read { try $0.count(db) } == 0)
        }
    }

    /// Readers on other threads while the writer repeatedly grows (remaps) the map: the gate must
    /// keep every read transaction out of the remap, and every read must see a consistent snapshot.
    @Test func concurrentReadersDuringGrowth() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(directory: dir, options: testOptions(mapSizeBytes: Self.tinyMapBytes))
            let db = try env.openDatabase("kv")
            let batches = 64
            let perBatch = 16
            let readerFailures = Atomic<Int>(0)
            let writerError = Mutex<String?>(nil)
            // Fixed work per iteration (no waiting on each other), so this cannot hang however the
            // pool schedules the iterations.
            DispatchQueue.concurrentPerform(iterations: 4) { worker in
                if worker == 0 {
                    do {
                        for batch in 0..<batches {
                            try env.write { txn throws in
                                for j in 0..<perBatch {
                                    let i = batch * perBatch + j
                                    try txn.put(db, key: UInt64(i).bigEndianBytes, value: payload(i, sizeBytes: Self.valueBytes))
                                }
                            }
                        }
                    } catch {
                        writerError.withLock { $0 = "\(error)" }
                    }
                } else {
                    for _ in 0..<300 {
                        do {
                            try env.read { txn throws in
                                // Batches commit whole: the count is always a multiple of perBatch,
                                // and every visible value is intact.
                                let count = try txn.count(db)
                                if count % perBatch != 0 { readerFailures.add(1, ordering: .relaxed) }
                                if count > 0 {
                                    let last = count - 1
                                    let value = try txn.get(db, key: UInt64(last).bigEndianBytes)
                                    if value != payload(last, sizeBytes: Self.valueBytes) { readerFailures.add(1, ordering: .relaxed) }
                                }
                            }
                            _ = env.info()
                        } catch {
                            readerFailures.add(1, ordering: .relaxed)
                        }
                    }
                }
            }
            #expect(writerError.withLock { $0 } == nil)
            #expect(readerFailures.load(ordering: .relaxed) == 0)
            #expect(env.mapSizeBytes > Self.tinyMapBytes)
            #expect(try env.read { try $0.count(db) } == batches * perBatch)
        }
    }
}
