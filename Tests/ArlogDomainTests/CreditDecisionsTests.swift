import Testing

@testable import ArlogDomain

/// The credit check (approve / review / hold), the limit review, and the binary records of the
/// risk projection.
struct CreditDecisionsTests {
    /// An assessment with only the measures the decisions read.
    static func assessment(grade: Grade = .b, score: Int = 76, overdueDays: Int = 0, dunning: Int = 0,
                           balance: Int64 = 0, limit: Int64 = 100_000, currency: String = "EUR",
                           invoiced: Int64 = 0, trading: Int = 365) -> CreditAssessment {
        CreditAssessment(
            customer: "C", currency: Currency(code: currency)!, on: Day(parsing: "2025-06-30")!, policyName: "test",
            score: score, grade: grade, factors: [], points: FactorPoints(), paymentDaysHundredths: nil, paymentAmount: 0,
            buckets: [balance, 0, 0, 0, 0], open: balance, balance: balance, creditLimit: limit,
            utilisationBasisPoints: nil, oldestOverdueDays: overdueDays, dunningLevel: dunning, reversals: 0,
            tradingDays: trading, invoicedInWindow: invoiced)
    }

    /// An assessment for the limit review: every factor but utilisation at `others` points
    /// (so the score without utilisation is `others`), utilisation at `utilisation`.
    static func limitAssessment(others: Int, utilisation: Int = 100, limit: Int64 = 0, currency: String = "EUR",
                                invoiced: Int64, trading: Int = 365, policy p: CreditPolicy = .default) -> CreditAssessment {
        let factors = RiskFactor.allCases.map { FactorScore(factor: $0, points: $0 == .utilisation ? utilisation : others, weight: p.weight($0)) }
        let score = CreditScoring.score(factors)
        return CreditAssessment(
            customer: "C", currency: Currency(code: currency)!, on: Day(parsing: "2025-06-30")!, policyName: p.name,
            score: score, grade: p.grade(score: score), factors: factors, points: FactorPoints(factors.map(\.points)),
            paymentDaysHundredths: nil, paymentAmount: 0,
            buckets: [0, 0, 0, 0, 0], open: 0, balance: 0, creditLimit: limit, utilisationBasisPoints: 0,
            oldestOverdueDays: 0, dunningLevel: 0, reversals: 0, tradingDays: trading, invoicedInWindow: invoiced)
    }

    /// Points of the other factors that put the score without utilisation in each grade.
    static let othersFor: [Grade: Int] = [.a: 90, .b: 75, .c: 60, .d: 45, .e: 20]

    static func decide(_ a: CreditAssessment, amount: Int64 = 100, policy: CreditPolicy = .default) -> CreditCheckResult {
        CreditCheck.decide(a, policy: policy, amount: amount)
    }

    static func rule(_ r: CreditCheckResult, _ name: String) -> CheckDecision? {
        r.reasons.first { $0.rule == name }?.decision
    }

    // MARK: - Credit check, rule by rule

    @Test(arguments: [(Grade.a, CheckDecision.approve), (.b, .approve), (.c, .approve), (.d, .review), (.e, .hold)])
    func gradeRule(_ grade: Grade, _ decision: CheckDecision) {
        let r = Self.decide(Self.assessment(grade: grade))
        #expect(Self.rule(r, "grade") == decision)
        #expect(r.decision == decision)
    }

    @Test(arguments: [(0, CheckDecision.approve), (1, .approve), (30, .approve), (31, .review), (60, .review), (61, .hold), (400, .hold)])
    func overdueRule(_ days: Int, _ decision: CheckDecision) {
        let r = Self.decide(Self.assessment(overdueDays: days))
        #expect(Self.rule(r, "overdue") == decision)
        #expect(r.decision == decision)
    }

    @Test(arguments: [(0, CheckDecision.approve), (1, .approve), (2, .review), (3, .review), (4, .hold)])
    func dunningRule(_ level: Int, _ decision: CheckDecision) {
        let r = Self.decide(Self.assessment(dunning: level))
        #expect(Self.rule(r, "dunning") == decision)
        #expect(r.decision == decision)
    }

