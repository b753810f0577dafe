import ArlogDomain
import ArlogStorage

#if canImport(Glibc)
    import Glibc
#endif

/// An arlog store: one LMDB environment in a directory, holding the log, its indexes and the
/// projections, always in step (see docs/architecture.md for the layout).
///
/// Databases:
///   meta            format version, log head, projected position, last recording time,
///                   chain head (seq and hash)
///   log             seq (u64 BE) → EventRecord: the append-only log
///   chain           seq (u64 BE) → SHA-256 link covering the previous link, seq and event bytes
///   ids             event id → seq (idempotency)
///   customer_events customer 0x00 seq (u64 BE) → ∅: each customer's events in log order
///   invoices        invoice id → customer; payments: payment id → customer
///   ledgers         customer → ledger header (LedgerCodec): summary and item counts
///   ledger_items    customer 0x00 kind ('i'/'p') position (u32 BE) → one invoice or payment
///   globals         seq (u64 BE) → event type: the log-wide events (credit policy, reviews)
///   risk            customer → RiskState: each customer's last credit evaluation
///   grades          customer 0x00 seq (u64 BE) → GradeChange: grade history
///   alerts          seq (u64 BE) customer 0x00 index (u8) → Alert: early warnings in log order
/// Every write transaction that appends events also updates the indexes and projections and
/// the positions in meta, so after any crash they agree with the log.
public final class Store {
    /// The on-disk format. Opening a store of another format is an error, never a guess.
    /// 2: the log is hash-chained (`chain` database, `chain.head` in meta).
    /// 3: the credit-risk projection (`globals`, `risk`, `grades`, `alerts`) and reversal dates
    ///    in ledgers. A format-2 store is refused; `arlog export` from the old version and
    ///    ingest into a new store carries the history over.
    public static let formatVersion: UInt64 = 3
    /// Decoded ledgers kept between batches; past either bound the cache is emptied. Bounds
    /// memory whatever the number of customers or the length of their histories (an item, an
    /// invoice or payment in memory, takes a few hundred bytes).
    public static let ledgerCacheEntriesMax = 100_000
    public static let ledgerCacheItemsMax = 1_000_000
    /// Ledger items (invoices and payments) one write transaction may hold decoded: a batch
    /// holds every ledger it touches, so without this a batch over customers with long
    /// histories would have no memory bound. Past it the transaction commits and the batch
    /// goes on in the next one. A speed/memory trade-off (measured on 1M events, 20,000
    /// customers, about 900,000 items: 1,000,000 → 27 s and 465 MiB heap; 250,000 → 61 s
    /// and 224 MiB, since every transaction then reloads what it touches). A few hundred
    /// bytes per item.
    public static let transactionItemsMax = 1_000_000

    public let directory: String
    let env: Environment
    let meta: Database
    let log: Database
    let chain: Database
    let ids: Database
    let customerEvents: Database
    let invoices: Database
    let payments: Database
    let ledgers: Database
    let ledgerItems: Database
    let globals: Database
    let risk: Database
    let grades: Database
    let alerts: Database
    var cache = LedgerCache()

