import Testing

@testable import ArlogDomain

/// Feed lines for the risk projector tests (NDJSON, one event a line).
enum RiskLines {
    static func register(_ id: String, _ customer: String, on: String = "2025-01-01", limit: String = "100000.00") -> String {
        eventLine(id, "customer.registered", customer, at: noon(on),
                  #""name":"Name of \#(customer)","currency":"EUR","terms_days":30,"credit_limit":"\#(limit)""#)
    }

    static func invoice(_ id: String, _ customer: String, _ invoice: String, _ amount: String, issued: String, due: String, at: String) -> String {
        eventLine(id, "invoice.issued", customer, at: noon(at),
                  #""invoice":"\#(invoice)","amount":"\#(amount)","issued_on":"\#(issued)","due_on":"\#(due)""#)
    }

    static func pay(_ id: String, _ customer: String, _ payment: String, _ amount: String, received: String, invoice: String? = nil) -> String {
        eventLine(id, "payment.received", customer, at: noon(received),
                  #""payment":"\#(payment)","amount":"\#(amount)","received_on":"\#(received)""#
                      + (invoice.map { #","allocations":[{"invoice":"\#($0)","amount":"\#(amount)"}]"# } ?? ""))
    }

    static func reverse(_ id: String, _ customer: String, _ payment: String, on: String) -> String {
        eventLine(id, "payment.reversed", customer, at: noon(on), #""payment":"\#(payment)""#)
    }

    static func dun(_ id: String, _ customer: String, _ level: Int, on: String) -> String {
        eventLine(id, "dunning.action", customer, at: noon(on), #""level":\#(level),"channel":"email""#)
    }

    static func limit(_ id: String, _ customer: String, _ limit: String, on: String) -> String {
        eventLine(id, "credit_limit.changed", customer, at: noon(on), #""credit_limit":"\#(limit)""#)
    }

    /// A log-wide clock tick: no customer.
    static func reviewed(_ id: String, at: String) -> String {
        #"{"id":"\#(id)","type":"credit.reviewed","at":"\#(at)"}"#
    }

    /// A log-wide policy change: no customer.
    static func policy(_ id: String, at: String, _ p: CreditPolicy) -> String {
        var w = JSONWriter()
        w.value(.object(p.json))
        return #"{"id":"\#(id)","type":"credit_policy.changed","at":"\#(at)","policy":\#(w.text)}"#
    }
}

extension InMemoryLog {
    /// Feeds the lines as one NDJSON text; records an issue for any line not accepted.
    mutating func feed(_ lines: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let outcomes = try ingest(lines.joined(separator: "\n") + "\n")
            #expect(outcomes.count == lines.count, sourceLocation: sourceLocation)
            for o in outcomes { expectAccepted(o, sourceLocation: sourceLocation) }
        } catch {
            Issue.record("storage error: \(error)", sourceLocation: sourceLocation)
        }
    }

    mutating func feed(_ lines: String..., sourceLocation: SourceLocation = #_sourceLocation) {
        feed(lines, sourceLocation: sourceLocation)
    }

    /// The single outcome of one line.
    mutating func one(_ line: String) throws -> IntakeOutcome {
        let outcomes = try ingest(line)
        try #require(outcomes.count == 1)
        return outcomes[0]
    }

    func alerts(_ customer: String, _ kinds: Set<AlertKind> = Set(AlertKind.allCases)) -> [Alert] {
        alerts.filter { $0.customer == customer && kinds.contains($0.kind) }
    }
}

/// The risk projector as `InMemoryLog` runs it: grade history, every alert trigger, log-wide
/// events, the per-customer clock, determinism.
struct RiskProjectorTests {
    typealias L = RiskLines
    static let defaultName = "arlog default 2026-11"

    // MARK: - Grade history

    /// Fresh customer 50/100/100/100/100/30 → 76 (B). Dunning level 4 takes 10 points: 66 (C).
    /// Level 3 is 25 points: 68, still C, so no change is recorded.
    @Test func firstGradeThenChangesWithTheirCause() throws {
        var log = InMemoryLog()
        log.feed(L.register("r1", "C"), L.dun("d1", "C", 4, on: "2025-01-02"), L.dun("d2", "C", 3, on: "2025-01-03"))
        try #require(log.gradeChanges.count == 2)
        let first = log.gradeChanges[0]
        #expect(first.customer == "C")
        #expect(first.from == nil)
        #expect(first.to == .b)
        #expect(first.scoreFrom == nil)
        #expect(first.score == 76)
        #expect(first.pointsFrom == nil)
        #expect(Array(first.points) == [50, 100, 100, 100, 100, 30])
        #expect(first.cause.eventID == "r1")
        #expect(first.cause.seq == 1)
        #expect(first.cause.type == .customerRegistered)
        #expect(first.evaluatedOn == Day(parsing: "2025-01-01")!)
        #expect(first.policyName == Self.defaultName)

        let second = log.gradeChanges[1]
        #expect(second.from == .b)
        #expect(second.to == .c)
        #expect(second.scoreFrom == 76)
        #expect(second.score == 66)
        #expect(second.pointsFrom.map(Array.init) == [50, 100, 100, 100, 100, 30])
        #expect(Array(second.points) == [50, 100, 100, 0, 100, 30])
        #expect(second.cause.eventID == "d1")
        #expect(second.cause.seq == 2)
        #expect(second.cause.type == .dunningAction)
        #expect(second.evaluatedOn == Day(parsing: "2025-01-02")!)

        let state = try #require(log.risk["C"])
        #expect(state.score == 68)
        #expect(state.grade == .c)
        #expect(state.seq == 3)
        #expect(state.evaluatedOn == Day(parsing: "2025-01-03")!)
        #expect(Array(state.points) == [50, 100, 100, 25, 100, 30])
    }

    // MARK: - grade_fell and score_below

    /// B → C is a warning. Then a 200,000.00 invoice 186 days past due on a 100,000.00 limit:
    /// payment 50, overdue 0, utilisation 0, dunning 0, reversals 100, trading 30 → 2550 → 26 (E):
    /// grade_fell is critical, and the same evaluation crosses the score line, goes over the
    /// limit and puts the invoice in 91+.
    @Test func gradeFellWarningThenCriticalToE() throws {
        var log = InMemoryLog()
        log.feed(L.register("r1", "C"), L.dun("d1", "C", 4, on: "2025-01-02"))
        #expect(log.alerts.map(\.kind) == [.gradeFell])
        let warning = try #require(log.alerts.first)
        #expect(warning.level == .warning)
        #expect(warning.gradeFrom == .b)
        #expect(warning.grade == .c)
        #expect(warning.score == 66)
        #expect(warning.cause.eventID == "d1")
        #expect(warning.reason == "grade fell from B to C (score 76 → 66)")
        #expect(warning.id == "2/C/0")

        log.feed(L.invoice("i1", "C", "I1", "200000.00", issued: "2024-06-01", due: "2024-07-01", at: "2025-01-03"))
        let new = log.alerts.filter { $0.cause.eventID == "i1" }
        #expect(new.map(\.kind) == [.gradeFell, .scoreBelow, .overLimit, .overdue91Plus])
        #expect(new.map(\.level) == [.critical, .warning, .critical, .critical])
        #expect(new.map(\.index) == [0, 1, 2, 3])
        #expect(new.map(\.id) == ["3/C/0", "3/C/1", "3/C/2", "3/C/3"])
        #expect(new.allSatisfy { $0.grade == .e && $0.score == 26 })
        #expect(new[0].gradeFrom == .c)
        #expect(new[1].gradeFrom == nil)
        #expect(new[1].reason == "score 26 is below 55")
        #expect(new[2].amount == 20_000_000)
        #expect(new[3].amount == 20_000_000)
        #expect(new[3].reference == "I1")
    }

    /// Straight from B to E is critical too (a new customer: 1750 + 0 + 0 + 1000 + 500 + 300 = 36).
    @Test func gradeFellFromBToEIsCritical() throws {
        var log = InMemoryLog()
        log.feed(L.register("r1", "C"), L.invoice("i1", "C", "I1", "200000.00", issued: "2024-06-01", due: "2024-07-01", at: "2025-01-03"))
        let fell = log.alerts("C", [.gradeFell])
        #expect(fell.map(\.level) == [.critical])
        #expect(fell.first?.gradeFrom == .b)
        #expect(fell.first?.score == 36)
    }

    /// Scores, event by event (hand-computed, default policy):
    ///   r1  register                                     76 B
    ///   d1  dunning 4                                    66 C
    ///   i1  1,000.00 33 days past due: overdue 50        53 D   score_below (66 → 53)
    ///   rv1 reviewed 2025-01-10 (I1 40 days; trading 32) 53 D   still below: nothing
    ///   rv2 reviewed 2025-01-20 (trading 33)             53 D   nothing
    ///   p1  I1 paid 52 days late: payment 39; dunning → 0;
    ///       trading 21 days → 34                          72 B
    ///   d2  dunning 4                                    62 C
    ///   i2  5,000.00 115 days past due: overdue 0,
    ///       utilisation 99                               37 E   score_below again (62 → 37)
    @Test func scoreBelowIsRaisedOnCrossingOnly() throws {
        var log = InMemoryLog()
        let lines = [
            L.register("r1", "C"),
            L.dun("d1", "C", 4, on: "2025-01-02"),
            L.invoice("i1", "C", "I1", "1000.00", issued: "2024-11-01", due: "2024-12-01", at: "2025-01-03"),
            L.reviewed("rv1", at: "2025-01-10T12:00:00Z"),
            L.reviewed("rv2", at: "2025-01-20T12:00:00Z"),
            L.pay("p1", "C", "P1", "1000.00", received: "2025-01-22", invoice: "I1"),
            L.dun("d2", "C", 4, on: "2025-01-23"),
            L.invoice("i2", "C", "I2", "5000.00", issued: "2024-09-01", due: "2024-10-01", at: "2025-01-24"),
        ]
        var scores: [Int] = []
        var grades: [Grade] = []
        for line in lines {
            log.feed(line)
            scores.append(log.risk["C"]?.score ?? -1)
            grades.append(log.risk["C"]?.grade ?? .a)
        }
        #expect(scores == [76, 66, 53, 53, 53, 72, 62, 37])
        #expect(grades == [.b, .c, .d, .d, .d, .b, .c, .e])
        #expect(log.alerts("C", [.scoreBelow]).map(\.cause.eventID) == ["i1", "i2"])
        // Improving (D → B) raises nothing; each fall does.
        #expect(log.alerts("C", [.gradeFell]).map(\.cause.eventID) == ["d1", "i1", "d2", "i2"])
        #expect(log.alerts.filter { ["rv1", "rv2", "p1"].contains($0.cause.eventID) }.isEmpty)
    }

    // MARK: - over_limit and utilisation_high

    /// Limit 1,000.00:
    ///   i1 950.00 → 95.00%        utilisation_high (warning)
    ///   i2 +100.00 → 105.00%      over_limit (critical), not utilisation_high as well
    ///   i3 +10.00 → still over    nothing
    ///   p1 160.00 → 900.00 = 90.00%: not above 90: both flags clear, nothing raised
    ///   i4 +0.10 → 90.01%         utilisation_high again
    ///   l1 limit 800.00           over_limit again, caused by the limit change
    @Test func overLimitAndUtilisationHigh() throws {
        var log = InMemoryLog()
        log.feed(
            L.register("r1", "U", limit: "1000.00"),
            L.invoice("i1", "U", "I1", "950.00", issued: "2025-01-01", due: "2025-03-01", at: "2025-01-02"),
            L.invoice("i2", "U", "I2", "100.00", issued: "2025-01-01", due: "2025-03-01", at: "2025-01-03"),
            L.invoice("i3", "U", "I3", "10.00", issued: "2025-01-01", due: "2025-03-01", at: "2025-01-04"),
            L.pay("p1", "U", "P1", "160.00", received: "2025-01-05"))
        var state = try #require(log.risk["U"])
        #expect(!state.overLimit)
        #expect(!state.utilisationHigh)
        log.feed(
            L.invoice("i4", "U", "I4", "0.10", issued: "2025-01-01", due: "2025-03-01", at: "2025-01-06"),
            L.limit("l1", "U", "800.00", on: "2025-01-07"))
        state = try #require(log.risk["U"])
        #expect(state.overLimit)
        #expect(state.utilisationHigh)

        let alerts = log.alerts("U", [.overLimit, .utilisationHigh])
        #expect(alerts.map(\.kind) == [.utilisationHigh, .overLimit, .utilisationHigh, .overLimit])
        #expect(alerts.map(\.cause.eventID) == ["i1", "i2", "i4", "l1"])
        #expect(alerts.map(\.level) == [.warning, .critical, .warning, .critical])
        #expect(alerts.map(\.amount) == [95_000, 105_000, 90_010, 90_010])
        #expect(alerts[0].reason == "utilisation 95.00% is above 90%")
        #expect(alerts[1].reason == "balance 1050.00 EUR is over the credit limit 1000.00 EUR")
        #expect(alerts[3].cause.type == .creditLimitChanged)
    }

    /// The utilisation level is compared exactly, like the limit: 90.004 % (shown as 90.00 %)
    /// is above 90 %.
    @Test func utilisationHighIsExactNotRounded() throws {
        var log = InMemoryLog()
        log.feed(
            L.register("r1", "W", limit: "1000000.00"),
            L.invoice("i1", "W", "I1", "900000.00", issued: "2025-01-01", due: "2025-03-01", at: "2025-01-02"))
        #expect(log.alerts("W", [.utilisationHigh]).isEmpty)
        log.feed(L.invoice("i2", "W", "I2", "40.00", issued: "2025-01-01", due: "2025-03-01", at: "2025-01-03"))
        #expect(log.alerts("W", [.utilisationHigh]).map(\.cause.eventID) == ["i2"])
    }

    /// From nothing straight over the limit: over_limit only; the state counts as high
    /// utilisation too, so coming back to 95% raises nothing.
    @Test func overLimitSuppressesUtilisationHigh() throws {
        var log = InMemoryLog()
        log.feed(
            L.register("r1", "V", limit: "1000.00"),
            L.invoice("i1", "V", "I1", "1200.00", issued: "2025-01-01", due: "2025-03-01", at: "2025-01-02"))
        #expect(log.alerts("V", [.overLimit, .utilisationHigh]).map(\.kind) == [.overLimit])
        #expect(log.risk["V"]?.utilisationHigh == true)
        log.feed(L.pay("p1", "V", "P1", "250.00", received: "2025-01-03"))
        #expect(log.risk["V"]?.overLimit == false)
        #expect(log.risk["V"]?.utilisationHigh == true)
        #expect(log.alerts("V", [.overLimit, .utilisationHigh]).count == 1)
    }

    /// A limit of 0 with a balance: over the limit, utilisation unmeasurable (∞), one alert.
    @Test func noLimitIsOverLimitWithAnyBalance() throws {
        var log = InMemoryLog()
        log.feed(
            L.register("r1", "W", limit: "0"),
            L.invoice("i1", "W", "I1", "1.00", issued: "2025-01-01", due: "2025-03-01", at: "2025-01-02"))
        let alerts = log.alerts("W", [.overLimit, .utilisationHigh])
        #expect(alerts.map(\.kind) == [.overLimit])
        #expect(alerts.first?.amount == 100)
        #expect(alerts.first?.reason == "balance 1.00 EUR is over the credit limit 0.00 EUR")
    }

    // MARK: - overdue_61_90 and overdue_91_plus

    /// I1 (due 2025-01-31) ages with the clock: credit.reviewed ticks move it into 61-90 on
    /// 2025-04-02 (61 days) and into 91+ on 2025-05-02 (91 days); each bucket is announced once,
    /// a partial payment inside the bucket announces nothing.
    @Test func overdueBucketsEnteredByTimePassing() throws {
        var log = InMemoryLog()
        log.feed(
            L.register("r1", "O"),
            L.invoice("i1", "O", "I1", "100.00", issued: "2025-01-01", due: "2025-01-31", at: "2025-01-01"),
            L.reviewed("rv1", at: "2025-04-01T12:00:00Z"))
        #expect(log.alerts("O", [.overdue61to90, .overdue91Plus]).isEmpty)
        #expect(log.overdue("O") == [])

        log.feed(L.reviewed("rv2", at: "2025-04-02T00:00:00Z"))
        var overdue = log.alerts("O", [.overdue61to90, .overdue91Plus])
        try #require(overdue.count == 1)
        #expect(overdue[0].kind == .overdue61to90)
        #expect(overdue[0].level == .warning)
        #expect(overdue[0].amount == 10_000)
        #expect(overdue[0].reference == "I1")
        #expect(overdue[0].cause.eventID == "rv2")
        #expect(overdue[0].cause.type == .creditReviewed)
        #expect(overdue[0].evaluatedOn == Day(parsing: "2025-04-02")!)
        #expect(overdue[0].reason == "100.00 EUR of invoice I1 entered the 61-90 days overdue bucket")
        #expect(log.overdue("O") == [OverdueMark(invoice: "I1", installment: 0, bucket: 3, open: 10_000)])

        log.feed(
            L.reviewed("rv3", at: "2025-04-15T12:00:00Z"),
            L.pay("p1", "O", "P1", "30.00", received: "2025-04-20", invoice: "I1"),
            L.reviewed("rv4", at: "2025-05-01T23:59:59Z"))
        #expect(log.alerts("O", [.overdue61to90, .overdue91Plus]).count == 1)

        log.feed(L.reviewed("rv5", at: "2025-05-02T00:00:00Z"), L.reviewed("rv6", at: "2025-06-01T12:00:00Z"))
        overdue = log.alerts("O", [.overdue61to90, .overdue91Plus])
        #expect(overdue.map(\.kind) == [.overdue61to90, .overdue91Plus])
        #expect(overdue[1].level == .critical)
        #expect(overdue[1].amount == 7_000)
        #expect(overdue[1].cause.eventID == "rv5")
        #expect(log.overdue("O") == [OverdueMark(invoice: "I1", installment: 0, bucket: 4, open: 7_000)])
    }

    /// Installments entering a bucket in the same evaluation make one alert with their sum;
    /// installments are tracked one by one (the later one enters later).
    @Test func overdueInstallmentsAndInvoicesTogether() throws {
        var log = InMemoryLog()
        log.feed(
            L.register("r1", "O"),
            eventLine("i1", "invoice.issued", "O", at: noon("2025-01-01"),
                      #""invoice":"I1","amount":"100.00","issued_on":"2025-01-01","installments":[{"due_on":"2025-01-31","amount":"60.00"},{"due_on":"2025-03-02","amount":"40.00"}]"#),
            L.invoice("i2", "O", "I2", "25.00", issued: "2025-01-01", due: "2025-01-31", at: "2025-01-01"),
            L.reviewed("rv1", at: "2025-04-02T12:00:00Z"))
        var alerts = log.alerts("O", [.overdue61to90, .overdue91Plus])
        try #require(alerts.count == 1)
        #expect(alerts[0].amount == 8_500)
        #expect(alerts[0].reference == "I1")
        #expect(alerts[0].reason == "85.00 EUR of 2 invoices (I1, …) entered the 61-90 days overdue bucket")
        // I1's second installment is 61 days past due on 2025-05-02, when the first two reach 91.
        log.feed(L.reviewed("rv2", at: "2025-05-02T12:00:00Z"))
        alerts = log.alerts("O", [.overdue61to90, .overdue91Plus])
        #expect(alerts.map(\.kind) == [.overdue61to90, .overdue61to90, .overdue91Plus])
        #expect(alerts[1].amount == 4_000)
        #expect(alerts[1].reference == "I1")
        #expect(alerts[2].amount == 8_500)
        #expect(log.overdue("O")?.map { "\($0.invoice)#\($0.installment):\($0.bucket)" } == ["I1#0:4", "I1#1:3", "I2#0:4"])
    }

    /// A reversal re-opens an installment that is already 69 days past due: it enters 61-90 at
    /// once, and 91+ later by time passing; one more tick in 61-90 raises nothing.
    /// On the reversal: payment 50 (no history left), overdue 20, utilisation 100, dunning 100,
    /// reversals 60, trading 99 days → 47: 5520 → 55 (C; from A: a warning, and 55 is not below 55).
    @Test func overdueByPaymentReversal() throws {
        var log = InMemoryLog()
        log.feed(
            L.register("r1", "R"),
            L.invoice("i1", "R", "I1", "100.00", issued: "2025-01-01", due: "2025-01-31", at: "2025-01-01"),
            L.pay("p1", "R", "P1", "100.00", received: "2025-01-31", invoice: "I1"),
            L.reviewed("rv1", at: "2025-04-05T12:00:00Z"))
        #expect(log.risk["R"]?.grade == .a)
        #expect(log.alerts("R", [.overdue61to90, .overdue91Plus]).isEmpty)

        log.feed(L.reverse("x1", "R", "P1", on: "2025-04-10"))
        let onReversal = log.alerts.filter { $0.cause.eventID == "x1" }
        #expect(onReversal.map(\.kind) == [.gradeFell, .overdue61to90, .paymentReversed])
        #expect(onReversal.first?.score == 55)
        #expect(onReversal[1].amount == 10_000)
        #expect(onReversal[1].reference == "I1")

        log.feed(L.reviewed("rv2", at: "2025-04-20T12:00:00Z"), L.reviewed("rv3", at: "2025-05-02T12:00:00Z"))
        let overdue = log.alerts("R", [.overdue61to90, .overdue91Plus])
        #expect(overdue.map(\.kind) == [.overdue61to90, .overdue91Plus])
        #expect(overdue.map(\.cause.eventID) == ["x1", "rv3"])
    }

    /// Re-opened at 121 days: straight into 91+, with no 61-90 alert on the way.
    @Test func reversalStraightIntoNinetyOnePlus() throws {
        var log = InMemoryLog()
        log.feed(
            L.register("r1", "R"),
            L.invoice("i1", "R", "I1", "100.00", issued: "2025-01-01", due: "2025-01-31", at: "2025-01-01"),
            L.pay("p1", "R", "P1", "100.00", received: "2025-01-31", invoice: "I1"),
            L.reverse("x1", "R", "P1", on: "2025-06-01"))
        let overdue = log.alerts("R", [.overdue61to90, .overdue91Plus])
        #expect(overdue.map(\.kind) == [.overdue91Plus])
        #expect(overdue.first?.amount == 10_000)
    }

    // MARK: - payment_reversed

    @Test func paymentReversedIsCriticalAndNamesThePayment() throws {
        var log = InMemoryLog()
        log.feed(
            L.register("r1", "C"),
            L.invoice("i1", "C", "I1", "100.00", issued: "2025-01-01", due: "2025-01-31", at: "2025-01-01"),
            L.pay("p1", "C", "P-77", "250.00", received: "2025-01-10", invoice: nil),
            L.pay("p2", "C", "P-78", "5.00", received: "2025-01-10", invoice: nil),
            L.reverse("x1", "C", "P-77", on: "2025-01-12"))
        let reversed = log.alerts("C", [.paymentReversed])
        try #require(reversed.count == 1)
        let a = reversed[0]
        #expect(a.level == .critical)
        #expect(a.reference == "P-77")
        #expect(a.amount == 25_000)
        #expect(a.cause.payment == "P-77")
        #expect(a.cause.type == .paymentReversed)
        #expect(a.cause.eventID == "x1")
        #expect(a.reason == "payment P-77 of 250.00 EUR was reversed")
        #expect(a.currency.code == "EUR")
        // No other event raised one.
        #expect(log.alerts.filter { $0.cause.type != .paymentReversed }.allSatisfy { $0.kind != .paymentReversed })
    }

    // MARK: - Log-wide events

    /// A stricter policy (B from 80) moves both fresh customers (76) from B to C, recorded with
    /// the policy event as cause, in customer order; later evaluations use it; a change back
    /// regrades again (an improvement: no alert).
    @Test func policyChangeRegradesEveryone() throws {
        var strict = CreditPolicy.default
        strict.name = "strict"
        strict.gradeMinScores = [90, 80, 60, 45]
        var log = InMemoryLog()
        log.feed(
            L.register("rb", "B"),
            L.register("ra", "A"),
            L.policy("pol1", at: "2025-01-01T13:00:00Z", strict),
            L.register("rz", "Z"))
        #expect(log.timeline.policies.count == 1)
        #expect(log.timeline.policies.first?.seq == 3)
        #expect(log.timeline.policies.first?.policy == strict)
        #expect(log.timeline.policy(atSeq: 2) == .default)
        #expect(log.timeline.policy(atSeq: 3) == strict)

        let byPolicy = log.gradeChanges.filter { $0.cause.eventID == "pol1" }
        #expect(byPolicy.map(\.customer) == ["A", "B"])
        for c in byPolicy {
            #expect(c.from == .b)
            #expect(c.to == .c)
            #expect(c.scoreFrom == 76)
            #expect(c.score == 76)
            #expect(c.cause.type == .creditPolicyChanged)
            #expect(c.cause.seq == 3)
            #expect(c.policyName == "strict")
        }
        let fell = log.alerts.filter { $0.cause.eventID == "pol1" }
        #expect(fell.map(\.customer) == ["A", "B"])
        #expect(fell.allSatisfy { $0.kind == .gradeFell && $0.level == .warning && $0.gradeFrom == .b })
        // A customer registered after the change is graded by it from the start.
        let z = log.gradeChanges.filter { $0.customer == "Z" }
        #expect(z.map(\.from) == [nil])
        #expect(z.map(\.to) == [.c])
        #expect(z.first?.policyName == "strict")

        let alertsBefore = log.alerts.count
        log.feed(L.policy("pol2", at: "2025-01-02T12:00:00Z", .default))
        let back = log.gradeChanges.filter { $0.cause.eventID == "pol2" }
        #expect(back.map(\.customer) == ["A", "B", "Z"])
        #expect(back.allSatisfy { $0.from == .c && $0.to == .b && $0.policyName == Self.defaultName })
        #expect(log.alerts.count == alertsBefore)
        #expect(log.timeline.policies.count == 2)
    }

    /// credit.reviewed changes no policy but evaluates every customer on its date.
    @Test func reviewEvaluatesEveryCustomer() throws {
        var log = InMemoryLog()
        log.feed(L.register("r1", "A"), L.register("r2", "B", on: "2024-01-01"), L.reviewed("rv", at: "2025-06-30T12:00:00Z"))
        #expect(log.timeline.policies.isEmpty)
        for c in ["A", "B"] {
            #expect(log.risk[c]?.seq == 3)
            #expect(log.risk[c]?.evaluatedOn == Day(parsing: "2025-06-30")!)
        }
        // A: 180 days → trading 60: 1750 + 2500 + 1500 + 1000 + 500 + 600 = 7850 → 78.5 → 79.
        // B: 546 days → 80 + 20 × 181/365 = 89.92 → 90: … + 900 = 8150 → 81.5 → 82.
        #expect(log.risk["A"]?.score == 79)
        #expect(log.risk["B"]?.score == 82)
    }

    /// Log-wide events must not name a customer (rule envelope.customer); a bad policy is
    /// policy.invalid. A refused line changes nothing.
    @Test func logWideEventsAreValidated() throws {
        var log = InMemoryLog()
        log.feed(L.register("r1", "C"))
        let risk = log.risk
        let changes = log.gradeChanges.count
        let policyText = { () -> String in
            var w = JSONWriter()
            w.value(.object(CreditPolicy.default.json))
            return w.text
        }()

        expectRejected(try log.one(#"{"id":"x1","type":"credit.reviewed","at":"2025-02-01T00:00:00Z","customer":"C"}"#), .customer)
        expectRejected(try log.one(#"{"id":"x2","type":"credit_policy.changed","at":"2025-02-01T00:00:00Z","customer":"C","policy":\#(policyText)}"#), .customer)
        let zero = policyText.replacing(#""weights":{"payment":35,"overdue":25,"utilisation":15,"dunning":10,"reversals":5,"trading_age":10}"#,
                                        with: #""weights":{"payment":0,"overdue":0,"utilisation":0,"dunning":0,"reversals":0,"trading_age":0}"#)
        #expect(zero != policyText)
        let invalid = try log.one(#"{"id":"x3","type":"credit_policy.changed","at":"2025-02-01T00:00:00Z","policy":\#(zero)}"#)
        expectRejected(invalid, .policy)
        if case .rejected(let r, let id) = invalid {
            #expect(id == "x3")
            #expect(r.message.contains("weights"))
        }
        expectRejected(try log.one(#"{"id":"x4","type":"credit_policy.changed","at":"2025-02-01T00:00:00Z"}"#), .fieldMissing)
        expectRejected(try log.one(#"{"id":"x5","type":"credit_policy.changed","at":"2025-02-01T00:00:00Z","policy":"strict"}"#), .fieldType)
        expectRejected(try log.one(#"{"id":"x6","type":"credit_policy.changed","at":"2025-02-01T00:00:00Z","policy":{"name":"half"}}"#), .policy)
        expectRejected(try log.one(#"{"id":"x7","type":"credit.reviewed","at":"yesterday"}"#), .at)

        #expect(log.events.count == 1)
        #expect(log.timeline.policies.isEmpty)
        #expect(log.risk == risk)
        #expect(log.gradeChanges.count == changes)
        // The same events without a customer are accepted; replaying one is a duplicate.
        expectAccepted(try log.one(#"{"id":"x1","type":"credit.reviewed","at":"2025-02-01T00:00:00Z"}"#))
        expectAccepted(try log.one(#"{"id":"x2","type":"credit_policy.changed","at":"2025-02-01T00:00:00Z","policy":\#(policyText)}"#))
        #expect(try log.one(#"{"id":"x1","type":"credit.reviewed","at":"2025-02-01T00:00:00Z"}"#).isDuplicate)
        #expect(log.timeline.policies.count == 1)
    }

    // MARK: - The clock

    /// The projector's clock per customer only moves forward: after a review on 2025-06-30, an
    /// event dated 2025-03-01 is evaluated on 2025-06-30 (trading 180 days → 60, not 59 days → 40).
    @Test func evaluationClockNeverGoesBackwards() throws {
        var log = InMemoryLog()
        log.feed(L.register("r1", "C"), L.reviewed("rv1", at: "2025-06-30T12:00:00Z"))
        let june30 = Day(parsing: "2025-06-30")!
        #expect(log.risk["C"]?.evaluatedOn == june30)
        #expect(log.risk["C"]?.score == 79)

        // Dunning 4 dated 2025-03-01: on 2025-06-30 that is 6850 → 68.5 → 69 (C). Evaluated on
        // its own date it would be 1750 + 2500 + 1500 + 0 + 500 + 400 = 66.5 → 67.
        log.feed(L.dun("d1", "C", 4, on: "2025-03-01"))
        let state = try #require(log.risk["C"])
        #expect(state.evaluatedOn == june30)
        #expect(state.seq == 3)
        #expect(state.score == 69)
        let fell = try #require(log.alerts("C", [.gradeFell]).last)
        #expect(fell.evaluatedOn == june30)
        #expect(log.gradeChanges.last?.evaluatedOn == june30)

        // An earlier log-wide tick does not turn it back either.
        log.feed(L.reviewed("rv2", at: "2025-02-01T12:00:00Z"))
        #expect(log.risk["C"]?.evaluatedOn == june30)
        #expect(log.risk["C"]?.seq == 4)
        #expect(log.risk["C"]?.score == 69)
    }

    @Test func projectorClockDirectly() throws {
        var b = Book()
        b.register(on: "2025-01-01")
        // The state without any evaluation yet (no previous state).
        var s = try #require(b.ledger()).state
        s.risk = RiskSweep(sweepDay: s.registeredAt.utcDay)
        let t = Timestamp.endOf(Day(parsing: "2025-01-05")!)
        let cause = RiskCause(seq: 9, eventID: "e9", type: .creditReviewed, at: t, payment: nil)
        let fresh = RiskProjector.evaluate(&s, customer: "C", policy: .default, seq: 9, type: .creditReviewed, at: t, cause: { cause })
        #expect(fresh.state.evaluatedOn == Day(parsing: "2025-01-05")!)
        #expect(s.risk.last == fresh.state)
        let first = try #require(fresh.change)
        #expect(first.from == nil)
        #expect(first.to == .b)
        // A previous evaluation dated later than the cause: the clock does not go back.
        s.risk.last?.evaluatedOn = Day(parsing: "2025-03-01")!
        let again = RiskProjector.evaluate(&s, customer: "C", policy: .default, seq: 9, type: .creditReviewed, at: t, cause: { cause })
        #expect(again.state.evaluatedOn == Day(parsing: "2025-03-01")!)
        #expect(again.change == nil)
        #expect(again.alerts.isEmpty)
    }

    // MARK: - Determinism

    static let mixedFeed: [String] = {
        var strict = CreditPolicy.default
        strict.name = "strict"
        strict.gradeMinScores = [90, 80, 60, 45]
        strict.alertUtilisationPercent = 50
        return [
            L.register("r1", "ACME", limit: "1000.00"),
            L.register("r2", "BOLT", on: "2024-06-01", limit: "0"),
            L.register("r3", "CORE"),
            L.invoice("i1", "ACME", "A1", "600.00", issued: "2025-01-01", due: "2025-01-31", at: "2025-01-02"),
            L.invoice("i2", "BOLT", "B1", "80.00", issued: "2024-06-01", due: "2024-07-01", at: "2025-01-02"),
            L.invoice("i3", "CORE", "C1", "2000.00", issued: "2025-01-01", due: "2025-02-15", at: "2025-01-03"),
            L.pay("p1", "ACME", "PA1", "600.00", received: "2025-03-15", invoice: "A1"),
            L.dun("d1", "CORE", 2, on: "2025-03-20"),
            L.reviewed("rv1", at: "2025-04-30T00:00:00Z"),
            L.policy("pol1", at: "2025-05-01T00:00:00Z", strict),
            L.reverse("x1", "ACME", "PA1", on: "2025-05-02"),
            L.invoice("i4", "ACME", "A2", "500.00", issued: "2025-05-02", due: "2025-06-01", at: "2025-05-02"),
            L.pay("p2", "CORE", "PC1", "2000.00", received: "2025-05-03"),
            L.reviewed("rv2", at: "2025-09-01T00:00:00Z"),
            L.dun("d2", "ACME", 4, on: "2025-04-01"),  // dated before the review: evaluated on 2025-09-01
        ]
    }()

    @Test func sameFeedSameProjection() throws {
        var one = InMemoryLog()
        one.feed(Self.mixedFeed)
        var two = InMemoryLog()
        two.feed(Self.mixedFeed)
        var three = InMemoryLog()
        for line in Self.mixedFeed { three.feed(line) }

        #expect(!one.alerts.isEmpty)
        #expect(Set(one.alerts.map(\.kind)).count >= 5)
        for other in [two, three] {
            #expect(other.risk == one.risk)
            #expect(other.gradeChanges == one.gradeChanges)
            #expect(other.alerts == one.alerts)
            #expect(other.timeline == one.timeline)
        }
        // Alert ids are unique.
        #expect(Set(one.alerts.map(\.id)).count == one.alerts.count)
        // Feeding the same file again: all duplicates, nothing new.
        let before = (one.risk, one.gradeChanges, one.alerts)
        let again = try one.ingest(Self.mixedFeed.joined(separator: "\n"))
        #expect(again.allSatisfy { $0.isDuplicate })
        #expect(one.risk == before.0)
        #expect(one.gradeChanges == before.1)
        #expect(one.alerts == before.2)
    }

    /// A policy's name is what grade histories show: a different policy under a name already
    /// logged, or under the built-in default's name, is refused; the same policy again is not.
    @Test func aPolicyNameNamesOnePolicy() throws {
        var log = InMemoryLog()
        var strict = CreditPolicy.default
        strict.name = "strict"
        strict.gradeMinScores = [95, 80, 65, 50]
        var other = strict
        other.alertScoreBelow = 60
        var unnamed = CreditPolicy.default
        unnamed.alertScoreBelow = 60
        expectAccepted(try log.one(L.policy("p1", at: "2025-01-01T00:00:00Z", strict)))
        expectRejected(try log.one(L.policy("p2", at: "2025-01-02T00:00:00Z", other)), .policyName)
        expectRejected(try log.one(L.policy("p3", at: "2025-01-02T00:00:00Z", unnamed)), .policyName)
        expectAccepted(try log.one(L.policy("p4", at: "2025-01-03T00:00:00Z", strict)))
        expectAccepted(try log.one(L.policy("p5", at: "2025-01-04T00:00:00Z", .default)))
        #expect(log.timeline.policies.map(\.policy.name) == ["strict", "strict", CreditPolicy.default.name])
    }
}
