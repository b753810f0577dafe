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

    /// Recording times a record may hold: from the epoch to the end of 9999, in µs (the
    /// store's clock; outside this a time would not print).
    static let recordedAtMicrosRange: ClosedRange<Int64> = 0...((Int64(Day.last.number) + 1) * 86_400_000_000 - 1)
    /// `at` seconds a record may hold: instants whose UTC date is 0001…9999 (what the feed's
    /// parser accepts).
    static let atSecondsRange: ClosedRange<Int64> = (Int64(Day.first.number) * 86_400)...(Int64(Day.last.number) * 86_400 + 86_399)

    /// The header of a stored record, every field checked: a damaged one is
    /// `EngineError.corrupt` naming the log and `seq` (when the caller knows it).
    static func header(_ b: UnsafeRawBufferPointer, seq: UInt64? = nil) throws -> Header {
        func corrupt(_ why: String) -> EngineError {
            EngineError.corrupt(database: "log", key: seq.map { "sequence \($0)" } ?? "(unknown sequence)", why)
        }
        guard b.count >= 24 else { throw corrupt("record of \(b.count) bytes is shorter than its header") }
        guard b[0] == version else { throw corrupt("unknown record version \(b[0])") }
        let recorded = read(b, 1)
        let seconds = read(b, 9)
        let nanos = read(b, 17, width: 4)
        guard recordedAtMicrosRange.contains(recorded) else { throw corrupt("recording time \(recorded) µs is out of range") }
        guard atSecondsRange.contains(seconds), nanos >= 0, nanos < 1_000_000_000 else { throw corrupt("\"at\" of \(seconds) s \(nanos) ns is out of range") }
        guard let type = EventType(rawValue: b[21]) else { throw corrupt("unknown event type \(b[21])") }
        let cl = Int(b[22])
        guard cl <= FeedLimits.customerCharsMax, 23 + cl < b.count else { throw corrupt("customer length \(cl) does not fit the record") }
        let il = Int(b[23 + cl])
        let rawStart = 24 + cl + il
        guard il >= 1, il <= FeedLimits.idCharsMax, rawStart < b.count else { throw corrupt("event id length \(il) does not fit the record") }
        return Header(recordedAtMicros: recorded, at: Timestamp(seconds: seconds, nanos: Int32(truncatingIfNeeded: nanos)), type: type,
                      customerRange: 23..<(23 + cl), idRange: (24 + cl)..<rawStart, rawStart: rawStart)
    }

    /// The log position the record was read at (nil when the caller did not say).
    public let seq: UInt64?

    public init(_ b: UnsafeRawBufferPointer, seq: UInt64? = nil) throws {
        let h = try EventRecord.header(b, seq: seq)
        self.seq = seq
        recordedAtMicros = h.recordedAtMicros
        at = h.at
        type = h.type
        customer = String(decoding: UnsafeRawBufferPointer(rebasing: b[h.customerRange]), as: UTF8.self)
        id = String(decoding: UnsafeRawBufferPointer(rebasing: b[h.idRange]), as: UTF8.self)
        raw = Array(UnsafeRawBufferPointer(rebasing: b[h.rawStart...]))
    }

    /// The accepted event, parsed again from its stored bytes; bytes that are no longer an
    /// event are `EngineError.corrupt`.
    public func event() throws -> Event {
        do {
            let object = try JSONParser.parseObject(raw)
            return try EventDecoder.decode(object, id: try EventDecoder.eventID(object))
        } catch {
            throw EngineError.corrupt(database: "log", key: seq.map { "sequence \($0)" } ?? "event \(id)", "the event's bytes do not decode: \(error)")
        }
    }

    /// The parsed event, checked against the header (what scans filter on) and against the
    /// customer it was found under (nil: a log-wide event, or not known).
    public func checkedEvent(customer expected: String? = nil) throws -> Event {
        let e = try event()
        let key = seq.map { "sequence \($0)" } ?? "event \(id)"
        guard e.id == id, e.customer == customer, e.type == type, e.at == at else {
            throw EngineError.corrupt(database: "log", key: key, "the record's header (\(type.name) \(id) of \(customer.isEmpty ? "no customer" : customer) at \(at)) does not match its event bytes")
        }
        if let expected, e.customer != expected {
            throw EngineError.corrupt(database: "log", key: key, "indexed under customer \(expected), but the event is of \(e.customer.isEmpty ? "no customer" : e.customer)")
        }
        return e
    }
}
