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
}
