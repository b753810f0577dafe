import ArlogEngine
import ArlogRender
import Foundation
import Testing

@testable import ArlogDomain

/// The credit commands' output (Sources/ArlogRender/Credit.swift): grade, check, alerts,
/// limits, policy, checked without a process; JSON is parsed back with the domain's parser.
@Suite struct CreditRenderTests {
    /// GOOD: trading since 2024, paid G-1 12 days late, G-2 (8750.00 of a 10000.00 limit) 11
    /// days overdue on 30 June. REV: a payment reversed, dunning level 2.
    static let feed: String = {
        var dir = URL(fileURLWithPath: #filePath)
        dir.deleteLastPathComponent()
        let all = try! String(contentsOf: dir.deletingLastPathComponent().appendingPathComponent("Fixtures/credit-customers.ndjson"), encoding: .utf8)
        return all.split(separator: "\n").filter { !$0.contains("\"customer\":\"BAD\"") }.joined(separator: "\n") + "\n"
    }()

    static let day = Day(year: 2025, month: 6, day: 30)!

    static func store() throws -> TempStore {
        let t = try TempStore()
        let (summary, rejected) = try t.ingest(feed)
        #expect(rejected.isEmpty, "\(rejected.map(Render.rejectedLine))")
        #expect(summary.accepted == 9)
        return t
    }

    /// Parses a JSON text of any shape (the domain parser takes objects only).
    static func json(_ text: String) throws -> JSONValue {
        #expect(text.hasSuffix("\n"))
        #expect(text.dropLast().contains("\n") == false, "JSON output is one line")
        let object = try JSONParser.parseObject(Array("{\"v\":\(text)}".utf8))
        return try #require(object["v"])
    }

    static func object(_ v: JSONValue?) throws -> JSONObject {
        guard case .object(let o)? = v else { throw Failure("not an object: \(String(describing: v))") }
        return o
    }

    static func array(_ v: JSONValue?) throws -> [JSONValue] {
        guard case .array(let a)? = v else { throw Failure("not an array: \(String(describing: v))") }
        return a
    }

    static func string(_ v: JSONValue?) -> String? {
        if case .string(let s)? = v { return s }
        return nil
    }

    static func number(_ v: JSONValue?) -> String? {
        if case .number(let n)? = v { return n.text }
        return nil
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    static func lines(_ text: String) -> [String] { text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }

    // MARK: grade

    @Test func gradeTableExplainsEachFactor() throws {
        let t = try Self.store()
        let report = try t.store.grade("GOOD", asOf: Self.day, today: Self.day)
        let table = Render.grade(report, format: .table)
        for title in RiskFactor.allCases.map(\.title) { #expect(table.contains("\n\(title) "), "\(title) missing") }
        #expect(table.contains("12.00 days beyond terms on 4200.00 EUR paid"))
        #expect(table.contains("100.0% of open amount overdue: 1-30 8750.00"))
        #expect(table.contains("utilisation 87.50% of 10000.00 EUR"))
        #expect(table.contains("dunning level 0"))
        #expect(table.contains("no payment reversed in 365 days"))
        #expect(table.contains("trading 546 days"))
        #expect(table.hasPrefix("field "))
        #expect(table.contains("\ngrade "))
        #expect(table.contains("arlog default"))
        #expect(!table.contains("grade history"))
        for line in table.split(separator: "\n") { #expect(line.last != " ") }
        let factorHeader = try #require(Self.lines(table).first { $0.hasPrefix("factor ") })
        #expect(factorHeader.split(separator: " ").map(String.init) == Render.factorColumns)

        let withHistory = Render.grade(report, format: .table, history: true)
        #expect(withHistory.hasPrefix(table))
        #expect(withHistory.contains("\ngrade history\n"))
        let historyHeader = try #require(Self.lines(withHistory).first { $0.hasPrefix("evaluated_on ") })
        #expect(historyHeader.split(separator: " ").map(String.init) == Render.gradeHistoryColumns)
        #expect(withHistory.contains("customer.registered"))
    }

    @Test func gradeJSONHasFactorsMeasuresAndHistory() throws {
        let t = try Self.store()
        let report = try t.store.grade("GOOD", asOf: Self.day, today: Self.day)
        let a = report.assessment
        let o = try Self.object(try Self.json(Render.grade(report, format: .json)))
        #expect(o.members.map(\.key) == ["customer", "currency", "on", "policy", "policy_event", "score", "grade", "projection", "external", "factors", "history"])
        #expect(o["external"] == .null, "no customer.assessed in the feed")
        #expect(Self.string(o["customer"]) == "GOOD")
        #expect(Self.string(o["currency"]) == "EUR")
        #expect(Self.string(o["on"]) == "2025-06-30")
        #expect(Self.string(o["policy"]) == CreditPolicy.default.name)
        #expect(o["policy_event"] == .null)
        #expect(Self.number(o["score"]) == "\(a.score)")
        #expect(Self.string(o["grade"]) == a.grade.letter)
        #expect(o["projection"] == .null, "as of a past date there is no stored evaluation to show")

        let factors = try Self.array(o["factors"]).map(Self.object)
        #expect(factors.map { Self.string($0["factor"]) } == RiskFactor.allCases.map(\.key))
        var contributions = 0.0
        for (f, score) in zip(factors, a.factors) {
            #expect(f.members.map(\.key) == ["factor", "title", "points", "weight", "contribution", "measure", "detail"])
            #expect(Self.number(f["points"]) == "\(score.points)")
            #expect(Self.number(f["weight"]) == "\(score.weight)")
            contributions += Double(try #require(Self.number(f["contribution"]))) ?? .nan
            _ = try Self.object(f["measure"])
        }
        #expect(abs(contributions - Double(a.score)) <= 1.0)

        let payment = try Self.object(factors[0]["measure"])
        #expect(Self.number(payment["days_beyond_terms"]) == "12.0")
        #expect(Self.string(payment["paid"]) == "4200.00")
        let overdue = try Self.object(factors[1]["measure"])
        #expect(Self.string(overdue["open"]) == "8750.00")
        #expect(Self.string(overdue["1-30"]) == "8750.00")
        #expect(Self.string(overdue["91+"]) == "0.00")
        #expect(Self.number(overdue["overdue_percent"]) == "100.0")
        let utilisation = try Self.object(factors[2]["measure"])
        #expect(Self.string(utilisation["credit_limit"]) == "10000.00")
        #expect(Self.string(utilisation["balance"]) == "8750.00")
        #expect(Self.number(utilisation["utilisation_percent"]) == "87.5")
        #expect(Self.number(try Self.object(factors[3]["measure"])["level"]) == "0")
        #expect(Self.number(try Self.object(factors[4]["measure"])["count"]) == "0")
        #expect(Self.number(try Self.object(factors[5]["measure"])["days"]) == "546")
        #expect(Self.string(factors[2]["detail"]) == "utilisation 87.50% of 10000.00 EUR")

        let history = try Self.array(o["history"]).map(Self.object)
        #expect(history.count == report.history.count)
        let first = try #require(history.first)
        #expect(first["from"] == .null)
        #expect(Self.string(first["event_type"]) == "customer.registered")
        #expect(Self.string(first["event"]) == "g1")
        #expect(try Self.array(first["moved"]).isEmpty)
        for h in history.dropFirst() {
            #expect(Self.string(h["from"]) != nil)
            #expect(Self.string(h["factors_moved"]) == (try Self.array(h["moved"])).compactMap { m in
                let m = try? Self.object(m)
                return m.map { "\(Self.string($0["factor"])!) \(Self.number($0["from"])!)→\(Self.number($0["to"])!)" }
            }.joined(separator: ", "))
        }
    }

    @Test func gradeJSONOfNowShowsTheProjection() throws {
        let t = try Self.store()
        let report = try t.store.grade("REV", today: Self.day)
        let o = try Self.object(try Self.json(Render.grade(report, format: .json)))
        let p = try Self.object(o["projection"])
        #expect(p.members.map(\.key) == ["evaluated_on", "seq", "score", "grade"])
        #expect(Self.string(p["evaluated_on"]) == "2025-03-01")
        #expect(Self.number(p["seq"]) == "9")
        #expect(Render.grade(report, format: .table).contains("\nprojection "))
    }

    @Test func gradeCSVIsOneRowPerFactorOrPerChange() throws {
        let t = try Self.store()
        let report = try t.store.grade("REV", asOf: Self.day, today: Self.day)
        let csv = Self.lines(Render.grade(report, format: .csv))
        #expect(csv.first == Render.gradeCSVColumns.joined(separator: ","))
        #expect(csv.count == 7)
        #expect(csv[5].hasPrefix("REV,EUR,2025-06-30,"))
        #expect(csv[5].contains(",reversals,reversed payments,60,5,3.0,1 payment reversed in 365 days"))
        let history = Self.lines(Render.grade(report, format: .csv, history: true))
        #expect(history.first == (["customer"] + Render.gradeHistoryColumns).joined(separator: ","))
        #expect(history.count == report.history.count + 1)
        #expect(history.contains { $0.contains(",r4,payment.reversed,") })
    }

    @Test func factorMeasureSentences() {
        let eur = Currency(code: "EUR")!
        let factors = RiskFactor.allCases.map { FactorScore(factor: $0, points: 50, weight: 10) }
        func assessment(payment: Int64?, buckets: [Int64], limit: Int64, balance: Int64, utilisation: Int64?, reversals: Int, trading: Int) -> CreditAssessment {
            CreditAssessment(
                customer: "X", currency: eur, on: Day(year: 2025, month: 6, day: 30)!, policyName: "p", score: 50, grade: .c,
                factors: factors, points: FactorPoints(factors.map(\.points)), paymentDaysHundredths: payment, paymentAmount: 420_000, buckets: buckets, open: buckets.reduce(0, +),
                balance: balance, creditLimit: limit, utilisationBasisPoints: utilisation, oldestOverdueDays: 40, dunningLevel: 2,
                reversals: reversals, tradingDays: trading, invoicedInWindow: 0)
        }
        let a = assessment(payment: 1250, buckets: [650_000, 200_000, 150_000, 0, 0], limit: 1_000_000, balance: 875_000, utilisation: 8750, reversals: 1, trading: 420)
        #expect(Render.factorMeasure(a, .payment, windowDays: 365).detail == "12.50 days beyond terms on 4200.00 EUR paid")
        #expect(Render.factorMeasure(a, .overdue, windowDays: 365).detail == "35.0% of open amount overdue: 1-30 2000.00, 31-60 1500.00")
        #expect(Render.factorMeasure(a, .utilisation, windowDays: 365).detail == "utilisation 87.50% of 10000.00 EUR")
        #expect(Render.factorMeasure(a, .dunning, windowDays: 365).detail == "dunning level 2")
        #expect(Render.factorMeasure(a, .reversals, windowDays: 365).detail == "1 payment reversed in 365 days")
        #expect(Render.factorMeasure(a, .tradingAge, windowDays: 365).detail == "trading 420 days")

        let b = assessment(payment: -325, buckets: [0, 0, 0, 0, 0], limit: 0, balance: 500, utilisation: nil, reversals: 3, trading: 1)
        #expect(Render.factorMeasure(b, .payment, windowDays: 180).detail == "3.25 days before terms on 4200.00 EUR paid")
        #expect(Render.factorMeasure(b, .overdue, windowDays: 180).detail == "nothing open")
        #expect(Render.factorMeasure(b, .utilisation, windowDays: 180).detail == "balance 5.00 EUR with no credit limit")
        #expect(Render.factorMeasure(b, .reversals, windowDays: 180).detail == "3 payments reversed in 180 days")
        #expect(Render.factorMeasure(b, .tradingAge, windowDays: 180).detail == "trading 1 day")
        let c = assessment(payment: nil, buckets: [100, 0, 0, 0, 0], limit: 100, balance: 100, utilisation: 10_000, reversals: 0, trading: 0)
        #expect(Render.factorMeasure(c, .payment, windowDays: 365).detail == "no payment received in 365 days (no payment history)")
        #expect(Render.factorMeasure(c, .overdue, windowDays: 365).detail == "0.0% of open amount overdue (1.00 EUR open)")
        let measure = Render.factorMeasure(c, .payment, windowDays: 365).measure
        #expect(measure.map(\.name) == ["days_beyond_terms", "paid", "window_days"])
        #expect(measure[0].value == .hundredths(nil))
    }

    @Test func movedFactorsNameTheFactorsWhosePointsChanged() {
        let cause = RiskCause(seq: 7, eventID: "e7", type: .paymentReversed, at: Timestamp(seconds: 0), payment: "P")
        let change = GradeChange(
            customer: "X", cause: cause, evaluatedOn: Day(number: 0), from: .b, to: .d, scoreFrom: 77, score: 53,
            pointsFrom: FactorPoints([80, 100, 90, 100, 100, 60]), points: FactorPoints([50, 60, 90, 100, 100, 60]), policyName: "p")
        #expect(Render.movedText(change) == "payment 80→50, overdue 100→60")
        let record = Render.gradeChangeRecord(change)
        #expect(record.names == Render.gradeHistoryColumns)
        #expect(record.cells.map(\.text) == ["1970-01-01", "1970-01-01T00:00:00Z", "7", "B", "D", "77", "53", "e7", "payment.reversed", "p", "payment 80→50, overdue 100→60"])
        let first = GradeChange(
            customer: "X", cause: cause, evaluatedOn: Day(number: 0), from: nil, to: .a, scoreFrom: nil, score: 90,
            pointsFrom: nil, points: FactorPoints([80, 100, 90, 100, 100, 60]), policyName: "p")
        #expect(Render.movedText(first) == "")
    }

    // MARK: check

    @Test func checkFormatsCarryTheDecisionAndEveryRule() throws {
        let t = try Self.store()
        let approve = try t.store.creditCheck("GOOD", amount: "1000.00", asOf: Self.day, today: Self.day)
        #expect(approve.decision == .approve)
        let review = try t.store.creditCheck("GOOD", amount: "2000", asOf: Self.day, today: Self.day)
        #expect(review.decision == .review)

        let table = Render.check(review, format: .table)
        #expect(table.hasPrefix("field "))
        #expect(table.contains("\ndecision                   review\n"))
        #expect(table.contains("\nexit_code "))
        let rulesHeader = try #require(Self.lines(table).first { $0.hasPrefix("rule ") })
        #expect(rulesHeader.split(separator: " ").map(String.init) == Render.checkReasonColumns)
        #expect(table.contains("\nutilisation  review    balance after the order 10750.00 EUR is 107.50% of the limit 10000.00 EUR"))
        #expect(table.contains("\ngrade  ") || table.contains("\ngrade        approve"))

        let o = try Self.object(try Self.json(Render.check(review, format: .json)))
        #expect(Self.string(o["decision"]) == "review")
        #expect(Self.number(o["exit_code"]) == "10")
        #expect(Self.string(o["amount"]) == "2000.00")
        #expect(Self.string(o["balance"]) == "8750.00")
        #expect(Self.string(o["balance_after"]) == "10750.00")
        #expect(Self.number(o["utilisation_after_percent"]) == "107.5")
        #expect(Self.string(o["customer"]) == "GOOD")
        let reasons = try Self.array(o["reasons"]).map(Self.object)
        #expect(reasons.map { Self.string($0["rule"]) } == ["grade", "overdue", "dunning", "utilisation"])
        #expect(reasons.map { Self.string($0["decision"]) } == ["approve", "approve", "approve", "review"])
        #expect(reasons.allSatisfy { $0.members.map(\.key) == ["rule", "decision", "detail"] })

        let csv = Self.lines(Render.check(approve, format: .csv, name: try t.store.names(["GOOD"])[0]))
        #expect(csv.first == "customer,name,currency,on,amount,decision,rule,rule_decision,detail")
        #expect(csv.count == 5)
        #expect(csv.dropFirst().allSatisfy { $0.hasPrefix("GOOD,Good Ltd,EUR,2025-06-30,1000.00,approve,") })
        #expect(Self.string(try Self.object(try Self.json(Render.check(review, format: .json, name: "Good Ltd")))["name"]) == "Good Ltd")
        #expect(Render.check(review, format: .table, name: "Good Ltd").contains("\nname                       Good Ltd\n"))

        let hold = try t.store.creditCheck("REV", amount: "1.00", asOf: Self.day, today: Self.day)
        #expect(hold.decision == .hold)
        let holdJSON = try Self.object(try Self.json(Render.check(hold, format: .json)))
        #expect(Self.number(holdJSON["exit_code"]) == "11")
        #expect(Self.number(holdJSON["dunning_level"]) == "2")
    }

    // MARK: alerts

    @Test func alertsFormats() throws {
        let t = try Self.store()
        let alerts = try t.store.alerts().map(\.alert)
        let reversal = try #require(alerts.first { $0.kind == .paymentReversed })
        #expect(reversal.customer == "REV")
        #expect(reversal.cause.eventID == "r4")

        let table = Render.alerts(alerts, format: .table)
        #expect(Self.lines(table).count == alerts.count + 2)
        #expect(Self.lines(table)[0].split(separator: " ").map(String.init) == Render.alertColumns)
        let line = try #require(Self.lines(table).first { $0.hasPrefix(reversal.id + " ") })
        #expect(line.contains("critical"))
        #expect(line.contains("payment_reversed"))
        #expect(line.contains("3000.00  EUR       r4     payment.reversed"))

        let array = try Self.array(try Self.json(Render.alerts(alerts, format: .json))).map(Self.object)
        #expect(array.count == alerts.count)
        let o = try #require(array.first { Self.string($0["alert"]) == reversal.id })
        #expect(Self.string(o["kind"]) == "payment_reversed")
        #expect(Self.string(o["level"]) == "critical")
        #expect(Self.string(o["event"]) == "r4")
        #expect(Self.string(o["event_type"]) == "payment.reversed")
        #expect(Self.string(o["amount"]) == "3000.00")
        #expect(Self.string(o["reference"]) == "RP-1")
        #expect(Self.string(o["evaluated_on"]) == "2025-02-15")
        #expect(Render.alerts([], format: .json) == "[]\n")

        let csv = Self.lines(Render.alerts(alerts, format: .csv))
        #expect(csv.first == Render.alertColumns.joined(separator: ","))
        #expect(csv.count == alerts.count + 1)

        // --follow lines: one per alert.
        let jsonLine = Render.alertLine(reversal, format: .json)
        #expect(try Self.object(try Self.json(jsonLine)) == o)
        let tableLine = Render.alertLine(reversal, format: .table)
        #expect(tableLine.hasSuffix("\n") && tableLine.dropLast().contains("\n") == false)
        #expect(tableLine.hasPrefix("\(reversal.id)  2025-02-15  critical  payment_reversed  REV  grade "))
        #expect(tableLine.contains("  3000.00 EUR  r4 (payment.reversed): payment RP-1 of 3000.00 EUR was reversed"))
        #expect(Render.alertLine(reversal, format: .csv) == csv[alerts.firstIndex(of: reversal)! + 1] + "\n")
        #expect(Render.alertFollowHeader(format: .csv) == csv[0] + "\n")
        #expect(Render.alertFollowHeader(format: .json) == "")

        // Names: beside the customer in every form, the same object in a listing and a line.
        let names = try t.store.names(alerts.map(\.customer))
        #expect(names[alerts.firstIndex(of: reversal)!] == "Rev SA")
        #expect(Self.string(o["name"]) == nil && o["name"] == .null)
        let named = try Self.array(try Self.json(Render.alerts(alerts, format: .json, names: names))).map(Self.object)
        let namedReversal = try #require(named.first { Self.string($0["alert"]) == reversal.id })
        #expect(Self.string(namedReversal["name"]) == "Rev SA")
        #expect(namedReversal.members.map(\.key).prefix(5) == ["alert", "seq", "customer", "name", "kind"])
        #expect(try Self.object(try Self.json(Render.alertLine(reversal, format: .json, name: "Rev SA"))) == namedReversal)
        #expect(Render.alertLine(reversal, format: .table, name: "Rev SA").contains("  REV (Rev SA)  grade "))
        let namedCSV = Self.lines(Render.alerts(alerts, format: .csv, names: names))
        #expect(namedCSV[alerts.firstIndex(of: reversal)! + 1].contains(",REV,Rev SA,"))
    }

    // MARK: limits

    @Test func limitsFormats() throws {
        let t = try Self.store()
        let review = try t.store.limitReview(asOf: Self.day, today: Self.day)
        let good = try #require(review.first { $0.assessment.customer == "GOOD" })
        let table = Render.limits(review, format: .table)
        #expect(Self.lines(table)[0].split(separator: " ").map(String.init) == Render.limitColumns)
        #expect(Self.lines(table).count == review.count + 2)
        let array = try Self.array(try Self.json(Render.limits(review, format: .json))).map(Self.object)
        #expect(array.count == review.count)
        let o = try #require(array.first { Self.string($0["customer"]) == "GOOD" })
        #expect(o.members.map(\.key) == Render.limitColumns)
        #expect(Self.string(o["current_limit"]) == "10000.00")
        #expect(Self.string(o["recommended_limit"]) == Money.format(good.recommendedLimit, fractionDigits: 2))
        #expect(o["limit_change"] == .bool(good.limitChange))
        #expect(Self.number(o["current_terms"]) == "30")
        #expect(Self.string(o["reason"]) == good.reason)
        let csv = Self.lines(Render.limits(review, format: .csv))
        #expect(csv.first == Render.limitColumns.joined(separator: ","))
        let names = try t.store.names(review.map(\.assessment.customer))
        let namedGood = try #require(try Self.array(try Self.json(Render.limits(review, format: .json, names: names))).map(Self.object)
            .first { Self.string($0["customer"]) == "GOOD" })
        #expect(Self.string(namedGood["name"]) == "Good Ltd")
        #expect(Render.limits(review, format: .csv, names: names).contains("\nGOOD,Good Ltd,EUR,"))
        #expect(Render.limitsPlan([good], actor: "a", format: .csv, names: ["Good Ltd"]).contains("\nGOOD,Good Ltd,EUR,"))
        #expect(Render.limits([], format: .json) == "[]\n")

        var summary = IngestSummary()
        summary.accepted = 1
        let at = Timestamp(parsing: "2025-07-01T08:00:00Z")!
        let applied = Render.limitsApplied([good], summary: summary, actor: "arlog-policy", at: at, format: .table)
        #expect(applied.hasSuffix("\nappended 1 credit_limit.changed event (actor arlog-policy, at 2025-07-01T08:00:00Z)\n"))
        #expect(Self.lines(applied)[0].split(separator: " ").map(String.init) == Render.limitAppliedColumns)
        #expect(Self.lines(applied)[2].hasPrefix("GOOD            EUR "))
        let appliedJSON = try Self.object(try Self.json(Render.limitsApplied([good], summary: summary, actor: "arlog-policy", at: at, format: .json)))
        #expect(appliedJSON.members.map(\.key) == ["actor", "at", "appended", "duplicates", "changes", "plan"])
        #expect(appliedJSON["plan"] == .bool(false))
        let change = try Self.object(try Self.array(appliedJSON["changes"]).first)
        #expect(Self.string(change["from"]) == "10000.00")
        #expect(Self.string(change["customer"]) == "GOOD")
        #expect(Self.string(change["reason"]) == good.reason)
        #expect(Render.limitsApplied([], summary: IngestSummary(), actor: "a", at: at, format: .table)
            == "appended 0 credit_limit.changed events (actor a, at 2025-07-01T08:00:00Z)\n")

        // The plan: the same rows, nothing appended.
        let plan = Render.limitsPlan([good], actor: "arlog-policy", format: .table)
        #expect(Self.lines(plan)[0].split(separator: " ").map(String.init) == Render.limitAppliedColumns)
        #expect(Self.lines(plan)[2].hasPrefix("GOOD            EUR "))
        #expect(plan.hasSuffix("\nplan: 1 credit_limit.changed event to append (actor arlog-policy); nothing appended; add --yes to append them\n"))
        #expect(Render.limitsPlan([], actor: "a", format: .table) == "plan: no limit to change; nothing appended\n")
        let planJSON = try Self.object(try Self.json(Render.limitsPlan([good], actor: "a", format: .json)))
        #expect(planJSON["plan"] == .bool(true))
        #expect(planJSON["at"] == .null)
        #expect(Self.number(planJSON["appended"]) == "0")
        #expect(try Self.array(planJSON["changes"]).count == 1)
        #expect(Render.limitsPlan([good], actor: "a", format: .csv) == Render.limitsApplied([good], summary: summary, actor: "a", at: at, format: .csv))
    }

    // MARK: policy

    @Test func policyShowJSONIsTheDocument() throws {
        let json = Render.policy(.default, entry: nil, format: .json)
        #expect(json.hasSuffix("}\n") && !json.dropLast().contains("\n"))
        #expect(try CreditPolicy(parsing: Array(json.utf8)) == .default)
        let table = Render.policy(.default, entry: nil, format: .table)
        #expect(table.hasPrefix("field "))
        #expect(table.contains("\nname "))
        #expect(table.contains("built-in default"))
        #expect(table.contains("payment 35, overdue 25, utilisation 15, dunning 10, reversals 5, trading_age 10"))
        #expect(table.contains("A 85, B 70, C 55, D 40, E below"))
        for line in table.split(separator: "\n") { #expect(line.last != " ") }
        #expect(Self.lines(Render.policy(.default, entry: nil, format: .csv)).first == "field,value")
    }

    @Test func policyHistoryListsTheChanges() throws {
        let t = try Self.store()
        #expect(Render.policyHistory(try t.store.policyHistory(), format: .json) == "[]\n")
        var p = CreditPolicy.default
        p.name = "tight"
        let at = Timestamp(parsing: "2025-06-01T00:00:00Z")!
        let s = try t.store.append(lines: [OwnEvents.policyChanged(p, id: "policy.1", at: at, actor: "cfo", note: "Q3")], source: "test") { _ in }
        #expect(s.accepted == 1)
        let entries = try t.store.policyHistory()
        let table = Render.policyHistory(entries, format: .table)
        #expect(Self.lines(table)[0].split(separator: " ").map(String.init) == Render.policyHistoryColumns)
        #expect(Self.lines(table)[2].contains("2025-06-01T00:00:00Z  policy.1  tight  cfo    Q3"))
        let array = try Self.array(try Self.json(Render.policyHistory(entries, format: .json))).map(Self.object)
        #expect(array.count == 1)
        #expect(array[0].members.map(\.key) == Render.policyHistoryColumns + ["policy"])
        #expect(try CreditPolicy(json: try Self.object(array[0]["policy"])) == p)

        // Show names the event the policy came from.
        let (inForce, entry) = try t.store.policy()
        #expect(Render.policy(inForce, entry: entry, format: .table).contains("policy.1 at 2025-06-01T00:00:00Z (seq 10, by cfo): Q3"))
        // The grade report names it too.
        let o = try Self.object(try Self.json(Render.grade(try t.store.grade("GOOD", asOf: Self.day, today: Self.day), format: .json)))
        #expect(Self.string(o["policy"]) == "tight")
        #expect(Self.string(o["policy_event"]) == "policy.1")
    }

    @Test func ownEventLines() {
        let at = Timestamp(parsing: "2025-06-01T00:00:00Z")!
        var s = IngestSummary()
        s.accepted = 1
        #expect(Render.ownEventLogged(type: .creditReviewed, id: "review.1", at: at, summary: s, alertsRaised: 2)
            == "credit.reviewed review.1 at 2025-06-01T00:00:00Z: logged; 2 alerts raised\n")
        var d = IngestSummary()
        d.duplicates = 1
        #expect(Render.ownEventLogged(type: .creditPolicyChanged, id: "p", at: at, summary: d, alertsRaised: 0, what: "policy \"x\"")
            == "credit_policy.changed p at 2025-06-01T00:00:00Z: already logged (duplicate, nothing changed); policy \"x\"\n")
    }

