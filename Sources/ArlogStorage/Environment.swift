#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CLMDB
import Synchronization

/// How to open an `Environment`. Sizes are in bytes; every limit says why it is what it is.
public struct EnvironmentOptions: Sendable, Equatable {
    /// Initial map. A writer reserves the whole map on disk (`writeMap`), so this is also the
    /// smallest store file: small enough for a demo or a test store, and doubled on demand
    /// (each growth re-runs one write), so a 1M-event store (about 1.3 GB) grows five times.
    public static let mapSizeBytesDefault = 64 * 1024 * 1024
    /// Growth cap: the map is virtual address space, so 1 TiB costs nothing until used, and it stops
    /// a runaway writer before it fills the disk.
    public static let mapSizeBytesMaxDefault = 1024 * 1024 * 1024 * 1024
    /// Named databases (log, projections, indexes, meta): a handful, with room to add more.
    /// Each slot costs a little memory per transaction, so not thousands.
    public static let databasesMaxDefault: UInt32 = 16
    /// LMDB's own default: concurrent read transactions across all processes sharing the
    /// environment. Beyond it `read` fails with `MDB_READERS_FULL` (`LMDBError.isReadersFull`).
    public static let readersMaxDefault: UInt32 = 126

    /// Initial map size; rounded up to a whole number of OS pages.
    public var mapSizeBytes: Int
    /// `write` doubles the map on `MDB_MAP_FULL` up to this; rounded up to whole pages.
    public var mapSizeBytesMax: Int
    public var databasesMax: UInt32
    public var readersMax: UInt32
    /// true: fsync on every commit (a committed write survives power loss).
    /// false: `MDB_NOSYNC`, for tests and benchmarks only: a system crash may lose recent
    /// commits (a process crash does not).
    public var durable: Bool
    /// Open with `MDB_RDONLY` (query processes): never creates the directory or databases;
    /// `write` throws `StorageError(.readOnly)`.
    public var readOnly: Bool
    /// Writers open with `MDB_WRITEMAP`: a write transaction's dirty pages are the map's own
    /// pages (in the page cache), not pages LMDB `malloc`s, copies and then `pwrite`s at commit.
    /// That bounds a writer's heap by its batch's decoded state instead of by the pages the
    /// batch touches (hundreds of MB for a batch over tens of thousands of customers), and
    /// saves the copies. A store of a mapped page needs disk space already allocated (else a
    /// full disk would be a SIGBUS, not an error), so the whole map is reserved on disk
    /// (`posix_fallocate`) at open and before every growth: a full disk is then an error from
    /// the open or the growth, with nothing of the write committed. Ignored when `readOnly`.
    public var writeMap: Bool

    public init(
        mapSizeBytes: Int = EnvironmentOptions.mapSizeBytesDefault,
        mapSizeBytesMax: Int = EnvironmentOptions.mapSizeBytesMaxDefault,
        databasesMax: UInt32 = EnvironmentOptions.databasesMaxDefault,
        readersMax: UInt32 = EnvironmentOptions.readersMaxDefault,
        durable: Bool = true,
        readOnly: Bool = false,
        writeMap: Bool = true
    ) {
        self.mapSizeBytes = mapSizeBytes
        self.mapSizeBytesMax = mapSizeBytesMax
        self.databasesMax = databasesMax
        self.readersMax = readersMax
        self.durable = durable
        self.readOnly = readOnly
        self.writeMap = writeMap
    }
}

/// A snapshot of `mdb_env_info` + `mdb_env_stat`.
public struct EnvironmentInfo: Sendable, Equatable {
    public var mapSizeBytes: Int
    /// Highest page number in use; `(lastPageNumber + 1) * pageSizeBytes` is the used size.
    public var lastPageNumber: Int
    public var pageSizeBytes: Int
    public var lastTransactionID: Int
    /// Reader slots used so far (a high-water mark across processes, not the live count).
    public var readersUsed: Int
    public var readersMax: Int

    public var usedBytes: Int { (lastPageNumber + 1) * pageSizeBytes }
}

/// A named LMDB database inside an environment. Get one from `Environment.openDatabase`;
/// it is only valid with the environment (and the open) that produced it.
public struct Database: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    let dbi: UInt32
    /// Which `Environment` instance opened it, to catch a handle used with another environment
    /// or after close and reopen (LMDB would silently use whatever database has that number).
    let environmentSerial: UInt64

    public var description: String { "Database(\(name))" }
}

