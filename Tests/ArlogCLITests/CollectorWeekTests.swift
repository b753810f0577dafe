import Foundation
import Testing

/// docs/collections.md, "A collector's week", replayed: every session block of that section is
/// run, command by command, against a fresh store in a temporary directory holding the
/// fixture's files (Tests/Fixtures/collector-week.ndjson and collector-week/), and each output
/// must be the one the doc shows. A change of behaviour that changes what the doc shows fails
/// here; `ARLOG_UPDATE_COLLECTOR_WEEK=1` writes the outputs the binary gives into the doc (and
/// still fails, so that a run that rewrote the doc is never taken for a pass: read the diff).
///
/// The convention (written at the top of the section too):
/// - the section runs from the line `## A collector's week` to the next `## ` heading;
/// - a fenced block opened by a bare ```` ``` ```` is a session; a block with a language
///   (```` ```json ````) is not run;
/// - in a session, a line `$ COMMAND` is run and the lines below it, up to the next `$ ` line
///   or the end of the block, are what it prints: standard output, then standard error, then
///   `[exit N]` when its status is not 0 (trailing newlines are not compared);
/// - COMMAND is `arlog ARGS...` (run with `--store` of the test's store added, as `ARLOG_STORE`
///   would give it), `cat FILE`, `ls DIR` (names sorted byte by byte, one a line), or
///   `export ARLOG_NAME=VALUE` (set for every later command); words are split on spaces, with
///   `"..."` and `'...'` quoting and no other shell syntax (a `|`, `>`, `<`, `;`, `&`, `$(` or
///   backslash outside quotes is refused);
/// - the only text not compared is the timing of ingest's summary line
///   (`in 0.04s (850 events/s)`).
@Suite struct CollectorWeekTests {
    static var root: URL {
        var dir = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { dir.deleteLastPathComponent() }
        return dir
    }

    static var doc: URL { root.appendingPathComponent("docs/collections.md") }
    static let heading = "## A collector's week"
    /// Below these the section has been emptied or cut down by mistake, not rewritten.
    static let commandsMin = 40

    struct Command {
        let line: Int  // 1-based, in the doc
        let text: String
        let expected: [String]
    }

