import Testing

@testable import ArlogDomain

// Terse builders for feed lines and a small harness around `InMemoryLog`, shared by the domain
// tests. Event bodies are written as raw JSON member lists so that every test shows exactly the
// bytes the engine sees.

/// One feed line: the envelope plus `body` (JSON members without braces, e.g. `"invoice":"I1"`).
func eventLine(_ id: String, _ type: String, _ customer: String = "C", at: String = "2025-01-01T12:00:00Z", _ body: String = "") -> String {
    "{\"id\":\"\(id)\",\"type\":\"\(type)\",\"at\":\"\(at)\",\"customer\":\"\(customer)\"\(body.isEmpty ? "" : "," + body)}"
}

/// `YYYY-MM-DD` → noon UTC of that date, the default `at` of the builders.
func noon(_ day: String) -> String { "\(day)T12:00:00Z" }

func q(_ s: String) -> String { "\"\(s)\"" }

extension IntakeOutcome {
    var rule: Rejection.Rule? {
        if case .rejected(let r, _) = self { return r.rule }
        return nil
    }

    var rejectedID: String? {
        if case .rejected(_, let id) = self { return id }
        return nil
    }

    var isAccepted: Bool {
        if case .accepted = self { return true }
        return false
    }

    var isDuplicate: Bool {
        if case .duplicate = self { return true }
        return false
    }

    var summary: String {
        switch self {
        case .accepted(let id): "accepted \(id)"
        case .duplicate(let id): "duplicate \(id)"
        case .rejected(let r, let id): "rejected \(id ?? "-"): \(r)"
        }
    }
}

/// Records an issue unless the outcome is `.accepted`.
func expectAccepted(_ o: IntakeOutcome, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(o.isAccepted, "\(o.summary)", sourceLocation: sourceLocation)
}

/// Records an issue unless the outcome is a rejection with `rule`.
func expectRejected(_ o: IntakeOutcome, _ rule: Rejection.Rule, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(o.rule == rule, "\(o.summary)", sourceLocation: sourceLocation)
}

/// A log under test with builders for each event type. Ids are generated (`e1`, `e2`, …)
/// unless given; `at` defaults to noon UTC of the event's business date (or of `on`).
struct Book {
    var log = InMemoryLog()
    var counter = 0

    mutating func nextID() -> String {
        counter += 1
        return "e\(counter)"
    }

    /// Feeds one raw line and returns its single outcome.
    @discardableResult
    mutating func raw(_ line: String) -> IntakeOutcome {
        do {
            return try Intake.process(line: Array(line.utf8), into: &log)
        } catch {
            Issue.record("storage error: \(error)")
            return .rejected(Rejection(.json, "test harness: \(error)"), id: nil)
        }
    }

    @discardableResult
    mutating func event(_ type: String, _ customer: String = "C", id: String? = nil, at: String, _ body: String = "") -> IntakeOutcome {
        raw(eventLine(id ?? nextID(), type, customer, at: at, body))
    }

    @discardableResult
    mutating func register(_ customer: String = "C", currency: String = "EUR", terms: Int = 30, limit: String = "0", on: String = "2025-01-01", at: String? = nil, id: String? = nil) -> IntakeOutcome {
        event("customer.registered", customer, id: id, at: at ?? noon(on),
              "\"name\":\"Name of \(customer)\",\"currency\":\"\(currency)\",\"terms_days\":\(terms),\"credit_limit\":\"\(limit)\"")
    }

    @discardableResult
    mutating func invoice(_ invoice: String, _ amount: String, issued: String = "2025-01-01", due: String? = nil, installments: [(due: String, amount: String)]? = nil, currency: String? = nil, customer: String = "C", at: String? = nil, id: String? = nil) -> IntakeOutcome {
        var body = "\"invoice\":\"\(invoice)\",\"amount\":\"\(amount)\",\"issued_on\":\"\(issued)\""
        if let due { body += ",\"due_on\":\"\(due)\"" }
        if let installments {
            body += ",\"installments\":[" + installments.map { "{\"due_on\":\"\($0.due)\",\"amount\":\"\($0.amount)\"}" }.joined(separator: ",") + "]"
        }
        if let currency { body += ",\"currency\":\"\(currency)\"" }
        return event("invoice.issued", customer, id: id, at: at ?? noon(issued), body)
    }

