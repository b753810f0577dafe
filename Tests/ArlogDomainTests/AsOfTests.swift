import Testing

@testable import ArlogDomain

/// State as of T: the fold, in log order, of the events whose `at` ≤ T; a date means its end in UTC.
struct AsOfTests {
    func ts(_ s: String) -> Timestamp { Timestamp(parsing: s)! }

    @Test func eventsAfterTAreExcluded() throws {
        var b = Book()
        b.register(on: "2025-01-01")
        b.invoice("I1", "100.00", issued: "2025-01-05", due: "2025-01-31")
        b.pay("P1", "40.00", received: "2025-02-10")
        b.reverse("P1", on: "2025-02-20")
        #expect(b.figures(asOf: "2024-12-31") == [:])
        #expect(try b.log.ledger(for: "C", asOf: Timestamp.endOf(Day(parsing: "2024-12-31")!)) == nil)
        #expect(b.figures(asOf: "2025-01-04")["invoiced"] == "0.00")
        #expect(b.figures(asOf: "2025-01-05")["invoiced"] == "100.00")
        #expect(b.figures(asOf: "2025-02-10")["paid"] == "40.00")
        #expect(b.figures(asOf: "2025-02-10")["open"] == "60.00")
        #expect(b.figures(asOf: "2025-02-19")["avg_days_late"] == "10.0")
        #expect(b.figures(asOf: "2025-02-20")["paid"] == "0.00")
        #expect(b.figures(asOf: "2025-02-20")["open"] == "100.00")
        #expect(b.figures(asOf: "2025-02-20")["avg_days_late"] == "null")
    }

    @Test func dateMeansEndOfTheDayInUTC() throws {
        var b = Book()
        b.register(on: "2025-01-01")
        // 2025-03-01 local, 2025-02-28T23:30Z: inside 02-28.
        b.invoice("A", "1.00", issued: "2025-03-01", at: "2025-03-01T00:30:00+01:00")
        // 2025-02-28 local, 2025-03-01T00:30Z: outside 02-28.
        b.invoice("B", "2.00", issued: "2025-02-28", at: "2025-02-28T23:30:00-01:00")
        // The very last nanosecond of 02-28 is inside; the first of 03-01 outside.
        b.invoice("C1", "4.00", issued: "2025-02-28", at: "2025-02-28T23:59:59.999999999Z")
        b.invoice("D", "8.00", issued: "2025-03-01", at: "2025-03-01T00:00:00Z")
        #expect(b.figures(asOf: "2025-02-28")["invoiced"] == "5.00")
        #expect(b.figures(asOf: "2025-03-01")["invoiced"] == "15.00")
        #expect(try b.log.ledger(for: "C", asOf: ts("2025-02-28T23:59:59.999999998Z"))?.totals.invoiced == 100)
    }

    /// Example 03: a payment keyed after a later invoice. As of a date between the two, the
    /// payment is in and the invoice out.
    @Test func logOrderWhenAtIsOutOfOrder() {
        var b = Book()
        b.register("PEARL", currency: "BHD", limit: "2500.000", at: "2025-03-01T00:00:00Z")
        b.invoice("P-1", "1200.125", issued: "2025-03-02", customer: "PEARL", at: "2025-03-02T10:00:00Z")
        b.invoice("P-2", "300.000", issued: "2025-05-15", customer: "PEARL", at: "2025-05-15T10:00:00Z")
        expectAccepted(b.pay("PP-1", "1000.000", received: "2025-04-20", customer: "PEARL", at: "2025-04-20T10:00:00Z"))
        let apr = b.figures("PEARL", asOf: "2025-04-30")
        #expect(apr["open"] == "200.125")
        #expect(apr["invoiced"] == "1200.125")
        #expect(apr["paid"] == "1000.000")
        #expect(apr["avg_days_late"] == "19.0")
        let all = b.figures("PEARL")
        #expect(all["open"] == "500.125")
        #expect(all["invoiced"] == "1500.125")
    }

    /// The full fold follows log order, even when folding by `at` would allocate differently;
    /// an as-of date before the late-keyed invoice sees the other allocation.
    @Test func fifoFollowsLogOrderNotAtOrder() throws {
        var b = Book()
        b.register(on: "2025-01-01")
        b.invoice("A", "10.00", issued: "2025-01-01", due: "2025-02-01", at: "2025-01-01T12:00:00Z")
        b.invoice("B", "10.00", issued: "2025-01-05", due: "2025-01-15", at: "2025-01-25T12:00:00Z")
        expectAccepted(b.pay("P", "10.00", received: "2025-01-20", at: "2025-01-20T12:00:00Z"))
        // Log order: B (due 01-15) was in when P was folded.
        #expect(b.openByInstallment("A") == [1000])
        #expect(b.openByInstallment("B") == [0])
        let late = try #require(try b.log.ledger(for: "C", asOf: Timestamp.endOf(Day(parsing: "2025-01-31")!)))
        #expect(late.invoice("A")?.open == 1000)
        #expect(late.invoice("B")?.open == 0)
        // As of 01-22, B is not there yet: P goes to A.
        let early = try #require(try b.log.ledger(for: "C", asOf: Timestamp.endOf(Day(parsing: "2025-01-22")!)))
        #expect(early.invoice("A")?.open == 0)
        #expect(early.invoice("B") == nil)
    }

