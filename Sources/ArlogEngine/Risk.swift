import ArlogDomain
import ArlogStorage

/// The credit-risk projection in the store: the risk projector (ArlogDomain's
/// `RiskProjector`) runs in the same write transaction as the events it folds
/// (`BatchState.fold`). A customer's event evaluates that customer; a log-wide event
/// (`credit_policy.changed`, `credit.reviewed`) evaluates every registered customer. Each
/// evaluation keeps its result in the customer's hot state and writes any `GradeChange` and
/// `Alert`s keyed by the causing event's log position, so a rebuild writes exactly the same
/// records.
extension Store {
    /// The credit policies in the log, in log order, as the risk projector uses them.
    func timeline(_ txn: ReadTransaction, through: UInt64? = nil) throws -> PolicyTimeline {
        var t = PolicyTimeline()
        t.policies = try policyEntries(txn, through: through).map { ($0.seq, $0.at, $0.policy) }
        return t
    }

    /// The policy logged at `seq` (a `credit_policy.changed`).
    func policy(logAt seq: UInt64, _ txn: ReadTransaction) throws -> CreditPolicy {
        let e = try withRecord(txn, seq) { view in
            do {
                return try view.event()
            } catch {
                throw Store.corrupt(log, seq: seq, error)
            }
        }
        guard case .creditPolicyChanged(let p) = e.body else { throw Store.corrupt(log, seq: seq, StoredDataError("not a policy change")) }
        return p
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
