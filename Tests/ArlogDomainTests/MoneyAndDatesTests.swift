import Testing

@testable import ArlogDomain

struct MoneyTextTests {
    @Test(arguments: [
        ("0", false, UInt64(0), 0), ("1234.50", false, 123450, 2), ("-20.00", true, 2000, 2),
        ("007", false, 7, 0), ("0.5", false, 5, 1), ("-0", true, 0, 0), ("1.000", false, 1000, 3),
    ])
    func acceptedForms(_ text: String, _ negative: Bool, _ digits: UInt64, _ scale: Int) throws {
        let d = try DecimalText(parsing: text)
        #expect(d.negative == negative)
        #expect(d.digits == digits)
        #expect(d.scale == scale)
    }

    @Test(arguments: ["1.", ".5", "+1", "1e3", "1E3", " 1", "1 ", "1,00", "", "-", "--1", "1-", "1.2.3", "0x10", "١", "1.-5", "-.5", "−1"])
    func rejectedForms(_ text: String) {
        #expect(throws: DecimalText.ParseError.malformed) { try DecimalText(parsing: text) }
    }

    @Test func digitsLimit() throws {
        // 18 significant digits parse; 19 do not. Leading zeros do not count.
        #expect(try DecimalText(parsing: "123456789012345678").digits == 123_456_789_012_345_678)
        #expect(try DecimalText(parsing: "000000123456789012345678").digits == 123_456_789_012_345_678)
        #expect(throws: DecimalText.ParseError.tooManyDigits) { try DecimalText(parsing: "1234567890123456789") }
        #expect(throws: DecimalText.ParseError.tooManyDigits) { try DecimalText(parsing: "12345678901234567.89") }
    }

    @Test func precisionPerCurrency() throws {
        func minor(_ t: String, _ code: String) throws -> Int64 {
            try DecimalText(parsing: t).minorUnits(fractionDigits: Currency(code: code)!.fractionDigits)
        }
        #expect(try minor("100", "JPY") == 100)
        #expect(throws: DecimalText.MinorError.tooPrecise(allowed: 0)) { try minor("100.0", "JPY") }
        #expect(try minor("1.5", "EUR") == 150)
        #expect(try minor("-20.00", "EUR") == -2000)
        #expect(throws: DecimalText.MinorError.tooPrecise(allowed: 2)) { try minor("1.001", "EUR") }
        #expect(try minor("1.234", "BHD") == 1234)
        #expect(throws: DecimalText.MinorError.tooPrecise(allowed: 3)) { try minor("1.2345", "BHD") }
        #expect(try minor("1.2345", "CLF") == 12345)
        #expect(throws: DecimalText.MinorError.tooPrecise(allowed: 4)) { try minor("1.23456", "CLF") }
        // As written: trailing zeros still count.
        #expect(throws: DecimalText.MinorError.tooPrecise(allowed: 2)) { try minor("1.000", "EUR") }
    }

    @Test func rangeLimit() throws {
        // 10^15 minor units is the largest single amount.
        #expect(try DecimalText(parsing: "10000000000000.00").minorUnits(fractionDigits: 2) == 1_000_000_000_000_000)
        #expect(throws: DecimalText.MinorError.tooLarge) { try DecimalText(parsing: "10000000000000.01").minorUnits(fractionDigits: 2) }
        #expect(try DecimalText(parsing: "-1000000000000000").minorUnits(fractionDigits: 0) == -1_000_000_000_000_000)
        #expect(throws: DecimalText.MinorError.tooLarge) { try DecimalText(parsing: "1000000000000001").minorUnits(fractionDigits: 0) }
        // 18 digits scaled by 10^4 overflows UInt64: reported as too large, not a crash.
        #expect(throws: DecimalText.MinorError.tooLarge) { try DecimalText(parsing: "999999999999999999").minorUnits(fractionDigits: 4) }
    }

