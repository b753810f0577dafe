/// Feed v1.2, cash application: standalone credit notes (`credit_note.issued`), credit applied
/// from a credit source to an invoice (`credit.applied`) and refunds (`credit.refunded`).
///
/// A credit source is a payment or a credit note. Both keep a `PaymentState` cold record (a
/// credit note's has `creditNote` set and its `issued_on` as `receivedOn`): its allocations
/// (made when it arrived, or later by `credit.applied`, which carry that event's log
/// position), its refunds, and what is left unapplied. So a `payment.reversed` undoes a
/// payment's applied allocations like its own (they are in its list), and its refunds.
extension FoldStep {
    /// The money of a v1.2 event in the customer's currency: the first of the contract's
    /// checks, as for every event (`validate`'s resolution step).
    static func resolveCash(_ body: EventBody, currency: Currency) throws(Rejection) {
        switch body {
        case .creditNoteIssued(_, let amount, _, let noteCurrency, let allocations, _):
            if let noteCurrency, noteCurrency != currency {
                throw Rejection(.currencyMismatch, "credit note currency \(noteCurrency) differs from the customer's \(currency)")
            }
            for (i, a) in allocations.enumerated() { _ = try minor(a.amount, field: "allocations[\(i)].amount", currency: currency) }
            _ = try minor(amount, field: "amount", currency: currency)
        case .creditApplied(_, _, let amount), .creditRefunded(_, let amount, _):
            _ = try minor(amount, field: "amount", currency: currency)
        default:
            break
        }
    }

    /// The credit source an event names: of this customer, not reversed, recorded no later than
    /// the event's `at`. `record` reads a source's cold record by log position.
    static func creditSource(_ source: CreditSource, of e: Event, refs: some ReferenceLookup,
                             record: (UInt64) throws -> PaymentState?) throws -> PaymentState {
        let ref: Reference
        let what: String
        switch source {
        case .payment(let id):
            what = "payment \(id)"
            guard let r = try refs.payment(id) else { throw Rejection(.paymentUnknown, "payment \(id) is not in the log") }
            guard r.customer == e.customer else {
                throw Rejection(.paymentOtherCustomer, "payment \(id) belongs to customer \(r.customer), not \(e.customer)")
            }
            ref = r
        case .creditNote(let id):
            what = "credit note \(id)"
            guard let r = try refs.creditNote(id) else { throw Rejection(.creditNoteUnknown, "credit note \(id) is not in the log") }
            guard r.customer == e.customer else {
                throw Rejection(.creditNoteOtherCustomer, "credit note \(id) belongs to customer \(r.customer), not \(e.customer)")
            }
            ref = r
        }
        guard let p = try record(ref.seq) else { throw StoredDataError("\(what) (log position \(ref.seq)) has no record") }
        guard e.at >= p.at else {
            throw Rejection(.beforeReference, "\"at\" \(e.at) is before \(what) was recorded (\(p.at))")
        }
        guard !p.reversed else { throw Rejection(.sourceReversed, "\(what) was reversed: it holds no credit to apply or refund") }
        return p
    }