    /// The session commands of the section, with their expected output lines.
    static func commands(_ doc: String) throws -> [Command] {
        let lines = doc.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex(of: heading), "docs/collections.md has no \"\(heading)\" section")
        var out: [Command] = []
        var block: String?  // nil outside a block; "" a session; else a language
        var current: (line: Int, text: String, expected: [String])?
        func flush() {
            if let c = current { out.append(Command(line: c.line, text: c.text, expected: c.expected)) }
            current = nil
        }
        for n in (start + 1)..<lines.count {
            let l = lines[n]
            if block == nil, l.hasPrefix("## ") { break }
            if l.hasPrefix("```") {
                if block == nil {
                    block = String(l.dropFirst(3)).trimmingCharacters(in: .whitespaces)
                } else {
                    flush()
                    block = nil
                }
                continue
            }
            guard block == "" else { continue }
            if l.hasPrefix("$ ") {
                flush()
                current = (n + 1, String(l.dropFirst(2)), [])
            } else if current != nil {
                current!.expected.append(l)
            } else {
                Issue.record("docs/collections.md:\(n + 1): a session block must start with a `$ ` line: \(l)")
            }
        }
        #expect(block == nil, "docs/collections.md: a fenced block of the week is not closed")
        return out
    }

    /// Shell words: spaces separate, "..." and '...' quote; nothing else of a shell.
    static func words(_ command: String) -> [String]? {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        var previous: Character?
        for c in command {
            defer { previous = c }
            if let q = quote {
                if c == q { quote = nil } else { word.append(c) }
                continue
            }
            switch c {
            case "\"", "'":
                quote = c
                inWord = true
            case " ":
                if inWord { words.append(word) }
                word = ""
                inWord = false
            case "|", ">", "<", ";", "&", "\\", "`":
                return nil
            case "(" where previous == "$":
                return nil
            default:
                word.append(c)
                inWord = true
            }
        }
        if quote != nil { return nil }
        if inWord { words.append(word) }
        return words
    }

    /// What the doc cannot fix: the time an ingest took.
    static func normalized(_ text: String) -> String {
        let timing = try! NSRegularExpression(pattern: #" in \d+\.\d+s \(\d+ events/s\)"#)
        let t = timing.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: " in <time>")
        var s = Substring(t)
        while s.hasSuffix("\n") { s = s.dropLast() }
        return String(s)
    }

    /// Runs one command the way the doc says; the output as the doc writes it.
    static func run(_ words: [String], in t: CLIRun, environment: inout [String: String]) throws -> String {
        let fm = FileManager.default
        switch words.first {
        case "arlog":
            let r = try t.arlog(Array(words.dropFirst()), environment: environment)
            return r.stdout + r.stderr + (r.status == 0 ? "" : "[exit \(r.status)]\n")
        case "cat" where words.count == 2:
            return try String(contentsOf: t.directory.appendingPathComponent(words[1]), encoding: .utf8)
        case "ls" where words.count == 2:
            let names = try fm.contentsOfDirectory(atPath: t.directory.appendingPathComponent(words[1]).path)
            return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { $0 + "\n" }.joined()
        case "export" where words.count == 2 && words[1].hasPrefix("ARLOG_") && words[1].contains("="):
            let pair = words[1].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            environment[String(pair[0])] = String(pair[1])
            return ""
        default:
            throw CollectorWeekError("not a command the doc test runs: \(words.joined(separator: " "))")
        }
    }

    struct CollectorWeekError: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    /// A fresh directory with the week's feed files, the names the doc uses.
    static func week() throws -> CLIRun {
        let t = try CLIRun()
        let fixtures = root.appendingPathComponent("Tests/Fixtures")
        let fm = FileManager.default
        try fm.copyItem(at: fixtures.appendingPathComponent("collector-week.ndjson"), to: t.directory.appendingPathComponent("collector-week.ndjson"))
        let days = fixtures.appendingPathComponent("collector-week")
        for name in try fm.contentsOfDirectory(atPath: days.path) where name.hasSuffix(".ndjson") {
            try fm.copyItem(at: days.appendingPathComponent(name), to: t.directory.appendingPathComponent(name))
        }
        return t
    }

    @Test func theWeekInTheDocIsWhatTheBinaryDoes() throws {
        let text = try String(contentsOf: Self.doc, encoding: .utf8)
        let commands = try Self.commands(text)
        #expect(commands.count >= Self.commandsMin, "the week has \(commands.count) commands")
        // The steps the section is about are all there.
        for needed in ["arlog ingest collector-week.ndjson", "arlog daily --as-of", "arlog worklist --as-of", "arlog contact ",
                       "arlog open ", "arlog apply-credit ", "--yes", "arlog dunning plan", "arlog balance ", "cat letters/"] {
            #expect(commands.contains { $0.text.contains(needed) }, "the week has no `\(needed)`")
        }
        let t = try Self.week()
        var environment: [String: String] = [:]
        var differing: [Int: String] = [:]  // doc line → what the binary printed instead
        for c in commands {
            guard let words = Self.words(c.text) else {
                Issue.record("docs/collections.md:\(c.line): not a simple command: \(c.text)")
                continue
            }
            let got = try Self.run(words, in: t, environment: &environment)
            let want = Self.normalized(c.expected.joined(separator: "\n"))
            if Self.normalized(got) != want {
                differing[c.line] = got
                Issue.record("docs/collections.md:\(c.line): $ \(c.text)\n--- the doc shows:\n\(want)\n--- the binary prints:\n\(Self.normalized(got))")
            }
        }
        if ProcessInfo.processInfo.environment["ARLOG_UPDATE_COLLECTOR_WEEK"] == "1" {
            try Self.rewrite(text, commands: commands, actual: differing).write(to: Self.doc, atomically: true, encoding: .utf8)
            Issue.record("ARLOG_UPDATE_COLLECTOR_WEEK=1: docs/collections.md rewritten with the binary's output of the \(differing.count) commands that differed; read the diff")
        }
    }

    /// The doc with the output of the commands in `actual` (by doc line) replaced by it
    /// (ARLOG_UPDATE_COLLECTOR_WEEK: only those that differ, so that timings do not churn).
    static func rewrite(_ text: String, commands: [Command], actual: [Int: String]) -> String {
        let lines = text.components(separatedBy: "\n")
        var out: [String] = []
        var skip = 0
        let byLine = Dictionary(uniqueKeysWithValues: commands.map { ($0.line, $0) })
        for (n, l) in lines.enumerated() {
            if skip > 0 {
                skip -= 1
                continue
            }
            out.append(l)
            if let c = byLine[n + 1], let got = actual[n + 1] {
                var s = Substring(got)
                while s.hasSuffix("\n") { s = s.dropLast() }
                if !s.isEmpty { out += s.components(separatedBy: "\n") }
                skip = c.expected.count
            }
        }
        return out.joined(separator: "\n")
    }

    @Test func theConventionsParser() throws {
        #expect(Self.words(#"arlog contact K --note "a b" --x 'c d'"#) == ["arlog", "contact", "K", "--note", "a b", "--x", "c d"])
        #expect(Self.words(#"arlog x --note """#) == ["arlog", "x", "--note", ""])
        #expect(Self.words("arlog balance K > out") == nil)
        #expect(Self.words("cat $(ls)") == nil)
        #expect(Self.words(#"arlog x "open"#) == nil)
        let doc = """
            # t
            ## A collector's week
            ```
            $ arlog a
            out 1

            out 2
            $ export ARLOG_TODAY=2026-11-30
            ```
            ```json
            $ not run
            ```
            ### a day
            ```
            $ cat f
            ```
            ## Next
            ```
            $ arlog never
            ```
            """
        let c = try Self.commands(doc)
        #expect(c.map(\.text) == ["arlog a", "export ARLOG_TODAY=2026-11-30", "cat f"])
        #expect(c[0].expected == ["out 1", "", "out 2"] && c[0].line == 4 && c[2].expected.isEmpty)
        #expect(Self.normalized("accepted 2, duplicates 0, rejected 0, lines 2 in 0.02s (88 events/s)\n\n")
            == "accepted 2, duplicates 0, rejected 0, lines 2 in <time>")
        let rewritten = Self.rewrite(doc, commands: c, actual: [4: "new\n", 8: "", 15: "x\ny\n"])
        #expect(try Self.commands(rewritten).map(\.expected) == [["new"], [], ["x", "y"]])
    }
}
