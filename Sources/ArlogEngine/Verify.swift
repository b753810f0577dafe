import ArlogDomain
import ArlogStorage

/// `verify` and the projection half of `audit verify`: everything a query reads, compared with
/// what the log implies (docs/architecture.md, "Verification").
///
/// - meta: the format, the positions (`log.head`, `projections.seq`, `chain.head`'s sequence
///   number), the last recording time, alert cursors (each an existing alert's key), and no
///   unknown keys;
/// - the log's keys are 1…head without a gap, every header is readable and recording times
///   never go backwards;
/// - per customer, one pass: its events (index keys, entries of that customer, headers that
///   agree with the bytes, the id index pointing at them) are replayed through both folds;
///   the stored header bytes, every stored item's bytes (and no extra item), the invoice and
///   payment owner indexes, the risk state, the grade history and the alerts must equal the
///   replay's;
/// - the log-wide events: the globals index names exactly them, with their types;
/// - and counts, so that nothing extra hides under a key no customer scans.
///
/// Damage is reported as a problem and the walk goes on; only a failing LMDB call throws.
extension Store {
    /// Replays every customer's events from the log in memory and compares the result with
    /// everything stored (see above). Changes nothing.
    public func verify() throws -> VerifyReport {
        var report = VerifyReport()
        try env.read { txn in
            let log = checkLog(txn) { message, _ in report.problem(message) }
            let meta = checkMeta(txn, log: log) { message in report.problem(message) }
            report.events = meta.head
            report.customers = try checkProjections(txn, log: log) { _, message in report.problem(message) }
        }
        return report
    }

    /// What the log holds, from a walk of its keys and headers.
    struct LogFacts {
        /// The last sequence number of the gapless run from 1 (0: none).
        var last: UInt64 = 0
        var entries = 0
        var customerEvents = 0
        var globalEvents = 0
        var lastRecordedAtMicros: Int64 = 0
    }

    /// Walks the log's keys and record headers (no event is parsed): keys 1…n without a
    /// gap, readable headers, recording times never going backwards. `problem` gets a message
    /// and the sequence number concerned.
    func checkLog(_ txn: ReadTransaction, _ problem: (String, UInt64) -> Void) -> LogFacts {
        var facts = LogFacts()
        var expected: UInt64 = 1
        var gap = false
        do {
            try txn.scan(log, from: nil) { key, value in
                facts.entries += 1
                let seq: UInt64
                do {
                    seq = try Store.seqKey(log, key)
                } catch {
                    problem("\(error)", expected)
                    return true
                }
                if seq != expected, !gap {
                    problem("log: sequence \(expected) is missing (next entry is \(seq))", expected)
                    gap = true
                }
                if !gap { facts.last = seq }
                expected = seq < Store.seqMax ? seq + 1 : seq
                do {
                    let h = try EventRecord.header(value, seq: seq)
                    if h.type.isGlobal { facts.globalEvents += 1 } else { facts.customerEvents += 1 }
                    if h.recordedAtMicros < facts.lastRecordedAtMicros {
                        problem("log: entry \(seq) was recorded at \(Render.recordedAt(h.recordedAtMicros)), before the entry ahead of it (\(Render.recordedAt(facts.lastRecordedAtMicros))): recording times go backwards", seq)
                    }
                    facts.lastRecordedAtMicros = max(facts.lastRecordedAtMicros, h.recordedAtMicros)
                } catch {
                    problem("\(error)", seq)
                }
                return true
            }
        } catch {
            problem("log cannot be read: \(error)", expected)
        }
        return facts
    }

    struct MetaFacts {
        var head: UInt64 = 0
        var projected: UInt64 = 0
    }

