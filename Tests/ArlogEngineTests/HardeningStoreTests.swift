import ArlogRender
import ArlogStorage
import Foundation
import Testing

@testable import ArlogDomain
@testable import ArlogEngine

/// Issue 8, item 3, through the LMDB store: valid lines with figures past Int64 are ingested
/// and every command answers (these used to trap inside the ingest transaction, losing the
/// batch on every retry).
struct LargeFigureStoreTests {
    static let today = Day(parsing: "2025-03-01")!

    @Test func aTinyLimitAndAHugeInvoiceIngestAndEveryCommandAnswers() throws {
        let t = try TempStore()
        let (summary, rejected) = try t.ingest("""
            {"id":"r1","type":"customer.registered","at":"2025-01-01T00:00:00Z","customer":"TINY","name":"Tiny","currency":"EUR","terms_days":30,"credit_limit":"0.01"}
            {"id":"i1","type":"invoice.issued","at":"2025-01-02T00:00:00Z","customer":"TINY","invoice":"T-1","amount":"10000000000000.00","issued_on":"2025-01-02"}
            """)
        #expect(rejected.isEmpty && summary.accepted == 2)
        let store = t.store
        let check = try store.creditCheck("TINY", amount: "10000000000000.00", today: Self.today)
        #expect(check.utilisationAfterBasisPoints == CreditScoring.utilisationBasisPointsMax)
        #expect(check.decision >= .review)
        #expect(Render.check(check, format: .json).contains("\"balance_after\":\"20000000000000.00\""))
        let grade = try store.grade("TINY", today: Self.today)
        #expect(grade.assessment.utilisationBasisPoints == CreditScoring.utilisationBasisPointsMax)
        #expect(Render.grade(grade, format: .table, history: true).contains("utilisation 10000000000.00%"))
        let rows = try store.customers(CustomerFilter(), asOf: nil, today: Self.today)
        #expect(rows.count == 1 && rows[0].balance.available == 1 - 1_000_000_000_000_000)
        _ = Render.customers(rows, format: .table)
        _ = Render.limits(try store.limitReview(today: Self.today), format: .json)
        let alerts = try store.alerts().map(\.alert)
        #expect(alerts.contains { $0.kind == .overLimit })
        _ = Render.alerts(alerts, format: .table)
        #expect(try store.verify().ok)
        #expect(try store.auditVerify().ok)
    }

