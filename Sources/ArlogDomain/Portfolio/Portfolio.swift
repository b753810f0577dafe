/// Portfolio figures (`arlog portfolio`, docs/analytics.md): per currency, and per group within
/// it, on a report date or at each month end of a series. The engine hands every customer's
/// figures on every day of the `PortfolioCalendar` to a `PortfolioBuilder`, which converts
/// them (`PortfolioConversion`), groups them and sums them; the formulas are
/// `PortfolioFormulas`.

/// What groups the customers of a currency.
public enum PortfolioGrouping: String, CaseIterable, Sendable {
    /// One group per currency.
    case currency
    /// By the `industry` of the customer's profile (as it is now: profiles are not dated).
    case industry
    /// By the customer's credit grade on the report date (the live model, as `grade` computes it).
    case grade
}

/// One customer's figures at the end of one day: its state as of that day.
public struct PortfolioCustomerFigures: Sendable, Equatable {
    public var currency: Currency
    public var open: Int64
    /// Open installments due before the day (one day past due or more).
    public var overdue: Int64
    public var unapplied: Int64
    /// Cumulative: every invoice and upward adjustment folded so far.
    public var invoiced: Int64
    /// Cumulative: every write-off folded so far.
    public var writtenOff: Int64
    /// The engine's days-late weight (Σ days late × amount over allocations in force) and its
    /// amount (`Totals`): summed as they are, then divided once (`Totals.avgDaysLateHundredths`).
    public var lateWeighted: Int128
    public var lateAmount: Int64
    public var grade: Grade
    public var creditLimit: Int64
    /// The due date of the oldest overdue installment.
    public var oldestOverdue: Day?

    /// Open and not yet overdue.
    public var current: Int64 { open - overdue }
    public var balance: Int64 { open - unapplied }

    public init(currency: Currency, open: Int64, overdue: Int64, unapplied: Int64, invoiced: Int64, writtenOff: Int64,
                lateWeighted: Int128, lateAmount: Int64, grade: Grade, creditLimit: Int64, oldestOverdue: Day?) {
        self.currency = currency
        self.open = open
        self.overdue = overdue
        self.unapplied = unapplied
        self.invoiced = invoiced
        self.writtenOff = writtenOff
        self.lateWeighted = lateWeighted
        self.lateAmount = lateAmount
        self.grade = grade
        self.creditLimit = creditLimit
        self.oldestOverdue = oldestOverdue
    }

    /// The figures of `state` (the customer's state as of the end of `day`) on `day`, with
    /// its grade on that day.
    public init(state s: CustomerState, on day: Day, grade: Grade) {
        var overdue: Int64 = 0
        var oldest: Day?
        for i in s.firstOpen..<s.slots.count {
            let slot = s.slots[i]
            guard slot.open > 0, slot.dueOn < day else { continue }
            overdue += slot.open
            if oldest == nil || slot.dueOn < oldest! { oldest = slot.dueOn }
        }
        self.init(currency: s.currency, open: s.totals.open, overdue: overdue, unapplied: s.totals.unapplied,
                  invoiced: s.totals.invoiced, writtenOff: s.totals.writtenOff, lateWeighted: s.totals.lateWeighted,
                  lateAmount: s.totals.lateAmount, grade: grade, creditLimit: s.creditLimit, oldestOverdue: oldest)
    }
}

/// How each customer's figures are brought to the currency they are summed in, before any sum.
///
/// Today every customer is summed in its own currency (`OwnCurrency`). This is the seam for a
/// base currency (`--base CUR`, feed v1.3's `fx.rate` and `Store.fxRates(on:)`): a conversion
/// that returns each customer's figures on `day` in the base currency, every amount (and the
/// days-late weight) multiplied by that day's rate and rounded half away from zero to the
/// base currency's digits (`PortfolioFormulas.roundHalfAwayFromZero`), or nil when the
/// customer's currency has no rate on that day: the builder then lists the customer apart
/// (`PortfolioReport.unconverted`) and sums nothing of it for that report day.
public protocol PortfolioConversion: Sendable {
    func convert(_ figures: PortfolioCustomerFigures, on day: Day) -> PortfolioCustomerFigures?
}

