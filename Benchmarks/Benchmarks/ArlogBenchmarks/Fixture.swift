import ArlogDomain
import ArlogEngine
import ArlogFeedGen
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The inputs every benchmark works on: a generated feed, a few facts read from it, and (for
/// the read-side benchmarks) a store with the feed ingested.
///
/// package-benchmark runs each benchmark in a process of its own, so a fixture made in one
/// process's setup is kept on disk for the next ones instead of being generated and ingested
/// again for every benchmark. A fixture is named after its parameters and the benchmark
/// binary's identity (size and modification time): a rebuilt binary, possibly with a changed
/// generator or store format, never reads a stale fixture, and one run of the suite generates
/// the feed once.
struct Fixture {
    /// The feed the benchmarks measure: `ARLOG_BENCH_EVENTS` / `ARLOG_BENCH_CUSTOMERS` override
    /// the sizes (e.g. 100000 / 20000 for a quick run).
    struct Parameters {
        static let eventsDefault = 1_000_000
        static let customersDefault = 20_000
        /// Bounds of the overrides: the generator's own limits.
        static let eventsMax = 1_000_000_000
        static let customersMax = 1_000_000
        static let seed: UInt64 = 1
        /// The generator's default first day, as `arlog-feedgen` uses.
        static let start = Day(year: 2023, month: 1, day: 1)!

        let events: Int
        let customers: Int

        static func fromEnvironment() throws -> Parameters {
            let env = ProcessInfo.processInfo.environment
            return Parameters(
                events: try Fixture.number(env["ARLOG_BENCH_EVENTS"], "ARLOG_BENCH_EVENTS", default: eventsDefault, 1...eventsMax),
                customers: try Fixture.number(
                    env["ARLOG_BENCH_CUSTOMERS"], "ARLOG_BENCH_CUSTOMERS", default: customersDefault, 1...customersMax))
        }
    }

    /// What the read-side benchmarks need to know about the feed, read once when the feed is made.
    struct Facts {
        /// Every customer, in order of registration, with the feed line (0-based) registering it.
        var customers: [(id: String, line: Int)] = []
        /// `at` of the middle line of the feed: the as-of point of the as-of benchmarks.
        var middle = Timestamp(seconds: 0)
        /// The latest `at` in the feed: aging counts ages on its date.
        var latest = Timestamp(seconds: 0)
        var lines = 0
    }

    /// Where fixtures and the benchmarks' scratch stores live: `ARLOG_BENCH_DIR`, else a
    /// folder in the temporary directory. A million-event fixture takes about 1 GB, and the
    /// benchmarks that write need as much again while they run.
    static var baseDirectory: String {
        ProcessInfo.processInfo.environment["ARLOG_BENCH_DIR"] ?? (NSTemporaryDirectory() + "arlog-benchmarks")
    }

    let parameters: Parameters
    let directory: String
    var feedPath: String { directory + "/feed.ndjson" }
    var storePath: String { directory + "/store" }
    var factsPath: String { directory + "/facts.txt" }
    let facts: Facts

    /// Makes (or finds) the feed and its facts; with `ingested`, also the store holding it.
    static func prepare(ingested: Bool) throws -> Fixture {
        let parameters = try Parameters.fromEnvironment()
        let base = baseDirectory
        let stamp = binaryStamp()
        let directory = base + "/feed-\(parameters.events)e-\(parameters.customers)c-seed\(Parameters.seed)-" + stamp
        let files = FileManager.default
        try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Fixtures made by another binary are never read again: reclaim their space.
        for name in (try? files.contentsOfDirectory(atPath: base)) ?? [] where name.hasPrefix("feed-") && !name.hasSuffix("-" + stamp) {
            try? files.removeItem(atPath: base + "/" + name)
        }

        let facts: Facts
        if let known = try? readFacts(directory + "/facts.txt"), files.fileExists(atPath: directory + "/feed.ndjson") {
            facts = known
        } else {
            facts = try makeFeed(parameters, directory: directory)
        }
        let fixture = Fixture(parameters: parameters, directory: directory, facts: facts)
        if ingested, !files.fileExists(atPath: fixture.storePath + "/ready") {
            try fixture.makeStore()
        }
        return fixture
    }

    // MARK: - Making the fixture

    /// Generates the feed into a temporary file, reads its facts, and only then moves both into
    /// place: an interrupted run leaves nothing that a later one would take for complete.
    private static func makeFeed(_ p: Parameters, directory: String) throws -> Facts {
        let temporary = directory + "/feed.ndjson.partial"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FixtureError("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var generator = FeedGenerator(events: p.events, customers: p.customers, seed: Parameters.seed, start: Parameters.start)
        do {
            try generator.run { chunk in
                var rest = chunk
                while !rest.isEmpty {
                    let n = write(fd, rest.baseAddress, rest.count)
                    guard n > 0 else { throw FixtureError("cannot write \(temporary): \(String(cString: strerror(errno)))") }
                    rest = UnsafeRawBufferPointer(rebasing: rest[n...])
                }
            }
        } catch {
            close(fd)
            throw error
        }
        close(fd)

        let feed = try FeedBytes(path: temporary)
        let facts = try readFactsFromFeed(feed)
        try writeFacts(facts, directory + "/facts.txt.partial")
        try FileManager.default.moveItemReplacing(directory + "/feed.ndjson.partial", directory + "/feed.ndjson")
        try FileManager.default.moveItemReplacing(directory + "/facts.txt.partial", directory + "/facts.txt")
        return facts
    }

    /// Ingests the feed without fsync (the content is what matters here, not the ingest time),
    /// and marks the store complete last.
    private func makeStore() throws {
        try? FileManager.default.removeItem(atPath: storePath)
        try FileManager.default.createDirectory(atPath: storePath, withIntermediateDirectories: true)
        var options = Store.Options()
        options.durable = false
        let store = try Store(directory: storePath, create: true, options: options)
        defer { store.close() }
        let summary = try store.ingest(path: feedPath) { rejected in
            FileHandle.standardError.write(Data("fixture: rejected line \(rejected.line): \(rejected.rejection)\n".utf8))
        }
        guard summary.accepted == facts.lines, summary.rejected == 0 else {
            throw FixtureError("fixture: ingest accepted \(summary.accepted) of \(facts.lines) lines, rejected \(summary.rejected)")
        }
        guard FileManager.default.createFile(atPath: storePath + "/ready", contents: nil) else {
            throw FixtureError("cannot create \(storePath)/ready")
        }
    }

    /// Parses every line once: customer registrations, the middle and latest `at`.
    private static func readFactsFromFeed(_ feed: FeedBytes) throws -> Facts {
        var facts = Facts()
        facts.lines = feed.lines.count
        let middleLine = feed.lines.count / 2
        try feed.bytes.withUnsafeBytes { all in
            for (number, range) in feed.lines.enumerated() {
                let object = try JSONParser.parseObject(UnsafeRawBufferPointer(rebasing: all[range]))
                let event = try EventDecoder.decode(object, id: EventDecoder.eventID(object))
                if event.type == .customerRegistered { facts.customers.append((event.customer, number)) }
                if number == middleLine { facts.middle = event.at }
                if event.at > facts.latest { facts.latest = event.at }
            }
        }
        return facts
    }

    // MARK: - Facts file: "lines N", "middle S N", "latest S N", then "customer ID LINE" lines.

    private static func writeFacts(_ f: Facts, _ path: String) throws {
        var text = "lines \(f.lines)\nmiddle \(f.middle.seconds) \(f.middle.nanos)\nlatest \(f.latest.seconds) \(f.latest.nanos)\n"
        for c in f.customers { text += "customer \(c.id) \(c.line)\n" }
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    private static func readFacts(_ path: String) throws -> Facts {
        var f = Facts()
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
            let w = line.split(separator: " ")
            switch (w.first, w.count) {
            case ("lines", 2): f.lines = Int(w[1]) ?? 0
            case ("middle", 3): f.middle = Timestamp(seconds: Int64(w[1]) ?? 0, nanos: Int32(w[2]) ?? 0)
            case ("latest", 3): f.latest = Timestamp(seconds: Int64(w[1]) ?? 0, nanos: Int32(w[2]) ?? 0)
            case ("customer", 3): f.customers.append((String(w[1]), Int(w[2]) ?? 0))
            default: throw FixtureError("unreadable facts line: \(line)")
            }
        }
        guard f.lines > 0, !f.customers.isEmpty else { throw FixtureError("incomplete facts file \(path)") }
        return f
    }

    // MARK: - Helpers

    /// Size and modification time of the running executable.
    private static func binaryStamp() -> String {
        var st = stat()
        guard stat("/proc/self/exe", &st) == 0 || stat(CommandLine.arguments[0], &st) == 0 else { return "unknown" }
        #if canImport(Darwin)
            return "\(st.st_size)-\(st.st_mtimespec.tv_sec)-\(st.st_mtimespec.tv_nsec)"
        #else
            return "\(st.st_size)-\(st.st_mtim.tv_sec)-\(st.st_mtim.tv_nsec)"
        #endif
    }

    /// A size from the environment; a bad one fails the benchmark's setup with this message.
    private static func number(_ text: String?, _ name: String, default value: Int, _ range: ClosedRange<Int>) throws -> Int {
        guard let text else { return value }
        guard let n = Int(text.replacingOccurrences(of: "_", with: "")), range.contains(n) else {
            throw FixtureError("\(name) must be a whole number in \(range.lowerBound)...\(range.upperBound), not \"\(text)\"")
        }
        return n
    }
}

/// A feed held in memory, with the byte range of each line (without its newline).
struct FeedBytes {
    let bytes: [UInt8]
    let lines: [Range<Int>]

    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw FixtureError("cannot read \(path)") }
        let bytes = [UInt8](data)
        var lines: [Range<Int>] = []
        var start = 0
        for i in bytes.indices where bytes[i] == UInt8(ascii: "\n") {
            if i > start { lines.append(start..<i) }
            start = i + 1
        }
        if start < bytes.count { lines.append(start..<bytes.count) }
        self.bytes = bytes
        self.lines = lines
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension FileManager {
    fileprivate func moveItemReplacing(_ from: String, _ to: String) throws {
        try? removeItem(atPath: to)
        try moveItem(atPath: from, toPath: to)
    }
}
