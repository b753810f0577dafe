import ArlogDomain
import ArlogStorage

/// The credit-risk projection in the store: the risk projector (ArlogDomain's
/// `RiskProjector`) run in the same write transaction as the events it folds.
///
/// A customer's event evaluates that customer; a log-wide event (`credit_policy.changed`,
/// `credit.reviewed`) evaluates every registered customer. Each evaluation writes the
/// customer's `RiskState`, a `GradeChange` when the grade moved and its `Alert`s, all keyed by
/// the causing event's log position, so a rebuild writes exactly the same records.
extension Store {
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

    /// The credit policies in the log, in log order: the `globals` index names the log-wide
    /// events; only the policy changes among them are read.
    func timeline(_ txn: ReadTransaction, through: UInt64? = nil) throws -> PolicyTimeline {
        var t = PolicyTimeline()
        var seqs: [UInt64] = []
        try txn.scan(globals, from: nil) { key, value in
            guard let seq = UInt64(bigEndianBytes: key) else { throw EngineError(.store, "corrupt globals key") }
            if let through, seq > through { return false }
            if value.first == EventType.creditPolicyChanged.rawValue { seqs.append(seq) }
            return true
        }
        for seq in seqs {
            guard let record = try txn.withValue(log, key: seq.bigEndianBytes, { try EventRecord($0) }) else {
                throw EngineError(.store, "the globals index names log entry \(seq), which does not exist")
            }
            guard case .creditPolicyChanged(let policy) = try record.event().body else {
                throw EngineError(.store, "log entry \(seq) is not a credit_policy.changed event")
            }
            t.policies.append((seq, record.at, policy))
        }
        return t
    }

    func storedRisk(_ txn: ReadTransaction, _ customer: String) throws -> RiskState? {
        try txn.withValue(risk, key: Array(customer.utf8)) { try RiskCodec.decodeState($0) }
    }

    /// Every registered customer id, in byte order.
    func customerIDs(_ txn: ReadTransaction) throws -> [String] {
        var ids: [String] = []
        try txn.scan(ledgers, from: nil) { key, _ in
            ids.append(String(decoding: key, as: UTF8.self))
            return true
        }
        return ids
    }

    /// The customer's risk projection recomputed from the log: its events and the log-wide
    /// events after its registration, in log order. What verify compares the stored one with.
    func replayRisk(_ txn: ReadTransaction, _ customer: String, timeline: PolicyTimeline)
        throws -> (state: RiskState?, changes: [GradeChange], alerts: [Alert])
    {
        var own: [(UInt64, Event)] = []
        try forEachEvent(txn, of: customer) { seq, record in own.append((seq, try record.event())) }
        var global: [(UInt64, Event)] = []
        if let first = own.first?.0 {
            try txn.scan(globals, from: (first + 1).bigEndianBytes) { key, _ in
                guard let seq = UInt64(bigEndianBytes: key) else { throw EngineError(.store, "corrupt globals key") }
                guard let record = try txn.withValue(log, key: Array(key), { try EventRecord($0) }) else {
                    throw EngineError(.store, "the globals index names log entry \(seq), which does not exist")
                }
                global.append((seq, try record.event()))
                return true
            }
        }
        var ledger: CustomerLedger?
        var state: RiskState?
        var changes: [GradeChange] = []
        var alerts: [Alert] = []
        var i = 0
        var j = 0
        while i < own.count || j < global.count {
            let (seq, e): (UInt64, Event)
            if j >= global.count || (i < own.count && own[i].0 < global[j].0) {
                (seq, e) = own[i]
                i += 1
                Replay.step(e, &ledger)
            } else {
                (seq, e) = global[j]
                j += 1
            }
            guard let ledger else { continue }
            let o = RiskProjector.evaluate(ledger, policy: timeline.policy(atSeq: seq), cause: RiskCause(seq: seq, event: e), previous: state)
            state = o.state
            if let c = o.change { changes.append(c) }
            alerts.append(contentsOf: o.alerts)
        }
        return (state, changes, alerts)
    }

