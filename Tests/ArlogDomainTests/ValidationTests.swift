import Testing

@testable import ArlogDomain

/// The order of checks (JSON, id, duplicate or conflict, the rest) and idempotency.
struct CheckOrderTests {
    @Test func jsonErrorComesFirst() {
        var b = Book()
        for line in [#"{"id":"e1","type":"customer.registered""#, #"{"id":"bad id","#, "not json", #"["id"]"#, #"{"id":"e1","id":"e2"}"#] {
            let o = b.raw(line)
            expectRejected(o, .json)
            #expect(o.rejectedID == nil)
        }
        #expect(b.log.events.isEmpty)
    }

    @Test(arguments: [
        #"{"type":"customer.registered"}"#, #"{"id":5}"#, #"{"id":null}"#, #"{"id":["e1"]}"#, #"{"id":""}"#,
        #"{"id":"a b"}"#, #"{"id":"é"}"#, #"{"id":"a/b"}"#, #"{"id":"a+b"}"#, #"{"id":"a#b"}"#,
        // The id is checked before anything else: a bad type does not come first.
        #"{"id":"bad id","type":"no.such.type"}"#,
    ])
    func badID(_ line: String) {
        var b = Book()
        let o = b.raw(line)
        expectRejected(o, .id)
        #expect(o.rejectedID == nil)
    }

    @Test func idLengthAndAlphabet() {
        var b = Book()
        let max = repeated("a", 128)
        expectAccepted(b.register(id: max))
        expectRejected(b.register("D", id: repeated("b", 129)), .id)
        expectAccepted(b.register("E", id: "AZaz09._:-"))
        #expect(b.log.events.count == 2)
    }

