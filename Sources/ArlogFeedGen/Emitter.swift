import ArlogDomain

/// Identifier shapes. Every id uses only `A-Z a-z 0-9 . _ : -`.
enum Ids {
    /// `ev-000000123`
    static let eventWidth = 9
    /// `C000123`
    static let customerWidth = 6
    /// the n of `INV-C000123-000017` and `PAY-C000123-000017`
    static let sequenceWidth = 6

    /// Byte order of two sequence numbers as printed (zero-padded to `sequenceWidth`): the
    /// engine orders invoice ids as text, so `INV-…-1000000` sorts before `INV-…-999999`.
    static func sequenceOrder(_ a: Int, _ b: Int) -> Bool {
        let limit = Int(Money.powersOfTen[sequenceWidth])
        if a < limit && b < limit { return a < b }
        return padded(a, sequenceWidth).lexicographicallyPrecedes(padded(b, sequenceWidth))
    }

    static func padded(_ value: Int, _ width: Int) -> [UInt8] {
        let digits = Array(String(value).utf8)
        return [UInt8](repeating: UInt8(ascii: "0"), count: max(0, width - digits.count)) + digits
    }
}

/// Offsets printed in `at` (the instant is the same whatever the offset).
enum Offsets {
    static let minutes: [Int] = [0, 480, -300, 540, 330, 60]
    static let text: [StaticString] = ["Z", "+08:00", "-05:00", "+09:00", "+05:30", "+01:00"]
    /// Per mille of customers in each zone.
    static let weights: [Int] = [400, 150, 180, 90, 90, 90]
}

/// The output side of the generator: the simulated clock, the random source, and the NDJSON being
/// built, as bytes in one preallocated buffer (no `String` per event). The caller drains the
/// buffer (`bytes`, `drain()`) whenever it holds `bufferBytes` or more, between events.
///
/// Writes go straight to memory: `begin` checks that the buffer has room for `eventBytesMax`
/// more bytes, and an event is far shorter than that by construction (its longest parts are six
/// installments and two allocations, well under 2 KiB; respelled with `shapes`, escapes, unknown
/// fields, a duplicate and blank lines at most multiply that about fifteen times); `finish`
/// checks the length again.
struct Emitter {
    static let eventBytesMax = 64 * 1024
    /// With the `late-entries` shape, an event is at most this much older than the clock.
    static let lateSecondsMax: Int64 = 3 * 86_400

    /// Owns the memory `buffer` points to.
    private let storage: ByteStorage
    private let buffer: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private(set) var count = 0
    private var eventStart = 0
    /// For `Money.append`, which appends to an array.
    private var scratch: [UInt8] = []

    var rng: Xoshiro256StarStar
    /// Which of the contract's other spellings and shapes to write (`FeedShapes`); none by
    /// default. Their choices come from `shapeRNG`, so that the simulation (`rng`) makes the
    /// same events whatever the shapes.
    var shapes: FeedShapes = []
    var shapeRNG: Xoshiro256StarStar
    /// Extra lines written for shapes: duplicates and blank lines.
    private(set) var duplicateLines = 0
    private(set) var blankLines = 0
    /// `--audit`: `finish` adds the generator's own open amounts to each event (see `Customer`).
    var audit = false
    /// The invoice the current event names in its `invoice` field, if any (for the audit).
    private(set) var namedInvoice: Int32 = -1
    /// The simulated clock: UTC seconds since the epoch. Only moves forward.
    private(set) var now: Int64
    /// The UTC date of `now`, as a day number.
    private(set) var today: Int32
    /// Events emitted so far; the next event id is `ev-<seq + 1>`.
    private(set) var sequence: Int = 0
    /// The `at` of the current event: `now`, unless the `fractions` shape gives it nanoseconds
    /// or the `late-entries` shape moves it back (see `chooseAt`).
    private(set) var eventAt = Timestamp(seconds: 0)
    /// The UTC date of `eventAt`, as a day number (the engine judges the dunning reset on it).
    private(set) var eventDay: Int32 = 0
    /// The `at` of the latest event that was not a late entry: the next is never earlier.
    private var onTimeAt = Timestamp(seconds: 0)

