import ArlogDomain
import Foundation
import Testing

@testable import ArlogEngine

/// Feed v1.1 in the LMDB store: example 05's answers today and as of a date, its balance
/// object's keys in the contract's order, the invoice view's dispute, rebuild byte for byte,
/// verify and audit verify, and as-of answers through checkpoints on a longer history.
struct DisputesStoreTests {
    static func store() throws -> TempStore {
        let t = try TempStore()
        let (summary, rejected) = try t.ingest(file: Fixtures.examplesDirectory.appendingPathComponent("05-disputes-promises.ndjson").path)
        #expect(rejected.isEmpty && summary.accepted == 10)
        return t
    }

    /// Without --as-of, promises are judged on today: here today is injected.
    @Test func promisesAreJudgedOnToday() throws {
        let t = try Self.store()
        func promise(_ today: String) throws -> String {
            let r = try t.store.balance("DISP", today: Day(parsing: today)!)
            let pending = r.promises.pending.map { "\(Money.format($0.amount, fractionDigits: 2)) by \($0.promisedOn)" } ?? "none"
            return "kept \(r.promises.kept) broken \(r.promises.broken) pending \(pending)"
        }
        // The second promise (1800.00 by 02-28) is pending until its date, broken after: the
        // payment that came was received on 03-03.
        #expect(try promise("2025-02-10") == "kept 1 broken 0 pending 1800.00 by 2025-02-28")
        #expect(try promise("2025-02-28") == "kept 1 broken 0 pending 1800.00 by 2025-02-28")
        #expect(try promise("2025-03-01") == "kept 1 broken 1 pending none")
        // With --as-of, the as-of date is D, whatever today is.
        let asOf = try t.store.balance("DISP", asOf: Timestamp.endOf(Day(parsing: "2025-02-10")!), today: Day(parsing: "2030-01-01")!)
        #expect(asOf.promises.pending?.amount == 180_000 && asOf.disputed == 120_000)
    }

    /// The balance object's members in the contract's order (the example's, less v1.2's
    /// `refunded`, which this branch does not give).
    @Test func balanceKeysAreInTheExamplesOrder() throws {
        let t = try Self.store()
        let url = Fixtures.examplesDirectory.appendingPathComponent("05-disputes-promises.expected.json")
        let expected = try JSONParser.parseObject(Array(try Data(contentsOf: url)))
        guard case .object(let balances)? = expected["balance"], case .object(let all)? = balances["all"],
            case .object(let want)? = all["DISP"]
        else { Issue.record("no balance.all.DISP"); return }
        var w = JSONWriter()
        try t.store.balance("DISP").json(into: &w)
        let got = try JSONParser.parseObject(w.bytes)
        #expect(got.members.map(\.key) == want.members.map(\.key))
        #expect(w.text.contains(#","dunning_level":0,"disputed":"0.00","promises_kept":1,"promises_broken":1,"promise":null,"refunded":"0.00"}"#))
    }

    @Test func theInvoiceViewShowsItsDispute() throws {
        let t = try Self.store()
        let d1 = try t.store.invoice("D-1")
        #expect(d1.dispute == InvoiceDispute(amount: 120_000, disputed: 0, reason: "damaged goods",
                                             openedAt: Timestamp(parsing: "2025-01-20T09:00:00Z")!, state: .upheld))
        #expect(d1.events.map(\.event.type).contains(.disputeOpened) && d1.events.map(\.event.type).contains(.disputeResolved))
        let open = try t.store.invoice("D-1", asOf: Timestamp.endOf(Day(parsing: "2025-02-10")!))
        #expect(open.dispute?.state == .open && open.dispute?.disputed == 120_000)
        #expect(try t.store.invoice("D-2").dispute == nil)
    }

    @Test func rebuildIsByteIdenticalAndBothVerifiersPass() throws {
        let t = try Self.store()
        // A longer history after the example: more disputes, promises and dunning.
        var lines: [String] = []
        for k in 0..<120 {
            let day = Day(parsing: "2025-04-01")!.adding(days: k)
            let at = "\(day)T10:00:00Z"
            lines.append(#"{"id":"x\#(k)i","type":"invoice.issued","at":"\#(at)","customer":"DISP","invoice":"X-\#(k)","amount":"100.00","issued_on":"\#(day)"}"#)
            if k % 3 == 0 { lines.append(#"{"id":"x\#(k)d","type":"dispute.opened","at":"\#(at)","customer":"DISP","invoice":"X-\#(k)","amount":"40.00","reason":"r\#(k)"}"#) }
            if k % 3 == 0, k >= 6 { lines.append(#"{"id":"x\#(k)r","type":"dispute.resolved","at":"\#(at)","customer":"DISP","invoice":"X-\#(k - 6)","outcome":"\#(k % 2 == 0 ? "upheld" : "rejected")"}"#) }
            if k % 5 == 0 { lines.append(#"{"id":"x\#(k)p","type":"promise.recorded","at":"\#(at)","customer":"DISP","amount":"150.00","promised_on":"\#(day.adding(days: 7))"\#(k % 10 == 0 ? #","invoice":"X-\#(k)""# : "")}"#) }
            if k % 4 == 0 { lines.append(#"{"id":"x\#(k)pay","type":"payment.received","at":"\#(at)","customer":"DISP","payment":"XP-\#(k)","amount":"160.00","received_on":"\#(day)"}"#) }
            if k % 7 == 0 { lines.append(#"{"id":"x\#(k)dun","type":"dunning.action","at":"\#(at)","customer":"DISP","level":\#(1 + k % 4),"channel":"email"}"#) }
            if k % 12 == 0, k >= 8 { lines.append(#"{"id":"x\#(k)rev","type":"payment.reversed","at":"\#(at)","customer":"DISP","payment":"XP-\#(k - 8)"}"#) }
        }
        let (summary, rejected) = try t.ingest(lines.joined(separator: "\n"))
        #expect(rejected.isEmpty, "\(rejected.prefix(3).map(\.rejection))")
        #expect(summary.accepted == lines.count)
        let state = try #require(try t.store.state("DISP"))
        #expect(state.disputes.count > 1 && state.promises.count > 10)
        // The store's state is the in-memory reference's.
        var reference = InMemoryLog()
        _ = try reference.ingest(try String(contentsOf: Fixtures.examplesDirectory.appendingPathComponent("05-disputes-promises.ndjson"), encoding: .utf8))
        _ = try reference.ingest(lines.joined(separator: "\n"))
        var s = state
        var r = try #require(reference.states["DISP"])
        s.checkpointedAtEvent = 0
        r.checkpointedAtEvent = 0
        #expect(s == r)
        // As of every tenth day: the store's as-of state (checkpoints, walks) is the reference's fold.
        for k in stride(from: 0, to: 120, by: 10) {
            let asOf = Timestamp.endOf(Day(parsing: "2025-04-01")!.adding(days: k))
            let stored = try t.store.balance("DISP", asOf: asOf)
            let folded = try #require(try reference.ledger(for: "DISP", asOf: asOf))
            #expect(stored == BalanceReport(folded, on: asOf.utcDay), "as of \(asOf)")
        }
        let before = try IngestTests.projections(t.store)
        _ = try t.store.rebuild()
        #expect(try IngestTests.projections(t.store) == before)
        #expect(try t.store.verify().ok)
        let audit = try t.store.auditVerify()
        #expect(audit.ok, "\(audit.problems)")
    }
}
