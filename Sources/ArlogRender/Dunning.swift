import ArlogDomain
import ArlogEngine

extension Render {
    // MARK: dunning plan

    public static let dunningColumns = ["customer", "name", "currency", "level", "level_name", "channel", "invoices", "open",
                                        "days_overdue", "charged", "why"]

    /// One action as a row: its invoices joined by spaces.
    public static func dunningRecord(_ a: DunningAction) -> RenderRecord {
        RenderRecord([
            ("customer", .text(a.customer)), ("name", .text(a.name)), ("currency", .text(a.currency.code)),
            ("level", .integer(Int64(a.level.level))), ("level_name", .text(a.level.name)), ("channel", .text(a.channel.rawValue)),
            ("invoices", .text(a.items.map(\.invoice).joined(separator: " "))), ("open", .wideMoney(a.open)),
            ("days_overdue", .integer(Int64(a.daysOverdue))), ("charged", .wideMoney(a.charged)), ("why", .text(a.why)),
        ], digits: a.currency.fractionDigits)
    }

    /// One invoice of an action, for JSON.
    static func dunningItemRecord(_ a: DunningAction, _ item: DunningItem) -> RenderRecord {
        RenderRecord([
            ("invoice", .text(item.invoice)), ("previous_level", .integer(Int64(item.previousLevel))),
            ("due_on", .date(item.dueOn)), ("days_overdue", .integer(Int64(item.daysOverdue))), ("open", .money(item.open)),
            ("fee", item.charge.map { .money($0.fee) }), ("interest", item.charge.map { .money($0.interest) }),
            ("fee_invoice", item.charge.map { .text($0.feeInvoice) }),
            ("event_id", .text(DunningIDs.action(invoice: item.invoice, level: a.level.level))),
        ], digits: a.currency.fractionDigits)
    }

