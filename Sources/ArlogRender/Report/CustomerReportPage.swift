import ArlogDomain
import ArlogEngine

/// `arlog report --customer C`: the customer report as one HTML page (docs/report.md).
/// Pure: the same report gives the same bytes.
public enum CustomerReportPage {
    /// The page. `generator`: the footer's program name and version (`arlog 0.9.0`).
    public static func html(_ r: CustomerReport, generator: String = "arlog") -> String {
        let p = r.profile
        let name = p.name.isEmpty ? p.id : p.name
        let body = ReportPage.render("customer", context(r))
        return ReportPage.page(title: name, subtitle: "Customer report · \(p.id) · as of \(r.asOf)",
                               body: body, footer: "Made by \(generator) on \(r.today) from the event log as of the end of \(r.asOf) (UTC).")
    }

    // MARK: Charts

    /// One stacked horizontal bar of the aging buckets (then unapplied credit as its own bar
    /// segment would go below zero: it is listed in the table instead).
    public static func agingChart(_ r: CustomerReport) -> String {
        let c = r.profile.currency
        let aging = r.statement.aging
        let names = aging.bucketNames
        let buckets = aging.customers.first?.buckets ?? Array(repeating: 0, count: names.count)
        let series = names.enumerated().map { i, n in
            BarSeries(bucketLabel(n), values: [buckets.indices.contains(i) ? buckets[i] : Int64(0)], color: Palette.color(i, in: Palette.ordinal))
        }
        let chart = BarChart(categories: ["Open"], series: series, format: .money(c), orientation: .horizontal)
        return chart.svg(ChartOptions(id: "aging", title: "Open by days past due (\(c.code))", width: 720, height: 170))
    }

    /// The score over the last twelve months with every grade change marked.
    public static func scoreChart(_ r: CustomerReport) -> String {
        let points = r.scoreTrend.map { LinePoint(day: $0.day, value: Int128($0.score)) }
        let events = r.grade.history.filter { $0.evaluatedOn >= r.trendFrom && $0.evaluatedOn <= r.asOf }.map { c in
            let from = c.from?.letter ?? "–"
            let direction: ChartEvent.Direction = c.from.map { c.to < $0 ? .up : (c.to > $0 ? .down : .neutral) } ?? .neutral
            return ChartEvent(day: c.evaluatedOn, label: "\(from)→\(c.to.letter)",
                              detail: "\(c.evaluatedOn): grade \(from) → \(c.to.letter), score \(c.score) (\(c.cause.type.name) \(c.cause.eventID))",
                              direction: direction)
        }
        let chart = LineChart(xAxis: .days, series: [LineSeries("Score", points: points, color: Palette.blue)], left: .count("points"),
                              events: events, includeZero: false)
        return chart.svg(ChartOptions(id: "score", title: "Credit score, last 12 months", width: 720, height: 300))
    }

    /// Days late (amount-weighted mean) of each of the last paid invoices.
    public static func daysLateChart(_ r: CustomerReport) -> String {
        let chart = BarChart(categories: r.paidInvoices.map(\.invoice),
                             series: [BarSeries("Days late", values: r.paidInvoices.map { Int128($0.daysLateHundredths) }, color: Palette.vermillion)],
                             format: .daysHundredths)
        let shown = r.paidInvoices.count < r.paidInvoiceCount ? " (last \(r.paidInvoices.count) of \(r.paidInvoiceCount))" : ""
        return chart.svg(ChartOptions(id: "days-late", title: "Days late per paid invoice\(shown)", width: 720, height: 300))
    }

    /// The aging bucket's name for people: `current`, `1–30 days`, `91+ days`.
    static func bucketLabel(_ name: String) -> String {
        name == "current" ? "Current" : name.replacingOccurrences(of: "-", with: "–") + " days"
    }

    // MARK: The template's context

    /// Rows the tables list at most (the charts show more): a page people read.
    static let gradeChangesListedMax = 16
    static let paidListedMax = 12

