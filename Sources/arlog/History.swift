import ArgumentParser
import ArlogEngine
import ArlogRender

struct History: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List one customer's events in log order, with the balance after each.",
        discussion: """
            Columns: seq (log position), at (when it took effect), recorded_at (when it was \
            ingested; to the second in the table unless --precise), type, id, amount (the event's main amount, when it has one), balance_after, \
            dunning_level_after, actor, note. With --as-of, events whose `at` is later are left \
            out; with --known-at, events recorded later. --changes adds, after \
            dunning_level_after, what each event changed in the customer's figures (after − \
            before, signed): d_open, d_unapplied, d_balance, d_overdue (open installments due \
            before the event's UTC date) and d_dunning. json: {"customer","currency","events":[...]}. \
            Exit status 3 for an unknown customer.

            Example:
              arlog history ACME --format csv
              arlog history ACME --changes --known-at 2025-04-05
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var asOfOptions: AsOfOptions
    @OptionGroup var knownAtOptions: KnownAtOptions
    @OptionGroup var formatOptions: FormatOptions

    @Flag(help: "Add what each event changed: d_open, d_unapplied, d_balance, d_overdue, d_dunning.")
    var changes = false

    @Flag(help: "Show recorded_at to the microsecond in the table (csv and json always are).")
    var precise = false

    @Argument(help: ArgumentHelp("The customer id.", valueName: "customer"))
    var customer: String

    func validate() throws {
        try IdArgument.validate(customer: customer)
    }

    func run() throws {
        let store = try storeOptions.open()
        defer { store.close() }
        let (currency, entries) = try store.history(customer, asOf: asOfOptions.timestamp, knownAt: knownAtOptions.value)
        try Console.out(Render.history(customer: customer, currency: currency, entries: entries, format: formatOptions.output, changes: changes,
                                        precise: precise))
    }
}
