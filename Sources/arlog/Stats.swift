import ArgumentParser
import ArlogEngine
import ArlogRender

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show portfolio figures: customers, events, over limit, in dunning, and totals per currency.",
        discussion: """
            Per currency: customers, open, unapplied, balance, overdue (open installments due \
            before the report date: --as-of, default today in UTC) and the amount-weighted \
            average days late. Formats: table or json.

            Example:
              arlog stats --format json
              arlog stats --as-of 2025-03-31 --known-at 2025-04-05T12:00:00Z
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var asOfOptions: AsOfOptions
    @OptionGroup var knownAtOptions: KnownAtOptions
    @OptionGroup var formatOptions: FormatOptions

    func run() throws {
        let store = try storeOptions.open()
        defer { store.close() }
        let stats = try store.stats(asOf: asOfOptions.day, today: today(), knownAt: knownAtOptions.value)
        try Console.out(Render.stats(stats, format: formatOptions.output))
    }
}