    static func context(_ r: CustomerReport) -> [String: Any] {
        let p = r.profile
        let c = p.currency
        let b = r.balance
        func money(_ v: Int64) -> String { ReportPage.money(v, c) }
        let a = r.grade.assessment

        let profile: [[String: Any]] = [
            ["label": "Customer", "value": p.id],
            ["label": "Contact", "value": p.contact ?? "—"],
            ["label": "E-mail", "value": p.email ?? "—"],
            ["label": "Industry", "value": p.industry ?? "—"],
            ["label": "Terms", "value": "\(p.termsDays) days"],
            ["label": "Credit limit", "value": "\(money(p.creditLimit)) \(c.code)"],
            ["label": "Currency", "value": c.code],
            ["label": "Registered", "value": (p.registeredOn ?? p.registeredAt.utcDay).description],
        ]
        var figures: [[String: Any]] = [
            ["label": "Balance", "value": money(b.balance), "unit": c.code, "warn": b.overLimit],
            ["label": "Open", "value": money(b.totals.open), "unit": c.code, "warn": false],
            ["label": "Overdue", "value": money(r.overdue), "unit": c.code, "warn": r.overdue > 0],
            ["label": "Unapplied", "value": money(b.totals.unapplied), "unit": c.code, "warn": false],
            ["label": "Available", "value": ReportPage.money(b.available, c), "unit": c.code, "warn": b.available < 0],
            ["label": "Disputed", "value": money(b.disputed), "unit": c.code, "warn": false],
            ["label": "Avg days late", "value": b.avgDaysLateHundredths.map(ReportPage.hundredths) ?? "—", "unit": "days", "warn": false],
            ["label": "Dunning level", "value": "\(b.dunningLevel)", "unit": "", "warn": b.dunningLevel > 0],
            ["label": "Promises kept / broken", "value": "\(b.promises.kept) / \(b.promises.broken)", "unit": "", "warn": b.promises.broken > 0],
        ]
        if let pending = b.promises.pending {
            figures.append(["label": "Promise pending", "value": money(pending.amount), "unit": "\(c.code) by \(pending.promisedOn)", "warn": false])
        }

        let aging = r.statement.aging
        let row = aging.customers.first
        let openTotal = row.map { $0.buckets.reduce(0, +) } ?? 0
        var agingRows: [[String: Any]] = aging.bucketNames.enumerated().map { i, n in
            let v = row.map { $0.buckets.indices.contains(i) ? $0.buckets[i] : 0 } ?? 0
            return ["bucket": bucketLabel(n), "amount": money(v), "share": share(v, of: openTotal)]
        }
        agingRows.append(["bucket": "Unapplied credit", "amount": money(-(row?.unapplied ?? 0)), "share": ""])

        let gradeChanges: [[String: Any]] = r.grade.history.reversed().prefix(gradeChangesListedMax).map { g in
            [
                "date": g.evaluatedOn.description, "from": g.from?.letter ?? "—", "to": g.to.letter,
                "score_from": g.scoreFrom.map(String.init) ?? "—", "score": "\(g.score)",
                "better": g.from.map { g.to < $0 } ?? false, "worse": g.from.map { g.to > $0 } ?? false,
                "cause": "\(g.cause.type.name) \(g.cause.eventID)",
            ]
        }
        let factors: [[String: Any]] = a.factors.map { ["name": $0.factor.key.replacingOccurrences(of: "_", with: " "), "points": $0.points, "weight": $0.weight] }

        let paid: [[String: Any]] = r.paidInvoices.reversed().prefix(paidListedMax).map { i in
            [
                "invoice": i.invoice, "issued": i.issuedOn.description, "due": i.dueOn.description, "paid_on": i.paidOn.description,
                "paid": money(i.paid), "days_late": ReportPage.hundredths(i.daysLateHundredths), "days_late_max": i.daysLateMax,
                "late": i.daysLateMax > 0,
            ]
        }

        let collections: [[String: Any]] = r.collections.map { e in
            ["date": e.at.utcDay.description, "what": describe(e, c), "invoice": e.invoice ?? "", "actor": e.actor ?? "", "note": e.note ?? ""]
        }
        let promises: [[String: Any]] = r.promises.map { p in
            ["made": p.at.utcDay.description, "amount": money(p.amount), "by": p.promisedOn.description, "invoice": p.invoice ?? "any",
             "status": p.status.rawValue, "broken": p.status == .broken, "kept": p.status == .kept]
        }
        let disputes: [[String: Any]] = r.disputes.map { d in
            ["invoice": d.invoice, "opened": d.dispute.openedAt.utcDay.description, "amount": money(d.dispute.amount),
             "disputed": money(d.dispute.disputed), "reason": d.dispute.reason ?? "", "state": d.dispute.state.rawValue,
             "open": d.dispute.state == .open]
        }

        let s = r.statement
        let lines: [[String: Any]] = s.lines.map { l in
            ["date": l.date.description, "kind": l.kind.rawValue.replacingOccurrences(of: "_", with: " "), "reference": l.reference,
             "description": l.description, "amount": money(l.amount), "balance": money(l.balance)]
        }

        return [
            "currency": c.code, "as_of": r.asOf.description,
            "profile": profile, "figures": figures,
            "over_limit": b.overLimit,
            "aging_chart": agingChart(r), "aging": agingRows,
            "grade": a.grade.letter, "grade_class": "g-\(a.grade.letter.lowercased())", "score": a.score, "policy": a.policyName,
            "score_chart": scoreChart(r), "factors": factors, "grade_changes": gradeChanges, "has_grade_changes": !gradeChanges.isEmpty,
            "grade_changes_cut": r.grade.history.count > gradeChanges.count ? "The latest \(gradeChanges.count) of \(r.grade.history.count) changes." : "",
            "days_late_chart": r.paidInvoices.isEmpty ? "" : daysLateChart(r), "paid": paid, "has_paid": !paid.isEmpty,
            "paid_cut": r.paidInvoiceCount > paid.count ? "The latest \(paid.count) of \(r.paidInvoiceCount) paid invoices." : "",
            "collections": collections, "has_collections": !collections.isEmpty,
            "collections_cut": r.collectionCount > r.collections.count ? "Showing the latest \(r.collections.count) of \(r.collectionCount)." : "",
            "promises": promises, "has_promises": !promises.isEmpty,
            "disputes": disputes, "has_disputes": !disputes.isEmpty,
            "statement_from": s.from.description, "statement_to": s.to.description,
            "opening": money(s.openingBalance), "closing": money(s.closingBalance), "lines": lines, "has_lines": !lines.isEmpty,
        ]
    }

