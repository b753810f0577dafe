/// Feed v1.3's exchange rates: log-wide data, kept like the policy history (never in a
/// customer's state).

/// An `fx.rate` event of the log (feed v1.3): one unit of `currency` is worth `rate` units of
/// `base` from `on`.
public struct FxRateEntry: Sendable, Equatable {
    public let seq: UInt64
    public let id: String
    public let at: Timestamp
    public let currency: Currency
    public let base: Currency
    public let rate: ExchangeRate
    public let on: Day
    public let actor: String?
    public let note: String?

    public init(seq: UInt64, id: String, at: Timestamp, currency: Currency, base: Currency, rate: ExchangeRate, on: Day, actor: String?,
                note: String?) {
        self.seq = seq
        self.id = id
        self.at = at
        self.currency = currency
        self.base = base
        self.rate = rate
        self.on = on
        self.actor = actor
        self.note = note
    }
}

/// The rates of a log, in log order, and the one in force for a pair on a day (the contract:
/// the latest `on` ≤ D, then log order). Log-wide data kept like the policy history: read from
/// the log through the `globals` index, never from a customer's state.
public struct FxRateTable: Sendable {
    public private(set) var entries: [FxRateEntry]

    public init(_ entries: [FxRateEntry] = []) {
        self.entries = entries
    }

    /// Adds the next rate of the log (log order).
    public mutating func append(_ e: FxRateEntry) { entries.append(e) }

    /// The rate in force for `currency` in `base` on `day`: among the rates of the pair with
    /// `on` ≤ day, the latest `on`, then the latest in log order. `at` plays no part (a rate
    /// may be published in advance, or keyed in later for an earlier day).
    public func rate(currency: Currency, base: Currency, on day: Day) -> FxRateEntry? {
        var best: FxRateEntry?
        for e in entries where e.currency == currency && e.base == base && e.on <= day {
            // Log order: a later entry with the same `on` takes its place.
            if best.map({ e.on >= $0.on }) ?? true { best = e }
        }
        return best
    }

    /// Every pair's rate in force on `day`, ordered by currency, then base (codes).
    public func rates(on day: Day) -> [FxRateEntry] {
        var best: [Pair: FxRateEntry] = [:]
        for e in entries where e.on <= day {
            let key = Pair(currency: e.currency.packed, base: e.base.packed)
            if best[key].map({ e.on >= $0.on }) ?? true { best[key] = e }
        }
        return best.values.sorted { ($0.currency.code, $0.base.code) < ($1.currency.code, $1.base.code) }
    }

    struct Pair: Hashable {
        let currency: UInt32
        let base: UInt32
    }
}

