import ArgumentParser
import ArlogDomain
import ArlogFeedGen

@main
struct FeedGenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arlog-feedgen",
        abstract: "Write a synthetic arlog feed (v1 to v1.3 NDJSON) that the engine accepts in full.",
        discussion: """
            The same arguments always give byte-identical output. Every event is valid under \
            feed contract v1 (and v1.1: disputes, promises; v1.2: credit notes, applied credit, \
            refunds; v1.3: customer assessments, exchange rates) when the feed is ingested in \
            order from an empty log.

            --shapes writes the other spellings and shapes the contract allows and real \
            systems send (docs/fuzzing.md): `plain` (the default) is none of them, `rich` all; \
            combine names and remove one with a minus: --shapes rich,-empty-lists. \
            The events are those of the plain feed of the same seed: shapes add lines \
            (duplicates, blank lines) but never events, and leave every customer's money \
            figures as they are.

              key-order       members of every object shuffled
              whitespace      spaces and tabs between tokens and around the object
              escapes         \\/, \\uXXXX for any character (surrogate pairs),
                              \\b \\f \\n \\r \\t
              text            names, notes, actors in other scripts, with quotes,
                              backslashes, control characters, emoji; empty;
                              at their length limits
              offsets         `at` with any ±HH:MM or -00:00, t and z in lower
                              case, a space instead of T
              fractions       sub-second instants; 1 to 29 fraction digits
              unknown-fields  top-level fields of any JSON type
              short-money     "5" or "5.5" for 5.50, leading zeros, "-0" for a
                              zero limit
              crlf            \\r\\n line ends
              blank-lines     empty or whitespace-only lines between events
              late-entries    an `at` earlier than events already written (never
                              earlier than what the event names)
              duplicates      an event sent again, spelled differently
              empty-lists     "allocations": [] on payments without explicit
                              allocations
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

    @Option(help: "Spellings and shapes beyond the plain feed: plain, rich, or a list (see below).")
    var shapes: String = "plain"

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
        guard FeedShapes(parsing: shapes) != nil else {
            throw ValidationError("--shapes must be plain, rich or a comma-separated list of \(FeedShapes.names.map(\.name).joined(separator: ", ")) (-NAME removes one)")
        }
    }

    func run() throws {
        let sink = try OutputSink(path: output)
        var generator = FeedGenerator(
            events: events, customers: customers, seed: seed, start: Day(parsing: start)!, audit: audit,
            shapes: FeedShapes(parsing: shapes) ?? .plain)
        try generator.run { try sink.write($0) }
        try sink.close()
    }
}
