import Testing

@testable import ArlogDomain

/// Payments, credit notes, write-offs, voids and reversals: where the money goes and the
/// contract's figures.
struct FoldTests {
    /// Invoice ids of a payment's allocations, in the order they were made, with installment
    /// index and amount (minor units).
    func allocations(_ b: Book, _ payment: String, customer: String = "C") -> [String] {
        guard let l = b.ledger(customer), let p = l.payment(payment) else { return ["no payment \(payment)"] }
        return p.allocations.map { "\(l.invoice(seq: $0.invoice)?.id ?? "seq \($0.invoice)")#\($0.installment):\($0.amount)" }
    }

    @Test func balanceIdentityOverEveryKindOfEvent() throws {
        var b = Book()
        b.register(limit: "500.00")
        b.invoice("I1", "100.00", issued: "2025-01-01", due: "2025-01-31")
        b.invoice("I2", "200.00", issued: "2025-01-05", due: "2025-02-04")
        b.invoice("I3", "50.00", issued: "2025-01-06", due: "2025-02-05")
        expectAccepted(b.adjust("I1", "20.00", on: "2025-01-07"))
        expectAccepted(b.adjust("I2", "-30.00", on: "2025-01-08"))
        expectAccepted(b.writeOff("I3", "10.00", on: "2025-01-09"))
        // FIFO: I1 (due 01-31) 120.00 ten days late, I2 (due 02-04) 30.00 six days late.
        expectAccepted(b.pay("P1", "150.00", received: "2025-02-10"))
        #expect(allocations(b, "P1") == ["I1#0:12000", "I2#0:3000"])
        // Explicit I3 40.00 first, then FIFO I2 140.00, then 320.00 unapplied.
        expectAccepted(b.pay("P2", "500.00", received: "2025-02-15", allocations: [("I3", "40.00")]))
        #expect(allocations(b, "P2") == ["I3#0:4000", "I2#0:14000"])
        b.invoice("I4", "25.00", issued: "2025-02-20", due: "2025-03-01")
        expectAccepted(b.void("I4", on: "2025-02-21"))
        var f = b.figures()
        #expect(f["invoiced"] == "395.00")
        #expect(f["credited"] == "30.00")
        #expect(f["paid"] == "650.00")
        #expect(f["written_off"] == "10.00")
        #expect(f["voided"] == "25.00")
        #expect(f["open"] == "0.00")
        #expect(f["unapplied"] == "320.00")
        #expect(f["balance"] == "-320.00")
        #expect(f["available"] == "820.00")
        #expect(f["over_limit"] == "false")
        // (120×10 + 30×6 + 40×10 + 140×11) / 330 = 10.0606…
        #expect(f["avg_days_late"] == "10.06")
        let t = try #require(b.ledger()).totals
        #expect(t.invoiced - t.credited - t.paid - t.writtenOff - t.voided == t.balance)

        expectAccepted(b.reverse("P2", on: "2025-02-25"))
        f = b.figures()
        #expect(f["paid"] == "150.00")
        #expect(f["unapplied"] == "0.00")
        #expect(f["open"] == "180.00")
        #expect(f["balance"] == "180.00")
        #expect(b.openByInstallment("I2") == [14000])
        #expect(b.openByInstallment("I3") == [4000])
        // (1200 + 180) / 150 = 9.2
        #expect(f["avg_days_late"] == "9.2")
        let t2 = try #require(b.ledger()).totals
        #expect(t2.invoiced - t2.credited - t2.paid - t2.writtenOff - t2.voided == t2.balance)
    }

