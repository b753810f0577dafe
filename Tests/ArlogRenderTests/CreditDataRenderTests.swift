import ArlogEngine
import ArlogRender
import Foundation
import Testing

@testable import ArlogDomain

/// Feed v1.3's output (Sources/ArlogRender/CreditData.swift): `arlog fx` and the assessment in
/// force in `arlog grade`.
@Suite struct CreditDataRenderTests {
    static let feed = CreditRenderTests.feed + """
        {"id":"fx1","type":"fx.rate","at":"2025-06-01T18:00:00Z","currency":"USD","base":"EUR","rate":"0.9216","on":"2025-06-02"}
        {"id":"fx2","type":"fx.rate","at":"2025-06-01T18:00:00Z","currency":"JPY","base":"EUR","rate":"0.0061234567","on":"2025-06-01"}
        {"id":"as1","type":"customer.assessed","at":"2025-06-10T10:00:00Z","customer":"GOOD","assessed_on":"2025-06-09","source":"annual-review","bureau_score":81,"bureau_rating":"A+","revenue":"900000.00","total_assets":"400000.00","total_liabilities":"250000.00","current_assets":"150000.00","current_liabilities":"90000.00","equity":"150000.00","operating_cash_flow":"-20000.00","fiscal_year_end":"2024-12-31"}

        """

    static func store() throws -> TempStore {
        let t = try TempStore()
        let (_, rejected) = try t.ingest(feed)
        #expect(rejected.isEmpty, "\(rejected.map(Render.rejectedLine))")
        return t
    }

    @Test func fxTableJSONAndCSV() throws {
        let t = try Self.store()
        let day = Day(parsing: "2025-06-02")!
        let rates = try t.store.fxRates(on: day)
        #expect(Render.fxRates(rates, on: day, format: .table) == """
            currency  base  rate          on          event  at
            --------  ----  ------------  ----------  -----  --------------------
            JPY       EUR   0.0061234567  2025-06-01  fx2    2025-06-01T18:00:00Z
            USD       EUR   0.9216        2025-06-02  fx1    2025-06-01T18:00:00Z

            """)
        #expect(Render.fxRates(rates, on: day, format: .json)
            == #"[{"currency":"JPY","base":"EUR","rate":"0.0061234567","on":"2025-06-01","event":"fx2","at":"2025-06-01T18:00:00Z"},{"currency":"USD","base":"EUR","rate":"0.9216","on":"2025-06-02","event":"fx1","at":"2025-06-01T18:00:00Z"}]"# + "\n")
        #expect(Render.fxRates(rates, on: day, format: .csv).hasPrefix("currency,base,rate,on,event,at\nJPY,EUR,0.0061234567,"))
        let none = try t.store.fxRates(on: Day(parsing: "2025-05-31")!)
        #expect(Render.fxRates(none, on: Day(parsing: "2025-05-31")!, format: .table) == "no exchange rate in force on 2025-05-31\n")
        #expect(Render.fxRates(none, on: Day(parsing: "2025-05-31")!, format: .json) == "[]\n")
    }

    @Test func gradeShowsTheAssessmentInForce() throws {
        let t = try Self.store()
        let report = try t.store.grade("GOOD", asOf: CreditRenderTests.day, today: CreditRenderTests.day)
        let table = Render.grade(report, format: .table)
        #expect(table.contains("\nexternal assessment\n"))
        let lines = CreditRenderTests.lines(table)
        for (key, value) in [("event", "as1"), ("assessed_on", "2025-06-09"), ("age_days", "21"), ("bureau_score", "81"), ("bureau_rating", "A+"),
                             ("current_ratio", "1.67"), ("debt_ratio", "0.63"), ("equity_share", "0.38"), ("operating_cash_flow", "-20000.00")] {
            #expect(lines.contains { $0.hasPrefix(key + " ") && $0.hasSuffix(" " + value) }, "\(key) \(value)\n\(table)")
        }
        let o = try CreditRenderTests.object(try CreditRenderTests.json(Render.grade(report, format: .json)))
        let x = try CreditRenderTests.object(o["external"])
        #expect(x.members.map(\.key) == ["event", "assessed_on", "age_days", "source", "bureau_score", "bureau_rating", "fiscal_year_end"]
            + FinancialFigure.allCases.map(\.key) + ["current_ratio", "debt_ratio", "equity_share"])
        #expect(CreditRenderTests.string(x["revenue"]) == "900000.00")
        #expect(CreditRenderTests.number(x["current_ratio"]) == "1.67")
        #expect(CreditRenderTests.number(x["bureau_score"]) == "81")
        // Before the assessment was logged: none.
        let before = try t.store.grade("GOOD", asOf: Day(parsing: "2025-06-09")!, today: CreditRenderTests.day)
        #expect(Render.grade(before, format: .table).contains("\nexternal assessment: none\n"))
    }
}
