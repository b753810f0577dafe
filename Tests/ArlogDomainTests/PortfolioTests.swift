import ArlogTestSupport
import Testing

@testable import ArlogDomain

/// The portfolio formulas (docs/analytics.md) and the worked example, from the in-memory fold.
@Suite struct PortfolioTests {
    func day(_ s: String) -> Day { Day(parsing: s)! }

    // MARK: count-back DSO

    @Test func countBackWalksWholeMonthsThenAFraction() {
        // 7000 of receivables against 4000, 2000, 3000 of sales: 31 + 28 + 31 × 1000/3000.
        let r = PortfolioFormulas.countBackDSO(receivables: 700_000, periods: [(400_000, 31), (200_000, 28), (300_000, 31)])
        #expect(r.hundredths == 6933)  // 10.333… rounds to 10.33
        #expect(!r.capped)
        // Half a hundredth rounds up: 1 day × 1/8 = 0.125 → 0.13.
        #expect(PortfolioFormulas.countBackDSO(receivables: 1, periods: [(8, 1)]).hundredths == 13)
    }

    @Test func countBackEdges() {
        // No receivables, or a credit balance: 0.
        #expect(PortfolioFormulas.countBackDSO(receivables: 0, periods: [(100, 31)]) == (0, false))
        #expect(PortfolioFormulas.countBackDSO(receivables: -500, periods: [(100, 31)]) == (0, false))
        // No sales at all: every period's days, and a floor.
        #expect(PortfolioFormulas.countBackDSO(receivables: 100, periods: [(0, 31), (0, 28)]) == (5900, true))
        // Negative sales (not produced by the fold, but the formula is total): a month without sales.
        #expect(PortfolioFormulas.countBackDSO(receivables: 100, periods: [(-50, 30), (200, 30)]) == (4500, false))
        // One month of history: receivables below its sales.
        #expect(PortfolioFormulas.countBackDSO(receivables: 100, periods: [(100, 31)]) == (3100, false))
        #expect(PortfolioFormulas.countBackDSO(receivables: 50, periods: [(100, 30)]) == (1500, false))
        // More receivables than the history's sales: a floor.
        #expect(PortfolioFormulas.countBackDSO(receivables: 300, periods: [(100, 31)]) == (3100, true))
        // No periods (the first day of the calendar).
        #expect(PortfolioFormulas.countBackDSO(receivables: 300, periods: []) == (0, true))
    }

    // MARK: CEI

    @Test func ceiFormula() {
        #expect(PortfolioFormulas.cei(beginning: 400_000, sales: 400_000, endingTotal: 700_000, endingCurrent: 400_000) == 2500)
        // Everything collected: 100 %.
        #expect(PortfolioFormulas.cei(beginning: 100, sales: 0, endingTotal: 0, endingCurrent: 0) == 10000)
        // Nothing collectable (the divisor is 0): undefined.
        #expect(PortfolioFormulas.cei(beginning: 0, sales: 100, endingTotal: 100, endingCurrent: 100) == nil)
        #expect(PortfolioFormulas.cei(beginning: 0, sales: 0, endingTotal: 0, endingCurrent: 0) == nil)
        // Receivables grew past sales (a reversal): negative, rounded half away from zero.
        // (0 + 3 − 4) ÷ (0 + 3 − 0) = −33.333… % → −3333 bp; (1 − 3) ÷ 8 … see below.
        #expect(PortfolioFormulas.cei(beginning: 0, sales: 3, endingTotal: 4, endingCurrent: 0) == -3333)
        // −1 ÷ 16 = −6.25 % exactly; −1 ÷ 160000 = −0.000625 % → −0.0625 bp → 0; −1 ÷ 20000 = −0.5 bp → −1.
        #expect(PortfolioFormulas.cei(beginning: 0, sales: 16, endingTotal: 17, endingCurrent: 0) == -625)
        #expect(PortfolioFormulas.cei(beginning: 0, sales: 20000, endingTotal: 20001, endingCurrent: 0) == -1)
    }

    @Test func utilisation() {
        #expect(PortfolioFormulas.utilisationBasisPoints(balance: 450_000, limit: 1_000_000) == 4500)
        #expect(PortfolioFormulas.utilisationBasisPoints(balance: -30_000, limit: 100_000) == -3000)
        #expect(PortfolioFormulas.utilisationBasisPoints(balance: 100, limit: 0) == nil)
        // 1/3 → 3333.33 bp → 3333; 2/3 → 6666.67 → 6667.
        #expect(PortfolioFormulas.utilisationBasisPoints(balance: 2, limit: 3) == 6667)
    }

