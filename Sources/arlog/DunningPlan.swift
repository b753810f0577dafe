import ArgumentParser
import ArlogDomain
import ArlogEngine
import ArlogRender

struct DunningPlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "List the dunning actions due: customer and name, invoices, amount, level, channel, why.",
        discussion: """
            One line per customer and level: the invoices that reached that level of the \
            policy's ladder and were not sent it yet, their open amount, the fee and interest \
            the level charges, and why. Disputed invoices and customers (or invoices) under a \
            pending promise are left out. Appends nothing; `arlog dunning run` logs the plan.

            Example:
              arlog dunning plan
              arlog dunning plan --as-of 2026-03-31 --format csv > dunning.csv
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var asOfOptions: AsOfOptions
    @OptionGroup var formatOptions: FormatOptions

    func run() throws {
        let store = try storeOptions.open()
        defer { store.close() }
        let plan = try store.dunningPlan(asOf: asOfOptions.day, today: today())
        try Console.out(Render.dunningPlan(plan, format: formatOptions.output))
    }
}
