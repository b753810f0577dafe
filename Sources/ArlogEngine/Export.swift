import ArlogDomain
import ArlogStorage

/// `arlog export`: the logged events exactly as received, in log order, one per line (NDJSON).
/// Ingesting a full export into an empty store gives the same projections and the same chain
/// head, since the chain covers the sequence numbers and the bytes as received.
extension Store {
    /// Writes the raw bytes of each selected log entry followed by `\n`, in log order, in one
    /// read transaction (one committed state, even while an ingest runs elsewhere).
    /// - customer: only that customer's events (through the `customer_events` index); an
    ///   unknown customer is `.notFound`.
    /// - from, to: inclusive sequence range (defaults: 1 and the head).
    /// `write` gets each event's bytes, then a separate one-byte newline buffer; the bytes are
    /// only valid during the call (they point into the memory map).
    public func export(customer: String? = nil, from: UInt64? = nil, to: UInt64? = nil,
                       write: (UnsafeRawBufferPointer) throws -> Void) throws {
        let first = max(from ?? 1, 1)
        let newline: [UInt8] = [0x0A]
        func emit(_ seq: UInt64, _ value: UnsafeRawBufferPointer) throws {
            let h = try Store.decoding(log, "log position \(seq)", value) { try EventRecord.header($0) }
            if let customer, !UnsafeRawBufferPointer(rebasing: value[h.customerRange]).elementsEqual(customer.utf8) {
                throw Store.corrupt(customerEvents, key: "customer \(customer), log position \(seq)", "names a log entry of another customer")
            }
            try write(UnsafeRawBufferPointer(rebasing: value[h.rawStart...]))
            try newline.withUnsafeBytes { try write($0) }
        }
        try env.read { txn in
            let last = try to ?? Store.u64(txn, meta, MetaKey.head)
            // The customer index is the log's own: complete even while projections are rebuilt.
            func known(_ customer: String) throws -> Bool {
                var found = false
                try txn.scan(customerEvents, prefix: Store.customerPrefix(customer)) { _, _ in
                    found = true
                    return false
                }
                return found
            }
            guard first <= last else {
                if let customer, try !known(customer) { throw notFound(customer) }
                return
            }
            if let customer {
                guard try known(customer) else { throw notFound(customer) }
                try txn.scan(customerEvents, prefix: Store.customerPrefix(customer)) { key, _ in
                    let seq = try Store.customerSeqKey(customerEvents, key, customer: customer)
                    if seq < first { return true }
                    if seq > last { return false }
                    guard try txn.withValue(log, key: seq.bigEndianBytes, { try emit(seq, $0) }) != nil else {
                        throw Store.corrupt(customerEvents, key, "names log entry \(seq), which does not exist")
                    }
                    return true
                }
            } else {
                try txn.scan(log, from: first.bigEndianBytes) { key, value in
                    guard let seq = UInt64(bigEndianBytes: key) else { throw Store.corrupt(log, "a key of \(key.count) bytes", StoredDataError("not a log position")) }
                    if seq > last { return false }
                    try emit(seq, value)
                    return true
                }
            }
        }
    }
}
