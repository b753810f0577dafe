import ArlogDomain
import ArlogStorage

/// What became of an invoice (`arlog open --all` shows every installment with its invoice's).
public enum OpenItemState: String, Sendable, CaseIterable {
    /// Something of the invoice is still open.
    case open
    /// Nothing open: closed by payments alone, by credit notes alone, by write-offs alone, or
    /// by a mix of them (`settled`).
    case paid, credited
    case writtenOff = "written_off"
    case settled
    /// Voided (what was open left the books).
    case voided

    public static func of(_ i: InvoiceState) -> OpenItemState {
        if i.voided { return .voided }
        if i.open > 0 { return .open }
        switch (i.paid > 0, i.credited > 0, i.writtenOff > 0) {
        case (true, false, false): return .paid
        case (false, true, false): return .credited
        case (false, false, true): return .writtenOff
        default: return .settled
        }
    }
}

/// One installment of a customer's invoice, as `arlog open` lists it.
public struct OpenItem: Sendable, Equatable {
    public let invoice: String
    /// 1-based, in due order; `installments` of the invoice in all.
    public let installment: Int
    public let installments: Int
    public let issuedOn: Day
    public let dueOn: Day
    /// Scheduled (with positive adjustments) and still open, in minor units.
    public let amount: Int64
    public let open: Int64
    /// Days past due on the report day (0 when not yet due); nil for an installment with
    /// nothing open.
    public let daysOverdue: Int?
    /// The part of `open` under an open dispute (feed v1.1): the invoice's disputed amount,
    /// taken off its installments earliest due first (as the credit score does).
    public let disputed: Int64
    /// The dunning level its invoice stands at (feed v1.1: the level of the last
    /// `dunning.action` naming or covering it); nil for one with nothing open.
    public let dunningLevel: Int?
    public let state: OpenItemState
}

/// The facts about an open invoice kept in the hot state (feed v1.1): its disputed amount and
/// its dunning level (`OpenItemFacts.of`).
public struct OpenItemFacts: Sendable, Equatable {
    public var disputed: Int64 = 0
    public var dunningLevel: Int

    public init(disputed: Int64 = 0, dunningLevel: Int) {
        self.disputed = disputed
        self.dunningLevel = dunningLevel
    }

    /// An invoice's facts from the customer's hot state: nothing disputed and level 0 for an
    /// invoice that is not open there.
    public static func of(_ invoice: InvoiceState, in state: CustomerState) -> OpenItemFacts {
        let level = state.openInvoice(seq: invoice.seq).map { Int(state.invoices[$0].dunningLevel) } ?? 0
        return OpenItemFacts(disputed: state.disputedAmount(ofInvoice: invoice.seq), dunningLevel: level)
    }
}

/// `arlog open C`: a customer's open installments (with `all`, every installment) on a day.
public struct OpenItemsReport: Sendable, Equatable {
    public let customer: String
    public let name: String
    public let currency: Currency
    public let asOf: Day
    public let all: Bool
    /// In the contract's FIFO order: due date, issue date, invoice id, installment.
    public var items: [OpenItem] = []

    /// Sums over the items (each at most the customer's open total, which fits Int64).
    public var open: Int64 { items.reduce(0) { $0 + $1.open } }
    public var overdue: Int64 { items.reduce(0) { $0 + (($1.daysOverdue ?? 0) > 0 ? $1.open : 0) } }
    public var disputed: Int64 { items.reduce(0) { $0 + $1.disputed } }

    /// The report from a customer's ledger on `day`; `facts` gives an invoice's disputed amount
    /// and dunning level (by default from the ledger's hot state: `OpenItemFacts.of`).
    public static func from(_ ledger: CustomerLedger, on day: Day, all: Bool,
                            facts: ((InvoiceState) -> OpenItemFacts)? = nil) -> OpenItemsReport {
        var report = OpenItemsReport(customer: ledger.profile.id, name: ledger.profile.name, currency: ledger.currency, asOf: day, all: all)
        for inv in ledger.invoices {
            let state = OpenItemState.of(inv)
            guard all || state == .open else { continue }
            let f = facts?(inv) ?? OpenItemFacts.of(inv, in: ledger.state)
            // The disputed amount goes on the open installments earliest due first (in due order).
            var disputedLeft = max(0, f.disputed)
            for (k, inst) in inv.installments.enumerated() {
                let open = state == .voided ? 0 : inst.open
                guard all || open > 0 else { continue }
                let live = open > 0
                let disputed = live ? min(disputedLeft, open) : 0
                disputedLeft -= disputed
                report.items.append(
                    OpenItem(invoice: inv.id, installment: k + 1, installments: inv.installments.count, issuedOn: inv.issuedOn,
                             dueOn: inst.dueOn, amount: inst.amount, open: open,
                             daysOverdue: live ? max(0, day.days(since: inst.dueOn)) : nil,
                             disputed: disputed,
                             dunningLevel: live ? f.dunningLevel : nil, state: state))
            }
        }
        report.items.sort { a, b in
            if a.dueOn != b.dueOn { return a.dueOn < b.dueOn }
            if a.issuedOn != b.issuedOn { return a.issuedOn < b.issuedOn }
            if a.invoice != b.invoice { return a.invoice.utf8.lexicographicallyPrecedes(b.invoice.utf8) }
            return a.installment < b.installment
        }
        return report
    }
}

extension Store {
    /// `arlog open C`: the customer's open installments as of the end of `asOf` (nil: every
    /// event, days counted on `today`), known at `knownAt`; `all` adds the settled and voided
    /// ones. Folds the customer from its first event (`ledger`), as `invoice` does.
    public func openItems(_ customer: String, asOf: Day?, today: Day, all: Bool = false, knownAt: KnownAt? = nil) throws -> OpenItemsReport {
        let ledger = try ledger(customer, asOf: asOf.map(Timestamp.endOf), knownAt: knownAt)
        return OpenItemsReport.from(ledger, on: asOf ?? today, all: all)
    }
}
