import ArgumentParser
import ArlogDomain
import ArlogEngine
import ArlogRender

struct Portfolio: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portfolio",
        abstract: "Portfolio figures per currency: open, overdue, DSO, best possible DSO, ADD, CEI, days late, grades, write-offs, top debtors.",
        discussion: """
            On one date (--as-of, default today in UTC) or, with --monthly FROM TO (YYYY-MM), \
            at each month end from FROM's through TO's. --by groups the customers of each \
            currency by industry or grade. CEI and written off cover the month to date \
            (--cei-months N: N months to date). Every formula: docs/analytics.md.

            Example:
              arlog portfolio --as-of 2025-03-31 --by grade
              arlog portfolio --monthly 2024-01 2025-12 --format csv
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var asOfOptions: AsOfOptions
    @OptionGroup var knownAtOptions: KnownAtOptions
    @OptionGroup var formatOptions: FormatOptions

    @Option(help: ArgumentHelp("Group each currency's customers by industry, grade or currency (one group).", valueName: "industry|grade|currency"))
    var by: By = .currency

    enum By: String, ExpressibleByArgument, CaseIterable {
        case currency, industry, grade

        var grouping: PortfolioGrouping {
            switch self {
            case .currency: .currency
            case .industry: .industry
            case .grade: .grade
            }
        }
    }

    @Option(parsing: .upToNextOption,
            help: ArgumentHelp("Month ends from FROM's month through TO's instead of one date.", valueName: "YYYY-MM"))
    var monthly: [String] = []

    @Option(help: ArgumentHelp("Months of the CEI (and written-off) period, to the report date: 1 is the month to date.", valueName: "n"))
    var ceiMonths = 1

    func validate() throws {
        guard monthly.isEmpty || monthly.count == 2 else { throw ValidationError("--monthly takes two months, FROM and TO (YYYY-MM)") }
        if !monthly.isEmpty {
            guard asOfOptions.asOf == nil else { throw ValidationError("--monthly and --as-of exclude each other") }
            guard let from = Portfolio.month(monthly[0]), let to = Portfolio.month(monthly[1]) else {
                throw ValidationError("--monthly: months are YYYY-MM, e.g. 2025-01")
            }
            guard from <= to else { throw ValidationError("--monthly: FROM is after TO") }
            let months = Portfolio.monthCount(from, to)
            guard months <= PortfolioCalendar.seriesMonthsMax else {
                throw ValidationError("--monthly: \(months) months; at most \(PortfolioCalendar.seriesMonthsMax)")
            }
        }
        guard (1...PortfolioCalendar.dsoPeriodsMax).contains(ceiMonths) else {
            throw ValidationError("--cei-months: 1 to \(PortfolioCalendar.dsoPeriodsMax)")
        }
    }

    /// The first day of a YYYY-MM month.
    static func month(_ text: String) -> Day? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let y = Int(parts[0]), let m = Int(parts[1]) else { return nil }
        return Day(year: y, month: m, day: 1)
    }

    static func monthCount(_ from: Day, _ to: Day) -> Int {
        let (y0, m0, _) = from.civil
        let (y1, m1, _) = to.civil
        return (y1 - y0) * 12 + (m1 - m0) + 1
    }

    func run() throws {
        let store = try storeOptions.open()
        defer { store.close() }
        let span: PortfolioRequest.Span
        if monthly.count == 2, let from = Portfolio.month(monthly[0]), let to = Portfolio.month(monthly[1]) {
            span = .monthly(from: from, to: to)
        } else {
            span = .day(asOfOptions.day)
        }
        let report = try store.portfolio(PortfolioRequest(span: span, grouping: by.grouping, ceiMonths: ceiMonths), today: today(),
                                         knownAt: knownAtOptions.value)
        try Console.out(Render.portfolio(report, format: formatOptions.output))
    }
}