    // MARK: calendar

    @Test func calendarOnADay() {
        let c = PortfolioCalendar(on: day("2025-03-15"), dsoPeriods: 3)
        #expect(c.days == [day("2024-12-31"), day("2025-01-31"), day("2025-02-28"), day("2025-03-15")])
        #expect(c.reports == [3])
        #expect(day("2024-02-10").monthEnd == day("2024-02-29"))
        #expect(day("2024-12-10").monthEnd == day("2024-12-31"))
        #expect(day("2025-01-01").previousMonthEnd == day("2024-12-31"))
    }

    @Test func calendarMonthly() {
        let c = PortfolioCalendar(monthsFrom: day("2025-01-01"), to: day("2025-03-01"), dsoPeriods: 2)
        #expect(c.days == [day("2024-11-30"), day("2024-12-31"), day("2025-01-31"), day("2025-02-28"), day("2025-03-31")])
        #expect(c.reports == [2, 3, 4])
        // The CEI may reach further back than the count-back.
        let d = PortfolioCalendar(on: day("2025-03-31"), dsoPeriods: 1, ceiMonths: 3)
        #expect(d.days.first == day("2024-12-31"))
    }

    // MARK: the worked example

    /// The report computed from the in-memory fold: each customer's state as of each day of
    /// the calendar (its own fold from its first event), its grade on each report day.
    static func reference(_ log: InMemoryLog, _ calendar: PortfolioCalendar, _ grouping: PortfolioGrouping) throws -> PortfolioReport {
        var builder = PortfolioBuilder(calendar: calendar, grouping: grouping, debtors: calendar.reports.count == 1)
        for customer in log.states.keys.sorted() {
            var figures: [PortfolioCustomerFigures?] = []
            for d in calendar.days {
                guard let s = try log.ledger(for: customer, asOf: Timestamp.endOf(d))?.state else {
                    figures.append(nil)
                    continue
                }
                let grade = CreditScoring.assess(s, customer: customer, policy: policy(log, d), on: d).grade
                figures.append(PortfolioCustomerFigures(state: s, on: d, grade: grade))
            }
            builder.add(customer: customer, industry: log.cold.profiles[customer]?.industry, figures: figures)
        }
        return builder.report()
    }

