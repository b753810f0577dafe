import Testing

@testable import ArlogDomain

/// The figures of an aging total row by bucket name, as printed.
func agingFigures(_ report: AgingReport, _ row: AgingReport.TotalRow) -> [String: String] {
    var out: [String: String] = [:]
    for f in report.fields(row) { out[f.name] = f.value.text(digits: row.currency.fractionDigits) }
    return out
}

/// Valid figures that pass Int64 (issue 8, item 3): every one is accepted and answered, exactly
/// or clamped as documented, never a trap.
struct LargeFigureTests {
    /// The issue's line: a limit of 0.01 and an invoice of ten trillion. Utilisation is
    /// 10^21 basis points; it used to trap converting to Int64 while scoring the invoice.
    @Test func aTinyLimitAndAHugeInvoiceAreScoredAndChecked() throws {
        var b = Book()
        expectAccepted(b.register(limit: "0.01"))
        expectAccepted(b.invoice("I1", "10000000000000.00"))
        let l = try #require(b.ledger())
        #expect(l.totals.balance == 1_000_000_000_000_000)
        let policy = CreditPolicy.default
        let a = CreditScoring.assess(l, policy: policy, on: Day(parsing: "2025-01-02")!)
        #expect(a.utilisationBasisPoints == CreditScoring.utilisationBasisPointsMax)
        #expect(a.factors[RiskFactor.utilisation.rawValue].points == policy.utilisationCurve.points.last!.points)
        // The projector ran on ingest: over the limit, one alert for it.
        #expect(b.log.risk["C"]?.overLimit == true)
        #expect(b.log.alerts.contains { $0.kind == .overLimit })
        // check with the same amount again: a balance after the order of 2·10^15 minor units.
        let check = CreditCheck.decide(a, policy: policy, amount: 1_000_000_000_000_000)
        #expect(check.utilisationAfterBasisPoints == CreditScoring.utilisationBasisPointsMax)
        #expect(check.reasons.first { $0.rule == "utilisation" }?.decision == .review)
        // At the edge of Int64: the order would overflow the balance, and says so.
        let edge = CreditCheck.decide(a, policy: policy, amount: Int64.max)
        #expect(edge.decision >= .review)
        #expect(edge.utilisationAfterBasisPoints == nil)
    }

    @Test func utilisationIsExactBelowTheClampAndClampedAbove() {
        #expect(CreditScoring.utilisationBasisPoints(balance: 9_500, limit: 10_000) == 9_500)
        #expect(CreditScoring.utilisationBasisPoints(balance: -5, limit: 10_000) == 0)
        #expect(CreditScoring.utilisationBasisPoints(balance: 100_000_000, limit: 1) == CreditScoring.utilisationBasisPointsMax)
        #expect(CreditScoring.utilisationBasisPoints(balance: Int64.max, limit: 1) == CreditScoring.utilisationBasisPointsMax)
        // Above every threshold a policy may set, so no decision depends on the clamp.
        #expect(CreditScoring.utilisationBasisPointsMax > Int64(PolicyLimits.percentMax) * 100)
    }