    /// Everything derived from the log: what rebuild drops and replays. (Alert delivery
    /// cursors live in meta: alert ids are stable across rebuilds, so the cursors stay valid.)
    var derivedDatabases: [Database] { [ids, customerEvents, invoices, payments, ledgers, ledgerItems, globals, risk, grades, alerts] }

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
        public init() {}
    }

    let recordingClock: @Sendable () -> Int64

    /// Opens (and with `create`, creates) the store in `directory`. Opening never writes to an
    /// existing store: a store whose projections are behind its log (a rebuild interrupted or
    /// running in another process) is caught up by the next write (`catchUp`), under LMDB's
    /// write lock; queries meanwhile answer from the projections as committed
    /// (`projectionStatus` says how far behind they are).
    public init(directory: String, create: Bool, options: Options = Options()) throws {
        self.directory = directory
        recordingClock = options.recordingClock ?? Store.nowMicros
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
        log = try Store.database("log", env, create: create, directory)
        chain = try Store.database("chain", env, create: create, directory)
        ids = try Store.database("ids", env, create: create, directory)
        customerEvents = try Store.database("customer_events", env, create: create, directory)
        invoices = try Store.database("invoices", env, create: create, directory)
        payments = try Store.database("payments", env, create: create, directory)
        ledgers = try Store.database("ledgers", env, create: create, directory)
        ledgerItems = try Store.database("ledger_items", env, create: create, directory)
        globals = try Store.database("globals", env, create: create, directory)
        risk = try Store.database("risk", env, create: create, directory)
        grades = try Store.database("grades", env, create: create, directory)
        alerts = try Store.database("alerts", env, create: create, directory)
        try checkFormat(create: create && !options.readOnly)
    }

    /// True when opened with `Options.readOnly`.
    public var isReadOnly: Bool { env.options.readOnly }

    public func close() { env.close() }

    /// Without `create`, a directory that is not an arlog store is refused, not initialized.
    static func database(_ name: String, _ env: Environment, create: Bool, _ directory: String) throws -> Database {
        if create { return try env.openDatabase(name) }
        guard let db = try env.openDatabase(name, create: false) else {
            env.close()
            throw EngineError(.store, "\(directory) is not an arlog store (no \(name) database)")
        }
        return db
    }

    func checkFormat(create: Bool) throws {
        let stored = try env.read { txn in try txn.get(meta, key: MetaKey.format) }
        if stored == nil, !create {
            throw EngineError(.store, "\(directory) is not an arlog store (no format record)")
        }
        if let stored {
            guard let v = UInt64(bigEndianBytes: stored), v == Store.formatVersion else {
                throw EngineError(.store, "store \(directory) has format \(UInt64(bigEndianBytes: stored).map(String.init) ?? "?"); this arlog reads format \(Store.formatVersion)")
            }
            return
        }
        try env.write { txn in
            try txn.put(meta, key: MetaKey.format, value: Store.formatVersion.bigEndianBytes)
        }
    }

    /// A u64 in meta (0 when absent); the log positions (`log.head`, `projections.seq`) at
    /// most `seqMax`.
    static func u64(_ txn: ReadTransaction, _ db: Database, _ key: [UInt8]) throws -> UInt64 {
        guard let v = try txn.get(db, key: key) else { return 0 }
        guard let n = UInt64(bigEndianBytes: v) else { throw Store.corrupt(db, key, "a value of \(v.count) bytes is not a u64") }
        if n > seqMax, key == MetaKey.head || key == MetaKey.projected { throw Store.corrupt(db, key, "sequence number \(n) is out of range") }
        return n
    }

    /// The chain's head as stored: the last sequence number and its link (genesis when empty).
    static func chainHead(_ txn: ReadTransaction, _ meta: Database) throws -> ChainHead {
        guard let v = try txn.get(meta, key: MetaKey.chainHead) else { return ChainHead(seq: 0, hash: .genesis) }
        guard let head = ChainHead(encoded: v) else { throw Store.corrupt(meta, MetaKey.chainHead, "\(v.count) bytes that are not a sequence number and a hash") }
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

/// Decoded ledgers as of this process's last commit, so that a customer seen in the previous
/// batch is not loaded again.
///
/// Valid only if nothing was committed since: the entries are tagged with the LMDB
/// transaction id of the commit they reflect, and a write transaction may use them only when
/// its own id is the next one (no other process or thread wrote in between: not an ingest, a
/// rebuild's batch, a catch-up, nor anything else). Anything else empties the cache. Reading
/// the committed state is what validates it, not the log head: another process can rewrite
/// projections (rebuild) without moving the head.
struct LedgerCache {
    var entries: [String: CustomerLedger] = [:]
    /// The id of the write transaction whose commit these entries reflect (nil: none).
    var committedTransactionID: Int?

    /// Takes the entries for the write transaction `transactionID` (moved, so the batch
    /// mutates them in place); they come back with `restore` only if that transaction commits.
    mutating func take(transactionID: Int) -> [String: CustomerLedger] {
        defer {
            entries = [:]
            committedTransactionID = nil
        }
        guard let committed = committedTransactionID, transactionID == committed + 1 else { return [:] }
        return entries
    }

    /// Keeps the ledgers of the committed write transaction `transactionID`.
    mutating func restore(_ ledgers: [String: CustomerLedger], transactionID: Int) {
        let items = ledgers.values.reduce(0) { $0 + $1.itemCount }
        if ledgers.count > Store.ledgerCacheEntriesMax || items > Store.ledgerCacheItemsMax {
            entries = [:]
        } else {
            entries = ledgers
        }
        committedTransactionID = transactionID
    }
}

extension Store {
    static func itemKey(_ customer: String, _ kind: UInt8, _ position: Int32) -> [UInt8] {
        var key = customerPrefix(customer)
        key.append(kind)
        let p = UInt32(position)
        key.append(contentsOf: [UInt8(p >> 24), UInt8(truncatingIfNeeded: p >> 16), UInt8(truncatingIfNeeded: p >> 8), UInt8(truncatingIfNeeded: p)])
        return key
    }

    static let invoiceItem = UInt8(ascii: "i")
    static let paymentItem = UInt8(ascii: "p")

    /// A customer's whole ledger: its header and its items, which must agree (positions in
    /// order, counts and totals; see `LedgerCodec.assemble`). Damage is `EngineError.corrupt`.
    func loadLedger(_ txn: ReadTransaction, _ customer: String) throws -> CustomerLedger? {
        guard let summary = try storedSummary(txn, customer) else { return nil }
        var invoiceItems: [InvoiceState] = []
        var paymentItems: [PaymentState] = []
        invoiceItems.reserveCapacity(summary.invoiceCount)
        paymentItems.reserveCapacity(summary.paymentCount)
        try txn.scan(ledgerItems, prefix: Store.customerPrefix(customer)) { key, value in
            let (kind, position) = try Store.itemKeyParts(key, customer: customer, ledgerItems)
            do {
                if kind == Store.invoiceItem {
                    guard position == invoiceItems.count else { throw LedgerCodec.DecodeError(message: "invoice position \(position) out of order (expected \(invoiceItems.count))") }
                    invoiceItems.append(try LedgerCodec.decodeInvoice(value))
                } else {
                    guard position == paymentItems.count else { throw LedgerCodec.DecodeError(message: "payment position \(position) out of order (expected \(paymentItems.count))") }
                    paymentItems.append(try LedgerCodec.decodePayment(value))
                }
            } catch let e as LedgerCodec.DecodeError {
                throw Store.corrupt(ledgerItems, key, e.message)
            }
            return true
        }
        do {
            return try LedgerCodec.assemble(summary, invoices: invoiceItems, payments: paymentItems)
        } catch {
            throw Store.corrupt(ledgers, key: customer, "header and items disagree: \(error.message)")
        }
    }
}

/// Invoice and payment owners, read in the batch's transaction.
struct OwnerLookup: ReferenceLookup {
    let store: Store
    let txn: WriteTransaction

    func invoiceOwner(_ invoice: String) throws -> String? {
        try txn.get(store.invoices, key: Array(invoice.utf8)).map { String(decoding: $0, as: UTF8.self) }
    }

    func paymentOwner(_ payment: String) throws -> String? {
        try txn.get(store.payments, key: Array(payment.utf8)).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// The log inside one write transaction, as the intake pipeline sees it. Events and indexes
/// go straight into the transaction; ledgers are folded in memory, in place, and only their
/// headers and touched items are written when the batch ends.
struct BatchState: LogState {
    let store: Store
    let txn: WriteTransaction
    /// Decoded ledgers: the cache taken for this batch plus what it loaded.
    var ledgers: [String: CustomerLedger]
    var head: UInt64
    /// What intake needs to append: the recording time of this batch's events and the chain's
    /// last link (of `head`). Nil when replaying (rebuild, catch-up), which appends nothing and
    /// leaves the chain and the recording-time floor as they are.
    var appending: (recordedAtMicros: Int64, chainHash: ChainHash)?
    /// Customers whose ledger changed in this batch.
    var dirty: Set<String> = []
    /// Invoices and payments held in `ledgers` (what bounds a transaction's memory).
    var loadedItems = 0
    /// The credit policies logged so far (loaded at the batch's start).
    var timeline: PolicyTimeline
    /// Risk states of the customers this batch evaluated (nil: never evaluated); written by
    /// `finish`.
    var risks: [String: RiskState?] = [:]

    init(store: Store, txn: WriteTransaction, ledgers: [String: CustomerLedger], head: UInt64,
         appending: (recordedAtMicros: Int64, chainHash: ChainHash)?) throws {
        self.store = store
        self.txn = txn
        self.ledgers = ledgers
        self.head = head
        self.appending = appending
        loadedItems = ledgers.values.reduce(0) { $0 + $1.itemCount }
        timeline = try store.timeline(txn)
    }

    var references: OwnerLookup { OwnerLookup(store: store, txn: txn) }

    func storedEvent(id: String) throws -> JSONObject? {
        guard let seqBytes = try txn.get(store.ids, key: Array(id.utf8)) else { return nil }
        let seq = try seqBytes.withUnsafeBytes { try Store.seqKey(store.ids, $0) }
        guard let record = try store.record(txn, seq) else {
            throw EngineError(.store, "id index names event \(id) but the log has no such entry")
        }
        return try JSONParser.parseObject(record.raw)
    }

    mutating func ledger(for customer: String) throws -> CustomerLedger? {
        if let l = ledgers[customer] { return l }
        guard let l = try store.loadLedger(txn, customer) else { return nil }
        ledgers[customer] = l
        loadedItems += l.itemCount
        return l
    }

    mutating func append(_ r: ResolvedEvent, raw: UnsafeRawBufferPointer) throws {
        let e = r.event
        guard let context = appending else { throw EngineError(.store, "internal: an event appended outside intake") }
        head += 1
        let seqKey = head.bigEndianBytes
        let record = EventRecord.encode(recordedAtMicros: context.recordedAtMicros, event: e, raw: raw)
        try txn.put(store.log, key: seqKey, value: record, flags: .append)
        let link = context.chainHash.next(seq: head, event: raw)
        try txn.put(store.chain, key: seqKey, value: link.bytes, flags: .append)
        appending = (context.recordedAtMicros, link)
        try txn.put(store.ids, key: Array(e.id.utf8), value: seqKey)
        try indexReferences(e, seq: head)
        Fold.apply(r, to: &ledgers[e.customer])
        if !e.type.isGlobal { dirty.insert(e.customer) }
        if e.type == .invoiceIssued || e.type == .paymentReceived { loadedItems += 1 }
        try project(e, seq: head)
    }

    /// Folds an event that is already in the log (rebuild, catch-up): no validation.
    mutating func replay(_ e: Event, seq: UInt64) throws {
        try txn.put(store.ids, key: Array(e.id.utf8), value: seq.bigEndianBytes)
        try indexReferences(e, seq: seq)
        if !e.type.isGlobal {
            _ = try ledger(for: e.customer)
            Replay.step(e, &ledgers[e.customer])
            if e.type == .invoiceIssued || e.type == .paymentReceived { loadedItems += 1 }
            dirty.insert(e.customer)
        }
        try project(e, seq: seq)
    }

    /// The indexes derived from one logged event (shared by intake and rebuild).
    func indexReferences(_ e: Event, seq: UInt64) throws {
        if e.type.isGlobal {
            try txn.put(store.globals, key: seq.bigEndianBytes, value: [e.type.rawValue])
            return
        }
        try txn.put(store.customerEvents, key: Store.customerEventKey(e.customer, seq), value: [])
        switch e.body {
        case .invoiceIssued(let invoice, _, _, _, _):
            try txn.put(store.invoices, key: Array(invoice.utf8), value: Array(e.customer.utf8))
        case .paymentReceived(let payment, _, _, _, _):
            try txn.put(store.payments, key: Array(payment.utf8), value: Array(e.customer.utf8))
        default:
            break
        }
    }

    /// Writes the changed ledgers (header and touched items) and the positions: the last
    /// step before commit. `projected` is the log position the projections now reflect (the
    /// head, except while a rebuild is catching up).
    mutating func finish(projected: UInt64? = nil) throws {
        for customer in dirty {
            guard let l = ledgers[customer] else { continue }
            try txn.put(store.ledgers, key: Array(customer.utf8), value: LedgerCodec.encodeHeader(l))
            for i in l.touchedInvoices {
                try txn.put(store.ledgerItems, key: Store.itemKey(customer, Store.invoiceItem, i), value: LedgerCodec.encodeInvoice(l.invoices[Int(i)]))
            }
            for p in l.touchedPayments {
                try txn.put(store.ledgerItems, key: Store.itemKey(customer, Store.paymentItem, p), value: LedgerCodec.encodePayment(l.payments[Int(p)]))
            }
            ledgers[customer]!.clearTouched()
        }
        for (customer, state) in risks {
            if let state { try txn.put(store.risk, key: Array(customer.utf8), value: RiskCodec.encode(state)) }
        }
        try txn.put(store.meta, key: Store.MetaKey.projected, value: (projected ?? head).bigEndianBytes)
        // Only intake moves the head, the chain and the recording-time floor; a replay leaves
        // them as they are (a rebuild that reset the floor would let recording times go
        // backwards, and `--known-at TIMESTAMP` relies on them never doing so).
        if let appending {
            try txn.put(store.meta, key: Store.MetaKey.head, value: head.bigEndianBytes)
            try txn.put(store.meta, key: Store.MetaKey.recordedAt, value: UInt64(bitPattern: appending.recordedAtMicros).bigEndianBytes)
            try txn.put(store.meta, key: Store.MetaKey.chainHead, value: ChainHead(seq: head, hash: appending.chainHash).encoded)
        }
    }
}
