import ArlogDomain
import ArlogEngine
import ArlogRender
import ArlogTestSupport
import Foundation
import Testing

/// The customer report page (Sources/ArlogRender/Report/): rendered from a real store
/// (Tests/ArlogTestSupport/ReportFixture.swift) and parsed back: the whole page is well-formed
/// XML (XHTML syntax), every chart is there and drawn, hostile texts are escaped, nothing is
/// loaded from elsewhere, and the same report gives the same bytes.
@Suite struct CustomerReportPageTests {
    static let today = Day(year: 2026, month: 12, day: 5)!

    static func page() throws -> (CustomerReport, String) {
        let t = try TempStore()
        let (_, rejected) = try t.ingest(ReportFixture.feed)
        #expect(rejected.isEmpty, "\(rejected)")
        let r = try t.store.customerReport(ReportFixture.customer, asOf: Day(parsing: ReportFixture.asOf)!, today: today)
        return (r, CustomerReportPage.html(r, generator: "arlog test"))
    }

    /// The `<svg>…</svg>` blocks of a page, in order.
    static func svgs(_ html: String) -> [String] {
        var out: [String] = []
        var rest = html[...]
        while let start = rest.range(of: "<svg "), let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex) {
            out.append(String(rest[start.lowerBound..<end.upperBound]))
            rest = rest[end.upperBound...]
        }
        return out
    }

    @Test func wellFormedWithEveryChartDrawn() throws {
        let (_, html) = try Self.page()
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        let page = SVGDoc(html)
        #expect(page.wellFormed, "the page is not well-formed XML")
        let svgs = Self.svgs(html)
        #expect(svgs.count == 3)
        var ids: [String] = []
        for svg in svgs {
            let doc = SVGDoc(svg)
            #expect(doc.wellFormed, "\(svg.prefix(200))")
            #expect(doc.badNumbers.isEmpty, "\(doc.badNumbers)")
            #expect(doc.withClass("ac-empty").isEmpty, "a chart without data: \(svg.prefix(200))")
            ids.append(doc.root?.attributes["aria-describedby"] ?? "")
        }
        #expect(ids == ["aging-desc", "score-desc", "days-late-desc"])
        // Aging: the two buckets with money (current is empty: both open invoices are overdue).
        let aging = SVGDoc(svgs[0])
        #expect(aging.withClass("ac-bar").count == 2)
        // Score: a point per trend day, a marker per grade change in the window.
        let score = SVGDoc(svgs[1])
        let (r, _) = try Self.page()
        #expect(score.withClass("ac-point").count == r.scoreTrend.count)
        #expect(score.withClass("ac-event").count == r.grade.history.filter { $0.evaluatedOn >= r.trendFrom }.count)
        #expect(score.withClass("ac-event").count >= 1)
        // Days late: I-1 (16 days) drawn, I-2 (0 days) has no bar to draw.
        let late = SVGDoc(svgs[2])
        #expect(late.withClass("ac-bar").count >= 1)
        #expect(late.texts.contains("I-1") && late.texts.contains("I-2"))
        // The sections.
        for heading in ["Profile", "Credit grade", "Balance", "Aging", "Credit score", "Payment behaviour", "Dunning and contacts",
                        "Disputes", "Promises to pay", "Statement of account, 2025-03-31 to 2025-06-30"] {
            #expect(page.all("h2").contains { $0.text == heading }, "\(heading)")
        }
        let cells = page.all("td").map(\.text)
        #expect(cells.contains("Dunning level 1 by email"))
        #expect(cells.contains("Contact by phone: reached"))
        #expect(cells.contains("Promise to pay 2,000.00 EUR by 2025-04-30"))
        #expect(cells.contains("Dispute opened on 1,000.00 EUR: wrong <qty> & price"))
        #expect(cells.contains("broken"))
        #expect(cells.contains("16.00"))
        #expect(cells.contains("8,000.00"))
    }

    @Test func hostileTextsAreEscaped() throws {
        let (_, html) = try Self.page()
        let page = SVGDoc(html)
        #expect(page.wellFormed)
        // The texts come back as text, never as elements.
        #expect(page.all("h1").first?.text == ReportFixture.hostileName)
        #expect(page.all("title").first?.text == ReportFixture.hostileName)
        #expect(page.all("dd").map(\.text).contains("<img src=http://evil.example/x.png>"))
        #expect(page.all("dd").map(\.text).contains("</td></tr></table>"))
        #expect(page.all("td").map(\.text).contains(#"<a href="http://evil.example">pay</a>"#))
        for tag in ["script", "img", "a", "b", "iframe", "object", "link"] {
            #expect(page.all(tag).isEmpty, "<\(tag)> in the page")
        }
        #expect(html.contains("Evil &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Sons&#39; &lt;b&gt;Ltd&lt;/b&gt;"))
        #expect(!html.contains("<script"))
    }

    @Test func nothingLoadedFromElsewhere() throws {
        let (_, html) = try Self.page()
        let page = SVGDoc(html)
        #expect(page.wellFormed)
        // No attribute points anywhere: no src, no href, no xlink:href but to the page itself.
        for e in page.elements {
            for (name, value) in e.attributes where ["src", "href", "xlink:href", "action", "srcset", "poster"].contains(name.lowercased()) {
                #expect(value.hasPrefix("#"), "<\(e.name) \(name)=\"\(value)\">")
            }
        }
        // No style fetches anything.
        let styles = page.all("style").map(\.text).joined()
        #expect(!styles.contains("url(") && !styles.contains("@import") && !styles.contains("@font-face"))
        #expect(!html.lowercased().contains("src=\"http") && !html.lowercased().contains("href=\"http"))
    }

    @Test func deterministic() throws {
        let (_, a) = try Self.page()
        let (r, b) = try Self.page()
        #expect(a == b)
        #expect(CustomerReportPage.html(r, generator: "arlog test") == b)
    }

    /// A customer with nothing but its registration: the page still parses, the aging says
    /// all zeros, the score is one point, and the empty lists say so instead of drawing
    /// empty charts.
    @Test func newCustomer() throws {
        let t = try TempStore()
        let (_, rejected) = try t.ingest("""
            {"id":"n1","type":"customer.registered","at":"2025-01-02T09:00:00Z","customer":"NEW","name":"Brand New 株式会社","currency":"JPY","terms_days":30,"credit_limit":"1000000"}

            """)
        #expect(rejected.isEmpty)
        let r = try t.store.customerReport("NEW", asOf: Day(year: 2025, month: 1, day: 2)!, today: Self.today)
        let html = CustomerReportPage.html(r)
        let page = SVGDoc(html)
        #expect(page.wellFormed)
        #expect(page.all("h1").first?.text == "Brand New 株式会社")
        let svgs = Self.svgs(html)
        #expect(svgs.count == 2)
        #expect(svgs.allSatisfy { SVGDoc($0).wellFormed })
        #expect(SVGDoc(svgs[0]).texts.contains("All values are zero."))
        #expect(SVGDoc(svgs[1]).withClass("ac-point").count == 1)
        let notes = page.all("p").map(\.text)
        for note in ["No paid invoices yet.", "No dunning actions, contacts, promises or disputes.", "No disputes.", "No promises."] {
            #expect(notes.contains(note), "\(note)")
        }
        #expect(page.all("dd").map(\.text).contains("1,000,000 JPY"))
    }

    @Test func grouping() {
        #expect(ReportPage.money(Int64(123_456_789), Currency(code: "EUR")!) == "1,234,567.89")
        #expect(ReportPage.money(Int64(-100_000), Currency(code: "EUR")!) == "-1,000.00")
        #expect(ReportPage.money(Int64(999), Currency(code: "JPY")!) == "999")
        #expect(ReportPage.money(Int64(1000), Currency(code: "JPY")!) == "1,000")
        #expect(ReportPage.money(Int64.min, Currency(code: "JPY")!) == "-9,223,372,036,854,775,808")
    }
}
