import CLMDB

/// A failed LMDB call: the raw return code plus the call that produced it.
///
/// Every `mdb_*` call that returns a code goes through `check(_:_:)`, so this is the only
/// shape an LMDB failure takes outside this module. `MDB_NOTFOUND` from a lookup and
/// `MDB_KEYEXIST` from a no-overwrite put are answers, not failures: the API returns
/// `nil` / `false` for them instead of throwing.
public struct LMDBError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The LMDB (negative) or errno (positive) return code.
    public let code: Int32
    /// The call that failed, with the database name where there is one, e.g. `mdb_put(log)`.
    public let operation: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    /// LMDB's own text for the code (`mdb_strerror`, which falls back to `strerror`).
    public var message: String { String(cString: mdb_strerror(code)) }

    /// The memory map is full. `Environment.write` handles this itself by growing the map;
    /// callers only see it when a body catches the error from `put` (the write is still retried).
    public var isMapFull: Bool { code == MDB_MAP_FULL }
    public var isNotFound: Bool { code == MDB_NOTFOUND }
    public var isKeyExist: Bool { code == MDB_KEYEXIST }
    /// Another process grew the map; handled at transaction begin.
    public var isMapResized: Bool { code == MDB_MAP_RESIZED }
    /// Every reader slot is taken (see `EnvironmentOptions.readersMax`).
    public var isReadersFull: Bool { code == MDB_READERS_FULL }
    /// One write transaction dirtied more pages than LMDB can track; split the write.
    public var isTransactionFull: Bool { code == MDB_TXN_FULL }
    public var isCorrupted: Bool { code == MDB_CORRUPTED || code == MDB_PAGE_NOTFOUND || code == MDB_INVALID }
    /// The files were written by an LMDB of another (incompatible) version.
    public var isVersionMismatch: Bool { code == MDB_VERSION_MISMATCH }
    /// LMDB hit a fatal error and the environment must be reopened.
    public var isPanic: Bool { code == MDB_PANIC }

    public var description: String { "\(operation) failed: \(message) (LMDB code \(code))" }

    /// The error LMDB gives a transaction that dirtied more pages than it tracks (for tests
    /// of the callers that split their writes on it: the real limit takes hundreds of MB).
    public static func transactionFull(_ operation: String) -> LMDBError { LMDBError(code: MDB_TXN_FULL, operation: operation) }
}

/// Storage problems that are not an LMDB return code: the directory, the one-environment-per-path
/// rule, bad keys, a map that may not grow further, writes to a read-only environment.
public struct StorageError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: Sendable, Equatable {
        /// `EnvironmentOptions` out of range.
        case invalidOptions
        /// The environment directory could not be created or resolved.
        case directory
        /// This process already has an environment open on that directory.
        case alreadyOpen
        /// The environment was closed.
        case closed
        /// A write was attempted on a read-only environment.
        case readOnly
        /// A database does not exist and could not be created (read-only environment).
        case databaseMissing
        /// A key is empty or longer than `Environment.keySizeBytesMax`.
        case keySize
        /// The map is full and already at `EnvironmentOptions.mapSizeBytesMax` (or growth gave up).
        case mapFull
        /// An operation needs every transaction of this process closed (map resize) but the calling
        /// thread itself holds one, e.g. a `write` nested inside a `read` closure.
        case nestedTransaction
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "storage: \(message)" }
}

/// The one choke point from LMDB return codes to `LMDBError`.
/// `operation` is an autoclosure so the happy path builds no strings.
@inline(__always)
func check(_ rc: Int32, _ operation: @autoclosure () -> String) throws(LMDBError) {
    if rc != MDB_SUCCESS {
        throw LMDBError(code: rc, operation: operation())
    }
}

/// For calls that cannot fail on a live environment (`mdb_env_info`, `mdb_env_stat`): a non-zero
/// code means this module broke an invariant, so it is a programmer error, not a thrown one.
@inline(__always)
func checkInfallible(_ rc: Int32, _ operation: @autoclosure () -> String) {
    do {
        try check(rc, operation())
    } catch {
        preconditionFailure("\(error)")
    }
}
