import Foundation
import Testing

@testable import ArlogDomain

// Feed v1.2, cash application: credit_note.issued, credit.applied, credit.refunded, and the v1
// rules they change (reversal, dunning reset, void, figures).

extension Book {
    @discardableResult
    mutating func creditNote(_ note: String, _ amount: String, issued: String, allocations: [(invoice: String, amount: String)]? = nil,
                             extra: String = "", customer: String = "C", at: String? = nil, id: String? = nil) -> IntakeOutcome {
        var body = "\"credit_note\":\"\(note)\",\"amount\":\"\(amount)\",\"issued_on\":\"\(issued)\"" + extra
        if let allocations {
            body += ",\"allocations\":[" + allocations.map { "{\"invoice\":\"\($0.invoice)\",\"amount\":\"\($0.amount)\"}" }.joined(separator: ",") + "]"
        }
        return event("credit_note.issued", customer, id: id, at: at ?? noon(issued), body)
    }

    /// `source`: `"payment":"P"` or `"credit_note":"N"` (or both, or neither, for the rules).
    @discardableResult
    mutating func apply(_ source: String, to invoice: String, _ amount: String, on: String, customer: String = "C", at: String? = nil,
                        id: String? = nil) -> IntakeOutcome {
        event("credit.applied", customer, id: id, at: at ?? noon(on), source + ",\"invoice\":\"\(invoice)\",\"amount\":\"\(amount)\"")
    }

    @discardableResult
    mutating func refund(_ source: String, _ amount: String, on: String, refundedOn: String? = nil, customer: String = "C",
                         at: String? = nil, id: String? = nil) -> IntakeOutcome {
        event("credit.refunded", customer, id: id, at: at ?? noon(on),
              source + ",\"amount\":\"\(amount)\",\"refunded_on\":\"\(refundedOn ?? on)\"")
    }
}

func pay(_ id: String) -> String { "\"payment\":\"\(id)\"" }
func note(_ id: String) -> String { "\"credit_note\":\"\(id)\"" }

struct CashApplicationTests {
    /// A customer with two invoices (I1 1000.00 due 01-31, I2 500.00 due 02-28) and an advance
    /// payment P1 of 2000.00 received 01-02 before either was issued.
    static func book() -> Book {
        var b = Book()
        expectAccepted(b.register(on: "2025-01-01", id: "reg"))
        expectAccepted(b.pay("P1", "2000.00", received: "2025-01-02"))
        expectAccepted(b.invoice("I1", "1000.00", issued: "2025-01-03", due: "2025-01-31"))
        expectAccepted(b.invoice("I2", "500.00", issued: "2025-01-04", due: "2025-02-28"))
        return b
    }