    func exampleLog() throws -> InMemoryLog {
        var log = InMemoryLog()
        for o in try log.ingest(PortfolioExample.feed) { #expect(o.isAccepted, "\(o.summary)") }
        return log
    }

    @Test func workedExample() throws {
        let log = try exampleLog()
        let report = try Self.reference(log, PortfolioCalendar(on: day("2025-03-31")), .currency)
        #expect(report.groups.map(\.currency.code) == ["EUR", "USD"])
        let eur = report.groups[0]
        #expect(eur.customers == 3)
        #expect(eur.open == 700_000)
        #expect(eur.overdue == 300_000)
        #expect(eur.current == 400_000)
        #expect(eur.unapplied == 30_000)
        #expect(Array(eur.salesByPeriod.prefix(4)) == [400_000, 200_000, 300_000, 0])
        #expect(Array(eur.daysByPeriod.prefix(4)) == [31, 28, 31, 31])
        #expect(eur.dsoHundredths == 6933)
        #expect(!eur.dsoCapped)
        #expect(eur.bestDSOHundredths == 3100)
        #expect(eur.addHundredths == 3833)
        #expect(eur.periodFrom == day("2025-03-01"))
        #expect(eur.beginningReceivables == 400_000)
        #expect(eur.periodSales == 400_000)
        #expect(eur.ceiBasisPoints == 2500)
        #expect(eur.avgDaysLateHundredths == 833)
        #expect(eur.writtenOffInPeriod == 50_000)
        #expect(eur.writtenOffTotal == 50_000)
        #expect(eur.gradeMix.reduce(0, +) == 3)
        #expect(eur.topDebtors.map(\.customer) == ["A", "B", "C"])
        let a = eur.topDebtors[0]
        #expect(a.open == 450_000 && a.balance == 450_000 && a.creditLimit == 1_000_000)
        #expect(a.utilisationBasisPoints == 4500)
        #expect(a.oldestOverdue == day("2025-03-17") && a.daysPastDue == 14)
        let b = eur.topDebtors[1]
        #expect(b.open == 250_000 && b.utilisationBasisPoints == nil && b.oldestOverdue == day("2025-02-04") && b.daysPastDue == 55)
        let c = eur.topDebtors[2]
        #expect(c.open == 0 && c.balance == -30_000 && c.utilisationBasisPoints == -3000 && c.oldestOverdue == nil)

        let usd = report.groups[1]
        #expect(usd.customers == 1 && usd.open == 10_000 && usd.overdue == 0)
        #expect(usd.dsoHundredths == 3100 && usd.bestDSOHundredths == 3100 && usd.addHundredths == 0)
        // Nothing was collectable in March (no beginning receivables, all of it current).
        #expect(usd.ceiBasisPoints == nil)
        #expect(usd.avgDaysLateHundredths == nil)
    }

    @Test func workedExampleByIndustryAndMonthly() throws {
        let log = try exampleLog()
        let byIndustry = try Self.reference(log, PortfolioCalendar(on: day("2025-03-31")), .industry)
        #expect(byIndustry.groups.map { "\($0.currency.code) \($0.group ?? "-") \($0.customers)" } == ["EUR (none) 1", "EUR retail 2", "USD energy 1"])
        #expect(byIndustry.groups[1].open == 700_000)

        let monthly = try Self.reference(log, PortfolioCalendar(monthsFrom: day("2025-01-01"), to: day("2025-03-01")), .currency)
        #expect(monthly.groups.map { "\($0.day) \($0.currency.code)" } == ["2025-01-31 EUR", "2025-02-28 EUR", "2025-03-31 EUR", "2025-03-31 USD"])
        // January: A1 and B1 open (3000), both current on the 31st; sales 3000 in January.
        let jan = monthly.groups[0]
        #expect(jan.open == 300_000 && jan.overdue == 0 && jan.dsoHundredths == 3100 && jan.ceiBasisPoints == nil)
        // February: A2 + B1 open (4000), B1 overdue; 2000 of February's sales, 2000 of January's.
        let feb = monthly.groups[1]
        #expect(feb.open == 400_000 && feb.overdue == 200_000)
        #expect(feb.dsoHundredths == 4867)  // 28 + 31 × 2000/3000 = 28 + 20.666… → 48.67
        // CEI for February: (3000 + 2000 − 4000) ÷ (3000 + 2000 − 2000) = 33.33 %.
        #expect(feb.ceiBasisPoints == 3333)
        // March's month end is the single report on 2025-03-31, without the debtors.
        let single = try Self.reference(log, PortfolioCalendar(on: day("2025-03-31")), .currency)
        #expect(monthly.groups[2] == Self.withoutDebtors(single.groups[0]))
        #expect(monthly.groups.allSatisfy { $0.topDebtors.isEmpty })
    }

    /// The policy in force at the end of `d`: the last logged with `at` within it (as the store).
    static func policy(_ log: InMemoryLog, _ d: Day) -> CreditPolicy {
        log.timeline.policies.last { $0.at <= Timestamp.endOf(d) }?.policy ?? .default
    }

    static func withoutDebtors(_ g: PortfolioGroup) -> PortfolioGroup {
        var g = g
        g.topDebtors = []
        return g
    }

    @Test func builderIsOrderFree() throws {
        // Customers added in any order give the same report (the engine adds them in byte order
        // from two threads' results).
        let log = try exampleLog()
        let cal = PortfolioCalendar(on: day("2025-03-31"))
        var forward = PortfolioBuilder(calendar: cal, grouping: .grade, debtors: true)
        var backward = forward
        var rows: [(String, [PortfolioCustomerFigures?])] = []
        for customer in log.states.keys.sorted() {
            var figures: [PortfolioCustomerFigures?] = []
            for d in cal.days {
                let s = try log.ledger(for: customer, asOf: Timestamp.endOf(d))?.state
                figures.append(s.map {
                    PortfolioCustomerFigures(state: $0, on: d, grade: CreditScoring.assess($0, customer: customer, policy: .default, on: d).grade)
                })
            }
            rows.append((customer, figures))
        }
        for (c, f) in rows { forward.add(customer: c, industry: nil, figures: f) }
        for (c, f) in rows.reversed() { backward.add(customer: c, industry: nil, figures: f) }
        #expect(forward.report() == backward.report())
        #expect(forward.report().groups.map(\.customers).reduce(0, +) == 4)
    }
}