    /// Two customers whose open amounts are each near Int64.max / 2: the aging totals pass
    /// Int64 and are shown exactly. Each customer's is one invoice of 10^15 minor units (the
    /// largest single amount) raised 4,611 times by the same: the same figures as 4,612
    /// invoices, without scoring thousands of open invoices after every event.
    @Test func agingTotalsPastInt64AreExact() throws {
        var b = Book()
        let perCustomer = 4612  // × 10^15 = 4.612·10^18 each, 9.224·10^18 together > Int64.max
        for c in ["A", "B"] {
            expectAccepted(b.register(c, limit: "1.00"))
            expectAccepted(b.invoice("\(c)-1", "10000000000000.00", issued: "2025-01-01", due: "2025-01-31", customer: c))
            for _ in 1..<perCustomer {
                let o = b.adjust("\(c)-1", "10000000000000.00", on: "2025-01-01", customer: c)
                guard o.isAccepted else {
                    Issue.record("\(o.summary)")
                    return
                }
            }
        }
        let report = b.aging(asOf: "2025-02-15")
        #expect(report.customers.count == 2)
        let total = try #require(report.totals.first)
        let expected = Int128(2 * perCustomer) * 1_000_000_000_000_000
        #expect(expected > Int128(Int64.max))
        #expect(total.buckets[1] == expected)
        #expect(total.total == expected)
        #expect(agingFigures(report, total)["1-30"] == "92240000000000000.00")
        #expect(agingFigures(report, total)["total"] == "92240000000000000.00")
        // A customer's available credit: the limit less the balance, in full.
        let a = BalanceReport(try #require(b.ledger("A")))
        #expect(a.available == 100 - Int128(perCustomer) * 1_000_000_000_000_000)
    }

    @Test func wideMoneyFormatsExactly() {
        #expect(Money.format(Int128(Int64.max) + 1, fractionDigits: 2) == "92233720368547758.08")
        #expect(Money.format(-(Int128(Int64.max) + 2), fractionDigits: 0) == "-9223372036854775809")
        #expect(Money.format(Int128.max, fractionDigits: 2) == "1701411834604692317316873037158841057.27")
        #expect(Money.format(Int128.min, fractionDigits: 4) == "-17014118346046923173168730371588410.5728")
        #expect(Money.format(Int128(10).power(20) + 5, fractionDigits: 3) == "100000000000000000.005")
        #expect(Money.format(Int128(1_000_000_000_000_000_000) * 10, fractionDigits: 0) == "10000000000000000000")
        for v: Int64 in [0, -1, 7, 123_450, Int64.max, Int64.min] {
            #expect(Money.format(Int128(v), fractionDigits: 2) == Money.format(v, fractionDigits: 2))
        }
        #expect(ReportValue.wideMoney(Int128(Int64.max) * 2).text(digits: 2) == "184467440737095516.14")
    }

    @Test func portfolioMeanDaysLateDoesNotOverflow() {
        #expect(Totals.avgDaysLateHundredths(weighted: 0, amount: Int128(0)) == nil)
        #expect(Totals.avgDaysLateHundredths(weighted: 230, amount: Int128(100)) == 230)
        #expect(Totals.avgDaysLateHundredths(weighted: Int128.max / 2, amount: Int128(1)) == Int64.max)
        #expect(Totals.avgDaysLateHundredths(weighted: Int128(Int64.max) * 1000, amount: Int128(Int64.max)) == 100_000)
    }
}

extension Int128 {
    fileprivate func power(_ n: Int) -> Int128 {
        var r: Int128 = 1
        for _ in 0..<n { r *= self }
        return r
    }
}

/// Stored ledger and risk records are checked when decoded: ranges, counts and the fold's
/// identities. Any damage is a thrown `DecodeError`, never a trap (issue 8, item 4).
struct StoredRecordDecodeTests {
    func book() -> Book {
        var b = Book()
        expectAccepted(b.register(limit: "500.00"))
        expectAccepted(b.invoice("I1", "300.00", issued: "2025-01-01", installments: [("2025-02-01", "100.00"), ("2025-03-01", "200.00")]))
        expectAccepted(b.invoice("I2", "50.00", issued: "2025-01-05"))
        expectAccepted(b.pay("P1", "120.00", received: "2025-02-10"))
        expectAccepted(b.pay("P2", "10.00", received: "2025-02-11", allocations: [("I2", "10.00")]))
        expectAccepted(b.reverse("P2", on: "2025-02-12"))
        expectAccepted(b.adjust("I2", "-5.00", on: "2025-02-13"))
        expectAccepted(b.dun(2, on: "2025-04-01"))
        return b
    }

    /// Runs `decode` on every one-byte change (xor 0xFF and 0x01) and every truncation of
    /// `bytes`; each must throw or decode (to whatever). Returns how many decoded.
    @discardableResult
    func damageEveryByte(_ bytes: [UInt8], _ decode: (UnsafeRawBufferPointer) throws -> Void) -> Int {
        var decoded = 0
        var variants: [[UInt8]] = []
        for i in bytes.indices {
            for mask: UInt8 in [0xFF, 0x01] {
                var v = bytes
                v[i] ^= mask
                variants.append(v)
            }
        }
        for n in 0..<bytes.count { variants.append(Array(bytes.prefix(n))) }
        for v in variants where (try? v.withUnsafeBytes(decode)) != nil { decoded += 1 }
        return decoded
    }

    @Test func damagedLedgerRecordsThrow() throws {
        let l = try #require(book().ledger())
        let whole = LedgerCodec.encode(l)
        damageEveryByte(whole) { raw in
            // Whatever decodes is a ledger whose figures can be added up without overflow.
            let d = try LedgerCodec.decode(raw)
            _ = d.summary.aging(asOf: Day(parsing: "2025-05-01")!, edges: Aging.defaultEdges)
            _ = BalanceReport(d).fields
        }
        damageEveryByte(LedgerCodec.encodeHeader(l)) { raw in
            let s = try LedgerCodec.decodeSummary(raw)
            _ = s.aging(asOf: Day(parsing: "2025-05-01")!, edges: Aging.defaultEdges)
            _ = s.avgDaysLateHundredths
        }
        for inv in l.invoices { damageEveryByte(LedgerCodec.encodeInvoice(inv)) { _ = try LedgerCodec.decodeInvoice($0).open } }
        for p in l.payments { damageEveryByte(LedgerCodec.encodePayment(p)) { _ = try LedgerCodec.decodePayment($0) } }
    }

