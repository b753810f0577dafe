/// The SVG text the charts write: XML escaping, fixed number formatting and a small element
/// writer. Pure Swift (no Foundation, no locale): the same chart gives the same bytes.
public enum SVGText {
    /// Escapes text for element content and double- or single-quoted attribute values: `& < > " '`
    /// as entities, tab, line feed and carriage return as character references (an attribute
    /// keeps them), and every character XML 1.0 cannot carry (other C0 controls, U+FFFE, U+FFFF)
    /// as U+FFFD. Everything else, non-ASCII included, is written as is (the document is UTF-8).
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t": out += "&#9;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            default:
                if isXMLChar(scalar.value) {
                    out.unicodeScalars.append(scalar)
                } else {
                    out += "\u{FFFD}"
                }
            }
        }
        return out
    }

    /// XML 1.0's `Char` production without tab, LF and CR (handled by `escape`).
    static func isXMLChar(_ v: UInt32) -> Bool {
        (0x20...0xD7FF).contains(v) || (0xE000...0xFFFD).contains(v) || (0x10000...0x10FFFF).contains(v)
    }

    /// The largest coordinate written, in user units: a bound far beyond any chart, so that a
    /// runaway value still prints as a finite number of a few digits.
    public static let coordinateMagnitudeMax: Double = 1_000_000

    /// A coordinate or length rounded to hundredths, shortest form (`12`, `12.5`, `12.25`,
    /// `-3.05`), never `-0`, never NaN or infinity (a non-finite value prints as `0`; a value
    /// beyond `coordinateMagnitudeMax` is clamped to it).
    public static func number(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        let clamped = min(max(x, -coordinateMagnitudeMax), coordinateMagnitudeMax)
        let hundredths = Int64((clamped * 100).rounded(.toNearestOrAwayFromZero))
        if hundredths == 0 { return "0" }
        let m = hundredths.magnitude
        var s = hundredths < 0 ? "-" : ""
        s += String(m / 100)
        let f = m % 100
        if f != 0 {
            s += "."
            if f % 10 == 0 {
                s += String(f / 10)
            } else {
                if f < 10 { s += "0" }
                s += String(f)
            }
        }
        return s
    }

    /// Labels are one line: controls and line breaks become spaces, runs of white space one
    /// space, the ends trimmed, and at most `labelCharactersMax` characters kept (a label is
    /// shown in a chart, not a document; the rest is cut with an ellipsis).
    public static func label(_ s: String) -> String {
        var out = ""
        var pendingSpace = false
        var count = 0
        for ch in s {
            let isSpace = ch.isWhitespace || ch.unicodeScalars.allSatisfy { $0.value < 0x20 || $0.value == 0x7F || (0x80...0x9F).contains($0.value) }
            if isSpace {
                pendingSpace = !out.isEmpty
                continue
            }
            if count >= labelCharactersMax {
                out += "…"
                break
            }
            if pendingSpace {
                out += " "
                count += 1
                pendingSpace = false
            }
            out.append(ch)
            count += 1
        }
        return out
    }

    /// The longest label kept, in characters (grapheme clusters).
    public static let labelCharactersMax = 200
}

/// Writes SVG elements into one string. Attribute values and text are escaped here, so a
/// caller never builds markup from data by hand.
struct SVGWriter {
    private(set) var text = ""

    mutating func open(_ name: String, _ attributes: [(String, String)] = []) {
        text += "<" + name
        attrs(attributes)
        text += ">"
    }

    mutating func close(_ name: String) {
        text += "</" + name + ">"
    }

    /// An element without children: `<rect .../>`.
    mutating func empty(_ name: String, _ attributes: [(String, String)]) {
        text += "<" + name
        attrs(attributes)
        text += "/>"
    }

    /// An element holding only text: `<text ...>escaped</text>`.
    mutating func element(_ name: String, _ attributes: [(String, String)] = [], text content: String) {
        open(name, attributes)
        text += SVGText.escape(content)
        close(name)
    }

    /// A `<title>` child: the tooltip of its parent and its accessible name.
    mutating func title(_ content: String) {
        element("title", text: content)
    }

    mutating func newline() { text += "\n" }

    /// Markup written as is (only from this module's own constants).
    mutating func appendRaw(_ markup: String) { text += markup }

    private mutating func attrs(_ attributes: [(String, String)]) {
        for (k, v) in attributes {
            text += " " + k + "=\"" + SVGText.escape(v) + "\""
        }
    }
}

/// Shorthand for coordinates in attribute lists.
@inline(__always) func px(_ x: Double) -> String { SVGText.number(x) }

extension SVGWriter {
    /// Escaped text content inside an open element.
    mutating func content(_ content: String) {
        appendRaw(SVGText.escape(content))
    }
}
