import ArlogDomain
import ArlogFeedGen
import Foundation
import Synchronization
import Testing

@testable import ArlogEngine
@testable import ArlogStorage

/// What several writers and readers of one store may and may not do to each other
/// (docs/reliability.md): readers never write; catch-up is a writer's job under LMDB's write
/// lock; a process's cache of states is used only when nothing was committed since its own
/// last commit. Another process is emulated in process by replaying with an empty cache.
@Suite(.serialized)
struct ConcurrencyTests {
    static let feed = GeneratedFeedTests.feed(events: 3000, customers: 25, seed: 7)

    /// The state right after rebuild's first transaction: the projections dropped (and with
    /// `indexes`, the log's indexes too: `rebuild(indexes: true)`).
    static func dropProjections(_ store: Store, indexes: Bool = false) throws {
        try store.env.write { txn in
            for db in store.projectionDatabases { try txn.drop(db) }
            if indexes { for db in store.indexDatabases { try txn.drop(db) } }
            try txn.put(store.meta, key: Store.MetaKey.projected, value: UInt64(0).bigEndianBytes)
        }
    }

    @Test(arguments: [false, true])
    func aCachedStateIsNotUsedAfterAnotherProcessCommitted(indexes: Bool) throws {
        let t = try TempStore()
        try t.ingest(Self.feed)
        let before = try t.derivedRecords()
        try Self.dropProjections(t.store, indexes: indexes)
        // This process replays a first batch and keeps its states...
        try t.store.catchUp(batchEventsMax: 500, batchesMax: 1)
        let ours = t.store.cache
        #expect(!ours.entries.isEmpty)
        // ...another process (no cache) replays the next batch and commits...
        t.store.cache = StateCache()
        try t.store.catchUp(batchEventsMax: 500, batchesMax: 1)
        // ...and this one goes on with the states it had: they no longer reflect what is
        // committed, so it must not use them (the bug: a rebuild and a query in two
        // processes left tens of thousands of wrong projections).
        t.store.cache = ours
        try t.store.catchUp(batchEventsMax: 500)
        #expect(try t.derivedRecords() == before)
        #expect(try t.store.verify().ok)
    }

    /// The state cache is used only by the write transaction right after the commit it
    /// reflects, and never holds more than its bounds: past `stateCacheEntriesMax` states it
    /// is emptied rather than kept.
    @Test func theStateCacheIsTakenOnlyByTheNextTransactionAndIsBounded() throws {
        let s = CustomerState(currency: try #require(Currency(code: "EUR")), termsDays: 30, creditLimit: 0,
                              registeredAt: Timestamp(seconds: 0), registeredOn: nil)
        var cache = StateCache()
        cache.restore(["A": s, "B": s], transactionID: 7)
        #expect(cache.take(transactionID: 9).isEmpty)  // another transaction committed in between
        #expect(cache.entries.isEmpty && cache.committedTransactionID == nil)
        cache.restore(["A": s, "B": s], transactionID: 7)
        #expect(cache.take(transactionID: 8).keys.sorted() == ["A", "B"])
        #expect(cache.entries.isEmpty)  // taken, not shared: it comes back only with a commit
        var many: [String: CustomerState] = [:]
        for i in 0..<Store.stateCacheEntriesMax { many["C\(i)"] = s }
        cache.restore(HeldStates(many), transactionID: 8)
        #expect(cache.entries.count == Store.stateCacheEntriesMax)
        many["one more"] = s
        cache.restore(HeldStates(many), transactionID: 9)
        #expect(cache.entries.isEmpty)
        #expect(cache.take(transactionID: 10).isEmpty)
    }

