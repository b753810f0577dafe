/// Feed v1.3's `customer.assessed` in the fold: the assessment in force, kept in the hot state
/// as the numbers the credit score may use. The texts (`source`, `bureau_rating`) stay in the
/// log record at `seq`: the assessment in force is one whole event, which `seq` names.

/// The financial figures of an assessment in minor units of the customer's currency: a mask of
/// the figures given (bit `FinancialFigure.rawValue`) and their values, inline (no heap).
public struct AssessmentFigures: Sendable, Equatable {
    public private(set) var mask: UInt8 = 0
    var values = InlineArray<7, Int64>(repeating: 0)

    public init() {}

    public subscript(_ f: FinancialFigure) -> Int64? {
        get { mask & (1 << UInt8(f.rawValue)) != 0 ? values[f.rawValue] : nil }
        set {
            if let v = newValue {
                mask |= 1 << UInt8(f.rawValue)
                values[f.rawValue] = v
            } else {
                mask &= ~(1 << UInt8(f.rawValue))
                values[f.rawValue] = 0
            }
        }
    }

    public var isEmpty: Bool { mask == 0 }

    /// Bits of the mask that name a figure.
    static let maskAll: UInt8 = 0x7F

    public static func == (a: AssessmentFigures, b: AssessmentFigures) -> Bool {
        guard a.mask == b.mask else { return false }
        for f in FinancialFigure.allCases where a[f] != b[f] { return false }
        return true
    }
}

/// The customer's assessment in force: the latest `customer.assessed` folded, by
/// `assessed_on`, then log order (feed v1.3). An as-of fold folds the events with `at` ≤ D,
/// so its state holds the one in force as of D.
public struct AssessmentInForce: Sendable, Equatable {
    /// The log position of the `customer.assessed`.
    public var seq: UInt64
    public var assessedOn: Day
    /// 0–100; nil when not given.
    public var bureauScore: Int?
    public var figures: AssessmentFigures
    public var fiscalYearEnd: Day?
    /// Whether the event gave a `bureau_rating` (its text is in the log record).
    public var hasRating: Bool

    public init(seq: UInt64, assessedOn: Day, bureauScore: Int?, figures: AssessmentFigures, fiscalYearEnd: Day?, hasRating: Bool) {
        self.seq = seq
        self.assessedOn = assessedOn
        self.bureauScore = bureauScore
        self.figures = figures
        self.fiscalYearEnd = fiscalYearEnd
        self.hasRating = hasRating
    }

    /// Whether an assessment made on `assessedOn` (folded after this one) takes its place: a
    /// later `assessed_on`, or the same one (log order decides).
    public func isReplaced(byAssessedOn day: Day) -> Bool { day >= assessedOn }

    /// Days from `assessed_on` to `day` (the policy's maximum age compares with this).
    public func age(on day: Day) -> Int { day.days(since: assessedOn) }

    // MARK: Ratios

    /// The fraction digits of the ratios: each is rounded half away from zero to this many.
    public static let ratioFractionDigits = 2

    /// current_assets ÷ current_liabilities.
    public var currentRatio: Ratio? { Ratio(figures[.currentAssets], figures[.currentLiabilities]) }
    /// total_liabilities ÷ total_assets.
    public var debtRatio: Ratio? { Ratio(figures[.totalLiabilities], figures[.totalAssets]) }
    /// equity ÷ total_assets (negative when equity is).
    public var equityShare: Ratio? { Ratio(figures[.equity], figures[.totalAssets]) }
}

/// A quotient of two figures of the same currency, computed exactly and rounded half away from
/// zero to `AssessmentInForce.ratioFractionDigits` (hundredths). Nil when a figure is missing
/// or the divisor is 0.
public struct Ratio: Sendable, Equatable, CustomStringConvertible {
    /// The quotient in hundredths.
    public let hundredths: Int128

    public init?(_ numerator: Int64?, _ denominator: Int64?) {
        guard let n = numerator, let d = denominator, d != 0 else { return nil }
        let scaled = Int128(n) * 100
        let (q, r) = scaled.quotientAndRemainder(dividingBy: Int128(d))
        // |r| ≥ |d| / 2: away from zero, in the quotient's direction.
        if r.magnitude * 2 >= d.magnitude {
            hundredths = (scaled < 0) != (d < 0) ? q - 1 : q + 1
        } else {
            hundredths = q
        }
    }

    /// "1.53", "-0.20".
    public var description: String { Money.format(hundredths, fractionDigits: 2) }
}
