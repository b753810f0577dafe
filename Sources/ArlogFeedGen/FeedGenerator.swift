import ArlogDomain

/// Drives the simulation: registers customers over the first third of the feed, moves the clock
/// forward, and gives one customer a turn per event. All state is bounded per customer (see
/// `Ledger` and `Customer`), and the output is drained in `bufferBytes` chunks, so memory does
/// not grow with the number of events.
///
/// A library (not only the `arlog-feedgen` command) so that tests and benchmarks can make
/// feeds in process.
public struct FeedGenerator {
    static let bufferBytes = 1 << 20
    /// Each customer should see about one event per this many simulated seconds.
    static let customerTurnIntervalSeconds: Int64 = 4 * 86_400
    /// Mean clock step between two events, at most.
    static let stepSecondsMax: Int64 = 4 * 3600
    /// The whole feed spans at most this long, however many events.
    static let spanSecondsMax: Int64 = 60 * 365 * 86_400

    let eventCount: Int
    let customerCount: Int
    private(set) var customers: [Customer] = []
    private var emitter: Emitter
    private let meanStepSeconds: Int64

    /// `shapes`: the other spellings and shapes the contract allows (`FeedShapes`); the
    /// default, none, writes the plain feed that benchmarks and the demo use.
    public init(events: Int, customers: Int, seed: UInt64, start: Day, audit: Bool = false, shapes: FeedShapes = .plain) {
        precondition(events >= 0 && customers >= 1)
        eventCount = events
        customerCount = customers
        emitter = Emitter(seed: seed, start: start, bufferBytes: FeedGenerator.bufferBytes)
        emitter.audit = audit
        emitter.shapes = shapes
        var step = max(1, FeedGenerator.customerTurnIntervalSeconds / Int64(customers))
        step = min(step, FeedGenerator.stepSecondsMax, FeedGenerator.spanSecondsMax / Int64(max(events, 1)))
        meanStepSeconds = step
    }

    /// Lines written besides the events, by the `duplicates` and `blank-lines` shapes.
    public var duplicateLines: Int { emitter.duplicateLines }
    public var blankLines: Int { emitter.blankLines }

    /// Writes all events to `sink`, `bufferBytes` at a time.
    public mutating func run(_ write: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        let initial = min(customerCount, max(1, customerCount / 10))
        let ramp = max(1, eventCount / 3)
        for i in 0..<eventCount {
            if i > 0 { emitter.advance(seconds: Int64(emitter.rng.below(Int(2 * meanStepSeconds + 1)))) }
            let registered = customers.count
            let wanted = min(customerCount, initial + (customerCount - initial) * min(i, ramp) / ramp)
            if registered < wanted {
                customers.append(Customer.register(index: Int32(registered), &emitter))
            } else if emitter.rng.chance(perMille: FeedGenerator.fxRatePerMille) {
                emitFxRate()
            } else {
                let c = pickCustomer(registered)
                customers[c].takeTurn(&emitter)
            }
            if emitter.count >= FeedGenerator.bufferBytes {
                try write(emitter.bytes)
                emitter.drain()
            }
        }
        if emitter.count > 0 {
            try write(emitter.bytes)
            emitter.drain()
        }
    }

    /// Feed v1.3: turns that publish an exchange rate instead of a customer's event.
    static let fxRatePerMille = 6
    /// Fraction digits of the generated rates (the contract allows up to 10).
    static let fxRateFractionDigits = 8

    /// `fx.rate` (log-wide): one unit of a customer currency in EUR (or EUR in USD), near the
    /// generator's own conversion, jittered by up to ±5 %; `on` today, now and then a day ahead
    /// (published in advance) or a few days back.
    private mutating func emitFxRate() {
        let profiles = Vocabulary.currencies
        let i = 1 + emitter.rng.below(profiles.count - 1)  // not EUR (the first)
        let p = emitter.rng.chance(perMille: 100) ? profiles[1] : profiles[i]
        let euroToUSD = p.code.description == "USD" && emitter.rng.chance(perMille: 100)
        // One major unit of X is 10^digits × den / (num × 100) euros; in 10^-8 units.
        let digits = Money.powersOfTen[p.fractionDigits]
        let scale = Money.powersOfTen[FeedGenerator.fxRateFractionDigits]
        var units = euroToUSD ? scale * p.perEuroCentNumerator / p.perEuroCentDenominator
            : digits * p.perEuroCentDenominator * scale / (p.perEuroCentNumerator * 100)
        units = max(1, units * Int64(emitter.rng.between(950, 1050)) / 1000)
        emitter.beginLogWide("fx.rate")
        if euroToUSD {
            emitter.string("currency", "EUR")
            emitter.string("base", "USD")
        } else {
            emitter.string("currency", p.code)
            emitter.string("base", "EUR")
        }
        emitter.decimalText("rate", units, fractionDigits: FeedGenerator.fxRateFractionDigits)
        let shift: Int32 = emitter.rng.chance(perMille: 100) ? 1 : (emitter.rng.chance(perMille: 100) ? -Int32(emitter.rng.between(1, 5)) : 0)
        emitter.date("on", emitter.eventDay + shift)
        emitter.end(actors: ["fx-feed", "treasury"], actorPerMille: 300, notes: ["ECB reference rate", "month-end rate"], notePerMille: 100)
        emitter.finish()
    }

    /// Mostly uniform; sometimes skewed toward the customers registered first (the big accounts).
    private mutating func pickCustomer(_ registered: Int) -> Int {
        let a = emitter.rng.below(registered)
        if emitter.rng.chance(perMille: 600) { return a }
        return a * emitter.rng.below(registered) / registered
    }
}
