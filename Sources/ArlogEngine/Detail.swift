import ArlogDomain
import ArlogStorage

/// `arlog invoice`: the invoice's installments, what paid them, and every event naming it.
public struct InvoiceDetail: Sendable {
    public struct Payment: Sendable {
        public let payment: String
        public let receivedOn: Day
        /// Installment index in due order (0-based).
        public let installment: Int
        public let amount: Int64
        public let daysLate: Int
    }

    public let customer: String
    public let currency: Currency
    public let invoice: InvoiceState
    /// Allocations in force, in the order they were made.
    public let payments: [Payment]
    /// Every event naming the invoice (issue, adjustments, write-offs, void, dunning,
    /// payments allocating to it), in log order.
    public let events: [HistoryEntry]
}

/// One line of `arlog history`: the event as logged and the customer's figures before and
/// after it.
public struct HistoryEntry: Sendable {
    public let seq: UInt64
    public let event: Event
    public let recordedAtMicros: Int64
    /// The money the event moved, in minor units: the invoice amount, the adjustment
    /// (signed), what was written off or voided, the payment, the reversed payment (negative);
    /// for a registration or limit change, the credit limit it set. Nil for profile updates,
    /// dunning and log-wide events.
    public let amount: Int64?
    public let balanceAfter: Int64
    public let openAfter: Int64
    public let unappliedAfter: Int64
    public let dunningLevelAfter: Int
    /// The figures before the event (zero before the customer's first event).
    public let balanceBefore: Int64
    public let openBefore: Int64
    public let unappliedBefore: Int64
    public let dunningLevelBefore: Int
    /// Open amount of installments due before the event's UTC date (`at`), before and after it.
    public let overdueBefore: Int64
    public let overdueAfter: Int64

    /// What the event changed in the customer's figures (after − before).
    public var openChange: Int64 { openAfter - openBefore }
    public var unappliedChange: Int64 { unappliedAfter - unappliedBefore }
    public var balanceChange: Int64 { balanceAfter - balanceBefore }
    public var overdueChange: Int64 { overdueAfter - overdueBefore }
    public var dunningLevelChange: Int { dunningLevelAfter - dunningLevelBefore }

    /// Open amount of the ledger's installments due before `day`.
    static func overdue(_ ledger: CustomerLedger?, on day: Day) -> Int64 {
        guard let ledger else { return 0 }
        var total: Int64 = 0
        for ref in ledger.openInstallments() {
            let inst = ledger.invoices[Int(ref.invoice)].installments[Int(ref.installment)]
            if inst.dueOn < day { total += inst.open }
        }
        return total
    }

    static func amountMoved(_ type: EventType, before: Totals, after: Totals) -> Int64? {
        switch type {
        case .invoiceIssued: after.invoiced - before.invoiced
        case .invoiceAdjusted: (after.invoiced - before.invoiced) - (after.credited - before.credited)
        case .invoiceWrittenOff: after.writtenOff - before.writtenOff
        case .invoiceVoided: after.voided - before.voided
        case .paymentReceived, .paymentReversed: after.paid - before.paid
        case .customerRegistered, .customerUpdated, .creditLimitChanged, .dunningAction, .creditPolicyChanged, .creditReviewed: nil
        }
    }
}

extension Store {
    /// The customer's events in log order, each with the figures before and after it (all
    /// events: history is the record as logged; `asOf` drops events whose `at` is later,
    /// `knownAt` those recorded later).
    public func history(_ customer: String, asOf: Timestamp? = nil, knownAt: KnownAt? = nil) throws -> (currency: Currency, entries: [HistoryEntry]) {
        try env.read { txn in try history(txn, customer, asOf: asOf, through: try knownSequence(txn, knownAt)) }
    }