    @Test func identicalContentIsDuplicate() throws {
        var b = Book()
        let line = #"{"id":"r1","type":"customer.registered","at":"2025-01-01T00:00:00Z","customer":"C","name":"N","currency":"EUR","terms_days":30,"credit_limit":"100.00","x_extra":{"a":1,"b":[1,2]}}"#
        expectAccepted(b.raw(line))
        let before = try #require(b.ledger())
        let same = b.raw(line)
        #expect(same.isDuplicate)
        // Key order, whitespace and number spelling do not matter.
        let reordered = #"  { "x_extra" : {"b":[1,2.0],"a":1}, "credit_limit":"100.00","terms_days":30 ,"currency":"EUR","name":"N","customer":"C","at":"2025-01-01T00:00:00Z","type":"customer.registered","id":"r1" }  "#
        let o = b.raw(reordered)
        #expect(o.isDuplicate)
        if case .duplicate(let id) = o { #expect(id == "r1") }
        #expect(b.log.events.count == 1)
        #expect(b.ledger() == before)
        #expect(b.ledger()?.eventCount == 1)
    }

    @Test func duplicatesCountedByIngest() throws {
        var log = InMemoryLog()
        let reg = eventLine("r1", "customer.registered", "C", at: "2025-01-01T00:00:00Z", #""name":"N","currency":"EUR","terms_days":30,"credit_limit":"0""#)
        let inv = eventLine("i1", "invoice.issued", "C", at: "2025-01-02T00:00:00Z", #""invoice":"I1","amount":"10.00","issued_on":"2025-01-02""#)
        let outcomes = try log.ingest([reg, inv, "", reg, inv, "  ", inv].joined(separator: "\n") + "\n")
        #expect(outcomes.count == 5)
        #expect(outcomes.filter(\.isDuplicate).count == 3)
        #expect(outcomes.filter(\.isAccepted).count == 2)
        #expect(log.events.count == 2)
        #expect(log.currentLedger(for: "C")?.totals.invoiced == 1000)
    }

    @Test func sameIDDifferentContentIsConflict() throws {
        var b = Book()
        expectAccepted(b.register(limit: "100.00", id: "r1"))
        let before = try #require(b.ledger())
        expectRejected(b.register(limit: "200.00", id: "r1"), .conflict)
        // An unknown field counts as content.
        expectRejected(b.raw(eventLine("r1", "customer.registered", "C", at: noon("2025-01-01"),
                                       #""name":"Name of C","currency":"EUR","terms_days":30,"credit_limit":"100.00","x":1"#)), .conflict)
        // Conflict is judged before every other rule: even an otherwise invalid event.
        let o = b.raw(#"{"id":"r1","type":"no.such.type"}"#)
        expectRejected(o, .conflict)
        #expect(o.rejectedID == "r1")
        // Same id for a different customer's event.
        expectRejected(b.register("D", id: "r1"), .conflict)
        #expect(b.ledger() == before)
        #expect(b.ledger("D") == nil)
        #expect(b.log.events.count == 1)
    }

    @Test func rejectedEventDoesNotReserveItsID() {
        var b = Book()
        b.register()
        let bad = b.invoice("I1", "0", id: "x1")
        expectRejected(bad, .moneySign)
        #expect(bad.rejectedID == "x1")
        let unknown = b.pay("P1", "5.00", received: "2025-01-02", allocations: [("NOPE", "1.00")], id: "x2")
        expectRejected(unknown, .invoiceUnknown)
        expectAccepted(b.invoice("I1", "10.00", id: "x1"))
        expectAccepted(b.pay("P1", "5.00", received: "2025-01-02", id: "x2"))
        #expect(b.figures()["open"] == "5.00")
    }

    @Test func rejectedEventChangesNothing() throws {
        var b = Book()
        b.register()
        b.invoice("I1", "100.00", due: "2025-01-31")
        b.dun(2, on: "2025-02-05")
        let before = try #require(b.ledger())
        let attempts: [IntakeOutcome] = [
            b.pay("P1", "50.00", received: "2025-02-10", allocations: [("I1", "150.00")]),
            b.adjust("I1", "-101.00", on: "2025-02-10"),
            b.writeOff("I1", "100.01", on: "2025-02-10"),
            b.invoice("I1", "5.00"),
            b.dun(9, on: "2025-02-10"),
            b.register(),
        ]
        for o in attempts { #expect(o.rule != nil, "\(o.summary)") }
        #expect(b.ledger() == before)
        #expect(b.log.events.count == 3)
    }
}

struct EnvelopeTests {
    func accepted(_ body: String, at: String = "2025-01-01T00:00:00Z", customer: String = "C") -> IntakeOutcome {
        var b = Book()
        return b.raw(eventLine("r1", "customer.registered", customer, at: at,
                               #""name":"N","currency":"EUR","terms_days":30,"credit_limit":"0""# + body))
    }

    @Test(arguments: ["no.such.type", "Customer.Registered", "customer.registered ", "", "invoice"])
    func unknownType(_ type: String) {
        var b = Book()
        expectRejected(b.raw(eventLine("e1", type, "C", at: "2025-01-01T00:00:00Z", #""name":"N""#)), .type)
    }

    @Test func typeMissingOrNotAString() {
        var b = Book()
        expectRejected(b.raw(#"{"id":"e1","at":"2025-01-01T00:00:00Z","customer":"C"}"#), .type)
        expectRejected(b.raw(#"{"id":"e1","type":1,"at":"2025-01-01T00:00:00Z","customer":"C"}"#), .type)
        expectRejected(b.raw(#"{"id":"e1","type":null,"at":"2025-01-01T00:00:00Z","customer":"C"}"#), .type)
    }

    @Test(arguments: ["2025-01-01", "2025-01-01T00:00:00", "2025-02-29T00:00:00Z", "2025-01-01T25:00:00Z", "yesterday", ""])
    func badAt(_ at: String) {
        expectRejected(accepted("", at: at), .at)
    }

    @Test func atMissingOrNotAString() {
        var b = Book()
        expectRejected(b.raw(#"{"id":"e1","type":"customer.registered","customer":"C"}"#), .at)
        expectRejected(b.raw(#"{"id":"e1","type":"customer.registered","at":1735689600,"customer":"C"}"#), .at)
    }

    @Test func customerAlphabetAndLength() {
        expectAccepted(accepted("", customer: repeated("c", 64)))
        expectAccepted(accepted("", customer: "Az09._:-"))
        expectRejected(accepted("", customer: repeated("c", 65)), .customer)
        expectRejected(accepted("", customer: ""), .customer)
        expectRejected(accepted("", customer: "A B"), .customer)
        expectRejected(accepted("", customer: "Ä"), .customer)
        var b = Book()
        expectRejected(b.raw(#"{"id":"e1","type":"customer.registered","at":"2025-01-01T00:00:00Z"}"#), .customer)
        expectRejected(b.raw(#"{"id":"e1","type":"customer.registered","at":"2025-01-01T00:00:00Z","customer":7}"#), .customer)
    }

    @Test func actor() {
        expectAccepted(accepted(",\"actor\":\"\(repeated("a", 64))\""))
        expectAccepted(accepted(",\"actor\":\"\(repeated("é", 64))\""))
        expectRejected(accepted(",\"actor\":\"\(repeated("a", 65))\""), .actor)
        // Empty is allowed (the contract sets only the upper bound).
        expectAccepted(accepted(",\"actor\":\"\""))
        expectRejected(accepted(",\"actor\":null"), .actor)
        expectRejected(accepted(",\"actor\":42"), .actor)
    }

    @Test func note() {
        expectAccepted(accepted(",\"note\":\"\(repeated("n", 1000))\""))
        expectAccepted(accepted(",\"note\":\"\""))
        expectRejected(accepted(",\"note\":\"\(repeated("n", 1001))\""), .note)
        // A present optional field must have its type.
        expectRejected(accepted(",\"note\":null"), .note)
        expectRejected(accepted(",\"note\":[\"x\"]"), .note)
    }

    @Test func unknownTopLevelFieldsAreAcceptedAndKept() throws {
        var b = Book()
        let line = eventLine("r1", "customer.registered", "C", at: "2025-01-01T00:00:00Z",
                             #""name":"N","currency":"EUR","terms_days":30,"credit_limit":"0","x_source":"crm","x_meta":{"v":[1,null]},"note2":null"#)
        expectAccepted(b.raw(line))
        let raw = try #require(b.log.events.first?.raw)
        #expect(String(decoding: raw, as: UTF8.self) == line)
    }

    @Test func optionalFieldsOfTypesMustHaveTheirType() {
        var b = Book()
        b.register()
        b.invoice("I1", "10.00")
        expectRejected(b.event("invoice.issued", at: noon("2025-01-01"), #""invoice":"I2","amount":"1.00","issued_on":"2025-01-01","due_on":null"#), .fieldType)
        expectRejected(b.event("invoice.issued", at: noon("2025-01-01"), #""invoice":"I2","amount":"1.00","issued_on":"2025-01-01","currency":null"#), .fieldType)
        expectRejected(b.event("invoice.issued", at: noon("2025-01-01"), #""invoice":"I2","amount":"1.00","issued_on":"2025-01-01","installments":null"#), .fieldType)
        expectRejected(b.event("invoice.written_off", at: noon("2025-01-01"), #""invoice":"I1","amount":null"#), .money)
        expectRejected(b.event("dunning.action", at: noon("2025-01-01"), #""level":1,"channel":"email","invoice":null"#), .fieldType)
        expectRejected(b.event("payment.received", at: noon("2025-01-01"), #""payment":"P","amount":"1.00","received_on":"2025-01-01","allocations":null"#), .fieldType)
        expectRejected(b.event("customer.updated", at: noon("2025-01-01"), #""name":"X","email":null"#), .fieldType)
        expectRejected(b.event("customer.updated", at: noon("2025-01-01"), #""terms_days":null"#), .fieldType)
    }
}

/// customer.registered, customer.updated, credit_limit.changed.
struct CustomerRuleTests {
    func register(_ body: String) -> IntakeOutcome {
        var b = Book()
        return b.event("customer.registered", at: "2025-01-01T00:00:00Z", body)
    }

    @Test func registeringTwiceIsRejected() {
        var b = Book()
        expectAccepted(b.register(currency: "EUR"))
        expectRejected(b.register(currency: "USD"), .alreadyRegistered)
        expectRejected(b.register(on: "2026-01-01"), .alreadyRegistered)
        #expect(b.ledger()?.currency.code == "EUR")
    }

    @Test(arguments: [0, 1, 30, 3650])
    func termsInRange(_ terms: Int) {
        expectAccepted(register("\"name\":\"N\",\"currency\":\"EUR\",\"terms_days\":\(terms),\"credit_limit\":\"0\""))
    }

    @Test(arguments: [
        ("3651", Rejection.Rule.fieldInvalid), ("-1", .fieldInvalid), ("30.5", .fieldType), ("3e-1", .fieldType),
        ("\"30\"", .fieldType), ("null", .fieldType), ("true", .fieldType), ("99999999999999999999", .fieldInvalid),
        ("1e400", .fieldInvalid), ("3.651e3", .fieldInvalid),
    ])
    func termsInvalid(_ terms: String, _ rule: Rejection.Rule) {
        expectRejected(register("\"name\":\"N\",\"currency\":\"EUR\",\"terms_days\":\(terms),\"credit_limit\":\"0\""), rule)
    }

    @Test(arguments: [
        (#""currency":"EUR","terms_days":30,"credit_limit":"0""#, Rejection.Rule.fieldMissing),
        (#""name":1,"currency":"EUR","terms_days":30,"credit_limit":"0""#, .fieldType),
        (#""name":"N","terms_days":30,"credit_limit":"0""#, .fieldMissing),
        (#""name":"N","currency":978,"terms_days":30,"credit_limit":"0""#, .fieldType),
        (#""name":"N","currency":"XAU","terms_days":30,"credit_limit":"0""#, .currency),
        (#""name":"N","currency":"XXX","terms_days":30,"credit_limit":"0""#, .currency),
        (#""name":"N","currency":"XDR","terms_days":30,"credit_limit":"0""#, .currency),
        (#""name":"N","currency":"eur","terms_days":30,"credit_limit":"0""#, .currency),
        (#""name":"N","currency":"QQQ","terms_days":30,"credit_limit":"0""#, .currency),
        (#""name":"N","currency":"EUR","credit_limit":"0""#, .fieldMissing),
        (#""name":"N","currency":"EUR","terms_days":30"#, .fieldMissing),
        (#""name":"N","currency":"EUR","terms_days":30,"credit_limit":"-0.01""#, .moneySign),
        (#""name":"N","currency":"EUR","terms_days":30,"credit_limit":100"#, .money),
        (#""name":"N","currency":"EUR","terms_days":30,"credit_limit":"1.001""#, .moneyPrecision),
        (#""name":"N","currency":"JPY","terms_days":30,"credit_limit":"100.0""#, .moneyPrecision),
        (#""name":"N","currency":"BHD","terms_days":30,"credit_limit":"1.2345""#, .moneyPrecision),
        (#""name":"N","currency":"EUR","terms_days":30,"credit_limit":"10000000000000.01""#, .moneyRange),
        (#""name":"N","currency":"EUR","terms_days":30,"credit_limit":"1234567890123456789""#, .moneyRange),
        (#""name":"N","currency":"EUR","terms_days":30,"credit_limit":"1,000""#, .money),
        ("\"name\":\"\(repeated("n", FeedLimits.profileFieldCharsMax + 1))\",\"currency\":\"EUR\",\"terms_days\":30,\"credit_limit\":\"0\"", .fieldInvalid),
        ("\"name\":\"N\",\"currency\":\"EUR\",\"terms_days\":30,\"credit_limit\":\"0\",\"industry\":\"\(repeated("i", FeedLimits.profileFieldCharsMax + 1))\"", .fieldInvalid),
        (#""name":"N","currency":"EUR","terms_days":30,"credit_limit":"0","email":7"#, .fieldType),
        (#""name":"N","currency":"EUR","terms_days":30,"credit_limit":"0","registered_on":"2025-02-30""#, .fieldInvalid),
    ])
    func registrationInvalid(_ body: String, _ rule: Rejection.Rule) {
        expectRejected(register(body), rule)
    }

    @Test(arguments: [
        (#""name":"N","currency":"JPY","terms_days":0,"credit_limit":"100""#, Int64(100)),
        (#""name":"N","currency":"BHD","terms_days":0,"credit_limit":"1.234""#, 1234),
        (#""name":"N","currency":"CLF","terms_days":0,"credit_limit":"1.2345""#, 12345),
        (#""name":"N","currency":"KWD","terms_days":0,"credit_limit":"7.5""#, 7500),
        (#""name":"N","currency":"EUR","terms_days":0,"credit_limit":"-0""#, 0),
        (#""name":"N","currency":"EUR","terms_days":0,"credit_limit":"10000000000000.00""#, 1_000_000_000_000_000),
        (#""name":"N","currency":"EUR","terms_days":0,"credit_limit":"0","email":"a@b.example","industry":"x","contact":"y","registered_on":"2024-12-31""#, 0),
        ("\"name\":\"\(repeated("n", FeedLimits.profileFieldCharsMax))\",\"currency\":\"EUR\",\"terms_days\":0,\"credit_limit\":\"0\"", 0),
    ] as [(String, Int64)])
    func registrationValid(_ body: String, _ limit: Int64) throws {
        var b = Book()
        expectAccepted(b.event("customer.registered", at: "2025-01-01T00:00:00Z", body))
        #expect(b.ledger()?.profile.creditLimit == limit)
    }

    @Test func eventsBeforeRegistration() {
        var b = Book()
        expectRejected(b.invoice("I1", "10.00"), .unregistered)
        expectRejected(b.event("customer.updated", at: noon("2025-01-01"), #""name":"X""#), .unregistered)
        expectRejected(b.event("credit_limit.changed", at: noon("2025-01-01"), #""credit_limit":"1.00""#), .unregistered)
        expectRejected(b.dun(1, on: "2025-01-01"), .unregistered)
        expectRejected(b.pay("P1", "1.00", received: "2025-01-01"), .unregistered)
        b.register(at: "2025-03-01T00:00:00+09:00")  // 2025-02-28T15:00:00Z
        // Earlier than the registration instant (compared as instants, not as text).
        expectRejected(b.invoice("I1", "10.00", issued: "2025-02-28", at: "2025-02-28T14:59:59Z"), .beforeRegistration)
        expectRejected(b.event("customer.updated", at: "2025-02-28T14:59:59.999Z", #""name":"X""#), .beforeRegistration)
        expectAccepted(b.invoice("I1", "10.00", issued: "2025-02-28", at: "2025-02-28T15:00:00Z"))
        expectAccepted(b.invoice("I2", "10.00", issued: "2025-02-28", at: "2025-02-28T16:00:00+01:00"))
        // Another customer's registration does not count.
        expectRejected(b.invoice("I3", "10.00", customer: "D"), .unregistered)
    }

    @Test func customerUpdated() throws {
        var b = Book()
        b.register(terms: 30)
        expectRejected(b.event("customer.updated", at: noon("2025-01-02"), #""terms_days":3651"#), .fieldInvalid)
        expectRejected(b.event("customer.updated", at: noon("2025-01-02"), #""terms_days":10.5"#), .fieldType)
        expectRejected(b.event("customer.updated", at: noon("2025-01-02"), "\"name\":\"\(repeated("n", FeedLimits.profileFieldCharsMax + 1))\""), .fieldInvalid)
        expectAccepted(b.event("customer.updated", at: noon("2025-01-02"), #""terms_days":10,"name":"New","email":"x@y""#))
        let p = try #require(b.ledger()?.profile)
        #expect(p.termsDays == 10)
        #expect(p.name == "New")
        #expect(p.email == "x@y")
        // New terms apply to later invoices without a due date.
        b.invoice("I1", "10.00", issued: "2025-01-05")
        #expect(b.ledger()?.invoice("I1")?.installments.map(\.dueOn.description) == ["2025-01-15"])
    }

    @Test func creditLimitChanged() {
        var b = Book()
        b.register(currency: "JPY", limit: "1000")
        expectRejected(b.event("credit_limit.changed", at: noon("2025-01-02"), #""credit_limit":"-1""#), .moneySign)
        expectRejected(b.event("credit_limit.changed", at: noon("2025-01-02"), #""credit_limit":"5.5""#), .moneyPrecision)
        expectRejected(b.event("credit_limit.changed", at: noon("2025-01-02"), #""credit_limit":5"#), .money)
        expectRejected(b.event("credit_limit.changed", at: noon("2025-01-02"), ""), .fieldMissing)
        expectAccepted(b.event("credit_limit.changed", at: noon("2025-01-02"), #""credit_limit":"0""#))
        #expect(b.figures()["credit_limit"] == "0")
        expectAccepted(b.event("credit_limit.changed", at: noon("2025-01-03"), #""credit_limit":"250000""#))
        #expect(b.figures()["credit_limit"] == "250000")
        #expect(b.figures()["available"] == "250000")
    }
}

struct InvoiceRuleTests {
    func book(currency: String = "EUR", terms: Int = 30) -> Book {
        var b = Book()
        b.register(currency: currency, terms: terms)
        return b
    }

    @Test(arguments: [
        ("0", Rejection.Rule.moneySign), ("0.00", .moneySign), ("-1.00", .moneySign), ("-0", .moneySign),
        ("1.001", .moneyPrecision), ("1e3", .money), ("1.", .money), (".5", .money), ("+1", .money), (" 1", .money),
        ("10000000000000.01", .moneyRange), ("1234567890123456789", .moneyRange),
    ])
    func invoiceAmount(_ amount: String, _ rule: Rejection.Rule) {
        var b = book()
        expectRejected(b.invoice("I1", amount), rule)
    }

    @Test func invoiceAmountMustBeAString() {
        var b = book()
        expectRejected(b.event("invoice.issued", at: noon("2025-01-01"), #""invoice":"I1","amount":100,"issued_on":"2025-01-01""#), .money)
        expectRejected(b.event("invoice.issued", at: noon("2025-01-01"), #""invoice":"I1","amount":100.5,"issued_on":"2025-01-01""#), .money)
        expectRejected(b.event("invoice.issued", at: noon("2025-01-01"), #""invoice":"I1","issued_on":"2025-01-01""#), .fieldMissing)
        expectRejected(b.event("invoice.issued", at: noon("2025-01-01"), #""amount":"1.00","issued_on":"2025-01-01""#), .fieldMissing)
        expectRejected(b.event("invoice.issued", at: noon("2025-01-01"), #""invoice":"I1","amount":"1.00""#), .fieldMissing)
        expectRejected(b.event("invoice.issued", at: noon("2025-01-01"), #""invoice":"I 1","amount":"1.00","issued_on":"2025-01-01""#), .fieldInvalid)
        expectRejected(b.event("invoice.issued", at: noon("2025-01-01"), "\"invoice\":\"\(repeated("i", 129))\",\"amount\":\"1.00\",\"issued_on\":\"2025-01-01\""), .fieldInvalid)
        expectRejected(b.event("invoice.issued", at: noon("2025-01-01"), #""invoice":"I1","amount":"1.00","issued_on":"2025-02-29""#), .fieldInvalid)
        expectRejected(b.event("invoice.issued", at: noon("2025-01-01"), #""invoice":"I1","amount":"1.00","issued_on":20250101"#), .fieldType)
        expectAccepted(b.event("invoice.issued", at: noon("2025-01-01"), "\"invoice\":\"\(repeated("i", 128))\",\"amount\":\"1.00\",\"issued_on\":\"2025-01-01\""))
    }

    @Test func precisionFollowsTheCustomersCurrency() {
        var jpy = book(currency: "JPY")
        expectRejected(jpy.invoice("I1", "100.0"), .moneyPrecision)
        expectAccepted(jpy.invoice("I1", "100"))
        var bhd = book(currency: "BHD")
        expectAccepted(bhd.invoice("I1", "1.125"))
        expectRejected(bhd.invoice("I2", "1.1250"), .moneyPrecision)
        var clf = book(currency: "CLF")
        expectAccepted(clf.invoice("I1", "1.1250"))
        expectRejected(clf.invoice("I2", "1.12500"), .moneyPrecision)
        var eur = book()
        expectRejected(eur.invoice("I1", "10.00", installments: [("2025-02-01", "5.001"), ("2025-03-01", "4.999")]), .moneyPrecision)
    }

    @Test func dueDates() throws {
        var b = book(terms: 45)
        expectRejected(b.invoice("I1", "10.00", issued: "2025-01-10", due: "2025-01-09"), .dueBeforeIssue)
        expectAccepted(b.invoice("I1", "10.00", issued: "2025-01-10", due: "2025-01-10"))
        expectRejected(b.invoice("I2", "10.00", issued: "2025-01-10", due: "2025-02-01", installments: [("2025-02-01", "10.00")]), .fieldConflict)
        expectRejected(b.invoice("I2", "10.00", issued: "2025-01-10", due: "2025-02-30"), .fieldInvalid)
        // Neither: issued_on + terms_days.
        expectAccepted(b.invoice("I2", "10.00", issued: "2025-01-20"))
        #expect(b.ledger()?.invoice("I2")?.installments.map(\.dueOn.description) == ["2025-03-06"])
        expectAccepted(b.invoice("I3", "10.00", issued: "2024-02-15", at: noon("2025-01-21")))
        #expect(b.ledger()?.invoice("I3")?.installments.map(\.dueOn.description) == ["2024-03-31"])
    }

    @Test func zeroTermsMakeTheInvoiceDueOnIssue() {
        var b = book(terms: 0)
        expectAccepted(b.invoice("I1", "10.00", issued: "2025-01-20"))
        #expect(b.ledger()?.invoice("I1")?.installments.map(\.dueOn.description) == ["2025-01-20"])
    }

    @Test func installmentRules() {
        var b = book()
        expectRejected(b.invoice("I1", "10.00", installments: [("2025-02-01", "5.00"), ("2025-03-01", "4.99")]), .installments)
        expectRejected(b.invoice("I1", "10.00", installments: [("2025-02-01", "5.00"), ("2025-03-01", "5.01")]), .installments)
        expectRejected(b.invoice("I1", "10.00", installments: [("2025-02-01", "10.00"), ("2025-03-01", "0.00")]), .installments)
        expectRejected(b.invoice("I1", "10.00", installments: [("2025-02-01", "11.00"), ("2025-03-01", "-1.00")]), .installments)
        expectRejected(b.invoice("I1", "10.00", installments: [("2025-02-30", "10.00")]), .fieldInvalid)
        expectRejected(b.invoice("I1", "10.00", installments: []), .installments)
        expectRejected(b.event("invoice.issued", at: noon("2025-01-01"), #""invoice":"I1","amount":"1.00","issued_on":"2025-01-01","installments":{"due_on":"2025-02-01","amount":"1.00"}"#), .fieldType)
        expectRejected(b.event("invoice.issued", at: noon("2025-01-01"), #""invoice":"I1","amount":"1.00","issued_on":"2025-01-01","installments":["x"]"#), .fieldType)
        expectRejected(b.event("invoice.issued", at: noon("2025-01-01"), #""invoice":"I1","amount":"1.00","issued_on":"2025-01-01","installments":[{"due_on":"2025-02-01"}]"#), .fieldMissing)
        expectRejected(b.event("invoice.issued", at: noon("2025-01-01"), #""invoice":"I1","amount":"1.00","issued_on":"2025-01-01","installments":[{"amount":"1.00"}]"#), .fieldMissing)
        expectRejected(b.event("invoice.issued", at: noon("2025-01-01"), #""invoice":"I1","amount":"1.00","issued_on":"2025-01-01","installments":[{"due_on":"2025-02-01","amount":1}]"#), .money)
        let tooMany = (0...1000).map { _ in #"{"due_on":"2025-02-01","amount":"0.01"}"# }.joined(separator: ",")
        expectRejected(b.event("invoice.issued", at: noon("2025-01-01"), "\"invoice\":\"I1\",\"amount\":\"10.01\",\"issued_on\":\"2025-01-01\",\"installments\":[\(tooMany)]"), .limit)
        expectAccepted(b.invoice("I1", "10.00", installments: [("2025-02-01", "5.00"), ("2025-03-01", "5.00")]))
        expectAccepted(b.invoice("I2", "10.00", installments: [("2025-01-01", "10.00")]))
    }

    @Test func currencyMustMatchTheCustomers() {
        var b = book(currency: "EUR")
        expectRejected(b.invoice("I1", "10.00", currency: "USD"), .currencyMismatch)
        expectRejected(b.invoice("I1", "10.00", currency: "XAU"), .currency)
        expectRejected(b.invoice("I1", "10.00", currency: "eur"), .currency)
        expectAccepted(b.invoice("I1", "10.00", currency: "EUR"))
    }

    @Test func invoiceIDIsUniqueInTheLog() {
        var b = book()
        b.register("D")
        expectAccepted(b.invoice("I1", "10.00"))
        expectRejected(b.invoice("I1", "20.00"), .invoiceExists)
        expectRejected(b.invoice("I1", "10.00", customer: "D"), .invoiceExists)
        // Ids are case-sensitive.
        expectAccepted(b.invoice("i1", "10.00", customer: "D"))
        #expect(b.figures()["invoiced"] == "10.00")
        #expect(b.figures("D")["invoiced"] == "10.00")
    }

    @Test func references() {
        var b = book()
        b.register("D")
        b.invoice("I1", "10.00", at: "2025-01-05T10:00:00Z")
        b.invoice("J1", "10.00", customer: "D")
        for o in [b.adjust("NOPE", "1.00", on: "2025-01-06"), b.void("NOPE", on: "2025-01-06"),
                  b.writeOff("NOPE", on: "2025-01-06"), b.dun(1, invoice: "NOPE", on: "2025-01-06")] {
            expectRejected(o, .invoiceUnknown)
        }
        for o in [b.adjust("J1", "1.00", on: "2025-01-06"), b.void("J1", on: "2025-01-06"),
                  b.writeOff("J1", on: "2025-01-06"), b.dun(1, invoice: "J1", on: "2025-01-06")] {
            expectRejected(o, .invoiceOtherCustomer)
        }
        // `at` earlier than the invoice's `at` (business dates do not matter; instants do).
        let early = "2025-01-05T09:59:59Z"
        for o in [b.adjust("I1", "1.00", on: "", at: early), b.void("I1", on: "", at: early),
                  b.writeOff("I1", on: "", at: early), b.dun(1, invoice: "I1", on: "", at: early),
                  b.pay("P1", "1.00", received: "2025-01-06", allocations: [("I1", "1.00")], at: early)] {
            expectRejected(o, .beforeReference)
        }
        // The same instant written with an offset is not earlier.
        expectAccepted(b.adjust("I1", "1.00", on: "", at: "2025-01-05T11:00:00+01:00"))
        expectAccepted(b.dun(1, invoice: "I1", on: "", at: "2025-01-05T10:00:00Z"))
    }

    @Test func adjustmentRules() {
        var b = book()
        b.invoice("I1", "100.00", due: "2025-01-31")
        expectRejected(b.adjust("I1", "0", on: "2025-01-02"), .moneySign)
        expectRejected(b.adjust("I1", "-0.00", on: "2025-01-02"), .moneySign)
        expectRejected(b.adjust("I1", "1.001", on: "2025-01-02"), .moneyPrecision)
        expectRejected(b.event("invoice.adjusted", at: noon("2025-01-02"), #""invoice":"I1","amount":-5"#), .money)
        expectRejected(b.event("invoice.adjusted", at: noon("2025-01-02"), #""invoice":"I1""#), .fieldMissing)
        expectRejected(b.adjust("I1", "-100.01", on: "2025-01-02"), .exceedsOpen)
        expectAccepted(b.adjust("I1", "-40.00", on: "2025-01-02"))
        expectRejected(b.adjust("I1", "-60.01", on: "2025-01-02"), .exceedsOpen)
        expectAccepted(b.adjust("I1", "-60.00", on: "2025-01-02"))
        // Nothing open: any credit exceeds it, a positive adjustment reopens.
        expectRejected(b.adjust("I1", "-0.01", on: "2025-01-02"), .exceedsOpen)
        expectAccepted(b.adjust("I1", "5.00", on: "2025-01-03"))
        expectRejected(b.adjust("I1", "+5.00", on: "2025-01-03"), .money)
        #expect(b.figures()["open"] == "5.00")
    }

    @Test func voidRules() {
        var b = book()
        b.invoice("I1", "100.00", due: "2025-01-31")
        b.invoice("I2", "50.00", due: "2025-02-28")
        b.pay("P1", "30.00", received: "2025-01-10", allocations: [("I1", "30.00")])
        expectRejected(b.void("I1", on: "2025-01-11"), .allocationsInForce)
        expectAccepted(b.reverse("P1", on: "2025-01-12"))
        expectAccepted(b.void("I1", on: "2025-01-13"))
        expectRejected(b.adjust("I1", "5.00", on: "2025-01-14"), .invoiceVoided)
        expectRejected(b.adjust("I1", "-5.00", on: "2025-01-14"), .invoiceVoided)
        expectRejected(b.writeOff("I1", on: "2025-01-14"), .invoiceVoided)
        expectRejected(b.pay("P2", "5.00", received: "2025-01-14", allocations: [("I1", "5.00")]), .invoiceVoided)
        // A dunning action may still name it.
        expectAccepted(b.dun(1, invoice: "I1", on: "2025-01-14"))
        let f = b.figures()
        #expect(f["voided"] == "100.00")
        #expect(f["open"] == "50.00")
        #expect(f["paid"] == "0.00")
        // Automatic application skips the voided invoice.
        expectAccepted(b.pay("P3", "60.00", received: "2025-01-15"))
        #expect(b.figures()["unapplied"] == "10.00")
        #expect(b.openByInstallment("I1") == [0])
        // A partly paid invoice whose payment is reversed again: the void counts what was open.
    }

    @Test func voidAfterPartialCreditAndWriteOff() {
        var b = book()
        b.invoice("I1", "100.00", due: "2025-01-31")
        b.adjust("I1", "-10.00", on: "2025-01-02")
        b.writeOff("I1", "20.00", on: "2025-01-03")
        expectAccepted(b.void("I1", on: "2025-01-04"))
        let f = b.figures()
        #expect(f["invoiced"] == "100.00")
        #expect(f["credited"] == "10.00")
        #expect(f["written_off"] == "20.00")
        #expect(f["voided"] == "70.00")
        #expect(f["balance"] == "0.00")
    }

    @Test func writeOffRules() {
        var b = book()
        b.invoice("I1", "100.00", due: "2025-01-31")
        expectRejected(b.writeOff("I1", "0", on: "2025-01-02"), .moneySign)
        expectRejected(b.writeOff("I1", "-1.00", on: "2025-01-02"), .moneySign)
        expectRejected(b.writeOff("I1", "100.01", on: "2025-01-02"), .exceedsOpen)
        expectRejected(b.writeOff("I1", "1.001", on: "2025-01-02"), .moneyPrecision)
        expectAccepted(b.writeOff("I1", "30.00", on: "2025-01-02"))
        #expect(b.figures()["open"] == "70.00")
        #expect(b.figures()["written_off"] == "30.00")
        expectRejected(b.writeOff("I1", "70.01", on: "2025-01-03"), .exceedsOpen)
        // Default: all that is open.
        expectAccepted(b.writeOff("I1", on: "2025-01-03"))
        #expect(b.figures()["open"] == "0.00")
        #expect(b.figures()["written_off"] == "100.00")
        expectRejected(b.writeOff("I1", "0.01", on: "2025-01-04"), .nothingOpen)
    }

    @Test func paymentRules() {
        var b = book()
        b.register("D", currency: "USD")
        b.invoice("I1", "100.00", due: "2025-01-31")
        b.invoice("I2", "50.00", due: "2025-02-28")
        b.invoice("J1", "10.00", customer: "D")
        expectRejected(b.pay("P1", "0", received: "2025-01-10"), .moneySign)
        expectRejected(b.pay("P1", "-5.00", received: "2025-01-10"), .moneySign)
        expectRejected(b.pay("P1", "5.001", received: "2025-01-10"), .moneyPrecision)
        expectRejected(b.pay("P1", "5.00", received: "2025-01-10", currency: "USD"), .currencyMismatch)
        expectRejected(b.pay("P1", "5.00", received: "2025-01-10", currency: "XXX"), .currency)
        expectRejected(b.pay("P1", "5.00", received: "2025-13-10", at: noon("2025-01-10")), .fieldInvalid)
        expectRejected(b.event("payment.received", at: noon("2025-01-10"), #""payment":"P1","amount":"5.00""#), .fieldMissing)
        expectRejected(b.event("payment.received", at: noon("2025-01-10"), #""payment":"P1","amount":5,"received_on":"2025-01-10""#), .money)
        expectRejected(b.pay("P1", "200.00", received: "2025-01-10", allocations: [("I1", "100.01")]), .exceedsOpen)
        expectRejected(b.pay("P1", "200.00", received: "2025-01-10", allocations: [("I1", "60.00"), ("I1", "40.01")]), .exceedsOpen)
        expectRejected(b.pay("P1", "200.00", received: "2025-01-10", allocations: [("I1", "-0.01")]), .moneySign)
        expectRejected(b.pay("P1", "200.00", received: "2025-01-10", allocations: [("I1", "0.001")]), .moneyPrecision)
        expectRejected(b.pay("P1", "100.00", received: "2025-01-10", allocations: [("I1", "60.00"), ("I2", "40.01")]), .allocationsExceedPayment)
        expectRejected(b.pay("P1", "100.00", received: "2025-01-10", allocations: [("I1", "10.00"), ("J1", "1.00")]), .invoiceOtherCustomer)
        expectRejected(b.pay("P1", "100.00", received: "2025-01-10", allocations: [("NOPE", "1.00")]), .invoiceUnknown)
        expectRejected(b.event("payment.received", at: noon("2025-01-10"), #""payment":"P1","amount":"5.00","received_on":"2025-01-10","allocations":[{"amount":"1.00"}]"#), .fieldMissing)
        #expect(b.figures()["paid"] == "0.00")
        expectAccepted(b.pay("P1", "100.00", received: "2025-01-10", allocations: [("I1", "60.00"), ("I1", "40.00")]))
        expectRejected(b.pay("P1", "1.00", received: "2025-01-11"), .paymentExists)
        expectRejected(b.pay("P1", "1.00", received: "2025-01-11", customer: "D"), .paymentExists)
    }

    @Test func reversalRules() {
        var b = book()
        b.register("D")
        b.invoice("I1", "100.00", due: "2025-01-31")
        b.pay("P1", "10.00", received: "2025-01-10", at: "2025-01-10T10:00:00Z")
        b.pay("Q1", "10.00", received: "2025-01-10", customer: "D")
        expectRejected(b.reverse("NOPE", on: "2025-01-11"), .paymentUnknown)
        expectRejected(b.reverse("Q1", on: "2025-01-11"), .paymentOtherCustomer)
        expectRejected(b.reverse("P1", on: "", at: "2025-01-10T09:59:59Z"), .beforeReference)
        expectRejected(b.event("payment.reversed", at: noon("2025-01-11"), ""), .fieldMissing)
        expectAccepted(b.reverse("P1", on: "", at: "2025-01-10T10:00:00Z"))
        expectRejected(b.reverse("P1", on: "2025-01-12"), .alreadyReversed)
        #expect(b.figures()["paid"] == "0.00")
    }

    @Test(arguments: [
        (#""level":0,"channel":"email""#, Rejection.Rule.fieldInvalid), (#""level":5,"channel":"email""#, .fieldInvalid),
        (#""level":-1,"channel":"email""#, .fieldInvalid), (#""level":"1","channel":"email""#, .fieldType),
        (#""level":1.5,"channel":"email""#, .fieldType), (#""level":null,"channel":"email""#, .fieldType),
        (#""channel":"email""#, .fieldMissing), (#""level":1"#, .fieldMissing), (#""level":1,"channel":"fax""#, .fieldInvalid),
        (#""level":1,"channel":"Email""#, .fieldInvalid), (#""level":1,"channel":1"#, .fieldType),
        (#""level":1,"channel":"email","invoice":"bad id""#, .fieldInvalid),
    ])
    func dunningInvalid(_ body: String, _ rule: Rejection.Rule) {
        var b = book()
        expectRejected(b.event("dunning.action", at: noon("2025-01-02"), body), rule)
    }

    @Test(arguments: ["email", "letter", "phone", "sms", "legal"])
    func dunningChannels(_ channel: String) {
        var b = book()
        for level in 1...4 { expectAccepted(b.dun(level, channel: channel, on: "2025-01-02")) }
        #expect(b.figures()["dunning_level"] == "4")
    }
}

struct DateRangeTests {
    /// Day promises years 0001…9999 so that every date prints as YYYY-MM-DD. A due date derived
    /// from terms must keep that promise: either the invoice is refused, or its due date prints
    /// as a date that reads back.
    @Test func derivedDueDateStaysARepresentableDate() {
        var b = Book()
        b.register(terms: 30)
        let o = b.invoice("I1", "1.00", issued: "9999-12-31", at: noon("2025-01-02"))
        if o.isAccepted {
            let due = b.ledger()?.invoice("I1")?.installments.first?.dueOn
            let text = due?.description ?? "nil"
            #expect(due != nil && Day(parsing: text) == due, "due date prints as \(text)")
        }
    }
}
