import ArlogDomain
import ArlogRender
import Foundation
import Testing

@testable import ArlogEngine

/// The command-line output formats (Sources/ArlogRender), checked without a process.
@Suite struct RenderTests {
    // MARK: tables

    @Test func tableAlignsTextLeftAndNumbersRight() {
        let text = Render.table(
            header: ["customer", "amount", "note"],
            rows: [
                [TableCell("A"), TableCell("5.00", alignRight: true), TableCell("x")],
                [TableCell("LONGNAME"), TableCell("12345.00", alignRight: true), TableCell("")],
            ])
        #expect(
            text == """
                customer    amount  note
                --------  --------  ----
                A             5.00  x
                LONGNAME  12345.00

                """)
    }

    @Test func tableLinesHaveNoTrailingSpaces() {
        let text = Render.table(
            header: ["a", "b"],
            rows: [[TableCell("1"), TableCell("short")], [TableCell("2"), TableCell("a much longer cell")], [TableCell("3"), TableCell("")]],
            footer: [[TableCell("T"), TableCell("x")]])
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            #expect(line.last != " ", "trailing space in \(line)")
        }
        // header, rule, three rows, rule, footer
        #expect(text.split(separator: "\n").count == 7)
    }

    @Test func tableHeaderOfANumericColumnAlignsRight() {
        let text = Render.table(header: ["n", "total"], rows: [[TableCell("1", alignRight: true), TableCell("100.00", alignRight: true)]])
        #expect(text.hasPrefix("n   total\n-  ------\n1  100.00\n"))
    }

    @Test func tableCellsStayOnOneLine() {
        let text = Render.table(header: ["note"], rows: [[TableCell("two\nlines\tand a tab")]])
        #expect(text == "note\n-----------------------------\ntwo\\u000Alines\\u0009and a tab\n")
    }

    /// Control characters from a feed (a name, a note, an actor) never reach a terminal raw:
    /// C0 controls, DEL and C1 controls become `\uXXXX`; everything else, backslashes and
    /// non-ASCII letters included, is kept.
    @Test func controlCharactersAreMadeVisible() {
        #expect(Render.visible("plain é \\ text") == "plain é \\ text")
        #expect(Render.visible("\u{1B}[31mred\u{1B}[0m") == "\\u001B[31mred\\u001B[0m")
        #expect(Render.visible("a\rb\tc\u{0}d\u{7F}e\u{9B}f") == "a\\u000Db\\u0009c\\u0000d\\u007Fe\\u009Bf")
        #expect(Render.visible("\u{A0}") == "\u{A0}")  // no-break space: printable
        let table = Render.table(header: ["name"], rows: [[TableCell("\u{1B}[2J\u{0}")]])
        #expect(!table.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        #expect(table.contains("\\u001B[2J\\u0000"))
    }

    @Test func emptyTableIsHeaderAndRule() {
        #expect(Render.table(header: ["customer", "balance"], rows: []) == "customer  balance\n--------  -------\n")
    }

    // MARK: CSV

    @Test func csvQuotesOnlyWhatRFC4180Requires() {
        #expect(Render.csvField("plain text") == "plain text")
        #expect(Render.csvField("") == "")
        #expect(Render.csvField("a,b") == "\"a,b\"")
        #expect(Render.csvField("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(Render.csvLine(["a", "b,c", "d\"e"]) == "a,\"b,c\",\"d\"\"e\"\n")
    }

    /// A record is one line whatever the data: CR, LF, tab, NUL, ESC, DEL, C1 as `\uXXXX`
    /// (quoted only when a comma or quote needs it).
    @Test func csvEscapesControlCharacters() {
        #expect(Render.csvField("two\nlines") == "two\\u000Alines")
        #expect(Render.csvField("cr\rhere") == "cr\\u000Dhere")
        #expect(Render.csvField("\u{1B}[31mred, really\u{0}") == "\"\\u001B[31mred, really\\u0000\"")
        #expect(Render.csvField("tab\tdel\u{7F}csi\u{9B}") == "tab\\u0009del\\u007Fcsi\\u009B")
        let line = Render.csvLine(["a\nb", "c\r\nd"])
        #expect(line == "a\\u000Ab,c\\u000D\\u000Ad\n")
    }

    /// A text cell a spreadsheet would evaluate gets a `'` in front; numbers, dates and ids
    /// (whose alphabet cannot spell a formula) are left alone, so money stays parseable.
    @Test(arguments: [
        ("=1+1", "'=1+1"), ("+31 20 555", "'+31 20 555"), ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("-2+3", "'-2+3"), ("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""),
        ("-999.50", "-999.50"), ("-5000", "-5000"), ("-", "-"), ("-A.1:b_2", "-A.1:b_2"), ("2025-06-30", "2025-06-30"),
        ("a=b", "a=b"), ("", ""),
    ])
    func csvGuardsAgainstFormulas(_ field: String, _ written: String) {
        #expect(Render.csvField(field) == written)
    }

    @Test func csvOfRecordsHasHeaderAndRows() {
        let records = [
            RenderRecord([("customer", .text("Ann, Ltd")), ("balance", .money(-150)), ("late", nil)], digits: 2),
            RenderRecord([("customer", .text("B")), ("balance", .money(7)), ("late", .hundredths(250))], digits: 2),
        ]
        let csv = Render.records(records, columns: ["customer", "balance", "late"], format: .csv)
        #expect(csv == "customer,balance,late\n\"Ann, Ltd\",-1.50,\nB,0.07,2.5\n")
        let json = Render.records(records, columns: ["customer", "balance", "late"], format: .json)
        #expect(json == "[{\"customer\":\"Ann, Ltd\",\"balance\":\"-1.50\",\"late\":null},{\"customer\":\"B\",\"balance\":\"0.07\",\"late\":2.5}]\n")
    }

    // MARK: money digits

    @Test func balanceUsesTheCurrencyDigits() throws {
        let t = try Self.store(["03-currencies-asof"])
        let jpy = try t.store.balance("KAIJU")
        let bhd = try t.store.balance("PEARL")

        let jpyTable = Render.balance(jpy, format: .table)
        #expect(jpyTable.contains("\ncredit_limit     1000000\n"))
        #expect(jpyTable.contains("\nbalance            -5000\n"))
        let bhdCSV = Render.balance(bhd, format: .csv)
        let lines = bhdCSV.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0] == "customer,currency,open,unapplied,balance,credit_limit,available,over_limit,invoiced,credited,paid,written_off,voided,avg_days_late,dunning_level,disputed,promises_kept,promises_broken,promise,refunded")
        #expect(lines[1] == "PEARL,BHD,500.125,0.000,500.125,2500.000,1999.875,false,1500.125,0.000,1000.000,0.000,0.000,19.0,0,0.000,0,0,,0.000")

        let object = try Self.object(Render.balance(bhd, format: .json))
        #expect(object["open"] as? String == "500.125")
        #expect(object["credit_limit"] as? String == "2500.000")
        let jpyObject = try Self.object(Render.balance(jpy, format: .json))
        #expect(jpyObject["unapplied"] as? String == "5000")
        #expect(jpyObject["available"] as? String == "1005000")
    }

    @Test func balanceJSONIsTheContractObjectOnOneLine() throws {
        let t = try Self.store(["01-installments-fifo"])
        let text = Render.balance(try t.store.balance("ACME"), format: .json)
        #expect(text.hasSuffix("}\n"))
        #expect(text.dropLast().contains("\n") == false)
        #expect(
            text
                == "{\"customer\":\"ACME\",\"currency\":\"CNY\",\"open\":\"0.00\",\"unapplied\":\"999.50\",\"balance\":\"-999.50\",\"credit_limit\":\"20000.00\",\"available\":\"20999.50\",\"over_limit\":false,\"invoiced\":\"10500.50\",\"credited\":\"500.00\",\"paid\":\"11000.00\",\"written_off\":\"0.00\",\"voided\":\"0.00\",\"avg_days_late\":2.3,\"dunning_level\":0,\"disputed\":\"0.00\",\"promises_kept\":0,\"promises_broken\":0,\"promise\":null,\"refunded\":\"0.00\"}\n"
        )
    }

    // MARK: aging

    @Test func agingTableEndsWithOneTotalRowPerCurrency() throws {
        let t = try Self.store(["01-installments-fifo", "02-reversal-dunning", "03-currencies-asof"])
        let report = try t.store.aging(asOf: Day(parsing: "2025-06-30")!, today: Day(parsing: "2025-06-30")!)
        let names = try t.store.names(report.customers.compactMap(\.customer))
        let text = Render.aging(report, format: .table, names: names)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0] == "customer  name          currency  current     1-30  31-60    61-90      91+  unapplied  disputed    total")
        #expect(lines[1] == "--------  ------------  --------  -------  -------  -----  -------  -------  ---------  --------  -------")
        #expect(lines[1] == lines[lines.count - 5])
        // Customers in byte order, each with its name, then a rule, then the totals sorted by currency code.
        #expect(lines.dropFirst(2).prefix(4).map { String($0.prefix(22)) } == ["ACME      Acme Trading", "BOLT      Bolt GmbH   ", "KAIJU     Kaiju KK    ", "PEARL     Pearl WLL   "])
        #expect(
            Array(lines.suffix(4)) == [
                "TOTAL                   BHD         0.000  300.000  0.000  200.125    0.000      0.000     0.000  500.125",
                "TOTAL                   CNY          0.00     0.00   0.00     0.00     0.00     999.50      0.00  -999.50",
                "TOTAL                   EUR          0.00     0.00   0.00     0.00  4000.00       0.00      0.00  4000.00",
                "TOTAL                   JPY             0        0      0        0        0       5000         0    -5000",
            ])
        for line in lines { #expect(line.last != " ") }
        // Without names (a caller that did not read them) the column is there, empty.
        #expect(Render.aging(report, format: .table).hasPrefix("customer  name  currency"))
    }

    @Test func agingCSVAppendsTotalsAsCustomerTOTAL() throws {
        let t = try Self.store(["03-currencies-asof"])
        let report = try t.store.aging(asOf: Day(parsing: "2025-06-30")!, today: Day(parsing: "2025-06-30")!, edges: [45])
        let csv = Render.aging(report, format: .csv, names: ["Kaiju KK", "Pearl, WLL"])
        #expect(
            csv == """
                customer,name,currency,current,1-45,46+,unapplied,disputed,total
                KAIJU,Kaiju KK,JPY,0,0,0,5000,0,-5000
                PEARL,"Pearl, WLL",BHD,0.000,300.000,200.125,0.000,0.000,500.125
                TOTAL,,BHD,0.000,300.000,200.125,0.000,0.000,500.125
                TOTAL,,JPY,0,0,0,5000,0,-5000

                """)
    }

    @Test func agingJSONMatchesTheContractShape() throws {
        let t = try Self.store(["03-currencies-asof"])
        let day = Day(parsing: "2025-05-31")!
        let object = try Self.object(Render.aging(try t.store.aging(asOf: day, today: day), format: .json))
        #expect(object["as_of"] as? String == "2025-05-31")
        #expect(object["buckets"] as? [String] == ["current", "1-30", "31-60", "61-90", "91+"])
        let customers = try #require(object["customers"] as? [[String: Any]])
        #expect(customers.map { $0["customer"] as? String } == ["KAIJU", "PEARL"])
        #expect(Set(customers[0].keys) == ["customer", "currency", "current", "1-30", "31-60", "61-90", "91+", "unapplied", "disputed", "total"])
        let totals = try #require(object["totals"] as? [[String: Any]])
        #expect(totals.map { $0["currency"] as? String } == ["BHD", "JPY"])
        #expect(totals.allSatisfy { $0["customer"] == nil })
    }

    // MARK: the other reports

    @Test func customersJSONIsAnArrayOfRows() throws {
        let t = try Self.store(["01-installments-fifo", "02-reversal-dunning", "03-currencies-asof"])
        let day = Day(parsing: "2025-06-30")!
        let rows = try t.store.customers(CustomerFilter(), asOf: day, today: day)
        let array = try #require(try JSONSerialization.jsonObject(with: Data(Render.customers(rows, format: .json).utf8)) as? [[String: Any]])
        #expect(array.map { $0["customer"] as? String } == ["ACME", "BOLT", "KAIJU", "PEARL"])
        for object in array { #expect(Set(object.keys) == Set(Render.customerColumns)) }
        let bolt = array[1]
        #expect(bolt["name"] as? String == "Bolt GmbH")
        #expect(bolt["overdue"] as? String == "4000.00")
        #expect(bolt["oldest_overdue"] as? String == "2025-01-17")
        #expect(bolt["days_past_due"] as? Int == 164)
        #expect(bolt["dunning_level"] as? Int == 2)
        #expect(bolt["avg_days_late"] is NSNull)
        #expect(array[0]["oldest_overdue"] is NSNull)
        let table = Render.customers(rows, format: .table)
        #expect(table.split(separator: "\n").first?.split(separator: " ").map(String.init) == Render.customerColumns)
        #expect(Render.customers([], format: .json) == "[]\n")
    }

    @Test func historyJSONHasCustomerCurrencyAndEvents() throws {
        let t = try Self.store(["02-reversal-dunning"])
        let (currency, entries) = try t.store.history("BOLT")
        let object = try Self.object(Render.history(customer: "BOLT", currency: currency, entries: entries, format: .json))
        #expect(object["customer"] as? String == "BOLT")
        #expect(object["currency"] as? String == "EUR")
        let events = try #require(object["events"] as? [[String: Any]])
        #expect(events.count == 9)
        for e in events { #expect(Set(e.keys) == Set(Render.historyColumns)) }
        #expect(events[0]["type"] as? String == "customer.registered")
        #expect(events[0]["at"] as? String == "2025-01-02T09:00:00Z")
        #expect(events[4]["amount"] as? String == "6000.00")
        #expect(events[4]["balance_after"] as? String == "0.00")
        // A reversal moves the payment back: a negative amount.
        #expect(events[5]["amount"] as? String == "-6000.00")
        // A write-off without "amount" wrote off everything open on B-2.
        #expect(events[7]["amount"] as? String == "2000.00")
        // A limit change shows the limit it set (here 0: no more credit), as docs/cli.md says.
        #expect(events[8]["amount"] as? String == "0.00")
        #expect(events[8]["type"] as? String == "credit_limit.changed")
        #expect(events[5]["note"] as? String == "cheque returned unpaid")
        #expect(events[5]["balance_after"] as? String == "6000.00")
        #expect(events[3]["actor"] as? String == "collector-7")
        #expect(events[3]["dunning_level_after"] as? Int == 1)
        let csv = Render.history(customer: "BOLT", currency: currency, entries: entries, format: .csv)
        #expect(csv.split(separator: "\n").count == 10)
    }

    @Test func recordedAtIsRFC3339UTC() {
        #expect(Render.recordedAt(0) == "1970-01-01T00:00:00Z")
        #expect(Render.recordedAt(1_740_000_000_123_456) == "2025-02-19T21:20:00.123456Z")
        #expect(Render.recordedAt(-1) == "1969-12-31T23:59:59.999999Z")
    }

    @Test func invoiceJSONHasTheHeaderAndThreeSections() throws {
        let t = try Self.store(["01-installments-fifo"])
        let detail = try t.store.invoice("INV-1")
        let object = try Self.object(Render.invoice(detail, format: .json))
        for key in ["invoice", "customer", "currency", "issued_on", "amount", "open", "voided", "credited", "written_off", "paid"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["amount"] as? String == "9000.00")
        #expect(object["credited"] as? String == "500.00")
        #expect(object["status"] as? String == "settled")
        let installments = try #require(object["installments"] as? [[String: Any]])
        #expect(installments.map { $0["n"] as? Int } == [1, 2, 3])
        #expect(installments[0]["due_on"] as? String == "2025-02-04")
        let payments = try #require(object["payments"] as? [[String: Any]])
        #expect(payments.first?["payment"] as? String == "PAY-1")
        #expect(payments.first?["installment"] as? Int == 1)
        #expect(payments.first?["days_late"] as? Int == 6)
        let events = try #require(object["events"] as? [[String: Any]])
        #expect(events.map { $0["id"] as? String } == ["e2", "e4", "e5", "e6"])
        let table = Render.invoice(detail, format: .table)
        #expect(table.contains("\ninstallments\nn  due_on       amount  open\n"))
        #expect(table.contains("\npayments applied\n"))
        #expect(table.contains("\nevents\n"))
    }

    @Test func statsJSONAndTable() throws {
        let t = try Self.store(["01-installments-fifo", "03-currencies-asof"])
        let day = Day(parsing: "2025-06-30")!
        let stats = try t.store.stats(asOf: day, today: day)
        let object = try Self.object(Render.stats(stats, format: .json))
        #expect(object["as_of"] as? String == "2025-06-30")
        #expect(object["customers"] as? Int == 3)
        #expect(object["events"] as? Int == 13)
        let currencies = try #require(object["currencies"] as? [[String: Any]])
        #expect(currencies.map { $0["currency"] as? String } == ["BHD", "CNY", "JPY"])
        #expect(currencies[0]["open"] as? String == "500.125")
        #expect(currencies[2]["balance"] as? String == "-5000")
        for c in currencies { #expect(Set(c.keys) == Set(Render.statsCurrencyColumns)) }
        let table = Render.stats(stats, format: .table)
        #expect(table.hasPrefix("field       value\n----------  ----------\nas_of       2025-06-30\ncustomers            3\n"))
        #expect(table.hasSuffix("\nJPY               1        0       5000    -5000        0           40.0\n"))
    }

    // MARK: ingest, rebuild, verify

    @Test func ingestMessages() {
        var s = IngestSummary()
        s.lines = 10
        s.accepted = 7
        s.duplicates = 1
        s.rejected = 2
        s.seconds = 0.5
        #expect(Render.ingestSummary(s) == "accepted 7, duplicates 1, rejected 2, lines 10 in 0.50s (16 events/s)")
        let line = RejectedLine(
            source: "feed.ndjson", line: 3, id: nil, rejection: Rejection(.json, "invalid JSON at byte 1"),
            raw: Array("nope, \"x\"".utf8), rolledBack: false)
        #expect(Render.rejectedLine(line) == "feed.ndjson:3: event -: json.syntax: invalid JSON at byte 1")
        var w = JSONWriter()
        Render.rejectRecord(line, into: &w)
        #expect(w.text == "{\"source\":\"feed.ndjson\",\"line\":3,\"id\":null,\"rule\":\"json.syntax\",\"message\":\"invalid JSON at byte 1\",\"raw\":\"nope, \\\"x\\\"\"}\n")
        let named = RejectedLine(
            source: "<stdin>", line: 12, id: "e9", rejection: Rejection(.unregistered, "no such customer"), raw: [], rolledBack: false)
        #expect(Render.rejectedLine(named) == "<stdin>:12: event e9: customer.unregistered: no such customer")
    }

    @Test func fixedPointFormatting() {
        #expect(Render.fixed(0, digits: 2) == "0.00")
        #expect(Render.fixed(12.345678, digits: 2) == "12.35")
        #expect(Render.fixed(3.04, digits: 2) == "3.04")
        #expect(Render.rate(2499.5) == "2500")
        #expect(Render.rate(.infinity) == "0")
    }

    @Test func verifyReport() {
        var ok = VerifyReport()
        ok.events = 22
        ok.customers = 4
        #expect(Render.verify(ok) == "OK: 22 events, 4 customers\n")
        var bad = ok
        bad.problem("customer X: stored projection differs from the log")
        #expect(Render.verify(bad) == "problem: customer X: stored projection differs from the log\nFAILED: 1 problem in 22 events, 4 customers\n")
    }

    // MARK: helpers

    static func store(_ examples: [String]) throws -> TempStore {
        let t = try TempStore()
        for name in examples {
            let (summary, rejected) = try t.ingest(file: Fixtures.examplesDirectory.appendingPathComponent("\(name).ndjson").path)
            #expect(rejected.isEmpty && summary.rejected == 0)
        }
        return t
    }

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }
}

/// CSV of the commands whose tables have several sections: one row shape each.
struct SectionedCSVTests {
    @Test func invoiceCSVIsOneRowPerInstallment() throws {
        let t = try RenderTests.store(["01-installments-fifo"])
        let csv = Render.invoice(try t.store.invoice("INV-1"), format: .csv)
        let lines = csv.split(separator: "\n").map(String.init)
        #expect(lines.first == "invoice,customer,currency,n,due_on,amount,open,paid")
        #expect(lines.dropFirst().map { $0 } == [
            "INV-1,ACME,CNY,1,2025-02-04,3000.00,0.00,3000.00",
            "INV-1,ACME,CNY,2,2025-03-06,3000.00,0.00,2500.00",
            "INV-1,ACME,CNY,3,2025-04-05,3000.00,0.00,3000.00",
        ])
    }

    @Test func statsCSVIsOneRowPerCurrency() throws {
        let t = try RenderTests.store(["03-currencies-asof"])
        let day = Day(year: 2025, month: 4, day: 30)!
        let csv = Render.stats(try t.store.stats(asOf: day, today: day), format: .csv)
        let lines = csv.split(separator: "\n").map(String.init)
        #expect(lines.first == "as_of,currency,customers,open,unapplied,balance,overdue,avg_days_late")
        #expect(lines.count == 3)
        #expect(lines[1].hasPrefix("2025-04-30,BHD,1,200.125,0.000,200.125,200.125,19.0"))
        #expect(lines[2].hasPrefix("2025-04-30,JPY,1,125000,0,125000,0,"))
    }
}
