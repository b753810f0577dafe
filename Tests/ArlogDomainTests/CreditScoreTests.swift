import Testing

@testable import ArlogDomain

/// Test helpers for the scoring model.
extension CreditAssessment {
    func points(_ f: RiskFactor) -> Int { factors[f.rawValue].points }
}

/// Scores customer `customer` of `b` on `day` (YYYY-MM-DD).
func assess(_ b: Book, on day: String, customer: String = "C", policy: CreditPolicy = .default,
            sourceLocation: SourceLocation = #_sourceLocation) throws -> CreditAssessment {
    let l = try #require(b.ledger(customer), sourceLocation: sourceLocation)
    let d = Day(parsing: day)!
    return CreditScoring.assess(l.state, customer: customer, policy: policy, on: d,
                                invoicedInWindow: CreditScoring.netSales(l.invoices, on: d, windowDays: policy.windowDays))
}

/// `day` moved by `days`, as YYYY-MM-DD.
func shifted(_ day: String, _ days: Int) -> String { Day(parsing: day)!.adding(days: days).description }

/// The scoring model, one factor at a time, each with hand-computed points under the default
/// policy (weights payment 35, overdue 25, utilisation 15, dunning 10, reversals 5, trading 10).
/// A fresh customer is the baseline: payment 50 (no history), overdue 100, utilisation 100,
/// dunning 100, reversals 100, trading age 30 (0 days).
struct CreditScoreTests {
    /// A customer registered on `on` with a limit so high it does not move utilisation.
    static func book(_ customer: String = "C", on: String = "2025-01-01", limit: String = "1000000.00", terms: Int = 30) -> Book {
        var b = Book()
        expectAccepted(b.register(customer, terms: terms, limit: limit, on: on))
        return b
    }

    // MARK: - Payment behaviour

    /// One invoice due 2025-03-01, paid in full `late` days after its due date (negative: early),
    /// scored on the day it was paid.
    @Test(arguments: [
        (-45, 100), (-30, 100), (-15, 90), (0, 80), (10, 70), (30, 50), (40, 45), (60, 35),
        (90, 20), (100, 18), (120, 13), (180, 0), (400, 0),
    ])
    func paymentPointsByDaysBeyondTerms(_ late: Int, _ points: Int) throws {
        var b = Self.book()
        expectAccepted(b.invoice("I1", "100.00", issued: "2025-01-01", due: "2025-03-01"))
        let received = shifted("2025-03-01", late)
        expectAccepted(b.pay("P1", "100.00", received: received, allocations: [("I1", "100.00")]))
        let a = try assess(b, on: received)
        #expect(a.paymentDaysHundredths == Int64(late) * 100)
        #expect(a.paymentAmount == 10000)
        #expect(a.points(.payment) == points)
        // The other factors are at the fresh customer's values (trading age aside).
        #expect(a.points(.overdue) == 100)
        #expect(a.points(.utilisation) == 100)
        #expect(a.points(.dunning) == 100)
        #expect(a.points(.reversals) == 100)
    }

    @Test func paymentNoHistoryScoresTheNoHistoryPoints() throws {
        var b = Self.book()
        var a = try assess(b, on: "2025-01-01")
        #expect(a.paymentDaysHundredths == nil)
        #expect(a.paymentAmount == 0)
        #expect(a.points(.payment) == 50)
        // A payment that allocates nothing (nothing open: all unapplied) is no history either.
        expectAccepted(b.pay("P1", "10.00", received: "2025-01-02"))
        a = try assess(b, on: "2025-01-02")
        #expect(a.paymentDaysHundredths == nil)
        #expect(a.points(.payment) == 50)
        var p = CreditPolicy.default
        p.paymentNoHistoryPoints = 64
        #expect(try assess(b, on: "2025-01-02", policy: p).points(.payment) == 64)
    }

    /// Two allocations of one payment: 100.00 on time and 50.00 ten days late. Weighted by
    /// amount: (0 × 100 + 10 × 50) / 150 = 3.33 days → 80 − 3.33 = 76.67 → 77. (The plain mean,
    /// 5 days, would give 75.)
    @Test func paymentDaysAreWeightedByAllocatedAmount() throws {
        var b = Self.book()
        expectAccepted(b.invoice("I1", "100.00", issued: "2025-01-01", due: "2025-01-31"))
        expectAccepted(b.invoice("I2", "50.00", issued: "2025-01-01", due: "2025-01-21"))
        expectAccepted(b.pay("P1", "150.00", received: "2025-01-31", allocations: [("I1", "100.00"), ("I2", "50.00")]))
        let a = try assess(b, on: "2025-01-31")
        #expect(a.paymentAmount == 15000)
        #expect(a.paymentDaysHundredths == 333)
        #expect(a.points(.payment) == 77)
    }

    /// The unapplied part of a payment does not weigh: only allocations do.
    @Test func unappliedAmountDoesNotWeigh() throws {
        var b = Self.book()
        expectAccepted(b.invoice("I1", "100.00", issued: "2025-01-01", due: "2025-01-31"))
        expectAccepted(b.pay("P1", "1000.00", received: "2025-03-02"))  // 30 days late; 900.00 unapplied
        let a = try assess(b, on: "2025-03-02")
        #expect(a.paymentAmount == 10000)
        #expect(a.paymentDaysHundredths == 3000)
        #expect(a.points(.payment) == 50)
    }

