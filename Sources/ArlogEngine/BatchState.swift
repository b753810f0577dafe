import ArlogDomain
import ArlogStorage

/// The log inside one write transaction, as intake and replay see it (TigerBeetle's shape:
/// the batch's customer states are read once, every event is folded in memory, and each dirty
/// record is written once, in key order, when the batch ends).
///
/// Intake (`append`) and replay (`replay`: rebuild, catch-up) run the same fold
/// (`Projection.step`); intake also appends the event and its indexes.
struct BatchState: LogState {
    let store: Store
    let txn: WriteTransaction
    /// States of the customers this batch touched (from the cache, or loaded), folded in place:
    /// a flat array and an index by customer id, so that an event costs one lookup and no
    /// copy of a state.
    var held: HeldStates
    var cold: StoreCold
    var head: UInt64
    /// What intake needs to append: the recording time of this batch's events and the chain's
    /// last link (of `head`). Nil when replaying (rebuild, catch-up), which appends nothing and
    /// leaves the chain and the recording-time floor as they are.
    var appending: (recordedAtMicros: Int64, chainHash: ChainHash)?
    /// Replaying also rewrites the log's indexes (`rebuild(indexes: true)`).
    var reindexing = false
    /// Events folded in this transaction (for `Store.Options.faultTransactionFullAfterEvents`).
    var foldedEvents = 0
    /// The credit policies logged so far (loaded at the batch's start), and the one in force
    /// for log positions from..<until.
    var timeline: PolicyTimeline
    var policyInForce: (from: UInt64, until: UInt64, policy: CreditPolicy) = (1, 0, .default)
    var scratch: [UInt8] = []
    /// The log record being written, and a key and a value of the indexes (reused buffers).
    var record: [UInt8] = []
    var key: [UInt8] = []
    var value: [UInt8] = []

    init(store: Store, txn: WriteTransaction, held: HeldStates, head: UInt64,
         appending: (recordedAtMicros: Int64, chainHash: ChainHash)?) throws {
        self.store = store
        self.txn = txn
        self.held = held
        self.head = head
        self.appending = appending
        cold = StoreCold(store: store, txn: txn)
        timeline = try store.timeline(txn)
    }

    /// Whether the transaction may take another event: the states it holds are below
    /// `bytesMax` (`Store.transactionStateBytesMax`), once the states it has not changed are
    /// dropped if need be. Between events only (it moves the states' slots).
    mutating func hasRoom(stateBytesMax bytesMax: Int) -> Bool {
        if held.bytes >= bytesMax, held.dirtyCount < held.count { held.evictClean() }
        return held.bytes < bytesMax
    }

    var references: StoreReferences { StoreReferences(store: store, txn: txn) }

    func storedEvent(id: String) throws -> JSONObject? {
        guard let seqBytes = try txn.get(store.ids, key: Array(id.utf8)) else { return nil }
        guard let seq = UInt64(bigEndianBytes: seqBytes) else { throw Store.corrupt(store.ids, "event \(id)", StoredDataError("not a log position")) }
        let raw = try txn.withValue(store.log, key: seqBytes) { bytes in
            try Store.decoding(store.log, "log position \(seq)", bytes) { Array(try EventRecord.View($0).raw) }
        }
        guard let raw else { throw Store.corrupt(store.ids, "event \(id)", StoredDataError("names log position \(seq), which does not exist")) }
        do {
            return try JSONParser.parseObject(raw)
        } catch {
            throw Store.corrupt(store.log, seq: seq, error)
        }
    }

    /// The slot of the customer's state in `held`, loading it if needed; nil when the customer
    /// is not registered.
    mutating func slot(_ customer: String) throws -> Int? {
        if let i = held.slot(customer) { return i }
        guard let s = try store.storedState(txn, customer) else { return nil }
        return held.add(customer, s)
    }

    mutating func withState<T>(_ customer: String, _ body: (inout CustomerState?, inout StoreCold) throws -> T) throws -> T {
        if let i = try slot(customer) {
            return try body(&held.states[i], &cold)
        }
        var fresh: CustomerState?
        let result = try body(&fresh, &cold)
        if let fresh { _ = held.add(customer, fresh, dirty: true) }
        return result
    }

    mutating func withCold<T>(_ body: (inout StoreCold) throws -> T) throws -> T { try body(&cold) }