/// Directories (realpath'd) with an open `Environment` in this process. LMDB forbids opening
/// one environment twice in a process: closing the second would drop the first's fcntl locks.
private let openDirectories = Mutex<Set<String>>([])
/// Source of `Environment.serial`.
private let environmentSerials = Atomic<UInt64>(0)

/// One LMDB environment: a directory holding `data.mdb` and `lock.mdb`, with named databases.
///
/// Thread-safety: share one instance across threads. `read` closures run concurrently; `write`
/// closures are serialized by LMDB (one writer per environment across all processes).
/// Transactions are synchronous and closure-scoped, so a write transaction and its cursors never
/// leave the thread that began them (an LMDB rule); there is no async API on purpose.
///
/// One instance per directory per process: a second `init` on the same directory throws
/// `StorageError(.alreadyOpen)` until the first is closed.
public final class Environment: @unchecked Sendable {
    /// Map growths (each re-runs the body) one `write` may do before giving up. Doubling from the
    /// smallest sensible map (64 KiB) to the 1 TiB cap takes 24 steps; the bound only stops a loop
    /// if LMDB kept reporting full for a reason growth does not fix.
    public static let writeRetriesMax = 40
    /// `MDB_MAP_RESIZED` retries at transaction begin: each adopts the size another process set,
    /// so one normally suffices; more only if that process keeps growing it meanwhile.
    public static let mapResizedRetriesMax = 8

    /// The resolved (realpath) directory.
    public let directory: String
    public let options: EnvironmentOptions
    /// Stale reader slots (left by crashed processes) cleared by `mdb_reader_check` at open.
    public let staleReadersCleared: Int
    /// Longest key LMDB accepts (`mdb_env_get_maxkeysize`, 511 with Debian's build). Longer keys
    /// throw `StorageError(.keySize)` before reaching LMDB.
    public let keySizeBytesMax: Int

    let serial: UInt64
    private let mapSizeBytesMax: Int
    private let gate = TransactionGate()
    /// The LMDB handle; nil once closed. Read under the gate (shared), written under it (exclusive).
    private var handle: OpaquePointer?
    private let databases = Mutex<[String: Database]>([:])
    /// `mdb_dbi_open` must not run in two transactions at once; this serializes opens without
    /// blocking lookups of already-open databases (which happen inside write closures).
    private let databaseOpenLock = Mutex<Void>(())

