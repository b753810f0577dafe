import Testing

@testable import ArlogDomain

/// What validation reads of the accepted state (the customer's hot state, the reference
/// tables) is released before the event is appended: a copy still alive then would make the
/// fold copy the customer's whole hot state, and the in-memory log its id tables, on every
/// event (O(open invoices) per event instead of O(log n)). Counted, not timed.
struct IntakeLifetimeTests {
    final class Canary {}

    /// `InMemoryLog`, whose reference tables carry a canary: `append` counts the times the
    /// canary is shared, i.e. the references validation used are still alive.
    struct CanaryLog: LogState {
        var inner = InMemoryLog()
        var canary = Canary()
        var sharedAtAppend = 0

        struct Refs: ReferenceLookup {
            let inner: InMemoryLog.Refs
            let canary: Canary
            func invoice(_ id: String) -> Reference? { inner.invoice(id) }
            func payment(_ id: String) -> Reference? { inner.payment(id) }
            func creditNote(_ id: String) -> Reference? { inner.creditNote(id) }
        }

        var references: Refs { Refs(inner: inner.references, canary: canary) }
        func storedEvent(id: String) throws -> JSONObject? { try inner.storedEvent(id: id) }
        mutating func withState<T>(_ customer: String, _ body: (inout CustomerState?, inout MemoryCold) throws -> T) throws -> T {
            try inner.withState(customer, body)
        }
        mutating func withCold<T>(_ body: (inout MemoryCold) throws -> T) throws -> T { try inner.withCold(body) }
        var scratch: [UInt8] {
            get { inner.scratch }
            set { inner.scratch = newValue }
        }
        var timeline: PolicyTimeline { inner.timeline }

        mutating func append(_ event: Event, binary: UnsafeRawBufferPointer, raw: UnsafeRawBufferPointer) throws {
            if !isKnownUniquelyReferenced(&canary) { sharedAtAppend += 1 }
            try inner.append(event, binary: binary, raw: raw)
        }
    }

    static let feed = [
        RiskLines.register("r1", "C", on: "2025-01-01"),
        eventLine("i1", "invoice.issued", "C", at: noon("2025-01-02"), #""invoice":"I1","amount":"100.00","issued_on":"2025-01-02""#),
        eventLine("i2", "invoice.issued", "C", at: noon("2025-01-02"), #""invoice":"I2","amount":"100.00","issued_on":"2025-01-02""#),
        eventLine("a1", "invoice.adjusted", "C", at: noon("2025-01-03"), #""invoice":"I1","amount":"-10.00""#),
        eventLine("p1", "payment.received", "C", at: noon("2025-01-04"), #""payment":"P1","amount":"20.00","received_on":"2025-01-04""#),
        eventLine("d1", "dunning.action", "C", at: noon("2025-01-05"), #""level":1,"channel":"email""#),
    ]

    @Test func referencesAreReleasedBeforeAppend() throws {
        var log = CanaryLog()
        for line in Self.feed { expectAccepted(try Intake.process(line: Array(line.utf8), into: &log)) }
        #expect(log.inner.events.count == Self.feed.count)
        #expect(log.sharedAtAppend == 0)
    }

    /// A credit note changes open amounts in place: the customer's installment slots stay in
    /// the same storage (a copy would move them).
    @Test func theCustomerStateIsFoldedInPlace() throws {
        var log = InMemoryLog()
        for line in Self.feed.prefix(3) { expectAccepted(try Intake.process(line: Array(line.utf8), into: &log)) }
        let before = try #require(log.states["C"]).slots.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        expectAccepted(try Intake.process(line: Array(Self.feed[3].utf8), into: &log))
        let after = try #require(log.states["C"]).slots.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        #expect(try #require(log.states["C"]).totals.credited == 1000)
        #expect(after == before, "the fold copied the customer's slots")
    }
}
