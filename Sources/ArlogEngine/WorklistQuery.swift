import ArlogDomain
import ArlogStorage

/// One line of `arlog worklist`.
public struct WorklistEntry: Sendable {
    public let customer: String
    public let facts: WorklistFacts
    public let score: WorklistScore
    /// The collector the assignments give the customer (nil: none, or no assignments).
    public let collector: String?
    /// The customer's profile texts (name, contact, email): read for the lines listed only.
    public var profile: ProfileText?
}

/// `arlog worklist`: today's calls, in order (`Worklist`).
public struct WorklistReport: Sendable {
    public let asOf: Day
    /// Only this collector's customers (nil: everyone's).
    public let collector: String?
    /// The lines listed (at most the limit), in order.
    public var entries: [WorklistEntry] = []
    /// How many customers had something to chase (before the limit).
    public var candidates = 0
}

extension Store {
    /// Today's calls as of the end of `asOf` (nil: every event, on `today`): each customer with
    /// something to chase, scored by `Worklist.score`, in `Worklist.precedes` order, at most
    /// `limit`; with `collector`, only the customers `assignments` gives that collector. One
    /// scan of the states (both threads); the grade and score (the live model, as `customers`
    /// computes it) only for the customers with something to chase; the profile texts only for
    /// the lines listed.
    public func worklist(asOf: Day?, today: Day, collector: String? = nil, assignments: CollectorAssignments? = nil,
                         limit: Int? = nil) throws -> WorklistReport {
        try worklist(asOf: asOf, today: today, collector: collector, assignments: assignments, limit: limit, threads: nil)
    }

    /// The same on `threads` threads (nil: `stateScanThreads`); the same report whatever their number.
    func worklist(asOf: Day?, today: Day, collector: String?, assignments: CollectorAssignments?, limit: Int?,
                  threads: Int?) throws -> WorklistReport {
        let day = asOf ?? today
        var report = WorklistReport(asOf: day, collector: collector)
        var entries: [WorklistEntry] = []
        try env.read { txn in
            let through = try knownSequence(txn, nil)
            let t = asOf.map(Timestamp.endOf)
            let policy = try policyInForce(txn, asOf: t, through: through)?.policy ?? .default
            try forEachState(txn, asOf: t, through: through, threads: threads, map: { customer, s -> WorklistEntry? in
                let assigned = assignments?.collector(of: customer)
                if let collector, assigned != collector { return nil }
                var f = WorklistFacts(currency: s.currency)
                (f.overdueBands, f.oldestOverdueDays) = Worklist.overdueBands(of: s, on: day)
                Store.collectionFacts(s, on: day, into: &f)
                // Nothing to chase: no score computed.
                guard f.overdueBands.contains(where: { $0 > 0 }) || f.brokenPromises > 0 || f.promisesDueToday > 0 || f.disputesAwaiting > 0
                    || f.brokenPromiseAmount > 0 || f.promiseDueAmount > 0 || f.disputedAwaitingAmount > 0
                else { return nil }
                let scored = CreditScoring.score(s, policy: policy, on: day)
                (f.grade, f.score) = (scored.grade, scored.score)
                guard let score = Worklist.score(f, on: day) else { return nil }
                return WorklistEntry(customer: customer, facts: f, score: score, collector: assigned)
            }) { _, entry in
                entries.append(entry)
            }
        }
        report.candidates = entries.count
        // `Worklist.precedes` on plain keys: an entry is large (moving it, or reading its id and
        // score in the comparison, retains and releases its parts); the id is read only when
        // priority and aged overdue tie.
        var order = entries.indices.map { (priority: entries[$0].score.priorityHundredths, aged: entries[$0].score.agedOverdue, index: $0) }
        order.sort { a, b in
            if a.priority != b.priority { return a.priority > b.priority }
            if a.aged != b.aged { return a.aged > b.aged }
            return entries[a.index].customer.utf8.lexicographicallyPrecedes(entries[b.index].customer.utf8)
        }
        if let limit, order.count > limit { order.removeLast(order.count - limit) }
        // The profiles of the lines listed, asked in customer byte order (the scan's order, so
        // the entries' own indices, sorted): one pass over the profiles when the lines are
        // many, instead of a look-up per line in rank order.
        let byCustomer = order.map(\.index).sorted()
        let texts = try profileTexts(byCustomer.map { entries[$0].customer })
        for (j, i) in byCustomer.enumerated() { entries[i].profile = texts[j] }
        report.entries = order.map { entries[$0.index] }
        return report
    }

    /// The collection facts of feed v1.1 that the worklist weighs beside the overdue amounts,
    /// from the customer's state (as of `day` when the query is):
    /// - broken promises still to follow up: broken on `day` and not followed by a later
    ///   promise (a new promise is the collector's follow-up), while the customer has
    ///   something open; their amount is what is still short of each (amount − counted);
    /// - promises falling due on `day` and still pending, and what is still short of them;
    /// - open disputes, waiting for a decision, and what they dispute now;
    /// - the UTC day of the latest collection contact (arlog's `collection.contact`).
    static func collectionFacts(_ s: CustomerState, on day: Day, into f: inout WorklistFacts) {
        if s.totals.open > 0, !s.promises.isEmpty {
            // Only the promises after the last one recorded on or before `day` can be
            // unanswered; a broken one is answered by any promise recorded after it.
            for (i, p) in s.promises.enumerated() {
                switch p.status(on: day) {
                case .broken where i == s.promises.count - 1:
                    f.brokenPromises += 1
                    f.brokenPromiseAmount += max(0, p.amount - p.counted)
                case .pending where p.promisedOn == day:
                    f.promisesDueToday += 1
                    f.promiseDueAmount += max(0, p.amount - p.counted)
                default:
                    break
                }
            }
        }
        f.disputesAwaiting = s.disputes.count
        f.disputedAwaitingAmount = s.disputed
        f.lastContact = s.lastContact.map { $0.at.utcDay }
    }
}