    /// The meta records against the log: format, positions, recording time, chain head's
    /// position, alert cursors, and no unknown keys.
    func checkMeta(_ txn: ReadTransaction, log facts: LogFacts, _ problem: (String) -> Void) -> MetaFacts {
        var m = MetaFacts()
        func read(_ key: [UInt8]) -> UInt64? {
            do { return try Store.u64(txn, meta, key) } catch {
                problem("\(error)")
                return nil
            }
        }
        do {
            let format = try txn.get(meta, key: MetaKey.format)
            if format.flatMap({ UInt64(bigEndianBytes: $0) }) != Store.formatVersion {
                problem("meta: the format record is not format \(Store.formatVersion)")
            }
            m.head = read(MetaKey.head) ?? 0
            m.projected = read(MetaKey.projected) ?? 0
            if facts.entries != Int(clamping: m.head) || facts.last != m.head {
                problem("log holds \(facts.entries) entries (1…\(facts.last) without a gap) but its head is \(m.head)")
            }
            if m.projected != m.head { problem("projections reflect sequence \(m.projected) but the log head is \(m.head)") }
            if let recorded = read(MetaKey.recordedAt), Int64(bitPattern: recorded) < facts.lastRecordedAtMicros {
                problem("meta: the last recording time \(Int64(bitPattern: recorded)) µs is before the log's last (\(facts.lastRecordedAtMicros) µs): the next ingest would record times going backwards")
            }
            do {
                let chainHead = try Store.chainHead(txn, meta)
                if chainHead.seq != m.head { problem("meta: the chain head is at sequence \(chainHead.seq), the log head at \(m.head)") }
            } catch {
                problem("\(error)")
            }
            let known = [MetaKey.format, MetaKey.head, MetaKey.projected, MetaKey.recordedAt, MetaKey.chainHead]
            let cursorPrefix = Array("alerts.cursor.".utf8)
            try txn.scan(meta, from: nil) { key, value in
                if known.contains(where: { $0.elementsEqual(key) }) { return true }
                if key.starts(with: cursorPrefix) {
                    let name = String(decoding: key[cursorPrefix.count...], as: UTF8.self)
                    guard EventDecoder.isIdentifier(name, max: CreditLimits.cursorNameCharsMax) else {
                        problem("meta: \(StoreKey.text(key)) is not a cursor name")
                        return true
                    }
                    do {
                        let cursor = try Store.cursorValue(Array(value), name: name)
                        if try !txn.contains(alerts, key: cursor) {
                            problem("meta: cursor \(name) names alert \(StoreKey.text(cursor)), which does not exist")
                        }
                    } catch {
                        problem("\(error)")
                    }
                    return true
                }
                problem("meta: unknown key \(StoreKey.text(key))")
                return true
            }
        } catch {
            problem("meta cannot be read: \(error)")
        }
        return m
    }

    /// What a walk of the stored customers found, for the final counts.
    struct ProjectionTally {
        var customers = 0
        var events = 0
        var invoices = 0
        var payments = 0
        var risks = 0
        var changes = 0
        var alerts = 0
    }

    /// Replays every customer with a stored projection and compares everything stored about
    /// it (see the top of this file); checks the log-wide events and the final counts.
    /// `problem` gets the customer concerned ("" for none) and a message. Returns how many
    /// customers were checked. Shared by verify and audit verify.
    func checkProjections(_ txn: ReadTransaction, log facts: LogFacts, _ problem: (String, String) throws -> Void) throws -> Int {
        var tally = ProjectionTally()
        let logWide = try verifiedGlobalEvents(txn) { try problem("", $0) }
        var timeline = PolicyTimeline()
        for g in logWide { if case .creditPolicyChanged(let p) = g.event.body { timeline.policies.append((g.seq, g.event.at, p)) } }
        try txn.scan(ledgers, from: nil) { key, value in
            let customer = String(decoding: key, as: UTF8.self)
            tally.customers += 1
            do {
                try checkCustomer(txn, customer, header: value, timeline: timeline, globals: logWide, &tally) { try problem(customer, "customer \(customer): \($0)") }
            } catch let e as EngineError {
                try problem(customer, "customer \(customer): \(e.message)")
            }
            return true
        }
        // Nothing extra: what the stored customers account for is all there is.
        func count(_ db: Database, _ expected: Int, _ what: String) throws {
            let n = try txn.count(db)
            if n != expected { try problem("", "\(db.name) holds \(n) \(what); the stored customers account for \(expected)") }
        }
        try count(customerEvents, tally.events, "customer index entries")
        if facts.customerEvents != tally.events {
            try problem("", "the log holds \(facts.customerEvents) customer events; the stored customers account for \(tally.events)")
        }
        try count(ids, facts.entries, "event ids")
        try count(invoices, tally.invoices, "invoice owners")
        try count(payments, tally.payments, "payment owners")
        try count(ledgerItems, tally.invoices + tally.payments, "ledger items")
        try count(risk, tally.risks, "risk states")
        try count(grades, tally.changes, "grade changes")
        try count(alerts, tally.alerts, "alerts")
        if try txn.count(globals) != facts.globalEvents {
            try problem("", "globals holds \(try txn.count(globals)) entries; the log holds \(facts.globalEvents) log-wide events")
        }
        return tally.customers
    }

