import ArlogDomain
import ArlogStorage

/// `verify` and the shared half of `audit verify`: everything a query (or the next ingest)
/// reads, compared with what the log implies (docs/architecture.md, "Verification").
///
/// - the log: keys 1…head without a gap, readable headers, binary forms that agree with their
///   headers, recording times never going backwards;
/// - the log's indexes, value by value: `ids`, `customer_events` (`at` and type), `refs`
///   (position and customer), `globals` (type), with counts for extras;
/// - meta: the format, the head, the projected position, the last recording time, the chain
///   head's form and position, alert cursors (each naming an existing alert), no unknown key;
/// - per customer, the projections against a replay (`checkProjections`), on a second thread
///   while this one walks the log (`replayAlongside`, AuditVerify.swift).
///
/// Damage is reported as a problem and the walk goes on; only a failing LMDB call throws.
extension Store {
    /// Replays every customer from the log in memory and compares every record of the
    /// projections with the replay, after the log, its indexes and meta (see above). Changes
    /// nothing.
    public func verify() throws -> VerifyReport {
        var report = VerifyReport()
        try env.read { txn in
            // The walk of the log (its checks) here, the replay of every customer on the second core.
            var facts = LogFacts()
            var meta = MetaFacts()
            let replayed = try replayAlongside(txn, rederive: false, when: !projectionsBehind(txn)) {
                facts = try checkLog(txn) { message, _ in report.problem(message) }
                meta = try checkMeta(txn, log: facts) { message, _ in report.problem(message) }
            }
            report.events = meta.head
            if meta.projected != meta.head {
                // Projections behind are incomplete, not wrong: one problem, nothing compared.
                report.problem("projections reflect sequence \(meta.projected) but the log head is \(meta.head) (a rebuild is running or was interrupted: run arlog rebuild); projections not compared")
                return
            }
            for p in replayed.problems { report.problem(p.message) }
            report.problemsNotListed += replayed.notListed
            report.customers = replayed.customers
        }
        return report
    }

    /// What a walk of the log found.
    struct LogFacts {
        /// The last log position of the run 1, 2, … without a gap (0: none).
        var last: UInt64 = 0
        var entries = 0
        /// The latest recording time of the log's entries (µs; 0 when none).
        var lastRecordedAtMicros: Int64 = 0
    }

