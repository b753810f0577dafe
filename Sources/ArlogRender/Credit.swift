import ArlogDomain
import ArlogEngine

/// The credit-risk commands' output: grade, check, alerts, limits, policy.
///
/// Money is written with the currency's fraction digits (a string in JSON); percentages and
/// days measured in hundredths are JSON numbers (`87.5`); points, weights and scores integers.
extension Render {
    // MARK: helpers

    /// `1234.50 EUR`.
    static func amount(_ minor: Int64, _ currency: Currency) -> String {
        "\(Money.format(minor, fractionDigits: currency.fractionDigits)) \(currency.code)"
    }

    /// A value in hundredths with exactly two decimals: 8750 → "87.50", -250 → "-2.50".
    static func twoDecimals(_ hundredths: Int64) -> String { Money.format(hundredths, fractionDigits: 2) }

    /// n × scale ÷ d rounded half away from zero; d > 0.
    static func ratio(_ n: Int64, _ d: Int64, scale: Int64) -> Int64 {
        let num = Int128(n) * Int128(scale)
        let den = Int128(d)
        let q = num >= 0 ? (2 * num + den) / (2 * den) : -((2 * -num + den) / (2 * den))
        return Int64(clamping: q)
    }

    static func plural(_ n: Int, _ one: String, _ many: String) -> String { "\(n) \(n == 1 ? one : many)" }

    /// A JSON object of `fields` (money with `digits`).
    static func jsonObject(_ fields: [RenderField], digits: Int, into w: inout JSONWriter) {
        RenderRecord(fields, digits: digits).json(into: &w)
    }

    // MARK: grade

    /// What a factor measured: a sentence, and its numbers as the members of `measure` in JSON.
    public static func factorMeasure(_ a: CreditAssessment, _ factor: RiskFactor, windowDays: Int) -> (detail: String, measure: [RenderField]) {
        let c = a.currency
        switch factor {
        case .payment:
            let measure: [RenderField] = [
                ("days_beyond_terms", .hundredths(a.paymentDaysHundredths)),
                ("paid", .money(a.paymentAmount)), ("window_days", .integer(Int64(windowDays))),
            ]
            guard let days = a.paymentDaysHundredths else {
                return ("no payment received in \(windowDays) days (no payment history)", measure)
            }
            let side = days < 0 ? "before" : "beyond"
            return ("\(twoDecimals(abs(days))) days \(side) terms on \(amount(a.paymentAmount, c)) paid", measure)
        case .overdue:
            let names = ["current"] + CreditPolicy.overdueBucketNames
            var measure: [RenderField] = [("open", .money(a.open)), ("overdue", .money(a.overdueAmount))]
            measure.append(("overdue_percent", a.open > 0 ? .hundredths(ratio(a.overdueAmount, a.open, scale: 10_000)) : .hundredths(0)))
            for (name, v) in zip(names, a.buckets) { measure.append((name, .money(v))) }
            guard a.open > 0 else { return ("nothing open", measure) }
            let tenths = ratio(a.overdueAmount, a.open, scale: 1000)
            let share = "\(tenths / 10).\(tenths % 10)%"
            let parts = zip(names, a.buckets).dropFirst().filter { $0.1 > 0 }.map { "\($0.0) \(Money.format($0.1, fractionDigits: c.fractionDigits))" }
            let detail = "\(share) of open amount overdue" + (parts.isEmpty ? " (\(amount(a.open, c)) open)" : ": " + parts.joined(separator: ", "))
            return (detail, measure)
        case .utilisation:
            let measure: [RenderField] = [
                ("balance", .money(a.balance)), ("credit_limit", .money(a.creditLimit)),
                ("utilisation_percent", .hundredths(a.utilisationBasisPoints)),
            ]
            guard let bp = a.utilisationBasisPoints else {
                return ("balance \(amount(a.balance, c)) with no credit limit", measure)
            }
            return ("utilisation \(twoDecimals(bp))% of \(amount(a.creditLimit, c))", measure)
        case .dunning:
            return ("dunning level \(a.dunningLevel)", [("level", .integer(Int64(a.dunningLevel)))])
        case .reversals:
            let what = a.reversals == 0 ? "no payment" : plural(a.reversals, "payment", "payments")
            return ("\(what) reversed in \(windowDays) days", [("count", .integer(Int64(a.reversals))), ("window_days", .integer(Int64(windowDays)))])
        case .tradingAge:
            return ("trading \(plural(a.tradingDays, "day", "days"))", [("days", .integer(Int64(a.tradingDays)))])
        }
    }

