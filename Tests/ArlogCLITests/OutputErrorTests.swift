import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Output that cannot be written is an error, never a silent success nor a signal: every
/// command's output goes through one path that reports a failed write with exit 2 and
/// `arlog: cannot write standard output: <strerror>` (docs/cli.md, "Output errors").
@Suite struct OutputErrorTests {
    static let fullDiskMessage = "arlog: cannot write standard output: No space left on device\n"

    /// Every command that prints something, with arguments that succeed on `InlineFeeds.basic`.
    static let printingCommands: [[String]] = [
        ["balance", "ACME"], ["aging", "--as-of", "2025-06-30"], ["customers"], ["invoice", "INV-1"], ["history", "ACME"],
        ["stats"], ["verify"], ["rebuild"], ["audit", "head"], ["audit", "verify"], ["export"],
        ["statement", "ACME", "--from", "2025-01-01", "--to", "2025-03-31"], ["grade", "ACME"],
        ["check", "ACME", "--amount", "1.00", "--as-of", "2025-01-06"], ["alerts"], ["limits"], ["policy", "show"],
        ["policy", "history"], ["aging", "--format", "csv"], ["customers", "--format", "json"],
    ]

    @Test(arguments: printingCommands)
    func fullDiskIsAnError(_ command: [String]) throws {
        let t = try InlineFeeds.store()
        let r = try OutputSink.file("/dev/full", O_WRONLY).run(command + ["--store", t.store], in: t.directory)
        #expect(r.exited)
        #expect(r.status == 2, "\(command): \(r.stderr)")
        #expect(r.stderr == Self.fullDiskMessage, "\(command)")
    }

    /// `--help` and `--version` print too.
    @Test(arguments: [["--help"], ["--version"], ["help", "balance"]])
    func fullDiskOnHelpIsAnError(_ command: [String]) throws {
        let t = try CLIRun()
        let r = try OutputSink.file("/dev/full", O_WRONLY).run(command, in: t.directory)
        #expect(r.status == 2, "\(command): \(r.stderr)")
        #expect(r.stderr == Self.fullDiskMessage)
    }

    /// The audit workflow appends the head to a file it keeps: on a full disk that fails.
    @Test func auditHeadAppendedToAFullDiskFails() throws {
        let t = try InlineFeeds.store()
        let r = try OutputSink.file("/dev/full", O_WRONLY | O_APPEND).run(["audit", "head", "--store", t.store], in: t.directory)
        #expect(r.status == 2)
        #expect(r.stderr == Self.fullDiskMessage)
    }

    /// A reader that went away: arlog is not killed by SIGPIPE; it reports the write error and
    /// exits 2.
    @Test(arguments: [["aging", "--as-of", "2025-06-30"], ["export"], ["history", "ACME", "--format", "csv"]])
    func closedPipeIsAnErrorNotASignal(_ command: [String]) throws {
        let t = try InlineFeeds.store()
        let r = try OutputSink.closedPipe.run(command + ["--store", t.store], in: t.directory)
        #expect(r.exited, "killed by signal \(r.status)")
        #expect(r.status == 2)
        #expect(r.stderr == "arlog: cannot write standard output: Broken pipe (the reader closed the pipe; the output is incomplete)\n")
    }

    /// `alerts --follow` writes each alert as it comes: when the reader has gone it stops with
    /// the error instead of following for ever.
    @Test func followStopsWhenTheReaderIsGone() throws {
        let t = try CLIRun()
        // BOLT over its limit raises alerts; --since prints them at once.
        let feed = InlineFeeds.basic
        #expect(try t.arlog(["ingest", try t.file("f.ndjson", feed)]).status == 0)
        #expect(try t.arlog(["alerts", "--format", "json"]).stdout != "[]\n")
        let r = try OutputSink.closedPipe.run(["alerts", "--follow", "--since", "2000-01-01", "--poll-ms", "10", "--store", t.store], in: t.directory)
        #expect(r.exited)
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("arlog: cannot write standard output: Broken pipe"))
    }

    /// The --rejects file is written through the same path: a write that fails (or a failed
    /// fsync/close) is reported with the file's name and exit 2, after the ingest (the log
    /// keeps the valid lines).
    @Test func rejectsFileOnAFullDisk() throws {
        let t = try CLIRun()
        let feed = try t.file("f.ndjson", InlineFeeds.basic + "not json\n")
        let r = try t.arlog(["ingest", feed, "--rejects", "/dev/full"])
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderrLines.last == "arlog: cannot write /dev/full: No space left on device", "\(r.stderr)")
        #expect(try t.arlog(["balance", "ACME"]).status == 0)
    }
}
