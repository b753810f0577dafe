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
    /// The factors' points, in `RiskFactor` order.
    public let points: FactorPoints

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

    /// Scores a customer's state on `day` under `policy`, from scratch: O(open installments +
    /// log payments). `buckets`: the open amounts by bucket on `day` when the caller already
    /// has them (the risk projector's sweep), else they are summed here.
    /// `invoicedInWindow`: net sales in the window, measured by the caller from the cold
    /// invoices (limit reviews need it; nil: not measured).
    public static func assess(_ state: CustomerState, customer: String, policy: CreditPolicy, on day: Day,
                              buckets known: BucketSums? = nil, invoicedInWindow: Int64? = nil) -> CreditAssessment {
        let windowStart = day.adding(days: -policy.windowDays)  // exclusive

        // Payment behaviour: signed days beyond terms, weighted by the allocated amount, of
        // the payments received in the window and not reversed.
        let (weighted, paidAmount) = state.paymentSums(after: windowStart, through: day)
        let reversals = state.reversals(after: windowStart, through: day)
        let paymentDays: Int64? = paidAmount > 0 ? CreditMath.clamped(CreditMath.divideRounded(weighted * 100, Int128(paidAmount))) : nil

        // Overdue buckets and the oldest overdue installment.
        var buckets = known ?? BucketSums()
        if known == nil {
            for s in state.firstOpen..<state.slots.count where state.slots[s].open > 0 {
                buckets[RiskSweep.bucket(day, state.slots[s].dueOn)] += state.slots[s].open
            }
        }
        var oldest = 0
        for s in state.firstOpen..<state.slots.count where state.slots[s].open > 0 {
            // FIFO order is due order: the first open installment is the oldest.
            oldest = max(0, day.days(since: state.slots[s].dueOn))
            break
        }
        let open = state.totals.open
        let balance = state.totals.balance
        let limit = state.creditLimit
        let utilisation: Int64?
        if limit > 0 {
            // A tiny limit and a large balance give a ratio far above any curve's last point:
            // clamped, not trapped (a valid feed can reach it).
            utilisation = balance <= 0 ? 0 : CreditMath.clamped(CreditMath.divideRounded(Int128(balance) * 10_000, Int128(limit)))
        } else {
            utilisation = balance <= 0 ? 0 : nil
        }
        let registered = state.registeredOn ?? state.registeredAt.utcDay
        let trading = max(0, day.days(since: registered))

        // Points per factor.
        var points = FactorPoints()
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
            points[RiskFactor.utilisation.rawValue] = policy.utilisationCurve.points.last?.points ?? 0
        }
        points[RiskFactor.dunning.rawValue] = policy.dunningPoints[min(max(state.dunningLevel, 0), 4)]
        points[RiskFactor.reversals.rawValue] = policy.reversalPoints[min(reversals, policy.reversalPoints.count - 1)]
        points[RiskFactor.tradingAge.rawValue] = policy.tradingDaysCurve.value(trading)

        let factors = RiskFactor.allCases.map { FactorScore(factor: $0, points: points[$0.rawValue], weight: policy.weight($0)) }
        let score = CreditScoring.score(factors)
        return CreditAssessment(
            customer: customer, currency: state.currency, on: day, policyName: policy.name,
            score: score, grade: policy.grade(score: score), factors: factors, points: points,
            paymentDaysHundredths: paymentDays, paymentAmount: paidAmount, buckets: buckets.array, open: open,
            balance: balance, creditLimit: limit, utilisationBasisPoints: utilisation, oldestOverdueDays: oldest,
            dunningLevel: state.dunningLevel, reversals: reversals, tradingDays: trading, invoicedInWindow: invoicedInWindow)
    }

    /// Σ weight × points ÷ Σ weight, rounded half up: 0–100.
    public static func score(_ factors: [FactorScore]) -> Int {
        let total = factors.reduce(0) { $0 + $1.weight }
        assert(total > 0, "a policy has a positive weight")
        let sum = factors.reduce(0) { $0 + $1.weight * $1.points }
        return Int(CreditMath.divideRounded(Int64(sum), Int64(total)))
    }
}

extension CreditScoring {
    /// Net sales in the policy's window ending on `day` (`CreditAssessment.invoicedInWindow`,
    /// the basis of limit recommendations): the invoices issued in (day − windowDays, day], as
    /// issued, with positive adjustments, less credit notes and voids; a write-off is still a
    /// sale (one that went bad). `invoices`: the customer's invoices, an open one as it stands
    /// (`CustomerLedger.invoices`). O(invoices): for queries and reviews, not the projector.
    public static func netSales(_ invoices: some Sequence<InvoiceState>, on day: Day, windowDays: Int) -> Int64 {
        let windowStart = day.adding(days: -windowDays)  // exclusive
        // Summed in Int128: a valid log keeps it below the invoiced total (an Int64), and
        // records that were damaged saturate rather than trap.
        var sales: Int128 = 0
        for inv in invoices where inv.issuedOn > windowStart && inv.issuedOn <= day {
            sales += Int128(inv.amount) + Int128(inv.adjustedUp) - Int128(inv.credited) - Int128(inv.voidedAmount)
        }
        return CreditMath.clamped(sales)
    }
}
