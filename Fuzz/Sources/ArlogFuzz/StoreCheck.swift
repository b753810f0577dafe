import ArlogDomain

@testable import ArlogEngine

#if canImport(Glibc)
    import Glibc
#endif

/// `ARLOG_FUZZ_STORE=1`: the same input through `Store.ingest` into a fresh LMDB store (not
/// durable: nothing here needs fsync), which must agree with the in-memory log line for line
/// and ledger for ledger, and pass `verify`. About a hundred times slower than the domain run,
/// so it is a mode, not the default.
enum StoreCheck {
    static func run(log: InMemoryLog, duplicates: Int, lines: [Harness.Line]) {
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        Harness.storeCount += 1
        let dir = "\(base)/arlog-fuzz-store-\(getpid())-\(Harness.storeCount)"
        defer { remove(directory: dir) }
        do {
            var options = Store.Options()
            options.durable = false
            options.mapSizeBytes = 16 << 20
            let store = try Store(directory: dir, create: true, options: options)
            defer { store.close() }
            var rejected = 0
            let summary = try store.ingest(path: "/proc/self/fd/\(Harness.feedFD)") { _ in rejected += 1 }
            let textLines = lines.filter { if case .text = $0 { true } else { false } }.count
            let tooLong = lines.count - textLines
            Harness.check(summary.accepted == log.events.count && summary.duplicates == duplicates,
                          "store accepted \(summary.accepted) and skipped \(summary.duplicates) duplicates; in memory \(log.events.count) and \(duplicates)")
            Harness.check(summary.accepted + summary.duplicates + rejected == textLines + tooLong,
                          "store counted \(summary.accepted + summary.duplicates + rejected) lines, the reader \(lines.count)")
            for (id, ledger) in log.ledgers {
                let stored = try store.ledger(id)
                Harness.check(stored == ledger, "store's ledger of \(id) differs from the in-memory one")
            }
            let report = try store.verify()
            Harness.check(report.ok, "verify found problems: \(report.problems.prefix(3))")
        } catch {
            Harness.fail("store ingest or query threw: \(error)")
        }
    }

    /// The store directory holds LMDB's two files; nothing else is created there.
    static func remove(directory: String) {
        for name in ["data.mdb", "lock.mdb"] { unlink("\(directory)/\(name)") }
        rmdir(directory)
    }
}
