import ArlogTestSupport
import Foundation
import Testing

/// `arlog portfolio` end to end on the worked example of docs/analytics.md: the three formats,
/// a monthly series, --by, and the usage errors.
@Suite struct PortfolioCLITests {
    static func run() throws -> CLIRun {
        let run = try CLIRun()
        let ingest = try run.arlog(["ingest", try run.file("feed.ndjson", PortfolioExample.feed)])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        return run
    }

    @Test func csvAndJSON() throws {
        let t = try Self.run()
        let csv = try t.arlog(["portfolio", "--as-of", "2025-03-31", "--format", "csv"])
        #expect(csv.status == 0, "\(csv.stderr)")
        let lines = csv.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0] == "day,currency,customers,open,overdue,current,unapplied,dso,dso_floor,best_dso,add,period_from,beginning_receivables,period_sales,cei,avg_days_late,grade_a,grade_b,grade_c,grade_d,grade_e,written_off_period,written_off_total")
        #expect(lines[1].hasPrefix("2025-03-31,EUR,3,7000.00,3000.00,4000.00,300.00,69.33,false,31.0,38.33,2025-03-01,4000.00,4000.00,25.0,8.33,"))
        #expect(lines[1].hasSuffix(",500.00,500.00"))
        #expect(lines[2].hasPrefix("2025-03-31,USD,1,100.00,0.00,100.00,0.00,31.0,false,31.0,0.0,2025-03-01,0.00,100.00,,,"))

        let json = try t.arlog(["portfolio", "--as-of", "2025-03-31", "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let doc = try #require(try CLIFixtures.parse(json.stdout) as? [String: Any])
        #expect(doc["from"] as? String == "2025-03-31" && doc["by"] as? String == "currency" && doc["cei_months"] as? Int == 1)
        let groups = try #require(doc["groups"] as? [[String: Any]])
        #expect(groups.count == 2)
        #expect(groups[0]["open"] as? String == "7000.00")
        #expect((groups[0]["dso"] as? NSNumber)?.doubleValue == 69.33)
        #expect((groups[0]["cei"] as? NSNumber)?.doubleValue == 25)
        #expect(groups[1]["cei"] is NSNull)
        let debtors = try #require(groups[0]["top_debtors"] as? [[String: Any]])
        #expect(debtors.map { $0["customer"] as? String } == ["A", "B", "C"])
        #expect(debtors[0]["name"] as? String == "Alpha" && debtors[0]["oldest_overdue"] as? String == "2025-03-17")
        #expect((debtors[0]["utilisation"] as? NSNumber)?.doubleValue == 45)
        #expect(debtors[1]["utilisation"] is NSNull)
        #expect(doc["unconverted"] as? [Any] != nil)
    }

    @Test func tableMonthlyAndGroups() throws {
        let t = try Self.run()
        let table = try t.arlog(["portfolio", "--as-of", "2025-03-31"])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.hasPrefix("portfolio as of 2025-03-31 (CEI and written off over the month to date)\n\n"))
        #expect(table.stdout.contains("\ntop debtors, EUR\n"))
        #expect(table.stdout.contains("\ntop debtors, USD\n"))

        let monthly = try t.arlog(["portfolio", "--monthly", "2025-01", "2025-03", "--format", "csv"])
        #expect(monthly.status == 0, "\(monthly.stderr)")
        let rows = monthly.stdout.split(separator: "\n").dropFirst().map(String.init)
        #expect(rows.map { String($0.prefix(14)) } == ["2025-01-31,EUR", "2025-02-28,EUR", "2025-03-31,EUR", "2025-03-31,USD"])
        #expect(rows[1].hasPrefix("2025-02-28,EUR,2,4000.00,2000.00,2000.00,0.00,48.67,false,"))
        #expect(rows[1].contains(",33.33,"))

        let industry = try t.arlog(["portfolio", "--as-of", "2025-03-31", "--by", "industry", "--format", "csv"])
        #expect(industry.stdout.split(separator: "\n").map { String($0.prefix(28)) }
            == ["day,currency,industry,custom", "2025-03-31,EUR,(none),1,0.00", "2025-03-31,EUR,retail,2,7000", "2025-03-31,USD,energy,1,100."])
        let grades = try t.arlog(["portfolio", "--as-of", "2025-03-31", "--by", "grade", "--format", "json"])
        #expect(grades.status == 0)

        // The CEI over the quarter: January 1 to March 31 (B = 0, S = 9000, E = 7000, C = 4000:
        // 2000 ÷ 5000 = 40 %).
        let quarter = try t.arlog(["portfolio", "--as-of", "2025-03-31", "--cei-months", "3", "--format", "csv"])
        #expect(quarter.stdout.contains("\n2025-03-31,EUR,3,7000.00,3000.00,4000.00,300.00,69.33,false,31.0,38.33,2025-01-01,0.00,9000.00,40.0,"))
    }

    @Test func usageErrors() throws {
        let t = try Self.run()
        for arguments in [
            ["--monthly", "2025-01"], ["--monthly", "2025-03", "2025-01"], ["--monthly", "2025-1", "2025-03"],
            ["--monthly", "2025-01", "2025-03", "--as-of", "2025-03-31"], ["--by", "region"], ["--cei-months", "0"],
            ["--cei-months", "13"], ["--monthly", "2000-01", "2025-01"],
        ] {
            let r = try t.arlog(["portfolio"] + arguments)
            #expect(r.status == 2, "\(arguments): \(r.stdout)")
        }
    }
}