    func history(_ txn: ReadTransaction, _ customer: String, asOf: Timestamp?, through: UInt64? = nil) throws -> (currency: Currency, entries: [HistoryEntry]) {
        guard try txn.contains(ledgers, key: Array(customer.utf8)) else { throw notFound(customer) }
        var ledger: CustomerLedger?
        var entries: [HistoryEntry] = []
        try forEachEvent(txn, of: customer, through: through) { seq, record in
            if let asOf, record.at > asOf { return }
            let e = try record.checkedEvent(customer: customer)
            guard let r = try? Fold.resolve(e, ledger: ledger) else {
                throw EngineError.corrupt(database: "log", key: "sequence \(seq)", "logged event \(e.id) cannot be folded")
            }
            let day = e.at.utcDay
            let before = ledger?.totals ?? Totals()
            let dunningBefore = ledger?.dunningLevel ?? 0
            let overdueBefore = HistoryEntry.overdue(ledger, on: day)
            Fold.apply(r, to: &ledger)
            guard let folded = ledger else {
                throw EngineError.corrupt(database: "log", key: "sequence \(seq)", "logged event \(e.id) leaves customer \(customer) unregistered")
            }
            let after = folded.totals
            entries.append(HistoryEntry(seq: seq, event: e, recordedAtMicros: record.recordedAtMicros,
                                        // Limit events show the limit they set (docs/cli.md).
                                        amount: e.type == .customerRegistered || e.type == .creditLimitChanged
                                            ? r.amount : HistoryEntry.amountMoved(e.type, before: before, after: after),
                                        balanceAfter: after.balance, openAfter: after.open, unappliedAfter: after.unapplied,
                                        dunningLevelAfter: folded.dunningLevel,
                                        balanceBefore: before.balance, openBefore: before.open, unappliedBefore: before.unapplied,
                                        dunningLevelBefore: dunningBefore,
                                        overdueBefore: overdueBefore, overdueAfter: HistoryEntry.overdue(ledger, on: day)))
        }
        guard let ledger else { throw notFound(customer) }
        return (ledger.currency, entries)
    }

    /// One read transaction, so the invoice, its ledger and its events are one state.
    public func invoice(_ id: String, asOf: Timestamp? = nil, knownAt: KnownAt? = nil) throws -> InvoiceDetail {
        try env.read { txn in
            let through = try knownSequence(txn, knownAt)
            guard let owner = try txn.get(invoices, key: Array(id.utf8)) else {
                throw EngineError(.notFound, "unknown invoice \"\(id)\": no invoice.issued for it in the store")
            }
            guard !owner.isEmpty, owner.count <= FeedLimits.customerCharsMax else {
                throw Store.corrupt(invoices, key: id, "an owner of \(owner.count) bytes is not a customer id")
            }
            let customer = String(decoding: owner, as: UTF8.self)
            guard let ledger = try ledger(txn, customer, asOf: asOf, through: through), let invoice = ledger.invoice(id),
                let index = ledger.invoicePosition(id)
            else {
                let known = through.map { " as known at sequence \($0)" } ?? ""
                throw EngineError(.notFound, "invoice \"\(id)\" was not issued as of \(asOf?.utcDay.description ?? "now")\(known)")
            }
            var payments: [InvoiceDetail.Payment] = []
            var paymentIDs = Set<String>()
            for p in ledger.payments where p.allocations.contains(where: { $0.invoice == index }) {
                paymentIDs.insert(p.id)
                for a in p.allocations where a.invoice == index && !p.reversed {
                    payments.append(.init(payment: p.id, receivedOn: p.receivedOn, installment: Int(a.installment), amount: a.amount, daysLate: Int(a.daysLate)))
                }
            }
            let events = try history(txn, customer, asOf: asOf, through: through).entries.filter { entry in
                if entry.event.invoiceReference == id { return true }
                switch entry.event.body {
                case .paymentReceived(let p, _, _, _, _), .paymentReversed(let p): return paymentIDs.contains(p)
                default: return false
                }
            }
            return InvoiceDetail(customer: customer, currency: ledger.currency, invoice: invoice, payments: payments, events: events)
        }
    }
}
