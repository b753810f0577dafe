import Testing

@testable import ArlogDomain

extension Book {
    /// A `customer.assessed` with `body` after `assessed_on` and `source`.
    @discardableResult
    mutating func assess(on assessedOn: String, source: String = "bureau:dnb", _ body: String, customer: String = "C", at: String? = nil,
                         id: String? = nil) -> IntakeOutcome {
        event("customer.assessed", customer, id: id, at: at ?? noon(assessedOn),
              "\"assessed_on\":\"\(assessedOn)\",\"source\":\"\(source)\"" + (body.isEmpty ? "" : "," + body))
    }

    /// An `fx.rate` (no customer).
    @discardableResult
    mutating func fx(_ currency: String, _ base: String, _ rate: String, on: String, at: String? = nil, id: String? = nil, extra: String = "") -> IntakeOutcome {
        raw("{\"id\":\"\(id ?? nextID())\",\"type\":\"fx.rate\",\"at\":\"\(at ?? noon(on))\",\"currency\":\"\(currency)\",\"base\":\"\(base)\",\"rate\":\"\(rate)\",\"on\":\"\(on)\"\(extra)}")
    }
}

/// Feed v1.3: every acceptance and rejection rule of `customer.assessed` and `fx.rate`, the
/// assessment in force (by assessed_on, then log order; as of a date), the rates in force,
/// conversion with rounding, and the ratios `grade` shows.
struct CreditDataTests {
    func book(currency: String = "EUR") -> Book {
        var b = Book()
        b.register(currency: currency, on: "2025-01-01")
        b.invoice("I1", currency == "JPY" ? "1000" : "1000.00", issued: "2025-01-02", due: "2025-01-10")
        return b
    }

    // MARK: customer.assessed

