import ArlogDomain

/// How a chart's values read. Every value of a chart is an exact fixed-point integer (`Int128`):
/// money in minor units (`fractionDigits` = the currency's), days in hundredths (2), counts (0),
/// percentages in basis points (2, suffix `%`). No value passes through floating point on its way
/// to a label; only pixel positions are `Double`.
public struct ValueFormat: Sendable, Equatable {
    /// Digits after the decimal point of the fixed point: 0…4.
    public var fractionDigits: Int
    /// What the numbers count, for axis titles and tooltips: `EUR`, `days`, `customers`.
    public var unit: String
    /// Written right after every tick label and exact value: `%`, or empty.
    public var suffix: String
    /// Axis labels of large figures with k, M, bn, tn, qd, qn (10^3 … 10^18) instead of all digits.
    public var compact: Bool

    public init(fractionDigits: Int, unit: String = "", suffix: String = "", compact: Bool = true) {
        self.fractionDigits = min(max(fractionDigits, 0), 4)
        self.unit = unit
        self.suffix = suffix
        self.compact = compact
    }

    /// Money in minor units of `currency`.
    public static func money(_ currency: Currency) -> ValueFormat {
        ValueFormat(fractionDigits: currency.fractionDigits, unit: currency.code)
    }

    /// Whole numbers of something: customers, invoices, score points.
    public static func count(_ unit: String = "") -> ValueFormat { ValueFormat(fractionDigits: 0, unit: unit) }

    /// Days in hundredths (the engine's DSO and average days late).
    public static let daysHundredths = ValueFormat(fractionDigits: 2, unit: "days")

    /// Percent in basis points (hundredths of a percent).
    public static let percentBasisPoints = ValueFormat(fractionDigits: 2, unit: "", suffix: "%", compact: false)

    /// The exact value with all its fraction digits and the suffix: `-1234.50`, `12.50%`.
    public func exact(_ value: Int128) -> String {
        ChartNumber.fixed(value, decimals: fractionDigits) + suffix
    }

    /// The exact value followed by the unit, for tooltips and descriptions: `1234.50 EUR`.
    public func exactWithUnit(_ value: Int128) -> String {
        unit.isEmpty ? exact(value) : exact(value) + " " + unit
    }
}

/// Exact decimal text of fixed-point integers.
public enum ChartNumber {
    /// `value` / 10^decimals with exactly `decimals` fraction digits: (123450, 2) → `1234.50`.
    public static func fixed(_ value: Int128, decimals: Int) -> String {
        var digits = String(value.magnitude)
        if decimals > 0 {
            if digits.count <= decimals {
                digits = String(repeating: "0", count: decimals - digits.count + 1) + digits
            }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -decimals))
        }
        return value < 0 ? "-" + digits : digits
    }

    /// 10^e for 0 ≤ e ≤ 38.
    public static func power(_ e: Int) -> Int128 {
        var p: Int128 = 1
        for _ in 0..<e { p *= 10 }
        return p
    }

    /// Floor division (towards negative infinity), `d > 0`.
    static func floorDiv(_ a: Int128, _ d: Int128) -> Int128 {
        let q = a / d
        return (a % d != 0 && a < 0) ? q - 1 : q
    }

    /// Ceiling division, `d > 0`.
    static func ceilDiv(_ a: Int128, _ d: Int128) -> Int128 {
        let q = a / d
        return (a % d != 0 && a > 0) ? q + 1 : q
    }

    /// `part` of `whole` in tenths of a percent, rounded half up (`whole` > 0): (1, 3) → 333.
    public static func permille(_ part: Int128, of whole: Int128) -> Int128 {
        guard whole > 0 else { return 0 }
        let p = part.magnitude
        let r = (p * 2000 + whole.magnitude) / (2 * whole.magnitude)
        return part < 0 ? -Int128(r) : Int128(r)
    }

    /// `permille` as text: 333 → `33.3%`.
    public static func percentText(permille: Int128) -> String { fixed(permille, decimals: 1) + "%" }
}

/// A linear value axis with "nice" ticks: Heckbert's loose labelling ("Nice numbers for graph
/// labels", Graphics Gems, 1990) on exact integers. The step is 1, 2 or 5 × 10^k units of the
/// fixed point (never below one unit); the axis runs from the largest multiple of the step at or
/// below the smallest value to the smallest multiple at or above the largest.
public struct NiceScale: Sendable, Equatable {
    public let lower: Int128
    public let upper: Int128
    public let step: Int128
    /// The k of the step 1, 2 or 5 × 10^k.
    public let stepExponent: Int

    /// Values beyond ± this are clamped before any arithmetic: 10^30 is a trillion times Int64's
    /// range, and sums of `ChartLimits.categoriesMax` × `seriesMax` such values, rounded up to a
    /// nice number, stay far inside Int128.
    public static let valueMagnitudeMax: Int128 = power30
    static let power30: Int128 = ChartNumber.power(30)

