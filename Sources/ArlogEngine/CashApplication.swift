import ArlogDomain
import ArlogStorage

/// One `credit.applied` that `arlog apply-credit` proposes: idle credit of one source onto one
/// overdue invoice.
public struct CreditApplication: Sendable, Equatable {
    public let customer: String
    public let currency: Currency
    /// The source's id; a credit note's when `creditNote`.
    public let source: String
    public let creditNote: Bool
    /// received_on or issued_on: sources are used oldest first.
    public let sourceDate: Day
    public let invoice: String
    /// The due date of the invoice's earliest installment the credit clears.
    public let dueOn: Day
    public let daysPastDue: Int
    public let amount: Int64
    /// The event's id: `apply-credit.<log head>.<customer>.<n>`.
    public let id: String
    /// Not before the `at` of the source or the invoice (the contract's reference rule).
    let notBefore: Timestamp
}

/// The cash-application plan of one customer (`CashApplicationPlanner.plan`).
public enum CashApplicationPlanner {
    /// Overdue installments on `day` (due before it, with something open), in the contract's
    /// FIFO order (past due first by construction: none is current), are cleared with the
    /// customer's idle credit, oldest source first (by received_on / issued_on, then log
    /// position). What one source gives one invoice is one `credit.applied`; since the
    /// contract consumes an invoice's installments in due order, those events clear exactly
    /// the overdue installments planned (an invoice's overdue installments precede its others).
    /// Installments not yet past due are left alone: credit stays idle until something is
    /// overdue, or is refunded.
    public static func plan(_ l: CustomerLedger, on day: Day, head: UInt64) -> [CreditApplication] {
        struct Target {
            let dueOn: Day
            let issuedOn: Day
            let invoice: InvoiceState
            let k: Int
            let open: Int64
        }
        var targets: [Target] = []
        for inv in l.invoices where !inv.voided {
            for (k, i) in inv.installments.enumerated() where i.open > 0 && i.dueOn < day {
                targets.append(Target(dueOn: i.dueOn, issuedOn: inv.issuedOn, invoice: inv, k: k, open: i.open))
            }
        }
        guard !targets.isEmpty else { return [] }
        targets.sort { a, b in
            if a.dueOn != b.dueOn { return a.dueOn < b.dueOn }
            if a.issuedOn != b.issuedOn { return a.issuedOn < b.issuedOn }
            if a.invoice.seq != b.invoice.seq { return a.invoice.id.utf8.lexicographicallyPrecedes(b.invoice.id.utf8) }
            return a.k < b.k
        }
        var sources = l.payments.filter { !$0.reversed && $0.unapplied > 0 }
        sources.sort { ($0.receivedOn, $0.seq) < ($1.receivedOn, $1.seq) }
        // (source, invoice) pairs in the order first met, with their amounts.
        var pairs: [(source: Int, target: Target, amount: Int64)] = []
        var s = 0
        var left = sources.first?.unapplied ?? 0
        for t in targets {
            var need = t.open
            while need > 0, s < sources.count {
                let take = min(need, left)
                if let p = pairs.firstIndex(where: { $0.source == s && $0.target.invoice.seq == t.invoice.seq }) {
                    pairs[p].amount += take
                } else {
                    pairs.append((s, t, take))
                }
                need -= take
                left -= take
                if left == 0 {
                    s += 1
                    left = s < sources.count ? sources[s].unapplied : 0
                }
            }
            if s == sources.count { break }
        }
        return pairs.enumerated().map { n, p in
            let src = sources[p.source]
            return CreditApplication(
                customer: l.profile.id, currency: l.currency, source: src.id, creditNote: src.creditNote, sourceDate: src.receivedOn,
                invoice: p.target.invoice.id, dueOn: p.target.dueOn, daysPastDue: day.days(since: p.target.dueOn), amount: p.amount,
                id: "apply-credit.\(head).\(l.profile.id).\(n + 1)", notBefore: max(src.at, p.target.invoice.issuedAt))
        }
    }
}

