import Testing

@testable import ArlogDomain

/// The dunning planner on hand-written facts: timing from each installment's due date, no
/// level repeated, no jump unless allowed, disputes and promises left out, and fees and
/// interest computed by hand (EUR, JPY, BHD).
struct DunningPlannerTests {
    static let eur = Currency(code: "EUR")!
    static let jpy = Currency(code: "JPY")!
    static let bhd = Currency(code: "BHD")!

    static func day(_ s: String) -> Day { Day(parsing: s)! }

    static func invoice(_ id: String, due: String, open: Int64 = 100_00, sent: Int = 0, disputed: Bool = false,
                        isFee: Bool = false) -> DunningInvoiceFacts {
        DunningInvoiceFacts(invoice: id, installments: [DunningInstallmentFacts(index: 0, dueOn: day(due), open: open)],
                            lastLevelSent: sent, disputed: disputed, isFee: isFee)
    }

    static func customer(_ invoices: [DunningInvoiceFacts], id: String = "ACME", promise: DunningPromise? = nil,
                         currency: Currency = eur) -> DunningFacts {
        DunningFacts(customer: id, name: "Acme Ltd", email: "ap@acme.test", currency: currency, invoices: invoices, promise: promise)
    }

    static func plan(_ facts: [DunningFacts], _ asOf: String, ladder: DunningLadder = .default) -> [DunningAction] {
        DunningPlanner.plan(facts, ladder: ladder, asOf: day(asOf))
    }

    /// (customer, level, invoices) of each action: what a test compares.
    static func summary(_ actions: [DunningAction]) -> [String] {
        actions.map { "\($0.customer) L\($0.level.level) \($0.items.map(\.invoice).joined(separator: ","))" }
    }

    // MARK: - Timing

    /// Level 1 is due on the 7th day past due, not on the 6th (the default ladder: 7/30/60/90).
    @Test func levelOneFromTheSeventhDayPastDue() {
        #expect(Self.summary(Self.plan([Self.customer([Self.invoice("A", due: "2026-03-24")])], "2026-03-31")) == ["ACME L1 A"])
        #expect(Self.plan([Self.customer([Self.invoice("A", due: "2026-03-25")])], "2026-03-31").isEmpty)
        // Due today or later: nothing.
        #expect(Self.plan([Self.customer([Self.invoice("A", due: "2026-03-31")])], "2026-03-31").isEmpty)
    }

    /// Each level waits for the one before it: 95 days past due with nothing sent is a
    /// reminder, then one level per run, never a level at or below the one sent.
    @Test func oneLevelAtATimeWithoutSkip() {
        for (sent, expected) in [(0, ["ACME L1 A"]), (1, ["ACME L2 A"]), (2, ["ACME L3 A"]), (3, ["ACME L4 A"]), (4, [])] {
            let facts = [Self.customer([Self.invoice("A", due: "2026-01-01", sent: sent)])]
            #expect(Self.summary(Self.plan(facts, "2026-04-06")) == expected, "sent \(sent)")
        }
    }

    /// A level sent late (the invoice was already 40 days past due) is followed by the next
    /// only after the ladder's gap between them (30 − 7 = 23 days), not on the next run.
    @Test func aLevelSentLateWaitsTheGap() {
        func facts(_ sentOn: String) -> [DunningFacts] {
            [Self.customer([DunningInvoiceFacts(invoice: "A", installments: [DunningInstallmentFacts(index: 0, dueOn: Self.day("2026-01-20"), open: 1)],
                                                lastLevelSent: 1, lastSentOn: Self.day(sentOn))])]
        }
        #expect(Self.plan(facts("2026-03-01"), "2026-03-01").isEmpty)
        #expect(Self.plan(facts("2026-03-01"), "2026-03-23").isEmpty)
        #expect(Self.summary(Self.plan(facts("2026-03-01"), "2026-03-24")) == ["ACME L2 A"])
        // Sent on time (7 days past due): level 2 on its 30th day, as the ladder says.
        #expect(Self.summary(Self.plan(facts("2026-01-27"), "2026-02-19")) == ["ACME L2 A"])
    }

