import Foundation
import Testing

/// `arlog dunning plan|run` and `arlog daily` as a cron job runs them: run twice the same day,
/// the second appends nothing; letters are written from given templates; a bad template
/// appends nothing.
@Suite struct DunningCLITests {
    static let d = CreditCLITests.day

    /// ACME: A 40 days past due, B 9 days (relative to today, so `daily` without --as-of works).
    static var feed: String {
        """
        {"id":"r1","type":"customer.registered","at":"\(d(-100))T09:00:00Z","customer":"ACME","name":"Acme Ltd","currency":"EUR","terms_days":30,"credit_limit":"10000.00","email":"ap@acme.test"}
        {"id":"i1","type":"invoice.issued","at":"\(d(-90))T09:00:00Z","customer":"ACME","invoice":"A","amount":"1234.56","issued_on":"\(d(-90))","due_on":"\(d(-40))"}
        {"id":"i2","type":"invoice.issued","at":"\(d(-80))T09:00:00Z","customer":"ACME","invoice":"B","amount":"100.00","issued_on":"\(d(-80))","due_on":"\(d(-9))"}

        """
    }

    static func store() throws -> CLIRun {
        let t = try CLIRun()
        let r = try t.arlog(["ingest", try t.file("feed.ndjson", feed)])
        #expect(r.status == 0, "\(r.stderr)")
        return t
    }

    static func eventCount(_ t: CLIRun) throws -> Int {
        let r = try t.arlog(["export"])
        #expect(r.status == 0, "\(r.stderr)")
        return r.stdout.split(separator: "\n").count
    }

    /// The cron job's promise: `daily` twice on the same day appends nothing the second time
    /// (neither the review nor the dunning actions), and says so.
    @Test func dailyTwiceTheSameDayAppendsNothingTheSecondTime() throws {
        let t = try Self.store()
        let letters = t.directory.appendingPathComponent("letters").path
        let first = try t.arlog(["daily", "--format", "json", "--letters", letters])
        #expect(first.status == 0, "\(first.stderr)")
        let o1 = try CreditCLITests.object(first.stdout)
        #expect(o1["appended"] as? Int == 3)  // the review and two dunning.action events
        #expect((o1["review"] as? [String: Any])?["appended"] as? Bool == true)
        #expect((o1["dunning"] as? [String: Any])?["letters"] as? Int == 1)
        let count = try Self.eventCount(t)
        let second = try t.arlog(["daily", "--format", "json", "--letters", letters])
        #expect(second.status == 0, "\(second.stderr)")
        let o2 = try CreditCLITests.object(second.stdout)
        #expect(o2["appended"] as? Int == 0)
        #expect((o2["review"] as? [String: Any])?["appended"] as? Bool == false)
        #expect(((o2["dunning"] as? [String: Any])?["actions"] as? [Any])?.isEmpty == true)
        #expect(try Self.eventCount(t) == count)
        // The table form says so too.
        let table = try t.arlog(["daily"])
        #expect(table.stdout.contains("already logged today") && table.stdout.contains("appended 0 events in all"), "\(table.stdout)")
        // The letter of the first run.
        let files = try FileManager.default.contentsOfDirectory(atPath: letters)
        #expect(files == ["\(Self.d(0))-ACME-L1-email.txt"])
    }

    /// `dunning run` logs what `dunning plan` listed (actor arlog-dunning, deterministic ids),
    /// once; the customer's dunning level follows.
    @Test func runLogsThePlanOnce() throws {
        let t = try Self.store()
        let plan = try t.arlog(["dunning", "plan", "--format", "csv"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("ACME,Acme Ltd,EUR,1,reminder,email,A B,1334.56,40,0.00,"), "\(plan.stdout)")
        let run = try t.arlog(["dunning", "run"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("appended 2 events"), "\(run.stdout)")
        let history = try t.arlog(["history", "ACME", "--format", "json"])
        #expect(history.stdout.contains("dunning.1.A") && history.stdout.contains("arlog-dunning"), "\(history.stdout)")
        let again = try t.arlog(["dunning", "run"])
        #expect(again.stdout.contains("appended 0 events"), "\(again.stdout)")
        let balance = try CreditCLITests.object(try t.arlog(["balance", "ACME", "--format", "json"]).stdout)
        #expect(balance["dunning_level"] as? Int == 1)
    }

    /// --templates: a given template is used; one that does not parse fails the run before
    /// anything is appended, naming the template and the line.
    @Test func templates() throws {
        let t = try Self.store()
        let dir = t.directory.appendingPathComponent("tpl")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "{{% CONTENT_TYPE: TEXT}}Dear {{name}}, {{total_open}} {{currency}}\n{{#invoices}}{{invoice}} {{/invoices}}\n"
            .write(to: dir.appendingPathComponent("level-1-email.mustache"), atomically: false, encoding: .utf8)
        try "{{#invoices}}\n".write(to: dir.appendingPathComponent("level-2.mustache"), atomically: false, encoding: .utf8)
        let letters = t.directory.appendingPathComponent("out").path
        let count = try Self.eventCount(t)
        let bad = try t.arlog(["dunning", "run", "--letters", letters, "--templates", dir.path])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("template level-2: line"), "\(bad.stderr)")
        #expect(try Self.eventCount(t) == count)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("level-2.mustache"))
        let good = try t.arlog(["dunning", "run", "--letters", letters, "--templates", dir.path])
        #expect(good.status == 0, "\(good.stderr)")
        let text = try String(contentsOfFile: letters + "/\(Self.d(0))-ACME-L1-email.txt", encoding: .utf8)
        #expect(text == "Dear Acme Ltd, 1334.56 EUR\nA B \n")
    }

    /// `policy show` prints the ladder; a policy without it (logged before) shows the default.
    @Test func policyShowsTheLadder() throws {
        let t = try Self.store()
        let r = try t.arlog(["policy", "show", "--format", "json"])
        let o = try CreditCLITests.object(r.stdout)
        let levels = try #require((o["dunning"] as? [String: Any])?["levels"] as? [[String: Any]])
        #expect(levels.map { $0["days"] as? Int } == [7, 30, 60, 90])
    }
}