    mutating func append(_ e: Event, binary: UnsafeRawBufferPointer, raw: UnsafeRawBufferPointer) throws {
        guard let context = appending else { throw EngineError(.store, "internal: an event appended outside intake") }
        head += 1
        let seq = head
        EventRecord.encode(recordedAtMicros: context.recordedAtMicros, event: e, binary: binary, raw: raw, into: &record)
        let link = context.chainHash.next(seq: seq, event: raw)
        try withUnsafeBytes(of: seq.bigEndian) { seqKey in
            _ = try record.withUnsafeBytes { try txn.put(store.log, key: seqKey, value: $0, flags: .append) }
            _ = try link.withUnsafeBytes { try txn.put(store.chain, key: seqKey, value: $0, flags: .append) }
            var id = e.id
            _ = try id.withUTF8 { try txn.put(store.ids, key: UnsafeRawBufferPointer($0), value: seqKey) }
        }
        appending = (context.recordedAtMicros, link)
        let logged = try LoggedEvent(binary)
        try index(logged, seq: seq, customer: e.customer)
        try fold(logged, seq: seq, customer: e.customer, eventID: e.id)
    }

    /// Folds an event that is already in the log (rebuild, catch-up): no validation.
    mutating func replay(_ view: EventRecord.View, seq: UInt64) throws {
        let logged: LoggedEvent
        do {
            logged = try view.logged()
        } catch {
            throw Store.corrupt(store.log, seq: seq, error)
        }
        let customer = view.customer
        if reindexing {
            _ = try withUnsafeBytes(of: seq.bigEndian) { seqKey in
                try txn.put(store.ids, key: UnsafeRawBufferPointer(rebasing: view.bytes[view.header.idRange]), value: seqKey)
            }
            try index(logged, seq: seq, customer: customer)
        }
        try fold(logged, seq: seq, customer: customer, eventID: view.id)
    }

    /// The log's indexes of one event (intake, and a rebuild of the indexes), built in the
    /// batch's key buffer (no allocation per event).
    mutating func index(_ e: LoggedEvent, seq: UInt64, customer: String) throws {
        if e.type.isGlobal {
            try txn.put(store.globals, key: seq.bigEndianBytes, value: [e.type.rawValue], flags: .append)
            return
        }
        // customer_events: customer 0x00 seq → at ‖ type
        key.removeAll(keepingCapacity: true)
        key.append(contentsOf: customer.utf8)
        key.append(0)
        withUnsafeBytes(of: seq.bigEndian) { key.append(contentsOf: $0) }
        value.removeAll(keepingCapacity: true)
        withUnsafeBytes(of: e.at.seconds.littleEndian) { value.append(contentsOf: $0) }
        withUnsafeBytes(of: e.at.nanos.littleEndian) { value.append(contentsOf: $0) }
        value.append(e.type.rawValue)
        _ = try key.withUnsafeBytes { k in try value.withUnsafeBytes { try txn.put(store.customerEvents, key: k, value: $0) } }
        // refs: 'i' | 'p' id → seq ‖ customer
        let ref: (kind: UInt8, id: UnsafeRawBufferPointer)
        switch e.body {
        case .invoiceIssued(let id, _, _, _): ref = (Store.invoiceRef, id)
        case .paymentReceived(let id, _, _, _): ref = (Store.paymentRef, id)
        case .creditNoteIssued(let id, _, _, _, _): ref = (Store.creditNoteRef, id)
        default: return
        }
        key.removeAll(keepingCapacity: true)
        key.append(ref.kind)
        key.append(contentsOf: ref.id)
        value.removeAll(keepingCapacity: true)
        withUnsafeBytes(of: seq.bigEndian) { value.append(contentsOf: $0) }
        value.append(contentsOf: customer.utf8)
        _ = try key.withUnsafeBytes { k in try value.withUnsafeBytes { try txn.put(store.refs, key: k, value: $0) } }
    }

