import ArlogDomain
import ArlogStorage

/// Read-side questions. Each runs in one short read transaction, so it sees one committed
/// state even while an ingest is running in another process.
extension Store {
    /// The customer's ledger as of `asOf` (nil: every event). Answered from the projection
    /// when no event of the customer is later than `asOf`; otherwise by folding the
    /// customer's events with `at` ≤ asOf, in log order, as the contract defines.
    public func ledger(_ customer: String, asOf: Timestamp? = nil) throws -> CustomerLedger {
        try env.read { txn in
            guard let l = try ledger(txn, customer, asOf: asOf) else { throw notFound(customer) }
            return l
        }
    }

    public func balance(_ customer: String, asOf: Timestamp? = nil) throws -> BalanceReport {
        try env.read { txn in
            guard let s = try summary(txn, customer, asOf: asOf) else { throw notFound(customer) }
            return BalanceReport(s)
        }
    }

    func notFound(_ customer: String) -> EngineError {
        EngineError(.notFound, "unknown customer \"\(customer)\": no customer.registered for it in the store")
    }

    func ledger(_ txn: ReadTransaction, _ customer: String, asOf: Timestamp?) throws -> CustomerLedger? {
        guard let head = try txn.withValue(ledgers, key: Array(customer.utf8), { try LedgerCodec.decodeSummary($0) }) else {
            return nil
        }
        if asOf == nil || head.latestAt <= asOf! { return try loadLedger(txn, customer) }
        return try replay(txn, customer, asOf: asOf)
    }

    func summary(_ txn: ReadTransaction, _ customer: String, asOf: Timestamp?) throws -> LedgerSummary? {
        guard let head = try txn.withValue(ledgers, key: Array(customer.utf8), { try LedgerCodec.decodeSummary($0) }) else {
            return nil
        }
        if asOf == nil || head.latestAt <= asOf! { return head }
        return try replay(txn, customer, asOf: asOf)?.summary
    }

    /// Folds the customer's logged events with `at` ≤ asOf; nil when none (not yet registered).
    func replay(_ txn: ReadTransaction, _ customer: String, asOf: Timestamp?) throws -> CustomerLedger? {
        var ledger: CustomerLedger?
        try forEachEvent(txn, of: customer) { _, record in
            if let asOf, record.at > asOf { return }
            Replay.step(try record.event(), &ledger)
        }
        return ledger
    }

    /// Calls `body` with each of the customer's log entries, in log order.
    func forEachEvent(_ txn: ReadTransaction, of customer: String, _ body: (UInt64, EventRecord) throws -> Void) throws {
        try txn.scan(customerEvents, prefix: Store.customerPrefix(customer)) { key, _ in
            let seqBytes = UnsafeRawBufferPointer(rebasing: key[(key.count - 8)...])
            guard let seq = UInt64(bigEndianBytes: seqBytes),
                let record = try txn.withValue(log, key: seqBytes, { try EventRecord($0) })
            else { throw EngineError(.store, "customer index of \(customer) names a log entry that does not exist") }
            try body(seq, record)
            return true
        }
    }

    /// Every customer's summary as of `asOf`, in customer byte order.
    func forEachCustomer(_ txn: ReadTransaction, asOf: Timestamp?, _ body: (LedgerSummary) throws -> Void) throws {
        try txn.scan(ledgers, from: nil) { key, value in
            let head = try LedgerCodec.decodeSummary(value)
            if asOf == nil || head.latestAt <= asOf! {
                try body(head)
            } else if let l = try replay(txn, head.profile.id, asOf: asOf) {
                try body(l.summary)
            }
            return true
        }
    }

    /// Aging of every customer registered as of the date. Without `asOf` the state is every
    /// event and ages are counted on `today`.
    public func aging(asOf: Day?, today: Day, edges: [Int] = Aging.defaultEdges) throws -> AgingReport {
        var report = AgingReport(asOf: asOf ?? today, edges: edges)
        try env.read { txn in
            try forEachCustomer(txn, asOf: asOf.map(Timestamp.endOf)) { report.add($0) }
        }
        return report
    }
}

/// One line of `arlog customers`.
public struct CustomerRow: Sendable {
    public let summary: LedgerSummary
    /// Open amount past due on the report date, and the oldest such due date.
    public let overdue: Int64
    public let oldestOverdue: Day?
    public let daysPastDue: Int

    public var balance: BalanceReport { BalanceReport(summary) }
}

