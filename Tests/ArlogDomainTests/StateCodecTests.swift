import Testing

@testable import ArlogDomain

/// The stored forms of a customer: the hot state and the cold records (invoices, payments,
/// profile). decode(encode(x)) is x, a decoded state folds on exactly like the original, and a
/// damaged record is an error, never a crash.
struct StateCodecTests {
    func richBook() -> Book {
        var b = Book()
        b.register(currency: "BHD", limit: "100.000")
        b.event("customer.updated", at: noon("2025-01-01"), #""industry":"é ☃ 𝄞","email":"x@y","contact":"""#)  // rejected: empty contact
        expectAccepted(b.event("customer.updated", at: noon("2025-01-01"), #""industry":"é ☃ 𝄞","email":"x@y","contact":"☎""#))
        b.invoice("I1", "100.125", issued: "2025-01-01", installments: [("2025-02-01", "40.000"), ("2025-01-15", "60.125")])
        b.invoice("I2", "50.000", issued: "2025-01-03")
        b.invoice("I3", "7.000", issued: "2025-01-03")
        b.adjust("I1", "5.000", on: "2025-01-04")
        b.adjust("I2", "-5.000", on: "2025-01-04")
        b.dun(2, on: "2025-01-20")
        b.pay("P1", "80.000", received: "2025-01-21", allocations: [("I2", "10.000")])
        b.pay("P2", "100.000", received: "2025-01-22", at: "2025-01-22T12:00:00.123456789Z")
        b.reverse("P1", on: "2025-01-23")
        b.writeOff("I2", "1.000", on: "2025-01-24")
        b.void("I3", on: "2025-01-25")
        b.dun(1, on: "2025-01-26")
        // Feed v1.1: an open dispute, a superseded and a pending promise, an invoice's level.
        expectAccepted(b.dispute("I1", amount: "3.000", reason: "late ☃", on: "2025-01-26"))
        expectAccepted(b.promise("5.000", by: "2025-02-10", invoice: "I1", on: "2025-01-26"))
        expectAccepted(b.promise("9.000", by: "2025-02-12", on: "2025-01-27"))
        expectAccepted(b.dun(2, invoice: "I1", on: "2025-01-27"))
        expectAccepted(b.event("collection.contact", at: noon("2025-01-27"), #""outcome":"wrong_contact""#))
        return b
    }

    static func decodeState(_ bytes: [UInt8]) throws -> CustomerState { try bytes.withUnsafeBytes { try StateCodec.decodeState($0) } }
    static func decodeInvoice(_ bytes: [UInt8]) throws -> InvoiceState { try bytes.withUnsafeBytes { try StateCodec.decodeInvoice($0) } }
    static func decodePayment(_ bytes: [UInt8]) throws -> PaymentState { try bytes.withUnsafeBytes { try StateCodec.decodePayment($0) } }
    static func decodeProfile(_ bytes: [UInt8]) throws -> ProfileText { try bytes.withUnsafeBytes { try StateCodec.decodeProfile($0) } }

    @Test func roundTrip() throws {
        let b = richBook()
        let l = try #require(b.ledger())
        #expect(l.state.brokenInvariants() == [])
        let bytes = StateCodec.encode(l.state)
        #expect(bytes.first == StateCodec.stateVersion)
        let back = try Self.decodeState(bytes)
        #expect(back == l.state)
        #expect(back.brokenInvariants() == [])
        #expect(BalanceReport(customer: "C", state: back) == BalanceReport(l))
        #expect(back.openInstallments.map { "\($0.dueOn) \($0.open)" } == l.state.openInstallments.map { "\($0.dueOn) \($0.open)" })
        let day = Day(parsing: "2025-03-31")!
        #expect(back.aging(on: day, edges: [30, 60, 90]) == l.state.aging(on: day, edges: [30, 60, 90]))
        #expect(back.risk == l.state.risk)
        #expect(back.risk.last != nil)
        #expect(back.disputes.count == 1 && back.promises.count == 2 && back.promises[0].superseded)
        #expect(back.lastContact?.outcome == .wrongContact)
        #expect(back.collectionItems == l.state.collectionItems && back.collectionItems.contains { $0.dunningLevel == 2 })
        // Every cold record, and the profile.
        #expect(l.invoices.count == 3)
        #expect(l.payments.count == 2)
        for inv in b.log.cold.invoices.values {
            let bytes = StateCodec.encode(inv)
            #expect(bytes.first == StateCodec.invoiceVersion)
            #expect(try Self.decodeInvoice(bytes) == inv)
        }
        for p in b.log.cold.payments.values {
            let bytes = StateCodec.encode(p)
            #expect(bytes.first == StateCodec.paymentVersion)
            #expect(try Self.decodePayment(bytes) == p)
        }
        let profile = try #require(b.log.cold.profiles["C"])
        #expect(profile == ProfileText(name: "Name of C", industry: "é ☃ 𝄞", contact: "☎", email: "x@y"))
        #expect(try Self.decodeProfile(StateCodec.encode(profile)) == profile)
        #expect(try Self.decodeProfile(StateCodec.encode(ProfileText(name: ""))) == ProfileText(name: ""))
    }

    /// A decoded state, with decoded cold records, folds further events exactly like the original.
    @Test func decodedStateKeepsFolding() throws {
        let b = richBook()
        let start = try #require(b.log.states["C"])
        var original: CustomerState? = start
        var decoded: CustomerState? = try Self.decodeState(StateCodec.encode(start))
        var originalCold = b.log.cold
        var decodedCold = MemoryCold()
        for inv in b.log.cold.invoices.values { decodedCold.put(try Self.decodeInvoice(StateCodec.encode(inv))) }
        for p in b.log.cold.payments.values { decodedCold.put(try Self.decodePayment(StateCodec.encode(p))) }
        for (c, t) in b.log.cold.profiles { decodedCold.put(try Self.decodeProfile(StateCodec.encode(t)), of: c) }
        var next = b
        expectAccepted(next.pay("P3", "30.000", received: "2025-02-01"))
        expectAccepted(next.reverse("P2", on: "2025-02-02"))
        expectAccepted(next.adjust("I1", "-1.000", on: "2025-02-03"))
        expectAccepted(next.adjust("I1", "2.000", on: "2025-02-03"))
        for entry in next.log.events.suffix(4) {
            try entry.binary.withUnsafeBytes { raw in
                let e = try LoggedEvent(raw)
                try FoldStep.apply(e, seq: entry.seq, customer: "C", to: &original, cold: &originalCold)
                try FoldStep.apply(e, seq: entry.seq, customer: "C", to: &decoded, cold: &decodedCold)
            }
        }
        #expect(decoded == original)
        #expect(decoded?.brokenInvariants() == [])
        #expect(decodedCold.invoices == originalCold.invoices)
        #expect(decodedCold.payments == originalCold.payments)
        // The live log folded the same events (and evaluated the risk after each).
        var live = try #require(next.log.states["C"])
        live.risk = RiskSweep(sweepDay: live.registeredAt.utcDay)
        var folded = try #require(decoded)
        folded.risk = RiskSweep(sweepDay: folded.registeredAt.utcDay)
        #expect(folded == live)
        #expect(decodedCold.invoices == next.log.cold.invoices)
        #expect(decodedCold.payments == next.log.cold.payments)
    }

    /// Varints: every width round-trips, signed values by zigzag; a form that is not the
    /// shortest (a trailing zero group) or that runs past 64 or 128 bits is corrupt.
    @Test func varintsRoundTripAndOnlyTheirShortestFormDecodes() throws {
        let unsigned: [UInt64] = [0, 1, 127, 128, 255, 16_383, 16_384, 1 << 32, UInt64.max >> 1, UInt64.max - 1, UInt64.max]
        let signed: [Int64] = [0, -1, 1, -64, 64, -65, Int64(Int32.min), Int64.min, Int64.max]
        let wide: [Int128] = [0, -1, 1, Int128(Int64.min) - 1, Int128.max, Int128.min]
        var w = BinaryWriter()
        for v in unsigned { w.varint(v) }
        for v in signed { w.svarint(v) }
        for v in wide { w.svarint128(v) }
        try w.bytes.withUnsafeBytes { raw in
            var r = BinaryReader(raw)
            for v in unsigned { #expect(try r.varint() == v) }
            for v in signed { #expect(try r.svarint() == v) }
            for v in wide { #expect(try r.svarint128() == v) }
            try r.end()
        }
        var one = BinaryWriter()
        one.varint(300)
        #expect(one.bytes == [0xAC, 0x02])
        let refused: [[UInt8]] = [
            [0x80, 0x00],  // 0 in two bytes
            [0xAC, 0x82, 0x00],  // 300 with a trailing zero group
            Array(repeating: 0xFF, count: 9) + [0x02],  // 65 bits
            Array(repeating: 0xFF, count: 11),  // never ends
            [0x80],  // truncated
        ]
        for bytes in refused {
            #expect(throws: StoredDataError.self, "\(bytes)") { try bytes.withUnsafeBytes { raw in var r = BinaryReader(raw); _ = try r.varint() } }
        }
        let tooWide = Array(repeating: UInt8(0xFF), count: 18) + [0x04]  // 130 bits
        #expect(throws: StoredDataError.self) { try tooWide.withUnsafeBytes { raw in var r = BinaryReader(raw); _ = try r.varint128() } }
    }

    /// The stored state is compact: a long payment record costs a few bytes per entry (a
    /// state is rewritten whole at every commit that touches it), far below the 37 bytes of
    /// the fixed-width form, and it still decodes to the same state.
    @Test func aLongPaymentRecordIsStoredInAFewBytesPerEntry() throws {
        var b = Book()
        b.register(currency: "EUR", limit: "1000000.00")
        b.invoice("I1", "100000.00", issued: "2025-01-01")
        var day = Day(parsing: "2025-01-02")!
        for k in 0..<200 {
            expectAccepted(b.pay("P\(k)", "10.00", received: "\(day)", allocations: [("I1", "10.00")]))
            day = day.adding(days: 1)
        }
        let state = try #require(b.log.states["C"])
        #expect(state.payments.count == 200)
        let bytes = StateCodec.encode(state)
        #expect(bytes.count < 200 * 12, "\(bytes.count) bytes for 200 payment entries")
        #expect(try Self.decodeState(bytes) == state)
    }

    @Test func truncatedOrDamagedRecordsThrow() throws {
        let b = richBook()
        let state = try #require(b.log.states["C"])
        let invoice = try #require(b.log.cold.invoices.values.first { $0.installments.count == 2 })
        let payment = try #require(b.log.cold.payments.values.first { !$0.allocations.isEmpty })
        let profile = try #require(b.log.cold.profiles["C"])
        let records: [(name: String, bytes: [UInt8], version: UInt8, decode: ([UInt8]) throws -> Void)] = [
            ("state", StateCodec.encode(state), StateCodec.stateVersion, { _ = try Self.decodeState($0) }),
            ("invoice", StateCodec.encode(invoice), StateCodec.invoiceVersion, { _ = try Self.decodeInvoice($0) }),
            ("payment", StateCodec.encode(payment), StateCodec.paymentVersion, { _ = try Self.decodePayment($0) }),
            ("profile", StateCodec.encode(profile), StateCodec.profileVersion, { _ = try Self.decodeProfile($0) }),
        ]
        for (name, bytes, version, decode) in records {
            try decode(bytes)
            var crashesAvoided = 0
            for n in 0..<bytes.count {
                do {
                    try decode(Array(bytes.prefix(n)))
                    Issue.record("a \(name) record truncated to \(n) of \(bytes.count) bytes decoded")
                } catch is StoredDataError {
                    crashesAvoided += 1
                }
            }
            #expect(crashesAvoided == bytes.count, "\(name)")
            var wrongVersion = bytes
            wrongVersion[0] = version &+ 1
            #expect(throws: StoredDataError.self, "\(name)") { try decode(wrongVersion) }
            #expect(throws: StoredDataError.self, "\(name)") { try decode(bytes + [0]) }
        }
    }

    /// Stored figures that decode one by one but whose sums leave Int64 (or Int128): an
    /// error when decoding, never a trap later (payment entries are summed when the state is
    /// decoded, an invoice's installments whenever its open amount is read).
    @Test func figuresThatCannotBeSummedAreCorrupt() throws {
        var s = CustomerState(currency: Currency(code: "EUR")!, termsDays: 30, creditLimit: 0,
                              registeredAt: Timestamp(parsing: "2025-01-01T00:00:00Z")!, registeredOn: nil)
        let day = Day(parsing: "2025-02-01")!
        let big = Int64.max / 2 + 1
        // Two payments whose allocated amounts sum past Int64.
        var t = s
        t.totals.paid = 2
        t.totals.unapplied = 2
        t.payments = [PaymentEntry(seq: 2, receivedOn: day, weighted: 0, amount: big), PaymentEntry(seq: 3, receivedOn: day, weighted: 0, amount: big)]
        #expect(throws: StoredDataError.self) { try Self.decodeState(StateCodec.encode(t)) }
        // Payments in force that allocate more than the paid total (whose sums would grow past
        // Int64 with later payments), each within range.
        t.payments = (0..<3).map { PaymentEntry(seq: UInt64(2 + $0), receivedOn: day, weighted: 0, amount: Money.amountMinorMax) }
        #expect(throws: StoredDataError.self) { try Self.decodeState(StateCodec.encode(t)) }
        // Two payments whose days-late weights sum past Int128.
        t.payments = [PaymentEntry(seq: 2, receivedOn: day, weighted: Int128.max / 2 + 1, amount: 1),
                      PaymentEntry(seq: 3, receivedOn: day, weighted: Int128.max / 2 + 1, amount: 1)]
        #expect(throws: StoredDataError.self) { try Self.decodeState(StateCodec.encode(t)) }
        // The same entries with sane figures decode.
        t.payments = [PaymentEntry(seq: 2, receivedOn: day, weighted: 10, amount: 1), PaymentEntry(seq: 3, receivedOn: day, weighted: -3, amount: 1)]
        t.recomputePaymentSums(from: 0)
        #expect(try Self.decodeState(StateCodec.encode(t)) == t)
        s.totals = Totals()

        // An invoice record whose installments sum past Int64.
        let inv = InvoiceState(seq: 2, id: "I1", issuedOn: day, issuedAt: Timestamp(parsing: "2025-02-01T00:00:00Z")!, amount: 100,
                               installments: [Installment(dueOn: day, amount: big, open: big), Installment(dueOn: day, amount: big, open: big)])
        #expect(throws: StoredDataError.self) { try Self.decodeInvoice(StateCodec.encode(inv)) }
        var sane = inv
        sane.installments = [Installment(dueOn: day, amount: 60, open: 10), Installment(dueOn: day, amount: 40, open: 40)]
        #expect(try Self.decodeInvoice(StateCodec.encode(sane)).open == 50)
    }

    /// Totals that keep the balance identity but break what the fold keeps true (more open
    /// than invoiced, more unapplied than paid) are corrupt: the next invoice would add past
    /// Int64 to a figure the validator never bounded.
    @Test func totalsBeyondWhatWasInvoicedOrPaidAreCorrupt() throws {
        let s = CustomerState(currency: Currency(code: "EUR")!, termsDays: 30, creditLimit: 0,
                              registeredAt: Timestamp(parsing: "2025-01-01T00:00:00Z")!, registeredOn: nil)
        // open − unapplied = invoiced − paid holds (0 = 0), yet nothing was invoiced or paid.
        var t = s
        t.totals.open = Int64.max - 10
        t.totals.unapplied = Int64.max - 10
        do {
            _ = try Self.decodeState(StateCodec.encode(t))
            Issue.record("decoded totals with more open than invoiced")
        } catch {
            // Refused for the totals themselves, before the slots are read.
            #expect((error as? StoredDataError)?.message.hasPrefix("totals out of range") == true, "\(error)")
        }
        // Sane totals of the same shape decode (nothing open, a payment left unapplied).
        t.totals = Totals()
        t.totals.paid = 500
        t.totals.unapplied = 500
        #expect(try Self.decodeState(StateCodec.encode(t)) == t)
    }
}