    /// Checks a v1.2 event against the customer's state (after `resolveCash` and the
    /// registration check) and writes its binary form's fields.
    static func validateCash(_ e: Event, state: CustomerState, refs: some ReferenceLookup, into w: inout LoggedEventWriter,
                             invoice: (String) throws -> InvoiceFacts, record: (UInt64) throws -> PaymentState?) throws {
        let currency = state.currency
        func fmt(_ m: Int64) -> String { Money.format(m, fractionDigits: currency.fractionDigits) }
        func sourceName(_ p: PaymentState) -> String { p.creditNote ? "credit note \(p.id)" : "payment \(p.id)" }
        func moves(_ p: PaymentState) throws(Rejection) {
            guard p.creditMoves < FeedLimits.creditMovesMax else {
                throw Rejection(.limit, "\(sourceName(p)) already has \(FeedLimits.creditMovesMax) credit.applied and credit.refunded events; at most \(FeedLimits.creditMovesMax) are accepted per credit source")
            }
        }
        switch e.body {
        case .creditNoteIssued(let id, let amount, let issuedOn, _, let allocations, let reason):
            if let ref = try refs.creditNote(id) {
                throw Rejection(.creditNoteExists, ref.customer == e.customer
                    ? "credit note \(id) is already in the log" : "credit note \(id) is already in the log (customer \(ref.customer))")
            }
            let total = try minor(amount, field: "amount", currency: currency)
            let (_, overflow) = state.totals.credited.addingReportingOverflow(total)
            guard !overflow else { throw Rejection(.totalsOverflow, "the customer's credited total would overflow") }
            // Explicit allocations as a payment's: to the same invoice they add up, each within
            // the invoice's open amount, together within the credit note.
            try FoldStep.writeAllocations(allocations, total: total, on: issuedOn, source: "credit note", currency: currency,
                                          invoice: invoice, into: &w)
            w.w.shortText(id)
            w.w.optionalText(reason)
        case .creditApplied(let source, let id, let amount):
            let p = try creditSource(source, of: e, refs: refs, record: record)
            let inv = try invoice(id)
            guard !inv.voided else { throw Rejection(.invoiceVoided, "invoice \(id) is voided and takes no allocation") }
            let a = try minor(amount, field: "amount", currency: currency)
            try moves(p)
            guard a <= p.unapplied else {
                throw Rejection(.exceedsUnapplied, "\(sourceName(p)) has \(fmt(p.unapplied)) of unapplied credit, less than \(fmt(a))")
            }
            guard a <= inv.open else {
                throw Rejection(.exceedsOpen, "credit of \(fmt(a)) exceeds the open amount \(fmt(inv.open)) of invoice \(id)")
            }
            w.w.u64(p.seq)
            w.w.u8(p.creditNote ? 1 : 0)
            w.w.u64(inv.seq)
            w.w.i64(a)
        case .creditRefunded(let source, let amount, let refundedOn):
            let p = try creditSource(source, of: e, refs: refs, record: record)
            guard refundedOn >= p.receivedOn else {
                throw Rejection(.refundBeforeSource, "\"refunded_on\" \(refundedOn) is before \(sourceName(p)) was \(p.creditNote ? "issued" : "received") (\(p.receivedOn))")
            }
            let a = try minor(amount, field: "amount", currency: currency)
            try moves(p)
            guard a <= p.unapplied else {
                throw Rejection(.exceedsUnapplied, "\(sourceName(p)) has \(fmt(p.unapplied)) of unapplied credit, less than the refund of \(fmt(a))")
            }
            w.w.u64(p.seq)
            w.w.u8(p.creditNote ? 1 : 0)
            w.w.i64(a)
            w.w.day(refundedOn)
        default:
            break
        }
    }

