import ArlogDomain
import ArlogStorage
import Foundation

@testable import ArlogEngine
import ArlogTestSupport

/// A store in a fresh temporary directory, removed when the test is done.
final class TempStore {
    let directory: String
    private(set) var store: Store

    init(durable: Bool = false, options base: Store.Options = Store.Options()) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("arlog-test-\(UUID().uuidString)").path
        var options = base
        options.durable = durable
        options.mapSizeBytes = 16 << 20
        store = try Store(directory: directory, create: true, options: options)
    }

    /// Closes and opens the store again (what a new process would see).
    func reopen(options base: Store.Options = Store.Options()) throws {
        store.close()
        var options = base
        options.durable = false
        store = try Store(directory: directory, create: false, options: options)
    }

    /// Every record of every database derived from the log (indexes and projections), by
    /// database and key: equal dictionaries mean the same derived state.
    func derivedRecords() throws -> [String: [UInt8]] {
        try store.records(of: store.derivedDatabases)
    }

    /// Ingests NDJSON text through a temporary file; returns the summary and rejected lines.
    @discardableResult
    func ingest(_ text: String, options: IngestOptions = IngestOptions()) throws -> (IngestSummary, [RejectedLine]) {
        let path = directory + "-feed-\(UUID().uuidString).ndjson"
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try ingest(file: path, options: options)
    }

    @discardableResult
    func ingest(file: String, options: IngestOptions = IngestOptions()) throws -> (IngestSummary, [RejectedLine]) {
        var rejected: [RejectedLine] = []
        let summary = try store.ingest(path: file, options: options) { rejected.append($0) }
        return (summary, rejected)
    }

    deinit {
        store.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

extension Store {
    /// Every database derived from the log: the log's indexes and the projections.
    var derivedDatabases: [Database] { indexDatabases + projectionDatabases }

    /// Every record of `databases`, keyed by database name and key bytes (hex): equal
    /// dictionaries mean byte-identical databases.
    func records(of databases: [Database]) throws -> [String: [UInt8]] {
        try env.read { txn in
            var all: [String: [UInt8]] = [:]
            for db in databases {
                try txn.scan(db, from: nil) { k, v in
                    all[db.name + ":" + k.map { String($0, radix: 16) }.joined(separator: ".")] = Array(v)
                    return true
                }
            }
            return all
        }
    }

    /// The log position of the event that created an invoice (the refs index); nil if none.
    func refsSeq(_ txn: ReadTransaction, invoice id: String) throws -> UInt64? { try refsSeq(txn, Store.refKey(Store.invoiceRef, id.utf8)) }

    /// The log position of the event that created a payment (the refs index); nil if none.
    func refsSeq(_ txn: ReadTransaction, payment id: String) throws -> UInt64? { try refsSeq(txn, Store.refKey(Store.paymentRef, id.utf8)) }

    private func refsSeq(_ txn: ReadTransaction, _ key: [UInt8]) throws -> UInt64? {
        guard let v = try txn.get(refs, key: key), v.count > 8 else { return nil }
        return UInt64(bigEndianBytes: v[0..<8])
    }

    /// Every registered customer, in byte order.
    func customerIDs() throws -> [String] {
        try env.read { txn in try customerIDs(txn) }
    }
}

enum Fixtures {
    static var examplesDirectory: URL {
        var dir = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { dir.deleteLastPathComponent() }
        // The contract's worked examples, copied into the repository (Tests/Fixtures/README.md).
        return dir.appendingPathComponent("Tests/Fixtures/spec-examples")
    }

    /// Structural equality of an answer and an example's expected value, compared as `SpecLevels` says.
    static func equal(_ got: Any, _ want: Any) -> Bool {
        let (a, b) = SpecLevels.comparable(got, want)
        return same(a, b)
    }

    static func same(_ a: Any, _ b: Any) -> Bool {
        switch (a, b) {
        case (let x as [String: Any], let y as [String: Any]):
            return x.count == y.count && x.allSatisfy { k, v in y[k].map { same(v, $0) } ?? false }
        case (let x as [Any], let y as [Any]):
            return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case (let x as NSNumber, let y as NSNumber): return x == y
        case (let x as String, let y as String): return x == y
        case (is NSNull, is NSNull): return true
        default: return false
        }
    }
}

/// The state cache's states as a dictionary, for tests that build or inspect one.
extension HeldStates: ExpressibleByDictionaryLiteral {
    init(_ states: [String: CustomerState]) {
        self.init()
        for (name, state) in states.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) { _ = add(name, state) }
    }

    public init(dictionaryLiteral elements: (String, CustomerState)...) {
        self.init(Dictionary(uniqueKeysWithValues: elements))
    }

    var isEmpty: Bool { states.isEmpty }
    var keys: [String] { names }
}
