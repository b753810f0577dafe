import ArlogDomain

/// One entry of the log: a small fixed header, then the event's bytes exactly as received.
///
/// The header lets scans filter by customer, type and `at` without parsing JSON; the bytes
/// keep unknown fields and let `arlog export` give back what billing sent.
///
///     version u8 | recordedAt µs i64 | at seconds i64 | at nanos i32 | type u8
///     | customer length u8 | customer | id length u8 | id | raw JSON bytes
public struct EventRecord {
    public static let version: UInt8 = 1

    public let recordedAtMicros: Int64
    public let at: Timestamp
    public let type: EventType
    public let customer: String
    public let id: String
    public let raw: [UInt8]

    static func encode(recordedAtMicros: Int64, event: Event, raw: UnsafeRawBufferPointer) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(32 + event.customer.utf8.count + event.id.utf8.count + raw.count)
        out.append(version)
        append(recordedAtMicros, &out)
        append(event.at.seconds, &out)
        append(Int64(event.at.nanos), &out, width: 4)
        out.append(event.type.rawValue)
        // Both ids are ASCII and bounded by the feed limits (≤ 128 bytes): one length byte.
        assert(event.customer.utf8.count <= 255 && event.id.utf8.count <= 255)
        out.append(UInt8(event.customer.utf8.count))
        out.append(contentsOf: event.customer.utf8)
        out.append(UInt8(event.id.utf8.count))
        out.append(contentsOf: event.id.utf8)
        out.append(contentsOf: raw)
        return out
    }

    static func append(_ v: Int64, _ out: inout [UInt8], width: Int = 8) {
        for i in 0..<width { out.append(UInt8(truncatingIfNeeded: v >> (8 * i))) }
    }

    static func read(_ b: UnsafeRawBufferPointer, _ at: Int, width: Int = 8) -> Int64 {
        var v: UInt64 = 0
        for i in 0..<width { v |= UInt64(b[at + i]) << (8 * i) }
        if width < 8, v & (1 << (8 * width - 1)) != 0 { v |= ~0 << (8 * width) }
        return Int64(bitPattern: v)
    }

    /// The header fields only (no copy of the raw bytes).
    public struct Header {
        public let recordedAtMicros: Int64
        public let at: Timestamp
        public let type: EventType
        public let customerRange: Range<Int>
        public let idRange: Range<Int>
        public let rawStart: Int
    }

    static func header(_ b: UnsafeRawBufferPointer) throws -> Header {
        func corrupt(_ why: String) -> EngineError { EngineError(.store, "corrupt log record: \(why)") }
        guard b.count >= 24, b[0] == version else { throw corrupt("unknown record version") }
        let recorded = read(b, 1)
        let seconds = read(b, 9)
        let nanos = read(b, 17, width: 4)
        guard let type = EventType(rawValue: b[21]), nanos >= 0, nanos < 1_000_000_000 else { throw corrupt("bad header") }
        let cl = Int(b[22])
        guard 23 + cl < b.count else { throw corrupt("truncated") }
        let il = Int(b[23 + cl])
        let rawStart = 24 + cl + il
        guard rawStart <= b.count else { throw corrupt("truncated") }
        return Header(recordedAtMicros: recorded, at: Timestamp(seconds: seconds, nanos: Int32(nanos)), type: type,
                      customerRange: 23..<(23 + cl), idRange: (24 + cl)..<rawStart, rawStart: rawStart)
    }

    public init(_ b: UnsafeRawBufferPointer) throws {
        let h = try EventRecord.header(b)
        recordedAtMicros = h.recordedAtMicros
        at = h.at
        type = h.type
        customer = String(decoding: UnsafeRawBufferPointer(rebasing: b[h.customerRange]), as: UTF8.self)
        id = String(decoding: UnsafeRawBufferPointer(rebasing: b[h.idRange]), as: UTF8.self)
        raw = Array(UnsafeRawBufferPointer(rebasing: b[h.rawStart...]))
    }

    /// The accepted event, parsed again from its stored bytes.
    public func event() throws -> Event {
        do {
            let object = try JSONParser.parseObject(raw)
            return try EventDecoder.decode(object, id: try EventDecoder.eventID(object))
        } catch {
            throw EngineError(.store, "corrupt log record for event \(id): \(error)")
        }
    }
}
