@testable import ArlogDomain

// The oracle's risk projector: the old `RiskProjector.evaluate` (commit 3018e59), which keeps
// the list of installments at 61+ days past due in its state and compares it with the previous
// one, instead of the new incremental sweep. Shares RiskCause, GradeChange, Alert, AlertKind.

/// An open installment that has reached an alerting bucket (61-90 = 3, 91+ = 4).
struct OracleOverdueMark: Equatable {
    let invoice: String
    let installment: Int32
    let bucket: UInt8
    let open: Int64
}

/// What the projector keeps per customer between evaluations.
struct OracleRiskState: Equatable {
    var evaluatedOn: Day
    var seq: UInt64
    var score: Int
    var grade: Grade
    var points: [Int]
    var overLimit: Bool
    var utilisationHigh: Bool
    /// Open installments at 61+ days past due, sorted by (invoice, installment).
    var overdue: [OracleOverdueMark]
    /// Feed v1.1: broken promises at this evaluation.
    var brokenPromises = 0
}

enum OracleProjector {
    static let alertBucketMin = 3  // index of 61-90 in current, 1-30, 31-60, 61-90, 91+

    struct Outcome {
        let state: OracleRiskState
        let change: GradeChange?
        let alerts: [Alert]
        let assessment: CreditAssessment
    }

    static func evaluate(_ ledger: OracleLedger, policy: CreditPolicy, cause: RiskCause, previous: OracleRiskState?) -> Outcome {
        let day = max(cause.at.utcDay, previous?.evaluatedOn ?? cause.at.utcDay)
        let a = OracleScoring.assess(ledger, policy: policy, on: day, measureSales: false)
        let customer = ledger.profile.id
        let overLimit = a.balance > a.creditLimit
        // Compared exactly (90.004 % is above 90 %), like over_limit.
        let utilisationHigh = overLimit || (a.creditLimit > 0 && Int128(a.balance) * 100 > Int128(a.creditLimit) * Int128(policy.alertUtilisationPercent))
        let marks = overdueMarks(ledger, on: day)
        let brokenNow = ledger.collections.promises.filter { ledger.collections.status($0, ledger, on: day) == .broken }
        let state = OracleRiskState(evaluatedOn: day, seq: cause.seq, score: a.score, grade: a.grade, points: a.factors.map(\.points),
                                    overLimit: overLimit, utilisationHigh: utilisationHigh, overdue: marks, brokenPromises: brokenNow.count)

        var alerts: [Alert] = []
        func raise(_ kind: AlertKind, _ level: AlertLevel, amount: Int64?, reference: String? = nil, from: Grade? = nil, _ reason: String) {
            alerts.append(Alert(customer: customer, currency: a.currency, cause: cause, index: alerts.count, kind: kind, level: level,
                                evaluatedOn: day, grade: a.grade, score: a.score, gradeFrom: from, amount: amount, reference: reference, reason: reason))
        }
        let money = { (v: Int64) in "\(Money.format(v, fractionDigits: a.currency.fractionDigits)) \(a.currency.code)" }
        if let p = previous, a.grade > p.grade {
            raise(.gradeFell, a.grade == .e ? .critical : .warning, amount: nil, from: p.grade,
                  "grade fell from \(p.grade) to \(a.grade) (score \(p.score) → \(a.score))")
        }
        if (previous?.score ?? 100) >= policy.alertScoreBelow, a.score < policy.alertScoreBelow {
            raise(.scoreBelow, .warning, amount: nil, "score \(a.score) is below \(policy.alertScoreBelow)")
        }
        if overLimit, !(previous?.overLimit ?? false) {
            raise(.overLimit, .critical, amount: a.balance, "balance \(money(a.balance)) is over the credit limit \(money(a.creditLimit))")
        } else if utilisationHigh, !(previous?.utilisationHigh ?? false) {
            raise(.utilisationHigh, .warning, amount: a.balance,
                  "utilisation \(a.utilisationBasisPoints.map { Money.format($0, fractionDigits: 2) } ?? "∞")% is above \(policy.alertUtilisationPercent)%")
        }
        // The previous buckets by (invoice, installment): the old code searched the previous
        // list for each mark, which is the same answer (a mark per installment) in O(m²).
        var bucketBefore: [String: [Int32: UInt8]] = [:]
        for m in previous?.overdue ?? [] { bucketBefore[m.invoice, default: [:]][m.installment] = m.bucket }
        for (bucket, kind, level) in [(UInt8(3), AlertKind.overdue61to90, AlertLevel.warning), (4, .overdue91Plus, .critical)] {
            var amount: Int64 = 0
            var invoices: [String] = []
            for m in marks where m.bucket == bucket {
                if let before = bucketBefore[m.invoice]?[m.installment], before >= bucket { continue }
                amount += m.open
                if invoices.last != m.invoice { invoices.append(m.invoice) }
            }
            guard amount > 0 else { continue }
            let name = bucket == 3 ? "61-90" : "91+"
            let which = invoices.count == 1 ? "invoice \(invoices[0])" : "\(invoices.count) invoices (\(invoices[0]), …)"
            raise(kind, level, amount: amount, reference: invoices[0], "\(money(amount)) of \(which) entered the \(name) days overdue bucket")
        }
        // Feed v1.1: more promises broken than at the previous evaluation.
        if brokenNow.count > previous?.brokenPromises ?? 0, let p = brokenNow.last {
            let what = p.invoice.map { " for invoice \($0)" } ?? ""
            raise(.promiseBroken, .warning, amount: p.amount, reference: p.invoice,
                  "promise to pay \(money(p.amount))\(what) by \(p.promisedOn) was broken (\(brokenNow.count) broken in all)")
        }
        if cause.type == .paymentReversed, let id = cause.payment {
            let amount = ledger.payment(id)?.amount
            raise(.paymentReversed, .critical, amount: amount, reference: id,
                  "payment \(id)\(amount.map { " of \(money($0))" } ?? "") was reversed")
        }

        var change: GradeChange?
        if previous?.grade != a.grade {
            change = GradeChange(customer: customer, cause: cause, evaluatedOn: day, from: previous?.grade, to: a.grade,
                                 scoreFrom: previous?.score, score: a.score, pointsFrom: previous.map { FactorPoints($0.points) },
                                 points: FactorPoints(state.points), policyName: policy.name)
        }
        return Outcome(state: state, change: change, alerts: alerts, assessment: a)
    }

    /// Open installments at 61+ days past due on `day`, sorted by (invoice id, installment).
    static func overdueMarks(_ ledger: OracleLedger, on day: Day) -> [OracleOverdueMark] {
        var marks: [OracleOverdueMark] = []
        for i in ledger.openInvoices {
            let inv = ledger.invoices[Int(i)]
            for (j, inst) in inv.installments.enumerated() where inst.open > 0 {
                let b = Aging.bucket(daysPastDue: day.days(since: inst.dueOn), edges: OracleScoring.bucketEdges)
                if b >= alertBucketMin { marks.append(OracleOverdueMark(invoice: inv.id, installment: Int32(j), bucket: UInt8(b), open: inst.open)) }
            }
        }
        // Ids are ASCII (the feed's id alphabet), so String order is byte order; the old code
        // compared the UTF-8 views, the same order but slow in a debug build.
        marks.sort { $0.invoice != $1.invoice ? $0.invoice < $1.invoice : $0.installment < $1.installment }
        return marks
    }
}
