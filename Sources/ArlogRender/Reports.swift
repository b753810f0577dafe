import ArlogDomain
import ArlogEngine

/// The query commands' output: balance, aging, customers, stats, history, invoice.
extension Render {
    // MARK: balance

    /// `arlog balance`: json is exactly the contract object; table is `field value`; csv is a
    /// header of the field names and one row.
    public static func balance(_ report: BalanceReport, format: OutputFormat) -> String {
        let record = RenderRecord(report.fields.map { ($0.name, $0.value) }, digits: report.currency.fractionDigits)
        switch format {
        case .json:
            var w = JSONWriter()
            report.json(into: &w)
            return w.text + "\n"
        case .table: return fieldTable(record)
        case .csv: return csv(header: record.names, rows: [record.cells])
        }
    }

    // MARK: aging

    /// `arlog aging`: json is the contract object (no name: the contract fixes it); table and
    /// csv list the customers with their `names` (aligned with `report.customers`; empty when
    /// not given), then one `TOTAL` row per currency (a table puts a rule line before them).
    public static func aging(_ report: AgingReport, format: OutputFormat, names: [String?] = []) -> String {
        switch format {
        case .json:
            var w = JSONWriter()
            report.json(into: &w)
            return w.text + "\n"
        case .table, .csv:
            let columns = ["customer", "name", "currency"] + report.bucketNames + ["unapplied", "disputed", "total"]
            let rows = report.customers.indices.map { agingCells(report, report.customers[$0], name: $0 < names.count ? names[$0] : nil) }
            let totals = report.totals.map { agingCells(report, $0) }
            if format == .table { return table(header: columns, rows: rows, footer: totals) }
            return csv(header: columns, rows: rows + totals)
        }
    }

    static func agingCells(_ report: AgingReport, _ row: AgingReport.Row, name: String?) -> [TableCell] {
        var fields: [RenderField] = report.fields(row).map { ($0.name, $0.value) }
        if row.customer != nil {
            fields.insert(("name", name.map { .text($0) }), at: 1)
        } else {
            fields.insert(contentsOf: [("customer", .text("TOTAL")), ("name", nil)], at: 0)
        }
        return RenderRecord(fields, digits: row.currency.fractionDigits).cells
    }

    static func agingCells(_ report: AgingReport, _ row: AgingReport.TotalRow) -> [TableCell] {
        let fields: [RenderField] = [("customer", .text("TOTAL")), ("name", nil)] + report.fields(row).map { ($0.name, $0.value) }
        return RenderRecord(fields, digits: row.currency.fractionDigits).cells
    }

    // MARK: customers

    public static let customerColumns = [
        "customer", "name", "currency", "balance", "credit_limit", "available", "over_limit", "overdue",
        "oldest_overdue", "days_past_due", "dunning_level", "avg_days_late", "grade", "score",
    ]

    public static func customerRecord(_ row: CustomerRow) -> RenderRecord {
        let s = row.state
        let p = row.profile
        let b = row.balance
        let fields: [RenderField] = [
                ("customer", .text(p.id)), ("name", .text(p.name)),
                ("currency", .text(s.currency.code)), ("balance", .money(b.balance)),
                ("credit_limit", .money(b.creditLimit)), ("available", .wideMoney(b.available)),
                ("over_limit", .bool(b.overLimit)), ("overdue", .money(row.overdue)),
                ("oldest_overdue", row.oldestOverdue.map { .date($0) }), ("days_past_due", .integer(Int64(row.daysPastDue))),
                ("dunning_level", .integer(Int64(s.dunningLevel))), ("avg_days_late", s.avgDaysLateHundredths.map { .hundredths($0) }),
                ("grade", row.grade.map { .text($0.letter) }), ("score", row.score.map { .integer(Int64($0)) }),
            ]
        return RenderRecord(fields, digits: s.currency.fractionDigits)
    }

    /// `arlog customers`: one row per customer; json is an array of objects.
    public static func customers(_ rows: [CustomerRow], format: OutputFormat) -> String {
        records(rows.map(customerRecord), columns: customerColumns, format: format)
    }

    // MARK: stats

    public static let statsCurrencyColumns = ["currency", "customers", "open", "unapplied", "balance", "overdue", "avg_days_late"]

    public static func statsRecord(_ stats: PortfolioStats) -> RenderRecord {
        RenderRecord(
            [
                ("as_of", .date(stats.asOf)), ("customers", .integer(Int64(stats.customers))),
                ("events", .integer(Int64(clamping: stats.events))), ("over_limit", .integer(Int64(stats.overLimit))),
                ("in_dunning", .integer(Int64(stats.inDunning))),
            ], digits: 0)
    }

