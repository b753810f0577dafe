/// What happened to one feed line.
public enum IntakeOutcome: Sendable {
    case accepted(id: String)
    /// Same id, identical content: skipped and counted, not an error.
    case duplicate(id: String)
    case rejected(Rejection, id: String?)
}

/// The accepted log as intake sees it. Two implementations: `InMemoryLog` (domain tests, the
/// reference) and the engine's LMDB store (`BatchState`); both run the same `Intake.process`,
/// `FoldStep` and `Projection`.
public protocol LogState {
    associatedtype References: ReferenceLookup
    associatedtype Cold: ColdItems
    /// Invoice and payment ids of the whole log.
    var references: References { get }
    /// The stored event with this id, parsed, for the duplicate-or-conflict check.
    func storedEvent(id: String) throws -> JSONObject?
    /// Runs `body` with the customer's state (nil when not registered; loaded if needed) and
    /// the cold items, in place: no copy of the state.
    mutating func withState<T>(_ customer: String, _ body: (inout CustomerState?, inout Cold) throws -> T) throws -> T
    /// Runs `body` with the cold items (validation of a log-wide event).
    mutating func withCold<T>(_ body: (inout Cold) throws -> T) throws -> T
    /// A buffer intake writes each event's binary form into (reused: no allocation per event).
    var scratch: [UInt8] { get set }
    /// The credit policies logged so far, in log order.
    var timeline: PolicyTimeline { get }
    /// Appends an accepted event (its decoded envelope, binary form and bytes as received) and
    /// folds it into the projections.
    mutating func append(_ event: Event, binary: UnsafeRawBufferPointer, raw: UnsafeRawBufferPointer) throws
}

public enum Intake {
    /// Checks one line in the contract's order (JSON, id, duplicate or conflict, every other
    /// rule against the accepted state) and appends it when accepted. Throws only for storage
    /// failures; a bad line is an outcome, never a throw.
    public static func process(line: UnsafeRawBufferPointer, into state: inout some LogState) throws -> IntakeOutcome {
        try process(line: line, into: &state, fastDecoder: true)
    }

    /// The line as decoded so far: by the fast decoder (the whole event), or by the slow path
    /// (the JSON tree, whose `id` is checked; the rest is decoded after the duplicate check).
    enum Decoded {
        case fast(Event)
        case slow(JSONObject)
    }

    /// `process`, with the fast decoder on or off (tests compare the two). The fast decoder
    /// (`FastDecoder`) gives exactly the event the slow path would, or falls back to it, so the
    /// outcome is the same either way; it only saves the JSON tree and its allocations.
    static func process(line: UnsafeRawBufferPointer, into state: inout some LogState, fastDecoder: Bool) throws -> IntakeOutcome {
        let decoded: Decoded
        let id: String
        if fastDecoder, case .event(let event) = FastDecoder.decode(line) {
            decoded = .fast(event)
            id = event.id
        } else {
            let object: JSONObject
            do {
                object = try JSONParser.parseObject(line)
            } catch {
                return .rejected(Rejection(.json, error.description), id: nil)
            }
            do {
                id = try EventDecoder.eventID(object)
            } catch {
                return .rejected(error, id: nil)
            }
            decoded = .slow(object)
        }
        if let stored = try state.storedEvent(id: id) {
            // Rare: duplicates and conflicts compare parsed trees, whichever decoder read the line.
            let object: JSONObject
            switch decoded {
            case .slow(let o): object = o
            case .fast:
                do {
                    object = try JSONParser.parseObject(line)
                } catch {
                    // Not reached: the fast decoder accepts only valid JSON.
                    return .rejected(Rejection(.json, error.description), id: nil)
                }
            }
            if stored == object { return .duplicate(id: id) }
            return .rejected(Rejection(.conflict, "id \(id) is already in the log with different content"), id: id)
        }
        var writer = LoggedEventWriter(reusing: state.scratch)
        do {
            let event: Event
            switch decoded {
            case .fast(let e): event = e
            case .slow(let object): event = try EventDecoder.decode(object, id: id)
            }
            try validate(event, against: &state, into: &writer)
            try writer.w.bytes.withUnsafeBytes { binary in
                try state.append(event, binary: binary, raw: line)
            }
        } catch let rejection as Rejection {
            state.scratch = writer.w.bytes
            return .rejected(rejection, id: id)
        }
        state.scratch = writer.w.bytes
        return .accepted(id: id)
    }

