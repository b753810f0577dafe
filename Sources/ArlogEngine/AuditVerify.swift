import ArlogDomain
import ArlogStorage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A closure handed to a new thread (`Store.onSecondThread`), which joins it before anything
/// it captured is used again: unchecked, since the join is what orders the accesses.
final class ThreadJob: @unchecked Sendable {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}

/// The replay half of `verify` and `audit verify`, in log order: every customer of a pass is
/// replayed together, as rebuild does, while the same walk of the log checks the chain and the
/// indexes (`checkLog`); each customer's stored records are compared with its replay once,
/// when the pass ends. No point look-up of the log, and no second walk unless the customers'
/// events exceed `verifyPassEventsMax` (then the customers are cut into key ranges, each
/// replayed by its own walk).
extension Store {
    /// Customer events one replay pass holds at once. A pass keeps every state, cold record and
    /// expected record (checkpoints, late entries, grade changes, alerts) of its customers until
    /// it ends, about 0.5 KB per event (measured on the 1M-event benchmark store: 22,000
    /// customers, ~450 MB of heap); past this the customers are cut into key ranges of at most
    /// this many events, each replayed by its own walk of the log, so memory stays bounded
    /// whatever the log's length. A customer is never split: one with more events than this
    /// is a range of its own.
    public static let verifyPassEventsMax = 2_000_000

    /// The customers of one replay pass: those whose id (bytes) is in lower..<upper (nil: no
    /// bound). Ranges cover every id, so a customer the index misses still has one.
    struct CustomerRange {
        var lower: [UInt8]?
        var upper: [UInt8]?

        func contains(_ name: UnsafeRawBufferPointer) -> Bool {
            if let lower, name.lexicographicallyPrecedes(lower) { return false }
            if let upper, !name.lexicographicallyPrecedes(upper) { return false }
            return true
        }
    }

    /// Cuts the customers of the customer index (in key order) into ranges of at most
    /// `passEventsMax` events. One range when the whole index fits (no scan). Damaged keys are
    /// skipped here: `checkLog` reports them.
    func replayRanges(_ txn: ReadTransaction, passEventsMax: Int) throws -> [CustomerRange] {
        guard try txn.count(customerEvents) > passEventsMax else { return [CustomerRange()] }
        // Greedy, in key order: a customer that would overflow the current range starts the next.
        var bounds: [[UInt8]] = []
        var current: [UInt8]?
        var ofCurrent = 0
        var inRange = 0
        func close() {
            guard let current else { return }
            if inRange > 0, inRange + ofCurrent > passEventsMax {
                bounds.append(current)
                inRange = 0
            }
            inRange += ofCurrent
        }
        try txn.scan(customerEvents, from: nil) { key, _ in
            guard let zero = key.firstIndex(of: 0) else { return true }
            let name = UnsafeRawBufferPointer(rebasing: key[..<zero])
            if current.map({ !name.elementsEqual($0) }) ?? true {
                close()
                current = Array(name)
                ofCurrent = 0
            }
            ofCurrent += 1
            return true
        }
        close()
        var ranges: [CustomerRange] = []
        var lower: [UInt8]?
        for b in bounds {
            ranges.append(CustomerRange(lower: lower, upper: b))
            lower = b
        }
        ranges.append(CustomerRange(lower: lower, upper: nil))
        return ranges
    }

    /// What a customer's replay produced, and where its events are: a class, so the fold can
    /// take its state and cold records in place (two inout parts of one array element would
    /// overlap).
    final class CustomerReplay {
        let name: String
        var state: CustomerState?
        var cold = MemoryCold()
        var expected = ExpectedRecords()
        /// Entries whose binary form is not the one their bytes give (with `rederive`).
        var entryProblems: [(seq: UInt64, message: String)] = []
        /// The customer's last event in the log: a wrong projection is charged to it.
        var lastSeq: UInt64 = 0
        /// Why the replay stopped (a damaged entry): reported instead of a comparison.
        var failure: String?

        init(name: String) { self.name = name }
    }

    /// Totals over every pass, for the "nothing extra" counts.
    struct ReplayTotals {
        var customers = 0
        var items = 0
        var alerts = 0
        var checkpoints = 0
        var late = 0
        var grades = 0
    }

