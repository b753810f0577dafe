import ArgumentParser
import ArlogDomain
import ArlogFeedGen

@main
struct FeedGenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arlog-feedgen",
        abstract: "Write a synthetic arlog feed (v1 NDJSON) that the engine accepts in full.",
        discussion: """
            The same arguments always give byte-identical output. Every event is valid under
            feed contract v1 when the feed is ingested in order from an empty log.
            """)

    static let eventsMax = 1_000_000_000
    static let customersMax = 1_000_000

    @Option(help: "Number of events to write.")
    var events: Int

    @Option(help: "Number of customers (all registered within the first third of the feed).")
    var customers: Int

    @Option(help: "Random seed.")
    var seed: UInt64

    @Option(help: "First day of the simulated clock, YYYY-MM-DD.")
    var start: String = "2023-01-01"

    @Option(name: [.short, .long], help: "Output file, or - for standard output.")
    var output: String = "-"

    /// For tests: every event also carries the generator's own view of what is open after it,
    /// as unknown fields `x_model_open` and `x_model_invoice_open` (the contract keeps and
    /// ignores unknown fields), so that a test can compare it with an independent fold.
    @Flag(help: .hidden)
    var audit = false

    func validate() throws {
        guard (0...FeedGenCommand.eventsMax).contains(events) else {
            throw ValidationError("--events must be in 0...\(FeedGenCommand.eventsMax)")
        }
        guard (1...FeedGenCommand.customersMax).contains(customers) else {
            throw ValidationError("--customers must be in 1...\(FeedGenCommand.customersMax)")
        }
        guard let day = Day(parsing: start), (1900...9000).contains(day.civil.year) else {
            throw ValidationError("--start must be a date YYYY-MM-DD between 1900 and 9000")
        }
    }

    func run() throws {
        let sink = try OutputSink(path: output)
        var generator = FeedGenerator(
            events: events, customers: customers, seed: seed, start: Day(parsing: start)!, audit: audit)
        try generator.run { try sink.write($0) }
        try sink.close()
    }
}