    /// The fold and risk evaluation of one logged event (intake and replay alike).
    mutating func fold(_ e: LoggedEvent, seq: UInt64, customer: String, eventID: String) throws {
        foldedEvents += 1
        if let n = store.faultTransactionFullAfterEvents, foldedEvents > n { throw LMDBError.transactionFull("mdb_put (injected fault)") }
        if e.type.isGlobal {
            if case .policyChanged = e.body {
                try timeline.policies.append((seq, e.at, store.policy(logAt: seq, txn)))
                policyInForce = (1, 0, .default)  // stale
            }
            // An exchange rate (v1.3) changes no customer and regrades nobody.
            if e.type.regradesAll {
                try regradeAll(seq: seq, type: e.type, at: e.at, eventID: eventID, policy: policy(atSeq: seq))
            }
            return
        }
        var sink = TransactionSink(store: store, txn: txn)
        refreshPolicy(atSeq: seq)
        if let i = try slot(customer) {
            let before = held.states[i]?.heapBytesEstimate ?? 0
            try Store.fold(e, seq: seq, customer: customer, eventID: eventID, state: &held.states[i], cold: &cold,
                           policy: policyInForce.policy, sink: &sink)
            held.bytes += (held.states[i]?.heapBytesEstimate ?? 0) - before
            held.markDirty(i)
        } else {
            var fresh: CustomerState?
            try Store.fold(e, seq: seq, customer: customer, eventID: eventID, state: &fresh, cold: &cold,
                           policy: policyInForce.policy, sink: &sink)
            if let fresh { _ = held.add(customer, fresh, dirty: true) }
        }
    }

    /// Makes `policyInForce` the policy in force after log position `seq`. Events are folded
    /// in log order, so it changes only at a policy change (and the policy is not copied per
    /// event: passed from the stored property).
    mutating func refreshPolicy(atSeq seq: UInt64) {
        if seq >= policyInForce.from, seq < policyInForce.until { return }
        let i = timeline.policies.lastIndex { $0.seq <= seq }
        let from = i.map { timeline.policies[$0].seq } ?? 0
        let until = i.map { $0 + 1 < timeline.policies.count ? timeline.policies[$0 + 1].seq : UInt64.max }
            ?? (timeline.policies.first?.seq ?? UInt64.max)
        policyInForce = (from, until, i.map { timeline.policies[$0].policy } ?? .default)
    }

    mutating func policy(atSeq seq: UInt64) -> CreditPolicy {
        refreshPolicy(atSeq: seq)
        return policyInForce.policy
    }

    func record(_ o: RiskProjector.Outcome, _ customer: String) throws {
        let sink = TransactionSink(store: store, txn: txn)
        try sink.outcome(o, customer)
    }

    /// Evaluates every registered customer for a log-wide event, in customer order. States
    /// this batch does not hold are loaded one at a time, evaluated and written at once, so
    /// memory stays bounded by one state whatever the number of customers.
    mutating func regradeAll(seq: UInt64, type: EventType, at: Timestamp, eventID: String, policy: CreditPolicy) throws {
        var customers = try store.customerIDs(txn)
        let stored = Set(customers)
        customers.append(contentsOf: held.names.filter { !stored.contains($0) })
        customers.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let cause = { RiskCause(seq: seq, eventID: eventID, type: type, at: at, payment: nil) }
        for customer in customers {
            if let i = held.slot(customer), held.states[i] != nil {
                try record(Projection.regrade(&held.states[i]!, customer: customer, policy: policy, seq: seq, type: type, at: at, cause: cause), customer)
                held.markDirty(i)
            } else if var s = try store.storedState(txn, customer) {
                try record(Projection.regrade(&s, customer: customer, policy: policy, seq: seq, type: type, at: at, cause: cause), customer)
                try txn.put(store.states, key: Array(customer.utf8), value: StateCodec.encode(s))
            }
        }
    }

