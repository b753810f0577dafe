import ArlogDomain
import ArlogEngine
import ArlogFeedGen
import Benchmark
import Foundation

/// arlog's benchmark suite: ingest, rebuild, verify, audit verify and the queries on a generated
/// feed; the fold and the parser alone, without LMDB. Benchmarks/README.md says how to run it; RESULTS.md holds measured figures.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration.units = Suite.units

    // MARK: Whole-feed benchmarks: one iteration handles every event of the feed.

    for (name, durable) in [("Ingest", true), ("Ingest (no fsync)", false)] {
        Benchmark(name, configuration: Suite.wholeFeed) { benchmark, fixture in
            let directory = try Suite.scratch("ingest")
            var options = Store.Options()
            options.durable = durable
            let store = try Store(directory: directory, create: true, options: options)
            defer {
                store.close()
                Suite.removeScratch("ingest")
            }
            var summary = IngestSummary()
            try Suite.measure(benchmark, events: fixture.facts.lines) {
                summary = try store.ingest(path: fixture.feedPath) { _ in }
            }
            if summary.accepted != fixture.facts.lines {
                benchmark.error("ingest accepted \(summary.accepted) of \(fixture.facts.lines) events")
            }
        } setup: {
            try Fixture.prepare(ingested: false)
        } teardown: {
            Suite.removeScratch("ingest")
        }
    }

    Benchmark("Rebuild", configuration: Suite.wholeFeed) { (benchmark, state: OpenStore) in
        var summary: RebuildSummary?
        try Suite.measure(benchmark, events: state.fixture.facts.lines) {
            summary = try state.store.rebuild()
        }
        if let summary, summary.events != UInt64(state.fixture.facts.lines) {
            benchmark.error("rebuild replayed \(summary.events) of \(state.fixture.facts.lines) events")
        }
    } setup: {
        // Rebuild rewrites every projection: it works on a copy, so the shared store stays as ingested.
        let fixture = try Fixture.prepare(ingested: true)
        let directory = try Suite.scratch("rebuild")
        try FileManager.default.copyItem(atPath: fixture.storePath + "/data.mdb", toPath: directory + "/data.mdb")
        return OpenStore(fixture: fixture, store: try Store(directory: directory, create: false))
    } teardown: {
        Suite.removeScratch("rebuild")
    }

    // A credit policy change regrades every customer in the transaction that logs it: one
    // iteration is one `credit_policy.changed` event. Run with ARLOG_BENCH_CUSTOMERS=100000
    // for the figure (docs/performance.md). Events/s here counts customers regraded.
    Benchmark("Regrade all customers (policy change)", configuration: Suite.wholeFeed) { (benchmark, state: OpenStore) in
        var policy = CreditPolicy.default
        policy.name = "benchmark \(benchmark.currentIteration)"
        policy.gradeMinScores = [90, 75, 60, 45]
        let line = OwnEvents.policyChanged(policy, id: "bench-policy-\(benchmark.currentIteration)", at: state.fixture.facts.latest,
                                           actor: "benchmark", note: nil)
        var summary = IngestSummary()
        try Suite.measure(benchmark, events: state.fixture.facts.customers.count) {
            summary = try state.store.append(lines: [line], source: "benchmark") { _ in }
        }
        if summary.accepted != 1 { benchmark.error("the policy change was not accepted") }
    } setup: {
        let fixture = try Fixture.prepare(ingested: true)
        let directory = try Suite.scratch("regrade")
        try FileManager.default.copyItem(atPath: fixture.storePath + "/data.mdb", toPath: directory + "/data.mdb")
        var options = Store.Options()
        options.durable = false
        return OpenStore(fixture: fixture, store: try Store(directory: directory, create: false, options: options))
    } teardown: {
        Suite.removeScratch("regrade")
    }

    Benchmark("Verify", configuration: Suite.wholeFeed) { benchmark, state in
        var report: VerifyReport?
        try Suite.measure(benchmark, events: state.fixture.facts.lines) {
            report = try state.store.verify()
        }
        if let report, !report.ok { benchmark.error("verify found problems: \(report.problems.prefix(3))") }
    } setup: {
        try OpenStore(fixture: Fixture.prepare(ingested: true))
    }

    // `arlog audit verify` in process: the chain, the indexes both ways and every projection
    // against a replay (issue 9's aim: at least 1,000,000 events/s).
    Benchmark("Audit verify", configuration: Suite.wholeFeed) { benchmark, state in
        var report: AuditReport?
        try Suite.measure(benchmark, events: state.fixture.facts.lines) {
            report = try state.store.auditVerify()
        }
        if let report, !report.ok || report.events != UInt64(state.fixture.facts.lines) {
            benchmark.error("audit verify: \(report.events) events, problems: \(report.problems.prefix(3))")
        }
    } setup: {
        try OpenStore(fixture: Fixture.prepare(ingested: true))
    }

    // The fold without LMDB: every line of the feed, in memory, through the intake pipeline
    // (parse, decode, validate against the accepted state, apply, risk evaluation) into an
    // `InMemoryLog`, the in-process intake entry point there is. Issue 9 aims at ≤ 2 mallocs
    // per event here; at 1,000,000 events the malloc count in millions is the count per event.
    // The InMemoryLog also keeps each event and a copy of its bytes (1 malloc per event, and
    // its arrays' growth), which a store does in LMDB instead.
    Benchmark("Fold only", configuration: Suite.wholeFeed) { benchmark, feed in
        var log = InMemoryLog()
        var accepted = 0
        try Suite.measure(benchmark, events: feed.lines.count) {
            try feed.bytes.withUnsafeBytes { all in
                for range in feed.lines {
                    if case .accepted = try Intake.process(line: UnsafeRawBufferPointer(rebasing: all[range]), into: &log) {
                        accepted += 1
                    }
                }
            }
        }
        // Freed here, after the measurement.
        blackHole(log)
        if accepted != feed.lines.count { benchmark.error("the fold accepted \(accepted) of \(feed.lines.count) lines") }
    } setup: {
        try FeedBytes(path: Fixture.prepare(ingested: false).feedPath)
    }

    // The pure domain cost of a line, without LMDB: parse the JSON and decode the event. The
    // feed is in memory, so this is also the floor under ingest's per-event cost.
    Benchmark("Parse+decode only", configuration: Suite.wholeFeed) { benchmark, feed in
        var decoded = 0
        try Suite.measure(benchmark, events: feed.lines.count) {
            try feed.bytes.withUnsafeBytes { all in
                for range in feed.lines {
                    let object = try JSONParser.parseObject(UnsafeRawBufferPointer(rebasing: all[range]))
                    let event = try EventDecoder.decode(object, id: EventDecoder.eventID(object))
                    blackHole(event)
                    decoded += 1
                }
            }
        }
        if decoded != feed.lines.count { benchmark.error("decoded \(decoded) of \(feed.lines.count) lines") }
    } setup: {
        try FeedBytes(path: Fixture.prepare(ingested: false).feedPath)
    }

    // What intake runs first on every line: the fast decoder (FastDecoder), straight from the
    // bytes to the event. Every generated line must decode here (none falls back to the slow
    // path above); compare its time and mallocs per event with "Parse+decode only".
    Benchmark("Parse+decode only (fast decoder)", configuration: Suite.wholeFeed) { benchmark, feed in
        var decoded = 0
        Suite.measure(benchmark, events: feed.lines.count) {
            feed.bytes.withUnsafeBytes { all in
                for range in feed.lines {
                    if case .event(let event) = FastDecoder.decode(UnsafeRawBufferPointer(rebasing: all[range])) {
                        blackHole(event)
                        decoded += 1
                    }
                }
            }
        }
        if decoded != feed.lines.count { benchmark.error("decoded \(decoded) of \(feed.lines.count) lines fast") }
    } setup: {
        try FeedBytes(path: Fixture.prepare(ingested: false).feedPath)
    }

    // One hostile line: parse an object of 10k or 40k distinct keys twice and compare the two
    // (the repeated-key check, then the duplicate check of a whole event). Linear: the 40k
    // figures are about 4 × the 10k ones; quadratic would be 16 × (see JSONKeys.swift).
    for keys in [10_000, 40_000] {
        Benchmark("JSON object of \(keys / 1000)k keys", configuration: JSONKeys.configuration) { benchmark, line in
            for _ in benchmark.scaledIterations {
                let object = try JSONParser.parseObject(line)
                let again = try JSONParser.parseObject(line)
                if object != again { benchmark.error("the two parses differ") }
            }
        } setup: {
            JSONKeys.line(keys: keys)
        }
    }

    // MARK: Queries on a warm store: one iteration is `Suite.callsPerIteration` calls, so the
    // times shown (marked *) are per call.

    // `balance` in process (issue 9's aim: < 5 µs a call), each call a different customer.
    // Besides the package's per-call times (marked *), "Time per call (ns)" is measured here
    // around the calls and divided by their number, so it cannot be misread.
    Benchmark("Balance in process", configuration: Suite.perCallTimed) { benchmark, state in
        let clock = ContinuousClock()
        let started = clock.now
        for _ in benchmark.scaledIterations {
            blackHole(try state.store.balance(state.nextCustomer()))
        }
        let elapsed = started.duration(to: clock.now)
        let nanos = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) * 1e-9
        benchmark.measurement(Suite.nanosPerCall, Int((nanos / Double(benchmark.scaledIterations.count)).rounded()))
    } setup: {
        try OpenStore(fixture: Fixture.prepare(ingested: true))
    }

    // As of the feed's middle instant nearly every customer has later events, so this is the
    // replay path: fold the customer's events up to that instant.
    Benchmark("Balance as-of query", configuration: Suite.perCall) { (benchmark, state: OpenStore) in
        for _ in benchmark.scaledIterations {
            blackHole(try state.store.balance(state.nextCustomer(), asOf: state.fixture.facts.middle))
        }
    } setup: {
        let fixture = try Fixture.prepare(ingested: true)
        // Only customers registered by then exist as of then.
        let middleLine = fixture.facts.lines / 2
        return try OpenStore(fixture: fixture, customers: fixture.facts.customers.filter { $0.line <= middleLine }.map(\.id))
    }

    // MARK: Portfolio reports: one iteration reads every customer.

    for (name, asOfMiddle) in [("Aging all customers", false), ("Aging all customers (as-of)", true)] {
        Benchmark(name, configuration: Suite.portfolio) { benchmark, state in
            let facts = state.fixture.facts
            blackHole(try state.store.aging(asOf: asOfMiddle ? facts.middle.utcDay : nil, today: facts.latest.utcDay))
        } setup: {
            try OpenStore(fixture: Fixture.prepare(ingested: true))
        }
    }
}