    @Test(arguments: [
        (Int64(0), 0, "0"), (0, 2, "0.00"), (0, 3, "0.000"), (123450, 2, "1234.50"), (-2000, 2, "-20.00"),
        (-5, 2, "-0.05"), (5, 3, "0.005"), (-1, 0, "-1"), (125000, 0, "125000"), (500125, 3, "500.125"),
        (12345, 4, "1.2345"), (-99, 3, "-0.099"), (1_000_000_000_000_000, 2, "10000000000000.00"),
        (Int64.min, 2, "-92233720368547758.08"), (Int64.max, 0, "9223372036854775807"),
    ])
    func formatting(_ minor: Int64, _ digits: Int, _ text: String) {
        #expect(Money.format(minor, fractionDigits: digits) == text)
    }

    @Test func formatParseRoundTrip() throws {
        for digits in 0...4 {
            for minor: Int64 in [0, 1, -1, 9, 10, 99, 100, 101, -12345, 987_654_321, -1_000_000_000_000_000] {
                let text = Money.format(minor, fractionDigits: digits)
                #expect(try DecimalText(parsing: text).minorUnits(fractionDigits: digits) == minor, "\(text)")
            }
        }
    }
}

struct CurrencyTests {
    @Test(arguments: [
        ("EUR", 2), ("USD", 2), ("CNY", 2), ("JPY", 0), ("KRW", 0), ("CLP", 0), ("ISK", 0), ("VND", 0),
        ("BHD", 3), ("KWD", 3), ("OMR", 3), ("JOD", 3), ("TND", 3), ("IQD", 3), ("LYD", 3), ("CLF", 4), ("UYW", 4),
    ])
    func fractionDigits(_ code: String, _ digits: Int) throws {
        let c = try #require(Currency(code: code))
        #expect(c.fractionDigits == digits)
        #expect(c.code == code)
        #expect(c.minorPerMajor == Money.powersOfTen[digits])
    }

    @Test(arguments: ["XAU", "XAG", "XPT", "XPD", "XDR", "XXX", "XTS", "XSU", "XUA", "eur", "EU", "EURO", "", "ABC", "ZZZ"])
    func rejected(_ code: String) {
        #expect(Currency(code: code) == nil)
    }
}

struct DayTests {
    @Test(arguments: ["2024-02-29", "2000-02-29", "1600-02-29", "2025-12-31", "0001-01-01", "9999-12-31", "1970-01-01"])
    func validDates(_ text: String) throws {
        let d = try #require(Day(parsing: text))
        #expect(d.description == text)
    }

    @Test(arguments: [
        "2025-02-29", "1900-02-29", "2100-02-29", "2025-04-31", "2025-13-01", "2025-00-10", "2025-01-00",
        "2025-01-32", "0000-01-01", "2025-1-01", "2025-01-1", "25-01-01", "2025/01/01", "2025-01-01T00:00:00Z",
        "2025-01-01 ", " 2025-01-01", "20250101", "2025-0a-01", "", "+025-01-01", "2025-01--1",
    ])
    func invalidDates(_ text: String) {
        #expect(Day(parsing: text) == nil)
    }

    @Test func epochAndKnownNumbers() throws {
        #expect(Day(parsing: "1970-01-01")!.number == 0)
        #expect(Day(parsing: "1970-01-02")!.number == 1)
        #expect(Day(parsing: "1969-12-31")!.number == -1)
        #expect(Day(parsing: "2000-03-01")!.number == 11017)
        #expect(Day(parsing: "2025-03-01")!.days(since: Day(parsing: "2025-02-01")!) == 28)
        #expect(Day(parsing: "2024-03-01")!.days(since: Day(parsing: "2024-02-01")!) == 29)
        #expect(Day(parsing: "2025-01-20")!.adding(days: 30).description == "2025-02-19")
        #expect(Day(parsing: "2024-12-31")!.adding(days: 1).description == "2025-01-01")
        #expect(Day(parsing: "2024-01-01")!.adding(days: 366).description == "2025-01-01")
    }