    /// Walks the log once, in key order: keys 1…n without a gap, readable headers, binary forms
    /// that agree with their headers, recording times never going backwards; and every index
    /// value the entry implies (its id, its customer's index entry with `at` and type, its
    /// invoice or payment reference, the globals entry of a log-wide event), with counts of
    /// each index for extras. `problem` gets a message and the log position concerned.
    /// `entry` sees each entry whose header is readable (nil view: unreadable), in order, before
    /// its checks: `audit verify` recomputes the chain there.
    func checkLog(_ txn: ReadTransaction, _ problem: (String, UInt64?) throws -> Void,
                  entry: (UInt64, EventRecord.View?) throws -> Void = { _, _ in }) throws -> LogFacts {
        var facts = LogFacts()
        var expected: UInt64 = 1
        var gap = false
        var counts = (customer: 0, refs: 0, globals: 0)
        try txn.scan(log, from: nil) { key, value in
            facts.entries += 1
            let seq: UInt64
            do {
                seq = try Store.seqKey(log, key)
            } catch let e as EngineError {
                try problem(e.message, expected)
                return true
            }
            if seq != expected, !gap {
                try problem("log: sequence \(expected) is missing (next entry is \(seq))", expected)
                gap = true
            }
            if !gap { facts.last = seq }
            expected = seq < Store.seqMax ? seq + 1 : seq
            let view: EventRecord.View
            do {
                view = try EventRecord.View(value)
            } catch {
                try entry(seq, nil)
                try problem("log entry \(seq) is unreadable: \(error)", seq)
                return true
            }
            try entry(seq, view)
            let h = view.header
            if h.recordedAtMicros < facts.lastRecordedAtMicros {
                try problem("log entry \(seq) was recorded before the entry preceding it (recording times go backwards)", seq)
            }
            facts.lastRecordedAtMicros = max(facts.lastRecordedAtMicros, h.recordedAtMicros)
            let logged: LoggedEvent
            do {
                logged = try view.logged()
            } catch {
                try problem("log entry \(seq): \(error)", seq)
                return true
            }
            // Its indexes. Keys and values are compared in place: no copy per event.
            let id = UnsafeRawBufferPointer(rebasing: view.bytes[h.idRange])
            if try !(txn.withValue(ids, key: id) { $0.elementsEqual(key) } ?? false) {
                try problem(Store.corrupt(ids, id, "missing, or not log position \(seq) (the entry of this id)").message, seq)
            }
            if h.type.isGlobal {
                counts.globals += 1
                if try !(txn.withValue(globals, key: key) { $0.count == 1 && $0[0] == h.type.rawValue } ?? false) {
                    try problem(Store.corrupt(globals, key: "log position \(seq)", "missing, or not the type of the log-wide event there (\(h.type.name))").message, seq)
                }
                return true
            }
            counts.customer += 1
            let customer = view.customer
            var at = BinaryWriter(capacity: 13)
            at.timestamp(h.at)
            at.u8(h.type.rawValue)
            if try txn.get(customerEvents, key: Store.customerEventKey(customer, seq)) != at.bytes {
                try problem(Store.corrupt(customerEvents, key: "customer \(customer), log position \(seq)", "missing, or not the `at` and type of the entry").message, seq)
            }
            var ref: [UInt8]?
            switch logged.body {
            case .invoiceIssued(let invoice, _, _, _): ref = Store.refKey(Store.invoiceRef, invoice)
            case .paymentReceived(let payment, _, _, _): ref = Store.refKey(Store.paymentRef, payment)
            case .creditNoteIssued(let note, _, _, _, _): ref = Store.refKey(Store.creditNoteRef, note)
            default: break
            }
            if let ref {
                counts.refs += 1
                if try txn.get(refs, key: ref) != Store.refValue(seq, customer) {
                    try problem(Store.corrupt(refs, ref, "missing, or not log position \(seq) of customer \(customer) (the invoice or payment created there)").message, seq)
                }
            }
            return true
        }
        // Nothing extra: counts equal, and each entry's index values were matched above.
        for (db, n, what) in [(ids, facts.entries, "events"), (customerEvents, counts.customer, "customer events"),
                              (globals, counts.globals, "log-wide events"), (refs, counts.refs, "invoices and payments")] {
            let stored = try txn.count(db)
            if stored != n { try problem("\(db.name) index holds \(stored) entries for \(n) \(what)", nil) }
        }
        return facts
    }

    struct MetaFacts {
        var head: UInt64 = 0
        var projected: UInt64 = 0
    }

    /// The meta records against the log: format, head, projected position, last recording
    /// time, the chain head's form and position, alert cursors, no unknown key. `problem`
    /// gets a message and the log position concerned, when there is one.
    func checkMeta(_ txn: ReadTransaction, log facts: LogFacts, _ problem: (String, UInt64?) throws -> Void) throws -> MetaFacts {
        var m = MetaFacts()
        func read(_ key: [UInt8]) throws -> UInt64? {
            do {
                return try Store.u64(txn, meta, key)
            } catch let e as EngineError {
                try problem(e.message, nil)
                return nil
            }
        }
        if try txn.get(meta, key: MetaKey.format).flatMap({ UInt64(bigEndianBytes: $0) }) != Store.formatVersion {
            try problem(Store.corrupt(meta, MetaKey.format, "not format \(Store.formatVersion)").message, nil)
        }
        m.head = try read(MetaKey.head) ?? 0
        m.projected = try read(MetaKey.projected) ?? 0
        if facts.entries != Int(clamping: m.head) || facts.last != m.head {
            try problem("log holds \(facts.entries) entries (1…\(facts.last) without a gap) but its head is \(m.head)", min(facts.last, m.head) + 1)
        }
        if let recorded = try read(MetaKey.recordedAt), Int64(bitPattern: recorded) < facts.lastRecordedAtMicros {
            try problem("meta: the last recording time \(Int64(bitPattern: recorded)) µs is before the log's last (\(facts.lastRecordedAtMicros) µs): the next ingest would record times going backwards", nil)
        }
        do {
            let chainHead = try Store.chainHead(txn, meta)
            if chainHead.seq != m.head { try problem("meta: the chain head is at sequence \(chainHead.seq), the log head at \(m.head)", nil) }
        } catch let e as EngineError {
            try problem(e.message, nil)
        }
        let known = [MetaKey.format, MetaKey.head, MetaKey.projected, MetaKey.recordedAt, MetaKey.chainHead]
        let cursorPrefix = Array("alerts.cursor.".utf8)
        try txn.scan(meta, from: nil) { key, value in
            if known.contains(where: { $0.elementsEqual(key) }) { return true }
            guard key.starts(with: cursorPrefix) else {
                try problem("meta: unknown key \(StoreKey.text(key))", nil)
                return true
            }
            let name = String(decoding: key[cursorPrefix.count...], as: UTF8.self)
            guard EventDecoder.isIdentifier(name, max: CreditLimits.cursorNameCharsMax) else {
                try problem("meta: \(StoreKey.text(key)) is not a cursor name", nil)
                return true
            }
            do {
                let cursor = try Store.cursorValue(Array(value), name: name)
                if try !txn.contains(alerts, key: cursor) {
                    try problem("meta: cursor \(name) names alert \(StoreKey.text(cursor)), which does not exist", nil)
                }
            } catch let e as EngineError {
                try problem(e.message, nil)
            }
            return true
        }
        return m
    }

