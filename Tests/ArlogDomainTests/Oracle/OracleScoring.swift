@testable import ArlogDomain

// The oracle's credit score: the old `CreditScoring.assess` over a whole ledger (commit 3018e59),
// O(items) of the customer. Shares the policy's curves and `CreditScoring.score`. One change:
// ratios are clamped (`CreditMath.clamped`) where the old code converted unchecked, as the new
// code does, so that a huge ratio is a value here too rather than a trap.
enum OracleScoring {
    static let bucketEdges = Aging.defaultEdges

    /// Scores `ledger` on `day` under `policy`. `measureSales`: also measure net sales in the window.
    static func assess(_ ledger: OracleLedger, policy: CreditPolicy, on day: Day, measureSales: Bool = true) -> CreditAssessment {
        let windowStart = day.adding(days: -policy.windowDays)  // exclusive
        let inWindow = { (d: Day) in d > windowStart && d <= day }

        // Payment behaviour: signed days beyond terms, weighted by the allocated amount.
        var weighted: Int128 = 0
        var paidAmount: Int64 = 0
        var reversals = 0
        for p in ledger.payments where !p.creditNote {
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
        let paymentDays: Int64? = paidAmount > 0 ? CreditMath.clamped(CreditMath.divideRounded(weighted * 100, Int128(paidAmount))) : nil

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
            let inv = ledger.invoices[Int(i)]
            // Feed v1.1: an open dispute's amount is not overdue, taken off the invoice's
            // installments earliest due first.
            var disputed = ledger.collections.disputes[inv.id].map { min($0.amount, inv.open) } ?? 0
            for inst in inv.installments where inst.open > 0 {
                let late = day.days(since: inst.dueOn)
                let excluded = min(disputed, inst.open)
                disputed -= excluded
                buckets[0] += excluded
                guard inst.open > excluded else { continue }
                buckets[Aging.bucket(daysPastDue: late, edges: bucketEdges)] += inst.open - excluded
                oldest = max(oldest, late)
            }
        }
        let open = ledger.totals.open
        let balance = ledger.totals.balance
        let limit = ledger.profile.creditLimit
        let utilisation: Int64?
        if limit > 0 {
            // Clamped at the documented limit (docs/credit.md: a tiny limit and a huge balance).
            utilisation = balance <= 0 ? 0 : min(CreditScoring.utilisationBasisPointsMax,
                                                 CreditMath.clamped(CreditMath.divideRounded(Int128(balance) * 10_000, Int128(limit))))
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
            points[RiskFactor.utilisation.rawValue] = policy.utilisationCurve.points.last?.points ?? 0
        }
        points[RiskFactor.dunning.rawValue] = policy.dunningPoints[min(max(ledger.dunningLevel, 0), 4)]
        points[RiskFactor.reversals.rawValue] = policy.reversalPoints[min(reversals, policy.reversalPoints.count - 1)]
        points[RiskFactor.tradingAge.rawValue] = policy.tradingDaysCurve.value(trading)

        let factors = RiskFactor.allCases.map { FactorScore(factor: $0, points: points[$0.rawValue], weight: policy.weight($0)) }
        // Feed v1.1: broken promises whose date is in the window take points off.
        let broken = ledger.collections.promises.filter { $0.promisedOn > windowStart && ledger.collections.status($0, ledger, on: day) == .broken }.count
        let deduction = policy.brokenPromisePoints[min(broken, policy.brokenPromisePoints.count - 1)]
        let score = max(0, CreditScoring.score(factors) - deduction)
        return CreditAssessment(
            customer: ledger.profile.id, currency: ledger.currency, on: day, policyName: policy.name,
            score: score, grade: policy.grade(score: score), factors: factors, points: FactorPoints(points),
            paymentDaysHundredths: paymentDays, paymentAmount: paidAmount, buckets: buckets, open: open,
            balance: balance, creditLimit: limit, utilisationBasisPoints: utilisation, oldestOverdueDays: oldest,
            dunningLevel: ledger.dunningLevel, reversals: reversals, tradingDays: trading, invoicedInWindow: invoiced,
            brokenPromises: broken, brokenPromisePoints: deduction)
    }
}
