import ArgumentParser
import ArlogDomain
import ArlogEngine
import ArlogRender

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Credit check of an order: approve, review or hold, with each rule's reason.",
        discussion: """
            Applies the credit policy's rules to an order of --amount (in the customer's \
            currency, > 0) on the report date (--as-of, default today in UTC): the grade, the \
            oldest overdue installment, the dunning level, and the utilisation after the order. \
            The decision is the worst of the rules'. Prints the result, then exits with a status \
            billing can branch on: 0 approve, 10 review, 11 hold (3 for an unknown customer, \
            2 for a bad amount).

            Example:
              arlog check ACME --amount 2500.00
              arlog check ACME --amount 2500.00 --format json || echo "not approved: $?"
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var asOfOptions: AsOfOptions
    @OptionGroup var knownAtOptions: KnownAtOptions
    @OptionGroup var formatOptions: FormatOptions

    @Option(help: ArgumentHelp("The order amount in the customer's currency, e.g. 2500.00.", valueName: "amount"))
    var amount: String

    @Argument(help: ArgumentHelp("The customer id.", valueName: "customer"))
    var customer: String

    func validate() throws {
        try IdArgument.validate(customer: customer)
        if (try? DecimalText(parsing: amount)) == nil {
            throw ValidationError("--amount: \"\(amount)\" is not a decimal amount (e.g. 2500.00)")
        }
    }

    func run() throws {
        let store = try storeOptions.open()
        defer { store.close() }
        let result = try store.creditCheck(customer, amount: amount, asOf: asOfOptions.day, today: today(), knownAt: knownAtOptions.value)
        let name = try store.names([customer])[0]
        try Console.out(Render.check(result, format: formatOptions.output, name: name))
        if result.decision.exitCode != Arlog.Exit.ok { throw ExitCode(result.decision.exitCode) }
    }
}
