import ArlogDomain
import ArlogEngine
import ArlogTestSupport
import Testing

/// `Store.customerReport`: what the customer report gathers, on a small customer whose
/// figures are worked out by hand (Tests/ArlogTestSupport/ReportFixture.swift).
@Suite struct CustomerReportTests {
    static let asOf = Day(parsing: ReportFixture.asOf)!
    static let today = Day(year: 2026, month: 12, day: 5)!

    static func store() throws -> TempStore {
        let t = try TempStore()
        let (_, rejected) = try t.ingest(ReportFixture.feed)
        #expect(rejected.isEmpty, "\(rejected)")
        return t
    }

    @Test func figuresAndLists() throws {
        let t = try Self.store()
        let r = try t.store.customerReport(ReportFixture.customer, asOf: Self.asOf, today: Self.today)
        #expect(r.asOf == Self.asOf)
        #expect(r.profile.name == ReportFixture.hostileName)
        // I-3 (5000.00, due 2025-04-09) is overdue, I-4 (3000.00, due 2025-06-19) too.
        #expect(r.balance.totals.open == 8000_00)
        #expect(r.overdue == 8000_00)
        #expect(r.balance.disputed == 1000_00)
        // Days late per paid invoice: I-1 due 2025-02-04, paid 2025-02-20 (16 days); I-2 due
        // 2025-03-03, paid that day.
        #expect(r.paidInvoices.map(\.invoice) == ["I-1", "I-2"])
        #expect(r.paidInvoices.map(\.daysLateHundredths) == [1600, 0])
        #expect(r.paidInvoices.map(\.daysLateMax) == [16, 0])
        #expect(r.paidInvoices.map(\.paidOn) == [Day(year: 2025, month: 2, day: 20)!, Day(year: 2025, month: 3, day: 3)!])
        #expect(r.paidInvoiceCount == 2)
        // Collections, newest first, with their details from the events.
        #expect(r.collections.map(\.kind) == [.disputeOpened, .promise, .contact, .dunning])
        #expect(r.collections.map(\.eventID) == ["h10", "h9", "h8", "h7"])
        #expect(r.collections[0].reason == "wrong <qty> & price")
        #expect(r.collections[0].amount == 1000_00)
        #expect(r.collections[1].promisedOn == Day(year: 2025, month: 4, day: 30))
        #expect(r.collections[2].outcome == "reached" && r.collections[2].channel == "phone")
        #expect(r.collections[3].level == 1 && r.collections[3].channel == "email" && r.collections[3].invoice == "I-3")
        #expect(r.collections[3].actor == "collector-7")
        // The promise was not kept by 2025-04-30.
        #expect(r.promises.map(\.status) == [.broken])
        #expect(r.disputes.map(\.invoice) == ["I-3"])
        #expect(r.disputes.first?.dispute.state == .open)
        #expect(r.disputes.first?.dispute.reason == "wrong <qty> & price")
        // The statement covers the three months up to the report's day.
        #expect(r.statement.from == Day(year: 2025, month: 3, day: 31))
        #expect(r.statement.to == Self.asOf)
        #expect(r.statement.lines.map(\.reference) == ["I-4"])
        #expect(r.statement.closingBalance == r.balance.balance)
        #expect(r.statement.aging.customers.first?.buckets.reduce(0, +) == 8000_00)
    }

    @Test func scoreTrend() throws {
        let t = try Self.store()
        let r = try t.store.customerReport(ReportFixture.customer, asOf: Self.asOf, today: Self.today)
        let days = r.scoreTrend.map(\.day)
        #expect(days == days.sorted() && Set(days).count == days.count)
        // Month ends from registration (2025-01-02) on, and the report's day.
        for (m, d) in [(1, 31), (2, 28), (3, 31), (4, 30), (5, 31)] {
            #expect(days.contains(Day(year: 2025, month: m, day: d)!), "month end 2025-\(m)-\(d)")
        }
        #expect(days.last == Self.asOf)
        #expect(r.scoreTrend.last?.score == r.grade.assessment.score)
        #expect(r.scoreTrend.last?.grade == r.grade.assessment.grade)
        #expect(days.first! >= Day(year: 2025, month: 1, day: 2)!)
        // Every grade change in the window is a point of the trend with its score.
        #expect(!r.grade.history.isEmpty)
        for c in r.grade.history where c.evaluatedOn >= r.trendFrom {
            #expect(days.contains(c.evaluatedOn))
        }
        // As of a month end the score there is the one the month-end point shows.
        let april = Day(year: 2025, month: 4, day: 30)!
        let graded = try t.store.grade(ReportFixture.customer, asOf: april, today: Self.today, withHistory: false)
        #expect(r.scoreTrend.first { $0.day == april }?.score == graded.assessment.score)
    }

    @Test func asOfAndUnknown() throws {
        let t = try Self.store()
        // Before the dunning action: no collections yet, nothing overdue on 2025-03-31.
        let march = try t.store.customerReport(ReportFixture.customer, asOf: Day(year: 2025, month: 3, day: 31)!, today: Self.today)
        #expect(march.collections.isEmpty)
        #expect(march.overdue == 0)
        #expect(march.paidInvoices.count == 2)
        #expect { try t.store.customerReport("NOBODY", asOf: Self.asOf, today: Self.today) } throws: { ($0 as? EngineError)?.kind == .notFound }
        #expect { try t.store.customerReport(ReportFixture.customer, asOf: Day(year: 2024, month: 12, day: 31)!, today: Self.today) } throws: {
            ($0 as? EngineError)?.kind == .notFound
        }
        // The same store gives the same report.
        let a = try t.store.customerReport(ReportFixture.customer, asOf: Self.asOf, today: Self.today)
        let b = try t.store.customerReport(ReportFixture.customer, asOf: Self.asOf, today: Self.today)
        #expect(a.scoreTrend == b.scoreTrend && a.collections == b.collections && a.paidInvoices == b.paidInvoices)
    }

    @Test func monthArithmetic() {
        #expect(Day(year: 2025, month: 3, day: 31)!.monthsEarlier(1) == Day(year: 2025, month: 2, day: 28))
        #expect(Day(year: 2024, month: 3, day: 31)!.monthsEarlier(1) == Day(year: 2024, month: 2, day: 29))
        #expect(Day(year: 2025, month: 1, day: 15)!.monthsEarlier(3) == Day(year: 2024, month: 10, day: 15))
        #expect(Day(year: 2025, month: 6, day: 30)!.monthsEarlier(12) == Day(year: 2024, month: 6, day: 30))
        #expect(Day(year: 2025, month: 1, day: 15)!.endOfPreviousMonth == Day(year: 2024, month: 12, day: 31))
        #expect(Day(year: 2025, month: 3, day: 1)!.endOfPreviousMonth == Day(year: 2025, month: 2, day: 28))
    }
}
