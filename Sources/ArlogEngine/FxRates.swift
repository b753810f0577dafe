import ArlogDomain
import ArlogStorage

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