    /// Opens (creating unless `readOnly`) the environment in `directory`.
    public init(directory: String, options: EnvironmentOptions = .init()) throws {
        let pageSize = FileSystem.pageSizeBytes()
        func roundedUp(_ bytes: Int) -> Int { (bytes + pageSize - 1) / pageSize * pageSize }
        guard options.mapSizeBytes > 0, options.mapSizeBytesMax >= options.mapSizeBytes,
              options.mapSizeBytesMax <= Int.max / 2
        else {
            throw StorageError(.invalidOptions, "need 0 < mapSizeBytes (\(options.mapSizeBytes)) <= mapSizeBytesMax (\(options.mapSizeBytesMax))")
        }
        guard options.readersMax > 0 else {
            throw StorageError(.invalidOptions, "readersMax must be at least 1")
        }
        let mapSizeBytes = roundedUp(options.mapSizeBytes)

        if !options.readOnly {
            try FileSystem.makeDirectories(directory)
        }
        let path = try FileSystem.realPath(directory)
        let inserted = openDirectories.withLock { $0.insert(path).inserted }
        guard inserted else {
            throw StorageError(.alreadyOpen, "an Environment on \(path) is already open in this process; share it or close it first")
        }

        var created: OpaquePointer?
        do {
            try check(mdb_env_create(&created), "mdb_env_create")
            guard let env = created else { preconditionFailure("mdb_env_create succeeded without a handle") }
            // Sizes and slot counts must be set before mdb_env_open. The map size only for a
            // new store: an existing one keeps the map it has (LMDB reads it from the file;
            // a larger size asked here would be reserved on disk by a writer, and growth is
            // on demand anyway).
            if !FileSystem.isNonEmptyFile(path + "/data.mdb") {
                try check(mdb_env_set_mapsize(env, mapSizeBytes), "mdb_env_set_mapsize(\(mapSizeBytes))")
            }
            try check(mdb_env_set_maxdbs(env, MDB_dbi(options.databasesMax)), "mdb_env_set_maxdbs(\(options.databasesMax))")
            try check(mdb_env_set_maxreaders(env, options.readersMax), "mdb_env_set_maxreaders(\(options.readersMax))")
            // MDB_NOTLS: reader slots belong to transactions, not threads, so short read
            // transactions from many (pool) threads do not each pin a slot.
            var flags = UInt32(MDB_NOTLS)
            if options.readOnly { flags |= UInt32(MDB_RDONLY) }
            if !options.durable { flags |= UInt32(MDB_NOSYNC) }
            let writeMap = options.writeMap && !options.readOnly
            if writeMap { flags |= UInt32(MDB_WRITEMAP) }
            try check(mdb_env_open(env, path, flags, 0o644), "mdb_env_open(\(path))")
            // mdb_env_open sized the file to the map (a sparse extension): allocate it before
            // any page of it is written through the map.
            if writeMap { try Environment.reserveMap(env, path) }
            // Slots left by crashed processes would pin old pages and make the file grow.
            var dead: Int32 = 0
            try check(mdb_reader_check(env, &dead), "mdb_reader_check")
            self.staleReadersCleared = Int(dead)
            self.keySizeBytesMax = Int(mdb_env_get_maxkeysize(env))
        } catch {
            // After a failed mdb_env_open the handle must still be closed (lmdb.h).
            if let created { mdb_env_close(created) }
            _ = openDirectories.withLock { $0.remove(path) }
            throw error
        }
        self.handle = created
        self.directory = path
        self.options = options
        self.mapSizeBytesMax = roundedUp(options.mapSizeBytesMax)
        self.serial = environmentSerials.wrappingAdd(1, ordering: .relaxed).newValue
    }

    deinit {
        close()
    }

    /// Closes the environment; idempotent. Waits for transactions on other threads to end.
    /// Calling it from inside a `read`/`write` closure is a programmer error (it would wait for
    /// itself). Afterwards `read`/`write`/`openDatabase` throw `StorageError(.closed)`, and the
    /// directory may be opened again.
    public func close() {
        precondition(!gate.callerHoldsShared(), "Environment.close() called inside a read/write closure")
        gate.withExclusive {
            guard let env = handle else { return }
            mdb_env_close(env)
            handle = nil
            databases.withLock { $0.removeAll() }
            _ = openDirectories.withLock { $0.remove(directory) }
        }
    }

    public var isOpen: Bool {
        gate.enterShared()
        defer { gate.leaveShared() }
        return handle != nil
    }

    /// The current map size (it grows on demand in `write`, or when another process grew it).
    public var mapSizeBytes: Int { info().mapSizeBytes }

    /// Environment statistics. Using it after `close()` is a programmer error.
    public func info() -> EnvironmentInfo {
        gate.enterShared()
        defer { gate.leaveShared() }
        guard let env = handle else { preconditionFailure("Environment.info() after close()") }
        var envInfo = MDB_envinfo()
        var stat = MDB_stat()
        checkInfallible(mdb_env_info(env, &envInfo), "mdb_env_info")
        checkInfallible(mdb_env_stat(env, &stat), "mdb_env_stat")
        return EnvironmentInfo(
            mapSizeBytes: envInfo.me_mapsize,
            lastPageNumber: envInfo.me_last_pgno,
            pageSizeBytes: Int(stat.ms_psize),
            lastTransactionID: envInfo.me_last_txnid,
            readersUsed: Int(envInfo.me_numreaders),
            readersMax: Int(envInfo.me_maxreaders)
        )
    }

    // MARK: Databases

    /// Opens the named database, creating it if missing. Handles are opened once (in their own
    /// transaction) and cached by name, so call this freely; but open every database up front:
    /// opening a not-yet-open one from inside a `read`/`write` closure is a programmer error
    /// (it needs its own write transaction, and LMDB allows one per process). Looking up an
    /// already-open one from inside a closure is fine.
    /// In a read-only environment a missing database throws `StorageError(.databaseMissing)`.
    public func openDatabase(_ name: String) throws -> Database {
        guard let database = try openDatabase(name, create: true) else {
            throw StorageError(.databaseMissing, "database \(name) does not exist in \(directory) and the environment is read-only")
        }
        return database
    }

