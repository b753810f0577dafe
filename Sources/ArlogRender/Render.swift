import ArlogDomain
import ArlogEngine

/// Output rendering for the command-line shell: pure functions from engine results to the text
/// a command prints. Nothing here does I/O, so every format is unit-tested without a process.
///
/// Three formats:
/// - `table`: a header row, a rule line of dashes, the rows; text left-aligned, numbers
///   right-aligned, columns two spaces apart, no trailing spaces.
/// - `json`: the contract's objects (shared/spec/events-v1.md), one line, built with `JSONWriter`.
/// - `csv`: RFC 4180 fields (a field holding a comma or a quote is quoted and its quotes
///   doubled), control characters as `\uXXXX`, a `'` before a would-be formula (`csvField`),
///   a header row of field names, `\n` line ends.
public enum OutputFormat: String, Sendable, CaseIterable {
    case table, json, csv
}

/// A named field of a record. `nil` is a missing value: JSON `null`, an empty cell.
public typealias RenderField = (name: String, value: ReportValue?)

/// One row of a report: its fields in column order and the fraction digits of its money.
public struct RenderRecord {
    public var fields: [RenderField]
    public var digits: Int

    public init(_ fields: [RenderField], digits: Int) {
        self.fields = fields
        self.digits = digits
    }

    public var names: [String] { fields.map(\.name) }

    /// Cells for a table or CSV line.
    public var cells: [TableCell] { fields.map { TableCell($0.value, digits: digits) } }

    public func json(into w: inout JSONWriter) {
        w.raw("{")
        jsonMembers(into: &w)
        w.raw("}")
    }

    /// `"name":value,...` without the braces, for objects that go on with more members.
    public func jsonMembers(into w: inout JSONWriter) {
        for (i, f) in fields.enumerated() {
            if i > 0 { w.raw(",") }
            w.string(f.name)
            w.raw(":")
            if let v = f.value { v.json(digits: digits, into: &w) } else { w.raw("null") }
        }
    }
}

/// The text of one table or CSV cell and how a table aligns it.
public struct TableCell: Equatable, Sendable {
    public var text: String
    public var alignRight: Bool

    public init(_ text: String, alignRight: Bool = false) {
        self.text = text
        self.alignRight = alignRight
    }

    /// Numbers (money, integers, fixed-point) align right; text, dates and booleans left.
    public init(_ value: ReportValue?, digits: Int) {
        guard let value else {
            self.init("")
            return
        }
        switch value {
        case .money, .wideMoney, .integer, .hundredths: self.init(value.text(digits: digits), alignRight: true)
        case .text, .bool, .date, .promise: self.init(value.text(digits: digits))
        }
    }
}

public enum Render {
    // MARK: tables

