import ArgumentParser
import ArlogDomain
import ArlogEngine
import ArlogRender

struct Aging: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aging",
        abstract: "Show open receivables by days past due, per customer and per currency.",
        discussion: """
            Every open installment goes into a bucket by days past due on the report date \
            (--as-of, default today in UTC): `current` (not yet due), then one bucket per \
            --buckets edge, then the rest. Unapplied credit is shown beside; total = sum of the \
            buckets − unapplied. Customers with nothing open and no unapplied credit are left \
            out. The table and csv show each customer's name beside its id and end with one \
            TOTAL row per currency (the JSON is the contract's object, without names).

            Example:
              arlog aging --as-of 2025-03-31 --buckets 15,30,60
              arlog aging --as-of 2025-03-31 --known-at 2025-04-05
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var asOfOptions: AsOfOptions
    @OptionGroup var knownAtOptions: KnownAtOptions
    @OptionGroup var formatOptions: FormatOptions

    static let edgesMax = 20
    static let edgeMax = 36_500

    @Option(
        help: ArgumentHelp(
            "Bucket edges in days: strictly increasing positive integers, comma-separated (default 30,60,90).",
            valueName: "days,..."))
    var buckets: String?

    /// The parsed edges, or the reason they are not valid.
    static func edges(_ text: String) -> Result<[Int], ValidationError> {
        var edges: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = part.trimmingSpaces
            guard let edge = Int(item), edge > 0, edge <= edgeMax else {
                return .failure(ValidationError("--buckets: \"\(item)\" is not a whole number of days between 1 and \(edgeMax)"))
            }
            if let last = edges.last, edge <= last {
                return .failure(ValidationError("--buckets: edges must be strictly increasing (\(edge) after \(last))"))
            }
            edges.append(edge)
        }
        guard edges.count <= edgesMax else { return .failure(ValidationError("--buckets: at most \(edgesMax) edges")) }
        return .success(edges)
    }

    func validate() throws {
        if let buckets { _ = try Aging.edges(buckets).get() }
    }

    func run() throws {
        let edges = try buckets.map { try Aging.edges($0).get() } ?? ArlogDomain.Aging.defaultEdges
        let store = try storeOptions.open()
        defer { store.close() }
        let report = try store.aging(asOf: asOfOptions.day, today: today(), edges: edges, knownAt: knownAtOptions.value)
        let format = formatOptions.output
        // Names only for the rows printed, and none for the contract's JSON.
        let names = format == .json ? [] : try store.names(report.customers.compactMap(\.customer))
        try Console.out(Render.aging(report, format: format, names: names))
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}