    public static func clamp(_ v: Int128) -> Int128 { min(max(v, -valueMagnitudeMax), valueMagnitudeMax) }

    /// The ticks from `lower` to `upper`, both included.
    public var ticks: [Int128] {
        var out: [Int128] = []
        var v = lower
        while v <= upper {
            out.append(v)
            v += step
        }
        return out
    }

    /// A scale covering `low…high` with about `tickCount` ticks (at least 2). A span shorter
    /// than `spanMin` units is widened upwards to it (all values equal: one point, all zeros).
    public init(low: Int128, high: Int128, tickCount: Int = 5, spanMin: Int128 = 1) {
        var lo = NiceScale.clamp(min(low, high))
        var hi = NiceScale.clamp(max(low, high))
        let spanMin = max(spanMin, 1)
        if hi - lo < spanMin {
            if lo < 0 && hi <= 0 && lo == hi { lo = hi - spanMin } else { hi = lo + spanMin }
        }
        let intervals = Int128(max(tickCount, 2) - 1)
        let range = NiceScale.niceNumber(hi - lo, 1, round: false).value
        let (step, e) = NiceScale.niceNumber(range, intervals, round: true)
        self.step = step
        self.stepExponent = e
        self.lower = ChartNumber.floorDiv(lo, step) * step
        self.upper = ChartNumber.ceilDiv(hi, step) * step
    }

    /// Heckbert's `nicenum` of the rational `num / den` (both > 0), exactly: with
    /// f = x / 10^e in [1, 10), rounded: f < 1.5 → 1, < 3 → 2, < 7 → 5, else 10; not rounded
    /// (the ceiling): f ≤ 1 → 1, ≤ 2 → 2, ≤ 5 → 5, else 10. Never below 1 (x < 1 gives 1).
    static func niceNumber(_ num: Int128, _ den: Int128, round: Bool) -> (value: Int128, exponent: Int) {
        guard num > den else { return (1, 0) }
        var e = 0
        var p: Int128 = 1  // 10^e
        while p * 10 * den <= num {
            p *= 10
            e += 1
        }
        // Compare num / (den · p) with the thresholds, multiplied through by 2 · den · p.
        let scaled = 2 * num
        let unit = den * p
        let nice: Int128
        if round {
            if scaled < 3 * unit { nice = 1 } else if scaled < 6 * unit { nice = 2 } else if scaled < 14 * unit { nice = 5 } else { nice = 10 }
        } else {
            if scaled <= 2 * unit { nice = 1 } else if scaled <= 4 * unit { nice = 2 } else if scaled <= 10 * unit { nice = 5 } else { nice = 10 }
        }
        return nice == 10 ? (10 * p, e + 1) : (nice * p, e)
    }

    /// Where `v` falls between `from` (at `lower`) and `to` (at `upper`).
    public func position(_ v: Int128, from: Double, to: Double) -> Double {
        let span = Double(upper - lower)
        guard span > 0 else { return from }
        return from + (to - from) * (Double(NiceScale.clamp(v) - lower) / span)
    }

    /// The label of every tick in `format`: the same number of decimals on all of them (as many
    /// as the step needs), and with `format.compact` one magnitude suffix chosen by the largest
    /// tick (`0`, `250k`, `500k`, or `0.5M`, `1M`, `1.5M`). Exact integer arithmetic.
    public func labels(_ format: ValueFormat) -> [String] {
        let fd = format.fractionDigits
        let largest = max(lower.magnitude, upper.magnitude)
        var group = 0  // the suffix's power of 1000
        if format.compact {
            // Major units of the largest tick; a suffix from 10 000 on.
            let major = largest / UInt128(ChartNumber.power(fd))
            var g = 0
            if major >= 10_000 {
                var rest = major
                while g < NiceScale.suffixes.count - 1, rest >= 1000 {
                    rest /= 1000
                    g += 1
                }
            }
            // No more than two decimals in a compact label: the suffix may not outgrow the step.
            while g > 0, fd + 3 * g - stepExponent > 2 { g -= 1 }
            group = g
        }
        let shift = fd + 3 * group  // decimal digits between a value and its label
        let decimals = max(0, shift - stepExponent)
        let divisor = ChartNumber.power(shift - decimals)
        return ticks.map { t in
            t == 0 ? "0" + format.suffix : ChartNumber.fixed(t / divisor, decimals: decimals) + NiceScale.suffixes[group] + format.suffix
        }
    }

    /// Magnitude suffixes by power of 1000: thousand, million, billion, trillion, quadrillion, quintillion.
    public static let suffixes = ["", "k", "M", "bn", "tn", "qd", "qn"]
}
