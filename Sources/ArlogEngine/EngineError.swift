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
        /// The store is missing, of another format version, or corrupt (exit 2).
        case store
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// The process exit code documented in docs/cli.md.
    public var exitCode: Int32 {
        switch kind {
        case .notFound: 3
        case .usage, .io, .store: 2
        }
    }
}
