import ArlogDomain
import ArlogEngine

extension Render {
    // MARK: portfolio

    /// One group's figures on one report day: the columns of `arlog portfolio` (docs/analytics.md).
    /// Ratios are fixed-point with two decimals: DSO, best possible DSO, ADD and average days
    /// late in days; CEI and utilisation in percent.
    public static func portfolioGroupRecord(_ g: PortfolioGroup, grouping: PortfolioGrouping) -> RenderRecord {
        var fields: [RenderField] = [("day", .date(g.day)), ("currency", .text(g.currency.code))]
        if grouping != .currency { fields.append((grouping.rawValue, g.group.map { .text($0) })) }
        fields += [
            ("customers", .integer(Int64(g.customers))), ("open", .wideMoney(g.open)), ("overdue", .wideMoney(g.overdue)),
            ("current", .wideMoney(g.current)), ("unapplied", .wideMoney(g.unapplied)),
            ("dso", .hundredths(g.dsoHundredths)), ("dso_floor", .bool(g.dsoCapped)),
            ("best_dso", .hundredths(g.bestDSOHundredths)), ("add", .hundredths(g.addHundredths)),
            ("period_from", .date(g.periodFrom)), ("beginning_receivables", .wideMoney(g.beginningReceivables)),
            ("period_sales", .wideMoney(g.periodSales)), ("cei", .hundredths(g.ceiBasisPoints)),
            ("avg_days_late", .hundredths(g.avgDaysLateHundredths)),
        ]
        for grade in Grade.allCases { fields.append(("grade_\(grade.letter.lowercased())", .integer(Int64(g.gradeMix[grade.rawValue])))) }
        fields += [("written_off_period", .wideMoney(g.writtenOffInPeriod)), ("written_off_total", .wideMoney(g.writtenOffTotal))]
        return RenderRecord(fields, digits: g.currency.fractionDigits)
    }

    public static func portfolioDebtorRecord(_ d: PortfolioDebtor, rank: Int, currency: Currency) -> RenderRecord {
        RenderRecord(
            [
                ("rank", .integer(Int64(rank))), ("customer", .text(d.customer)), ("name", d.name.map { .text($0) }),
                ("open", .money(d.open)), ("balance", .money(d.balance)), ("grade", .text(d.grade.letter)),
                ("credit_limit", .money(d.creditLimit)), ("utilisation", .hundredths(d.utilisationBasisPoints)),
                ("oldest_overdue", .date(d.oldestOverdue)), ("days_past_due", .integer(Int64(d.daysPastDue))),
            ], digits: currency.fractionDigits)
    }

    /// `arlog portfolio`. json: `{"from","to","by","cei_months","dso_periods","groups":[{...,
    /// "top_debtors":[...]}],"unconverted":[...]}` (`top_debtors` on a single report day only).
    /// csv: one row per group and report day. table: the groups, then each group's top debtors.
    public static func portfolio(_ report: PortfolioReport, format: OutputFormat) -> String {
        let records = report.groups.map { portfolioGroupRecord($0, grouping: report.grouping) }
        let columns = portfolioGroupRecord(
            PortfolioGroup(day: Day.first, currency: Currency(code: "EUR")!, group: nil, periodFrom: Day.first), grouping: report.grouping).names
        let cal = report.calendar
        let from = cal.days[cal.reports.first ?? 0]
        let to = cal.days[cal.reports.last ?? 0]
        let single = cal.reports.count == 1
        switch format {
        case .csv:
            return csv(header: columns, rows: records.map(\.cells))
        case .json:
            var w = JSONWriter()
            w.raw("{")
            RenderRecord(
                [
                    ("from", .date(from)), ("to", .date(to)), ("by", .text(report.grouping.rawValue)),
                    ("cei_months", .integer(Int64(cal.ceiMonths))), ("dso_periods", .integer(Int64(cal.dsoPeriods))),
                ], digits: 0
            ).jsonMembers(into: &w)
            w.raw(",\"groups\":[")
            for (i, (g, r)) in zip(report.groups, records).enumerated() {
                if i > 0 { w.raw(",") }
                w.raw("{")
                r.jsonMembers(into: &w)
                if single {
                    w.raw(",\"top_debtors\":")
                    jsonArray(g.topDebtors.enumerated().map { portfolioDebtorRecord($1, rank: $0 + 1, currency: g.currency) }, into: &w)
                }
                w.raw("}")
            }
            w.raw("],\"unconverted\":[")
            for (i, u) in report.unconverted.enumerated() {
                if i > 0 { w.raw(",") }
                RenderRecord([("day", .date(u.day)), ("customer", .text(u.customer)), ("currency", .text(u.currency.code))], digits: 0)
                    .json(into: &w)
            }
            w.raw("]}")
            return w.text + "\n"
        case .table:
            var out = single ? "portfolio as of \(from)" : "portfolio, month ends \(from) to \(to)"
            out += " (CEI and written off over \(cal.ceiMonths == 1 ? "the month to date" : "\(cal.ceiMonths) months to date"))\n\n"
            if report.groups.isEmpty { return out + "no customers\n" }
            out += table(header: columns, rows: records.map(\.cells))
            guard single else { return out }
            let debtorColumns = ["rank", "customer", "name", "open", "balance", "grade", "credit_limit", "utilisation", "oldest_overdue", "days_past_due"]
            for g in report.groups where !g.topDebtors.isEmpty {
                out += "\ntop debtors, \(g.currency.code)" + (g.group.map { " \(report.grouping.rawValue) \($0)" } ?? "") + "\n"
                out += table(header: debtorColumns, rows: g.topDebtors.enumerated().map { portfolioDebtorRecord($1, rank: $0 + 1, currency: g.currency).cells })
            }
            if !report.unconverted.isEmpty {
                out += "\nwithout a rate: " + report.unconverted.map { "\($0.customer) (\($0.currency.code))" }.joined(separator: ", ") + "\n"
            }
            return out
        }
    }
}