    /// A level already sent is not repeated while the invoice stays below the next level's days.
    @Test func neverRepeatsALevel() {
        #expect(Self.plan([Self.customer([Self.invoice("A", due: "2026-02-14", sent: 2)])], "2026-03-31").isEmpty)  // 45 days
        #expect(Self.plan([Self.customer([Self.invoice("A", due: "2026-03-20", sent: 1)])], "2026-03-31").isEmpty)  // 11 days
    }

    /// `allow_skip` on a level lets it be sent without the levels before it; levels without
    /// it are never jumped to.
    @Test func skipOnlyWhereThePolicyAllows() {
        var levels = DunningLadder.default.levels
        let l4 = levels[3]
        levels[3] = DunningLevel(level: 4, name: l4.name, days: l4.days, channel: l4.channel, allowSkip: true)
        let ladder = DunningLadder(levels: levels)
        // 95 days, nothing sent: straight to collections.
        let a = Self.plan([Self.customer([Self.invoice("A", due: "2026-01-01")])], "2026-04-06", ladder: ladder)
        #expect(Self.summary(a) == ["ACME L4 A"])
        #expect(a.first?.why.contains("skipping") == true)
        // 65 days (target 3, which does not allow a skip): a reminder first.
        #expect(Self.summary(Self.plan([Self.customer([Self.invoice("A", due: "2026-01-25")])], "2026-03-31", ladder: ladder)) == ["ACME L1 A"])
        // Sent 1, 95 days: 4 allows a skip over 2 and 3.
        #expect(Self.summary(Self.plan([Self.customer([Self.invoice("A", due: "2026-01-01", sent: 1)])], "2026-04-06", ladder: ladder)) == ["ACME L4 A"])
    }

    /// The oldest overdue invoice is paid between two runs: the younger one keeps its own
    /// clock (from its own due date), neither skipping a level nor being pulled up by the
    /// invoice that left.
    @Test func oldestInvoicePaidBetweenRuns() {
        // Run 1 on 1 March: A 40 days past due, B 9 days: both get a reminder, A first.
        let run1 = Self.plan([Self.customer([Self.invoice("B", due: "2026-02-20"), Self.invoice("A", due: "2026-01-20")])], "2026-03-01")
        #expect(Self.summary(run1) == ["ACME L1 A,B"])
        #expect(run1[0].daysOverdue == 40)
        // A is paid. On 15 March B is 23 days past due: level 2 is not due (30 days), whatever A's age was.
        #expect(Self.plan([Self.customer([Self.invoice("B", due: "2026-02-20", sent: 1)])], "2026-03-15").isEmpty)
        // On 25 March B is 33 days past due: level 2, one step after its level 1.
        let run3 = Self.plan([Self.customer([Self.invoice("B", due: "2026-02-20", sent: 1)])], "2026-03-25")
        #expect(Self.summary(run3) == ["ACME L2 B"])
        #expect(run3[0].items[0].previousLevel == 1 && run3[0].items[0].daysOverdue == 33)
        // Had A stayed open, it would be at level 2 on 1 March's next run too, each on its own clock.
        let both = Self.plan([Self.customer([Self.invoice("A", due: "2026-01-20", sent: 1), Self.invoice("B", due: "2026-02-20", sent: 1)])], "2026-03-15")
        #expect(Self.summary(both) == ["ACME L2 A"])
    }

    /// An invoice is timed from its oldest open installment: a paid first installment (not
    /// in the facts) does not age the invoice.
    @Test func timedFromTheOldestOpenInstallment() {
        let inv = DunningInvoiceFacts(invoice: "I", installments: [
            DunningInstallmentFacts(index: 2, dueOn: Self.day("2026-03-30"), open: 50_00),
            DunningInstallmentFacts(index: 1, dueOn: Self.day("2026-03-21"), open: 50_00),
        ])
        let a = Self.plan([Self.customer([inv])], "2026-03-31")
        #expect(Self.summary(a) == ["ACME L1 I"])
        #expect(a[0].daysOverdue == 10)
        #expect(a[0].items[0].installments.map(\.index) == [1, 2])
        #expect(a[0].open == 100_00)
    }

