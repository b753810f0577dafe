import Testing

@testable import ArlogDomain

struct AgingTests {
    @Test(arguments: [
        (-5, 0), (0, 0), (1, 1), (2, 1), (30, 1), (31, 2), (60, 2), (61, 3), (90, 3), (91, 4), (10_000, 4),
    ])
    func defaultBucketEdges(_ days: Int, _ bucket: Int) {
        #expect(Aging.bucket(daysPastDue: days, edges: Aging.defaultEdges) == bucket)
    }

    @Test(arguments: [(0, 0), (1, 1), (15, 1), (16, 2), (45, 2), (46, 3), (400, 3)])
    func customBucketEdges(_ days: Int, _ bucket: Int) {
        #expect(Aging.bucket(daysPastDue: days, edges: [15, 45]) == bucket)
    }

    @Test func names() {
        #expect(Aging.defaultEdges == [30, 60, 90])
        #expect(Aging.names(edges: Aging.defaultEdges) == ["current", "1-30", "31-60", "61-90", "91+"])
        #expect(Aging.names(edges: [15, 45]) == ["current", "1-15", "16-45", "46+"])
        #expect(Aging.names(edges: [1, 2]) == ["current", "1-1", "2-2", "3+"])
        #expect(Aging.names(edges: []) == ["current", "1+"])
        #expect(Aging.bucket(daysPastDue: 1, edges: []) == 1)
        #expect(Aging.bucket(daysPastDue: 0, edges: []) == 0)
    }

    /// One installment at each edge, with amounts 1, 2, 4, … so that every bucket sum names its
    /// installments.
    func edgeBook() -> Book {
        var b = Book()
        b.register(on: "2024-01-01")
        let asOf = Day(parsing: "2025-06-30")!
        for (i, days) in [-1, 0, 1, 30, 31, 60, 61, 90, 91].enumerated() {
            let due = asOf.adding(days: -days).description
            b.invoice("I\(i)", "\(1 << i).00", issued: "2024-01-01", due: due, at: noon("2024-01-01"))
        }
        return b
    }

    @Test func bucketsThroughTheLedger() throws {
        let b = edgeBook()
        let report = b.aging(asOf: "2025-06-30")
        #expect(report.bucketNames == ["current", "1-30", "31-60", "61-90", "91+"])
        let row = try #require(report.customers.first)
        // current: -1, 0 → 1 + 2; 1-30: 1, 30 → 4 + 8; 31-60: 16 + 32; 61-90: 64 + 128; 91+: 256.
        #expect(row.buckets == [300, 1200, 4800, 19200, 25600])
        #expect(row.unapplied == 0)
        #expect(row.total == 51100)
        let f = agingFigures(report, row)
        #expect(f["customer"] == "C")
        #expect(f["currency"] == "EUR")
        #expect(f["current"] == "3.00")
        #expect(f["91+"] == "256.00")
        #expect(f["total"] == "511.00")
        let custom = b.aging(asOf: "2025-06-30", edges: [15, 45])
        #expect(custom.bucketNames == ["current", "1-15", "16-45", "46+"])
        // 1-15: 1 → 4; 16-45: 30, 31 → 8 + 16; 46+: the rest.
        #expect(custom.customers.first?.buckets == [300, 400, 2400, 48000])
        #expect(custom.customers.first.map { agingFigures(custom, $0) }?["16-45"] == "24.00")
    }

    @Test func installmentsAgeSeparately() throws {
        var b = Book()
        b.register()
        b.invoice("I1", "90.00", issued: "2025-01-01", installments: [("2025-01-31", "30.00"), ("2025-03-02", "30.00"), ("2025-04-01", "30.00")])
        b.pay("P1", "10.00", received: "2025-02-01")
        let row = try #require(b.aging(asOf: "2025-04-01").customers.first)
        // 60, 30 and 0 days past due; the payment took 10.00 of the oldest.
        #expect(row.buckets == [3000, 3000, 2000, 0, 0])
    }