/// No conversion: each currency is summed apart.
public struct OwnCurrency: PortfolioConversion {
    public init() {}
    public func convert(_ figures: PortfolioCustomerFigures, on day: Day) -> PortfolioCustomerFigures? { figures }
}

/// The days a portfolio needs figures on, ascending: the report days and, before each, the
/// month ends its count-back DSO and its CEI period reach back to.
public struct PortfolioCalendar: Sendable, Equatable {
    /// Periods the count-back DSO may walk back over: the report date's month to date and
    /// the whole months before it. A year: receivables older than a year of sales make the DSO
    /// a floor (`PortfolioGroup.dsoCapped`); each period costs the engine one as-of state per
    /// customer.
    public static let dsoPeriodsMax = 12
    /// Months a report may span with `--monthly` (each one an as-of state per customer).
    public static let seriesMonthsMax = 240

    /// Every day figures are wanted on, ascending.
    public let days: [Day]
    /// Where each report day is in `days`, ascending.
    public let reports: [Int]
    /// Periods of the count-back DSO.
    public let dsoPeriods: Int
    /// Months of the CEI period (and of "written off in the period"): the report date's month
    /// to date and the whole months before it, `ceiMonths` in all.
    public let ceiMonths: Int

    /// A report on `day`: `day`, then the month ends before it.
    public init(on day: Day, dsoPeriods: Int = dsoPeriodsMax, ceiMonths: Int = 1) {
        let back = max(dsoPeriods, ceiMonths)
        var days = [day]
        var d = day
        for _ in 0..<back {
            guard let p = d.previousMonthEnd else { break }
            days.append(p)
            d = p
        }
        self.days = days.reversed()
        reports = [self.days.count - 1]
        self.dsoPeriods = dsoPeriods
        self.ceiMonths = ceiMonths
    }

    /// A monthly series: the month ends of `from`'s month through `to`'s, and the month ends
    /// before the first one that its count-back and CEI reach back to.
    public init(monthsFrom from: Day, to: Day, dsoPeriods: Int = dsoPeriodsMax, ceiMonths: Int = 1) {
        let back = max(dsoPeriods, ceiMonths)
        var before: [Day] = []
        var d = from.monthEnd
        for _ in 0..<back {
            guard let p = d.previousMonthEnd else { break }
            before.append(p)
            d = p
        }
        var days = Array(before.reversed())
        let first = days.count
        var m = from.monthEnd
        while m <= to.monthEnd {
            days.append(m)
            let next = m.adding(days: 1)
            guard next.isRepresentable, next.adding(days: 31).isRepresentable else { break }
            m = next.monthEnd
        }
        self.days = days
        reports = Array(first..<days.count)
        self.dsoPeriods = dsoPeriods
        self.ceiMonths = ceiMonths
    }
}

/// One of the 20 largest debtors of a group.
public struct PortfolioDebtor: Sendable, Equatable {
    public var customer: String
    public var name: String?
    public var open: Int64
    public var balance: Int64
    public var grade: Grade
    public var creditLimit: Int64
    /// Balance ÷ limit in basis points (`PortfolioFormulas.utilisationBasisPoints`).
    public var utilisationBasisPoints: Int64?
    public var oldestOverdue: Day?
    public var daysPastDue: Int
}

/// One group's figures on one report day, in one currency.
public struct PortfolioGroup: Sendable, Equatable {
    public var day: Day
    public var currency: Currency
    /// The group (an industry, a grade letter); nil when grouped by currency only.
    public var group: String?
    public var customers = 0
    public var open: Int128 = 0
    public var overdue: Int128 = 0
    public var unapplied: Int128 = 0
    public var current: Int128 { open - overdue }
    /// Credit sales per count-back period, the report date's month to date first.
    public var salesByPeriod: [Int128] = []
    /// Days per count-back period, likewise.
    public var daysByPeriod: [Int] = []
    public var dsoHundredths: Int64 = 0
    public var dsoCapped = false
    public var bestDSOHundredths: Int64 = 0
    public var bestDSOCapped = false
    /// Average days delinquent: DSO − best possible DSO.
    public var addHundredths: Int64 { dsoHundredths - bestDSOHundredths }
    /// The CEI (and written-off) period: from this day (inclusive) to the report day.
    public var periodFrom: Day
    public var beginningReceivables: Int128 = 0
    public var periodSales: Int128 = 0
    public var ceiBasisPoints: Int64?
    public var lateWeighted: Int128 = 0
    public var lateAmount: Int128 = 0
    public var avgDaysLateHundredths: Int64? { Totals.avgDaysLateHundredths(weighted: lateWeighted, amount: lateAmount) }
    /// Customers per grade, A to E.
    public var gradeMix = [Int](repeating: 0, count: Grade.allCases.count)
    public var writtenOffInPeriod: Int128 = 0
    public var writtenOffTotal: Int128 = 0
    /// The largest debtors by open amount (then by id), at most `PortfolioBuilder.topDebtorsMax`.
    public var topDebtors: [PortfolioDebtor] = []

