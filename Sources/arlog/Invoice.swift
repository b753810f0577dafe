import ArgumentParser
import ArlogEngine
import ArlogRender

struct Invoice: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoice",
        abstract: "Show one invoice: its figures, installments, the payments applied to it, and its events.",
        discussion: """
            Installments are numbered from 1 in due order. Payments applied are the allocations \
            in force (reversed payments are not listed) with their days late. Events are every \
            event naming the invoice, and the payments that allocated to it, in log order. \
            Formats: table or json (one object: the header fields and "installments", \
            "payments", "events" arrays). Exit status 3 when the invoice is unknown (or not yet \
            issued as of --as-of, or known at --known-at).

            Example:
              arlog invoice INV-1 --as-of 2025-02-28
              arlog invoice INV-1 --known-at 120
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var asOfOptions: AsOfOptions
    @OptionGroup var knownAtOptions: KnownAtOptions
    @OptionGroup var formatOptions: FormatOptions

    @Argument(help: ArgumentHelp("The invoice id.", valueName: "invoice"))
    var invoice: String

    func validate() throws {
        try IdArgument.validate(invoice: invoice)
    }

    func run() throws {
        let store = try storeOptions.open()
        defer { store.close() }
        let detail = try store.invoice(invoice, asOf: asOfOptions.timestamp, knownAt: knownAtOptions.value)
        try Console.out(Render.invoice(detail, format: formatOptions.output))
    }
}
