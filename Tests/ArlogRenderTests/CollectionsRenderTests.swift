import ArlogEngine
import ArlogRender
import Testing

@testable import ArlogDomain

/// `open` and `worklist` output (Sources/ArlogRender/Collections.swift) in every format.
@Suite struct CollectionsRenderTests {
    static let feed = """
        {"id":"d1","type":"customer.registered","at":"2025-01-01T09:00:00Z","customer":"DESK","name":"Desk, Tools Ltd","contact":"Ann Lee","email":"ann@desk.example","currency":"EUR","terms_days":30,"credit_limit":"5000.00"}
        {"id":"d2","type":"invoice.issued","at":"2025-01-01T10:00:00Z","customer":"DESK","invoice":"I-1","amount":"1000.00","issued_on":"2025-01-01","installments":[{"due_on":"2025-01-31","amount":"400.00"},{"due_on":"2025-03-02","amount":"600.00"}]}
        {"id":"d3","type":"payment.received","at":"2025-02-10T10:00:00Z","customer":"DESK","payment":"P-1","amount":"400.00","received_on":"2025-02-10"}
        {"id":"k1","type":"customer.registered","at":"2025-01-01T09:00:00Z","customer":"KAIJU","name":"Kaiju KK","currency":"JPY","terms_days":30,"credit_limit":"1000000"}
        {"id":"k2","type":"invoice.issued","at":"2025-01-01T10:00:00Z","customer":"KAIJU","invoice":"K-1","amount":"5000","issued_on":"2025-01-01"}

        """

    static let day = Day(year: 2025, month: 3, day: 10)!

    static func store() throws -> TempStore {
        let t = try TempStore()
        let (_, rejected) = try t.ingest(feed)
        #expect(rejected.isEmpty)
        return t
    }

    @Test func openItemsInEveryFormat() throws {
        let t = try Self.store()
        let r = try t.store.openItems("DESK", asOf: Self.day, today: Self.day, all: true)
        let table = Render.openItems(r, format: .table)
        #expect(table.contains("\nname      Desk, Tools Ltd\n"))
        #expect(table.contains("\nopen               600.00\n"))
        #expect(table.contains("invoice  installment  issued_on   due_on      amount    open  days_overdue  disputed  dunning_level  state\n"))
        #expect(table.contains("\nI-1      1/2          2025-01-01  2025-01-31  400.00    0.00                    0.00                 open\n"))
        #expect(table.contains("\nI-1      2/2          2025-01-01  2025-03-02  600.00  600.00             8      0.00              0  open\n"))

        let csv = Render.openItems(r, format: .csv)
        #expect(csv == """
            customer,name,currency,invoice,installment,issued_on,due_on,amount,open,days_overdue,disputed,dunning_level,state
            DESK,"Desk, Tools Ltd",EUR,I-1,1/2,2025-01-01,2025-01-31,400.00,0.00,,0.00,,open
            DESK,"Desk, Tools Ltd",EUR,I-1,2/2,2025-01-01,2025-03-02,600.00,600.00,8,0.00,0,open

            """)

        let o = try CreditRenderTests.object(try CreditRenderTests.json(Render.openItems(r, format: .json)))
        #expect(o.members.map(\.key) == ["customer", "name", "currency", "as_of", "listed", "open", "overdue", "disputed", "items"])
        #expect(CreditRenderTests.string(o["overdue"]) == "600.00")
        let items = try CreditRenderTests.array(o["items"]).map(CreditRenderTests.object)
        #expect(items.count == 2)
        #expect(items[0].members.map(\.key) == Render.openItemColumns)
        #expect(items[0]["days_overdue"] == .null)
        #expect(CreditRenderTests.number(items[1]["days_overdue"]) == "8")
        #expect(CreditRenderTests.string(items[1]["disputed"]) == "0.00")
    }

    @Test func worklistInEveryFormat() throws {
        let t = try Self.store()
        let r = try t.store.worklist(asOf: Self.day, today: Self.day, collector: "alice",
                                     assignments: CollectorAssignments(fallback: "alice"), limit: 5)
        // ¥5000 ranks before 600.00 EUR: face values, no FX (documented).
        #expect(r.entries.map(\.customer) == ["KAIJU", "DESK"])
        let table = Render.worklist(r, format: .table)
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines[0].split(separator: " ").map(String.init) == Render.worklistColumns)
        #expect(lines[3].hasPrefix("   2  DESK      Desk, Tools Ltd  Ann Lee  ann@desk.example  alice      EUR "))
        #expect(lines[3].hasSuffix("  600.00 EUR overdue, oldest 8 days, grade \(r.entries[1].facts.grade.letter) (score \(r.entries[1].facts.score))"))

        let csv = Render.worklist(r, format: .csv).split(separator: "\n").map(String.init)
        #expect(csv[0] == Render.worklistColumns.joined(separator: ","))
        #expect(csv[2].hasPrefix("2,DESK,\"Desk, Tools Ltd\",Ann Lee,ann@desk.example,alice,EUR,"))

        let o = try CreditRenderTests.object(try CreditRenderTests.json(Render.worklist(r, format: .json)))
        #expect(CreditRenderTests.string(o["as_of"]) == "2025-03-10")
        #expect(CreditRenderTests.string(o["collector"]) == "alice")
        #expect(CreditRenderTests.number(o["listed"]) == "2")
        let calls = try CreditRenderTests.array(o["calls"]).map(CreditRenderTests.object)
        #expect(calls[1].members.map(\.key) == Render.worklistColumns + ["reasons"])
        #expect(CreditRenderTests.string(calls[1]["contact"]) == "Ann Lee")
        let reasons = try CreditRenderTests.array(calls[1]["reasons"]).map(CreditRenderTests.object)
        #expect(reasons.map { CreditRenderTests.string($0["reason"]) } == ["overdue"])
        // KAIJU has no contact or email: null, empty cells.
        #expect(calls[0]["contact"] == .null)
        #expect(csv[1].hasPrefix("1,KAIJU,Kaiju KK,,,alice,JPY,"))
    }
}
