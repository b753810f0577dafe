/// Little-endian fixed-width binary encoding, for the stored forms of events, states and
/// records: fast to read at known offsets, and every read checks its bounds, so corrupt or
/// truncated bytes throw `StoredDataError` instead of trapping.

/// Stored bytes that do not decode: what was wrong, for the engine to report with the database
/// and key it read them from.
public struct StoredDataError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// Appends fixed-width little-endian values to a byte array.
public struct BinaryWriter {
    public var bytes: [UInt8]

    public init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public init(reusing bytes: [UInt8]) {
        self.bytes = bytes
        self.bytes.removeAll(keepingCapacity: true)
    }

    @inline(__always) public mutating func u8(_ v: UInt8) { bytes.append(v) }

    @inline(__always) public mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }

    @inline(__always) public mutating func u16(_ v: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: v))
        bytes.append(UInt8(truncatingIfNeeded: v >> 8))
    }

    @inline(__always) public mutating func u32(_ v: UInt32) {
        // As typed bytes: Array's append of a contiguous buffer is one copy (of raw bytes it
        // goes through the generic sequence path, a sixth of a rebuild's instructions).
        withUnsafeBytes(of: v.littleEndian) { raw in raw.withMemoryRebound(to: UInt8.self) { bytes.append(contentsOf: $0) } }
    }

    @inline(__always) public mutating func i32(_ v: Int32) { u32(UInt32(bitPattern: v)) }

    @inline(__always) public mutating func u64(_ v: UInt64) {
        // As typed bytes: Array's append of a contiguous buffer is one copy (of raw bytes it
        // goes through the generic sequence path, a sixth of a rebuild's instructions).
        withUnsafeBytes(of: v.littleEndian) { raw in raw.withMemoryRebound(to: UInt8.self) { bytes.append(contentsOf: $0) } }
    }

    @inline(__always) public mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }

    public mutating func i128(_ v: Int128) {
        u64(UInt64(truncatingIfNeeded: v))
        i64(Int64(truncatingIfNeeded: v >> 64))
    }

    /// An unsigned LEB128 varint: seven bits a byte, the lowest first, the high bit set on
    /// every byte but the last (1 byte below 128, at most 10). The compact forms of states
    /// use it: most stored figures are small, and a state is rewritten whole at every commit
    /// that touches it, so its size is what a commit costs.
    @inline(__always) public mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: v))
    }

    /// A signed varint, zigzag-mapped (0, -1, 1, -2 … to 0, 1, 2, 3 …) so that small
    /// magnitudes of either sign stay short.
    @inline(__always) public mutating func svarint(_ v: Int64) {
        varint(UInt64(bitPattern: (v << 1) ^ (v >> 63)))
    }

    /// An unsigned 128-bit varint (at most 19 bytes).
    public mutating func varint128(_ v: UInt128) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: v))
    }

    public mutating func svarint128(_ v: Int128) {
        varint128(UInt128(bitPattern: (v << 1) ^ (v >> 127)))
    }

    public mutating func day(_ d: Day) { i32(d.number) }

    /// A day or none (Int32.min, which is no representable day).
    public mutating func optionalDay(_ d: Day?) { i32(d?.number ?? Int32.min) }

    public mutating func timestamp(_ t: Timestamp) {
        i64(t.seconds)
        i32(t.nanos)
    }

    /// A String's UTF-8 bytes, up to 65,534, with a u16 length (the fast path of `text`).
    public mutating func text(_ s: String) {
        var s = s
        s.withUTF8 { b in
            let n = min(b.count, Int(UInt16.max) - 1)
            u16(UInt16(n))
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: b[..<n]))
        }
    }

    /// A String's UTF-8 bytes, up to 255, with a u8 length (the fast path of `shortText`).
    public mutating func shortText(_ s: String) {
        var s = s
        s.withUTF8 { b in
            let n = min(b.count, Int(UInt8.max))
            u8(UInt8(n))
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: b[..<n]))
        }
    }

    /// Up to 65,534 bytes with a u16 length; 0xFFFF marks none.
    public mutating func text(_ s: some Collection<UInt8>) {
        let n = min(s.count, Int(UInt16.max) - 1)
        u16(UInt16(n))
        bytes.append(contentsOf: s.prefix(n))
    }

    public mutating func optionalText(_ s: String?) {
        if let s { text(s) } else { u16(UInt16.max) }
    }

    /// Up to 255 bytes with a u8 length (ids: at most 128 bytes by the feed's rules).
    public mutating func shortText(_ s: some Collection<UInt8>) {
        let n = min(s.count, Int(UInt8.max))
        u8(UInt8(n))
        bytes.append(contentsOf: s.prefix(n))
    }

    public mutating func currency(_ c: Currency) {
        u32(c.packed)
    }
}

