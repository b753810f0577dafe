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

/// One grade change of a customer: the first grade, and every later change.
public struct GradeChange: Sendable, Equatable {
    public let customer: String
    public let cause: RiskCause
    public let evaluatedOn: Day
    public let from: Grade?
    public let to: Grade
    public let scoreFrom: Int?
    public let score: Int
    public let pointsFrom: FactorPoints?
    public let points: FactorPoints
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
    /// Feed v1.1: a promise to pay was broken (found at the first evaluation after its date).
    case promiseBroken = "promise_broken"
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
/// only moves forward), compares with the previous evaluation and returns the grade change
/// and the alerts; the new evaluation is kept in the state (`CustomerState.risk`). It costs
/// O(log n) in the customer's open installments and payments (`RiskSweep`), not a scan.
public enum RiskProjector {
    public static let alertBucketMin = 3  // index of 61-90 in current, 1-30, 31-60, 61-90, 91+

    public struct Outcome: Sendable {
        public let state: RiskState
        public let change: GradeChange?
        public let alerts: [Alert]
        public let scored: CreditScoring.Scored
    }

    /// Evaluates `s` after the event at log position `seq` (of `type`, at `at`), or after a
    /// log-wide event. `cause` builds the stored description of the event (only called when
    /// something is recorded); `reversed` is the payment a `payment.reversed` took back.
    public static func evaluate(_ s: inout CustomerState, customer: String, policy: CreditPolicy,
                                seq: UInt64, type: EventType, at: Timestamp, cause makeCause: () -> RiskCause,
                                reversed: (id: String, amount: Int64)? = nil) -> Outcome {
        let previous = s.risk.last
        let day = max(at.utcDay, previous?.evaluatedOn ?? at.utcDay)
        // Installments that entered a late bucket as the day moved (open before, open now).
        var entered: [(slot: Int, bucket: Int)] = []
        s.risk.advance(to: day, slots: s.slots) { slot, bucket in
            if bucket >= alertBucketMin { entered.append((slot, bucket)) }
        }
        // Installments this event opened (nothing open before) that are already late.
        for key in s.openedSlots {
            guard let i = s.openInvoice(seq: key.invoiceSeq), let slot = s.slot(ofInvoice: i, installment: Int(key.index)),
                s.slots[slot].open > 0
            else { continue }
            entered.removeAll { $0.slot == slot }
            let b = RiskSweep.bucket(day, s.slots[slot].dueOn)
            if b >= alertBucketMin { entered.append((slot, b)) }
        }
        s.openedSlots.removeAll(keepingCapacity: true)
        let a = CreditScoring.score(s, policy: policy, on: day, buckets: s.risk.buckets)
        let currency = s.currency
        let overLimit = a.balance > a.creditLimit
        // Compared exactly (90.004 % is above 90 %), like over_limit.
        let utilisationHigh = overLimit || (a.creditLimit > 0 && Int128(a.balance) * 100 > Int128(a.creditLimit) * Int128(policy.alertUtilisationPercent))
        let state = RiskState(evaluatedOn: day, seq: seq, score: a.score, grade: a.grade, points: a.points,
                              overLimit: overLimit, utilisationHigh: utilisationHigh)
        s.risk.last = state

        var alerts: [Alert] = []
        var cause: RiskCause?
        func raise(_ kind: AlertKind, _ level: AlertLevel, amount: Int64?, reference: String? = nil, from: Grade? = nil, _ reason: String) {
            let c = cause ?? makeCause()
            cause = c
            alerts.append(Alert(customer: customer, currency: currency, cause: c, index: alerts.count, kind: kind, level: level,
                                evaluatedOn: day, grade: a.grade, score: a.score, gradeFrom: from, amount: amount, reference: reference, reason: reason))
        }
        let money = { (v: Int64) in "\(Money.format(v, fractionDigits: currency.fractionDigits)) \(currency.code)" }
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
        if !entered.isEmpty {
            for (bucket, kind, level) in [(3, AlertKind.overdue61to90, AlertLevel.warning), (4, .overdue91Plus, .critical)] {
                var amount: Int64 = 0
                var invoices: [(start: Int32, count: UInt8, seq: UInt64)] = []
                for (slot, b) in entered where b == bucket {
                    amount += s.slots[slot].open
                    let x = s.slots[slot]
                    if !invoices.contains(where: { $0.seq == x.invoiceSeq }) { invoices.append((x.idStart, x.idCount, x.invoiceSeq)) }
                }
                guard amount > 0 else { continue }
                // The reference is the first invoice in id order.
                var first = invoices[0]
                for inv in invoices.dropFirst() where s.idPrecedes(inv.start, inv.count, first.start, first.count) { first = inv }
                let firstID = String(decoding: s.ids[Int(first.start)..<(Int(first.start) + Int(first.count))], as: UTF8.self)
                let name = bucket == 3 ? "61-90" : "91+"
                let which = invoices.count == 1 ? "invoice \(firstID)" : "\(invoices.count) invoices (\(firstID), …)"
                raise(kind, level, amount: amount, reference: firstID, "\(money(amount)) of \(which) entered the \(name) days overdue bucket")
            }
        }
        // Feed v1.1: promises broken since the last evaluation. Time makes a promise broken
        // (its date passes unpaid), so this is found by whichever evaluation comes first after
        // it: a review's clock tick or the customer's next event; a reversal can break a kept
        // one too. The count falls when a late-logged payment keeps one, so a promise broken
        // again alerts again.
        if !s.promises.isEmpty || s.risk.brokenPromises != 0 {
            var broken = 0
            var latest: PaymentPromise?
            for p in s.promises where p.status(on: day) == .broken {
                broken += 1
                latest = p
            }
            if broken > s.risk.brokenPromises, let p = latest {
                let what = p.invoice.map { " for invoice \($0)" } ?? ""
                raise(.promiseBroken, .warning, amount: p.amount, reference: p.invoice,
                      "promise to pay \(money(p.amount))\(what) by \(p.promisedOn) was broken (\(broken) broken in all)")
            }
            s.risk.brokenPromises = broken
        }
        if type == .paymentReversed {
            let c = cause ?? makeCause()
            cause = c
            if let id = c.payment {
                let amount = reversed?.amount
                raise(.paymentReversed, .critical, amount: amount, reference: id,
                      "payment \(id)\(amount.map { " of \(money($0))" } ?? "") was reversed")
            }
        }

        var change: GradeChange?
        if previous?.grade != a.grade {
            let c = cause ?? makeCause()
            change = GradeChange(customer: customer, cause: c, evaluatedOn: day, from: previous?.grade, to: a.grade,
                                 scoreFrom: previous?.score, score: a.score, pointsFrom: previous?.points, points: state.points,
                                 policyName: policy.name)
        }
        return Outcome(state: state, change: change, alerts: alerts, scored: a)
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