    @Test func dayArithmeticRoundTripsOverWideRange() throws {
        // Every day of 1600-01-01 … 2400-12-31 (two full 400-year cycles of the Gregorian
        // calendar, edges included) is the calendar successor of the one before, and
        // number → civil → number round trips.
        let first = try #require(Day(year: 1600, month: 1, day: 1))
        let last = try #require(Day(year: 2400, month: 12, day: 31))
        var p = first.civil
        #expect(p == (1600, 1, 1))
        var failure: String? = nil
        var n = first.number + 1
        while n <= last.number, failure == nil {
            let d = Day(number: n)
            let c = d.civil
            let expected: (Int, Int, Int) =
                p.day < Day.daysIn(month: p.month, year: p.year) ? (p.year, p.month, p.day + 1)
                : p.month < 12 ? (p.year, p.month + 1, 1) : (p.year + 1, 1, 1)
            if c != expected { failure = "civil of day \(n) is \(c), expected \(expected)" }
            if Day(year: c.year, month: c.month, day: c.day) != d { failure = "days_from_civil(\(c)) != \(n)" }
            p = c
            n += 1
        }
        #expect(failure == nil, "\(failure ?? "")")
        #expect(p == (2400, 12, 31))
        // The whole range 0001-01-01 … 9999-12-31: its length, and text round trips on a sample.
        let min = try #require(Day(parsing: "0001-01-01"))
        let max = try #require(Day(parsing: "9999-12-31"))
        #expect(max.days(since: min) == 3_652_058)
        var sampleFailure: String? = nil
        for n in stride(from: min.number, through: max.number, by: 97) where sampleFailure == nil {
            let d = Day(number: n)
            if Day(parsing: d.description) != d { sampleFailure = "\(n) → \(d)" }
        }
        #expect(sampleFailure == nil, "\(sampleFailure ?? "")")
        #expect(Day(number: max.number).description == "9999-12-31")
        #expect(Day(number: 0).adding(days: 20_000).adding(days: -20_000) == Day(number: 0))
        #expect(Day(parsing: "2000-02-28")!.adding(days: 1).description == "2000-02-29")
        #expect(Day(parsing: "1900-02-28")!.adding(days: 1).description == "1900-03-01")
    }

    @Test func comparison() {
        #expect(Day(parsing: "2025-01-31")! < Day(parsing: "2025-02-01")!)
        #expect(!(Day(parsing: "2025-02-01")! < Day(parsing: "2025-02-01")!))
    }
}

struct TimestampTests {
    func ts(_ s: String) -> Timestamp? { Timestamp(parsing: s) }

    @Test func utcAndLowercaseZ() throws {
        let a = try #require(ts("2026-03-01T09:30:00Z"))
        #expect(a.description == "2026-03-01T09:30:00Z")
        #expect(ts("2026-03-01t09:30:00z") == a)
        #expect(ts("2026-03-01 09:30:00Z") == a)
        #expect(a.utcDay == Day(parsing: "2026-03-01"))
        #expect(a.nanos == 0)
    }

    @Test func offsetsConvertToUTC() throws {
        let a = try #require(ts("2026-03-01T17:30:00+08:00"))
        #expect(a == ts("2026-03-01T09:30:00Z"))
        #expect(a.description == "2026-03-01T09:30:00Z")
        let b = try #require(ts("2025-03-01T00:00:00+09:00"))
        #expect(b.utcDay == Day(parsing: "2025-02-28"))
        #expect(b.description == "2025-02-28T15:00:00Z")
        let c = try #require(ts("2025-12-31T20:00:00-05:00"))
        #expect(c.utcDay == Day(parsing: "2026-01-01"))
        #expect(c.description == "2026-01-01T01:00:00Z")
        #expect(ts("2025-06-01T12:00:00+05:45")!.description == "2025-06-01T06:15:00Z")
        #expect(ts("2025-06-01T12:00:00-00:00") == ts("2025-06-01T12:00:00Z"))
        #expect(ts("2025-06-01T12:00:00+00:00") == ts("2025-06-01T12:00:00Z"))
    }

