/// Feed v1.1's disputes (`dispute.opened`, `dispute.resolved`): what the hot state keeps of
/// them and the figures read from it. docs/feed.md, "Disputes and promises".
///
/// A dispute's amount is fixed when it is opened (the explicit `amount`, or what was open on
/// the invoice then). While it is open the invoice's disputed amount is the smaller of that
/// amount and what is open on the invoice when asked, so payments and credit notes lower it
/// and a later positive adjustment raises it again, never above the dispute's amount. A
/// dispute ends with `dispute.resolved`, a void, or a write-off after which nothing is open
/// on the invoice; a payment that leaves nothing open does not end it.

/// An open dispute of one invoice.
public struct OpenDispute: Sendable, Equatable {
    /// The log position of the disputed invoice's `invoice.issued`.
    public var invoiceSeq: UInt64
    /// The log position of the `dispute.opened`.
    public var seq: UInt64
    /// The opening's `at`: a resolution dated earlier is rejected.
    public var openedAt: Timestamp
    /// Fixed at opening.
    public var amount: Int64

    public init(invoiceSeq: UInt64, seq: UInt64, openedAt: Timestamp, amount: Int64) {
        self.invoiceSeq = invoiceSeq
        self.seq = seq
        self.openedAt = openedAt
        self.amount = amount
    }
}

/// Where a dispute stands (the `invoice` view shows it).
public enum DisputeState: String, Sendable, Equatable {
    case open
    /// Resolved with outcome `upheld`.
    case upheld
    /// Resolved with outcome `rejected`.
    case rejected
    /// Ended by a void, or by a write-off after which nothing is open on the invoice.
    case closed
}

extension CustomerState {
    /// The index in `disputes` (sorted by invoice) of the open dispute of the invoice created
    /// at `invoiceSeq`.
    public func dispute(ofInvoice invoiceSeq: UInt64) -> Int? {
        let at = disputeInsertionPoint(invoiceSeq)
        return at < disputes.count && disputes[at].invoiceSeq == invoiceSeq ? at : nil
    }

    func disputeInsertionPoint(_ invoiceSeq: UInt64) -> Int {
        var lo = 0
        var hi = disputes.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if disputes[mid].invoiceSeq < invoiceSeq { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// What is open on the invoice created at `invoiceSeq`: an invoice with something open is
    /// in the hot state, so any other has 0.
    public func openAmount(ofInvoice invoiceSeq: UInt64) -> Int64 {
        openInvoice(seq: invoiceSeq).map { invoices[$0].open } ?? 0
    }

    /// The disputed amount of an open dispute: min(its amount, what is open on the invoice).
    public func disputedAmount(_ d: OpenDispute) -> Int64 {
        min(d.amount, openAmount(ofInvoice: d.invoiceSeq))
    }

    /// The disputed amount of the invoice created at `invoiceSeq` (0 without an open dispute).
    public func disputedAmount(ofInvoice invoiceSeq: UInt64) -> Int64 {
        dispute(ofInvoice: invoiceSeq).map { disputedAmount(disputes[$0]) } ?? 0
    }

    /// The customer's `disputed` figure: the sum of its invoices' disputed amounts. Each is at
    /// most what is open on its invoice, so the sum is at most `totals.open`.
    public var disputed: Int64 {
        // Summed wide: a decoded state bounds each invoice's open amount, not their sum, so
        // damaged records that slipped past the checks saturate here rather than trap.
        var sum: Int128 = 0
        for d in disputes { sum += Int128(disputedAmount(d)) }
        return Int64(clamping: sum)
    }

    /// Opens a dispute (a fold of `dispute.opened`). In an as-of fold that left out the
    /// resolution of an earlier dispute of the same invoice, the later opening replaces it.
    mutating func openDispute(_ d: OpenDispute) {
        let at = disputeInsertionPoint(d.invoiceSeq)
        if at < disputes.count, disputes[at].invoiceSeq == d.invoiceSeq {
            disputes[at] = d
        } else {
            disputes.insert(d, at: at)
        }
    }

    /// Ends the open dispute of the invoice, if any; returns whether there was one.
    @discardableResult
    mutating func endDispute(ofInvoice invoiceSeq: UInt64) -> Bool {
        guard let i = dispute(ofInvoice: invoiceSeq) else { return false }
        disputes.remove(at: i)
        return true
    }

    /// What `brokenInvariants` checks of the disputes.
    func disputeInvariants(_ broken: inout [String]) {
        for i in disputes.indices {
            if i > 0, disputes[i - 1].invoiceSeq >= disputes[i].invoiceSeq { broken.append("disputes out of order at \(i)") }
            if disputes[i].amount < 0 { broken.append("dispute \(i) has a negative amount") }
        }
    }
}

/// An invoice's last dispute as the `invoice` view shows it: its amount as fixed at opening,
/// what it disputes now (0 once ended), its reason, when it was opened and where it stands.
public struct InvoiceDispute: Sendable, Equatable {
    public var amount: Int64
    public var disputed: Int64
    public var reason: String?
    public var openedAt: Timestamp
    public var state: DisputeState

    public init(amount: Int64, disputed: Int64, reason: String?, openedAt: Timestamp, state: DisputeState) {
        self.amount = amount
        self.disputed = disputed
        self.reason = reason
        self.openedAt = openedAt
        self.state = state
    }

    /// The invoice's last dispute after a replay folded `e` (`openBefore`: whether the invoice
    /// had an open dispute before it; `state`: the customer after it).
    public static func follow(_ last: InvoiceDispute?, _ e: LoggedEvent, invoice: UInt64, openBefore: Bool,
                              state: CustomerState) -> InvoiceDispute? {
        let open = state.dispute(ofInvoice: invoice)
        if case .disputeOpened(let seq, _, let reason) = e.body, seq == invoice, let i = open {
            let d = state.disputes[i]
            return InvoiceDispute(amount: d.amount, disputed: state.disputedAmount(d), reason: reason?.utf8String,
                                  openedAt: d.openedAt, state: .open)
        }
        guard var last, openBefore, open == nil else { return last }
        if case .disputeResolved(let seq, let outcome) = e.body, seq == invoice {
            last.state = outcome == .upheld ? .upheld : .rejected
        } else {
            last.state = .closed
        }
        last.disputed = 0
        return last
    }
}
