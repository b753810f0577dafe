import ArlogDomain
import ArlogStorage

/// `arlog invoice`: the invoice's installments, what paid them, and every event naming it.
public struct InvoiceDetail: Sendable {
    /// An allocation in force and its credit source: a payment, or (feed v1.2) a credit note.
    public struct Payment: Sendable {
        /// The source's id: a payment's, or a credit note's (`creditNote`).
        public let payment: String
        /// received_on, or a credit note's issued_on.
        public let receivedOn: Day
        /// Installment index in due order (0-based).
        public let installment: Int
        public let amount: Int64
        /// 0 for a credit note's allocation (it counts in no one's days late).
        public let daysLate: Int
        public var creditNote = false
        /// The id of the `credit.applied` that made it (v1.2); nil when the payment or credit
        /// note made it when it was received or issued.
        public var appliedBy: String?
    }

    public let customer: String
    public let currency: Currency
    public let invoice: InvoiceState
    /// Allocations in force, in the order they were made.
    public let payments: [Payment]
    /// Every event naming the invoice (issue, adjustments, write-offs, void, dunning,
    /// payments allocating to it), in log order.
    public let events: [HistoryEntry]
    /// Its last dispute (feed v1.1), open or ended; nil when it was never disputed.
    public var dispute: InvoiceDispute? = nil
}

/// An event as history and statements show it: from the log record's header and binary
/// form (never its JSON), with the invoice or payment it names given by id.
public struct HistoryEvent: Sendable {
    public let id: String
    public let type: EventType
    public let at: Timestamp
    public let actor: String?
    public let note: String?
    /// The invoice the event names (issued, adjusted, voided, written off, dunning).
    public let invoiceReference: String?
    /// The payment the event names (received, reversed).
    public let paymentReference: String?
    /// issued_on or received_on, for descriptions.
    public let businessDay: Day?
    /// For `invoice.adjusted`: whether it is a credit note (negative).
    public let credit: Bool
}

/// One line of `arlog history`: the event as logged and the customer's figures before and
/// after it.
public struct HistoryEntry: Sendable {
    public let seq: UInt64
    public let event: HistoryEvent
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

    static func amountMoved(_ type: EventType, before: Totals, after: Totals) -> Int64? {
        switch type {
        case .invoiceIssued: after.invoiced - before.invoiced
        case .invoiceAdjusted: (after.invoiced - before.invoiced) - (after.credited - before.credited)
        case .invoiceWrittenOff: after.writtenOff - before.writtenOff
        case .invoiceVoided: after.voided - before.voided
        case .paymentReceived, .paymentReversed: after.paid - before.paid
        case .customerRegistered, .customerUpdated, .creditLimitChanged, .dunningAction, .creditPolicyChanged, .creditReviewed,
            .disputeOpened, .disputeResolved, .promiseRecorded, .collectionContact, .customerAssessed, .fxRate: nil
        // v1.2: the credit note's amount; the credit applied; the refund.
        case .creditNoteIssued: after.credited - before.credited
        case .creditApplied: before.unapplied - after.unapplied
        case .creditRefunded: after.refunded - before.refunded
        }
    }
}

/// One of a customer's log entries, copied out of the store for a replay in memory.
struct LoggedEntry {
    let seq: UInt64
    let id: String
    let recordedAtMicros: Int64
    let at: Timestamp
    let binary: [UInt8]
}

extension Store {
    /// The customer's log entries in log order, up to `through` (nil: all), with `at` ≤ asOf.
    func entries(_ txn: ReadTransaction, of customer: String, asOf: Timestamp? = nil, through: UInt64? = nil) throws -> [LoggedEntry] {
        var out: [LoggedEntry] = []
        try forEachEvent(txn, of: customer, through: through) { seq, at, _ in
            if let asOf, at > asOf { return true }
            out.append(try withRecord(txn, seq, of: customer) { view in
                LoggedEntry(seq: seq, id: view.id, recordedAtMicros: view.header.recordedAtMicros, at: view.header.at, binary: Array(view.binary))
            })
            return true
        }
        return out
    }