    @discardableResult
    mutating func pay(_ payment: String, _ amount: String, received: String, allocations: [(invoice: String, amount: String)] = [], currency: String? = nil, customer: String = "C", at: String? = nil, id: String? = nil) -> IntakeOutcome {
        var body = "\"payment\":\"\(payment)\",\"amount\":\"\(amount)\",\"received_on\":\"\(received)\""
        if let currency { body += ",\"currency\":\"\(currency)\"" }
        if !allocations.isEmpty {
            body += ",\"allocations\":[" + allocations.map { "{\"invoice\":\"\($0.invoice)\",\"amount\":\"\($0.amount)\"}" }.joined(separator: ",") + "]"
        }
        return event("payment.received", customer, id: id, at: at ?? noon(received), body)
    }

    @discardableResult
    mutating func reverse(_ payment: String, on: String, customer: String = "C", at: String? = nil) -> IntakeOutcome {
        event("payment.reversed", customer, at: at ?? noon(on), "\"payment\":\"\(payment)\"")
    }

    @discardableResult
    mutating func adjust(_ invoice: String, _ amount: String, on: String, customer: String = "C", at: String? = nil) -> IntakeOutcome {
        event("invoice.adjusted", customer, at: at ?? noon(on), "\"invoice\":\"\(invoice)\",\"amount\":\"\(amount)\"")
    }

    @discardableResult
    mutating func void(_ invoice: String, on: String, customer: String = "C", at: String? = nil) -> IntakeOutcome {
        event("invoice.voided", customer, at: at ?? noon(on), "\"invoice\":\"\(invoice)\"")
    }

    @discardableResult
    mutating func writeOff(_ invoice: String, _ amount: String? = nil, on: String, customer: String = "C", at: String? = nil) -> IntakeOutcome {
        event("invoice.written_off", customer, at: at ?? noon(on),
              "\"invoice\":\"\(invoice)\"" + (amount.map { ",\"amount\":\"\($0)\"" } ?? ""))
    }

    @discardableResult
    mutating func dun(_ level: Int, channel: String = "email", invoice: String? = nil, on: String, customer: String = "C", at: String? = nil) -> IntakeOutcome {
        event("dunning.action", customer, at: at ?? noon(on),
              "\"level\":\(level),\"channel\":\"\(channel)\"" + (invoice.map { ",\"invoice\":\"\($0)\"" } ?? ""))
    }

    /// The customer's ledger as the log holds it now: its live hot state and cold records.
    func ledger(_ customer: String = "C") -> CustomerLedger? { log.currentLedger(for: customer) }

