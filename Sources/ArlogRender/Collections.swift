import ArlogDomain
import ArlogEngine

/// The collector's views: `open` (a customer's open items) and `worklist` (today's calls).
extension Render {
    // MARK: open

    public static let openItemColumns = [
        "invoice", "installment", "issued_on", "due_on", "amount", "open", "days_overdue", "disputed", "dunning_level", "state",
    ]

    /// `installment` is `n/m` (the n-th of the invoice's m, in due order).
    public static func openItemRecord(_ i: OpenItem, digits: Int) -> RenderRecord {
        RenderRecord(
            [
                ("invoice", .text(i.invoice)), ("installment", .text("\(i.installment)/\(i.installments)")),
                ("issued_on", .date(i.issuedOn)), ("due_on", .date(i.dueOn)), ("amount", .money(i.amount)), ("open", .money(i.open)),
                ("days_overdue", i.daysOverdue.map { .integer(Int64($0)) }), ("disputed", .money(i.disputed)),
                ("dunning_level", i.dunningLevel.map { .integer(Int64($0)) }), ("state", .text(i.state.rawValue)),
            ], digits: digits)
    }

    public static func openItemsHead(_ r: OpenItemsReport) -> RenderRecord {
        RenderRecord(
            [
                ("customer", .text(r.customer)), ("name", .text(r.name)), ("currency", .text(r.currency.code)), ("as_of", .date(r.asOf)),
                ("listed", .integer(Int64(r.items.count))), ("open", .money(r.open)), ("overdue", .money(r.overdue)),
                ("disputed", .money(r.disputed)),
            ], digits: r.currency.fractionDigits)
    }

    /// `arlog open`: table: the customer's figures as `field value`, then one row per
    /// installment. json: the figures and `"items":[{...openItemColumns}]`. csv: one row per
    /// installment with the customer, name and currency in front.
    public static func openItems(_ r: OpenItemsReport, format: OutputFormat) -> String {
        let digits = r.currency.fractionDigits
        let items = r.items.map { openItemRecord($0, digits: digits) }
        switch format {
        case .json: return jsonDocument(openItemsHead(r), sections: [("items", items)])
        case .csv:
            let lead = [TableCell(r.customer), TableCell(r.name), TableCell(r.currency.code)]
            return csv(header: ["customer", "name", "currency"] + openItemColumns, rows: items.map { lead + $0.cells })
        case .table:
            return fieldTable(openItemsHead(r)) + "\n" + table(header: openItemColumns, rows: items.map(\.cells))
        }
    }
}

extension Render {
    // MARK: worklist

    public static let worklistColumns = [
        "rank", "customer", "name", "contact", "email", "collector", "currency", "priority", "overdue", "oldest_overdue_days",
        "grade", "score", "reason",
    ]

    /// `priority`: points in hundredths of a major unit, shown with two decimals; `reason`: the
    /// reasons in words, the heaviest first, joined by "; ".
    public static func worklistRecord(_ e: WorklistEntry, rank: Int) -> RenderRecord {
        let f = e.facts
        let p = e.profile
        return RenderRecord(
            [
                ("rank", .integer(Int64(rank))), ("customer", .text(e.customer)), ("name", p.map { .text($0.name) }),
                ("contact", p?.contact.map { .text($0) }), ("email", p?.email.map { .text($0) }),
                ("collector", e.collector.map { .text($0) }), ("currency", .text(f.currency.code)),
                ("priority", .hundredths(e.score.priorityHundredths)), ("overdue", .money(f.overdueBands.reduce(0, +))),
                ("oldest_overdue_days", .integer(Int64(f.oldestOverdueDays))), ("grade", .text(f.grade.letter)),
                ("score", .integer(Int64(f.score))),
                ("reason", .text(e.score.reasons.map { $0.text(f.currency) }.joined(separator: "; "))),
            ], digits: f.currency.fractionDigits)
    }

    /// `arlog worklist`: one line per customer to call, in order. table and csv:
    /// `worklistColumns`. json: `{"as_of","collector","listed","candidates","calls":[{...the
    /// columns, "reasons":[{"reason","detail"}]}]}`.
    public static func worklist(_ r: WorklistReport, format: OutputFormat) -> String {
        let rows = r.entries.enumerated().map { worklistRecord($1, rank: $0 + 1) }
        switch format {
        case .table, .csv: return records(rows, columns: worklistColumns, format: format)
        case .json:
            var w = JSONWriter()
            w.raw("{\"as_of\":")
            w.string(r.asOf.description)
            w.raw(",\"collector\":")
            if let c = r.collector { w.string(c) } else { w.raw("null") }
            w.raw(",\"listed\":\(r.entries.count),\"candidates\":\(r.candidates),\"calls\":[")
            for (i, e) in r.entries.enumerated() {
                if i > 0 { w.raw(",") }
                w.raw("{")
                rows[i].jsonMembers(into: &w)
                w.raw(",\"reasons\":[")
                for (j, reason) in e.score.reasons.enumerated() {
                    if j > 0 { w.raw(",") }
                    jsonObject([("reason", .text(reason.key)), ("detail", .text(reason.text(e.facts.currency)))], digits: 0, into: &w)
                }
                w.raw("]}")
            }
            w.raw("]}")
            return w.text + "\n"
        }
    }
}