    static func dunningActionsJSON(_ actions: [DunningAction], into w: inout JSONWriter) {
        w.raw("[")
        for (i, a) in actions.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("{")
            RenderRecord([
                ("customer", .text(a.customer)), ("name", .text(a.name)), ("email", .text(a.email)), ("contact", .text(a.contact)),
                ("currency", .text(a.currency.code)), ("customer_level", .integer(Int64(a.customerLevel))),
                ("level", .integer(Int64(a.level.level))), ("level_name", .text(a.level.name)), ("channel", .text(a.channel.rawValue)),
                ("open", .wideMoney(a.open)), ("charged", .wideMoney(a.charged)), ("days_overdue", .integer(Int64(a.daysOverdue))),
                ("why", .text(a.why)),
            ], digits: a.currency.fractionDigits).jsonMembers(into: &w)
            w.raw(",\"invoices\":")
            jsonArray(a.items.map { dunningItemRecord(a, $0) }, into: &w)
            w.raw("}")
        }
        w.raw("]")
    }

    static func dunningPlanHead(_ p: DunningPlan, into w: inout JSONWriter) {
        w.raw("\"as_of\":")
        w.string(p.asOf.description)
        w.raw(",\"policy\":")
        if let e = p.policy { w.string(e.policy.name) } else { w.string(CreditPolicy.default.name) }
        w.raw(",\"actions\":")
        dunningActionsJSON(p.actions, into: &w)
    }

    /// `arlog dunning plan`: table and csv one row per action (customer, level); json
    /// `{"as_of","policy","actions":[{"customer","name","email","contact","currency",
    /// "customer_level","level","level_name","channel","open","charged","days_overdue","why",
    /// "invoices":[{"invoice","previous_level","due_on","days_overdue","open","fee","interest",
    /// "fee_invoice","event_id"}]}]}`.
    public static func dunningPlan(_ p: DunningPlan, format: OutputFormat) -> String {
        let rows = p.actions.map(dunningRecord)
        switch format {
        case .table:
            let line = p.actions.isEmpty
                ? "dunning plan as of \(p.asOf): nothing due\n"
                : "dunning plan as of \(p.asOf): \(plural(p.actions.count, "action", "actions")), \(plural(p.actions.reduce(0) { $0 + $1.items.count }, "invoice", "invoices"))\n"
            return (rows.isEmpty ? "" : table(header: dunningColumns, rows: rows.map(\.cells)) + "\n") + line
        case .csv: return csv(header: dunningColumns, rows: rows.map(\.cells))
        case .json:
            var w = JSONWriter()
            w.raw("{")
            dunningPlanHead(p, into: &w)
            w.raw("}")
            return w.text + "\n"
        }
    }

    // MARK: dunning run

    static func dunningRunLine(_ r: DunningRunResult, letters: Int?, lettersDirectory: String?) -> String {
        var line = "dunning run as of \(r.plan.asOf): appended \(plural(r.summary.accepted, "event", "events"))"
        line += " (\(plural(r.actionEvents, "dunning.action", "dunning.action events")), \(plural(r.feeInvoices, "fee invoice", "fee invoices")) planned"
        line += r.summary.duplicates > 0 ? ", \(r.summary.duplicates) already logged)" : ")"
        line += ", actor \(singleLine(r.actor)), at \(r.at)"
        if let letters, let lettersDirectory { line += "; \(plural(letters, "letter", "letters")) written to \(singleLine(lettersDirectory))" }
        return line
    }

    static func dunningRunJSON(_ r: DunningRunResult, letters: Int?, into w: inout JSONWriter) {
        w.raw("\"actor\":")
        w.string(r.actor)
        w.raw(",\"at\":")
        w.string(r.at.description)
        w.raw(",\"appended\":\(r.summary.accepted),\"duplicates\":\(r.summary.duplicates)")
        w.raw(",\"dunning_actions\":\(r.actionEvents),\"fee_invoices\":\(r.feeInvoices)")
        w.raw(",\"letters\":")
        if let letters { w.raw("\(letters)") } else { w.raw("null") }
        w.raw(",")
        dunningPlanHead(r.plan, into: &w)
    }

    /// `arlog dunning run`: the actions logged (as `dunning plan` shows them) and a summary
    /// line; json the plan's object with `"actor","at","appended","duplicates",
    /// "dunning_actions","fee_invoices","letters"` first.
    public static func dunningRun(_ r: DunningRunResult, letters: Int?, lettersDirectory: String?, format: OutputFormat) -> String {
        let rows = r.plan.actions.map(dunningRecord)
        switch format {
        case .table:
            return (rows.isEmpty ? "" : table(header: dunningColumns, rows: rows.map(\.cells)) + "\n")
                + dunningRunLine(r, letters: letters, lettersDirectory: lettersDirectory) + "\n"
        case .csv: return csv(header: dunningColumns, rows: rows.map(\.cells))
        case .json:
            var w = JSONWriter()
            w.raw("{")
            dunningRunJSON(r, letters: letters, into: &w)
            w.raw("}")
            return w.text + "\n"
        }
    }

    // MARK: daily

    /// What `arlog daily`'s review step did.
    public struct DailyReview: Sendable {
        public let id: String
        public let at: Timestamp
        /// False when the day's review was already logged (a second run that day).
        public let appended: Bool
        public let alertsRaised: Int

        public init(id: String, at: Timestamp, appended: Bool, alertsRaised: Int) {
            self.id = id
            self.at = at
            self.appended = appended
            self.alertsRaised = alertsRaised
        }
    }

    /// `arlog daily`: the review, the dunning run, a summary. table: one line per step and the
    /// actions; json `{"date","review":{"id","at","appended","alerts_raised"},"dunning":{…as
    /// dunning run…},"appended"}`; csv: `step,appended,detail` rows.
    public static func daily(date: Day, review: DailyReview, run: DunningRunResult, letters: Int?, lettersDirectory: String?,
                             format: OutputFormat) -> String {
        let appended = (review.appended ? 1 : 0) + run.summary.accepted
        let reviewLine = review.appended
            ? "review: logged \(review.id) at \(review.at); \(plural(review.alertsRaised, "alert", "alerts")) raised"
            : "review: \(review.id) already logged today; nothing appended"
        let runLine = dunningRunLine(run, letters: letters, lettersDirectory: lettersDirectory)
        switch format {
        case .table:
            let rows = run.plan.actions.map(dunningRecord)
            return "daily \(date)\n" + reviewLine + "\n" + runLine + "\n"
                + (rows.isEmpty ? "" : table(header: dunningColumns, rows: rows.map(\.cells)) + "\n")
                + "appended \(plural(appended, "event", "events")) in all\n"
        case .csv:
            return csv(header: ["step", "appended", "detail"], rows: [
                [TableCell("review"), TableCell("\(review.appended ? 1 : 0)", alignRight: true), TableCell(reviewLine)],
                [TableCell("dunning"), TableCell("\(run.summary.accepted)", alignRight: true), TableCell(runLine)],
            ])
        case .json:
            var w = JSONWriter()
            w.raw("{\"date\":")
            w.string(date.description)
            w.raw(",\"review\":{\"id\":")
            w.string(review.id)
            w.raw(",\"at\":")
            w.string(review.at.description)
            w.raw(",\"appended\":\(review.appended),\"alerts_raised\":\(review.alertsRaised)},\"dunning\":{")
            dunningRunJSON(run, letters: letters, into: &w)
            w.raw("},\"appended\":\(appended)}")
            return w.text + "\n"
        }
    }
}
