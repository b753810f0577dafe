import ArlogDomain
import ArlogStorage

/// "As known at": a point in the log's recording history. A query given one answers from only
/// the events recorded up to that point — what the system said then — whatever their `at`
/// (which `asOf` filters independently: effective time and recording time are two axes).
public enum KnownAt: Sendable, Equatable {
    /// Events with sequence number ≤ this.
    case seq(UInt64)
    /// Events recorded (ingested) at or before this instant, in microseconds since the epoch.
    case recordedAt(micros: Int64)

    /// A plain positive integer is a sequence number; otherwise an RFC 3339 timestamp, or a
    /// date YYYY-MM-DD meaning the end of that day in UTC. Nil when the text is none of these.
    public init?(parsing text: some StringProtocol) {
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            guard let n = UInt64(text), n > 0 else { return nil }
            self = .seq(n)
        } else if let t = Timestamp(parsing: text) {
            guard let micros = KnownAt.micros(t) else { return nil }
            self = .recordedAt(micros: micros)
        } else if let day = Day(parsing: text) {
            guard let micros = KnownAt.micros(Timestamp.endOf(day)) else { return nil }
            self = .recordedAt(micros: micros)
        } else {
            return nil
        }
    }

    /// The instant in microseconds since the epoch (sub-microsecond digits truncated), nil when
    /// out of range.
    public static func micros(_ t: Timestamp) -> Int64? {
        let (m, o1) = t.seconds.multipliedReportingOverflow(by: 1_000_000)
        let (r, o2) = m.addingReportingOverflow(Int64(t.nanos / 1000))
        return o1 || o2 ? nil : r
    }
}

/// Read-side questions. Each runs in one short read transaction, so it sees one committed
/// state even while an ingest is running in another process.
///
/// Known-at (`knownAt`): a query limited to the events recorded up to a point resolves that
/// point once, to the last sequence number it covers (`knownSequence`), then filters the
/// customer's events by sequence number only. A timestamp is resolved by binary search over
/// the log's record headers: recording times never go backwards in the log (ingest keeps
/// them monotonic), so "recorded at or before T" is exactly "sequence ≤ the last one recorded
/// by T". When that covers the whole log the projections answer as usual; otherwise each
/// customer asked about is replayed from its events (skipped records are never parsed).
extension Store {
    /// The customer's whole ledger (state and every invoice and payment) as of `asOf` (nil:
    /// every event), known at `knownAt`: a fold of its events from the first.
    public func ledger(_ customer: String, asOf: Timestamp? = nil, knownAt: KnownAt? = nil) throws -> CustomerLedger {
        try env.read { txn in
            let through = try knownSequence(txn, knownAt)
            guard let l = try ledger(txn, customer, asOf: asOf, through: through) else { throw notFound(customer) }
            return l
        }
    }

    /// The customer's hot state as of `asOf`, known at `knownAt` (from the stored state, or a
    /// checkpoint and the events after it: `AsOf.swift`).
    public func state(_ customer: String, asOf: Timestamp? = nil, knownAt: KnownAt? = nil) throws -> CustomerState {
        try env.read { txn in
            let through = try knownSequence(txn, knownAt)
            guard let s = try state(txn, customer, asOf: asOf, through: through) else { throw notFound(customer) }
            return s
        }
    }

    /// `today`: the date promises are judged on without `asOf` (feed v1.1; the CLI passes
    /// today's UTC date); with `asOf`, its UTC date. The default is after every promise's date.
    public func balance(_ customer: String, asOf: Timestamp? = nil, knownAt: KnownAt? = nil, today: Day = Day.last) throws -> BalanceReport {
        BalanceReport(customer: customer, state: try state(customer, asOf: asOf, knownAt: knownAt), on: asOf?.utcDay ?? today)
    }

    /// The last sequence number `knownAt` covers: the number itself (at most the head), or the
    /// last event recorded at or before the instant (0 when none).
    public func knownSequence(_ knownAt: KnownAt) throws -> UInt64 {
        try env.read { txn in
            try knownSequence(txn, knownAt) ?? answeredThrough(txn)
        }
    }

    /// The sequence limit for a known-at query; nil when there is none or it covers the whole
    /// log (then the projections are the answer).
    func knownSequence(_ txn: ReadTransaction, _ knownAt: KnownAt?) throws -> UInt64? {
        guard let knownAt else { return nil }
        let head = try answeredThrough(txn)
        switch knownAt {
        case .seq(let n):
            return n >= head ? nil : n
        case .recordedAt(let t):
            // The largest seq in 0...head with recordedAt ≤ t (0: none); recording times are
            // non-decreasing along the log.
            var lo: UInt64 = 0
            var hi = head
            while lo < hi {
                let mid = lo + (hi - lo + 1) / 2
                guard let recorded = try txn.withValue(log, key: mid.bigEndianBytes, { try EventRecord.header($0).recordedAtMicros }) else {
                    throw EngineError(.store, "log entry \(mid) is missing (head \(head))")
                }
                if recorded <= t { lo = mid } else { hi = mid - 1 }
            }
            return lo >= head ? nil : lo
        }
    }

