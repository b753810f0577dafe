import ArlogDomain
import ArlogStorage

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

        /// Folds one readable entry of the log. `event`: its bytes as received, already decoded
        /// by the caller (audit verify's header check), or nil to decode them here.
        mutating func step(_ seq: UInt64, _ view: EventRecord.View, event: Event? = nil) throws {
            let h = view.header
            if h.type.isGlobal {
                // Every customer registered so far is evaluated (a customer's replay meets the
                // log-wide events after its first event).
                let policy = policy(atSeq: seq)
                let id = view.id
                for r in replays where r.failure == nil && r.state != nil {
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
                        try store.rederiveBinary(view, seq, event: event, state: r.state, cold: &r.cold,
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

    /// Replays the customers of `ranges` after the first (which the caller folded during its
    /// own walk), each range in a walk of the log of its own, comparing each when its walk
    /// ends; then the counts. `first` is the first range's replay.
    func finishReplays(_ txn: ReadTransaction, first: LogReplay, ranges: [CustomerRange], rederive: Bool, timeline: PolicyTimeline,
                       _ mismatch: (String, UInt64?) throws -> Void) throws -> Int {
        var totals = ReplayTotals()
        try first.finish(&totals, mismatch)
        for range in ranges.dropFirst() {
            var replay = LogReplay(store: self, txn: txn, rederive: rederive, range: range, timeline: timeline)
            try txn.scan(log, from: nil) { key, value in
                // Damage to keys and headers is reported by checkLog's walk; skipped here.
                guard let seq = try? Store.seqKey(log, key), let view = try? EventRecord.View(value) else { return true }
                try replay.step(seq, view)
                return true
            }
            try replay.finish(&totals, mismatch)
        }
        try checkProjectionCounts(txn, totals) { try mismatch($0, nil) }
        return totals.customers
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
            let timeline = try self.timeline(txn)
            let ranges = try replayRanges(txn, passEventsMax: passEventsMax)
            var replay = LogReplay(store: self, txn: txn, rederive: true, range: ranges[0], timeline: timeline)
            let facts = try checkLog(txn, { message, seq in report.problem(message, seq: seq) }) { seq, view in
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
                    try replay.step(seq, view)
                    return
                }
                if event.type.isGlobal {
                    do {
                        try rederiveBinary(view, seq, event: event, state: nil, cold: &noCold, refs: references)
                    } catch let e as EngineError {
                        report.problem(e.message, seq: seq)
                    }
                }
                // The customers' replay, folded in this walk (the event decoded once).
                try replay.step(seq, view, event: event)
            }
            let last = expected - 1
            let m = try checkMeta(txn, log: facts) { message, seq in report.problem(message, seq: seq) }
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
            // Projections: each customer's stored records against a replay of its events.
            if m.projected != m.head {
                report.problem("projections reflect sequence \(m.projected), the log head is \(m.head) (a rebuild is running or was interrupted: run arlog rebuild); projections not compared", seq: m.projected + 1)
                return
            }
            // A wrong projection is charged to its customer's last event (where it went wrong
            // is not knowable from the result alone); a wrong binary form to its entry.
            _ = try finishReplays(txn, first: replay, ranges: ranges, rederive: true, timeline: timeline) { message, seq in
                report.problem(message, seq: seq)
            }
        }
        return report
    }
}