/// Configurations and helpers shared by the benchmarks.
enum Suite {
    /// Feed events handled per second of wall-clock time. Counted here because the package's
    /// `throughput` counts iterations per second, and one iteration is the whole feed.
    static var eventsPerSecond: BenchmarkMetric { .custom("Throughput (events/s)", polarity: .prefersLarger, useScalingFactor: false) }

    /// Wall-clock nanoseconds per call of a query benchmark, measured around its calls.
    static var nanosPerCall: BenchmarkMetric { .custom("Time per call (ns)", polarity: .prefersSmaller, useScalingFactor: false) }

    /// Calls per iteration of the query benchmarks: enough that the clock's own cost vanishes.
    static var callsPerIteration: BenchmarkScalingFactor { .kilo }

    /// Memory in MB; events/s as counted, not rounded to thousands.
    static var units: [BenchmarkMetric: BenchmarkUnits] {
        [.peakMemoryResident: .mega, .peakMemoryResidentDelta: .mega, eventsPerSecond: .count, nanosPerCall: .count]
    }

    /// Ingest, rebuild, verify, parse: up to half a minute per iteration on a million events,
    /// so few iterations and no warm-up; at least one iteration however long it takes.
    /// Milliseconds, because automatic units would round such times to whole seconds.
    static var wholeFeed: Benchmark.Configuration {
        .init(
            metrics: [
                .wallClock, .cpuTotal, eventsPerSecond, .peakMemoryResident, .peakMemoryResidentDelta,
                .mallocCountTotal, .memoryLeakedBytes,
            ],
            timeUnits: .milliseconds,
            units: units,
            warmupIterations: 0,
            maxDuration: .seconds(60),
            maxIterations: 5)
    }

