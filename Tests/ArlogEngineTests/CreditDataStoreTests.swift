import ArlogDomain
import Foundation
import Testing

@testable import ArlogEngine

/// Feed v1.3 in the store: the assessment in force (now and as of a date, through checkpoints
/// and rebuild), the rates in force read from the log, a rate regrading nobody, verify and
/// audit verify over v1.3 records, export giving the bytes back.
struct CreditDataStoreTests {
    static let feed = """
        {"id":"r1","type":"customer.registered","at":"2025-01-01T09:00:00Z","customer":"ACME","name":"Acme","currency":"USD","terms_days":30,"credit_limit":"5000.00"}
        {"id":"r2","type":"customer.registered","at":"2025-01-01T09:00:00Z","customer":"YEN","name":"Yen Co","currency":"JPY","terms_days":30,"credit_limit":"500000"}
        {"id":"i1","type":"invoice.issued","at":"2025-01-02T09:00:00Z","customer":"ACME","invoice":"I1","amount":"1000.00","issued_on":"2025-01-02"}
        {"id":"fx1","type":"fx.rate","at":"2025-01-31T18:00:00Z","currency":"USD","base":"EUR","rate":"0.9216","on":"2025-02-01"}
        {"id":"a1","type":"customer.assessed","at":"2025-02-01T10:00:00Z","customer":"ACME","assessed_on":"2025-01-31","source":"bureau:dnb","bureau_score":72,"bureau_rating":"3A2"}
        {"id":"fx2","type":"fx.rate","at":"2025-02-10T18:00:00Z","currency":"JPY","base":"EUR","rate":"0.0061234567","on":"2025-02-10","note":"ECB"}
        {"id":"a2","type":"customer.assessed","at":"2025-03-01T10:00:00Z","customer":"ACME","assessed_on":"2025-02-28","source":"annual-review","revenue":"120000.00","total_assets":"80000.00","total_liabilities":"50000.00","current_assets":"30000.00","current_liabilities":"20000.00","equity":"30000.00","operating_cash_flow":"-1500.50","fiscal_year_end":"2024-12-31","currency":"EUR"}
        {"id":"a3","type":"customer.assessed","at":"2025-03-05T10:00:00Z","customer":"ACME","assessed_on":"2025-01-15","source":"bureau:old","bureau_score":10}
        {"id":"fx3","type":"fx.rate","at":"2025-03-02T18:00:00Z","currency":"USD","base":"EUR","rate":"0.93","on":"2025-02-01"}
        {"id":"p1","type":"payment.received","at":"2025-03-10T09:00:00Z","customer":"ACME","payment":"P1","amount":"400.00","received_on":"2025-03-10"}
        {"id":"fx4","type":"fx.rate","at":"2025-03-20T18:00:00Z","currency":"USD","base":"EUR","rate":"0.95","on":"2025-04-01"}
        """

    static func store() throws -> TempStore {
        let t = try TempStore()
        let (summary, rejected) = try t.ingest(feed)
        #expect(rejected.isEmpty, "\(rejected)")
        #expect(summary.accepted == 11)
        return t
    }

    @Test func ratesInForceFromTheLog() throws {
        let t = try Self.store()
        let usd = Currency(code: "USD")!
        let eur = Currency(code: "EUR")!
        func on(_ d: String) throws -> [String] { try t.store.fxRates(on: Day(parsing: d)!).map { "\($0.id) \($0.currency)/\($0.base) \($0.rate) \($0.on)" } }
        #expect(try on("2025-01-31") == [])
        // fx3 (same `on`, later in the log) replaces fx1; fx4 is published in advance.
        #expect(try on("2025-03-25") == ["fx2 JPY/EUR 0.0061234567 2025-02-10", "fx3 USD/EUR 0.93 2025-02-01"])
        #expect(try on("2025-04-01") == ["fx2 JPY/EUR 0.0061234567 2025-02-10", "fx4 USD/EUR 0.95 2025-04-01"])
        #expect(try t.store.fxRate(currency: usd, base: eur, on: Day(parsing: "2025-02-15")!)?.id == "fx3")
        #expect(try t.store.fxRate(currency: eur, base: usd, on: Day(parsing: "2025-02-15")!) == nil)  // no inverse
        // Known at: before fx3 was logged, fx1 was the rate for February.
        #expect(try t.store.fxRate(currency: usd, base: eur, on: Day(parsing: "2025-02-15")!, knownAt: .seq(8))?.id == "fx1")
        #expect(try t.store.fxRateTable().entries.first?.note == nil)
        #expect(try t.store.fxRateTable().entries[1].note == "ECB")
        // The reference agrees.
        var log = InMemoryLog()
        try log.ingest(Self.feed)
        for d in ["2025-01-31", "2025-02-01", "2025-02-12", "2025-03-31", "2025-04-01"] {
            #expect(try t.store.fxRates(on: Day(parsing: d)!) == log.fxRates.rates(on: Day(parsing: d)!))
        }
    }