    /// The policy's look-back the report was scored with.
    static func windowDays(_ r: GradeReport) -> Int { (r.policy?.policy ?? .default).windowDays }

    /// The figures a grade report starts with.
    public static func gradeHead(_ r: GradeReport) -> RenderRecord {
        let a = r.assessment
        var fields: [RenderField] = [
            ("customer", .text(a.customer)), ("currency", .text(a.currency.code)), ("on", .date(a.on)),
            ("policy", .text(a.policyName)), ("policy_event", r.policy.map { .text($0.id) }),
            ("score", .integer(Int64(a.score))), ("grade", .text(a.grade.letter)),
            // Feed v1.1: the points broken promises took off the weighted score.
            ("broken_promises", .integer(Int64(a.brokenPromises))), ("broken_promise_points", .integer(Int64(a.brokenPromisePoints))),
        ]
        if let s = r.stored {
            fields.append(("projection", .text("grade \(s.grade) (score \(s.score)) evaluated on \(s.evaluatedOn) at seq \(s.seq)")))
        }
        return RenderRecord(fields, digits: a.currency.fractionDigits)
    }

    public static let factorColumns = ["factor", "points", "weight", "contribution", "measure"]

    /// One row per factor: its title, points, weight, contribution (hundredths of a point) and
    /// what it measured.
    public static func factorRecords(_ r: GradeReport) -> [RenderRecord] {
        let a = r.assessment
        return a.factors.map { f in
            RenderRecord(
                [
                    ("factor", .text(f.factor.title)), ("points", .integer(Int64(f.points))), ("weight", .integer(Int64(f.weight))),
                    ("contribution", .hundredths(a.contributionHundredths(f))),
                    ("measure", .text(factorMeasure(a, f.factor, windowDays: windowDays(r)).detail)),
                ], digits: a.currency.fractionDigits)
        }
    }

    /// The factors whose points moved in a grade change, as (factor, before, after).
    public static func movedFactors(_ c: GradeChange) -> [(factor: RiskFactor, from: Int, to: Int)] {
        guard let before = c.pointsFrom else { return [] }
        return RiskFactor.allCases.compactMap { f in
            let i = f.rawValue
            guard i < before.count, i < c.points.count, before[i] != c.points[i] else { return nil }
            return (f, before[i], c.points[i])
        }
    }

    /// `payment 80→50, overdue 100→60`.
    public static func movedText(_ c: GradeChange) -> String {
        movedFactors(c).map { "\($0.factor.key) \($0.from)→\($0.to)" }.joined(separator: ", ")
    }

    public static let gradeHistoryColumns = [
        "evaluated_on", "at", "seq", "from", "to", "score_from", "score", "event", "event_type", "policy", "factors_moved",
    ]

    public static func gradeChangeRecord(_ c: GradeChange) -> RenderRecord {
        RenderRecord(
            [
                ("evaluated_on", .date(c.evaluatedOn)), ("at", .text(c.cause.at.description)),
                ("seq", .integer(Int64(clamping: c.cause.seq))), ("from", c.from.map { .text($0.letter) }),
                ("to", .text(c.to.letter)), ("score_from", c.scoreFrom.map { .integer(Int64($0)) }),
                ("score", .integer(Int64(c.score))), ("event", .text(c.cause.eventID)),
                ("event_type", .text(c.cause.type.name)), ("policy", .text(c.policyName)),
                ("factors_moved", .text(movedText(c))),
            ], digits: 0)
    }

    public static let gradeCSVColumns = [
        "customer", "currency", "on", "policy", "score", "grade", "factor", "title", "points", "weight", "contribution", "measure",
    ]