    /// Invoices due different levels are different actions (letters), lowest level first.
    @Test func oneActionPerLevel() {
        let facts = [Self.customer([Self.invoice("A", due: "2026-01-01", sent: 1), Self.invoice("B", due: "2026-03-01"),
                                    Self.invoice("C", due: "2026-03-02")]),
                     Self.customer([Self.invoice("Z", due: "2026-03-01")], id: "ZED")]
        #expect(Self.summary(Self.plan(facts, "2026-03-31")) == ["ACME L1 B,C", "ACME L2 A", "ZED L1 Z"])
    }

    // MARK: - Left out

    @Test func disputedInvoicesAreLeftOut() {
        let facts = [Self.customer([Self.invoice("A", due: "2026-01-01", disputed: true), Self.invoice("B", due: "2026-03-01")])]
        #expect(Self.summary(Self.plan(facts, "2026-03-31")) == ["ACME L1 B"])
    }

    @Test func pendingPromisesLeaveOutTheCustomerOrTheInvoice() {
        let invoices = [Self.invoice("A", due: "2026-01-01"), Self.invoice("B", due: "2026-03-01")]
        #expect(Self.plan([Self.customer(invoices, promise: .customer)], "2026-03-31").isEmpty)
        #expect(Self.summary(Self.plan([Self.customer(invoices, promise: .invoice("A"))], "2026-03-31")) == ["ACME L1 B"])
        #expect(Self.summary(Self.plan([Self.customer(invoices, promise: .invoice("other"))], "2026-03-31")) == ["ACME L1 A,B"])
    }

    @Test func anEmptyLadderPlansNothing() {
        #expect(Self.plan([Self.customer([Self.invoice("A", due: "2026-01-01")])], "2026-03-31", ladder: DunningLadder(levels: [])).isEmpty)
    }

    // MARK: - Fees and interest, by hand

    static func ladder(fee1: String = "0", rate1: String = "0", fee2: String = "0", rate2: String = "0") -> DunningLadder {
        DunningLadder(levels: [
            DunningLevel(level: 1, name: "reminder", days: 7, channel: .email, fee: Decimal4(parsing: fee1)!, interestYearlyPercent: Decimal4(parsing: rate1)!),
            DunningLevel(level: 2, name: "formal notice", days: 30, channel: .letter, fee: Decimal4(parsing: fee2)!, interestYearlyPercent: Decimal4(parsing: rate2)!),
        ])
    }

    /// EUR: 1,234.56 open, 45 days past due, level 1 sent (at 7 days), level 2 charges 40.00
    /// and 8.5% a year for days 8–30 (23 days): 123456 × 23 × 8.5 / 100 / 365 = 661.2506
    /// cents → 6.61; the fee invoice is 46.61.
    @Test func feeAndInterestEUR() {
        let facts = [Self.customer([Self.invoice("INV-1", due: "2026-02-14", open: 1234_56, sent: 1)])]
        let a = Self.plan(facts, "2026-03-31", ladder: Self.ladder(fee2: "40.00", rate2: "8.5"))
        let charge = a.first?.items.first?.charge
        #expect(charge?.fee == 40_00)
        #expect(charge?.interest == 6_61)
        #expect(charge?.total == 46_61)
        #expect(charge?.feeInvoice == "fee.2.INV-1")
        #expect(a.first?.charged == 46_61)
    }

    /// JPY (no minor unit): a fee of 2.5 rounds half up to 3 yen; 14.6% a year on 150,000 yen
    /// for 7 days (level 1, nothing sent before, 10 days past due: days 1–7) is exactly 420.
    @Test func feeAndInterestJPY() {
        let facts = [Self.customer([Self.invoice("J", due: "2026-03-21", open: 150_000)], currency: Self.jpy)]
        let charge = Self.plan(facts, "2026-03-31", ladder: Self.ladder(fee1: "2.5", rate1: "14.6")).first?.items.first?.charge
        #expect(charge?.fee == 3)
        #expect(charge?.interest == 420)
        #expect(charge?.total == 423)
    }

