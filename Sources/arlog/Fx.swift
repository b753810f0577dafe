import ArgumentParser
import ArlogDomain
import ArlogEngine
import ArlogRender

struct Fx: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fx",
        abstract: "List the exchange rates in force on a date (feed v1.3's fx.rate).",
        discussion: """
            For every (currency, base) pair in the log, the rate in force on --on (default \
            today in UTC): the fx.rate with the latest `on` not after that date, then the \
            latest in log order (the contract; the event's `at` plays no part: a rate may be \
            published in advance or keyed in later). One unit of `currency` is worth `rate` \
            units of `base`; the rate is printed as the feed wrote it. Ordered by currency, \
            then base. Only direct rates: no inverse or cross rate is derived.

            Example:
              arlog fx
              arlog fx --on 2025-03-31 --format json
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions

    @Option(help: ArgumentHelp("The date whose rates are listed (UTC; default today).", valueName: "yyyy-mm-dd"))
    var on: String?

    func validate() throws {
        if let on, Day(parsing: on) == nil {
            throw ValidationError("--on: \"\(on)\" is not a valid date YYYY-MM-DD")
        }
    }

    func run() throws {
        let day = on.flatMap { Day(parsing: $0) } ?? today()
        let store = try storeOptions.open()
        defer { store.close() }
        try Console.out(Render.fxRates(try store.fxRates(on: day), on: day, format: formatOptions.output))
    }
}
