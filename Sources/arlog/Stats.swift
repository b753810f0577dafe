import ArgumentParser
import ArlogEngine

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show portfolio figures: customers, events, over limit, in dunning, and totals per currency.",
        discussion: """
            Per currency: customers, open, unapplied, balance, overdue (open installments due \
            before the report date: --as-of, default today in UTC) and the amount-weighted \
            average days late. Formats: table or json.

            Example:
              arlog stats --format json
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var asOfOptions: AsOfOptions
    @OptionGroup var formatOptions: FormatOptions

    func run() throws {
        let store = try storeOptions.open()
        defer { store.close() }
        let stats = try store.stats(asOf: asOfOptions.day, today: today())
        Console.out(Render.stats(stats, format: formatOptions.output))
    }
}
