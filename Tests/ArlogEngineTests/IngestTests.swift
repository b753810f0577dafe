import ArlogDomain
import ArlogStorage
import Foundation
import Testing

@testable import ArlogEngine

/// Ingest through the LMDB store: batching, idempotency, atomicity, rejections, map growth.
struct IngestTests {
    /// The three spec feeds together: 22 events, three currencies, every kind of event.
    static var combinedFeed: String {
        ["01-installments-fifo", "02-reversal-dunning", "03-currencies-asof"].map {
            try! String(contentsOf: Fixtures.examplesDirectory.appendingPathComponent("\($0).ndjson"), encoding: .utf8)
        }.joined(separator: "\n")
    }

    /// Every record of every projection (states, items, profiles, checkpoints, late entries,
    /// grades, alerts), encoded: equal dictionaries mean byte-identical projections.
    static func projections(_ store: Store) throws -> [String: [UInt8]] {
        try store.records(of: store.projectionDatabases)
    }

    @Test(arguments: [1, 2, 3, 7, 8192])
    func anyBatchSizeGivesTheSameState(batch: Int) throws {
        let reference = try TempStore()
        try reference.ingest(Self.combinedFeed)
        let t = try TempStore()
        var options = IngestOptions()
        options.batchEventsMax = batch
        let (summary, rejected) = try t.ingest(Self.combinedFeed, options: options)
        #expect(rejected.isEmpty)
        #expect(summary.accepted == 22)
        #expect(try Self.projections(t.store) == Self.projections(reference.store))
        #expect(try t.store.head() == 22)
    }

    @Test func ingestingTwiceChangesNothing() throws {
        let t = try TempStore()
        try t.ingest(Self.combinedFeed)
        let before = try Self.projections(t.store)
        let (again, rejected) = try t.ingest(Self.combinedFeed)
        #expect(rejected.isEmpty)
        #expect(again.accepted == 0 && again.duplicates == 22)
        #expect(try Self.projections(t.store) == before)
        #expect(try t.store.head() == 22)
    }

    @Test func conflictingIdIsRejectedAndChangesNothing() throws {
        let t = try TempStore()
        try t.ingest(Self.combinedFeed)
        let before = try Self.projections(t.store)
        let conflict = #"{"id":"e4","type":"payment.received","at":"2025-02-10T08:00:00Z","customer":"ACME","payment":"PAY-9","amount":"1.00","received_on":"2025-02-10"}"#
        let (s, rejected) = try t.ingest(conflict)
        #expect(s.rejected == 1)
        #expect(rejected.first?.rejection.rule == .conflict)
        #expect(rejected.first?.id == "e4")
        #expect(try Self.projections(t.store) == before)
    }

    @Test func badLinesAreReportedAndValidOnesKept() throws {
        let t = try TempStore()
        let lines = [
            #"{"id":"a1","type":"customer.registered","at":"2025-01-01T00:00:00Z","customer":"C1","name":"One","currency":"EUR","terms_days":30,"credit_limit":"100.00"}"#,
            #"{"id":"a2","type":"invoice.issued","at":"2025-01-02T00:00:00Z","customer":"C1","invoice":"I1","amount":"10.001","issued_on":"2025-01-02"}"#,
            "not json",
            "",
            #"{"id":"a3","type":"invoice.issued","at":"2025-01-02T00:00:00Z","customer":"C1","invoice":"I1","amount":"10.00","issued_on":"2025-01-02"}"#,
            #"{"id":"a4","type":"invoice.issued","at":"2025-01-03T00:00:00Z","customer":"C1","invoice":"I1","amount":"5.00","issued_on":"2025-01-03"}"#,
        ]
        let (s, rejected) = try t.ingest(lines.joined(separator: "\r\n"))
        #expect(s.accepted == 2 && s.rejected == 3)
        #expect(rejected.map(\.line) == [2, 3, 6])
        #expect(rejected.map(\.rejection.rule) == [.moneyPrecision, .json, .invoiceExists])
        #expect(rejected.map(\.id) == ["a2", nil, "a4"])
        #expect(String(decoding: rejected[1].raw, as: UTF8.self) == "not json")
        #expect(try t.store.balance("C1").totals.open == 1000)
    }

