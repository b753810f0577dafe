import Foundation
import Testing

/// Text from a feed (names, notes, actors) never reaches a terminal or a CSV file raw: control
/// characters are written as `\uXXXX` in tables and CSV, a would-be spreadsheet formula gets a
/// `'` in front in CSV, and JSON keeps the exact text (escaped as JSON requires).
@Suite struct HostileTextTests {
    /// ESC (a colour change), CR (overwrites the line on a terminal), tab, NUL, DEL and C1 CSI.
    static let hostile = "Evil\u{1B}[31m Red\r\tTab\u{0}Nul\u{7F}\u{9B}2J"

    static func jsonString(_ s: String) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: [s], options: []), as: UTF8.self).dropFirst().dropLast().description
    }

    static func store() throws -> CLIRun {
        let t = try CLIRun()
        let name = try jsonString(hostile)
        let formula = try jsonString("=HYPERLINK(\"http://evil.example\",\"click\")")
        let feed = """
            {"id":"h1","type":"customer.registered","at":"2025-01-02T09:00:00Z","customer":"HOST","name":\(name),"currency":"EUR","terms_days":30,"credit_limit":"1000.00","actor":\(try jsonString("ops\u{1B}[0m"))}
            {"id":"h2","type":"invoice.issued","at":"2025-01-05T10:00:00Z","customer":"HOST","invoice":"H-1","amount":"500.00","issued_on":"2025-01-05","note":\(name)}
            {"id":"f1","type":"customer.registered","at":"2025-01-02T09:00:00Z","customer":"FORM","name":\(formula),"currency":"EUR","terms_days":30,"credit_limit":"1000.00"}
            {"id":"f2","type":"payment.received","at":"2025-01-06T10:00:00Z","customer":"FORM","payment":"F-P","amount":"999.50","received_on":"2025-01-06","note":"-1+2"}

            """
        let r = try t.arlog(["ingest", try t.file("hostile.ndjson", feed)])
        #expect(r.status == 0, "\(r.stderr)")
        return t
    }

    /// No control character but the line ends.
    static func expectNoControls(_ text: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let bad = text.unicodeScalars.filter { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) }
        #expect(bad.isEmpty, "\(what) carries raw control characters \(bad.map { String($0.value, radix: 16) })", sourceLocation: sourceLocation)
    }

    static let visible = #"Evil\u001B[31m Red\u000D\u0009Tab\u0000Nul\u007F\u009B2J"#

    @Test func tablesShowControlCharactersEscaped() throws {
        let t = try Self.store()
        for command in [["customers", "--as-of", "2025-06-30"], ["history", "HOST"], ["invoice", "H-1"],
                        ["statement", "HOST", "--from", "2025-01-01", "--to", "2025-01-31"]] {
            let r = try t.arlog(command)
            #expect(r.status == 0, "\(command): \(r.stderr)")
            Self.expectNoControls(r.stdout, "\(command)")
        }
        let customers = try t.arlog(["customers", "--as-of", "2025-06-30"]).stdout
        #expect(customers.contains(Self.visible))
        let history = try t.arlog(["history", "HOST"]).stdout
        #expect(history.contains(Self.visible))
        #expect(history.contains(#"ops\u001B[0m"#))
    }

    @Test func csvEscapesControlsAndGuardsFormulas() throws {
        let t = try Self.store()
        let r = try t.arlog(["customers", "--as-of", "2025-06-30", "--format", "csv"])
        #expect(r.status == 0)
        Self.expectNoControls(r.stdout, "customers csv")
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 4)  // header, FORM, HOST, and the empty string after the last \n
        #expect(lines[1].hasPrefix(#"FORM,"'=HYPERLINK(""http://evil.example"",""click"")",EUR,-999.50,"#), "\(lines[1])")
        #expect(lines[2].hasPrefix("HOST,\(Self.visible),EUR,500.00,"), "\(lines[2])")
        let history = try t.arlog(["history", "FORM", "--format", "csv"])
        Self.expectNoControls(history.stdout, "history csv")
        #expect(history.stdout.contains(",'-1+2\n"), "\(history.stdout)")
    }

    /// JSON is a contract: the text is exact (escaped as JSON requires, nothing replaced).
    @Test func jsonKeepsTheExactText() throws {
        let t = try Self.store()
        let r = try t.arlog(["customers", "--as-of", "2025-06-30", "--format", "json"])
        Self.expectNoControls(r.stdout.replacingOccurrences(of: "\u{7F}", with: "").replacingOccurrences(of: "\u{9B}", with: ""), "json")
        let rows = try #require(try CLIFixtures.parse(r.stdout) as? [[String: Any]])
        #expect(rows.first { $0["customer"] as? String == "HOST" }?["name"] as? String == Self.hostile)
        let history = try #require(try CLIFixtures.parse(try t.arlog(["history", "HOST", "--format", "json"]).stdout) as? [String: Any])
        let events = try #require(history["events"] as? [[String: Any]])
        #expect(events.last?["note"] as? String == Self.hostile)
    }
}
