import ArlogDomain
import ArlogStorage

/// `arlog statement`: one customer's statement of account for a period of days.
public struct Statement: Sendable {
    /// What a line is, for the reader of a statement.
    public enum Kind: String, Sendable {
        case invoice
        /// `invoice.adjusted` with a negative amount.
        case creditNote = "credit_note"
        /// `invoice.adjusted` with a positive amount.
        case adjustment
        case void
        case writeOff = "write_off"
        case payment
        case reversal
        /// `credit.applied` (v1.2): credit moved onto an invoice; the balance does not change.
        case creditApplied = "credit_applied"
        /// `credit.refunded` (v1.2): credit paid back (balance +).
        case refund
    }

    public struct Line: Sendable {
        public let seq: UInt64
        /// The UTC date of the event's `at`.
        public let date: Day
        public let at: Timestamp
        public let kind: Kind
        public let eventType: EventType
        /// The invoice or payment the event is about.
        public let reference: String
        public let description: String
        /// The change the event made to the balance (minor units; invoices +, credit notes,
        /// payments, write-offs and voids −, reversals +).
        public let amount: Int64
        /// The balance after this line.
        public let balance: Int64
    }

    public let customer: String
    public let name: String
    public let currency: Currency
    public let from: Day
    public let to: Day
    /// Balance as of the end of the day before `from` (0 when the customer was not registered yet).
    public let openingBalance: Int64
    /// In the order of `at` (ties in log order).
    public let lines: [Line]
    /// Balance as of the end of `to`: what `arlog balance --as-of TO` shows.
    public let closingBalance: Int64
    /// The customer's state as of the end of `to`.
    public let closing: CustomerState
    /// Aging as of `to`, of this customer only (empty when nothing is open or unapplied).
    public let aging: AgingReport
}

extension Store {
    /// The statement of `customer` from the start of `from` to the end of `to` (UTC days), in
    /// one read transaction.
    ///
    /// Opening and closing balances are the as-of folds `balance(customer, asOf:)` computes
    /// (events with `at` ≤ T, in log order). The lines are the period's money events in the
    /// order of `at` (ties in log order); each line's amount is the change in the balance of
    /// the fold when that event joins the events already counted. So opening + Σ amounts ==
    /// closing exactly, even when an event was keyed in late (its `at` earlier than events
    /// logged before it) and the fold allocates differently than a line-by-line sum would.
    public func statement(_ customer: String, from: Day, to: Day, edges: [Int] = Aging.defaultEdges) throws -> Statement {
        guard from <= to else { throw EngineError(.usage, "the statement period ends (\(to)) before it starts (\(from))") }
        let closeT = Timestamp.endOf(to)
        var events: [LoggedEntry] = []
        var name = ""
        try env.read { txn in
            guard try txn.contains(states, key: Array(customer.utf8)) else { throw notFound(customer) }
            events = try entries(txn, of: customer, asOf: closeT)
            name = try storedProfile(txn, customer)?.name ?? ""
        }
        return try Statement.build(customer: customer, name: name, from: from, to: to, edges: edges, events: events)
    }
}