    /// `YYYY-MM-DD` of day `dayBase + i` at `dayText[10 i ..< 10 i + 10]`, filled on demand.
    private var dayText: [UInt8] = []
    private let dayBase: Int32

    init(seed: UInt64, start: Day, bufferBytes: Int) {
        capacity = bufferBytes + 2 * Emitter.eventBytesMax
        storage = ByteStorage(capacity: capacity)
        buffer = storage.pointer
        scratch.reserveCapacity(32)
        rng = Xoshiro256StarStar(seed: seed)
        shapeRNG = Xoshiro256StarStar(seed: seed ^ 0x5348_4150_4553_0001)
        now = Int64(start.number) * 86_400 + 7 * 3600
        today = start.number
        dayBase = start.number - 7
    }

    mutating func advance(seconds: Int64) {
        precondition(seconds >= 0, "the clock never goes back")
        now += seconds
        today = Timestamp(seconds: now).utcDay.number
    }

    // MARK: the buffer

    /// The complete events written since the last `drain()`.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: buffer, count: count) }

    mutating func drain() {
        precondition(count == eventStart, "drained in the middle of an event")
        count = 0
        eventStart = 0
    }

    // MARK: bytes

    @inline(__always)
    mutating func byte(_ b: UInt8) {
        buffer[count] = b
        count += 1
    }

    @inline(__always)
    mutating func lit(_ s: StaticString) {
        let n = s.utf8CodeUnitCount
        (buffer + count).update(from: s.utf8Start, count: n)
        count += n
    }

    @inline(__always)
    private mutating func copy(_ source: UnsafeBufferPointer<UInt8>) {
        (buffer + count).update(from: source.baseAddress!, count: source.count)
        count += source.count
    }

    /// `value` in decimal, zero-padded to `width` digits.
    @inline(__always)
    mutating func decimal(_ value: Int, width: Int = 0) {
        var digits = 1
        var rest = UInt64(value) / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        let n = max(digits, width)
        var i = count + n - 1
        var v = UInt64(value)
        while i >= count {
            buffer[i] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
            i -= 1
        }
        count += n
    }

    @inline(__always)
    private mutating func twoDigits(_ v: Int) {
        byte(UInt8(ascii: "0") + UInt8(v / 10))
        byte(UInt8(ascii: "0") + UInt8(v % 10))
    }

    /// `YYYY-MM-DD`, through `Day.description`, cached per day.
    mutating func day(_ number: Int32) {
        let i = Int(number) - Int(dayBase)
        guard i >= 0 else {
            for b in Day(number: number).description.utf8 { byte(b) }
            return
        }
        while dayText.count < (i + 1) * 10 {
            let d = Day(number: dayBase + Int32(dayText.count / 10))
            dayText.append(contentsOf: d.description.utf8)
        }
        dayText.withUnsafeBufferPointer { copy(UnsafeBufferPointer(rebasing: $0[(i * 10)..<(i * 10 + 10)])) }
    }

    /// RFC 3339 local time of `eventAt` at offset `zone` (index into `Offsets`), with nine
    /// fraction digits when it has nanoseconds.
    mutating func timestamp(zone: Int) {
        let local = eventAt.seconds + Int64(Offsets.minutes[zone]) * 60
        let localDay = Timestamp(seconds: local).utcDay.number
        let secondOfDay = Int(local - Int64(localDay) * 86_400)
        day(localDay)
        byte(UInt8(ascii: "T"))
        twoDigits(secondOfDay / 3600)
        byte(UInt8(ascii: ":"))
        twoDigits(secondOfDay / 60 % 60)
        byte(UInt8(ascii: ":"))
        twoDigits(secondOfDay % 60)
        if eventAt.nanos > 0 {
            byte(UInt8(ascii: "."))
            decimal(Int(eventAt.nanos), width: 9)
        }
        lit(Offsets.text[zone])
    }

