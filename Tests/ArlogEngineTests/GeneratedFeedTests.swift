import ArlogDomain
import ArlogFeedGen
import Foundation
import ArlogStorage
import Testing

@testable import ArlogEngine

/// Properties that must hold on realistic generated feeds (every event type, three currency
/// precisions, installments, reversals, out-of-order payments), checked against the in-memory
/// log as an independent reference for the LMDB store. The feeds have the rich shapes real
/// systems send (`FeedShapes`: any key order, escapes, other scripts, offsets, long fractions,
/// unknown fields, short money, CRLF, blank lines, late entries, duplicates).
@Suite(.serialized)
struct GeneratedFeedTests {
    /// The shapes of the feeds below: all of them, `"allocations": []` included.
    static let shapes: FeedShapes = .rich

    /// A feed and how many of its lines repeat an event (the `duplicates` shape).
    static func shapedFeed(events: Int, customers: Int, seed: UInt64, shapes: FeedShapes = shapes) -> (text: String, duplicates: Int) {
        var bytes: [UInt8] = []
        var generator = FeedGenerator(
            events: events, customers: customers, seed: seed, start: Day(year: 2024, month: 1, day: 1)!, shapes: shapes)
        generator.run { bytes.append(contentsOf: $0) }
        return (String(decoding: bytes, as: UTF8.self), generator.duplicateLines)
    }

    /// A plain feed (other suites use it), or one with `shapes`.
    static func feed(events: Int, customers: Int, seed: UInt64, shapes: FeedShapes = .plain) -> String {
        shapedFeed(events: events, customers: customers, seed: seed, shapes: shapes).text
    }

    static let smallFeed = shapedFeed(events: 6000, customers: 60, seed: 11)
    static let small = smallFeed.text
    /// Lines of `small` that repeat an event (skipped by the engine as duplicates).
    static let smallDuplicates = smallFeed.duplicates

    static func customerIDs(_ store: Store) throws -> [String] {
        try store.customerIDs()
    }

    @Test func storeEqualsTheInMemoryReferenceAndRebuild() throws {
        let t = try TempStore()
        let (summary, rejected) = try t.ingest(Self.small)
        #expect(rejected.isEmpty, "\(rejected.prefix(3).map { "\($0.line): \($0.rejection)" })")
        #expect(summary.accepted == 6000)
        #expect(Self.smallDuplicates > 0 && summary.duplicates == Self.smallDuplicates)
        var reference = InMemoryLog()
        try reference.ingest(Self.small)
        let ids = try Self.customerIDs(t.store)
        #expect(ids.count == 60)
        for id in ids {
            // The hot state as projected (risk included), and the whole ledger view.
            #expect(try t.store.state(id) == reference.states[id], "customer \(id)")
            #expect(try t.store.ledger(id) == reference.ledger(for: id), "customer \(id)")
        }
        let before = try IngestTests.projections(t.store)
        _ = try t.store.rebuild()
        #expect(try IngestTests.projections(t.store) == before)
        #expect(try t.store.verify().ok)
    }