    /// BHD (three digits), two installments: 1,000.000 at 40 days past due and 250.500 at 20,
    /// level 1 sent: level 2 charges days 8–30 of the first (23) and 8–20 of the second (13):
    /// base 1000000 × 23 + 250500 × 13 = 26,256,500 fils-days; at 5% a year
    /// 26256500 × 5 / 100 / 365 = 3596.78 → 3.597 BHD; fee 1.2345 → 1.235 (half up).
    @Test func feeAndInterestBHD() {
        let inv = DunningInvoiceFacts(invoice: "B", installments: [
            DunningInstallmentFacts(index: 0, dueOn: Self.day("2026-02-19"), open: 1_000_000),
            DunningInstallmentFacts(index: 1, dueOn: Self.day("2026-03-11"), open: 250_500),
        ], lastLevelSent: 1)
        let charge = Self.plan([Self.customer([inv], currency: Self.bhd)], "2026-03-31", ladder: Self.ladder(fee2: "1.2345", rate2: "5"))
            .first?.items.first?.charge
        #expect(charge?.interestBase == 26_256_500)
        #expect(charge?.interest == 3_597)
        #expect(charge?.fee == 1_235)
    }

    /// Interest covers each day past due once along the ladder: level 1 charges days 1–7,
    /// level 2 days 8–30, whichever day the run is on (a run late by two weeks charges the
    /// same as one on time).
    @Test func interestDaysAreChargedOnce() {
        let ladder = Self.ladder(rate1: "36.5", rate2: "36.5")  // 0.1% a day
        let l1 = Self.plan([Self.customer([Self.invoice("A", due: "2026-03-01", open: 1000_00)])], "2026-03-12", ladder: ladder)
        #expect(l1.first?.items.first?.charge?.interest == 7_00)  // 7 days × 1.00
        for asOf in ["2026-03-31", "2026-04-14"] {
            let l2 = Self.plan([Self.customer([Self.invoice("A", due: "2026-03-01", open: 1000_00, sent: 1)])], asOf, ladder: ladder)
            #expect(l2.first?.items.first?.charge?.interest == 23_00, "\(asOf)")  // days 8–30
        }
    }

    /// No fee or interest on a fee invoice; no charge at all under the default ladder.
    @Test func noChargeOnFeesNorByDefault() {
        let facts = [Self.customer([Self.invoice("fee.1.A", due: "2026-03-01", isFee: true)])]
        let a = Self.plan(facts, "2026-03-31", ladder: Self.ladder(fee1: "5", rate1: "10"))
        #expect(Self.summary(a) == ["ACME L1 fee.1.A"])
        #expect(a[0].items[0].charge == nil)
        #expect(Self.plan([Self.customer([Self.invoice("A", due: "2026-03-01")])], "2026-03-31")[0].items[0].charge == nil)
    }

    // MARK: - Ids

    @Test func idsAreDeterministicAndValid() {
        #expect(DunningIDs.action(invoice: "INV-1", level: 2) == "dunning.2.INV-1")
        #expect(DunningIDs.feeInvoice(invoice: "INV-1", level: 2) == "fee.2.INV-1")
        #expect(DunningIDs.isFeeInvoice("fee.2.INV-1") && !DunningIDs.isFeeInvoice("INV-1"))
        let long = String(repeating: "x", count: 128)
        let other = String(repeating: "x", count: 127) + "y"
        for id in [DunningIDs.action(invoice: long, level: 4), DunningIDs.feeInvoice(invoice: long, level: 4)] {
            #expect(EventDecoder.isIdentifier(id, max: FeedLimits.idCharsMax), "\(id)")
        }
        #expect(DunningIDs.action(invoice: long, level: 4) != DunningIDs.action(invoice: other, level: 4))
        #expect(DunningIDs.action(invoice: long, level: 4) == DunningIDs.action(invoice: long, level: 4))
        #expect(DunningIDs.isFeeInvoice(DunningIDs.feeInvoice(invoice: long, level: 1)))
    }