    /// Writes the changed states and cold records (each once, in key order) and the
    /// positions: the last step before commit. `projected` is the log position the
    /// projections now reflect (the head, except while a rebuild is catching up).
    mutating func finish(projected: UInt64? = nil) throws {
        var w = BinaryWriter(capacity: 4096)
        for i in held.dirtySlotsInKeyOrder() {
            guard let s = held.states[i] else { continue }
            w.bytes.removeAll(keepingCapacity: true)
            StateCodec.encode(s, into: &w)
            try txn.put(store.states, key: Array(held.names[i].utf8), value: w.bytes)
        }
        held.clearDirty()
        try cold.flush()
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

/// Where the store's bookkeeping of a fold goes: the records besides the state that a fold
/// of one event produces. Written by a batch; compared with what is stored by verify.
protocol ProjectionSink {
    /// An event logged after a later-dated event of its customer.
    mutating func late(_ customer: String, _ seq: UInt64, _ at: Timestamp) throws
    /// A checkpoint of the customer's state (before the event being folded).
    mutating func checkpoint(_ customer: String, _ state: CustomerState) throws
    /// A risk evaluation's grade change and alerts.
    mutating func outcome(_ o: RiskProjector.Outcome, _ customer: String) throws
}

extension Store {
    /// The fold of one customer event with the store's bookkeeping around it, written once for
    /// ingest, replay and verify: the late entry and the checkpoint (`AsOf.swift`) it calls
    /// for, then `Projection.step` (apply and evaluate), whose outcome goes to `sink`.
    static func fold(_ e: LoggedEvent, seq: UInt64, customer: String, eventID: String, state: inout CustomerState?,
                     cold: inout some ColdItems, policy: CreditPolicy, sink: inout some ProjectionSink) throws {
        // In place: a copy of the state would retain every one of its arrays.
        if state.exists {
            if e.at < state!.latestAt { try sink.late(customer, seq, e.at) }
            if Store.wantsCheckpoint(&state!, before: e.at) {
                try sink.checkpoint(customer, state!)
                state!.checkpointedAtEvent = state!.eventCount
            }
        }
        if let o = try Projection.step(e, seq: seq, customer: customer, state: &state, cold: &cold, policy: policy, cause: { payment in
            RiskCause(seq: seq, eventID: eventID, type: e.type, at: e.at, payment: payment)
        }) {
            try sink.outcome(o, customer)
        }
    }
}

/// The bookkeeping of a batch, written into its transaction.
struct TransactionSink: ProjectionSink {
    let store: Store
    let txn: WriteTransaction

    func late(_ customer: String, _ seq: UInt64, _ at: Timestamp) throws {
        var w = BinaryWriter(capacity: 12)
        w.timestamp(at)
        try txn.put(store.late, key: Store.customerEventKey(customer, seq), value: w.bytes)
    }

    func checkpoint(_ customer: String, _ state: CustomerState) throws {
        try store.putCheckpoint(txn, customer, state)
    }

    func outcome(_ o: RiskProjector.Outcome, _ customer: String) throws {
        if let c = o.change {
            try txn.put(store.grades, key: Store.gradeKey(customer, c.cause.seq), value: RiskCodec.encode(c))
        }
        for a in o.alerts {
            // Alerts come in key order: log position, then customer, then index.
            try txn.put(store.alerts, key: Store.alertKey(a), value: RiskCodec.encode(a), flags: .append)
        }
    }
}

/// Invoice and payment ids of the log (`refs`), read in a transaction.
struct StoreReferences: ReferenceLookup {
    let store: Store
    let txn: ReadTransaction

    func invoice(_ id: String) throws -> Reference? { try lookup(Store.invoiceRef, id) }
    func payment(_ id: String) throws -> Reference? { try lookup(Store.paymentRef, id) }
    func creditNote(_ id: String) throws -> Reference? { try lookup(Store.creditNoteRef, id) }

    func lookup(_ kind: UInt8, _ id: String) throws -> Reference? {
        try txn.withValue(store.refs, key: Store.refKey(kind, id.utf8)) { v in
            guard v.count > 8, let seq = UInt64(bigEndianBytes: UnsafeRawBufferPointer(rebasing: v[0..<8])), seq > 0 else {
                let what = kind == Store.invoiceRef ? "invoice" : kind == Store.paymentRef ? "payment" : "credit note"
                throw Store.corrupt(store.refs, "\(what) \(id)", StoredDataError("not a log position and customer"))
            }
            return Reference(seq: seq, customer: String(decoding: UnsafeRawBufferPointer(rebasing: v[8...]), as: UTF8.self))
        }
    }
}

/// The cold records (`items`, `profiles`) inside one transaction: reads go to the store
/// through this batch's writes; writes are kept and flushed once each, in key order, by
/// `flush` (new items, whose keys are the largest, with MDB_APPEND).
struct StoreCold: ColdItems {
    let store: Store
    let txn: ReadTransaction
    var invoices: [UInt64: InvoiceState] = [:]
    var payments: [UInt64: PaymentState] = [:]
    var profiles: [String: ProfileText] = [:]

    init(store: Store, txn: ReadTransaction) {
        self.store = store
        self.txn = txn
    }

    static let invoiceKind = UInt8(ascii: "i")
    static let paymentKind = UInt8(ascii: "p")

    /// Set for a replay from a checkpoint (an as-of state): an invoice record read from the
    /// store then reflects the whole log, not the replay's position, so reading one throws
    /// `LaterRecord` and the caller replays the customer from its first event instead (rare:
    /// only reversals and adjustments of invoices settled before the checkpoint need one).
    var refuseStoredInvoices = false

    struct LaterRecord: Error {}

    mutating func invoice(_ seq: UInt64) throws -> InvoiceState? {
        if let i = invoices[seq] { return i }
        if refuseStoredInvoices { throw LaterRecord() }
        return try txn.withValue(store.items, key: seq.bigEndianBytes) { v in
            try Store.decoding(store.items, "log position \(seq)", v) { v throws in
                guard v.first == StoreCold.invoiceKind else { throw StoredDataError("not an invoice record") }
                return try StateCodec.decodeInvoice(UnsafeRawBufferPointer(rebasing: v[1...]))
            }
        }
    }

    mutating func payment(_ seq: UInt64) throws -> PaymentState? {
        if let p = payments[seq] { return p }
        return try txn.withValue(store.items, key: seq.bigEndianBytes) { v in
            try Store.decoding(store.items, "log position \(seq)", v) { v throws in
                guard v.first == StoreCold.paymentKind else { throw StoredDataError("not a payment record") }
                return try StateCodec.decodePayment(UnsafeRawBufferPointer(rebasing: v[1...]))
            }
        }.map { p throws in
            // A credit source that credit.applied or credit.refunded changed (v1.2) is, in the
            // store, as after every later event: a replay from a checkpoint cannot use it.
            if refuseStoredInvoices, !p.refunds.isEmpty || p.allocations.contains(where: { $0.appliedSeq != 0 }) { throw LaterRecord() }
            return p
        }
    }

    mutating func put(_ invoice: InvoiceState) { invoices[invoice.seq] = invoice }
    mutating func put(_ payment: PaymentState) { payments[payment.seq] = payment }

    mutating func profile(_ customer: String) throws -> ProfileText? {
        if let p = profiles[customer] { return p }
        return try store.storedProfile(txn, customer)
    }

    mutating func put(_ profile: ProfileText, of customer: String) { profiles[customer] = profile }

    /// Writes what was put, in key order, and forgets it.
    mutating func flush() throws {
        guard let txn = txn as? WriteTransaction else { return }
        var w = BinaryWriter(capacity: 256)
        if !invoices.isEmpty || !payments.isEmpty {
            let last = try txn.lastKey(store.items).flatMap { UInt64(bigEndianBytes: $0) } ?? 0
            var keys = Array(invoices.keys)
            keys.append(contentsOf: payments.keys)
            keys.sort()
            for seq in keys {
                w.bytes.removeAll(keepingCapacity: true)
                if let i = invoices.index(forKey: seq) {
                    w.u8(StoreCold.invoiceKind)
                    StateCodec.encode(invoices.values[i], into: &w)
                } else if let p = payments.index(forKey: seq) {
                    w.u8(StoreCold.paymentKind)
                    StateCodec.encode(payments.values[p], into: &w)
                } else {
                    continue
                }
                _ = try withUnsafeBytes(of: seq.bigEndian) { key in
                    try w.bytes.withUnsafeBytes { try txn.put(store.items, key: key, value: $0, flags: seq > last ? .append : []) }
                }
            }
            invoices.removeAll(keepingCapacity: true)
            payments.removeAll(keepingCapacity: true)
        }
        for customer in profiles.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            guard let p = profiles[customer] else { continue }
            try txn.put(store.profiles, key: Array(customer.utf8), value: StateCodec.encode(p))
        }
        profiles.removeAll(keepingCapacity: true)
    }
}

/// The customer states a batch holds, in a flat array indexed by customer id.
struct HeldStates {
    var states: [CustomerState?] = []
    var names: [String] = []
    var index: [String: Int] = [:]
    var dirty: [Bool] = []
    var dirtyCount = 0
    /// The sum of the held states' `heapBytesEstimate`: what bounds a transaction's memory.
    var bytes = 0

