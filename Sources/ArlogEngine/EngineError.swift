import ArlogDomain
import ArlogStorage

/// Errors the engine reports to its callers, each with the exit code the CLI uses.
public struct EngineError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable {
        /// A customer or invoice that is not in the store (exit 3).
        case notFound
        /// Bad arguments or input that is not a feed (exit 2).
        case usage
        /// A file could not be read or written (exit 2).
        case io
        /// The store is missing, of another format version, or cannot be used (exit 2).
        case store
        /// A stored record is damaged: `database` and `key` say which (exit 2).
        case corrupt
    }

    public let kind: Kind
    public let message: String
    /// For `.corrupt`: the LMDB database and the record's key, printable (a customer id, a
    /// sequence number, a meta key), and what is wrong with it.
    public let database: String?
    public let key: String?
    public let problem: String?

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
        database = nil
        key = nil
        problem = nil
    }

    /// A damaged record: "corrupt record in database ledgers, key ACME: ...".
    public static func corrupt(database: String, key: String, _ problem: String) -> EngineError {
        EngineError(database: database, key: key, problem: problem)
    }

    private init(database: String, key: String, problem: String) {
        kind = .corrupt
        message = "corrupt record in database \(database), key \(key): \(problem)"
        self.database = database
        self.key = key
        self.problem = problem
    }

    public var description: String { message }

    /// The process exit code documented in docs/cli.md.
    public var exitCode: Int32 {
        switch kind {
        case .notFound: 3
        case .usage, .io, .store, .corrupt: 2
        }
    }
}

/// Printable forms of stored keys, for `EngineError.corrupt`.
enum StoreKey {
    /// A key as text when it is printable ASCII, else in hex: `ACME`, `0x00000000000000070041`.
    static func text(_ key: some Collection<UInt8>) -> String {
        if !key.isEmpty, key.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return String(decoding: key, as: UTF8.self) }
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = Array("0x".utf8)
        for b in key {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `customer ACME, sequence 7`-style text of a customer-and-suffix key.
    static func customer(_ customer: String, _ suffix: String) -> String { "\(customer) \(suffix)" }
}
