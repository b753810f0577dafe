import ArlogDomain
import ArlogStorage

/// As-of and known-at states without replaying everything.
///
/// The state of a customer "as of T" is the fold, in log order, of its events with `at` ≤ T
/// (the contract); "known at S" keeps only log positions ≤ S. Two facts make that cheap:
///
/// - **Checkpoints.** Every so many events the store keeps the customer's state after a prefix
///   of its events (`checkpoints`, keyed by the state's latest `at`, then its log position).
///   Every event of that prefix has `at` ≤ the state's latest `at`, so for any T at or after
///   it the checkpoint holds exactly the prefix's part of the as-of fold, and the fold goes on
///   from there with the later events whose `at` ≤ T. Exact, whatever order the events came in.
/// - **Late entries.** An event logged after a later-dated event of its customer is late
///   (`late`, written when it is folded). Every other event is dated no earlier than all the
///   customer's events before it, so the walk forward from the checkpoint stops at the first
///   event that is not late and is dated after T: every later one that is not late is too.
///   The late ones after it are looked up in `late` (usually none).
///
/// So an as-of answer costs a checkpoint lookup, the events of one checkpoint interval at most,
/// and the late entries: not the customer's history. `wantsCheckpoint` sets the
/// interval. One case folds from the customer's first event instead: when an invoice settled
/// before the checkpoint comes back (a reversal, an adjustment), since its stored record holds
/// its figures after every later event, not as of T (`StoreCold.refuseStoredInvoices`).
extension Store {
    /// Fewest events between two checkpoints of a customer: the most an as-of answer replays
    /// for a customer with a small state. (Each checkpoint costs one stored state.)
    static let checkpointEventsMin = 32
    /// Stored checkpoint bytes allowed per event folded: a customer with a large state (many
    /// open installments, a long payment record) is checkpointed less often, so checkpoints
    /// cost at most about this much per event whatever the customer's size.
    static let checkpointBytesPerEvent = 64

    /// Fewest events since the last checkpoint for a month-end checkpoint: the state before a
    /// customer's first event of a later month is its state at the end of the previous one
    /// (month-end reports, the common as-of question, then fold no event at all, and any
    /// other day folds about a month of events at most). The bound keeps a customer with a
    /// few events a month from being checkpointed at every one.
    static let checkpointMonthEventsMin = 4
    /// Stored bytes allowed per event for month-end checkpoints: a customer whose state is
    /// large (thousands of open invoices) gets one only every so many events, so that their
    /// cost stays linear in its events (bench-scaling: one customer with 40,000 invoices
    /// stored 86 MB of month-end checkpoints for a 5 MB state before this bound).
    static let checkpointMonthBytesPerEvent = 512

    /// Whether the store keeps a checkpoint of `s` before folding an event dated `at` (the
    /// same rule in every fold, so every fold of a log keeps the same checkpoints): every
    /// `checkpointEventsMin` events or more (`checkpointBytesPerEvent`), and at a month's end
    /// (the event opens a later month than every event folded so far) after
    /// `checkpointMonthEventsMin` events or more (`checkpointMonthBytesPerEvent`).
    static func wantsCheckpoint(_ s: inout CustomerState, before at: Timestamp) -> Bool {
        let since = s.eventCount - s.checkpointedAtEvent
        let bytes = approximateBytes(&s)
        if since >= max(checkpointEventsMin, bytes / checkpointBytesPerEvent) { return true }
        guard since >= max(checkpointMonthEventsMin, bytes / checkpointMonthBytesPerEvent), at > s.latestAt else { return false }
        let (y0, m0, _) = s.latestAt.utcDay.civil
        let (y1, m1, _) = at.utcDay.civil
        return (y1, m1) > (y0, m0)
    }

    /// About the bytes of the state's stored form. inout, not by value: a copy of the state
    /// would retain every one of its arrays.
    static func approximateBytes(_ s: inout CustomerState) -> Int {
        300 + 40 * s.slots.count + 40 * s.payments.count + s.ids.count
    }

