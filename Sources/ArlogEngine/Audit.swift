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
                    return
                }
                if event.type.isGlobal {
                    do {
                        try rederiveBinary(view, seq, state: nil, cold: &noCold, refs: references)
                    } catch let e as EngineError {
                        report.problem(e.message, seq: seq)
                    }
                }
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
            _ = try checkProjections(txn, rederive: true) { customer, message, seq in
                var lastSeq = seq
                if seq == nil, !customer.isEmpty {
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