    /// The `at` of the next event. Without shapes, `now`. With `fractions`, `now` plus
    /// nanoseconds that never go below the previous event's. With `late-entries`, now and then
    /// an earlier instant (another customer's events already in the log are later): never
    /// before `notBefore`, the customer's registration or latest invoice or payment, so that
    /// every reference rule still holds; a whole second after it, so that its nanoseconds
    /// cannot matter.
    private mutating func chooseAt(notBefore: Timestamp?) -> Timestamp {
        if shapes.contains(.lateEntries) && shapeRNG.chance(perMille: 40) {
            let low = max(now - Emitter.lateSecondsMax, (notBefore?.seconds ?? Int64.min / 2) + 1)
            let high = now - 1
            if low <= high {
                let seconds = low + Int64(shapeRNG.below(Int(high - low + 1)))
                let nanos = shapes.contains(.fractions) ? Int32(shapeRNG.below(1_000_000_000)) : 0
                return Timestamp(seconds: seconds, nanos: nanos)
            }
        }
        var nanos: Int32 = 0
        if shapes.contains(.fractions) {
            if onTimeAt.seconds == now {
                nanos = onTimeAt.nanos + Int32(shapeRNG.below(Int(999_999_999 - onTimeAt.nanos) / 4 + 1))
            } else {
                // Whole seconds, milli-, micro- and nanoseconds, as systems write them.
                let n = shapeRNG.below(500_000_000)
                switch shapeRNG.below(4) {
                case 0: nanos = 0
                case 1: nanos = Int32(n - n % 1_000_000)
                case 2: nanos = Int32(n - n % 1_000)
                default: nanos = Int32(n)
                }
            }
        }
        onTimeAt = Timestamp(seconds: now, nanos: nanos)
        return onTimeAt
    }

    // MARK: JSON pieces

    /// `C000123` for customer index 122.
    mutating func customerID(_ index: Int32) {
        byte(UInt8(ascii: "C"))
        decimal(Int(index) + 1, width: Ids.customerWidth)
    }

    /// `INV-C000123-000017` / `PAY-C000123-000017` (`prefix` is `INV-` or `PAY-`).
    mutating func documentID(_ prefix: StaticString, customer: Int32, number: Int32) {
        lit(prefix)
        customerID(customer)
        byte(UInt8(ascii: "-"))
        decimal(Int(number), width: Ids.sequenceWidth)
    }

    /// Opens an event: `{"id":…,"type":…,"at":…,"customer":…` (no closing brace). Its `at` is
    /// not before `notBefore` (see `chooseAt`).
    mutating func begin(_ type: StaticString, customer: Int32, zone: Int, notBefore: Timestamp? = nil) {
        beginEnvelope(type, zone: zone, notBefore: notBefore)
        lit("\",\"customer\":\"")
        customerID(customer)
        byte(UInt8(ascii: "\""))
    }

    /// `{"id":…,"type":…,"at":…` up to the closing quote of `at` (excluded).
    private mutating func beginEnvelope(_ type: StaticString, zone: Int, notBefore: Timestamp?) {
        precondition(count == eventStart && count + Emitter.eventBytesMax <= capacity, "output buffer not drained")
        sequence += 1
        namedInvoice = -1
        if shapes.isEmpty {
            eventAt = Timestamp(seconds: now)
            eventDay = today
        } else {
            eventAt = chooseAt(notBefore: notBefore)
            eventDay = eventAt.utcDay.number
        }
        lit("{\"id\":\"ev-")
        decimal(sequence, width: Ids.eventWidth)
        lit("\",\"type\":\"")
        lit(type)
        lit("\",\"at\":\"")
        timestamp(zone: zone)
    }

