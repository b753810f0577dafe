import CLMDB

/// Options for `WriteTransaction.put`.
public struct PutFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Keep an existing value: `put` returns false instead of overwriting (`MDB_NOOVERWRITE`).
    public static let noOverwrite = PutFlags(rawValue: 1 << 0)
    /// The key sorts after every key in the database: skip the search and page splits
    /// (`MDB_APPEND`), for bulk loads in key order such as the event log. A key that does not sort
    /// last throws `LMDBError` with `isKeyExist` (combined with `.noOverwrite`, a key that
    /// already exists returns false instead).
    public static let append = PutFlags(rawValue: 1 << 1)
}

/// A read-only view of the database inside `Environment.read` (and the base of
/// `WriteTransaction`).
///
/// Valid only inside the closure it was passed to; using it afterwards is a programmer error
/// (asserted). Buffers handed to closures point straight into the memory map (zero-copy): they
/// are valid only until the transaction ends or, in a write transaction, until the next
/// put/delete/drop. Copy (`Array(buffer)`) what must outlive that.
public class ReadTransaction {
    let txn: OpaquePointer
    let environment: Environment
    /// Set for write transactions, which must stay on their thread (LMDB rule).
    private let ownerThread: UInt?
    private var isLive = true

    init(txn: OpaquePointer, environment: Environment, ownerThread: UInt?) {
        self.txn = txn
        self.environment = environment
        self.ownerThread = ownerThread
    }

    /// Called by the environment when the closure returns, before the transaction ends.
    final func end() {
        isLive = false
    }

    @inline(__always)
    final func checkUsable(_ db: Database) {
        precondition(isLive, "transaction used outside its read/write closure")
        precondition(ownerThread == nil || ownerThread == currentThreadID(), "write transaction used from another thread")
        precondition(db.environmentSerial == environment.serial, "\(db) belongs to another (or a closed) Environment")
    }

    @inline(__always)
    final func checkKey(_ key: UnsafeRawBufferPointer) throws(StorageError) {
        guard key.count >= 1 && key.count <= environment.keySizeBytesMax else {
            throw StorageError(.keySize, "key of \(key.count) bytes: keys must be 1...\(environment.keySizeBytesMax) bytes")
        }
    }

    /// LMDB's transaction id (`mdb_txn_id`): a read transaction has the id of the snapshot it
    /// reads (the last committed write); a write transaction the id its commit will have, one
    /// more than the last committed. So a process that committed write N and next begins write
    /// N + 1 knows no other process (or thread) wrote in between: what lets a cache of
    /// committed state be validated without reading it.
    public final var id: Int {
        precondition(isLive, "transaction used outside its read/write closure")
        return Int(mdb_txn_id(txn))
    }

    // MARK: Point lookups

    /// Calls `body` with the value stored under `key` (zero-copy) and returns its result;
    /// nil when the key is absent.
    public final func withValue<R>(_ db: Database, key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        checkUsable(db)
        try checkKey(key)
        var keyVal = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var dataVal = MDB_val()
        let rc = mdb_get(txn, db.dbi, &keyVal, &dataVal)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_get(\(db.name))")
        return try body(UnsafeRawBufferPointer(dataVal))
    }

    public final func withValue<R>(_ db: Database, key: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        try key.withUnsafeBytes { try withValue(db, key: $0, body) }
    }

    /// The value under `key`, copied out; nil when absent.
    public final func get(_ db: Database, key: [UInt8]) throws -> [UInt8]? {
        try withValue(db, key: key) { Array($0) }
    }

    public final func get(_ db: Database, key: UnsafeRawBufferPointer) throws -> [UInt8]? {
        try withValue(db, key: key) { Array($0) }
    }

    public final func contains(_ db: Database, key: [UInt8]) throws -> Bool {
        try withValue(db, key: key) { _ in () } != nil
    }

    public final func contains(_ db: Database, key: UnsafeRawBufferPointer) throws -> Bool {
        try withValue(db, key: key) { _ in () } != nil
    }