    /// Validates a decoded event against the accepted state, writing its binary form. A
    /// function of its own so that what it reads (the customer's state, the references) is
    /// released when it returns, before `append` folds the event: a copy still alive then
    /// would make the fold copy the customer's whole hot state, and `InMemoryLog` its id
    /// tables, on every event (IntakeLifetimeTests).
    static func validate(_ event: Event, against state: inout some LogState, into writer: inout LoggedEventWriter) throws {
        if case .creditPolicyChanged(let policy) = event.body {
            try Intake.checkPolicyName(policy, state.timeline)
        }
        let refs = state.references
        if event.type.isGlobal {
            try state.withCold { cold in try FoldStep.validate(event, state: nil, cold: &cold, refs: refs, into: &writer) }
        } else {
            // In place: a copy of the customer's state alive across `append` would make the
            // next mutation copy the whole hot state (IntakeLifetimeTests).
            try state.withState(event.customer) { customer, cold in
                try FoldStep.validate(event, state: customer, cold: &cold, refs: refs, into: &writer)
            }
        }
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

/// The fold and the risk evaluation of one logged event, as every path runs them (intake,
/// rebuild, catch-up, verify, the in-memory reference): `FoldStep.apply`, then
/// `RiskProjector.evaluate` with the policy in force.
public enum Projection {
    /// Folds the customer's event at `seq` and evaluates the customer after it. `cause` builds
    /// the event's stored description when an evaluation records something.
    /// `cause` is given the id of the payment a reversal took back.
    public static func step(_ e: LoggedEvent, seq: UInt64, customer: String, state: inout CustomerState?, cold: inout some ColdItems,
                            policy: CreditPolicy, cause: (_ reversedPayment: String?) -> RiskCause) throws -> RiskProjector.Outcome? {
        var reversed: (id: String, amount: Int64)?
        if case .paymentReversed(let p) = e.body, let record = try cold.payment(p) { reversed = (record.id, record.amount) }
        try FoldStep.apply(e, seq: seq, customer: customer, to: &state, cold: &cold)
        guard state.exists else { return nil }
        return RiskProjector.evaluate(&state!, customer: customer, policy: policy, seq: seq, type: e.type, at: e.at,
                                      cause: { cause(reversed?.id) }, reversed: reversed)
    }

    /// Evaluates a customer for a log-wide event (a policy change, a review).
    public static func regrade(_ state: inout CustomerState, customer: String, policy: CreditPolicy, seq: UInt64,
                               type: EventType, at: Timestamp, cause: () -> RiskCause) -> RiskProjector.Outcome {
        RiskProjector.evaluate(&state, customer: customer, policy: policy, seq: seq, type: type, at: at, cause: cause)
    }
}

/// Cold items in dictionaries: the in-memory log's, and every replay's (a replay from the
/// customer's first event creates every item it meets; one from a checkpoint reads the older
/// ones from the store through `fallback`).
public struct MemoryCold: ColdItems {
    public var invoices: [UInt64: InvoiceState] = [:]
    public var payments: [UInt64: PaymentState] = [:]
    public var profiles: [String: ProfileText] = [:]

    public init() {}

    public mutating func invoice(_ seq: UInt64) -> InvoiceState? { invoices[seq] }
    public mutating func payment(_ seq: UInt64) -> PaymentState? { payments[seq] }
    public mutating func put(_ invoice: InvoiceState) { invoices[invoice.seq] = invoice }
    public mutating func put(_ payment: PaymentState) { payments[payment.seq] = payment }
    public mutating func profile(_ customer: String) -> ProfileText? { profiles[customer] }
    public mutating func put(_ profile: ProfileText, of customer: String) { profiles[customer] = profile }
}

/// The whole log in memory: for domain tests, and as the reference the LMDB store is checked
/// against. Not for production volumes.
public struct InMemoryLog: LogState {
    public struct Entry {
        public let event: Event
        public let binary: [UInt8]
        public let raw: [UInt8]
        public let seq: UInt64
    }

    public private(set) var events: [Entry] = []
    public private(set) var states: [String: CustomerState] = [:]
    public private(set) var cold = MemoryCold()
    var invoiceRefs: [String: Reference] = [:]
    var paymentRefs: [String: Reference] = [:]
    var creditNoteRefs: [String: Reference] = [:]
    var ids: [String: Int] = [:]
    /// Each customer's events' positions in `events`, in log order.
    var byCustomer: [String: [Int]] = [:]
    public var scratch: [UInt8] = []
    /// The risk projection: policies logged so far, every grade change and alert (in log
    /// order; a log-wide event's in customer order).
    public private(set) var timeline = PolicyTimeline()
    public private(set) var gradeChanges: [GradeChange] = []
    public private(set) var alerts: [Alert] = []
    /// Feed v1.3: the exchange rates, in log order.
    public private(set) var fxRates = FxRateTable()

    public init() {}

    public struct Refs: ReferenceLookup {
        let invoices: [String: Reference]
        let payments: [String: Reference]
        let creditNotes: [String: Reference]
        public func invoice(_ id: String) -> Reference? { invoices[id] }
        public func payment(_ id: String) -> Reference? { payments[id] }
        public func creditNote(_ id: String) -> Reference? { creditNotes[id] }
    }

    public var references: Refs { Refs(invoices: invoiceRefs, payments: paymentRefs, creditNotes: creditNoteRefs) }

    public func storedEvent(id: String) throws -> JSONObject? {
        guard let i = ids[id] else { return nil }
        return try JSONParser.parseObject(events[i].raw)
    }

    public mutating func withState<T>(_ customer: String, _ body: (inout CustomerState?, inout MemoryCold) throws -> T) throws -> T {
        var state = states.removeValue(forKey: customer)
        defer { states[customer] = state }
        return try body(&state, &cold)
    }

    public mutating func withCold<T>(_ body: (inout MemoryCold) throws -> T) throws -> T { try body(&cold) }

    /// The risk state of each customer (its last evaluation).
    public var risk: [String: RiskState] { states.compactMapValues { $0.risk.last } }

    public mutating func append(_ e: Event, binary: UnsafeRawBufferPointer, raw: UnsafeRawBufferPointer) throws {
        let seq = UInt64(events.count + 1)
        ids[e.id] = events.count
        events.append(Entry(event: e, binary: Array(binary), raw: Array(raw), seq: seq))
        let logged = try LoggedEvent(binary)
        let cause = { (_: String?) in RiskCause(seq: seq, event: e) }
        if e.type.isGlobal {
            if case .creditPolicyChanged(let p) = e.body { timeline.policies.append((seq, e.at, p)) }
            if case .fxRate(let c, let base, let rate, let on) = e.body {
                fxRates.append(FxRateEntry(seq: seq, id: e.id, at: e.at, currency: c, base: base, rate: rate, on: on, actor: e.actor, note: e.note))
            }
            // An exchange rate (v1.3) changes no customer and regrades nobody.
            guard e.type.regradesAll else { return }
            let policy = timeline.policy(atSeq: seq)
            for customer in states.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                record(Projection.regrade(&states[customer]!, customer: customer, policy: policy, seq: seq, type: e.type, at: e.at, cause: { cause(nil) }))
            }
            return
        }
        byCustomer[e.customer, default: []].append(events.count - 1)
        var state = states.removeValue(forKey: e.customer)
        if let o = try Projection.step(logged, seq: seq, customer: e.customer, state: &state, cold: &cold,
                                       policy: timeline.policy(atSeq: seq), cause: cause) {
            record(o)
        }
        states[e.customer] = state
        if case .invoiceIssued(let invoice, _, _, _, _) = e.body { invoiceRefs[invoice] = Reference(seq: seq, customer: e.customer) }
        if case .paymentReceived(let payment, _, _, _, _) = e.body { paymentRefs[payment] = Reference(seq: seq, customer: e.customer) }
        if case .creditNoteIssued(let note, _, _, _, _, _) = e.body { creditNoteRefs[note] = Reference(seq: seq, customer: e.customer) }
    }

    mutating func record(_ o: RiskProjector.Outcome) {
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

    /// The customer's logged events, in log order.
    public func events(of customer: String) -> [Entry] { (byCustomer[customer] ?? []).map { events[$0] } }

    /// The customer's whole ledger (state and every item), by folding the log as of `asOf`
    /// (nil: all events).
    public func ledger(for customer: String, asOf: Timestamp? = nil) throws -> CustomerLedger? {
        try Replay.ledger(customer: customer, events: events(of: customer).lazy.map { ($0.seq, $0.binary) }, asOf: asOf)
    }
}

/// Folds one customer's logged events (binary forms, in log order) from scratch.
public enum Replay {
    /// The state and the cold items as of `asOf` (nil: all events): the fold, in log order, of
    /// the events whose `at` ≤ asOf.
    public static func fold(events: some Sequence<(seq: UInt64, binary: [UInt8])>, customer: String, asOf: Timestamp?) throws
        -> (state: CustomerState?, cold: MemoryCold)
    {
        var state: CustomerState?
        var cold = MemoryCold()
        for (seq, binary) in events {
            try binary.withUnsafeBytes { bytes in
                let e = try LoggedEvent(bytes)
                if let asOf, e.at > asOf { return }
                try FoldStep.apply(e, seq: seq, customer: customer, to: &state, cold: &cold)
            }
        }
        return (state, cold)
    }

    /// The whole-ledger view of a replay.
    public static func ledger(customer: String, events: some Sequence<(seq: UInt64, binary: [UInt8])>, asOf: Timestamp?) throws -> CustomerLedger? {
        let (state, cold) = try fold(events: events, customer: customer, asOf: asOf)
        guard let state else { return nil }
        return view(customer: customer, state: state, cold: cold)
    }

    /// The view of a state and the cold items of its customer (every item in `cold` is its).
    public static func view(customer: String, state: CustomerState, cold: MemoryCold) -> CustomerLedger {
        let text = cold.profiles[customer] ?? ProfileText(name: "")
        return CustomerLedger.assemble(
            profile: CustomerProfile(id: customer, text: text, state: state), state: state,
            invoices: cold.invoices.values.sorted { $0.seq < $1.seq }, payments: cold.payments.values.sorted { $0.seq < $1.seq })
    }
}