    /// Balance + order against the limit (1,000.00 here): review above 100%.
    @Test(arguments: [
        (Int64(50_000), Int64(50_000), CheckDecision.approve, Int64?.some(10_000)),  // exactly 100.00%
        // 99.999%: shown as 100.00%, not above: approve.
        (50_000, 49_999, .approve, 10_000),
        (50_000, 50_100, .review, 10_010),
        // 0.01 over the limit: 100.001%, shown as 100.00%, but over: review.
        (50_000, 50_001, .review, 10_000),
        // Unapplied cash covers the order: 0%.
        (-20_000, 10_000, .approve, 0),
    ])
    func utilisationRule(_ balance: Int64, _ order: Int64, _ decision: CheckDecision, _ basisPoints: Int64?) {
        let r = Self.decide(Self.assessment(balance: balance, limit: 100_000), amount: order)
        #expect(Self.rule(r, "utilisation") == decision)
        #expect(r.utilisationAfterBasisPoints == basisPoints)
        #expect(r.decision == decision)
        #expect(r.orderAmount == order)
    }

    /// No limit: any balance after the order needs review; none (credit on account) does not.
    @Test func zeroLimitReviews() {
        var r = Self.decide(Self.assessment(balance: 0, limit: 0), amount: 1)
        #expect(Self.rule(r, "utilisation") == .review)
        #expect(r.utilisationAfterBasisPoints == nil)
        #expect(r.decision == .review)
        #expect(r.reasons.last?.detail == "no credit limit; balance after the order 0.01 EUR")
        r = Self.decide(Self.assessment(balance: -500, limit: 0), amount: 500)
        #expect(Self.rule(r, "utilisation") == .approve)
    }

    @Test func overflowingOrderIsReviewed() {
        let r = Self.decide(Self.assessment(balance: Int64.max - 5, limit: 100_000), amount: 10)
        #expect(Self.rule(r, "utilisation") == .review)
        #expect(r.utilisationAfterBasisPoints == nil)
    }

    @Test func decisionIsTheWorstRule() {
        // Every rule approves.
        var r = Self.decide(Self.assessment(grade: .a))
        #expect(r.reasons.map(\.decision) == [.approve, .approve, .approve, .approve])
        #expect(r.decision == .approve)
        // One review among approvals.
        r = Self.decide(Self.assessment(grade: .a, dunning: 2))
        #expect(r.reasons.map(\.decision) == [.approve, .approve, .review, .approve])
        #expect(r.decision == .review)
        // A hold beats reviews.
        r = Self.decide(Self.assessment(grade: .d, overdueDays: 61, dunning: 3, balance: 99_000), amount: 5_000)
        #expect(r.reasons.map(\.decision) == [.review, .hold, .review, .review])
        #expect(r.decision == .hold)
        // The rules are always listed, in a fixed order.
        #expect(r.reasons.map(\.rule) == ["grade", "overdue", "dunning", "utilisation"])
        #expect(r.reasons[0].detail == "grade D (score 76); the policy reviews grade D")
        #expect(r.reasons[1].detail == "oldest open installment 61 days past due (hold from 61)")
        #expect(r.reasons[2].detail == "dunning level 3 (review from 2)")
        #expect(r.reasons[3].detail == "balance after the order 1040.00 EUR is 104.00% of the limit 1000.00 EUR (review above 100%)")
    }

    @Test func exitCodes() {
        #expect(CheckDecision.allCases.map(\.exitCode) == [0, 10, 11])
        #expect(CheckDecision.allCases.map(\.name) == ["approve", "review", "hold"])
        #expect(CheckDecision.approve < .review && CheckDecision.review < .hold)
        #expect(Self.decide(Self.assessment(grade: .a)).decision.exitCode == 0)
        #expect(Self.decide(Self.assessment(grade: .d)).decision.exitCode == 10)
        #expect(Self.decide(Self.assessment(grade: .e)).decision.exitCode == 11)
    }

