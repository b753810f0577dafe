/// Credit grades, best first. A grade is a band of the score; the bands come from the policy.
public enum Grade: Int, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    case a = 0, b, c, d, e

    public var letter: String { ["A", "B", "C", "D", "E"][rawValue] }
    public var description: String { letter }

    public init?(letter: some StringProtocol) {
        guard let g = Grade.allCases.first(where: { $0.letter == letter }) else { return nil }
        self = g
    }

    /// A < B means A is the better grade.
    public static func < (x: Grade, y: Grade) -> Bool { x.rawValue < y.rawValue }
}

/// The factors of the score, in the order they are shown and stored.
public enum RiskFactor: Int, Sendable, CaseIterable {
    case payment = 0, overdue, utilisation, dunning, reversals, tradingAge

    /// The policy's and the JSON output's name.
    public var key: String {
        switch self {
        case .payment: "payment"
        case .overdue: "overdue"
        case .utilisation: "utilisation"
        case .dunning: "dunning"
        case .reversals: "reversals"
        case .tradingAge: "trading_age"
        }
    }

    public var title: String {
        switch self {
        case .payment: "payment behaviour"
        case .overdue: "overdue share"
        case .utilisation: "credit utilisation"
        case .dunning: "dunning level"
        case .reversals: "reversed payments"
        case .tradingAge: "trading age"
        }
    }
}

/// A piecewise-linear map from a measure (days, percent) to points 0–100: below the first
/// point the first points, above the last the last, linear in between (rounded half away
/// from zero), all in integers so that every machine grades alike.
public struct PointsCurve: Sendable, Equatable {
    public struct Point: Sendable, Equatable {
        public let x: Int
        public let points: Int
    }

    public let points: [Point]

    public init(_ points: [(Int, Int)]) {
        self.points = points.map { Point(x: $0.0, points: $0.1) }
    }

    /// Points at `x100` hundredths of the measure's unit.
    public func value(hundredths x100: Int64) -> Int {
        guard let first = points.first, let last = points.last else { return 0 }
        if x100 <= Int64(first.x) * 100 { return first.points }
        if x100 >= Int64(last.x) * 100 { return last.points }
        for (p, q) in zip(points, points.dropFirst()) where x100 <= Int64(q.x) * 100 {
            // The value itself is rounded (not the step from p), so 79.5 is 80 on a falling
            // curve as on a rising one.
            let den = Int64(q.x - p.x) * 100
            let num = Int64(p.points) * den + Int64(q.points - p.points) * (x100 - Int64(p.x) * 100)
            return Int(CreditMath.divideRounded(num, den))
        }
        return last.points
    }

    public func value(_ x: Int) -> Int { value(hundredths: Int64(x) * 100) }
}

enum CreditMath {
    /// n ÷ d rounded half away from zero; d > 0.
    static func divideRounded(_ n: Int64, _ d: Int64) -> Int64 {
        assert(d > 0)
        return n >= 0 ? (2 * n + d) / (2 * d) : -((2 * -n + d) / (2 * d))
    }

    static func divideRounded(_ n: Int128, _ d: Int128) -> Int128 {
        assert(d > 0)
        return n >= 0 ? (2 * n + d) / (2 * d) : -((2 * -n + d) / (2 * d))
    }

    /// `v` in Int64, saturated at its bounds: for ratios a valid feed can push past Int64
    /// (a balance of 10^15 against a limit of 1 minor unit), where "far above" is the answer.
    static func clamped(_ v: Int128) -> Int64 {
        Int64(exactly: v) ?? (v < 0 ? Int64.min : Int64.max)
    }
}

/// What the policy recommends for one grade: a credit limit covering `salesDays` of the
/// customer's average daily invoicing over the window, and payment terms.
public struct GradeLimit: Sendable, Equatable {
    public let salesDays: Int
    public let termsDays: Int
}

