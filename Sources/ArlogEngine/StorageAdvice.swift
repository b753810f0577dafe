import ArlogStorage

#if canImport(Glibc)
    import Glibc
#endif

extension EngineError {
    /// A storage failure (`LMDBError`, `StorageError`) as the user should read it: first what
    /// happened to the store at `store` and what they can do about it, then the LMDB detail in
    /// brackets. nil for any other error.
    ///
    ///     the disk holding the store at ./s is full: free space and retry (the failed write was
    ///     rolled back; nothing logged before it is lost) [mdb_txn_commit failed: No space left
    ///     on device (LMDB code 28)]
    public static func storageFailure(_ error: Error, store: String) -> EngineError? {
        switch error {
        case let e as LMDBError:
            return EngineError(.store, "\(advice(e, store: store)) [\(e.description)]")
        case let e as StorageError:
            return EngineError(.store, "\(advice(e, store: store)) [\(e.description)]")
        default:
            return nil
        }
    }

    static func advice(_ e: LMDBError, store: String) -> String {
        if e.isMapFull {
            return "the store at \(store) has reached the largest size arlog maps; nothing of the failed write was committed: export the log (arlog export) and continue in a new store"
        }
        if e.isCorrupted, e.operation.hasPrefix("mdb_env_open") {
            return "\(store)/data.mdb is not a readable LMDB file: check --store / ARLOG_STORE, or restore the store from a backup"
        }
        if e.isCorrupted {
            return "the store at \(store) is damaged (LMDB found a corrupt page): restore it from a backup; `arlog audit verify` names the first event that no longer reads"
        }
        if e.isReadersFull {
            return "too many processes are reading the store at \(store) at once: retry when some have finished"
        }
        if e.isVersionMismatch {
            return "the store at \(store) was written by an incompatible LMDB version: export it with the arlog that wrote it (arlog export) and ingest the export into a new store"
        }
        if e.isPanic {
            return "LMDB hit a fatal error on the store at \(store): retry; if it happens again, run `arlog verify` and check the disk"
        }
        switch e.code {
        case ENOSPC:
            return "the disk holding the store at \(store) is full: free space and retry (the failed write was rolled back; nothing logged before it is lost)"
        case EDQUOT:
            return "the disk quota for the store at \(store) is exhausted: free space or raise the quota and retry (the failed write was rolled back)"
        case EACCES, EPERM:
            return "permission denied on the store at \(store): run arlog as a user who may read and write that directory and its files (even queries write LMDB's lock file, lock.mdb)"
        case EROFS:
            return "the store at \(store) is on a read-only file system: queries work there, commands that write (ingest, rebuild, policy set, review, limits --apply, alerts --exec) need a writable copy"
        case EAGAIN, EBUSY:
            return "the store at \(store) is locked by another process: retry when it has finished"
        case EIO, EFBIG:
            // LMDB reports a short write (a full disk, a file-size limit) as EIO.
            return "a write to the store at \(store) failed (a full disk, a file-size limit or a disk error; the failed write was rolled back): check free space (df) and the disk (dmesg), then retry"
        case ENOMEM:
            return "not enough memory or address space to map the store at \(store): close other programs or raise the limit (ulimit -v) and retry"
        case ENOENT, ENOTDIR:
            return "the store at \(store) is not a directory holding an arlog store: check --store / ARLOG_STORE"
        default:
            return "the store at \(store) could not be used: run `arlog verify`; if the problem stays, check the disk and the directory's permissions"
        }
    }

    static func advice(_ e: StorageError, store: String) -> String {
        switch e.kind {
        case .mapFull:
            return "the store at \(store) has reached the largest size arlog maps; nothing of the failed write was committed: export the log (arlog export) and continue in a new store"
        case .readOnly, .databaseMissing:
            return "the store at \(store) cannot be written: check the directory's permissions and free space"
        case .directory:
            return "the store directory \(store) cannot be created or used: check the path and its permissions"
        case .keySize:
            return "an id is empty or too long to be a key of the store at \(store): check the customer, invoice or payment id given"
        case .invalidOptions, .alreadyOpen, .closed, .nestedTransaction:
            return "arlog misused the store at \(store) (an internal error; please report it with the command line)"
        }
    }
}