    /// The rules are the policy's.
    @Test func rulesComeFromThePolicy() {
        var p = CreditPolicy.default
        p.holdGrades = [.c, .d, .e]
        p.reviewGrades = [.b]
        p.holdOverdueDays = 10
        p.reviewOverdueDays = 5
        p.holdDunningLevel = 1
        p.reviewDunningLevel = 1
        p.reviewUtilisationPercent = 50
        let a = Self.assessment(grade: .b, overdueDays: 5, dunning: 0, balance: 60_000, limit: 100_000)
        let r = Self.decide(a, amount: 1, policy: p)
        #expect(r.reasons.map(\.decision) == [.review, .review, .approve, .review])
        #expect(Self.decide(Self.assessment(grade: .c), policy: p).decision == .hold)
        #expect(Self.decide(Self.assessment(overdueDays: 10), policy: p).decision == .hold)
        #expect(Self.decide(Self.assessment(dunning: 1), policy: p).decision == .hold)
    }

    /// Through a real ledger: dunning level 4 holds.
    @Test func checkOnAScoredCustomer() throws {
        var b = Book()
        b.register(limit: "1000.00", on: "2025-01-01")
        expectAccepted(b.invoice("I1", "100.00", issued: "2025-01-01", due: "2025-01-31"))
        expectAccepted(b.dun(4, invoice: "I1", on: "2025-02-05"))
        let a = try assess(b, on: "2025-02-05")
        let r = CreditCheck.decide(a, policy: .default, amount: 10_000)
        #expect(r.reasons.map(\.decision) == [.approve, .approve, .hold, .approve])
        #expect(r.decision == .hold)
        #expect(r.assessment == a)
    }

    // MARK: - Limit review

    /// recommended = invoiced in the window × sales_days ÷ window_days, rounded up to 100 major
    /// units of the customer's currency.
    @Test(arguments: [
        // 100,000.00 EUR × 90 / 365 = 24,657.53 → 24,700.00.
        ("EUR", Int64(10_000_000), Grade.a, Int64(2_470_000), 60),
        // 3,650.00 × 60 / 365 = 600.00 exactly: stays 600.00.
        ("EUR", 365_000, .b, 60_000, 45),
        // 3,650.01 × 60 / 365 = 600.0016: rounded up, 700.00.
        ("EUR", 365_001, .b, 70_000, 45),
        // ¥1,000,000 × 30 / 365 = ¥82,191.78 → ¥82,200 (no minor unit: 100 units = 100).
        ("JPY", 1_000_000, .c, 82_200, 30),
        // BHD 10,000.000 × 15 / 365 = 410.959 → 500.000 (3 digits: 100 units = 100,000).
        ("BHD", 10_000_000, .d, 500_000, 14),
        // Grade E: 0 days of sales.
        ("EUR", 10_000_000, .e, 0, 0),
        // Nothing invoiced: 0.
        ("EUR", 0, .a, 0, 60),
    ])
    func recommendedLimit(_ currency: String, _ invoiced: Int64, _ grade: Grade, _ recommended: Int64, _ terms: Int) throws {
        let a = Self.limitAssessment(others: Self.othersFor[grade]!, currency: currency, invoiced: invoiced)
        let r = try #require(LimitReview.recommend(a, termsDays: 21, policy: .default))
        #expect(r.limitGrade == grade)
        #expect(r.recommendedLimit == recommended)
        #expect(r.recommendedTermsDays == terms)
        #expect(r.currentTermsDays == 21)
        #expect(r.currentLimit == 0)
    }

    /// Within 10% of the recommendation (2,470,000; tolerance 247,000, inclusive) nothing changes.
    @Test(arguments: [
        (Int64(2_470_000), false), (2_223_000, false), (2_222_999, true), (2_717_000, false), (2_717_001, true), (0, true),
    ])
    func toleranceSuppressesSmallChanges(_ current: Int64, _ change: Bool) throws {
        let a = Self.limitAssessment(others: 90, limit: current, invoiced: 10_000_000)
        let r = try #require(LimitReview.recommend(a, termsDays: 30, policy: .default))
        #expect(r.recommendedLimit == 2_470_000)
        #expect(r.limitChange == change)
        #expect(r.currentLimit == current)
    }