    @Test func fifoOrderIsDueThenIssuedThenIDThenIndex() {
        var b = Book()
        b.register()
        b.invoice("b", "10.00", issued: "2025-01-02", due: "2025-02-01")
        b.invoice("a", "10.00", issued: "2025-01-03", due: "2025-02-01")
        b.invoice("Z", "10.00", issued: "2025-01-02", due: "2025-02-01")
        b.invoice("I9", "10.00", issued: "2025-01-02", due: "2025-02-01")
        b.invoice("I10", "10.00", issued: "2025-01-02", due: "2025-02-01")
        // Listed out of due order; the two on 01-20 keep their list order.
        b.invoice("K", "10.00", issued: "2025-01-02", installments: [("2025-03-01", "5.00"), ("2025-01-20", "3.00"), ("2025-01-20", "2.00")])
        b.invoice("EARLY", "10.00", issued: "2025-01-10", due: "2025-01-25")
        #expect(b.ledger()?.invoice("K")?.installments.map { "\($0.dueOn):\($0.amount)" } == ["2025-01-20:300", "2025-01-20:200", "2025-03-01:500"])
        expectAccepted(b.pay("P1", "100.00", received: "2025-02-10"))
        #expect(allocations(b, "P1") == [
            "K#0:300", "K#1:200", "EARLY#0:1000", "I10#0:1000", "I9#0:1000", "Z#0:1000", "b#0:1000", "a#0:1000", "K#2:500",
        ])
        let f = b.figures()
        #expect(f["open"] == "0.00")
        #expect(f["unapplied"] == "30.00")
        #expect(f["paid"] == "100.00")
    }

    @Test func partialPaymentStopsMidInstallment() {
        var b = Book()
        b.register()
        b.invoice("A", "10.00", issued: "2025-01-02", due: "2025-01-25")
        b.invoice("K", "10.00", issued: "2025-01-02", installments: [("2025-03-01", "5.00"), ("2025-01-20", "5.00")])
        expectAccepted(b.pay("P1", "7.00", received: "2025-01-21"))
        #expect(allocations(b, "P1") == ["K#0:500", "A#0:200"])
        #expect(b.openByInstallment("K") == [0, 500])
        #expect(b.openByInstallment("A") == [800])
        #expect(b.figures()["unapplied"] == "0.00")
    }

    @Test func explicitAllocationsFirstThenFIFO() {
        var b = Book()
        b.register()
        b.invoice("LATE", "10.00", issued: "2025-01-01", installments: [("2025-04-01", "6.00"), ("2025-03-01", "4.00")])
        b.invoice("SOON", "10.00", issued: "2025-01-01", due: "2025-01-15")
        // 5.00 to LATE goes to its earliest installment (03-01) first, then the next; the rest
        // is automatic: SOON first.
        expectAccepted(b.pay("P1", "12.00", received: "2025-01-10", allocations: [("LATE", "5.00")]))
        #expect(allocations(b, "P1") == ["LATE#0:400", "LATE#1:100", "SOON#0:700"])
        #expect(b.openByInstallment("LATE") == [0, 500])
        #expect(b.openByInstallment("SOON") == [300])
        // Explicit allocations are applied in their given order.
        expectAccepted(b.pay("P2", "8.00", received: "2025-01-11", allocations: [("SOON", "1.00"), ("LATE", "5.00")]))
        #expect(allocations(b, "P2") == ["SOON#0:100", "LATE#1:500", "SOON#0:200"])
        #expect(b.figures()["open"] == "0.00")
        #expect(b.figures()["unapplied"] == "0.00")
    }

    @Test func positiveAdjustmentGoesToLastInstallmentInDueOrder() {
        var b = Book()
        b.register()
        b.invoice("I1", "100.00", issued: "2025-01-01", installments: [("2025-04-01", "30.00"), ("2025-02-01", "30.00"), ("2025-03-01", "40.00")])
        expectAccepted(b.adjust("I1", "5.00", on: "2025-01-02"))
        let inst = b.ledger()?.invoice("I1")?.installments ?? []
        #expect(inst.map(\.dueOn.description) == ["2025-02-01", "2025-03-01", "2025-04-01"])
        #expect(inst.map(\.amount) == [3000, 4000, 3500])
        #expect(inst.map(\.open) == [3000, 4000, 3500])
        // Same due date: the later in the list is last.
        b.invoice("I2", "30.00", issued: "2025-01-01", installments: [("2025-03-01", "10.00"), ("2025-03-01", "20.00")])
        expectAccepted(b.adjust("I2", "5.00", on: "2025-01-02"))
        #expect(b.openByInstallment("I2") == [1000, 2500])
        let f = b.figures()
        #expect(f["invoiced"] == "140.00")
        #expect(f["open"] == "140.00")
    }

    @Test func positiveAdjustmentReopensAPaidInvoice() {
        var b = Book()
        b.register()
        b.invoice("I1", "20.00", issued: "2025-01-01", installments: [("2025-02-01", "10.00"), ("2025-01-15", "10.00")])
        b.pay("P1", "20.00", received: "2025-01-10")
        #expect(b.openByInstallment("I1") == [0, 0])
        expectAccepted(b.adjust("I1", "3.00", on: "2025-01-20"))
        #expect(b.openByInstallment("I1") == [0, 300])
        expectAccepted(b.pay("P2", "3.00", received: "2025-01-21"))
        #expect(allocations(b, "P2") == ["I1#1:300"])
    }

    @Test func reductionsConsumeInstallmentsEarliestFirst() {
        var b = Book()
        b.register()
        b.invoice("I1", "100.00", issued: "2025-01-01", installments: [("2025-04-01", "30.00"), ("2025-02-01", "30.00"), ("2025-03-01", "40.00")])
        expectAccepted(b.adjust("I1", "-50.00", on: "2025-01-02"))
        #expect(b.openByInstallment("I1") == [0, 2000, 3000])
        expectAccepted(b.writeOff("I1", "25.00", on: "2025-01-03"))
        #expect(b.openByInstallment("I1") == [0, 0, 2500])
        let f = b.figures()
        #expect(f["credited"] == "50.00")
        #expect(f["written_off"] == "25.00")
        #expect(f["open"] == "25.00")
        #expect(f["balance"] == "25.00")
    }

    @Test func reversalRestoresEachAllocationToItsInstallment() {
        var b = Book()
        b.register()
        b.invoice("I1", "70.00", issued: "2025-01-01", installments: [("2025-02-01", "30.00"), ("2025-03-01", "40.00")])
        expectAccepted(b.pay("P1", "20.00", received: "2025-01-10"))
        expectAccepted(b.pay("P2", "30.00", received: "2025-01-11"))
        #expect(allocations(b, "P2") == ["I1#0:1000", "I1#1:2000"])
        #expect(b.openByInstallment("I1") == [0, 2000])
        // P1 took 20.00 of the first installment: it goes back there, not FIFO from scratch.
        expectAccepted(b.reverse("P1", on: "2025-01-12"))
        #expect(b.openByInstallment("I1") == [2000, 2000])
        // A credit note in between: the reversal still restores what the payment took.
        b.invoice("I2", "50.00", issued: "2025-01-01", installments: [("2025-02-01", "30.00"), ("2025-03-01", "20.00")])
        expectAccepted(b.pay("P3", "35.00", received: "2025-01-13", allocations: [("I2", "35.00")]))
        #expect(b.openByInstallment("I2") == [0, 1500])
        expectAccepted(b.adjust("I2", "-15.00", on: "2025-01-14"))
        #expect(b.openByInstallment("I2") == [0, 0])
        expectAccepted(b.reverse("P3", on: "2025-01-15"))
        #expect(b.openByInstallment("I2") == [3000, 500])
        let f = b.figures()
        #expect(f["paid"] == "30.00")
        #expect(f["credited"] == "15.00")
        #expect(f["open"] == "75.00")
        #expect(f["balance"] == "75.00")
    }

    @Test func unappliedCreditStaysWithItsPayment() {
        var b = Book()
        b.register()
        expectAccepted(b.pay("P1", "50.00", received: "2025-01-02"))
        #expect(allocations(b, "P1") == [])
        var f = b.figures()
        #expect(f["unapplied"] == "50.00")
        #expect(f["paid"] == "50.00")
        #expect(f["balance"] == "-50.00")
        #expect(f["avg_days_late"] == "null")
        // A later invoice does not consume it.
        b.invoice("I1", "30.00", issued: "2025-01-03", due: "2025-01-10")
        f = b.figures()
        #expect(f["open"] == "30.00")
        #expect(f["unapplied"] == "50.00")
        #expect(f["balance"] == "-20.00")
        // Reversal takes it away.
        expectAccepted(b.reverse("P1", on: "2025-01-04"))
        f = b.figures()
        #expect(f["unapplied"] == "0.00")
        #expect(f["paid"] == "0.00")
        #expect(f["balance"] == "30.00")
    }

    @Test func reversalOfPartlyUnappliedPayment() {
        var b = Book()
        b.register()
        b.invoice("I1", "30.00", issued: "2025-01-03", due: "2025-01-10")
        expectAccepted(b.pay("P1", "50.00", received: "2025-01-12"))
        #expect(b.figures()["unapplied"] == "20.00")
        expectAccepted(b.pay("P2", "5.00", received: "2025-01-12"))
        #expect(b.figures()["unapplied"] == "25.00")
        expectAccepted(b.reverse("P1", on: "2025-01-13"))
        let f = b.figures()
        #expect(f["unapplied"] == "5.00")
        #expect(f["open"] == "30.00")
        #expect(f["paid"] == "5.00")
        #expect(f["balance"] == "25.00")
    }

    @Test func overLimitAndAvailable() {
        var b = Book()
        b.register(limit: "100.00")
        b.invoice("I1", "100.00")
        var f = b.figures()
        #expect(f["available"] == "0.00")
        #expect(f["over_limit"] == "false")
        b.invoice("I2", "0.01")
        f = b.figures()
        #expect(f["available"] == "-0.01")
        #expect(f["over_limit"] == "true")
    }

    @Test func currencyDigitsInFigures() {
        var b = Book()
        b.register("J", currency: "JPY", limit: "1000")
        b.register("B", currency: "BHD", limit: "2.5")
        b.register("F", currency: "CLF", limit: "0")
        b.invoice("JI", "1500", customer: "J")
        b.invoice("BI", "1.125", customer: "B")
        b.invoice("FI", "0.0001", customer: "F")
        #expect(b.figures("J")["balance"] == "1500")
        #expect(b.figures("J")["available"] == "-500")
        #expect(b.figures("B")["balance"] == "1.125")
        #expect(b.figures("B")["credit_limit"] == "2.500")
        #expect(b.figures("B")["available"] == "1.375")
        #expect(b.figures("F")["open"] == "0.0001")
        #expect(b.figures("F")["paid"] == "0.0000")
    }

    @Test func balanceJSONIsTheContractObject() throws {
        var b = Book()
        b.register(limit: "50.00")
        b.invoice("I1", "100.00", due: "2025-01-31")
        b.dun(1, on: "2025-02-03")
        let l = try #require(b.ledger())
        var w = JSONWriter()
        BalanceReport(l).json(into: &w)
        #expect(w.text == #"{"customer":"C","currency":"EUR","open":"100.00","unapplied":"0.00","balance":"100.00","credit_limit":"50.00","available":"-50.00","over_limit":true,"invoiced":"100.00","credited":"0.00","paid":"0.00","written_off":"0.00","voided":"0.00","avg_days_late":null,"dunning_level":1,"disputed":"0.00","promises_kept":0,"promises_broken":0,"promise":null,"refunded":"0.00"}"#)
    }
}

