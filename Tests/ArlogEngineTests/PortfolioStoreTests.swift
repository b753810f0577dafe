import ArlogDomain
import ArlogTestSupport
import Testing

@testable import ArlogEngine

/// `Store.portfolio` against the reference: the same builder fed by the in-memory log's own
/// fold of each customer as of each day (`InMemoryLog.ledger`), on generated feeds with and
/// without late lines, on one thread and two; and the worked example of docs/analytics.md.
@Suite struct PortfolioStoreTests {
    /// The report from the in-memory fold (the engine's checkpoints and late entries play no part).
    static func reference(_ log: InMemoryLog, _ calendar: PortfolioCalendar, _ grouping: PortfolioGrouping) throws -> PortfolioReport {
        var builder = PortfolioBuilder(calendar: calendar, grouping: grouping, debtors: calendar.reports.count == 1)
        let reports = Set(calendar.reports)
        for customer in log.states.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            var figures: [PortfolioCustomerFigures?] = []
            for (i, d) in calendar.days.enumerated() {
                guard let s = try log.ledger(for: customer, asOf: Timestamp.endOf(d))?.state else {
                    figures.append(nil)
                    continue
                }
                let grade = reports.contains(i) ? CreditScoring.assess(s, customer: customer, policy: policy(log, d), on: d).grade : .a
                figures.append(PortfolioCustomerFigures(state: s, on: d, grade: grade))
            }
            builder.add(customer: customer, industry: log.cold.profiles[customer]?.industry, figures: figures)
        }
        return builder.report()
    }

    /// The policy in force at the end of `d`: the last logged with `at` within it (as the store).
    static func policy(_ log: InMemoryLog, _ d: Day) -> CreditPolicy {
        log.timeline.policies.last { $0.at <= Timestamp.endOf(d) }?.policy ?? .default
    }

    static func withoutNames(_ r: PortfolioReport) -> PortfolioReport {
        var r = r
        for g in r.groups.indices {
            for d in r.groups[g].topDebtors.indices { r.groups[g].topDebtors[d].name = nil }
        }
        return r
    }

    @Test func workedExample() throws {
        let t = try TempStore()
        let (summary, rejected) = try t.ingest(PortfolioExample.feed)
        #expect(rejected.isEmpty && summary.accepted == 14)
        let day = Day(parsing: "2025-03-31")!
        let report = try t.store.portfolio(PortfolioRequest(span: .day(day)), today: day)
        var log = InMemoryLog()
        _ = try log.ingest(PortfolioExample.feed)
        #expect(Self.withoutNames(report) == (try Self.reference(log, PortfolioCalendar(on: day), .currency)))
        let eur = report.groups[0]
        #expect(eur.dsoHundredths == 6933 && eur.bestDSOHundredths == 3100 && eur.ceiBasisPoints == 2500)
        #expect(eur.topDebtors.map { $0.name ?? "-" } == ["Alpha", "Beta", "Gamma"])
        // Without a date: today's figures (the 31st of March is "today" here).
        #expect(try t.store.portfolio(PortfolioRequest(span: .day(nil)), today: day) == report)
    }

    static let feeds = Array(StoreReferenceTests.feeds.prefix(4))

    @Test(arguments: feeds)
    func storeEqualsReference(feed: StoreReferenceTests.Feed) throws {
        let (t, _) = try StoreReferenceTests.ingested(feed)
        let (log, _) = try StoreReferenceTests.reference(feed.lines)
        let days = StoreReferenceTests.asOfChecks(log).days.sorted()
        let first = days[0]
        let last = days[days.count - 1]
        var mismatches: [String] = []
        // A monthly series over the whole feed, and a month before it and after it.
        let from = first.previousMonthEnd!.adding(days: -1)
        let to = last.monthEnd.adding(days: 1)
        for grouping in PortfolioGrouping.allCases {
            let request = PortfolioRequest(span: .monthly(from: from, to: to), grouping: grouping, ceiMonths: grouping == .grade ? 3 : 1)
            let expected = try Self.reference(log, PortfolioCalendar(monthsFrom: from, to: to, ceiMonths: request.ceiMonths), grouping)
            // Something to compare: several month ends with customers, sales and overdue amounts.
            #expect(Set(expected.groups.map(\.day)).count >= 3 && expected.groups.contains { $0.overdue > 0 && $0.dsoHundredths > 0 })
            for threads in [1, 2] {
                let got = try t.store.portfolio(request, today: last, knownAt: nil, threads: threads)
                if got != expected { mismatches.append("monthly by \(grouping) on \(threads) thread(s)") }
            }
        }
        // Single days, mid-month and at month ends, with the debtors.
        for day in days where day.description.hasSuffix("7") || day == day.monthEnd {
            for grouping in [PortfolioGrouping.currency, .grade] {
                let expected = try Self.reference(log, PortfolioCalendar(on: day), grouping)
                let got = try t.store.portfolio(PortfolioRequest(span: .day(day), grouping: grouping), today: last, knownAt: nil, threads: 2)
                if Self.withoutNames(got) != expected { mismatches.append("\(day) by \(grouping)") }
            }
        }
        #expect(mismatches.isEmpty, "\(feed.name): \(mismatches.prefix(5))")
    }

    /// Known at a point: what the store said then (the log cut at that position, folded).
    @Test func knownAt() throws {
        let feed = Self.feeds[1]
        let (t, _) = try StoreReferenceTests.ingested(feed)
        let (log, outcomes) = try StoreReferenceTests.reference(feed.lines)
        let n = log.events.count / 2
        // The reference of the first n accepted events.
        var kept: [String] = []
        var accepted = 0
        for (line, o) in zip(feed.lines, outcomes) where accepted < n {
            if case .accepted = o {
                kept.append(line)
                accepted += 1
            }
        }
        let (half, _) = try StoreReferenceTests.reference(kept)
        let day = StoreReferenceTests.asOfChecks(log).days.sorted().last!
        let got = try t.store.portfolio(PortfolioRequest(span: .day(day)), today: day, knownAt: .seq(UInt64(n)), threads: 2)
        #expect(Self.withoutNames(got) == (try Self.reference(half, PortfolioCalendar(on: day), .currency)))
    }
}
