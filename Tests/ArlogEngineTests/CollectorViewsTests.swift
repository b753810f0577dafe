import ArlogDomain
import Testing

@testable import ArlogEngine

/// The collector's views on a store: names for the rows asked, `customers --search`,
/// `open` (a customer's open items, as of a day, with --all), and `worklist` (order,
/// collectors, limit, profiles for the listed lines only).
@Suite struct CollectorViewsTests {
    /// DESK: I-1 in two installments (400.00 due 31 Jan, paid by P-1; 600.00 due 2 Mar),
    /// I-2 500.00 due 3 Mar, I-3 voided, I-4 paid in full. MULL: 2000.00 due 2 Feb, 95+ days
    /// late by June. SMALL: 10.00 due 20 Jun. CLEAN: nothing overdue.
    static let feed = """
        {"id":"d1","type":"customer.registered","at":"2025-01-01T09:00:00Z","customer":"DESK","name":"Desk Tools Ltd","contact":"Ann Lee","email":"ann@desk.example","currency":"EUR","terms_days":30,"credit_limit":"5000.00"}
        {"id":"d2","type":"invoice.issued","at":"2025-01-01T10:00:00Z","customer":"DESK","invoice":"I-1","amount":"1000.00","issued_on":"2025-01-01","installments":[{"due_on":"2025-01-31","amount":"400.00"},{"due_on":"2025-03-02","amount":"600.00"}]}
        {"id":"d3","type":"invoice.issued","at":"2025-02-01T10:00:00Z","customer":"DESK","invoice":"I-2","amount":"500.00","issued_on":"2025-02-01"}
        {"id":"d4","type":"invoice.issued","at":"2025-02-05T10:00:00Z","customer":"DESK","invoice":"I-3","amount":"200.00","issued_on":"2025-02-05"}
        {"id":"d5","type":"invoice.voided","at":"2025-02-06T10:00:00Z","customer":"DESK","invoice":"I-3"}
        {"id":"d6","type":"payment.received","at":"2025-02-10T10:00:00Z","customer":"DESK","payment":"P-1","amount":"400.00","received_on":"2025-02-10"}
        {"id":"d7","type":"invoice.issued","at":"2025-02-11T10:00:00Z","customer":"DESK","invoice":"I-4","amount":"50.00","issued_on":"2025-02-11"}
        {"id":"d8","type":"payment.received","at":"2025-02-12T10:00:00Z","customer":"DESK","payment":"P-2","amount":"50.00","received_on":"2025-02-12","allocations":[{"invoice":"I-4","amount":"50.00"}]}
        {"id":"m1","type":"customer.registered","at":"2025-01-01T09:00:00Z","customer":"MULL","name":"Bäckerei Müller GmbH","currency":"EUR","terms_days":30,"credit_limit":"5000.00"}
        {"id":"m2","type":"invoice.issued","at":"2025-01-03T10:00:00Z","customer":"MULL","invoice":"M-1","amount":"2000.00","issued_on":"2025-01-03"}
        {"id":"s1","type":"customer.registered","at":"2025-01-01T09:00:00Z","customer":"SMALL","name":"Small Co","currency":"EUR","terms_days":30,"credit_limit":"5000.00"}
        {"id":"s2","type":"invoice.issued","at":"2025-05-21T10:00:00Z","customer":"SMALL","invoice":"S-1","amount":"10.00","issued_on":"2025-05-21"}
        {"id":"c1","type":"customer.registered","at":"2025-01-01T09:00:00Z","customer":"CLEAN","name":"Clean SA","currency":"EUR","terms_days":30,"credit_limit":"5000.00"}
        {"id":"c2","type":"invoice.issued","at":"2025-06-20T10:00:00Z","customer":"CLEAN","invoice":"C-1","amount":"10.00","issued_on":"2025-06-20"}

        """

    static func store() throws -> TempStore {
        let t = try TempStore()
        let (summary, rejected) = try t.ingest(feed)
        #expect(rejected.isEmpty, "\(rejected)")
        #expect(summary.accepted == 14)
        return t
    }

