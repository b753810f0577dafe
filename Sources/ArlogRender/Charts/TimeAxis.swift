import ArlogDomain

/// A label under a category or a time tick: a main line and an optional second line (the year
/// under a month, shown at the first tick and where the year changes).
public struct AxisLabel: Sendable, Equatable {
    public var main: String
    public var sub: String?

    public init(_ main: String, sub: String? = nil) {
        self.main = main
        self.sub = sub
    }
}

/// Month and date labels in English, fixed (no locale): `Jan` … `Dec`.
public enum ChartDates {
    public static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Labels for consecutive points in time (month ends of a trend): the month's short name,
    /// and the year under the first label and under every label whose year differs from the
    /// previous one.
    public static func monthLabels(_ days: [Day]) -> [AxisLabel] {
        var out: [AxisLabel] = []
        var previousYear: Int?
        for d in days {
            let (y, m, _) = d.civil
            out.append(AxisLabel(monthNames[m - 1], sub: previousYear == y ? nil : String(y)))
            previousYear = y
        }
        return out
    }

    /// The last day of each of `count` months ending with the month of `last` (oldest first):
    /// the x values of a month-end trend.
    public static func monthEnds(count: Int, endingWith last: Day) -> [Day] {
        var (y, m, _) = last.civil
        var out: [Day] = []
        for _ in 0..<max(count, 0) {
            let nextY = m == 12 ? y + 1 : y
            let nextM = m == 12 ? 1 : m + 1
            if let first = Day(year: nextY, month: nextM, day: 1) {
                out.append(first.adding(days: -1))
            } else if let d = Day(year: y, month: m, day: 31) {
                out.append(d)  // December 9999
            }
            if m == 1 {
                m = 12
                y -= 1
            } else {
                m -= 1
            }
            if y < Day.yearMin { break }
        }
        return out.reversed()
    }
}

/// A time axis over days: the domain is the data's first to last day (widened to a week each
/// side for a single day), ticks fall on round dates chosen by how many labels fit: every day,
/// 2 or 7 days, month starts every 1, 2, 3 or 6 months, or year starts every 1, 2, 5, 10, ... years.
public struct TimeScale: Sendable, Equatable {
    public let first: Day
    public let last: Day
    public let ticks: [Day]
    public let labels: [AxisLabel]

    public init(first: Day, last: Day, ticksMax: Int) {
        var a = min(first, last)
        var b = max(first, last)
        if a == b {
            a = a.adding(days: -7)
            b = b.adding(days: 7)
        }
        self.first = a
        self.last = b
        let limit = max(ticksMax, 2)
        let span = b.days(since: a)
        // Candidate steps, finest first.
        var steps: [Step] = [.days(1), .days(2), .days(7), .months(1), .months(2), .months(3), .months(6)]
        var y = 1
        while y <= 10_000 {
            steps += [.years(y), .years(2 * y), .years(5 * y)]
            y *= 10
        }
        var chosen: [Day] = []
        var chosenStep = Step.years(10_000)
        for step in steps {
            let estimate: Int
            switch step {
            case .days(let k): estimate = span / k + 1
            case .months(let k): estimate = span / (30 * k) + 1
            case .years(let k): estimate = span / (365 * k) + 1
            }
            if estimate > limit + 1 { continue }
            let t = TimeScale.ticks(a, b, step)
            if t.count <= limit {
                chosen = t
                chosenStep = step
                break
            }
        }
        ticks = chosen
        var labels: [AxisLabel] = []
        var previousYear: Int?
        for d in chosen {
            let (yy, m, dd) = d.civil
            let yearText: String? = previousYear == yy ? nil : String(yy)
            switch chosenStep {
            case .days: labels.append(AxisLabel("\(dd) \(ChartDates.monthNames[m - 1])", sub: yearText))
            case .months: labels.append(AxisLabel(ChartDates.monthNames[m - 1], sub: yearText))
            case .years: labels.append(AxisLabel(String(yy)))
            }
            previousYear = yy
        }
        self.labels = labels
    }

    enum Step { case days(Int), months(Int), years(Int) }

    /// The round dates of `step` in `a…b`.
    static func ticks(_ a: Day, _ b: Day, _ step: Step) -> [Day] {
        var out: [Day] = []
        switch step {
        case .days(let k):
            // Multiples of k days since 1970-01-01 (a fixed phase: the same dates for any range).
            var n = Int(a.number)
            let r = ((n % k) + k) % k
            if r != 0 { n += k - r }
            while n <= Int(b.number) {
                out.append(Day(number: Int32(n)))
                n += k
            }
        case .months(let k):
            var (y, m, d) = a.civil
            if d != 1 || (m - 1) % k != 0 {
                // The next month start whose month index is a multiple of k.
                repeat {
                    if m == 12 { m = 1; y += 1 } else { m += 1 }
                } while (m - 1) % k != 0
            }
            while let day = Day(year: y, month: m, day: 1), day <= b {
                out.append(day)
                m += k
                if m > 12 { m -= 12; y += 1 }
            }
        case .years(let k):
            let (ay, am, ad) = a.civil
            var y = (am == 1 && ad == 1) ? ay : ay + 1
            let r = ((y % k) + k) % k
            if r != 0 { y += k - r }
            while let day = Day(year: y, month: 1, day: 1), day <= b {
                out.append(day)
                y += k
            }
        }
        return out
    }

    public func position(_ d: Day, from: Double, to: Double) -> Double {
        let span = Double(last.days(since: first))
        guard span > 0 else { return from }
        return from + (to - from) * Double(d.days(since: first)) / span
    }
}
