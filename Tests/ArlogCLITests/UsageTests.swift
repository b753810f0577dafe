import Foundation
import Testing

/// What a user hits first: --version, a mistyped command, an empty or impossible id, a store
/// that cannot be used, and the history's recording times.
@Suite struct UsageTests {
    @Test func versionIsPrinted() throws {
        let t = try CLIRun()
        let r = try t.arlog(["--version"], withStore: false)
        #expect(r.status == 0)
        #expect(r.stderr.isEmpty)
        let pattern = #"^\d+\.\d+\.\d+ \(store format \d+, feed contract events-v1\.3\)\n$"#
        #expect(r.stdout.range(of: pattern, options: .regularExpression) != nil, "\(r.stdout)")
    }

    @Test(arguments: [
        (["balnce", "ACME"], "arlog: unknown command 'balnce'; did you mean 'balance'?"),
        (["histroy"], "arlog: unknown command 'histroy'; did you mean 'history'?"),
        (["cust"], "arlog: unknown command 'cust'; did you mean 'customers'?"),
        (["Aging"], "arlog: unknown command 'Aging'; did you mean 'aging'?"),
        (["audit", "hed"], "arlog: unknown command 'audit hed'; did you mean 'audit head'?"),
        (["policy", "sett", "x.json"], "arlog: unknown command 'policy sett'; did you mean 'policy set'?"),
        (["frobnicate"], "arlog: unknown command 'frobnicate'; 'arlog --help' lists the commands"),
        (["audit", "xyzzy"], "arlog: unknown command 'audit xyzzy'; 'arlog audit --help' lists the commands"),
    ])
    func unknownCommandSuggestsTheNearest(_ arguments: [String], _ message: String) throws {
        let t = try CLIRun()
        let r = try t.arlog(arguments, withStore: false)
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr == message + "\n")
    }

    /// Known commands, options first, and `help` are left to ArgumentParser as before.
    @Test func knownCommandsAreNotTakenForUnknownOnes() throws {
        let t = try CLIRun()
        #expect(try t.arlog(["help", "balance"], withStore: false).status == 0)
        #expect(try t.arlog(["audit", "--help"], withStore: false).status == 0)
        let option = try t.arlog(["--bogus"], withStore: false)
        #expect(option.status == 2)
        #expect(!option.stderr.contains("unknown command"))
    }

    /// An id argument that no store can hold is a usage error from validate(), before the
    /// store is opened: exit 2 with the rule, not "key of 0 bytes" or "unknown customer".
    @Test(arguments: [
        (["balance", ""], "customer: the customer id is empty"),
        (["history", "A B"], #"customer: "A B" is not a customer id"#),
        (["grade", String(repeating: "x", count: 65)], "is not a customer id (customer ids are 1–64 characters"),
        (["check", "", "--amount", "1"], "customer: the customer id is empty"),
        (["statement", "", "--from", "2025-01-01", "--to", "2025-01-31"], "customer: the customer id is empty"),
        (["invoice", ""], "invoice: the invoice id is empty"),
        (["invoice", String(repeating: "i", count: 129)], "is not an invoice id (invoice ids are 1–128 characters"),
        (["export", "--customer", ""], "--customer: the customer id is empty"),
        (["alerts", "--customer", "a\u{1B}b"], #"--customer: "a\u001Bb" is not a customer id"#),
        (["limits", "--customer", "ok,"], "--customer: the customer id is empty"),
    ])
    func badIdsAreUsageErrors(_ arguments: [String], _ message: String) throws {
        let t = try CLIRun()
        // No store exists: the argument is refused before arlog looks for one.
        let r = try t.arlog(arguments)
        #expect(r.status == 2)
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(!r.stderr.contains("no arlog store"))
        #expect(r.stderr.contains("Usage: arlog"))
    }

    /// The longest ids the feed allows are accepted (more, never less).
    @Test func longestIdsAreAccepted() throws {
        let t = try InlineFeeds.store()
        #expect(try t.arlog(["balance", String(repeating: "x", count: 64)]).status == 3)
        #expect(try t.arlog(["invoice", String(repeating: "i", count: 128)]).status == 3)
        #expect(try t.arlog(["balance", "a.b_c:d-E9"]).status == 3)
    }

    /// A store LMDB cannot open: what to do first, then the LMDB detail.
    @Test func storageErrorsAdviseFirst() throws {
        let t = try CLIRun()
        let dir = t.directory.appendingPathComponent("broken")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data(repeating: 0x5A, count: 16_384).write(to: dir.appendingPathComponent("data.mdb"))
        let r = try t.arlog(["balance", "ACME", "--store", dir.path], withStore: false)
        #expect(r.status == 2)
        let line = r.stderr
        #expect(line.hasPrefix("arlog: \(dir.path)/data.mdb is not a readable LMDB file: check --store / ARLOG_STORE, or restore the store from a backup [mdb_env_open("), "\(line)")
        #expect(line.hasSuffix("(LMDB code -30793)]\n"), "\(line)")
    }

    /// The history table shows recording times to the second; --precise and the machine
    /// formats keep the microseconds.
    @Test func historyRecordingTimes() throws {
        let t = try InlineFeeds.store()
        let json = try #require(try CLIFixtures.parse(try t.arlog(["history", "ACME", "--format", "json"]).stdout) as? [String: Any])
        let recorded = try #require((json["events"] as? [[String: Any]])?.first?["recorded_at"] as? String)
        let toSecond = String(recorded.prefix(19)) + "Z"
        let table = try t.arlog(["history", "ACME"]).stdout
        let row = try #require(table.split(separator: "\n").dropFirst(2).first.map(String.init))
        #expect(row.contains("  \(toSecond)  "), "\(row)")
        if recorded != toSecond {
            // Microseconds were recorded (all but one run in a million).
            #expect(recorded.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{1,6}Z$"#, options: .regularExpression) != nil)
            #expect(!table.contains(recorded))
            #expect(try t.arlog(["history", "ACME", "--precise"]).stdout.contains("  \(recorded)  "))
            #expect(try t.arlog(["history", "ACME", "--format", "csv"]).stdout.contains(",\(recorded),"))
        }
    }
}
