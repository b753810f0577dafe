import ArgumentParser
import ArlogDomain
import ArlogEngine
import ArlogRender

#if canImport(Glibc)
    import Glibc
#endif

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Append NDJSON event feeds to the store (created when missing).",
        discussion: """
            Each file is read in order; `-` reads standard input. Valid events are appended to the \
            log and every projection in one transaction per batch; an event already in the log \
            with identical content is a duplicate (counted, skipped). Each rejected line is \
            reported on stderr as `FILE:LINE: event ID: RULE: MESSAGE`, and a summary line ends \
            the run. Exit status: 0 when nothing was rejected, 1 when some lines were, 2 for \
            usage or I/O errors.

            Example:
              arlog ingest --store ./store --rejects rejects.ndjson feed-2025-03.ndjson
              accepted 41, duplicates 0, rejected 1, lines 42 in 0.01s (4100 events/s)
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("NDJSON feed files, in order; `-` for standard input.", valueName: "file"))
    var files: [String]

    @Option(
        help: ArgumentHelp(
            "Write each rejected line to this file as NDJSON: {\"source\",\"line\",\"id\",\"rule\",\"message\",\"raw\"}.",
            valueName: "file"))
    var rejects: String?

    @Flag(help: "All or nothing per file: when any line of a file is rejected, keep nothing of that file.")
    var atomic = false

    static let batchEventsRange = 1...100_000

    @Option(help: ArgumentHelp("Events per write transaction (1…100000, default \(IngestOptions().batchEventsMax)).", valueName: "n"))
    var batchEvents: Int?

    @Option(
        help: ArgumentHelp(
            "Commit what has been read when the input pauses this long, in milliseconds (1…60000, default \(IngestOptions().commitDelayMillis ?? 0)): a live stream shows up within this delay.",
            valueName: "ms"))
    var commitDelayMs: Int?

    func validate() throws {
        if let ms = commitDelayMs, !IngestOptions.commitDelayMillisRange.contains(ms) {
            throw ValidationError("--commit-delay-ms must be between 1 and 60000, not \(ms)")
        }
        if files.isEmpty { throw ValidationError("give at least one feed file, or - for standard input") }
        if files.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input (-) can be read only once") }
        if let n = batchEvents, !Ingest.batchEventsRange.contains(n) {
            throw ValidationError("--batch-events must be between 1 and 100000, not \(n)")
        }
        if let rejects, rejects.isEmpty { throw ValidationError("--rejects: the file name is empty") }
    }

    func run() throws {
        for path in files where path != "-" {
            var st = stat()
            guard stat(path, &st) == 0 else {
                throw EngineError(.io, "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if (st.st_mode & S_IFMT) == S_IFDIR { throw EngineError(.io, "cannot read \(path): it is a directory") }
            guard access(path, R_OK) == 0 else { throw EngineError(.io, "cannot read \(path): \(String(cString: strerror(errno)))") }
        }
        let rejectsFile = try rejects.map { try OutputFile(path: $0) }
        let store = try storeOptions.openForWriting("ingest", create: true)
        defer { store.close() }

        var options = IngestOptions()
        options.atomic = atomic
        if let n = batchEvents { options.batchEventsMax = n }
        if let ms = commitDelayMs { options.commitDelayMillis = ms }

        let stderr = Stderr(progress: Console.stderrIsTerminal)
        var total = IngestSummary()
        do {
            for path in files {
                total = total + (try ingest(path, into: store, options: options, stderr: stderr, rejectsFile: rejectsFile))
            }
        } catch {
            // Keep what was reported so far, say what was committed, then fail with the
            // error (exit 2).
            var failure = error
            if let interrupted = error as? IngestInterrupted {
                total = total + interrupted.committed
                let cause = EngineError.storageFailure(interrupted.underlying, store: storeOptions.directory)?.message ?? "\(interrupted.underlying)"
                failure = EngineError(.io, interrupted.message(cause: cause))
            }
            try? rejectsFile?.close()
            stderr.line(Render.ingestSummary(total))
            stderr.flush()
            throw failure
        }
        stderr.line(Render.ingestSummary(total))
        stderr.flush()
        // The --rejects file is complete only once written, fsynced and closed: a failure of
        // any of these fails the run (exit 2) after the summary.
        try rejectsFile?.close()
        if total.rejected > 0 || total.rolledBack > 0 { throw ExitCode(Arlog.Exit.rejected) }
    }

    /// One file: its summary.
    func ingest(_ path: String, into store: Store, options: IngestOptions, stderr: Stderr, rejectsFile: OutputFile?) throws -> IngestSummary {
        let name = path == "-" ? "<stdin>" : path
        let summary = try store.ingest(
            path: path, options: options,
            progress: stderr.showsProgress ? { stderr.progress(Render.ingestProgress(name, $0)) } : nil,
            rejected: { line in
                // Rolled-back lines are valid: one line below says how many, not one each.
                if !line.rolledBack { stderr.line(Render.rejectedLine(line)) }
                rejectsFile?.write(line)
            })
        if summary.rolledBack > 0 {
            let n = summary.rolledBack
            stderr.line("\(name): --atomic: nothing of this file was kept (\(n) valid line\(n == 1 ? "" : "s") rolled back)")
        }
        if files.count > 1 { stderr.line("\(name): " + Render.ingestSummary(summary)) }
        return summary
    }
}

/// Stderr for ingest: buffered lines, and on a terminal a progress line overwritten with `\r`
/// and cleared before anything else is written.
final class Stderr {
    let showsProgress: Bool
    private var buffer: [UInt8] = []
    private var progressWidth = 0

    init(progress: Bool) {
        showsProgress = progress
    }

    func line(_ text: String) {
        clearProgress()
        buffer.append(contentsOf: text.utf8)
        buffer.append(0x0A)
        if showsProgress || buffer.count >= 1 << 16 { flush() }
    }

    func progress(_ text: String) {
        flush()
        let padding = max(0, progressWidth - text.count)
        Console.errorText("\r" + text + String(repeating: " ", count: padding))
        progressWidth = text.count
    }

    private func clearProgress() {
        guard progressWidth > 0 else { return }
        Console.errorText("\r" + String(repeating: " ", count: progressWidth) + "\r")
        progressWidth = 0
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { Console.errorBytes($0) }
        buffer.removeAll(keepingCapacity: true)
    }
}
