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
    /// Feed v1.1: promises broken by `on` whose `promised_on` is in the window, and the points
    /// the policy takes off the weighted score for them (`broken_promise_points`).
    public var brokenPromises = 0
    public var brokenPromisePoints = 0

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

    /// The measures of a customer's state on `day` and the points, score and grade they give:
    /// the model's core, shared by the risk projector (every event: no allocation) and
    /// `assess` (the full account for people).
    public struct Scored: Sendable {
        public var paymentDaysHundredths: Int64?
        public var paymentAmount: Int64
        public var buckets: BucketSums
        public var open: Int64
        public var balance: Int64
        public var creditLimit: Int64
        public var utilisationBasisPoints: Int64?
        public var oldestOverdueDays: Int
        public var dunningLevel: Int
        public var reversals: Int
        public var tradingDays: Int
        public var points: FactorPoints
        public var score: Int
        public var grade: Grade
        /// Feed v1.1: promises broken in the window and the points taken off for them.
        public var brokenPromises = 0
        public var brokenPromisePoints = 0
    }

    /// Scores `state` on `day` under `policy`. `buckets`: the open amounts by bucket on `day`
    /// when the caller has them (the risk projector's sweep); otherwise they are summed here,
    /// O(open installments). The rest costs O(log n).
    public static func score(_ state: CustomerState, policy: CreditPolicy, on day: Day, buckets known: BucketSums? = nil) -> Scored {
        let windowStart = day.adding(days: -policy.windowDays)  // exclusive

        // Payment behaviour: signed days beyond terms, weighted by the allocated amount, of
        // the payments received in the window and not reversed.
        let (weighted, paidAmount) = state.paymentSums(after: windowStart, through: day)
        let reversals = state.reversals(after: windowStart, through: day)
        // A mean of Int32 day counts, in hundredths: within ±2^31 × 100, exact in Int64.
        let paymentDays: Int64? = paidAmount > 0 ? CreditMath.clamped(CreditMath.divideRounded(weighted * 100, Int128(paidAmount))) : nil

        // Overdue buckets and the oldest overdue installment (FIFO order is due order: the
        // first open installment is the oldest).
        var buckets = known ?? BucketSums()
        if known == nil {
            for s in state.firstOpen..<state.slots.count where state.slots[s].open > 0 {
                buckets[RiskSweep.bucket(day, state.slots[s].dueOn)] += state.slots[s].open
            }
        }
        var oldest = 0
        if state.disputes.isEmpty {
            for s in state.firstOpen..<state.slots.count where state.slots[s].open > 0 {
                oldest = max(0, day.days(since: state.slots[s].dueOn))
                break
            }
        } else {
            // Feed v1.1: a disputed amount's overdue age does not count while its dispute is
            // open: it is taken off its invoice's installments, earliest due first, and
            // counted as not yet due.
            let excluded = disputeExclusions(state)
            for (slot, amount) in excluded {
                let b = RiskSweep.bucket(day, state.slots[slot].dueOn)
                buckets[b] -= amount
                buckets[0] += amount
            }
            for s in state.firstOpen..<state.slots.count where state.slots[s].open > 0 {
                let taken = excluded.first { $0.slot == s }?.amount ?? 0
                guard state.slots[s].open > taken else { continue }
                oldest = max(0, day.days(since: state.slots[s].dueOn))
                break
            }
        }
        let open = state.totals.open
        let balance = state.totals.balance
        let limit = state.creditLimit
        let utilisation: Int64?
        if limit > 0 {
            utilisation = utilisationBasisPoints(balance: balance, limit: limit)
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
            // 0–100: the penalties are 0–100 and the overdue buckets sum to at most the open
            // total (a decoded state is checked for it); clamped all the same.
            points[RiskFactor.overdue.rawValue] = Int(clamping: CreditMath.divideRounded(Int128(open) * 100 - penalty, Int128(open)))
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

        // Σ weight × points ÷ Σ weight, rounded half up.
        var total = 0
        var sum = 0
        for f in 0..<FactorPoints.count {
            total += policy.weights[f]
            sum += policy.weights[f] * points[f]
        }
        let weightedScore = total > 0 ? Int(CreditMath.divideRounded(Int64(sum), Int64(total))) : 0
        // Feed v1.1: broken promises (by promised_on in the window) take points off the score.
        let broken = brokenPromises(state, on: day, after: windowStart)
        let deduction = policy.brokenPromisePoints.isEmpty ? 0 : policy.brokenPromisePoints[min(broken, policy.brokenPromisePoints.count - 1)]
        let score = max(0, weightedScore - deduction)
        return Scored(paymentDaysHundredths: paymentDays, paymentAmount: paidAmount, buckets: buckets, open: open, balance: balance,
                      creditLimit: limit, utilisationBasisPoints: utilisation, oldestOverdueDays: oldest, dunningLevel: state.dunningLevel,
                      reversals: reversals, tradingDays: trading, points: points, score: score, grade: policy.grade(score: score),
                      brokenPromises: broken, brokenPromisePoints: deduction)
    }

    /// Promises broken on `day` whose `promised_on` is after `after` (the window's start).
    static func brokenPromises(_ state: CustomerState, on day: Day, after: Day) -> Int {
        var n = 0
        for p in state.promises where p.promisedOn > after && p.status(on: day) == .broken { n += 1 }
        return n
    }

    /// The open amounts the open disputes take out of the overdue measures: per slot, what
    /// its invoice's disputed amount covers, the invoice's installments earliest due first.
    static func disputeExclusions(_ state: CustomerState) -> [(slot: Int, amount: Int64)] {
        var out: [(slot: Int, amount: Int64)] = []
        for d in state.disputes {
            guard let i = state.openInvoice(seq: d.invoiceSeq) else { continue }
            var left = state.disputedAmount(d)
            for k in 0..<Int(state.invoices[i].installmentCount) where left > 0 {
                guard let slot = state.slot(ofInvoice: i, installment: k) else { continue }
                let take = min(left, state.slots[slot].open)
                if take > 0 { out.append((slot, take)) }
                left -= take
            }
        }
        return out
    }

    /// Scores a customer's state on `day` under `policy` with the full account of how (the
    /// `grade` command, checks, limit reviews). `invoicedInWindow`: net sales in the window,
    /// measured by the caller from the customer's invoices (limit reviews need it).
    public static func assess(_ state: CustomerState, customer: String, policy: CreditPolicy, on day: Day,
                              buckets known: BucketSums? = nil, invoicedInWindow: Int64? = nil) -> CreditAssessment {
        let m = score(state, policy: policy, on: day, buckets: known)
        let factors = RiskFactor.allCases.map { FactorScore(factor: $0, points: m.points[$0.rawValue], weight: policy.weight($0)) }
        return CreditAssessment(
            customer: customer, currency: state.currency, on: day, policyName: policy.name,
            score: m.score, grade: m.grade, factors: factors, points: m.points,
            paymentDaysHundredths: m.paymentDaysHundredths, paymentAmount: m.paymentAmount, buckets: m.buckets.array, open: m.open,
            balance: m.balance, creditLimit: m.creditLimit, utilisationBasisPoints: m.utilisationBasisPoints,
            oldestOverdueDays: m.oldestOverdueDays, dunningLevel: m.dunningLevel, reversals: m.reversals, tradingDays: m.tradingDays,
            invoicedInWindow: invoicedInWindow, brokenPromises: m.brokenPromises, brokenPromisePoints: m.brokenPromisePoints)
    }

    /// The largest utilisation figure, in basis points: 10^12, a balance of 100 million times
    /// the limit. A balance far above a tiny limit (10^13 EUR owed against a limit of 0.01 EUR
    /// is 10^21 basis points, past Int64) is shown as this: it is "far above", and far above
    /// every threshold a policy can set (`PolicyLimits.percentMax`, 10^7 basis points), so
    /// no points, alert or decision depend on the clamp (thresholds are compared exactly).
    public static let utilisationBasisPointsMax: Int64 = 1_000_000_000_000

    /// balance ÷ limit in basis points, rounded half up, clamped to 0…`utilisationBasisPointsMax`;
    /// `limit` > 0.
    public static func utilisationBasisPoints(balance: Int64, limit: Int64) -> Int64 {
        guard balance > 0 else { return 0 }
        let bp = CreditMath.divideRounded(Int128(balance) * 10_000, Int128(limit))
        return bp > Int128(utilisationBasisPointsMax) ? utilisationBasisPointsMax : Int64(truncatingIfNeeded: bp)  // exact below the clamp
    }

    /// Net sales of invoices issued in (after, through]: what was invoiced and stands (credit
    /// notes and voids taken off; a write-off is still a sale, one that went bad). The basis
    /// of limit recommendations; O(invoices), from the whole ledger.
    public static func netSales(_ ledger: CustomerLedger, after: Day, through: Day) -> Int64 {
        var sales: Int128 = 0
        for inv in ledger.invoices where inv.issuedOn > after && inv.issuedOn <= through {
            sales += Int128(inv.amount) + Int128(inv.adjustedUp) - Int128(inv.credited) - Int128(inv.voidedAmount)
        }
        return CreditMath.clamped(sales)
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
