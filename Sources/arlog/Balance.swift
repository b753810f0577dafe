import ArgumentParser
import ArlogEngine
import ArlogRender

struct Balance: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "balance",
        abstract: "Show one customer's balance figures.",
        discussion: """
            open, unapplied, balance (= open − unapplied), credit limit, available, over_limit, \
            invoiced, credited, paid, written off, voided, average days late and dunning level; \
            the disputed amount, the promises kept and broken and the pending promise, judged \
            on the --as-of date (default today in UTC). \
            `--format json` prints the contract's balance object (shared/spec/events-v1.md) on \
            one line. Exit status 3 when the customer is not in the store (or not yet registered \
            as of --as-of, or known at --known-at).

            Example:
              arlog balance ACME --as-of 2025-02-28 --format json
              arlog balance ACME --as-of 2025-03-31 --known-at 2025-04-05
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var asOfOptions: AsOfOptions
    @OptionGroup var knownAtOptions: KnownAtOptions
    @OptionGroup var formatOptions: FormatOptions

    @Argument(help: ArgumentHelp("The customer id.", valueName: "customer"))
    var customer: String

    func validate() throws {
        try IdArgument.validate(customer: customer)
    }

    func run() throws {
        let store = try storeOptions.open()
        defer { store.close() }
        let report = try store.balance(customer, asOf: asOfOptions.timestamp, knownAt: knownAtOptions.value, today: today())
        try Console.out(Render.balance(report, format: formatOptions.output))
    }
}
