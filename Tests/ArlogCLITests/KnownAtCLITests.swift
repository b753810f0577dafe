import Foundation
import Testing

/// `--known-at` on the query commands and `history --changes`, end to end.
@Suite struct KnownAtCLITests {
    /// A store holding spec feed 03 in two ingests: j1–j5, then j6 (PEARL's payment received in
    /// April, keyed in late) and j7. Returns the run.
    static func twoIngests() throws -> CLIRun {
        let t = try CLIRun()
        let lines = try CLIFixtures.lines("03-currencies-asof")
        let first = try t.arlog(["ingest", try t.file("part1.ndjson", lines[0..<5].joined(separator: "\n") + "\n")])
        #expect(first.status == 0, "\(first.stderr)")
        let second = try t.arlog(["ingest", try t.file("part2.ndjson", lines[5...].joined(separator: "\n") + "\n")])
        #expect(second.status == 0, "\(second.stderr)")
        return t
    }

    static func balance(_ t: CLIRun, _ arguments: [String]) throws -> String? {
        let r = try t.arlog(["balance", "PEARL", "--as-of", "2025-04-30", "--format", "json"] + arguments)
        #expect(r.status == 0, "\(r.stderr)")
        return (try CLIFixtures.parse(r.stdout) as? [String: Any])?["balance"] as? String
    }

    @Test func knownAtBySeqTimestampAndDate() throws {
        let t = try Self.twoIngests()
        #expect(try Self.balance(t, []) == "200.125")
        #expect(try Self.balance(t, ["--known-at", "5"]) == "1200.125")
        #expect(try Self.balance(t, ["--known-at", "7"]) == "200.125")
        #expect(try Self.balance(t, ["--known-at", "2999-12-31"]) == "200.125")

        // The recording time of seq 5, as history shows it, names the same point.
        let history = try t.arlog(["history", "PEARL", "--format", "json"])
        let events = try #require((try CLIFixtures.parse(history.stdout) as? [String: Any])?["events"] as? [[String: Any]])
        let recorded = try #require(events.first { $0["seq"] as? Int == 5 }?["recorded_at"] as? String)
        #expect(try Self.balance(t, ["--known-at", recorded]) == "1200.125")

        // Before anything was recorded, PEARL is unknown.
        let none = try t.arlog(["balance", "PEARL", "--known-at", "2000-01-01"])
        #expect(none.status == 3, "\(none.stderr)")

        // The other queries take it too.
        for command in [["aging"], ["customers"], ["stats"], ["invoice", "P-1"], ["history", "PEARL"]] {
            let r = try t.arlog(command + ["--known-at", "5", "--as-of", "2025-04-30"])
            #expect(r.status == 0, "\(command): \(r.stderr)")
        }
        let stats = try t.arlog(["stats", "--known-at", "5", "--format", "json"])
        #expect((try CLIFixtures.parse(stats.stdout) as? [String: Any])?["events"] as? Int == 5)
        let payments = try t.arlog(["invoice", "P-1", "--known-at", "5", "--format", "json"])
        #expect(((try CLIFixtures.parse(payments.stdout) as? [String: Any])?["payments"] as? [Any])?.isEmpty == true)
    }

    @Test(arguments: ["abc", "0", "-1", "2025-13-01", "2025-04-05T25:00:00Z", ""])
    func badKnownAtIsAUsageError(_ value: String) throws {
        let t = try Self.twoIngests()
        let r = try t.arlog(["balance", "PEARL", "--known-at", value])
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("--known-at"), "\(r.stderr)")
    }

    @Test func helpShowsAnExample() throws {
        let t = try CLIRun()
        let r = try t.arlog(["balance", "--help"], withStore: false)
        #expect(r.status == 0)
        #expect(r.stdout.contains("--known-at"))
        #expect(r.stdout.contains("--as-of 2025-03-31 --known-at 2025-04-05"))
    }

    @Test func historyChangesAddsColumns() throws {
        let t = try Self.twoIngests()
        let plain = try t.arlog(["history", "PEARL", "--format", "csv"])
        #expect(plain.stdout.split(separator: "\n").first == "seq,at,recorded_at,type,id,amount,balance_after,dunning_level_after,actor,note")
        let csv = try t.arlog(["history", "PEARL", "--format", "csv", "--changes"])
        #expect(csv.status == 0, "\(csv.stderr)")
        let lines = csv.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "seq,at,recorded_at,type,id,amount,balance_after,dunning_level_after,d_open,d_unapplied,d_balance,d_overdue,d_dunning,actor,note")
        // j6: PP-1 pays 1000.000 of P-1 (due 2025-04-01, so overdue on 2025-04-20).
        let j6 = try #require(lines.first { $0.contains(",j6,") })
        #expect(j6.contains(",-1000.000,0.000,-1000.000,-1000.000,0,"), "\(j6)")

        let json = try t.arlog(["history", "PEARL", "--format", "json", "--changes"])
        let events = try #require((try CLIFixtures.parse(json.stdout) as? [String: Any])?["events"] as? [[String: Any]])
        #expect(events.allSatisfy { ["d_open", "d_unapplied", "d_balance", "d_overdue", "d_dunning"].allSatisfy($0.keys.contains) })
        #expect(events.map { $0["d_balance"] as? String } == ["0.000", "1200.125", "300.000", "-1000.000"])

        let table = try t.arlog(["history", "PEARL", "--changes", "--known-at", "4"])
        #expect(table.status == 0)
        #expect(table.stdout.contains("d_overdue"))
        #expect(!table.stdout.contains("j6"))
    }
}