    /// Dropping the states a transaction has not changed keeps the changed ones, with their
    /// index and the byte count right, so the transaction can go on and write them.
    @Test func evictingCleanStatesKeepsTheChangedOnes() throws {
        let s = CustomerState(currency: try #require(Currency(code: "EUR")), termsDays: 30, creditLimit: 0,
                              registeredAt: Timestamp(seconds: 0), registeredOn: nil)
        var held: HeldStates = ["A": s, "B": s, "C": s, "D": s]
        #expect(held.bytes == 4 * s.heapBytesEstimate && held.bytes > 0)
        held.markDirty(try #require(held.slot("B")))
        held.markDirty(try #require(held.slot("D")))
        held.evictClean()
        #expect(held.names == ["B", "D"] && held.count == 2 && held.dirtyCount == 2)
        #expect(held.slot("A") == nil && held.slot("C") == nil)
        #expect(held.slot("D").map { held.names[$0] } == "D")
        #expect(held.bytes == 2 * s.heapBytesEstimate)
        #expect(held.dirtySlotsInKeyOrder().map { held.names[$0] } == ["B", "D"])
    }

    @Test func anIngestAfterAnotherProcessWroteDoesNotReuseItsCache() throws {
        let t = try TempStore()
        let lines = Self.feed.split(separator: "\n", omittingEmptySubsequences: true)
        try t.ingest(lines[..<1500].joined(separator: "\n"))
        let ours = t.store.cache
        // Another process ingests the next part (cacheless)...
        t.store.cache = StateCache()
        try t.ingest(lines[1500..<2200].joined(separator: "\n"))
        // ...then this process appends the rest with its now stale cache.
        t.store.cache = ours
        try t.ingest(lines[2200...].joined(separator: "\n"))
        var reference = InMemoryLog()
        try reference.ingest(Self.feed)
        for (id, state) in reference.states {
            #expect(try t.store.state(id) == state, "customer \(id)")
            #expect(try t.store.ledger(id) == reference.ledger(for: id), "customer \(id)")
        }
        #expect(try t.store.verify().ok)
    }

    @Test(arguments: [false, true])
    func anInterruptedRebuildIsFinishedByTheNextWriteNotByReaders(indexes: Bool) throws {
        let t = try TempStore()
        try t.ingest(Self.feed)
        let before = try t.derivedRecords()
        let customer = try GeneratedFeedTests.customerIDs(t.store)[0]
        let balance = try t.store.balance(customer)
        try Self.dropProjections(t.store, indexes: indexes)
        try t.store.catchUp(batchEventsMax: 1000, batchesMax: 1)
        // Opening for reading changes nothing: the projections stay where the rebuild left them.
        try t.reopen(options: { var o = Store.Options(); o.readOnly = true; return o }())
        #expect(try t.store.projectionStatus() == ProjectionStatus(projected: 1000, head: 3000))
        _ = try? t.store.balance(customer)
        _ = try t.store.aging(asOf: nil, today: Day(year: 2026, month: 1, day: 1)!)
        #expect(try t.store.projectionStatus().projected == 1000)
        // Known at the whole log, a reader answers as known at what the projections reflect.
        #expect(try t.store.knownSequence(.seq(3000)) == 1000)
        // The next write catches up first, then appends.
        try t.reopen()
        let (s, _) = try t.ingest(String(Self.feed.split(separator: "\n")[0]))
        #expect(s.duplicates == 1)
        #expect(try t.store.projectionStatus() == ProjectionStatus(projected: 3000, head: 3000))
        #expect(try t.derivedRecords() == before)
        #expect(try t.store.balance(customer) == balance)
    }

    @Test func aReadOnlyStoreAnswersQueriesAndRefusesWrites() throws {
        let t = try TempStore()
        try t.ingest(Self.feed)
        let customer = try GeneratedFeedTests.customerIDs(t.store)[0]
        let balance = try t.store.balance(customer)
        let aging = try t.store.aging(asOf: nil, today: Day(year: 2026, month: 1, day: 1)!)
        try t.reopen(options: { var o = Store.Options(); o.readOnly = true; return o }())
        #expect(t.store.isReadOnly)
        #expect(try t.store.balance(customer) == balance)
        #expect(try t.store.aging(asOf: nil, today: Day(year: 2026, month: 1, day: 1)!).customers.count == aging.customers.count)
        #expect(try t.store.verify().ok)
        #expect(try t.store.auditVerify().ok)
        #expect(throws: StorageError.self) { try t.ingest(String(Self.feed.split(separator: "\n")[0])) }
        #expect(throws: StorageError.self) { try t.store.rebuild() }
    }

    @Test func aRebuildKeepsTheRecordingTimeFloor() throws {
        // A clock the test moves: recording times must never go backwards, even when the
        // clock does and a rebuild ran in between.
        let clock = Atomic<Int64>(2_000_000_000_000_000)
        var options = Store.Options()
        options.recordingClock = { clock.load(ordering: .relaxed) }
        let t = try TempStore(options: options)
        let lines = Self.feed.split(separator: "\n", omittingEmptySubsequences: true)
        try t.ingest(lines[..<100].joined(separator: "\n"))
        _ = try t.store.rebuild()
        clock.store(1_000_000_000_000_000, ordering: .relaxed)
        try t.ingest(lines[100..<200].joined(separator: "\n"))
        let times = try t.store.env.read { txn in
            var times: [Int64] = []
            try txn.scan(t.store.log, from: nil) { _, v in
                times.append(try EventRecord.header(v).recordedAtMicros)
                return true
            }
            return times
        }
        #expect(times.count == 200)
        #expect(times == times.sorted())
        #expect(times.last == 2_000_000_000_000_000)
        // Nothing was recorded before the first batch's time, whatever the clock said later.
        #expect(try t.store.knownSequence(.recordedAt(micros: 1_500_000_000_000_000)) == 0)
    }
}