/// The credit policy: every weight, threshold and boundary of the scoring model, the alert
/// levels, the credit-check rules and the limit recommendations. Read from JSON (the default
/// is `CreditPolicy.defaultJSON`, shipped as policy/default-policy.json); a change is logged
/// as a `credit_policy.changed` event and regrades every customer from then on.
public struct CreditPolicy: Sendable, Equatable {
    public var name: String
    /// The look-back of the payment, reversal and sales measures.
    public var windowDays: Int
    /// Per factor, in `RiskFactor` order; 0–100 each, sum > 0.
    public var weights: [Int]
    /// Amount-weighted days beyond terms → points.
    public var paymentCurve: PointsCurve
    /// Payment points when nothing was paid in the window.
    public var paymentNoHistoryPoints: Int
    /// Penalty (0–100) per overdue bucket 1-30, 31-60, 61-90, 91+, applied to its share of the
    /// open amount.
    public var overduePenalties: [Int]
    /// Utilisation percent (balance ÷ limit) → points.
    public var utilisationCurve: PointsCurve
    /// Points for dunning levels 0…4.
    public var dunningPoints: [Int]
    /// Points for 0, 1, … reversed payments in the window; the last applies to any more.
    public var reversalPoints: [Int]
    /// Days since registration → points.
    public var tradingDaysCurve: PointsCurve
    /// Lowest score of grades A, B, C, D (strictly decreasing); below D's is E.
    public var gradeMinScores: [Int]
    /// Alert when the score falls below this.
    public var alertScoreBelow: Int
    /// Alert when utilisation rises above this percent.
    public var alertUtilisationPercent: Int
    public var holdGrades: Set<Grade>
    public var reviewGrades: Set<Grade>
    /// An open installment this many days past due or more holds (reviews) an order.
    public var holdOverdueDays: Int
    public var reviewOverdueDays: Int
    /// A dunning level at or above this holds (reviews) an order.
    public var holdDunningLevel: Int
    public var reviewDunningLevel: Int
    /// Utilisation after the order above this percent needs review.
    public var reviewUtilisationPercent: Int
    /// Per grade A…E.
    public var limits: [GradeLimit]
    /// Recommended limits are rounded up to a multiple of this many major units.
    public var limitRoundingMajorUnits: Int
    /// A limit within this percent of the recommendation is left alone.
    public var limitTolerancePercent: Int
    /// Customers trading for fewer days are not reviewed (too little history).
    public var limitMinTradingDays: Int
    /// What a dormant customer (no net sales in the window) is recommended, as a percent of
    /// its current limit: 100 keeps it (the default: no sales is no evidence of risk, and the
    /// customer may come back), 0 withdraws it (subject to `limitMaxCutPercent`). Optional in
    /// the JSON (`limits.dormant_limit_percent`): policies logged before it existed get
    /// `limitDormantDefaultPercent`.
    public var limitDormantPercent: Int
    /// A review lowers a limit by at most this percent of the current limit (100: no cap; 0:
    /// never lowers). Optional in the JSON (`limits.max_cut_percent`), default
    /// `limitMaxCutDefaultPercent`.
    public var limitMaxCutPercent: Int
    /// The dunning ladder (docs/collections.md). Optional in the JSON (`dunning`): policies
    /// logged before it existed get `DunningLadder.default`.
    public var dunning: DunningLadder
    /// Feed v1.1: points taken off the score for 0, 1, 2, … promises broken in the window
    /// (by `promised_on`); the last applies to any more. Optional in the JSON
    /// (`broken_promise_points`): policies logged before it existed get
    /// `brokenPromiseDefaultPoints`.
    public var brokenPromisePoints: [Int] = CreditPolicy.brokenPromiseDefaultPoints

    /// Dormant customers keep their limit unless a policy says otherwise.
    public static let limitDormantDefaultPercent = 100
    /// At most half a limit goes in one review: a large cut is reached over several reviews,
    /// each logged and visible, not in one run that could be a mistake in the policy.
    public static let limitMaxCutDefaultPercent = 50
    /// A broken promise costs 10 points, two 20, three or more 30: about a grade each (the
    /// default grades are 15 points apart), enough to show, not enough to outweigh how the
    /// customer actually pays.
    public static let brokenPromiseDefaultPoints = [0, 10, 20, 30]

    public func grade(score: Int) -> Grade {
        for (i, minimum) in gradeMinScores.enumerated() where score >= minimum { return Grade(rawValue: i)! }
        return .e
    }

