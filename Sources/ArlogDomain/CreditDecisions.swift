/// The answer to "may we ship this order on credit?", worst rule first.
public enum CheckDecision: Int, Sendable, Comparable, CaseIterable {
    case approve = 0, review, hold

    public var name: String { ["approve", "review", "hold"][rawValue] }
    /// The exit code `arlog check` gives, so billing can branch without parsing.
    public var exitCode: Int32 { [0, 10, 11][rawValue] }

    public static func < (a: CheckDecision, b: CheckDecision) -> Bool { a.rawValue < b.rawValue }
}

/// One rule of the credit check: what it looked at and what it decided.
public struct CheckReason: Sendable, Equatable {
    /// grade, overdue, dunning, utilisation.
    public let rule: String
    public let decision: CheckDecision
    public let detail: String
}

public struct CreditCheckResult: Sendable, Equatable {
    public let assessment: CreditAssessment
    public let orderAmount: Int64
    /// Balance + order ÷ limit in hundredths of a percent; nil when the limit is 0.
    public let utilisationAfterBasisPoints: Int64?
    public let decision: CheckDecision
    /// Every rule, in a fixed order, the deciding ones included.
    public let reasons: [CheckReason]
}

public enum CreditCheck {
    /// Applies the policy's check rules to an order of `amount` (minor units, > 0).
    public static func decide(_ a: CreditAssessment, policy: CreditPolicy, amount: Int64) -> CreditCheckResult {
        var reasons: [CheckReason] = []
        let grade: CheckDecision = policy.holdGrades.contains(a.grade) ? .hold : policy.reviewGrades.contains(a.grade) ? .review : .approve
        reasons.append(CheckReason(rule: "grade", decision: grade, detail: "grade \(a.grade) (score \(a.score))"
            + (grade == .approve ? "" : "; the policy \(grade == .hold ? "holds" : "reviews") grade \(a.grade)")))

        let days = a.oldestOverdueDays
        let overdue: CheckDecision = days >= policy.holdOverdueDays ? .hold : days >= policy.reviewOverdueDays ? .review : .approve
        let overdueDetail = days > 0 ? "oldest open installment \(days) days past due" : "nothing past due"
        let limits = overdue == .hold ? " (hold from \(policy.holdOverdueDays))" : overdue == .review ? " (review from \(policy.reviewOverdueDays))" : ""
        reasons.append(CheckReason(rule: "overdue", decision: overdue, detail: overdueDetail + limits))

        let level = a.dunningLevel
        let dunning: CheckDecision = level >= policy.holdDunningLevel ? .hold : level >= policy.reviewDunningLevel ? .review : .approve
        reasons.append(CheckReason(rule: "dunning", decision: dunning, detail: "dunning level \(level)"
            + (dunning == .hold ? " (hold from \(policy.holdDunningLevel))" : dunning == .review ? " (review from \(policy.reviewDunningLevel))" : "")))

        let (after, overflow) = a.balance.addingReportingOverflow(amount)
        let fmt = { (v: Int64) in "\(Money.format(v, fractionDigits: a.currency.fractionDigits)) \(a.currency.code)" }
        var utilisation: Int64?
        let util: CheckDecision
        let utilDetail: String
        if overflow {
            util = .review
            utilDetail = "the order would overflow the balance"
        } else if a.creditLimit > 0 {
            let u = CreditScoring.utilisationBasisPoints(balance: after, limit: a.creditLimit)
            utilisation = u
            // Compared exactly, not on the rounded figure: 100.004% is above 100%.
            util = Int128(after) * 100 > Int128(a.creditLimit) * Int128(policy.reviewUtilisationPercent) ? .review : .approve
            utilDetail = "balance after the order \(fmt(after)) is \(u == CreditScoring.utilisationBasisPointsMax ? "more than " : "")\(Money.format(u, fractionDigits: 2))% of the limit \(fmt(a.creditLimit))"
                + (util == .review ? " (review above \(policy.reviewUtilisationPercent)%)" : "")
        } else {
            util = after > 0 ? .review : .approve
            utilDetail = "no credit limit; balance after the order \(fmt(after))"
        }
        reasons.append(CheckReason(rule: "utilisation", decision: util, detail: utilDetail))

        let decision = reasons.map(\.decision).max() ?? .approve
        return CreditCheckResult(assessment: a, orderAmount: amount, utilisationAfterBasisPoints: utilisation, decision: decision, reasons: reasons)
    }
}

/// A customer whose limit or terms differ from what the policy recommends for its grade.
public struct LimitRecommendation: Sendable, Equatable {
    public let assessment: CreditAssessment
    /// The score and grade the recommendation is based on: the score without the utilisation
    /// factor (see `LimitReview`).
    public let limitScore: Int
    public let limitGrade: Grade
    public let currentLimit: Int64
    /// What to set: `ruleLimit`, or less of a cut when that would cut more than the policy's
    /// `max_cut_percent` of the current limit.
    public let recommendedLimit: Int64
    /// What the rule alone gives: the grade's days of sales, or for a dormant customer the
    /// policy's `dormant_limit_percent` of the current limit.
    public let ruleLimit: Int64
    /// No net sales in the window: the dormant rule applied instead of the grade's.
    public let dormant: Bool
    public let currentTermsDays: Int
    public let recommendedTermsDays: Int
    /// The limit differs by more than the policy's tolerance.
    public let limitChange: Bool
    public let reason: String

