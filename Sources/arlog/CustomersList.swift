import ArgumentParser
import ArlogDomain
import ArlogEngine
import ArlogRender

/// `arlog customers` (and `arlog customers list`): the customer listing.
struct CustomersList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List customers with their balance, credit and overdue figures.",
        discussion: """
            One row per customer registered as of the report date (--as-of, default today in \
            UTC): balance, credit limit, available credit, whether over the limit, the amount \
            overdue (open installments due before the report date), the oldest overdue due date \
            and its days past due, the dunning level, the average days late, and the credit grade \
            and score (the risk projection's; as of a past date, the grade of the last grade \
            change by then and the score it was given). Filters combine (all must hold). \
            --search TEXT keeps the customers whose id or name contains TEXT, ignoring case \
            (Unicode lower-case mapping; accents are not ignored: docs/cli.md).

            Example:
              arlog customers --overdue --sort oldest-overdue --limit 20
              arlog customers --grade D,E --sort balance
              arlog customers --search "müller"
              arlog customers --as-of 2025-03-31 --known-at 2025-04-05
            """
    )

    enum SortKey: String, ExpressibleByArgument, CaseIterable {
        case customer, balance
        case oldestOverdue = "oldest-overdue"
    }

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var asOfOptions: AsOfOptions
    @OptionGroup var knownAtOptions: KnownAtOptions
    @OptionGroup var formatOptions: FormatOptions

    @Flag(help: "Only customers whose balance is over their credit limit.")
    var overLimit = false

    @Flag(help: "Only customers with an installment past due.")
    var overdue = false

    @Option(help: ArgumentHelp("Only customers at this dunning level or higher (0–4).", valueName: "n"))
    var dunningLevel: Int?

    @Option(help: ArgumentHelp("Only customers in this currency (ISO 4217 code).", valueName: "code"))
    var currency: String?

    @Option(help: ArgumentHelp("Only customers with one of these credit grades, e.g. C,D,E.", valueName: "grades"))
    var grade: String?

    @Option(help: ArgumentHelp("Only customers whose id or name contains this text (ignoring case).", valueName: "text"))
    var search: String?

    @Option(help: "Order: customer (id), balance (largest first), oldest-overdue (most days past due first).")
    var sort: SortKey = .customer

    @Option(help: ArgumentHelp("At most this many rows.", valueName: "n"))
    var limit: Int?

    func validate() throws {
        if let dunningLevel, !(0...4).contains(dunningLevel) {
            throw ValidationError("--dunning-level must be 0 to 4, not \(dunningLevel)")
        }
        if let currency, Currency(code: currency.uppercased()) == nil {
            throw ValidationError("--currency: \"\(currency)\" is not a known ISO 4217 currency code")
        }
        if let search, search.isEmpty { throw ValidationError("--search: the text is empty") }
        if let limit, limit <= 0 { throw ValidationError("--limit must be greater than 0, not \(limit)") }
        if let grade, CustomersList.grades(grade) == nil {
            throw ValidationError("--grade: \"\(grade)\" is not a comma-separated list of grades A–E (e.g. C,D,E)")
        }
    }

    /// "C,D,e" → {C, D, E}; nil when any item is not a grade.
    static func grades(_ text: String) -> Set<Grade>? {
        var out: Set<Grade> = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let g = Grade(letter: item.trimmingSpaces.uppercased()) else { return nil }
            out.insert(g)
        }
        return out
    }

    func run() throws {
        var filter = CustomerFilter()
        filter.overLimit = overLimit
        filter.overdue = overdue
        filter.dunningLevelMin = dunningLevel
        filter.currency = currency?.uppercased()
        filter.limit = limit
        filter.grades = grade.flatMap(CustomersList.grades)
        filter.search = search.map(CustomerSearch.init)
        switch sort {
        case .customer: filter.sort = .customer
        case .balance: filter.sort = .balance
        case .oldestOverdue: filter.sort = .oldestOverdue
        }
        let store = try storeOptions.open()
        defer { store.close() }
        let rows = try store.customers(filter, asOf: asOfOptions.day, today: today(), knownAt: knownAtOptions.value)
        try Console.out(Render.customers(rows, format: formatOptions.output))
    }
}
