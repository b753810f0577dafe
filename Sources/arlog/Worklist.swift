import ArgumentParser
import ArlogDomain
import ArlogEngine
import ArlogRender

#if canImport(Glibc)
    import Glibc
#endif

struct Worklist: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worklist",
        abstract: "Today's calls: the customers worth most to chase, in order, each with its reason, name and contact.",
        discussion: """
            Every customer with something to chase on the report date (--as-of, default today \
            in UTC): an installment past due, a promise broken or falling due that day, a dispute \
            waiting for a decision. Ordered by priority: the overdue amount weighted by age \
            (×1 for 1-30 days, ×2 31-60, ×3 61-90, ×4 91+) and by risk (×(200 − score)/100), \
            plus 3× the amount of broken promises, plus the amount promised for the day and \
            the amount disputed (docs/cli.md has the whole formula). Each line has the \
            customer's name, contact and email, and its reasons, the heaviest first.

            --collector X lists only X's customers, as the assignment file says (--assignments \
            FILE, else $ARLOG_COLLECTORS): customers by id, id prefixes (longest wins), a \
            default; see docs/cli.md for its format. With an assignment file every line shows \
            its collector.

            Example:
              arlog worklist --limit 25
              arlog worklist --collector alice --assignments collectors.json --format csv
            """
    )

    static let environmentVariable = "ARLOG_COLLECTORS"
    /// Largest assignment file read: far above any team's list (a million 64-character ids is
    /// about 70 MB of JSON), and a bound on what a wrong path makes us read.
    static let assignmentBytesMax = 128 << 20

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var asOfOptions: AsOfOptions
    @OptionGroup var formatOptions: FormatOptions

    @Option(help: ArgumentHelp("Only this collector's customers (needs an assignment file).", valueName: "name"))
    var collector: String?

    @Option(help: ArgumentHelp("The collector assignment file (JSON; default $ARLOG_COLLECTORS).", valueName: "file"))
    var assignments: String?

    @Option(help: ArgumentHelp("At most this many lines (the first in order).", valueName: "n"))
    var limit: Int?

    func validate() throws {
        if let limit, limit <= 0 { throw ValidationError("--limit must be greater than 0, not \(limit)") }
        if let collector, !EventDecoder.isIdentifier(collector, max: CollectorAssignments.nameCharsMax) {
            throw ValidationError("--collector: a collector name is 1–\(CollectorAssignments.nameCharsMax) characters of A-Z a-z 0-9 . _ : -")
        }
    }

    /// The assignment file named by --assignments or $ARLOG_COLLECTORS (nil: none).
    var assignmentPath: String? {
        if let assignments { return assignments }
        if let p = getenv(Worklist.environmentVariable), let path = String(validatingCString: p), !path.isEmpty { return path }
        return nil
    }

    func run() throws {
        var table: CollectorAssignments?
        if let path = assignmentPath {
            let bytes = try readFile(path, max: Worklist.assignmentBytesMax)
            do {
                table = try CollectorAssignments.parse(bytes)
            } catch {
                throw EngineError(.usage, "\(path): invalid collector assignments: \(error.message)")
            }
        }
        if let collector {
            guard let table else {
                throw EngineError(.usage, "--collector \(collector): no assignment file (give --assignments FILE or set $\(Worklist.environmentVariable))")
            }
            if !table.collectors.contains(collector) {
                Console.error("arlog: note: the assignment file names no collector \"\(collector)\" (it names \(table.collectors.joined(separator: ", ")))")
            }
        }
        let store = try storeOptions.open()
        defer { store.close() }
        let report = try store.worklist(asOf: asOfOptions.day, today: today(), collector: collector, assignments: table, limit: limit)
        try Console.out(Render.worklist(report, format: formatOptions.output))
    }
}