    func slot(_ customer: String) -> Int? { index[customer] }

    mutating func add(_ customer: String, _ state: CustomerState?, dirty isDirty: Bool = false) -> Int {
        let i = states.count
        bytes += state?.heapBytesEstimate ?? 0
        states.append(state)
        names.append(customer)
        dirty.append(isDirty)
        if isDirty { dirtyCount += 1 }
        index[customer] = i
        return i
    }

    mutating func markDirty(_ i: Int) {
        if !dirty[i] {
            dirty[i] = true
            dirtyCount += 1
        }
    }

    /// The dirty slots, in customer byte order (the order their records are written).
    func dirtySlotsInKeyOrder() -> [Int] {
        var slots = dirty.indices.filter { dirty[$0] }
        slots.sort { names[$0].utf8.lexicographicallyPrecedes(names[$1].utf8) }
        return slots
    }

    mutating func clearDirty() {
        for i in dirty.indices { dirty[i] = false }
        dirtyCount = 0
    }

    var count: Int { states.count }
    var itemCount: Int { states.reduce(0) { $0 + ($1?.itemCount ?? 0) } }

    /// Drops the states this transaction has not changed (kept from an earlier batch, or
    /// loaded and then not folded into): they are on disk as they are. Slots change, so only
    /// between events.
    mutating func evictClean() {
        var kept = HeldStates()
        for i in states.indices where dirty[i] {
            _ = kept.add(names[i], states[i], dirty: true)
        }
        self = kept
    }
}

/// Decoded states as of this process's last commit, so that a customer seen in the previous
/// batch is not loaded again.
///
/// Valid only if nothing was committed since: the entries are tagged with the LMDB
/// transaction id of the commit they reflect, and a write transaction may use them only when
/// its own id is the next one (no other process or thread wrote in between: not an ingest, a
/// rebuild's batch, a catch-up, nor anything else). Anything else empties the cache. Reading
/// the committed state is what validates it, not the log head: another process can rewrite
/// projections (rebuild) without moving the head.
struct StateCache {
    var held = HeldStates()
    /// The id of the write transaction whose commit these entries reflect (nil: none).
    var committedTransactionID: Int?

