/// What the dunning planner knows of one customer: a small, plain input that any state can
/// fill (the engine fills it from the store; tests write it by hand). Nothing here is a
/// timer: the planner recomputes every action from these facts and the date at every run.
public struct DunningFacts: Sendable, Equatable {
    public var customer: String
    public var name: String
    public var email: String
    public var contact: String
    public var currency: Currency
    /// The customer's `dunning_level` (the contract's projection); shown, not used to plan.
    public var dunningLevel: Int
    /// The customer's open invoices (those with an open installment), any order.
    public var invoices: [DunningInvoiceFacts]
    /// A pending promise to pay (spec v1.1): the whole customer, or one invoice, is left out
    /// of dunning while it is pending. Nil: none.
    public var promise: DunningPromise?

    public init(customer: String, name: String = "", email: String = "", contact: String = "", currency: Currency,
                dunningLevel: Int = 0, invoices: [DunningInvoiceFacts], promise: DunningPromise? = nil) {
        self.customer = customer
        self.name = name
        self.email = email
        self.contact = contact
        self.currency = currency
        self.dunningLevel = dunningLevel
        self.invoices = invoices
        self.promise = promise
    }
}

/// A pending promise to pay.
public enum DunningPromise: Sendable, Equatable {
    /// A promise of the customer as a whole: no action for any of its invoices.
    case customer
    /// A promise naming one invoice: no action for that invoice.
    case invoice(String)
}

/// One open invoice of a customer.
public struct DunningInvoiceFacts: Sendable, Equatable {
    public var invoice: String
    /// Its open installments (open amount > 0), any order.
    public var installments: [DunningInstallmentFacts]
    /// The highest dunning level already sent naming this invoice; 0 when none. Planning
    /// never sends a level at or below it again.
    public var lastLevelSent: Int
    /// The day (UTC date of its `at`) the last level was sent; nil when none (or unknown).
    /// The next level waits at least the ladder's gap between the two levels after it.
    public var lastSentOn: Day?
    /// Disputed (spec v1.1: an open dispute): left out of dunning while it is.
    public var disputed: Bool
    /// Named by a pending promise to pay (spec v1.1): left out of dunning while it is. (The
    /// customer's promise, `DunningFacts.promise`, says the same of one invoice; this flag
    /// covers the rare second pending promise a reversal can leave: docs/feed.md.)
    public var promised: Bool
    /// A fee invoice the ladder issued itself: dunned like any invoice, but never charged a
    /// fee or interest (no fees on fees, no interest on interest).
    public var isFee: Bool

    public init(invoice: String, installments: [DunningInstallmentFacts], lastLevelSent: Int = 0, lastSentOn: Day? = nil,
                disputed: Bool = false, promised: Bool = false, isFee: Bool = false) {
        self.invoice = invoice
        self.installments = installments
        self.lastLevelSent = lastLevelSent
        self.lastSentOn = lastSentOn
        self.disputed = disputed
        self.promised = promised
        self.isFee = isFee
    }
}

/// One open installment.
public struct DunningInstallmentFacts: Sendable, Equatable {
    /// Its position in the invoice's due order (0-based, as the store keeps it).
    public var index: Int
    public var dueOn: Day
    /// Minor units of the customer's currency, > 0.
    public var open: Int64

    public init(index: Int, dueOn: Day, open: Int64) {
        self.index = index
        self.dueOn = dueOn
        self.open = open
    }
}
