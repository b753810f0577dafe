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

    /// The kind ('i', 'p') and position of a `customer 0x00 kind position(u32)` item key.
    static func itemKeyParts(_ key: UnsafeRawBufferPointer, customer: String, _ db: Database) throws -> (kind: UInt8, position: Int) {
        let prefix = customer.utf8.count + 1
        guard key.count == prefix + 5, key[prefix] == invoiceItem || key[prefix] == paymentItem else {
            throw corrupt(db, key, "not an item key of customer \(customer)")
        }
        var p = 0
        for b in key[(prefix + 1)...] { p = p << 8 | Int(b) }
        return (key[prefix], p)
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

    /// The log record at `seq`, its header checked; nil when absent.
    func record(_ txn: ReadTransaction, _ seq: UInt64) throws -> EventRecord? {
        try txn.withValue(log, key: seq.bigEndianBytes) { try EventRecord($0, seq: seq) }
    }

    /// Folds a logged event like `Replay.step`, except that an event that no longer resolves
    /// against the ledger (damaged bytes that still parse) is `EngineError.corrupt` naming its
    /// log position, never an assertion.
    static func fold(_ e: Event, seq: UInt64, into ledger: inout CustomerLedger?) throws {
        let r: ResolvedEvent
        do {
            r = try Fold.resolve(e, ledger: ledger)
        } catch {
            throw EngineError.corrupt(database: "log", key: "sequence \(seq)", "the event does not fold: \(error)")
        }
        Fold.apply(r, to: &ledger)
    }

    /// A ledger header (`ledgers`), checked (see `LedgerCodec.decodeSummary`).
    func decodeSummary(_ value: UnsafeRawBufferPointer, customer: String) throws -> LedgerSummary {
        let s: LedgerSummary
        do {
            s = try LedgerCodec.decodeSummary(value)
        } catch {
            throw Store.corrupt(ledgers, key: customer, error.message)
        }
        guard s.profile.id == customer else {
            throw Store.corrupt(ledgers, key: customer, "the header is of customer \(s.profile.id)")
        }
        return s
    }

    /// The stored header of `customer`; nil when there is none.
    func storedSummary(_ txn: ReadTransaction, _ customer: String) throws -> LedgerSummary? {
        try txn.withValue(ledgers, key: Array(customer.utf8)) { try decodeSummary($0, customer: customer) }
    }

    func storedRisk(_ txn: ReadTransaction, _ customer: String) throws -> RiskState? {
        try txn.withValue(risk, key: Array(customer.utf8)) { value in
            do {
                return try RiskCodec.decodeState(value)
            } catch let e as RiskCodec.DecodeError {
                throw Store.corrupt(risk, key: customer, e.message)
            }
        }
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
    var allDatabases: [Database] { [meta, log, chain] + derivedDatabases }

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

    /// Writes one raw record (damage, or undoing it), dropping the ledger cache.
    func rawPut(_ db: Database, key: [UInt8], value: [UInt8]) throws {
        try env.write { txn in try txn.put(db, key: key, value: value) }
        cache = LedgerCache()
    }

    func rawDelete(_ db: Database, key: [UInt8]) throws {
        try env.write { txn in _ = try txn.delete(db, key: key) }
        cache = LedgerCache()
    }
}