    /// An aligned text table: header, a rule of dashes, `rows`, and when `footer` is not empty
    /// another rule and the footer rows. A header aligns right when every cell of its column
    /// that has text aligns right. Control characters in cells are made `visible` so that one
    /// cell cannot break the layout; lines carry no trailing spaces.
    public static func table(header: [String], rows: [[TableCell]], footer: [[TableCell]] = []) -> String {
        let columns = header.count
        var widths = header.map(\.count)
        var rightAligned = [Bool](repeating: true, count: columns)
        var hasText = [Bool](repeating: false, count: columns)
        let clean = { (rows: [[TableCell]]) in
            rows.map { row in row.map { TableCell(singleLine($0.text), alignRight: $0.alignRight) } }
        }
        let body = clean(rows)
        let foot = clean(footer)
        // Per row: whether every cell is printable ASCII, whose width is its byte count and
        // whose line can be built as bytes (`appendLine`); other rows go through `line`.
        var bodyASCII = [Bool](repeating: true, count: body.count)
        var footASCII = [Bool](repeating: true, count: foot.count)
        func measure(_ row: [TableCell]) -> Bool {
            precondition(row.count == columns, "table row has \(row.count) cells for \(columns) columns")
            var ascii = true
            for (i, cell) in row.enumerated() {
                let plain = isPrintableASCII(cell.text)
                if !plain { ascii = false }
                widths[i] = max(widths[i], plain ? cell.text.utf8.count : cell.text.count)
                if !cell.text.isEmpty {
                    hasText[i] = true
                    if !cell.alignRight { rightAligned[i] = false }
                }
            }
            return ascii
        }
        for (r, row) in body.enumerated() { bodyASCII[r] = measure(row) }
        for (r, row) in foot.enumerated() { footASCII[r] = measure(row) }
        let headerCells = header.enumerated().map { TableCell($1, alignRight: hasText[$0] && rightAligned[$0]) }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        var out: [UInt8] = []
        out.append(contentsOf: line(headerCells, widths).utf8)
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: rule.utf8)
        out.append(UInt8(ascii: "\n"))
        for (r, row) in body.enumerated() { appendLine(row, widths, ascii: bodyASCII[r], to: &out) }
        if !foot.isEmpty {
            out.append(contentsOf: rule.utf8)
            out.append(UInt8(ascii: "\n"))
            for (r, row) in foot.enumerated() { appendLine(row, widths, ascii: footASCII[r], to: &out) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Every byte printable ASCII (U+0020–U+007E): one character per byte.
    static func isPrintableASCII(_ s: String) -> Bool {
        s.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    /// `line(cells, widths)` and a newline, appended as bytes; a row of printable ASCII cells
    /// is padded and trimmed byte by byte (the same text: one character per byte), any other
    /// row goes through `line`.
    static func appendLine(_ cells: [TableCell], _ widths: [Int], ascii: Bool, to out: inout [UInt8]) {
        guard ascii else {
            out.append(contentsOf: line(cells, widths).utf8)
            out.append(UInt8(ascii: "\n"))
            return
        }
        let start = out.count
        for (i, cell) in cells.enumerated() {
            if i > 0 { out.append(contentsOf: [0x20, 0x20]) }
            let pad = widths[i] - cell.text.utf8.count
            if cell.alignRight {
                out.append(contentsOf: repeatElement(0x20, count: pad))
                out.append(contentsOf: cell.text.utf8)
            } else {
                out.append(contentsOf: cell.text.utf8)
                out.append(contentsOf: repeatElement(0x20, count: pad))
            }
        }
        while out.count > start, out[out.count - 1] == 0x20 { out.removeLast() }
        out.append(UInt8(ascii: "\n"))
    }

    /// A two-column `field value` table of one record (balance, invoice header, stats).
    public static func fieldTable(_ record: RenderRecord) -> String {
        table(header: ["field", "value"], rows: record.fields.map { [TableCell($0.name), TableCell($0.value, digits: record.digits)] })
    }

    static func line(_ cells: [TableCell], _ widths: [Int]) -> String {
        var out = ""
        for (i, cell) in cells.enumerated() {
            if i > 0 { out += "  " }
            let pad = String(repeating: " ", count: widths[i] - cell.text.count)
            out += cell.alignRight ? pad + cell.text : cell.text + pad
        }
        while out.last == " " { out.removeLast() }
        return out
    }

    /// `s` with every control character made visible: C0 controls (U+0000–U+001F: NUL, tab,
    /// CR, LF, ESC ...), DEL and the C1 controls (U+0080–U+009F, which some terminals also
    /// obey) are written as `\uXXXX` (upper-case hex), so that text from a feed cannot move
    /// the cursor, recolour or clear a terminal, or break a line of a table or a CSV file.
    /// Everything else, backslashes included, is kept as is.
    public static func visible(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: isControl) else { return s }
        var out = ""
        out.unicodeScalars.reserveCapacity(s.unicodeScalars.count + 16)
        let hex = Array("0123456789ABCDEF".unicodeScalars)
        for u in s.unicodeScalars {
            guard isControl(u) else {
                out.unicodeScalars.append(u)
                continue
            }
            let v = Int(u.value)
            out.unicodeScalars.append(contentsOf: ["\\", "u", "0", "0", hex[v >> 4], hex[v & 15]])
        }
        return out
    }

    static func isControl(_ u: Unicode.Scalar) -> Bool {
        u.value < 0x20 || (0x7F...0x9F).contains(u.value)
    }

    /// One line of text for a table or stderr: control characters made `visible`.
    static func singleLine(_ s: String) -> String { visible(s) }

    // MARK: CSV

    /// One CSV field: control characters made `visible` (so a record is always one line and
    /// nothing reaches a terminal raw), then guarded against spreadsheet formulas, then quoted
    /// when RFC 4180 requires it (a comma or a double quote; quotes doubled).
    ///
    /// Formula guard: a field starting with `=`, `+`, `-` or `@` that holds any character
    /// outside `A-Z a-z 0-9 . _ : -` gets a `'` in front, so a spreadsheet shows it as text
    /// instead of evaluating it (`=HYPERLINK(...)` from a customer name). Numbers (`-999.50`),
    /// dates and ids (their alphabet cannot spell a formula) are never changed.
    public static func csvField(_ s: String) -> String {
        var s = visible(s)
        if let first = s.utf8.first, formulaStarts.contains(first), s.utf8.contains(where: { !isIdentifierByte($0) }) {
            s = "'" + s
        }
        guard s.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") }) else { return s }
        var out = "\""
        for c in s {
            if c == "\"" { out += "\"\"" } else { out.append(c) }
        }
        return out + "\""
    }

    /// A byte of the feed's id alphabet, `A-Z a-z 0-9 . _ : -`.
    static func isIdentifierByte(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    /// First characters a spreadsheet reads as the start of a formula.
    static let formulaStarts: Set<UInt8> = [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@")]

    public static func csvLine(_ fields: [String]) -> String {
        fields.map(csvField).joined(separator: ",") + "\n"
    }

    /// `csvField(s)` appended as bytes: a field with nothing to change (no control character,
    /// comma or quote, not starting like a formula) is copied as it is, without a String of
    /// its own; any other goes through `csvField`.
    static func appendCSVField(_ s: String, to out: inout [UInt8]) {
        var plain = true
        var first = true
        for b in s.utf8 {
            // 0xC2 leads U+0080–U+00BF, the C1 controls among them: `csvField` decides those.
            if b < 0x20 || b == 0x7F || b == 0xC2 || b == UInt8(ascii: ",") || b == UInt8(ascii: "\"")
                || (first && formulaStarts.contains(b)) {
                plain = false
                break
            }
            first = false
        }
        if plain { out.append(contentsOf: s.utf8) } else { out.append(contentsOf: csvField(s).utf8) }
    }

    /// `csvLine(fields)` appended as bytes.
    static func appendCSVLine<C: Collection>(_ fields: C, to out: inout [UInt8]) where C.Element == String {
        var firstField = true
        for f in fields {
            if !firstField { out.append(UInt8(ascii: ",")) }
            firstField = false
            appendCSVField(f, to: &out)
        }
        out.append(UInt8(ascii: "\n"))
    }

    /// A header row of `names`, then one line per row.
    public static func csv(header: [String], rows: [[TableCell]]) -> String {
        var out: [UInt8] = []
        appendCSVLine(header, to: &out)
        for row in rows { appendCSVLine(row.lazy.map(\.text), to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Records (all with the same columns) as a table, CSV, or a JSON array of objects.
    public static func records(_ records: [RenderRecord], columns: [String], format: OutputFormat) -> String {
        switch format {
        case .table: return table(header: columns, rows: records.map(\.cells))
        case .csv: return csv(header: columns, rows: records.map(\.cells))
        case .json:
            var w = JSONWriter()
            jsonArray(records, into: &w)
            return w.text + "\n"
        }
    }

    /// One JSON object and a newline: the members of `head`, then each section as an array of
    /// records (the shape of a report with a header and lists: stats, invoice, check).
    static func jsonDocument(_ head: RenderRecord, sections: [(name: String, records: [RenderRecord])]) -> String {
        var w = JSONWriter()
        w.raw("{")
        head.jsonMembers(into: &w)
        for section in sections {
            w.raw(",")
            w.string(section.name)
            w.raw(":")
            jsonArray(section.records, into: &w)
        }
        w.raw("}")
        return w.text + "\n"
    }

    static func jsonArray(_ records: [RenderRecord], into w: inout JSONWriter) {
        w.raw("[")
        for (i, r) in records.enumerated() {
            if i > 0 { w.raw(",") }
            r.json(into: &w)
        }
        w.raw("]")
    }

    // MARK: numbers

    /// A duration or rate with `digits` decimals, rounded to nearest (ties away from zero):
    /// (12.345678, 2) → "12.35". For display only; money never goes through a Double.
    public static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite, value >= 0 else { return value.isFinite ? "-" + fixed(-value, digits: digits) : "0" }
        let scale = Money.powersOfTen[digits]
        let scaled = (value * Double(scale)).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9e18 else { return String(Int64.max / scale) }
        let n = Int64(scaled)
        if digits == 0 { return String(n) }
        let frac = String(n % scale)
        return "\(n / scale)." + String(repeating: "0", count: digits - frac.count) + frac
    }

    /// A rate as a whole number (events per second).
    public static func rate(_ value: Double) -> String { fixed(value, digits: 0) }
}
