import ArlogDomain
import ArlogStorage

/// The two halves of `verify` and `audit verify` on the two cores: the walk of the log (its
/// keys, headers, indexes, the chain, meta) on the calling thread, and the replay of every
/// customer compared with its stored records (`checkProjections`) on a second thread, each
/// in its own read transaction of the same snapshot.
///
/// (The replay is per customer, through its index, one customer at a time. A replay of every
/// customer together in log order, folded in the same walk of the log as rebuild does, was
/// tried and measured slower on the 1M-event store: 18.9–19.9 s of CPU against 13.9–14.1 s,
/// and 2.28 GB of peak RSS against 1.58 GB. Holding every customer's state, cold records
/// and expected records at once costs more in cache misses and allocator work than the point
/// look-ups of the log it saves; one customer at a time keeps its records hot and its memory
/// bounded by one customer.)
extension Store {
    /// What the replay found: its problems (the first `VerifyReport.problemsListedMax`, each
    /// with the log position it is charged to), how many more, the earliest position charged,
    /// and the snapshot it read.
    struct ReplayOutcome {
        var problems: [(message: String, seq: UInt64?)] = []
        var notListed = 0
        var firstSeq: UInt64?
        var customers = 0
        var transactionID = 0

        mutating func problem(_ message: String, _ seq: UInt64?) {
            if let seq { firstSeq = min(firstSeq ?? seq, seq) }
            if problems.count < VerifyReport.problemsListedMax { problems.append((message, seq)) } else { notListed += 1 }
        }
    }

    /// Replays every customer of the log in `txn` and compares its records
    /// (`checkProjections`). With `rederive` (audit verify) each event's binary form is derived
    /// again, and a wrong projection is charged to its customer's last event (where it went
    /// wrong is not knowable from the result alone), a wrong binary form to its entry.
    func replayAll(_ txn: ReadTransaction, rederive: Bool) throws -> ReplayOutcome {
        var out = ReplayOutcome()
        out.transactionID = txn.id
        out.customers = try checkProjections(txn, rederive: rederive) { customer, message, seq in
            var charged = seq
            if rederive, seq == nil, !customer.isEmpty {
                try forEachEvent(txn, of: customer) { seq, _, _ in
                    charged = seq
                    return true
                }
            }
            out.problem(message, charged)
        }
        return out
    }

    /// The replay of every customer (`replayAll`) on a second thread, in a read transaction of
    /// its own, while `checks` (the walk of the log, meta) run on this one in `txn`: LMDB is
    /// opened with MDB_NOTLS and each transaction stays on its thread. The replay counts only
    /// if it read the same snapshot (the same transaction id); otherwise (a write committed
    /// between the two begins) it runs again here, in `txn`. An error of either is thrown.
    func replayAlongside(_ txn: ReadTransaction, rederive: Bool, when replaying: Bool,
                         _ checks: () throws -> Void) throws -> ReplayOutcome {
        guard replaying else {
            try checks()
            return ReplayOutcome()
        }
        let replayed = try Store.onSecondThread({ try env.read { try replayAll($0, rederive: rederive) } }, while: checks)
        let outcome = try replayed.get()
        if outcome.transactionID == txn.id { return outcome }
        return try replayAll(txn, rederive: rederive)
    }

    /// Whether meta says the projections are behind the log (read as `checkMeta` reads it, a
    /// damaged record as 0): then they are not compared, and not replayed.
    func projectionsBehind(_ txn: ReadTransaction) -> Bool {
        ((try? Store.u64(txn, meta, MetaKey.projected)) ?? 0) != ((try? Store.u64(txn, meta, MetaKey.head)) ?? 0)
    }

    /// Runs `work` on a new thread while `body` runs on this one, and returns `work`'s result
    /// once both have ended (the thread is joined even when `body` throws). Without a thread
    /// (pthread_create failed) `work` runs here after `body`.
    static func onSecondThread<T>(_ work: () throws -> T, while body: () throws -> Void) throws -> Result<T, Error> {
        var result: Result<T, Error>?
        try withoutActuallyEscaping(work) { work in
            let job = { result = Result { try work() } }
            let thread = OSThread.start(detached: false, job)
            defer { if let thread { OSThread.join(thread) } }
            try body()
            if thread == nil { job() }
        }
        // Set by the job, which ran (here or on the joined thread) before this line.
        return result ?? .failure(EngineError(.store, "internal: the replay thread did not run"))
    }

