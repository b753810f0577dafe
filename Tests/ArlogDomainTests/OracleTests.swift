import ArlogFeedGen
import Testing

@testable import ArlogDomain

/// The new fold (hot state, cold records, binary events, the incremental risk sweep) against
/// the oracle, the old whole-ledger fold (Oracle/): on generated feeds and on seeded feeds of
/// the hard shapes, every outcome, grade change and alert, every customer's figures, open
/// installments, aging, dunning, days late, items, assessments and as-of ledgers must agree,
/// the state's invariants must hold after every event and its stored forms round-trip.
struct OracleTests {
    /// A feed of `FeedGenerator`, as lines.
    static func generated(events: Int, customers: Int, seed: UInt64) -> [[UInt8]] {
        var g = FeedGenerator(events: events, customers: customers, seed: seed, start: Day(parsing: "2024-01-01")!)
        var bytes: [UInt8] = []
        g.run { bytes.append(contentsOf: $0) }
        return bytes.split(separator: 0x0A).map { Array($0) }
    }

    @Test(arguments: [(UInt64(1), 3000, 20), (3, 20_000, 200), (4, 4000, 4)])
    func generatedFeedsAgree(_ seed: UInt64, _ events: Int, _ customers: Int) {
        var h = OracleHarness()
        h.checkStride = events > 10_000 ? 10 : 4
        for line in Self.generated(events: events, customers: customers, seed: seed) { h.feed(line) }
        h.compareAll(seed: seed, asOfSamples: 4)
        h.report("generated feed \(seed) (\(events) events, \(customers) customers)")
        #expect(h.lines == events)
        #expect(h.outcomes["accepted", default: 0] == events, "\(h.outcomes)")
        for type in [EventType.invoiceIssued, .paymentReceived, .paymentReversed, .invoiceAdjusted, .invoiceWrittenOff, .dunningAction] {
            #expect(h.accepted[type, default: 0] > 0, "no \(type) in the feed")
        }
    }

    static func shaped(seed: UInt64, _ options: ShapeOptions, stride: Int = 1, invariantStride: Int = 1,
                       sourceLocation: SourceLocation = #_sourceLocation) -> OracleHarness {
        var h = OracleHarness()
        h.checkStride = stride
        h.invariantStride = invariantStride
        var feed = ShapeFeed(seed: seed, options: options)
        for _ in 0..<options.events { h.feed(feed.next(h.oracle)) }
        h.compareAll(seed: seed, asOfSamples: 10)
        h.report("shaped feed \(seed)", sourceLocation: sourceLocation)
        return h
    }

    /// Every shape comes up, accepted, in every seeded feed; rejections and duplicates too.
    @Test(arguments: UInt64(1)...8)
    func shapedFeedsAgree(_ seed: UInt64) {
        let h = Self.shaped(seed: seed, ShapeOptions())
        for type in EventType.allCases {
            #expect(h.accepted[type, default: 0] > 0, "no accepted \(type) in feed \(seed): \(h.accepted)")
        }
        #expect(h.lateAccepted > 50, "late entries: \(h.lateAccepted)")
        #expect(h.outcomes["duplicate", default: 0] > 0)
        #expect(h.outcomes.count > 5, "rejections: \(h.outcomes)")
    }

    /// Many installments per invoice, mostly late entries, frequent policy changes and reviews.
    @Test(arguments: UInt64(11)...13)
    func installmentsLateEntriesAndPolicies(_ seed: UInt64) {
        var options = ShapeOptions()
        options.events = 1200
        options.customers = 4
        options.installmentsMax = 60
        options.installmentsBigMax = 400
        options.latePerMille = 450
        options.policyPerMille = 30
        options.reviewPerMille = 60
        let h = Self.shaped(seed: seed, options)
        #expect(h.accepted[.creditPolicyChanged, default: 0] > 10)
        #expect(h.lateAccepted > 100)
    }