    /// The grade of the score without utilisation decides: others at 72 (B) with utilisation
    /// 0 scores 61 (C) in full and with utilisation 100 scores 76 (B); both get B's 60 days.
    @Test func utilisationDoesNotMoveTheRecommendation() throws {
        let low = Self.limitAssessment(others: 72, utilisation: 0, limit: 10_000_000, invoiced: 3_650_000)
        let high = Self.limitAssessment(others: 72, utilisation: 100, limit: 10_000_000, invoiced: 3_650_000)
        #expect((low.score, low.grade) == (61, .c))
        #expect((high.score, high.grade) == (76, .b))
        // No cap on the cut here: the grade's rule alone is under test.
        var uncapped = CreditPolicy.default
        uncapped.limitMaxCutPercent = 100
        for a in [low, high] {
            let r = try #require(LimitReview.recommend(a, termsDays: 30, policy: uncapped))
            #expect(r.limitScore == 72)
            #expect(r.limitGrade == .b)
            #expect(r.recommendedLimit == 600_000)  // 36,500.00 × 60 / 365 = 6,000.00
            #expect(r.recommendedTermsDays == 45)
            #expect(r.reason == "grade B without utilisation (score 72): 60 days of sales (36500.00 EUR net sales in 365 days) = 6000.00 EUR; was 100000.00 EUR")
        }
        // Only utilisation weighted: nothing else to go by, the score itself.
        var p = CreditPolicy.default
        p.weights = [0, 0, 1, 0, 0, 0]
        let only = Self.limitAssessment(others: 20, utilisation: 45, invoiced: 3_650_000, policy: p)
        #expect((only.score, only.grade) == (45, .d))
        let r = try #require(LimitReview.recommend(only, termsDays: 30, policy: p))
        #expect(r.limitScore == 45)
        #expect(r.limitGrade == .d)
    }

    @Test func tooYoungToReview() {
        #expect(LimitReview.recommend(Self.assessment(trading: 89), termsDays: 30, policy: .default) == nil)
        #expect(LimitReview.recommend(Self.assessment(trading: 0), termsDays: 30, policy: .default) == nil)
        #expect(LimitReview.recommend(Self.assessment(trading: 90), termsDays: 30, policy: .default) != nil)
        var p = CreditPolicy.default
        p.limitMinTradingDays = 0
        #expect(LimitReview.recommend(Self.assessment(trading: 0), termsDays: 30, policy: p) != nil)
    }

    @Test func reviewFollowsThePolicy() throws {
        var p = CreditPolicy.default
        p.windowDays = 30
        p.limitRoundingMajorUnits = 1
        p.limitTolerancePercent = 0
        // 300.00 over 30 days at 60 days of sales (grade B): 600.00, to the unit.
        let a = Self.limitAssessment(others: 75, limit: 60_001, invoiced: 30_000)
        let r = try #require(LimitReview.recommend(a, termsDays: 30, policy: p))
        #expect(r.recommendedLimit == 60_000)
        #expect(r.limitChange)
        #expect(r.reason == "grade B without utilisation (score 75): 60 days of sales (300.00 EUR net sales in 30 days) = 600.00 EUR; was 600.01 EUR")
        // Capped at the largest amount.
        p.limits[Grade.b.rawValue] = GradeLimit(salesDays: 36_500, termsDays: 30)
        let huge = Self.limitAssessment(others: 75, invoiced: Money.amountMinorMax)
        #expect(try #require(LimitReview.recommend(huge, termsDays: 30, policy: p)).recommendedLimit == Money.amountMinorMax)
    }

