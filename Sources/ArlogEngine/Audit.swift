import ArlogDomain
import ArlogStorage

/// What `arlog audit verify` found. `firstBrokenSeq` is the first log position at which
/// anything disagrees (the chain, an index, a projection's customer's last event).
public struct AuditReport: Sendable {
    public var head = ChainHead(seq: 0, hash: .genesis)
    public var events: UInt64 = 0
    public var firstBrokenSeq: UInt64?
    public var problems: [String] = []
    /// `--expect SEQ:HASH` held (nil when not asked).
    public var expectationHeld: Bool?
    public var ok: Bool { problems.isEmpty }

    mutating func problem(_ message: String, seq: UInt64?) {
        if let seq { firstBrokenSeq = min(firstBrokenSeq ?? seq, seq) }
        if problems.count < VerifyReport.problemsListedMax { problems.append(message) }
    }
}

extension Store {
    /// The chain's head, to be kept outside the store.
    public func chainHead() throws -> ChainHead {
        try env.read { txn in try Store.chainHead(txn, meta) }
    }

    /// Walks the whole log in one snapshot and one pass: recomputes the chain and compares it
    /// with every stored link and the head; checks every record's header against its binary
    /// form and its bytes as received, recording times never going backwards, and that the id,
    /// customer, reference and globals indexes hold exactly what the log implies (nothing
    /// missing, nothing extra, the right values); then that every stored projection equals a
    /// replay. With `expect`, also proves that the history up to its sequence number is the one
    /// that produced its hash.
    public func auditVerify(expect: ChainHead? = nil) throws -> AuditReport {
        var report = AuditReport()
        try env.read { txn in
            let head = try Store.u64(txn, meta, MetaKey.head)
            let storedHead: ChainHead
            do {
                storedHead = try Store.chainHead(txn, meta)
            } catch let e as EngineError {
                report.problem(e.message, seq: nil)
                storedHead = ChainHead(seq: 0, hash: .genesis)
            }
            report.events = head
            report.head = storedHead
            var hash = ChainHash.genesis
            var expected: UInt64 = 1
            var counts = (ids: 0, customer: 0, refs: 0, globals: 0)
            var chainBroken = false
            var lastRecorded = Int64.min
            try txn.scan(log, from: nil) { key, value in
                guard let seq = UInt64(bigEndianBytes: key) else {
                    report.problem("log key of \(key.count) bytes is not a sequence number", seq: expected)
                    return false
                }
                if seq != expected {
                    report.problem("log: sequence \(expected) is missing (next entry is \(seq))", seq: expected)
                    chainBroken = true
                }
                expected = seq + 1
                let view: EventRecord.View
                do {
                    view = try EventRecord.View(value)
                } catch {
                    report.problem("log entry \(seq) is unreadable: \(error)", seq: seq)
                    chainBroken = true
                    return true
                }
                hash = hash.next(seq: seq, event: view.raw)
                if !chainBroken {
                    let same = try txn.withValue(chain, key: key) { hash.equals(stored: $0) } ?? false
                    if !same {
                        report.problem("chain: entry \(seq) does not match its stored link (changed, inserted or reordered)", seq: seq)
                        chainBroken = true
                    }
                }
                if let expect, seq == expect.seq {
                    report.expectationHeld = !chainBroken && hash == expect.hash
                }
                if view.header.recordedAtMicros < lastRecorded {
                    report.problem("log entry \(seq) was recorded before the entry preceding it (recording times go backwards)", seq: seq)
                }
                lastRecorded = max(lastRecorded, view.header.recordedAtMicros)
                // The header and the binary form must say what the (hashed) bytes say.
                let customer = view.customer
                let id = view.id
                guard let event = try? view.event(), event.id == id, event.customer == customer, event.type == view.header.type,
                    event.at == view.header.at, (try? view.logged()) != nil
                else {
                    report.problem("log entry \(seq): its header or binary form does not match its event bytes", seq: seq)
                    return true
                }
                // Indexes: each entry is found under its id, its customer, its invoice or payment.
                counts.ids += 1
                if try txn.get(ids, key: Array(id.utf8)) != Array(key) {
                    report.problem("id index: event \(id) (sequence \(seq)) is missing or points elsewhere", seq: seq)
                }
                if event.type.isGlobal {
                    counts.globals += 1
                    if try txn.get(globals, key: Array(key)) != [event.type.rawValue] {
                        report.problem("globals index: log-wide event \(id) (sequence \(seq)) is missing", seq: seq)
                    }
                    return true
                }
                counts.customer += 1
                var at = BinaryWriter(capacity: 13)
                at.timestamp(event.at)
                at.u8(event.type.rawValue)
                if try txn.get(customerEvents, key: Store.customerEventKey(customer, seq)) != at.bytes {
                    report.problem("customer index: sequence \(seq) of customer \(customer) is missing or wrong", seq: seq)
                }
                var ref: [UInt8]?
                switch event.body {
                case .invoiceIssued(let invoice, _, _, _, _): ref = Store.refKey(Store.invoiceRef, invoice.utf8)
                case .paymentReceived(let payment, _, _, _, _): ref = Store.refKey(Store.paymentRef, payment.utf8)
                default: break
                }
                if let ref {
                    counts.refs += 1
                    if try txn.get(refs, key: ref) != Store.refValue(seq, customer) {
                        report.problem("reference index: the invoice or payment of sequence \(seq) is missing or names another position or customer", seq: seq)
                    }
                }
                return true
            }
            let last = expected - 1
            if last != head { report.problem("log ends at \(last) but meta says the head is \(head)", seq: min(last, head) + 1) }
            if storedHead.seq != last || (!chainBroken && storedHead.hash != hash) {
                report.problem("chain head \(storedHead) does not match the log (\(last):\(hash))", seq: min(storedHead.seq, last) + 1)
            }
            let chainCount = try txn.count(chain)
            if chainCount != Int(last) { report.problem("chain holds \(chainCount) links for \(last) entries", seq: nil) }
            // Nothing extra: counts equal, and each present entry was matched above.
            for (db, n, what) in [(ids, counts.ids, "events"), (customerEvents, counts.customer, "customer events"),
                                  (globals, counts.globals, "log-wide events"), (refs, counts.refs, "invoices and payments")] {
                let stored = try txn.count(db)
                if stored != n { report.problem("\(db.name) index holds \(stored) entries for \(n) \(what)", seq: nil) }
            }
            if let expect {
                if report.expectationHeld == nil {
                    report.expectationHeld = false
                    report.problem("expected head \(expect) is beyond the log (\(last) entries)", seq: nil)
                } else if report.expectationHeld == false {
                    report.problem("the history up to \(expect.seq) is not the one whose hash was \(expect.hash)", seq: expect.seq)
                }
            }
            // Projections: each customer's stored records against a replay of its events.
            let projected = try Store.u64(txn, meta, MetaKey.projected)
            if projected != head {
                report.problem("projections reflect sequence \(projected), the log head is \(head) (a rebuild is running or was interrupted: run arlog rebuild); projections not compared", seq: projected + 1)
                return
            }
            // A wrong projection is charged to its customer's last event (where it went wrong
            // is not knowable from the result alone).
            _ = try checkProjections(txn) { customer, message in
                var lastSeq: UInt64?
                if !customer.isEmpty {
                    try forEachEvent(txn, of: customer) { seq, _, _ in
                        lastSeq = seq
                        return true
                    }
                }
                report.problem(message, seq: lastSeq)
            }
        }
        return report
    }
}