    /// An empty group (no customer yet).
    public init(day: Day, currency: Currency, group: String?, periodFrom: Day) {
        self.day = day
        self.currency = currency
        self.group = group
        self.periodFrom = periodFrom
    }
}

/// The answer of `arlog portfolio`.
public struct PortfolioReport: Sendable, Equatable {
    public var calendar: PortfolioCalendar
    public var grouping: PortfolioGrouping
    /// Sorted by report day, currency code, group.
    public var groups: [PortfolioGroup]
    /// Customers a conversion had no rate for, per report day (always empty without `--base`).
    public var unconverted: [(day: Day, customer: String, currency: Currency)]

    public static func == (a: PortfolioReport, b: PortfolioReport) -> Bool {
        a.calendar == b.calendar && a.grouping == b.grouping && a.groups == b.groups
            && a.unconverted.elementsEqual(b.unconverted) { $0.day == $1.day && $0.customer == $1.customer && $0.currency == $1.currency }
    }
}

/// Sums customers' figures into groups, then applies the formulas. Add customers in any order;
/// the report is the same.
public struct PortfolioBuilder {
    /// Debtors listed per group: the 20 largest.
    public static let topDebtorsMax = 20

    public let calendar: PortfolioCalendar
    public let grouping: PortfolioGrouping
    public let conversion: any PortfolioConversion
    /// Whether to keep the top debtors (a single report day: yes; a monthly series: no).
    public let debtors: Bool

    struct Key: Hashable {
        var report: Int
        var currency: String
        var group: String?
    }

    struct Sums {
        var group: PortfolioGroup
        /// Σ cumulative invoiced, Σ open and Σ cumulative written off on each day the report
        /// reaches back to, the report day first.
        var invoiced: [Int128]
        var openBack: [Int128]
        var writtenOffBack: [Int128]
    }

    var sums: [Key: Sums] = [:]
    var unconverted: [(day: Day, customer: String, currency: Currency)] = []

    public init(calendar: PortfolioCalendar, grouping: PortfolioGrouping, conversion: any PortfolioConversion = OwnCurrency(), debtors: Bool) {
        self.calendar = calendar
        self.grouping = grouping
        self.conversion = conversion
        self.debtors = debtors
    }

    /// Days back from a report day that it reads: the count-back periods' and the CEI's.
    var back: Int { max(calendar.dsoPeriods, calendar.ceiMonths) }

