import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// An ingest killed with SIGKILL at an arbitrary moment loses no committed event, leaves the
/// projections in step with the log, and ingesting the same file again completes it exactly.
@Suite(.serialized)
struct CrashTests {
    /// Big enough that a debug build is still ingesting when it is killed.
    static let feedEvents = 80_000

    @Test func killedIngestResumesToTheUninterruptedState() throws {
        let run = try CLIRun()
        let feed = run.directory.appendingPathComponent("feed.ndjson").path
        let gen = try CLIRun.runProduct("arlog-feedgen", ["--events", "\(Self.feedEvents)", "--customers", "2000", "--seed", "7", "--output", feed], in: run.directory)
        #expect(gen.status == 0, "\(gen.stderr)")

        // Start an ingest with small batches, and kill it once some batches are committed.
        let crashed = run.directory.appendingPathComponent("crashed").path
        let process = Process()
        process.executableURL = try builtProduct("arlog")
        process.arguments = ["ingest", feed, "--store", crashed, "--batch-events", "500"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        var committed = 0
        for _ in 0..<600 where process.isRunning {
            usleep(20_000)
            let stats = try run.arlog(["stats", "--format", "json", "--store", crashed], withStore: false)
            if stats.status == 0, let object = try? CLIFixtures.parse(stats.stdout) as? [String: Any],
                let events = object["events"] as? Int, events >= 2000
            {
                committed = events
                break
            }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try #require(committed > 0, "the ingest never committed a batch")
        let afterKill = try Self.events(run, crashed)
        // Killed mid-way (otherwise this test proves nothing): fewer events than the feed holds.
        #expect(afterKill < Self.feedEvents, "ingest finished before it was killed; raise feedEvents")
        #expect(afterKill >= committed)
        #expect(afterKill % 500 == 0, "only whole batches are committed")
        #expect(try run.arlog(["verify", "--store", crashed], withStore: false).status == 0)

        // Resume: the committed events are duplicates, the rest is accepted.
        let resumed = try run.arlog(["ingest", feed, "--store", crashed], withStore: false)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let counts = try #require(CLIFixtures.summary(resumed.stderrLines.last ?? ""))
        #expect(counts[0] == Self.feedEvents - afterKill)  // accepted
        #expect(counts[1] == afterKill)  // duplicates
        #expect(counts[2] == 0)  // rejected

        // The same answers as an ingest that was never interrupted.
        let clean = run.directory.appendingPathComponent("clean").path
        #expect(try run.arlog(["ingest", feed, "--store", clean], withStore: false).status == 0)
        for query in [["customers", "--format", "json"], ["aging", "--as-of", "2031-12-31", "--format", "json"], ["stats", "--format", "json"]] {
            let a = try run.arlog(query + ["--store", crashed], withStore: false)
            let b = try run.arlog(query + ["--store", clean], withStore: false)
            #expect(a.status == 0 && b.status == 0)
            #expect(a.stdout == b.stdout, "\(query[0]) differs after resume")
            #expect(a.stdout.count > 100)
        }
        #expect(try run.arlog(["verify", "--store", crashed], withStore: false).status == 0)
    }

    static func events(_ run: CLIRun, _ store: String) throws -> Int {
        let stats = try run.arlog(["stats", "--format", "json", "--store", store], withStore: false)
        let object = try #require(try CLIFixtures.parse(stats.stdout) as? [String: Any])
        return try #require(object["events"] as? Int)
    }
}
