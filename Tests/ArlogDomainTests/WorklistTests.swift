import Testing

@testable import ArlogDomain

/// The worklist's scoring (`Worklist`): priorities computed by hand from the documented
/// formula, the order they give, and the collector assignment file.
@Suite struct WorklistTests {
    static let day = Day(year: 2025, month: 6, day: 30)!
    static let eur = Currency(code: "EUR")!
    static let jpy = Currency(code: "JPY")!

    static func facts(_ c: Currency, _ bands: [Int64], score: Int, _ edit: (inout WorklistFacts) -> Void = { _ in }) -> WorklistFacts {
        var f = WorklistFacts(currency: c)
        f.overdueBands = bands
        f.score = score
        f.oldestOverdueDays = bands.lastIndex { $0 > 0 }.map { [10, 45, 75, 95][$0] } ?? 0
        edit(&f)
        return f
    }

    @Test func prioritiesByHand() throws {
        // 1000.00 EUR 1-30 days, score 80: 1000 × 1 × (200 − 80)/100 = 1200.00.
        let a = try #require(Worklist.score(Self.facts(Self.eur, [100_000, 0, 0, 0], score: 80), on: Self.day))
        #expect(a.priorityHundredths == 120_000)
        // 500.00 EUR 91+ days, score 50: 500 × 4 × 150/100 = 3000.00.
        let b = try #require(Worklist.score(Self.facts(Self.eur, [0, 0, 0, 50_000], score: 50), on: Self.day))
        #expect(b.priorityHundredths == 300_000)
        // ¥30,000 31-60 days, score 100: 30000 × 2 × 100/100 = 60000.00 (face value, no FX).
        let c = try #require(Worklist.score(Self.facts(Self.jpy, [0, 30_000, 0, 0], score: 100), on: Self.day))
        #expect(c.priorityHundredths == 6_000_000)
        // Nothing overdue, a broken promise of 400.00: 3 × 400 = 1200.00.
        let d = try #require(Worklist.score(Self.facts(Self.eur, [0, 0, 0, 0], score: 90) {
            $0.brokenPromises = 1
            $0.brokenPromiseAmount = 40_000
        }, on: Self.day))
        #expect(d.priorityHundredths == 120_000)
        #expect(d.reasons == [.brokenPromises(count: 1, amount: 40_000)])
        // 200.00 EUR 1-30 days, score 0: 200 × 1 × 200/100 = 400.00, halved for yesterday's
        // contact = 200.00; plus a dispute of 100.00 = 300.00.
        let e = try #require(Worklist.score(Self.facts(Self.eur, [20_000, 0, 0, 0], score: 0) {
            $0.lastContact = Day(year: 2025, month: 6, day: 29)
            $0.disputesAwaiting = 1
            $0.disputedAwaitingAmount = 10_000
        }, on: Self.day))
        #expect(e.priorityHundredths == 30_000)
        #expect(e.reasons.map(\.key) == ["overdue", "dispute", "contacted"])
        // The same with a promise due today: the contact does not halve (the promise asks for
        // a call): 400.00 + 100.00 + 150.00 promised = 650.00.
        let e2 = try #require(Worklist.score(Self.facts(Self.eur, [20_000, 0, 0, 0], score: 0) {
            $0.lastContact = Day(year: 2025, month: 6, day: 29)
            $0.disputesAwaiting = 1
            $0.disputedAwaitingAmount = 10_000
            $0.promisesDueToday = 1
            $0.promiseDueAmount = 15_000
        }, on: Self.day))
        #expect(e2.priorityHundredths == 65_000)
        #expect(e2.reasons.map(\.key) == ["overdue", "promise_due", "dispute"])
        // A contact three days ago is not recent (2 days): no halving.
        let old = try #require(Worklist.score(Self.facts(Self.eur, [20_000, 0, 0, 0], score: 0) {
            $0.lastContact = Day(year: 2025, month: 6, day: 27)
        }, on: Self.day))
        #expect(old.priorityHundredths == 40_000)
        // Nothing to chase: not on the list.
        #expect(Worklist.score(Self.facts(Self.eur, [0, 0, 0, 0], score: 10), on: Self.day) == nil)
        // Rounded down once, at the end: 0.01 EUR 1-30 days, score 99 → 0.0101 → 0.01.
        #expect(Worklist.score(Self.facts(Self.eur, [1, 0, 0, 0], score: 99), on: Self.day)?.priorityHundredths == 1)
    }

    @Test func orderIsPriorityThenAgedOverdueThenId() throws {
        let list: [(String, WorklistFacts)] = [
            ("E", Self.facts(Self.eur, [20_000, 0, 0, 0], score: 0) { $0.lastContact = Day(year: 2025, month: 6, day: 30) }),
            ("D", Self.facts(Self.eur, [0, 0, 0, 0], score: 90) { $0.brokenPromises = 1; $0.brokenPromiseAmount = 40_000 }),
            ("A2", Self.facts(Self.eur, [100_000, 0, 0, 0], score: 80)),
            ("B", Self.facts(Self.eur, [0, 0, 0, 50_000], score: 50)),
            ("A1", Self.facts(Self.eur, [100_000, 0, 0, 0], score: 80)),
            ("C", Self.facts(Self.jpy, [0, 30_000, 0, 0], score: 100)),
            ("F", Self.facts(Self.eur, [0, 0, 0, 0], score: 0)),
        ]
        let scored = list.compactMap { c, f in Worklist.score(f, on: Self.day).map { (customer: c, score: $0) } }
        let order = scored.sorted(by: Worklist.precedes).map(\.customer)
        // C 60000.00, B 3000.00, then A1 = A2 = D at 1200.00: A1 and A2 before D (more overdue
        // by age), A1 before A2 (id); E 200.00 (contacted today, halved); F not listed.
        #expect(order == ["C", "B", "A1", "A2", "D", "E"])
    }

    @Test func overdueBandsByDaysPastDue() {
        let d = Self.day
        let items: [(dueOn: Day, open: Int64)] = [
            (d.adding(days: 1), 7), (d, 5), (d.adding(days: -1), 100), (d.adding(days: -30), 200),
            (d.adding(days: -31), 300), (d.adding(days: -90), 400), (d.adding(days: -91), 500), (d.adding(days: -400), 0),
        ]
        let (bands, oldest) = Worklist.overdueBands(items, on: d)
        // Not yet due and due today are not overdue; 1 and 30 days in the first band; 31 in
        // the second; 90 in the third; 91 in the last; nothing open counts for nothing.
        #expect(bands == [300, 300, 400, 500])
        #expect(oldest == 91)
    }

    // MARK: collector assignments

    static func parse(_ text: String) throws(CollectorAssignments.Invalid) -> CollectorAssignments {
        try CollectorAssignments.parse(Array(text.utf8))
    }

    @Test func customerThenLongestPrefixThenDefault() throws {
        let a = try Self.parse("""
            {"collectors": {"alice": {"customers": ["EU-BIG"], "prefixes": ["EU-"]},
                            "bob": {"prefixes": ["EU-DE-", "US-"]}},
             "default": "carol"}
            """)
        #expect(a.collector(of: "EU-BIG") == "alice")
        #expect(a.collector(of: "EU-FR-1") == "alice")
        #expect(a.collector(of: "EU-DE-1") == "bob")
        #expect(a.collector(of: "US-9") == "bob")
        #expect(a.collector(of: "JP-1") == "carol")
        #expect(a.collectors == ["alice", "bob", "carol"])
        let none = try Self.parse(#"{"collectors": {"alice": {"customers": ["A"]}}}"#)
        #expect(none.collector(of: "B") == nil)
        // The same entry twice under one collector is no conflict.
        #expect(try Self.parse(#"{"collectors": {"a": {"customers": ["X", "X"]}}}"#).collector(of: "X") == "a")
    }

    @Test(arguments: [
        (#"[]"#, "not a JSON object"),
        (#"{"collector": {}}"#, "unknown member \"collector\""),
        (#"{"collectors": []}"#, "\"collectors\" must be an object"),
        (#"{"collectors": {"a b": {}}}"#, "collector \"a b\": a name is"),
        (#"{"collectors": {"a": []}}"#, "collector \"a\" must be an object"),
        (#"{"collectors": {"a": {"customer": ["X"]}}}"#, "unknown member \"customer\""),
        (#"{"collectors": {"a": {"customers": "X"}}}"#, "must be an array of strings"),
        (#"{"collectors": {"a": {"customers": [7]}}}"#, "holds a number"),
        (#"{"collectors": {"a": {"prefixes": [""]}}}"#, "holds \"\""),
        (#"{"collectors": {"a": {"customers": ["X"]}, "b": {"customers": ["X"]}}}"#, "customer \"X\" is assigned to both \"a\" and \"b\""),
        (#"{"collectors": {"a": {"prefixes": ["EU-"]}, "b": {"prefixes": ["EU-"]}}}"#, "prefix \"EU-\" is assigned to both \"a\" and \"b\""),
        (#"{"collectors": {}, "default": 3}"#, "\"default\" must be a collector name"),
    ])
    func invalidFilesAreRefusedNamingWhat(text: String, message: String) {
        #expect {
            _ = try Self.parse(text)
        } throws: { error in
            (error as? CollectorAssignments.Invalid)?.message.contains(message) == true
        }
    }
}