    /// The balance object's members in the order the contract's example 04 lists them (v1's,
    /// v1.1's, then `refunded` last).
    @Test func balanceMembersInTheExamplesOrder() throws {
        let url = SpecFixtures.examplesDirectory.appendingPathComponent("04-cash-application.expected.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        // The first balance object of the file, its members in the order written.
        let start = try #require(text.range(of: "\"CASH\": {"))
        let end = try #require(text.range(of: "}", range: start.upperBound..<text.endIndex))
        let body = text[start.upperBound..<end.lowerBound]
        let regex = try NSRegularExpression(pattern: "\"([a-z_]+)\":")
        let s = String(body)
        let names = regex.matches(in: s, range: NSRange(s.startIndex..., in: s)).map { String(s[Range($0.range(at: 1), in: s)!]) }
        let expected = names
        var b = Book()
        b.register()
        let fields = try #require(b.ledger()).state
        #expect(BalanceReport(customer: "C", state: fields).fields.map(\.name) == expected)
        #expect(expected.last == "refunded")
    }

    // MARK: credit notes

    @Test func aCreditNoteIsAppliedLikeAPaymentAndCountsInCredited() throws {
        var b = Self.book()
        // Explicit first (I2: 200.00), then FIFO (I1 1000.00, then the rest of I2: 300.00),
        // then 100.00 unapplied. But the advance P1 is unapplied credit: nothing applies it.
        expectAccepted(b.creditNote("N1", "1600.00", issued: "2025-02-01", allocations: [("I2", "200.00")]))
        let f = b.figures()
        #expect(f["open"] == "0.00")
        #expect(f["credited"] == "1600.00")
        #expect(f["paid"] == "2000.00")
        #expect(f["unapplied"] == "2100.00")
        #expect(f["balance"] == "-2100.00")
        // Its allocations are no payment: no days late, none counted.
        #expect(f["avg_days_late"] == "null")
        let l = try #require(b.ledger())
        let n = try #require(l.payments.first { $0.id == "N1" })
        #expect(n.creditNote && n.unapplied == 10_000 && n.allocations.map(\.amount) == [20_000, 100_000, 30_000])
        #expect(l.invoice("I2")?.creditNotes == 50_000 && l.invoice("I2")?.paid == 0)
        #expect(l.state.paymentCount == 1)
    }

    @Test func aCreditNoteWithAnEmptyAllocationListIsAppliedAutomatically() {
        var b = Self.book()
        expectAccepted(b.creditNote("N1", "300.00", issued: "2025-02-01", allocations: []))
        #expect(b.openByInstallment("I1") == [70_000])
    }

    @Test func creditNoteRules() {
        var b = Self.book()
        expectAccepted(b.creditNote("N1", "10.00", issued: "2025-02-01", extra: ",\"reason\":\"goodwill\",\"currency\":\"EUR\""))
        expectRejected(b.creditNote("N1", "10.00", issued: "2025-02-01"), .creditNoteExists)
        // Its own namespace: an invoice's or a payment's id is free for a credit note.
        expectAccepted(b.creditNote("I1", "10.00", issued: "2025-02-01"))
        expectAccepted(b.creditNote("P1", "10.00", issued: "2025-02-01"))
        expectRejected(b.creditNote("N2", "10.00", issued: "2025-02-01", extra: ",\"currency\":\"USD\""), .currencyMismatch)
        expectRejected(b.creditNote("N2", "0.00", issued: "2025-02-01"), .moneySign)
        expectRejected(b.creditNote("N2", "1.001", issued: "2025-02-01"), .moneyPrecision)
        expectRejected(b.creditNote("N2", "10.00", issued: "2025-02-01", extra: ",\"reason\":\"\(String(repeating: "x", count: 201))\""), .fieldInvalid)
        expectAccepted(b.creditNote("N2", "10.00", issued: "2025-02-01", extra: ",\"reason\":\"\(String(repeating: "é", count: 200))\""))
        expectRejected(b.creditNote("N3", "10.00", issued: "2025-02-01", allocations: [("I9", "1.00")]), .invoiceUnknown)
        expectRejected(b.creditNote("N3", "10.00", issued: "2025-02-01", allocations: [("I1", "2000.00")]), .exceedsOpen)
        expectRejected(b.creditNote("N3", "10.00", issued: "2025-02-01", allocations: [("I1", "20.00")]), .allocationsExceedPayment)
        expectRejected(b.creditNote("N3", "10.00", issued: "2025-02-01", at: "2024-12-31T00:00:00Z"), .beforeRegistration)
        expectRejected(b.event("credit_note.issued", at: noon("2025-02-01"), "\"credit_note\":\"N3\",\"amount\":\"1.00\""), .fieldMissing)
        b.register("D")
        b.invoice("D1", "5.00", customer: "D")
        expectRejected(b.creditNote("N3", "10.00", issued: "2025-02-01", allocations: [("D1", "1.00")]), .invoiceOtherCustomer)
        // A credit note id of another customer is taken too.
        expectRejected(b.creditNote("N1", "10.00", issued: "2025-02-01", customer: "D"), .creditNoteExists)
    }

    // MARK: credit.applied

    @Test func creditAppliedFromAPaymentCountsDaysLateOnTheReceivedDate() {
        var b = Self.book()
        // P1 received 01-02, I1 due 01-31: paid early whenever the credit is applied.
        expectAccepted(b.apply(pay("P1"), to: "I1", "1000.00", on: "2025-03-15"))
        var f = b.figures()
        #expect(f["open"] == "500.00" && f["unapplied"] == "1000.00" && f["paid"] == "2000.00" && f["avg_days_late"] == "0.0")
        // A late payment's credit applied later still counts its received date.
        expectAccepted(b.invoice("I3", "100.00", issued: "2025-01-05", due: "2025-01-10"))
        expectAccepted(b.pay("P2", "100.00", received: "2025-01-20", allocations: [("I2", "0")], at: noon("2025-01-20")))
        // P2's 100.00 went to I3 automatically (due first), 10 days late.
        f = b.figures()
        #expect(f["avg_days_late"] == "0.91")  // 10 × 100 / 1100
        let payments = b.ledger()!.state.payments
        #expect(payments.first { $0.seq == 2 }?.amount == 100_000)  // the score counts the applied credit as P1's
    }

    @Test func creditAppliedFromACreditNote() throws {
        var b = Self.book()
        expectAccepted(b.apply(pay("P1"), to: "I1", "1000.00", on: "2025-02-01"))
        expectAccepted(b.apply(pay("P1"), to: "I2", "500.00", on: "2025-02-01"))
        // Nothing open: the credit note's whole amount stays unapplied.
        expectAccepted(b.creditNote("N1", "80.00", issued: "2025-02-02"))
        // A new invoice takes no unapplied credit (v1's clarification holds).
        expectAccepted(b.invoice("I3", "100.00", issued: "2025-02-03", due: "2025-03-01"))
        #expect(b.openByInstallment("I3") == [10_000])
        expectAccepted(b.apply(note("N1"), to: "I3", "30.00", on: "2025-02-04"))
        expectAccepted(b.apply(pay("P1"), to: "I3", "70.00", on: "2025-02-04"))
        let f = b.figures()
        #expect(f["open"] == "0.00" && f["unapplied"] == "480.00" && f["credited"] == "80.00" && f["paid"] == "2000.00")
        let l = try #require(b.ledger())
        #expect(l.invoice("I3")?.creditNotes == 3_000 && l.invoice("I3")?.paid == 7_000)
        let n = try #require(l.payments.first { $0.id == "N1" })
        #expect(n.unapplied == 5_000 && n.allocations.count == 1 && n.allocations[0].appliedSeq != 0)
        #expect(l.payments.first { $0.id == "P1" }?.allocations.count == 3)
    }

    @Test func creditAppliedRules() {
        var b = Self.book()
        expectAccepted(b.creditNote("N1", "100.00", issued: "2025-01-05", allocations: [("I1", "0")], at: noon("2025-01-05")))
        // N1 went to I1 automatically: it holds no credit.
        expectRejected(b.apply(note("N1"), to: "I2", "1.00", on: "2025-02-01"), .exceedsUnapplied)
        expectRejected(b.apply(pay("P1") + "," + note("N1"), to: "I2", "1.00", on: "2025-02-01"), .fieldConflict)
        expectRejected(b.apply("\"x\":1", to: "I2", "1.00", on: "2025-02-01"), .fieldMissing)
        expectRejected(b.apply(pay("P9"), to: "I2", "1.00", on: "2025-02-01"), .paymentUnknown)
        expectRejected(b.apply(note("N9"), to: "I2", "1.00", on: "2025-02-01"), .creditNoteUnknown)
        // A credit note is no payment, a payment no credit note.
        expectRejected(b.apply(pay("N1"), to: "I2", "1.00", on: "2025-02-01"), .paymentUnknown)
        expectRejected(b.apply(note("P1"), to: "I2", "1.00", on: "2025-02-01"), .creditNoteUnknown)
        expectRejected(b.apply(pay("P1"), to: "I9", "1.00", on: "2025-02-01"), .invoiceUnknown)
        expectRejected(b.apply(pay("P1"), to: "I2", "0", on: "2025-02-01"), .moneySign)
        expectRejected(b.apply(pay("P1"), to: "I2", "501.00", on: "2025-02-01"), .exceedsOpen)
        expectRejected(b.apply(pay("P1"), to: "I2", "2001.00", on: "2025-02-01"), .exceedsUnapplied)
        // `at` earlier than the source's or the invoice's.
        expectRejected(b.apply(pay("P1"), to: "I2", "1.00", on: "2025-01-01", at: "2025-01-02T11:00:00Z"), .beforeReference)
        expectRejected(b.apply(pay("P1"), to: "I2", "1.00", on: "2025-01-03"), .beforeReference)
        // Another customer's source or invoice.
        b.register("D")
        b.pay("PD", "10.00", received: "2025-01-02", customer: "D")
        b.creditNote("ND", "10.00", issued: "2025-01-02", customer: "D")
        expectRejected(b.apply(pay("PD"), to: "I2", "1.00", on: "2025-02-01"), .paymentOtherCustomer)
        expectRejected(b.apply(note("ND"), to: "I2", "1.00", on: "2025-02-01"), .creditNoteOtherCustomer)
        // A voided invoice; a reversed payment.
        expectAccepted(b.void("I2", on: "2025-02-01"))
        expectRejected(b.apply(pay("P1"), to: "I2", "1.00", on: "2025-02-02"), .invoiceVoided)
        expectAccepted(b.reverse("P1", on: "2025-02-02"))
        expectRejected(b.apply(pay("P1"), to: "I1", "1.00", on: "2025-02-03"), .sourceReversed)
        expectAccepted(b.invoice("I5", "10.00", issued: "2025-02-04"))
        expectRejected(b.apply(pay("P1"), to: "I5", "1.00", on: "2025-02-04", customer: "D"), .paymentOtherCustomer)
    }

    // MARK: credit.refunded

    @Test func refundRules() {
        var b = Self.book()
        expectAccepted(b.creditNote("N1", "50.00", issued: "2025-01-05", allocations: [("I1", "0")]))
        expectRejected(b.refund(pay("P1"), "2000.01", on: "2025-01-10"), .exceedsUnapplied)
        expectRejected(b.refund(pay("P1"), "1.00", on: "2025-01-10", refundedOn: "2025-01-01"), .refundBeforeSource)
        expectRejected(b.refund(pay("P1"), "1.00", on: "2025-01-10", refundedOn: "2025-01-0x"), .fieldInvalid)
        expectRejected(b.refund(pay("P1") + "," + note("N1"), "1.00", on: "2025-01-10"), .fieldConflict)
        expectRejected(b.event("credit.refunded", at: noon("2025-01-10"), pay("P1") + ",\"amount\":\"1.00\""), .fieldMissing)
        expectRejected(b.refund(pay("P1"), "1.00", on: "2025-01-01", at: "2025-01-02T11:00:00Z"), .beforeReference)
        // The credit note went to I1 whole: nothing to refund.
        expectRejected(b.refund(note("N1"), "0.01", on: "2025-01-10"), .exceedsUnapplied)
        expectAccepted(b.refund(pay("P1"), "2000.00", on: "2025-01-10", refundedOn: "2025-01-02"))
        expectRejected(b.refund(pay("P1"), "0.01", on: "2025-01-10"), .exceedsUnapplied)
        let f = b.figures()
        #expect(f["refunded"] == "2000.00" && f["unapplied"] == "0.00" && f["paid"] == "2000.00" && f["balance"] == "1450.00")
    }

    @Test func aRefundNeverResetsTheDunningLevelAndACreditDoes() {
        var b = Self.book()
        expectAccepted(b.dun(2, on: "2025-02-10"))
        expectAccepted(b.refund(pay("P1"), "100.00", on: "2025-02-11"))
        #expect(b.figures()["dunning_level"] == "2")
        // Applying P1's credit clears I1, the only overdue invoice: the level resets.
        expectAccepted(b.apply(pay("P1"), to: "I1", "1000.00", on: "2025-02-12"))
        #expect(b.figures()["dunning_level"] == "0")
        expectAccepted(b.dun(1, on: "2025-03-10"))
        expectAccepted(b.creditNote("N1", "500.00", issued: "2025-03-11"))
        #expect(b.figures()["dunning_level"] == "0")
        // Not while something stays overdue.
        expectAccepted(b.invoice("I3", "100.00", issued: "2025-03-12", due: "2025-03-13"))
        expectAccepted(b.invoice("I4", "100.00", issued: "2025-03-12", due: "2025-03-13"))
        expectAccepted(b.dun(1, on: "2025-04-10"))
        expectAccepted(b.creditNote("N2", "100.00", issued: "2025-04-11", allocations: [("I4", "100.00")]))
        #expect(b.figures()["dunning_level"] == "1")
    }

    // MARK: the changed v1 rules

    /// Reversing a payment whose credit was applied and refunded puts the balance back where it
    /// was before the payment: allocations return, the rest goes, paid and refunded fall.
    @Test func reversingAPaymentUndoesItsAppliedCreditAndRefunds() throws {
        func common() -> Book {
            var b = Self.book()
            expectAccepted(b.reverse("P1", on: "2025-02-01"))  // P1 out of the way: I1, I2 open
            expectAccepted(b.pay("P2", "900.00", received: "2025-02-01"))  // I1: 100.00 left
            return b
        }
        var a = common()
        // P3: 100.00 to I1, 500.00 to I2 (FIFO), 600.00 unapplied; then applied, refunded, reversed.
        expectAccepted(a.pay("P3", "1200.00", received: "2025-02-02", allocations: [("I1", "100.00")]))
        expectAccepted(a.invoice("I3", "300.00", issued: "2025-02-03", due: "2025-03-31"))
        expectAccepted(a.apply(pay("P3"), to: "I3", "250.00", on: "2025-02-04"))
        expectAccepted(a.refund(pay("P3"), "100.00", on: "2025-02-05"))
        #expect(a.figures()["refunded"] == "100.00" && a.figures()["unapplied"] == "250.00")
        expectAccepted(a.reverse("P3", on: "2025-02-06"))
        // The same customer without P3.
        var b = common()
        expectAccepted(b.invoice("I3", "300.00", issued: "2025-02-03", due: "2025-03-31"))
        let (x, y) = (a.figures(), b.figures())
        for key in ["open", "unapplied", "balance", "paid", "credited", "refunded", "avg_days_late", "invoiced", "dunning_level"] {
            #expect(x[key] == y[key], "\(key): \(x[key] ?? "-") vs \(y[key] ?? "-")")
        }
        for i in ["I1", "I2", "I3"] { #expect(a.openByInstallment(i) == b.openByInstallment(i), "\(i)") }
        #expect(a.ledger()?.invoice("I3")?.paid == 0)
        // A reversal naming a credit note is an unknown payment: credit notes are not reversed.
        expectAccepted(a.creditNote("N1", "10.00", issued: "2025-02-06"))
        expectRejected(a.reverse("N1", on: "2025-02-07"), .paymentUnknown)
    }

    @Test func voidIsRefusedWhileAnyAllocationIsInForce() {
        var b = Self.book()
        expectAccepted(b.apply(pay("P1"), to: "I2", "100.00", on: "2025-02-01"))
        expectRejected(b.void("I2", on: "2025-02-02"), .allocationsInForce)
        expectAccepted(b.reverse("P1", on: "2025-02-03"))
        expectAccepted(b.void("I2", on: "2025-02-04"))
        // A credit-note allocation is in force for good: the invoice can never be voided.
        expectAccepted(b.creditNote("N1", "1.00", issued: "2025-02-05", allocations: [("I1", "1.00")]))
        let o = b.void("I1", on: "2025-02-06")
        expectRejected(o, .allocationsInForce)
        if case .rejected(let r, _) = o { #expect(r.message.contains("credit-note allocations")) }
        // Even once a payment settles the rest.
        expectAccepted(b.pay("P2", "999.00", received: "2025-02-07"))
        expectRejected(b.void("I1", on: "2025-02-08"), .allocationsInForce)
    }

    @Test func theIdentityHoldsWithRefunds() throws {
        var b = Self.book()
        expectAccepted(b.creditNote("N1", "600.00", issued: "2025-02-01"))
        expectAccepted(b.refund(pay("P1"), "300.00", on: "2025-02-02"))
        // N1 went to I1 whole: nothing of it to refund.
        expectRejected(b.refund(note("N1"), "0.01", on: "2025-02-02"), .exceedsUnapplied)
        let t = try #require(b.ledger()).totals
        #expect(t.balance == t.invoiced - t.credited - t.paid + t.refunded - t.writtenOff - t.voided)
        #expect(t.refunded == 30_000)
    }

    // MARK: as of

    @Test func asOfAnswersBeforeAndAfterTheNewEvents() {
        var b = Self.book()
        expectAccepted(b.apply(pay("P1"), to: "I1", "1000.00", on: "2025-02-01"))
        expectAccepted(b.refund(pay("P1"), "400.00", on: "2025-02-10"))
        expectAccepted(b.creditNote("N1", "500.00", issued: "2025-02-20"))
        // Keyed in late: a refund dated before the credit note.
        expectAccepted(b.refund(pay("P1"), "100.00", on: "2025-02-15"))
        #expect(b.figures(asOf: "2025-01-31")["unapplied"] == "2000.00")
        #expect(b.figures(asOf: "2025-02-01")["unapplied"] == "1000.00")
        #expect(b.figures(asOf: "2025-02-12")["refunded"] == "400.00")
        #expect(b.figures(asOf: "2025-02-16")["refunded"] == "500.00")
        #expect(b.figures(asOf: "2025-02-16")["credited"] == "0.00")
        let end = b.figures(asOf: "2025-02-28")
        #expect(end["credited"] == "500.00" && end["open"] == "0.00" && end["unapplied"] == "500.00")
        // As of a day before the credit.applied, the refund (dated after it in feed order) could
        // not take more than the payment's credit then: what the as-of fold keeps total.
        for day in ["2025-01-15", "2025-02-05", "2025-02-25"] {
            let t = b.ledger(asOf: day)!.totals
            #expect(t.balance == t.invoiced - t.credited - t.paid + t.refunded - t.writtenOff - t.voided)
        }
    }
}
