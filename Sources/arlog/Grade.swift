import ArgumentParser
import ArlogDomain
import ArlogEngine
import ArlogRender

struct GradeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grade",
        abstract: "Explain one customer's credit score and grade, factor by factor.",
        discussion: """
            Scores the customer on the report date (--as-of, default today in UTC) under the \
            credit policy in force then: for each of the six factors (payment behaviour, overdue \
            share, credit utilisation, dunning level, reversed payments, trading age) what was \
            measured, its points (0–100), its weight and its contribution to the score; then the \
            score, the grade and the policy; then the external assessment in force (feed v1.3's \
            customer.assessed: the latest by assessed_on, then log order, among the events with \
            `at` not after the report date): its bureau score and rating, fiscal year end, \
            figures and the ratios current ratio, debt ratio and equity share (rounded half away \
            from zero to hundredths), or `none`. --history adds every grade change: when, from → to, \
            the score, the event that caused it and which factors' points moved. json always \
            carries the history. Exit status 3 for an unknown customer.

            Example:
              arlog grade ACME
              arlog grade ACME --history --format json
              arlog grade ACME --as-of 2025-03-31
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var asOfOptions: AsOfOptions
    @OptionGroup var knownAtOptions: KnownAtOptions
    @OptionGroup var formatOptions: FormatOptions

    @Flag(help: "Also list the grade history: every change, its cause and the factors that moved.")
    var history = false

    @Argument(help: ArgumentHelp("The customer id.", valueName: "customer"))
    var customer: String

    func validate() throws {
        try IdArgument.validate(customer: customer)
    }

    func run() throws {
        let store = try storeOptions.open()
        defer { store.close() }
        let report = try store.grade(customer, asOf: asOfOptions.day, today: today(), knownAt: knownAtOptions.value)
        try Console.out(Render.grade(report, format: formatOptions.output, history: history))
    }
}
