import Testing

@testable import ArlogDomain

extension Book {
    @discardableResult
    mutating func dispute(_ invoice: String, amount: String? = nil, reason: String? = nil, on: String, customer: String = "C", at: String? = nil, id: String? = nil) -> IntakeOutcome {
        var body = "\"invoice\":\"\(invoice)\""
        if let amount { body += ",\"amount\":\"\(amount)\"" }
        if let reason { body += ",\"reason\":\"\(reason)\"" }
        return event("dispute.opened", customer, id: id, at: at ?? noon(on), body)
    }

    @discardableResult
    mutating func resolve(_ invoice: String, _ outcome: String = "upheld", on: String, customer: String = "C", at: String? = nil) -> IntakeOutcome {
        event("dispute.resolved", customer, at: at ?? noon(on), "\"invoice\":\"\(invoice)\",\"outcome\":\"\(outcome)\"")
    }

    @discardableResult
    mutating func promise(_ amount: String, by promisedOn: String, invoice: String? = nil, on: String, customer: String = "C", at: String? = nil, id: String? = nil) -> IntakeOutcome {
        var body = "\"amount\":\"\(amount)\",\"promised_on\":\"\(promisedOn)\""
        if let invoice { body += ",\"invoice\":\"\(invoice)\"" }
        return event("promise.recorded", customer, id: id, at: at ?? noon(on), body)
    }

    /// The customer's state now, or as of the end of `asOf`.
    func state(_ customer: String = "C", asOf: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) -> CustomerState? {
        if let asOf { return ledger(customer, asOf: asOf, sourceLocation: sourceLocation)?.state }
        return ledger(customer)?.state
    }

    /// (kept, broken, pending promise as "amount by date [invoice]") judged on `day`.
    func promises(on day: String, asOf: String? = nil) -> String {
        guard let s = state(asOf: asOf) else { return "no customer" }
        let f = s.promiseFigures(on: Day(parsing: day)!)
        let pending = f.pending.map { "\(Money.format($0.amount, fractionDigits: 2)) by \($0.promisedOn)\($0.invoice.map { " " + $0 } ?? "")" } ?? "none"
        return "kept \(f.kept) broken \(f.broken) pending \(pending)"
    }

    func disputed(asOf: String? = nil) -> String {
        Money.format(state(asOf: asOf)?.disputed ?? -1, fractionDigits: 2)
    }
}

/// Feed v1.1: every acceptance and rejection rule of disputes and promises, the disputed
/// amount's life, promises judged afresh on each date, superseding, as-of answers, and the
/// open invoices' dunning levels.
struct DisputesPromisesTests {
    func book() -> Book {
        var b = Book()
        b.register(terms: 10)
        b.invoice("I1", "1000.00", issued: "2025-01-01")
        b.invoice("I2", "500.00", issued: "2025-01-02")
        return b
    }

    // MARK: dispute.opened