    /// Walks the whole log in one snapshot and one pass: recomputes the chain and compares it
    /// with every stored link and the head; checks every record's header against its binary
    /// form and its bytes as received, recording times never going backwards, and that the id,
    /// customer, reference and globals indexes hold exactly what the log implies (nothing
    /// missing, nothing extra, the right values); checks meta as `verify` does; then that every
    /// stored projection equals a replay, each event's binary form derived again from its bytes
    /// as received. With `expect`, also proves that the history up to its sequence number is
    /// the one that produced its hash.
    public func auditVerify(expect: ChainHead? = nil) throws -> AuditReport {
        var report = AuditReport()
        try env.read { txn in
            let storedHead: ChainHead
            do {
                storedHead = try Store.chainHead(txn, meta)
            } catch let e as EngineError {
                report.problem(e.message, seq: nil)
                storedHead = ChainHead(seq: 0, hash: .genesis)
            }
            report.head = storedHead
            var hash = ChainHash.genesis
            var expected: UInt64 = 1
            var chainBroken = false
            let references = StoreReferences(store: self, txn: txn)
            var noCold = MemoryCold()
            var facts = LogFacts()
            var m = MetaFacts()
            // The replay of the customers on the second core, the chain and the indexes here.
            let replayed = try replayAlongside(txn, rederive: true, when: !projectionsBehind(txn)) {
                facts = try checkLog(txn, { message, seq in report.problem(message, seq: seq) }) { seq, view in
                    // A gap or an unreadable entry breaks the chain from there (checkLog reports it).
                    if seq != expected { chainBroken = true }
                    expected = seq + 1
                    guard let view else {
                        chainBroken = true
                        return
                    }
                    hash = hash.next(seq: seq, event: view.raw)
                    if !chainBroken {
                        let stored = try txn.withValue(chain, key: seq.bigEndianBytes) { link in
                            link.count == ChainHash.byteCount ? (hash.equals(stored: link) ? "" : "chain: entry \(seq) does not match its stored link (changed, inserted or reordered)")
                                : "chain: the link of entry \(seq) is \(link.count) bytes, not \(ChainHash.byteCount)"
                        } ?? "chain: entry \(seq) has no stored link"
                        if !stored.isEmpty {
                            report.problem(stored, seq: seq)
                            chainBroken = true
                        }
                    }
                    if let expect, seq == expect.seq {
                        report.expectationHeld = !chainBroken && hash == expect.hash
                    }
                    // The header must say what the (hashed) bytes say; the binary form of a log-wide
                    // event is derived again here (a customer's, in its replay).
                    guard let event = try? view.event(), event.id == view.id, event.customer == view.customer, event.type == view.header.type,
                        event.at == view.header.at
                    else {
                        report.problem("log entry \(seq): its header does not match its event bytes", seq: seq)
                        return
                    }
                    if event.type.isGlobal {
                        do {
                            var none: CustomerState?
                            try rederiveBinary(view, seq, event: event, state: &none, cold: &noCold, refs: references)
                        } catch let e as EngineError {
                            report.problem(e.message, seq: seq)
                        }
                    }
                }
                let last = expected - 1
                m = try checkMeta(txn, log: facts) { message, seq in report.problem(message, seq: seq) }
                report.events = m.head
                if storedHead.seq != last || (!chainBroken && storedHead.hash != hash) {
                    report.problem("chain head \(storedHead) does not match the log (\(last):\(hash))", seq: min(storedHead.seq, last) + 1)
                }
                let chainCount = try txn.count(chain)
                if chainCount != facts.entries { report.problem("chain holds \(chainCount) links for \(facts.entries) entries", seq: nil) }
                if let expect {
                    if report.expectationHeld == nil {
                        report.expectationHeld = false
                        report.problem("expected head \(expect) is beyond the log (\(last) entries)", seq: nil)
                    } else if report.expectationHeld == false {
                        report.problem("the history up to \(expect.seq) is not the one whose hash was \(expect.hash)", seq: expect.seq)
                    }
                }
            }
            // Projections: each customer's stored records against a replay of its events.
            if m.projected != m.head {
                report.problem("projections reflect sequence \(m.projected), the log head is \(m.head) (a rebuild is running or was interrupted: run arlog rebuild); projections not compared", seq: m.projected + 1)
                return
            }
            // Charged by the replay: a projection to its customer's last event, a binary form
            // to its entry.
            for p in replayed.problems { report.problem(p.message, seq: p.seq) }
            if let first = replayed.firstSeq { report.firstBrokenSeq = min(report.firstBrokenSeq ?? first, first) }
        }
        return report
    }
}
