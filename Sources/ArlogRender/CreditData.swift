import ArlogDomain
import ArlogEngine

/// Feed v1.3's credit data: the assessment in force in `arlog grade`, and `arlog fx`.
extension Render {
    /// The assessment in force as a record: the event, its dates and source, the bureau's
    /// score and rating, the figures (money in the customer's currency) and the ratios
    /// (hundredths, rounded half away from zero; null when a figure is missing or its divisor 0).
    public static func externalRecord(_ x: ExternalAssessment, digits: Int) -> RenderRecord {
        var fields: [RenderField] = [
            ("event", .text(x.id)), ("assessed_on", .date(x.assessedOn)), ("age_days", .integer(Int64(x.ageDays))),
            ("source", .text(x.source)), ("bureau_score", x.bureauScore.map { .integer(Int64($0)) }),
            ("bureau_rating", x.bureauRating.map { .text($0) }), ("fiscal_year_end", x.fiscalYearEnd.map { .date($0) }),
        ]
        for f in FinancialFigure.allCases { fields.append((f.key, x.figures[f].map { .money($0) })) }
        func ratio(_ r: Ratio?) -> ReportValue { .hundredths(r.map { Int64(clamping: $0.hundredths) }) }
        fields += [("current_ratio", ratio(x.currentRatio)), ("debt_ratio", ratio(x.debtRatio)), ("equity_share", ratio(x.equityShare))]
        return RenderRecord(fields, digits: digits)
    }

    /// The grade table's section on the assessment in force.
    static func externalSection(_ r: GradeReport) -> String {
        guard let x = r.external else { return "\nexternal assessment: none\n" }
        return "\nexternal assessment\n" + fieldTable(externalRecord(x, digits: r.assessment.currency.fractionDigits))
    }

    public static let fxColumns = ["currency", "base", "rate", "on", "event", "at"]

    public static func fxRecord(_ e: FxRateEntry) -> RenderRecord {
        RenderRecord(
            [
                ("currency", .text(e.currency.code)), ("base", .text(e.base.code)), ("rate", .text(e.rate.description)),
                ("on", .date(e.on)), ("event", .text(e.id)), ("at", .text(e.at.description)),
            ], digits: 0)
    }

    /// `arlog fx`: the rates in force on a day, one row per (currency, base), ordered by
    /// currency then base. The rate is the decimal as the feed wrote it (leading zeros
    /// dropped), a string in JSON (never a binary float). table: a line saying so when none.
    public static func fxRates(_ rates: [FxRateEntry], on day: Day, format: OutputFormat) -> String {
        if format == .table, rates.isEmpty { return "no exchange rate in force on \(day)\n" }
        return records(rates.map(fxRecord), columns: fxColumns, format: format)
    }
}