    /// One customer with thousands of open invoices (and a few small ones beside it).
    @Test func aCustomerWithThousandsOfOpenInvoices() {
        var options = ShapeOptions()
        options.heavyInvoices = 2000
        options.events = 2400
        options.customers = 3
        options.installmentsMax = 4
        let h = Self.shaped(seed: 99, options, stride: 250, invariantStride: 20)
        let big = h.log.states["BIG"]
        #expect((big?.invoiceCount ?? 0) > 2000)
        #expect((big?.invoices.count ?? 0) > 1000, "open invoices of BIG")
    }

    // MARK: - Hand-built shapes, each certain to be in a feed

    /// Feeds `lines` (every one must be accepted unless `rejects` says otherwise) and compares
    /// everything, with as-of ledgers at every event's `at` and the instant before it.
    static func scenario(_ lines: [String], rejects: Int = 0, sourceLocation: SourceLocation = #_sourceLocation) -> OracleHarness {
        var h = OracleHarness()
        for line in lines { h.feed(line) }
        h.compareAll(seed: 7, asOfSamples: 3 * lines.count)
        h.report("scenario", sourceLocation: sourceLocation)
        #expect(h.outcomes["accepted", default: 0] == lines.count - rejects, "\(h.outcomes)", sourceLocation: sourceLocation)
        return h
    }

    typealias L = RiskLines

    static func line(_ id: String, _ type: String, _ customer: String = "C", at: String, _ body: String) -> String {
        eventLine(id, type, customer, at: at, body)
    }

