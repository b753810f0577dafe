import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// An SVG document parsed with XMLParser: every element with its attributes, text and
/// ancestors, for structural checks on the charts' output.
final class SVGDoc {
    struct Element {
        var name: String
        var attributes: [String: String]
        var text: String
        var parents: [Int]  // indices of the enclosing elements, outermost first
        var classes: [String] { (attributes["class"] ?? "").split(separator: " ").map(String.init) }
    }

    private(set) var elements: [Element] = []
    let wellFormed: Bool
    let source: String

    init(_ svg: String) {
        source = svg
        let parser = XMLParser(data: Data(svg.utf8))
        let holder = Holder()
        parser.delegate = holder
        wellFormed = parser.parse()

        elements = holder.elements
    }

    private final class Holder: NSObject, XMLParserDelegate {
        var elements: [Element] = []
        var stack: [Int] = []
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            elements.append(Element(name: name, attributes: attributes, text: "", parents: stack))
            stack.append(elements.count - 1)
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            stack.removeLast()
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let i = stack.last { elements[i].text += string }
        }
    }

    var root: Element? { elements.first }

    func all(_ name: String) -> [Element] { elements.filter { $0.name == name } }
    func withClass(_ c: String) -> [Element] { elements.filter { $0.classes.contains(c) } }
    /// Every text shown (`<text>` content; not titles).
    var texts: [String] { all("text").map(\.text) }
    /// The `<title>` children of elements of class `c`.
    func titles(under c: String) -> [String] {
        elements.enumerated().filter { $0.element.name == "title" && $0.element.parents.last.map { elements[$0].classes.contains(c) } == true }.map(\.element.text)
    }

    /// Numeric attributes that are not plain decimal numbers (NaN, inf, exponents, empty).
    var badNumbers: [String] {
        let numeric: Set<String> = ["x", "y", "width", "height", "cx", "cy", "r", "x1", "y1", "x2", "y2", "font-size", "stroke-width"]
        var bad: [String] = []
        for e in elements {
            for (k, v) in e.attributes where numeric.contains(k) {
                if !SVGDoc.isNumber(v) { bad.append("\(e.name) \(k)=\(v)") }
            }
            if let d = e.attributes["d"] {
                for token in d.split(whereSeparator: { "MLAHVZ, ".contains($0) }) where !SVGDoc.isNumber(String(token)) {
                    bad.append("\(e.name) d token \(token)")
                }
            }
            for k in ["viewBox", "transform", "points"] {
                if let v = e.attributes[k], v.lowercased().contains("nan") || v.lowercased().contains("inf") { bad.append("\(e.name) \(k)=\(v)") }
            }
        }
        return bad
    }

    static func isNumber(_ s: String) -> Bool {
        var t = Substring(s)
        if t.first == "-" { t = t.dropFirst() }
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard !t.isEmpty, parts.count <= 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else { return false }
        return true
    }

    /// Ids defined twice, and `url(#…)` or `aria-describedby` references to ids not defined.
    var idProblems: [String] {
        var seen: Set<String> = []
        var problems: [String] = []
        for e in elements {
            if let id = e.attributes["id"] {
                if !seen.insert(id).inserted { problems.append("duplicate id \(id)") }
            }
        }
        for e in elements {
            for (_, v) in e.attributes {
                var rest = Substring(v)
                while let r = rest.range(of: "url(#") {
                    let after = rest[r.upperBound...]
                    guard let close = after.firstIndex(of: ")") else { break }
                    let ref = String(after[..<close])
                    if !seen.contains(ref) { problems.append("missing id \(ref)") }
                    rest = after[close...]
                }
            }
            if let d = e.attributes["aria-describedby"], !seen.contains(d) { problems.append("missing id \(d)") }
        }
        return problems
    }

    /// The checks every chart passes: well-formed, an accessible root, no bad numbers, ids sound.
    func expectSound(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(wellFormed, "not well-formed:\n\(source)", sourceLocation: sourceLocation)
        #expect(root?.name == "svg", sourceLocation: sourceLocation)
        #expect(root?.attributes["role"] == "img", sourceLocation: sourceLocation)
        #expect(root?.attributes["aria-label"]?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(root?.attributes["viewBox"]?.hasPrefix("0 0 ") == true, sourceLocation: sourceLocation)
        #expect(root?.attributes["width"] == nil && root?.attributes["height"] == nil, "sizes only in the viewBox", sourceLocation: sourceLocation)
        #expect(all("title").first.map { _ in true } == true, sourceLocation: sourceLocation)
        #expect(badNumbers == [], sourceLocation: sourceLocation)
        #expect(idProblems == [], sourceLocation: sourceLocation)
    }
}
