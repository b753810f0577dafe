import Foundation
import Testing

@testable import ArlogDomain

/// The credit policy document: the shipped default, its JSON form, every validation rule
/// (each refusal names the offending member's path), the points curves and the grade bands.
struct CreditPolicyTests {
    /// The default policy text with `from` replaced by `to`, parsed: the refusal, or nil when
    /// the document was accepted. Records an issue if `from` is not in the default text, so a
    /// change to the default cannot silently turn a case into a no-op.
    static func refusal(_ from: String, _ to: String, sourceLocation: SourceLocation = #_sourceLocation) -> PolicyError? {
        let text = CreditPolicy.defaultJSON.replacing(from, with: to)
        #expect(text != CreditPolicy.defaultJSON, "not in the default policy: \(from)", sourceLocation: sourceLocation)
        do {
            _ = try CreditPolicy(parsing: Array(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    static func text(_ p: CreditPolicy) -> String {
        var w = JSONWriter()
        w.value(.object(p.json))
        return w.text
    }

    // MARK: - The default and its JSON form

    @Test func defaultPolicyValues() {
        let p = CreditPolicy.default
        #expect(p.name == "arlog default 2026-11")
        #expect(p.windowDays == 365)
        #expect(p.weights == [35, 25, 15, 10, 5, 10])
        #expect(RiskFactor.allCases.map { p.weight($0) } == [35, 25, 15, 10, 5, 10])
        #expect(p.paymentCurve == PointsCurve([(-30, 100), (0, 80), (30, 50), (60, 35), (90, 20), (180, 0)]))
        #expect(p.paymentNoHistoryPoints == 50)
        #expect(p.overduePenalties == [20, 50, 80, 100])
        #expect(p.utilisationCurve == PointsCurve([(0, 100), (50, 90), (75, 75), (90, 55), (100, 40), (150, 0)]))
        #expect(p.dunningPoints == [100, 75, 50, 25, 0])
        #expect(p.reversalPoints == [100, 60, 30, 0])
        #expect(p.tradingDaysCurve == PointsCurve([(0, 30), (180, 60), (365, 80), (730, 100)]))
        #expect(p.gradeMinScores == [85, 70, 55, 40])
        #expect(p.alertScoreBelow == 55)
        #expect(p.alertUtilisationPercent == 90)
        #expect(p.holdGrades == [.e])
        #expect(p.reviewGrades == [.d])
        #expect((p.holdOverdueDays, p.reviewOverdueDays) == (61, 31))
        #expect((p.holdDunningLevel, p.reviewDunningLevel) == (4, 2))
        #expect(p.reviewUtilisationPercent == 100)
        #expect(p.limits.map(\.salesDays) == [90, 60, 30, 15, 0])
        #expect(p.limits.map(\.termsDays) == [60, 45, 30, 14, 0])
        #expect(p.limitRoundingMajorUnits == 100)
        #expect(p.limitTolerancePercent == 10)
        #expect(p.limitMinTradingDays == 90)
        #expect(p.limitDormantPercent == 100)
        #expect(p.limitMaxCutPercent == 50)
        #expect(p.limitDormantPercent == CreditPolicy.limitDormantDefaultPercent)
        #expect(p.limitMaxCutPercent == CreditPolicy.limitMaxCutDefaultPercent)
    }

    /// A policy logged by the version before `limits.dormant_limit_percent` and
    /// `limits.max_cut_percent` existed has neither: it is still accepted, with the documented
    /// defaults, so old logs replay as they did; given, they are read and validated like any
    /// member.
    @Test func newLimitMembersAreOptional() throws {
        let old = CreditPolicy.defaultJSON.replacing(#","# + "\n    \"dormant_limit_percent\": 100,\n    \"max_cut_percent\": 50", with: "")
        #expect(old != CreditPolicy.defaultJSON)
        #expect(!old.contains("dormant_limit_percent") && !old.contains("max_cut_percent"))
        let p = try CreditPolicy(parsing: Array(old.utf8))
        #expect(p == CreditPolicy.default)
        let onlyCut = CreditPolicy.defaultJSON.replacing(#""dormant_limit_percent": 100,"#, with: "").replacing(#""max_cut_percent": 50"#, with: #""max_cut_percent": 100"#)
        let q = try CreditPolicy(parsing: Array(onlyCut.utf8))
        #expect(q.limitDormantPercent == 100)
        #expect(q.limitMaxCutPercent == 100)
        // Written back, they are always there (what `policy show --format json` prints).
        #expect(Self.text(q).contains(#""dormant_limit_percent":100,"max_cut_percent":100}"#))
    }

    /// Feed v1.1's `broken_promise_points`: optional (policies logged before it get the
    /// default), validated like `reversal_count_points`, always written back.
    @Test func brokenPromisePointsAreOptional() throws {
        let old = CreditPolicy.defaultJSON.replacing("  \"broken_promise_points\": [0, 10, 20, 30],\n", with: "")
        #expect(old != CreditPolicy.defaultJSON && !old.contains("broken_promise_points"))
        #expect(try CreditPolicy(parsing: Array(old.utf8)) == CreditPolicy.default)
        #expect(CreditPolicy.default.brokenPromisePoints == [0, 10, 20, 30])
        #expect(Self.text(.default).contains(#""reversal_count_points":[100,60,30,0],"broken_promise_points":[0,10,20,30],"#))
        #expect(Self.refusal(#""broken_promise_points": [0, 10, 20, 30]"#, #""broken_promise_points": [0, 101]"#)?.path == "broken_promise_points[1]")
        #expect(Self.refusal(#""broken_promise_points": [0, 10, 20, 30]"#, #""broken_promise_points": []"#)?.path == "broken_promise_points")
        #expect(Self.refusal(#""broken_promise_points": [0, 10, 20, 30]"#, #""broken_promise_points": 10"#)?.path == "broken_promise_points")
        #expect(Self.refusal(#""broken_promise_points": [0, 10, 20, 30]"#, #""broken_promise_points": [0, 1.5]"#)?.path == "broken_promise_points[1]")
        let many = "[" + Array(repeating: "1", count: PolicyLimits.brokenPromisePointsMax + 1).joined(separator: ",") + "]"
        #expect(Self.refusal(#""broken_promise_points": [0, 10, 20, 30]"#, #""broken_promise_points": "# + many)?.path == "broken_promise_points")
        #expect(Self.refusal(#""broken_promise_points": [0, 10, 20, 30]"#, #""broken_promise_points": [50]"#) == nil)
    }

    @Test func defaultJSONRoundTrips() throws {
        let p = CreditPolicy.default
        // As an object (what a credit_policy.changed event carries) and as text.
        #expect(try CreditPolicy(json: p.json) == p)
        #expect(try CreditPolicy(parsing: Array(Self.text(p).utf8)) == p)
        // Members in the documented order: the order of the shipped text.
        let shipped = try JSONParser.parseObject(Array(CreditPolicy.defaultJSON.utf8))
        #expect(p.json.members.map(\.key) == shipped.members.map(\.key))
        #expect(p.json == shipped)
    }

    @Test func nonDefaultPolicyRoundTrips() throws {
        var p = CreditPolicy.default
        p.name = "strict \"quoted\" é"
        p.weights = [0, 0, 0, 0, 1, 0]
        p.holdGrades = [.e, .d, .c]
        p.reviewGrades = []
        p.paymentCurve = PointsCurve([(-5, 7)])
        p.reversalPoints = [100]
        p.gradeMinScores = [99, 50, 1, 0]
        let back = try CreditPolicy(parsing: Array(Self.text(p).utf8))
        #expect(back == p)
        #expect(back != CreditPolicy.default)
        // Grade sets are written sorted, whatever the set's order.
        guard case .object(let check)? = p.json["check"], case .array(let hold)? = check["hold_grades"] else {
            Issue.record("no check.hold_grades")
            return
        }
        #expect(hold == [.string("C"), .string("D"), .string("E")])
    }

    /// policy/default-policy.json in the repository is the built-in default.
    @Test func shippedFileIsTheDefault() throws {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        let bytes = try [UInt8](Data(contentsOf: root.appendingPathComponent("policy/default-policy.json")))
        #expect(try CreditPolicy(parsing: bytes) == CreditPolicy.default)
        #expect(String(decoding: bytes, as: UTF8.self) == CreditPolicy.defaultJSON)
    }

    // MARK: - Validation: each rule, with the path it names

    @Test(arguments: [
        // Missing members.
        (#""name": "arlog default 2026-11","#, "", "name"),
        (#""window_days": 365,"#, "", "window_days"),
        (#", "trading_age": 10}"#, "}", "weights.trading_age"),
        (#""hold_dunning_level": 4, "#, "", "check.hold_dunning_level"),
        (#""C": {"sales_days": 30, "terms_days": 30}"#, #""C": {"sales_days": 30}"#, "limits.by_grade.C.terms_days"),
        (#""91+": 100}"#, #""91": 100}"#, "overdue_bucket_penalty.91+"),
        // Unknown members (a typo must not leave a default in force).
        (#""window_days": 365,"#, #""window_days": 365, "windows_days": 30,"#, "windows_days"),
        (#""alerts": {"score_below": 55,"#, #""alerts": {"score_below": 55, "score_above": 90,"#, "alerts.score_above"),
        (#""A": {"sales_days": 90, "terms_days": 60}"#, #""A": {"sales_days": 90, "terms_days": 60, "limit": 5}"#, "limits.by_grade.A.limit"),
        (#""by_grade": {"#, #""by_grade": {"F": {"sales_days": 0, "terms_days": 0}, "#, "limits.by_grade.F"),
        // Weights: each 0…100, not all 0.
        (#"{"payment": 35, "overdue": 25, "utilisation": 15, "dunning": 10, "reversals": 5, "trading_age": 10}"#,
         #"{"payment": 0, "overdue": 0, "utilisation": 0, "dunning": 0, "reversals": 0, "trading_age": 0}"#, "weights"),
        (#""payment": 35"#, #""payment": 101"#, "weights.payment"),
        (#""payment": 35"#, #""payment": -1"#, "weights.payment"),
        // Grade minimums strictly decreasing.
        (#"{"A": 85, "B": 70, "C": 55, "D": 40}"#, #"{"A": 85, "B": 85, "C": 55, "D": 40}"#, "grade_min_score"),
        (#"{"A": 85, "B": 70, "C": 55, "D": 40}"#, #"{"A": 85, "B": 70, "C": 55, "D": 60}"#, "grade_min_score"),
        (#""D": 40}"#, #""D": 101}"#, "grade_min_score.D"),
        // Curves: x strictly increasing, [x, points] pairs, x and points in range, 1…32 points.
        (#"[[-30, 100], [0, 80], [30, 50]"#, #"[[-30, 100], [0, 80], [0, 50]"#, "payment_days_points[2]"),
        (#"[[0, 30], [180, 60], [365, 80]"#, #"[[0, 30], [365, 60], [180, 80]"#, "trading_days_points[2]"),
        (#"[[0, 30], [180, 60]"#, #"[[0, 30], [180]"#, "trading_days_points[1]"),
        (#"[[0, 30], [180, 60]"#, #"[[0, 30], {"x": 180, "points": 60}"#, "trading_days_points[1]"),
        (#"[[0, 100], [50, 90]"#, #"[[-1, 100], [50, 90]"#, "utilisation_percent_points[0]"),
        (#"[[0, 100], [50, 90]"#, #"[[0, 101], [50, 90]"#, "utilisation_percent_points[0]"),
        (#"[[0, 30], [180, 60], [365, 80], [730, 100]]"#, "[]", "trading_days_points"),
        // review ≤ hold.
        (#""review_overdue_days": 31"#, #""review_overdue_days": 62"#, "check.review_overdue_days"),
        (#""review_dunning_level": 2"#, #""review_dunning_level": 5"#, "check.review_dunning_level"),
        // Wrong types and ranges.
        (#""window_days": 365"#, #""window_days": "365""#, "window_days"),
        (#""window_days": 365"#, #""window_days": 365.5"#, "window_days"),
        (#""window_days": 365"#, #""window_days": 0"#, "window_days"),
        (#""window_days": 365"#, #""window_days": 3651"#, "window_days"),
        (#""name": "arlog default 2026-11""#, #""name": 7"#, "name"),
        (#""name": "arlog default 2026-11""#, #""name": """#, "name"),
        (#"{"payment": 35, "overdue": 25, "utilisation": 15, "dunning": 10, "reversals": 5, "trading_age": 10}"#,
         "[35, 25, 15, 10, 5, 10]", "weights"),
        (#""payment": 35"#, #""payment": true"#, "weights.payment"),
        (#""alerts": {"score_below": 55, "utilisation_percent": 90}"#, #""alerts": null"#, "alerts"),
        (#""hold_grades": ["E"]"#, #""hold_grades": ["F"]"#, "check.hold_grades"),
        (#""hold_grades": ["E"]"#, #""hold_grades": "E""#, "check.hold_grades"),
        (#""hold_grades": ["E"]"#, #""hold_grades": ["E", "E"]"#, "check.hold_grades"),
        (#""review_grades": ["D"]"#, #""review_grades": ["D", "E"]"#, "check.review_grades"),
        (#""dunning_level_points": [100, 75, 50, 25, 0]"#, #""dunning_level_points": [100, 75, 50, 25]"#, "dunning_level_points"),
        (#""dunning_level_points": [100, 75, 50, 25, 0]"#, #""dunning_level_points": [100, 75, "50", 25, 0]"#, "dunning_level_points[2]"),
        (#""reversal_count_points": [100, 60, 30, 0]"#, #""reversal_count_points": []"#, "reversal_count_points"),
        (#""rounding_major_units": 100"#, #""rounding_major_units": 0"#, "limits.rounding_major_units"),
        (#""tolerance_percent": 10"#, #""tolerance_percent": 101"#, "limits.tolerance_percent"),
        (#""dormant_limit_percent": 100"#, #""dormant_limit_percent": 101"#, "limits.dormant_limit_percent"),
        (#""dormant_limit_percent": 100"#, #""dormant_limit_percent": "keep""#, "limits.dormant_limit_percent"),
        (#""max_cut_percent": 50"#, #""max_cut_percent": -1"#, "limits.max_cut_percent"),
        (#""max_cut_percent": 50"#, #""max_cut_percent": null"#, "limits.max_cut_percent"),
        (#""max_cut_percent": 50"#, #""max_cut_percent": 50, "max_cut": 5"#, "limits.max_cut"),
    ])
    func refusedWithPath(_ from: String, _ to: String, _ path: String) {
        let error = Self.refusal(from, to)
        #expect(error?.path == path, "\(error.map(String.init(describing:)) ?? "accepted")")
    }

    @Test func refusalMessages() throws {
        let missing = try #require(Self.refusal(#""window_days": 365,"#, ""))
        #expect(missing.message == "missing")
        #expect(missing.description == "window_days: missing")
        let unknown = try #require(Self.refusal(#""window_days": 365,"#, #""window_days": 365, "colour": 1,"#))
        #expect(unknown.message == "unknown member")
        #expect(unknown.path == "colour")
        let order = try #require(Self.refusal(#""review_overdue_days": 31"#, #""review_overdue_days": 90"#))
        #expect(order.description == "check.review_overdue_days: must not exceed hold_overdue_days")
        let range = try #require(Self.refusal(#""window_days": 365"#, #""window_days": -1"#))
        #expect(range.message == "must be an integer in 1…3650")
    }

    /// Refusals that are not about one member: the document itself.
    @Test func notAnObject() {
        for text in ["[]", "", "{\"name\": ", "null"] {
            #expect(throws: PolicyError.self, "\(text)") { try CreditPolicy(parsing: Array(text.utf8)) }
            do {
                _ = try CreditPolicy(parsing: Array(text.utf8))
            } catch {
                #expect(error.path == "")
                #expect(error.message.hasPrefix("not a JSON object"))
            }
        }
        #expect(throws: PolicyError(path: "name", message: "missing")) { try CreditPolicy(parsing: Array("{}".utf8)) }
    }

    /// The limits of the rules are inclusive: these edge documents are accepted.
    @Test(arguments: [
        // One positive weight is enough.
        (#"{"payment": 35, "overdue": 25, "utilisation": 15, "dunning": 10, "reversals": 5, "trading_age": 10}"#,
         #"{"payment": 0, "overdue": 0, "utilisation": 0, "dunning": 0, "reversals": 1, "trading_age": 0}"#),
        // review = hold.
        (#""review_overdue_days": 31"#, #""review_overdue_days": 61"#),
        (#""review_dunning_level": 2"#, #""review_dunning_level": 4"#),
        // A one-point curve.
        (#"[[0, 30], [180, 60], [365, 80], [730, 100]]"#, "[[0, 55]]"),
        // Grade minimums down to 0.
        (#"{"A": 85, "B": 70, "C": 55, "D": 40}"#, #"{"A": 3, "B": 2, "C": 1, "D": 0}"#),
        // Empty grade sets.
        (#""hold_grades": ["E"], "review_grades": ["D"]"#, #""hold_grades": [], "review_grades": []"#),
    ])
    func acceptedEdges(_ from: String, _ to: String) {
        let error = Self.refusal(from, to)
        #expect(error == nil, "\(error.map(String.init(describing:)) ?? "")")
    }

    @Test func whitespaceAndMemberOrderDoNotMatter() throws {
        let o = try JSONParser.parseObject(Array(CreditPolicy.defaultJSON.utf8))
        let reversed = JSONObject(members: o.members.reversed())
        #expect(try CreditPolicy(json: reversed) == .default)
    }

    // MARK: - Points curves

    @Test(arguments: [
        // Below the first point: the first points; above the last: the last.
        (-1000, 100), (-45, 100), (-30, 100),
        // Between, in whole days: -15 is halfway from 100 to 80.
        (-15, 90), (-1, 81), (0, 80), (1, 79), (10, 70), (30, 50), (40, 45), (60, 35), (90, 20),
        // 120: 20 − 20 × 30/90 = 13.33 → 13; 100: 20 − 2.22 → 18.
        (120, 13), (100, 18), (179, 0), (180, 0), (181, 0), (100_000, 0),
    ])
    func paymentCurve(_ days: Int, _ points: Int) {
        #expect(CreditPolicy.default.paymentCurve.value(days) == points)
        #expect(CreditPolicy.default.paymentCurve.value(hundredths: Int64(days) * 100) == points)
    }

    @Test func curveRoundsHalfAwayFromZero() {
        let trading = CreditPolicy.default.tradingDaysCurve  // (0, 30), (180, 60): 1/6 point a day
        #expect(trading.value(2) == 30)  // 30.33
        #expect(trading.value(3) == 31)  // 30.5 → 31
        #expect(trading.value(4) == 31)  // 30.67
        #expect(trading.value(9) == 32)  // 31.5 → 32
        #expect(trading.value(-5) == 30)
        #expect(trading.value(1000) == 100)
        // Rising from 60 to 80 over 185 days: 317 → 60 + 14.81 = 75.
        #expect(trading.value(317) == 75)
        // Hundredths of the unit are interpolated too.
        let pay = CreditPolicy.default.paymentCurve
        #expect(pay.value(hundredths: 333) == 77)  // 80 − 3.33
        #expect(pay.value(hundredths: -1550) == 90)  // 100 − 20 × 14.5/30 = 90.33
        #expect(pay.value(hundredths: -2999) == 100)  // 99.99
        #expect(pay.value(hundredths: -3001) == 100)
        // The value is rounded half away from zero, on falling segments too: 0.5 days late is
        // 80 − 0.5 = 79.5 → 80; 0.51 days is 79.49 → 79.
        #expect(pay.value(hundredths: 50) == 80)
        #expect(pay.value(hundredths: 51) == 79)
        #expect(pay.value(hundredths: -1500) == 90)
    }

    @Test func degenerateCurves() {
        #expect(PointsCurve([]).value(5) == 0)
        let flat = PointsCurve([(10, 42)])
        #expect(flat.value(-10) == 42)
        #expect(flat.value(10) == 42)
        #expect(flat.value(1_000_000) == 42)
        let rising = PointsCurve([(0, 0), (1, 100)])
        #expect(rising.value(hundredths: 49) == 49)
        #expect(rising.value(hundredths: 50) == 50)
        #expect(rising.value(hundredths: 99) == 99)
    }

    // MARK: - Grades

    @Test func gradeOrderAndLetters() {
        #expect(Grade.allCases == [.a, .b, .c, .d, .e])
        #expect(Grade.a < .b && Grade.b < .c && Grade.c < .d && Grade.d < .e)
        #expect(!(Grade.c < .c))
        #expect(Grade.allCases.max() == .e)
        #expect(Grade.allCases.map(\.letter) == ["A", "B", "C", "D", "E"])
        #expect(Grade(letter: "C") == .c)
        #expect(Grade(letter: "c") == nil)
        #expect(Grade(letter: "F") == nil)
        #expect(Grade(letter: "") == nil)
        #expect("\(Grade.d)" == "D")
    }

    @Test(arguments: [
        (100, Grade.a), (85, .a), (84, .b), (70, .b), (69, .c), (55, .c), (54, .d), (40, .d), (39, .e), (0, .e),
    ])
    func defaultGradeBands(_ score: Int, _ grade: Grade) {
        #expect(CreditPolicy.default.grade(score: score) == grade)
    }

    @Test func gradeBandsFollowThePolicy() throws {
        var p = CreditPolicy.default
        p.gradeMinScores = [90, 80, 60, 45]
        #expect(p.grade(score: 89) == .b)
        #expect(p.grade(score: 76) == .c)
        #expect(p.grade(score: 45) == .d)
        #expect(p.grade(score: 44) == .e)
    }
}