    /// Point look-ups of `count` keys with one cursor: `key(i, &buffer)` writes the i-th key
    /// (the buffer comes in empty), and `found(i, value)` is called, in the order asked, for
    /// each key present (zero-copy, as `withValue`). Keys asked in ascending byte order cost
    /// little: each look-up positions the cursor at the first key at or after the one asked
    /// (`MDB_SET_RANGE`, which stays on the current leaf page when it can), and a key that
    /// sorts between the last one asked and the key the cursor landed on is known absent
    /// without asking LMDB at all (a merge of the asked keys with the stored ones). Keys in any
    /// other order give the same answers, each at the price of a look-up.
    public final func lookUp(_ db: Database, count: Int, key: (Int, inout [UInt8]) -> Void,
                             found: (Int, UnsafeRawBufferPointer) throws -> Void) throws {
        guard count > 0 else { return }
        try withCursor(db) { cursor in
            var asked: [UInt8] = []
            // The last key asked that was looked up, and the key the cursor landed on then
            // (nil: past the last key); `positioned` once there was a look-up.
            var lastAsked: [UInt8] = []
            var landed: [UInt8]? = nil
            var positioned = false
            for i in 0..<count {
                asked.removeAll(keepingCapacity: true)
                key(i, &asked)
                if positioned {
                    let skip = asked.withUnsafeBytes { a in
                        // lastAsked <= asked: absent when asked < landed (nothing is stored between).
                        guard !lastAsked.withUnsafeBytes({ keyPrecedes(a, $0) }) else { return false }
                        guard let l = landed else { return true }
                        return l.withUnsafeBytes { keyPrecedes(a, $0) }
                    }
                    if skip { continue }
                }
                try asked.withUnsafeBytes { k in
                    try checkKey(k)
                    var keyVal = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
                    var dataVal = MDB_val()
                    let rc = mdb_cursor_get(cursor, &keyVal, &dataVal, MDB_SET_RANGE)
                    positioned = true
                    lastAsked.removeAll(keepingCapacity: true)
                    lastAsked.append(contentsOf: k)
                    if rc == MDB_NOTFOUND {
                        landed = nil
                        return
                    }
                    try check(rc, "mdb_cursor_get(\(db.name), set range)")
                    let at = UnsafeRawBufferPointer(keyVal)
                    if landed == nil { landed = [] }
                    landed!.removeAll(keepingCapacity: true)
                    landed!.append(contentsOf: at)
                    if at.elementsEqual(k) { try found(i, UnsafeRawBufferPointer(dataVal)) }
                }
            }
        }
    }

    // MARK: Whole-database facts

    /// Number of entries (`mdb_stat`; O(1)).
    public final func count(_ db: Database) throws -> Int {
        checkUsable(db)
        var stat = MDB_stat()
        try check(mdb_stat(txn, db.dbi, &stat), "mdb_stat(\(db.name))")
        return stat.ms_entries
    }

    /// The greatest key, copied; nil when the database is empty. With big-endian sequence keys
    /// this is the last sequence number.
    public final func lastKey(_ db: Database) throws -> [UInt8]? {
        try withCursor(db) { cursor in
            var keyVal = MDB_val()
            var dataVal = MDB_val()
            let rc = mdb_cursor_get(cursor, &keyVal, &dataVal, MDB_LAST)
            if rc == MDB_NOTFOUND { return nil }
            try check(rc, "mdb_cursor_get(\(db.name), last)")
            return Array(UnsafeRawBufferPointer(keyVal))
        }
    }

    /// The smallest key, copied; nil when the database is empty.
    public final func firstKey(_ db: Database) throws -> [UInt8]? {
        try withCursor(db) { cursor in
            var keyVal = MDB_val()
            var dataVal = MDB_val()
            let rc = mdb_cursor_get(cursor, &keyVal, &dataVal, MDB_FIRST)
            if rc == MDB_NOTFOUND { return nil }
            try check(rc, "mdb_cursor_get(\(db.name), first)")
            return Array(UnsafeRawBufferPointer(keyVal))
        }
    }

    // MARK: Ordered scans