    public static func statsCurrencyRecord(_ f: PortfolioStats.CurrencyFigures) -> RenderRecord {
        RenderRecord(
            [
                ("currency", .text(f.currency.code)), ("customers", .integer(Int64(f.customers))),
                ("open", .wideMoney(f.open)), ("unapplied", .wideMoney(f.unapplied)), ("balance", .wideMoney(f.balance)),
                ("overdue", .wideMoney(f.overdue)), ("avg_days_late", f.avgDaysLateHundredths.map { .hundredths($0) }),
            ], digits: f.currency.fractionDigits)
    }

    /// `arlog stats`: the portfolio figures, then one row per currency. json:
    /// `{"as_of","customers","events","over_limit","in_dunning","currencies":[{...}]}`.
    /// csv: one row per currency, the report date in front.
    public static func stats(_ stats: PortfolioStats, format: OutputFormat) -> String {
        let head = statsRecord(stats)
        let currencies = stats.currencies.map(statsCurrencyRecord)
        switch format {
        case .json:
            return jsonDocument(head, sections: [("currencies", currencies)])
        case .csv:
            // One row shape: a row per currency, with the report date in front.
            let asOf = TableCell(stats.asOf.description)
            return csv(header: ["as_of"] + statsCurrencyColumns, rows: currencies.map { [asOf] + $0.cells })
        case .table:
            return fieldTable(head) + "\n" + table(header: statsCurrencyColumns, rows: currencies.map(\.cells))
        }
    }

    // MARK: history

    public static let historyColumns = [
        "seq", "at", "recorded_at", "type", "id", "amount", "balance_after", "dunning_level_after", "actor", "note",
    ]

    /// The recording time of a log entry (microseconds since the epoch) as RFC 3339 UTC;
    /// `toSecond`: truncated to the second (what the history table shows by default).
    public static func recordedAt(_ micros: Int64, toSecond: Bool = false) -> String {
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let rest = toSecond ? 0 : micros - seconds * 1_000_000
        return Timestamp(seconds: seconds, nanos: Int32(rest * 1000)).description
    }

    /// With `history --changes`: what each event changed (after − before), inserted after
    /// `dunning_level_after`.
    public static let historyChangeColumns = ["d_open", "d_unapplied", "d_balance", "d_overdue", "d_dunning"]

    /// The history columns, with or without the change columns.
    public static func historyColumns(changes: Bool) -> [String] {
        guard changes else { return historyColumns }
        var columns = historyColumns
        columns.insert(contentsOf: historyChangeColumns, at: columns.firstIndex(of: "dunning_level_after")! + 1)
        return columns
    }

    /// `recordedToSecond`: `recorded_at` truncated to the second (the table without `--precise`).
    public static func historyRecord(_ e: HistoryEntry, currency: Currency, changes: Bool = false, recordedToSecond: Bool = false) -> RenderRecord {
        var fields: [RenderField] = [
            ("seq", .integer(Int64(clamping: e.seq))), ("at", .text(e.event.at.description)),
            ("recorded_at", .text(recordedAt(e.recordedAtMicros, toSecond: recordedToSecond))), ("type", .text(e.event.type.name)),
            ("id", .text(e.event.id)), ("amount", e.amount.map { .money($0) }),
            ("balance_after", .money(e.balanceAfter)), ("dunning_level_after", .integer(Int64(e.dunningLevelAfter))),
        ]
        if changes {
            fields += [
                ("d_open", .money(e.openChange)), ("d_unapplied", .money(e.unappliedChange)),
                ("d_balance", .money(e.balanceChange)), ("d_overdue", .money(e.overdueChange)),
                ("d_dunning", .integer(Int64(e.dunningLevelChange))),
            ]
        }
        fields += [("actor", e.event.actor.map { .text($0) }), ("note", e.event.note.map { .text($0) })]
        return RenderRecord(fields, digits: currency.fractionDigits)
    }

    /// `arlog history`: one row per event in log order. json: `{"customer","currency","events":[...]}`.
    /// `changes` adds the `historyChangeColumns`. The table shows `recorded_at` to the second
    /// unless `precise`; csv and json always carry it to the microsecond (a recording time is
    /// a `--known-at` point: truncated, it would name an earlier point).
    public static func history(customer: String, currency: Currency, entries: [HistoryEntry], format: OutputFormat, changes: Bool = false,
                               precise: Bool = false) -> String {
        let toSecond = format == .table && !precise
        let rows = entries.map { historyRecord($0, currency: currency, changes: changes, recordedToSecond: toSecond) }
        switch format {
        case .table, .csv: return records(rows, columns: historyColumns(changes: changes), format: format)
        case .json:
            var w = JSONWriter()
            w.raw("{\"customer\":")
            w.string(customer)
            w.raw(",\"currency\":")
            w.string(currency.code)
            w.raw(",\"events\":")
            jsonArray(rows, into: &w)
            w.raw("}")
            return w.text + "\n"
        }
    }

    // MARK: invoice