    static func installments(_ list: [(String, String)]) -> String {
        "[" + list.map { #"{"due_on":"\#($0.0)","amount":"\#($0.1)"}"# }.joined(separator: ",") + "]"
    }

    /// A payment that settled two invoices is reversed: both come back from their cold
    /// records (FIFO, aging, days late), a later payment goes FIFO again, the reversal dated
    /// late raises its alert; as-of dates see each step.
    @Test func reversalOfAPaymentThatSettledInvoices() {
        _ = Self.scenario([
            L.register("r1", "C", limit: "500.00"),
            Self.line("i1", "invoice.issued", at: "2025-01-02T10:00:00Z", #""invoice":"A","amount":"100.00","issued_on":"2025-01-02","due_on":"2025-01-20""#),
            Self.line("i2", "invoice.issued", at: "2025-01-03T10:00:00Z",
                      #""invoice":"B","amount":"90.00","issued_on":"2025-01-03","installments":"# + Self.installments([("2025-02-10", "30.00"), ("2025-01-10", "60.00")])),
            Self.line("p1", "payment.received", at: "2025-03-01T10:00:00Z", #""payment":"P1","amount":"250.00","received_on":"2025-03-01""#),
            Self.line("d1", "dunning.action", at: "2025-03-02T10:00:00Z", #""level":2,"channel":"email""#),
            Self.line("x1", "payment.reversed", at: "2025-04-20T10:00:00Z", #""payment":"P1""#),
            L.reviewed("rv1", at: "2025-05-01T00:00:00Z"),
            // Dated before the review, keyed after it.
            Self.line("p2", "payment.received", at: "2025-04-25T10:00:00Z", #""payment":"P2","amount":"70.00","received_on":"2025-04-25""#),
            Self.line("x2", "payment.reversed", at: "2025-04-26T10:00:00Z", #""payment":"P2""#),
            Self.line("p3", "payment.received", at: "2025-05-03T10:00:00Z", #""payment":"P3","amount":"190.00","received_on":"2025-05-03""#),
        ])
    }

    /// Positive adjustments of settled invoices (with installments: the last one in due order
    /// takes it), credit notes, write-offs and voids, also of settled invoices.
    @Test func adjustmentsCreditNotesWriteOffsAndVoids() {
        _ = Self.scenario([
            L.register("r1", "C", limit: "100.00"),
            Self.line("i1", "invoice.issued", at: "2025-01-02T10:00:00Z",
                      #""invoice":"A","amount":"100.00","issued_on":"2025-01-02","installments":"# + Self.installments([("2025-03-01", "50.00"), ("2025-02-01", "50.00")])),
            Self.line("i2", "invoice.issued", at: "2025-01-02T11:00:00Z", #""invoice":"B","amount":"40.00","issued_on":"2025-01-02""#),
            Self.line("i3", "invoice.issued", at: "2025-01-02T12:00:00Z", #""invoice":"V","amount":"10.00","issued_on":"2025-01-02""#),
            Self.line("p1", "payment.received", at: "2025-02-05T10:00:00Z", #""payment":"P1","amount":"100.00","received_on":"2025-02-05","allocations":[{"invoice":"A","amount":"100.00"}]"#),
            Self.line("a1", "invoice.adjusted", at: "2025-02-06T10:00:00Z", #""invoice":"A","amount":"25.00""#),
            Self.line("a2", "invoice.adjusted", at: "2025-02-07T10:00:00Z", #""invoice":"B","amount":"-15.00""#),
            Self.line("w1", "invoice.written_off", at: "2025-02-08T10:00:00Z", #""invoice":"B","amount":"5.00""#),
            Self.line("a3", "invoice.adjusted", at: "2025-02-09T10:00:00Z", #""invoice":"B","amount":"-20.00""#),
            // B is settled by credit notes and a write-off: a credit of 1.00 more is refused,
            // a void is not.
            Self.line("a4", "invoice.adjusted", at: "2025-02-09T11:00:00Z", #""invoice":"B","amount":"-1.00""#),
            Self.line("v1", "invoice.voided", at: "2025-02-10T10:00:00Z", #""invoice":"B""#),
            Self.line("v2", "invoice.voided", at: "2025-02-10T11:00:00Z", #""invoice":"V""#),
            Self.line("a5", "invoice.adjusted", at: "2025-02-11T10:00:00Z", #""invoice":"V","amount":"5.00""#),
            Self.line("w2", "invoice.written_off", at: "2025-05-11T10:00:00Z", #""invoice":"A""#),
            Self.line("a6", "invoice.adjusted", at: "2025-05-12T10:00:00Z", #""invoice":"A","amount":"7.00""#),
            Self.line("p2", "payment.received", at: "2025-05-13T10:00:00Z", #""payment":"P2","amount":"10.00","received_on":"2025-05-13""#),
        ], rejects: 2)
    }

    /// As of a date between a void and the later-dated reversal it needed, the void meets an
    /// allocation in force: the fold voids what is open and keeps the allocation.
    @Test func voidWithAllocationsInForceAsOf() throws {
        let h = Self.scenario([
            L.register("r1", "C"),
            Self.line("i1", "invoice.issued", at: "2025-01-02T10:00:00Z", #""invoice":"A","amount":"100.00","issued_on":"2025-01-02","due_on":"2025-01-31""#),
            Self.line("p1", "payment.received", at: "2025-01-10T10:00:00Z", #""payment":"P1","amount":"40.00","received_on":"2025-01-10""#),
            Self.line("x1", "payment.reversed", at: "2025-03-01T10:00:00Z", #""payment":"P1""#),
            Self.line("v1", "invoice.voided", at: "2025-02-01T10:00:00Z", #""invoice":"A""#),
            Self.line("i2", "invoice.issued", at: "2025-02-02T10:00:00Z", #""invoice":"B","amount":"30.00","issued_on":"2025-01-05""#),
            Self.line("p2", "payment.received", at: "2025-02-03T10:00:00Z", #""payment":"P2","amount":"50.00","received_on":"2025-02-03""#),
        ])
        // The shape is there: as of 2025-02-15, A is voided with 40.00 still allocated.
        let a = try #require(try h.log.ledger(for: "C", asOf: Timestamp.endOf(Day(parsing: "2025-02-15")!))?.invoice("A"))
        #expect(a.voided && a.paid == 4000 && a.voidedAmount == 6000)
    }

    /// Explicit allocations: two to the same invoice, one to an invoice another allocation
    /// settles, the rest FIFO, then unapplied credit; late-keyed invoices with earlier due
    /// dates take FIFO's first place; terms change between invoices (and as of before it).
    @Test func explicitAllocationsLateInvoicesAndTerms() {
        _ = Self.scenario([
            L.register("r1", "C"),
            Self.line("i1", "invoice.issued", at: "2025-02-01T10:00:00Z", #""invoice":"A","amount":"100.00","issued_on":"2025-02-01""#),
            Self.line("u1", "customer.updated", at: "2025-02-02T10:00:00Z", #""terms_days":5"#),
            Self.line("i2", "invoice.issued", at: "2025-02-03T10:00:00Z", #""invoice":"B","amount":"100.00","issued_on":"2025-02-01""#),
            // Keyed late: at before the terms change; due from the terms in force in the fold.
            Self.line("i3", "invoice.issued", at: "2025-02-01T12:00:00Z", #""invoice":"C0","amount":"10.00","issued_on":"2025-01-01""#),
            Self.line("i4", "invoice.issued", at: "2025-02-04T10:00:00Z", #""invoice":"D","amount":"60.00","issued_on":"2025-01-15","due_on":"2025-01-16""#),
            Self.line("p1", "payment.received", at: "2025-02-05T10:00:00Z",
                      #""payment":"P1","amount":"200.00","received_on":"2025-02-05","allocations":[{"invoice":"B","amount":"30.00"},{"invoice":"B","amount":"20.00"},{"invoice":"D","amount":"60.00"}]"#),
            Self.line("p2", "payment.received", at: "2025-02-06T10:00:00Z",
                      #""payment":"P2","amount":"5.00","received_on":"2025-01-01","allocations":[{"invoice":"A","amount":"5.00"}]"#),
            Self.line("u2", "customer.updated", at: "2025-02-07T10:00:00Z", #""terms_days":0"#),
            Self.line("i5", "invoice.issued", at: "2025-02-07T11:00:00Z", #""invoice":"E","amount":"1.00","issued_on":"2025-02-07""#),
            Self.line("x1", "payment.reversed", at: "2025-02-08T10:00:00Z", #""payment":"P1""#),
        ])
    }

    /// An invoice of 300 installments, paid off piecemeal, reversed, credited.
    @Test func manyInstallments() {
        var parts: [(String, String)] = []
        for k in 0..<300 { parts.append((Day(parsing: "2025-01-01")!.adding(days: (k * 37) % 400).description, "\(k % 7 + 1).00")) }
        let total = (0..<300).reduce(0) { $0 + $1 % 7 + 1 }
        var lines = [
            L.register("r1", "C", on: "2024-12-31", limit: "100.00"),
            Self.line("i1", "invoice.issued", at: "2025-01-01T10:00:00Z",
                      #""invoice":"M","amount":"\#(total).00","issued_on":"2025-01-01","installments":"# + Self.installments(parts)),
        ]
        for k in 0..<20 {
            let day = Day(parsing: "2025-02-01")!.adding(days: 20 * k)
            lines.append(Self.line("p\(k)", "payment.received", at: "\(day)T10:00:00Z", #""payment":"P\#(k)","amount":"\#(k * 3 + 1).50","received_on":"\#(day)""#))
            if k % 4 == 3 { lines.append(Self.line("x\(k)", "payment.reversed", at: "\(day)T11:00:00Z", #""payment":"P\#(k - 1)""#)) }
            if k % 5 == 4 { lines.append(Self.line("a\(k)", "invoice.adjusted", at: "\(day)T12:00:00Z", #""invoice":"M","amount":"-2.00""#)) }
            if k % 6 == 5 { lines.append(L.reviewed("rv\(k)", at: "\(day)T13:00:00Z")) }
        }
        _ = Self.scenario(lines)
    }

    /// Policy changes (another window and weights) and reviews before, between and after
    /// customers' events; a review dated before a customer's registration.
    @Test func policiesAndReviewsAtVariousDates() {
        let p = ShapeFeed.policies
        _ = Self.scenario([
            L.reviewed("rv0", at: "2024-12-01T00:00:00Z"),
            L.register("r1", "C", on: "2025-01-01", limit: "100.00"),
            L.register("r2", "D", on: "2025-03-01", limit: "0"),
            Self.line("i1", "invoice.issued", at: "2025-01-02T10:00:00Z", #""invoice":"A","amount":"100.00","issued_on":"2025-01-02","due_on":"2025-01-10""#),
            Self.line("i2", "invoice.issued", "D", at: "2025-03-02T10:00:00Z", #""invoice":"B","amount":"10.00","issued_on":"2025-03-02","due_on":"2025-03-03""#),
            L.policy("pol1", at: "2025-03-05T00:00:00Z", p[0]),
            L.reviewed("rv1", at: "2025-04-15T00:00:00Z"),
            Self.line("p1", "payment.received", at: "2025-04-16T10:00:00Z", #""payment":"P1","amount":"60.00","received_on":"2025-04-16""#),
            L.reviewed("rv2", at: "2025-02-01T00:00:00Z"),
            L.policy("pol2", at: "2025-04-17T00:00:00Z", p[1]),
            L.reviewed("rv3", at: "2025-06-15T00:00:00Z"),
            L.policy("pol3", at: "2025-06-16T00:00:00Z", p[2]),
            Self.line("x1", "payment.reversed", at: "2025-06-17T10:00:00Z", #""payment":"P1""#),
            L.policy("pol4", at: "2025-06-18T00:00:00Z", .default),
            L.reviewed("rv4", at: "2026-01-01T00:00:00Z"),
            L.policy("pol5", at: "2026-01-02T00:00:00Z", p[1]),
        ])
    }

    /// More than `deadSlotsCompactMin` invoices settle, so the hot state compacts; some come
    /// back afterwards (a reversal and positive adjustments).
    @Test func compactionThenReopening() {
        var lines = [L.register("r1", "C", on: "2024-12-31", limit: "1000.00")]
        for k in 0..<80 {
            lines.append(Self.line("i\(k)", "invoice.issued", at: "2025-01-01T10:\(String(format2: k % 60)):00Z",
                                   #""invoice":"I\#(k)","amount":"\#(k + 1).00","issued_on":"2025-01-01","due_on":"\#(Day(parsing: "2025-01-05")!.adding(days: k))""#))
        }
        lines.append(Self.line("p1", "payment.received", at: "2025-03-01T10:00:00Z", #""payment":"P1","amount":"1500.00","received_on":"2025-03-01""#))
        lines.append(Self.line("p2", "payment.received", at: "2025-03-02T10:00:00Z", #""payment":"P2","amount":"1000.00","received_on":"2025-03-02""#))
        // The shape is there: most invoices settled and the hot state compacted.
        var before = OracleHarness()
        for line in lines { before.feed(line) }
        let compacted = before.log.states["C"]
        #expect((compacted?.slots.count ?? 80) < 40, "\(String(describing: compacted?.slots.count))")
        lines.append(Self.line("x1", "payment.reversed", at: "2025-03-03T10:00:00Z", #""payment":"P1""#))
        for k in stride(from: 0, to: 80, by: 9) {
            lines.append(Self.line("a\(k)", "invoice.adjusted", at: "2025-03-04T10:00:00Z", #""invoice":"I\#(k)","amount":"1.00""#))
        }
        lines.append(Self.line("p3", "payment.received", at: "2025-03-05T10:00:00Z", #""payment":"P3","amount":"2000.00","received_on":"2025-03-05""#))
        lines.append(L.reviewed("rv1", at: "2025-06-01T00:00:00Z"))
        _ = Self.scenario(lines)
    }
}

extension String {
    /// Two digits, zero-padded.
    init(format2 v: Int) { self = v < 10 ? "0\(v)" : "\(v)" }
}