    /// A log-wide event, as every customer's replay meets it.
    struct GlobalEvent {
        let seq: UInt64
        let id: String
        let type: EventType
        let at: Timestamp
    }

    /// The log-wide events that regrade every customer, in log order (from the globals index
    /// and the log's headers): exchange rates (v1.3) regrade nobody and are left out.
    func globalEvents(_ txn: ReadTransaction) throws -> [GlobalEvent] {
        var out: [GlobalEvent] = []
        try txn.scan(globals, from: nil) { key, _ in
            guard let seq = UInt64(bigEndianBytes: key) else { throw Store.corrupt(globals, "a key of \(key.count) bytes", StoredDataError("not a log position")) }
            let g = try withRecord(txn, seq) { GlobalEvent(seq: seq, id: $0.id, type: $0.header.type, at: $0.header.at) }
            if g.type.regradesAll { out.append(g) }
            return true
        }
        return out
    }

    /// What one customer's replay expects to find stored besides its state.
    struct ExpectedRecords: ProjectionSink {
        var late: [[UInt8]: [UInt8]] = [:]
        var checkpoints: [[UInt8]: [UInt8]] = [:]
        var grades: [[UInt8]: [UInt8]] = [:]
        var alerts: [[UInt8]: [UInt8]] = [:]

        mutating func late(_ customer: String, _ seq: UInt64, _ at: Timestamp) {
            var w = BinaryWriter(capacity: 12)
            w.timestamp(at)
            late[Store.customerEventKey(customer, seq)] = w.bytes
        }

        mutating func checkpoint(_ customer: String, _ state: CustomerState) {
            checkpoints[Store.checkpointKey(customer, state.latestAt, state.lastSeq)] = StateCodec.encode(state)
        }

        mutating func outcome(_ o: RiskProjector.Outcome, _ customer: String) {
            if let c = o.change { grades[Store.gradeKey(customer, c.cause.seq)] = RiskCodec.encode(c) }
            for a in o.alerts { alerts[Store.alertKey(a)] = RiskCodec.encode(a) }
        }
    }