    /// The log-wide events the globals index names, each checked (an existing log entry of a
    /// log-wide event whose type the index holds, its header agreeing with its bytes, its id
    /// indexed); the ones that fail are reported and left out.
    func verifiedGlobalEvents(_ txn: ReadTransaction, _ problem: (String) throws -> Void) throws -> [(seq: UInt64, event: Event)] {
        var out: [(seq: UInt64, event: Event)] = []
        try txn.scan(globals, from: nil) { key, value in
            do {
                let seq = try Store.seqKey(globals, key)
                guard let record = try record(txn, seq) else { throw Store.corrupt(globals, key, "names log entry \(seq), which does not exist") }
                guard record.type.isGlobal, value.count == 1, value[0] == record.type.rawValue else {
                    throw Store.corrupt(globals, key, "names log entry \(seq) as event type \(value.first.map(String.init) ?? "none"); the log holds a \(record.type.name)")
                }
                let e = try record.checkedEvent()
                try checkID(txn, e.id, seq)
                out.append((seq, e))
            } catch let e as EngineError {
                try problem(e.message)
            }
            return true
        }
        return out
    }

    /// The id index must name `seq` for the event `id` (compared in place: one lookup per
    /// event, no copies).
    func checkID(_ txn: ReadTransaction, _ id: String, _ seq: UInt64) throws {
        if try indexHolds(txn, ids, key: id, value: seq) { return }
        let stored = try txn.get(ids, key: Array(id.utf8))
        throw Store.corrupt(ids, key: id, stored == nil ? "missing for log entry \(seq)" : "names \(StoreKey.text(stored ?? [])), not log entry \(seq)")
    }

    /// Whether `db` holds exactly `value` (a sequence number, big-endian) under `key`.
    func indexHolds(_ txn: ReadTransaction, _ db: Database, key: String, value seq: UInt64) throws -> Bool {
        var key = key
        return try key.withUTF8 { k in
            try seq.withBigEndianBytes { v in try txn.withValue(db, key: UnsafeRawBufferPointer(k)) { $0.elementsEqual(v) } ?? false }
        }
    }

    /// Whether `db` holds exactly the bytes of `value` under `key`.
    func indexHolds(_ txn: ReadTransaction, _ db: Database, key: String, value: String) throws -> Bool {
        var key = key
        return try key.withUTF8 { k in try txn.withValue(db, key: UnsafeRawBufferPointer(k)) { $0.elementsEqual(value.utf8) } ?? false }
    }

    /// What one customer's events imply, replayed from the log: its ledger and its risk
    /// projection.
    struct CustomerReplay {
        var ledger: CustomerLedger?
        var risk: RiskState?
        var changes: [GradeChange] = []
        var alerts: [Alert] = []
        var events = 0
    }

    /// Replays the customer's events and the log-wide events after its registration, in log
    /// order, through both folds (ledger, then risk), as ingest did; each of its events checked
    /// (index key, owner, header against bytes, id index).
    func replayCustomer(_ txn: ReadTransaction, _ customer: String, timeline: PolicyTimeline,
                        globals: [(seq: UInt64, event: Event)]) throws -> CustomerReplay {
        var own: [(seq: UInt64, event: Event)] = []
        try forEachEvent(txn, of: customer) { seq, record in
            let e = try record.checkedEvent(customer: customer)
            try checkID(txn, e.id, seq)
            own.append((seq, e))
        }
        var r = CustomerReplay()
        r.events = own.count
        guard let first = own.first?.seq else { return r }
        // The first log-wide event after the registration (globals are in log order).
        var j = globals.partitionPoint { $0.seq > first }
        var i = 0
        while i < own.count || j < globals.count {
            let next: (seq: UInt64, event: Event)
            if j >= globals.count || (i < own.count && own[i].seq < globals[j].seq) {
                next = own[i]
                i += 1
                try Store.fold(next.event, seq: next.seq, into: &r.ledger)
            } else {
                next = globals[j]
                j += 1
            }
            guard let ledger = r.ledger else { continue }
            let o = RiskProjector.evaluate(ledger, policy: timeline.policy(atSeq: next.seq), cause: RiskCause(seq: next.seq, event: next.event), previous: r.risk)
            r.risk = o.state
            if let c = o.change { r.changes.append(c) }
            r.alerts.append(contentsOf: o.alerts)
        }
        return r
    }

