import ArlogDomain
import ArlogStorage
import Foundation
import Testing

@testable import ArlogEngine

/// The chain and `audit verify` against real tampering of a store's LMDB databases.
struct AuditTests {
    /// A store holding the three spec feeds (22 events), and its head.
    static func store() throws -> (TempStore, ChainHead) {
        let t = try TempStore()
        let (_, rejected) = try t.ingest(IngestTests.combinedFeed)
        #expect(rejected.isEmpty)
        return (t, try t.store.chainHead())
    }

    static func log(_ t: TempStore, _ seq: UInt64) throws -> [UInt8] {
        try #require(try t.store.env.read { try $0.get(t.store.log, key: seq.bigEndianBytes) })
    }

    @Test func aCleanStoreVerifiesAndItsHeadHolds() throws {
        let (t, head) = try Self.store()
        #expect(head.seq == 22)
        #expect(head.hash != .genesis)
        let report = try t.store.auditVerify(expect: head)
        #expect(report.ok, "\(report.problems)")
        #expect(report.expectationHeld == true)
        #expect(ChainHead(parsing: head.description) == head)
        // An earlier head still holds after more events are appended.
        try t.ingest(#"{"id":"x1","type":"credit_limit.changed","at":"2025-08-01T00:00:00Z","customer":"BOLT","credit_limit":"10.00"}"#)
        let later = try t.store.auditVerify(expect: head)
        #expect(later.ok && later.expectationHeld == true)
        #expect(try t.store.chainHead().seq == 23)
    }

    /// Pins the chain's definition: the head of the three spec feeds, as docs/audit.md shows.
    @Test func theChainOfTheSpecFeedsIsTheDocumentedOne() throws {
        let (_, head) = try Self.store()
        #expect(head.description == "22:394c008b9e680fe2470e1f82e06c2df977d2867f3ffbeea03743c464556f0fc6")
    }

    @Test func aChangedByteInOneEventIsFound() throws {
        let (t, head) = try Self.store()
        var record = try Self.log(t, 7)
        let i = try #require(record.lastIndex(of: UInt8(ascii: "0")))
        record[i] = UInt8(ascii: "9")
        try t.store.env.write { try $0.put(t.store.log, key: UInt64(7).bigEndianBytes, value: record) }
        let report = try t.store.auditVerify(expect: head)
        #expect(!report.ok)
        #expect(report.firstBrokenSeq == 7)
        #expect(report.expectationHeld == false)
    }

    @Test func aDeletedEventIsFound() throws {
        let (t, _) = try Self.store()
        try t.store.env.write { _ = try $0.delete(t.store.log, key: UInt64(12).bigEndianBytes) }
        let report = try t.store.auditVerify()
        #expect(!report.ok)
        #expect(report.firstBrokenSeq == 12)
    }

    @Test func twoSwappedEventsAreFound() throws {
        let (t, _) = try Self.store()
        let a = try Self.log(t, 3)
        let b = try Self.log(t, 9)
        try t.store.env.write { txn in
            try txn.put(t.store.log, key: UInt64(3).bigEndianBytes, value: b)
            try txn.put(t.store.log, key: UInt64(9).bigEndianBytes, value: a)
        }
        let report = try t.store.auditVerify()
        #expect(!report.ok)
        #expect(report.firstBrokenSeq == 3)
    }

    @Test func aRemovedIndexEntryIsFound() throws {
        let (t, _) = try Self.store()
        let r15 = try Self.log(t, 15).withUnsafeBytes { try EventRecord.View($0).id }
        try t.store.env.write { _ = try $0.delete(t.store.ids, key: Array(r15.utf8)) }
        var report = try t.store.auditVerify()
        #expect(!report.ok && report.firstBrokenSeq == 15)

        let (u, _) = try Self.store()
        let r5 = try Self.log(u, 5).withUnsafeBytes { try EventRecord.View($0).customer }
        try u.store.env.write { _ = try $0.delete(u.store.customerEvents, key: Store.customerEventKey(r5, 5)) }
        report = try u.store.auditVerify()
        #expect(!report.ok && report.firstBrokenSeq == 5)
    }

    @Test func anExtraIndexEntryIsFound() throws {
        let (t, _) = try Self.store()
        try t.store.env.write { try $0.put(t.store.ids, key: Array("ghost".utf8), value: UInt64(4).bigEndianBytes) }
        let report = try t.store.auditVerify()
        #expect(!report.ok)
        // The message names the database and both counts.
        #expect(report.problems.contains { $0.contains("ids index holds 23 entries for 22 events") }, "\(report.problems)")
    }

    @Test func anAlteredProjectionIsFound() throws {
        let (t, _) = try Self.store()
        var state = try t.store.state("PEARL")
        state.totals.open += 1
        try t.store.env.write { try $0.put(t.store.states, key: Array("PEARL".utf8), value: StateCodec.encode(state)) }
        let report = try t.store.auditVerify()
        #expect(!report.ok)
        #expect(report.problems.contains { $0.contains("PEARL") })
        // Charged to PEARL's last event: sequence 21 of the combined feed (j6).
        #expect(report.firstBrokenSeq == 21)
    }

    @Test func aRewrittenHistoryWithARecomputedChainFailsTheKeptHead() throws {
        let (t, head) = try Self.store()
        // Someone who can write the store changes an event and recomputes every link after it.
        var record = try Self.log(t, 4)
        let i = try #require(record.lastIndex(of: UInt8(ascii: "1")))
        record[i] = UInt8(ascii: "2")
        try t.store.env.write { txn in
            try txn.put(t.store.log, key: UInt64(4).bigEndianBytes, value: record)
            var hash = ChainHash.genesis
            for seq in UInt64(1)...22 {
                let value = try #require(try txn.get(t.store.log, key: seq.bigEndianBytes))
                hash = try value.withUnsafeBytes { raw in
                    hash.next(seq: seq, event: UnsafeRawBufferPointer(rebasing: raw[try EventRecord.header(raw).rawStart...]))
                }
                try txn.put(t.store.chain, key: seq.bigEndianBytes, value: hash.bytes)
            }
            try txn.put(t.store.meta, key: Store.MetaKey.chainHead, value: ChainHead(seq: 22, hash: hash).encoded)
        }
        let report = try t.store.auditVerify(expect: head)
        // The chain is consistent again; only the head kept outside proves the change.
        #expect(!report.problems.contains { $0.hasPrefix("chain:") })
        #expect(report.expectationHeld == false)
        #expect(!report.ok)
    }
}
