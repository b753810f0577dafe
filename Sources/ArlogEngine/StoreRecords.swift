import ArlogDomain
import ArlogStorage

/// Reading stored records: every key and value a query or verifier reads goes through one of
/// these, which check lengths and ranges and turn damage into `EngineError.corrupt` naming
/// the database and the key (docs/architecture.md, "Damaged records").
extension Store {
    /// The largest sequence number a store holds: 2^63 − 1. Risk records carry sequence
    /// numbers as signed varints, and `+ 1` on a head must not overflow; a stored value above
    /// it is damage.
    static let seqMax = UInt64(Int64.max)

    static func corrupt(_ db: Database, _ key: some Collection<UInt8>, _ problem: String) -> EngineError {
        EngineError.corrupt(database: db.name, key: StoreKey.text(key), problem)
    }

    static func corrupt(_ db: Database, key: String, _ problem: String) -> EngineError {
        EngineError.corrupt(database: db.name, key: key, problem)
    }

    /// A sequence-number key (`log`, `chain`, `globals`): 8 bytes, 1…`seqMax`.
    static func seqKey(_ db: Database, _ key: UnsafeRawBufferPointer) throws -> UInt64 {
        guard let seq = UInt64(bigEndianBytes: key), seq >= 1, seq <= seqMax else {
            throw corrupt(db, key, "a key of \(key.count) bytes is not a sequence number")
        }
        return seq
    }

    /// The sequence number of a `customer 0x00 seq` key (`customer_events`, `grades`) found by
    /// a scan of the customer's prefix: exactly prefix + 8 bytes.
    static func customerSeqKey(_ db: Database, _ key: UnsafeRawBufferPointer, customer: String) throws -> UInt64 {
        let prefix = customer.utf8.count + 1
        guard key.count == prefix + 8, let seq = UInt64(bigEndianBytes: UnsafeRawBufferPointer(rebasing: key[prefix...])),
            seq >= 1, seq <= seqMax
        else {
            throw corrupt(db, key, "a key of customer \(customer) does not end in a sequence number")
        }
        return seq
    }

    /// The parts of an alert key, `seq ‖ customer ‖ 0x00 ‖ index`; nil when it is not one.
    static func alertKeyParts(_ key: some Collection<UInt8>) -> (seq: UInt64, customer: String, index: Int)? {
        let bytes = Array(key)
        guard bytes.count >= 8 + 1 + 1 + 1, bytes[bytes.count - 2] == 0,
            let seq = UInt64(bigEndianBytes: bytes[0..<8]), seq >= 1, seq <= seqMax
        else { return nil }
        let customer = bytes[8..<(bytes.count - 2)]
        guard !customer.contains(0) else { return nil }
        return (seq, String(decoding: customer, as: UTF8.self), Int(bytes[bytes.count - 1]))
    }

    func decodeGradeChange(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> GradeChange {
        do {
            return try RiskCodec.decodeGradeChange(value)
        } catch {
            throw Store.corrupt(grades, key, error.message)
        }
    }

    func decodeAlert(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Alert {
        do {
            return try RiskCodec.decodeAlert(value)
        } catch {
            throw Store.corrupt(alerts, key, error.message)
        }
    }

    /// An alert delivery cursor's value: the key of an alert (checked for its form).
    static func cursorValue(_ value: [UInt8], name: String) throws -> [UInt8] {
        guard alertKeyParts(value) != nil else {
            throw EngineError.corrupt(database: "meta", key: "alerts.cursor.\(name)", "\(value.count) bytes that are not an alert key")
        }
        return value
    }
}

/// Test hooks: the raw records of every database, whatever the layout, so that damage can be
/// written and undone generically (Tests/ArlogEngineTests/CorruptionTests.swift).
extension Store {
    /// Every database of the store, meta and the log first.
    var allDatabases: [Database] { [meta, log, chain] + indexDatabases + projectionDatabases }

    /// The (key, value) pairs of a database, in key order, copied.
    func rawRecords(_ db: Database) throws -> [(key: [UInt8], value: [UInt8])] {
        var out: [(key: [UInt8], value: [UInt8])] = []
        try env.read { txn in
            try txn.scan(db, from: nil) { key, value in
                out.append((Array(key), Array(value)))
                return true
            }
        }
        return out
    }

    /// Writes one raw record (damage, or undoing it), dropping the state cache.
    func rawPut(_ db: Database, key: [UInt8], value: [UInt8]) throws {
        try env.write { txn in try txn.put(db, key: key, value: value) }
        cache = StateCache()
    }

    func rawDelete(_ db: Database, key: [UInt8]) throws {
        try env.write { txn in _ = try txn.delete(db, key: key) }
        cache = StateCache()
    }
}