    /// customer 0x00 latestAt (seconds with the sign bit flipped, nanos; big-endian, so keys
    /// sort by time) 0x00 lastSeq.
    static func checkpointKey(_ customer: String, _ latestAt: Timestamp, _ seq: UInt64) -> [UInt8] {
        var key = customerPrefix(customer)
        key.append(contentsOf: (UInt64(bitPattern: latestAt.seconds) ^ (1 << 63)).bigEndianBytes)
        let n = UInt32(truncatingIfNeeded: latestAt.nanos)
        key.append(contentsOf: [UInt8(truncatingIfNeeded: n >> 24), UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n)])
        key.append(0)
        key.append(contentsOf: seq.bigEndianBytes)
        return key
    }

    func putCheckpoint(_ txn: WriteTransaction, _ customer: String, _ s: CustomerState) throws {
        try txn.put(checkpoints, key: Store.checkpointKey(customer, s.latestAt, s.lastSeq), value: StateCodec.encode(s))
    }

    /// The customer's state as of `asOf` (nil: every event) known through `through` (nil: the
    /// whole log); nil when the customer had no event then (not registered yet).
    func state(_ txn: ReadTransaction, _ customer: String, asOf: Timestamp?, through: UInt64?) throws -> CustomerState? {
        guard let head = try storedState(txn, customer) else { return nil }
        return try state(txn, customer, asOf: asOf, through: through, head: head)
    }

    /// The same, from the customer's stored state `head` already read.
    func state(_ txn: ReadTransaction, _ customer: String, asOf: Timestamp?, through: UInt64?, head: CustomerState) throws -> CustomerState? {
        if through == nil, asOf.map({ head.latestAt <= $0 }) ?? true { return head }
        var cold = StoreCold(store: self, txn: txn)
        return try stateFromCheckpoint(txn, customer, asOf: asOf, through: through, limit: asOf ?? head.latestAt, cold: &cold)
    }

    /// What one thread of a scan of every customer keeps from one customer to the next: the
    /// cold records of a replay (reset per customer, allocated once) and which way of telling
    /// whether a stored state is the answer has paid lately (`scannedState`).
    struct ScanScratch {
        var cold: StoreCold
        /// Positive while recent customers' stored states were their as-of answer (then the
        /// state is decoded first, as it will most likely be the answer), else not.
        var storedLately = 0
        /// Bound of `storedLately`: how many customers of the other kind in a row switch the
        /// way (a few, so a scan follows a change in the customers it meets, and an odd one
        /// out does not switch it).
        static let storedLatelyCustomersMax = 4

        init(_ store: Store, _ txn: ReadTransaction) {
            cold = StoreCold(store: store, txn: txn)
        }

        mutating func note(stored: Bool) {
            storedLately = stored ? min(storedLately + 1, Self.storedLatelyCustomersMax) : max(storedLately - 1, -Self.storedLatelyCustomersMax)
        }
    }

    /// The customer's state as of `asOf` known through `through`, for a scan of every customer
    /// (`forEachState`): `head` is its stored state's bytes. Two ways to tell whether they are
    /// the answer (every event dated at or before T), both exact: decode them and compare their
    /// latest `at` (the cost wasted when the answer comes from a checkpoint: two state decodes
    /// for one customer), or ask the indexes (`storedStateCovers`: a lookup, wasted when the
    /// stored state is the answer, whose index pages a query that folds nothing would not
    /// otherwise touch). A date after most customers' last event (today's aging) favours the
    /// first, any earlier date the second; `scratch` keeps which one paid for the last few
    /// customers. The answer is the same either way.
    func scannedState(_ txn: ReadTransaction, _ customer: String, asOf: Timestamp?, through: UInt64?,
                      head: UnsafeRawBufferPointer, scratch: inout ScanScratch) throws -> CustomerState? {
        func decodedHead() throws -> CustomerState {
            try Store.decoding(states, "customer \(customer)", head, StateCodec.decodeState)
        }
        guard let asOf else { return try state(txn, customer, asOf: nil, through: through, head: decodedHead()) }
        if through == nil {
            if scratch.storedLately > 0 {
                let stored = try decodedHead()
                scratch.note(stored: stored.latestAt <= asOf)
                if stored.latestAt <= asOf { return stored }
            } else {
                switch try storedStateCovers(txn, customer, asOf) {
                case true?:
                    scratch.note(stored: true)
                    return try decodedHead()
                case false?:
                    scratch.note(stored: false)
                case nil:
                    return try state(txn, customer, asOf: asOf, through: nil, head: decodedHead())
                }
            }
        }
        scratch.cold.invoices.removeAll(keepingCapacity: true)
        scratch.cold.payments.removeAll(keepingCapacity: true)
        scratch.cold.profiles.removeAll(keepingCapacity: true)
        return try stateFromCheckpoint(txn, customer, asOf: asOf, through: through, limit: asOf, cold: &scratch.cold)
    }

    /// Whether the customer's stored state is its state as of `asOf` (its latest `at` is at or
    /// before it), told from the indexes: the customer's last event in log order, when it is not
    /// late, is dated no earlier than every event before it, so the state's latest `at` is its
    /// `at` (or earlier, when that event changed nothing). Nil when the indexes cannot tell: that
    /// event is late (or there is none), so the stored state must be decoded to know.
    func storedStateCovers(_ txn: ReadTransaction, _ customer: String, _ asOf: Timestamp) throws -> Bool? {
        var last: (seq: UInt64, at: Timestamp)?
        let prefix = Store.customerPrefix(customer)
        try txn.scanBackward(customerEvents, prefix: prefix, through: Store.customerEventKey(customer, UInt64.max)) { key, value in
            let (seq, at, _) = try customerEvent(key, value, prefix: prefix, customer)
            last = (seq, at)
            return false
        }
        guard let last else { return nil }
        if last.at > asOf { return false }
        return try txn.contains(late, key: Store.customerEventKey(customer, last.seq)) ? nil : true
    }

    /// The fold from the last checkpoint dated at or before `limit` (the as-of time, or the
    /// stored state's latest `at` when there is none) whose position is within `through`;
    /// from the customer's first event when an invoice settled before it comes back.
    func stateFromCheckpoint(_ txn: ReadTransaction, _ customer: String, asOf: Timestamp?, through: UInt64?,
                             limit: Timestamp, cold: inout StoreCold) throws -> CustomerState? {
        do {
            return try foldFromCheckpoint(txn, customer, asOf: asOf, through: through, limit: limit, cold: &cold)
        } catch is StoreCold.LaterRecord {
            // An invoice settled before the checkpoint came back: its stored record reflects
            // later events, so fold the customer from its first event (exact, rarely needed).
            return try ledger(txn, customer, asOf: asOf, through: through)?.state
        }
    }

    func foldFromCheckpoint(_ txn: ReadTransaction, _ customer: String, asOf: Timestamp?, through: UInt64?,
                            limit: Timestamp, cold: inout StoreCold) throws -> CustomerState? {
        // The last checkpoint dated at or before T whose position is within `through`.
        var start: (state: CustomerState, seq: UInt64)?
        let limitKey = Store.checkpointKey(customer, limit, UInt64.max)
        try txn.scanBackward(checkpoints, prefix: Store.customerPrefix(customer), through: limitKey) { key, value in
            guard let seq = key.lastUInt64 else {
                throw Store.corrupt(checkpoints, "customer \(customer)", StoredDataError("malformed checkpoint key"))
            }
            if let through, seq > through { return true }
            let s = try Store.decoding(checkpoints, "customer \(customer), log position \(seq)", value, StateCodec.decodeState)
            start = (s, seq)
            return false
        }
        var state = start?.state
        cold.refuseStoredInvoices = start != nil
        var stoppedAt: UInt64?
        try forEachEvent(txn, of: customer, after: start?.seq ?? 0, through: through) { seq, at, _ in
            if let asOf, at > asOf {
                if try !txn.contains(late, key: Store.customerEventKey(customer, seq)) {
                    stoppedAt = seq
                    return false
                }
                return true
            }
            try fold(txn, seq, customer, &state, &cold)
            return true
        }
        if let stoppedAt, let asOf {
            // Late entries after the stop that are dated within T.
            try txn.scan(late, from: Store.customerEventKey(customer, stoppedAt + 1)) { key, value in
                guard key.starts(with: Store.customerPrefix(customer)) else { return false }
                guard let seq = key.lastUInt64 else {
                    throw Store.corrupt(late, "customer \(customer)", StoredDataError("malformed key"))
                }
                if let through, seq > through { return false }
                var r = BinaryReader(value)
                let at = try Store.decoding(late, "customer \(customer), log position \(seq)", value) { _ in try r.timestamp() }
                if at <= asOf { try fold(txn, seq, customer, &state, &cold) }
                return true
            }
        }
        return state
    }

    /// Folds the log entry at `seq` (a customer's event) into `state`.
    func fold(_ txn: ReadTransaction, _ seq: UInt64, _ customer: String, _ state: inout CustomerState?, _ cold: inout some ColdItems) throws {
        try withRecord(txn, seq, of: customer) { view in
            let e: LoggedEvent
            do {
                e = try view.logged()
            } catch {
                throw Store.corrupt(log, seq: seq, error)
            }
            try FoldStep.apply(e, seq: seq, customer: customer, to: &state, cold: &cold)
        }
    }

    /// Calls `body` with the log record at `seq`, read in place. With `customer` (a position
    /// found in that customer's index), an entry of another customer is `.corrupt`.
    func withRecord<T>(_ txn: ReadTransaction, _ seq: UInt64, of customer: String? = nil, _ body: (EventRecord.View) throws -> T) throws -> T {
        let result = try seq.withBigEndianBytes { key in try txn.withValue(log, key: key) { bytes in
            let view = try Store.decoding(log, "log position \(seq)", bytes) { try EventRecord.View($0) }
            if let customer, !UnsafeRawBufferPointer(rebasing: view.bytes[view.header.customerRange]).elementsEqual(customer.utf8) {
                throw Store.corrupt(customerEvents, key: "customer \(customer), log position \(seq)", "names a log entry of customer \(view.customer)")
            }
            return try body(view)
        } }
        guard let result else { throw Store.corrupt(log, seq: seq, StoredDataError("an index names it, but the log has no such entry")) }
        return result
    }

    /// Calls `body(seq, at, type)` for the customer's events after log position `after`, in log
    /// order, up to `through` (nil: all), until it returns false. Reads only the customer index.
    func forEachEvent(_ txn: ReadTransaction, of customer: String, after: UInt64 = 0, through: UInt64? = nil,
                      _ body: (UInt64, Timestamp, EventType) throws -> Bool) throws {
        let prefix = Store.customerPrefix(customer)
        try txn.scan(customerEvents, from: Store.customerEventKey(customer, after + 1)) { key, value in
            guard key.starts(with: prefix) else { return false }
            let (seq, at, type) = try customerEvent(key, value, prefix: prefix, customer)
            if let through, seq > through { return false }
            return try body(seq, at, type)
        }
    }

    /// An entry of the customer index (`key` starts with `prefix`, the customer's): its log
    /// position, `at` and type.
    func customerEvent(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, prefix: [UInt8],
                       _ customer: String) throws -> (seq: UInt64, at: Timestamp, type: EventType) {
        guard key.count == prefix.count + 8, let seq = key.lastUInt64 else {
            throw Store.corrupt(customerEvents, "customer \(customer)", StoredDataError("malformed key"))
        }
        let (at, type) = try Store.decoding(customerEvents, "customer \(customer), log position \(seq)", value) { v throws in
            var r = BinaryReader(v)
            let at = try r.timestamp()
            let t = try r.u8()
            try r.end()
            guard let type = EventType(rawValue: t) else { throw StoredDataError("unknown event type \(t)") }
            return (at, type)
        }
        return (seq, at, type)
    }

    /// The customer's whole ledger (state and every item) as of `asOf`, known through
    /// `through`, by folding its events from the first (exact, including every item's figures):
    /// for the queries that show items.
    func ledger(_ txn: ReadTransaction, _ customer: String, asOf: Timestamp?, through: UInt64?) throws -> CustomerLedger? {
        var state: CustomerState?
        var cold = MemoryCold()
        try forEachEvent(txn, of: customer, through: through) { seq, at, _ in
            if let asOf, at > asOf { return true }
            try fold(txn, seq, customer, &state, &cold)
            return true
        }
        guard let state else { return nil }
        if cold.profiles[customer] == nil, let p = try storedProfile(txn, customer) { cold.profiles[customer] = p }
        return Replay.view(customer: customer, state: state, cold: cold)
    }
}

extension UnsafeRawBufferPointer {
    /// The last 8 bytes read as a big-endian integer (the log position that ends the keys of
    /// `customer_events`, `checkpoints` and `late`); nil when there are fewer. In place: the
    /// generic `UInt64(bigEndianBytes:)` of ArlogStorage is not specialized across modules and
    /// cost several hundred instructions per key of a scan.
    var lastUInt64: UInt64? {
        guard count >= 8 else { return nil }
        return UInt64(bigEndian: loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
    }
}