    /// CPU time is left out: its clock ticks are coarser than one call.
    static var perCall: Benchmark.Configuration {
        .init(
            metrics: [.wallClock, .throughput, .mallocCountTotal],
            warmupIterations: 1,
            scalingFactor: callsPerIteration,
            maxDuration: .seconds(5),
            maxIterations: 10_000)
    }

    /// `perCall`, plus the time per call measured by the benchmark itself.
    static var perCallTimed: Benchmark.Configuration {
        var configuration = perCall
        configuration.metrics.append(nanosPerCall)
        return configuration
    }

    static var portfolio: Benchmark.Configuration {
        .init(
            metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResidentDelta],
            warmupIterations: 1,
            maxDuration: .seconds(10),
            maxIterations: 50)
    }

    /// Measures `body` alone (not the benchmark's own preparation or checks) and records its
    /// rate in events per second.
    static func measure(_ benchmark: Benchmark, events: Int, _ body: () throws -> Void) rethrows {
        let clock = ContinuousClock()
        benchmark.startMeasurement()
        let started = clock.now
        try body()
        let elapsed = started.duration(to: clock.now)
        benchmark.stopMeasurement()
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        if seconds > 0 { benchmark.measurement(eventsPerSecond, Int((Double(events) / seconds).rounded())) }
    }

    /// A benchmark's private store directory, emptied; teardown removes it.
    static func scratch(_ name: String) throws -> String {
        let path = Fixture.baseDirectory + "/scratch-" + name
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func removeScratch(_ name: String) {
        try? FileManager.default.removeItem(atPath: Fixture.baseDirectory + "/scratch-" + name)
    }
}

/// An open store and the customers a query benchmark asks about, in a fixed shuffled order so
/// that consecutive calls do not walk neighbouring B-tree pages.
final class OpenStore {
    let fixture: Fixture
    let store: Store
    private let customers: [String]
    private var cursor = 0

    convenience init(fixture: Fixture) throws {
        try self.init(fixture: fixture, customers: fixture.facts.customers.map(\.id))
    }

    init(fixture: Fixture, customers: [String]) throws {
        self.fixture = fixture
        self.store = try Store(directory: fixture.storePath, create: false)
        var generator = SplitMix64(state: Fixture.Parameters.seed)
        self.customers = customers.shuffled(using: &generator)
    }

    init(fixture: Fixture, store: Store) {
        self.fixture = fixture
        self.store = store
        self.customers = fixture.facts.customers.map(\.id)
    }

    func nextCustomer() -> String {
        let id = customers[cursor]
        cursor = cursor + 1 == customers.count ? 0 : cursor + 1
        return id
    }
}

