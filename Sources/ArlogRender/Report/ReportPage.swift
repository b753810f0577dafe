import ArlogDomain
import Mustache

/// The HTML reports (`arlog report`, docs/report.md): one self-contained file each, inline CSS
/// and SVG, no external assets, laid out for the screen and for printing to PDF.
///
/// Every page is two Mustache templates: the shared `layout` (head, stylesheet, header, footer)
/// and a body template of its own (`customer`; the portfolio report adds its own next to it).
/// Every text goes through Mustache's HTML escaping (`{{name}}`); only the charts' SVG, which
/// the chart module escapes itself (`SVGText.escape`), and the rendered body go in unescaped
/// (`{{{svg}}}`, `{{{body}}}`).
public enum ReportPage {
    /// The built-in templates parsed once (they are constants: a failure is a defect, caught by
    /// the tests, so it traps).
    static let templates: [String: MustacheTemplate] = {
        var parsed: [String: MustacheTemplate] = [:]
        for (name, text) in ReportTemplates.all {
            do {
                parsed[name] = try MustacheTemplate(string: text)
            } catch {
                fatalError("built-in report template \(name) does not parse: \(error)")
            }
        }
        return parsed
    }()

    /// A whole page: `body` (HTML already rendered by a body template) in the shared layout.
    /// `title` names the page (the `<title>` and the heading), `subtitle` the line under it,
    /// `footer` the generator line.
    public static func page(title: String, subtitle: String, body: String, footer: String) -> String {
        let context: [String: Any] = [
            "title": title, "subtitle": subtitle, "body": body, "footer": footer,
            "css": ReportTemplates.stylesheet + "\n" + ChartCSS.stylesheet,
        ]
        return render("layout", context)
    }

    /// Renders a built-in template.
    static func render(_ name: String, _ context: [String: Any]) -> String {
        guard let t = templates[name] else { return "" }
        return t.render(context)
    }

    /// Money in a currency's digits with thousands separators: `12,345.60`.
    public static func money(_ v: Int64, _ c: Currency) -> String { grouped(Money.format(v, fractionDigits: c.fractionDigits)) }
    public static func money(_ v: Int128, _ c: Currency) -> String { grouped(Money.format(v, fractionDigits: c.fractionDigits)) }

    /// Hundredths as `12.34`.
    public static func hundredths(_ v: Int64) -> String { Money.format(v, fractionDigits: 2) }

    /// `1234567.89` → `1,234,567.89` (a sign kept in front).
    static func grouped(_ s: String) -> String {
        var sign = ""
        var body = Substring(s)
        if body.first == "-" {
            sign = "-"
            body = body.dropFirst()
        }
        let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = Array(parts[0])
        var out = ""
        for (i, ch) in whole.enumerated() {
            if i > 0, (whole.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        if parts.count > 1 { out += "." + parts[1] }
        return sign + out
    }
}
