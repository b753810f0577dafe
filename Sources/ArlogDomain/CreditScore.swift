/// One factor of a score: what was measured, the points (0–100) the policy gives it, and its
/// weight. The score is Σ weight × points ÷ Σ weight, rounded half up.
public struct FactorScore: Sendable, Equatable {
    public let factor: RiskFactor
    public let points: Int
    public let weight: Int
}

/// A customer's credit score on one day, with everything it was computed from.
public struct CreditAssessment: Sendable, Equatable {
    public let customer: String
    public let currency: Currency
    /// The day the score is for: measures of age and overdue are taken on it.
    public let on: Day
    public let policyName: String
    public let score: Int
    public let grade: Grade
    /// In `RiskFactor` order.
    public let factors: [FactorScore]

    // Measures.
    /// Amount-weighted mean of (received_on − due_on) over allocations in force of payments
    /// received in the window, in hundredths of a day (negative: paid early). Nil when none.
    public let paymentDaysHundredths: Int64?
    /// The allocated amount that mean is weighted by.
    public let paymentAmount: Int64
    /// Open installment amounts by bucket: current, 1-30, 31-60, 61-90, 91+.
    public let buckets: [Int64]
    public let open: Int64
    public let balance: Int64
    public let creditLimit: Int64
    /// balance ÷ limit in hundredths of a percent; nil when the limit is 0 and something is
    /// owed (no limit to measure against).
    public let utilisationBasisPoints: Int64?
    /// Days past due of the oldest open installment; 0 when nothing is past due.
    public let oldestOverdueDays: Int
    public let dunningLevel: Int
    /// Payments reversed (by the date of the reversal) in the window.
    public let reversals: Int
    /// Days since registration (registered_on, else the registration event's UTC date).
    public let tradingDays: Int
    /// Net sales: invoices issued in the window, with positive adjustments, less credit notes
    /// and voids; the basis of limit recommendations. Nil when not measured (the projector
    /// does not need it, and it costs a pass over every invoice of the customer).
    public let invoicedInWindow: Int64?

    public var overdueAmount: Int64 { buckets.dropFirst().reduce(0, +) }

    /// The factor's share of the score, in hundredths of a point.
    public func contributionHundredths(_ f: FactorScore) -> Int64 {
        let total = factors.reduce(0) { $0 + $1.weight }
        return CreditMath.divideRounded(Int64(f.weight * f.points) * 100, Int64(total))
    }
}

/// The scoring model (docs/credit.md): pure, integer, deterministic.
public enum CreditScoring {
    /// The overdue buckets the model and the alerts use (the contract's defaults).
    public static let bucketEdges = Aging.defaultEdges

    /// Scores `ledger` on `day` under `policy`. Reads the open invoices, the payments and the
    /// invoices issued in the window: O(items) of the customer.
    /// `measureSales`: also measure net sales in the window (for limit reviews).
    public static func assess(_ ledger: CustomerLedger, policy: CreditPolicy, on day: Day, measureSales: Bool = true) -> CreditAssessment {
        let windowStart = day.adding(days: -policy.windowDays)  // exclusive
        let inWindow = { (d: Day) in d > windowStart && d <= day }

        // Payment behaviour: signed days beyond terms, weighted by the allocated amount.
        var weighted: Int128 = 0
        var paidAmount: Int64 = 0
        var reversals = 0
        for p in ledger.payments {
            if p.reversed {
                if let r = p.reversedOn, inWindow(r) { reversals += 1 }
                continue
            }
            guard inWindow(p.receivedOn) else { continue }
            for a in p.allocations {
                weighted += Int128(a.daysBeyondTerms) * Int128(a.amount)
                paidAmount += a.amount
            }
        }
        let paymentDays: Int64? = paidAmount > 0 ? Int64(CreditMath.divideRounded(weighted * 100, Int128(paidAmount))) : nil

        // Overdue buckets and the oldest overdue installment.
        var buckets = [Int64](repeating: 0, count: bucketEdges.count + 2)
        var oldest = 0
        // Sales: what was invoiced and stands (credit notes and voids taken off; a write-off
        // is still a sale, one that went bad).
        var invoiced: Int64?
        if measureSales {
            var sales: Int64 = 0
            for inv in ledger.invoices where inWindow(inv.issuedOn) {
                sales += inv.amount + inv.adjustedUp - inv.credited - inv.voidedAmount
            }
            invoiced = sales
        }
        for i in ledger.openInvoices {
            for inst in ledger.invoices[Int(i)].installments where inst.open > 0 {
                let late = day.days(since: inst.dueOn)
                buckets[Aging.bucket(daysPastDue: late, edges: bucketEdges)] += inst.open
                oldest = max(oldest, late)
            }
        }
        let open = ledger.totals.open
        let balance = ledger.totals.balance
        let limit = ledger.profile.creditLimit
        let utilisation: Int64?
        if limit > 0 {
            utilisation = balance <= 0 ? 0 : CreditMath.basisPoints(balance, of: limit)
        } else {
            utilisation = balance <= 0 ? 0 : nil
        }
        let registered = ledger.profile.registeredOn ?? ledger.profile.registeredAt.utcDay
        let trading = max(0, day.days(since: registered))

        // Points per factor.
        var points = [Int](repeating: 0, count: RiskFactor.allCases.count)
        points[RiskFactor.payment.rawValue] = paymentDays.map { policy.paymentCurve.value(hundredths: $0) } ?? policy.paymentNoHistoryPoints
        if open > 0 {
            var penalty: Int128 = 0
            for (b, p) in policy.overduePenalties.enumerated() { penalty += Int128(buckets[b + 1]) * Int128(p) }
            points[RiskFactor.overdue.rawValue] = Int(CreditMath.divideRounded(Int128(open) * 100 - penalty, Int128(open)))
        } else {
            points[RiskFactor.overdue.rawValue] = 100
        }
        if let u = utilisation {
            points[RiskFactor.utilisation.rawValue] = policy.utilisationCurve.value(hundredths: u)
        } else {
            points[RiskFactor.utilisation.rawValue] = policy.utilisationCurve.points.last!.points
        }
        points[RiskFactor.dunning.rawValue] = policy.dunningPoints[min(max(ledger.dunningLevel, 0), 4)]
        points[RiskFactor.reversals.rawValue] = policy.reversalPoints[min(reversals, policy.reversalPoints.count - 1)]
        points[RiskFactor.tradingAge.rawValue] = policy.tradingDaysCurve.value(trading)

        let factors = RiskFactor.allCases.map { FactorScore(factor: $0, points: points[$0.rawValue], weight: policy.weight($0)) }
        let score = CreditScoring.score(factors)
        return CreditAssessment(
            customer: ledger.profile.id, currency: ledger.currency, on: day, policyName: policy.name,
            score: score, grade: policy.grade(score: score), factors: factors,
            paymentDaysHundredths: paymentDays, paymentAmount: paidAmount, buckets: buckets, open: open,
            balance: balance, creditLimit: limit, utilisationBasisPoints: utilisation, oldestOverdueDays: oldest,
            dunningLevel: ledger.dunningLevel, reversals: reversals, tradingDays: trading, invoicedInWindow: invoiced)
    }

    /// Σ weight × points ÷ Σ weight, rounded half up: 0–100.
    public static func score(_ factors: [FactorScore]) -> Int {
        let total = factors.reduce(0) { $0 + $1.weight }
        assert(total > 0, "a policy has a positive weight")
        let sum = factors.reduce(0) { $0 + $1.weight * $1.points }
        return Int(CreditMath.divideRounded(Int64(sum), Int64(total)))
    }
}