    /// Opens the named database; with `create: false` (or in a read-only environment, which never
    /// creates) returns nil when it does not exist. A missing database is not cached, so a later
    /// call sees one another process created meanwhile.
    public func openDatabase(_ name: String, create: Bool) throws -> Database? {
        precondition(!name.isEmpty, "database names must not be empty (the unnamed database holds the names)")
        if let cached = databases.withLock({ $0[name] }) {
            return cached
        }
        // Opening needs its own transaction while holding `databaseOpenLock`, and may grow the map
        // (waiting for every transaction to end). From inside a closure that is a deadlock:
        // with our own write (one writer per process), or with a read that the growth waits for.
        precondition(!gate.callerHoldsShared(), "openDatabase(\"\(name)\") inside a read/write closure: open databases before starting transactions")
        return try databaseOpenLock.withLock { _ throws -> Database? in
            if let cached = databases.withLock({ $0[name] }) {
                return cached
            }
            let dbi: MDB_dbi?
            if create && !options.readOnly {
                dbi = try performWrite { txn in
                    var dbi = MDB_dbi()
                    try check(mdb_dbi_open(txn.txn, name, UInt32(MDB_CREATE), &dbi), "mdb_dbi_open(\(name))")
                    return dbi
                }
            } else {
                // A read transaction must be committed (not aborted) to keep the handle it opened.
                dbi = try performRead(commit: true) { txn in
                    var dbi = MDB_dbi()
                    let rc = mdb_dbi_open(txn.txn, name, 0, &dbi)
                    if rc == MDB_NOTFOUND { return nil }
                    try check(rc, "mdb_dbi_open(\(name))")
                    return dbi
                }
            }
            guard let dbi else { return nil }
            let database = Database(name: name, dbi: dbi, environmentSerial: serial)
            databases.withLock { $0[name] = database }
            return database
        }
    }

    // MARK: Transactions

    /// Runs `body` in a read-only snapshot. The transaction handle (and every buffer it hands out)
    /// is valid only inside `body`; using it afterwards is a programmer error (asserted).
    /// Keep bodies short: an open read transaction pins old pages, so the file grows meanwhile.
    public func read<T>(_ body: (ReadTransaction) throws -> T) throws -> T {
        try performRead(commit: false, body)
    }

    /// Runs `body` in the write transaction; commits when it returns, aborts when it throws
    /// (rethrowing its error unchanged).
    ///
    /// On `MDB_MAP_FULL` (from a put, or from the commit) the transaction is aborted, the map
    /// doubled (up to `mapSizeBytesMax`) and **`body` runs again from scratch**. So `body` may run
    /// more than once: it must change state only through the transaction (no appends to outside
    /// arrays, no cache updates, no side effects) and may return what the caller should apply
    /// after the commit. When the map is already at its cap this throws `StorageError(.mapFull)`
    /// and nothing of the attempt is committed.
    ///
    /// Nesting: a `write` inside a `write` on one thread is a programmer error (LMDB allows one
    /// write transaction per process; it would deadlock). A `write` inside a `read` closure works
    /// but cannot grow the map (it throws `StorageError(.nestedTransaction)` if it needs to).
    @discardableResult
    public func write<T>(_ body: (WriteTransaction) throws -> T) throws -> T {
        try performWrite(body)
    }

    private enum WriteAttempt<T> {
        case committed(T)
        case mapFull(mapSizeBytesAtBegin: Int)
    }

    private func performWrite<T>(_ body: (WriteTransaction) throws -> T) throws -> T {
        guard !options.readOnly else {
            throw StorageError(.readOnly, "cannot write: environment \(directory) was opened read-only")
        }
        precondition(!gate.callerOwnsWrite(), "Environment.write nested inside another write on the same thread")
        if !gate.callerHoldsShared() { try growAhead() }
        var growths = 0
        while true {
            switch try attemptWrite(body) {
            case .committed(let value):
                return value
            case .mapFull(let mapSizeBytesAtBegin):
                guard growths < Self.writeRetriesMax else {
                    throw StorageError(.mapFull, "write still hit MDB_MAP_FULL after \(growths) map growths (map \(mapSizeBytesAtBegin) bytes)")
                }
                growths += 1
                try growMap(observedFullAt: mapSizeBytesAtBegin)
            }
        }
    }

