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
    /// stored link and the head; checks that the id, customer, invoice and payment indexes
    /// hold exactly what the log implies (nothing missing, nothing extra); then that every
    /// stored projection equals a replay. With `expect`, also proves that the history up to
    /// its sequence number is the one that produced its hash.
    public func auditVerify(expect: ChainHead? = nil) throws -> AuditReport {
        var report = AuditReport()
        try env.read { txn in
            let head = try Store.u64(txn, meta, MetaKey.head)
            let storedHead = try Store.chainHead(txn, meta)
            report.events = head
            report.head = storedHead
            var hash = ChainHash.genesis
            var expected: UInt64 = 1
            var idEntries = 0
            var invoiceEntries = 0
            var paymentEntries = 0
            var globalEntries = 0
            var chainBroken = false
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
                let header: EventRecord.Header
                do {
                    header = try EventRecord.header(value)
                } catch {
                    report.problem("log entry \(seq) is unreadable: \(error)", seq: seq)
                    chainBroken = true
                    return true
                }
                hash = hash.next(seq: seq, event: UnsafeRawBufferPointer(rebasing: value[header.rawStart...]))
                if !chainBroken {
                    let stored = try txn.get(chain, key: Array(key)).map { ChainHash(bytes: $0) }
                    if stored != hash {
                        report.problem("chain: entry \(seq) does not match its stored link (changed, inserted or reordered)", seq: seq)
                        chainBroken = true
                    }
                }
                if let expect, seq == expect.seq {
                    report.expectationHeld = !chainBroken && hash == expect.hash
                }
                let record: EventRecord
                do {
                    record = try EventRecord(value)
                } catch {
                    report.problem("log entry \(seq) is unreadable: \(error)", seq: seq)
                    return true
                }
                // Indexes: each entry must be found under its id, its customer, its invoice or payment.
                if try txn.get(ids, key: Array(record.id.utf8)) != Array(key) {
                    report.problem("id index: event \(record.id) (sequence \(seq)) is missing or points elsewhere", seq: seq)
                }
                idEntries += 1
                if record.type.isGlobal {
                    globalEntries += 1
                    if try txn.get(globals, key: Array(key)) != [record.type.rawValue] {
                        report.problem("globals index: log-wide event \(record.id) (sequence \(seq)) is missing", seq: seq)
                    }
                } else if try !txn.contains(customerEvents, key: Store.customerEventKey(record.customer, seq)) {
                    report.problem("customer index: sequence \(seq) of customer \(record.customer) is missing", seq: seq)
                }
                // The header must say what the (hashed) bytes say.
                if let event = try? record.event(), event.id == record.id, event.customer == record.customer,
                    event.type == record.type, event.at == record.at
                {
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
                } else {
                    report.problem("log entry \(seq): its header does not match its event bytes", seq: seq)
                }
                return true
            }
            let last = expected - 1
            if last != head { report.problem("log ends at \(last) but meta says the head is \(head)", seq: min(last, head) + 1) }
            if storedHead.seq != last || (!chainBroken && storedHead.hash != hash) {
                report.problem("chain head \(storedHead) does not match the log (\(last):\(hash))", seq: min(storedHead.seq, last) + 1)
            }
            if let count = try? txn.count(chain), count != Int(last) {
                report.problem("chain holds \(count) links for \(last) entries", seq: nil)
            }
            // Nothing extra: counts equal, and each present entry was matched above.
            if try txn.count(ids) != idEntries { report.problem("id index holds \(try txn.count(ids)) entries for \(idEntries) events", seq: nil) }
            if try txn.count(customerEvents) != idEntries - globalEntries {
                report.problem("customer index holds \(try txn.count(customerEvents)) entries for \(idEntries - globalEntries) customer events", seq: nil)
            }
            if try txn.count(globals) != globalEntries {
                report.problem("globals index holds \(try txn.count(globals)) entries for \(globalEntries) log-wide events", seq: nil)
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
            // Projections: each customer's stored ledger against a replay of its events.
            let projected = try Store.u64(txn, meta, MetaKey.projected)
            if projected != head { report.problem("projections reflect sequence \(projected), the log head is \(head)", seq: projected + 1) }
            // A projection reflects its customer's last event: a wrong one is charged to that
            // position (where it went wrong is not knowable from the result alone).
            _ = try checkProjections(txn) { customer, message in
                var lastSeq: UInt64?
                try txn.scan(customerEvents, prefix: Store.customerPrefix(customer)) { k, _ in
                    lastSeq = UInt64(bigEndianBytes: UnsafeRawBufferPointer(rebasing: k[(k.count - 8)...]))
                    return true
                }
                report.problem(message, seq: lastSeq)
            }
        }
        return report
    }
}
