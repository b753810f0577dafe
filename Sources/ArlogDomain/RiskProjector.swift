/// The event an evaluation answers to: a customer's own event, or a log-wide one
/// (`credit_policy.changed`, `credit.reviewed`) that regrades everyone.
public struct RiskCause: Sendable, Equatable {
    public let seq: UInt64
    public let eventID: String
    public let type: EventType
    public let at: Timestamp
    /// For `payment.reversed`: the payment.
    public let payment: String?

    public init(seq: UInt64, eventID: String, type: EventType, at: Timestamp, payment: String?) {
        self.seq = seq
        self.eventID = eventID
        self.type = type
        self.at = at
        self.payment = payment
    }

    public init(seq: UInt64, event: Event) {
        self.seq = seq
        eventID = event.id
        type = event.type
        at = event.at
        if case .paymentReversed(let p) = event.body { payment = p } else { payment = nil }
    }
}

/// An open installment that has reached an alerting bucket (61-90 = 3, 91+ = 4).
public struct OverdueMark: Sendable, Equatable {
    public let invoice: String
    public let installment: Int32
    public let bucket: UInt8
    public let open: Int64
}

/// What the risk projector keeps per customer between evaluations: enough to tell what
/// changed (grade, thresholds crossed, installments entering late buckets).
public struct RiskState: Sendable, Equatable {
    public var evaluatedOn: Day
    /// The log position of the last evaluation.
    public var seq: UInt64
    public var score: Int
    public var grade: Grade
    /// Per factor, in `RiskFactor` order.
    public var points: [Int]
    public var overLimit: Bool
    /// Utilisation above the policy's alert level (over the limit included).
    public var utilisationHigh: Bool
    /// Open installments at 61+ days past due, sorted by (invoice, installment).
    public var overdue: [OverdueMark]
}

/// One grade change of a customer: the first grade, and every later change.
public struct GradeChange: Sendable, Equatable {
    public let customer: String
    public let cause: RiskCause
    public let evaluatedOn: Day
    public let from: Grade?
    public let to: Grade
    public let scoreFrom: Int?
    public let score: Int
    public let pointsFrom: [Int]?
    public let points: [Int]
    public let policyName: String
}

public enum AlertKind: String, Sendable, CaseIterable {
    case gradeFell = "grade_fell"
    case scoreBelow = "score_below"
    case overLimit = "over_limit"
    case utilisationHigh = "utilisation_high"
    case overdue61to90 = "overdue_61_90"
    case overdue91Plus = "overdue_91_plus"
    case paymentReversed = "payment_reversed"
}

public enum AlertLevel: Int, Sendable, CaseIterable, Comparable {
    case warning = 1, critical = 2

    public var name: String { self == .warning ? "warning" : "critical" }

    public init?(name: String) {
        guard let l = AlertLevel.allCases.first(where: { $0.name == name }) else { return nil }
        self = l
    }

    public static func < (a: AlertLevel, b: AlertLevel) -> Bool { a.rawValue < b.rawValue }
}

/// An early warning, raised by the projector when an evaluation crosses a line. Identified by
/// the causing event's log position, the customer and its index among that evaluation's
/// alerts: the same log always yields the same alerts with the same ids.
public struct Alert: Sendable, Equatable {
    public let customer: String
    public let currency: Currency
    public let cause: RiskCause
    public let index: Int
    public let kind: AlertKind
    public let level: AlertLevel
    public let evaluatedOn: Day
    public let grade: Grade
    public let score: Int
    /// Grade before (grade_fell), else nil.
    public let gradeFrom: Grade?
    /// The money the alert is about (balance, amount entering a bucket, payment reversed).
    public let amount: Int64?
    /// The invoice or payment concerned, when there is one.
    public let reference: String?
    public let reason: String

    public var id: String { "\(cause.seq)/\(customer)/\(index)" }
}

/// The risk projector: a pure fold step. Each evaluation scores the customer on the cause's
/// UTC date (never earlier than its previous evaluation: the projector's clock per customer
/// only moves forward), compares with the previous state and returns the new state, the
/// grade change and the alerts.
public enum RiskProjector {
    public static let alertBucketMin = 3  // index of 61-90 in current, 1-30, 31-60, 61-90, 91+

    public struct Outcome: Sendable {
        public let state: RiskState
        public let change: GradeChange?
        public let alerts: [Alert]
        public let assessment: CreditAssessment
    }