    @Test func assessmentShapesAccepted() {
        var b = book()
        expectAccepted(b.assess(on: "2025-02-01", #""bureau_score":80"#))
        expectAccepted(b.assess(on: "2025-02-01", #""bureau_rating":"AAA""#))
        expectAccepted(b.assess(on: "2025-02-01", #""bureau_score":0,"bureau_rating":"B+","revenue":"0","fiscal_year_end":"2024-12-31""#))
        expectAccepted(b.assess(on: "2025-02-01", #""equity":"-5.00","operating_cash_flow":"-1","fiscal_year_end":"2024-12-31""#))
        expectAccepted(b.assess(on: "2025-02-01", #""bureau_score":100"#))
        // A JSON integer however written, as every integer field of the contract.
        expectAccepted(b.assess(on: "2025-02-01", #""bureau_score":8e1"#))
        // `assessed_on` equal to the UTC date of `at`, earlier than `at`'s date, and `at` with an offset.
        expectAccepted(b.assess(on: "2025-02-01", #""bureau_score":50"#, at: "2025-02-01T23:30:00-05:00"))
        // fiscal_year_end with bureau data only is kept (not required, not refused).
        expectAccepted(b.assess(on: "2025-02-01", #""bureau_score":50,"fiscal_year_end":"2024-12-31""#))
        // Lengths in characters: 64 and 16 non-ASCII characters are within the bounds.
        expectAccepted(b.assess(on: "2025-02-01", source: String(repeating: "é", count: 64), #""bureau_rating":"\#(String(repeating: "ß", count: 16))""#))
        // `currency` is not part of the event: kept as an unknown field, whatever it says.
        expectAccepted(b.assess(on: "2025-02-01", #""bureau_score":10,"currency":"USD""#))
        expectAccepted(b.assess(on: "2025-02-01", #""bureau_score":10,"currency":"not a currency""#))
        // Changes no balance figure and never resets the dunning level.
        let before = b.state()!
        #expect(before.totals.open == 100_000)
        b.dun(2, on: "2025-02-02")
        expectAccepted(b.assess(on: "2025-02-03", #""bureau_score":90"#))
        #expect(b.state()!.totals == before.totals)
        #expect(b.state()!.dunningLevel == 2)
    }

    @Test func assessmentRejections() {
        var b = book()
        // Not registered.
        expectRejected(b.assess(on: "2025-02-01", #""bureau_score":80"#, customer: "NOBODY"), .unregistered)
        // Before the registration.
        expectRejected(b.assess(on: "2024-12-01", #""bureau_score":80"#, at: "2024-12-01T00:00:00Z"), .beforeRegistration)
        // assessed_on after the UTC date of `at` (an offset that moves the UTC date back).
        expectRejected(b.assess(on: "2025-02-02", #""bureau_score":80"#, at: "2025-02-01T12:00:00Z"), .assessedAfterAt)
        expectRejected(b.assess(on: "2025-02-02", #""bureau_score":80"#, at: "2025-02-02T01:00:00+02:00"), .assessedAfterAt)
        // No data; fiscal_year_end alone is not data.
        expectRejected(b.assess(on: "2025-02-01", ""), .assessmentNoData)
        expectRejected(b.assess(on: "2025-02-01", #""fiscal_year_end":"2024-12-31""#), .assessmentNoData)
        expectRejected(b.assess(on: "2025-02-01", #""currency":"EUR""#), .assessmentNoData)
        // Figures without fiscal_year_end.
        expectRejected(b.assess(on: "2025-02-01", #""bureau_score":50,"revenue":"100.00""#), .fieldMissing)
        // Negative amounts where the contract does not allow them.
        for f in FinancialFigure.allCases where !f.mayBeNegative {
            expectRejected(b.assess(on: "2025-02-01", #""\#(f.key)":"-1.00","fiscal_year_end":"2024-12-31""#), .moneySign)
        }
        expectAccepted(b.assess(on: "2025-02-01", #""revenue":"-0.00","fiscal_year_end":"2024-12-31""#))
        // Money text, precision in the customer's currency, range.
        expectRejected(b.assess(on: "2025-02-01", #""revenue":100,"fiscal_year_end":"2024-12-31""#), .money)
        expectRejected(b.assess(on: "2025-02-01", #""revenue":"1e3","fiscal_year_end":"2024-12-31""#), .money)
        expectRejected(b.assess(on: "2025-02-01", #""revenue":"1.001","fiscal_year_end":"2024-12-31""#), .moneyPrecision)
        expectRejected(b.assess(on: "2025-02-01", #""equity":"-10000000000000.01","fiscal_year_end":"2024-12-31""#), .moneyRange)
        // bureau_score: range and type.
        expectRejected(b.assess(on: "2025-02-01", #""bureau_score":101"#), .fieldInvalid)
        expectRejected(b.assess(on: "2025-02-01", #""bureau_score":-1"#), .fieldInvalid)
        expectRejected(b.assess(on: "2025-02-01", #""bureau_score":80.5"#), .fieldType)
        expectRejected(b.assess(on: "2025-02-01", #""bureau_score":"80""#), .fieldType)
        expectRejected(b.assess(on: "2025-02-01", #""bureau_score":null"#), .fieldType)
        // Lengths in characters: 65 and 17 are one too many; empty is too few.
        expectRejected(b.assess(on: "2025-02-01", source: String(repeating: "é", count: 65), #""bureau_score":1"#), .fieldInvalid)
        expectRejected(b.assess(on: "2025-02-01", source: "", #""bureau_score":1"#), .fieldInvalid)
        expectRejected(b.assess(on: "2025-02-01", #""bureau_rating":"\#(String(repeating: "ß", count: 17))""#), .fieldInvalid)
        expectRejected(b.assess(on: "2025-02-01", #""bureau_rating":"""#), .fieldInvalid)
        expectRejected(b.assess(on: "2025-02-01", #""bureau_rating":7"#), .fieldType)
        // Dates.
        expectRejected(b.assess(on: "2025-02-30", #""bureau_score":1"#, at: noon("2025-03-01")), .fieldInvalid)
        expectRejected(b.assess(on: "2025-02-01", #""revenue":"1","fiscal_year_end":"31.12.2024""#), .fieldInvalid)
        expectRejected(b.event("customer.assessed", at: noon("2025-02-01"), #""source":"x","bureau_score":1"#), .fieldMissing)
        expectRejected(b.event("customer.assessed", at: noon("2025-02-01"), #""assessed_on":"2025-02-01","bureau_score":1"#), .fieldMissing)
        // Nothing above changed the state.
        #expect(b.state()!.assessment?.bureauScore == nil || b.state()!.assessment?.figures[.revenue] == 0)
    }

    @Test func assessmentInJPYAndBHD() {
        var b = book(currency: "JPY")
        expectRejected(b.assess(on: "2025-02-01", #""revenue":"100.5","fiscal_year_end":"2024-12-31""#), .moneyPrecision)
        expectAccepted(b.assess(on: "2025-02-01", #""revenue":"100","fiscal_year_end":"2024-12-31""#))
        #expect(b.state()!.assessment?.figures[.revenue] == 100)
        var c = Book()
        c.register(currency: "BHD")
        expectAccepted(c.assess(on: "2025-02-01", #""total_assets":"1.234","fiscal_year_end":"2024-12-31""#))
        #expect(c.state()!.assessment?.figures[.totalAssets] == 1234)
    }

    /// The latest by assessed_on, then log order; one whole event, not a merge.
    @Test func assessmentInForce() {
        var b = book()
        expectAccepted(b.assess(on: "2025-03-01", #""bureau_score":70,"bureau_rating":"B""#, id: "a1"))
        // An older assessment logged later does not take its place.
        expectAccepted(b.assess(on: "2025-02-01", #""bureau_score":20"#, at: noon("2025-03-05"), id: "a2"))
        #expect(b.state()!.assessment?.bureauScore == 70)
        // The same assessed_on logged later does (log order), and it is the whole event: the
        // earlier one's score and rating are gone.
        expectAccepted(b.assess(on: "2025-03-01", #""current_assets":"300.00","current_liabilities":"200.00","fiscal_year_end":"2024-12-31""#,
                                at: noon("2025-03-06"), id: "a3"))
        let a = b.state()!.assessment!
        #expect(a.bureauScore == nil)
        #expect(!a.hasRating)
        #expect(a.figures[.currentAssets] == 30000)
        #expect(a.fiscalYearEnd == Day(parsing: "2024-12-31"))
        #expect(b.log.events[Int(a.seq) - 1].event.id == "a3")
        #expect(a.currentRatio?.description == "1.50")
        #expect(a.debtRatio == nil)
        #expect(a.age(on: Day(parsing: "2025-03-31")!) == 30)
        // As of a date: among the events with `at` ≤ D.
        #expect(b.state(asOf: "2025-02-28")?.assessment == nil)
        #expect(b.state(asOf: "2025-03-01")?.assessment?.bureauScore == 70)
        #expect(b.state(asOf: "2025-03-05")?.assessment?.bureauScore == 70)
        #expect(b.state(asOf: "2025-03-06")?.assessment?.figures[.currentAssets] == 30000)
        // The state round-trips with it.
        let s = b.state()!
        let back = try? StateCodec.encode(s).withUnsafeBytes { try StateCodec.decodeState($0) }
        #expect(back == s)
    }

    @Test func ratiosRoundHalfAwayFromZero() {
        #expect(Ratio(1, 3)?.description == "0.33")
        #expect(Ratio(2, 3)?.description == "0.67")
        #expect(Ratio(1, 8)?.description == "0.13")  // 0.125
        #expect(Ratio(-1, 8)?.description == "-0.13")
        #expect(Ratio(1, -8)?.description == "-0.13")
        #expect(Ratio(-1, 200)?.description == "-0.01")  // -0.005
        #expect(Ratio(-1, 201)?.description == "0.00")
        #expect(Ratio(5, 0) == nil)
        #expect(Ratio(nil, 5) == nil)
        #expect(Ratio(Int64.max, 1)?.description == "9223372036854775807.00")
        var f = AssessmentFigures()
        f[.totalAssets] = 1_000_000
        f[.totalLiabilities] = 620_000
        f[.equity] = -380_000
        let a = AssessmentInForce(seq: 1, assessedOn: Day(parsing: "2025-01-01")!, bureauScore: nil, figures: f,
                                  fiscalYearEnd: Day(parsing: "2024-12-31")!, hasRating: false)
        #expect(a.debtRatio?.description == "0.62")
        #expect(a.equityShare?.description == "-0.38")
        #expect(a.currentRatio == nil)
    }

    // MARK: fx.rate

    @Test func fxRateRules() {
        var b = book()
        expectAccepted(b.fx("USD", "EUR", "0.9216", on: "2025-02-01"))
        expectAccepted(b.fx("JPY", "EUR", "0.0061234567", on: "2025-02-01"))  // 10 fraction digits
        expectAccepted(b.fx("EUR", "USD", "1", on: "2025-02-01"))
        expectAccepted(b.fx("GBP", "EUR", "001.20", on: "2025-02-01"))  // money's grammar: leading zeros
        // `on` may be later than `at` (published in advance).
        expectAccepted(b.fx("CHF", "EUR", "1.05", on: "2025-03-01", at: noon("2025-02-01")))
        // Unknown fields are kept.
        expectAccepted(b.fx("SEK", "EUR", "0.088", on: "2025-02-01", extra: #","source":"ecb""#))
        // No customer, with any value.
        expectRejected(b.fx("USD", "EUR", "0.9", on: "2025-02-01", extra: #","customer":"C""#), .customer)
        expectRejected(b.fx("USD", "EUR", "0.9", on: "2025-02-01", extra: #","customer":"""#), .customer)
        expectRejected(b.fx("USD", "EUR", "0.9", on: "2025-02-01", extra: #","customer":null"#), .customer)
        // The rate's grammar, sign and precision.
        for bad in ["-0.9", "+0.9", "0.9e0", ".9", "9.", "0,9", " 0.9", "", "abc"] {
            expectRejected(b.fx("USD", "EUR", bad, on: "2025-02-01"), .money)
        }
        expectRejected(b.raw(#"{"id":"x1","type":"fx.rate","at":"2025-02-01T00:00:00Z","currency":"USD","base":"EUR","rate":0.9,"on":"2025-02-01"}"#), .money)
        expectRejected(b.fx("USD", "EUR", "0.12345678901", on: "2025-02-01"), .moneyPrecision)
        expectRejected(b.fx("USD", "EUR", "1.00000000000", on: "2025-02-01"), .moneyPrecision)  // as written
        expectRejected(b.fx("USD", "EUR", "0", on: "2025-02-01"), .moneySign)
        expectRejected(b.fx("USD", "EUR", "0.0000000000", on: "2025-02-01"), .moneySign)
        expectRejected(b.fx("USD", "EUR", "1234567890.123456789", on: "2025-02-01"), .moneyRange)  // 19 digits: the limit
        // Currencies.
        expectRejected(b.fx("EUR", "EUR", "1", on: "2025-02-01"), .fxSameCurrency)
        expectRejected(b.fx("XAU", "EUR", "1", on: "2025-02-01"), .currency)
        expectRejected(b.fx("USD", "usd", "1", on: "2025-02-01"), .currency)
        expectRejected(b.raw(#"{"id":"x2","type":"fx.rate","at":"2025-02-01T00:00:00Z","base":"EUR","rate":"1","on":"2025-02-01"}"#), .fieldMissing)
        expectRejected(b.raw(#"{"id":"x3","type":"fx.rate","at":"2025-02-01T00:00:00Z","currency":"USD","rate":"1","on":"2025-02-01"}"#), .fieldMissing)
        expectRejected(b.raw(#"{"id":"x4","type":"fx.rate","at":"2025-02-01T00:00:00Z","currency":"USD","base":"EUR","on":"2025-02-01"}"#), .fieldMissing)
        expectRejected(b.raw(#"{"id":"x5","type":"fx.rate","at":"2025-02-01T00:00:00Z","currency":"USD","base":"EUR","rate":"1"}"#), .fieldMissing)
        expectRejected(b.fx("USD", "EUR", "1", on: "2025-13-01", at: noon("2025-02-01")), .fieldInvalid)
        // A rate changes no customer and regrades nobody.
        let before = b.state()!
        let changes = b.log.gradeChanges.count
        let alerts = b.log.alerts.count
        expectAccepted(b.fx("NOK", "EUR", "0.085", on: "2026-06-01", at: noon("2026-06-01")))
        #expect(b.state()! == before)
        #expect(b.log.gradeChanges.count == changes && b.log.alerts.count == alerts)
    }

    /// The latest `on` ≤ D, then log order; `at` plays no part.
    @Test func ratesInForce() {
        var b = Book()
        let usd = Currency(code: "USD")!
        let eur = Currency(code: "EUR")!
        expectAccepted(b.fx("USD", "EUR", "0.90", on: "2025-02-01", id: "r1"))
        expectAccepted(b.fx("USD", "EUR", "0.91", on: "2025-03-01", at: noon("2025-02-15"), id: "r2"))  // in advance
        expectAccepted(b.fx("USD", "EUR", "0.89", on: "2025-01-15", at: noon("2025-02-20"), id: "r3"))  // keyed in late
        expectAccepted(b.fx("USD", "EUR", "0.92", on: "2025-03-01", at: noon("2025-02-16"), id: "r4"))  // same on: log order
        expectAccepted(b.fx("USD", "GBP", "0.80", on: "2025-02-01", id: "r5"))
        let t = b.log.fxRates
        func id(_ d: String) -> String? { t.rate(currency: usd, base: eur, on: Day(parsing: d)!)?.id }
        #expect(id("2025-01-14") == nil)
        #expect(id("2025-01-15") == "r3")
        #expect(id("2025-01-31") == "r3")
        #expect(id("2025-02-01") == "r1")
        #expect(id("2025-02-28") == "r1")
        #expect(id("2025-03-01") == "r4")
        #expect(id("2030-01-01") == "r4")
        #expect(t.rates(on: Day(parsing: "2025-02-10")!).map(\.id) == ["r1", "r5"])
        #expect(t.rates(on: Day(parsing: "2025-01-20")!).map(\.id) == ["r3"])
        #expect(t.rates(on: Day(parsing: "2025-01-01")!).isEmpty)
    }

    @Test func conversionRoundsHalfAwayFromZero() {
        let r = ExchangeRate(digits: 9216, scale: 4)!  // 0.9216
        #expect(r.description == "0.9216")
        // 10.05 USD at 0.9216 = 9.26208 EUR → 9.26
        #expect(r.convert(1005, fromDigits: 2, toDigits: 2) == 926)
        // 0.05 JPY-style: 1 yen at 0.0061234567 EUR = 0.0061234567 → 0.01
        let jpy = ExchangeRate(digits: 61_234_567, scale: 10)!
        #expect(jpy.convert(1, fromDigits: 0, toDigits: 2) == 1)
        #expect(jpy.convert(81, fromDigits: 0, toDigits: 2) == 50)  // 0.4959999927 → 0.50
        // Exactly half: 0.5 of a cent goes away from zero, either sign.
        let half = ExchangeRate(digits: 5, scale: 1)!  // 0.5
        #expect(half.convert(1, fromDigits: 2, toDigits: 2) == 1)
        #expect(half.convert(-1, fromDigits: 2, toDigits: 2) == -1)
        #expect(half.convert(3, fromDigits: 2, toDigits: 2) == 2)  // 1.5 → 2
        #expect(half.convert(-3, fromDigits: 2, toDigits: 2) == -2)
        // Into more digits (EUR → BHD at 0.41): exact.
        #expect(ExchangeRate(digits: 41, scale: 2)!.convert(100, fromDigits: 2, toDigits: 3) == 410)
        #expect(ExchangeRate(digits: 1, scale: 0)!.convert(Int128(Int64.max), fromDigits: 2, toDigits: 4) == Int128(Int64.max) * 100)
        #expect(ExchangeRate(digits: 5, scale: 10)!.description == "0.0000000005")
        #expect(ExchangeRate(digits: 0, scale: 2) == nil)
        #expect(ExchangeRate(digits: 1, scale: 11) == nil)
    }

    /// Both decoders give the same events for v1.3 lines (the fast path falls back where it
    /// does not decode a shape itself).
    @Test func fastAndSlowDecodersAgree() {
        var fast = Book()
        var slow = InMemoryLog()
        let lines = [
            eventLine("r", "customer.registered", at: noon("2025-01-01"), #""name":"N","currency":"EUR","terms_days":30,"credit_limit":"0""#),
            eventLine("a1", "customer.assessed", at: noon("2025-02-01"), #""assessed_on":"2025-02-01","source":"bureau:x","bureau_score":55"#),
            eventLine("a2", "customer.assessed", at: noon("2025-02-02"),
                      #""assessed_on":"2025-02-01","source":"annual","revenue":"1.00","total_assets":"2.00","total_liabilities":"3.00","current_assets":"4.00","current_liabilities":"5.00","equity":"-6.00","operating_cash_flow":"-7.00","fiscal_year_end":"2024-12-31","bureau_rating":"Aa","currency":"USD""#),
            eventLine("a3", "customer.assessed", at: noon("2025-02-03"), #""assessed_on":"2025-02-04","source":"x","bureau_score":1"#),
            eventLine("a4", "customer.assessed", at: noon("2025-02-03"), #""assessed_on":"2025-02-01","source":"x","revenue":"1""#),
            #"{"id":"f1","type":"fx.rate","at":"2025-02-01T00:00:00Z","currency":"USD","base":"EUR","rate":"0.9216","on":"2025-02-01"}"#,
            #"{"id":"f2","type":"fx.rate","at":"2025-02-01T00:00:00Z","currency":"USD","base":"USD","rate":"1","on":"2025-02-01"}"#,
            #"{"id":"f3","type":"fx.rate","at":"2025-02-01T00:00:00Z","currency":"USD","base":"EUR","rate":"1","on":"2025-02-01","customer":"C"}"#,
        ]
        for line in lines {
            let bytes = Array(line.utf8)
            let viaFast = fast.raw(line)
            let viaSlow = try? bytes.withUnsafeBytes { try Intake.process(line: $0, into: &slow, fastDecoder: false) }
            #expect(viaFast.summary == viaSlow?.summary, "\(line)")
            if case .event(let e) = bytes.withUnsafeBytes({ FastDecoder.decode($0) }) {
                let object = try? JSONParser.parseObject(bytes)
                let slowEvent = try? EventDecoder.decode(object!, id: e.id)
                #expect(slowEvent == e, "\(line)")
            }
        }
        #expect(fast.log.events.map(\.binary) == slow.events.map(\.binary))
    }
}