    /// The last log position queries answer from: the one the projections reflect. It is the
    /// log's head except while a rebuild runs or after one was interrupted; readers never
    /// catch up themselves (only writers do, under the write lock), so they answer "as known
    /// at" this position, and the CLI says so (`projectionStatus`).
    func answeredThrough(_ txn: ReadTransaction) throws -> UInt64 {
        try Store.u64(txn, meta, MetaKey.projected)
    }

    func notFound(_ customer: String) -> EngineError {
        EngineError(.notFound, "unknown customer \"\(customer)\": no customer.registered for it in the store")
    }

    /// Aging of every customer registered as of the date. Without `asOf` the state is every
    /// event and ages are counted on `today`.
    public func aging(asOf: Day?, today: Day, edges: [Int] = Aging.defaultEdges, knownAt: KnownAt? = nil) throws -> AgingReport {
        try aging(asOf: asOf, today: today, edges: edges, knownAt: knownAt, threads: nil)
    }

    /// The same on `threads` threads (nil: `stateScanThreads`); the report is the same whatever
    /// their number.
    func aging(asOf: Day?, today: Day, edges: [Int], knownAt: KnownAt?, threads: Int?) throws -> AgingReport {
        var report = AgingReport(asOf: asOf ?? today, edges: edges)
        let blank = report
        try env.read { txn in
            let through = try knownSequence(txn, knownAt)
            try forEachState(txn, asOf: asOf.map(Timestamp.endOf), through: through, threads: threads,
                             map: { blank.row(customer: $0, state: $1) }, { report.add($1) })
        }
        return report
    }
}

/// One line of `arlog customers`.
public struct CustomerRow: Sendable {
    public let profile: CustomerProfile
    public let state: CustomerState
    /// Open amount past due on the report date, and the oldest such due date.
    public let overdue: Int64
    public let oldestOverdue: Day?
    public let daysPastDue: Int
    /// The credit grade and score on the report date (see `Store.customers`).
    public var grade: Grade? = nil
    public var score: Int? = nil

    public var balance: BalanceReport { BalanceReport(customer: profile.id, state: state) }
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
    /// Only customers with one of these credit grades.
    public var grades: Set<Grade>?
    /// Only customers whose id or name holds this text (`CustomerSearch`: case-insensitive).
    public var search: CustomerSearch?
    public var sort = Sort.customer
    public var limit: Int?

    public init() {}
}

