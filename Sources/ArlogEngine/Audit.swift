import ArlogDomain
import ArlogStorage

/// What `arlog audit verify` found. `firstBrokenSeq` is the first log position at which
/// anything disagrees (the chain, an index, a projection's customer's first event).
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

    /// Walks the whole log in one snapshot: recomputes the chain and compares it with every
    /// stored link and the head; checks that recording times never go backwards, that every
    /// header agrees with its bytes, and that the id, customer, invoice and payment indexes
    /// hold exactly what the log implies (nothing missing, nothing extra); then everything
    /// `verify` checks (meta, and every stored projection against a replay). With `expect`,
    /// also proves that the history up to its sequence number is the one that produced its
    /// hash. Damage is reported as a problem, never thrown.
    public func auditVerify(expect: ChainHead? = nil) throws -> AuditReport {
        var report = AuditReport()
        try env.read { txn in
            var head: UInt64 = 0
            do { head = try Store.u64(txn, meta, MetaKey.head) } catch { report.problem("\(error)", seq: 1) }
            var storedHead: ChainHead?
            do { storedHead = try Store.chainHead(txn, meta) } catch { report.problem("\(error)", seq: nil) }
            report.events = head
            report.head = storedHead ?? ChainHead(seq: 0, hash: .genesis)
            var facts = LogFacts()
            var hash = ChainHash.genesis
            var expected: UInt64 = 1
            var invoiceEntries = 0
            var paymentEntries = 0
            var chainBroken = false
            try txn.scan(log, from: nil) { key, value in
                facts.entries += 1
                let seq: UInt64
                do {
                    seq = try Store.seqKey(log, key)
                } catch {
                    report.problem("\(error)", seq: expected)
                    chainBroken = true
                    return true
                }
                if seq != expected {
                    report.problem("log: sequence \(expected) is missing (next entry is \(seq))", seq: min(expected, seq))
                    chainBroken = true
                }
                if !chainBroken { facts.last = seq }
                expected = seq < Store.seqMax ? seq + 1 : seq
                let header: EventRecord.Header
                do {
                    header = try EventRecord.header(value, seq: seq)
                } catch {
                    report.problem("log entry \(seq) is unreadable: \(error)", seq: seq)
                    chainBroken = true
                    return true
                }
                if header.type.isGlobal { facts.globalEvents += 1 } else { facts.customerEvents += 1 }
                if header.recordedAtMicros < facts.lastRecordedAtMicros {
                    report.problem("log: entry \(seq) was recorded at \(Render.recordedAt(header.recordedAtMicros)), before the entry ahead of it (\(Render.recordedAt(facts.lastRecordedAtMicros))): recording times go backwards", seq: seq)
                }
                facts.lastRecordedAtMicros = max(facts.lastRecordedAtMicros, header.recordedAtMicros)
                hash = hash.next(seq: seq, event: UnsafeRawBufferPointer(rebasing: value[header.rawStart...]))
                if !chainBroken {
                    let link = try txn.get(chain, key: Array(key))
                    if let link, ChainHash(stored: link) == nil {
                        report.problem("chain: the link of entry \(seq) is \(link.count) bytes, not \(ChainHash.byteCount)", seq: seq)
                        chainBroken = true
                    } else if link.flatMap({ ChainHash(stored: $0) }) != hash {
                        report.problem("chain: entry \(seq) does not match its stored link (changed, inserted or reordered)", seq: seq)
                        chainBroken = true
                    }
                }
                if let expect, seq == expect.seq {
                    report.expectationHeld = !chainBroken && hash == expect.hash
                }
                let record: EventRecord
                do {
                    record = try EventRecord(value, seq: seq)
                } catch {
                    report.problem("log entry \(seq) is unreadable: \(error)", seq: seq)
                    return true
                }
                // Indexes: each entry must be found under its id, its customer, its invoice or payment.
                if try txn.get(ids, key: Array(record.id.utf8)) != Array(key) {
                    report.problem("id index: event \(record.id) (sequence \(seq)) is missing or points elsewhere", seq: seq)
                }
                if record.type.isGlobal {
                    if try txn.get(globals, key: Array(key)) != [record.type.rawValue] {
                        report.problem("globals index: log-wide event \(record.id) (sequence \(seq)) is missing", seq: seq)
                    }
                } else if try !txn.contains(customerEvents, key: Store.customerEventKey(record.customer, seq)) {
                    report.problem("customer index: sequence \(seq) of customer \(record.customer) is missing", seq: seq)
                }
                // The header must say what the (hashed) bytes say.
                do {
                    let event = try record.checkedEvent()
                    switch event.body {
                    case .invoiceIssued(let invoice, _, _, _, _):
                        invoiceEntries += 1
                        if try txn.get(invoices, key: Array(invoice.utf8)) != Array(record.customer.utf8) {
                            report.problem("invoice index: invoice \(invoice) (sequence \(seq)) is missing or names another customer", seq: seq)
                        }
                    case .paymentReceived(let payment, _, _, _, _):
                        paymentEntries += 1
                        if try txn.get(payments, key: Array(payment.utf8)) != Array(record.customer.utf8) {
                            report.problem("payment index: payment \(payment) (sequence \(seq)) is missing or names another customer", seq: seq)
                        }
                    default: break
                    }
                } catch let e as EngineError {
                    report.problem("log entry \(seq): \(e.problem ?? e.message)", seq: seq)
                }
                return true
            }
            let last = facts.last
            if facts.entries != Int(clamping: head) || last != head {
                report.problem("log ends at \(last) (\(facts.entries) entries) but meta says the head is \(head)", seq: min(last, head) &+ 1)
            }
            if let storedHead, storedHead.seq != last || (!chainBroken && storedHead.hash != hash) {
                report.problem("chain head \(storedHead) does not match the log (\(last):\(hash))", seq: min(storedHead.seq, last) &+ 1)
            }
            if let count = try? txn.count(chain), count != facts.entries {
                report.problem("chain holds \(count) links for \(facts.entries) entries", seq: nil)
            }
            // Nothing extra: counts equal, and each present entry was matched above.
            if try txn.count(ids) != facts.entries { report.problem("id index holds \(try txn.count(ids)) entries for \(facts.entries) events", seq: nil) }
            if try txn.count(customerEvents) != facts.customerEvents {
                report.problem("customer index holds \(try txn.count(customerEvents)) entries for \(facts.customerEvents) customer events", seq: nil)
            }
            if try txn.count(globals) != facts.globalEvents {
                report.problem("globals index holds \(try txn.count(globals)) entries for \(facts.globalEvents) log-wide events", seq: nil)
            }
            if try txn.count(invoices) != invoiceEntries { report.problem("invoice index holds \(try txn.count(invoices)) entries for \(invoiceEntries) invoices", seq: nil) }
            if try txn.count(payments) != paymentEntries { report.problem("payment index holds \(try txn.count(payments)) entries for \(paymentEntries) payments", seq: nil) }
            if let expect {
                if report.expectationHeld == nil {
                    report.expectationHeld = false
                    report.problem("expected head \(expect) is beyond the log (\(last) entries)", seq: nil)
                } else if report.expectationHeld == false {
                    report.problem("the history up to \(expect.seq) is not the one whose hash was \(expect.hash)", seq: expect.seq)
                }
            }
            // Meta and the projections, as verify checks them.
            let m = checkMeta(txn, log: facts) { report.problem($0, seq: nil) }
            if m.projected != m.head, m.projected < head {
                report.firstBrokenSeq = min(report.firstBrokenSeq ?? (m.projected + 1), m.projected + 1)
            }
            // A projection reflects its customer's last event: a wrong one is charged to that
            // position (where it went wrong is not knowable from the result alone).
            _ = try checkProjections(txn, log: facts) { customer, message in
                var lastSeq: UInt64?
                if !customer.isEmpty {
                    try txn.scan(customerEvents, prefix: Store.customerPrefix(customer)) { k, _ in
                        if let seq = try? Store.customerSeqKey(customerEvents, k, customer: customer) { lastSeq = seq }
                        return true
                    }
                }
                report.problem(message, seq: lastSeq)
            }
        }
        return report
    }
}