    /// A header whose totals do not add up (the open total raised by one) is refused, though
    /// every field is in range: queries would add it up.
    @Test func totalsThatDoNotAddUpAreRefused() throws {
        var l = try #require(book().ledger())
        l.totals.open += 1
        #expect(throws: LedgerCodec.DecodeError.self) { try LedgerCodec.decode(LedgerCodec.encode(l)) }
        var m = try #require(book().ledger())
        m.totals.open = Int64.max
        m.totals.invoiced = Int64.max
        #expect(throws: LedgerCodec.DecodeError.self) { try LedgerCodec.decode(LedgerCodec.encode(m)) }
    }

    @Test func itemsThatDisagreeWithTheHeaderAreRefused() throws {
        let l = try #require(book().ledger())
        var inv = l.invoices[0]
        inv.installments[0].open += 1
        #expect(throws: LedgerCodec.DecodeError.self) { try LedgerCodec.encodeInvoice(inv).withUnsafeBytes { try LedgerCodec.decodeInvoice($0) } }
        // Consistent in itself, but not with the header's totals.
        inv = l.invoices[0]
        inv.installments[1].open -= 1
        inv.credited += 1
        let decoded = try LedgerCodec.encodeInvoice(inv).withUnsafeBytes { try LedgerCodec.decodeInvoice($0) }
        #expect(throws: LedgerCodec.DecodeError.self) { try LedgerCodec.assemble(l.summary, invoices: [decoded, l.invoices[1]], payments: l.payments) }
        #expect(try LedgerCodec.assemble(l.summary, invoices: l.invoices, payments: l.payments) == l)
    }

    @Test func datesAndPositionsOutOfRangeAreRefused() throws {
        let l = try #require(book().ledger())
        var inv = l.invoices[0]
        inv.installments[0].dueOn = Day(number: Int32.max)
        let error = #expect(throws: LedgerCodec.DecodeError.self) { try LedgerCodec.encodeInvoice(inv).withUnsafeBytes { try LedgerCodec.decodeInvoice($0) } }
        #expect(error?.message.contains("not a date") == true)
        var p = l.payments[0]
        p.allocations[0] = Allocation(invoice: -1, installment: 0, amount: p.allocations[0].amount, daysBeyondTerms: 0)
        #expect(throws: LedgerCodec.DecodeError.self) { try LedgerCodec.encodePayment(p).withUnsafeBytes { try LedgerCodec.decodePayment($0) } }
        // A payment of 0 with an allocation (the allocation's range once depended on it).
        let zero = PaymentState(id: "Z", at: p.at, receivedOn: p.receivedOn, amount: 0, allocations: [Allocation(invoice: 0, installment: 0, amount: 1, daysBeyondTerms: 0)], unapplied: 0)
        #expect(throws: LedgerCodec.DecodeError.self) { try LedgerCodec.encodePayment(zero).withUnsafeBytes { try LedgerCodec.decodePayment($0) } }
    }

    @Test func damagedRiskRecordsThrow() throws {
        let b = book()
        let state = try #require(b.log.risk["C"])
        damageEveryByte(RiskCodec.encode(state)) { raw in
            let s = try RiskCodec.decodeState(raw)
            #expect(s.points.allSatisfy { (0...100).contains($0) })
            _ = s.evaluatedOn.description
        }
        for c in b.log.gradeChanges {
            damageEveryByte(RiskCodec.encode(c)) { raw in
                let d = try RiskCodec.decodeGradeChange(raw)
                _ = (d.evaluatedOn.description, d.cause.at.description)
            }
        }
        #expect(!b.log.alerts.isEmpty)
        for a in b.log.alerts {
            damageEveryByte(RiskCodec.encode(a)) { raw in
                let d = try RiskCodec.decodeAlert(raw)
                _ = (d.evaluatedOn.description, d.cause.at.description, d.id)
            }
        }
        var bad = state
        bad.points[0] = 101
        #expect(throws: LedgerCodec.DecodeError.self) { try RiskCodec.encode(bad).withUnsafeBytes { try RiskCodec.decodeState($0) } }
        bad = state
        bad.score = 101
        #expect(throws: LedgerCodec.DecodeError.self) { try RiskCodec.encode(bad).withUnsafeBytes { try RiskCodec.decodeState($0) } }
    }
}