    /// A dormant customer (no net sales in the window) keeps its limit under the default
    /// policy (not cut to 0 as the sales rule alone would); a policy may withdraw a share.
    @Test(arguments: [
        // (dormant_limit_percent, net sales, current limit, recommended, limit change)
        (100, Int64(0), Int64(800_000), Int64(800_000), false),
        // Credit notes beyond the sales: net sales below 0 is dormant too (never a negative limit).
        (100, -50_000, 800_000, 800_000, false),
        // Withdraw it all: the rule says 0, the default maximum cut (50%) holds it to 4,000.00.
        (0, 0, 800_000, 400_000, true),
        // 75%: 6,000.00, a cut of 25%, within the maximum.
        (75, 0, 800_000, 600_000, true),
        // 75% of 1,234.56 = 925.92 → rounded up to 1,000.00.
        (75, 0, 123_456, 100_000, true),
        // 100% of 1,234.56: kept exactly, not rounded up past the current limit.
        (100, 0, 123_456, 123_456, false),
        // 0% of 150.00: half (75.00) rounded up to the unit is 100.00.
        (0, 0, 15_000, 10_000, true),
        // 0% of 100.00: the 50% cap cannot cut a whole unit, so the rule's 0.00 applies.
        (0, 0, 10_000, 0, true),
    ])
    func dormantCustomers(_ percent: Int, _ sales: Int64, _ current: Int64, _ recommended: Int64, _ change: Bool) throws {
        var p = CreditPolicy.default
        p.limitDormantPercent = percent
        let a = Self.limitAssessment(others: 90, limit: current, invoiced: sales)
        let r = try #require(LimitReview.recommend(a, termsDays: 60, policy: p))
        #expect(r.dormant)
        #expect(r.recommendedLimit == recommended)
        #expect(r.limitChange == change)
        #expect(r.reason.contains("dormant ("))
        #expect(r.reason.contains(" net sales in 365 days): \(percent)% of the limit = "))
    }

    @Test func dormantReasonAndCap() throws {
        var p = CreditPolicy.default
        p.limitDormantPercent = 0
        let r = try #require(LimitReview.recommend(Self.limitAssessment(others: 90, limit: 800_000, invoiced: 0), termsDays: 60, policy: p))
        #expect(r.ruleLimit == 0)
        #expect(r.recommendedLimit == 400_000)
        #expect(r.cutCapped)
        #expect(r.reason == "grade A without utilisation (score 90): dormant (0.00 EUR net sales in 365 days): 0% of the limit = 0.00 EUR, cut held to 50% per review: 4000.00 EUR; was 8000.00 EUR")
    }

    /// A cut is held to max_cut_percent of the current limit (rounded up to the unit, never
    /// above the current limit); a raise is not capped.
    @Test(arguments: [
        // (max_cut_percent, current, recommended): the rule gives 6,000.00 (B, 60 days of 36,500.00).
        (50, Int64(10_000_000), Int64(5_000_000)),  // 100,000.00 → 50,000.00, not 6,000.00
        (90, 10_000_000, 1_000_000),
        (100, 10_000_000, 600_000),  // no cap
        (0, 10_000_000, 10_000_000),  // never lowers
        (50, 1_000_000, 600_000),  // 10,000.00 → 6,000.00 is a 40% cut: allowed
        (50, 1_234_567, 620_000),  // half of 12,345.67 = 6,172.84 (up) → 6,200.00 (up to 100.00)
        (50, 100_000, 600_000),  // a raise: 1,000.00 → 6,000.00, not capped
    ])
    func maximumCutPerReview(_ maxCut: Int, _ current: Int64, _ recommended: Int64) throws {
        var p = CreditPolicy.default
        p.limitMaxCutPercent = maxCut
        let a = Self.limitAssessment(others: 75, limit: current, invoiced: 3_650_000)
        let r = try #require(LimitReview.recommend(a, termsDays: 45, policy: p))
        #expect(r.ruleLimit == 600_000)
        #expect(r.recommendedLimit == recommended)
        #expect(r.cutCapped == (recommended > 600_000))
        #expect(!r.dormant)
    }

    // MARK: - Risk records

    /// A risk state's stored form (part of the customer's hot state, `StateCodec`), alone.
    static func encodeRisk(_ s: RiskState) -> [UInt8] {
        var w = BinaryWriter()
        StateCodec.riskState(s, &w)
        return w.bytes
    }

    static func decodeRisk(_ bytes: [UInt8]) throws -> RiskState {
        try bytes.withUnsafeBytes { raw in
            var r = BinaryReader(raw)
            let s = try StateCodec.riskState(&r)
            try r.end()
            return s
        }
    }