public struct CustomerFilter: Sendable {
    public enum Sort: String, Sendable, CaseIterable {
        case customer, balance
        case oldestOverdue = "oldest-overdue"
    }

    public var overLimit = false
    public var overdue = false
    /// At least this dunning level.
    public var dunningLevelMin: Int?
    public var currency: String?
    public var sort = Sort.customer
    public var limit: Int?

    public init() {}
}

public struct PortfolioStats: Sendable {
    public struct CurrencyFigures: Sendable {
        public let currency: Currency
        public var customers = 0
        public var open: Int64 = 0
        public var unapplied: Int64 = 0
        public var overdue: Int64 = 0
        public var lateWeighted: Int128 = 0
        public var lateAmount: Int64 = 0
        public var balance: Int64 { open - unapplied }
        public var avgDaysLateHundredths: Int64? {
            guard lateAmount > 0 else { return nil }
            return Int64((lateWeighted * 200 + Int128(lateAmount)) / (Int128(lateAmount) * 2))
        }
    }

    public var asOf: Day
    public var customers = 0
    public var events: UInt64 = 0
    public var overLimit = 0
    public var inDunning = 0
    /// One entry per currency present, sorted by code.
    public var currencies: [CurrencyFigures] = []
}

extension Store {
    public func customers(_ filter: CustomerFilter, asOf: Day?, today: Day) throws -> [CustomerRow] {
        let day = asOf ?? today
        var rows: [CustomerRow] = []
        try env.read { txn in
            try forEachCustomer(txn, asOf: asOf.map(Timestamp.endOf)) { s in
                var overdue: Int64 = 0
                var oldest: Day?
                for i in s.openInstallments where i.dueOn < day {
                    overdue += i.open
                    if oldest == nil || i.dueOn < oldest! { oldest = i.dueOn }
                }
                let row = CustomerRow(summary: s, overdue: overdue, oldestOverdue: oldest, daysPastDue: oldest.map { day.days(since: $0) } ?? 0)
                if filter.overLimit, !row.balance.overLimit { return }
                if filter.overdue, overdue == 0 { return }
                if let min = filter.dunningLevelMin, s.dunningLevel < min { return }
                if let c = filter.currency, s.profile.currency.code != c { return }
                rows.append(row)
            }
        }
        switch filter.sort {
        case .customer: break
        case .balance:
            // Largest first, compared in major units (there is no FX here: across currencies
            // this is a ranking of face values; filter by --currency for a true one).
            rows.sort { a, b in
                let x = Int128(a.summary.totals.balance) * Int128(b.summary.profile.currency.minorPerMajor)
                let y = Int128(b.summary.totals.balance) * Int128(a.summary.profile.currency.minorPerMajor)
                return x != y ? x > y : a.summary.profile.id.utf8.lexicographicallyPrecedes(b.summary.profile.id.utf8)
            }
        case .oldestOverdue: rows.sort { ($0.daysPastDue, $1.summary.profile.id) > ($1.daysPastDue, $0.summary.profile.id) }
        }
        if let limit = filter.limit, rows.count > limit { rows.removeLast(rows.count - limit) }
        return rows
    }

    public func stats(asOf: Day?, today: Day) throws -> PortfolioStats {
        let day = asOf ?? today
        var stats = PortfolioStats(asOf: day)
        var byCode: [String: PortfolioStats.CurrencyFigures] = [:]
        try env.read { txn in
            stats.events = try Store.u64(txn, meta, MetaKey.head)
            let asOfTime = asOf.map(Timestamp.endOf)
            if asOfTime != nil { stats.events = 0 }
            try forEachCustomer(txn, asOf: asOfTime) { s in
                stats.customers += 1
                if asOfTime != nil { stats.events += UInt64(s.eventCount) }
                if s.totals.balance > s.profile.creditLimit { stats.overLimit += 1 }
                if s.dunningLevel > 0 { stats.inDunning += 1 }
                var f = byCode[s.profile.currency.code] ?? .init(currency: s.profile.currency)
                f.customers += 1
                f.open += s.totals.open
                f.unapplied += s.totals.unapplied
                for i in s.openInstallments where i.dueOn < day { f.overdue += i.open }
                f.lateWeighted += s.totals.lateWeighted
                f.lateAmount += s.totals.lateAmount
                byCode[s.profile.currency.code] = f
            }
        }
        stats.currencies = byCode.keys.sorted().map { byCode[$0]! }
        return stats
    }
}
