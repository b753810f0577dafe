import Foundation
import Testing

/// The collector's commands end to end: `open` and its alias `invoices`, `customers
/// --search`, `worklist` with and without a collector assignment file.
@Suite struct CollectorCLITests {
    static let feed = """
        {"id":"d1","type":"customer.registered","at":"2025-01-01T09:00:00Z","customer":"EU-DESK","name":"Desk Tools Ltd","contact":"Ann Lee","email":"ann@desk.example","currency":"EUR","terms_days":30,"credit_limit":"5000.00"}
        {"id":"d2","type":"invoice.issued","at":"2025-01-01T10:00:00Z","customer":"EU-DESK","invoice":"I-1","amount":"1000.00","issued_on":"2025-01-01"}
        {"id":"m1","type":"customer.registered","at":"2025-01-01T09:00:00Z","customer":"US-MULL","name":"Bäckerei Müller","currency":"EUR","terms_days":30,"credit_limit":"5000.00"}
        {"id":"m2","type":"invoice.issued","at":"2025-01-03T10:00:00Z","customer":"US-MULL","invoice":"M-1","amount":"2000.00","issued_on":"2025-01-03"}
        {"id":"m3","type":"payment.received","at":"2025-01-04T10:00:00Z","customer":"US-MULL","payment":"P-1","amount":"2000.00","received_on":"2025-01-04"}
        {"id":"m4","type":"invoice.issued","at":"2025-02-03T10:00:00Z","customer":"US-MULL","invoice":"M-2","amount":"300.00","issued_on":"2025-02-03"}

        """

    static func run() throws -> CLIRun {
        let run = try CLIRun()
        let ingest = try run.arlog(["ingest", try run.file("feed.ndjson", feed)])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        return run
    }

    @Test func openAndItsAliasInvoices() throws {
        let t = try Self.run()
        let open = try t.arlog(["open", "US-MULL", "--as-of", "2025-03-10"])
        #expect(open.status == 0, "\(open.stderr)")
        #expect(open.stdout.contains("\nname      Bäckerei Müller\n"))
        #expect(open.stdout.contains("\nM-2      1/1          2025-02-03  2025-03-05  300.00  300.00             5      0.00              0  open\n"))
        #expect(!open.stdout.contains("M-1 "))
        #expect(try t.arlog(["invoices", "US-MULL", "--as-of", "2025-03-10"]).stdout == open.stdout)
        let all = try t.arlog(["invoices", "US-MULL", "--as-of", "2025-03-10", "--all", "--format", "csv"])
        #expect(all.stdout.contains("\nUS-MULL,Bäckerei Müller,EUR,M-1,1/1,2025-01-03,2025-02-02,2000.00,0.00,,0.00,,paid\n"))
        #expect(try t.arlog(["open", "NOBODY"]).status == 3)
        #expect(try t.arlog(["open", "bad id"]).status == 2)
    }

    @Test func customersSearch() throws {
        let t = try Self.run()
        let r = try t.arlog(["customers", "--search", "MÜLLER", "--format", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").count == 2)
        #expect(r.stdout.contains("\nUS-MULL,Bäckerei Müller,EUR,"))
        #expect(try t.arlog(["customers", "--search", "eu-"]).stdout.contains("\nEU-DESK "))
        #expect(try t.arlog(["customers", "--search", ""]).status == 2)
    }

    @Test func worklistWithCollectors() throws {
        let t = try Self.run()
        let all = try t.arlog(["worklist", "--as-of", "2025-03-10", "--format", "csv"])
        #expect(all.status == 0, "\(all.stderr)")
        let lines = all.stdout.split(separator: "\n").map(String.init)
        // EU-DESK 1000.00 38 days late before US-MULL 300.00 5 days late.
        #expect(lines.count == 3)
        #expect(lines[1].hasPrefix("1,EU-DESK,Desk Tools Ltd,Ann Lee,ann@desk.example,,EUR,"))
        #expect(lines[2].hasPrefix("2,US-MULL,Bäckerei Müller,,,,EUR,"))

        let file = try t.file("collectors.json", #"{"collectors": {"alice": {"prefixes": ["EU-"]}, "bob": {"customers": ["US-MULL"]}}}"#)
        let alice = try t.arlog(["worklist", "--as-of", "2025-03-10", "--collector", "alice", "--assignments", file, "--format", "csv"])
        #expect(alice.status == 0, "\(alice.stderr)")
        #expect(alice.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[1] } == ["EU-DESK"])
        #expect(alice.stdout.contains(",alice,EUR,"))
        // The file from the environment.
        let bob = try t.arlog(["worklist", "--as-of", "2025-03-10", "--collector", "bob", "--format", "json"], environment: ["ARLOG_COLLECTORS": file])
        let o = try #require(try CLIFixtures.parse(bob.stdout) as? [String: Any])
        #expect(o["collector"] as? String == "bob")
        #expect((o["calls"] as? [[String: Any]])?.map { $0["customer"] as? String } == ["US-MULL"])
        // A collector the file does not name: a note, an empty list.
        let carol = try t.arlog(["worklist", "--collector", "carol", "--assignments", file])
        #expect(carol.status == 0)
        #expect(carol.stderr.contains("names no collector \"carol\" (it names alice, bob)"))

        // No assignment file, a bad one, a missing one: usage errors naming what.
        let none = try t.arlog(["worklist", "--collector", "alice"])
        #expect(none.status == 2)
        #expect(none.stderr.contains("no assignment file"))
        let bad = try t.file("bad.json", #"{"collectors": {"alice": {"prefixes": ["EU-"]}, "bob": {"prefixes": ["EU-"]}}}"#)
        let refused = try t.arlog(["worklist", "--collector", "alice", "--assignments", bad])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("bad.json: invalid collector assignments: prefix \"EU-\" is assigned to both \"alice\" and \"bob\""))
        #expect(try t.arlog(["worklist", "--assignments", t.directory.appendingPathComponent("missing.json").path]).status == 2)
        #expect(try t.arlog(["worklist", "--limit", "0"]).status == 2)
        #expect(try t.arlog(["worklist", "--collector", "a b"]).status == 2)
        let limited = try t.arlog(["worklist", "--as-of", "2025-03-10", "--limit", "1", "--format", "csv"])
        #expect(limited.stdout.split(separator: "\n").count == 2)
    }
}