    @Test(arguments: [(1, 3), (2, 977), (3, 4096)])
    func anySplitIntoBatchesGivesTheSameState(seed: UInt64, batch: Int) throws {
        let reference = try TempStore()
        try reference.ingest(Self.small)
        let t = try TempStore()
        // Ingest the feed in several files of pseudo-random sizes (a seeded LCG), each in
        // batches of `batch`.
        // Split on bytes: Swift reads "\r\n" as one Character.
        let lines = Array(Self.small.utf8).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
            .map { String(decoding: $0, as: UTF8.self) }
        var cut = 0
        var cuts: [Int] = []
        var state = seed
        while cut < lines.count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            cut = min(lines.count, cut + 1 + Int(state >> 33) % 1500)
            cuts.append(cut)
        }
        var options = IngestOptions()
        options.batchEventsMax = batch
        var start = 0
        for end in cuts {
            let (_, rejected) = try t.ingest(lines[start..<end].joined(separator: "\n"), options: options)
            #expect(rejected.isEmpty)
            start = end
        }
        #expect(try IngestTests.projections(t.store) == IngestTests.projections(reference.store))
    }

    /// Transactions end when the states they hold reach a byte bound (1: after every line; a
    /// few states; many), and the states kept from the batch before are dropped first: the
    /// store is the same as with one transaction per batch.
    @Test(arguments: [1, 20_000, 400_000])
    func transactionsSplitByHeldStateBytesGiveTheSameState(bytesMax: Int) throws {
        let reference = try TempStore()
        try reference.ingest(Self.small)
        let t = try TempStore()
        var options = IngestOptions()
        options.transactionStateBytesMax = bytesMax
        let (summary, rejected) = try t.ingest(Self.small, options: options)
        #expect(rejected.isEmpty && summary.accepted == 6000 && summary.lines == 6000 + Self.smallDuplicates)
        #expect(try IngestTests.projections(t.store) == IngestTests.projections(reference.store))
        #expect(try t.store.verify().ok)
    }

    /// A write transaction that dirties more pages than LMDB tracks fails with MDB_TXN_FULL
    /// (writers write through the map, so LMDB cannot spill pages; injected here after 700
    /// events): nothing of it is committed, and ingest and rebuild take the batch again in
    /// halves. The store is the one an unhindered ingest makes; --atomic, which may not
    /// split, says so.
    @Test func aBatchThatFillsATransactionIsCommittedInHalves() throws {
        let reference = try TempStore()
        try reference.ingest(Self.small)
        var faulty = Store.Options()
        faulty.faultTransactionFullAfterEvents = 700
        let t = try TempStore(options: faulty)
        var options = IngestOptions()
        options.batchEventsMax = 5000
        let (summary, rejected) = try t.ingest(Self.small, options: options)
        #expect(rejected.isEmpty && summary.accepted == 6000 && summary.lines == 6000 + Self.smallDuplicates)
        #expect(try IngestTests.projections(t.store) == IngestTests.projections(reference.store))
        let rebuilt = try t.store.rebuild(batchEventsMax: 4000)
        #expect(rebuilt.events == 6000)
        #expect(try IngestTests.projections(t.store) == IngestTests.projections(reference.store))
        #expect(try t.store.verify().ok)

        let atomicStore = try TempStore(options: faulty)
        var atomic = IngestOptions()
        atomic.atomic = true
        #expect(throws: LMDBError.self) { try atomicStore.ingest(Self.small, options: atomic) }
        #expect(try atomicStore.store.head() == 0)
    }

    @Test func figuresAddUpForEveryCustomer() throws {
        let t = try TempStore()
        try t.ingest(Self.small)
        let ids = try Self.customerIDs(t.store)
        let asOf = Day(year: 2024, month: 9, day: 30)!
        let aging = try t.store.aging(asOf: nil, today: asOf, edges: [15, 45, 90, 180])
        var agingByCustomer: [String: AgingReport.Row] = [:]
        for row in aging.customers { agingByCustomer[row.customer!] = row }
        var sawUnapplied = false, sawWriteOff = false, sawVoid = false, sawCredit = false
        for id in ids {
            let b = try t.store.balance(id)
            let x = b.totals
            // The identity of feed v1.2 (refunds of the generator's idle credit).
            #expect(x.balance == x.invoiced - x.credited - x.paid + x.refunded - x.writtenOff - x.voided, "customer \(id)")
            #expect(x.open >= 0 && x.unapplied >= 0)
            if let row = agingByCustomer[id] {
                #expect(row.buckets.reduce(0, +) == x.open)
                #expect(row.total == x.balance)
            } else {
                #expect(x.open == 0 && x.unapplied == 0)
            }
            sawUnapplied = sawUnapplied || x.unapplied > 0
            sawWriteOff = sawWriteOff || x.writtenOff > 0
            sawVoid = sawVoid || x.voided > 0
            sawCredit = sawCredit || x.credited > 0
        }
        // The feed exercises what these properties are about.
        #expect(sawUnapplied && sawWriteOff && sawVoid && sawCredit)
    }

    @Test func asOfAnswersEqualTheReferenceFold() throws {
        let t = try TempStore()
        try t.ingest(Self.small)
        var reference = InMemoryLog()
        try reference.ingest(Self.small)
        let ids = try Self.customerIDs(t.store)
        for (month, day) in [(1, 15), (3, 31), (6, 30), (9, 30), (12, 31)] {
            let date = Day(year: 2024, month: month, day: day)!
            let asOf = Timestamp.endOf(date)
            for id in ids.prefix(25) {
                let stored = try? t.store.balance(id, asOf: asOf)
                let folded = try reference.ledger(for: id, asOf: asOf).map { BalanceReport($0, on: date) }
                #expect(stored == folded, "customer \(id) as of \(date)")
            }
            var report = AgingReport(asOf: date, edges: Aging.defaultEdges)
            for id in ids {
                if let l = try reference.ledger(for: id, asOf: asOf) { report.add(customer: id, state: l.state) }
            }
            #expect(try t.store.aging(asOf: date, today: date) == report, "aging as of \(date)")
        }
    }

    /// Feed v1.1 in generated feeds: promises end kept, broken, superseded and pending (each
    /// judged on its customer's last day); disputes stay open with something disputed, and
    /// the store answers every customer's figures as the in-memory reference does.
    @Test func generatedPromisesAndDisputesTakeEveryState() throws {
        var log = InMemoryLog()
        let outcomes = try log.ingest(Self.small)
        #expect(outcomes.allSatisfy { if case .rejected = $0 { false } else { true } })
        var statuses: [PromiseStatus: Int] = [:]
        var openDisputes = 0
        var disputed = 0
        for (_, s) in log.states {
            let day = s.latestAt.utcDay
            for p in s.promises { statuses[p.status(on: day), default: 0] += 1 }
            openDisputes += s.disputes.count
            if s.disputed > 0 { disputed += 1 }
        }
        #expect(statuses[.kept, default: 0] > 0 && statuses[.broken, default: 0] > 0 && statuses[.superseded, default: 0] > 0
                    && statuses[.pending, default: 0] > 0, "\(statuses)")
        #expect(openDisputes > 0 && disputed > 0)
        let t = try TempStore()
        try t.ingest(Self.small)
        for (c, s) in log.states {
            let day = s.latestAt.utcDay
            #expect(try t.store.balance(c, today: day) == BalanceReport(customer: c, state: s, on: day), "\(c)")
        }
    }

    @Test func ingestingTwiceChangesNothing() throws {
        let t = try TempStore()
        try t.ingest(Self.small)
        let before = try IngestTests.projections(t.store)
        let (again, rejected) = try t.ingest(Self.small)
        #expect(rejected.isEmpty && again.accepted == 0 && again.duplicates == 6000 + Self.smallDuplicates)
        #expect(try IngestTests.projections(t.store) == before)
    }

    /// The shapes change spellings, not meaning: the rich feed of a seed has the plain feed's
    /// events, and every customer ends with the same money figures, invoices and payments.
    /// (Late entries move `at` and `text` changes names, so profiles and times may differ.)
    @Test func richShapesKeepThePlainFeedsFigures() throws {
        let plain = Self.feed(events: 6000, customers: 60, seed: 11)
        var plainLog = InMemoryLog()
        let plainOutcomes = try plainLog.ingest(plain)
        #expect(plainOutcomes.allSatisfy { if case .accepted = $0 { true } else { false } })
        var richLog = InMemoryLog()
        let richOutcomes = try richLog.ingest(Self.small)
        #expect(richOutcomes.filter { if case .accepted = $0 { true } else { false } }.count == 6000)
        #expect(plainLog.events.map(\.event.id) == richLog.events.map(\.event.id))
        #expect(Set(plainLog.states.keys) == Set(richLog.states.keys) && plainLog.states.count == 60)
        for id in plainLog.states.keys {
            guard let p = try plainLog.ledger(for: id), let r = try richLog.ledger(for: id) else {
                Issue.record("customer \(id) has no ledger")
                continue
            }
            #expect(p.totals == r.totals, "customer \(id)")
            #expect(p.profile.currency == r.profile.currency && p.profile.creditLimit == r.profile.creditLimit)
            #expect(p.invoices.map(\.id) == r.invoices.map(\.id) && p.invoices.map(\.installments) == r.invoices.map(\.installments))
            // Allocations name invoices by log position: compared by the invoice's id.
            #expect(Self.allocations(p) == Self.allocations(r), "customer \(id)")
        }
    }

    /// Each payment's allocations as (invoice id, installment, amount, days beyond terms).
    static func allocations(_ l: CustomerLedger) -> [[String]] {
        l.payments.map { p in
            p.allocations.map { a in "\(l.invoice(seq: a.invoice)?.id ?? "seq \(a.invoice)")#\(a.installment):\(a.amount):\(a.daysBeyondTerms)" }
        }
    }
}
