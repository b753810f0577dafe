/// A business date as a day number: days since 1970-01-01 (proleptic Gregorian, no time zone).
///
/// Dates are compared and subtracted as integers; no calendar object or formatter is involved.
/// Years are bounded to 0001…9999 so that every date prints as `YYYY-MM-DD`.
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let number: Int32

    public init(number: Int32) {
        self.number = number
    }

    public static let yearMin = 1
    public static let yearMax = 9999

    /// Day number of a valid civil date (Howard Hinnant's days_from_civil).
    public init?(year: Int, month: Int, day: Int) {
        guard (Day.yearMin...Day.yearMax).contains(year), (1...12).contains(month),
            day >= 1, day <= Day.daysIn(month: month, year: year)
        else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        number = Int32(era * 146097 + doe - 719468)
    }

    /// Parses exactly `YYYY-MM-DD`.
    public init?(parsing text: some StringProtocol) {
        let parsed = text.utf8.withContiguousStorageIfAvailable { Day.parse($0[...]) }
        guard let day = parsed ?? Array(text.utf8).withUnsafeBufferPointer({ Day.parse($0[...]) }) else { return nil }
        self = day
    }

    /// `YYYY-MM-DD` as the whole of `b`.
    static func parse(_ b: Slice<UnsafeBufferPointer<UInt8>>) -> Day? {
        guard b.count == 10 else { return nil }
        let i = b.startIndex
        guard b[i + 4] == UInt8(ascii: "-"), b[i + 7] == UInt8(ascii: "-"),
            let y = digits(b, i, 4), let m = digits(b, i + 5, 2), let d = digits(b, i + 8, 2)
        else { return nil }
        return Day(year: y, month: m, day: d)
    }

    public var civil: (year: Int, month: Int, day: Int) {
        let z = Int(number) + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    public var description: String {
        let (y, m, d) = civil
        var out = [UInt8]()
        out.reserveCapacity(10)
        Day.append(y, width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        Day.append(m, width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        Day.append(d, width: 2, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The first and last representable dates: 0001-01-01 and 9999-12-31.
    public static let first = Day(year: yearMin, month: 1, day: 1)!
    public static let last = Day(year: yearMax, month: 12, day: 31)!

    /// True for dates within 0001-01-01…9999-12-31 (the ones that print as YYYY-MM-DD).
    public var isRepresentable: Bool { self >= Day.first && self <= Day.last }

    public func adding(days: Int) -> Day { Day(number: number + Int32(days)) }

    /// Whole days from `other` to `self` (positive when self is later).
    public func days(since other: Day) -> Int { Int(number) - Int(other.number) }

    public static func < (a: Day, b: Day) -> Bool { a.number < b.number }

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func digits(_ b: Slice<UnsafeBufferPointer<UInt8>>, _ start: Int, _ count: Int) -> Int? {
        var v = 0
        for i in start..<(start + count) {
            let c = b[i]
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
            v = v * 10 + Int(c - UInt8(ascii: "0"))
        }
        return v
    }

    static func append(_ value: Int, width: Int, to out: inout [UInt8]) {
        var digits = [UInt8](repeating: UInt8(ascii: "0"), count: width)
        var v = value
        var i = width - 1
        while i >= 0 {
            digits[i] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
            i -= 1
        }
        out.append(contentsOf: digits)
    }
}

/// An instant: UTC seconds since the epoch plus nanoseconds. Parsed from RFC 3339 with an offset.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let seconds: Int64
    public let nanos: Int32

    public init(seconds: Int64, nanos: Int32 = 0) {
        precondition(nanos >= 0 && nanos < 1_000_000_000)
        self.seconds = seconds
        self.nanos = nanos
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool {
        (a.seconds, a.nanos) < (b.seconds, b.nanos)
    }

    /// The UTC calendar date of this instant.
    public var utcDay: Day {
        Day(number: Int32((seconds >= 0 ? seconds : seconds - 86_399) / 86_400))
    }

    /// The last instant of a date in UTC: "as of D" means the end of D.
    public static func endOf(_ day: Day) -> Timestamp {
        Timestamp(seconds: (Int64(day.number) + 1) * 86_400 - 1, nanos: 999_999_999)
    }

    /// Parses RFC 3339 `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; `t`, `z` and a space for `T`
    /// are accepted as RFC 3339 allows. The fraction may have any number of digits (RFC 3339
    /// sets no bound): the first nine are kept, the rest truncated, in one linear pass. A leap
    /// second (`:60`) is accepted and read as the last nanosecond of its minute, since the
    /// instant it names has no other representation here.
    public init?(parsing text: some StringProtocol) {
        let parsed = text.utf8.withContiguousStorageIfAvailable { Timestamp.parse($0[...]) }
        guard let t = parsed ?? Array(text.utf8).withUnsafeBufferPointer({ Timestamp.parse($0[...]) }) else { return nil }
        self = t
    }

    static func parse(_ b: Slice<UnsafeBufferPointer<UInt8>>) -> Timestamp? {
        let s = b.startIndex
        guard b.count >= 20, let day = Day.parse(b[s..<(s + 10)]),
            b[s + 10] == UInt8(ascii: "T") || b[s + 10] == UInt8(ascii: "t") || b[s + 10] == UInt8(ascii: " "),
            b[s + 13] == UInt8(ascii: ":"), b[s + 16] == UInt8(ascii: ":"),
            let hh = Day.digits(b, s + 11, 2), let mm = Day.digits(b, s + 14, 2),
            let ss = Day.digits(b, s + 17, 2), hh <= 23, mm <= 59, ss <= 60
        else { return nil }
        var i = s + 19
        var nanos: Int32 = 0
        if b[i] == UInt8(ascii: ".") {
            i += 1
            var count = 0
            while i < b.endIndex, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") {
                // Digits past nanoseconds are accepted and truncated.
                if count < 9 { nanos = nanos * 10 + Int32(b[i] - UInt8(ascii: "0")) }
                count += 1
                i += 1
            }
            guard count > 0 else { return nil }
            for _ in count..<max(count, 9) { nanos *= 10 }
        }
        guard i < b.endIndex else { return nil }
        var offsetSeconds = 0
        switch b[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard b.endIndex == i + 6, b[i + 3] == UInt8(ascii: ":"),
                let oh = Day.digits(b, i + 1, 2), let om = Day.digits(b, i + 4, 2), oh <= 23,
                om <= 59
            else { return nil }
            offsetSeconds = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        default:
            return nil
        }
        guard i == b.endIndex else { return nil }
        var secs = Int64(day.number) * 86_400 + Int64(hh * 3600 + mm * 60 + min(ss, 59))
        if ss == 60 { nanos = 999_999_999 }
        secs -= Int64(offsetSeconds)
        let t = Timestamp(seconds: secs, nanos: nanos)
        // The offset can carry the instant outside the years we represent.
        guard t.utcDay.isRepresentable else { return nil }
        return t
    }

    /// RFC 3339 in UTC, with a fraction only when there is one: `2025-03-01T09:30:00Z`.
    public var description: String {
        let day = utcDay
        let secOfDay = Int(seconds - Int64(day.number) * 86_400)
        var out = Array(day.description.utf8)
        out.append(UInt8(ascii: "T"))
        Day.append(secOfDay / 3600, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        Day.append(secOfDay / 60 % 60, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        Day.append(secOfDay % 60, width: 2, to: &out)
        if nanos > 0 {
            out.append(UInt8(ascii: "."))
            var n = Int(nanos)
            var width = 9
            while n % 10 == 0 {
                n /= 10
                width -= 1
            }
            Day.append(n, width: width, to: &out)
        }
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }
}