    static func state(_ s: RiskState) throws -> RiskState { try decodeRisk(encodeRisk(s)) }
    static func change(_ c: GradeChange) throws -> GradeChange { try RiskCodec.encode(c).withUnsafeBytes { try RiskCodec.decodeGradeChange($0) } }
    static func alert(_ a: Alert) throws -> Alert { try RiskCodec.encode(a).withUnsafeBytes { try RiskCodec.decodeAlert($0) } }

    /// Every record the projector makes for a varied feed decodes to itself.
    @Test func codecRoundTripsAProjection() throws {
        var log = InMemoryLog()
        log.feed(RiskProjectorTests.mixedFeed)
        #expect(log.risk.count == 3)
        #expect(log.gradeChanges.count >= 5)
        #expect(log.alerts.count >= 5)
        for s in log.risk.values {
            #expect(try Self.state(s) == s)
        }
        for c in log.gradeChanges {
            #expect(RiskCodec.encode(c).first == RiskCodec.version)
            #expect(try Self.change(c) == c)
        }
        for a in log.alerts {
            #expect(RiskCodec.encode(a).first == RiskCodec.version)
            #expect(try Self.alert(a) == a)
        }
        #expect(log.states.keys.contains { !(log.overdue($0) ?? []).isEmpty })
        #expect(log.alerts.contains { $0.cause.payment != nil })
    }

    static let cause = RiskCause(seq: UInt64.max, eventID: "évent:1", type: .paymentReversed,
                                 at: Timestamp(seconds: -86_401, nanos: 999_999_999), payment: "P☃")

    @Test func codecRoundTripsEdgeValues() throws {
        let s = RiskState(evaluatedOn: Day(parsing: "0001-01-01")!, seq: UInt64.max, score: 0, grade: .e, points: FactorPoints([0, 100, 7]),
                          overLimit: true, utilisationHigh: false)
        #expect(try Self.state(s) == s)
        var t = s
        t.overLimit = false
        t.utilisationHigh = true
        t.points = FactorPoints()
        t.evaluatedOn = Day(parsing: "9999-12-31")!
        t.score = 100
        t.grade = .a
        #expect(try Self.state(t) == t)

        let first = GradeChange(customer: "C", cause: Self.cause, evaluatedOn: Day(number: -5), from: nil, to: .a,
                                scoreFrom: nil, score: 100, pointsFrom: nil, points: FactorPoints([1, 2, 3, 4, 5, 6]), policyName: "")
        #expect(try Self.change(first) == first)
        let later = GradeChange(customer: "C", cause: RiskCause(seq: 0, eventID: "e", type: .creditPolicyChanged, at: Timestamp(seconds: 0), payment: nil),
                                evaluatedOn: Day(number: 20_000), from: .a, to: .e, scoreFrom: 0, score: 0,
                                pointsFrom: FactorPoints(), points: FactorPoints([0]), policyName: "strict ☃")
        #expect(try Self.change(later) == later)

        for (amount, reference, from) in [(Int64?.none, String?.none, Grade?.none), (-5, "", .e), (Money.amountMinorMax, "P1", .a)] {
            let a = Alert(customer: "C", currency: Currency(code: "BHD")!, cause: Self.cause, index: 3, kind: .paymentReversed,
                          level: .critical, evaluatedOn: Day(parsing: "2025-01-01")!, grade: .d, score: 41, gradeFrom: from,
                          amount: amount, reference: reference, reason: "why\nnot ☃")
            #expect(try Self.alert(a) == a)
        }
        for kind in AlertKind.allCases {
            let a = Alert(customer: "C", currency: Currency(code: "JPY")!, cause: Self.cause, index: 0, kind: kind, level: .warning,
                          evaluatedOn: Day(number: 0), grade: .a, score: 99, gradeFrom: nil, amount: 1, reference: nil, reason: "")
            #expect(try Self.alert(a).kind == kind)
        }
    }

