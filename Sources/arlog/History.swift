import ArgumentParser
import ArlogEngine

struct History: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List one customer's events in log order, with the balance after each.",
        discussion: """
            Columns: seq (log position), at (when it took effect), recorded_at (when it was \
            ingested), type, id, amount (the event's main amount, when it has one), balance_after, \
            dunning_level_after, actor, note. With --as-of, events whose `at` is later are left \
            out. json: {"customer","currency","events":[...]}. Exit status 3 for an unknown customer.

            Example:
              arlog history ACME --format csv
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var asOfOptions: AsOfOptions
    @OptionGroup var formatOptions: FormatOptions

    @Argument(help: ArgumentHelp("The customer id.", valueName: "customer"))
    var customer: String

    func run() throws {
        let store = try storeOptions.open()
        defer { store.close() }
        let (currency, entries) = try store.history(customer, asOf: asOfOptions.timestamp)
        Console.out(Render.history(customer: customer, currency: currency, entries: entries, format: formatOptions.output))
    }
}
