import ArlogDomain
import ArlogRender
import ArlogStorage
import Foundation
import Testing

@testable import ArlogEngine

/// `knownAt`: queries answered from only the events recorded up to a point, combined with
/// `asOf` (effective time); and history's before/after figures.
struct KnownAtTests {
    /// Part 1: ACME registered, two invoices.
    static let part1 = """
        {"id":"k1","type":"customer.registered","at":"2025-01-02T09:00:00Z","customer":"ACME","name":"Acme","currency":"CNY","terms_days":30,"credit_limit":"5000.00"}
        {"id":"k2","type":"invoice.issued","at":"2025-01-05T10:00:00Z","customer":"ACME","invoice":"INV-1","amount":"1000.00","issued_on":"2025-01-05"}
        {"id":"k3","type":"invoice.issued","at":"2025-03-10T10:00:00Z","customer":"ACME","invoice":"INV-2","amount":"300.00","issued_on":"2025-03-10"}
        """
    /// Part 2: a payment received in February keyed in late, a dunning action, and a customer
    /// registered (effective in February) only now.
    static let part2 = """
        {"id":"k4","type":"payment.received","at":"2025-02-20T08:00:00Z","customer":"ACME","payment":"PAY-1","amount":"400.00","received_on":"2025-02-20"}
        {"id":"k5","type":"dunning.action","at":"2025-03-12T09:00:00Z","customer":"ACME","level":1,"channel":"email"}
        {"id":"k6","type":"customer.registered","at":"2025-02-01T09:00:00Z","customer":"BOLT","name":"Bolt","currency":"JPY","terms_days":30,"credit_limit":"100000"}
        {"id":"k7","type":"invoice.issued","at":"2025-02-02T10:00:00Z","customer":"BOLT","invoice":"B-1","amount":"50000","issued_on":"2025-02-02"}
        """

    static let asOfDay = Day(year: 2025, month: 3, day: 31)!
    static let today = Day(year: 2025, month: 6, day: 1)!

    /// Every query's output (json) for the given state; history without its recording times
    /// (wall-clock, so they differ between stores).
    static func answers(_ store: Store, asOf: Day?, knownAt: KnownAt?) throws -> [String] {
        let ts = asOf.map(Timestamp.endOf)
        let h = try store.history("ACME", asOf: ts, knownAt: knownAt)
        return [
            Render.balance(try store.balance("ACME", asOf: ts, knownAt: knownAt), format: .json),
            Render.aging(try store.aging(asOf: asOf, today: today, knownAt: knownAt), format: .json),
            Render.customers(try store.customers(CustomerFilter(), asOf: asOf, today: today, knownAt: knownAt), format: .json),
            Render.stats(try store.stats(asOf: asOf, today: today, knownAt: knownAt), format: .json),
            Render.invoice(try store.invoice("INV-1", asOf: ts, knownAt: knownAt), format: .json),
            h.entries.map { e in
                "\(e.seq) \(e.event.id) \(e.balanceAfter) \(e.openChange) \(e.unappliedChange) \(e.balanceChange) \(e.overdueChange) \(e.dunningLevelChange)"
            }.joined(separator: "\n"),
        ]
    }

