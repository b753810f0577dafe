import ArlogDomain
import ArlogStorage

#if canImport(Glibc)
    import Glibc
#endif

public struct IngestOptions: Sendable {
    /// All-or-nothing per file: any rejected line and nothing of the file is kept.
    public var atomic = false
    /// Events per write transaction. Bounds the work lost to a crash and the memory a batch
    /// holds. Large, because a commit rewrites every B-tree page the batch touched: events of
    /// many customers land on pages all over the customer-keyed databases, so small batches
    /// rewrite the same pages again and again (measured: 8192 → 65536 cut the bytes written
    /// per event several times; see docs/performance.md).
    public var batchEventsMax = 65_536
    /// Bytes of input per write transaction, for the same reasons (and it is held in memory).
    public var batchBytesMax = 32 << 20
    /// Bytes of decoded states one transaction may hold (see `Store.transactionStateBytesMax`).
    public var transactionStateBytesMax = Store.transactionStateBytesMax
    /// The largest file `--atomic` accepts: it is held in memory and in one transaction.
    public var atomicBytesMax = 1 << 30
    /// Commit what has been read when the input pauses this long (milliseconds; nil: only
    /// when a batch is full or the input ends). A live stream (`arlog ingest -` from a pipe)
    /// then shows up in queries within this delay instead of after 65,536 events; a file
    /// never pauses, so its batches stay full. Long enough to group a burst of lines into
    /// one commit (each commit is an fsync), short enough that nobody waits for it.
    public var commitDelayMillis: Int? = 200
    public static let commitDelayMillisRange = 1...60_000

    public init() {}
}

/// Counts of one ingest run.
public struct IngestSummary: Sendable, Equatable {
    public var lines = 0
    public var accepted = 0
    public var duplicates = 0
    public var rejected = 0
    /// Valid lines not kept because `--atomic` rolled their file back.
    public var rolledBack = 0
    public var seconds = 0.0

    public init() {}

    public var eventsPerSecond: Double { seconds > 0 ? Double(accepted + duplicates) / seconds : 0 }

    public static func + (a: IngestSummary, b: IngestSummary) -> IngestSummary {
        var s = a
        s.lines += b.lines
        s.accepted += b.accepted
        s.duplicates += b.duplicates
        s.rejected += b.rejected
        s.rolledBack += b.rolledBack
        s.seconds += b.seconds
        return s
    }
}

/// A line that was not accepted: where it was, which event, which rule, and its text.
public struct RejectedLine: Sendable {
    public let source: String
    public let line: Int
    public let id: String?
    public let rejection: Rejection
    public let raw: [UInt8]
    /// With `--atomic`, a valid line that was not kept because another line of the file failed.
    public let rolledBack: Bool
}

/// An ingest that failed part-way (a full disk, a read error, a storage error): what was
/// committed before the failure stays committed, and this says how much that was, so that
/// nobody believes a run that committed 25,000 events "accepted 0".
public struct IngestInterrupted: Error, CustomStringConvertible {
    /// The batches committed before the failure (their rejected lines were reported).
    public let committed: IngestSummary
    /// The input and the last line number of the committed batches (0: none).
    public let source: String
    public let committedThroughLine: Int
    /// What failed.
    public let underlying: Error

    public var description: String { message(cause: "\(underlying)") }

    /// The sentence for people, with `cause` saying what failed (e.g. storage advice).
    public func message(cause: String) -> String {
        let what = committed.accepted == 1 ? "1 event" : "\(committed.accepted) events"
        let through = committedThroughLine > 0 ? " (through line \(committedThroughLine) of \(source))" : ""
        return "\(cause); \(what) accepted before it are committed\(through). Ingesting the same input again skips them as duplicates and adds the rest."
    }
}