    /// Opens a log-wide event (feed v1.3's `fx.rate`): `{"id":…,"type":…,"at":…`, no customer.
    mutating func beginLogWide(_ type: StaticString) {
        beginEnvelope(type, zone: 0, notBefore: nil)
        byte(UInt8(ascii: "\""))
    }

    /// `,"key":"12.34567890"`: a decimal of `units` in 10^-`fractionDigits` (> 0 digits).
    mutating func decimalText(_ key: StaticString, _ units: Int64, fractionDigits: Int) {
        lit(",\"")
        lit(key)
        lit("\":\"")
        let scale = Money.powersOfTen[fractionDigits]
        decimal(Int(units / scale))
        byte(UInt8(ascii: "."))
        decimal(Int(units % scale), width: fractionDigits)
        byte(UInt8(ascii: "\""))
    }

    /// `,"invoice":"INV-C000123-000017"`
    mutating func invoiceField(customer: Int32, number: Int32) {
        lit(",\"invoice\":\"")
        documentID("INV-", customer: customer, number: number)
        byte(UInt8(ascii: "\""))
        namedInvoice = number
    }

    /// Adds an `actor` and a `note` now and then.
    mutating func end(actors: [StaticString], actorPerMille: Int, notes: [StaticString], notePerMille: Int) {
        if !actors.isEmpty && rng.chance(perMille: actorPerMille) {
            lit(",\"actor\":\"")
            lit(actors[rng.below(actors.count)])
            byte(UInt8(ascii: "\""))
        }
        if !notes.isEmpty && rng.chance(perMille: notePerMille) {
            lit(",\"note\":\"")
            lit(notes[rng.below(notes.count)])
            byte(UInt8(ascii: "\""))
        }
    }

    /// Closes the event; with shapes, writes it again in the shapes' spelling (see `Shaper`).
    mutating func finish() {
        if shapes.isEmpty {
            lit("}\n")
        } else {
            byte(UInt8(ascii: "}"))
            var shaper = Shaper(shapes: shapes, rng: shapeRNG)
            let line = shaper.respell(UnsafeRawBufferPointer(start: buffer + eventStart, count: count - eventStart))
            shapeRNG = shaper.rng
            duplicateLines += shaper.duplicates
            blankLines += shaper.blanks
            precondition(line.count < Emitter.eventBytesMax, "a respelled event outgrew eventBytesMax")
            count = eventStart
            line.withUnsafeBufferPointer { copy($0) }
        }
        precondition(count - eventStart < Emitter.eventBytesMax)
        eventStart = count
    }

    /// `,"key":"1234.50"`
    mutating func money(_ key: StaticString, _ minor: Int64, fractionDigits: Int) {
        lit(",\"")
        lit(key)
        lit("\":\"")
        scratch.removeAll(keepingCapacity: true)
        Money.append(minor, fractionDigits: fractionDigits, to: &scratch)
        scratch.withUnsafeBufferPointer { copy($0) }
        byte(UInt8(ascii: "\""))
    }

    /// `,"key":"YYYY-MM-DD"`
    mutating func date(_ key: StaticString, _ number: Int32) {
        lit(",\"")
        lit(key)
        lit("\":\"")
        day(number)
        byte(UInt8(ascii: "\""))
    }

    /// `,"key":"text"` for text that needs no JSON escaping.
    mutating func string(_ key: StaticString, _ text: StaticString) {
        lit(",\"")
        lit(key)
        lit("\":\"")
        lit(text)
        byte(UInt8(ascii: "\""))
    }

    /// `,"key":123`
    mutating func integer(_ key: StaticString, _ value: Int) {
        lit(",\"")
        lit(key)
        lit("\":")
        decimal(value)
    }
}

/// A fixed block of bytes, freed with its last reference.
final class ByteStorage {
    let pointer: UnsafeMutablePointer<UInt8>

    init(capacity: Int) {
        pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    }

    deinit { pointer.deallocate() }
}