    private func attemptWrite<T>(_ body: (WriteTransaction) throws -> T) throws -> WriteAttempt<T> {
        let (env, txn) = try beginTransaction(readOnly: false)
        // From here the gate is held shared: every path below leaves it exactly once.
        gate.claimWrite()
        var envInfo = MDB_envinfo()
        checkInfallible(mdb_env_info(env, &envInfo), "mdb_env_info")
        let mapSizeBytesAtBegin = envInfo.me_mapsize
        let transaction = WriteTransaction(txn: txn, environment: self)

        func finish() {
            gate.releaseWrite()
            gate.leaveShared()
        }

        let value: T
        do {
            value = try body(transaction)
        } catch {
            transaction.end()
            mdb_txn_abort(txn)
            finish()
            // The body may have turned the MDB_MAP_FULL from a put into its own error:
            // the map, not the body, is the cause, so grow and retry.
            if transaction.hitMapFull { return .mapFull(mapSizeBytesAtBegin: mapSizeBytesAtBegin) }
            throw error
        }
        transaction.end()
        if transaction.hitMapFull {
            // The body swallowed the put's error; the transaction is poisoned either way.
            mdb_txn_abort(txn)
            finish()
            return .mapFull(mapSizeBytesAtBegin: mapSizeBytesAtBegin)
        }
        // Commit frees the transaction even when it fails: never abort after this.
        let rc = mdb_txn_commit(txn)
        finish()
        if rc == MDB_MAP_FULL { return .mapFull(mapSizeBytesAtBegin: mapSizeBytesAtBegin) }
        try check(rc, "mdb_txn_commit")
        return .committed(value)
    }

    /// Doubles the map (capped). Runs with no transaction active in this process, as
    /// `mdb_env_set_mapsize` requires.
    private func growMap(observedFullAt mapSizeBytesAtBegin: Int) throws {
        guard !gate.callerHoldsShared() else {
            throw StorageError(.nestedTransaction, "the map is full and cannot grow while this thread is inside a read closure; do not nest write in read")
        }
        try gate.withExclusive {
            guard let env = handle else { throw StorageError(.closed, "environment \(directory) was closed") }
            var envInfo = MDB_envinfo()
            checkInfallible(mdb_env_info(env, &envInfo), "mdb_env_info")
            let current = envInfo.me_mapsize
            // Another writer thread grew it since our attempt began: just retry.
            if current > mapSizeBytesAtBegin { return }
            guard current < mapSizeBytesMax else {
                throw StorageError(.mapFull, "map full at \(current) bytes, the cap (mapSizeBytesMax \(mapSizeBytesMax)); nothing of this write was committed")
            }
            let next = min(current * 2, mapSizeBytesMax)
            // Reserve the grown map on disk before LMDB maps it: if the disk is full this
            // throws and the map stays as it was (the failed write committed nothing).
            if options.writeMap { try Environment.reserve(env, bytes: next, directory) }
            try check(mdb_env_set_mapsize(env, next), "mdb_env_set_mapsize(\(next))")
        }
    }

    /// Grows the map by half before a write when more than three quarters of it are in use, so
    /// that a batch seldom hits MDB_MAP_FULL (which aborts it and runs it again after the
    /// growth), while the map, which writers reserve on disk, stays within about twice the
    /// store's size.
    private func growAhead() throws {
        // Checked under the shared gate first: taking it exclusively waits for this process's
        // readers, which only a growth needs.
        let needed: Bool = {
            gate.enterShared()
            defer { gate.leaveShared() }
            guard let env = handle else { return false }
            return growAheadTarget(env) != nil
        }()
        guard needed else { return }
        try gate.withExclusive {
            guard let env = handle else { throw StorageError(.closed, "environment \(directory) was closed") }
            guard let next = growAheadTarget(env) else { return }
            if options.writeMap { try Environment.reserve(env, bytes: next, directory) }
            try check(mdb_env_set_mapsize(env, next), "mdb_env_set_mapsize(\(next))")
        }
    }