    /// Visits entries in key order (bytewise), starting at the first key >= `from` (nil: the first
    /// key), calling `body(key, value)` with zero-copy buffers until it returns false or the
    /// database ends.
    public final func scan(_ db: Database, from: [UInt8]?, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool) throws {
        if let from {
            try from.withUnsafeBytes { start in
                try checkKey(start)
                try scanCore(db, start: start, prefixLength: nil, body)
            }
        } else {
            try scanCore(db, start: nil, prefixLength: nil, body)
        }
    }

    /// Visits, in key order, every entry whose key starts with `prefix` (an empty prefix visits
    /// everything), until `body` returns false.
    public final func scan(_ db: Database, prefix: [UInt8], _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool) throws {
        if prefix.isEmpty {
            try scanCore(db, start: nil, prefixLength: nil, body)
            return
        }
        try prefix.withUnsafeBytes { start in
            try checkKey(start)
            try scanCore(db, start: start, prefixLength: start.count, body)
        }
    }

    /// Visits, in reverse key order, the entries whose key starts with `prefix` and is <= `through`
    /// (which must itself start with `prefix`), until `body` returns false.
    public final func scanBackward(_ db: Database, prefix: [UInt8], through: [UInt8],
                                   _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool) throws {
        precondition(through.starts(with: prefix), "scanBackward: the start key must begin with the prefix")
        try through.withUnsafeBytes { start in
            try checkKey(start)
            try withCursor(db) { cursor in
                var keyVal = MDB_val(mv_size: start.count, mv_data: UnsafeMutableRawPointer(mutating: start.baseAddress))
                var dataVal = MDB_val()
                // The first key >= `through`; if it is greater (or there is none), step back.
                var rc = mdb_cursor_get(cursor, &keyVal, &dataVal, MDB_SET_RANGE)
                if rc == MDB_NOTFOUND {
                    rc = mdb_cursor_get(cursor, &keyVal, &dataVal, MDB_LAST)
                } else {
                    try check(rc, "mdb_cursor_get(\(db.name), set range)")
                    if !UnsafeRawBufferPointer(keyVal).elementsEqual(start) {
                        rc = mdb_cursor_get(cursor, &keyVal, &dataVal, MDB_PREV)
                    }
                }
                while true {
                    if rc == MDB_NOTFOUND { return }
                    try check(rc, "mdb_cursor_get(\(db.name), backward)")
                    let key = UnsafeRawBufferPointer(keyVal)
                    guard key.starts(with: prefix) else { return }
                    guard try body(key, UnsafeRawBufferPointer(dataVal)) else { return }
                    rc = mdb_cursor_get(cursor, &keyVal, &dataVal, MDB_PREV)
                }
            }
        }
    }

    /// `start` nil: from the first key. `prefixLength` set: stop at the first key that does not
    /// begin with the first `prefixLength` bytes of `start`.
    private func scanCore(
        _ db: Database,
        start: UnsafeRawBufferPointer?,
        prefixLength: Int?,
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        try withCursor(db) { cursor in
            var keyVal = MDB_val()
            var dataVal = MDB_val()
            var op = MDB_FIRST
            if let start {
                keyVal = MDB_val(mv_size: start.count, mv_data: UnsafeMutableRawPointer(mutating: start.baseAddress))
                op = MDB_SET_RANGE
            }
            while true {
                let rc = mdb_cursor_get(cursor, &keyVal, &dataVal, op)
                if rc == MDB_NOTFOUND { return }
                try check(rc, "mdb_cursor_get(\(db.name))")
                let key = UnsafeRawBufferPointer(keyVal)
                if let prefixLength, let start {
                    guard key.starts(with: UnsafeRawBufferPointer(rebasing: start[..<prefixLength])) else { return }
                }
                guard try body(key, UnsafeRawBufferPointer(dataVal)) else { return }
                op = MDB_NEXT
            }
        }
    }

    final func withCursor<R>(_ db: Database, _ body: (OpaquePointer) throws -> R) throws -> R {
        checkUsable(db)
        var opened: OpaquePointer?
        try check(mdb_cursor_open(txn, db.dbi, &opened), "mdb_cursor_open(\(db.name))")
        guard let cursor = opened else { preconditionFailure("mdb_cursor_open succeeded without a cursor") }
        // Read-transaction cursors must be closed explicitly; write ones may be closed early.
        defer { mdb_cursor_close(cursor) }
        return try body(cursor)
    }
}