    public func weight(_ f: RiskFactor) -> Int { weights[f.rawValue] }
}

/// Why a policy document was refused: the path of the offending member and the rule.
public struct PolicyError: Error, Equatable, Sendable, CustomStringConvertible {
    public let path: String
    public let message: String
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Bounds on policy documents: far above any real policy, so a bad document cannot make the
/// engine allocate without bound.
public enum PolicyLimits {
    public static let curvePointsMax = 32
    public static let reversalPointsMax = 32
    /// Items of `broken_promise_points`: as `reversalPointsMax`.
    public static let brokenPromisePointsMax = 32
    public static let nameCharsMax = 128
    public static let windowDaysMax = 3650
    public static let daysMax = 36_500
    public static let percentMax = 100_000
    public static let roundingMajorUnitsMax = 1_000_000_000
}

extension CreditPolicy {
    public static let overdueBucketNames = ["1-30", "31-60", "61-90", "91+"]

    /// Parses and validates a policy document. Every member is required, except those added
    /// after policies were first logged (`limits.dormant_limit_percent`,
    /// `limits.max_cut_percent`, `dunning`, `broken_promise_points`: absent, they take their
    /// documented defaults), and unknown
    /// members are refused, so that a typo cannot silently leave a default in force.
    public init(json object: JSONObject) throws(PolicyError) {
        var r = PolicyReader(object: object, path: "")
        name = try r.text("name")
        windowDays = try r.int("window_days", 1...PolicyLimits.windowDaysMax)
        var w = try r.object("weights")
        weights = try RiskFactor.allCases.map { f throws(PolicyError) in try w.int(f.key, 0...100) }
        try w.done()
        guard weights.reduce(0, +) > 0 else { throw PolicyError(path: "weights", message: "at least one weight must be above 0") }
        paymentCurve = try r.curve("payment_days_points", x: -PolicyLimits.daysMax...PolicyLimits.daysMax)
        paymentNoHistoryPoints = try r.int("payment_no_history_points", 0...100)
        var o = try r.object("overdue_bucket_penalty")
        overduePenalties = try CreditPolicy.overdueBucketNames.map { b throws(PolicyError) in try o.int(b, 0...100) }
        try o.done()
        utilisationCurve = try r.curve("utilisation_percent_points", x: 0...PolicyLimits.percentMax)
        dunningPoints = try r.pointsList("dunning_level_points", count: 5...5)
        reversalPoints = try r.pointsList("reversal_count_points", count: 1...PolicyLimits.reversalPointsMax)
        // Optional (feed v1.1), so that policies logged before it existed replay unchanged.
        brokenPromisePoints = try r.pointsList("broken_promise_points", count: 1...PolicyLimits.brokenPromisePointsMax,
                                               absent: CreditPolicy.brokenPromiseDefaultPoints)
        tradingDaysCurve = try r.curve("trading_days_points", x: 0...PolicyLimits.daysMax)
        var g = try r.object("grade_min_score")
        gradeMinScores = try [Grade.a, .b, .c, .d].map { grade throws(PolicyError) in try g.int(grade.letter, 0...100) }
        try g.done()
        for (x, y) in zip(gradeMinScores, gradeMinScores.dropFirst()) where y >= x {
            throw PolicyError(path: "grade_min_score", message: "the minimum scores of A, B, C, D must be strictly decreasing")
        }
        var a = try r.object("alerts")
        alertScoreBelow = try a.int("score_below", 0...100)
        alertUtilisationPercent = try a.int("utilisation_percent", 0...PolicyLimits.percentMax)
        try a.done()
        var c = try r.object("check")
        holdGrades = try c.grades("hold_grades")
        reviewGrades = try c.grades("review_grades")
        if let both = holdGrades.intersection(reviewGrades).min() {
            throw PolicyError(path: "check.review_grades", message: "grade \(both) is also in hold_grades; a grade is held or reviewed, not both")
        }
        holdOverdueDays = try c.int("hold_overdue_days", 1...PolicyLimits.daysMax)
        reviewOverdueDays = try c.int("review_overdue_days", 1...PolicyLimits.daysMax)
        holdDunningLevel = try c.int("hold_dunning_level", 1...5)
        reviewDunningLevel = try c.int("review_dunning_level", 1...5)
        reviewUtilisationPercent = try c.int("review_utilisation_percent", 0...PolicyLimits.percentMax)
        try c.done()
        guard reviewOverdueDays <= holdOverdueDays else {
            throw PolicyError(path: "check.review_overdue_days", message: "must not exceed hold_overdue_days")
        }
        guard reviewDunningLevel <= holdDunningLevel else {
            throw PolicyError(path: "check.review_dunning_level", message: "must not exceed hold_dunning_level")
        }
        var l = try r.object("limits")
        var byGrade = try l.object("by_grade")
        limits = try Grade.allCases.map { grade throws(PolicyError) in
            var gl = try byGrade.object(grade.letter)
            let limit = GradeLimit(salesDays: try gl.int("sales_days", 0...PolicyLimits.daysMax),
                                   termsDays: try gl.int("terms_days", 0...FeedLimits.termsDaysMax))
            try gl.done()
            return limit
        }
        try byGrade.done()
        limitRoundingMajorUnits = try l.int("rounding_major_units", 1...PolicyLimits.roundingMajorUnitsMax)
        limitTolerancePercent = try l.int("tolerance_percent", 0...100)
        limitMinTradingDays = try l.int("min_trading_days", 0...PolicyLimits.daysMax)
        // Optional, so that policies logged before these members existed replay unchanged.
        limitDormantPercent = try l.int("dormant_limit_percent", 0...100, absent: CreditPolicy.limitDormantDefaultPercent)
        limitMaxCutPercent = try l.int("max_cut_percent", 0...100, absent: CreditPolicy.limitMaxCutDefaultPercent)
        try l.done()
        // Optional, so that policies logged before the ladder existed replay unchanged.
        dunning = object["dunning"] == nil ? .default : try DunningLadder(reading: &r)
        try r.done()
    }