    @Test func leftOutWhenNothingOpenAndNoUnapplied() throws {
        var b = Book()
        b.register("A")  // never invoiced
        b.register("B")  // paid up
        b.invoice("BI", "10.00", customer: "B")
        b.pay("BP", "10.00", received: "2025-01-02", customer: "B")
        b.register("C")  // only unapplied credit
        b.pay("CP", "5.00", received: "2025-01-02", customer: "C")
        b.register("D")  // written off and voided
        b.invoice("DI", "10.00", customer: "D")
        b.invoice("DJ", "10.00", customer: "D")
        b.writeOff("DI", on: "2025-01-02", customer: "D")
        b.void("DJ", on: "2025-01-02", customer: "D")
        b.register("E", on: "2025-02-01")  // registered after the as-of date, with unapplied credit
        b.pay("EP", "5.00", received: "2025-02-02", customer: "E")
        let report = b.aging(asOf: "2025-01-31")
        #expect(report.customers.map(\.customer) == ["C"])
        let row = try #require(report.customers.first)
        #expect(row.buckets == [0, 0, 0, 0, 0])
        #expect(row.unapplied == 500)
        #expect(row.total == -500)
        #expect(agingFigures(report, row)["total"] == "-5.00")
        #expect(b.aging(asOf: "2025-02-02").customers.map(\.customer) == ["C", "E"])
    }

    @Test func totalsPerCurrencySortedByCode() throws {
        var b = Book()
        b.register("z1", currency: "EUR")
        b.register("Y2", currency: "JPY")
        b.register("a3", currency: "EUR")
        b.register("B4", currency: "BHD")
        b.register("c5", currency: "USD")
        b.invoice("I1", "10.00", issued: "2025-01-01", due: "2025-01-10", customer: "z1")
        b.invoice("I2", "1000", issued: "2025-01-01", due: "2025-03-01", customer: "Y2")
        b.invoice("I3", "5.50", issued: "2025-01-01", due: "2025-02-20", customer: "a3")
        b.pay("P3", "7.00", received: "2025-01-02", customer: "a3", at: noon("2025-01-02"))
        b.invoice("I4", "1.125", issued: "2025-01-01", due: "2025-01-01", customer: "B4")
        let report = b.aging(asOf: "2025-02-28")
        // Customers in byte order (upper case first).
        #expect(report.customers.map(\.customer) == ["B4", "Y2", "a3", "z1"])
        let totals = report.totals
        #expect(totals.map(\.currency.code) == ["BHD", "EUR", "JPY"])
        #expect(totals.allSatisfy { $0.customer == nil })
        let eur = try #require(totals.first { $0.currency.code == "EUR" })
        // z1: 10.00 49 days past due; a3: 5.50 paid with 7.00 → 1.50 unapplied.
        #expect(eur.buckets == [0, 0, 1000, 0, 0])
        #expect(eur.unapplied == 150)
        #expect(eur.total == 850)
        let bhd = try #require(totals.first)
        #expect(agingFigures(report, bhd)["31-60"] == "1.125")
        #expect(agingFigures(report, bhd)["total"] == "1.125")
        #expect(agingFigures(report, bhd)["customer"] == nil)
        let jpy = try #require(totals.last)
        #expect(agingFigures(report, jpy)["current"] == "1000")
    }

    @Test func agingJSON() throws {
        var b = Book()
        b.register("K", currency: "JPY")
        b.invoice("I1", "125000", issued: "2025-01-01", due: "2025-01-20", customer: "K")
        b.pay("P1", "5000", received: "2025-01-02", customer: "K", at: noon("2025-01-02"))
        var w = JSONWriter()
        b.aging(asOf: "2025-02-04", edges: [15, 45]).json(into: &w)
        #expect(w.text == #"{"as_of":"2025-02-04","buckets":["current","1-15","16-45","46+"],"customers":[{"customer":"K","currency":"JPY","current":"0","1-15":"120000","16-45":"0","46+":"0","unapplied":"0","disputed":"0","total":"120000"}],"totals":[{"currency":"JPY","current":"0","1-15":"120000","16-45":"0","46+":"0","unapplied":"0","disputed":"0","total":"120000"}]}"#)
        var empty = JSONWriter()
        AgingReport(asOf: Day(parsing: "2025-01-01")!, edges: Aging.defaultEdges).json(into: &empty)
        #expect(empty.text == #"{"as_of":"2025-01-01","buckets":["current","1-30","31-60","61-90","91+"],"customers":[],"totals":[]}"#)
    }
}