    /// The customer's events in log order, each with the figures before and after it (all
    /// events: history is the record as logged; `asOf` drops events whose `at` is later,
    /// `knownAt` those recorded later). Linear in the customer's events.
    public func history(_ customer: String, asOf: Timestamp? = nil, knownAt: KnownAt? = nil) throws -> (currency: Currency, entries: [HistoryEntry]) {
        try env.read { txn in try history(txn, customer, asOf: asOf, through: try knownSequence(txn, knownAt)).result }
    }

    /// `disputeOf`: the log position of an invoice whose last dispute the replay follows
    /// (`dispute` in the answer).
    func history(_ txn: ReadTransaction, _ customer: String, asOf: Timestamp?, through: UInt64? = nil, disputeOf: UInt64? = nil) throws
        -> (result: (currency: Currency, entries: [HistoryEntry]), ledger: CustomerLedger?, dispute: InvoiceDispute?)
    {
        guard try txn.contains(states, key: Array(customer.utf8)) else { throw notFound(customer) }
        var state: CustomerState?
        var cold = MemoryCold()
        var out: [HistoryEntry] = []
        var dispute: InvoiceDispute?
        for entry in try entries(txn, of: customer, asOf: asOf, through: through) {
            try entry.binary.withUnsafeBytes { bytes in
                let e: LoggedEvent
                do {
                    e = try LoggedEvent(bytes)
                } catch {
                    throw Store.corrupt(log, seq: entry.seq, error)
                }
                let day = e.at.utcDay
                let before = state?.totals ?? Totals()
                let dunningBefore = state?.dunningLevel ?? 0
                let overdueBefore = state?.overdue(sweepingTo: day) ?? 0
                let disputeOpenBefore = disputeOf.map { state?.dispute(ofInvoice: $0) != nil } ?? false
                try FoldStep.apply(e, seq: entry.seq, customer: customer, to: &state, cold: &cold)
                if let disputeOf, let s = state {
                    dispute = InvoiceDispute.follow(dispute, e, invoice: disputeOf, openBefore: disputeOpenBefore, state: s)
                }
                let after = state?.totals ?? Totals()
                let overdueAfter = state?.overdue(sweepingTo: day) ?? 0
                var amount: Int64?
                switch e.body {
                case .registered(_, _, let limit, _, _), .creditLimit(let limit): amount = limit  // the limit it set (docs/cli.md)
                default: amount = HistoryEntry.amountMoved(e.type, before: before, after: after)
                }
                out.append(HistoryEntry(seq: entry.seq, event: Store.historyEvent(e, id: entry.id, state: state, cold: cold), recordedAtMicros: entry.recordedAtMicros,
                                        amount: amount, balanceAfter: after.balance, openAfter: after.open, unappliedAfter: after.unapplied,
                                        dunningLevelAfter: state?.dunningLevel ?? 0, balanceBefore: before.balance, openBefore: before.open,
                                        unappliedBefore: before.unapplied, dunningLevelBefore: dunningBefore,
                                        overdueBefore: overdueBefore, overdueAfter: overdueAfter))
            }
        }
        guard let state else { throw notFound(customer) }
        if let p = try storedProfile(txn, customer), cold.profiles[customer] == nil { cold.profiles[customer] = p }
        if let disputeOf, dispute?.state == .open { dispute?.disputed = state.disputedAmount(ofInvoice: disputeOf) }
        return ((state.currency, out), Replay.view(customer: customer, state: state, cold: cold), dispute)
    }