    public init(parsing bytes: [UInt8]) throws(PolicyError) {
        let object: JSONObject
        do {
            object = try JSONParser.parseObject(bytes)
        } catch {
            throw PolicyError(path: "", message: "not a JSON object: \(error.description)")
        }
        try self.init(json: object)
    }

    /// The policy as a JSON object, members in the documented order: what a
    /// `credit_policy.changed` event carries and what `arlog policy show` prints.
    public var json: JSONObject {
        func n(_ v: Int) -> JSONValue { .number(JSONNumber(text: String(v))) }
        func obj(_ m: [(String, JSONValue)]) -> JSONValue { .object(JSONObject(members: m.map { (key: $0.0, value: $0.1) })) }
        func curve(_ c: PointsCurve) -> JSONValue { .array(c.points.map { .array([n($0.x), n($0.points)]) }) }
        func grades(_ s: Set<Grade>) -> JSONValue { .array(s.sorted().map { .string($0.letter) }) }
        let m: [(String, JSONValue)] = [
            ("name", .string(name)),
            ("window_days", n(windowDays)),
            ("weights", obj(RiskFactor.allCases.map { ($0.key, n(weight($0))) })),
            ("payment_days_points", curve(paymentCurve)),
            ("payment_no_history_points", n(paymentNoHistoryPoints)),
            ("overdue_bucket_penalty", obj(zip(CreditPolicy.overdueBucketNames, overduePenalties).map { ($0, n($1)) })),
            ("utilisation_percent_points", curve(utilisationCurve)),
            ("dunning_level_points", .array(dunningPoints.map(n))),
            ("reversal_count_points", .array(reversalPoints.map(n))),
            ("broken_promise_points", .array(brokenPromisePoints.map(n))),
            ("trading_days_points", curve(tradingDaysCurve)),
            ("grade_min_score", obj(zip([Grade.a, .b, .c, .d], gradeMinScores).map { ($0.letter, n($1)) })),
            ("alerts", obj([("score_below", n(alertScoreBelow)), ("utilisation_percent", n(alertUtilisationPercent))])),
            ("check", obj([
                ("hold_grades", grades(holdGrades)), ("review_grades", grades(reviewGrades)),
                ("hold_overdue_days", n(holdOverdueDays)), ("review_overdue_days", n(reviewOverdueDays)),
                ("hold_dunning_level", n(holdDunningLevel)), ("review_dunning_level", n(reviewDunningLevel)),
                ("review_utilisation_percent", n(reviewUtilisationPercent)),
            ])),
            ("limits", obj([
                ("by_grade", obj(Grade.allCases.map { g in
                    (g.letter, obj([("sales_days", n(limits[g.rawValue].salesDays)), ("terms_days", n(limits[g.rawValue].termsDays))]))
                })),
                ("rounding_major_units", n(limitRoundingMajorUnits)),
                ("tolerance_percent", n(limitTolerancePercent)),
                ("min_trading_days", n(limitMinTradingDays)),
                ("dormant_limit_percent", n(limitDormantPercent)),
                ("max_cut_percent", n(limitMaxCutPercent)),
            ])),
            ("dunning", dunning.json),
        ]
        return JSONObject(members: m.map { (key: $0.0, value: $0.1) })
    }