extension Store {
    /// `arlog apply-credit`: the plan of every customer (or of `customers`) with idle credit
    /// and something overdue on `day`, from the state as of its end (`asOf`; nil: every event).
    /// Customers in byte order, each one's events in the planner's order.
    public func creditApplicationPlan(customers named: [String]? = nil, asOf: Day? = nil, today: Day) throws -> [CreditApplication] {
        let day = asOf ?? today
        let t = asOf.map(Timestamp.endOf)
        return try env.read { txn in
            let head = try Store.u64(txn, meta, MetaKey.head)
            var plan: [CreditApplication] = []
            func add(_ customer: String) throws {
                guard let l = try ledger(txn, customer, asOf: t, through: nil) else { return }
                plan.append(contentsOf: CashApplicationPlanner.plan(l, on: day, head: head))
            }
            if let named {
                for c in named.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                    guard try state(txn, c, asOf: nil, through: nil) != nil else { throw notFound(c) }
                    try add(c)
                }
                return plan
            }
            // Only customers with idle credit and something overdue are folded whole.
            try forEachState(txn, asOf: t, through: nil, map: { _, s -> Bool? in
                s.totals.unapplied > 0 && s.hasOverdue(on: day) ? true : nil
            }) { customer, _ in
                try add(customer)
            }
            return plan
        }
    }

    /// Appends the plan's `credit.applied` events (actor `arlog-cash-application` unless
    /// given), at `at` or, for an event whose source or invoice is dated later, at that. All
    /// or nothing (one atomic batch); the ids make a plan appended twice a duplicate, and once
    /// applied the credit is no longer idle, so a second run plans nothing.
    public func applyCredit(_ plan: [CreditApplication], at: Timestamp, actor: String = CashApplicationDefaults.actor,
                            rejected: (RejectedLine) -> Void) throws -> IngestSummary {
        guard !plan.isEmpty else { return IngestSummary() }
        let lines = plan.map { OwnEvents.creditApplied($0, at: max(at, $0.notBefore), actor: actor) }
        return try append(lines: lines, source: "apply-credit", rejected: rejected)
    }

    /// `arlog refund`: one `credit.refunded` of `amount` (a decimal text, in the customer's
    /// currency) from `source`, checked and appended like any event (`rejected` hears why
    /// not). The id is `refund.<log head>.<customer>`.
    public func refund(customer: String, source: CreditSource, amount: String, refundedOn: Day, at: Timestamp, actor: String,
                       note: String?, rejected: (RejectedLine) -> Void) throws -> (id: String, summary: IngestSummary) {
        let id = "refund.\(try head()).\(customer)"
        let line = OwnEvents.creditRefunded(id: id, customer: customer, source: source, amount: amount, refundedOn: refundedOn, at: at,
                                            actor: actor, note: note)
        return (id, try append(lines: [line], source: "refund", rejected: rejected))
    }

    /// Which namespace a source id is in, for `arlog refund --source`: a payment, a credit
    /// note, or both (then the caller must say which).
    public func creditSourceKinds(_ id: String) throws -> (payment: Reference?, creditNote: Reference?) {
        try env.read { txn in
            let refs = StoreReferences(store: self, txn: txn)
            return (try refs.payment(id), try refs.creditNote(id))
        }
    }
}

public enum CashApplicationDefaults {
    /// The actor of the events `apply-credit` appends.
    public static let actor = "arlog-cash-application"
}

extension OwnEvents {
    static func money(_ m: Int64, _ c: Currency) -> String { Money.format(m, fractionDigits: c.fractionDigits) }

    public static func creditApplied(_ a: CreditApplication, at: Timestamp, actor: String) -> [UInt8] {
        var w = JSONWriter()
        envelope(&w, id: a.id, type: .creditApplied, at: at, customer: a.customer, actor: actor, note: nil)
        w.raw(a.creditNote ? ",\"credit_note\":" : ",\"payment\":")
        w.string(a.source)
        w.raw(",\"invoice\":")
        w.string(a.invoice)
        w.raw(",\"amount\":")
        w.string(money(a.amount, a.currency))
        w.raw("}")
        return w.bytes
    }

    public static func creditRefunded(id: String, customer: String, source: CreditSource, amount: String, refundedOn: Day, at: Timestamp,
                                      actor: String, note: String?) -> [UInt8] {
        var w = JSONWriter()
        envelope(&w, id: id, type: .creditRefunded, at: at, customer: customer, actor: actor, note: note)
        switch source {
        case .payment(let p):
            w.raw(",\"payment\":")
            w.string(p)
        case .creditNote(let n):
            w.raw(",\"credit_note\":")
            w.string(n)
        }
        w.raw(",\"amount\":")
        w.string(amount)
        w.raw(",\"refunded_on\":")
        w.string(refundedOn.description)
        w.raw("}")
        return w.bytes
    }
}
