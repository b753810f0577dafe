import ArgumentParser
import ArlogDomain
import ArlogEngine
import ArlogRender

/// `arlog customers import FILE.csv`: customer master data from a spreadsheet into events.
struct CustomersImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Register and update customers from a CSV file.",
        discussion: """
            The file has a header row naming its columns, in any order: id, name, currency, \
            terms_days, credit_limit (required), industry, contact, email, registered_on \
            (optional); an unknown column is an error. Per row: a customer.registered for a \
            customer not in the store; else a customer.updated with the fields that differ \
            (an empty cell changes nothing) and a credit_limit.changed when the limit \
            differs; nothing for an unchanged row, so importing the same file again logs \
            nothing. A row with a problem is reported by row number (the header is row 1) and \
            column, and left out; with --atomic nothing is logged unless every row is good. \
            Event ids are import.<--at as yyyyMMddTHHmmss>.<customer>.<registered|updated|limit>. \
            The store is created when it is missing, as by ingest. Exit status 1 when any row \
            has a problem.

            Example:
              arlog customers import customers.csv --dry-run
              arlog customers import customers.csv --atomic --note "CRM export 2026-12"
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var eventOptions: OwnEventOptions
    @OptionGroup var formatOptions: FormatOptions

    @Argument(help: ArgumentHelp("The CSV file (UTF-8; a byte order mark is accepted).", valueName: "file"))
    var file: String

    @Flag(help: "Only say what would be logged.")
    var dryRun = false

    @Flag(help: "All or nothing: log nothing unless every row is good and every event accepted.")
    var atomic = false

    func validate() throws {
        if eventOptions.id != nil {
            throw ValidationError("--id: an import logs one event per change; their ids are import.<at>.<customer>.<kind>")
        }
    }

    func run() throws {
        // Like ingest, an import creates the store when it is missing (a new system's first
        // step is its customer master data); with --dry-run too, so that the plan can be read
        // before anything is logged.
        let store = try storeOptions.openForWriting("customers import", create: true)
        defer { store.close() }
        let result = try store.importCustomers(path: file, at: eventOptions.timestamp, actor: eventOptions.actorName,
                                               note: eventOptions.note, atomic: atomic, dryRun: dryRun)
        for p in result.problems { Console.error("arlog: \(file): \(p.description)") }
        try Console.out(Render.customerImport(result, dryRun: dryRun, format: formatOptions.output))
        if !result.problems.isEmpty { throw ExitCode(Arlog.Exit.rejected) }
    }
}