    /// The window is the 365 days ending on the scoring day: (day − 365, day]. A payment 100 days
    /// late received 2024-05-10 counts on 2025-05-09 (20 − 20 × 10/90 = 17.78 → 18) and not on
    /// 2025-05-10; one received after the scoring day does not count either.
    @Test func paymentsOutsideTheWindowAreIgnored() throws {
        var b = Self.book(on: "2024-01-01")
        expectAccepted(b.invoice("I1", "100.00", issued: "2024-01-01", due: "2024-01-31"))
        expectAccepted(b.pay("P1", "100.00", received: "2024-05-10", allocations: [("I1", "100.00")]))
        let inside = try assess(b, on: "2025-05-09")
        #expect(inside.paymentDaysHundredths == 10000)
        #expect(inside.points(.payment) == 18)
        let outside = try assess(b, on: "2025-05-10")
        #expect(outside.paymentDaysHundredths == nil)
        #expect(outside.points(.payment) == 50)
        let before = try assess(b, on: "2024-05-09")
        #expect(before.paymentDaysHundredths == nil)
        // A shorter window drops it sooner.
        var p = CreditPolicy.default
        p.windowDays = 30
        #expect(try assess(b, on: "2024-06-08", policy: p).paymentDaysHundredths == 10000)
        #expect(try assess(b, on: "2024-06-09", policy: p).paymentDaysHundredths == nil)
    }

    /// P1 paid I1 60 days late, P2 paid I2 on time: 30 days on average (50 points). Once P1 is
    /// reversed only P2 counts: 0 days, 80 points.
    @Test func reversedPaymentsAreExcluded() throws {
        var b = Self.book()
        expectAccepted(b.invoice("I1", "100.00", issued: "2025-01-01", due: "2025-01-31"))
        expectAccepted(b.invoice("I2", "100.00", issued: "2025-01-01", due: "2025-02-28"))
        expectAccepted(b.pay("P2", "100.00", received: "2025-02-28", allocations: [("I2", "100.00")]))
        expectAccepted(b.pay("P1", "100.00", received: "2025-04-01", allocations: [("I1", "100.00")]))
        let before = try assess(b, on: "2025-04-02")
        #expect(before.paymentDaysHundredths == 3000)
        #expect(before.paymentAmount == 20000)
        #expect(before.points(.payment) == 50)
        expectAccepted(b.reverse("P1", on: "2025-04-02"))
        let after = try assess(b, on: "2025-04-02")
        #expect(after.paymentDaysHundredths == 0)
        #expect(after.paymentAmount == 10000)
        #expect(after.points(.payment) == 80)
        #expect(after.reversals == 1)
    }

    // MARK: - Overdue share

    /// Invoices of (amount, days past due on 2025-06-30) → overdue points: 100 − Σ bucket share ×
    /// penalty (1-30: 20, 31-60: 50, 61-90: 80, 91+: 100), the penalty rounded.
    @Test(arguments: [
        // 50% of the open amount in 61-90: 100 − 0.5 × 80 = 60.
        ([("100.00", 69), ("100.00", -90)], 60),
        // All 91+: 0. Due today is not past due: 100.
        ([("100.00", 150)], 0),
        ([("100.00", 0)], 100),
        // One third in 1-30: 100 − 20/3 = 93.33 → 93.
        ([("100.00", 1), ("200.00", -5)], 93),
        // One fifth in each bucket, edges included: 100 − (0 + 20 + 50 + 80 + 100)/5 = 50.
        ([("100.00", 0), ("100.00", 30), ("100.00", 31), ("100.00", 61), ("100.00", 91)], 50),
        // 60 is the last day of 31-60: 100 − 50 = 50; 90 the last of 61-90: 100 − 80 = 20.
        ([("100.00", 60)], 50),
        ([("100.00", 90)], 20),
    ])
    func overdueShare(_ invoices: [(String, Int)], _ points: Int) throws {
        var b = Self.book(on: "2025-01-01")
        for (i, inv) in invoices.enumerated() {
            expectAccepted(b.invoice("I\(i)", inv.0, issued: "2025-01-01", due: shifted("2025-06-30", -inv.1)))
        }
        let a = try assess(b, on: "2025-06-30")
        #expect(a.points(.overdue) == points)
        #expect(a.oldestOverdueDays == max(0, invoices.map(\.1).max()!))
        #expect(a.buckets.reduce(0, +) == a.open)
    }