    @Test func fractions() throws {
        let a = try #require(ts("2025-01-01T00:00:00.5Z"))
        #expect(a.nanos == 500_000_000)
        #expect(a.description == "2025-01-01T00:00:00.5Z")
        #expect(ts("2025-01-01T00:00:00.123456789Z")!.nanos == 123_456_789)
        #expect(ts("2025-01-01T00:00:00.000000001Z")!.description == "2025-01-01T00:00:00.000000001Z")
        // Past nanoseconds: truncated.
        #expect(ts("2025-01-01T00:00:00.1234567891234Z")!.nanos == 123_456_789)
        #expect(ts("2025-01-01T09:00:00.25+09:00")!.description == "2025-01-01T00:00:00.25Z")
        #expect(ts("2025-01-01T00:00:00.5Z")! > ts("2025-01-01T00:00:00Z")!)
        #expect(ts("2025-01-01T00:00:00.0000001Z")!.nanos == 100)
        #expect(ts("2025-01-01T00:00:00.0000001Z")!.description == "2025-01-01T00:00:00.0000001Z")
        #expect(ts("2025-01-01T00:00:00.Z") == nil)
    }

    @Test func leapSecond() throws {
        let a = try #require(ts("2016-12-31T23:59:60Z"))
        #expect(a.seconds == ts("2016-12-31T23:59:59Z")!.seconds)
        #expect(a.nanos == 999_999_999)
    }

    @Test(arguments: [
        "2025-03-01T09:30:00", "2025-03-01T09:30:00.5", "2025-03-01", "2025-03-01T24:00:00Z",
        "2025-03-01T09:60:00Z", "2025-03-01T09:30:61Z", "2025-02-29T09:30:00Z", "2025-03-01T09:30Z",
        "2025-03-01T9:30:00Z", "2025-03-01X09:30:00Z", "2025-03-01T09:30:00+0900", "2025-03-01T09:30:00+09",
        "2025-03-01T09:30:00+24:00", "2025-03-01T09:30:00+09:60", "2025-03-01T09:30:00ZZ", "2025-03-01T09:30:00Z ",
        " 2025-03-01T09:30:00Z", "2025-03-01T09:30:00+09:00Z", "2025-03-01T09:30:00 Z", "", "2025-03-01T09:30:00UTC",
    ])
    func rejected(_ text: String) {
        #expect(ts(text) == nil)
    }

    @Test func endOfDay() throws {
        let d = try #require(Day(parsing: "2025-02-28"))
        let end = Timestamp.endOf(d)
        #expect(end.utcDay == d)
        #expect(end.nanos == 999_999_999)
        #expect(end.description == "2025-02-28T23:59:59.999999999Z")
        #expect(ts("2025-02-28T23:59:59.999999999Z") == end)
        #expect(ts("2025-03-01T00:00:00Z")! > end)
        #expect(ts("2025-03-01T08:59:59+09:00")! <= end)
        #expect(ts("2025-03-01T09:00:00+09:00")! > end)
        #expect(Timestamp.endOf(Day(parsing: "1969-12-31")!) < ts("1970-01-01T00:00:00Z")!)
        #expect(Timestamp.endOf(Day(parsing: "1969-12-31")!).utcDay == Day(parsing: "1969-12-31"))
    }

    @Test func beforeEpochUTCDay() throws {
        #expect(ts("1969-12-31T23:59:59Z")!.utcDay == Day(parsing: "1969-12-31"))
        #expect(ts("1969-12-31T00:00:00Z")!.utcDay == Day(parsing: "1969-12-31"))
        #expect(ts("1969-12-31T00:00:00Z")!.description == "1969-12-31T00:00:00Z")
    }
}
