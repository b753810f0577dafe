import ArlogDomain
import ArlogEngine
import Foundation
import Testing

@testable import ArlogRender

/// Dunning output: the plan in each format, letters from the built-in and the shipped
/// templates, and what a template sees.
struct DunningRenderTests {
    static let feed = """
        {"id":"r1","type":"customer.registered","at":"2026-01-01T09:00:00Z","customer":"ACME","name":"Acme Ltd","currency":"EUR","terms_days":30,"credit_limit":"10000.00","email":"ap@acme.test","contact":"Jane Roe"}
        {"id":"i1","type":"invoice.issued","at":"2026-01-02T09:00:00Z","customer":"ACME","invoice":"A","amount":"1234.56","issued_on":"2026-01-02","due_on":"2026-01-20"}
        {"id":"i2","type":"invoice.issued","at":"2026-01-03T09:00:00Z","customer":"ACME","invoice":"B","amount":"100.00","issued_on":"2026-01-03","due_on":"2026-02-20"}

        """

    static func plan() throws -> (TempStore, DunningPlan) {
        let t = try TempStore()
        try t.ingest(feed)
        let day = Day(parsing: "2026-03-01")!
        return (t, try t.store.dunningPlan(asOf: day, today: day))
    }

    @Test func planFormats() throws {
        let (_, p) = try Self.plan()
        let table = Render.dunningPlan(p, format: .table)
        #expect(table.contains("Acme Ltd") && table.contains("A B") && table.contains("1334.56") && table.contains("1 action, 2 invoices"))
        let csv = Render.dunningPlan(p, format: .csv).split(separator: "\n")
        #expect(csv.first == Substring(Render.dunningColumns.joined(separator: ",")))
        #expect(csv.count == 2)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(Render.dunningPlan(p, format: .json).utf8)) as? [String: Any])
        #expect(json["as_of"] as? String == "2026-03-01")
        let actions = try #require(json["actions"] as? [[String: Any]])
        #expect(actions.count == 1 && actions[0]["level"] as? Int == 1 && actions[0]["channel"] as? String == "email")
        let invoices = try #require(actions[0]["invoices"] as? [[String: Any]])
        #expect(invoices.map { $0["event_id"] as? String } == ["dunning.1.A", "dunning.1.B"])
        #expect(invoices.map { $0["days_overdue"] as? Int } == [40, 9])
    }

    /// The level-1 e-mail from the built-in templates: customer, invoices, amounts, days.
    @Test func builtInLetter() throws {
        let (_, p) = try Self.plan()
        let letters = try DunningLetters()
        let a = try #require(p.actions.first)
        #expect(letters.templateName(for: a) == "level-1-email")
        let text = letters.render(a, date: p.asOf)
        #expect(text.hasPrefix("To: ap@acme.test\nSubject: Payment reminder: 1334.56 EUR past due\n"))
        #expect(text.contains("  A  due 2026-01-20  1234.56 EUR (40 days)\n  B  due 2026-02-20  100.00 EUR (9 days)\n"))
        #expect(!text.contains("late fee"))
        #expect(DunningLetters.fileName(a, date: p.asOf) == "2026-03-01-ACME-L1-email.txt")
    }

    /// A given template replaces the built-in one of its name; names fall back from
    /// level-L-CHANNEL to level-L to default; text templates are not HTML-escaped.
    @Test func givenTemplatesAndFallback() throws {
        let (_, p) = try Self.plan()
        let a = try #require(p.actions.first)
        let letters = try DunningLetters(["level-1": "{{% CONTENT_TYPE: TEXT}}{{name}} & co owe {{total_due}} {{currency}} ({{#invoices}}{{invoice}} {{/invoices}})"])
        // level-1-email (built in) is more specific than the given level-1.
        #expect(letters.templateName(for: a) == "level-1-email")
        let only = try DunningLetters(["level-1-email": "{{% CONTENT_TYPE: TEXT}}{{name}} & co owe {{total_due}} {{currency}} ({{#invoices}}{{invoice}} {{/invoices}})"])
        #expect(only.render(a, date: p.asOf) == "Acme Ltd & co owe 1334.56 EUR (A B )\n")
        #expect(DunningLetters.candidateNames(level: 3, channel: .phone) == ["level-3-phone", "level-3", "default"])
    }

    /// A template that does not parse is an error naming it and the line.
    @Test func badTemplateIsNamed() {
        #expect(throws: DunningLetters.TemplateError.self) { try DunningLetters(["level-2": "ok\n{{#invoices}} unclosed"]) }
        do {
            _ = try DunningLetters(["level-2": "ok\n{{#invoices}} unclosed"])
        } catch {
            #expect(error.description.hasPrefix("template level-2: line"))
        }
    }

    /// policy/letters/*.mustache in the repository are the built-in templates.
    @Test func shippedTemplatesAreTheBuiltIns() throws {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        let dir = root.appendingPathComponent("policy/letters")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".mustache") }
        #expect(Set(files.map { String($0.dropLast(".mustache".count)) }) == Set(DunningLetters.defaultTemplates.keys))
        for f in files {
            let text = try String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8)
            #expect(text == DunningLetters.defaultTemplates[String(f.dropLast(".mustache".count))], "\(f)")
        }
    }
}
