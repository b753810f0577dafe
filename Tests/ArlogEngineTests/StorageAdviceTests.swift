import ArlogStorage
import Testing

@testable import ArlogEngine

#if canImport(Glibc)
    import Glibc
#endif

/// Storage errors as the user reads them (`arlog` prints `EngineError.storageFailure`): what
/// to do first, then the LMDB detail in brackets.
struct StorageAdviceTests {
    static func message(_ error: Error) throws -> String {
        try #require(EngineError.storageFailure(error, store: "./s")).message
    }

    @Test(arguments: [
        (ENOSPC, "the disk holding the store at ./s is full: free space and retry"),
        (EDQUOT, "the disk quota for the store at ./s is exhausted"),
        (EACCES, "permission denied on the store at ./s: run arlog as a user who may read and write"),
        (EROFS, "the store at ./s is on a read-only file system"),
        (EAGAIN, "the store at ./s is locked by another process: retry"),
        (EIO, "a write to the store at ./s failed (a full disk, a file-size limit or a disk error"),
        (ENOMEM, "not enough memory or address space to map the store at ./s"),
        (EINVAL, "the store at ./s could not be used: run `arlog verify`"),
    ])
    func errnoCodes(_ code: Int32, _ advice: String) throws {
        let e = LMDBError(code: code, operation: "mdb_txn_commit")
        let text = try Self.message(e)
        #expect(text.hasPrefix(advice), "\(text)")
        #expect(text.hasSuffix(" [\(e.description)]"))
        #expect(try #require(EngineError.storageFailure(e, store: "./s")).exitCode == 2)
    }

    @Test func lmdbCodes() throws {
        // MDB_MAP_FULL, MDB_CORRUPTED, MDB_READERS_FULL, MDB_VERSION_MISMATCH, MDB_PANIC.
        #expect(try Self.message(LMDBError(code: -30792, operation: "mdb_put(log)")).hasPrefix("the store at ./s has reached the largest size"))
        #expect(try Self.message(LMDBError(code: -30796, operation: "mdb_get(log)")).hasPrefix("the store at ./s is damaged"))
        #expect(try Self.message(LMDBError(code: -30793, operation: "mdb_env_open(/x)")).hasPrefix("./s/data.mdb is not a readable LMDB file"))
        #expect(try Self.message(LMDBError(code: -30790, operation: "mdb_txn_begin")).hasPrefix("too many processes are reading"))
        #expect(try Self.message(LMDBError(code: -30794, operation: "mdb_env_open(/x)")).hasPrefix("the store at ./s was written by an incompatible LMDB version"))
        #expect(try Self.message(LMDBError(code: -30795, operation: "mdb_txn_begin")).hasPrefix("LMDB hit a fatal error"))
        let key = try Self.message(StorageError(.keySize, "key of 0 bytes: keys must be 1...511 bytes"))
        #expect(key == "an id is empty or too long to be a key of the store at ./s: check the customer, invoice or payment id given [storage: key of 0 bytes: keys must be 1...511 bytes]")
        #expect(EngineError.storageFailure(EngineError(.io, "x"), store: "./s") == nil)
    }
}
