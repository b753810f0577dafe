import ArlogTestSupport
import Foundation
import Testing

/// `arlog report` through the binary: the file it writes, `--out -`, the portfolio report's
/// "not yet", an unknown customer; and, where Debian's `chromium` is installed, the page
/// rendered in headless Chromium (a screenshot and a PDF, no console message at all).
@Suite struct ReportCLITests {
    static func store() throws -> CLIRun {
        let t = try CLIRun()
        let ingest = try t.arlog(["ingest", try t.file("feed.ndjson", ReportFixture.feed)])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        return t
    }

    @Test func writesTheFile() throws {
        let t = try Self.store()
        let path = t.directory.appendingPathComponent("HOST.html").path
        let run = try t.arlog(["report", "--customer", "HOST", "--as-of", ReportFixture.asOf, "--out", path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.isEmpty && run.stderr.isEmpty)
        let html = try String(contentsOfFile: path, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>\n"))
        #expect(html.hasSuffix("</html>\n"))
        #expect(html.contains("<h1>Evil &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Sons&#39; &lt;b&gt;Ltd&lt;/b&gt;</h1>"))
        #expect(html.components(separatedBy: "<svg ").count == 4)
        #expect(html.contains("Made by arlog 0."))
        // `--out -`: the same page on standard output.
        let out = try t.arlog(["report", "--customer", "HOST", "--as-of", ReportFixture.asOf, "--out", "-"])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout == html)
        // Written again over the old file, through a temporary file that does not stay.
        let again = try t.arlog(["report", "--customer", "HOST", "--as-of", "2025-03-31", "--out", path])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("as of 2025-03-31"))
        let left = try FileManager.default.contentsOfDirectory(atPath: t.directory.path).filter { $0.contains(".tmp-") }
        #expect(left.isEmpty, "\(left)")
    }

    @Test func usageAndUnknown() throws {
        let t = try Self.store()
        let path = t.directory.appendingPathComponent("r.html").path
        let portfolio = try t.arlog(["report", "--out", path])
        #expect(portfolio.status == 2)
        #expect(portfolio.stderr.contains("the portfolio report (arlog report without --customer) is not available yet"), "\(portfolio.stderr)")
        #expect(!FileManager.default.fileExists(atPath: path))
        let unknown = try t.arlog(["report", "--customer", "NOBODY", "--out", path])
        #expect(unknown.status == 3, "\(unknown.stderr)")
        #expect(unknown.stderr.contains("NOBODY"))
        #expect(!FileManager.default.fileExists(atPath: path))
        let early = try t.arlog(["report", "--customer", "HOST", "--as-of", "2024-12-31", "--out", path])
        #expect(early.status == 3, "\(early.stderr)")
        let badDate = try t.arlog(["report", "--customer", "HOST", "--as-of", "2025-13-01", "--out", path])
        #expect(badDate.status == 2)
        let noOut = try t.arlog(["report", "--customer", "HOST"])
        #expect(noOut.status == 2)
        let unwritable = try t.arlog(["report", "--customer", "HOST", "--out", t.directory.appendingPathComponent("no/such/dir.html").path])
        #expect(unwritable.status == 2)
        #expect(unwritable.stderr.contains("no/such/dir.html"), "\(unwritable.stderr)")
    }

    /// Debian's chromium, when installed (tools/test.sh installs it; docs/report.md).
    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// The page in headless Chromium: it loads and paints (a screenshot of a real size) and
    /// prints to PDF, and the browser logs no console message (the page has no script: any
    /// message is an error, a blocked or failed load). The screenshot is kept where
    /// $ARLOG_REPORT_SCREENSHOT_DIR says, for a person to look at.
    @Test(.enabled(if: chromium != nil, "chromium is not installed (apt-get install -y chromium)"))
    func rendersInChromium() throws {
        let t = try Self.store()
        let html = t.directory.appendingPathComponent("HOST.html")
        let run = try t.arlog(["report", "--customer", "HOST", "--as-of", ReportFixture.asOf, "--out", html.path])
        #expect(run.status == 0, "\(run.stderr)")
        let png = t.directory.appendingPathComponent("HOST.png")
        let pdf = t.directory.appendingPathComponent("HOST.pdf")
        let common = ["120", Self.chromium!, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                      "--user-data-dir=\(t.directory.appendingPathComponent("chromium-profile").path)",
                      "--enable-logging=stderr", "--v=0", "--hide-scrollbars"]
        let shot = try CLIRun.runExecutable(URL(fileURLWithPath: "/usr/bin/timeout"),
                                            common + ["--window-size=1100,3200", "--screenshot=\(png.path)", html.absoluteString], in: t.directory)
        #expect(shot.status == 0, "\(shot.stderr)")
        let console = shot.stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }
        #expect(console.isEmpty, "console messages: \(console)")
        let image = try Data(contentsOf: png)
        #expect(image.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        // A blank page compresses to a few kilobytes; this one has charts and tables.
        #expect(image.count > 50_000, "\(image.count) bytes")
        let print = try CLIRun.runExecutable(URL(fileURLWithPath: "/usr/bin/timeout"),
                                             common + ["--no-pdf-header-footer", "--print-to-pdf=\(pdf.path)", html.absoluteString], in: t.directory)
        #expect(print.status == 0, "\(print.stderr)")
        #expect(print.stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }.isEmpty)
        let document = try Data(contentsOf: pdf)
        #expect(document.starts(with: Array("%PDF-".utf8)))
        if let keep = ProcessInfo.processInfo.environment["ARLOG_REPORT_SCREENSHOT_DIR"] {
            try? FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
            for (file, name) in [(png, "customer-report.png"), (pdf, "customer-report.pdf"), (html, "customer-report.html")] {
                let target = URL(fileURLWithPath: keep).appendingPathComponent(name)
                try? FileManager.default.removeItem(at: target)
                try FileManager.default.copyItem(at: file, to: target)
            }
        }
    }
}
