/// Why an event was not accepted: a stable rule code (for machines and the rejects file) and a
/// sentence for people. Rules are checked in the contract's order: JSON, `id`, duplicate or
/// conflict, then everything else against the state of the accepted log.
public struct Rejection: Error, Equatable, Sendable, CustomStringConvertible {
    public let rule: Rule
    public let message: String

    public init(_ rule: Rule, _ message: String) {
        self.rule = rule
        self.message = message
    }

    public var description: String { "\(rule.rawValue): \(message)" }

    /// Stable rule codes. Documented in docs/feed.md; never renamed, only added to.
    public enum Rule: String, Sendable, CaseIterable {
        case lineTooLong = "line.too_long"
        case json = "json.syntax"
        case id = "envelope.id"
        case conflict = "id.conflict"
        case type = "envelope.type"
        case at = "envelope.at"
        case customer = "envelope.customer"
        case actor = "envelope.actor"
        case note = "envelope.note"
        case fieldMissing = "field.missing"
        case fieldType = "field.type"
        case fieldInvalid = "field.invalid"
        case fieldConflict = "field.conflict"
        case money = "money.format"
        case moneyPrecision = "money.precision"
        case moneyRange = "money.range"
        case moneySign = "money.sign"
        case currency = "currency.unknown"
        case currencyMismatch = "currency.mismatch"
        case unregistered = "customer.unregistered"
        case alreadyRegistered = "customer.already_registered"
        case beforeRegistration = "time.before_registration"
        case beforeReference = "time.before_reference"
        case invoiceExists = "invoice.exists"
        case invoiceUnknown = "invoice.unknown"
        case invoiceOtherCustomer = "invoice.other_customer"
        case invoiceVoided = "invoice.voided"
        case installments = "invoice.installments"
        case dueBeforeIssue = "invoice.due_before_issue"
        case exceedsOpen = "amount.exceeds_open"
        case nothingOpen = "invoice.nothing_open"
        case allocationsInForce = "void.allocations_in_force"
        case paymentExists = "payment.exists"
        case paymentUnknown = "payment.unknown"
        case paymentOtherCustomer = "payment.other_customer"
        case alreadyReversed = "payment.already_reversed"
        case allocationsExceedPayment = "allocation.exceeds_payment"
        case totalsOverflow = "amount.overflow"
        case limit = "limit.exceeded"
        /// credit_policy.changed: the policy document breaks a rule (docs/credit.md).
        case policy = "policy.invalid"
        /// credit_policy.changed: the name is already used by a different policy.
        case policyName = "policy.name_reused"
        /// With `--atomic`: a valid line not kept because another line of its file was rejected.
        case rolledBack = "atomic.rolled_back"
        /// dispute.opened: the invoice already has an open dispute (feed v1.1).
        case disputeOpen = "dispute.already_open"
        /// dispute.resolved: the invoice has no open dispute (feed v1.1).
        case disputeNotOpen = "dispute.not_open"
        /// promise.recorded: `promised_on` is before the UTC date of the event's `at` (feed v1.1).
        case promiseBeforeAt = "promise.before_at"
        // Feed v1.2 (cash application).
        case creditNoteExists = "credit_note.exists"
        case creditNoteUnknown = "credit_note.unknown"
        case creditNoteOtherCustomer = "credit_note.other_customer"
        /// credit.applied / credit.refunded naming a reversed payment.
        case sourceReversed = "credit.source_reversed"
        /// More than the source's unapplied credit applied or refunded.
        case exceedsUnapplied = "credit.exceeds_unapplied"
        /// `refunded_on` before the source's `received_on` / `issued_on`.
        case refundBeforeSource = "refund.before_source"
        // Feed v1.3 (external credit data and exchange rates).
        /// customer.assessed: `assessed_on` after the UTC date of the event's `at`.
        case assessedAfterAt = "assessment.after_at"
        /// customer.assessed: none of bureau_score, bureau_rating or a financial figure.
        case assessmentNoData = "assessment.no_data"
        /// fx.rate: `currency` and `base` are the same.
        case fxSameCurrency = "fx.same_currency"
    }
}