    /// A collection event in words.
    static func describe(_ e: CustomerReport.CollectionEntry, _ c: Currency) -> String {
        switch e.kind {
        case .dunning:
            return "Dunning level \(e.level ?? 0)" + (e.channel.map { " by \($0)" } ?? "")
        case .contact:
            let outcome = (e.outcome ?? "").replacingOccurrences(of: "_", with: " ")
            return "Contact" + (e.channel.map { " by \($0)" } ?? "") + ": \(outcome)"
        case .promise:
            return "Promise to pay \(e.amount.map { ReportPage.money($0, c) } ?? "?") \(c.code)" + (e.promisedOn.map { " by \($0)" } ?? "")
        case .disputeOpened:
            let amount = e.amount.map { " on \(ReportPage.money($0, c)) \(c.code)" } ?? ""
            let reason = e.reason.flatMap { $0.isEmpty ? nil : ": \($0)" } ?? ""
            return "Dispute opened\(amount)\(reason)"
        case .disputeResolved:
            return "Dispute resolved: \(e.outcome ?? "")"
        }
    }

    /// `v` as a share of `total`, one decimal: `12.5 %`; empty when the total is not positive.
    static func share(_ v: Int64, of total: Int64) -> String {
        guard total > 0 else { return "" }
        let permille = (Int128(v) * 1000 + Int128(total) / 2) / Int128(total)
        return "\(permille / 10).\(permille % 10) %"
    }
}