    /// Adds a customer: `figures` aligned with `calendar.days` (nil: not registered yet).
    public mutating func add(customer: String, industry: String?, figures: [PortfolioCustomerFigures?]) {
        precondition(figures.count == calendar.days.count)
        for r in calendar.reports {
            guard let raw = figures[r] else { continue }
            let day = calendar.days[r]
            guard let f = conversion.convert(raw, on: day) else {
                unconverted.append((day, customer, raw.currency))
                continue
            }
            let label: String?
            switch grouping {
            case .currency: label = nil
            case .industry: label = industry ?? "(none)"
            case .grade: label = f.grade.letter
            }
            let key = Key(report: r, currency: f.currency.code, group: label)
            var s = sums[key] ?? newSums(report: r, currency: f.currency, group: label)
            var g = s.group
            g.customers += 1
            g.open += Int128(f.open)
            g.overdue += Int128(f.overdue)
            g.unapplied += Int128(f.unapplied)
            g.lateWeighted += f.lateWeighted
            g.lateAmount += Int128(f.lateAmount)
            g.gradeMix[f.grade.rawValue] += 1
            g.writtenOffTotal += Int128(f.writtenOff)
            for j in 0...back where r - j >= 0 {
                // A day before the customer's registration counts nothing; a day it has no rate
                // on (with a base currency) counts nothing either.
                guard let past = figures[r - j].flatMap({ conversion.convert($0, on: calendar.days[r - j]) }) else { continue }
                s.invoiced[j] += Int128(past.invoiced)
                s.openBack[j] += Int128(past.open)
                s.writtenOffBack[j] += Int128(past.writtenOff)
            }
            if debtors {
                g.topDebtors.append(PortfolioDebtor(
                    customer: customer, open: f.open, balance: f.balance, grade: f.grade, creditLimit: f.creditLimit,
                    utilisationBasisPoints: PortfolioFormulas.utilisationBasisPoints(balance: f.balance, limit: f.creditLimit),
                    oldestOverdue: f.oldestOverdue, daysPastDue: f.oldestOverdue.map { day.days(since: $0) } ?? 0))
                if g.topDebtors.count >= 4 * Self.topDebtorsMax { Self.trim(&g.topDebtors) }
            }
            s.group = g
            sums[key] = s
        }
    }

    func newSums(report r: Int, currency: Currency, group: String?) -> Sums {
        let from = r - calendar.ceiMonths >= 0 ? calendar.days[r - calendar.ceiMonths].adding(days: 1) : Day.first
        let g = PortfolioGroup(day: calendar.days[r], currency: currency, group: group, periodFrom: from)
        return Sums(group: g, invoiced: .init(repeating: 0, count: back + 1), openBack: .init(repeating: 0, count: back + 1),
                    writtenOffBack: .init(repeating: 0, count: back + 1))
    }

    static func trim(_ debtors: inout [PortfolioDebtor]) {
        debtors.sort { a, b in a.open != b.open ? a.open > b.open : a.customer.utf8.lexicographicallyPrecedes(b.customer.utf8) }
        if debtors.count > topDebtorsMax { debtors.removeLast(debtors.count - topDebtorsMax) }
    }

    /// The groups with every formula applied.
    public func report() -> PortfolioReport {
        var groups: [PortfolioGroup] = []
        for (key, s) in sums {
            var g = s.group
            let r = key.report
            // Count-back periods: j = 0 is the report date's month to date; each runs from the
            // day after the month end before it. A period before the calendar's first day has
            // no sales and no days.
            g.salesByPeriod = []
            g.daysByPeriod = []
            for j in 0..<calendar.dsoPeriods where r - j - 1 >= 0 {
                g.salesByPeriod.append(s.invoiced[j] - s.invoiced[j + 1])
                g.daysByPeriod.append(calendar.days[r - j].days(since: calendar.days[r - j - 1]))
            }
            let periods = Array(zip(g.salesByPeriod, g.daysByPeriod)).map { (sales: $0, days: $1) }
            (g.dsoHundredths, g.dsoCapped) = PortfolioFormulas.countBackDSO(receivables: g.open, periods: periods)
            (g.bestDSOHundredths, g.bestDSOCapped) = PortfolioFormulas.countBackDSO(receivables: g.current, periods: periods)
            let n = calendar.ceiMonths
            if r - n >= 0 {
                g.beginningReceivables = s.openBack[n]
                g.periodSales = s.invoiced[0] - s.invoiced[n]
                g.writtenOffInPeriod = s.writtenOffBack[0] - s.writtenOffBack[n]
            } else {
                g.periodSales = s.invoiced[0]
                g.writtenOffInPeriod = s.writtenOffBack[0]
            }
            g.ceiBasisPoints = PortfolioFormulas.cei(beginning: g.beginningReceivables, sales: g.periodSales,
                                                     endingTotal: g.open, endingCurrent: g.current)
            Self.trim(&g.topDebtors)
            groups.append(g)
        }
        groups.sort { a, b in
            if a.day != b.day { return a.day < b.day }
            if a.currency.code != b.currency.code { return a.currency.code < b.currency.code }
            return (a.group ?? "").utf8.lexicographicallyPrecedes((b.group ?? "").utf8)
        }
        return PortfolioReport(calendar: calendar, grouping: grouping, groups: groups, unconverted: unconverted)
    }
}
