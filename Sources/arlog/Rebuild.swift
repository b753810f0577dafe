import ArgumentParser
import ArlogEngine
import ArlogRender

struct Rebuild: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Drop every projection (and with --indexes the log's indexes) and rebuild them by replaying the log.",
        discussion: """
            The log itself is not touched. An interrupted rebuild is finished by the next write \
            (`arlog rebuild` again, or an ingest); until then queries answer from the projections \
            as far as they got, and say so on stderr. Prints the events replayed, the customers, \
            the time taken and the rate.

            Example:
              arlog rebuild --store ./store
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    static let batchEventsRange = 1...1_000_000

    @Flag(help: "Also drop and rebuild the log's own indexes (ids, references, the customer index, log-wide events).")
    var indexes = false

    @Option(help: ArgumentHelp("Events replayed per write transaction (1…1000000, default \(Store.replayBatchEventsDefault)).", valueName: "n"))
    var batchEvents: Int?

    func validate() throws {
        if let n = batchEvents, !Rebuild.batchEventsRange.contains(n) {
            throw ValidationError("--batch-events must be between 1 and 1000000, not \(n)")
        }
    }

    func run() throws {
        let store = try storeOptions.openForWriting("rebuild")
        defer { store.close() }
        var progressWidth = 0
        let head = try store.head()
        let progress: ((UInt64) -> Void)? =
            Console.stderrIsTerminal
            ? { seq in
                let text = "replayed \(seq) of \(head) events"
                Console.errorText("\r" + text)
                progressWidth = text.count
            } : nil
        let summary = try store.rebuild(indexes: indexes, batchEventsMax: batchEvents ?? Store.replayBatchEventsDefault, progress: progress)
        if progressWidth > 0 { Console.errorText("\r" + String(repeating: " ", count: progressWidth) + "\r") }
        try Console.out(Render.rebuild(summary))
    }
}