/// The transaction inside `Environment.write`: reads see its own uncommitted writes.
/// Same validity rules as `ReadTransaction`, plus: only on the thread running the closure.
public final class WriteTransaction: ReadTransaction {
    /// Set when a put/delete/drop hit `MDB_MAP_FULL`, even if the body then swallowed the error:
    /// the transaction is unusable and `write` retries it on a bigger map.
    private(set) var hitMapFull = false

    init(txn: OpaquePointer, environment: Environment) {
        super.init(txn: txn, environment: environment, ownerThread: currentThreadID())
    }

    private func noteFailure(_ rc: Int32) {
        if rc == MDB_MAP_FULL { hitMapFull = true }
    }

    /// Stores `value` under `key`. Returns false (and keeps the old value) when `.noOverwrite`
    /// is set and the key exists; true when stored.
    @discardableResult
    public func put(_ db: Database, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, flags: PutFlags = []) throws -> Bool {
        checkUsable(db)
        try checkKey(key)
        var mdbFlags: UInt32 = 0
        if flags.contains(.noOverwrite) { mdbFlags |= UInt32(MDB_NOOVERWRITE) }
        if flags.contains(.append) { mdbFlags |= UInt32(MDB_APPEND) }
        var keyVal = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        let rc: Int32 = withUnsafeBytes(of: UInt8(0)) { placeholder in
            // LMDB copies `mv_size` bytes from `mv_data`; an empty array may have no base address,
            // so point empty values at a valid byte rather than hand memcpy a null pointer.
            let base = value.count == 0 ? placeholder.baseAddress : value.baseAddress
            var dataVal = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: base))
            return mdb_put(txn, db.dbi, &keyVal, &dataVal, mdbFlags)
        }
        if rc == MDB_KEYEXIST && flags.contains(.noOverwrite) {
            // With .append, KEYEXIST also means "does not sort last"; only an existing key is a `false`.
            if !flags.contains(.append) {
                return false
            }
            if try contains(db, key: key) {
                return false
            }
        }
        noteFailure(rc)
        try check(rc, flags.contains(.append) ? "mdb_put(\(db.name), append)" : "mdb_put(\(db.name))")
        return true
    }

    @discardableResult
    public func put(_ db: Database, key: [UInt8], value: [UInt8], flags: PutFlags = []) throws -> Bool {
        try key.withUnsafeBytes { keyBytes in
            try value.withUnsafeBytes { valueBytes in
                try put(db, key: keyBytes, value: valueBytes, flags: flags)
            }
        }
    }

    @discardableResult
    public func put(_ db: Database, key: [UInt8], value: UnsafeRawBufferPointer, flags: PutFlags = []) throws -> Bool {
        try key.withUnsafeBytes { try put(db, key: $0, value: value, flags: flags) }
    }

    /// Removes `key`; false when it was absent.
    @discardableResult
    public func delete(_ db: Database, key: UnsafeRawBufferPointer) throws -> Bool {
        checkUsable(db)
        try checkKey(key)
        var keyVal = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        let rc = mdb_del(txn, db.dbi, &keyVal, nil)
        if rc == MDB_NOTFOUND { return false }
        noteFailure(rc)
        try check(rc, "mdb_del(\(db.name))")
        return true
    }

    @discardableResult
    public func delete(_ db: Database, key: [UInt8]) throws -> Bool {
        try key.withUnsafeBytes { try delete(db, key: $0) }
    }

    /// Removes every entry; the database itself (and its handle) stays (`mdb_drop`, del = 0).
    public func drop(_ db: Database) throws {
        checkUsable(db)
        let rc = mdb_drop(txn, db.dbi, 0)
        noteFailure(rc)
        try check(rc, "mdb_drop(\(db.name))")
    }
}

extension UnsafeRawBufferPointer {
    /// A view of bytes LMDB returned; valid as long as LMDB says the `MDB_val` is.
    @inline(__always)
    init(_ val: MDB_val) {
        self.init(start: val.mv_data, count: val.mv_size)
    }
}
