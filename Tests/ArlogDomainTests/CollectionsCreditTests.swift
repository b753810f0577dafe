import Testing

@testable import ArlogDomain

/// Feed v1.1 in credit: a disputed amount's overdue age does not count while its dispute is
/// open; broken promises take points off the score (`broken_promise_points`) and raise
/// `promise_broken` at the first evaluation after their date (a review's clock tick).
struct CollectionsCreditTests {
    func assess(_ b: Book, on day: String, policy: CreditPolicy = .default) throws -> CreditAssessment {
        let s = try #require(b.state())
        return CreditScoring.assess(s, customer: "C", policy: policy, on: Day(parsing: day)!)
    }

    @Test func aDisputedAmountIsNotOverdueWhileItsDisputeIsOpen() throws {
        var b = Book()
        b.register(limit: "10000.00")
        b.invoice("I1", "1000.00", issued: "2025-01-01", installments: [("2025-01-10", "400.00"), ("2025-02-10", "600.00")])
        b.invoice("I2", "500.00", issued: "2025-01-02", due: "2025-03-01")
        let before = try assess(b, on: "2025-03-15")
        #expect(before.buckets == [0, 50000, 60000, 40000, 0] && before.oldestOverdueDays == 64)
        // A partial dispute takes the earliest installment first: 400 of the 61-90 bucket and 100 of 31-60.
        expectAccepted(b.dispute("I1", amount: "500.00", on: "2025-03-01"))
        let partial = try assess(b, on: "2025-03-15")
        #expect(partial.buckets == [50000, 50000, 50000, 0, 0], "\(partial.buckets)")
        #expect(partial.oldestOverdueDays == 33)
        #expect(partial.points[RiskFactor.overdue.rawValue] > before.points[RiskFactor.overdue.rawValue])
        // Resolved: its age counts again.
        expectAccepted(b.resolve("I1", "rejected", on: "2025-03-02"))
        #expect(try assess(b, on: "2025-03-15").buckets == before.buckets)
        // A whole dispute of every overdue invoice: nothing counts as overdue.
        expectAccepted(b.dispute("I1", on: "2025-03-03"))
        expectAccepted(b.dispute("I2", on: "2025-03-03"))
        let whole = try assess(b, on: "2025-03-15")
        #expect(whole.buckets == [150000, 0, 0, 0, 0] && whole.oldestOverdueDays == 0)
        #expect(whole.points[RiskFactor.overdue.rawValue] == 100)
    }

    @Test func brokenPromisesTakePointsOffTheScore() throws {
        var b = Book()
        b.register(limit: "10000.00")
        b.invoice("I1", "1000.00", issued: "2025-01-01", due: "2025-01-31")
        expectAccepted(b.promise("1000.00", by: "2025-02-10", on: "2025-02-01"))
        let pending = try assess(b, on: "2025-02-10")
        #expect(pending.brokenPromises == 0 && pending.brokenPromisePoints == 0)
        let broken = try assess(b, on: "2025-02-11")
        #expect(broken.brokenPromises == 1 && broken.brokenPromisePoints == 10)
        // The same measures but the promise: exactly the policy's points apart.
        var weighted = 0
        var total = 0
        for f in broken.factors {
            weighted += f.weight * f.points
            total += f.weight
        }
        #expect(broken.score == Int(CreditMath.divideRounded(Int64(weighted), Int64(total))) - 10)
        // Two broken, under a policy of its own; outside the window it no longer counts.
        expectAccepted(b.promise("500.00", by: "2025-02-20", on: "2025-02-12"))
        var policy = CreditPolicy.default
        policy.brokenPromisePoints = [0, 5, 40]
        let two = try assess(b, on: "2025-03-01", policy: policy)
        #expect(two.brokenPromises == 2 && two.brokenPromisePoints == 40)
        let later = try assess(b, on: "2026-02-15")  // the window is 365 days: only the 02-20 promise
        #expect(later.brokenPromises == 1)
        // Both kept after all by a payment logged after them with an early received_on (both
        // name no invoice: its whole amount counts for each): no points off.
        b.pay("P1", "1000.00", received: "2025-02-09", at: noon("2025-03-05"))
        let kept = try assess(b, on: "2025-03-06")
        #expect(kept.brokenPromises == 0 && kept.brokenPromisePoints == 0)
    }

    @Test func aBrokenPromiseAlertsAtTheNextReview() throws {
        var b = Book()
        b.register(limit: "10000.00")
        b.invoice("I1", "1000.00", issued: "2025-01-01", due: "2025-01-31")
        expectAccepted(b.promise("1000.00", by: "2025-02-10", invoice: "I1", on: "2025-02-01"))
        expectAccepted(b.raw(RiskLines.reviewed("rv1", at: noon("2025-02-10"))))
        #expect(!b.log.alerts.contains { $0.kind == .promiseBroken })
        expectAccepted(b.raw(RiskLines.reviewed("rv2", at: noon("2025-02-11"))))
        let alerts = b.log.alerts.filter { $0.kind == .promiseBroken }
        #expect(alerts.count == 1)
        #expect(alerts.first?.reference == "I1" && alerts.first?.amount == 100_000 && alerts.first?.cause.eventID == "rv2")
        #expect(alerts.first?.reason == "promise to pay 1000.00 EUR for invoice I1 by 2025-02-10 was broken (1 broken in all)")
        // Not again at the next tick; again once it was kept and broken anew.
        expectAccepted(b.raw(RiskLines.reviewed("rv3", at: noon("2025-02-12"))))
        #expect(b.log.alerts.filter { $0.kind == .promiseBroken }.count == 1)
        b.pay("P1", "1000.00", received: "2025-02-09", allocations: [("I1", "1000.00")], at: noon("2025-02-13"))
        #expect(b.promises(on: "2025-02-13") == "kept 1 broken 0 pending none")
        b.reverse("P1", on: "2025-02-14")
        #expect(b.log.alerts.filter { $0.kind == .promiseBroken }.map(\.cause.eventID).count == 2)
    }
}