struct DaysLateTests {
    @Test func perInstallmentAmountWeighted() {
        var b = Book()
        b.register()
        b.invoice("I1", "100.00", issued: "2025-01-01", installments: [("2025-01-10", "50.00"), ("2025-01-20", "50.00")])
        expectAccepted(b.pay("P1", "100.00", received: "2025-01-30"))
        // 50 × 20 + 50 × 10 over 100: 15, not 20 (first due) or 10 (last due).
        #expect(b.figures()["avg_days_late"] == "15.0")
    }

    @Test func roundsHalfUp() {
        // 1.00 one day late, 7.00 on time: exactly 0.125 → 0.13.
        var b = Book()
        b.register()
        b.invoice("A", "1.00", issued: "2025-01-01", due: "2025-01-10")
        b.invoice("B", "7.00", issued: "2025-01-01", due: "2025-01-11")
        expectAccepted(b.pay("P1", "8.00", received: "2025-01-11"))
        #expect(b.figures()["avg_days_late"] == "0.13")
        #expect(b.ledger()?.state.avgDaysLateHundredths == 13)

        // 0.01 two days late, 1.99 one day late: exactly 1.005 → 1.01.
        var c = Book()
        c.register()
        c.invoice("A", "0.01", issued: "2025-01-01", due: "2025-01-09")
        c.invoice("B", "1.99", issued: "2025-01-01", due: "2025-01-10")
        expectAccepted(c.pay("P1", "2.00", received: "2025-01-11"))
        #expect(c.figures()["avg_days_late"] == "1.01")

        // Just under the half: 0.01 two days, 2.00 one day = 1.004975… → 1.0.
        var d = Book()
        d.register()
        d.invoice("A", "0.01", issued: "2025-01-01", due: "2025-01-09")
        d.invoice("B", "2.00", issued: "2025-01-01", due: "2025-01-10")
        expectAccepted(d.pay("P1", "2.01", received: "2025-01-11"))
        #expect(d.figures()["avg_days_late"] == "1.0")

        // 2/3 → 0.67 (up), 1/3 → 0.33 (down).
        var e = Book()
        e.register()
        e.invoice("A", "2.00", issued: "2025-01-01", due: "2025-01-10")
        e.invoice("B", "1.00", issued: "2025-01-01", due: "2025-01-11")
        expectAccepted(e.pay("P1", "3.00", received: "2025-01-11"))
        #expect(e.figures()["avg_days_late"] == "0.67")
        var g = Book()
        g.register()
        g.invoice("A", "1.00", issued: "2025-01-01", due: "2025-01-10")
        g.invoice("B", "2.00", issued: "2025-01-01", due: "2025-01-11")
        expectAccepted(g.pay("P1", "3.00", received: "2025-01-11"))
        #expect(g.figures()["avg_days_late"] == "0.33")
    }

