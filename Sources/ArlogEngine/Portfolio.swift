import ArlogDomain
import ArlogStorage

/// What `arlog portfolio` asks: a report date or a monthly series, the grouping, the CEI period.
public struct PortfolioRequest: Sendable, Equatable {
    public enum Span: Sendable, Equatable {
        /// One report date (nil: today).
        case day(Day?)
        /// The month ends of `from`'s month through `to`'s.
        case monthly(from: Day, to: Day)
    }

    public var span: Span
    public var grouping: PortfolioGrouping
    /// Months of the CEI period: the report date's month to date and the whole months before
    /// it, this many in all (1 ... `PortfolioCalendar.dsoPeriodsMax`).
    public var ceiMonths: Int

    public init(span: Span, grouping: PortfolioGrouping = .currency, ceiMonths: Int = 1) {
        self.span = span
        self.grouping = grouping
        self.ceiMonths = ceiMonths
    }
}

extension Store {
    /// Portfolio figures (docs/analytics.md). Every customer's state is wanted on each day of
    /// the calendar (the report days and the month ends their count-back reaches to): one
    /// scan of the customers on two threads, each customer's states found through its
    /// checkpoints (`statesOn`): a month end usually folds no event, since the fold keeps a
    /// checkpoint at every month's end. Never a replay of the log per month.
    public func portfolio(_ request: PortfolioRequest, today: Day, knownAt: KnownAt? = nil) throws -> PortfolioReport {
        try portfolio(request, today: today, knownAt: knownAt, threads: nil)
    }

    /// The same on `threads` threads (nil: `stateScanThreads`).
    func portfolio(_ request: PortfolioRequest, today: Day, knownAt: KnownAt?, threads: Int?) throws -> PortfolioReport {
        let ceiMonths = min(max(request.ceiMonths, 1), PortfolioCalendar.dsoPeriodsMax)
        let calendar: PortfolioCalendar
        switch request.span {
        case .day(let d): calendar = PortfolioCalendar(on: d ?? today, ceiMonths: ceiMonths)
        case .monthly(let from, let to): calendar = PortfolioCalendar(monthsFrom: from, to: to, ceiMonths: ceiMonths)
        }
        var builder = PortfolioBuilder(calendar: calendar, grouping: request.grouping, debtors: calendar.reports.count == 1)
        try env.read { txn in
            let through = try knownSequence(txn, knownAt)
            let days = calendar.days
            let times = days.map(Timestamp.endOf)
            let isReport = Set(calendar.reports)
            // The policy in force at each report day: grades are the live model's (as `grade`).
            var policies: [CreditPolicy?] = []
            for (i, t) in times.enumerated() {
                policies.append(try isReport.contains(i) ? policyInForce(txn, asOf: t, through: through)?.policy ?? .default : nil)
            }
            let gradePolicies = policies
            try forEachCustomer(txn, threads: threads, map: { store, txn, customer, head, scratch -> [PortfolioCustomerFigures?]? in
                let states = try store.statesOn(txn, customer, times: times, through: through, head: head, scratch: &scratch)
                guard states.contains(where: { $0 != nil }) else { return nil }
                var figures: [PortfolioCustomerFigures?] = []
                figures.reserveCapacity(states.count)
                for (i, s) in states.enumerated() {
                    guard let s else {
                        figures.append(nil)
                        continue
                    }
                    // Only a report day's grade is read; the days before it only add sales and write-offs.
                    let grade = gradePolicies[i].map { CreditScoring.assess(s, customer: customer, policy: $0, on: days[i]).grade } ?? .a
                    figures.append(PortfolioCustomerFigures(state: s, on: days[i], grade: grade))
                }
                return figures
            }) { customer, figures in
                let industry = try request.grouping == .industry ? storedProfile(txn, customer)?.industry : nil
                builder.add(customer: customer, industry: industry, figures: figures)
            }
        }
        var report = builder.report()
        // The top debtors' names, read once for all of them (the scan never reads profiles).
        let ids = report.groups.flatMap { $0.topDebtors.map(\.customer) }
        if !ids.isEmpty {
            let names = try self.names(ids)
            var k = 0
            for g in report.groups.indices {
                for d in report.groups[g].topDebtors.indices {
                    report.groups[g].topDebtors[d].name = names[k]
                    k += 1
                }
            }
        }
        return report
    }

    /// The customer's state as of each of `times` (ascending), known through `through`; nil
    /// before its registration. `head`: its stored state's bytes, decoded once. A time at or
    /// after the stored state's latest `at` is answered by it; any other from the last
    /// checkpoint dated at or before it (`stateFromCheckpoint`, exact whatever the order the
    /// events came in): a month end usually has a checkpoint of its own.
    func statesOn(_ txn: ReadTransaction, _ customer: String, times: [Timestamp], through: UInt64?,
                  head: UnsafeRawBufferPointer, scratch: inout ScanScratch) throws -> [CustomerState?] {
        let stored = try Store.decoding(states, "customer \(customer)", head, StateCodec.decodeState)
        var out: [CustomerState?] = []
        out.reserveCapacity(times.count)
        for t in times {
            // Before its registration a customer has no state: an as-of fold without the
            // registration (dated `registeredAt`) folds nothing (`FoldStep.apply`), whatever
            // else is dated earlier. (Most of a long series' month ends, for most customers.)
            if t < stored.registeredAt {
                out.append(nil)
                continue
            }
            if through == nil, stored.latestAt <= t {
                out.append(stored)
                continue
            }
            scratch.cold.invoices.removeAll(keepingCapacity: true)
            scratch.cold.payments.removeAll(keepingCapacity: true)
            scratch.cold.profiles.removeAll(keepingCapacity: true)
            out.append(try stateFromCheckpoint(txn, customer, asOf: t, through: through, limit: t, cold: &scratch.cold))
        }
        return out
    }
}
