import ArgumentParser
import ArlogDomain
import ArlogEngine
import ArlogRender

struct Statement: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "statement",
        abstract: "One customer's statement of account for a period.",
        discussion: """
            The opening balance (as of the end of the day before --from), every invoice, credit \
            note, adjustment, void, write-off, payment and reversal whose `at` falls in the \
            period (UTC days, in order of `at`) with the balance after each, the closing \
            balance (as of the end of --to: the same figure as `arlog balance --as-of TO`), and \
            the aging as of --to. Each line's amount is the change it made to the as-of \
            balance, so opening + amounts = closing even for events keyed in late. \
            Line types: invoice, credit_note, adjustment, void, write_off, payment, reversal; \
            csv adds an `opening` first row and a `closing` last row. Exit status 3 for an \
            unknown customer (or one not registered by --to).

            Example:
              arlog statement ACME --from 2025-01-01 --to 2025-03-31 --format csv
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions

    @Argument(help: ArgumentHelp("The customer id.", valueName: "customer"))
    var customer: String

    @Option(help: ArgumentHelp("First day of the period (UTC).", valueName: "yyyy-mm-dd"))
    var from: String

    @Option(help: ArgumentHelp("Last day of the period (UTC).", valueName: "yyyy-mm-dd"))
    var to: String

    func validate() throws {
        try IdArgument.validate(customer: customer)
        guard let f = Day(parsing: from) else { throw ValidationError("--from: \"\(from)\" is not a valid date YYYY-MM-DD") }
        guard let t = Day(parsing: to) else { throw ValidationError("--to: \"\(to)\" is not a valid date YYYY-MM-DD") }
        if t < f { throw ValidationError("--to (\(to)) is before --from (\(from))") }
    }

    func run() throws {
        let store = try storeOptions.open()
        defer { store.close() }
        let statement = try store.statement(customer, from: Day(parsing: from)!, to: Day(parsing: to)!)
        try Console.out(Render.statement(statement, format: formatOptions.output))
    }
}