    static func recordedAt(_ store: Store, _ seq: UInt64) throws -> Int64 {
        try #require(try store.env.read { txn in
            try txn.withValue(store.log, key: seq.bigEndianBytes) { try EventRecord.header($0).recordedAtMicros }
        })
    }

    /// (store with both parts, the head after part 1, store with part 1 only)
    static func stores() throws -> (TempStore, UInt64, TempStore) {
        let t = try TempStore()
        try t.ingest(part1)
        let h1 = try t.store.head()
        try t.ingest(part2)
        let reference = try TempStore()
        try reference.ingest(part1)
        return (t, h1, reference)
    }

    @Test func parsing() {
        #expect(KnownAt(parsing: "12") == .seq(12))
        #expect(KnownAt(parsing: "0") == nil)
        #expect(KnownAt(parsing: "") == nil)
        #expect(KnownAt(parsing: "-3") == nil)
        #expect(KnownAt(parsing: "12a") == nil)
        #expect(KnownAt(parsing: "99999999999999999999999") == nil)
        #expect(KnownAt(parsing: "2025-04-05T12:00:00.1234567Z") == .recordedAt(micros: 1_743_854_400_123_456))
        #expect(KnownAt(parsing: "2025-04-05T14:00:00+02:00") == .recordedAt(micros: 1_743_854_400_000_000))
        // A date is the end of that day, UTC.
        #expect(KnownAt(parsing: "2025-04-05") == .recordedAt(micros: 1_743_897_599_999_999))
        #expect(KnownAt(parsing: "2025-02-30") == nil)
        #expect(KnownAt(parsing: "yesterday") == nil)
    }

    @Test func knownAtSeqAnswersWhatTheStoreSaidThen() throws {
        let (t, h1, reference) = try Self.stores()
        #expect(h1 == 3)
        for asOf in [Self.asOfDay, nil] {
            let then = try Self.answers(t.store, asOf: asOf, knownAt: .seq(h1))
            #expect(then == (try Self.answers(reference.store, asOf: asOf, knownAt: nil)), "as of \(asOf?.description ?? "now")")
            // Without knownAt (or knowing everything) the late payment counts.
            let now = try Self.answers(t.store, asOf: asOf, knownAt: nil)
            #expect(now != then)
            #expect(try Self.answers(t.store, asOf: asOf, knownAt: .seq(1000)) == now)
            #expect(try Self.answers(t.store, asOf: asOf, knownAt: .seq(try t.store.head())) == now)
        }
        let ts = Timestamp.endOf(Self.asOfDay)
        #expect(try t.store.balance("ACME", asOf: ts, knownAt: .seq(h1)).balance == 130_000)
        #expect(try t.store.balance("ACME", asOf: ts).balance == 90_000)
        // The ledger itself, not only the summary.
        #expect(try t.store.ledger("ACME", knownAt: .seq(h1)) == reference.store.ledger("ACME"))
    }

    @Test func customerRegisteredLaterIsUnknownThen() throws {
        let (t, h1, _) = try Self.stores()
        let ts = Timestamp.endOf(Self.asOfDay)
        #expect(try t.store.balance("BOLT", asOf: ts).balance == 50_000)
        for knownAt: KnownAt in [.seq(h1), .seq(1)] {
            #expect(throws: EngineError.self) { try t.store.balance("BOLT", asOf: ts, knownAt: knownAt) }
            #expect(throws: EngineError.self) { try t.store.history("BOLT", knownAt: knownAt) }
            #expect(throws: EngineError.self) { try t.store.invoice("B-1", knownAt: knownAt) }
            #expect(try t.store.customers(CustomerFilter(), asOf: nil, today: Self.today, knownAt: knownAt).map(\.profile.id) == ["ACME"])
            #expect(try t.store.aging(asOf: Self.asOfDay, today: Self.today, knownAt: knownAt).customers.allSatisfy { $0.customer != "BOLT" })
            #expect(try t.store.stats(asOf: nil, today: Self.today, knownAt: knownAt).customers == 1)
        }
        do {
            _ = try t.store.balance("BOLT", knownAt: .seq(h1))
        } catch let e as EngineError {
            #expect(e.exitCode == 3)
        }
        // Known at seq 5: BOLT (seq 6) is still unknown, the payment (seq 4) counts.
        #expect(try t.store.stats(asOf: nil, today: Self.today, knownAt: .seq(5)).events == 5)
        #expect(try t.store.stats(asOf: nil, today: Self.today).events == 7)
        #expect(try t.store.history("ACME", knownAt: .seq(5)).entries.map(\.seq) == [1, 2, 3, 4, 5])
    }

    @Test func knownAtTimestampResolvesToTheLastEventRecordedBy() throws {
        let (t, h1, _) = try Self.stores()
        let r1 = try Self.recordedAt(t.store, h1)
        let r2 = try Self.recordedAt(t.store, h1 + 1)
        try #require(r2 > r1, "part 2 was recorded in the same microsecond as part 1")
        #expect(try t.store.knownSequence(.recordedAt(micros: r1)) == h1)
        #expect(try t.store.knownSequence(.recordedAt(micros: r2 - 1)) == h1)
        #expect(try t.store.knownSequence(.recordedAt(micros: r2)) == t.store.head())
        #expect(try t.store.knownSequence(.recordedAt(micros: 0)) == 0)
        #expect(try t.store.knownSequence(.recordedAt(micros: .max)) == t.store.head())
        #expect(try t.store.knownSequence(.seq(2)) == 2)
        #expect(try t.store.knownSequence(.seq(99)) == t.store.head())
        for asOf in [Self.asOfDay, nil] {
            let bySeq = try Self.answers(t.store, asOf: asOf, knownAt: .seq(h1))
            #expect(try Self.answers(t.store, asOf: asOf, knownAt: .recordedAt(micros: r1)) == bySeq)
            #expect(try Self.answers(t.store, asOf: asOf, knownAt: .recordedAt(micros: r2 - 1)) == bySeq)
        }
        // Just before seq h1 was recorded, it is not known (nor anything recorded with it:
        // part 1 was one batch, one recording time).
        let before = try t.store.knownSequence(.recordedAt(micros: r1 - 1))
        #expect(before < h1)
        if before == 0 {
            #expect(throws: EngineError.self) { try t.store.history("ACME", knownAt: .recordedAt(micros: r1 - 1)) }
        } else {
            #expect(try t.store.history("ACME", knownAt: .recordedAt(micros: r1 - 1)).entries.allSatisfy { $0.seq <= before })
        }
        #expect(throws: EngineError.self) { try t.store.balance("ACME", knownAt: .recordedAt(micros: 0)) }
    }

    @Test func historyReportsWhatEachEventChanged() throws {
        let (t, _, _) = try Self.stores()
        let entries = try t.store.history("ACME").entries
        #expect(entries.map(\.event.id) == ["k1", "k2", "k3", "k4", "k5"])
        #expect(entries.map(\.openChange) == [0, 100_000, 30_000, -40_000, 0])
        #expect(entries.map(\.balanceChange) == [0, 100_000, 30_000, -40_000, 0])
        #expect(entries.map(\.unappliedChange) == [0, 0, 0, 0, 0])
        // INV-1 falls due 2025-02-04: overdue from then on. The payment (02-20) pays 400 of it.
        #expect(entries.map(\.overdueBefore) == [0, 0, 100_000, 100_000, 60_000])
        #expect(entries.map(\.overdueChange) == [0, 0, 0, -40_000, 0])
        #expect(entries.map(\.dunningLevelChange) == [0, 0, 0, 0, 1])
        for (a, b) in zip(entries, entries.dropFirst()) {
            #expect(b.balanceBefore == a.balanceAfter && b.openBefore == a.openAfter && b.dunningLevelBefore == a.dunningLevelAfter)
        }
        let csv = Render.history(customer: "ACME", currency: try #require(Currency(code: "CNY")), entries: entries, format: .csv, changes: true)
        let lines = csv.split(separator: "\n").map(String.init)
        #expect(lines[0] == "seq,at,recorded_at,type,id,amount,balance_after,dunning_level_after,d_open,d_unapplied,d_balance,d_overdue,d_dunning,actor,note")
        #expect(lines[4].contains(",900.00,0,-400.00,0.00,-400.00,-400.00,0,"))
        // Without changes the columns are as before.
        let plain = Render.history(customer: "ACME", currency: try #require(Currency(code: "CNY")), entries: entries, format: .csv)
        #expect(plain.split(separator: "\n").first.map(String.init) == Render.historyColumns.joined(separator: ","))
    }

    /// Tests/Fixtures/credit-customers.ndjson without its BAD customer (CreditRenderTests' feed).
    static func creditFeed() throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let all = try String(contentsOf: url.appendingPathComponent("Fixtures/credit-customers.ndjson"), encoding: .utf8)
        return all.split(separator: "\n").filter { !$0.contains("\"customer\":\"BAD\"") }.joined(separator: "\n") + "\n"
    }

    /// Known at a log position, the grades and scores are those of a store that holds only what
    /// was known then (log-wide events included).
    @Test func customersKnownAtGiveWhatTheProjectionHeldThen() throws {
        let feed = try Self.creditFeed()
        let day = Day(year: 2025, month: 6, day: 30)!
        let part1 = feed.split(separator: "\n").filter { !$0.contains("\"id\":\"g4\"") && !$0.contains("\"id\":\"r5\"") }.joined(separator: "\n") + "\n"
        let part2 = feed.split(separator: "\n").filter { $0.contains("\"id\":\"g4\"") || $0.contains("\"id\":\"r5\"") }.joined(separator: "\n") + "\n"
        let review = OwnEvents.reviewed(id: "review.1", at: Timestamp(parsing: "2025-04-30T00:00:00Z")!, actor: "cron", note: nil)
        let full = try TempStore()
        let reference = try TempStore()
        for t in [full, reference] {
            try t.ingest(part1)
            #expect(try t.store.append(lines: [review], source: "test") { _ in }.accepted == 1)
        }
        let known = try full.store.head()
        try full.ingest(part2)
        let then = try full.store.customers(CustomerFilter(), asOf: nil, today: day, knownAt: .seq(known))
        let expected = try reference.store.customers(CustomerFilter(), asOf: nil, today: day)
        #expect(then.map(\.grade) == expected.map(\.grade))
        #expect(then.map(\.score) == expected.map(\.score))
        #expect(expected.allSatisfy { $0.grade != nil && $0.score != nil })
        #expect(try full.store.customers(CustomerFilter(), asOf: nil, today: day).map(\.score) != then.map(\.score))
    }
}
