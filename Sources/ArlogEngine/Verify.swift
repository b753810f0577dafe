import ArlogDomain
import ArlogStorage

extension Store {
    /// Replays every customer from the log in memory and compares every record of the
    /// projections with the replay: what any query reads. Changes nothing.
    public func verify() throws -> VerifyReport {
        var report = VerifyReport()
        try env.read { txn in
            let head = try Store.u64(txn, meta, MetaKey.head)
            let projected = try Store.u64(txn, meta, MetaKey.projected)
            report.events = head
            if projected != head {
                // Projections behind are incomplete, not wrong: one problem, nothing compared.
                report.problem("projections reflect sequence \(projected) but the log head is \(head) (a rebuild is running or was interrupted: run arlog rebuild); projections not compared")
                return
            }
            let logCount = try txn.count(log)
            if UInt64(logCount) != head { report.problem("log holds \(logCount) events but its head is \(head)") }
            let idCount = try txn.count(ids)
            if idCount != logCount { report.problem("id index holds \(idCount) entries for \(logCount) events") }
            // Every event is indexed under its customer, or (log-wide) in globals.
            let indexed = try txn.count(customerEvents) + txn.count(globals)
            if indexed != logCount { report.problem("customer and globals indexes hold \(indexed) entries for \(logCount) events") }
            report.customers = try checkProjections(txn) { _, message in report.problem(message) }
        }
        return report
    }

    /// A log-wide event, as every customer's replay meets it.
    struct GlobalEvent {
        let seq: UInt64
        let id: String
        let type: EventType
        let at: Timestamp
    }

    /// The log-wide events in log order (from the globals index and the log's headers).
    func globalEvents(_ txn: ReadTransaction) throws -> [GlobalEvent] {
        var out: [GlobalEvent] = []
        try txn.scan(globals, from: nil) { key, _ in
            guard let seq = UInt64(bigEndianBytes: key) else { throw Store.corrupt(globals, "a key of \(key.count) bytes", StoredDataError("not a log position")) }
            out.append(try withRecord(txn, seq) { GlobalEvent(seq: seq, id: $0.id, type: $0.header.type, at: $0.header.at) })
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
    func checkProjections(_ txn: ReadTransaction, _ mismatch: (String, String) throws -> Void) throws -> Int {
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
                let r = try replayForVerify(txn, customer, timeline: timeline, globals: globals)
                itemsExpected += r.cold.invoices.count + r.cold.payments.count
                alertsExpected += r.expected.alerts.count
                totals.checkpoints += r.expected.checkpoints.count
                totals.late += r.expected.late.count
                totals.grades += r.expected.grades.count
                try compare(txn, customer, r, mismatch)
            } catch let e as EngineError {
                try mismatch(customer, "customer \(customer): \(e.message)")
            }
        }
        // Nothing extra: each database holds exactly what the replays expect.
        for (db, expected) in [(states, customers), (profiles, customers), (items, itemsExpected), (alerts, alertsExpected),
                               (checkpoints, totals.checkpoints), (late, totals.late), (grades, totals.grades)] {
            let count = try txn.count(db)
            if count != expected { try mismatch("", "\(db.name) holds \(count) records; the log implies \(expected)") }
        }
        return customers
    }

    struct VerifyReplay {
        var state: CustomerState?
        var cold = MemoryCold()
        var expected = ExpectedRecords()
    }

    func replayForVerify(_ txn: ReadTransaction, _ customer: String, timeline: PolicyTimeline, globals: [GlobalEvent]) throws -> VerifyReplay {
        var r = VerifyReplay()
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
                try withRecord(txn, seq) { view in
                    let e: LoggedEvent
                    do {
                        e = try view.logged()
                    } catch {
                        throw Store.corrupt(log, seq: seq, error)
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
}
