/// Feed v1.1's promises to pay (`promise.recorded`): what the hot state keeps of them and how
/// each is judged on a date D. docs/feed.md, "Disputes and promises".
///
/// Kept, broken and pending are judged afresh for each D (never latched): the payments of the
/// customer logged after the promise, with `received_on` ≤ `promised_on` and not reversed,
/// count with their whole amount (with `invoice`: only what they allocated to that invoice);
/// kept when the count reaches the amount, otherwise broken when D > `promised_on`, else
/// pending. The fold keeps each promise's count up to date (`countForPromises`), so judging is
/// a comparison. A promise still pending on the UTC date of a newer promise's `at` is
/// superseded for good.

/// One promise to pay of the customer.
public struct PaymentPromise: Sendable, Equatable {
    /// The log position of its `promise.recorded`.
    public var seq: UInt64
    /// Its `at`.
    public var at: Timestamp
    public var amount: Int64
    public var promisedOn: Day
    /// The log position of the invoice it names (0: none).
    public var invoiceSeq: UInt64
    /// The id of that invoice (nil: none).
    public var invoice: String?
    /// What counts for it so far, in the fold: see the type's comment. At most the customer's
    /// paid total.
    public var counted: Int64 = 0
    /// Pending on the UTC date of a later promise's `at`: neither kept nor broken, for good.
    public var superseded = false

    public init(seq: UInt64, at: Timestamp, amount: Int64, promisedOn: Day, invoiceSeq: UInt64, invoice: String?) {
        self.seq = seq
        self.at = at
        self.amount = amount
        self.promisedOn = promisedOn
        self.invoiceSeq = invoiceSeq
        self.invoice = invoice
    }

    /// The promise judged on `day`.
    public func status(on day: Day) -> PromiseStatus {
        if superseded { return .superseded }
        if counted >= amount { return .kept }
        return day > promisedOn ? .broken : .pending
    }
}

public enum PromiseStatus: String, Sendable, Equatable {
    case pending, kept, broken, superseded
}

/// A customer's promises judged on one date: the balance object's `promises_kept`,
/// `promises_broken` and `promise`.
public struct PromiseFigures: Sendable, Equatable {
    public var kept = 0
    public var broken = 0
    /// The pending promise (the latest in log order, should a reversal leave more than one
    /// pending); nil when none.
    public var pending: PaymentPromise?

    public init() {}
}

extension CustomerState {
    /// The customer's promises judged on `day` (without --as-of, today's UTC date).
    public func promiseFigures(on day: Day) -> PromiseFigures {
        var f = PromiseFigures()
        for p in promises {
            switch p.status(on: day) {
            case .kept: f.kept += 1
            case .broken: f.broken += 1
            case .pending: f.pending = p
            case .superseded: break
            }
        }
        return f
    }

    /// The customer's pending promise on `day`, if any (for dunning: while it is pending the
    /// customer, or with `invoice` that invoice, is left out).
    public func pendingPromise(on day: Day) -> PaymentPromise? { promiseFigures(on: day).pending }

    /// Records a promise (a fold of `promise.recorded`): every earlier promise still pending
    /// on the UTC date of its `at` is superseded for good.
    mutating func recordPromise(_ p: PaymentPromise) {
        let day = p.at.utcDay
        for i in promises.indices where promises[i].status(on: day) == .pending {
            promises[i].superseded = true
        }
        promises.append(p)
    }

    /// The allocations of one payment that count for promises, added (`sign` 1) when the
    /// payment is folded or taken back (`sign` −1) when it is reversed: for each promise
    /// logged before the payment (`paymentSeq`) whose `promised_on` is on or after the
    /// payment's `received_on`, the payment's whole amount (`whole`) when the promise names no
    /// invoice, else what `allocations` put on that invoice.
    ///
    /// Feed v1.2 plugs in here: a `credit.applied` from a payment counts for the promises
    /// naming its invoice with `whole` nil (the payment's amount already counted for the
    /// customer-wide ones when it was received), and the reversal of such an application
    /// with `sign` −1. Superseded promises are kept counted too, so that every count stays
    /// within the paid total (a check on stored states).
    mutating func countForPromises(paymentSeq: UInt64, receivedOn: Day, whole: Int64?,
                                   allocations: some Collection<(invoice: UInt64, amount: Int64)>, sign: Int64) {
        guard !promises.isEmpty else { return }
        for i in promises.indices where promises[i].seq < paymentSeq && receivedOn <= promises[i].promisedOn {
            var add: Int64 = 0
            if promises[i].invoiceSeq == 0 {
                add = whole ?? 0
            } else {
                for a in allocations where a.invoice == promises[i].invoiceSeq { add += a.amount }
            }
            promises[i].counted += sign * add
        }
    }

