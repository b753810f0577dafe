import ArgumentParser
import ArlogEngine
import ArlogRender

/// `arlog open C` and its alias `arlog invoices C`.
struct Open: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open",
        abstract: "A customer's open invoices and installments: due dates, days overdue, disputed amounts, dunning level.",
        discussion: """
            One row per open installment, in the order payments settle them (due date, issue \
            date, invoice id, installment): the invoice, the installment (n of m), issue and due \
            dates, amount and open amount, days overdue on the report date (--as-of, default \
            today in UTC; 0 when not yet due), the disputed part of the open amount, and the \
            dunning level. --all adds the installments with nothing open and says what became \
            of their invoice (paid, credited, written_off, settled by a mix, voided). \
            `arlog invoices` is the same command. Exit status 3 for an unknown customer.

            Example:
              arlog open ACME
              arlog invoices ACME --all --as-of 2025-03-31 --format csv
            """,
        aliases: ["invoices"]
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var asOfOptions: AsOfOptions
    @OptionGroup var knownAtOptions: KnownAtOptions
    @OptionGroup var formatOptions: FormatOptions

    @Flag(help: "Also list settled and voided installments, with what became of their invoice.")
    var all = false

    @Argument(help: ArgumentHelp("The customer id.", valueName: "customer"))
    var customer: String

    func validate() throws {
        try IdArgument.validate(customer: customer)
    }

    func run() throws {
        let store = try storeOptions.open()
        defer { store.close() }
        let report = try store.openItems(customer, asOf: asOfOptions.day, today: today(), all: all, knownAt: knownAtOptions.value)
        try Console.out(Render.openItems(report, format: formatOptions.output))
    }
}