    /// `arlog grade`. table: the head as `field value`, the factors, and with `history` the
    /// grade changes. json (history always included):
    /// `{"customer","currency","on","policy","policy_event","score","grade","projection",
    /// "factors":[{"factor","title","points","weight","contribution","measure":{...},"detail"}],
    /// "history":[{...,"moved":[{"factor","from","to"}]}]}`. csv: one row per factor, or with
    /// `history` one row per grade change (the customer in front).
    public static func grade(_ r: GradeReport, format: OutputFormat, history: Bool = false) -> String {
        let a = r.assessment
        let digits = a.currency.fractionDigits
        switch format {
        case .table:
            var out = fieldTable(gradeHead(r)) + "\n" + table(header: factorColumns, rows: factorRecords(r).map(\.cells))
            out += externalSection(r)
            if history {
                out += "\ngrade history\n" + table(header: gradeHistoryColumns, rows: r.history.map { gradeChangeRecord($0).cells })
            }
            return out
        case .csv:
            if history {
                let lead = TableCell(a.customer)
                return csv(header: ["customer"] + gradeHistoryColumns, rows: r.history.map { [lead] + gradeChangeRecord($0).cells })
            }
            let lead = RenderRecord(
                [
                    ("customer", .text(a.customer)), ("currency", .text(a.currency.code)), ("on", .date(a.on)),
                    ("policy", .text(a.policyName)), ("score", .integer(Int64(a.score))), ("grade", .text(a.grade.letter)),
                ], digits: digits
            ).cells
            let rows = a.factors.map { f in
                lead + RenderRecord(
                    [
                        ("factor", .text(f.factor.key)), ("title", .text(f.factor.title)), ("points", .integer(Int64(f.points))),
                        ("weight", .integer(Int64(f.weight))), ("contribution", .hundredths(a.contributionHundredths(f))),
                        ("measure", .text(factorMeasure(a, f.factor, windowDays: windowDays(r)).detail)),
                    ], digits: digits
                ).cells
            }
            return csv(header: gradeCSVColumns, rows: rows)
        case .json:
            var w = JSONWriter()
            w.raw("{")
            RenderRecord(
                [
                    ("customer", .text(a.customer)), ("currency", .text(a.currency.code)), ("on", .date(a.on)),
                    ("policy", .text(a.policyName)), ("policy_event", r.policy.map { .text($0.id) }),
                    ("score", .integer(Int64(a.score))), ("grade", .text(a.grade.letter)),
                ], digits: digits
            ).jsonMembers(into: &w)
            w.raw(",\"projection\":")
            if let s = r.stored {
                jsonObject(
                    [
                        ("evaluated_on", .date(s.evaluatedOn)), ("seq", .integer(Int64(clamping: s.seq))),
                        ("score", .integer(Int64(s.score))), ("grade", .text(s.grade.letter)),
                    ], digits: 0, into: &w)
            } else {
                w.raw("null")
            }
            // Feed v1.3: the assessment in force, or null.
            w.raw(",\"external\":")
            if let x = r.external {
                w.raw("{")
                externalRecord(x, digits: digits).jsonMembers(into: &w)
                w.raw("}")
            } else {
                w.raw("null")
            }
            w.raw(",\"factors\":[")
            for (i, f) in a.factors.enumerated() {
                if i > 0 { w.raw(",") }
                let (detail, measure) = factorMeasure(a, f.factor, windowDays: windowDays(r))
                w.raw("{")
                RenderRecord(
                    [
                        ("factor", .text(f.factor.key)), ("title", .text(f.factor.title)), ("points", .integer(Int64(f.points))),
                        ("weight", .integer(Int64(f.weight))), ("contribution", .hundredths(a.contributionHundredths(f))),
                    ], digits: digits
                ).jsonMembers(into: &w)
                w.raw(",\"measure\":")
                jsonObject(measure, digits: digits, into: &w)
                w.raw(",\"detail\":")
                w.string(detail)
                w.raw("}")
            }
            w.raw("],\"history\":[")
            for (i, c) in r.history.enumerated() {
                if i > 0 { w.raw(",") }
                w.raw("{")
                gradeChangeRecord(c).jsonMembers(into: &w)
                w.raw(",\"moved\":[")
                for (j, m) in movedFactors(c).enumerated() {
                    if j > 0 { w.raw(",") }
                    jsonObject([("factor", .text(m.factor.key)), ("from", .integer(Int64(m.from))), ("to", .integer(Int64(m.to)))], digits: 0, into: &w)
                }
                w.raw("]}")
            }
            w.raw("]}")
            return w.text + "\n"
        }
    }

