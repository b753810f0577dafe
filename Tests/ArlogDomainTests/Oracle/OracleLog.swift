@testable import ArlogDomain

// The oracle's log: the old `Intake.process`, `InMemoryLog` and `Replay` (commit 3018e59),
// renamed. See OracleLedger.swift.

/// What happened to one feed line, in the oracle.
enum OracleOutcome: Equatable {
    case accepted(id: String)
    case duplicate(id: String)
    case rejected(Rejection.Rule, message: String, id: String?)
}

/// Invoice and payment owners.
final class OracleOwners: OracleReferences {
    var invoices: [String: String] = [:]
    var payments: [String: String] = [:]
    var creditNotes: [String: String] = [:]

    func invoiceOwner(_ invoice: String) -> String? { invoices[invoice] }
    func paymentOwner(_ payment: String) -> String? { payments[payment] }
    func creditNoteOwner(_ note: String) -> String? { creditNotes[note] }
}

/// The whole log in memory, with whole ledgers.
struct OracleLog {
    private(set) var events: [(event: Event, raw: [UInt8])] = []
    private(set) var ledgers: [String: OracleLedger] = [:]
    let references = OracleOwners()
    var ids: [String: Int] = [:]
    /// Each customer's events' positions in `events` (the old code filtered the whole log for
    /// each as-of fold: the same events, in the same order).
    var byCustomer: [String: [Int]] = [:]
    private(set) var timeline = PolicyTimeline()
    private(set) var risk: [String: OracleRiskState] = [:]
    private(set) var gradeChanges: [GradeChange] = []
    private(set) var alerts: [Alert] = []
    /// Feed v1.3: the exchange rates.
    private(set) var rates = OracleRates()

    func storedEvent(id: String) throws -> JSONObject? {
        guard let i = ids[id] else { return nil }
        return try JSONParser.parseObject(events[i].raw)
    }

    /// Checks one line in the contract's order and appends it when accepted.
    mutating func process(line: [UInt8]) throws -> OracleOutcome {
        let object: JSONObject
        do {
            object = try JSONParser.parseObject(line)
        } catch {
            return .rejected(.json, message: error.description, id: nil)
        }
        let id: String
        do {
            id = try EventDecoder.eventID(object)
        } catch {
            return .rejected(error.rule, message: error.message, id: nil)
        }
        if let stored = try storedEvent(id: id) {
            if stored == object { return .duplicate(id: id) }
            return .rejected(.conflict, message: "id \(id) is already in the log with different content", id: id)
        }
        let resolved: OracleResolvedEvent
        do {
            let event = try EventDecoder.decode(object, id: id)
            // Scoped: the read-only copy must be gone before `append` mutates the ledger, or
            // the mutation would copy the whole ledger.
            resolved = try { () throws -> OracleResolvedEvent in
                if case .creditPolicyChanged(let policy) = event.body {
                    try OracleLog.checkPolicyName(policy, timeline)
                }
                let ledger = event.type.isGlobal ? nil : ledgers[event.customer]
                return try OracleFold.validate(event, ledger: ledger, refs: references)
            }()
        } catch let rejection as Rejection {
            return .rejected(rejection.rule, message: rejection.message, id: id)
        }
        append(resolved, raw: line)
        return .accepted(id: id)
    }

    static func checkPolicyName(_ policy: CreditPolicy, _ timeline: PolicyTimeline) throws(Rejection) {
        if let clash = timeline.policies.first(where: { $0.policy.name == policy.name && $0.policy != policy }) {
            throw Rejection(.policyName, "policy name \"\(policy.name)\" is already used by a different policy (log position \(clash.seq)); give this one its own name")
        }
        if policy.name == CreditPolicy.default.name, policy != .default {
            throw Rejection(.policyName, "policy name \"\(policy.name)\" is the built-in default's; give this policy its own name")
        }
    }

    mutating func append(_ r: OracleResolvedEvent, raw: [UInt8]) {
        let e = r.event
        ids[e.id] = events.count
        events.append((e, raw))
        let cause = RiskCause(seq: UInt64(events.count), event: e)
        if e.type.isGlobal {
            if case .creditPolicyChanged(let p) = e.body { timeline.policies.append((cause.seq, e.at, p)) }
            if case .fxRate(let c, let b, let rate, let on) = e.body {
                // A rate changes no customer: nobody is evaluated.
                rates.rates.append(OracleRate(id: e.id, currency: c, base: b, rate: rate, on: on))
                return
            }
            for customer in ledgers.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                evaluate(customer, cause)
            }
            return
        }
        byCustomer[e.customer, default: []].append(events.count - 1)
        OracleFold.apply(r, to: &ledgers[e.customer])
        evaluate(e.customer, cause)
        if case .invoiceIssued(let invoice, _, _, _, _) = e.body { references.invoices[invoice] = e.customer }
        if case .paymentReceived(let payment, _, _, _, _) = e.body { references.payments[payment] = e.customer }
        if case .creditNoteIssued(let note, _, _, _, _, _) = e.body { references.creditNotes[note] = e.customer }
    }

    mutating func evaluate(_ customer: String, _ cause: RiskCause) {
        guard let l = ledgers[customer] else { return }
        let o = OracleProjector.evaluate(l, policy: timeline.policy(atSeq: cause.seq), cause: cause, previous: risk[customer])
        risk[customer] = o.state
        if let c = o.change { gradeChanges.append(c) }
        alerts.append(contentsOf: o.alerts)
    }

    /// The customer's state as of `asOf` (nil: all events), by folding the log.
    func ledger(for customer: String, asOf: Timestamp?) -> OracleLedger? {
        OracleReplay.fold((byCustomer[customer] ?? []).lazy.map { events[$0].event }, asOf: asOf)
    }
}

/// Folds a customer's accepted events, in log order, into a fresh ledger.
enum OracleReplay {
    static func fold(_ events: some Sequence<Event>, asOf: Timestamp?) -> OracleLedger? {
        var ledger: OracleLedger?
        for e in events {
            if let asOf, e.at > asOf { continue }
            step(e, &ledger)
        }
        return ledger
    }

    static func step(_ e: Event, _ ledger: inout OracleLedger?) {
        // Resolution cannot fail for an accepted event (its registration precedes it in any
        // as-of fold); if it did, the event is left out and the comparison shows it.
        guard let r = try? OracleFold.resolve(e, ledger: ledger) else { return }
        OracleFold.apply(r, to: &ledger)
    }
}
