import ArlogDomain
import ArlogStorage

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
}

/// The rates of a log, in log order, and the one in force for a pair on a day (the contract:
/// the latest `on` ≤ D, then log order). Log-wide data kept like the policy history: read from
/// the log through the `globals` index, never from a customer's state.
public struct FxRateTable: Sendable {
    public let entries: [FxRateEntry]

    public init(_ entries: [FxRateEntry]) {
        self.entries = entries
    }

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

extension Store {
    /// The rate in force for `currency` in `base` on `day` (the contract: the latest `on` ≤ day,
    /// then log order); nil when the log has none. `knownAt`: as the log stood then.
    public func fxRate(currency: Currency, base: Currency, on day: Day, knownAt: KnownAt? = nil) throws -> FxRateEntry? {
        try fxRateTable(knownAt: knownAt).rate(currency: currency, base: base, on: day)
    }

    /// Every pair's rate in force on `day`, ordered by currency, then base.
    public func fxRates(on day: Day, knownAt: KnownAt? = nil) throws -> [FxRateEntry] {
        try fxRateTable(knownAt: knownAt).rates(on: day)
    }

    /// Every `fx.rate` of the log (up to `knownAt`), in log order.
    public func fxRateTable(knownAt: KnownAt? = nil) throws -> FxRateTable {
        try env.read { txn in FxRateTable(try fxRateEntries(txn, through: try knownSequence(txn, knownAt))) }
    }

    /// The `fx.rate` events up to `through`: the `globals` index names the log-wide events;
    /// only the rates among them are read, from their binary forms.
    func fxRateEntries(_ txn: ReadTransaction, through: UInt64?) throws -> [FxRateEntry] {
        var seqs: [UInt64] = []
        try txn.scan(globals, from: nil) { key, value in
            guard let seq = UInt64(bigEndianBytes: key) else { throw Store.corrupt(globals, "a key of \(key.count) bytes", StoredDataError("not a log position")) }
            if let through, seq > through { return false }
            if value.first == EventType.fxRate.rawValue { seqs.append(seq) }
            return true
        }
        var entries: [FxRateEntry] = []
        entries.reserveCapacity(seqs.count)
        for seq in seqs {
            let entry = try withRecord(txn, seq) { view -> FxRateEntry? in
                let e: LoggedEvent
                do {
                    e = try view.logged()
                } catch {
                    throw Store.corrupt(log, seq: seq, error)
                }
                guard case .fxRate(let currency, let base, let rate, let on) = e.body else { return nil }
                return FxRateEntry(seq: seq, id: view.id, at: e.at, currency: currency, base: base, rate: rate, on: on,
                                   actor: e.actor?.utf8String, note: e.note?.utf8String)
            }
            guard let entry else { throw Store.corrupt(globals, "log position \(seq)", StoredDataError("names an event that is not an exchange rate")) }
            entries.append(entry)
        }
        return entries
    }
}