    var entries: [String: CustomerState] {
        var out: [String: CustomerState] = [:]
        for (i, name) in held.names.enumerated() { out[name] = held.states[i] }
        return out
    }

    /// Takes the states for the write transaction `transactionID` (moved, so the batch
    /// mutates them in place); they come back with `restore` only if that transaction commits.
    mutating func take(transactionID: Int) -> HeldStates {
        defer {
            held = HeldStates()
            committedTransactionID = nil
        }
        guard let committed = committedTransactionID, transactionID == committed + 1 else { return HeldStates() }
        return held
    }

    /// Keeps the states of the committed write transaction `transactionID`.
    mutating func restore(_ states: HeldStates, transactionID: Int) {
        if states.count > Store.stateCacheEntriesMax || states.bytes > Store.transactionStateBytesMax {
            held = HeldStates()
        } else {
            held = states
        }
        committedTransactionID = transactionID
    }
}

extension Store {
    static let invoiceRef = UInt8(ascii: "i")
    /// Credit note ids (feed v1.2): their own namespace, as invoice and payment ids have.
    static let creditNoteRef = UInt8(ascii: "c")
    static let paymentRef = UInt8(ascii: "p")

    static func refKey(_ kind: UInt8, _ id: some Collection<UInt8>) -> [UInt8] {
        var key = [kind]
        key.append(contentsOf: id)
        return key
    }

    static func refValue(_ seq: UInt64, _ customer: String) -> [UInt8] {
        var v = seq.bigEndianBytes
        v.append(contentsOf: customer.utf8)
        return v
    }

    static func gradeKey(_ customer: String, _ seq: UInt64) -> [UInt8] { customerEventKey(customer, seq) }

    /// seq (u64 BE) ‖ customer ‖ 0x00 ‖ index: log order, then customer, then the evaluation's
    /// order. What alert cursors store.
    static func alertKey(_ a: Alert) -> [UInt8] {
        var key = a.cause.seq.bigEndianBytes
        key.append(contentsOf: a.customer.utf8)
        key.append(0)
        key.append(UInt8(truncatingIfNeeded: a.index))
        return key
    }

    func storedProfile(_ txn: ReadTransaction, _ customer: String) throws -> ProfileText? {
        try txn.withValue(profiles, key: Array(customer.utf8)) { v in
            try Store.decoding(profiles, "customer \(customer)", v, StateCodec.decodeProfile)
        }
    }

    /// Every registered customer id, in byte order.
    func customerIDs(_ txn: ReadTransaction) throws -> [String] {
        var ids: [String] = []
        try txn.scan(states, from: nil) { key, _ in
            ids.append(String(decoding: key, as: UTF8.self))
            return true
        }
        return ids
    }
}