/// Reads what `BinaryWriter` wrote; every read checks the bytes left.
public struct BinaryReader {
    public let bytes: UnsafeRawBufferPointer
    public private(set) var offset = 0

    public init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    public var remaining: Int { bytes.count - offset }
    public var atEnd: Bool { offset == bytes.count }

    @inline(__always)
    mutating func need(_ n: Int) throws(StoredDataError) {
        guard n >= 0, n <= bytes.count - offset else { throw truncated(n) }
    }

    /// The error of `need`, out of line: the message's formatting stays out of every inlined
    /// read (each read is then a bounds check and a load).
    @inline(never)
    func truncated(_ n: Int) -> StoredDataError {
        StoredDataError("truncated: \(n) more bytes needed at offset \(offset) of \(bytes.count)")
    }

    @inline(__always)
    mutating func load<T: FixedWidthInteger>(_: T.Type) throws(StoredDataError) -> T {
        try need(MemoryLayout<T>.size)
        let v = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
        return T(littleEndian: v)
    }

    @inline(__always) public mutating func u8() throws(StoredDataError) -> UInt8 { try load(UInt8.self) }
    @inline(__always) public mutating func u16() throws(StoredDataError) -> UInt16 { try load(UInt16.self) }
    @inline(__always) public mutating func u32() throws(StoredDataError) -> UInt32 { try load(UInt32.self) }
    @inline(__always) public mutating func i32() throws(StoredDataError) -> Int32 { try load(Int32.self) }
    @inline(__always) public mutating func u64() throws(StoredDataError) -> UInt64 { try load(UInt64.self) }
    @inline(__always) public mutating func i64() throws(StoredDataError) -> Int64 { try load(Int64.self) }

    public mutating func bool() throws(StoredDataError) -> Bool {
        let b = try u8()
        guard b <= 1 else { throw StoredDataError("boolean \(b) at offset \(offset - 1)") }
        return b == 1
    }

    public mutating func i128() throws(StoredDataError) -> Int128 {
        let lo = try u64()
        let hi = try i64()
        return Int128(hi) << 64 | Int128(lo)
    }

    /// What `BinaryWriter.varint` wrote. Only the shortest form is accepted (no trailing
    /// zero groups, nothing past 64 bits): each value has one encoding, so stored bytes that
    /// decode are the bytes the encoder writes for that value.
    @inline(__always) public mutating func varint() throws(StoredDataError) -> UInt64 {
        guard offset < bytes.count else { throw truncated(1) }
        let first = bytes[offset]
        offset += 1
        if first < 0x80 { return UInt64(first) }
        return try varintTail(UInt64(first & 0x7F))
    }

    @inline(never)
    mutating func varintTail(_ low: UInt64) throws(StoredDataError) -> UInt64 {
        try varintGroups(low, shift: 7)
    }

    /// The 7-bit groups of a varint from `shift` on, into `value`: the last group may only
    /// hold the bits left of `T` (1 of a UInt64's, 2 of a UInt128's), and a final group of
    /// zero past the first is not the shortest form.
    @inline(__always)
    mutating func varintGroups<T: FixedWidthInteger & UnsignedInteger>(_ value: T, shift start: Int) throws(StoredDataError) -> T {
        let lastShift = T.bitWidth - (T.bitWidth % 7 == 0 ? 7 : T.bitWidth % 7)
        let lastGroupMax = UInt8(truncatingIfNeeded: (1 << (T.bitWidth - lastShift)) - 1)
        var v = value
        var shift = start
        while true {
            guard offset < bytes.count else { throw truncated(1) }
            let b = bytes[offset]
            offset += 1
            guard shift < lastShift || b <= lastGroupMax else { throw StoredDataError("varint past \(T.bitWidth) bits at offset \(offset - 1)") }
            v |= T(b & 0x7F) << shift
            if b < 0x80 {
                guard b != 0 || shift == 0 else { throw StoredDataError("varint not in its shortest form at offset \(offset - 1)") }
                return v
            }
            shift += 7
        }
    }