    /// The cut was held to the policy's maximum per review (the rule asked for less).
    public var cutCapped: Bool { recommendedLimit > ruleLimit }
}

public enum LimitReview {
    /// The recommended limit: `sales_days` of the customer's average daily invoicing over the
    /// window, rounded up to the policy's rounding unit; for a dormant customer (net sales in
    /// the window of zero or less) `dormant_limit_percent` of its current limit instead (by
    /// default all of it). A cut is held to `max_cut_percent` of the current limit per review
    /// (what is kept rounded up to the unit; a limit too small for the cap to cut a whole unit
    /// goes to the rule's figure). Nil for customers trading for
    /// fewer than `min_trading_days` (too little history to judge), and for an assessment that
    /// did not measure sales.
    ///
    /// The grade used is that of the score without the utilisation factor: utilisation is
    /// balance ÷ limit, so a recommendation that depended on it would move as soon as it was
    /// applied (a lower limit → higher utilisation → lower grade → lower limit again).
    public static func recommend(_ a: CreditAssessment, termsDays: Int, policy: CreditPolicy) -> LimitRecommendation? {
        guard a.tradingDays >= policy.limitMinTradingDays, let sales = a.invoicedInWindow else { return nil }
        let others = a.factors.filter { $0.factor != .utilisation }
        let limitScore = others.reduce(0) { $0 + $1.weight } > 0 ? CreditScoring.score(others) : a.score
        let limitGrade = policy.grade(score: limitScore)
        let rule = policy.limits[limitGrade.rawValue]
        var unit = Int128(policy.limitRoundingMajorUnits)
        for _ in 0..<a.currency.fractionDigits { unit *= 10 }
        let current = a.creditLimit
        let currentWide = Int128(max(current, 0))
        /// `v` (≥ 0) rounded up to a multiple of the unit.
        func roundedUp(_ v: Int128) -> Int128 { (v + unit - 1) / unit * unit }
        let fmt = { (v: Int64) in "\(Money.format(v, fractionDigits: a.currency.fractionDigits)) \(a.currency.code)" }

        let dormant = sales <= 0
        let ruleLimit: Int64
        var reason = "grade \(limitGrade) without utilisation (score \(limitScore)): "
        if dormant {
            // A share of the current limit, never more than it (rounding up must not raise it).
            let share = (currentWide * Int128(policy.limitDormantPercent) + 99) / 100
            ruleLimit = Int64(clamping: min(roundedUp(share), currentWide))
            reason += "dormant (\(fmt(sales)) net sales in \(policy.windowDays) days): \(policy.limitDormantPercent)% of the limit = \(fmt(ruleLimit))"
        } else {
            // Rounded up in one step (not truncated to minor units first): 600.0016 → 700.00.
            let denominator = Int128(policy.windowDays) * unit
            let steps = (Int128(sales) * Int128(rule.salesDays) + denominator - 1) / denominator
            ruleLimit = Int64(clamping: min(steps * unit, Int128(Money.amountMinorMax)))
            reason += "\(rule.salesDays) days of sales (\(fmt(sales)) net sales in \(policy.windowDays) days) = \(fmt(ruleLimit))"
        }
        var recommended = ruleLimit
        if Int128(ruleLimit) < currentWide {
            // The least the limit may become: (100 − max cut)% of it, rounded up to the unit.
            // A limit too small for that to cut a whole unit (100.00 under a 50% cap) goes to
            // the rule's figure instead of staying where it is for ever; a cap of 0% never cuts.
            let kept = (currentWide * Int128(100 - policy.limitMaxCutPercent) + 99) / 100
            var floor = Int64(clamping: min(roundedUp(kept), currentWide))
            if policy.limitMaxCutPercent > 0, Int128(floor) >= currentWide { floor = ruleLimit }
            if ruleLimit < floor {
                recommended = floor
                reason += ", cut held to \(policy.limitMaxCutPercent)% per review: \(fmt(floor))"
            }
        }
        reason += "; was \(fmt(current))"
        let tolerance = Int128(recommended) * Int128(policy.limitTolerancePercent) / 100
        let difference = Int128(current) - Int128(recommended)
        let limitChange = (difference < 0 ? -difference : difference) > tolerance
        return LimitRecommendation(assessment: a, limitScore: limitScore, limitGrade: limitGrade, currentLimit: current, recommendedLimit: recommended,
                                   ruleLimit: ruleLimit, dormant: dormant, currentTermsDays: termsDays, recommendedTermsDays: rule.termsDays,
                                   limitChange: limitChange, reason: reason)
    }
}