    /// The event as history shows it, its invoice or payment named by id. `state` and `cold`:
    /// the customer after the event (an invoice still open is in the state, not a cold record).
    static func historyEvent(_ e: LoggedEvent, id: String, state: CustomerState?, cold: MemoryCold) -> HistoryEvent {
        func invoiceID(_ seq: UInt64) -> String? {
            if let s = state, let i = s.openInvoice(seq: seq) { return s.id(s.invoices[i]) }
            return cold.invoices[seq]?.id
        }
        var invoice: String?
        var payment: String?
        var day: Day?
        var credit = false
        switch e.body {
        case .invoiceIssued(let i, _, let issuedOn, _):
            invoice = i.utf8String
            day = issuedOn
        case .invoiceAdjusted(let seq, let a):
            invoice = invoiceID(seq)
            credit = a < 0
        case .invoiceVoided(let seq), .invoiceWrittenOff(let seq, _):
            invoice = invoiceID(seq)
        case .dunning(_, _, let seq), .promiseRecorded(_, _, let seq), .contact(_, _, let seq):
            invoice = seq.flatMap(invoiceID)
        case .disputeOpened(let seq, _, _), .disputeResolved(let seq, _):
            invoice = invoiceID(seq)
        case .paymentReceived(let p, _, let receivedOn, _):
            payment = p.utf8String
            day = receivedOn
        case .paymentReversed(let seq):
            payment = cold.payments[seq]?.id
        case .registered, .updated, .creditLimit, .policyChanged, .reviewed, .assessed, .fxRate:
            break
        case .creditNoteIssued(let n, _, let issuedOn, _, _):
            // v1.2: the credit source is given as the event's payment reference.
            payment = n.utf8String
            day = issuedOn
        case .creditApplied(let source, _, let seq, _):
            invoice = invoiceID(seq)
            payment = cold.payments[source]?.id
        case .creditRefunded(let source, _, _, let refundedOn):
            payment = cold.payments[source]?.id
            day = refundedOn
        }
        return HistoryEvent(id: id, type: e.type, at: e.at, actor: e.actor?.utf8String, note: e.note?.utf8String,
                            invoiceReference: invoice, paymentReference: payment, businessDay: day, credit: credit)
    }

    /// One read transaction, so the invoice, its ledger and its events are one state.
    public func invoice(_ id: String, asOf: Timestamp? = nil, knownAt: KnownAt? = nil) throws -> InvoiceDetail {
        try env.read { txn in
            let through = try knownSequence(txn, knownAt)
            guard let ref = try StoreReferences(store: self, txn: txn).invoice(id) else {
                throw EngineError(.notFound, "unknown invoice \"\(id)\": no invoice.issued for it in the store")
            }
            let (result, ledger, dispute) = try history(txn, ref.customer, asOf: asOf, through: through, disputeOf: ref.seq)
            guard let ledger, let invoice = ledger.invoice(seq: ref.seq) else {
                let known = through.map { " as known at sequence \($0)" } ?? ""
                throw EngineError(.notFound, "invoice \"\(id)\" was not issued as of \(asOf?.utcDay.description ?? "now")\(known)")
            }
            var payments: [InvoiceDetail.Payment] = []
            var paymentIDs = Set<String>()
            var eventIDs: [UInt64: String] = [:]
            for entry in result.entries { eventIDs[entry.seq] = entry.event.id }
            // Payments and credit notes (credit sources), each allocation with its source.
            for p in ledger.payments where p.allocations.contains(where: { $0.invoice == ref.seq }) {
                paymentIDs.insert(p.id)
                for a in p.allocations where a.invoice == ref.seq && !p.reversed {
                    var line = InvoiceDetail.Payment(payment: p.id, receivedOn: p.receivedOn, installment: Int(a.installment), amount: a.amount,
                                                     daysLate: Int(a.daysLate))
                    line.creditNote = p.creditNote
                    line.appliedBy = a.appliedSeq == 0 ? nil : eventIDs[a.appliedSeq]
                    payments.append(line)
                }
            }
            let events = result.entries.filter { entry in
                if entry.event.invoiceReference == id { return true }
                // Credit applied to another invoice, or refunded, does not touch this one.
                if entry.event.type == .creditApplied || entry.event.type == .creditRefunded { return false }
                if let p = entry.event.paymentReference { return paymentIDs.contains(p) }
                return false
            }
            return InvoiceDetail(customer: ref.customer, currency: ledger.currency, invoice: invoice, payments: payments, events: events,
                                 dispute: dispute)
        }
    }
}
