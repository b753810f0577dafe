import ArlogDomain

/// One entry of the log: a small fixed header, the event's binary form (what folds read,
/// `LoggedEvent`), then the event's bytes exactly as received (kept for export, the chain and
/// audits).
///
///     version u8 | recordedAt µs i64 | at seconds i64 | at nanos i32 | type u8
///     | customer length u8 | customer | id length u8 | id | binary length u32 | binary | raw JSON
///
/// Integers little-endian. Every read checks lengths and ranges: a damaged record is a
/// `StoredDataError`, never a trap.
public struct EventRecord {
    public static let version: UInt8 = 2

    /// The header fields, and where the parts lie in the record (no copy).
    public struct Header {
        public let recordedAtMicros: Int64
        public let at: Timestamp
        public let type: EventType
        public let customerRange: Range<Int>
        public let idRange: Range<Int>
        public let binaryRange: Range<Int>
        public let rawStart: Int
    }

    static func encode(recordedAtMicros: Int64, event: Event, binary: UnsafeRawBufferPointer, raw: UnsafeRawBufferPointer,
                       into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        out.reserveCapacity(32 + event.customer.utf8.count + event.id.utf8.count + binary.count + raw.count)
        var w = BinaryWriter(reusing: out)
        w.u8(version)
        w.i64(recordedAtMicros)
        w.timestamp(event.at)
        w.u8(event.type.rawValue)
        // Both ids are ASCII and bounded by the feed limits (≤ 128 bytes): one length byte.
        w.shortText(event.customer)
        w.shortText(event.id)
        w.u32(UInt32(binary.count))
        w.bytes.append(contentsOf: binary)
        w.bytes.append(contentsOf: raw)
        out = w.bytes
    }

    /// Recording times a record may hold: from the epoch to the end of 9999, in µs (the
    /// store's clock; outside this a time would not print).
    static let recordedAtMicrosRange: ClosedRange<Int64> = 0...((Int64(Day.last.number) + 1) * 86_400_000_000 - 1)

    public static func header(_ b: UnsafeRawBufferPointer) throws(StoredDataError) -> Header {
        var r = BinaryReader(b)
        guard try r.u8() == version else { throw StoredDataError("unknown log record version") }
        let recorded = try r.i64()
        guard recordedAtMicrosRange.contains(recorded) else { throw StoredDataError("recording time \(recorded) µs is out of range") }
        let at = try r.timestamp()
        let t = try r.u8()
        guard let type = EventType(rawValue: t) else { throw StoredDataError("unknown event type \(t)") }
        let customerLength = Int(try r.u8())
        let customerStart = r.offset
        _ = try r.slice(customerLength)
        let idLength = Int(try r.u8())
        let idStart = r.offset
        _ = try r.slice(idLength)
        let binaryLength = Int(try r.u32())
        let binaryStart = r.offset
        _ = try r.slice(binaryLength)
        guard idLength > 0, type.isGlobal == (customerLength == 0) else { throw StoredDataError("bad ids in the log record header") }
        return Header(recordedAtMicros: recorded, at: at, type: type, customerRange: customerStart..<(customerStart + customerLength),
                      idRange: idStart..<(idStart + idLength), binaryRange: binaryStart..<(binaryStart + binaryLength), rawStart: r.offset)
    }

    /// The parts of a record, read in place.
    public struct View {
        public let bytes: UnsafeRawBufferPointer
        public let header: Header

        public init(_ bytes: UnsafeRawBufferPointer) throws(StoredDataError) {
            self.bytes = bytes
            header = try EventRecord.header(bytes)
        }

        public var customer: String { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[header.customerRange]), as: UTF8.self) }
        public var id: String { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[header.idRange]), as: UTF8.self) }
        public var binary: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[header.binaryRange]) }
        public var raw: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[header.rawStart...]) }

        /// The binary form, decoded and checked against the header.
        public func logged() throws(StoredDataError) -> LoggedEvent {
            let e = try LoggedEvent(binary)
            guard e.type == header.type, e.at == header.at else { throw StoredDataError("the binary form disagrees with the header") }
            return e
        }

        /// The event parsed again from its bytes as received (export checks, audits, duplicate
        /// comparison): JSON is parsed here, never in a fold.
        public func event() throws(StoredDataError) -> Event {
            // The tree-free decoder gives exactly the slow path's event, or leaves the line to
            // it (as at intake), so an audit derives what intake derived.
            if case .event(let e) = FastDecoder.decode(raw) { return e }
            do {
                let object = try JSONParser.parseObject(raw)
                return try EventDecoder.decode(object, id: try EventDecoder.eventID(object))
            } catch {
                throw StoredDataError("its bytes as received no longer decode: \(error)")
            }
        }
    }
}