    /// A damaged record is an error, never a crash: every truncation, a trailing byte, another
    /// version, out-of-range grades and scores.
    @Test func codecRejectsDamage() throws {
        var log = InMemoryLog()
        log.feed(RiskProjectorTests.mixedFeed)
        let s = try #require(log.risk.values.first { $0.overLimit })
        let c = try #require(log.gradeChanges.first { $0.from != nil })
        let a = try #require(log.alerts.first { $0.reference != nil })
        let records: [([UInt8], versioned: Bool, ([UInt8]) throws -> Void)] = [
            (Self.encodeRisk(s), false, { b in _ = try Self.decodeRisk(b) }),
            (RiskCodec.encode(c), true, { b in _ = try b.withUnsafeBytes { try RiskCodec.decodeGradeChange($0) } }),
            (RiskCodec.encode(a), true, { b in _ = try b.withUnsafeBytes { try RiskCodec.decodeAlert($0) } }),
        ]
        for (bytes, versioned, decode) in records {
            try decode(bytes)
            for n in 0..<bytes.count {
                #expect(throws: StoredDataError.self, "prefix of \(n) bytes") { try decode(Array(bytes.prefix(n))) }
            }
            #expect(throws: StoredDataError.self) { try decode(bytes + [0]) }
            // (A risk state has no version of its own: it is part of the hot state's record.)
            if versioned {
                var other = bytes
                other[0] = RiskCodec.version &+ 1
                #expect(throws: StoredDataError.self) { try decode(other) }
            }
        }

        // A grade or a score out of range in a state.
        for (score, grade, valid) in [(UInt8(50), UInt8(9), false), (50, 5, false), (50, 255, false), (101, 0, false), (100, 4, true)] {
            var w = BinaryWriter()
            w.day(Day(parsing: "2025-01-01")!)
            w.u64(1)
            w.u8(score)
            w.u8(grade)
            for _ in 0..<FactorPoints.count { w.u8(100) }
            w.u8(0)  // flags
            #expect(((try? Self.decodeRisk(w.bytes)) != nil) == valid, "score \(score), grade \(grade)")
        }
        // Grade changes: (from, score from) as stored (shifted by one; 0 is none).
        for (fromRaw, scoreFromRaw, valid) in [(UInt8(7), UInt8(1), false), (255, 1, false), (6, 1, false), (5, 1, true), (2, 1, true),
                                               (2, 101, true), (2, 102, false), (2, 255, false)] {
            var g = BinaryWriter()
            g.u8(RiskCodec.version)
            g.shortText("C".utf8)
            RiskCodec.cause(Self.cause, &g)
            g.day(Day(number: 0))  // evaluated on
            g.u8(fromRaw)
            g.u8(0)  // to
            g.u8(scoreFromRaw)
            g.u8(1)  // score
            g.bool(false)  // no points before
            for _ in 0..<FactorPoints.count { g.u8(0) }
            g.text("p".utf8)
            let decoded = g.bytes.withUnsafeBytes { try? RiskCodec.decodeGradeChange($0) }
            #expect((decoded != nil) == valid, "from \(fromRaw), score from \(scoreFromRaw)")
            if valid, fromRaw == 2, scoreFromRaw == 1 { #expect(decoded?.from == .b && decoded?.scoreFrom == 0) }
        }
        // Alerts: grade before, as stored.
        for (fromRaw, valid) in [(UInt8(0), true), (5, true), (6, false), (255, false)] {
            var g = BinaryWriter()
            g.u8(RiskCodec.version)
            g.shortText("C".utf8)
            g.currency(Currency(code: "EUR")!)
            RiskCodec.cause(Self.cause, &g)
            g.u16(0)  // index
            g.u8(UInt8(AlertKind.allCases.firstIndex(of: .gradeFell)!))
            g.u8(1)  // warning
            g.day(Day(number: 0))  // evaluated on
            g.u8(2)  // grade
            g.u8(50)  // score
            g.u8(fromRaw)
            g.bool(false)  // no amount
            g.i64(0)
            g.optionalText(nil)
            g.text("r".utf8)
            let decoded = g.bytes.withUnsafeBytes { try? RiskCodec.decodeAlert($0) }
            #expect((decoded != nil) == valid, "from \(fromRaw)")
        }
    }
}
