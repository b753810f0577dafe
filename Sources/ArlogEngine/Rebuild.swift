import ArlogDomain
import ArlogStorage

public struct RebuildSummary: Sendable {
    public var events: UInt64 = 0
    public var customers = 0
    public var seconds = 0.0
    public var eventsPerSecond: Double { seconds > 0 ? Double(events) / seconds : 0 }
}

/// What `verify` found: every customer whose stored projection differs from a replay of the
/// log, and any index that disagrees with the log.
public struct VerifyReport: Sendable {
    public var events: UInt64 = 0
    public var customers = 0
    public var problems: [String] = []
    public var ok: Bool { problems.isEmpty }
    /// Problems listed in full; past this only counted.
    public static let problemsListedMax = 100
    public var problemsNotListed = 0

    mutating func problem(_ p: String) {
        if problems.count < VerifyReport.problemsListedMax { problems.append(p) } else { problemsNotListed += 1 }
    }
}

extension Store {
    /// Events replayed per write transaction during rebuild and catch-up: as large as ingest's
    /// batches, for the same reason (each commit rewrites every page it touched).
    static let replayBatchEventsMax = IngestOptions().batchEventsMax

    /// Drops every projection and index derived from the log and replays the log into fresh
    /// ones. Interrupted, it resumes the next time the store is opened.
    public func rebuild(progress: ((UInt64) -> Void)? = nil) throws -> RebuildSummary {
        let started = Store.monotonicSeconds()
        try env.write { txn in
            for db in derivedDatabases { try txn.drop(db) }
            try txn.put(meta, key: MetaKey.projected, value: UInt64(0).bigEndianBytes)
        }
        cache = LedgerCache()
        var summary = RebuildSummary()
        summary.events = try catchUp(progress: progress)
        summary.customers = try env.read { txn in try txn.count(ledgers) }
        summary.seconds = Store.monotonicSeconds() - started
        return summary
    }

    /// Replays the log past the projected position, in batches. Returns events replayed.
    @discardableResult
    func catchUp(progress: ((UInt64) -> Void)? = nil) throws -> UInt64 {
        var replayed: UInt64 = 0
        while true {
            var ledgersAfter: [String: CustomerLedger] = [:]
            var from: UInt64 = 0
            var position: UInt64 = 0
            var head: UInt64 = 0
            let done = try env.write { txn -> Bool in
                head = try Store.u64(txn, meta, MetaKey.head)
                let projected = try Store.u64(txn, meta, MetaKey.projected)
                guard projected < head else { return true }
                // The last recording time stays (finish writes it back): replay records nothing.
                let recorded = Int64(bitPattern: try Store.u64(txn, meta, MetaKey.recordedAt))
                var state = try BatchState(store: self, txn: txn, ledgers: cache.take(head: cache.head), head: head, recordedAtMicros: recorded)
                from = projected
                position = projected
                var count = 0
                try txn.scan(log, from: (projected + 1).bigEndianBytes) { key, value in
                    guard let seq = UInt64(bigEndianBytes: key) else { throw EngineError(.store, "corrupt log key") }
                    guard seq == position + 1 else { throw EngineError(.store, "log has a gap after sequence \(position)") }
                    try state.replay(try EventRecord(value).event(), seq: seq)
                    position = seq
                    count += 1
                    return count < Store.replayBatchEventsMax && seq < head && state.loadedItems < Store.transactionItemsMax
                }
                guard position > projected else { throw EngineError(.store, "log ends at \(projected) but its head says \(head)") }
                try state.finish(projected: position)
                ledgersAfter = state.ledgers
                return false
            }
            if done { break }
            // Entries reflect the projected position; only at the head may ingest trust them.
            cache.restore(ledgersAfter, head: position == head ? head : UInt64.max)
            replayed += position - from
            progress?(position)
        }
        return replayed
    }
}