    /// One customer, one pass: replay, then every stored record about it against the replay.
    func checkCustomer(_ txn: ReadTransaction, _ customer: String, header: UnsafeRawBufferPointer, timeline: PolicyTimeline,
                       globals: [(seq: UInt64, event: Event)], _ tally: inout ProjectionTally, _ problem: (String) throws -> Void) throws {
        let replayed: CustomerReplay
        do {
            replayed = try replayCustomer(txn, customer, timeline: timeline, globals: globals)
        } catch let e as EngineError {
            // Its events cannot be replayed: count its index entries so that the totals
            // still hold, and compare nothing else.
            try txn.scan(customerEvents, prefix: Store.customerPrefix(customer)) { _, _ in
                tally.events += 1
                return true
            }
            try problem("its events do not replay: \(e.message)")
            return
        }
        tally.events += replayed.events
        guard let ledger = replayed.ledger else {
            try problem("a projection exists but the log has no events for it")
            return
        }
        // The header, byte for byte: profile, totals, the open installments aging reads.
        if !header.elementsEqual(LedgerCodec.encodeHeader(ledger)) {
            let stored = (try? decodeSummary(header, customer: customer)).map { Money.format($0.totals.balance, fractionDigits: $0.profile.currency.fractionDigits) } ?? "unreadable"
            try problem("stored ledger header differs from the log (stored balance \(stored), replayed \(Money.format(ledger.totals.balance, fractionDigits: ledger.currency.fractionDigits)))")
        }
        // Every stored item against the replayed one, and no extra one.
        var seen = (invoices: 0, payments: 0)
        try txn.scan(ledgerItems, prefix: Store.customerPrefix(customer)) { key, value in
            let kind: UInt8
            let position: Int
            do {
                (kind, position) = try Store.itemKeyParts(key, customer: customer, ledgerItems)
            } catch let e as EngineError {
                try problem(e.message)
                return true
            }
            let expected: [UInt8]?
            let what: String
            if kind == Store.invoiceItem {
                seen.invoices += 1
                expected = position < ledger.invoices.count ? LedgerCodec.encodeInvoice(ledger.invoices[position]) : nil
                what = "invoice \(position < ledger.invoices.count ? ledger.invoices[position].id : "#\(position)")"
            } else {
                seen.payments += 1
                expected = position < ledger.payments.count ? LedgerCodec.encodePayment(ledger.payments[position]) : nil
                what = "payment \(position < ledger.payments.count ? ledger.payments[position].id : "#\(position)")"
            }
            if let expected {
                if !value.elementsEqual(expected) { try problem("stored \(what) differs from the log") }
            } else {
                try problem("stored \(what) does not exist in the log (item key \(StoreKey.text(key)))")
            }
            return true
        }
        if seen.invoices != ledger.invoices.count || seen.payments != ledger.payments.count {
            try problem("stores \(seen.invoices) invoices and \(seen.payments) payments; the log implies \(ledger.invoices.count) and \(ledger.payments.count)")
        }
        tally.invoices += ledger.invoices.count
        tally.payments += ledger.payments.count
        // The owner indexes: each of its invoices and payments names it.
        for inv in ledger.invoices where try !indexHolds(txn, invoices, key: inv.id, value: customer) {
            try problem("the invoice index does not name it as the owner of invoice \(inv.id)")
        }
        for p in ledger.payments where try !indexHolds(txn, payments, key: p.id, value: customer) {
            try problem("the payment index does not name it as the owner of payment \(p.id)")
        }
        try checkRisk(txn, customer, replayed, &tally, problem)
    }

    /// The stored risk state, grade history and alerts against the replay.
    func checkRisk(_ txn: ReadTransaction, _ customer: String, _ replayed: CustomerReplay, _ tally: inout ProjectionTally,
                   _ problem: (String) throws -> Void) throws {
        if replayed.risk != nil { tally.risks += 1 }
        do {
            let stored = try storedRisk(txn, customer)
            if stored != replayed.risk {
                try problem("stored credit grade differs from the log (stored \(stored.map { "\($0.grade) \($0.score)" } ?? "none"), replayed \(replayed.risk.map { "\($0.grade) \($0.score)" } ?? "none"))")
            }
        } catch let e as EngineError {
            try problem(e.message)
        }
        tally.changes += replayed.changes.count
        var storedChanges: [GradeChange] = []
        var readable = true
        try txn.scan(grades, prefix: Store.customerPrefix(customer)) { key, value in
            do {
                let seq = try Store.customerSeqKey(grades, key, customer: customer)
                let c = try decodeGradeChange(key, value)
                guard c.cause.seq == seq, c.customer == customer else {
                    throw Store.corrupt(grades, key, "holds the grade change of \(c.customer) at sequence \(c.cause.seq)")
                }
                storedChanges.append(c)
            } catch let e as EngineError {
                readable = false
                try problem(e.message)
            }
            return true
        }
        if readable, storedChanges != replayed.changes {
            try problem("stored grade history (\(storedChanges.count) changes) differs from the log (\(replayed.changes.count))")
        }
        tally.alerts += replayed.alerts.count
        for a in replayed.alerts {
            let key = Store.alertKey(a)
            do {
                let stored = try key.withUnsafeBytes { k in try txn.withValue(alerts, key: k) { try decodeAlert(k, $0) } }
                if stored != a {
                    try problem("alert \(a.id) (\(a.kind.rawValue)) is \(stored == nil ? "missing" : "different") in the store")
                }
            } catch let e as EngineError {
                try problem(e.message)
            }
        }
    }
}