    /// The policy in force before any `credit_policy.changed` event. The same text is shipped
    /// as policy/default-policy.json (a test keeps them equal) and explained in docs/credit.md.
    public static let `default`: CreditPolicy = {
        do {
            return try CreditPolicy(parsing: Array(defaultJSON.utf8))
        } catch {
            preconditionFailure("the built-in default policy is invalid: \(error)")
        }
    }()

    public static let defaultJSON = """
        {
          "name": "arlog default 2026-11",
          "window_days": 365,
          "weights": {"payment": 35, "overdue": 25, "utilisation": 15, "dunning": 10, "reversals": 5, "trading_age": 10},
          "payment_days_points": [[-30, 100], [0, 80], [30, 50], [60, 35], [90, 20], [180, 0]],
          "payment_no_history_points": 50,
          "overdue_bucket_penalty": {"1-30": 20, "31-60": 50, "61-90": 80, "91+": 100},
          "utilisation_percent_points": [[0, 100], [50, 90], [75, 75], [90, 55], [100, 40], [150, 0]],
          "dunning_level_points": [100, 75, 50, 25, 0],
          "reversal_count_points": [100, 60, 30, 0],
          "broken_promise_points": [0, 10, 20, 30],
          "trading_days_points": [[0, 30], [180, 60], [365, 80], [730, 100]],
          "grade_min_score": {"A": 85, "B": 70, "C": 55, "D": 40},
          "alerts": {"score_below": 55, "utilisation_percent": 90},
          "check": {
            "hold_grades": ["E"], "review_grades": ["D"],
            "hold_overdue_days": 61, "review_overdue_days": 31,
            "hold_dunning_level": 4, "review_dunning_level": 2,
            "review_utilisation_percent": 100
          },
          "limits": {
            "by_grade": {
              "A": {"sales_days": 90, "terms_days": 60},
              "B": {"sales_days": 60, "terms_days": 45},
              "C": {"sales_days": 30, "terms_days": 30},
              "D": {"sales_days": 15, "terms_days": 14},
              "E": {"sales_days": 0, "terms_days": 0}
            },
            "rounding_major_units": 100,
            "tolerance_percent": 10,
            "min_trading_days": 90,
            "dormant_limit_percent": 100,
            "max_cut_percent": 50
          },
          "dunning": {
            "levels": [
              {"level": 1, "name": "reminder", "days": 7, "channel": "email", "fee": "0", "interest_yearly_percent": 0, "allow_skip": false},
              {"level": 2, "name": "formal notice", "days": 30, "channel": "letter", "fee": "0", "interest_yearly_percent": 0, "allow_skip": false},
              {"level": 3, "name": "final demand", "days": 60, "channel": "letter", "fee": "0", "interest_yearly_percent": 0, "allow_skip": false},
              {"level": 4, "name": "collections", "days": 90, "channel": "legal", "fee": "0", "interest_yearly_percent": 0, "allow_skip": false}
            ]
          }
        }

        """
}

/// Reads one policy object member by member, remembering which were read so that unknown
/// members can be refused.
struct PolicyReader {
    let object: JSONObject
    let path: String
    var read: Set<String> = []

    init(object: JSONObject, path: String) {
        self.object = object
        self.path = path
    }

