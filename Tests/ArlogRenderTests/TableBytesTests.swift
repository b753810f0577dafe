import ArlogDomain
import Testing

@testable import ArlogRender

/// The table and CSV writers build their text as bytes (a fast path for printable ASCII rows
/// and plain fields); the text must be what the String-by-String versions gave, byte for
/// byte, for every kind of cell: hostile text, wide and combining characters, trailing
/// spaces, formulas, quotes, commas, controls, empty cells.
@Suite struct TableBytesTests {
    static let cells = [
        "", "a", "abc", "12.50", "-999.50", "=HYPERLINK(\"x\")", "+1", "-x y", "@SUM", "a,b", "say \"hi\"", "tab\there",
        "line\nbreak", "cr\r\nlf", "del\u{7F}", "c1\u{85}x", "Ünïcödé", "e\u{301}", "日本語", "👩‍💻 dev", "trailing  ", " lead",
        "\u{0600} ", "NBSP\u{A0}", "Ⅻ", "ok-id_1.2:3",
    ]

    /// The String-by-String table of the version before the byte writer.
    static func referenceTable(header: [String], rows: [[TableCell]], footer: [[TableCell]] = []) -> String {
        let columns = header.count
        var widths = header.map(\.count)
        var rightAligned = [Bool](repeating: true, count: columns)
        var hasText = [Bool](repeating: false, count: columns)
        let clean = { (rows: [[TableCell]]) in rows.map { row in row.map { TableCell(Render.visible($0.text), alignRight: $0.alignRight) } } }
        let body = clean(rows)
        let foot = clean(footer)
        for row in body + foot {
            for (i, cell) in row.enumerated() {
                widths[i] = max(widths[i], cell.text.count)
                if !cell.text.isEmpty {
                    hasText[i] = true
                    if !cell.alignRight { rightAligned[i] = false }
                }
            }
        }
        func line(_ cells: [TableCell]) -> String {
            var out = ""
            for (i, cell) in cells.enumerated() {
                if i > 0 { out += "  " }
                let pad = String(repeating: " ", count: widths[i] - cell.text.count)
                out += cell.alignRight ? pad + cell.text : cell.text + pad
            }
            while out.last == " " { out.removeLast() }
            return out
        }
        let headerCells = header.enumerated().map { TableCell($1, alignRight: hasText[$0] && rightAligned[$0]) }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        var out = line(headerCells) + "\n" + rule + "\n"
        for row in body { out += line(row) + "\n" }
        if !foot.isEmpty {
            out += rule + "\n"
            for row in foot { out += line(row) + "\n" }
        }
        return out
    }

    /// Rows of three cells from `cells`, every pair of them in both alignments.
    static func rows() -> [[TableCell]] {
        var rows: [[TableCell]] = []
        for (i, a) in cells.enumerated() {
            for (j, b) in cells.enumerated() where (i + j) % 3 == 0 {
                rows.append([TableCell(a, alignRight: i % 2 == 0), TableCell(b, alignRight: j % 2 == 1), TableCell("x", alignRight: true)])
            }
        }
        return rows
    }

    @Test func tableIsTheStringVersionsText() {
        let rows = Self.rows()
        let header = ["first", "wïde", "n"]
        #expect(Render.table(header: header, rows: rows) == Self.referenceTable(header: header, rows: rows))
        let footer = [[TableCell("total"), TableCell("Σ 日本"), TableCell("  ", alignRight: true)]]
        #expect(Render.table(header: header, rows: rows, footer: footer) == Self.referenceTable(header: header, rows: rows, footer: footer))
        // Only printable ASCII (the fast path alone), and no rows at all.
        let plain = rows.filter { $0.allSatisfy { $0.text.utf8.allSatisfy { (0x20..<0x7F).contains($0) } } }
        #expect(plain.count > 10 && plain.count < rows.count)
        #expect(Render.table(header: header, rows: plain) == Self.referenceTable(header: header, rows: plain))
        #expect(Render.table(header: header, rows: []) == Self.referenceTable(header: header, rows: []))
    }

    @Test func csvIsTheFieldByFieldText() {
        let rows = Self.rows()
        let header = ["first", "=second", "n"]
        var expected = Render.csvLine(header)
        for row in rows { expected += Render.csvLine(row.map(\.text)) }
        #expect(Render.csv(header: header, rows: rows) == expected)
        for c in Self.cells {
            var out: [UInt8] = []
            Render.appendCSVField(c, to: &out)
            #expect(out == Array(Render.csvField(c).utf8), "\(c.debugDescription)")
        }
    }
}