    @Test func overdueMeasures() throws {
        var b = Self.book()
        #expect(try assess(b, on: "2025-01-01").points(.overdue) == 100)  // nothing open
        expectAccepted(b.invoice("I1", "100.00", issued: "2025-01-01", due: "2025-01-10"))
        expectAccepted(b.invoice("I2", "100.00", issued: "2025-01-01", due: "2025-06-30"))
        let a = try assess(b, on: "2025-03-20")  // I1: 69 days past due
        #expect(a.buckets == [10000, 0, 0, 10000, 0])
        #expect(a.open == 20000)
        #expect(a.overdueAmount == 10000)
        #expect(a.oldestOverdueDays == 69)
        #expect(a.points(.overdue) == 60)
        // Installments are aged one by one: half of I3 current, half 31-60.
        expectAccepted(b.invoice("I3", "200.00", issued: "2025-01-01", installments: [("2025-02-01", "100.00"), ("2025-12-31", "100.00")]))
        let c = try assess(b, on: "2025-03-20")
        #expect(c.buckets == [20000, 0, 10000, 10000, 0])
        // 100 − (100 × 50 + 100 × 80)/400 = 100 − 32.5 = 67.5: the points are rounded half up,
        // so 68.
        #expect(c.points(.overdue) == 68)
    }

    // MARK: - Utilisation

    /// (limit, invoiced, unapplied payment) → utilisation in hundredths of a percent and points.
    @Test(arguments: [
        // 60%: 90 − 15 × 10/25 = 84.
        ("1000.00", "600.00", nil, Int64(6000), 84),
        // 33.33%: 100 − 10 × 33.33/50 = 93.33 → 93.
        ("3000.00", "1000.00", nil, 3333, 93),
        ("1000.00", "900.00", nil, 9000, 55),
        ("1000.00", "1000.00", nil, 10000, 40),
        // 125%: 40 − 40 × 25/50 = 20.
        ("1000.00", "1250.00", nil, 12500, 20),
        ("1000.00", "2000.00", nil, 20000, 0),
        // Nothing owed: 0% → 100.
        ("1000.00", nil, nil, 0, 100),
        ("0", nil, nil, 0, 100),
        // A negative balance (unapplied cash) is 0% → 100.
        ("1000.00", nil, "50.00", 0, 100),
        ("0", nil, "50.00", 0, 100),
    ] as [(String, String?, String?, Int64, Int)])
    func utilisation(_ limit: String, _ invoiced: String?, _ unapplied: String?, _ basisPoints: Int64, _ points: Int) throws {
        var b = Self.book(limit: limit)
        if let invoiced { expectAccepted(b.invoice("I1", invoiced, issued: "2025-01-01", due: "2025-03-01")) }
        if let unapplied { expectAccepted(b.pay("P1", unapplied, received: "2025-01-01")) }
        let a = try assess(b, on: "2025-01-01")
        #expect(a.utilisationBasisPoints == basisPoints)
        #expect(a.points(.utilisation) == points)
    }

    /// No limit and something owed: nothing to measure against, the curve's last points (0).
    @Test func noLimitWithBalanceScoresTheLastPoint() throws {
        var b = Self.book(limit: "0")
        expectAccepted(b.invoice("I1", "0.01", issued: "2025-01-01", due: "2025-03-01"))
        let a = try assess(b, on: "2025-01-01")
        #expect(a.utilisationBasisPoints == nil)
        #expect(a.points(.utilisation) == 0)
        var p = CreditPolicy.default
        p.utilisationCurve = PointsCurve([(0, 100), (200, 17)])
        #expect(try assess(b, on: "2025-01-01", policy: p).points(.utilisation) == 17)
    }

