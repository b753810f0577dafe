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

    /// The credit policies in the log, in log order, as the risk projector uses them.
    func timeline(_ txn: ReadTransaction, through: UInt64? = nil) throws -> PolicyTimeline {
        var t = PolicyTimeline()
        t.policies = try policyEntries(txn, through: through).map { ($0.seq, $0.at, $0.policy) }
        return t
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
}

extension Array {
    /// The index of the first element for which `isAfter` holds, in an array where it holds
    /// for a suffix (binary search).
    func partitionPoint(_ isAfter: (Element) -> Bool) -> Int {
        var lo = 0
        var hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if isAfter(self[mid]) { hi = mid } else { lo = mid + 1 }
        }
        return lo
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
