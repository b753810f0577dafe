import ArlogDomain
import ArlogStorage

#if canImport(Glibc)
    import Glibc
#endif

/// An arlog store: one LMDB environment in a directory, holding the log, its indexes and the
/// projections, always in step (see docs/architecture.md for the layout).
///
/// The log and its indexes (written when an event is appended, never rewritten):
///   meta            format version, log head, projected position, last recording time,
///                   chain head (seq and hash), alert delivery cursors
///   log             seq (u64 BE) → EventRecord: header, binary form, bytes as received
///   chain           seq (u64 BE) → SHA-256 link covering the previous link, seq and event bytes
///   ids             event id → seq (idempotency)
///   refs            'i' invoice id | 'p' payment id → seq (u64 BE) of its creating event ‖ customer
///   customer_events customer 0x00 seq (u64 BE) → `at` and type: each customer's events in log order
///   globals         seq (u64 BE) → event type: the log-wide events (credit policy, reviews, fx rates)
/// The projections (the fold of the log; `rebuild` drops and replays them):
///   states          customer → CustomerState: the hot state (figures, open installments, risk)
///   items           seq (u64 BE) → the cold record of the invoice or payment created there
///   profiles        customer → ProfileText
///   checkpoints     customer 0x00 latestAt 0x00 seq → CustomerState: states at log positions, for
///                   as-of queries (`AsOf.swift`)
///   late            customer 0x00 seq → `at`: events logged after a later-dated one of theirs
///   grades          customer 0x00 seq (u64 BE) → GradeChange: grade history
///   alerts          seq (u64 BE) customer 0x00 index (u8) → Alert: early warnings in log order
/// Every write transaction that appends events also updates the indexes and projections and
/// the positions in meta, so after any crash they agree with the log.
public final class Store {
    /// The on-disk format. Opening a store of another format is an error, never a guess.
    /// 2: the log is hash-chained (`chain` database, `chain.head` in meta).
    /// 3: the credit-risk projection (`globals`, `risk`, `grades`, `alerts`).
    /// 4: hot states and cold records instead of whole ledgers, binary event forms in the log,
    ///    checkpoints for as-of queries. A store of an earlier format is refused; `arlog export`
    ///    from the old version and ingest into a new store carries the history over.
    /// 5: states and checkpoints in their compact form (`StateCodec.stateVersion` 2). The log
    ///    and its indexes are those of format 4, so a format-4 store is upgraded in place when
    ///    a command that writes opens it (`upgradableFormat`): its projections are dropped and
    ///    replayed from the log.
    /// 6: feed v1.1 and v1.2 (`StateCodec.stateVersion` 3: disputes, promises, invoices'
    ///    dunning levels and the latest contact in the hot state, `refunded` and credit-note
    ///    allocations; invoice and credit-source records version 2; credit note ids in `refs`,
    ///    `c` + id). A format-5 log and its indexes are read as they are (new event types only
    ///    add records), so a format-5 store is upgraded in place the same way.
    /// 7: feed v1.3 (`StateCodec.stateVersion` 4: the assessment in force in the hot state;
    ///    `customer.assessed` and the log-wide `fx.rate` as new event types, the rates listed in
    ///    `globals` like the policy changes). A format-6 log and its indexes are read as they
    ///    are, so a format-6 store is upgraded in place the same way.
    public static let formatVersion: UInt64 = 7
    /// The earlier format whose log this one reads as it is: only its projections differ.
    static let upgradableFormat: UInt64 = 6
    /// Bytes of decoded states (`CustomerState.heapBytesEstimate`) one write transaction may
    /// hold. A batch holds every state it touches, and the states kept from the batch before;
    /// without a bound its memory would grow with the customers a batch touches (a batch of
    /// 65,536 events touches 57,000 of 220,000 customers). Past it the states the transaction
    /// has not changed are dropped, and when it holds only changed ones it commits and the
    /// batch goes on in the next transaction. The same bound applies to the states kept
    /// between batches.
    public static let transactionStateBytesMax = 80 << 20
    /// Decoded states kept between batches, at most (their index's own memory).
    public static let stateCacheEntriesMax = 100_000

    public let directory: String
    let env: Environment
    let meta: Database
    let log: Database
    let chain: Database
    let ids: Database
    let refs: Database
    let customerEvents: Database
    let globals: Database
    let states: Database
    let items: Database
    let profiles: Database
    let checkpoints: Database
    let late: Database
    let grades: Database
    let alerts: Database
    var cache = StateCache()

    /// The fold of the log: what rebuild drops and replays. (Alert delivery cursors live in
    /// meta: alert ids are stable across rebuilds, so the cursors stay valid.)
    var projectionDatabases: [Database] { [states, items, profiles, checkpoints, late, grades, alerts] }
    /// The log's own indexes: written with each event, rebuilt only by `rebuild(indexes: true)`.
    var indexDatabases: [Database] { [ids, refs, customerEvents, globals] }

