import ArlogDomain
import ArlogEngine

/// `arlog statement`: the statement of account of one customer for a period.
extension Render {
    public static let statementColumns = ["date", "type", "reference", "description", "amount", "balance"]

    /// The aging of the statement's customer as of its last day: one amount per bucket, then
    /// unapplied and total (zeros when nothing is open or unapplied).
    public static func statementAging(_ s: Statement) -> [RenderField] {
        let names = s.aging.bucketNames
        let row = s.aging.customers.first
        var fields: [RenderField] = []
        for (i, name) in names.enumerated() { fields.append((name, .money(row?.buckets[i] ?? 0))) }
        fields.append(("unapplied", .money(row?.unapplied ?? 0)))
        fields.append(("total", .money(row?.total ?? 0)))
        return fields
    }

    public static func statementLineRecord(_ l: Statement.Line, digits: Int) -> RenderRecord {
        RenderRecord(
            [
                ("date", .date(l.date)), ("type", .text(l.kind.rawValue)), ("reference", .text(l.reference)),
                ("description", .text(l.description)), ("amount", .money(l.amount)), ("balance", .money(l.balance)),
            ], digits: digits)
    }

    /// Opening and closing as rows of the lines' shape (table and csv).
    static func statementEndRecord(_ kind: String, _ day: Day, _ balance: Int64, digits: Int) -> RenderRecord {
        RenderRecord(
            [
                ("date", .date(day)), ("type", .text(kind)), ("reference", nil),
                ("description", .text(kind == "opening" ? "balance brought forward" : "balance carried forward")),
                ("amount", nil), ("balance", .money(balance)),
            ], digits: digits)
    }

    /// table: the header fields, the lines between an opening and a closing row, then the
    /// aging as of the last day. json: `{"customer","name","currency","from","to",
    /// "opening_balance","lines":[{"date","type","reference","description","amount","balance"}],
    /// "closing_balance","aging":{"as_of",buckets…,"unapplied","total"}}`. csv: one row per
    /// line, opening first and closing last (types `opening` and `closing`).
    public static func statement(_ s: Statement, format: OutputFormat) -> String {
        let digits = s.currency.fractionDigits
        let lines = s.lines.map { statementLineRecord($0, digits: digits) }
        let opening = statementEndRecord("opening", s.from, s.openingBalance, digits: digits)
        let closing = statementEndRecord("closing", s.to, s.closingBalance, digits: digits)
        switch format {
        case .json:
            var w = JSONWriter()
            w.raw("{")
            RenderRecord(
                [
                    ("customer", .text(s.customer)), ("name", .text(s.name)), ("currency", .text(s.currency.code)),
                    ("from", .date(s.from)), ("to", .date(s.to)), ("opening_balance", .money(s.openingBalance)),
                ], digits: digits
            ).jsonMembers(into: &w)
            w.raw(",\"lines\":")
            jsonArray(lines, into: &w)
            w.raw(",\"closing_balance\":")
            ReportValue.money(s.closingBalance).json(digits: digits, into: &w)
            w.raw(",\"aging\":")
            RenderRecord([("as_of", .date(s.to))] + statementAging(s), digits: digits).json(into: &w)
            w.raw("}")
            return w.text + "\n"
        case .csv:
            return csv(header: statementColumns, rows: ([opening] + lines + [closing]).map(\.cells))
        case .table:
            let head = RenderRecord(
                [
                    ("customer", .text(s.customer)), ("name", .text(s.name)), ("currency", .text(s.currency.code)),
                    ("period", .text("\(s.from) to \(s.to)")), ("opening_balance", .money(s.openingBalance)),
                    ("closing_balance", .money(s.closingBalance)),
                ], digits: digits)
            let aging = RenderRecord(statementAging(s), digits: digits)
            return fieldTable(head)
                + "\n" + table(header: statementColumns, rows: ([opening] + lines).map(\.cells), footer: [closing.cells])
                + "\naging as of \(s.to)\n" + table(header: aging.names, rows: [aging.cells])
        }
    }
}
