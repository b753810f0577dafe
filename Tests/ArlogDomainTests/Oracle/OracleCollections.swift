@testable import ArlogDomain

// The oracle's feed v1.1 (disputes and promises), written apart from the engine's and as
// plainly as the contract reads: promises are judged afresh on each date from the whole list
// of payments (no running counts), disputes are kept by invoice id.

struct OracleDispute: Equatable {
    var amount: Int64
    var openedAt: Timestamp
}

struct OraclePromise: Equatable {
    /// Payments logged before the promise: the ones that count are at or after this position.
    let paymentsBefore: Int
    let at: Timestamp
    let amount: Int64
    let promisedOn: Day
    let invoice: String?
    var superseded = false
}

/// The oracle's v1.1 state of one customer (kept beside `OracleLedger`, by customer).
struct OracleCollections: Equatable {
    /// Open disputes, by invoice id.
    var disputes: [String: OracleDispute] = [:]
    var promises: [OraclePromise] = []
    /// The dunning level of open invoices, by invoice id (absent: 0).
    var invoiceDunning: [String: Int] = [:]
    /// arlog's collection.contact: the latest by `at`.
    var lastContact: LastContact?

    /// What counts for a promise: the payments logged after it, received by its date, not
    /// reversed; their whole amount, or with an invoice what they allocated to it.
    func counted(_ p: OraclePromise, _ l: OracleLedger) -> Int64 {
        var sum: Int64 = 0
        for k in l.payments.indices where k >= p.paymentsBefore {
            let pay = l.payments[k]
            // Credit notes (kept among the payments, feed v1.2) never count.
            guard !pay.reversed, !pay.creditNote, pay.receivedOn <= p.promisedOn else { continue }
            if let id = p.invoice {
                for a in pay.allocations where l.invoices[Int(a.invoice)].id == id { sum += a.amount }
            } else {
                sum += pay.amount
            }
        }
        return sum
    }

    func status(_ p: OraclePromise, _ l: OracleLedger, on day: Day) -> PromiseStatus {
        if p.superseded { return .superseded }
        if counted(p, l) >= p.amount { return .kept }
        return day > p.promisedOn ? .broken : .pending
    }

    func figures(_ l: OracleLedger, on day: Day) -> (kept: Int, broken: Int, pending: OraclePromise?) {
        var kept = 0
        var broken = 0
        var pending: OraclePromise?
        for p in promises {
            switch status(p, l, on: day) {
            case .kept: kept += 1
            case .broken: broken += 1
            case .pending: pending = p
            case .superseded: break
            }
        }
        return (kept, broken, pending)
    }

    func disputed(_ l: OracleLedger) -> Int64 {
        var sum: Int64 = 0
        for (id, d) in disputes { sum += min(d.amount, l.invoice(id)?.open ?? 0) }
        return sum
    }

    /// Open invoice ids with their levels (only levels > 0), for comparing.
    func levels(_ l: OracleLedger) -> [String: Int] {
        invoiceDunning.filter { (l.invoice($0.key)?.open ?? 0) > 0 && $0.value > 0 }
    }
}

extension OracleFold {
    /// v1.1's validation (after the envelope, registration and reference rules the caller
    /// ran): nil when it accepts.
    static func validateCollections(_ e: Event, ledger l: OracleLedger, collections c: OracleCollections,
                                    invoice: (String) throws -> OracleInvoice) throws {
        let digits = l.currency.fractionDigits
        func fmt(_ m: Int64) -> String { Money.format(m, fractionDigits: digits) }
        switch e.body {
        case .disputeOpened(let id, let amount, _):
            let inv = try invoice(id)
            guard !inv.voided else { throw Rejection(.invoiceVoided, "invoice \(id) is voided and cannot be disputed") }
            if let d = c.disputes[id] {
                throw Rejection(.disputeOpen, "invoice \(id) already has an open dispute (opened at \(d.openedAt)); resolve it first")
            }
            if let amount {
                let a = try minor(amount, field: "amount", currency: l.currency)
                if inv.open == 0 { throw Rejection(.nothingOpen, "invoice \(id) has nothing open; a dispute of \(fmt(a)) exceeds it") }
                if a > inv.open { throw Rejection(.exceedsOpen, "dispute of \(fmt(a)) exceeds the open amount \(fmt(inv.open)) of invoice \(id)") }
            }
        case .disputeResolved(let id, _):
            _ = try invoice(id)
            guard let d = c.disputes[id] else { throw Rejection(.disputeNotOpen, "invoice \(id) has no open dispute to resolve") }
            guard e.at >= d.openedAt else {
                throw Rejection(.beforeReference, "\"at\" \(e.at) is before the dispute of invoice \(id) was opened (\(d.openedAt))")
            }
        case .promiseRecorded(_, _, let id):
            if let id { _ = try invoice(id) }
        default:
            break
        }
    }

    /// v1.1's fold, after `apply` folded the event into the ledger (`before`: the ledger
    /// before it).
    static func applyCollections(_ r: OracleResolvedEvent, before: OracleLedger, after l: OracleLedger, to c: inout OracleCollections) {
        let e = r.event
        switch e.body {
        case .disputeOpened(let id, _, _):
            c.disputes[id] = OracleDispute(amount: r.amount ?? (l.invoice(id)?.open ?? 0), openedAt: e.at)
        case .disputeResolved(let id, _):
            c.disputes[id] = nil
        case .invoiceVoided(let id):
            c.disputes[id] = nil
        case .invoiceWrittenOff(let id, _):
            if (l.invoice(id)?.open ?? 0) == 0 { c.disputes[id] = nil }
        case .promiseRecorded(_, let promisedOn, let id):
            let day = e.at.utcDay
            for k in c.promises.indices where c.status(c.promises[k], l, on: day) == .pending { c.promises[k].superseded = true }
            c.promises.append(OraclePromise(paymentsBefore: l.payments.count, at: e.at, amount: r.amount!, promisedOn: promisedOn, invoice: id))
        case .collectionContact(let outcome, _, _):
            if c.lastContact == nil || e.at >= c.lastContact!.at { c.lastContact = LastContact(at: e.at, outcome: outcome) }
        case .dunningAction(let level, _, let id):
            if let id {
                if (l.invoice(id)?.open ?? 0) > 0 { c.invoiceDunning[id] = level }
            } else {
                let day = e.at.utcDay
                for i in l.openInvoices where l.invoices[Int(i)].installments.contains(where: { $0.open > 0 && $0.dueOn < day }) {
                    c.invoiceDunning[l.invoices[Int(i)].id] = level
                }
            }
        default:
            break
        }
        // An invoice that left (nothing open) loses its level; a customer reset clears all.
        for (id, _) in c.invoiceDunning where (l.invoice(id)?.open ?? 0) == 0 { c.invoiceDunning[id] = nil }
        if before.dunningLevel != 0, l.dunningLevel == 0 { c.invoiceDunning = [:] }
    }
}