    /// What `brokenInvariants` checks of the promises.
    func promiseInvariants(_ broken: inout [String]) {
        for i in promises.indices {
            if i > 0, promises[i - 1].seq >= promises[i].seq { broken.append("promises out of log order at \(i)") }
            if promises[i].counted < 0 || promises[i].counted > totals.paid {
                broken.append("promise \(i) counts \(promises[i].counted), outside 0…paid \(totals.paid)")
            }
            if (promises[i].invoiceSeq == 0) != (promises[i].invoice == nil) { broken.append("promise \(i) names its invoice by half") }
        }
    }
}

/// The latest `collection.contact` of a customer (arlog's extension, docs/feed.md).
public struct LastContact: Sendable, Equatable {
    public var at: Timestamp
    public var outcome: ContactOutcome

    public init(at: Timestamp, outcome: ContactOutcome) {
        self.at = at
        self.outcome = outcome
    }
}

/// What the dunning planner reads of one open invoice (feed v1.1: a disputed invoice is left
/// out of dunning while its dispute is open).
public struct CollectionItem: Sendable, Equatable {
    /// The log position of its `invoice.issued`.
    public let invoiceSeq: UInt64
    public let invoice: String
    public let open: Int64
    /// min(the dispute's amount, open) while a dispute is open; else 0.
    public let disputed: Int64
    /// Whether the invoice has an open dispute (which may dispute 0).
    public let disputeOpen: Bool
    /// The level of the last `dunning.action` naming it (or, naming no invoice, covering it:
    /// docs/feed.md); 0 when none or after the customer's dunning reset.
    public let dunningLevel: Int
}

extension CustomerState {
    /// Per open invoice, in log order: its disputed amount, whether its dispute is open and
    /// its last dunning level. With `promise(on:)`/`pendingPromise(on:)`, what a dunning
    /// ladder needs of a customer state (the stored one, or an as-of state).
    public var collectionItems: [CollectionItem] {
        var out: [CollectionItem] = []
        out.reserveCapacity(invoices.count)
        for inv in invoices {
            let d = dispute(ofInvoice: inv.seq)
            out.append(CollectionItem(invoiceSeq: inv.seq, invoice: id(inv), open: inv.open,
                                      disputed: d.map { disputedAmount(disputes[$0]) } ?? 0, disputeOpen: d != nil,
                                      dunningLevel: Int(inv.dunningLevel)))
        }
        return out
    }

    /// Sets the dunning level of the invoices a `dunning.action` covers: the one it names (if
    /// open), or, naming none, every open invoice with an installment open past its due date
    /// on `day` (the action's UTC date), the ones a customer-wide reminder is about.
    mutating func setInvoiceDunning(level: Int, invoice: UInt64?, on day: Day) {
        let l = UInt8(clamping: level)
        if let invoice {
            if let i = openInvoice(seq: invoice) { invoices[i].dunningLevel = l }
            return
        }
        var s = firstOpen
        while s < slots.count, slots[s].dueOn < day {
            if slots[s].open > 0, let i = openInvoice(seq: slots[s].invoiceSeq) { invoices[i].dunningLevel = l }
            s += 1
        }
    }

    /// The customer's dunning reset also resets its invoices' levels (nothing is past due).
    mutating func resetInvoiceDunning() {
        for i in invoices.indices where invoices[i].dunningLevel != 0 { invoices[i].dunningLevel = 0 }
    }
}