    @inline(__always) public mutating func svarint() throws(StoredDataError) -> Int64 {
        let u = try varint()
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    /// A varint that must fit an Int64 (money, counts, positions: never negative).
    @inline(__always) public mutating func varintInt64() throws(StoredDataError) -> Int64 {
        let u = try varint()
        guard let v = Int64(exactly: u) else { throw StoredDataError("value \(u) past the largest Int64 at offset \(offset)") }
        return v
    }

    /// A varint that must fit in 32 bits, read back as the bit pattern of an Int32 (as the
    /// fixed-width form stored it; the caller checks its range).
    @inline(__always) public mutating func varintBits32() throws(StoredDataError) -> Int32 {
        let u = try varint()
        guard let v = UInt32(exactly: u) else { throw StoredDataError("value \(u) past 32 bits at offset \(offset)") }
        return Int32(bitPattern: v)
    }

    public mutating func varint128() throws(StoredDataError) -> UInt128 {
        try varintGroups(UInt128(0), shift: 0)
    }

    public mutating func svarint128() throws(StoredDataError) -> Int128 {
        let u = try varint128()
        return Int128(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    /// A count of items of at least `itemBytes` each that must fit in the bytes left, as a varint.
    public mutating func varCount(itemBytes: Int, max: Int = Int.max) throws(StoredDataError) -> Int {
        let u = try varint()
        // Every item takes a byte at least: a count past the bytes left is corrupt before
        // any product is formed.
        guard u <= UInt64(remaining), u <= UInt64(Swift.max(0, max)), Int(u) * Swift.max(itemBytes, 1) <= remaining else {
            throw StoredDataError("count \(u) does not fit the \(remaining) bytes left")
        }
        return Int(u)
    }

    /// A day within the representable calendar (0001-01-01 … 9999-12-31).
    public mutating func day() throws(StoredDataError) -> Day {
        let n = try i32()
        let d = Day(number: n)
        guard d.isRepresentable else { throw StoredDataError("day number \(n) is outside 0001–9999") }
        return d
    }

    public mutating func optionalDay() throws(StoredDataError) -> Day? {
        let n = try i32()
        if n == Int32.min { return nil }
        let d = Day(number: n)
        guard d.isRepresentable else { throw StoredDataError("day number \(n) is outside 0001–9999") }
        return d
    }

    /// An instant within the representable calendar's days (so that its UTC date, and any
    /// day arithmetic on it, is in range).
    public mutating func timestamp() throws(StoredDataError) -> Timestamp {
        let s = try i64()
        let n = try i32()
        guard BinaryReader.timestampSecondsRange.contains(s) else { throw StoredDataError("an instant \(s) s from the epoch is outside 0001–9999") }
        guard n >= 0, n < 1_000_000_000 else { throw StoredDataError("nanoseconds \(n) out of range") }
        return Timestamp(seconds: s, nanos: n)
    }

    /// Seconds from the epoch of the first and last instants of the representable days.
    static let timestampSecondsRange = Int64(Day.first.number) * 86_400...(Int64(Day.last.number) + 1) * 86_400 - 1

    public mutating func slice(_ n: Int) throws(StoredDataError) -> UnsafeRawBufferPointer {
        try need(n)
        defer { offset += n }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)])
    }

    public mutating func text() throws(StoredDataError) -> UnsafeRawBufferPointer {
        let n = try u16()
        guard n != UInt16.max else { throw StoredDataError("missing text at offset \(offset - 2)") }
        return try slice(Int(n))
    }

    public mutating func optionalText() throws(StoredDataError) -> UnsafeRawBufferPointer? {
        let n = try u16()
        if n == UInt16.max { return nil }
        return try slice(Int(n))
    }

    public mutating func shortText() throws(StoredDataError) -> UnsafeRawBufferPointer {
        let n = try u8()
        return try slice(Int(n))
    }

    public mutating func string() throws(StoredDataError) -> String {
        String(decoding: try text(), as: UTF8.self)
    }

    public mutating func optionalString() throws(StoredDataError) -> String? {
        try optionalText().map { String(decoding: $0, as: UTF8.self) }
    }

    public mutating func currency() throws(StoredDataError) -> Currency {
        let packed = try u32()
        guard let c = Currency(packed: packed) else { throw StoredDataError("unknown currency code \(packed)") }
        return c
    }

    /// A count of items of at least `itemBytes` each that must fit in the bytes left.
    public mutating func count(itemBytes: Int, max: Int = Int.max) throws(StoredDataError) -> Int {
        let n = Int(try u32())
        guard n <= max, n * Swift.max(itemBytes, 1) <= remaining else {
            throw StoredDataError("count \(n) does not fit the \(remaining) bytes left")
        }
        return n
    }

    public func end() throws(StoredDataError) {
        guard offset == bytes.count else { throw StoredDataError("\(bytes.count - offset) unexpected bytes after the record") }
    }
}

extension UnsafeRawBufferPointer {
    /// The bytes as a String (UTF-8; the stored ids and texts are valid UTF-8).
    public var utf8String: String { String(decoding: self, as: UTF8.self) }
}
