#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Key encodings. LMDB compares keys bytewise (memcmp), so integers are stored big-endian:
// then the byte order is the numeric order and sequence-number keys scan in sequence.

extension UInt64 {
    /// The 8 big-endian bytes of `self`; sorts bytewise in numeric order.
    public var bigEndianBytes: [UInt8] {
        withUnsafeBytes(of: bigEndian) { Array($0) }
    }

    /// Calls `body` with the 8 big-endian bytes on the stack, for puts and lookups that
    /// should not allocate an array per key.
    public func withBigEndianBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(of: bigEndian, body)
    }

    /// Decodes 8 big-endian bytes (an array, a slice, or a key buffer from a scan).
    /// Returns nil unless there are exactly 8 bytes: a key of another length is bad data,
    /// and the caller decides how to report it.
    public init?<Bytes: Collection>(bigEndianBytes bytes: Bytes) where Bytes.Element == UInt8 {
        guard bytes.count == MemoryLayout<UInt64>.size else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            value = value << 8 | UInt64(byte)
        }
        self = value
    }
}

/// Whether key `a` sorts before key `b` in LMDB's order (bytewise, a prefix first): memcmp,
/// for comparisons in bulk (sorting keys, merging them with a cursor's).
@inline(__always)
public func keyPrecedes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    let n = min(a.count, b.count)
    let c = n == 0 ? 0 : memcmp(a.baseAddress!, b.baseAddress!, n)
    return c != 0 ? c < 0 : a.count < b.count
}
