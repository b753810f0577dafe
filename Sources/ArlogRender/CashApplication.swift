import ArlogDomain
import ArlogEngine

/// `arlog apply-credit` and `arlog refund` (feed v1.2, cash application).
extension Render {
    public static let creditApplicationColumns = [
        "customer", "currency", "source_type", "source", "source_date", "invoice", "due_on", "days_past_due", "amount", "id",
    ]

    static func creditApplicationRecord(_ a: CreditApplication) -> RenderRecord {
        RenderRecord(
            [
                ("customer", .text(a.customer)), ("currency", .text(a.currency.code)),
                ("source_type", .text(a.creditNote ? "credit_note" : "payment")), ("source", .text(a.source)),
                ("source_date", .date(a.sourceDate)), ("invoice", .text(a.invoice)), ("due_on", .date(a.dueOn)),
                ("days_past_due", .integer(Int64(a.daysPastDue))), ("amount", .money(a.amount)), ("id", .text(a.id)),
            ], digits: a.currency.fractionDigits)
    }

    /// Without `--yes`: the plan, and nothing appended. table: the events, then a `plan:` line;
    /// csv: the events (the CLI says on stderr that nothing was appended); json:
    /// `{"actor","at":null,"appended":0,"duplicates":0,"applications":[...],"plan":true}`.
    public static func creditApplicationPlan(_ plan: [CreditApplication], actor: String, format: OutputFormat) -> String {
        let rows = plan.map(creditApplicationRecord)
        switch format {
        case .table:
            let line = rows.isEmpty
                ? "plan: no idle credit to apply to overdue items; nothing appended"
                : "plan: \(plural(rows.count, "credit.applied event", "credit.applied events")) to append (actor \(singleLine(actor))); nothing appended; add --yes to append them"
            return (rows.isEmpty ? "" : table(header: creditApplicationColumns, rows: rows.map(\.cells)) + "\n") + line + "\n"
        case .csv: return records(rows, columns: creditApplicationColumns, format: .csv)
        case .json: return creditApplicationJSON(rows, actor: actor, at: nil, summary: IngestSummary(), plan: true)
        }
    }

    /// With `--yes`: what was appended (json as the plan, with `"at"`, `"appended"` and
    /// `"plan":false`).
    public static func creditApplied(_ plan: [CreditApplication], summary: IngestSummary, actor: String, at: Timestamp, format: OutputFormat) -> String {
        let rows = plan.map(creditApplicationRecord)
        switch format {
        case .table:
            let line = "appended \(plural(summary.accepted, "credit.applied event", "credit.applied events")) (actor \(singleLine(actor)), at \(at))"
                + (summary.duplicates > 0 ? ", \(summary.duplicates) already logged" : "")
            return (rows.isEmpty ? "" : table(header: creditApplicationColumns, rows: rows.map(\.cells)) + "\n") + line + "\n"
        case .csv: return records(rows, columns: creditApplicationColumns, format: .csv)
        case .json: return creditApplicationJSON(rows, actor: actor, at: at, summary: summary, plan: false)
        }
    }

    static func creditApplicationJSON(_ rows: [RenderRecord], actor: String, at: Timestamp?, summary: IngestSummary, plan: Bool) -> String {
        var w = JSONWriter()
        w.raw("{\"actor\":")
        w.string(actor)
        w.raw(",\"at\":")
        if let at { w.string(at.description) } else { w.raw("null") }
        w.raw(",\"appended\":\(summary.accepted),\"duplicates\":\(summary.duplicates),\"applications\":")
        jsonArray(rows, into: &w)
        w.raw(",\"plan\":\(plan)}")
        return w.text + "\n"
    }

    /// `arlog refund`: the event appended and the customer's balance after it.
    public static func refunded(id: String, source: CreditSource, amount: String, refundedOn: Day, balance: BalanceReport,
                                format: OutputFormat) -> String {
        let (kind, sourceID): (String, String) = switch source {
        case .payment(let p): ("payment", p)
        case .creditNote(let n): ("credit_note", n)
        }
        let record = RenderRecord(
            [
                ("id", .text(id)), ("customer", .text(balance.customer)), ("source_type", .text(kind)), ("source", .text(sourceID)),
                ("amount", .text(amount)), ("currency", .text(balance.currency.code)), ("refunded_on", .date(refundedOn)),
                ("refunded", .money(balance.totals.refunded)), ("unapplied", .money(balance.totals.unapplied)),
                ("balance", .money(balance.balance)),
            ], digits: balance.currency.fractionDigits)
        switch format {
        case .table: return fieldTable(record)
        case .csv: return records([record], columns: record.names, format: .csv)
        case .json: return jsonDocument(record, sections: [])
        }
    }
}