    static let march10 = Day(year: 2025, month: 3, day: 10)!
    static let june30 = Day(year: 2025, month: 6, day: 30)!

    @Test func namesForTheCustomersAskedOnly() throws {
        let t = try Self.store()
        // Any order, repeats, unknown ids: a look-up per id.
        #expect(try t.store.names(["MULL", "DESK", "NOBODY", "DESK"]) == ["Bäckerei Müller GmbH", "Desk Tools Ltd", nil, "Desk Tools Ltd"])
        #expect(try t.store.profileTexts(["DESK"])[0]?.email == "ann@desk.example")
        // In byte order and many (one ordered pass over the profiles), with gaps and ids
        // before, between and after the stored ones.
        #expect(try t.store.names(["A", "CLEAN", "CLEAR", "DESK", "MULL", "N", "SMALL", "ZZZ"])
            == [nil, "Clean SA", nil, "Desk Tools Ltd", "Bäckerei Müller GmbH", nil, "Small Co", nil])
        #expect(try t.store.names(["DESK", "MULL"]) == ["Desk Tools Ltd", "Bäckerei Müller GmbH"])
        #expect(try t.store.names([]) == [])
    }

    @Test func customersSearchByIdOrName() throws {
        let t = try Self.store()
        func search(_ text: String) throws -> [String] {
            var f = CustomerFilter()
            f.search = CustomerSearch(text)
            return try t.store.customers(f, asOf: nil, today: Self.june30).map(\.profile.id)
        }
        #expect(try search("müller") == ["MULL"])
        #expect(try search("MÜLL") == ["MULL"])
        #expect(try search("desk") == ["DESK"])
        #expect(try search("l") == ["CLEAN", "DESK", "MULL", "SMALL"])
        #expect(try search("sa") == ["CLEAN"])
        #expect(try search("zzz") == [])
    }

    @Test func openItemsAsOfADay() throws {
        let t = try Self.store()
        let r = try t.store.openItems("DESK", asOf: Self.march10, today: Self.june30)
        #expect(r.name == "Desk Tools Ltd")
        #expect(r.asOf == Self.march10)
        // FIFO order: I-1's second installment (due 2 Mar, 8 days), I-2 (due 3 Mar, 7 days).
        #expect(r.items.map { "\($0.invoice)#\($0.installment)/\($0.installments)" } == ["I-1#2/2", "I-2#1/1"])
        #expect(r.items.map(\.open) == [60_000, 50_000])
        #expect(r.items.map(\.daysOverdue) == [8, 7])
        #expect(r.items.map(\.disputed) == [0, 0])
        #expect(r.items.map(\.dunningLevel) == [0, 0])
        #expect(r.items.allSatisfy { $0.state == .open })
        #expect((r.open, r.overdue, r.disputed) == (110_000, 110_000, 0))
        // As of 1 March nothing is overdue yet, and I-4 (issued 11 Feb) is open on no day
        // after its payment; as of 1 Feb only I-1 exists.
        let first = try t.store.openItems("DESK", asOf: Day(year: 2025, month: 3, day: 1)!, today: Self.june30)
        #expect(first.items.map(\.daysOverdue) == [0, 0])
        #expect(first.overdue == 0)
        let early = try t.store.openItems("DESK", asOf: Day(year: 2025, month: 1, day: 31)!, today: Self.june30)
        #expect(early.items.map { "\($0.invoice)#\($0.installment)" } == ["I-1#1", "I-1#2"])
        #expect(early.items.map(\.daysOverdue) == [0, 0])
    }

    @Test func openItemsAllSaysWhatBecameOfEachInvoice() throws {
        let t = try Self.store()
        let r = try t.store.openItems("DESK", asOf: nil, today: Self.june30, all: true)
        let rows = r.items.map { "\($0.invoice)#\($0.installment) \($0.state.rawValue) \($0.open) \($0.daysOverdue.map(String.init) ?? "-")" }
        #expect(rows == [
            "I-1#1 open 0 -",  // paid, but its invoice is still open
            "I-1#2 open 60000 120",
            "I-2#1 open 50000 119",
            "I-3#1 voided 0 -",
            "I-4#1 paid 0 -",
        ])
        #expect(r.open == 110_000)
        // Without --all: only what is open.
        #expect(try t.store.openItems("DESK", asOf: nil, today: Self.june30).items.count == 2)
        // Unknown customer: not found (exit 3).
        #expect { try t.store.openItems("NOBODY", asOf: nil, today: Self.june30) } throws: { ($0 as? EngineError)?.kind == .notFound }
    }

    @Test func worklistOrderNamesAndCollectors() throws {
        let t = try Self.store()
        let r = try t.store.worklist(asOf: nil, today: Self.june30)
        // MULL: 2000.00 148 days late; DESK: 1100.00 about 120 days late; SMALL: 10.00 10 days;
        // CLEAN: not yet due, not listed.
        #expect(r.entries.map(\.customer) == ["MULL", "DESK", "SMALL"])
        #expect(r.candidates == 3)
        let desk = r.entries[1]
        #expect(desk.profile?.name == "Desk Tools Ltd")
        #expect(desk.profile?.contact == "Ann Lee")
        #expect(desk.profile?.email == "ann@desk.example")
        #expect(desk.facts.overdueBands == [0, 0, 0, 110_000])
        #expect(desk.facts.oldestOverdueDays == 120)
        // The priority is the domain's formula on the facts the engine gathered.
        for e in r.entries { #expect(Worklist.score(e.facts, on: Self.june30) == e.score) }
        #expect(desk.score.reasons.first?.key == "overdue")

        // --limit keeps the first lines; profiles are read for them only.
        let top = try t.store.worklist(asOf: nil, today: Self.june30, limit: 1)
        #expect(top.entries.map(\.customer) == ["MULL"])
        #expect(top.candidates == 3)

        // --collector: only that collector's customers, each line saying whose it is.
        let assignments = CollectorAssignments(byCustomer: ["DESK": "alice"], prefixes: [(prefix: "S", collector: "bob")], fallback: "carol")
        let alice = try t.store.worklist(asOf: nil, today: Self.june30, collector: "alice", assignments: assignments)
        #expect(alice.entries.map(\.customer) == ["DESK"])
        #expect(alice.entries.map(\.collector) == ["alice"])
        let bob = try t.store.worklist(asOf: nil, today: Self.june30, collector: "bob", assignments: assignments)
        #expect(bob.entries.map(\.customer) == ["SMALL"])
        let everyone = try t.store.worklist(asOf: nil, today: Self.june30, assignments: assignments)
        #expect(everyone.entries.map(\.collector) == ["carol", "alice", "bob"])
        #expect(try t.store.worklist(asOf: nil, today: Self.june30, collector: "dave", assignments: assignments).entries.isEmpty)

        // As of 10 March only DESK's two installments and MULL's invoice are overdue.
        let march = try t.store.worklist(asOf: Self.march10, today: Self.june30)
        #expect(march.asOf == Self.march10)
        #expect(Set(march.entries.map(\.customer)) == ["MULL", "DESK"])

        // The bands read in place from the hot state are the bands of its open installments,
        // on every day from before the first due date to after the last.
        for c in ["DESK", "MULL", "SMALL", "CLEAN"] {
            let s = try t.store.state(c)
            var day = Day(year: 2025, month: 1, day: 1)!
            while day < Day(year: 2025, month: 12, day: 31)! {
                let inPlace = Worklist.overdueBands(of: s, on: day)
                let fromList = Worklist.overdueBands(s.openInstallments, on: day)
                #expect(inPlace.bands == fromList.bands && inPlace.oldestDays == fromList.oldestDays, "\(c) on \(day)")
                day = day.adding(days: 3)
            }
        }

        // One thread or two: the same list.
        let one = try t.store.worklist(asOf: nil, today: Self.june30, collector: nil, assignments: nil, limit: nil, threads: 1)
        let two = try t.store.worklist(asOf: nil, today: Self.june30, collector: nil, assignments: nil, limit: nil, threads: 2)
        #expect(one.entries.map(\.customer) == two.entries.map(\.customer))
        #expect(one.entries.map(\.score) == two.entries.map(\.score))
    }

    /// Feed v1.1 in the collector's views: `open` spreads an invoice's disputed amount over its
    /// installments earliest due first and shows each invoice's own dunning level; the worklist
    /// weighs a dispute awaiting a decision, a promise due today and a broken one (until a new
    /// promise follows it up), and halves the overdue part after a recent contact.
    @Test func disputesPromisesAndContactsInTheViews() throws {
        let t = try Self.store()
        let (_, rejected) = try t.ingest("""
            {"id":"x1","type":"dispute.opened","at":"2025-03-05T09:00:00Z","customer":"DESK","invoice":"I-1","amount":"500.00"}
            {"id":"x2","type":"dunning.action","at":"2025-03-06T09:00:00Z","customer":"DESK","level":2,"channel":"letter","invoice":"I-2"}
            {"id":"x3","type":"promise.recorded","at":"2025-06-01T09:00:00Z","customer":"MULL","amount":"2000.00","promised_on":"2025-06-20"}
            {"id":"x4","type":"promise.recorded","at":"2025-06-01T09:00:00Z","customer":"SMALL","amount":"10.00","promised_on":"2025-06-30"}
            {"id":"x5","type":"collection.contact","at":"2025-06-29T09:00:00Z","customer":"SMALL","outcome":"promised","channel":"phone"}

            """)
        #expect(rejected.isEmpty, "\(rejected)")
        // I-1 has 600.00 open (its second installment): the dispute of 500.00 is on it; I-2 is at level 2.
        let open = try t.store.openItems("DESK", asOf: nil, today: Self.june30)
        #expect(open.items.map { "\($0.invoice)#\($0.installment) \($0.disputed) L\($0.dunningLevel ?? -1)" } == ["I-1#2 50000 L0", "I-2#1 0 L2"])
        #expect(open.disputed == 50_000)

        let r = try t.store.worklist(asOf: nil, today: Self.june30)
        func facts(_ c: String) throws -> WorklistFacts { try #require(r.entries.first { $0.customer == c }).facts }
        let desk = try facts("DESK")
        #expect((desk.disputesAwaiting, desk.disputedAwaitingAmount) == (1, 50_000))
        let mull = try facts("MULL")
        #expect((mull.brokenPromises, mull.brokenPromiseAmount) == (1, 200_000))
        #expect(try #require(r.entries.first { $0.customer == "MULL" }).score.reasons.map(\.key).contains("broken_promise"))
        let small = try facts("SMALL")
        #expect((small.promisesDueToday, small.promiseDueAmount) == (1, 1_000))
        #expect(small.lastContact == Day(year: 2025, month: 6, day: 29))
        for e in r.entries { #expect(Worklist.score(e.facts, on: Self.june30) == e.score) }
        // A new promise follows the broken one up: no broken promise to chase any more.
        #expect(try t.ingest("""
            {"id":"x6","type":"promise.recorded","at":"2025-06-30T09:00:00Z","customer":"MULL","amount":"2000.00","promised_on":"2025-07-15"}

            """).1.isEmpty)
        let after = try t.store.worklist(asOf: nil, today: Self.june30)
        #expect(try #require(after.entries.first { $0.customer == "MULL" }).facts.brokenPromises == 0)
        // As of 19 June MULL's promise was still pending (not due): nothing about it.
        let june19 = try t.store.worklist(asOf: Day(year: 2025, month: 6, day: 19)!, today: Self.june30)
        let m19 = try #require(june19.entries.first { $0.customer == "MULL" }).facts
        #expect((m19.brokenPromises, m19.promisesDueToday) == (0, 0))
    }
}
