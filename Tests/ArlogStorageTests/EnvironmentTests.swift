import ArlogStorage
import Foundation
import Testing

@Suite struct EnvironmentTests {
    @Test func createsMissingDirectoriesAndReportsInfo() throws {
        try withTemporaryDirectory { dir in
            let nested = dir + "/a/b/store"
            let env = try Environment(directory: nested, options: testOptions())
            #expect(FileManager.default.fileExists(atPath: nested + "/data.mdb"))
            #expect(env.staleReadersCleared == 0)
            let before = env.info()
            #expect(before.mapSizeBytes == EnvironmentOptions.mapSizeBytesDefault)
            #expect(before.pageSizeBytes >= 4096)
            #expect(before.readersMax == Int(EnvironmentOptions.readersMaxDefault))
            let db = try env.openDatabase("kv")
            try env.write { try $0.put(db, key: [1], value: [1]) }
            #expect(try env.read { try $0.get(db, key: [1]) } == [1])   // takes a reader slot
            let after = env.info()
            #expect(after.lastTransactionID > before.lastTransactionID)
            #expect(after.readersUsed >= 1)
            #expect(after.usedBytes > 0)
        }
    }

    @Test func sameDirectoryTwiceInOneProcessThrows() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(directory: dir, options: testOptions())
            for spelling in [dir, dir + "/", dir + "/./", dir + "/sub/.."] {
                if spelling.hasSuffix("sub/..") {
                    try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
                }
                #expect {
                    _ = try Environment(directory: spelling, options: testOptions())
                } throws: { error in
                    (error as? StorageError)?.kind == .alreadyOpen
                }
            }
            // A symlink to the same directory is the same environment too.
            let link = dir + "-link"
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: dir)
            defer { try? FileManager.default.removeItem(atPath: link) }
            #expect(throws: StorageError.self) {
                _ = try Environment(directory: link, options: testOptions(readOnly: true))
            }
            // The failed opens did not disturb the first one.
            let db = try env.openDatabase("kv")
            try env.write { try $0.put(db, key: [1], value: [2]) }
            #expect(try env.read { try $0.get(db, key: [1]) } == [2])
        }
    }

    @Test func closeThenReopenKeepsData() throws {
        try withTemporaryDirectory { dir in
            do {
                let env = try Environment(directory: dir, options: testOptions())
                let db = try env.openDatabase("kv")
                try env.write { try $0.put(db, key: bytes("k"), value: bytes("persisted")) }
                env.close()
                env.close()   // idempotent
                #expect(!env.isOpen)
                #expect {
                    try env.read { _ in }
                } throws: { error in
                    (error as? StorageError)?.kind == .closed
                }
                #expect {
                    try env.write { _ in }
                } throws: { error in
                    (error as? StorageError)?.kind == .closed
                }
            }
            let reopened = try Environment(directory: dir, options: testOptions())
            let db = try #require(try reopened.openDatabase("kv", create: false))
            #expect(try reopened.read { try $0.get(db, key: bytes("k")) } == bytes("persisted"))
        }
    }

    @Test func deinitClosesSoTheDirectoryCanBeReopened() throws {
        try withTemporaryDirectory { dir in
            do {
                let env = try Environment(directory: dir, options: testOptions())
                let db = try env.openDatabase("kv")
                try env.write { try $0.put(db, key: [7], value: [7]) }
            }
            let env = try Environment(directory: dir, options: testOptions())
            let db = try env.openDatabase("kv")
            #expect(try env.read { try $0.get(db, key: [7]) } == [7])
        }
    }

    @Test func readOnlyEnvironmentReadsButCannotWrite() throws {
        try withTemporaryDirectory { dir in
            do {
                let env = try Environment(directory: dir, options: testOptions())
                let db = try env.openDatabase("kv")
                try env.write { try $0.put(db, key: bytes("k"), value: bytes("v")) }
            }
            let env = try Environment(directory: dir, options: testOptions(readOnly: true))
            let db = try env.openDatabase("kv")
            #expect(try env.read { try $0.get(db, key: bytes("k")) } == bytes("v"))
            #expect {
                try env.write { try $0.put(db, key: bytes("k2"), value: []) }
            } throws: { error in
                guard let error = error as? StorageError else { return false }
                return error.kind == .readOnly && error.message.contains("read-only")
            }
            // Missing databases are not created.
            #expect(try env.openDatabase("missing", create: true) == nil)
            #expect(try env.openDatabase("missing", create: false) == nil)
            #expect {
                _ = try env.openDatabase("missing")
            } throws: { error in
                (error as? StorageError)?.kind == .databaseMissing
            }
            #expect(try env.read { try $0.count(db) } == 1)
        }
    }

    @Test func readOnlyEnvironmentDoesNotCreateTheDirectory() throws {
        try withTemporaryDirectory { dir in
            #expect {
                _ = try Environment(directory: dir + "/nope", options: testOptions(readOnly: true))
            } throws: { error in
                (error as? StorageError)?.kind == .directory
            }
            #expect(!FileManager.default.fileExists(atPath: dir + "/nope"))
        }
    }

    @Test func invalidOptionsThrow() throws {
        try withTemporaryDirectory { dir in
            #expect {
                _ = try Environment(directory: dir, options: testOptions(mapSizeBytes: 1 << 20, mapSizeBytesMax: 1 << 19))
            } throws: { error in
                (error as? StorageError)?.kind == .invalidOptions
            }
            // The failed open registered nothing: a valid open of the same directory works.
            _ = try Environment(directory: dir, options: testOptions())
        }
    }

    @Test func databaseFromAnotherEnvironmentIsNotConfused() throws {
        try withTemporaryDirectory { dir in
            let first = try Environment(directory: dir + "/one", options: testOptions())
            let second = try Environment(directory: dir + "/two", options: testOptions())
            let a = try first.openDatabase("kv")
            let b = try second.openDatabase("kv")
            #expect(a != b)   // same name and (likely) same slot number, different environments
            #expect(a.name == b.name)
        }
    }

    @Test func transactionUsedAfterItsClosureIsAProgrammerError() async throws {
        let result = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            try withTemporaryDirectory { dir in
                let env = try Environment(directory: dir, options: testOptions())
                let db = try env.openDatabase("kv")
                let escaped = try env.read { $0 }
                try removeBeforeCrash(dir)
                _ = try escaped.get(db, key: [1])
            }
        }
        #if DEBUG   // -O traps without printing the precondition message
        #expect(String(decoding: result.standardErrorContent, as: UTF8.self).contains("transaction used outside its read/write closure"))
        #else
        _ = result
        #endif
    }

    @Test func nestedWriteIsAProgrammerError() async throws {
        let result = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            try withTemporaryDirectory { dir in
                let env = try Environment(directory: dir, options: testOptions())
                try removeBeforeCrash(dir)
                try env.write { _ in try env.write { _ in } }
            }
        }
        #if DEBUG   // -O traps without printing the precondition message
        #expect(String(decoding: result.standardErrorContent, as: UTF8.self).contains("nested inside another write"))
        #else
        _ = result
        #endif
    }

    @Test func openingANewDatabaseInsideAClosureIsAProgrammerError() async throws {
        let result = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            try withTemporaryDirectory { dir in
                let env = try Environment(directory: dir, options: testOptions())
                let open = try env.openDatabase("open")
                // Already open: fine inside a closure.
                try env.write { txn in try txn.put(try env.openDatabase("open"), key: [1], value: [1]) }
                _ = open
                try removeBeforeCrash(dir)
                try env.read { _ in _ = try env.openDatabase("new") }
            }
        }
        #if DEBUG   // -O traps without printing the precondition message
        #expect(String(decoding: result.standardErrorContent, as: UTF8.self).contains("inside a read/write closure"))
        #else
        _ = result
        #endif
    }

    @Test func readNestedInWriteWorks() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(directory: dir, options: testOptions())
            let db = try env.openDatabase("kv")
            try env.write { try $0.put(db, key: [1], value: [1]) }
            let seen = try env.write { txn throws in
                try txn.put(db, key: [1], value: [2])
                // The nested read is a separate snapshot: it sees the last commit, not this write.
                return try env.read { try $0.get(db, key: [1]) }
            }
            #expect(seen == [1])
            #expect(try env.read { try $0.get(db, key: [1]) } == [2])
        }
    }
}
