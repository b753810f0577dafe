import Foundation
import Testing

/// Feed v1.1 through the binary: promises judged on today (`ARLOG_TODAY`) or the as-of date,
/// the aging `disputed` column in every format, and the invoice view's dispute.
struct DisputesCLITests {
    static func run() throws -> CLIRun {
        let t = try CLIRun()
        #expect(try t.arlog(["ingest", CLIFixtures.feed("05-disputes-promises")]).status == 0)
        return t
    }

    @Test func balanceJudgesPromisesOnTodayOrTheAsOfDate() throws {
        let t = try Self.run()
        let today = try t.arlog(["balance", "DISP", "--format", "json"], environment: ["ARLOG_TODAY": "2025-02-10"])
        #expect(today.status == 0, "\(today.stderr)")
        #expect(today.stdout.contains(#""promises_kept":1,"promises_broken":0,"promise":{"amount":"1800.00","promised_on":"2025-02-28","invoice":null},"refunded":"0.00"}"#), "\(today.stdout)")
        let later = try t.arlog(["balance", "DISP", "--format", "json"], environment: ["ARLOG_TODAY": "2025-03-01"])
        #expect(later.stdout.contains(#""promises_kept":1,"promises_broken":1,"promise":null,"refunded":"0.00"}"#), "\(later.stdout)")
        let asOf = try t.arlog(["balance", "DISP", "--as-of", "2025-01-26", "--format", "json"], environment: ["ARLOG_TODAY": "2025-03-01"])
        #expect(asOf.stdout.contains(#""disputed":"1200.00","promises_kept":0,"promises_broken":0,"promise":{"amount":"1000.00","promised_on":"2025-02-05","invoice":"D-2"},"refunded":"0.00"}"#), "\(asOf.stdout)")
        let table = try t.arlog(["balance", "DISP", "--as-of", "2025-01-26"])
        #expect(table.stdout.contains("promise          1000.00 by 2025-02-05 (D-2)\n"), "\(table.stdout)")
    }

    @Test func agingHasADisputedColumn() throws {
        let t = try Self.run()
        let csv = try t.arlog(["aging", "--as-of", "2025-02-10", "--format", "csv"])
        #expect(csv.stdout == "customer,name,currency,current,1-30,31-60,61-90,91+,unapplied,disputed,total\nDISP,Dispute Partners SA,EUR,0.00,3000.00,0.00,0.00,0.00,0.00,1200.00,3000.00\nTOTAL,,EUR,0.00,3000.00,0.00,0.00,0.00,0.00,1200.00,3000.00\n", "\(csv.stdout)")
        let table = try t.arlog(["aging", "--as-of", "2025-02-10"])
        #expect(table.stdout.hasPrefix("customer  name                 currency  current     1-30  31-60  61-90   91+  unapplied  disputed    total\n"), "\(table.stdout)")
    }

    @Test func theInvoiceViewShowsItsDispute() throws {
        let t = try Self.run()
        let json = try t.arlog(["invoice", "D-1", "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        #expect(json.stdout.contains(#""disputed":"0.00","dispute_amount":"1200.00","dispute_reason":"damaged goods","dispute_opened_at":"2025-01-20T09:00:00Z","dispute_state":"upheld""#), "\(json.stdout)")
        let asOf = try t.arlog(["invoice", "D-1", "--as-of", "2025-02-10"])
        let lines = asOf.stdout.split(separator: "\n")
        #expect(lines.contains("dispute_state      open"), "\(asOf.stdout)")
        #expect(lines.contains { $0.hasPrefix("disputed ") && $0.hasSuffix(" 1200.00") }, "\(asOf.stdout)")
        let never = try t.arlog(["invoice", "D-2", "--format", "json"])
        #expect(never.stdout.contains(#""disputed":"0.00","dispute_amount":null,"dispute_reason":null"#), "\(never.stdout)")
    }
}

/// `arlog contact`: a `collection.contact` event; figures and the dunning level unchanged.
struct ContactCLITests {
    @Test func contactLogsAnEventAndChangesNoFigure() throws {
        let t = try DisputesCLITests.run()
        let before = try t.arlog(["balance", "DISP", "--format", "json"])
        let r = try t.arlog(["contact", "DISP", "--outcome", "promised", "--channel", "phone", "--invoice", "D-1",
                             "--note", "pays Friday", "--at", "2025-03-11T09:00:00Z", "--actor", "collector-7", "--id", "c1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "collection.contact c1 at 2025-03-11T09:00:00Z: logged; DISP promised; 0 alerts raised\n", "\(r.stdout)")
        #expect(try t.arlog(["balance", "DISP", "--format", "json"]).stdout == before.stdout)
        // The same event again is a duplicate.
        let again = try t.arlog(["contact", "DISP", "--outcome", "promised", "--channel", "phone", "--invoice", "D-1",
                                 "--note", "pays Friday", "--at", "2025-03-11T09:00:00Z", "--actor", "collector-7", "--id", "c1"])
        #expect(again.status == 0 && again.stdout.contains("already logged"), "\(again.stdout)")
        let history = try t.arlog(["history", "DISP", "--format", "csv"])
        #expect(history.stdout.contains("collection.contact"), "\(history.stdout)")
        #expect(try t.arlog(["contact", "DISP", "--outcome", "gone"]).status == 2)
        #expect(try t.arlog(["contact", "DISP", "--outcome", "reached", "--channel", "fax"]).status == 2)
        let unknown = try t.arlog(["contact", "NOBODY", "--outcome", "reached"])
        #expect(unknown.status == 2 && unknown.stderr.contains("customer.unregistered"), "\(unknown.stderr)")
    }
}
