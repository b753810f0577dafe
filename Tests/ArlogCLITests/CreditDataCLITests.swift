import ArlogDomain
import Foundation
import Testing

/// Feed v1.3 end to end through the built binary: `arlog fx` (default today, --on, formats,
/// usage errors), `arlog grade` with the assessment in force, rejections with their rule codes.
@Suite struct CreditDataCLITests {
    static let feed = creditFixtureFeed() + """
        {"id":"fx1","type":"fx.rate","at":"2025-06-01T18:00:00Z","currency":"USD","base":"EUR","rate":"0.9216","on":"2025-06-02"}
        {"id":"fx2","type":"fx.rate","at":"2025-06-20T18:00:00Z","currency":"USD","base":"EUR","rate":"0.93","on":"2025-06-20"}
        {"id":"as1","type":"customer.assessed","at":"2025-06-10T10:00:00Z","customer":"GOOD","assessed_on":"2025-06-09","source":"bureau:dnb","bureau_score":81,"bureau_rating":"A+"}

        """

    @Test func fxListsTheRatesInForce() throws {
        let run = try CLIRun()
        let ingest = try run.arlog(["ingest", try run.file("feed.ndjson", Self.feed)])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let june = try run.arlog(["fx", "--on", "2025-06-10", "--format", "json"])
        #expect(june.status == 0)
        #expect(june.stdout == #"[{"currency":"USD","base":"EUR","rate":"0.9216","on":"2025-06-02","event":"fx1","at":"2025-06-01T18:00:00Z"}]"# + "\n")
        // Default: today (ARLOG_TODAY in tests).
        let today = try run.arlog(["fx", "--format", "csv"], environment: ["ARLOG_TODAY": "2025-07-01"])
        #expect(today.stdout == "currency,base,rate,on,event,at\nUSD,EUR,0.93,2025-06-20,fx2,2025-06-20T18:00:00Z\n")
        let before = try run.arlog(["fx", "--on", "2025-01-01"])
        #expect(before.status == 0 && before.stdout == "no exchange rate in force on 2025-01-01\n")
        #expect(try run.arlog(["fx", "--on", "2025-02-30"]).status == 2)
        let grade = try run.arlog(["grade", "GOOD", "--as-of", "2025-06-30", "--format", "json"])
        let o = try #require(try CLIFixtures.parse(grade.stdout) as? [String: Any])
        let x = try #require(o["external"] as? [String: Any])
        #expect(x["event"] as? String == "as1" && x["bureau_score"] as? Int == 81 && x["bureau_rating"] as? String == "A+")
        #expect(x["current_ratio"] is NSNull)
        let rejected = try run.arlog(["ingest", try run.file("bad.ndjson", """
            {"id":"x1","type":"fx.rate","at":"2025-06-01T18:00:00Z","customer":"GOOD","currency":"USD","base":"EUR","rate":"1","on":"2025-06-02"}
            {"id":"x2","type":"customer.assessed","at":"2025-06-10T10:00:00Z","customer":"GOOD","assessed_on":"2025-06-09","source":"x","fiscal_year_end":"2024-12-31"}
            """)])
        #expect(rejected.status == 1)
        #expect(rejected.stderr.contains("envelope.customer") && rejected.stderr.contains("assessment.no_data"), "\(rejected.stderr)")
    }
}
