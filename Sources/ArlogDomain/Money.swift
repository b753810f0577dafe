/// Money is an integer count of a currency's minor units. No floating point touches money.
///
/// Feed money is a JSON string `-?[0-9]+(\.[0-9]+)?`; `DecimalText` is that text parsed but not
/// yet tied to a currency (the currency of most events is known only from the customer's state).
public enum Money {
    /// 10^0 … 10^18, the powers used to scale minor units.
    public static let powersOfTen: [Int64] = {
        var p: [Int64] = [1]
        for _ in 1...18 { p.append(p.last! * 10) }
        return p
    }()

    /// The largest magnitude of a single amount in minor units: 10^15 (ten trillion in a
    /// two-digit currency). Bounding single amounts keeps every customer total far from Int64
    /// overflow for any realistic history, and totals are still added with overflow checks.
    public static let amountMinorMax: Int64 = 1_000_000_000_000_000

    /// Formats minor units with exactly the currency's fraction digits: 123450, 2 → "1234.50".
    public static func format(_ minor: Int64, fractionDigits: Int) -> String {
        var out = [UInt8]()
        out.reserveCapacity(24)
        append(minor, fractionDigits: fractionDigits, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the formatted amount as ASCII bytes (the JSON writer's and the generator's hot
    /// path: no temporary arrays).
    public static func append(_ minor: Int64, fractionDigits: Int, to out: inout [UInt8]) {
        precondition(fractionDigits >= 0 && fractionDigits <= 4)
        if minor < 0 { out.append(UInt8(ascii: "-")) }
        let magnitude = minor.magnitude
        let scale = UInt64(powersOfTen[fractionDigits])
        appendDecimal(magnitude / scale, to: &out)
        guard fractionDigits > 0 else { return }
        out.append(UInt8(ascii: "."))
        let frac = magnitude % scale
        var divisor = scale / 10
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8((frac / divisor) % 10))
            divisor /= 10
        }
    }

    /// Formats a figure that may pass Int64 (sums across customers: aging and statistics
    /// totals, a customer's available credit), exactly, like `format(_:fractionDigits:)`.
    public static func format(_ minor: Int128, fractionDigits: Int) -> String {
        if let small = Int64(exactly: minor) { return format(small, fractionDigits: fractionDigits) }
        var out = [UInt8]()
        out.reserveCapacity(48)
        append(minor, fractionDigits: fractionDigits, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public static func append(_ minor: Int128, fractionDigits: Int, to out: inout [UInt8]) {
        precondition(fractionDigits >= 0 && fractionDigits <= 4)
        if minor < 0 { out.append(UInt8(ascii: "-")) }
        let magnitude = minor.magnitude
        let scale = UInt128(powersOfTen[fractionDigits])
        var whole = magnitude / scale
        // The integer part in chunks of 18 digits that fit UInt64, most significant first.
        let chunk: UInt128 = 1_000_000_000_000_000_000
        var chunks: [UInt64] = []
        repeat {
            chunks.append(UInt64(truncatingIfNeeded: whole % chunk))
            whole /= chunk
        } while whole > 0
        appendDecimal(chunks.removeLast(), to: &out)
        for c in chunks.reversed() {
            var digits = [UInt8]()
            appendDecimal(c, to: &digits)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: 18 - digits.count))
            out.append(contentsOf: digits)
        }
        guard fractionDigits > 0 else { return }
        out.append(UInt8(ascii: "."))
        let frac = UInt64(truncatingIfNeeded: magnitude % scale)  // < 10^4
        var divisor = UInt64(scale) / 10
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: (frac / divisor) % 10))
            divisor /= 10
        }
    }

    /// Appends the decimal digits of `value`, most significant first.
    static func appendDecimal(_ value: UInt64, to out: inout [UInt8]) {
        var divisor: UInt64 = 1
        while divisor <= value / 10 { divisor *= 10 }
        var v = value
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(v / divisor))
            v %= divisor
            divisor /= 10
        }
    }
}

/// A decimal as written in the feed, before it is tied to a currency.
public struct DecimalText: Hashable, Sendable {
    public let negative: Bool
    /// All digits as one integer, ignoring the decimal point: "12.50" → 1250.
    public let digits: UInt64
    /// How many fraction digits were written: "12.50" → 2, "12" → 0.
    public let scale: Int

    /// The most significant digits a money text may carry. 18 digits fit in Int64 with room.
    public static let digitsMax = 18

    public enum ParseError: Error, Equatable {
        case malformed
        case tooManyDigits
    }

    /// Parses `-?[0-9]+(\.[0-9]+)?` exactly (no `+`, no exponent, no spaces, no leading `.`).
    public init(parsing text: some StringProtocol) throws(ParseError) {
        try self.init(utf8: text.utf8)
    }

    /// `init(parsing:)` on the text's UTF-8 bytes (a slice of a feed line: the fast decoder
    /// reads money without making a String). The one parser behind both: the same rules.
    public init(utf8 text: some Sequence<UInt8>) throws(ParseError) {
        var negative = false
        var digits: UInt64 = 0
        var digitCount = 0
        var scale = 0
        var seenPoint = false
        var intDigits = 0
        var first = true
        for byte in text {
            defer { first = false }
            switch byte {
            case UInt8(ascii: "-") where first:
                negative = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                // Leading zeros do not count toward the digit limit.
                if digits != 0 || byte != UInt8(ascii: "0") { digitCount += 1 }
                guard digitCount <= DecimalText.digitsMax else { throw .tooManyDigits }
                digits = digits * 10 + UInt64(byte - UInt8(ascii: "0"))
                if seenPoint { scale += 1 } else { intDigits += 1 }
            case UInt8(ascii: ".") where !seenPoint && intDigits > 0:
                seenPoint = true
            default:
                throw .malformed
            }
        }
        guard intDigits > 0, !seenPoint || scale > 0 else { throw .malformed }
        self.negative = negative
        self.digits = digits
        self.scale = scale
    }

    public enum MinorError: Error, Equatable {
        /// More fraction digits than the currency has.
        case tooPrecise(allowed: Int)
        /// Larger in magnitude than `Money.amountMinorMax`.
        case tooLarge
    }

    /// Minor units in a currency with `fractionDigits`; rejects text more precise than the
    /// currency (as written: "100.0" in JPY is rejected) and magnitudes above the limit.
    public func minorUnits(fractionDigits: Int) throws(MinorError) -> Int64 {
        guard scale <= fractionDigits else { throw .tooPrecise(allowed: fractionDigits) }
        let (scaled, overflow) = digits.multipliedReportingOverflow(
            by: UInt64(Money.powersOfTen[fractionDigits - scale]))
        guard !overflow, scaled <= UInt64(Money.amountMinorMax) else { throw .tooLarge }
        let value = Int64(scaled)
        return negative ? -value : value
    }
}
