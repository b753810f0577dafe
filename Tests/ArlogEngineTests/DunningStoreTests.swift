import ArlogDomain
import Foundation
import Testing

@testable import ArlogEngine

/// `dunning plan` and `dunning run` on a real store: facts built from the states, levels sent
/// read back from the log (so a second run appends nothing), fee invoices through the normal
/// `invoice.issued` path.
struct DunningStoreTests {
    static let feed = """
        {"id":"r1","type":"customer.registered","at":"2026-01-01T09:00:00Z","customer":"ACME","name":"Acme Ltd","currency":"EUR","terms_days":30,"credit_limit":"10000.00","email":"ap@acme.test"}
        {"id":"i1","type":"invoice.issued","at":"2026-01-02T09:00:00Z","customer":"ACME","invoice":"A","amount":"1234.56","issued_on":"2026-01-02","due_on":"2026-01-20"}
        {"id":"i2","type":"invoice.issued","at":"2026-01-03T09:00:00Z","customer":"ACME","invoice":"B","amount":"100.00","issued_on":"2026-01-03","due_on":"2026-02-20"}
        {"id":"r2","type":"customer.registered","at":"2026-01-01T09:00:00Z","customer":"ZED","name":"Zed GmbH","currency":"JPY","terms_days":30,"credit_limit":"0"}
        {"id":"i3","type":"invoice.issued","at":"2026-01-04T09:00:00Z","customer":"ZED","invoice":"Z","amount":"150000","issued_on":"2026-01-04","due_on":"2026-03-20"}

        """

    static func day(_ s: String) -> Day { Day(parsing: s)! }

    static func summary(_ plan: DunningPlan) -> [String] {
        plan.actions.map { "\($0.customer) L\($0.level.level) \($0.items.map(\.invoice).joined(separator: ","))" }
    }

    /// Runs the plan for `asOf`, requiring no rejection; returns what was appended.
    @discardableResult
    static func run(_ t: TempStore, _ asOf: String) throws -> DunningRunResult {
        let plan = try t.store.dunningPlan(asOf: day(asOf), today: day(asOf))
        var rejected: [RejectedLine] = []
        let r = try t.store.dunningRun(plan, at: Timestamp.endOf(day(asOf))) { rejected.append($0) }
        #expect(rejected.isEmpty, "\(rejected.map { "\($0.rejection.rule.rawValue) \($0.rejection.message)" })")
        return r
    }

    /// The ladder over a month: the oldest invoice is paid between runs; each run logs one
    /// `dunning.action` per invoice and level with actor arlog-dunning, a second run the same
    /// day appends nothing, and the younger invoice climbs from its own due date.
    @Test func ladderOverAMonthWithThePaymentOfTheOldest() throws {
        let t = try TempStore()
        try t.ingest(Self.feed)
        let plan1 = try t.store.dunningPlan(asOf: Self.day("2026-03-01"), today: Self.day("2026-03-01"))
        #expect(Self.summary(plan1) == ["ACME L1 A,B"])
        #expect(plan1.actions[0].name == "Acme Ltd" && plan1.actions[0].email == "ap@acme.test")
        let r1 = try Self.run(t, "2026-03-01")
        #expect(r1.summary.accepted == 2 && r1.actionEvents == 2 && r1.feeInvoices == 0)
        #expect(try t.store.balance("ACME").dunningLevel == 1)
        // Run again the same day: nothing planned, nothing appended.
        #expect(try t.store.dunningPlan(asOf: Self.day("2026-03-01"), today: Self.day("2026-03-01")).actions.isEmpty)
        #expect(try Self.run(t, "2026-03-01").summary.accepted == 0)
        // A, 40 days past due, got its level 1 late: level 2 waits the ladder's 23 days (B, 9 days past due then, too).
        #expect(try t.store.dunningPlan(asOf: Self.day("2026-03-23"), today: Self.day("2026-03-23")).actions.isEmpty)
        #expect(Self.summary(try t.store.dunningPlan(asOf: Self.day("2026-03-24"), today: Self.day("2026-03-24"))) == ["ACME L2 A,B"])
        // A is paid on 5 March.
        try t.ingest("""
            {"id":"p1","type":"payment.received","at":"2026-03-05T09:00:00Z","customer":"ACME","payment":"P1","amount":"1234.56","received_on":"2026-03-05","allocations":[{"invoice":"A","amount":"1234.56"}]}

            """)
        // 15 March: B is 23 days past due, level 1 sent: nothing (A's age does not carry over).
        #expect(try t.store.dunningPlan(asOf: Self.day("2026-03-15"), today: Self.day("2026-03-15")).actions.isEmpty)
        // 25 March: B 33 days: level 2; ZED's Z 5 days: nothing.
        let plan3 = try t.store.dunningPlan(asOf: Self.day("2026-03-25"), today: Self.day("2026-03-25"))
        #expect(Self.summary(plan3) == ["ACME L2 B"])
        #expect(plan3.actions[0].items[0].previousLevel == 1)
        try Self.run(t, "2026-03-25")
        #expect(try t.store.balance("ACME").dunningLevel == 2)
        // The events as logged: deterministic ids, the actor, the channel, the invoice, a note.
        #expect(try t.store.hasEvent(id: "dunning.1.A"))
        #expect(try t.store.hasEvent(id: "dunning.1.B"))
        #expect(try t.store.hasEvent(id: "dunning.2.B"))
        #expect(try !t.store.hasEvent(id: "dunning.2.A"))
    }

