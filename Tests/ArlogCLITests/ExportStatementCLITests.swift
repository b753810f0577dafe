import Foundation
import Testing

/// `arlog export` and `arlog statement` through the built binary.
@Suite struct ExportStatementCLITests {
    func ingestedExamples() throws -> CLIRun {
        let run = try CLIRun()
        for name in CLIFixtures.names {
            let r = try run.arlog(["ingest", CLIFixtures.feed(name)])
            #expect(r.status == 0, "\(r.stderr)")
        }
        return run
    }

    @Test func exportGivesBackTheFeedsAndRoundTrips() throws {
        let run = try ingestedExamples()
        let all = try CLIFixtures.names.flatMap { try CLIFixtures.lines($0) }
        let export = try run.arlog(["export"])
        #expect(export.status == 0)
        #expect(export.stdout == all.joined(separator: "\n") + "\n")
        let ranged = try run.arlog(["export", "--from", "2", "--to", "3"])
        #expect(ranged.stdout == all[1...2].joined(separator: "\n") + "\n")
        let acme = try run.arlog(["export", "--customer", "ACME"])
        #expect(acme.stdout == all.filter { $0.contains("\"customer\":\"ACME\"") }.joined(separator: "\n") + "\n")

        let path = try run.file("export.ndjson", export.stdout)
        let copy = try CLIRun()
        #expect(try copy.arlog(["ingest", path]).status == 0)
        #expect(try copy.arlog(["audit", "head"]).stdout == run.arlog(["audit", "head"]).stdout)
        #expect(try copy.arlog(["export"]).stdout == export.stdout)

        #expect(try run.arlog(["export", "--customer", "NOBODY"]).status == 3)
        #expect(try run.arlog(["export", "--from", "0"]).status == 2)
        #expect(try run.arlog(["export", "--from", "5", "--to", "4"]).status == 2)
    }

    @Test func statementClosingEqualsBalanceAsOf() throws {
        let run = try ingestedExamples()
        for customer in ["ACME", "BOLT", "KAIJU", "PEARL"] {
            let r = try run.arlog(["statement", customer, "--from", "2025-01-01", "--to", "2025-06-30", "--format", "json"])
            #expect(r.status == 0, "\(r.stderr)")
            let s = try #require(try CLIFixtures.parse(r.stdout) as? [String: Any])
            let b = try run.arlog(["balance", customer, "--as-of", "2025-06-30", "--format", "json"])
            let balance = try #require(try CLIFixtures.parse(b.stdout) as? [String: Any])
            #expect(s["closing_balance"] as? String == balance["balance"] as? String, "\(customer)")
            #expect(s["currency"] as? String == balance["currency"] as? String)
            let lines = try #require(s["lines"] as? [[String: Any]])
            for l in lines { #expect(Set(l.keys) == ["date", "type", "reference", "description", "amount", "balance"]) }
            #expect(s["aging"] is [String: Any])
            let csv = try run.arlog(["statement", customer, "--from", "2025-01-01", "--to", "2025-06-30", "--format", "csv"])
            let rows = csv.stdout.split(separator: "\n")
            #expect(rows.first == "date,type,reference,description,amount,balance")
            #expect(rows.count == lines.count + 3)
            let table = try run.arlog(["statement", customer, "--from", "2025-01-01", "--to", "2025-06-30"])
            #expect(table.status == 0)
            #expect(table.stdout.contains("aging as of 2025-06-30"))
        }
        // PEARL registers on 2025-03-01 (UTC): not yet a customer by the end of February.
        #expect(try run.arlog(["statement", "PEARL", "--from", "2025-01-01", "--to", "2025-02-28"]).status == 3)
        #expect(try run.arlog(["statement", "NOBODY", "--from", "2025-01-01", "--to", "2025-02-28"]).status == 3)
        #expect(try run.arlog(["statement", "ACME", "--from", "2025-03-01", "--to", "2025-02-28"]).status == 2)
        #expect(try run.arlog(["statement", "ACME", "--from", "2025-02-30", "--to", "2025-03-01"]).status == 2)
    }
}