    enum MetaKey {
        static let format = Array("format".utf8)
        static let head = Array("log.head".utf8)
        static let projected = Array("projections.seq".utf8)
        static let recordedAt = Array("log.recorded_at_us".utf8)
        static let chainHead = Array("chain.head".utf8)
    }

    public struct Options: Sendable {
        /// fsync on every commit. Off only for tests and benchmarks that measure CPU.
        public var durable = true
        public var mapSizeBytes = EnvironmentOptions.mapSizeBytesDefault
        /// Open for reading only (`MDB_RDONLY`): the process never writes, so it works on a
        /// read-only filesystem, a full disk, or a store another user owns the data of; every
        /// write throws. Queries open stores this way (see `arlog --read-only`).
        public var readOnly = false
        /// The recording clock, microseconds since the epoch (tests set it; nil: the system's
        /// real-time clock). Recording times never go backwards whatever it says.
        public var recordingClock: (@Sendable () -> Int64)? = nil
        /// Tests only: a write transaction that folds more than this many events fails as one
        /// that dirtied more pages than LMDB tracks does (`MDB_TXN_FULL`: 131,071 pages, which
        /// takes hundreds of MB to reach), so that splitting a batch on it is tested. nil: no
        /// such fault.
        public var faultTransactionFullAfterEvents: Int? = nil
        public init() {}
    }

    let recordingClock: @Sendable () -> Int64
    let faultTransactionFullAfterEvents: Int?

    /// Opens (and with `create`, creates) the store in `directory`. Opening never writes to an
    /// existing store: a store whose projections are behind its log (a rebuild interrupted or
    /// running in another process) is caught up by the next write (`catchUp`), under LMDB's
    /// write lock; queries meanwhile answer from the projections as committed
    /// (`projectionStatus` says how far behind they are).
    public init(directory: String, create: Bool, options: Options = Options()) throws {
        self.directory = directory
        recordingClock = options.recordingClock ?? Store.nowMicros
        faultTransactionFullAfterEvents = options.faultTransactionFullAfterEvents
        if !create || options.readOnly {
            var st = stat()
            guard stat(directory + "/data.mdb", &st) == 0 else {
                throw EngineError(.store, "no arlog store in \(directory) (create one with `arlog ingest`, or set --store / ARLOG_STORE)")
            }
        }
        var envOptions = EnvironmentOptions()
        envOptions.durable = options.durable
        envOptions.mapSizeBytes = options.mapSizeBytes
        envOptions.readOnly = options.readOnly
        do {
            env = try Environment(directory: directory, options: envOptions)
        } catch let e as StorageError where e.kind == .directory {
            throw EngineError(.io, "cannot use store directory \(directory): \(e.message)")
        } catch let e as LMDBError where options.readOnly && (e.code == EACCES || e.code == EROFS) {
            throw EngineError(.store, "cannot open the store in \(directory) for reading: its lock file (lock.mdb) cannot be opened (\(e.message)); readers need write access to lock.mdb, or a read-only filesystem")
        }
        meta = try Store.database("meta", env, create: create, directory)
        // Before any other database: an older format lacks this one's, and must be named as such.
        let upgrading = try Store.checkFormat(env, meta, create: create && !options.readOnly, readOnly: options.readOnly, directory)
        log = try Store.database("log", env, create: create, directory)
        chain = try Store.database("chain", env, create: create, directory)
        ids = try Store.database("ids", env, create: create, directory)
        refs = try Store.database("refs", env, create: create, directory)
        customerEvents = try Store.database("customer_events", env, create: create, directory)
        globals = try Store.database("globals", env, create: create, directory)
        states = try Store.database("states", env, create: create, directory)
        items = try Store.database("items", env, create: create, directory)
        profiles = try Store.database("profiles", env, create: create, directory)
        checkpoints = try Store.database("checkpoints", env, create: create, directory)
        late = try Store.database("late", env, create: create, directory)
        grades = try Store.database("grades", env, create: create, directory)
        alerts = try Store.database("alerts", env, create: create, directory)
        if upgrading { try upgradeProjections() }
    }

    /// Upgrades a store of `upgradableFormat`: drops its projections and marks them as
    /// reflecting nothing, and records the current format, in one transaction (a crash leaves
    /// the old store or the upgraded one). The next write replays the log into projections
    /// of this format before it writes (`catchUp`), as after an interrupted rebuild.
    func upgradeProjections() throws {
        try env.write { txn in
            guard let v = try txn.get(meta, key: MetaKey.format), UInt64(bigEndianBytes: v) == Store.upgradableFormat else { return }
            for db in projectionDatabases { try txn.drop(db) }
            try txn.put(meta, key: MetaKey.projected, value: UInt64(0).bigEndianBytes)
            try txn.put(meta, key: MetaKey.format, value: Store.formatVersion.bigEndianBytes)
        }
    }

    /// True when opened with `Options.readOnly`.
    public var isReadOnly: Bool { env.options.readOnly }

