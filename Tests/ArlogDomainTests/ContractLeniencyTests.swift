import Testing

@testable import ArlogDomain

/// Shapes the contract allows that arlog once refused ("more, never less", docs/feed.md):
/// each is accepted with the meaning documented there, folds the same way in an as-of replay,
/// and keeps the contract's dunning reset. Each test failed before the rule was relaxed.
struct ContractLeniencyTests {
    func book() -> Book {
        var b = Book()
        b.register()
        return b
    }

    func allocations(_ b: Book, _ payment: String) -> [String] {
        guard let l = b.ledger(), let p = l.payment(payment) else { return ["no payment \(payment)"] }
        return p.allocations.map { "\(l.invoice(seq: $0.invoice)?.id ?? "seq \($0.invoice)")#\($0.installment):\($0.amount)" }
    }

    // MARK: payment.received allocations

    /// `"allocations": []` is "no explicit allocations": the payment is applied automatically,
    /// exactly as without the field.
    @Test func emptyAllocationsMeanNone() throws {
        func twoInvoices() -> Book {
            var b = book()
            b.invoice("I1", "100.00", due: "2025-01-31")
            b.invoice("I2", "50.00", issued: "2025-01-02", due: "2025-01-20")
            return b
        }
        var with = twoInvoices()
        var without = twoInvoices()
        expectAccepted(with.event("payment.received", at: noon("2025-02-01"),
                                  #""payment":"P1","amount":"120.00","received_on":"2025-02-01","allocations":[]"#))
        expectAccepted(without.pay("P1", "120.00", received: "2025-02-01"))
        #expect(allocations(with, "P1") == ["I2#0:5000", "I1#0:7000"])
        #expect(allocations(with, "P1") == allocations(without, "P1"))
        #expect(with.figures() == without.figures())
        #expect(with.figures(asOf: "2025-02-01") == without.figures(asOf: "2025-02-01"))
        #expect(with.figures(asOf: "2025-01-31")["paid"] == "0.00")
    }

    /// An allocation of 0 names an invoice and applies nothing to it; its reference is still
    /// checked (unknown, another customer's, voided). A negative one is refused.
    @Test func zeroAllocationAppliesNothing() {
        var b = book()
        b.register("D")
        b.invoice("I1", "100.00", due: "2025-01-31")
        b.invoice("I2", "50.00", issued: "2025-01-02", due: "2025-03-31")
        b.invoice("V", "10.00", issued: "2025-01-02")
        b.invoice("J", "10.00", customer: "D")
        b.void("V", on: "2025-01-03")
        expectRejected(b.pay("P0", "10.00", received: "2025-02-01", allocations: [("NOPE", "0")]), .invoiceUnknown)
        expectRejected(b.pay("P0", "10.00", received: "2025-02-01", allocations: [("J", "0.00")]), .invoiceOtherCustomer)
        expectRejected(b.pay("P0", "10.00", received: "2025-02-01", allocations: [("V", "0")]), .invoiceVoided)
        expectRejected(b.pay("P0", "10.00", received: "2025-02-01", allocations: [("I2", "-0.01")]), .moneySign)
        expectAccepted(b.pay("P1", "30.00", received: "2025-02-01", allocations: [("I2", "0.00"), ("I1", "-0")]))
        // Nothing went to I2 explicitly; automatic application took I1 (earlier due date).
        #expect(allocations(b, "P1") == ["I1#0:3000"])
        #expect(b.figures()["open"] == "120.00")
        #expect(b.figures(asOf: "2025-02-01")["open"] == "120.00")
    }

    // MARK: invoice.issued installments

    /// An empty installment list cannot sum to an amount > 0: the contract's sum rule refuses
    /// it, under invoice.installments, with or without due_on.
    @Test func emptyInstallmentsBreakTheSumRule() {
        var b = book()
        let o = b.invoice("I1", "10.00", installments: [])
        expectRejected(o, .installments)
        if case .rejected(let r, _) = o { #expect(r.message.contains("sum to 0")) }
        expectRejected(b.event("invoice.issued", at: noon("2025-01-01"),
                               #""invoice":"I1","amount":"10.00","issued_on":"2025-01-01","due_on":"2025-01-31","installments":[]"#),
                       .installments)
        #expect(b.log.events.count == 1)
    }

    /// The contract sets no order between installments and issued_on: an installment due
    /// before issue is accepted, overdue from the start, and ages and counts days late from its
    /// own due date. A single due_on before issued_on stays refused (the contract's rule).
    @Test func installmentDueBeforeIssue() {
        var b = book()
        expectRejected(b.invoice("I0", "10.00", issued: "2025-02-10", due: "2025-02-09"), .dueBeforeIssue)
        expectAccepted(b.invoice("I1", "100.00", issued: "2025-02-10",
                                 installments: [("2025-03-10", "60.00"), ("2025-01-31", "40.00")]))
        #expect(b.ledger()?.invoice("I1")?.installments.map(\.dueOn.description) == ["2025-01-31", "2025-03-10"])
        let aging = b.aging(asOf: "2025-02-10")
        let row = aging.customers.first
        #expect(row.map { agingFigures(aging, $0)["1-30"] } == "40.00")
        #expect(row.map { agingFigures(aging, $0)["current"] } == "60.00")
        // Paid on issue: 10 days late on the first installment, on time on the second.
        expectAccepted(b.pay("P1", "100.00", received: "2025-02-10"))
        #expect(b.figures()["avg_days_late"] == "4.0")
        // Dunning on an overdue installment, reset by the payment that clears it.
        expectAccepted(b.invoice("I2", "10.00", issued: "2025-02-11", installments: [("2025-02-01", "10.00")]))
        expectAccepted(b.dun(1, on: "2025-02-11"))
        expectAccepted(b.pay("P2", "10.00", received: "2025-02-12"))
        #expect(b.figures()["dunning_level"] == "0")
        #expect(b.figures(asOf: "2025-02-11")["dunning_level"] == "1")
    }

    // MARK: customer.registered / customer.updated

    /// customer.updated takes "any of" its fields, none included: the event is logged, counts
    /// as one of the customer's events, and changes nothing. Fields arlog does not know (here
    /// credit_limit, which only credit_limit.changed sets) are kept and ignored as everywhere.
    @Test func emptyUpdateIsALoggedNoOp() throws {
        var b = book()
        b.invoice("I1", "10.00")
        let before = try #require(b.ledger())
        let figures = b.figures()
        expectAccepted(b.event("customer.updated", id: "u1", at: noon("2025-01-02")))
        expectAccepted(b.event("customer.updated", id: "u2", at: noon("2025-01-03"), #""credit_limit":"5.00","x_source":"crm""#))
        let after = try #require(b.ledger())
        #expect(after.profile == before.profile)
        #expect(after.eventCount == before.eventCount + 2)
        #expect(b.figures() == figures)
        #expect(b.log.events.map(\.event.id).suffix(2) == ["u1", "u2"])
        // A replay gives the live ledger (without the risk projection, which replays do not run).
        #expect(try b.log.ledger(for: "C", asOf: nil).map(withoutRisk) == b.ledger().map(withoutRisk))
        #expect(b.figures(asOf: "2025-01-02") == figures)
        // Idempotent like any event.
        #expect(b.event("customer.updated", id: "u1", at: noon("2025-01-02")).isDuplicate)
        // An update still needs the registration first.
        expectRejected(b.event("customer.updated", "NEW", at: noon("2025-01-02")), .unregistered)
    }

    /// Profile texts may be empty (the contract sets no minimum): a registration with an empty
    /// name is kept, and an update with an empty text sets it to empty.
    @Test func emptyProfileTexts() throws {
        var b = Book()
        expectAccepted(b.event("customer.registered", at: noon("2025-01-01"),
                               #""name":"","currency":"EUR","terms_days":30,"credit_limit":"0","industry":"","contact":"","email":"""#))
        #expect(b.ledger()?.profile.name == "")
        expectAccepted(b.invoice("I1", "10.00"))
        expectAccepted(b.event("customer.updated", at: noon("2025-01-02"), #""name":"Acme","email":"ar@acme.example""#))
        expectAccepted(b.event("customer.updated", at: noon("2025-01-03"), #""email":"""#))
        let p = try #require(b.ledger()?.profile)
        #expect(p.name == "Acme")
        #expect(p.email == "")
    }

    /// terms_days and level are JSON integers: any spelling of a whole number counts (as in
    /// JSON Schema), and equal spellings are the same content for duplicates.
    @Test(arguments: [("30", 30), ("30.0", 30), ("3e1", 30), ("3E+1", 30), ("300e-1", 30), ("30.000", 30), ("-0", 0), ("0.0e5", 0)])
    func wholeNumbersInAnySpelling(_ text: String, _ value: Int) throws {
        var b = Book()
        let line = eventLine("r1", "customer.registered", at: noon("2025-01-01"),
                             #""name":"N","currency":"EUR","terms_days":\#(text),"credit_limit":"0""#)
        expectAccepted(b.raw(line))
        #expect(b.ledger()?.profile.termsDays == value)
        #expect(b.raw(line.replacingOccurrences(of: "\"terms_days\":\(text)", with: "\"terms_days\":\(value)")).isDuplicate)
        expectAccepted(b.event("dunning.action", at: noon("2025-01-02"), #""level":2.0e0,"channel":"letter""#))
        #expect(b.figures()["dunning_level"] == "2")
    }

    @Test(arguments: [
        ("30", JSONNumber.Whole.value(30)), ("-0", .value(0)), ("0.000", .value(0)), ("2.50e1", .value(25)),
        ("1e18", .value(1_000_000_000_000_000_000)), ("9223372036854775807", .value(Int64.max)),
        ("-9223372036854775808", .value(Int64.min)), ("9223372036854775808", .tooLarge), ("1e19", .tooLarge),
        ("0e99999999999999999999", .value(0)), ("1e99999999999999999999", .tooLarge),
        ("1e-99999999999999999999", .fraction), ("30.5", .fraction), ("1e-1", .fraction), ("0.1e1", .value(1)),
    ])
    func wholeValueOfANumber(_ text: String, _ want: JSONNumber.Whole) {
        #expect(JSONNumber(text: text).whole == want, "\(text)")
    }

    // MARK: invoice.written_off / invoice.voided

    /// A write-off without an amount writes off "all of it", which may be nothing: accepted,
    /// changes no amount, and (a write-off) is judged for the dunning reset. An explicit amount
    /// on an invoice with nothing open exceeds it and stays refused.
    @Test func writeOffOfNothingOpen() {
        var b = book()
        b.invoice("I1", "100.00", due: "2025-01-31")
        expectAccepted(b.pay("P1", "100.00", received: "2025-02-10"))
        expectAccepted(b.dun(2, on: "2025-02-15"))
        expectRejected(b.writeOff("I1", "0.01", on: "2025-02-20"), .nothingOpen)
        expectAccepted(b.writeOff("I1", on: "2025-02-20"))
        var f = b.figures()
        #expect(f["written_off"] == "0.00")
        #expect(f["balance"] == "0.00")
        #expect(f["dunning_level"] == "0")
        #expect(b.figures(asOf: "2025-02-19")["dunning_level"] == "2")
        #expect(b.figures(asOf: "2025-02-20")["dunning_level"] == "0")
        // Reversing the payment reopens the invoice; a write-off then takes what is open.
        expectAccepted(b.reverse("P1", on: "2025-02-21"))
        expectAccepted(b.writeOff("I1", on: "2025-02-22"))
        f = b.figures()
        #expect(f["written_off"] == "100.00")
        #expect(f["open"] == "0.00")
    }

    /// Voiding a voided invoice again is accepted and changes no amount (the contract refuses
    /// adjustments, write-offs and allocations on a voided invoice, not a repeated void); like
    /// any void it is judged for the dunning reset.
    @Test func repeatedVoid() {
        var b = book()
        b.invoice("I1", "100.00", due: "2025-01-31")
        b.invoice("I2", "50.00", due: "2025-01-15")
        expectAccepted(b.void("I1", on: "2025-02-01"))
        expectAccepted(b.pay("P1", "50.00", received: "2025-02-05"))
        expectAccepted(b.dun(3, on: "2025-02-10"))
        expectAccepted(b.void("I1", on: "2025-02-11"))
        let f = b.figures()
        #expect(f["voided"] == "100.00")
        #expect(f["balance"] == "0.00")
        #expect(f["dunning_level"] == "0")
        #expect(b.figures(asOf: "2025-02-10")["dunning_level"] == "3")
        #expect(b.figures(asOf: "2025-02-11") == f)
        // Still no adjustment, write-off or allocation on it.
        expectRejected(b.adjust("I1", "5.00", on: "2025-02-12"), .invoiceVoided)
        expectRejected(b.writeOff("I1", on: "2025-02-12"), .invoiceVoided)
    }

    // MARK: lines and envelope

    /// A UTF-8 byte-order mark starting a line (Windows exports; concatenated exports) is not
    /// part of the event: dropped before parsing and not stored. Anywhere else it is a JSON
    /// error with a message saying so.
    @Test func byteOrderMarkStartingALine() throws {
        var log = InMemoryLog()
        let reg = eventLine("r1", "customer.registered", at: noon("2025-01-01"), #""name":"N","currency":"EUR","terms_days":30,"credit_limit":"0""#)
        let inv = eventLine("i1", "invoice.issued", at: noon("2025-01-02"), #""invoice":"I1","amount":"1.00","issued_on":"2025-01-02""#)
        let inv2 = eventLine("i2", "invoice.issued", at: noon("2025-01-02"), #""invoice":"I2","amount":"1.00","issued_on":"2025-01-02""#)
        let outcomes = try log.ingest("\u{FEFF}" + reg + "\r\n" + "\u{FEFF}" + inv + "\r\n  \u{FEFF}" + inv2 + "\n\u{FEFF}\n")
        #expect(outcomes.count == 3)
        #expect(outcomes[0].isAccepted && outcomes[1].isAccepted)
        #expect(log.events.map { String(decoding: $0.raw, as: UTF8.self) } == [reg, inv])
        guard case .rejected(let r, _) = outcomes[2] else { Issue.record("\(outcomes[2].summary)"); return }
        #expect(r.rule == .json)
        #expect(r.message.contains("byte-order mark"))
    }

    /// RFC 3339 bounds no fraction: any number of digits is accepted (kept to the nanosecond),
    /// in time linear in its length.
    @Test func longFractionsOfSeconds() throws {
        for digits in [10, 40, 100, 100_000] {
            let text = "2025-03-01T09:30:00." + String(repeating: "9", count: digits) + "+01:00"
            let t = try #require(Timestamp(parsing: text), "\(digits) digits")
            #expect(t == Timestamp(parsing: "2025-03-01T08:30:00.999999999Z"))
        }
        var b = Book()
        expectAccepted(b.register(at: "2025-01-01T00:00:00." + String(repeating: "0", count: 60) + "1Z"))
        #expect(Timestamp(parsing: "2025-03-01T09:30:00.Z") == nil)
        #expect(Timestamp(parsing: "2025-03-01T09:30:00.5") == nil)
        #expect(Timestamp(parsing: "2025-03-01T09:30:00.5+01:00x") == nil)
    }

    /// A hostile value is quoted in a rejection cut short; the rejects file keeps the line.
    @Test func rejectionMessagesQuoteLongValuesShort() {
        var b = book()
        let long = String(repeating: "x", count: 100_000)
        for line in [eventLine("e1", long, at: noon("2025-01-02")),
                     eventLine("e1", "dunning.action", at: noon("2025-01-02"), #""level":1,"channel":"\#(long)""#),
                     eventLine("e1", "invoice.issued", at: noon("2025-01-02"), #""invoice":"I1","amount":"\#(long)","issued_on":"2025-01-02""#),
                     #"{"id":"e1","\#(long)":1,"\#(long)":2}"#] {
            let o = b.raw(line)
            guard case .rejected(let r, _) = o else { Issue.record("accepted"); continue }
            #expect(r.message.utf8.count < 300, "\(r.rule): \(r.message.prefix(80))")
        }
    }
}