    /// The customer's ledger as of the end of `day` in UTC, by replaying the log.
    func ledger(_ customer: String = "C", asOf day: String, sourceLocation: SourceLocation = #_sourceLocation) -> CustomerLedger? {
        do {
            return try log.ledger(for: customer, asOf: Timestamp.endOf(Day(parsing: day)!))
        } catch {
            Issue.record("replay failed: \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    /// The balance figures of a customer (all events, or as of the end of `asOf` in UTC), as
    /// the text the reports print: money in the currency's digits, avg_days_late as "2.3".
    func figures(_ customer: String = "C", asOf: String? = nil) -> [String: String] {
        let l: CustomerLedger?
        if let asOf {
            l = ledger(customer, asOf: asOf)
        } else {
            l = ledger(customer)
        }
        guard let l else { return [:] }
        let r = BalanceReport(l)
        var out: [String: String] = [:]
        for f in r.fields {
            if case .hundredths(nil) = f.value {
                out[f.name] = "null"
            } else {
                out[f.name] = f.value.text(digits: r.currency.fractionDigits)
            }
        }
        return out
    }

    /// Open amounts of an invoice's installments, in due order, in minor units.
    func openByInstallment(_ invoice: String, customer: String = "C") -> [Int64] {
        ledger(customer)?.invoice(invoice)?.installments.map(\.open) ?? []
    }

    func aging(asOf day: String, edges: [Int] = Aging.defaultEdges) -> AgingReport {
        let d = Day(parsing: day)!
        var report = AgingReport(asOf: d, edges: edges)
        for id in log.states.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            if let l = ledger(id, asOf: day) { report.add(customer: id, state: l.state) }
        }
        return report
    }
}

/// The figures of an aging row by bucket name, as printed.
func agingFigures(_ report: AgingReport, _ row: AgingReport.Row) -> [String: String] {
    var out: [String: String] = [:]
    for f in report.fields(row) { out[f.name] = f.value.text(digits: row.currency.fractionDigits) }
    return out
}

func agingFigures(_ report: AgingReport, _ row: AgingReport.TotalRow) -> [String: String] {
    var out: [String: String] = [:]
    for f in report.fields(row) { out[f.name] = f.value.text(digits: row.currency.fractionDigits) }
    return out
}

/// A text of `n` copies of `c`.
func repeated(_ c: Character, _ n: Int) -> String { String(repeating: c, count: n) }

extension InMemoryLog {
    /// The customer's ledger as the log holds it now (its live hot state with its cold records):
    /// what a query without as-of reads. `ledger(for:asOf:)` replays the log instead.
    func currentLedger(for customer: String) -> CustomerLedger? {
        guard let state = states[customer] else { return nil }
        let seqs = Set(events(of: customer).map(\.seq))
        return CustomerLedger.assemble(
            profile: CustomerProfile(id: customer, text: cold.profiles[customer] ?? ProfileText(name: ""), state: state), state: state,
            invoices: cold.invoices.values.filter { seqs.contains($0.seq) }.sorted { $0.seq < $1.seq },
            payments: cold.payments.values.filter { seqs.contains($0.seq) }.sorted { $0.seq < $1.seq })
    }
}

/// The ledger without its risk projection (the last evaluation and the overdue sweep): what a
/// replay, which runs no projector, is compared with.
func withoutRisk(_ l: CustomerLedger) -> CustomerLedger {
    var l = l
    l.state.risk = RiskSweep(sweepDay: l.state.registeredAt.utcDay)
    return l
}

/// An open installment in an alerting bucket (61-90 = 3, 91+ = 4) on the customer's last
/// evaluation day: what the projector's overdue alerts are about.
struct OverdueMark: Equatable, CustomStringConvertible {
    let invoice: String
    let installment: Int32
    let bucket: UInt8
    let open: Int64

    var description: String { "\(invoice)#\(installment):\(bucket) \(open)" }
}

extension InMemoryLog {
    /// The customer's open installments at 61+ days past due on its last evaluation day,
    /// sorted by (invoice id, installment), read from its hot state; nil before any
    /// evaluation. Records an issue when the projector's sweep buckets disagree with them.
    func overdue(_ customer: String, sourceLocation: SourceLocation = #_sourceLocation) -> [OverdueMark]? {
        guard let s = states[customer], let day = s.risk.last?.evaluatedOn else { return nil }
        var marks: [OverdueMark] = []
        for slot in s.slots where !slot.dead && slot.open > 0 {
            let b = RiskSweep.bucket(day, slot.dueOn)
            guard b >= RiskProjector.alertBucketMin, let i = s.openInvoice(seq: slot.invoiceSeq) else { continue }
            marks.append(OverdueMark(invoice: s.id(s.invoices[i]), installment: Int32(slot.index), bucket: UInt8(b), open: slot.open))
        }
        marks.sort { ($0.invoice.utf8.lexicographicallyPrecedes($1.invoice.utf8)) || ($0.invoice == $1.invoice && $0.installment < $1.installment) }
        #expect(s.risk.sweepDay == day, sourceLocation: sourceLocation)
        for b in [3, 4] {
            let sum = marks.filter { $0.bucket == b }.reduce(Int64(0)) { $0 + $1.open }
            #expect(s.risk.buckets[b] == sum, "sweep bucket \(b)", sourceLocation: sourceLocation)
        }
        return marks
    }
}