    @Test func disputeOpenedRules() {
        var b = book()
        b.register("OTHER")
        b.invoice("X1", "10.00", issued: "2025-01-01", customer: "OTHER")
        expectRejected(b.dispute("I1", amount: "1000.01", on: "2025-01-05"), .exceedsOpen)
        expectRejected(b.dispute("I1", amount: "0.00", on: "2025-01-05"), .moneySign)
        expectRejected(b.dispute("I1", amount: "-1.00", on: "2025-01-05"), .moneySign)
        expectRejected(b.dispute("I1", amount: "1.001", on: "2025-01-05"), .moneyPrecision)
        expectRejected(b.dispute("I1", amount: "1", reason: String(repeating: "r", count: 201), on: "2025-01-05"), .fieldInvalid)
        expectRejected(b.event("dispute.opened", at: noon("2025-01-05"), #""invoice":"I1","reason":null"#), .fieldType)
        expectRejected(b.event("dispute.opened", at: noon("2025-01-05"), #""amount":"1.00""#), .fieldMissing)
        expectRejected(b.dispute("NOPE", on: "2025-01-05"), .invoiceUnknown)
        expectRejected(b.dispute("X1", on: "2025-01-05"), .invoiceOtherCustomer)
        expectRejected(b.dispute("I2", on: "2025-01-05", at: "2025-01-02T06:00:00Z"), .beforeReference)
        // A reason of exactly 200 characters (scalars), and an empty one.
        expectAccepted(b.dispute("I1", amount: "400.00", reason: String(repeating: "é", count: 200), on: "2025-01-05"))
        expectRejected(b.dispute("I1", on: "2025-01-06"), .disputeOpen)
        expectAccepted(b.dispute("I2", reason: "", on: "2025-01-06"))
        #expect(b.disputed() == "900.00")
        // A voided invoice cannot be disputed.
        b.invoice("I3", "50.00", issued: "2025-01-03")
        b.void("I3", on: "2025-01-04")
        expectRejected(b.dispute("I3", on: "2025-01-05"), .invoiceVoided)
    }

    @Test func anInvoiceWithNothingOpenMayBeDisputedWithoutAnAmount() {
        var b = book()
        b.pay("P1", "1000.00", received: "2025-01-05", allocations: [("I1", "1000.00")])
        expectRejected(b.dispute("I1", amount: "1.00", on: "2025-01-06"), .nothingOpen)
        expectAccepted(b.dispute("I1", on: "2025-01-06"))
        #expect(b.disputed() == "0.00")
        // Its dispute is of 0: a reversal reopens the invoice, not the disputed amount.
        b.reverse("P1", on: "2025-01-07")
        #expect(b.disputed() == "0.00")
        #expect(b.state()?.collectionItems.first { $0.invoice == "I1" }?.disputeOpen == true)
        expectRejected(b.dispute("I1", on: "2025-01-08"), .disputeOpen)
    }

    // MARK: dispute.resolved

    @Test func disputeResolvedRules() {
        var b = book()
        expectRejected(b.resolve("I1", on: "2025-01-05"), .disputeNotOpen)
        expectAccepted(b.dispute("I1", amount: "100.00", on: "2025-01-05"))
        expectRejected(b.resolve("I1", "withdrawn", on: "2025-01-06"), .fieldInvalid)
        expectRejected(b.event("dispute.resolved", at: noon("2025-01-06"), #""invoice":"I1""#), .fieldMissing)
        expectRejected(b.event("dispute.resolved", at: noon("2025-01-06"), #""invoice":"I1","outcome":1"#), .fieldType)
        // Earlier than the opening it resolves (but not than the invoice).
        expectRejected(b.resolve("I1", on: "2025-01-04"), .beforeReference)
        expectRejected(b.resolve("I2", on: "2025-01-06"), .disputeNotOpen)
        expectAccepted(b.resolve("I1", "rejected", on: "2025-01-06"))
        // Resolving changes no amount.
        #expect(b.figures()["open"] == "1500.00")
        #expect(b.disputed() == "0.00")
        expectRejected(b.resolve("I1", on: "2025-01-07"), .disputeNotOpen)
        // After a dispute ends a new one may be opened.
        expectAccepted(b.dispute("I1", on: "2025-01-08"))
        #expect(b.disputed() == "1000.00")
        expectAccepted(b.resolve("I1", "upheld", on: "2025-01-08", at: "2025-01-08T12:00:00Z"))
    }

    // MARK: the disputed amount

    @Test func disputedAmountFollowsWhatIsOpenNeverAboveTheDispute() {
        var b = book()
        expectAccepted(b.dispute("I1", amount: "600.00", on: "2025-01-05"))
        #expect(b.disputed() == "600.00")
        b.pay("P1", "300.00", received: "2025-01-06", allocations: [("I1", "300.00")])
        #expect(b.disputed() == "600.00")  // 700 open
        b.adjust("I1", "-200.00", on: "2025-01-07")
        #expect(b.disputed() == "500.00")  // 500 open
        b.adjust("I1", "250.00", on: "2025-01-08")
        #expect(b.disputed() == "600.00")  // 750 open: back up to the dispute's amount, not above
        // A payment that leaves nothing open does not end the dispute; its reversal brings it back.
        b.pay("P2", "750.00", received: "2025-01-09", allocations: [("I1", "750.00")])
        #expect(b.disputed() == "0.00")
        #expect(b.state()?.disputes.count == 1)
        b.reverse("P2", on: "2025-01-10")
        #expect(b.disputed() == "600.00")
        // A write-off that leaves something open does not end it; one that leaves nothing does.
        b.writeOff("I1", "100.00", on: "2025-01-11")
        #expect(b.disputed() == "600.00")
        b.writeOff("I1", on: "2025-01-12")
        #expect(b.state()?.disputes.isEmpty == true)
        b.adjust("I1", "50.00", on: "2025-01-13")
        #expect(b.disputed() == "0.00")
        // A void ends a dispute too.
        expectAccepted(b.dispute("I2", on: "2025-01-14"))
        #expect(b.disputed() == "500.00")
        b.void("I2", on: "2025-01-15")
        #expect(b.state()?.disputes.isEmpty == true)
        #expect(b.disputed() == "0.00")
    }

    @Test func disputesAsOf() {
        var b = book()
        expectAccepted(b.dispute("I1", on: "2025-01-05"))
        b.pay("P1", "400.00", received: "2025-01-06", allocations: [("I1", "400.00")])
        expectAccepted(b.resolve("I1", on: "2025-01-08"))
        #expect(b.disputed(asOf: "2025-01-04") == "0.00")
        #expect(b.disputed(asOf: "2025-01-05") == "1000.00")
        #expect(b.disputed(asOf: "2025-01-07") == "600.00")
        #expect(b.disputed(asOf: "2025-01-08") == "0.00")
        // A dispute keyed in late with no amount takes what the as-of fold has open.
        expectAccepted(b.dispute("I2", on: "2025-01-04", at: "2025-01-04T00:00:00Z"))
        b.pay("P2", "100.00", received: "2025-01-03", allocations: [("I2", "100.00")], at: "2025-01-03T00:00:00Z")
        // Fixed at its opening in log order (500 open then); 400 open now.
        #expect(b.disputed() == "400.00")
        #expect(b.disputed(asOf: "2025-01-03") == "0.00")
        #expect(b.disputed(asOf: "2025-01-04") == "400.00")
    }

    // MARK: promise.recorded

    @Test func promiseRecordedRules() {
        var b = book()
        b.register("OTHER")
        b.invoice("X1", "10.00", issued: "2025-01-01", customer: "OTHER")
        expectRejected(b.promise("0.00", by: "2025-02-01", on: "2025-01-05"), .moneySign)
        expectRejected(b.promise("-5.00", by: "2025-02-01", on: "2025-01-05"), .moneySign)
        expectRejected(b.promise("5.00", by: "2025-01-04", on: "2025-01-05"), .promiseBeforeAt)
        expectRejected(b.promise("5.00", by: "2025-02-30", on: "2025-01-05"), .fieldInvalid)
        expectRejected(b.event("promise.recorded", at: noon("2025-01-05"), #""amount":"5.00""#), .fieldMissing)
        expectRejected(b.event("promise.recorded", at: noon("2025-01-05"), #""promised_on":"2025-02-01""#), .fieldMissing)
        expectRejected(b.promise("5.00", by: "2025-02-01", invoice: "NOPE", on: "2025-01-05"), .invoiceUnknown)
        expectRejected(b.promise("5.00", by: "2025-02-01", invoice: "X1", on: "2025-01-05"), .invoiceOtherCustomer)
        expectRejected(b.event("promise.recorded", at: noon("2025-01-05"), #""amount":"5.00","promised_on":"2025-02-01","invoice":null"#), .fieldType)
        // promised_on is compared with the UTC date of `at`: 01:00 at +02:00 is the day before in UTC.
        expectAccepted(b.promise("5.00", by: "2025-01-04", on: "2025-01-05", at: "2025-01-05T01:00:00+02:00"))
        // The same day, and a promise above what is open or naming a voided invoice.
        expectAccepted(b.promise("5.00", by: "2025-01-05", on: "2025-01-05"))
        expectAccepted(b.promise("99999.00", by: "2025-03-01", invoice: "I2", on: "2025-01-05"))
        b.invoice("I3", "50.00", issued: "2025-01-03")
        b.void("I3", on: "2025-01-04")
        expectAccepted(b.promise("50.00", by: "2025-03-01", invoice: "I3", on: "2025-01-06"))
    }

    // MARK: kept, broken, pending

    @Test func promisesAreJudgedAfreshOnEachDate() {
        var b = book()
        expectAccepted(b.promise("600.00", by: "2025-02-10", on: "2025-02-01"))
        #expect(b.promises(on: "2025-02-10") == "kept 0 broken 0 pending 600.00 by 2025-02-10")
        #expect(b.promises(on: "2025-02-11") == "kept 0 broken 1 pending none")
        // A payment received after promised_on does not count; one logged before the promise neither.
        b.pay("P1", "600.00", received: "2025-02-11")
        #expect(b.promises(on: "2025-02-20") == "kept 0 broken 1 pending none")
        // Two payments by the date add up (customer-wide: their whole amounts, allocated or not).
        b.pay("P2", "100.00", received: "2025-02-03")
        b.pay("P3", "500.00", received: "2025-02-09")
        #expect(b.promises(on: "2025-02-20") == "kept 1 broken 0 pending none")
        // A reversal turns it back: pending before the date, broken after.
        b.reverse("P3", on: "2025-02-12")
        #expect(b.promises(on: "2025-02-10") == "kept 0 broken 0 pending 600.00 by 2025-02-10")
        #expect(b.promises(on: "2025-02-20") == "kept 0 broken 1 pending none")
        // A payment logged later with an early received_on keeps a broken promise.
        b.pay("P4", "500.00", received: "2025-02-10", at: noon("2025-02-25"))
        #expect(b.promises(on: "2025-02-26") == "kept 1 broken 0 pending none")
    }

    @Test func aPromiseNamingAnInvoiceCountsOnlyWhatWasAllocatedToIt() {
        var b = book()
        expectAccepted(b.promise("500.00", by: "2025-02-10", invoice: "I2", on: "2025-02-01"))
        #expect(b.promises(on: "2025-02-01") == "kept 0 broken 0 pending 500.00 by 2025-02-10 I2")
        // FIFO puts this on I1 (due first): nothing for I2.
        b.pay("P1", "700.00", received: "2025-02-02")
        #expect(b.promises(on: "2025-02-11") == "kept 0 broken 1 pending none")
        b.pay("P2", "200.00", received: "2025-02-03", allocations: [("I2", "200.00")])
        b.pay("P3", "600.00", received: "2025-02-04")  // 300 to I1, 300 to I2
        #expect(b.promises(on: "2025-02-11") == "kept 1 broken 0 pending none")
        b.reverse("P2", on: "2025-02-05")
        #expect(b.promises(on: "2025-02-11") == "kept 0 broken 1 pending none")
    }

    @Test func aNewPromiseSupersedesAPendingOneForGood() {
        var b = book()
        expectAccepted(b.promise("100.00", by: "2025-02-10", on: "2025-02-01"))
        expectAccepted(b.promise("200.00", by: "2025-02-20", invoice: "I1", on: "2025-02-05"))
        // The first is neither kept nor broken, whatever comes later.
        b.pay("P1", "1500.00", received: "2025-02-06")
        #expect(b.promises(on: "2025-03-01") == "kept 1 broken 0 pending none")
        #expect(b.state()?.promises.first?.superseded == true)
        b.reverse("P1", on: "2025-02-07")
        #expect(b.promises(on: "2025-02-15") == "kept 0 broken 0 pending 200.00 by 2025-02-20 I1")
        #expect(b.promises(on: "2025-03-01") == "kept 0 broken 1 pending none")
        // A promise kept, or broken, when the next is recorded is not superseded.
        var c = book()
        c.pay("P1", "50.00", received: "2025-02-01", at: noon("2025-01-31"))
        expectAccepted(c.promise("100.00", by: "2025-02-05", on: "2025-02-01"))
        c.pay("P2", "100.00", received: "2025-02-02")
        expectAccepted(c.promise("300.00", by: "2025-02-20", on: "2025-02-03"))  // the first was kept: stays
        expectAccepted(c.promise("400.00", by: "2025-03-20", on: "2025-03-01"))  // the second was broken: stays
        #expect(c.promises(on: "2025-03-01") == "kept 1 broken 1 pending 400.00 by 2025-03-20")
        #expect(c.state()?.promises.contains { $0.superseded } == false)
        // Judged on the UTC date of the new promise's `at`: pending on its promised_on itself.
        var d = book()
        expectAccepted(d.promise("100.00", by: "2025-02-05", on: "2025-02-01"))
        expectAccepted(d.promise("300.00", by: "2025-02-20", on: "2025-02-05", at: "2025-02-05T23:30:00Z"))
        #expect(d.state()?.promises.first?.superseded == true)
    }

    @Test func promisesAsOf() {
        var b = book()
        expectAccepted(b.promise("300.00", by: "2025-02-10", on: "2025-02-01"))
        b.pay("P1", "300.00", received: "2025-02-09")
        b.reverse("P1", on: "2025-02-15")
        // As of D: the fold of the events with at ≤ D, judged on D.
        #expect(b.promises(on: "2025-01-31", asOf: "2025-01-31") == "kept 0 broken 0 pending none")
        #expect(b.promises(on: "2025-02-05", asOf: "2025-02-05") == "kept 0 broken 0 pending 300.00 by 2025-02-10")
        #expect(b.promises(on: "2025-02-12", asOf: "2025-02-12") == "kept 1 broken 0 pending none")
        #expect(b.promises(on: "2025-02-15", asOf: "2025-02-15") == "kept 0 broken 1 pending none")
        // The balance object's fields, in order, judged on the as-of date.
        let l = try! #require(b.ledger(asOf: "2025-02-05"))
        let r = BalanceReport(l, on: Day(parsing: "2025-02-05")!)
        #expect(r.fields.map(\.name).suffix(5) == ["disputed", "promises_kept", "promises_broken", "promise", "refunded"])
        var w = JSONWriter()
        r.json(into: &w)
        #expect(w.text.hasSuffix(#","disputed":"0.00","promises_kept":0,"promises_broken":0,"promise":{"amount":"300.00","promised_on":"2025-02-10","invoice":null},"refunded":"0.00"}"#))
    }

    // MARK: arlog's collection.contact

    @Test func aContactChangesNoFigureAndKeepsTheLatestByAt() {
        var b = book()
        b.dun(2, on: "2025-01-20")
        let before = b.figures()
        expectAccepted(b.event("collection.contact", at: noon("2025-01-21"), #""outcome":"promised","channel":"phone","invoice":"I1","note":"Friday""#))
        expectAccepted(b.event("collection.contact", at: noon("2025-01-20"), #""outcome":"no_answer""#))  // keyed in late
        #expect(b.figures() == before)
        #expect(b.state()?.dunningLevel == 2)
        #expect(b.state()?.lastContact == LastContact(at: Timestamp(parsing: noon("2025-01-21"))!, outcome: .promised))
        #expect(b.state(asOf: "2025-01-20")?.lastContact?.outcome == .noAnswer)
        expectRejected(b.event("collection.contact", at: noon("2025-01-22"), #""outcome":"gone""#), .fieldInvalid)
        expectRejected(b.event("collection.contact", at: noon("2025-01-22"), #""outcome":"reached","channel":"fax""#), .fieldInvalid)
        expectRejected(b.event("collection.contact", at: noon("2025-01-22"), #""channel":"phone""#), .fieldMissing)
        expectRejected(b.event("collection.contact", at: noon("2025-01-22"), #""outcome":"reached","invoice":"NOPE""#), .invoiceUnknown)
    }

    // MARK: dunning levels per invoice

    @Test func theLastDunningLevelOfEachOpenInvoice() {
        var b = book()  // I1 due 01-11, I2 due 01-12
        b.invoice("I3", "100.00", issued: "2025-01-20")  // due 01-30
        func levels(_ b: Book) -> [String] { b.state()?.collectionItems.map { "\($0.invoice) \($0.dunningLevel)" } ?? [] }
        // Naming no invoice: every invoice then past due.
        b.dun(1, on: "2025-01-13")
        #expect(levels(b) == ["I1 1", "I2 1", "I3 0"])
        b.dun(2, invoice: "I2", on: "2025-01-14")
        #expect(levels(b) == ["I1 1", "I2 2", "I3 0"])
        // A disputed invoice is still dunned as recorded (the figures do not change).
        expectAccepted(b.dispute("I1", amount: "10.00", on: "2025-01-15"))
        b.dun(3, invoice: "I1", on: "2025-01-16")
        #expect(levels(b) == ["I1 3", "I2 2", "I3 0"])
        #expect(b.state()?.collectionItems.map(\.disputed) == [1000, 0, 0])
        // An invoice that closes leaves; the customer's reset clears the rest.
        b.pay("P1", "1000.00", received: "2025-01-17", allocations: [("I1", "1000.00")])
        #expect(levels(b) == ["I2 2", "I3 0"])
        b.pay("P2", "500.00", received: "2025-01-18")
        #expect(b.state()?.dunningLevel == 0)
        #expect(levels(b) == ["I3 0"])
    }
}