    // MARK: check

    public static func checkHead(_ c: CreditCheckResult, name: String? = nil) -> RenderRecord {
        let a = c.assessment
        let (after, overflow) = a.balance.addingReportingOverflow(c.orderAmount)
        return RenderRecord(
            [
                ("customer", .text(a.customer)), ("name", name.map { .text($0) }), ("currency", .text(a.currency.code)), ("on", .date(a.on)),
                ("amount", .money(c.orderAmount)), ("decision", .text(c.decision.name)),
                ("exit_code", .integer(Int64(c.decision.exitCode))),
                ("grade", .text(a.grade.letter)), ("score", .integer(Int64(a.score))),
                ("balance", .money(a.balance)), ("credit_limit", .money(a.creditLimit)),
                ("balance_after", overflow ? nil : .money(after)),
                ("utilisation_after_percent", .hundredths(c.utilisationAfterBasisPoints)),
                ("oldest_overdue_days", .integer(Int64(a.oldestOverdueDays))), ("dunning_level", .integer(Int64(a.dunningLevel))),
                ("policy", .text(a.policyName)),
            ], digits: a.currency.fractionDigits)
    }

    public static let checkReasonColumns = ["rule", "decision", "detail"]

    public static func checkReasonRecord(_ r: CheckReason) -> RenderRecord {
        RenderRecord([("rule", .text(r.rule)), ("decision", .text(r.decision.name)), ("detail", .text(r.detail))], digits: 0)
    }

    /// `arlog check`: table: the figures as `field value`, then one row per rule. json: the
    /// figures and `"reasons":[{"rule","decision","detail"}]`. csv: one row per rule with the
    /// customer, amount and overall decision in front. `name`: the customer's (a `name` field
    /// after `customer`; empty or `null` when not given).
    public static func check(_ c: CreditCheckResult, format: OutputFormat, name: String? = nil) -> String {
        let head = checkHead(c, name: name)
        let reasons = c.reasons.map(checkReasonRecord)
        switch format {
        case .table:
            return fieldTable(head) + "\n" + table(header: checkReasonColumns, rows: reasons.map(\.cells))
        case .csv:
            let a = c.assessment
            let lead = RenderRecord(
                [
                    ("customer", .text(a.customer)), ("name", name.map { .text($0) }), ("currency", .text(a.currency.code)),
                    ("on", .date(a.on)), ("amount", .money(c.orderAmount)), ("decision", .text(c.decision.name)),
                ], digits: a.currency.fractionDigits
            ).cells
            return csv(
                header: ["customer", "name", "currency", "on", "amount", "decision", "rule", "rule_decision", "detail"],
                rows: reasons.map { lead + $0.cells })
        case .json:
            return jsonDocument(head, sections: [("reasons", reasons)])
        }
    }

    // MARK: alerts

    /// One alert as a JSON object on one line: what `alerts --format json` lists, what
    /// `--follow --format json` prints and what `--exec` writes to the command's stdin. The
    /// bytes are the engine's (`Alert.json(into:)`): alert delivery sends the same object.
    public static func alertJSON(_ a: Alert, name: String? = nil) -> [UInt8] {
        var w = JSONWriter()
        a.json(into: &w, name: name)
        return w.bytes
    }

    public static let alertColumns = [
        "alert", "evaluated_on", "level", "kind", "customer", "name", "grade", "score", "amount", "currency", "event", "event_type", "reason",
    ]