    /// The customers of one range replayed together, fed the log's entries in order.
    struct LogReplay {
        let store: Store
        let txn: ReadTransaction
        let rederive: Bool
        let range: CustomerRange
        let timeline: PolicyTimeline
        var slots: [String: Int] = [:]
        var replays: [CustomerReplay] = []
        /// The policy in force for log positions from..<until (not looked up per event).
        var policyInForce: (from: UInt64, until: UInt64, policy: CreditPolicy) = (1, 0, .default)

        init(store: Store, txn: ReadTransaction, rederive: Bool, range: CustomerRange, timeline: PolicyTimeline) {
            self.store = store
            self.txn = txn
            self.rederive = rederive
            self.range = range
            self.timeline = timeline
        }

        mutating func policy(atSeq seq: UInt64) -> CreditPolicy {
            if seq >= policyInForce.from, seq < policyInForce.until { return policyInForce.policy }
            let i = timeline.policies.lastIndex { $0.seq <= seq }
            let from = i.map { timeline.policies[$0].seq } ?? 0
            let until = i.map { $0 + 1 < timeline.policies.count ? timeline.policies[$0 + 1].seq : UInt64.max }
                ?? (timeline.policies.first?.seq ?? UInt64.max)
            policyInForce = (from, until, i.map { timeline.policies[$0].policy } ?? .default)
            return policyInForce.policy
        }

        /// Folds one readable entry of the log.
        mutating func step(_ seq: UInt64, _ view: EventRecord.View) throws {
            let h = view.header
            if h.type.isGlobal {
                // Every customer registered so far is evaluated (a customer's replay meets the
                // log-wide events after its first event).
                let policy = policy(atSeq: seq)
                let id = view.id
                for r in replays where r.failure == nil && r.state.exists {
                    let o = Projection.regrade(&r.state!, customer: r.name, policy: policy, seq: seq, type: h.type, at: h.at) {
                        RiskCause(seq: seq, eventID: id, type: h.type, at: h.at, payment: nil)
                    }
                    r.expected.outcome(o, r.name)
                }
                return
            }
            guard range.contains(UnsafeRawBufferPointer(rebasing: view.bytes[h.customerRange])) else { return }
            let customer = view.customer
            let r: CustomerReplay
            if let i = slots[customer] {
                r = replays[i]
            } else {
                r = CustomerReplay(name: customer)
                slots[customer] = replays.count
                replays.append(r)
            }
            r.lastSeq = seq
            guard r.failure == nil else { return }
            do {
                let e: LoggedEvent
                do {
                    e = try view.logged()
                } catch {
                    throw Store.corrupt(store.log, seq: seq, error)
                }
                if rederive {
                    do {
                        try store.rederiveBinary(view, seq, state: &r.state, cold: &r.cold,
                                                 refs: StoreReferences(store: store, txn: txn))
                    } catch let e as EngineError {
                        // Reported, and the replay goes on with the stored form (what ingest folded).
                        r.entryProblems.append((seq, e.message))
                    }
                }
                try Store.fold(e, seq: seq, customer: customer, eventID: view.id, state: &r.state, cold: &r.cold,
                               policy: policy(atSeq: seq), sink: &r.expected)
            } catch let e as EngineError {
                r.failure = e.message
            }
        }

        /// Compares every customer's stored records with its replay, in customer order, and
        /// adds to `totals`. `mismatch` gets a message and the log position it is charged to:
        /// the entry (a binary form), else the customer's last event.
        func finish(_ totals: inout ReplayTotals, _ mismatch: (String, UInt64?) throws -> Void) throws {
            let order = replays.indices.sorted { replays[$0].name.utf8.lexicographicallyPrecedes(replays[$1].name.utf8) }
            for i in order {
                let r = replays[i]
                let customer = r.name
                totals.customers += 1
                if let failure = r.failure {
                    try mismatch("customer \(customer): \(failure)", r.lastSeq)
                    continue
                }
                totals.items += r.cold.invoices.count + r.cold.payments.count
                totals.alerts += r.expected.alerts.count
                totals.checkpoints += r.expected.checkpoints.count
                totals.late += r.expected.late.count
                totals.grades += r.expected.grades.count
                for p in r.entryProblems { try mismatch("customer \(customer): \(p.message)", p.seq) }
                do {
                    try store.compare(txn, customer, r) { try mismatch($1, r.lastSeq) }
                } catch let e as EngineError {
                    try mismatch("customer \(customer): \(e.message)", r.lastSeq)
                }
            }
        }
    }

