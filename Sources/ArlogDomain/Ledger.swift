/// One customer's whole ledger: its hot state with every invoice and payment it ever had, in
/// creation order. A view for the queries that show items (`arlog invoice`, statements, the
/// credit file) and for tests; folds work on `CustomerState` and cold records instead.
public struct CustomerLedger: Sendable, Equatable {
    public var profile: CustomerProfile
    public var state: CustomerState
    /// Every invoice, in creation (log) order; an open one as it stands in the hot state.
    public var invoices: [InvoiceState]
    /// Every payment, in creation (log) order.
    public var payments: [PaymentState]

    public init(profile: CustomerProfile, state: CustomerState, invoices: [InvoiceState], payments: [PaymentState]) {
        self.profile = profile
        self.state = state
        self.invoices = invoices
        self.payments = payments
    }

    public var totals: Totals { state.totals }
    public var dunningLevel: Int { state.dunningLevel }
    public var eventCount: Int { state.eventCount }
    public var latestAt: Timestamp { state.latestAt }
    public var currency: Currency { state.currency }

    public func invoice(_ id: String) -> InvoiceState? { invoices.first { $0.id == id } }
    public func invoice(seq: UInt64) -> InvoiceState? { invoices.first { $0.seq == seq } }
    public func payment(_ id: String) -> PaymentState? { payments.first { $0.id == id } }

    /// Builds the view from the hot state and the cold records of the customer's items
    /// (`cold`: every item of the customer that left the hot state, by its log position; an
    /// invoice still open is taken from the hot state).
    public static func assemble(profile: CustomerProfile, state: CustomerState,
                                invoices cold: [InvoiceState], payments: [PaymentState]) -> CustomerLedger {
        var invoices = cold.filter { state.openInvoice(seq: $0.seq) == nil }
        for i in state.invoices.indices { invoices.append(state.invoiceState(i)) }
        invoices.sort { $0.seq < $1.seq }
        return CustomerLedger(profile: profile, state: state, invoices: invoices, payments: payments)
    }
}

extension CustomerState {
    /// The open invoice at `i` as a full `InvoiceState`.
    public func invoiceState(_ i: Int) -> InvoiceState {
        let inv = invoices[i]
        var installments: [Installment] = []
        installments.reserveCapacity(Int(inv.installmentCount))
        for k in 0..<Int(inv.installmentCount) {
            if let s = slot(ofInvoice: i, installment: k) {
                installments.append(Installment(dueOn: slots[s].dueOn, amount: slots[s].amount, open: slots[s].open))
            }
        }
        var r = InvoiceState(seq: inv.seq, id: id(inv), issuedOn: inv.issuedOn, issuedAt: inv.issuedAt, amount: inv.amount, installments: installments)
        inv.counters.write(to: &r)
        return r
    }
}

public enum Aging {
    public static let defaultEdges = [30, 60, 90]

    public static func bucket(daysPastDue: Int, edges: [Int]) -> Int {
        if daysPastDue <= 0 { return 0 }
        for (i, edge) in edges.enumerated() where daysPastDue <= edge { return i + 1 }
        return edges.count + 1
    }

    /// Bucket names for edges e1 < … < ek: current, 1-e1, (e1+1)-e2, …, (ek+1)+.
    public static func names(edges: [Int]) -> [String] {
        var names = ["current"]
        var low = 1
        for edge in edges {
            names.append("\(low)-\(edge)")
            low = edge + 1
        }
        names.append("\(low)+")
        return names
    }
}

/// A customer's profile as the queries show it: its texts (a cold record, `ProfileText`) with
/// the figures of its hot state.
public struct CustomerProfile: Sendable, Equatable {
    public var id: String
    public var name: String
    public var currency: Currency
    public var termsDays: Int
    public var creditLimit: Int64
    public var industry: String?
    public var contact: String?
    public var email: String?
    public var registeredOn: Day?
    public var registeredAt: Timestamp