    @Test func earlyPaymentCountsAsZeroNotNegative() {
        var b = Book()
        b.register()
        b.invoice("A", "100.00", issued: "2025-01-01", due: "2025-03-01")
        b.invoice("B", "100.00", issued: "2025-01-01", due: "2025-01-01")
        expectAccepted(b.pay("P1", "100.00", received: "2025-01-11", allocations: [("A", "100.00")]))
        #expect(b.figures()["avg_days_late"] == "0.0")
        expectAccepted(b.pay("P2", "100.00", received: "2025-01-11"))
        #expect(b.figures()["avg_days_late"] == "5.0")
    }

    @Test func nullWithoutAllocationsInForce() {
        var b = Book()
        b.register()
        #expect(b.figures()["avg_days_late"] == "null")
        b.invoice("A", "100.00", issued: "2025-01-01", due: "2025-01-05")
        b.adjust("A", "-10.00", on: "2025-01-06")
        b.writeOff("A", "10.00", on: "2025-01-06")
        #expect(b.figures()["avg_days_late"] == "null")
        b.pay("P1", "30.00", received: "2025-01-15")
        #expect(b.figures()["avg_days_late"] == "10.0")
        b.pay("P2", "50.00", received: "2025-01-25")
        #expect(b.figures()["avg_days_late"] == "16.25")
        b.reverse("P1", on: "2025-01-26")
        #expect(b.figures()["avg_days_late"] == "20.0")
        b.reverse("P2", on: "2025-01-26")
        #expect(b.figures()["avg_days_late"] == "null")
        #expect(b.ledger()?.totals.lateAmount == 0)
        #expect(b.ledger()?.totals.lateWeighted == 0)
    }