    @Test func assessmentInForceInGrade() throws {
        let t = try Self.store()
        let today = Day(parsing: "2025-03-31")!
        let now = try #require(try t.store.grade("ACME", today: today).external)
        // a2 (assessed 2025-02-28) is in force; a3, older, logged later, does not replace it.
        #expect(now.id == "a2")
        #expect(now.source == "annual-review")
        #expect(now.bureauScore == nil && now.bureauRating == nil)
        #expect(now.figures[.operatingCashFlow] == -150_050)
        #expect(now.ageDays == 31)
        #expect(now.currentRatio?.description == "1.50")
        #expect(now.debtRatio?.description == "0.63")  // 0.625 away from zero
        #expect(now.equityShare?.description == "0.38")  // 0.375
        // As of dates: only events with `at` ≤ D.
        #expect(try t.store.grade("ACME", asOf: Day(parsing: "2025-01-31")!, today: today).external == nil)
        let feb = try #require(try t.store.grade("ACME", asOf: Day(parsing: "2025-02-15")!, today: today).external)
        #expect(feb.id == "a1" && feb.bureauScore == 72 && feb.bureauRating == "3A2" && feb.ageDays == 15)
        #expect(try t.store.grade("YEN", today: today).external == nil)
    }

    @Test func ratesRegradeNobodyAndTheStoreVerifies() throws {
        let t = try Self.store()
        let grades = try t.store.env.read { txn in
            var causes: [String] = []
            try txn.scan(t.store.grades, from: nil) { _, v in
                let c = try Store.decoding(t.store.grades, "grade", v, RiskCodec.decodeGradeChange)
                causes.append(c.cause.eventID)
                return true
            }
            return causes
        }
        #expect(!grades.contains { $0.hasPrefix("fx") }, "\(grades)")
        #expect(try t.store.verify().ok)
        #expect(try t.store.auditVerify().ok)
        // A rebuild writes the same projections, byte for byte.
        let before = try t.derivedRecords()
        _ = try t.store.rebuild(indexes: true)
        #expect(try t.derivedRecords() == before)
        // Export gives the bytes back as received.
        var out: [UInt8] = []
        try t.store.export { out.append(contentsOf: $0) }
        #expect(String(decoding: out, as: UTF8.self) == Self.feed + "\n")
    }

    @Test func rejectionsInTheStore() throws {
        let t = try Self.store()
        let (_, rejected) = try t.ingest("""
            {"id":"x1","type":"fx.rate","at":"2025-03-01T00:00:00Z","customer":"ACME","currency":"USD","base":"EUR","rate":"1","on":"2025-03-01"}
            {"id":"x2","type":"customer.assessed","at":"2025-03-01T00:00:00Z","customer":"YEN","assessed_on":"2025-03-01","source":"x","revenue":"1.5","fiscal_year_end":"2024-12-31"}
            {"id":"x3","type":"customer.assessed","at":"2025-03-01T00:00:00Z","customer":"ACME","assessed_on":"2025-03-02","source":"x","bureau_score":5}
            {"id":"x4","type":"customer.assessed","at":"2025-03-01T00:00:00Z","customer":"NOBODY","assessed_on":"2025-03-01","source":"x","bureau_score":5}
            """)
        #expect(rejected.map(\.rejection.rule) == [.customer, .moneyPrecision, .assessedAfterAt, .unregistered])
    }
}