    /// Compares the stored risk projection with a replay, customer by customer, and the alert
    /// and grade databases' sizes with the replays' totals. Returns the number of problems.
    func checkRisk(_ txn: ReadTransaction, _ mismatch: (String, String) throws -> Void) throws {
        let timeline = try timeline(txn)
        var changes = 0
        var alertCount = 0
        for customer in try customerIDs(txn) {
            let replayed: (state: RiskState?, changes: [GradeChange], alerts: [Alert])
            do {
                replayed = try replayRisk(txn, customer, timeline: timeline)
            } catch {
                try mismatch(customer, "customer \(customer): credit risk cannot be checked, its events do not replay: \(error)")
                continue
            }
            changes += replayed.changes.count
            alertCount += replayed.alerts.count
            let stored = try? storedRisk(txn, customer)
            if stored != replayed.state {
                try mismatch(customer, "customer \(customer): stored credit grade differs from the log (stored \(stored.flatMap { $0 }.map { "\($0.grade) \($0.score)" } ?? "none"), replayed \(replayed.state.map { "\($0.grade) \($0.score)" } ?? "none"))")
            }
            var storedChanges: [GradeChange] = []
            try txn.scan(grades, prefix: Store.customerPrefix(customer)) { _, value in
                storedChanges.append(try RiskCodec.decodeGradeChange(value))
                return true
            }
            if storedChanges != replayed.changes {
                try mismatch(customer, "customer \(customer): stored grade history (\(storedChanges.count) changes) differs from the log (\(replayed.changes.count))")
            }
            for a in replayed.alerts {
                let stored = try txn.withValue(alerts, key: Store.alertKey(a)) { try RiskCodec.decodeAlert($0) }
                if stored != a {
                    try mismatch(customer, "customer \(customer): alert \(a.id) (\(a.kind.rawValue)) is \(stored == nil ? "missing" : "different") in the store")
                }
            }
        }
        if try txn.count(alerts) != alertCount {
            try mismatch("", "alerts database holds \(try txn.count(alerts)) alerts; the log implies \(alertCount)")
        }
        if try txn.count(grades) != changes {
            try mismatch("", "grades database holds \(try txn.count(grades)) grade changes; the log implies \(changes)")
        }
    }
}

extension BatchState {
    /// Runs the risk projector for an event that was just folded (intake and replay alike).
    mutating func project(_ e: Event, seq: UInt64) throws {
        let cause = RiskCause(seq: seq, event: e)
        if e.type.isGlobal {
            if case .creditPolicyChanged(let p) = e.body { timeline.policies.append((seq, e.at, p)) }
            try regradeAll(cause)
            return
        }
        guard let ledger = ledgers[e.customer] else {
            assertionFailure("an accepted event's customer has no ledger: \(e.id)")
            return
        }
        let o = RiskProjector.evaluate(ledger, policy: timeline.policy(atSeq: seq), cause: cause, previous: try riskState(e.customer))
        try record(o, e.customer)
        risks[e.customer] = o.state
    }

    mutating func riskState(_ customer: String) throws -> RiskState? {
        if let known = risks[customer] { return known }
        let s = try store.storedRisk(txn, customer)
        risks[customer] = .some(s)
        return s
    }

    func record(_ o: RiskProjector.Outcome, _ customer: String) throws {
        if let c = o.change {
            try txn.put(store.grades, key: Store.gradeKey(customer, c.cause.seq), value: RiskCodec.encode(c))
        }
        for a in o.alerts {
            try txn.put(store.alerts, key: Store.alertKey(a), value: RiskCodec.encode(a))
        }
    }

    /// Evaluates every registered customer for a log-wide event. Ledgers this batch does not
    /// hold are loaded one at a time and dropped, so memory stays bounded by one ledger
    /// whatever the number of customers; their risk states are written at once.
    mutating func regradeAll(_ cause: RiskCause) throws {
        var customers = Set(try store.customerIDs(txn))
        customers.formUnion(ledgers.keys)
        let policy = timeline.policy(atSeq: cause.seq)
        for customer in customers.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let held = ledgers[customer] != nil
            guard let ledger = try ledgers[customer] ?? store.loadLedger(txn, customer) else { continue }
            let previous = try risks[customer] ?? store.storedRisk(txn, customer)
            let o = RiskProjector.evaluate(ledger, policy: policy, cause: cause, previous: previous)
            try record(o, customer)
            if held || risks[customer] != nil {
                risks[customer] = o.state
            } else {
                try txn.put(store.risk, key: Array(customer.utf8), value: RiskCodec.encode(o.state))
            }
        }
    }
}