    /// After the last pass: each projection database holds exactly what the replays expect.
    func checkProjectionCounts(_ txn: ReadTransaction, _ totals: ReplayTotals, _ mismatch: (String) throws -> Void) throws {
        for (db, expected) in [(states, totals.customers), (profiles, totals.customers), (items, totals.items), (alerts, totals.alerts),
                               (checkpoints, totals.checkpoints), (late, totals.late), (grades, totals.grades)] {
            let count = try txn.count(db)
            if count != expected { try mismatch("\(db.name) holds \(count) records; the log implies \(expected)") }
        }
    }

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

    /// Replays every customer of the log in `txn`, range by range (one walk of the log each:
    /// one walk unless the customers' events exceed `passEventsMax`), comparing each range's
    /// customers when its walk ends; then the counts ("nothing extra").
    func replayAll(_ txn: ReadTransaction, rederive: Bool, passEventsMax: Int) throws -> ReplayOutcome {
        var out = ReplayOutcome()
        out.transactionID = txn.id
        let timeline = try self.timeline(txn)
        var totals = ReplayTotals()
        for range in try replayRanges(txn, passEventsMax: passEventsMax) {
            var replay = LogReplay(store: self, txn: txn, rederive: rederive, range: range, timeline: timeline)
            try txn.scan(log, from: nil) { key, value in
                // Damage to keys and headers is reported by checkLog's walk; skipped here.
                guard let seq = try? Store.seqKey(log, key), let view = try? EventRecord.View(value) else { return true }
                try replay.step(seq, view)
                return true
            }
            try replay.finish(&totals) { out.problem($0, $1) }
        }
        try checkProjectionCounts(txn, totals) { out.problem($0, nil) }
        out.customers = totals.customers
        return out
    }

    /// The replay of every customer (`replayAll`) on a second thread, in a read transaction of
    /// its own, while `checks` (the walk of the log, meta) run on this one in `txn`: LMDB is
    /// opened with MDB_NOTLS and each transaction stays on its thread. The replay counts only
    /// if it read the same snapshot (the same transaction id); otherwise (a write committed
    /// between the two begins) it runs again here, in `txn`. An error of either is thrown.
    func replayAlongside(_ txn: ReadTransaction, rederive: Bool, passEventsMax: Int, when replaying: Bool,
                         _ checks: () throws -> Void) throws -> ReplayOutcome {
        guard replaying else {
            try checks()
            return ReplayOutcome()
        }
        let replayed = try Store.onSecondThread({ try env.read { try replayAll($0, rederive: rederive, passEventsMax: passEventsMax) } }, while: checks)
        let outcome = try replayed.get()
        if outcome.transactionID == txn.id { return outcome }
        return try replayAll(txn, rederive: rederive, passEventsMax: passEventsMax)
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
            let job = ThreadJob { result = Result { try work() } }
            var thread = pthread_t()
            let context = Unmanaged.passRetained(job).toOpaque()
            let started = pthread_create(&thread, nil, { context in
                guard let context else { return nil }
                Unmanaged<ThreadJob>.fromOpaque(context).takeRetainedValue().run()
                return nil
            }, context) == 0
            if !started { Unmanaged<ThreadJob>.fromOpaque(context).release() }
            defer { if started { pthread_join(thread, nil) } }
            try body()
            if !started { job.run() }
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
    public func auditVerify(expect: ChainHead? = nil, passEventsMax: Int = Store.verifyPassEventsMax) throws -> AuditReport {
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
            let replayed = try replayAlongside(txn, rederive: true, passEventsMax: passEventsMax, when: !projectionsBehind(txn)) {
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
            // A wrong projection is charged to its customer's last event (where it went wrong
            // is not knowable from the result alone); a wrong binary form to its entry.
            for p in replayed.problems { report.problem(p.message, seq: p.seq) }
            if let first = replayed.firstSeq { report.firstBrokenSeq = min(report.firstBrokenSeq ?? first, first) }
        }
        return report
    }
}