    public init(id: String, text: ProfileText, state: CustomerState) {
        self.id = id
        name = text.name
        industry = text.industry
        contact = text.contact
        email = text.email
        currency = state.currency
        termsDays = state.termsDays
        creditLimit = state.creditLimit
        registeredOn = state.registeredOn
        registeredAt = state.registeredAt
    }
}

/// The texts of a customer's profile: kept apart from the hot state (the fold never reads
/// them), written by registrations and updates.
public struct ProfileText: Sendable, Equatable {
    public var name: String
    public var industry: String?
    public var contact: String?
    public var email: String?

    public init(name: String, industry: String? = nil, contact: String? = nil, email: String? = nil) {
        self.name = name
        self.industry = industry
        self.contact = contact
        self.email = email
    }
}

/// The money figures of the contract, in minor units of the customer's currency.
public struct Totals: Sendable, Equatable {
    public var open: Int64 = 0
    public var unapplied: Int64 = 0
    public var invoiced: Int64 = 0
    public var credited: Int64 = 0
    public var paid: Int64 = 0
    public var writtenOff: Int64 = 0
    public var voided: Int64 = 0
    /// Σ days late × amount over allocations in force (Int128: days × amounts can pass Int64).
    public var lateWeighted: Int128 = 0
    /// Σ amount over allocations in force.
    public var lateAmount: Int64 = 0
    /// Refunds (`credit.refunded`, v1.2) of sources not reversed.
    public var refunded: Int64 = 0

    public init() {}

    public var balance: Int64 { open - unapplied }

    /// Amount-weighted mean days late in hundredths, rounded half up; nil when no amount.
    /// The contract's rule, shared by customer figures and portfolio statistics.
    public static func avgDaysLateHundredths(weighted: Int128, amount: Int64) -> Int64? {
        avgDaysLateHundredths(weighted: weighted, amount: Int128(amount))
    }

    /// The same over a portfolio, whose amounts together may pass Int64. Each allocation's
    /// days late is below the span of representable dates (a decoded ledger is checked for
    /// it), so the mean, in hundredths, fits Int64; it is clamped all the same.
    public static func avgDaysLateHundredths(weighted: Int128, amount: Int128) -> Int64? {
        guard amount > 0 else { return nil }
        let (scaled, o1) = weighted.multipliedReportingOverflow(by: 200)
        let (numerator, o2) = scaled.addingReportingOverflow(amount)
        guard !o1, !o2 else {
            // Far past any real figure (Int128 holds 10^38): whole days, then hundredths.
            let (h, o) = Int64(clamping: weighted / amount).multipliedReportingOverflow(by: 100)
            return o ? (weighted < 0 ? Int64.min : Int64.max) : h
        }
        return Int64(clamping: numerator / (amount * 2))
    }
}

public struct Installment: Sendable, Equatable {
    public var dueOn: Day
    /// Scheduled amount, including positive adjustments.
    public var amount: Int64
    public var open: Int64

    public init(dueOn: Day, amount: Int64, open: Int64) {
        self.dueOn = dueOn
        self.amount = amount
        self.open = open
    }
}

/// An invoice's cold record: its creation data and its figures as they stood when it last
/// left the hot state (or was changed while out of it). Keyed by `seq`, the log position of
/// its `invoice.issued`.
public struct InvoiceState: Sendable, Equatable {
    public let seq: UInt64
    public let id: String
    public let issuedOn: Day
    public let issuedAt: Timestamp
    /// As issued.
    public let amount: Int64
    /// In due order: (due_on, position in the list).
    public var installments: [Installment]
    /// The log position of its `invoice.voided` (0: not voided). A fold at an earlier position
    /// (an as-of replay) does not see it voided.
    public var voidedSeq: UInt64 = 0
    public var adjustedUp: Int64 = 0
    public var credited: Int64 = 0
    public var writtenOff: Int64 = 0
    public var voidedAmount: Int64 = 0
    /// Payment allocations in force (unreversed).
    public var paid: Int64 = 0
    /// Credit-note allocations (v1.2), in force for good: a credit note is never reversed.
    public var creditNotes: Int64 = 0