    /// Two customers whose open amounts are each near Int64.max / 2 (one invoice of 10^15
    /// minor units, the largest single amount, raised 4,611 times by the same; see the domain
    /// test): aging and stats totals pass Int64 and are exact.
    @Test func agingAndStatsTotalsPastInt64AreExact() throws {
        let perCustomer = 4612
        var lines: [String] = []
        for c in ["A", "B"] {
            lines.append(#"{"id":"r-\#(c)","type":"customer.registered","at":"2025-01-01T00:00:00Z","customer":"\#(c)","name":"\#(c)","currency":"EUR","terms_days":30,"credit_limit":"1.00"}"#)
            lines.append(#"{"id":"i-\#(c)","type":"invoice.issued","at":"2025-01-01T00:00:00Z","customer":"\#(c)","invoice":"\#(c)-1","amount":"10000000000000.00","issued_on":"2025-01-01","due_on":"2025-01-31"}"#)
            for n in 1..<perCustomer {
                lines.append(#"{"id":"a-\#(c)-\#(n)","type":"invoice.adjusted","at":"2025-01-01T00:00:00Z","customer":"\#(c)","invoice":"\#(c)-1","amount":"10000000000000.00"}"#)
            }
        }
        let t = try TempStore()
        let (summary, rejected) = try t.ingest(lines.joined(separator: "\n"))
        #expect(rejected.isEmpty && summary.accepted == lines.count)
        let store = t.store

        let expected = Int128(2 * perCustomer) * 1_000_000_000_000_000
        #expect(expected > Int128(Int64.max))
        let aging = try store.aging(asOf: Day(parsing: "2025-02-15")!, today: Self.today)
        let total = try #require(aging.totals.first)
        #expect(total.buckets[1] == expected && total.total == expected)
        let agingJSON = Render.aging(aging, format: .json)
        #expect(agingJSON.contains(#""totals":[{"currency":"EUR","current":"0.00","1-30":"92240000000000000.00""#))
        #expect(Render.aging(aging, format: .table).contains("92240000000000000.00"))
        let stats = try store.stats(asOf: nil, today: Self.today)
        let eur = try #require(stats.currencies.first)
        #expect(eur.open == expected && eur.balance == expected && eur.overdue == expected)
        #expect(Render.stats(stats, format: .json).contains(#""open":"92240000000000000.00""#))
        #expect(Render.stats(stats, format: .csv).contains("92240000000000000.00"))
        let rows = try store.customers(CustomerFilter(), asOf: nil, today: Self.today)
        #expect(rows.map(\.profile.id) == ["A", "B"])
        #expect(Render.customers(rows, format: .json).contains(#""available":"-46119999999999999.00""#))
        #expect(try store.verify().ok)
    }
}

/// Issue 8, item 4: damaged records are errors naming the database and the key; verify and
/// audit verify report them and go on; what a query reads is compared.
struct StoreCorruptionTests {
    static func store() throws -> TempStore { try CorruptionTests.store() }

    static func put(_ t: TempStore, _ db: Database, _ key: [UInt8], _ value: [UInt8]) throws {
        try t.store.rawPut(db, key: key, value: value)
    }

    static func value(_ t: TempStore, _ db: Database, _ key: [UInt8]) throws -> [UInt8] {
        try #require(try t.store.env.read { try $0.get(db, key: key) })
    }

    /// The issue's case, on the hot state: the open installments of a stored state (what aging
    /// reads) moved, every field in range and the figures still adding up. verify must compare
    /// the installments, not only the totals.
    @Test func aStateWhoseOpenInstallmentsMovedIsFound() throws {
        let t = try Self.store()
        let asOf = Day(parsing: "2025-03-31")!
        let before = Render.aging(try t.store.aging(asOf: nil, today: asOf), format: .json)
        var s = try t.store.state("ACME")
        // A-1's second installment due 40 days later, in the state only.
        let k = try #require(s.slots.firstIndex { !$0.dead && $0.open > 0 && $0.index == 1 })
        s.slots[k].dueOn = s.slots[k].dueOn.adding(days: 40)
        try Self.put(t, t.store.states, Array("ACME".utf8), StateCodec.encode(s))
        #expect(try t.store.state("ACME") == s, "it decodes")
        #expect(Render.aging(try t.store.aging(asOf: nil, today: asOf), format: .json) != before)
        let verify = try t.store.verify()
        #expect(verify.problems.contains { $0.contains("ACME") && $0.contains("stored state") }, "\(verify.problems)")
        let audit = try t.store.auditVerify()
        #expect(!audit.ok)
    }

    /// The same for a cold record: a settled invoice's installment moved in its record (what a
    /// later adjustment or an as-of answer from a checkpoint would read), everything in range.
    @Test func aColdRecordWhoseInstallmentMovedIsFound() throws {
        let t = try Self.store()
        // B-2 was voided: it left the hot state for a cold record.
        let seq = try t.store.env.read { txn in try #require(try t.store.refsSeq(txn, invoice: "B-2")) }
        let value = try Self.value(t, t.store.items, seq.bigEndianBytes)
        var record = try value.dropFirst().withUnsafeBytes { try StateCodec.decodeInvoice($0) }
        record.installments[0].dueOn = record.installments[0].dueOn.adding(days: 40)
        try Self.put(t, t.store.items, seq.bigEndianBytes, [value[0]] + StateCodec.encode(record))
        let verify = try t.store.verify()
        #expect(verify.problems.contains { $0.contains("BOLT") && $0.contains("invoice B-2") }, "\(verify.problems)")
        #expect(!(try t.store.auditVerify().ok))
    }

    @Test func aTruncatedStateIsAnErrorNamingTheDatabaseAndKey() throws {
        let t = try Self.store()
        let state = try Self.value(t, t.store.states, Array("ACME".utf8))
        try Self.put(t, t.store.states, Array("ACME".utf8), Array(state.prefix(state.count / 2)))
        let error = #expect(throws: EngineError.self) { try t.store.balance("ACME") }
        #expect(error?.kind == .corrupt && error?.database == "states" && error?.key == "customer ACME")
        #expect(error?.exitCode == 2)
        #expect(error?.message.hasPrefix("corrupt record in database states, key customer ACME: ") == true)
        // Other customers still answer; aging, which reads every state, names the damage.
        _ = try t.store.balance("BOLT")
        let aging = #expect(throws: EngineError.self) { try t.store.aging(asOf: nil, today: CorruptionTests.today) }
        #expect(aging?.database == "states" && aging?.key == "customer ACME")
    }

    /// verify reports each damaged customer and goes on with the next: a state, a cold record
    /// and a grade-history record, each of another customer.
    @Test func verifyReportsEveryDamagedCustomerAndGoesOn() throws {
        let t = try Self.store()
        try Self.put(t, t.store.states, Array("ACME".utf8), [StateCodec.stateVersion])
        let bolt = try t.store.env.read { txn in try #require(try t.store.refsSeq(txn, payment: "BP-1")) }
        try Self.put(t, t.store.items, bolt.bigEndianBytes, [1, 2, 3])
        let kaiju = try t.store.env.read { txn in
            var key: [UInt8] = []
            try txn.scan(t.store.grades, prefix: Store.customerPrefix("KAIJU")) { k, _ in
                key = Array(k)
                return false
            }
            return key
        }
        #expect(!kaiju.isEmpty)
        try t.store.rawPut(t.store.grades, key: kaiju, value: [RiskCodec.version, 0x80])
        let report = try t.store.verify()
        #expect(report.customers == 4)
        for c in ["ACME", "BOLT", "KAIJU"] { #expect(report.problems.contains { $0.hasPrefix("customer \(c):") }, "\(c): \(report.problems)") }
        let audit = try t.store.auditVerify()
        #expect(["ACME", "BOLT", "KAIJU"].allSatisfy { c in audit.problems.contains { $0.hasPrefix("customer \(c):") } })
        #expect(throws: EngineError.self) { try t.store.grade("KAIJU", today: CorruptionTests.today) }
    }

    /// A chain link of the wrong length (ChainHash used to trap on it) is a problem.
    @Test func aTruncatedChainLinkIsAProblem() throws {
        let t = try Self.store()
        let link = try Self.value(t, t.store.chain, UInt64(5).bigEndianBytes)
        try Self.put(t, t.store.chain, UInt64(5).bigEndianBytes, Array(link.prefix(31)))
        let audit = try t.store.auditVerify()
        #expect(audit.firstBrokenSeq == 5)
        #expect(audit.problems.contains { $0.contains("link of entry 5 is 31 bytes") })
        try t.store.rawPut(t.store.meta, key: Store.MetaKey.chainHead, value: [1, 2, 3])
        let head = #expect(throws: EngineError.self) { try t.store.chainHead() }
        #expect(head?.database == "meta" && head?.key == "chain.head")
        #expect(!(try t.store.auditVerify().ok))
        #expect(!(try t.store.verify().ok))
    }

    @Test func aLogEntryOfAnotherCustomerUnderACustomersIndexIsFound() throws {
        let t = try Self.store()
        // BOLT's index gets ACME's invoice A-1 (log position 4), with its `at` and type: the
        // index entry is well formed, only its customer is wrong.
        let value = try Self.value(t, t.store.customerEvents, Store.customerEventKey("ACME", 4))
        try Self.put(t, t.store.customerEvents, Store.customerEventKey("BOLT", 4), value)
        let error = #expect(throws: EngineError.self) { try t.store.history("BOLT") }
        #expect(error?.database == "customer_events")
        #expect(throws: EngineError.self) { try t.store.export(customer: "BOLT") { _ in } }
        #expect(!(try t.store.verify().ok))
        #expect(!(try t.store.auditVerify().ok))
    }

    /// The binary form of an event (what history and every fold read) changed where its bytes
    /// as received are not: the chain still holds, so only deriving the form again from those
    /// bytes finds it. Here the reversal's note, which history shows and no figure depends on.
    @Test func aBinaryFormThatNoLongerMatchesItsBytesIsFoundByAudit() throws {
        let t = try Self.store()
        let key = UInt64(10).bigEndianBytes
        var record = try Self.value(t, t.store.log, key)
        let note = Array("cheque returned".utf8)
        // The first copy is the binary form's (it precedes the bytes as received).
        let at = try #require((0...(record.count - note.count)).first { record[$0..<($0 + note.count)].elementsEqual(note) })
        record[at] = UInt8(ascii: "C")
        try Self.put(t, t.store.log, key, record)
        #expect(try t.store.history("ACME").entries.contains { $0.event.note == "Cheque returned" })
        let audit = try t.store.auditVerify()
        #expect(audit.firstBrokenSeq == 10)
        #expect(audit.problems.contains { $0.contains("log position 10") && $0.contains("binary form") }, "\(audit.problems)")
    }

    @Test func recordingTimesGoingBackwardsAreFound() throws {
        let t = try Self.store()
        var record = try Self.value(t, t.store.log, UInt64(10).bigEndianBytes)
        // The recording time (µs, little-endian at bytes 1…8): one second earlier.
        let micros = record[1..<9].enumerated().reduce(Int64(0)) { $0 | Int64($1.element) << (8 * $1.offset) } - 1_000_000
        for i in 0..<8 { record[1 + i] = UInt8(truncatingIfNeeded: micros >> (8 * i)) }
        try Self.put(t, t.store.log, UInt64(10).bigEndianBytes, record)
        #expect(try t.store.verify().problems.contains { $0.contains("recording times go backwards") })
        let audit = try t.store.auditVerify()
        #expect(audit.problems.contains { $0.contains("recording times go backwards") } && audit.firstBrokenSeq == 10)
        // The meta record the next ingest starts from, behind the log: found.
        let u = try Self.store()
        try u.store.rawPut(u.store.meta, key: Store.MetaKey.recordedAt, value: UInt64(1).bigEndianBytes)
        #expect(try u.store.verify().problems.contains { $0.contains("last recording time") })
    }

    @Test func aDamagedHeadOrCursorIsAnError() throws {
        let t = try Self.store()
        try t.store.setAlertCursor("ops", try #require(try t.store.lastAlertKey()))
        #expect(try t.store.verify().ok)
        try t.store.rawPut(t.store.meta, key: Array("alerts.cursor.ops".utf8), value: [7])
        let cursor = #expect(throws: EngineError.self) { try t.store.alertCursor("ops") }
        #expect(cursor?.database == "meta" && cursor?.key == "alerts.cursor.ops")
        #expect(try t.store.verify().problems.contains { $0.contains("alerts.cursor.ops") })
        // A cursor naming an alert that does not exist.
        var key = try #require(try t.store.lastAlertKey())
        key[key.count - 1] &+= 9
        try t.store.rawPut(t.store.meta, key: Array("alerts.cursor.ops".utf8), value: key)
        #expect(try t.store.verify().problems.contains { $0.contains("cursor ops names alert") })

        let u = try Self.store()
        try u.store.rawPut(u.store.meta, key: Store.MetaKey.head, value: UInt64.max.bigEndianBytes)
        let head = #expect(throws: EngineError.self) { try u.store.head() }
        #expect(head?.database == "meta" && head?.key == "log.head")
        #expect(!(try u.store.verify().ok))
        #expect(!(try u.store.auditVerify().ok))
        #expect(throws: EngineError.self) { try u.ingest(CorruptionTests.moreEvents) }
    }

    /// The globals index's values say which log-wide events are policy changes: a wrong one
    /// changes every grade since, and is found.
    @Test func aGlobalsValueNamingAnotherTypeIsFound() throws {
        let t = try Self.store()
        let key = try #require(try t.store.env.read { try $0.firstKey(t.store.globals) })
        try Self.put(t, t.store.globals, key, [EventType.creditReviewed.rawValue])
        #expect(try t.store.policy().entry == nil)
        #expect(try t.store.verify().problems.contains { $0.contains("database globals") })
        #expect(!(try t.store.auditVerify().ok))
    }
}
