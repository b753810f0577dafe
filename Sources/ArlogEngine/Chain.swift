import ArlogStorage
import Crypto

/// The tamper-evident chain of the log: each entry's hash covers the previous entry's hash,
/// its sequence number and the event's bytes exactly as received and stored:
///
///     hash(n) = SHA-256(hash(n-1) ‖ n as u64 big-endian ‖ event bytes n),  hash(0) = 32 zero bytes
///
/// The record header (recording time, and `at`, type, customer and id, which are read from the
/// bytes) is not hashed: the recording time is this store's clock, not the history, and
/// leaving it out is what lets an export ingested elsewhere reproduce the same chain.
/// (`audit verify` still checks that the header agrees with the bytes.)
///
/// The hash of every entry is kept (`chain` database) and the head in meta, all written in the
/// same transaction as the events. Changing, removing, inserting or reordering any entry
/// changes every hash from there on; a head kept outside the store proves the history up to it.
public struct ChainHash: Hashable, Sendable, CustomStringConvertible {
    public static let byteCount = 32
    public static let genesis = ChainHash(words: (0, 0, 0, 0))

    /// The 32 bytes, in order, as four words in memory order: a value with no heap storage
    /// (a link is computed for every event appended).
    var words: (UInt64, UInt64, UInt64, UInt64)

    init(words: (UInt64, UInt64, UInt64, UInt64)) {
        self.words = words
    }

    /// The bytes, copied.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// Calls `body` with the 32 bytes in place.
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Swift.withUnsafeBytes(of: words, body)
    }

    /// A hash from exactly `byteCount` bytes.
    init(bytes: some Collection<UInt8>) {
        precondition(bytes.count == ChainHash.byteCount)
        var w: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        Swift.withUnsafeMutableBytes(of: &w) { out in
            for (i, b) in bytes.enumerated() { out[i] = b }
        }
        words = w
    }

    /// A stored link or head: nil unless exactly `byteCount` bytes (a truncated or extended
    /// record is damage, which the caller reports with its database and key).
    init?(stored: some Collection<UInt8>) {
        guard stored.count == ChainHash.byteCount else { return nil }
        self.init(bytes: stored)
    }

    public static func == (a: ChainHash, b: ChainHash) -> Bool {
        a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2 && a.words.3 == b.words.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }

    /// Whether `stored` holds exactly these bytes.
    func equals(stored: some Collection<UInt8>) -> Bool {
        stored.count == ChainHash.byteCount && withUnsafeBytes { $0.elementsEqual(stored) }
    }

    /// The next link: this hash, the sequence number, the event's bytes.
    func next(seq: UInt64, event: UnsafeRawBufferPointer) -> ChainHash {
        // Raw-buffer updates, no temporary arrays: a link is computed for every event.
        var hasher = SHA256()
        withUnsafeBytes { hasher.update(bufferPointer: $0) }
        Swift.withUnsafeBytes(of: seq.bigEndian) { hasher.update(bufferPointer: $0) }
        hasher.update(bufferPointer: event)
        let digest = hasher.finalize()
        var w: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        digest.withUnsafeBytes { d in
            Swift.withUnsafeMutableBytes(of: &w) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: d.prefix(ChainHash.byteCount))) }
        }
        return ChainHash(words: w)
    }

    /// Lower-case hex.
    public var description: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses 64 hex digits (either case).
    public init?(hex: some StringProtocol) {
        let chars = Array(hex.utf8)
        guard chars.count == 2 * ChainHash.byteCount else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(ChainHash.byteCount)
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var i = 0
        while i < chars.count {
            guard let hi = value(chars[i]), let lo = value(chars[i + 1]) else { return nil }
            bytes.append(hi << 4 | lo)
            i += 2
        }
        self.init(bytes: bytes)
    }
}

/// A position in the chain: `SEQ:HASH`, what `arlog audit head` prints and `--expect` takes.
public struct ChainHead: Hashable, Sendable, CustomStringConvertible {
    public let seq: UInt64
    public let hash: ChainHash

    public init(seq: UInt64, hash: ChainHash) {
        self.seq = seq
        self.hash = hash
    }

    public var description: String { "\(seq):\(hash)" }

    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let seq = UInt64(parts[0]), let hash = ChainHash(hex: parts[1]) else { return nil }
        self.init(seq: seq, hash: hash)
    }

    var encoded: [UInt8] { seq.bigEndianBytes + hash.bytes }

    init?(encoded: [UInt8]) {
        guard encoded.count == 8 + ChainHash.byteCount, let seq = UInt64(bigEndianBytes: encoded[0..<8]), seq <= Store.seqMax,
            let hash = ChainHash(stored: encoded[8...])
        else { return nil }
        self.init(seq: seq, hash: hash)
    }
}