    public init(seq: UInt64, id: String, issuedOn: Day, issuedAt: Timestamp, amount: Int64, installments: [Installment]) {
        self.seq = seq
        self.id = id
        self.issuedOn = issuedOn
        self.issuedAt = issuedAt
        self.amount = amount
        self.installments = installments
    }

    public var voided: Bool {
        get { voidedSeq != 0 }
        set { if !newValue { voidedSeq = 0 } }
    }

    /// Voided by an event before log position `seq`.
    public func voided(before seq: UInt64) -> Bool { voidedSeq != 0 && voidedSeq < seq }

    public var open: Int64 { installments.reduce(0) { $0 + $1.open } }
}

public struct Allocation: Sendable, Equatable {
    /// The invoice's log position (`InvoiceState.seq`).
    public let invoice: UInt64
    public let installment: Int32
    public let amount: Int64
    /// received_on − installment due_on, in calendar days; negative when paid early. Kept
    /// signed for the credit score (which rewards paying early).
    public let daysBeyondTerms: Int32
    /// The log position of the `credit.applied` that made it (v1.2); 0: made by the payment or
    /// credit note itself when it was received or issued.
    public let appliedSeq: UInt64

    public init(invoice: UInt64, installment: Int32, amount: Int64, daysBeyondTerms: Int32, appliedSeq: UInt64 = 0) {
        self.invoice = invoice
        self.installment = installment
        self.amount = amount
        self.daysBeyondTerms = daysBeyondTerms
        self.appliedSeq = appliedSeq
    }

    /// max(0, days beyond terms): the contract's days late.
    public var daysLate: Int32 { max(0, daysBeyondTerms) }
}

/// A refund of a credit source (`credit.refunded`, v1.2).
public struct Refund: Sendable, Equatable {
    /// The log position of the `credit.refunded`.
    public let seq: UInt64
    public let amount: Int64
    public let refundedOn: Day

    public init(seq: UInt64, amount: Int64, refundedOn: Day) {
        self.seq = seq
        self.amount = amount
        self.refundedOn = refundedOn
    }
}

/// A credit source's cold record, keyed by `seq`, the log position of its `payment.received`
/// or (v1.2, `creditNote`) `credit_note.issued`. Its amount is its allocations (made when it
/// was received or issued, or later by `credit.applied`), plus its refunds, plus what is left
/// unapplied.
public struct PaymentState: Sendable, Equatable {
    public let seq: UInt64
    public let id: String
    public let at: Timestamp
    public let receivedOn: Day
    public let amount: Int64
    public var allocations: [Allocation]
    public var unapplied: Int64
    /// The log position of its `payment.reversed` (0: not reversed).
    public var reversedSeq: UInt64 = 0
    /// The UTC date of the reversal's `at`.
    public var reversedOn: Day?
    /// A standalone credit note (v1.2): `id` is the credit note's, `receivedOn` its
    /// `issued_on`. Never reversed; its allocations count in no one's days late.
    public var creditNote = false
    /// Its refunds, in log order.
    public var refunds: [Refund] = []

    /// Σ its refunds.
    public var refunded: Int64 { refunds.reduce(0) { $0 + $1.amount } }
    /// `credit.applied` and `credit.refunded` events that named it (`FeedLimits.creditMovesMax`).
    public var creditMoves: Int {
        var applied = Set<UInt64>()
        for a in allocations where a.appliedSeq != 0 { applied.insert(a.appliedSeq) }
        return applied.count + refunds.count
    }

    public init(seq: UInt64, id: String, at: Timestamp, receivedOn: Day, amount: Int64, allocations: [Allocation], unapplied: Int64) {
        self.seq = seq
        self.id = id
        self.at = at
        self.receivedOn = receivedOn
        self.amount = amount
        self.allocations = allocations
        self.unapplied = unapplied
    }

    public var reversed: Bool { reversedSeq != 0 }

    /// Reversed by an event before log position `seq`.
    public func reversed(before seq: UInt64) -> Bool { reversedSeq != 0 && reversedSeq < seq }
}