    @Test func utilisationFollowsLimitChanges() throws {
        var b = Self.book(limit: "1000.00")
        expectAccepted(b.invoice("I1", "600.00", issued: "2025-01-01", due: "2025-03-01"))
        expectAccepted(b.event("credit_limit.changed", at: noon("2025-01-02"), #""credit_limit":"2000.00""#))
        let a = try assess(b, on: "2025-01-02")
        #expect(a.creditLimit == 200000)
        #expect(a.utilisationBasisPoints == 3000)
        #expect(a.points(.utilisation) == 94)  // 100 − 10 × 30/50
    }

    // MARK: - Dunning

    @Test(arguments: [(0, 100), (1, 75), (2, 50), (3, 25), (4, 0)])
    func dunningLevelPoints(_ level: Int, _ points: Int) throws {
        var b = Self.book()
        if level > 0 { expectAccepted(b.dun(level, on: "2025-01-02")) }
        let a = try assess(b, on: "2025-01-02")
        #expect(a.dunningLevel == level)
        #expect(a.points(.dunning) == points)
    }

    /// The level is the ledger's: back to 0 (100 points) once a payment clears what was overdue.
    @Test func dunningResetRestoresPoints() throws {
        var b = Self.book()
        expectAccepted(b.invoice("I1", "100.00", issued: "2025-01-01", due: "2025-01-31"))
        expectAccepted(b.dun(3, invoice: "I1", on: "2025-02-10"))
        #expect(try assess(b, on: "2025-02-10").points(.dunning) == 25)
        expectAccepted(b.pay("P1", "100.00", received: "2025-02-11"))
        #expect(try assess(b, on: "2025-02-11").points(.dunning) == 100)
    }

    // MARK: - Reversed payments

    /// Reversals are counted by the date of the reversal, in (day − 365, day]: P1 reversed
    /// 2024-03-01, P2 2025-01-10 (both received 2024-02-01).
    @Test func reversalsCountedByReversalDateInTheWindow() throws {
        var b = Self.book(on: "2024-01-01")
        expectAccepted(b.pay("P1", "10.00", received: "2024-02-01"))
        expectAccepted(b.pay("P2", "10.00", received: "2024-02-01"))
        expectAccepted(b.reverse("P1", on: "2024-03-01"))
        expectAccepted(b.reverse("P2", on: "2025-01-10"))
        // 2025-02-28: both in the window → 2 → 30 points.
        var a = try assess(b, on: "2025-02-28")
        #expect(a.reversals == 2)
        #expect(a.points(.reversals) == 30)
        // 2025-03-01: P1's reversal is 365 days back, out of the window; P2's counts although
        // P2 was received outside the window.
        a = try assess(b, on: "2025-03-01")
        #expect(a.reversals == 1)
        #expect(a.points(.reversals) == 60)
        // 2025-01-09: P2's reversal has not happened yet.
        a = try assess(b, on: "2025-01-09")
        #expect(a.reversals == 1)
        // 2024-02-29: nothing reversed yet.
        a = try assess(b, on: "2024-02-29")
        #expect(a.reversals == 0)
        #expect(a.points(.reversals) == 100)
    }

    /// The last entry of reversal_count_points applies to any larger count.
    @Test func reversalCountBeyondTheListUsesTheLastPoints() throws {
        var b = Self.book()
        for i in 1...5 {
            expectAccepted(b.pay("P\(i)", "1.00", received: "2025-01-02"))
            expectAccepted(b.reverse("P\(i)", on: "2025-01-03"))
        }
        let a = try assess(b, on: "2025-01-03")
        #expect(a.reversals == 5)
        #expect(a.points(.reversals) == 0)
        var p = CreditPolicy.default
        p.reversalPoints = [100, 10]
        #expect(try assess(b, on: "2025-01-03", policy: p).points(.reversals) == 10)
    }

    // MARK: - Trading age

    /// Days since registered_on (when given), else since the registration event's UTC date.
    @Test(arguments: [
        (nil, "2025-01-01T12:00:00Z", "2025-01-01", 0, 30),
        (nil, "2025-01-01T12:00:00Z", "2025-04-01", 90, 45),  // 30 + 30 × 90/180
        (nil, "2025-01-01T12:00:00Z", "2025-01-04", 3, 31),  // 30.5 → 31
        // The event's UTC date: 23:30 at −02:00 is 01:30 on 2 January UTC.
        (nil, "2025-01-01T23:30:00-02:00", "2025-01-02", 0, 30),
        (nil, "2025-01-01T23:30:00-02:00", "2025-07-01", 180, 60),
        // registered_on wins over the event's date.
        ("2024-01-01", "2025-01-01T12:00:00Z", "2024-06-29", 180, 60),
        ("2024-01-01", "2025-01-01T12:00:00Z", "2025-01-01", 366, 80),  // 80 + 20 × 1/365
        ("2023-01-01", "2025-01-01T12:00:00Z", "2025-01-01", 731, 100),
        // Registered after the scoring day: 0 days, not negative.
        ("2025-06-01", "2025-01-01T12:00:00Z", "2025-01-01", 0, 30),
    ] as [(String?, String, String, Int, Int)])
    func tradingAge(_ registeredOn: String?, _ at: String, _ day: String, _ days: Int, _ points: Int) throws {
        var b = Book()
        let body = #""name":"N","currency":"EUR","terms_days":30,"credit_limit":"0""# + (registeredOn.map { #","registered_on":"\#($0)""# } ?? "")
        expectAccepted(b.event("customer.registered", at: at, body))
        let a = try assess(b, on: day)
        #expect(a.tradingDays == days)
        #expect(a.points(.tradingAge) == points)
    }

    // MARK: - The score

    /// Σ weight × points ÷ Σ weight, rounded half up.
    @Test(arguments: [
        ([35, 25, 15, 10, 5, 10], [50, 100, 100, 100, 100, 30], 76),  // 75.5 → 76
        ([1, 1], [0, 1], 1),  // 0.5 → 1
        ([1, 1], [0, 0], 0),
        ([3], [100], 100),
        ([2, 1], [0, 100], 33),  // 33.33
        ([1, 2], [0, 100], 67),  // 66.67
        ([0, 1], [0, 90], 90),  // a zero weight does not count
        ([1, 1, 1, 1], [10, 10, 10, 11], 10),  // 10.25
        ([1, 1, 1, 1], [10, 10, 11, 11], 11),  // 10.5 → 11
    ])
    func scoreIsTheWeightedMeanRoundedHalfUp(_ weights: [Int], _ points: [Int], _ score: Int) {
        let factors = zip(weights, points).enumerated().map { i, wp in
            FactorScore(factor: RiskFactor(rawValue: i % RiskFactor.allCases.count)!, points: wp.1, weight: wp.0)
        }
        #expect(CreditScoring.score(factors) == score)
    }

    /// A fresh customer: 50, 100, 100, 100, 100, 30 → 7550 / 100 = 75.5 → 76, grade B.
    @Test func freshCustomer() throws {
        let b = Self.book()
        let a = try assess(b, on: "2025-01-01")
        #expect(a.factors.map(\.factor) == RiskFactor.allCases)
        #expect(a.factors.map(\.points) == [50, 100, 100, 100, 100, 30])
        #expect(a.factors.map(\.weight) == [35, 25, 15, 10, 5, 10])
        #expect(a.score == 76)
        #expect(a.grade == .b)
        #expect(a.customer == "C")
        #expect(a.currency.code == "EUR")
        #expect(a.on == Day(parsing: "2025-01-01")!)
        #expect(a.policyName == "arlog default 2026-11")
        #expect(a.contributionHundredths(a.factors[0]) == 1750)
        #expect(a.contributionHundredths(a.factors[5]) == 300)
    }

    /// The weights are the policy's: with only trading age weighted, the score is its points.
    @Test func weightsComeFromThePolicy() throws {
        let b = Self.book()
        var p = CreditPolicy.default
        p.weights = [0, 0, 0, 0, 0, 1]
        p.name = "age only"
        let a = try assess(b, on: "2025-04-01", policy: p)
        #expect(a.score == 45)
        #expect(a.grade == .d)
        #expect(a.policyName == "age only")
        #expect(a.contributionHundredths(a.factors[5]) == 4500)
        #expect(a.contributionHundredths(a.factors[0]) == 0)
    }

    /// The consequences docs/credit.md states for the default policy.
    @Test func documentedConsequences() {
        let p = CreditPolicy.default
        func score(_ points: [Int]) -> Int {
            CreditScoring.score(zip(RiskFactor.allCases, points).map { FactorScore(factor: $0, points: $1, weight: p.weight($0)) })
        }
        // A year old, pays on time, owes half its limit (nothing overdue), not in dunning: about 90 (A).
        let good = [p.paymentCurve.value(0), 100, p.utilisationCurve.value(50), p.dunningPoints[0], p.reversalPoints[0], p.tradingDaysCurve.value(365)]
        #expect(good == [80, 100, 90, 100, 100, 80])
        #expect(score(good) == 90)  // 8950 / 100 = 89.5 → 90
        #expect(p.grade(score: score(good)) == .a)
        // 90 days late on average, half the open amount 91+ (the rest current), 120% of the
        // limit, dunning level 3, one bounced payment, trading for a year: 37 (E).
        let bad = [p.paymentCurve.value(90), 100 - p.overduePenalties[3] / 2, p.utilisationCurve.value(120), p.dunningPoints[3], p.reversalPoints[1], p.tradingDaysCurve.value(365)]
        #expect(bad == [20, 50, 24, 25, 60, 80])
        #expect(score(bad) == 37)  // 3660 / 100 = 36.6 → 37
        #expect(p.grade(score: score(bad)) == .e)
    }

    // MARK: - Worked example (docs/credit.md; also .scratch-worked-example.md)

    /// ACME (EUR, terms 30 days, limit 10,000.00, registered_on 2024-10-01), scored on
    /// 2025-08-14 under the default policy.
    ///
    ///   INV-1 4,000.00 issued 2025-01-10, due 2025-02-09; P-1 4,000.00 received 2025-02-19 (10 days late)
    ///   INV-2 6,000.00 issued 2025-03-01, due 2025-03-31; P-2 6,000.00 received 2025-04-30 (30 days late)
    ///   INV-3 5,000.00 issued 2025-05-01, due 2025-05-31; P-3 2,000.00 received 2025-06-20, reversed 2025-06-25
    ///   INV-4 3,500.00 issued 2025-06-15, due 2025-07-15
    ///   dunning level 2 on 2025-07-01 (INV-3)
    ///
    /// payment:     (10 × 4,000 + 30 × 6,000) / 10,000 = 22.00 days (P-3 reversed: left out)
    ///              80 − 30 × 22/30 = 58                                    × 35 = 2030
    /// overdue:     open 8,500.00: INV-3 75 days (61-90) 5,000, INV-4 30 days (1-30) 3,500
    ///              100 − (3,500 × 20 + 5,000 × 80) / 8,500 = 100 − 55.29 → 45 × 25 = 1125
    /// utilisation: 8,500 / 10,000 = 85.00%: 75 − 20 × 10/15 = 61.67 → 62  × 15 =  930
    /// dunning:     level 2 → 50                                            × 10 =  500
    /// reversals:   1 (P-3, 2025-06-25) → 60                                ×  5 =  300
    /// trading age: 317 days: 60 + 20 × 137/185 = 74.81 → 75                × 10 =  750
    /// score:       5635 / 100 = 56.35 → 56, grade C (55–69)
    /// The worked example's feed, exactly as docs/credit.md shows it.
    static let acmeFeed = [
        #"{"id":"acme-1","type":"customer.registered","at":"2025-01-02T09:00:00Z","customer":"ACME","name":"Acme Ltd","currency":"EUR","terms_days":30,"credit_limit":"10000.00","registered_on":"2024-10-01"}"#,
        #"{"id":"acme-2","type":"invoice.issued","at":"2025-01-10T12:00:00Z","customer":"ACME","invoice":"INV-1","amount":"4000.00","issued_on":"2025-01-10"}"#,
        #"{"id":"acme-3","type":"payment.received","at":"2025-02-19T12:00:00Z","customer":"ACME","payment":"P-1","amount":"4000.00","received_on":"2025-02-19","allocations":[{"invoice":"INV-1","amount":"4000.00"}]}"#,
        #"{"id":"acme-4","type":"invoice.issued","at":"2025-03-01T12:00:00Z","customer":"ACME","invoice":"INV-2","amount":"6000.00","issued_on":"2025-03-01"}"#,
        #"{"id":"acme-5","type":"payment.received","at":"2025-04-30T12:00:00Z","customer":"ACME","payment":"P-2","amount":"6000.00","received_on":"2025-04-30","allocations":[{"invoice":"INV-2","amount":"6000.00"}]}"#,
        #"{"id":"acme-6","type":"invoice.issued","at":"2025-05-01T12:00:00Z","customer":"ACME","invoice":"INV-3","amount":"5000.00","issued_on":"2025-05-01"}"#,
        #"{"id":"acme-7","type":"invoice.issued","at":"2025-06-15T12:00:00Z","customer":"ACME","invoice":"INV-4","amount":"3500.00","issued_on":"2025-06-15"}"#,
        #"{"id":"acme-8","type":"payment.received","at":"2025-06-20T12:00:00Z","customer":"ACME","payment":"P-3","amount":"2000.00","received_on":"2025-06-20","allocations":[{"invoice":"INV-3","amount":"2000.00"}]}"#,
        #"{"id":"acme-9","type":"payment.reversed","at":"2025-06-25T12:00:00Z","customer":"ACME","payment":"P-3"}"#,
        #"{"id":"acme-10","type":"dunning.action","at":"2025-07-01T12:00:00Z","customer":"ACME","level":2,"channel":"letter","invoice":"INV-3"}"#,
    ]

    static let acmeReview = #"{"id":"review-2025-08-14","type":"credit.reviewed","at":"2025-08-14T06:00:00Z"}"#

    static func acme() -> Book {
        var b = Book()
        b.log.feed(acmeFeed)
        return b
    }

    @Test func workedExample() throws {
        let a = try assess(Self.acme(), on: "2025-08-14", customer: "ACME")
        #expect(a.paymentDaysHundredths == 2200)
        #expect(a.paymentAmount == 1_000_000)
        #expect(a.buckets == [0, 350_000, 0, 500_000, 0])
        #expect(a.open == 850_000)
        #expect(a.balance == 850_000)
        #expect(a.oldestOverdueDays == 75)
        #expect(a.utilisationBasisPoints == 8500)
        #expect(a.dunningLevel == 2)
        #expect(a.reversals == 1)
        #expect(a.tradingDays == 317)
        #expect(a.invoicedInWindow == 1_850_000)
        #expect(a.factors.map(\.points) == [58, 45, 62, 50, 60, 75])
        #expect(a.factors.map { $0.weight * $0.points } == [2030, 1125, 930, 500, 300, 750])
        #expect(a.score == 56)
        #expect(a.grade == .c)
        #expect(a.factors.map { a.contributionHundredths($0) } == [2030, 1125, 930, 500, 300, 750])

        // An order of 1,000.00: grade C approves, the 75-day-old INV-3 holds (≥ 61), dunning
        // level 2 reviews (≥ 2), 9,500 / 10,000 = 95.00% approves (≤ 100%): hold, exit 11.
        let check = CreditCheck.decide(a, policy: .default, amount: 100_000)
        #expect(check.reasons.map(\.rule) == ["grade", "overdue", "dunning", "utilisation"])
        #expect(check.reasons.map(\.decision) == [.approve, .hold, .review, .approve])
        #expect(check.utilisationAfterBasisPoints == 9500)
        #expect(check.decision == .hold)
        #expect(check.decision.exitCode == 11)

        // Limit review, by the score without utilisation: (2030 + 1125 + 500 + 300 + 750) / 85
        // = 55.35 → 55, grade C: 30 days of 18,500.00 invoiced in 365 days = 1,520.55 → 1,600.00,
        // a cut of 84%: held to 50% per review, 5,000.00.
        let r = try #require(LimitReview.recommend(a, termsDays: 30, policy: .default))
        #expect(r.limitScore == 55)
        #expect(r.limitGrade == .c)
        #expect(r.ruleLimit == 160_000)
        #expect(r.recommendedLimit == 500_000)
        #expect(r.cutCapped)
        #expect(!r.dormant)
        #expect(r.recommendedTermsDays == 30)
        #expect(r.limitChange)
        #expect(r.reason == "grade C without utilisation (score 55): 30 days of sales (18500.00 EUR net sales in 365 days) = 1600.00 EUR, cut held to 50% per review: 5000.00 EUR; was 10000.00 EUR")
        // Without the cap (max_cut_percent 100): 1,600.00 at once.
        var uncapped = CreditPolicy.default
        uncapped.limitMaxCutPercent = 100
        #expect(try #require(LimitReview.recommend(a, termsDays: 30, policy: uncapped)).recommendedLimit == 160_000)
        // Applied review by review: 5,000.00, 2,500.00, then the rule's 1,600.00 (a 36% cut).
        var b = Self.acme()
        var steps: [Int64] = []
        for hour in 1...5 {
            let now = try assess(b, on: "2025-08-14", customer: "ACME")
            let next = try #require(LimitReview.recommend(now, termsDays: 30, policy: .default))
            guard next.limitChange else { break }
            steps.append(next.recommendedLimit)
            let text = Money.format(next.recommendedLimit, fractionDigits: 2)
            expectAccepted(b.event("credit_limit.changed", "ACME", at: "2025-08-14T0\(hour):00:00Z", "\"credit_limit\":\"\(text)\""))
        }
        #expect(steps == [500_000, 250_000, 160_000])
    }

    /// docs/credit.md, "A dormant customer": QUIET (EUR, terms 30, limit 8,000.00, registered_on
    /// 2023-01-01) invoiced 2,000.00 on 2024-03-01 and paid it on 2024-03-25; reviewed on
    /// 2025-08-14 nothing was invoiced in the window (2024-08-14, 2025-08-14].
    ///
    /// Score without utilisation: payment 50 (nothing paid in the window), overdue 100,
    /// dunning 100, reversals 100, trading 956 days → 100:
    /// (50×35 + 100×25 + 100×10 + 100×5 + 100×10) / 85 = 6,750 / 85 = 79.41 → 79, grade B.
    static let quietFeed = [
        #"{"id":"q1","type":"customer.registered","at":"2023-01-01T09:00:00Z","customer":"QUIET","name":"Quiet Ltd","currency":"EUR","terms_days":30,"credit_limit":"8000.00","registered_on":"2023-01-01"}"#,
        #"{"id":"q2","type":"invoice.issued","at":"2024-03-01T09:00:00Z","customer":"QUIET","invoice":"Q-1","amount":"2000.00","issued_on":"2024-03-01"}"#,
        #"{"id":"q3","type":"payment.received","at":"2024-03-25T09:00:00Z","customer":"QUIET","payment":"QP-1","amount":"2000.00","received_on":"2024-03-25"}"#,
    ]

    @Test func dormantWorkedExample() throws {
        var b = Book()
        b.log.feed(Self.quietFeed)
        let a = try assess(b, on: "2025-08-14", customer: "QUIET")
        #expect(a.invoicedInWindow == 0)
        #expect(a.tradingDays == 956)
        // Default policy: dormant, keeps 8,000.00; listed only for its terms (B: 45 days).
        let kept = try #require(LimitReview.recommend(a, termsDays: 30, policy: .default))
        #expect((kept.limitScore, kept.limitGrade) == (79, .b))
        #expect(kept.dormant)
        #expect(kept.recommendedLimit == 800_000)
        #expect(!kept.limitChange)
        #expect(kept.recommendedTermsDays == 45)
        #expect(kept.reason == "grade B without utilisation (score 79): dormant (0.00 EUR net sales in 365 days): 100% of the limit = 8000.00 EUR; was 8000.00 EUR")
        // dormant_limit_percent 0: the rule says 0.00; the 50% cap makes each review halve it,
        // the kept half rounded up to 100.00, until 100.00 goes to 0.00.
        var p = CreditPolicy.default
        p.limitDormantPercent = 0
        let first = try #require(LimitReview.recommend(a, termsDays: 30, policy: p))
        #expect(first.reason == "grade B without utilisation (score 79): dormant (0.00 EUR net sales in 365 days): 0% of the limit = 0.00 EUR, cut held to 50% per review: 4000.00 EUR; was 8000.00 EUR")
        var limits: [String] = []
        var at = 0
        while true {
            let now = try assess(b, on: "2025-08-14", customer: "QUIET")
            let r = try #require(LimitReview.recommend(now, termsDays: 30, policy: p))
            guard r.limitChange else { break }
            let text = Money.format(r.recommendedLimit, fractionDigits: 2)
            limits.append(text)
            at += 1
            expectAccepted(b.event("credit_limit.changed", "QUIET", at: "2025-08-14T0\(at):00:00Z", "\"credit_limit\":\"\(text)\""))
            if limits.count > 20 { break }
        }
        #expect(limits == ["4000.00", "2000.00", "1000.00", "500.00", "300.00", "200.00", "100.00", "0.00"])
    }

    /// The same customer through the projector: the last event (2025-07-01) scores 62; a
    /// credit.reviewed on 2025-08-14 scores 56 (still C, still ≥ 55: no grade or score alert)
    /// and raises one alert: INV-3 entered 61-90 (on 2025-07-31).
    ///
    /// On 2025-07-01: payment 58; overdue: INV-3 31 days (31-60), INV-4 current:
    /// 100 − 5,000 × 50 / 8,500 = 100 − 29.41 → 71; utilisation 62; dunning 50; reversals 60;
    /// trading 273 days: 60 + 20 × 93/185 = 70.05 → 70.
    /// 58×35 + 71×25 + 62×15 + 50×10 + 60×5 + 70×10 = 6235 → 62, C.
    @Test func workedExampleThroughTheProjector() throws {
        var b = Self.acme()
        let before = try #require(b.log.risk["ACME"])
        #expect(before.evaluatedOn == Day(parsing: "2025-07-01")!)
        #expect(Array(before.points) == [58, 71, 62, 50, 60, 70])
        #expect(before.score == 62)
        #expect(before.grade == .c)
        let alertsBefore = b.log.alerts.count
        let changesBefore = b.log.gradeChanges.count
        expectAccepted(b.raw(Self.acmeReview))
        let after = try #require(b.log.risk["ACME"])
        #expect(after.score == 56)
        #expect(after.grade == .c)
        #expect(Array(after.points) == [58, 45, 62, 50, 60, 75])
        #expect(b.log.gradeChanges.count == changesBefore)
        let new = b.log.alerts[alertsBefore...]
        #expect(new.map(\.kind) == [.overdue61to90])
        #expect(new.first?.amount == 500_000)
        #expect(new.first?.reference == "INV-3")
        #expect(new.first?.reason == "5000.00 EUR of invoice INV-3 entered the 61-90 days overdue bucket")
        #expect(b.log.overdue("ACME") == [OverdueMark(invoice: "INV-3", installment: 0, bucket: 3, open: 500_000)])
    }

    /// Every evaluation of the worked example (score after each event, hand-computed):
    ///   acme-1  registered; trading 93 days → 46                              77 B (first grade)
    ///   acme-2  INV-1: utilisation 40% → 92; trading 101 → 47                 76 B
    ///   acme-3  P-1 10 days late → 70; utilisation 0 → 100; trading 141 → 54  85 A
    ///   acme-4  INV-2: utilisation 60% → 84; trading 151 → 55                 83 B  grade_fell A→B
    ///   acme-5  P-2: 22.00 days → 58; utilisation → 100; trading 211 → 63     82 B
    ///   acme-6  INV-3: utilisation 50% → 90; trading 212 → 63                 80 B
    ///   acme-7  INV-4: INV-3 15 days (1-30) → 100 − 11.76 → 88;
    ///           utilisation 85% → 62; trading 257 → 68                        73 B
    ///   acme-8  P-3 (20 days late): 21.67 days → 58; INV-3 3,000 in 1-30 of
    ///           6,500 → 91; utilisation 65% → 81; trading 262 → 69             77 B
    ///   acme-9  P-3 reversed: 22.00 days → 58 again; overdue 88;
    ///           utilisation 85% → 62; reversals 60; trading 267 → 69           72 B  payment_reversed
    ///   acme-10 dunning 2 → 50; INV-3 31 days → 71; trading 273 → 70          62 C  grade_fell B→C
    ///   review  2025-08-14                                                    56 C  overdue_61_90 (INV-3)
    @Test func workedExampleHistory() throws {
        var log = InMemoryLog()
        var scores: [Int] = []
        for line in Self.acmeFeed + [Self.acmeReview] {
            log.feed(line)
            scores.append(log.risk["ACME"]?.score ?? -1)
        }
        #expect(scores == [77, 76, 85, 83, 82, 80, 73, 77, 72, 62, 56])
        #expect(log.gradeChanges.map(\.cause.eventID) == ["acme-1", "acme-3", "acme-4", "acme-10"])
        #expect(log.gradeChanges.map(\.from) == [nil, .b, .a, .b])
        #expect(log.gradeChanges.map(\.to) == [.b, .a, .b, .c])
        #expect(log.alerts.map(\.id) == ["4/ACME/0", "9/ACME/0", "10/ACME/0", "11/ACME/0"])
        #expect(log.alerts.map(\.kind) == [.gradeFell, .paymentReversed, .gradeFell, .overdue61to90])
        #expect(log.alerts.map(\.level) == [.warning, .critical, .warning, .warning])
        #expect(log.alerts[1].reason == "payment P-3 of 2000.00 EUR was reversed")
    }

    /// Net sales, the basis of limit recommendations: credit notes and voids are taken off,
    /// positive adjustments added, write-offs kept (a sale that went bad is still a sale).
    @Test func salesInTheWindowAreNetOfCreditNotesAndVoids() throws {
        var b = Self.book()
        expectAccepted(b.invoice("I1", "1000.00", issued: "2025-02-01"))
        expectAccepted(b.invoice("I2", "500.00", issued: "2025-02-01"))
        expectAccepted(b.invoice("I3", "300.00", issued: "2025-02-01"))
        expectAccepted(b.invoice("I4", "200.00", issued: "2025-02-01"))
        expectAccepted(b.adjust("I1", "-100.00", on: "2025-02-02"))
        expectAccepted(b.adjust("I1", "50.00", on: "2025-02-02"))
        expectAccepted(b.void("I2", on: "2025-02-03"))
        expectAccepted(b.writeOff("I3", on: "2025-02-04"))
        let a = try assess(b, on: "2025-03-01")
        // 1000 − 100 + 50 (I1) + 0 (I2 voided) + 300 (I3 written off) + 200 (I4)
        #expect(a.invoicedInWindow == 145_000)
    }
}
