import ArgumentParser
import ArlogDomain
import ArlogEngine
import ArlogRender

#if canImport(Glibc)
    import Glibc
#endif

/// `arlog report`: the HTML reports (docs/report.md). With --customer, one customer's report;
/// without it, the portfolio report (not built yet: a usage error says so).
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a report as one self-contained HTML file (inline CSS and SVG charts; prints to PDF).",
        discussion: """
            With --customer C: the customer's profile, balance figures and aging (a stacked bar \
            of its buckets), its credit score over the last 12 months with every grade change \
            marked, the factors, days late per paid invoice (the last 24), dunning actions, \
            contacts, promises and disputes, and its statement of account for the last 3 \
            months, all as of the end of --as-of (default today, UTC). Without --customer: the \
            portfolio report, which is not built yet (exit status 2). The page loads nothing \
            from elsewhere: open it in a browser or print it to PDF. `--out -` writes the page \
            to standard output. Exit status 3 for an unknown customer (or one not registered \
            by --as-of).

            Example:
              arlog report --customer ACME --out ACME.html
              arlog report --customer ACME --as-of 2025-03-31 --out ACME-q1.html
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var asOfOptions: AsOfOptions

    @Option(help: ArgumentHelp("The customer to report on; without it, the portfolio report (not yet available).", valueName: "customer"))
    var customer: String?

    @Option(help: ArgumentHelp("The HTML file to write (created or replaced); - for standard output.", valueName: "file"))
    var out: String

    func validate() throws {
        guard let customer else {
            throw ValidationError("the portfolio report (arlog report without --customer) is not available yet; use --customer C for one customer's report")
        }
        try IdArgument.validate(customer: customer)
        if out.isEmpty { throw ValidationError("--out: give a file name (or - for standard output)") }
    }

    func run() throws {
        guard let customer else { return }
        let store = try storeOptions.open()
        defer { store.close() }
        let report = try store.customerReport(customer, asOf: asOfOptions.day, today: today())
        let html = CustomerReportPage.html(report, generator: "arlog \(ArlogVersion.number)")
        if out == "-" {
            try Console.out(html)
            return
        }
        // Written beside the target and renamed over it: a failed write (a full disk) leaves
        // the previous report whole, never half a page.
        let temporary = out + ".tmp-\(getpid())"
        do {
            try Output.writeFile(temporary, html)
        } catch {
            unlink(temporary)
            throw error
        }
        if rename(temporary, out) != 0 {
            let code = errno
            unlink(temporary)
            throw Output.failure(out, code)
        }
    }
}
