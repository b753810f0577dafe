@testable import ArlogDomain

// The oracle: arlog's fold as it was before the hot/cold redesign (commit 3018e59: Ledger.swift,
// Fold.swift, CreditScore.swift, RiskProjector.swift, Intake.swift), every type renamed so that
// it compiles beside the new code. A simple reference: one whole ledger per customer, invoices
// and payments by position, O(n) scans. It shares only the domain's value types (Event,
// EventDecoder, JSONParser, Money, Day, Timestamp, CreditPolicy, Rejection, Totals, ...).
// Keep it obviously correct rather than fast; do not "fix" it to agree with the new code.

/// One customer's state: the fold of that customer's events, in log order.
struct OracleLedger: Equatable {
    var profile: OracleProfile
    var totals = Totals()
    /// The level of the last dunning action in log order; 0 when none or after a reset.
    var dunningLevel = 0
    var invoices: [OracleInvoice] = []
    var payments: [OraclePayment] = []
    /// Events folded into this ledger.
    var eventCount = 0
    /// The latest `at` among them.
    var latestAt: Timestamp
    var invoiceIndex: [String: Int32] = [:]
    var paymentIndex: [String: Int32] = [:]
    /// v1.2: credit notes live in `payments` too (credit sources, in creation order).
    var creditNoteIndex: [String: Int32] = [:]
    /// Positions of invoices with an open amount.
    var openInvoices: Set<Int32> = []
    /// Feed v1.1 (OracleCollections.swift).
    var collections = OracleCollections()
    /// Feed v1.3: every assessment, in log order (OracleCredit.swift).
    var assessments: [OracleAssessment] = []

    init(profile: OracleProfile) {
        self.profile = profile
        self.latestAt = profile.registeredAt
    }

    static func == (a: OracleLedger, b: OracleLedger) -> Bool {
        a.profile == b.profile && a.totals == b.totals && a.dunningLevel == b.dunningLevel
            && a.invoices == b.invoices && a.payments == b.payments && a.eventCount == b.eventCount
            && a.latestAt == b.latestAt && a.collections == b.collections && a.assessments == b.assessments
    }

    var currency: Currency { profile.currency }

    func invoice(_ id: String) -> OracleInvoice? {
        invoiceIndex[id].map { invoices[Int($0)] }
    }

    func payment(_ id: String) -> OraclePayment? {
        paymentIndex[id].map { payments[Int($0)] }
    }

    /// Open installments in the contract's FIFO order: (due_on, issued_on, invoice id, index).
    func openInstallments() -> [(invoice: Int32, installment: Int32)] {
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
            if a.invoice != b.invoice { return x.id < y.id }  // ids are ASCII: String order is byte order
            return a.installment < b.installment
        }
        return refs
    }

    /// True when some installment with an open amount fell due before `day`.
    func hasOverdue(on day: Day) -> Bool {
        for i in openInvoices {
            for inst in invoices[Int(i)].installments where inst.open > 0 && inst.dueOn < day {
                return true
            }
        }
        return false
    }

    /// Open amounts by aging bucket on `day` (the old `LedgerSummary.aging`).
    func aging(on day: Day, edges: [Int]) -> [Int64] {
        var buckets = [Int64](repeating: 0, count: edges.count + 2)
        for i in openInvoices {
            for inst in invoices[Int(i)].installments where inst.open > 0 {
                buckets[Aging.bucket(daysPastDue: day.days(since: inst.dueOn), edges: edges)] += inst.open
            }
        }
        return buckets
    }

    var avgDaysLateHundredths: Int64? {
        Totals.avgDaysLateHundredths(weighted: totals.lateWeighted, amount: totals.lateAmount)
    }
}

struct OracleProfile: Equatable {
    var id: String
    var name: String
    var currency: Currency
    var termsDays: Int
    var creditLimit: Int64
    var industry: String?
    var contact: String?
    var email: String?
    var registeredOn: Day?
    var registeredAt: Timestamp
}

struct OracleInvoice: Equatable {
    let id: String
    let issuedOn: Day
    let issuedAt: Timestamp
    /// As issued.
    let amount: Int64
    /// In due order: (due_on, position in the list).
    var installments: [Installment]
    var voided = false
    var adjustedUp: Int64 = 0
    var credited: Int64 = 0
    var writtenOff: Int64 = 0
    var voidedAmount: Int64 = 0
    /// Payment allocations in force (unreversed).
    var paid: Int64 = 0
    /// v1.2: credit-note allocations.
    var creditNotes: Int64 = 0

    var open: Int64 { installments.reduce(0) { $0 + $1.open } }
}

struct OracleAllocation: Equatable {
    /// Position of the invoice in the ledger's `invoices`.
    let invoice: Int32
    let installment: Int32
    let amount: Int64
    /// received_on − installment due_on, in calendar days; negative when paid early.
    let daysBeyondTerms: Int32

    var daysLate: Int32 { max(0, daysBeyondTerms) }
}

struct OraclePayment: Equatable {
    let id: String
    let at: Timestamp
    let receivedOn: Day
    let amount: Int64
    var allocations: [OracleAllocation]
    var unapplied: Int64
    var reversed = false
    /// The UTC date of the reversal's `at`.
    var reversedOn: Day?
    /// v1.2: a standalone credit note (`receivedOn` is its issued_on).
    var creditNote = false
    /// v1.2: Σ refunds.
    var refunded: Int64 = 0
}