extension Statement {
    static func build(customer: String, name: String, from: Day, to: Day, edges: [Int],
                      events: [LoggedEntry]) throws -> Statement {
        // Decoded in place each time it is folded (the binary form is a few dozen bytes).
        func fold(_ i: Int, _ state: inout CustomerState?, _ cold: inout MemoryCold) throws -> HistoryEvent {
            try events[i].binary.withUnsafeBytes { bytes in
                let e: LoggedEvent
                do {
                    e = try LoggedEvent(bytes)
                } catch {
                    throw EngineError.corrupt(database: "log", key: "log position \(events[i].seq)", "\(error)")
                }
                try FoldStep.apply(e, seq: events[i].seq, customer: customer, to: &state, cold: &cold)
                return Store.historyEvent(e, id: events[i].id, state: state, cold: cold)
            }
        }
        let openT = Timestamp.endOf(from.adding(days: -1))
        // Events counted so far, by index into `events` (log order).
        var counted = [Bool](repeating: false, count: events.count)
        var state: CustomerState?
        var cold = MemoryCold()
        var lastCounted = -1
        var period: [Int] = []
        for (i, e) in events.enumerated() {
            if e.at <= openT {
                _ = try fold(i, &state, &cold)
                counted[i] = true
                lastCounted = i
            } else {
                period.append(i)
            }
        }
        let opening = state?.totals.balance ?? 0
        period.sort { (events[$0].at, $0) < (events[$1].at, $1) }
        var lines: [Statement.Line] = []
        for i in period {
            let before = state?.totals.balance ?? 0
            counted[i] = true
            var shown: HistoryEvent?
            if i > lastCounted {
                shown = try fold(i, &state, &cold)
                lastCounted = i
            } else {
                // Keyed in late: refold what is counted, in log order, as the as-of fold would.
                state = nil
                cold = MemoryCold()
                for j in events.indices where counted[j] {
                    let h = try fold(j, &state, &cold)
                    if j == i { shown = h }
                }
            }
            let after = state?.totals.balance ?? 0
            guard let shown else { continue }
            guard let line = Statement.line(events[i].seq, shown, amount: after - before, balance: after) else { continue }
            lines.append(line)
        }
        guard let state else { throw EngineError(.notFound, "unknown customer \"\(customer)\": not registered by \(to)") }
        var aging = AgingReport(asOf: to, edges: edges)
        aging.add(customer: customer, state: state)
        return Statement(customer: customer, name: name, currency: state.currency, from: from, to: to,
                         openingBalance: opening, lines: lines, closingBalance: state.totals.balance,
                         closing: state, aging: aging)
    }
}

extension Statement {
    /// The statement line of a money event; nil for events that move no money.
    static func line(_ seq: UInt64, _ e: HistoryEvent, amount: Int64, balance: Int64) -> Line? {
        let kind: Kind
        let reference: String
        var description: String
        let invoice = e.invoiceReference ?? "?"
        let payment = e.paymentReference ?? "?"
        switch e.type {
        case .invoiceIssued:
            (kind, reference, description) = (.invoice, invoice, "invoice \(invoice) issued on \(e.businessDay?.description ?? "?")")
        case .invoiceAdjusted:
            if e.credit {
                (kind, reference, description) = (.creditNote, invoice, "credit note on invoice \(invoice)")
            } else {
                (kind, reference, description) = (.adjustment, invoice, "adjustment of invoice \(invoice)")
            }
        case .invoiceVoided:
            (kind, reference, description) = (.void, invoice, "invoice \(invoice) voided")
        case .invoiceWrittenOff:
            (kind, reference, description) = (.writeOff, invoice, "write-off on invoice \(invoice)")
        case .paymentReceived:
            (kind, reference, description) = (.payment, payment, "payment \(payment) received on \(e.businessDay?.description ?? "?")")
        case .paymentReversed:
            (kind, reference, description) = (.reversal, payment, "payment \(payment) reversed")
        case .customerRegistered, .customerUpdated, .creditLimitChanged, .dunningAction, .creditPolicyChanged, .creditReviewed,
            .disputeOpened, .disputeResolved, .promiseRecorded, .collectionContact, .customerAssessed, .fxRate:
            return nil
        case .creditNoteIssued:
            (kind, reference, description) = (.creditNote, payment, "credit note \(payment) issued on \(e.businessDay?.description ?? "?")")
        case .creditApplied:
            (kind, reference, description) = (.creditApplied, invoice, "credit of \(payment) applied to invoice \(invoice)")
        case .creditRefunded:
            (kind, reference, description) = (.refund, payment, "credit of \(payment) refunded on \(e.businessDay?.description ?? "?")")
        }
        if let note = e.note, !note.isEmpty { description += ": " + note }
        return Line(seq: seq, date: e.at.utcDay, at: e.at, kind: kind, eventType: e.type, reference: reference,
                    description: description, amount: amount, balance: balance)
    }
}