    /// `open`, `voided`, or `settled` (nothing open: paid, credited or written off).
    public static func invoiceStatus(_ i: InvoiceState) -> String {
        i.voided ? "voided" : i.open > 0 ? "open" : "settled"
    }

    public static func invoiceHeader(_ d: InvoiceDetail) -> RenderRecord {
        let i = d.invoice
        return RenderRecord(
            [
                ("invoice", .text(i.id)), ("customer", .text(d.customer)), ("currency", .text(d.currency.code)),
                ("issued_on", .date(i.issuedOn)), ("amount", .money(i.amount)), ("adjusted", .money(i.adjustedUp)),
                ("open", .money(i.open)), ("voided", .money(i.voidedAmount)), ("credited", .money(i.credited)),
                ("written_off", .money(i.writtenOff)), ("paid", .money(i.paid)), ("status", .text(invoiceStatus(i))),
                // Feed v1.1: its last dispute (null when never disputed); `disputed` is what
                // it disputes now (0 once ended).
                ("disputed", .money(d.dispute?.disputed ?? 0)), ("dispute_amount", d.dispute.map { .money($0.amount) }),
                ("dispute_reason", d.dispute?.reason.map { .text($0) }),
                ("dispute_opened_at", d.dispute.map { .text($0.openedAt.description) }),
                ("dispute_state", d.dispute.map { .text($0.state.rawValue) }),
            ], digits: d.currency.fractionDigits)
    }

    public static let installmentColumns = ["n", "due_on", "amount", "open"]
    /// `source`: payment or credit_note (feed v1.2); `applied_by`: the credit.applied event
    /// that made the allocation, empty when the source made it on arrival.
    public static let invoicePaymentColumns = ["payment", "received_on", "installment", "amount", "days_late", "source", "applied_by"]
    public static let invoiceEventColumns = ["seq", "at", "type", "id", "actor", "note"]

    /// Installments are numbered from 1 in due order; `installment` of a payment is that number.
    public static func invoiceSections(_ d: InvoiceDetail) -> (installments: [RenderRecord], payments: [RenderRecord], events: [RenderRecord]) {
        let digits = d.currency.fractionDigits
        let installments = d.invoice.installments.enumerated().map { n, inst in
            RenderRecord([("n", .integer(Int64(n + 1))), ("due_on", .date(inst.dueOn)), ("amount", .money(inst.amount)), ("open", .money(inst.open))], digits: digits)
        }
        let payments = d.payments.map { p in
            RenderRecord(
                [
                    ("payment", .text(p.payment)), ("received_on", .date(p.receivedOn)),
                    ("installment", .integer(Int64(p.installment + 1))), ("amount", .money(p.amount)),
                    ("days_late", .integer(Int64(p.daysLate))), ("source", .text(p.creditNote ? "credit_note" : "payment")),
                    ("applied_by", p.appliedBy.map { .text($0) }),
                ], digits: digits)
        }
        let events = d.events.map { e in
            RenderRecord(
                [
                    ("seq", .integer(Int64(clamping: e.seq))), ("at", .text(e.event.at.description)),
                    ("type", .text(e.event.type.name)), ("id", .text(e.event.id)),
                    ("actor", e.event.actor.map { .text($0) }), ("note", e.event.note.map { .text($0) }),
                ], digits: digits)
        }
        return (installments, payments, events)
    }

    /// `arlog invoice`: the header, then titled sections `installments`, `payments applied` and
    /// `events`. json: the header's fields and `"installments"`, `"payments"`, `"events"` arrays
    /// in one object. csv: one row per installment (invoice, customer, currency, n, due_on,
    /// amount, open, paid).
    public static func invoice(_ d: InvoiceDetail, format: OutputFormat) -> String {
        let header = invoiceHeader(d)
        let (installments, payments, events) = invoiceSections(d)
        switch format {
        case .json:
            return jsonDocument(header, sections: [("installments", installments), ("payments", payments), ("events", events)])
        case .csv:
            // One row shape: a row per installment, with the invoice in front and what payments
            // in force paid on it.
            let lead = [TableCell(d.invoice.id), TableCell(d.customer), TableCell(d.currency.code)]
            let rows = d.invoice.installments.enumerated().map { n, inst in
                let paid = d.payments.filter { $0.installment == n }.reduce(Int64(0)) { $0 + $1.amount }
                return lead + installments[n].cells + [TableCell(.money(paid), digits: d.currency.fractionDigits)]
            }
            return csv(header: ["invoice", "customer", "currency"] + installmentColumns + ["paid"], rows: rows)
        case .table:
            return fieldTable(header)
                + "\ninstallments\n" + table(header: installmentColumns, rows: installments.map(\.cells))
                + "\npayments applied\n" + table(header: invoicePaymentColumns, rows: payments.map(\.cells))
                + "\nevents\n" + table(header: invoiceEventColumns, rows: events.map(\.cells))
        }
    }
}