    @Test(arguments: [
        (Int64(230), "2.3"), (4000, "40.0"), (2933, "29.33"), (5, "0.05"), (0, "0.0"), (100, "1.0"), (105, "1.05"),
        (150, "1.5"), (1900, "19.0"), (99, "0.99"), (10, "0.1"), (123456, "1234.56"), (-5, "-0.05"), (-230, "-2.3"),
    ])
    func formatHundredths(_ h: Int64, _ text: String) {
        #expect(ReportValue.formatHundredths(h) == text)
    }

    @Test func reportValueRendering() {
        var w = JSONWriter()
        ReportValue.hundredths(nil).json(digits: 2, into: &w)
        ReportValue.hundredths(230).json(digits: 2, into: &w)
        ReportValue.money(-5).json(digits: 3, into: &w)
        ReportValue.bool(false).json(digits: 2, into: &w)
        ReportValue.integer(7).json(digits: 2, into: &w)
        #expect(w.text == #"null2.3"-0.005"false7"#)
        #expect(ReportValue.hundredths(nil).text(digits: 2) == "")
        #expect(ReportValue.money(123450).text(digits: 2) == "1234.50")
        #expect(ReportValue.date(Day(parsing: "2025-01-02")).text(digits: 0) == "2025-01-02")
    }
}