extension Store {
    /// Ingests NDJSON from `path` ("-" for standard input), in order, committing in batches;
    /// each batch's events, indexes and projections are one transaction. A batch is committed
    /// when it is full, at the end of the input, and when the input pauses for
    /// `options.commitDelayMillis` (a live stream). A failure after some batches committed is
    /// thrown as `IngestInterrupted`, which says what was committed.
    public func ingest(
        path: String, options: IngestOptions = IngestOptions(),
        progress: ((IngestSummary) -> Void)? = nil,
        rejected: (RejectedLine) -> Void
    ) throws -> IngestSummary {
        let fd = path == "-" ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw EngineError(.io, "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { if fd != STDIN_FILENO { Glibc.close(fd) } }
        let name = path == "-" ? "<stdin>" : path
        var reader = LineReader(fd: fd, name: name)
        let started = Store.monotonicSeconds()
        var summary = IngestSummary()
        var committedThroughLine = 0
        let eventsMax = options.atomic ? Int.max : options.batchEventsMax
        let bytesMax = options.atomic ? options.atomicBytesMax : options.batchBytesMax
        // --atomic commits once, at the end: a pause changes nothing.
        let pauseMillis = options.atomic ? nil : options.commitDelayMillis
        var batch = Batch()
        var lastProgress = started
        // Lines one transaction may take: a batch's, until one dirtied more pages than LMDB
        // tracks (`MDB_TXN_FULL`; writers write through the map, so LMDB cannot spill them);
        // then halved, and kept so for the rest of the input.
        var transactionLinesMax = Int.max
        do {
            while true {
                let line = try reader.next(waitMillis: batch.lines.isEmpty ? nil : pauseMillis)
                var paused = false
                switch line {
                case .text(let number, let range):
                    reader.buffer.withUnsafeBytes { batch.add(number: number, bytes: UnsafeRawBufferPointer(rebasing: $0[range])) }
                case .tooLong(let number, let prefix):
                    batch.addTooLong(number: number, prefix: prefix)
                case .paused:
                    paused = true
                case nil:
                    break
                }
                if options.atomic, batch.bytes.count > bytesMax {
                    throw EngineError(.usage, "\(name) is larger than --atomic accepts (\(bytesMax) bytes); split it or ingest without --atomic")
                }
                let full = batch.lines.count >= eventsMax || batch.bytes.count >= bytesMax
                if line == nil || paused || (full && !options.atomic) {
                    if !batch.lines.isEmpty {
                        // A batch may take several transactions when its customers' ledgers are
                        // large (see `Store.transactionStateBytesMax`); --atomic keeps one.
                        var from = 0
                        while from < batch.lines.count {
                            let s: IngestSummary
                            let consumed: Int
                            do {
                                (s, consumed) = try commit(batch, from: from, linesMax: transactionLinesMax, source: name, options: options, rejected: rejected)
                            } catch let e as LMDBError where e.isTransactionFull && !options.atomic && min(transactionLinesMax, batch.lines.count - from) > 1 {
                                // Nothing of the attempt was committed: take the rest in halves.
                                transactionLinesMax = min(transactionLinesMax, batch.lines.count - from) / 2
                                continue
                            }
                            summary = summary + s
                            from += consumed
                            committedThroughLine = batch.lines[from - 1].number
                        }
                        batch = Batch()
                    }
                    let now = Store.monotonicSeconds()
                    if let progress, now - lastProgress >= 0.5 {
                        var s = summary
                        s.seconds = now - started
                        progress(s)
                        lastProgress = now
                    }
                }
                if line == nil { break }
            }
        } catch let error where summary.lines > 0 {
            summary.seconds = Store.monotonicSeconds() - started
            throw IngestInterrupted(committed: summary, source: name, committedThroughLine: committedThroughLine, underlying: error)
        }
        summary.seconds = Store.monotonicSeconds() - started
        return summary
    }

    /// Lines waiting for one transaction: their bytes in one buffer.
    struct Batch {
        var bytes: [UInt8] = []
        var lines: [(number: Int, range: Range<Int>, tooLong: Bool)] = []

        mutating func add(number: Int, bytes line: UnsafeRawBufferPointer) {
            let start = bytes.count
            bytes.append(contentsOf: line)
            lines.append((number, start..<bytes.count, false))
        }

        mutating func addTooLong(number: Int, prefix: [UInt8]) {
            let start = bytes.count
            bytes.append(contentsOf: prefix)
            lines.append((number, start..<bytes.count, true))
        }
    }

    struct AtomicRollback: Error {}

    /// Runs one batch through intake in a single write transaction. The body may run again
    /// after the map grows, so it returns what happened and nothing outside changes until the
    /// commit succeeded.
    /// Processes lines of `batch` from `from` on, until the batch ends or (unless atomic) the
    /// states it holds reach `options.transactionStateBytesMax` or `linesMax` lines are taken;
    /// returns the summary and the number of lines consumed.
    func commit(_ batch: Batch, from: Int, linesMax: Int = .max, source: String, options: IngestOptions, rejected: (RejectedLine) -> Void) throws -> (IngestSummary, Int) {
        let lines = batch.lines[from...]
        let atomic = options.atomic
        var outcomes: [(line: Int, id: String?, rejection: Rejection?, duplicate: Bool)] = []
        var statesAfter = HeldStates()
        var committedTransactionID = 0
        var rolledBack = false
        do {
            try writeCaughtUp { txn in
                outcomes = []
                let head = try Store.u64(txn, meta, MetaKey.head)
                let lastRecorded = Int64(bitPattern: try Store.u64(txn, meta, MetaKey.recordedAt))
                let chainHead = try Store.chainHead(txn, meta)
                guard chainHead.seq == head else {
                    throw EngineError(.store, "the chain head (\(chainHead.seq)) is not the log head (\(head)); run arlog audit verify")
                }
                // Recording times never go backwards, whatever the clock does. The cache is
                // taken (empty unless this process made the last commit); it returns only on
                // commit.
                var state = try BatchState(store: self, txn: txn, held: cache.take(transactionID: txn.id), head: head,
                                           appending: (max(recordingClock(), lastRecorded), chainHead.hash))
                try batch.bytes.withUnsafeBytes { all in
                    for line in lines {
                        if !atomic, !state.hasRoom(stateBytesMax: options.transactionStateBytesMax) || outcomes.count >= linesMax, !outcomes.isEmpty { break }
                        if line.tooLong {
                            outcomes.append((line.number, nil, Rejection(.lineTooLong, "line is longer than \(FeedLimits.lineBytesMax) bytes"), false))
                            continue
                        }
                        switch try Intake.process(line: UnsafeRawBufferPointer(rebasing: all[line.range]), into: &state) {
                        case .accepted(let id): outcomes.append((line.number, id, nil, false))
                        case .duplicate(let id): outcomes.append((line.number, id, nil, true))
                        case .rejected(let rejection, let id): outcomes.append((line.number, id, rejection, false))
                        }
                    }
                }
                if atomic, outcomes.contains(where: { $0.rejection != nil }) { throw AtomicRollback() }
                try state.finish()
                committedTransactionID = txn.id
                statesAfter = state.held
            }
            cache.restore(statesAfter, transactionID: committedTransactionID)
        } catch is AtomicRollback {
            rolledBack = true
        }
        var s = IngestSummary()
        for (o, line) in zip(outcomes, lines) {
            s.lines += 1
            if let r = o.rejection {
                s.rejected += 1
                rejected(RejectedLine(source: source, line: o.line, id: o.id, rejection: r, raw: Array(batch.bytes[line.range]), rolledBack: false))
            } else if o.duplicate {
                s.duplicates += 1
            } else if rolledBack {
                s.rolledBack += 1
                rejected(RejectedLine(source: source, line: o.line, id: o.id, rejection: Rejection(.rolledBack, "valid, but not kept: --atomic and another line of the file was rejected"), raw: Array(batch.bytes[line.range]), rolledBack: true))
            } else {
                s.accepted += 1
            }
        }
        return (s, outcomes.count)
    }

    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
