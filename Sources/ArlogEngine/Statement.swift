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
    public let closing: LedgerSummary
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
        let openT = Timestamp.endOf(from.adding(days: -1))
        let closeT = Timestamp.endOf(to)
        var events: [(seq: UInt64, event: Event)] = []
        try env.read { txn in
            guard try txn.contains(ledgers, key: Array(customer.utf8)) else { throw notFound(customer) }
            try forEachEvent(txn, of: customer) { seq, record in
                if record.at <= closeT { events.append((seq, try record.checkedEvent(customer: customer))) }
            }
        }
        // Events counted so far, by index into `events` (log order).
        var counted = [Bool](repeating: false, count: events.count)
        var ledger: CustomerLedger?
        var lastCounted = -1
        var period: [Int] = []
        for (i, e) in events.enumerated() {
            if e.event.at <= openT {
                try Store.fold(e.event, seq: e.seq, into: &ledger)
                counted[i] = true
                lastCounted = i
            } else {
                period.append(i)
            }
        }
        let opening = ledger?.totals.balance ?? 0
        period.sort { (events[$0].event.at, $0) < (events[$1].event.at, $1) }
        var lines: [Statement.Line] = []
        for i in period {
            let before = ledger?.totals.balance ?? 0
            counted[i] = true
            if i > lastCounted {
                try Store.fold(events[i].event, seq: events[i].seq, into: &ledger)
                lastCounted = i
            } else {
                // Keyed in late: refold what is counted, in log order, as the as-of fold would.
                ledger = nil
                for j in events.indices where counted[j] { try Store.fold(events[j].event, seq: events[j].seq, into: &ledger) }
            }
            let after = ledger?.totals.balance ?? 0
            guard let line = Statement.line(events[i].seq, events[i].event, amount: after - before, balance: after) else { continue }
            lines.append(line)
        }
        guard let ledger else { throw notFound(customer) }
        let summary = ledger.summary
        var aging = AgingReport(asOf: to, edges: edges)
        aging.add(summary)
        return Statement(customer: customer, name: ledger.profile.name, currency: ledger.currency, from: from, to: to,
                         openingBalance: opening, lines: lines, closingBalance: summary.totals.balance,
                         closing: summary, aging: aging)
    }
}

extension Statement {
    /// The statement line of a money event; nil for events that move no money.
    static func line(_ seq: UInt64, _ e: Event, amount: Int64, balance: Int64) -> Line? {
        let kind: Kind
        let reference: String
        var description: String
        switch e.body {
        case .invoiceIssued(let invoice, _, let issuedOn, _, _):
            (kind, reference, description) = (.invoice, invoice, "invoice \(invoice) issued on \(issuedOn)")
        case .invoiceAdjusted(let invoice, let a):
            if a.negative {
                (kind, reference, description) = (.creditNote, invoice, "credit note on invoice \(invoice)")
            } else {
                (kind, reference, description) = (.adjustment, invoice, "adjustment of invoice \(invoice)")
            }
        case .invoiceVoided(let invoice):
            (kind, reference, description) = (.void, invoice, "invoice \(invoice) voided")
        case .invoiceWrittenOff(let invoice, _):
            (kind, reference, description) = (.writeOff, invoice, "write-off on invoice \(invoice)")
        case .paymentReceived(let payment, _, let receivedOn, _, _):
            (kind, reference, description) = (.payment, payment, "payment \(payment) received on \(receivedOn)")
        case .paymentReversed(let payment):
            (kind, reference, description) = (.reversal, payment, "payment \(payment) reversed")
        case .customerRegistered, .customerUpdated, .creditLimitChanged, .dunningAction, .creditPolicyChanged, .creditReviewed:
            return nil
        }
        if let note = e.note, !note.isEmpty { description += ": " + note }
        return Line(seq: seq, date: e.at.utcDay, at: e.at, kind: kind, eventType: e.type, reference: reference,
                    description: description, amount: amount, balance: balance)
    }
}