    @Test func atomicKeepsNothingWhenOneLineFails() throws {
        let t = try TempStore()
        var options = IngestOptions()
        options.atomic = true
        let bad = Self.combinedFeed + "\n{\"id\":\"zz\",\"type\":\"nope\"}\n"
        let (s, rejected) = try t.ingest(bad, options: options)
        #expect(s.accepted == 0 && s.rejected == 1)
        #expect(rejected.filter(\.rolledBack).count == 22)
        #expect(try t.store.head() == 0)
        let (ok, none) = try t.ingest(Self.combinedFeed, options: options)
        #expect(ok.accepted == 22 && none.isEmpty)
    }

    @Test func tooLongLineIsRejectedAndReadingGoesOn() throws {
        let t = try TempStore()
        let long = "{\"id\":\"x\",\"note\":\"" + String(repeating: "a", count: FeedLimits.lineBytesMax + 10) + "\"}"
        let (s, rejected) = try t.ingest(long + "\n" + Self.combinedFeed)
        #expect(s.accepted == 22 && s.rejected == 1)
        #expect(rejected.first?.rejection.rule == .lineTooLong)
        #expect(rejected.first?.line == 1)
    }

    @Test func theMapGrowsWhenFull() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("arlog-map-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = Store.Options()
        options.durable = false
        options.mapSizeBytes = 256 << 10
        let store = try Store(directory: dir, create: true, options: options)
        defer { store.close() }
        // Enough customers to need several MiB of pages.
        var lines: [String] = []
        for i in 0..<3000 {
            lines.append(#"{"id":"r\#(i)","type":"customer.registered","at":"2025-01-01T00:00:00Z","customer":"C\#(i)","name":"Customer \#(i) with a long enough name","currency":"USD","terms_days":30,"credit_limit":"1000.00","note":"\#(String(repeating: "n", count: 500))"}"#)
        }
        let path = dir + ".ndjson"
        try lines.joined(separator: "\n").write(toFile: path, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let s = try store.ingest(path: path) { _ in }
        #expect(s.accepted == 3000)
        #expect(store.env.mapSizeBytes > 256 << 10)
        #expect(try store.verify().ok)
    }

    @Test func verifyFindsAnAlteredProjection() throws {
        let t = try TempStore()
        try t.ingest(Self.combinedFeed)
        var state = try t.store.state("ACME")
        state.totals.paid += 1
        try t.store.env.write { txn in
            try txn.put(t.store.states, key: Array("ACME".utf8), value: StateCodec.encode(state))
        }
        let report = try t.store.verify()
        #expect(!report.ok)
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.contains("ACME") == true)
        _ = try t.store.rebuild()
        #expect(try t.store.verify().ok)
    }

    /// The cold record of a settled invoice (no longer in any hot state) is a projection too.
    @Test func verifyFindsAnAlteredItemRecord() throws {
        let t = try TempStore()
        try t.ingest(Self.combinedFeed)
        // INV-1 of ACME is settled: only its cold record holds its figures.
        let seq = try #require(try t.store.env.read { try StoreReferences(store: t.store, txn: $0).invoice("INV-1") }).seq
        #expect(try t.store.state("ACME").openInvoice(seq: seq) == nil)
        var record = try #require(try t.store.ledger("ACME").invoice("INV-1"))
        record.credited += 1
        try t.store.env.write { txn in
            try txn.put(t.store.items, key: seq.bigEndianBytes, value: [UInt8(ascii: "i")] + StateCodec.encode(record))
        }
        let report = try t.store.verify()
        #expect(report.problems.count == 1, "\(report.problems)")
        #expect(report.problems.first?.contains("invoice INV-1") == true, "\(report.problems)")
        #expect(try t.store.auditVerify().problems.contains { $0.contains("invoice INV-1") })
        _ = try t.store.rebuild()
        #expect(try t.store.verify().ok)
    }

    @Test func aStoreOfAnotherFormatIsRefused() throws {
        let t = try TempStore()
        try t.store.env.write { txn in
            try txn.put(t.store.meta, key: Store.MetaKey.format, value: UInt64(99).bigEndianBytes)
        }
        t.store.close()
        #expect {
            _ = try Store(directory: t.directory, create: false)
        } throws: { error in
            (error as? EngineError)?.message.contains("format 99") == true
        }
    }