    /// The look-up key's bytes are the action id's, in both forms (plain and hashed, on either
    /// side of the 128-character limit) and at every level.
    @Test func actionKeyBytesAreTheActionID() {
        for n in [1, 7, 117, 118, 119, 120, 128] {
            let invoice = String((0..<n).map { Character(UnicodeScalar(UInt8(65 + $0 % 26))) })
            for level in 0...12 {
                var key: [UInt8] = [0x7A]
                Array(invoice.utf8).withUnsafeBytes { DunningIDs.appendAction(invoice: $0, level: level, to: &key) }
                #expect(key == [0x7A] + Array(DunningIDs.action(invoice: invoice, level: level).utf8), "\(n) \(level)")
            }
        }
    }
}

/// The ladder as a member of the credit policy: optional (old policies replay), printed,
/// validated with paths.
struct DunningLadderPolicyTests {
    @Test func theDefaultPolicyCarriesTheIssuesLadder() {
        let l = CreditPolicy.default.dunning
        #expect(l == DunningLadder.default)
        #expect(l.levels.map(\.days) == [7, 30, 60, 90])
        #expect(l.levels.map(\.channel) == [.email, .letter, .letter, .legal])
    }

    /// A policy logged before the ladder existed (no `dunning` member) gets the default ladder.
    @Test func absentMemberIsTheDefaultLadder() throws {
        var object = try JSONParser.parseObject(Array(CreditPolicy.defaultJSON.utf8))
        object.members.removeAll { $0.key == "dunning" }
        let p = try CreditPolicy(json: object)
        #expect(p.dunning == .default)
        #expect(p == CreditPolicy.default)
    }

    /// The JSON form round-trips, fees and rates included.
    @Test func roundTrip() throws {
        let text = CreditPolicy.defaultJSON.replacing(#""days": 30, "channel": "letter", "fee": "0", "interest_yearly_percent": 0, "allow_skip": false"#,
                                                     with: #""days": 30, "channel": "letter", "fee": "40.50", "interest_yearly_percent": 8.125, "allow_skip": true"#)
        let p = try CreditPolicy(parsing: Array(text.utf8))
        #expect(p.dunning.levels[1].fee == Decimal4(tenThousandths: 405_000))
        #expect(p.dunning.levels[1].interestYearlyPercent == Decimal4(tenThousandths: 81_250))
        #expect(p.dunning.levels[1].allowSkip)
        var w = JSONWriter()
        w.value(.object(p.json))
        #expect(try CreditPolicy(parsing: w.bytes) == p)
        #expect(w.text.contains(#""fee":"40.5""#))
    }

    @Test(arguments: [
        (#""days": 30, "channel": "letter""#, #""days": 7, "channel": "letter""#, "dunning.levels[1].days"),
        (#""level": 2,"#, #""level": 3,"#, "dunning.levels[1].level"),
        (#""channel": "email""#, #""channel": "fax""#, "dunning.levels[0].channel"),
        (#""days": 7, "channel": "email", "fee": "0""#, #""days": 7, "channel": "email", "fee": "-1""#, "dunning.levels[0].fee"),
        (#""days": 7, "channel": "email", "fee": "0""#, #""days": 7, "channel": "email", "fee": "1.23456""#, "dunning.levels[0].fee"),
        (#""fee": "0", "interest_yearly_percent": 0, "allow_skip": false}"#, #""fee": "0", "interest_yearly_percent": 1e2, "allow_skip": false}"#, "dunning.levels[0].interest_yearly_percent"),
        (#""allow_skip": false}"#, #""allow_skip": "no"}"#, "dunning.levels[0].allow_skip"),
        (#""levels": ["#, #""grace": 1, "levels": ["#, "dunning.grace"),
        (#""days": 7, "channel": "email","#, #""days": 0, "channel": "email","#, "dunning.levels[0].days"),
        (#""name": "reminder", "#, "", "dunning.levels[0].name"),
    ])
    func refusals(from: String, to: String, path: String) {
        #expect(CreditPolicyTests.refusal(from, to)?.path == path)
    }
}