    public static func alertRecord(_ a: Alert, name: String? = nil) -> RenderRecord {
        RenderRecord(
            [
                ("alert", .text(a.id)), ("evaluated_on", .date(a.evaluatedOn)), ("level", .text(a.level.name)),
                ("kind", .text(a.kind.rawValue)), ("customer", .text(a.customer)), ("name", name.map { .text($0) }),
                ("grade", .text(a.grade.letter)),
                ("score", .integer(Int64(a.score))), ("amount", a.amount.map { .money($0) }), ("currency", .text(a.currency.code)),
                ("event", .text(a.cause.eventID)), ("event_type", .text(a.cause.type.name)), ("reason", .text(a.reason)),
            ], digits: a.currency.fractionDigits)
    }

    /// `arlog alerts`: table and csv with `alertColumns`; json an array of the objects
    /// `alertJSON` writes (the same as `--follow --format json` lines and `--exec` input).
    /// `names`: the customers' names, aligned with `alerts` (missing: an empty cell, `null`).
    public static func alerts(_ alerts: [Alert], format: OutputFormat, names: [String?] = []) -> String {
        let name = { (i: Int) in i < names.count ? names[i] : nil }
        switch format {
        case .table, .csv: return records(alerts.indices.map { alertRecord(alerts[$0], name: name($0)) }, columns: alertColumns, format: format)
        case .json:
            var bytes: [UInt8] = [UInt8(ascii: "[")]
            for (i, a) in alerts.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes += alertJSON(a, name: name(i))
            }
            bytes += Array("]\n".utf8)
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// What `alerts --follow` prints before the first alert: the CSV header (nothing for the
    /// other formats: a table's column widths are not known in advance).
    public static func alertFollowHeader(format: OutputFormat) -> String {
        format == .csv ? csvLine(alertColumns) : ""
    }

    /// One alert as one line for `alerts --follow`: a JSON object, a CSV row, or for table the
    /// cells two spaces apart (`ID  DAY  LEVEL  KIND  CUSTOMER (NAME)  grade G (score S)  AMOUNT  EVENT (TYPE): REASON`).
    public static func alertLine(_ a: Alert, format: OutputFormat, name: String? = nil) -> String {
        switch format {
        case .json: return String(decoding: alertJSON(a, name: name), as: UTF8.self) + "\n"
        case .csv: return csvLine(alertRecord(a, name: name).cells.map(\.text))
        case .table:
            let who = name.map { "\(a.customer) (\($0))" } ?? a.customer
            var parts = [a.id, a.evaluatedOn.description, a.level.name, a.kind.rawValue, who, "grade \(a.grade) (score \(a.score))"]
            if let m = a.amount { parts.append(amount(m, a.currency)) }
            parts.append("\(a.cause.eventID) (\(a.cause.type.name)): \(a.reason)")
            return singleLine(parts.joined(separator: "  ")) + "\n"
        }
    }

    // MARK: limits

    public static let limitColumns = [
        "customer", "name", "currency", "grade", "score", "limit_grade", "limit_score", "current_limit", "recommended_limit", "limit_change",
        "dormant", "cut_capped", "current_terms", "recommended_terms", "terms_change", "reason",
    ]

    public static func limitRecord(_ r: LimitRecommendation, name: String? = nil) -> RenderRecord {
        let a = r.assessment
        return RenderRecord(
            [
                ("customer", .text(a.customer)), ("name", name.map { .text($0) }), ("currency", .text(a.currency.code)), ("grade", .text(a.grade.letter)),
                ("score", .integer(Int64(a.score))), ("limit_grade", .text(r.limitGrade.letter)),
                ("limit_score", .integer(Int64(r.limitScore))), ("current_limit", .money(r.currentLimit)),
                ("recommended_limit", .money(r.recommendedLimit)), ("limit_change", .bool(r.limitChange)),
                ("dormant", .bool(r.dormant)), ("cut_capped", .bool(r.cutCapped)),
                ("current_terms", .integer(Int64(r.currentTermsDays))), ("recommended_terms", .integer(Int64(r.recommendedTermsDays))),
                ("terms_change", .bool(r.currentTermsDays != r.recommendedTermsDays)), ("reason", .text(r.reason)),
            ], digits: a.currency.fractionDigits)
    }

    /// `arlog limits`: one row per customer whose limit or terms differ from the
    /// recommendation; json an array of objects with `limitColumns` as keys. `grade`/`score`
    /// are the customer's; `limit_grade`/`limit_score` those the recommendation is based on
    /// (the score without the utilisation factor). `dormant`: no net sales in the window (the
    /// policy's dormant rule applied); `cut_capped`: the cut was held to the policy's maximum.
    /// `names`: the customers' names, aligned with `recommendations` (missing: an empty cell, `null`).
    public static func limits(_ recommendations: [LimitRecommendation], format: OutputFormat, names: [String?] = []) -> String {
        records(recommendations.indices.map { limitRecord(recommendations[$0], name: $0 < names.count ? names[$0] : nil) }, columns: limitColumns, format: format)
    }

    public static let limitAppliedColumns = ["customer", "name", "currency", "limit_grade", "limit_score", "from", "to", "reason"]

    public static func limitAppliedRecord(_ r: LimitRecommendation, name: String? = nil) -> RenderRecord {
        let a = r.assessment
        return RenderRecord(
            [
                ("customer", .text(a.customer)), ("name", name.map { .text($0) }), ("currency", .text(a.currency.code)), ("limit_grade", .text(r.limitGrade.letter)),
                ("limit_score", .integer(Int64(r.limitScore))), ("from", .money(r.currentLimit)), ("to", .money(r.recommendedLimit)),
                ("reason", .text(r.reason)),
            ], digits: a.currency.fractionDigits)
    }

    /// `arlog limits --apply --yes`: the limit changes logged (`applied`: the recommendations
    /// whose limit changes). table: the changes, then a summary line; csv: the changes; json:
    /// `{"actor","at","appended","duplicates","changes":[{"customer","currency","limit_grade","limit_score","from","to","reason"}],"plan":false}`.
    public static func limitsApplied(_ applied: [LimitRecommendation], summary: IngestSummary, actor: String, at: Timestamp, format: OutputFormat,
                                     names: [String?] = []) -> String {
        let rows = applied.indices.map { limitAppliedRecord(applied[$0], name: $0 < names.count ? names[$0] : nil) }
        switch format {
        case .table:
            let line = "appended \(plural(summary.accepted, "credit_limit.changed event", "credit_limit.changed events")) (actor \(singleLine(actor)), at \(at))"
                + (summary.duplicates > 0 ? ", \(summary.duplicates) already logged" : "")
            return (rows.isEmpty ? "" : table(header: limitAppliedColumns, rows: rows.map(\.cells)) + "\n") + line + "\n"
        case .csv: return records(rows, columns: limitAppliedColumns, format: .csv)
        case .json: return limitChangesJSON(rows, actor: actor, at: at, summary: summary, plan: false)
        }
    }

    /// `arlog limits --apply` without `--yes`: what would be appended, and nothing appended.
    /// table: the changes, then `plan: ... nothing appended; add --yes to append them`; csv:
    /// the changes (the CLI says on stderr that nothing was appended); json: as applied, with
    /// `"at":null`, `"appended":0` and `"plan":true`.
    public static func limitsPlan(_ planned: [LimitRecommendation], actor: String, format: OutputFormat, names: [String?] = []) -> String {
        let rows = planned.indices.map { limitAppliedRecord(planned[$0], name: $0 < names.count ? names[$0] : nil) }
        switch format {
        case .table:
            let line = rows.isEmpty
                ? "plan: no limit to change; nothing appended"
                : "plan: \(plural(rows.count, "credit_limit.changed event", "credit_limit.changed events")) to append (actor \(singleLine(actor))); nothing appended; add --yes to append them"
            return (rows.isEmpty ? "" : table(header: limitAppliedColumns, rows: rows.map(\.cells)) + "\n") + line + "\n"
        case .csv: return records(rows, columns: limitAppliedColumns, format: .csv)
        case .json: return limitChangesJSON(rows, actor: actor, at: nil, summary: IngestSummary(), plan: true)
        }
    }

    static func limitChangesJSON(_ rows: [RenderRecord], actor: String, at: Timestamp?, summary: IngestSummary, plan: Bool) -> String {
        var w = JSONWriter()
        w.raw("{\"actor\":")
        w.string(actor)
        w.raw(",\"at\":")
        if let at { w.string(at.description) } else { w.raw("null") }
        w.raw(",\"appended\":\(summary.accepted),\"duplicates\":\(summary.duplicates),\"changes\":")
        jsonArray(rows, into: &w)
        w.raw(",\"plan\":\(plan)}")
        return w.text + "\n"
    }

    // MARK: policy

    static func curveText(_ c: PointsCurve, unit: String = "") -> String {
        c.points.map { "\($0.x)\(unit)→\($0.points)" }.joined(separator: ", ")
    }

    /// The policy as readable `field value` rows (all text, so that the table stays left-aligned).
    public static func policyRecord(_ p: CreditPolicy, entry: PolicyEntry?) -> RenderRecord {
        let grades = { (s: Set<Grade>) in s.isEmpty ? "none" : s.sorted().map(\.letter).joined(separator: ",") }
        let source = entry.map { e in
            "\(e.id) at \(e.at) (seq \(e.seq)\(e.actor.map { ", by \($0)" } ?? ""))\(e.note.map { ": \($0)" } ?? "")"
        } ?? "built-in default (no credit_policy.changed in force)"
        let reversals = p.reversalPoints.enumerated().map { i, v in "\(i)\(i == p.reversalPoints.count - 1 ? "+" : "")→\(v)" }
        let fields: [RenderField] = [
            ("name", .text(p.name)),
            ("source", .text(source)),
            ("window_days", .text("\(p.windowDays)")),
            ("weights", .text(RiskFactor.allCases.map { "\($0.key) \(p.weight($0))" }.joined(separator: ", "))),
            ("payment_days_points", .text(curveText(p.paymentCurve, unit: "d"))),
            ("payment_no_history_points", .text("\(p.paymentNoHistoryPoints)")),
            ("overdue_bucket_penalty", .text(zip(CreditPolicy.overdueBucketNames, p.overduePenalties).map { "\($0) \($1)" }.joined(separator: ", "))),
            ("utilisation_percent_points", .text(curveText(p.utilisationCurve, unit: "%"))),
            ("dunning_level_points", .text(p.dunningPoints.enumerated().map { "\($0)→\($1)" }.joined(separator: ", "))),
            ("reversal_count_points", .text(reversals.joined(separator: ", "))),
            ("broken_promise_points", .text(p.brokenPromisePoints.enumerated().map { i, v in "\(i)\(i == p.brokenPromisePoints.count - 1 ? "+" : "")→−\(v)" }.joined(separator: ", "))),
            ("trading_days_points", .text(curveText(p.tradingDaysCurve, unit: "d"))),
            ("grade_min_score", .text(zip([Grade.a, .b, .c, .d], p.gradeMinScores).map { "\($0) \($1)" }.joined(separator: ", ") + ", E below")),
            ("alerts", .text("score below \(p.alertScoreBelow); utilisation above \(p.alertUtilisationPercent)%")),
            ("check_hold", .text("grades \(grades(p.holdGrades)); \(p.holdOverdueDays)+ days overdue; dunning level \(p.holdDunningLevel)+")),
            ("check_review", .text("grades \(grades(p.reviewGrades)); \(p.reviewOverdueDays)+ days overdue; dunning level \(p.reviewDunningLevel)+; utilisation after the order above \(p.reviewUtilisationPercent)%")),
            ("limits", .text(Grade.allCases.map { "\($0) \(p.limits[$0.rawValue].salesDays)d sales/\(p.limits[$0.rawValue].termsDays)d terms" }.joined(separator: ", "))),
            ("limit_rounding", .text("up to \(p.limitRoundingMajorUnits) major units")),
            ("limit_tolerance", .text("\(p.limitTolerancePercent)%")),
            ("limit_min_trading_days", .text("\(p.limitMinTradingDays)")),
            ("limit_dormant", .text(p.limitDormantPercent == 100 ? "keep 100% of the limit" : "\(p.limitDormantPercent)% of the limit")),
            ("limit_max_cut", .text(p.limitMaxCutPercent == 100 ? "100% (no cap)" : "\(p.limitMaxCutPercent)% of the limit per review")),
            ("dunning", .text(dunningText(p.dunning))),
        ]
        return RenderRecord(fields, digits: 0)
    }

    /// The ladder in one line: "1 reminder 7d email, 2 formal notice 30d letter fee 40 + 8.5%/y, ...".
    static func dunningText(_ l: DunningLadder) -> String {
        guard !l.levels.isEmpty else { return "none (no dunning)" }
        return l.levels.map { v in
            var s = "\(v.level) \(v.name) \(v.days)d \(v.channel.rawValue)"
            if v.fee.tenThousandths > 0 { s += " fee \(v.fee)" }
            if v.interestYearlyPercent.tenThousandths > 0 { s += " interest \(v.interestYearlyPercent)%/y" }
            if v.allowSkip { s += " (may skip)" }
            return s
        }.joined(separator: ", ")
    }

    /// `arlog policy show`: json is the policy document itself (what `policy set` takes), on
    /// one line; table a readable summary; csv the summary's `field,value` rows.
    public static func policy(_ p: CreditPolicy, entry: PolicyEntry?, format: OutputFormat) -> String {
        switch format {
        case .json:
            var w = JSONWriter()
            w.value(.object(p.json))
            return w.text + "\n"
        case .table: return fieldTable(policyRecord(p, entry: entry))
        case .csv:
            let r = policyRecord(p, entry: entry)
            return csv(header: ["field", "value"], rows: r.fields.map { [TableCell($0.name), TableCell($0.value, digits: 0)] })
        }
    }

    public static let policyHistoryColumns = ["seq", "at", "id", "name", "actor", "note"]

    public static func policyEntryRecord(_ e: PolicyEntry) -> RenderRecord {
        RenderRecord(
            [
                ("seq", .integer(Int64(clamping: e.seq))), ("at", .text(e.at.description)), ("id", .text(e.id)),
                ("name", .text(e.policy.name)), ("actor", e.actor.map { .text($0) }), ("note", e.note.map { .text($0) }),
            ], digits: 0)
    }

    /// `arlog policy history`: one row per `credit_policy.changed`, in log order. json: an
    /// array of objects with `policyHistoryColumns` and `"policy"` (the document).
    public static func policyHistory(_ entries: [PolicyEntry], format: OutputFormat) -> String {
        let rows = entries.map(policyEntryRecord)
        switch format {
        case .table, .csv: return records(rows, columns: policyHistoryColumns, format: format)
        case .json:
            var w = JSONWriter()
            w.raw("[")
            for (i, e) in entries.enumerated() {
                if i > 0 { w.raw(",") }
                w.raw("{")
                rows[i].jsonMembers(into: &w)
                w.raw(",\"policy\":")
                w.value(.object(e.policy.json))
                w.raw("}")
            }
            w.raw("]")
            return w.text + "\n"
        }
    }

    // MARK: arlog's own events

    /// What `policy set` and `review` print after logging their event: the event, whether it
    /// was new, and how many alerts its regrading raised.
    public static func ownEventLogged(type: EventType, id: String, at: Timestamp, summary: IngestSummary, alertsRaised: Int, what: String? = nil) -> String {
        let status = summary.accepted > 0 ? "logged" : summary.duplicates > 0 ? "already logged (duplicate, nothing changed)" : "not logged"
        var line = "\(type.name) \(id) at \(at): \(status)"
        if let what { line += "; \(what)" }
        if summary.accepted > 0 { line += "; \(plural(alertsRaised, "alert", "alerts")) raised" }
        return singleLine(line) + "\n"
    }
}