    /// A store of format 6 (the same log, states in the version-3 encoding, without feed
    /// v1.3's assessment section): a query
    /// is refused with the command that upgrades it; a command that writes upgrades it in
    /// place, replaying the projections from the log, and every answer is as before.
    @Test func aStoreOfTheEarlierFormatIsUpgradedInPlaceByAWriter() throws {
        let t = try TempStore()
        try t.ingest(Self.combinedFeed)
        let balance = try t.store.balance("ACME")
        let aging = try t.store.aging(asOf: Day(parsing: "2025-03-31"), today: Day(parsing: "2026-01-01")!)
        // What format 6 left: its format record, and states this arlog cannot decode.
        #expect(Store.upgradableFormat == 6 && Store.formatVersion == 7)
        try t.store.env.write { txn in
            try txn.put(t.store.meta, key: Store.MetaKey.format, value: Store.upgradableFormat.bigEndianBytes)
            try txn.put(t.store.states, key: Array("ACME".utf8), value: [3, 0, 0, 0])
        }
        t.store.close()
        var readOnly = Store.Options()
        readOnly.readOnly = true
        #expect {
            _ = try Store(directory: t.directory, create: false, options: readOnly)
        } throws: { error in
            (error as? EngineError)?.message.contains("arlog rebuild --store \(t.directory)") == true
        }
        let upgraded = try Store(directory: t.directory, create: false)
        #expect(try upgraded.projectionStatus().isBehind)
        _ = try upgraded.rebuild()
        #expect(try upgraded.balance("ACME") == balance)
        #expect(try upgraded.aging(asOf: Day(parsing: "2025-03-31"), today: Day(parsing: "2026-01-01")!) == aging)
        #expect(try upgraded.verify().ok)
        upgraded.close()
        // Read-only opens now succeed: the format is the current one.
        let reader = try Store(directory: t.directory, create: false, options: readOnly)
        #expect(try reader.balance("ACME") == balance)
    }

    @Test func queriesOnAMissingStoreSayHowToCreateOne() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("arlog-none-\(UUID())").path
        #expect {
            _ = try Store(directory: dir, create: false)
        } throws: { error in
            (error as? EngineError)?.kind == .store
        }
        #expect(!FileManager.default.fileExists(atPath: dir))
    }

    @Test func unknownCustomerAndInvoiceAreNotFound() throws {
        let t = try TempStore()
        try t.ingest(Self.combinedFeed)
        #expect(throws: EngineError.self) { try t.store.balance("NOPE") }
        #expect { try t.store.invoice("NOPE") } throws: { ($0 as? EngineError)?.exitCode == 3 }
        #expect { try t.store.history("NOPE") } throws: { ($0 as? EngineError)?.exitCode == 3 }
    }

    @Test func historyShowsBalanceAfterEachEvent() throws {
        let t = try TempStore()
        try t.ingest(Self.combinedFeed)
        let (currency, entries) = try t.store.history("ACME")
        #expect(currency.code == "CNY")
        #expect(entries.map(\.event.id) == ["e1", "e2", "e3", "e4", "e5", "e6"])
        #expect(entries.map(\.balanceAfter) == [0, 900_000, 1_050_050, 650_050, 600_050, -99_950])
        #expect(entries[4].event.note == "credit note for damaged goods")
        #expect(entries[0].event.actor == "credit-desk")
        // A registration and a limit change show the limit they set.
        #expect(entries[0].amount == 2_000_000)
        let limit = #"{"id":"e7","type":"credit_limit.changed","at":"2025-06-01T00:00:00Z","customer":"ACME","credit_limit":"12345.60"}"#
        try t.ingest(limit)
        let after = try t.store.history("ACME").entries
        #expect(after.last?.event.type == .creditLimitChanged)
        #expect(after.last?.amount == 1_234_560)
    }

    @Test func invoiceDetailShowsWhatPaidIt() throws {
        let t = try TempStore()
        try t.ingest(Self.combinedFeed)
        let d = try t.store.invoice("INV-1")
        #expect(d.customer == "ACME")
        #expect(d.invoice.installments.map(\.open) == [0, 0, 0])
        #expect(d.invoice.credited == 50_000)
        // PAY-1 took installment 0; PAY-2's explicit 1000 and its FIFO rest took 1 and 2.
        #expect(d.payments.map(\.payment) == ["PAY-1", "PAY-2", "PAY-2", "PAY-2"])
        #expect(d.payments.map(\.amount).reduce(0, +) == 850_000)
        #expect(d.events.map(\.event.id) == ["e2", "e4", "e5", "e6"])
    }
}