public struct PortfolioStats: Sendable {
    public struct CurrencyFigures: Sendable {
        public let currency: Currency
        public var customers = 0
        // Sums across customers: each customer's figures fit Int64, many customers' together
        // need not, so they are added in Int128 and rendered exactly.
        public var open: Int128 = 0
        public var unapplied: Int128 = 0
        public var overdue: Int128 = 0
        public var lateWeighted: Int128 = 0
        public var lateAmount: Int128 = 0
        public var balance: Int128 { open - unapplied }
        public var avgDaysLateHundredths: Int64? {
            Totals.avgDaysLateHundredths(weighted: lateWeighted, amount: lateAmount)
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
    /// One row per customer registered as of the report date, with its credit grade and score
    /// on that date: the live model, as `grade` and `check` compute it (the state as of the
    /// date, the policy in force then; known at a point, what was known then). Customers that
    /// pass the other filters are loaded whole for it.
    public func customers(_ filter: CustomerFilter, asOf: Day?, today: Day, knownAt: KnownAt? = nil) throws -> [CustomerRow] {
        try customers(filter, asOf: asOf, today: today, knownAt: knownAt, threads: nil)
    }

    /// The same on `threads` threads (nil: `stateScanThreads`).
    func customers(_ filter: CustomerFilter, asOf: Day?, today: Day, knownAt: KnownAt?, threads: Int?) throws -> [CustomerRow] {
        let day = asOf ?? today
        var rows: [CustomerRow] = []
        try env.read { txn in
            let through = try knownSequence(txn, knownAt)
            let t = asOf.map(Timestamp.endOf)
            let policy = try policyInForce(txn, asOf: t, through: through)?.policy ?? .default
            // The filters and the assessment on either thread; the profile read in order.
            try forEachState(txn, asOf: t, through: through, threads: threads, map: { customer, s -> CustomerRowFigures? in
                var overdue: Int64 = 0
                var oldest: Day?
                for i in s.openInstallments where i.dueOn < day {
                    overdue += i.open
                    if oldest == nil || i.dueOn < oldest! { oldest = i.dueOn }
                }
                if filter.overLimit, s.totals.balance <= s.creditLimit { return nil }
                if filter.overdue, overdue == 0 { return nil }
                if let min = filter.dunningLevelMin, s.dunningLevel < min { return nil }
                if let c = filter.currency, s.currency.code != c { return nil }
                let a = CreditScoring.assess(s, customer: customer, policy: policy, on: day)
                if let grades = filter.grades, !grades.contains(a.grade) { return nil }
                return CustomerRowFigures(state: s, overdue: overdue, oldest: oldest, grade: a.grade, score: a.score)
            }) { customer, f in
                let text = try storedProfile(txn, customer) ?? ProfileText(name: "")
                if let search = filter.search, !search.matches(id: customer, name: text.name) { return }
                var row = CustomerRow(profile: CustomerProfile(id: customer, text: text, state: f.state), state: f.state, overdue: f.overdue,
                                      oldestOverdue: f.oldest, daysPastDue: f.oldest.map { day.days(since: $0) } ?? 0)
                (row.grade, row.score) = (f.grade, f.score)
                rows.append(row)
            }
        }
        switch filter.sort {
        case .customer: break
        case .balance:
            // Largest first, compared in major units (there is no FX here: across currencies
            // this is a ranking of face values; filter by --currency for a true one).
            rows.sort { a, b in
                let x = Int128(a.state.totals.balance) * Int128(b.state.currency.minorPerMajor)
                let y = Int128(b.state.totals.balance) * Int128(a.state.currency.minorPerMajor)
                return x != y ? x > y : a.profile.id.utf8.lexicographicallyPrecedes(b.profile.id.utf8)
            }
        case .oldestOverdue: rows.sort { ($0.daysPastDue, $1.profile.id) > ($1.daysPastDue, $0.profile.id) }
        }
        if let limit = filter.limit, rows.count > limit { rows.removeLast(rows.count - limit) }
        return rows
    }

    /// `events`: the log head; as of a date or known at a point, the events that count then.
    public func stats(asOf: Day?, today: Day, knownAt: KnownAt? = nil) throws -> PortfolioStats {
        try stats(asOf: asOf, today: today, knownAt: knownAt, threads: nil)
    }

    /// The same on `threads` threads (nil: `stateScanThreads`).
    func stats(asOf: Day?, today: Day, knownAt: KnownAt?, threads: Int?) throws -> PortfolioStats {
        let day = asOf ?? today
        var stats = PortfolioStats(asOf: day)
        var byCode: [String: PortfolioStats.CurrencyFigures] = [:]
        try env.read { txn in
            stats.events = try answeredThrough(txn)
            let asOfTime = asOf.map(Timestamp.endOf)
            let through = try knownSequence(txn, knownAt)
            let counted = asOfTime != nil || through != nil
            if counted { stats.events = 0 }
            try forEachState(txn, asOf: asOfTime, through: through, threads: threads, map: { _, s in
                StatsFigures(currency: s.currency, events: s.eventCount, overLimit: s.totals.balance > s.creditLimit,
                             inDunning: s.dunningLevel > 0, totals: s.totals,
                             overdue: s.aging(on: day, edges: []).dropFirst().reduce(0, +))
            }) { _, s in
                stats.customers += 1
                if counted { stats.events += UInt64(s.events) }
                if s.overLimit { stats.overLimit += 1 }
                if s.inDunning { stats.inDunning += 1 }
                var f = byCode[s.currency.code] ?? .init(currency: s.currency)
                f.customers += 1
                f.open += Int128(s.totals.open)
                f.unapplied += Int128(s.totals.unapplied)
                f.overdue += Int128(s.overdue)
                // A customer's weight is at most its late amount × the span of dates (checked
                // when decoded): 10^38 ÷ (9.3·10^18 × 3.7·10^6) customers before this sum could
                // overflow.
                f.lateWeighted += s.totals.lateWeighted
                f.lateAmount += Int128(s.totals.lateAmount)
                byCode[s.currency.code] = f
            }
        }
        stats.currencies = byCode.keys.sorted().map { byCode[$0]! }
        return stats
    }
}

/// What `customers` keeps of a customer that passed the filters (computed on either thread of
/// the scan).
struct CustomerRowFigures: Sendable {
    let state: CustomerState
    let overdue: Int64
    let oldest: Day?
    let grade: Grade
    let score: Int
}

/// What `stats` adds up of a customer (computed on either thread of the scan).
struct StatsFigures: Sendable {
    let currency: Currency
    let events: Int
    let overLimit: Bool
    let inDunning: Bool
    let totals: Totals
    let overdue: Int64
}
