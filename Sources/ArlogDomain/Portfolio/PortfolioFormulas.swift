/// The portfolio formulas (docs/analytics.md), pure and in integers: amounts are minor units
/// summed in Int128 (many customers' figures together may pass Int64), days are whole days,
/// ratios are integers in a stated unit (hundredths of a day, basis points of a percent) with
/// the rounding each one names. No Foundation, no floating point.
public enum PortfolioFormulas {
    /// Days sales outstanding by the count-back method, in hundredths of a day.
    ///
    /// `receivables`: the receivables to explain at the report date. `periods`: the credit
    /// sales and the days of each period, the newest first (the part of the report date's month
    /// up to the date, then each whole calendar month before it). Walking back, a period whose
    /// sales the receivables still cover adds all its days and takes its sales off; the first
    /// one that covers the rest adds `days × rest ÷ sales` (in hundredths, rounded half up) and
    /// stops. A period without sales (zero or less) adds all its days and takes nothing off.
    /// Receivables of zero or less: 0. Receivables left over when the periods run out: the
    /// days of every period, and `capped` says the figure is a floor (the history given was too
    /// short to explain them).
    public static func countBackDSO(receivables: Int128, periods: [(sales: Int128, days: Int)]) -> (hundredths: Int64, capped: Bool) {
        var rest = receivables
        guard rest > 0 else { return (0, false) }
        var hundredths: Int128 = 0
        for p in periods {
            let days = Int128(max(0, p.days))
            if p.sales <= 0 || rest >= p.sales {
                hundredths += days * 100
                if p.sales > 0 { rest -= p.sales }
                if rest == 0 { return (Int64(clamping: hundredths), false) }
            } else {
                hundredths += roundHalfUp(days * 100 * rest, p.sales)
                return (Int64(clamping: hundredths), false)
            }
        }
        return (Int64(clamping: hundredths), true)
    }

    /// The Credit Research Foundation's collection effectiveness index for one period, in
    /// basis points of a percent (10000 = 100 %): (beginning receivables + credit sales −
    /// ending total receivables) ÷ (beginning receivables + credit sales − ending current
    /// receivables) × 100, rounded half away from zero. Nil when the divisor is zero or less
    /// (nothing was collectable in the period: the index is not defined).
    public static func cei(beginning: Int128, sales: Int128, endingTotal: Int128, endingCurrent: Int128) -> Int64? {
        let divisor = beginning + sales - endingCurrent
        guard divisor > 0 else { return nil }
        let numerator = beginning + sales - endingTotal
        return Int64(clamping: roundHalfAwayFromZero(numerator * 10000, divisor))
    }

    /// n ÷ d rounded half up, for d > 0 and n ≥ 0.
    static func roundHalfUp(_ n: Int128, _ d: Int128) -> Int128 {
        (2 * n + d) / (2 * d)
    }

    /// n ÷ d rounded half away from zero, for d > 0.
    public static func roundHalfAwayFromZero(_ n: Int128, _ d: Int128) -> Int128 {
        n >= 0 ? (2 * n + d) / (2 * d) : -((-2 * n + d) / (2 * d))
    }

    /// Utilisation of a credit limit in basis points (10000 = 100 %): balance ÷ limit, rounded
    /// half away from zero; nil when the limit is zero (no limit to use).
    public static func utilisationBasisPoints(balance: Int64, limit: Int64) -> Int64? {
        guard limit > 0 else { return nil }
        return Int64(clamping: roundHalfAwayFromZero(Int128(balance) * 10000, Int128(limit)))
    }
}

extension Day {
    /// The last day of this day's month.
    public var monthEnd: Day {
        let (y, m, _) = civil
        let next = m == 12 ? Day(year: y + 1, month: 1, day: 1) : Day(year: y, month: m + 1, day: 1)
        return next.map { $0.adding(days: -1) } ?? Day.last
    }

    /// The last day of the month before this day's month (nil before the calendar's first).
    public var previousMonthEnd: Day? {
        let (y, m, _) = civil
        let first = Day(year: y, month: m, day: 1)!
        return first == Day.first ? nil : first.adding(days: -1)
    }
}