    func at(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    mutating func value(_ key: String) throws(PolicyError) -> JSONValue {
        read.insert(key)
        guard let v = object[key] else { throw PolicyError(path: at(key), message: "missing") }
        return v
    }

    mutating func text(_ key: String) throws(PolicyError) -> String {
        guard case .string(let s) = try value(key), !s.isEmpty, s.unicodeScalars.count <= PolicyLimits.nameCharsMax else {
            throw PolicyError(path: at(key), message: "must be a string of 1–\(PolicyLimits.nameCharsMax) characters")
        }
        return s
    }

    static func integer(_ v: JSONValue, _ range: ClosedRange<Int>, _ path: String) throws(PolicyError) -> Int {
        guard case .number(let n) = v, let i = n.integer, let x = Int(exactly: i), range.contains(x) else {
            throw PolicyError(path: path, message: "must be an integer in \(range.lowerBound)…\(range.upperBound)")
        }
        return x
    }

    mutating func int(_ key: String, _ range: ClosedRange<Int>) throws(PolicyError) -> Int {
        try PolicyReader.integer(try value(key), range, at(key))
    }

    /// An optional member: `absent` when the object does not have it.
    mutating func int(_ key: String, _ range: ClosedRange<Int>, absent: Int) throws(PolicyError) -> Int {
        read.insert(key)
        guard let v = object[key] else { return absent }
        return try PolicyReader.integer(v, range, at(key))
    }

    mutating func object(_ key: String) throws(PolicyError) -> PolicyReader {
        guard case .object(let o) = try value(key) else { throw PolicyError(path: at(key), message: "must be an object") }
        return PolicyReader(object: o, path: at(key))
    }

    mutating func array(_ key: String, count: ClosedRange<Int>) throws(PolicyError) -> [JSONValue] {
        guard case .array(let items) = try value(key), count.contains(items.count) else {
            throw PolicyError(path: at(key), message: "must be an array of \(count.lowerBound)…\(count.upperBound) items")
        }
        return items
    }

    /// `[[x, points], ...]` with x strictly increasing.
    mutating func curve(_ key: String, x: ClosedRange<Int>) throws(PolicyError) -> PointsCurve {
        let items = try array(key, count: 1...PolicyLimits.curvePointsMax)
        var points: [(Int, Int)] = []
        for (i, item) in items.enumerated() {
            let p = "\(at(key))[\(i)]"
            guard case .array(let pair) = item, pair.count == 2 else { throw PolicyError(path: p, message: "must be [x, points]") }
            let px = try PolicyReader.integer(pair[0], x, p)
            let pts = try PolicyReader.integer(pair[1], 0...100, p)
            if let last = points.last, px <= last.0 { throw PolicyError(path: p, message: "x must be greater than the previous point's") }
            points.append((px, pts))
        }
        return PointsCurve(points)
    }

    /// An optional list: `absent` when the object does not have it.
    mutating func pointsList(_ key: String, count: ClosedRange<Int>, absent: [Int]) throws(PolicyError) -> [Int] {
        read.insert(key)
        guard object[key] != nil else { return absent }
        return try pointsList(key, count: count)
    }

    mutating func pointsList(_ key: String, count: ClosedRange<Int>) throws(PolicyError) -> [Int] {
        let items = try array(key, count: count)
        var out: [Int] = []
        for (i, item) in items.enumerated() { out.append(try PolicyReader.integer(item, 0...100, "\(at(key))[\(i)]")) }
        return out
    }

    mutating func grades(_ key: String) throws(PolicyError) -> Set<Grade> {
        let items = try array(key, count: 0...Grade.allCases.count)
        var out: Set<Grade> = []
        for item in items {
            guard case .string(let s) = item, let g = Grade(letter: s) else {
                throw PolicyError(path: at(key), message: "must list grades A–E")
            }
            guard out.insert(g).inserted else { throw PolicyError(path: at(key), message: "lists grade \(g) twice") }
        }
        return out
    }

    func done() throws(PolicyError) {
        for m in object.members where !read.contains(m.key) {
            throw PolicyError(path: at(m.key), message: "unknown member")
        }
    }
}