struct DunningTests {
    @Test func lastActionInLogOrderEvenIfLower() {
        var b = Book()
        b.register()
        b.invoice("I1", "100.00", due: "2025-01-31")
        #expect(b.figures()["dunning_level"] == "0")
        b.dun(3, on: "2025-02-05")
        #expect(b.figures()["dunning_level"] == "3")
        b.dun(1, on: "2025-02-06")
        #expect(b.figures()["dunning_level"] == "1")
        // Log order, not `at` order.
        b.dun(4, on: "2025-02-10")
        b.dun(2, on: "2025-02-08")
        #expect(b.figures()["dunning_level"] == "2")
    }

    @Test func paymentClearingOverdueResets() {
        var b = Book()
        b.register()
        b.invoice("I1", "100.00", due: "2025-01-31")
        b.invoice("I2", "100.00", due: "2025-01-31")
        b.dun(2, on: "2025-02-05")
        b.pay("P1", "100.00", received: "2025-02-06")
        #expect(b.figures()["dunning_level"] == "2")  // I2 still overdue
        b.pay("P2", "100.00", received: "2025-02-07")
        #expect(b.figures()["dunning_level"] == "0")
    }

    @Test func judgedOnTheEventsUTCDate() {
        func book() -> Book {
            var b = Book()
            b.register()
            b.invoice("OLD", "100.00", due: "2025-01-31")
            b.invoice("NEW", "100.00", due: "2025-02-10")
            b.dun(2, on: "2025-02-05")
            return b
        }
        // NEW is due on 02-10: not past due on 02-10.
        var b = book()
        b.pay("P1", "100.00", received: "2025-02-10", allocations: [("OLD", "100.00")], at: "2025-02-10T23:59:59Z")
        #expect(b.figures()["dunning_level"] == "0")
        // On 02-11 it is past due.
        b = book()
        b.pay("P1", "100.00", received: "2025-02-10", allocations: [("OLD", "100.00")], at: "2025-02-11T00:00:00Z")
        #expect(b.figures()["dunning_level"] == "2")
        // The UTC date counts, not the local date of the offset, nor received_on.
        b = book()
        b.pay("P1", "100.00", received: "2025-02-11", allocations: [("OLD", "100.00")], at: "2025-02-11T08:00:00+09:00")
        #expect(b.figures()["dunning_level"] == "0")
        b = book()
        b.pay("P1", "100.00", received: "2025-02-10", allocations: [("OLD", "100.00")], at: "2025-02-10T20:00:00-05:00")
        #expect(b.figures()["dunning_level"] == "2")
    }

    @Test func creditNoteWriteOffAndVoidReset() {
        for kind in ["credit", "writeoff", "void"] {
            var b = Book()
            b.register()
            b.invoice("I1", "100.00", due: "2025-01-31")
            b.invoice("I2", "100.00", due: "2025-03-31")
            b.dun(3, on: "2025-02-05")
            switch kind {
            case "credit": expectAccepted(b.adjust("I1", "-100.00", on: "2025-02-06"))
            case "writeoff": expectAccepted(b.writeOff("I1", on: "2025-02-06"))
            default: expectAccepted(b.void("I1", on: "2025-02-06"))
            }
            #expect(b.figures()["dunning_level"] == "0", "\(kind)")
        }
    }

    @Test func partialReductionLeavingOverdueDoesNotReset() {
        var b = Book()
        b.register()
        b.invoice("I1", "100.00", due: "2025-01-31")
        b.dun(3, on: "2025-02-05")
        b.adjust("I1", "-10.00", on: "2025-02-06")
        b.writeOff("I1", "10.00", on: "2025-02-06")
        b.pay("P1", "79.99", received: "2025-02-06")
        #expect(b.figures()["dunning_level"] == "3")
        b.pay("P2", "0.01", received: "2025-02-07")
        #expect(b.figures()["dunning_level"] == "0")
    }