    /// Replays every customer in the log (its events, and the log-wide events after its
    /// registration, in log order: one customer at a time) and calls `mismatch(customer,
    /// message)` for every stored record that differs from the replay, is missing, is extra or
    /// does not decode: states, cold records, profiles, checkpoints, late entries, grade
    /// changes, alerts. Returns how many customers were checked. Shared by verify and audit
    /// verify; one pass per customer.
    /// With `rederive` (audit verify), every event's binary form is also derived again from its
    /// bytes as received, validated against the replayed state where it stands in the log, and
    /// must be the stored one: the chain proves the bytes, this proves what folds read.
    /// `mismatch` gets the log position concerned when one entry is (a binary form), else nil.
    func checkProjections(_ txn: ReadTransaction, rederive: Bool = false, _ mismatch: (String, String, UInt64?) throws -> Void) throws -> Int {
        let timeline = try self.timeline(txn)
        let globals = try globalEvents(txn)
        var customers = 0
        var itemsExpected = 0
        var alertsExpected = 0
        var totals = (checkpoints: 0, late: 0, grades: 0)
        // The customers of the log, from its own index (one scan, in customer order).
        var previous: [UInt8] = []
        var names: [String] = []
        try txn.scan(customerEvents, from: nil) { key, _ in
            guard let zero = key.firstIndex(of: 0) else { throw Store.corrupt(customerEvents, "a key of \(key.count) bytes", StoredDataError("no customer in it")) }
            let name = UnsafeRawBufferPointer(rebasing: key[..<zero])
            if !name.elementsEqual(previous) {
                previous = Array(name)
                names.append(String(decoding: name, as: UTF8.self))
            }
            return true
        }
        for customer in names {
            customers += 1
            do {
                let r = try replayForVerify(txn, customer, timeline: timeline, globals: globals, rederive: rederive)
                itemsExpected += r.cold.invoices.count + r.cold.payments.count
                alertsExpected += r.expected.alerts.count
                totals.checkpoints += r.expected.checkpoints.count
                totals.late += r.expected.late.count
                totals.grades += r.expected.grades.count
                for p in r.entryProblems { try mismatch(customer, "customer \(customer): \(p.message)", p.seq) }
                try compare(txn, customer, r) { try mismatch($0, $1, nil) }
            } catch let e as EngineError {
                try mismatch(customer, "customer \(customer): \(e.message)", nil)
            }
        }
        // Nothing extra: each database holds exactly what the replays expect.
        for (db, expected) in [(states, customers), (profiles, customers), (items, itemsExpected), (alerts, alertsExpected),
                               (checkpoints, totals.checkpoints), (late, totals.late), (grades, totals.grades)] {
            let count = try txn.count(db)
            if count != expected { try mismatch("", "\(db.name) holds \(count) records; the log implies \(expected)", nil) }
        }
        return customers
    }

    struct VerifyReplay {
        var state: CustomerState?
        var cold = MemoryCold()
        var expected = ExpectedRecords()
        /// Entries whose binary form is not the one their bytes give (with `rederive`).
        var entryProblems: [(seq: UInt64, message: String)] = []
    }

    func replayForVerify(_ txn: ReadTransaction, _ customer: String, timeline: PolicyTimeline, globals: [GlobalEvent],
                         rederive: Bool = false) throws -> VerifyReplay {
        var r = VerifyReplay()
        let references = StoreReferences(store: self, txn: txn)
        var own: [UInt64] = []
        try forEachEvent(txn, of: customer) { seq, _, _ in
            own.append(seq)
            return true
        }
        guard let first = own.first else { return r }
        var j = globals.partitionPoint { $0.seq > first }
        var i = 0
        while i < own.count || j < globals.count {
            if j >= globals.count || (i < own.count && own[i] < globals[j].seq) {
                let seq = own[i]
                i += 1
                try withRecord(txn, seq, of: customer) { view in
                    let e: LoggedEvent
                    do {
                        e = try view.logged()
                    } catch {
                        throw Store.corrupt(log, seq: seq, error)
                    }
                    if rederive {
                        do {
                            try rederiveBinary(view, seq, state: &r.state, cold: &r.cold, refs: references)
                        } catch let e as EngineError {
                            // Reported, and the replay goes on with the stored form (what ingest folded).
                            r.entryProblems.append((seq, e.message))
                        }
                    }
                    try Store.fold(e, seq: seq, customer: customer, eventID: view.id, state: &r.state, cold: &r.cold,
                                   policy: timeline.policy(atSeq: seq), sink: &r.expected)
                }
            } else {
                let g = globals[j]
                j += 1
                guard r.state != nil else { continue }
                let o = Projection.regrade(&r.state!, customer: customer, policy: timeline.policy(atSeq: g.seq), seq: g.seq, type: g.type, at: g.at) {
                    RiskCause(seq: g.seq, eventID: g.id, type: g.type, at: g.at, payment: nil)
                }
                r.expected.outcome(o, customer)
            }
        }
        return r
    }

