/// The state of one customer: the fold of that customer's events, in log order.
///
/// No event touches two customers, so each ledger folds alone. That is what lets an as-of query
/// replay one customer, and what would let customers be sharded across machines.
public struct CustomerLedger: Sendable, Equatable {
    public var profile: CustomerProfile
    public var totals = Totals()
    /// The level of the last dunning action in log order; 0 when none or after a reset.
    public var dunningLevel = 0
    public var invoices: [InvoiceState] = []
    public var payments: [PaymentState] = []
    /// Events folded into this ledger.
    public var eventCount = 0
    /// The latest `at` among them: an as-of query for T ≥ latestAt is answered by this ledger
    /// without replaying the log.
    public var latestAt: Timestamp
    var invoiceIndex: [String: Int32] = [:]
    var paymentIndex: [String: Int32] = [:]
    /// Positions of invoices with an open amount: the candidates for FIFO allocation, aging and
    /// overdue checks, so that settled history is not scanned on every payment.
    var openInvoices: Set<Int32> = []
    /// Positions of invoices and payments the fold changed since `clearTouched()`: what a
    /// store must write back. Not part of the ledger's value (ignored by ==).
    public internal(set) var touchedInvoices: Set<Int32> = []
    public internal(set) var touchedPayments: Set<Int32> = []

    /// Called by a store once it has persisted the touched items.
    public mutating func clearTouched() {
        touchedInvoices.removeAll(keepingCapacity: true)
        touchedPayments.removeAll(keepingCapacity: true)
    }

    /// Invoices plus payments: the size of the ledger, for cache accounting.
    public var itemCount: Int { invoices.count + payments.count }

    public init(profile: CustomerProfile) {
        self.profile = profile
        self.latestAt = profile.registeredAt
    }

    public static func == (a: CustomerLedger, b: CustomerLedger) -> Bool {
        a.profile == b.profile && a.totals == b.totals && a.dunningLevel == b.dunningLevel
            && a.invoices == b.invoices && a.payments == b.payments && a.eventCount == b.eventCount
            && a.latestAt == b.latestAt
    }

    public var currency: Currency { profile.currency }

    public func invoice(_ id: String) -> InvoiceState? {
        invoiceIndex[id].map { invoices[Int($0)] }
    }

    /// Position of the invoice in `invoices` (what `Allocation.invoice` holds).
    public func invoicePosition(_ id: String) -> Int32? { invoiceIndex[id] }

    public func payment(_ id: String) -> PaymentState? {
        paymentIndex[id].map { payments[Int($0)] }
    }

    /// Rebuilds the derived indexes after decoding.
    mutating func reindex() {
        invoiceIndex = [:]
        paymentIndex = [:]
        openInvoices = []
        for (i, inv) in invoices.enumerated() {
            invoiceIndex[inv.id] = Int32(i)
            if inv.open > 0 { openInvoices.insert(Int32(i)) }
        }
        for (i, p) in payments.enumerated() { paymentIndex[p.id] = Int32(i) }
    }

    /// Open installments in the contract's FIFO order: (due_on, issued_on, invoice id, index).
    public func openInstallments() -> [(invoice: Int32, installment: Int32)] {
        var refs: [(invoice: Int32, installment: Int32)] = []
        for i in openInvoices {
            for (j, inst) in invoices[Int(i)].installments.enumerated() where inst.open > 0 {
                refs.append((i, Int32(j)))
            }
        }
        refs.sort { a, b in
            let x = invoices[Int(a.invoice)]
            let y = invoices[Int(b.invoice)]
            let dx = x.installments[Int(a.installment)].dueOn
            let dy = y.installments[Int(b.installment)].dueOn
            if dx != dy { return dx < dy }
            if x.issuedOn != y.issuedOn { return x.issuedOn < y.issuedOn }
            if a.invoice != b.invoice { return x.id.utf8.lexicographicallyPrecedes(y.id.utf8) }
            return a.installment < b.installment
        }
        return refs
    }

    /// True when some installment with an open amount fell due before `day`.
    public func hasOverdue(on day: Day) -> Bool {
        for i in openInvoices {
            for inst in invoices[Int(i)].installments where inst.open > 0 && inst.dueOn < day {
                return true
            }
        }
        return false
    }

    /// The summary the queries read (the head of the stored record).
    public var summary: LedgerSummary {
        var open: [(dueOn: Day, open: Int64)] = []
        for i in openInvoices.sorted() {
            for inst in invoices[Int(i)].installments where inst.open > 0 { open.append((inst.dueOn, inst.open)) }
        }
        return LedgerSummary(profile: profile, totals: totals, dunningLevel: dunningLevel, eventCount: eventCount, latestAt: latestAt,
                             openInstallments: open, invoiceCount: invoices.count, paymentCount: payments.count)
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
}

public struct InvoiceState: Sendable, Equatable {
    public let id: String
    public let issuedOn: Day
    public let issuedAt: Timestamp
    /// As issued.
    public let amount: Int64
    /// In due order: (due_on, position in the list).
    public var installments: [Installment]
    public var voided = false
    public var adjustedUp: Int64 = 0
    public var credited: Int64 = 0
    public var writtenOff: Int64 = 0
    public var voidedAmount: Int64 = 0
    /// Payment allocations in force (unreversed).
    public var paid: Int64 = 0

    public var open: Int64 { installments.reduce(0) { $0 + $1.open } }
}

public struct Allocation: Sendable, Equatable {
    public let invoice: Int32
    public let installment: Int32
    public let amount: Int64
    /// received_on − installment due_on, in calendar days; negative when paid early. Kept
    /// signed for the credit score (which rewards paying early) and stored with the
    /// allocation so that scoring need not look up the installment.
    public let daysBeyondTerms: Int32

    public init(invoice: Int32, installment: Int32, amount: Int64, daysBeyondTerms: Int32) {
        self.invoice = invoice
        self.installment = installment
        self.amount = amount
        self.daysBeyondTerms = daysBeyondTerms
    }

    /// max(0, days beyond terms): the contract's days late.
    public var daysLate: Int32 { max(0, daysBeyondTerms) }
}

public struct PaymentState: Sendable, Equatable {
    public let id: String
    public let at: Timestamp
    public let receivedOn: Day
    public let amount: Int64
    public var allocations: [Allocation]
    public var unapplied: Int64
    public var reversed = false
    /// The UTC date of the reversal's `at`.
    public var reversedOn: Day?
}