    @Test func asOfAfterEverythingEqualsTheLiveLedger() throws {
        var b = Book()
        b.register(limit: "100.00")
        b.invoice("I1", "100.00", issued: "2025-01-01", installments: [("2025-02-01", "40.00"), ("2025-01-15", "60.00")])
        b.invoice("I2", "50.00", issued: "2025-01-03")
        b.adjust("I1", "5.00", on: "2025-01-04")
        b.adjust("I2", "-5.00", on: "2025-01-04")
        b.dun(2, on: "2025-01-20")
        b.pay("P1", "80.00", received: "2025-01-21", allocations: [("I2", "10.00")])
        b.pay("P2", "100.00", received: "2025-01-22")
        b.reverse("P1", on: "2025-01-23")
        b.writeOff("I2", "1.00", on: "2025-01-24")
        b.invoice("I3", "7.00", issued: "2025-01-24")
        b.void("I3", on: "2025-01-25")
        b.event("customer.updated", at: noon("2025-01-26"), #""terms_days":10"#)
        b.event("credit_limit.changed", at: noon("2025-01-26"), #""credit_limit":"10.00""#)
        #expect(b.log.events.count == 14)
        let live = try #require(b.ledger())
        let replay = try #require(try b.log.ledger(for: "C", asOf: nil))
        let future = try #require(try b.log.ledger(for: "C", asOf: Timestamp.endOf(Day(parsing: "9999-12-31")!)))
        // The replays run no risk projection: compare the ledgers without it.
        #expect(withoutRisk(replay) == withoutRisk(live))
        #expect(withoutRisk(future) == withoutRisk(live))
        #expect(BalanceReport(future) == BalanceReport(live))
    }

    @Test func dunningAsOf() {
        var b = Book()
        b.register()
        b.invoice("I1", "100.00", due: "2025-01-31")
        b.dun(1, on: "2025-02-03")
        b.dun(3, on: "2025-02-10")
        b.pay("P1", "100.00", received: "2025-02-20")
        #expect(b.figures(asOf: "2025-02-02")["dunning_level"] == "0")
        #expect(b.figures(asOf: "2025-02-09")["dunning_level"] == "1")
        #expect(b.figures(asOf: "2025-02-19")["dunning_level"] == "3")
        #expect(b.figures(asOf: "2025-02-20")["dunning_level"] == "0")
    }

    @Test func otherCustomersDoNotLeakIntoAFold() throws {
        var b = Book()
        b.register("C")
        b.register("D")
        b.invoice("I1", "10.00", customer: "C")
        b.invoice("J1", "20.00", customer: "D")
        b.pay("Q1", "5.00", received: "2025-01-02", customer: "D")
        #expect(b.figures("C", asOf: "2025-12-31")["invoiced"] == "10.00")
        #expect(b.figures("C", asOf: "2025-12-31")["paid"] == "0.00")
        #expect(b.figures("D", asOf: "2025-12-31")["open"] == "15.00")
        #expect(try b.log.ledger(for: "E", asOf: nil) == nil)
    }

    /// A due date derived from the terms in force in an as-of fold can fall after 9999-12-31
    /// (the terms that validated it came later in `at` but earlier in the log): the fold does
    /// not fail and keeps the invoice, due on the calendar's last day. (The old fold trapped
    /// in debug builds and left the invoice out in release builds.)
    @Test func termsDueDateBeyondTheCalendarInAnAsOfFold() throws {
        var b = Book()
        expectAccepted(b.register(terms: 3650, at: "9990-01-01T00:00:00Z"))
        expectAccepted(b.event("customer.updated", at: "9990-03-01T00:00:00Z", #""terms_days":0"#))
        expectAccepted(b.invoice("I1", "10.00", issued: "9995-01-01", at: "9990-02-01T00:00:00Z"))
        #expect(b.ledger()?.invoice("I1")?.installments.map(\.dueOn.description) == ["9995-01-01"])
        let asOf = try #require(try b.log.ledger(for: "C", asOf: Timestamp.endOf(Day(parsing: "9990-02-15")!)))
        #expect(asOf.invoice("I1")?.installments.map(\.dueOn.description) == ["9999-12-31"])
        #expect(asOf.totals.invoiced == 1000)
        #expect(asOf.state.brokenInvariants() == [])
    }
}