    func compare(_ txn: ReadTransaction, _ customer: String, _ r: VerifyReplay, _ mismatch: (String, String) throws -> Void) throws {
        let key = Array(customer.utf8)
        let storedState = try txn.get(states, key: key)
        if let state = r.state {
            if storedState != StateCodec.encode(state) {
                try mismatch(customer, "customer \(customer): stored state \(storedState == nil ? "is missing" : "differs from the log")")
            }
        } else if storedState != nil {
            try mismatch(customer, "customer \(customer): a state is stored, but the log registers no such customer")
        }
        if let p = r.cold.profiles[customer], try txn.get(profiles, key: key) != StateCodec.encode(p) {
            try mismatch(customer, "customer \(customer): stored profile differs from the log")
        }
        for (seq, inv) in r.cold.invoices where try txn.get(items, key: seq.bigEndianBytes) != [StoreCold.invoiceKind] + StateCodec.encode(inv) {
            try mismatch(customer, "customer \(customer): the record of invoice \(inv.id) (log position \(seq)) differs from the log")
        }
        for (seq, p) in r.cold.payments where try txn.get(items, key: seq.bigEndianBytes) != [StoreCold.paymentKind] + StateCodec.encode(p) {
            try mismatch(customer, "customer \(customer): the record of payment \(p.id) (log position \(seq)) differs from the log")
        }
        for (db, expected, what) in [(checkpoints, r.expected.checkpoints, "checkpoints"), (late, r.expected.late, "late entries"),
                                     (grades, r.expected.grades, "grade history")] {
            var stored: [[UInt8]: [UInt8]] = [:]
            try txn.scan(db, prefix: Store.customerPrefix(customer)) { k, v in
                stored[Array(k)] = Array(v)
                return true
            }
            if stored != expected {
                try mismatch(customer, "customer \(customer): stored \(what) (\(stored.count)) differ from the log (\(expected.count))")
            }
        }
        for (k, v) in r.expected.alerts where try txn.get(alerts, key: k) != v {
            // Named by its id and kind (decoded from the replay's own bytes, only when it differs).
            let name = (try? v.withUnsafeBytes { try RiskCodec.decodeAlert($0) }).map { "alert \($0.id) (\($0.kind.rawValue))" } ?? "an alert"
            try mismatch(customer, "customer \(customer): \(name) is \(try txn.contains(alerts, key: k) ? "different" : "missing") in the store")
        }
    }

    /// Derives the binary form of the entry at `seq` again from its bytes as received, as
    /// intake did (`FoldStep.validate` against `state` and the references logged before it),
    /// and throws `.corrupt` unless it is the stored one.
    /// `event`: the bytes already decoded by the caller (nil: decoded here).
    /// `state` is inout only so that it is not copied (a copy retains each of its arrays): it
    /// is not changed.
    func rederiveBinary(_ view: EventRecord.View, _ seq: UInt64, event decoded: Event? = nil, state: inout CustomerState?,
                        cold: inout some ColdItems, refs: StoreReferences) throws {
        let event: Event
        if let decoded {
            event = decoded
        } else {
            do {
                event = try view.event()
            } catch {
                throw Store.corrupt(log, seq: seq, error)
            }
        }
        var w = LoggedEventWriter(reusing: [])
        do {
            // Passed as it is (a conditional expression would copy the state).
            if event.type.isGlobal {
                try FoldStep.validate(event, state: nil, cold: &cold, refs: ReferencesBefore(refs: refs, seq: seq), into: &w)
            } else {
                try FoldStep.validate(event, state: state, cold: &cold, refs: ReferencesBefore(refs: refs, seq: seq), into: &w)
            }
        } catch let r as Rejection {
            throw Store.corrupt(log, key: "log position \(seq)", "its bytes as received no longer pass validation where they stand in the log (\(r.rule.rawValue): \(r.message))")
        } catch let e as StoredDataError {
            throw Store.corrupt(log, key: "log position \(seq)", "its bytes as received no longer validate: \(e.message)")
        }
        guard w.w.bytes.elementsEqual(view.binary) else {
            throw Store.corrupt(log, key: "log position \(seq)", "its binary form is not the one its bytes as received give")
        }
    }
}

/// The references logged before a log position: what validation saw when the entry there was
/// accepted (an item created later, or by the entry itself, is not yet there).
struct ReferencesBefore: ReferenceLookup {
    let refs: StoreReferences
    let seq: UInt64

    func invoice(_ id: String) throws -> Reference? { try refs.invoice(id).flatMap { $0.seq < seq ? $0 : nil } }
    func payment(_ id: String) throws -> Reference? { try refs.payment(id).flatMap { $0.seq < seq ? $0 : nil } }
    func creditNote(_ id: String) throws -> Reference? { try refs.creditNote(id).flatMap { $0.seq < seq ? $0 : nil } }
}