    public static func evaluate(_ ledger: CustomerLedger, policy: CreditPolicy, cause: RiskCause, previous: RiskState?) -> Outcome {
        let day = max(cause.at.utcDay, previous?.evaluatedOn ?? cause.at.utcDay)
        let a = CreditScoring.assess(ledger, policy: policy, on: day, measureSales: false)
        let customer = ledger.profile.id
        let overLimit = a.balance > a.creditLimit
        // Compared exactly (90.004 % is above 90 %), like over_limit.
        let utilisationHigh = overLimit || (a.creditLimit > 0 && Int128(a.balance) * 100 > Int128(a.creditLimit) * Int128(policy.alertUtilisationPercent))
        let marks = overdueMarks(ledger, on: day)
        let state = RiskState(evaluatedOn: day, seq: cause.seq, score: a.score, grade: a.grade, points: a.factors.map(\.points),
                              overLimit: overLimit, utilisationHigh: utilisationHigh, overdue: marks)

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
        for (bucket, kind, level) in [(UInt8(3), AlertKind.overdue61to90, AlertLevel.warning), (4, .overdue91Plus, .critical)] {
            var amount: Int64 = 0
            var invoices: [String] = []
            for m in marks where m.bucket == bucket {
                let before = previous?.overdue.first { $0.invoice == m.invoice && $0.installment == m.installment }
                if let before, before.bucket >= bucket { continue }
                amount += m.open
                if invoices.last != m.invoice { invoices.append(m.invoice) }
            }
            guard amount > 0 else { continue }
            let name = bucket == 3 ? "61-90" : "91+"
            let which = invoices.count == 1 ? "invoice \(invoices[0])" : "\(invoices.count) invoices (\(invoices[0]), …)"
            raise(kind, level, amount: amount, reference: invoices[0], "\(money(amount)) of \(which) entered the \(name) days overdue bucket")
        }
        if cause.type == .paymentReversed, let id = cause.payment {
            let amount = ledger.payment(id)?.amount
            raise(.paymentReversed, .critical, amount: amount, reference: id,
                  "payment \(id)\(amount.map { " of \(money($0))" } ?? "") was reversed")
        }

        var change: GradeChange?
        if previous?.grade != a.grade {
            change = GradeChange(customer: customer, cause: cause, evaluatedOn: day, from: previous?.grade, to: a.grade,
                                 scoreFrom: previous?.score, score: a.score, pointsFrom: previous?.points, points: state.points,
                                 policyName: policy.name)
        }
        return Outcome(state: state, change: change, alerts: alerts, assessment: a)
    }

    /// Open installments at 61+ days past due on `day`, sorted by (invoice id, installment).
    static func overdueMarks(_ ledger: CustomerLedger, on day: Day) -> [OverdueMark] {
        var marks: [OverdueMark] = []
        for i in ledger.openInvoices {
            let inv = ledger.invoices[Int(i)]
            for (j, inst) in inv.installments.enumerated() where inst.open > 0 {
                let b = Aging.bucket(daysPastDue: day.days(since: inst.dueOn), edges: CreditScoring.bucketEdges)
                if b >= alertBucketMin { marks.append(OverdueMark(invoice: inv.id, installment: Int32(j), bucket: UInt8(b), open: inst.open)) }
            }
        }
        marks.sort { ($0.invoice.utf8.lexicographicallyPrecedes($1.invoice.utf8)) || ($0.invoice == $1.invoice && $0.installment < $1.installment) }
        return marks
    }
}

/// Policies and reviews: the log-wide events, in log order, as every customer's fold sees them.
public struct PolicyTimeline: Sendable, Equatable {
    /// (seq, at, policy) of each `credit_policy.changed`, in log order.
    public var policies: [(seq: UInt64, at: Timestamp, policy: CreditPolicy)] = []

    public init() {}

    public static func == (a: PolicyTimeline, b: PolicyTimeline) -> Bool {
        a.policies.count == b.policies.count && zip(a.policies, b.policies).allSatisfy { $0.seq == $1.seq && $0.at == $1.at && $0.policy == $1.policy }
    }

    /// The policy the projector uses after log position `seq`: the last one logged at or before it.
    public func policy(atSeq seq: UInt64) -> CreditPolicy {
        policies.last { $0.seq <= seq }?.policy ?? .default
    }

}