    @Test func overdueInstallmentBlocksReset() {
        var b = Book()
        b.register()
        b.invoice("I1", "100.00", installments: [("2025-01-31", "50.00"), ("2025-03-31", "50.00")])
        b.invoice("I2", "10.00", due: "2025-01-31")
        b.dun(1, on: "2025-02-05")
        // Explicitly paying I2 leaves I1's first installment overdue.
        b.pay("P1", "10.00", received: "2025-02-06", allocations: [("I2", "10.00")])
        #expect(b.figures()["dunning_level"] == "1")
        b.pay("P2", "50.00", received: "2025-02-06")
        #expect(b.figures()["dunning_level"] == "0")  // only the installment due 03-31 is open
    }

    @Test func notResetByReversalPositiveAdjustmentOrNewInvoice() {
        var b = Book()
        b.register()
        b.invoice("I1", "100.00", due: "2025-03-31")
        b.pay("P1", "50.00", received: "2025-01-20")
        // A reminder while nothing is overdue.
        b.dun(1, on: "2025-02-05")
        expectAccepted(b.reverse("P1", on: "2025-02-06"))
        #expect(b.figures()["dunning_level"] == "1")
        expectAccepted(b.adjust("I1", "5.00", on: "2025-02-07"))
        #expect(b.figures()["dunning_level"] == "1")
        expectAccepted(b.invoice("I2", "5.00", issued: "2025-02-08"))
        #expect(b.figures()["dunning_level"] == "1")
        expectAccepted(b.event("customer.updated", at: noon("2025-02-09"), #""name":"X""#))
        expectAccepted(b.event("credit_limit.changed", at: noon("2025-02-09"), #""credit_limit":"1.00""#))
        #expect(b.figures()["dunning_level"] == "1")
        // A payment that leaves nothing overdue resets, even when part of it stays unapplied.
        b.invoice("I3", "1.00", issued: "2025-02-09")
        expectAccepted(b.pay("P2", "500.00", received: "2025-02-10", allocations: [("I3", "1.00")]))
        #expect(b.figures()["dunning_level"] == "0")
    }

    @Test func reversalAfterResetDoesNotRestoreTheLevel() {
        var b = Book()
        b.register()
        b.invoice("I1", "100.00", due: "2025-01-31")
        b.dun(2, on: "2025-02-05")
        b.pay("P1", "100.00", received: "2025-02-06")
        #expect(b.figures()["dunning_level"] == "0")
        b.reverse("P1", on: "2025-02-07")
        #expect(b.figures()["dunning_level"] == "0")
        #expect(b.figures()["open"] == "100.00")
    }
}

struct IngestTests {
    static let reg = eventLine("r1", "customer.registered", "C", at: "2025-01-01T00:00:00Z", #""name":"N","currency":"EUR","terms_days":30,"credit_limit":"0""#)
    static let inv = eventLine("i1", "invoice.issued", "C", at: "2025-01-02T00:00:00Z", #""invoice":"I1","amount":"10.00","issued_on":"2025-01-02""#)

    @Test func lfLines() throws {
        var log = InMemoryLog()
        let outcomes = try log.ingest(Self.reg + "\n" + Self.inv + "\n")
        #expect(outcomes.count == 2)
        let allAccepted = outcomes.allSatisfy { $0.isAccepted }
        #expect(allAccepted)
    }

    /// The contract allows `\r\n` line ends: each line is its own event.
    @Test func crlfLines() throws {
        var log = InMemoryLog()
        let outcomes = try log.ingest(Self.reg + "\r\n" + Self.inv + "\r\n")
        #expect(outcomes.count == 2, "\(outcomes.map(\.summary))")
        let allAccepted = outcomes.allSatisfy { $0.isAccepted }
        #expect(allAccepted, "\(outcomes.map(\.summary))")
        #expect(log.events.count == 2)
        #expect(log.currentLedger(for: "C")?.totals.invoiced == 1000)
    }

    @Test func blankLinesIgnored() throws {
        var log = InMemoryLog()
        let outcomes = try log.ingest("\n  \n\t\n" + Self.reg + "\n\n" + Self.inv)
        #expect(outcomes.count == 2)
        let allAccepted = outcomes.allSatisfy { $0.isAccepted }
        #expect(allAccepted)
    }
}