    /// The map size to grow to ahead of a write (`mapGrowAheadUsedPercent`,
    /// `mapGrowAheadPercent`); nil when the map has room or is at its cap.
    private func growAheadTarget(_ env: OpaquePointer) -> Int? {
        var envInfo = MDB_envinfo()
        var stat = MDB_stat()
        checkInfallible(mdb_env_info(env, &envInfo), "mdb_env_info")
        checkInfallible(mdb_env_stat(env, &stat), "mdb_env_stat")
        let current = envInfo.me_mapsize
        let used = (envInfo.me_last_pgno + 1) * Int(stat.ms_psize)
        guard used / Self.mapGrowAheadUsedPercent > current / 100, current < mapSizeBytesMax else { return nil }
        let pageSize = Int(stat.ms_psize)
        let grown = (current / 100 * Self.mapGrowAheadPercent + pageSize - 1) / pageSize * pageSize
        return min(max(grown, current + pageSize), mapSizeBytesMax)
    }

    /// The map is grown ahead of a write once more than this percent of it is in use: a
    /// batch rarely adds a third of the store's size in new pages.
    static let mapGrowAheadUsedPercent = 75
    /// ... to this percent of its size: growths stay few (a dozen from 64 MiB to 10 GB), and
    /// the reservation within about twice what is used.
    static let mapGrowAheadPercent = 150

    /// Allocates the current map's bytes of `data.mdb` on disk (`writeMap`).
    private static func reserveMap(_ env: OpaquePointer, _ directory: String) throws {
        var envInfo = MDB_envinfo()
        checkInfallible(mdb_env_info(env, &envInfo), "mdb_env_info")
        try reserve(env, bytes: envInfo.me_mapsize, directory)
    }

    /// Allocates the first `bytes` of `data.mdb` on disk, extending the file if needed, so
    /// that no store through the map ever needs a block the filesystem cannot give. Blocks
    /// already allocated stay as they are (their data is kept). ENOSPC (full disk) and EFBIG
    /// (a file-size limit) come back as the LMDBError of this call, as from a commit.
    static func reserve(_ env: OpaquePointer, bytes: Int, _ directory: String) throws {
        var fd: Int32 = -1
        try check(mdb_env_get_fd(env, &fd), "mdb_env_get_fd")
        var rc: Int32
        repeat {
            rc = posix_fallocate(fd, 0, off_t(bytes))
        } while rc == EINTR
        if rc != 0 {
            throw LMDBError(code: rc, operation: "posix_fallocate(\(directory)/data.mdb, \(bytes) bytes: reserving the map on disk)")
        }
    }

    private func performRead<T>(commit: Bool, _ body: (ReadTransaction) throws -> T) throws -> T {
        let (_, txn) = try beginTransaction(readOnly: true)
        let transaction = ReadTransaction(txn: txn, environment: self, ownerThread: nil)
        defer { gate.leaveShared() }
        let value: T
        do {
            value = try body(transaction)
        } catch {
            transaction.end()
            mdb_txn_abort(txn)
            throw error
        }
        transaction.end()
        if commit {
            try check(mdb_txn_commit(txn), "mdb_txn_commit(read)")
        } else {
            mdb_txn_abort(txn)
        }
        return value
    }

    /// Enters the gate shared and begins a transaction. On return the caller holds the gate and
    /// must leave it after ending the transaction. Handles `MDB_MAP_RESIZED` (another process
    /// grew the map past ours) by adopting the new size and retrying.
    private func beginTransaction(readOnly: Bool) throws -> (env: OpaquePointer, txn: OpaquePointer) {
        var resizes = 0
        while true {
            gate.enterShared()
            guard let env = handle else {
                gate.leaveShared()
                throw StorageError(.closed, "environment \(directory) was closed")
            }
            var txn: OpaquePointer?
            let rc = mdb_txn_begin(env, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn)
            if rc == MDB_SUCCESS, let txn {
                return (env, txn)
            }
            gate.leaveShared()
            if rc == MDB_MAP_RESIZED && resizes < Self.mapResizedRetriesMax && !gate.callerHoldsShared() {
                resizes += 1
                try gate.withExclusive {
                    guard let env = handle else { throw StorageError(.closed, "environment \(directory) was closed") }
                    // Size 0 adopts the size recorded by the process that grew it.
                    try check(mdb_env_set_mapsize(env, 0), "mdb_env_set_mapsize(0)")
                }
                continue
            }
            try check(rc, readOnly ? "mdb_txn_begin(read)" : "mdb_txn_begin(write)")
            preconditionFailure("mdb_txn_begin succeeded without a transaction")
        }
    }
}