    /// Folds a v1.2 event. Total, like every fold step: in an as-of fold that left out
    /// later-dated events, what no longer fits is cut to what does (docs/feed.md). Returns
    /// whether the event is judged for the dunning reset (it reduced open amounts).
    static func applyCash(_ e: LoggedEvent, seq: UInt64, to s: inout CustomerState, cold: inout some ColdItems) throws -> Bool {
        switch e.body {
        case .creditNoteIssued(let id, let amount, let issuedOn, let explicit, _):
            var left = amount
            var allocations: [Allocation] = []
            for a in explicit {
                guard left > 0 else { break }
                guard let i = try hotInvoice(a.invoice, before: seq, in: &s, cold: &cold, reopen: false) else { continue }
                left -= try allocateCredit(&s, invoice: i, amount: min(a.amount, left), receivedOn: issuedOn, creditNote: true,
                                           appliedSeq: 0, into: &allocations, cold: &cold)
            }
            var slot = s.firstOpen
            while left > 0, slot < s.slots.count {
                if s.slots[slot].open > 0, let i = s.openInvoice(seq: s.slots[slot].invoiceSeq) {
                    left -= allocateCredit(&s, slot: slot, invoice: i, amount: left, receivedOn: issuedOn, creditNote: true,
                                           appliedSeq: 0, into: &allocations)
                    try closeIfSettled(&s, invoice: i, cold: &cold)
                }
                slot += 1
            }
            var record = PaymentState(seq: seq, id: id.utf8String, at: e.at, receivedOn: issuedOn, amount: amount,
                                      allocations: allocations, unapplied: left)
            record.creditNote = true
            try cold.put(record)
            s.totals.credited += amount
            s.totals.unapplied += left
            return true
        case .creditApplied(let source, _, let invoice, let amount):
            guard var p = try cold.payment(source), !p.reversed(before: seq),
                let i = try hotInvoice(invoice, before: seq, in: &s, cold: &cold, reopen: false)
            else { return true }
            var allocations: [Allocation] = []
            let taken = try allocateCredit(&s, invoice: i, amount: min(amount, p.unapplied), receivedOn: p.receivedOn,
                                           creditNote: p.creditNote, appliedSeq: seq, into: &allocations, cold: &cold)
            p.allocations.append(contentsOf: allocations)
            p.unapplied -= taken
            try cold.put(p)
            s.totals.unapplied -= taken
            if !p.creditNote, taken > 0 {
                var weighted: Int128 = 0
                for a in allocations { weighted += Int128(a.daysBeyondTerms) * Int128(a.amount) }
                s.addToPayment(seq: source, weighted: weighted, amount: taken)
                // Feed v1.1: credit applied from a payment logged after a promise naming the
                // invoice counts for it; customer-wide promises counted the payment whole.
                s.countForPromises(paymentSeq: source, receivedOn: p.receivedOn, whole: nil,
                                   allocations: allocations.lazy.map { (invoice: $0.invoice, amount: $0.amount) }, sign: 1)
            }
            return true
        case .creditRefunded(let source, _, let amount, let refundedOn):
            guard var p = try cold.payment(source), !p.reversed(before: seq) else { return false }
            let refund = min(amount, p.unapplied)
            guard refund > 0 else { return false }
            p.refunds.append(Refund(seq: seq, amount: refund, refundedOn: refundedOn))
            p.unapplied -= refund
            try cold.put(p)
            s.totals.unapplied -= refund
            s.totals.refunded += refund
            // A refund is no allocation and never resets the dunning level.
            return false
        default:
            return false
        }
    }

    /// Allocates up to `amount` of a credit source to an open invoice, earliest installment
    /// first; returns what was allocated.
    static func allocateCredit(_ s: inout CustomerState, invoice i: Int, amount: Int64, receivedOn: Day, creditNote: Bool,
                               appliedSeq: UInt64, into allocations: inout [Allocation], cold: inout some ColdItems) throws -> Int64 {
        var left = amount
        for k in 0..<Int(s.invoices[i].installmentCount) where left > 0 {
            guard let slot = s.slot(ofInvoice: i, installment: k) else { continue }
            left -= allocateCredit(&s, slot: slot, invoice: i, amount: left, receivedOn: receivedOn, creditNote: creditNote,
                                   appliedSeq: appliedSeq, into: &allocations)
        }
        try closeIfSettled(&s, invoice: i, cold: &cold)
        return amount - left
    }

    /// One installment's part. A payment's allocation counts in days late (with the payment's
    /// `received_on`) and in the invoice's payments in force; a credit note's in neither: it
    /// counts in the invoice's credit-note allocations, and its days beyond terms are 0.
    static func allocateCredit(_ s: inout CustomerState, slot: Int, invoice i: Int, amount: Int64, receivedOn: Day, creditNote: Bool,
                               appliedSeq: UInt64, into allocations: inout [Allocation]) -> Int64 {
        guard !creditNote else {
            let take = min(amount, s.slots[slot].open)
            guard take > 0 else { return 0 }
            s.changeOpen(slot: slot, invoice: i, by: -take)
            s.invoices[i].counters.creditNotes += take
            allocations.append(Allocation(invoice: s.invoices[i].seq, installment: Int32(s.slots[slot].index), amount: take,
                                          daysBeyondTerms: 0, appliedSeq: appliedSeq))
            return take
        }
        let before = allocations.count
        let take = allocate(&s, slot: slot, invoice: i, amount: amount, receivedOn: receivedOn, into: &allocations)
        if appliedSeq != 0, allocations.count > before, let a = allocations.popLast() {
            allocations.append(Allocation(invoice: a.invoice, installment: a.installment, amount: a.amount,
                                          daysBeyondTerms: a.daysBeyondTerms, appliedSeq: appliedSeq))
        }
        return take
    }
}
