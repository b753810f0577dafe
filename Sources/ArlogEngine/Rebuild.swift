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
    /// Events replayed per write transaction during rebuild and catch-up: twice ingest's
    /// batches. Each commit rewrites every page it touched, so fewer commits write less; a
    /// replay holds no input lines, so at 1M events (22,000 customers) it peaks at 178 MB of
    /// heap at this size against 162 MB at 65,536 and 209 MB at 262,144, and takes 7.7–8.2 s
    /// against 9.2–9.6 s. A transaction that meets LMDB's dirty-page limit is split
    /// (`catchUp`).
    public static let replayBatchEventsDefault = 2 * IngestOptions().batchEventsMax

    /// Drops the projections (and with `indexes`, the log's indexes too) and replays the log
    /// into fresh ones. Interrupted, it resumes at the next write (`arlog rebuild` again, or an
    /// ingest); until then queries answer from the projections as far as they got, and say so.
    public func rebuild(indexes: Bool = false, batchEventsMax: Int = Store.replayBatchEventsDefault,
                        progress: ((UInt64) -> Void)? = nil) throws -> RebuildSummary {
        let started = Store.monotonicSeconds()
        try env.write { txn in
            for db in projectionDatabases { try txn.drop(db) }
            if indexes { for db in indexDatabases { try txn.drop(db) } }
            try txn.put(meta, key: MetaKey.projected, value: UInt64(0).bigEndianBytes)
        }
        cache = StateCache()
        var summary = RebuildSummary()
        summary.events = try catchUp(batchEventsMax: batchEventsMax, progress: progress)
        summary.customers = try env.read { txn in try txn.count(states) }
        summary.seconds = Store.monotonicSeconds() - started
        return summary
    }

    /// Replays the log past the projected position, in batches, each its own write
    /// transaction that commits the position it reached; returns the events replayed. Every
    /// writer calls this before it writes (under LMDB's write lock, so two processes never
    /// replay the same events), and a reader never does: readers answer from the projections
    /// as committed. The state cache is used only when no other transaction committed since
    /// this process's last one (`StateCache`). The log's indexes are rewritten too when they
    /// are missing (a rebuild that dropped them).
    @discardableResult
    func catchUp(batchEventsMax: Int = Store.replayBatchEventsDefault, batchesMax: Int = .max, progress: ((UInt64) -> Void)? = nil) throws -> UInt64 {
        precondition(batchEventsMax > 0, "a replay batch holds at least one event")
        var replayed: UInt64 = 0
        var batches = 0
        var eventsMax = batchEventsMax
        while batches < batchesMax {
            batches += 1
            let step: (from: UInt64, to: UInt64, held: HeldStates, transactionID: Int)?
            do {
                step = try replayBatch(eventsMax: eventsMax)
            } catch let e as LMDBError where e.isTransactionFull && eventsMax > 1 {
                // The batch dirtied more pages than LMDB tracks in one transaction (writers
                // write through the map, so LMDB cannot spill them): nothing of it was
                // committed; replay it, and the rest, in halves.
                eventsMax /= 2
                batches -= 1
                continue
            }
            guard let step else { break }
            cache.restore(step.held, transactionID: step.transactionID)
            replayed += step.to - step.from
            progress?(step.to)
        }
        return replayed
    }

    /// One batch of `catchUp`, in its own write transaction; nil when the projections reflect
    /// the whole log.
    private func replayBatch(eventsMax batchEventsMax: Int) throws -> (from: UInt64, to: UInt64, held: HeldStates, transactionID: Int)? {
        return try env.write { txn -> (from: UInt64, to: UInt64, held: HeldStates, transactionID: Int)? in
            let head = try Store.u64(txn, meta, MetaKey.head)
            let projected = try Store.u64(txn, meta, MetaKey.projected)
            guard projected < head else { return nil }
            var state = try BatchState(store: self, txn: txn, held: cache.take(transactionID: txn.id), head: head, appending: nil)
            // The id index covers the log unless a rebuild dropped the indexes.
            state.reindexing = try txn.count(ids) < Int(projected + 1)
            var position = projected
            var count = 0
            try txn.scan(log, from: (projected + 1).bigEndianBytes) { key, value in
                guard let seq = UInt64(bigEndianBytes: key) else { throw Store.corrupt(log, "a key of \(key.count) bytes", StoredDataError("not a log position")) }
                guard seq == position + 1 else { throw EngineError(.store, "log has a gap after sequence \(position)") }
                let view = try Store.decoding(log, "log position \(seq)", value) { try EventRecord.View($0) }
                try state.replay(view, seq: seq)
                position = seq
                count += 1
                return count < batchEventsMax && seq < head && state.hasRoom(stateBytesMax: Store.transactionStateBytesMax)
            }
            guard position > projected else { throw EngineError(.store, "log ends at \(projected) but its head says \(head)") }
            try state.finish(projected: position)
            return (projected, position, state.held, txn.id)
        }
    }

    /// The projections do not reflect the whole log (a rebuild was interrupted, or is running
    /// in another process): a writer catches up before it appends.
    struct ProjectionsBehind: Error {}
    /// Catch-ups one write may need before it gives up: one normally (after an interrupted
    /// rebuild); more only if other processes keep starting rebuilds meanwhile.
    static let catchUpsPerWriteMax = 8

    /// A write transaction in which the projections reflect the whole log: catches up first
    /// when they do not (outside any transaction: catch-up takes the write lock batch by
    /// batch), then runs `body` with the head and the projected position equal. Every write
    /// that folds events into projections goes through here.
    func writeCaughtUp<T>(_ body: (WriteTransaction) throws -> T) throws -> T {
        var catchUps = 0
        while true {
            do {
                return try env.write { txn in
                    guard try Store.u64(txn, meta, MetaKey.projected) == Store.u64(txn, meta, MetaKey.head) else {
                        throw ProjectionsBehind()
                    }
                    return try body(txn)
                }
            } catch is ProjectionsBehind {
                guard catchUps < Store.catchUpsPerWriteMax else {
                    throw EngineError(.store, "the projections keep falling behind the log: another process keeps rebuilding them; retry when it has finished")
                }
                catchUps += 1
                try catchUp()
            }
        }
    }

    /// How far the projections are behind the log. Behind only while a rebuild runs, or after
    /// one was interrupted, until the next write catches up.
    public func projectionStatus() throws -> ProjectionStatus {
        try env.read { txn in
            ProjectionStatus(projected: try Store.u64(txn, meta, MetaKey.projected), head: try Store.u64(txn, meta, MetaKey.head))
        }
    }
}

/// The log position the projections reflect, and the log's head.
public struct ProjectionStatus: Sendable, Equatable {
    public let projected: UInt64
    public let head: UInt64
    public var isBehind: Bool { projected < head }
}