    /// Fees and interest are fee invoices: they are in the balance and age like any invoice,
    /// are charged once per (invoice, level), and are themselves dunned without a fee.
    @Test func feeInvoicesAreInvoices() throws {
        let t = try TempStore()
        try t.ingest(Self.feed)
        // A policy whose level 1 charges 5.00 and 10% a year.
        let text = CreditPolicy.defaultJSON
            .replacing(#""name": "arlog default 2026-11""#, with: #""name": "fees""#)
            .replacing(#""days": 7, "channel": "email", "fee": "0", "interest_yearly_percent": 0"#,
                       with: #""days": 7, "channel": "email", "fee": "5.00", "interest_yearly_percent": 10"#)
        let policy = try CreditPolicy(parsing: Array(text.utf8))
        let line = OwnEvents.policyChanged(policy, id: "pol1", at: Timestamp(parsing: "2026-01-01T00:00:00Z")!, actor: "test", note: nil)
        #expect(try t.store.append(lines: [line], source: "test") { _ in }.accepted == 1)
        let before = try t.store.balance("ACME").totals.open
        let r = try Self.run(t, "2026-03-01")
        // A: 1234.56 × 7 days (level 1's) × 10% / 365 = 2.3676 → 2.37, + 5.00; B (9 days
        // past due): 100.00 × 7 × 10% / 365 = 0.19 + 5.00.
        #expect(r.feeInvoices == 2 && r.summary.accepted == 4)
        #expect(try t.store.balance("ACME").totals.open == before + 7_37 + 5_19)
        #expect(try t.store.hasEvent(id: "fee.1.A"))
        // Once: a second run charges nothing more.
        #expect(try Self.run(t, "2026-03-02").summary.accepted == 0)
        #expect(try t.store.balance("ACME").totals.open == before + 7_37 + 5_19)
        // The fee invoices are due on issue: 7 days later they are dunned, without a fee.
        let plan = try t.store.dunningPlan(asOf: Self.day("2026-03-08"), today: Self.day("2026-03-08"))
        // (A, 47 days past due, waits for level 2 until 23 days after its level 1.)
        #expect(Self.summary(plan) == ["ACME L1 fee.1.A,fee.1.B"])
        #expect(plan.actions[0].items.allSatisfy { $0.charge == nil })
    }

    /// A customer whose events are dated after the run's `at` (a future-dated feed) gets its
    /// events dated at its latest event, so they are not refused as before the invoice.
    @Test func eventsAreNotDatedBeforeTheCustomersLatest() throws {
        let t = try TempStore()
        try t.ingest(Self.feed)
        let plan = try t.store.dunningPlan(asOf: nil, today: Self.day("2026-03-01"))
        var rejected: [RejectedLine] = []
        let r = try t.store.dunningRun(plan, at: Timestamp(parsing: "2025-12-31T00:00:00Z")!) { rejected.append($0) }
        #expect(rejected.isEmpty)
        #expect(r.summary.accepted == 2)
    }

    /// Feed v1.1 in the plan: a disputed invoice is left out while its dispute is open; a
    /// promise naming an invoice leaves that invoice out, one naming none the whole customer,
    /// while pending (not once it is broken); a level sent by the feed's own `dunning.action`
    /// counts as sent.
    @Test func disputesPromisesAndTheFeedsOwnActions() throws {
        let t = try TempStore()
        try t.ingest(Self.feed)
        try t.ingest("""
            {"id":"d1","type":"dispute.opened","at":"2026-02-01T09:00:00Z","customer":"ACME","invoice":"A","reason":"damaged"}

            """)
        let day = Self.day("2026-03-01")
        #expect(Self.summary(try t.store.dunningPlan(asOf: day, today: day)) == ["ACME L1 B"])
        // A promise naming B: nothing for ACME while it is pending (A is disputed).
        try t.ingest("""
            {"id":"pr1","type":"promise.recorded","at":"2026-02-25T09:00:00Z","customer":"ACME","amount":"100.00","promised_on":"2026-03-06","invoice":"B"}

            """)
        #expect(try t.store.dunningPlan(asOf: day, today: day).actions.isEmpty)
        // Broken on 7 March: B is dunned again.
        let after = Self.day("2026-03-07")
        #expect(Self.summary(try t.store.dunningPlan(asOf: after, today: after)) == ["ACME L1 B"])
        // The dispute is resolved: A is back, and a customer-wide promise leaves out both.
        try t.ingest("""
            {"id":"d2","type":"dispute.resolved","at":"2026-03-02T09:00:00Z","customer":"ACME","invoice":"A","outcome":"rejected"}
            {"id":"pr2","type":"promise.recorded","at":"2026-03-02T10:00:00Z","customer":"ACME","amount":"500.00","promised_on":"2026-03-10"}

            """)
        #expect(try t.store.dunningPlan(asOf: after, today: after).actions.isEmpty)
        let later = Self.day("2026-03-11")
        #expect(Self.summary(try t.store.dunningPlan(asOf: later, today: later)) == ["ACME L1 A,B"])
        // Without --as-of the facts are every event's, judged on today.
        #expect(try t.store.dunningPlan(asOf: nil, today: after).actions.isEmpty)
        #expect(Self.summary(try t.store.dunningPlan(asOf: nil, today: later)) == ["ACME L1 A,B"])
        // The feed's own level-2 reminder naming A: A is at level 2 (its next, 3, waits for 60
        // days past due); B still gets level 1.
        try t.ingest("""
            {"id":"f1","type":"dunning.action","at":"2026-03-11T08:00:00Z","customer":"ACME","level":2,"channel":"letter","invoice":"A"}

            """)
        #expect(Self.summary(try t.store.dunningPlan(asOf: later, today: later)) == ["ACME L1 B"])
    }

    /// The levels sent as the plan reads them in bulk (`applyLadderLevelsSent`: one merge per
    /// level against the ids index, then the records of the levels found) equal the look-up per
    /// invoice (`lastLevelSent`, highest level first) merged with the state's level, invoice by
    /// invoice: over customers whose invoices sort in no particular order, levels 1 to 3 logged
    /// by runs on different days, a level the feed logged itself under the ladder's id, a
    /// disputed invoice, and invoice ids long enough for the hashed form of the action id.
    @Test func levelsSentInBulkEqualThePerInvoiceLookUp() throws {
        let t = try TempStore()
        let long = String(repeating: "L", count: 120)
        var lines: [String] = []
        for (c, customer) in ["ACME", "BOLT", "CORA", "DUKE"].enumerated() {
            lines.append(#"{"id":"r\#(c)","type":"customer.registered","at":"2026-01-01T09:00:00Z","customer":"\#(customer)","name":"N\#(c)","currency":"EUR","terms_days":30,"credit_limit":"10000.00"}"#)
            // Ids that interleave across customers in byte order, one long.
            for (k, invoice) in ["Z\(c)", "A\(c)", "M\(c)", "\(long)\(c)"].enumerated() {
                let due = ["2026-01-10", "2026-02-01", "2026-02-20", "2026-01-15"][k]
                lines.append(#"{"id":"i\#(c)\#(k)","type":"invoice.issued","at":"2026-01-02T09:00:00Z","customer":"\#(customer)","invoice":"\#(invoice)","amount":"100.00","issued_on":"2026-01-02","due_on":"\#(due)"}"#)
            }
        }
        // The feed's own level 3 under the ladder's id; a disputed invoice.
        lines.append(#"{"id":"dunning.3.M1","type":"dunning.action","at":"2026-02-25T09:00:00Z","customer":"BOLT","level":3,"channel":"letter","invoice":"M1"}"#)
        lines.append(#"{"id":"d1","type":"dispute.opened","at":"2026-02-01T09:00:00Z","customer":"CORA","invoice":"A2","reason":"damaged"}"#)
        try t.ingest(lines.joined(separator: "\n") + "\n")
        for day in ["2026-02-20", "2026-03-20", "2026-04-20", "2026-05-20"] { try Self.run(t, day) }
        #expect(try t.store.hasEvent(id: DunningIDs.action(invoice: long + "0", level: 1)))
        #expect(DunningIDs.action(invoice: long + "0", level: 1).hasPrefix("dunning-h."))
        for dayText in ["2026-03-01", "2026-04-25", "2026-06-30"] {
            let day = Self.day(dayText)
            try t.store.env.read { txn in
                var candidates: [Store.DunningCandidates] = []
                try t.store.forEachState(txn, asOf: nil, through: nil, threads: 1, map: { _, s in
                    Store.dunningCandidates(s, dueBy: day.adding(days: -7), on: day)
                }) { _, c in candidates.append(c) }
                #expect(candidates.count == 4)
                var bulk = candidates
                try t.store.applyLadderLevelsSent(txn, &bulk, levels: 4)
                var levels: [Int] = []
                for (k, c) in candidates.enumerated() {
                    for (i, inv) in c.invoices.enumerated() {
                        var expected = inv
                        if !inv.disputed && !inv.promised {
                            let (level, sentOn) = try t.store.lastLevelSent(txn, invoice: inv.invoice, levels: 4)
                            if level >= expected.lastLevelSent { (expected.lastLevelSent, expected.lastSentOn) = (level, sentOn) }
                        }
                        #expect(bulk[k].invoices[i] == expected, "\(inv.invoice) on \(dayText)")
                        levels.append(bulk[k].invoices[i].lastLevelSent)
                    }
                }
                // Not a vacuous comparison: levels were found, the days too.
                #expect(levels.contains { $0 >= 2 })
                #expect(bulk.contains { $0.invoices.contains { $0.lastSentOn != nil } })
            }
        }
    }
}
