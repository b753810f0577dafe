/// What happened to one feed line.
public enum IntakeOutcome: Sendable {
    case accepted(ResolvedEvent)
    /// Same id, identical content: skipped and counted, not an error.
    case duplicate(id: String)
    case rejected(Rejection, id: String?)
}

/// The accepted log as intake sees it. Two implementations: `InMemoryLog` (domain tests,
/// as-of folds) and the engine's LMDB store; both run the same `Intake.process`.
public protocol LogState {
    associatedtype References: ReferenceLookup
    /// Invoice and payment owners. A separate value, so that handing it to validation does not
    /// share (and so force a copy of) the state's ledgers.
    var references: References { get }
    /// The stored event with this id, parsed, for the duplicate-or-conflict check.
    func storedEvent(id: String) throws -> JSONObject?
    /// The customer's current ledger, read-only (nil when not registered). Mutating, so a
    /// store may keep what it loaded.
    mutating func ledger(for customer: String) throws -> CustomerLedger?
    /// Appends an accepted event (its bytes as received) and folds it into the customer's
    /// ledger in place.
    mutating func append(_ event: ResolvedEvent, raw: UnsafeRawBufferPointer) throws
    /// The credit policies logged so far, in log order.
    var timeline: PolicyTimeline { get }
}

public enum Intake {
    /// Checks one line in the contract's order (JSON, id, duplicate or conflict, every other
    /// rule against the accepted state) and appends it when accepted. Throws only for storage
    /// failures; a bad line is an outcome, never a throw.
    public static func process(line: UnsafeRawBufferPointer, into state: inout some LogState) throws -> IntakeOutcome {
        let object: JSONObject
        do {
            object = try JSONParser.parseObject(line)
        } catch {
            return .rejected(Rejection(.json, error.description), id: nil)
        }
        let id: String
        do {
            id = try EventDecoder.eventID(object)
        } catch {
            return .rejected(error, id: nil)
        }
        if let stored = try state.storedEvent(id: id) {
            if stored == object { return .duplicate(id: id) }
            return .rejected(Rejection(.conflict, "id \(id) is already in the log with different content"), id: id)
        }
        let resolved: ResolvedEvent
        do {
            let event = try EventDecoder.decode(object, id: id)
            // Scoped: the read-only copy must be gone before `append` mutates the ledger, or
            // the mutation would copy the whole ledger.
            resolved = try { () throws -> ResolvedEvent in
                if case .creditPolicyChanged(let policy) = event.body {
                    try Intake.checkPolicyName(policy, state.timeline)
                }
                let ledger = event.type.isGlobal ? nil : try state.ledger(for: event.customer)
                return try Fold.validate(event, ledger: ledger, refs: state.references)
            }()
        } catch let rejection as Rejection {
            return .rejected(rejection, id: id)
        }
        try state.append(resolved, raw: line)
        return .accepted(resolved)
    }

    /// A policy's name is how grade histories say which policy graded them: a name already
    /// logged for a different policy is refused (the same policy again is fine).
    static func checkPolicyName(_ policy: CreditPolicy, _ timeline: PolicyTimeline) throws(Rejection) {
        if let clash = timeline.policies.first(where: { $0.policy.name == policy.name && $0.policy != policy }) {
            throw Rejection(.policyName, "policy name \"\(policy.name)\" is already used by a different policy (log position \(clash.seq)); give this one its own name")
        }
        if policy.name == CreditPolicy.default.name, policy != .default {
            throw Rejection(.policyName, "policy name \"\(policy.name)\" is the built-in default's; give this policy its own name")
        }
    }

    public static func process(line: [UInt8], into state: inout some LogState) throws -> IntakeOutcome {
        try line.withUnsafeBytes { try process(line: $0, into: &state) }
    }
}

/// Invoice and payment owners, shared by reference so lookups never copy them.
public final class OwnerIndex: ReferenceLookup {
    var invoices: [String: String] = [:]
    var payments: [String: String] = [:]

    public func invoiceOwner(_ invoice: String) -> String? { invoices[invoice] }
    public func paymentOwner(_ payment: String) -> String? { payments[payment] }
}