    // MARK: customers

    @Test func customersCarryGradeAndScore() throws {
        let t = try Self.store()
        let rows = try t.store.customers(CustomerFilter(), asOf: nil, today: Self.day)
        let array = try Self.array(try Self.json(Render.customers(rows, format: .json))).map(Self.object)
        // The live model on the report date, as `grade` computes it.
        for (row, o) in zip(rows, array) {
            let live = try t.store.grade(row.profile.id, today: Self.day).assessment
            #expect(Self.string(o["grade"]) == live.grade.letter)
            #expect(Self.number(o["score"]) == "\(live.score)")
        }
        let csv = Self.lines(Render.customers(rows, format: .csv))
        #expect(csv[0].hasSuffix(",avg_days_late,grade,score"))
        var filter = CustomerFilter()
        let rev = try #require(rows.first { $0.profile.id == "REV" }?.grade)
        filter.grades = [rev]
        #expect(try t.store.customers(filter, asOf: nil, today: Self.day).map(\.profile.id).contains("REV"))
        filter.grades = Set(Grade.allCases).subtracting([rev])
        #expect(!(try t.store.customers(filter, asOf: nil, today: Self.day).map(\.profile.id).contains("REV")))
        // As of a past date: the model on that date, from the state as of then.
        let asOf = Day(year: 2025, month: 2, day: 12)!
        let then = try t.store.grade("REV", asOf: asOf, today: Self.day).assessment
        let row = try #require(try t.store.customers(CustomerFilter(), asOf: asOf, today: Self.day).first { $0.profile.id == "REV" })
        #expect(row.grade == then.grade)
        #expect(row.score == then.score)
        #expect(row.score != rows.first { $0.profile.id == "REV" }?.score)
    }
}