    public func close() { env.close() }

    /// Without `create`, a directory that is not an arlog store is refused, not initialized.
    static func database(_ name: String, _ env: Environment, create: Bool, _ directory: String) throws -> Database {
        if create, !env.options.readOnly { return try env.openDatabase(name) }
        guard let db = try env.openDatabase(name, create: false) else {
            env.close()
            throw EngineError(.store, "\(directory) is not an arlog store (no \(name) database)")
        }
        return db
    }

    /// Checks the stored format, writing it into a new store; returns true when the store has
    /// the upgradable earlier format and is opened for writing (the caller upgrades it).
    static func checkFormat(_ env: Environment, _ meta: Database, create: Bool, readOnly: Bool, _ directory: String) throws -> Bool {
        let stored = try env.read { txn in try txn.get(meta, key: MetaKey.format) }
        if stored == nil, !create {
            env.close()
            throw EngineError(.store, "\(directory) is not an arlog store (no format record)")
        }
        if let stored {
            if UInt64(bigEndianBytes: stored) == Store.upgradableFormat {
                if !readOnly { return true }
                env.close()
                throw EngineError(.store, "store \(directory) has format \(Store.upgradableFormat), whose projections this arlog (format \(Store.formatVersion)) replays once from the log before it reads them: run `arlog rebuild --store \(directory)` (the log is not changed)")
            }
            guard let v = UInt64(bigEndianBytes: stored), v == Store.formatVersion else {
                env.close()
                let f = UInt64(bigEndianBytes: stored).map(String.init) ?? "?"
                throw EngineError(.store, "store \(directory) has format \(f); this arlog reads format \(Store.formatVersion): export it with the arlog that wrote it (arlog export) and ingest the export into a new store")
            }
            return false
        }
        try env.write { txn in
            try txn.put(meta, key: MetaKey.format, value: Store.formatVersion.bigEndianBytes)
        }
        return false
    }

    /// A u64 record of meta (0 when absent); a damaged one is `.corrupt` naming its key, and a
    /// log position above `seqMax` is damage.
    static func u64(_ txn: ReadTransaction, _ db: Database, _ key: [UInt8]) throws -> UInt64 {
        guard let v = try txn.get(db, key: key) else { return 0 }
        guard let n = UInt64(bigEndianBytes: v) else { throw Store.corrupt(db, key, "a value of \(v.count) bytes is not a u64") }
        if n > seqMax, key == MetaKey.head || key == MetaKey.projected { throw Store.corrupt(db, key, "log position \(n) is out of range") }
        return n
    }

    /// The chain's head as stored: the last sequence number and its link (genesis when empty).
    static func chainHead(_ txn: ReadTransaction, _ meta: Database) throws -> ChainHead {
        guard let v = try txn.get(meta, key: MetaKey.chainHead) else { return ChainHead(seq: 0, hash: .genesis) }
        guard let head = ChainHead(encoded: v) else { throw Store.corrupt(meta, MetaKey.chainHead, "\(v.count) bytes that are not a log position and a hash") }
        return head
    }

    /// The sequence number of the last logged event (0: empty log).
    public func head() throws -> UInt64 {
        try env.read { txn in try Store.u64(txn, meta, MetaKey.head) }
    }

    static func customerEventKey(_ customer: String, _ seq: UInt64) -> [UInt8] {
        var key = Array(customer.utf8)
        key.append(0)
        key.append(contentsOf: seq.bigEndianBytes)
        return key
    }

    static func customerPrefix(_ customer: String) -> [UInt8] {
        var key = Array(customer.utf8)
        key.append(0)
        return key
    }

    /// Microseconds since the epoch, now.
    static func nowMicros() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
    }
}

extension Store {
    /// A record that does not decode: an error naming the database and the key, for queries
    /// (exit 2) and the verifiers (a problem each).
    static func corrupt(_ db: Database, _ key: String, _ error: Error) -> EngineError {
        EngineError.corrupt(database: db.name, key: key, "\(error)")
    }

    static func corrupt(_ db: Database, seq: UInt64, _ error: Error) -> EngineError { corrupt(db, "log position \(seq)", error) }

    /// Decodes a stored value with `decode`, turning a decoding failure into `corrupt`.
    static func decoding<T>(_ db: Database, _ key: @autoclosure () -> String, _ bytes: UnsafeRawBufferPointer,
                            _ decode: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        do {
            return try decode(bytes)
        } catch let e as StoredDataError {
            throw corrupt(db, key(), e)
        }
    }

    /// The customer's hot state as committed (nil: not registered).
    func storedState(_ txn: ReadTransaction, _ customer: String) throws -> CustomerState? {
        try txn.withValue(states, key: Array(customer.utf8)) { bytes in
            try Store.decoding(states, "customer \(customer)", bytes, StateCodec.decodeState)
        }
    }

    static func seqKey(_ seq: UInt64) -> [UInt8] { seq.bigEndianBytes }
}