/// The whole log in memory: for domain tests, and as the reference the LMDB store is checked
/// against. Not for production volumes.
public struct InMemoryLog: LogState {
    public private(set) var events: [(event: Event, raw: [UInt8])] = []
    public private(set) var ledgers: [String: CustomerLedger] = [:]
    public let references = OwnerIndex()
    var ids: [String: Int] = [:]
    /// The risk projection: policies logged so far, each customer's last evaluation, every
    /// grade change and alert (in log order; a log-wide event's in customer order).
    public private(set) var timeline = PolicyTimeline()
    public private(set) var risk: [String: RiskState] = [:]
    public private(set) var gradeChanges: [GradeChange] = []
    public private(set) var alerts: [Alert] = []

    public init() {}

    public func storedEvent(id: String) throws -> JSONObject? {
        guard let i = ids[id] else { return nil }
        return try JSONParser.parseObject(events[i].raw)
    }

    public func ledger(for customer: String) -> CustomerLedger? { ledgers[customer] }

    public mutating func append(_ r: ResolvedEvent, raw: UnsafeRawBufferPointer) {
        let e = r.event
        ids[e.id] = events.count
        events.append((e, Array(raw)))
        let cause = RiskCause(seq: UInt64(events.count), event: e)
        if e.type.isGlobal {
            if case .creditPolicyChanged(let p) = e.body { timeline.policies.append((cause.seq, e.at, p)) }
            for customer in ledgers.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                evaluate(customer, cause)
            }
            return
        }
        Fold.apply(r, to: &ledgers[e.customer])
        ledgers[e.customer]?.clearTouched()
        evaluate(e.customer, cause)
        if case .invoiceIssued(let invoice, _, _, _, _) = e.body { references.invoices[invoice] = e.customer }
        if case .paymentReceived(let payment, _, _, _, _) = e.body { references.payments[payment] = e.customer }
    }

    mutating func evaluate(_ customer: String, _ cause: RiskCause) {
        guard let l = ledgers[customer] else { return }
        let o = RiskProjector.evaluate(l, policy: timeline.policy(atSeq: cause.seq), cause: cause, previous: risk[customer])
        risk[customer] = o.state
        if let c = o.change { gradeChanges.append(c) }
        alerts.append(contentsOf: o.alerts)
    }

    /// Feeds NDJSON text line by line; returns the outcomes of the non-blank lines.
    @discardableResult
    public mutating func ingest(_ text: String) throws -> [IntakeOutcome] {
        var outcomes: [IntakeOutcome] = []
        // Split bytes, not Characters: Swift reads "\r\n" as one Character.
        for line in text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
            var bytes = Array(line)
            if bytes.last == 0x0D { bytes.removeLast() }
            // A UTF-8 byte-order mark starting a line is not part of the event (as LineReader).
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            outcomes.append(try Intake.process(line: bytes, into: &self))
        }
        return outcomes
    }

    /// The customer's state as of `asOf` (nil: all events), by folding the log.
    public func ledger(for customer: String, asOf: Timestamp?) -> CustomerLedger? {
        Replay.fold(events.lazy.map(\.event).filter { $0.customer == customer }, asOf: asOf)
    }
}

/// Folds a customer's accepted events, in log order, into a fresh ledger.
public enum Replay {
    /// State as of T: the fold, in log order, of the events whose `at` ≤ T.
    public static func fold(_ events: some Sequence<Event>, asOf: Timestamp?) -> CustomerLedger? {
        var ledger: CustomerLedger?
        for e in events {
            if let asOf, e.at > asOf { continue }
            step(e, &ledger)
        }
        return ledger
    }

    /// Folds one accepted event. Resolution cannot fail for an event that was accepted (its
    /// registration precedes it in any as-of fold, since no event may predate registration).
    public static func step(_ e: Event, _ ledger: inout CustomerLedger?) {
        guard let r = try? Fold.resolve(e, ledger: ledger) else {
            assertionFailure("an accepted event failed to resolve: \(e.id)")
            return
        }
        Fold.apply(r, to: &ledger)
    }
}
