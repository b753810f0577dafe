import Testing

@testable import ArlogDomain

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
        let a = CreditScoring.assess(l.state, customer: "C", policy: policy, on: Day(parsing: "2025-01-02")!)
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

/// Stored states, cold records and risk records are checked when decoded: ranges, counts,
/// positions and the fold's identities. Any damage is a thrown `StoredDataError`, never a
/// trap (issue 8, item 4; issue 9's hot state and cold records replace the ledger records).
struct StoredRecordDecodeTests {
    /// A customer with open invoices (two installments, one partly paid), a settled invoice (a
    /// cold record), payments (one reversed), an adjustment, dunning and risk evaluations.
    func book() -> Book {
        var b = Book()
        expectAccepted(b.register(limit: "500.00"))
        expectAccepted(b.invoice("I1", "300.00", issued: "2025-01-01", installments: [("2025-02-01", "100.00"), ("2025-03-01", "200.00")]))
        expectAccepted(b.invoice("I2", "50.00", issued: "2025-01-05"))
        expectAccepted(b.invoice("I3", "20.00", issued: "2025-01-06", due: "2025-01-20"))
        expectAccepted(b.pay("P0", "20.00", received: "2025-01-25", allocations: [("I3", "20.00")]))
        expectAccepted(b.pay("P1", "120.00", received: "2025-02-10"))
        expectAccepted(b.pay("P2", "10.00", received: "2025-02-11", allocations: [("I2", "10.00")]))
        expectAccepted(b.reverse("P2", on: "2025-02-12"))
        expectAccepted(b.adjust("I2", "-5.00", on: "2025-02-13"))
        expectAccepted(b.dun(2, on: "2025-04-01"))
        return b
    }

    func state(_ b: Book) throws -> CustomerState {
        let s = try #require(b.log.states["C"])
        // The book exercises every part of the state.
        #expect(!s.invoices.isEmpty && !s.slots.isEmpty && !s.payments.isEmpty && !s.reversalDays.isEmpty && s.risk.last != nil)
        #expect(s.brokenInvariants() == [])
        return s
    }

    static let day = Day(parsing: "2025-05-01")!

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

    /// What the queries and the projector compute from a decoded state: whatever decodes can
    /// be added up, aged and scored without overflow.
    static func use(_ s: CustomerState) {
        _ = s.aging(on: day, edges: Aging.defaultEdges)
        _ = s.avgDaysLateHundredths
        _ = BalanceReport(customer: "C", state: s).fields
        _ = s.openInstallments
        _ = (s.latestAt.description, s.registeredAt.description, s.registeredOn?.description)
        for i in s.invoices.indices { _ = s.invoiceState(i).open }
        let a = CreditScoring.assess(s, customer: "C", policy: .default, on: day)
        _ = CreditCheck.decide(a, policy: .default, amount: 1)
        if let r = s.risk.last { _ = (r.evaluatedOn.description, r.points.map { $0 }) }
    }

    @Test func damagedStatesAndColdRecordsThrow() throws {
        let b = book()
        let s = try state(b)
        damageEveryByte(StateCodec.encode(s)) { raw in Self.use(try StateCodec.decodeState(raw)) }
        let l = try #require(b.ledger())
        #expect(l.invoices.count == 3 && l.payments.count == 3)
        #expect(b.log.cold.invoices.count == 1, "I3 is settled: a cold record")
        for inv in l.invoices {
            damageEveryByte(StateCodec.encode(inv)) { raw in
                let d = try StateCodec.decodeInvoice(raw)
                _ = (d.open, d.issuedAt.description, d.installments.map(\.dueOn.description))
            }
        }
        for p in l.payments {
            damageEveryByte(StateCodec.encode(p)) { raw in
                let d = try StateCodec.decodePayment(raw)
                _ = (d.at.description, d.receivedOn.description, d.reversedOn?.description, d.allocations.reduce(Int128(0)) { $0 + Int128($1.amount) })
            }
        }
        damageEveryByte(StateCodec.encode(try #require(b.log.cold.profiles["C"]))) { _ = try StateCodec.decodeProfile($0) }
    }

    /// A state whose totals do not add up (the open total raised by one) is refused, though
    /// every field is in range: queries would add it up.
    @Test func totalsThatDoNotAddUpAreRefused() throws {
        var s = try state(book())
        s.totals.open += 1
        #expect(throws: StoredDataError.self) { try StateCodec.encode(s).withUnsafeBytes { try StateCodec.decodeState($0) } }
        var m = try state(book())
        m.totals.open = Int64.max
        m.totals.invoiced = Int64.max
        #expect(throws: StoredDataError.self) { try StateCodec.encode(m).withUnsafeBytes { try StateCodec.decodeState($0) } }
        let good = try state(book())
        #expect(try StateCodec.encode(good).withUnsafeBytes { try StateCodec.decodeState($0) } == good)
    }

    /// Parts that disagree with the whole are refused: an installment with more open than
    /// scheduled, slots that do not sum to the open total, a payment whose allocations and
    /// unapplied credit do not make its amount.
    @Test func partsThatDisagreeWithTheWholeAreRefused() throws {
        let b = book()
        let l = try #require(b.ledger())
        var inv = try #require(l.invoice("I1"))
        inv.installments[0].open = inv.installments[0].amount + 1
        #expect(throws: StoredDataError.self) { try StateCodec.encode(inv).withUnsafeBytes { try StateCodec.decodeInvoice($0) } }
        // Consistent in itself (each slot within its amount), but not with the state's open total.
        var s = try state(b)
        let k = try #require(s.slots.firstIndex { $0.open > 0 })
        s.slots[k].open -= 1
        let error = #expect(throws: StoredDataError.self) { try StateCodec.encode(s).withUnsafeBytes { try StateCodec.decodeState($0) } }
        #expect(error?.message.contains("open installments sum to") == true, "\(String(describing: error))")
        var p = try #require(l.payment("P1"))
        p.unapplied += 1
        #expect(throws: StoredDataError.self) { try StateCodec.encode(p).withUnsafeBytes { try StateCodec.decodePayment($0) } }
        for inv in l.invoices { #expect(try StateCodec.encode(inv).withUnsafeBytes { try StateCodec.decodeInvoice($0) } == inv) }
        for p in l.payments { #expect(try StateCodec.encode(p).withUnsafeBytes { try StateCodec.decodePayment($0) } == p) }
    }

    @Test func datesAndPositionsOutOfRangeAreRefused() throws {
        let b = book()
        let l = try #require(b.ledger())
        var inv = try #require(l.invoice("I1"))
        inv.installments[0].dueOn = Day(number: Int32.max)
        let error = #expect(throws: StoredDataError.self) { try StateCodec.encode(inv).withUnsafeBytes { try StateCodec.decodeInvoice($0) } }
        #expect(error?.message.contains("outside 0001–9999") == true, "\(String(describing: error))")
        var p = try #require(l.payment("P1"))
        let a = p.allocations[0]
        p.allocations[0] = Allocation(invoice: a.invoice, installment: -1, amount: a.amount, daysBeyondTerms: a.daysBeyondTerms)
        #expect(throws: StoredDataError.self) { try StateCodec.encode(p).withUnsafeBytes { try StateCodec.decodePayment($0) } }
        // A payment of 0 with an allocation (the allocation's range once depended on it).
        let zero = PaymentState(seq: p.seq, id: "Z", at: p.at, receivedOn: p.receivedOn, amount: 0,
                                allocations: [Allocation(invoice: a.invoice, installment: 0, amount: 1, daysBeyondTerms: 0)], unapplied: 0)
        #expect(throws: StoredDataError.self) { try StateCodec.encode(zero).withUnsafeBytes { try StateCodec.decodePayment($0) } }
        // Positions a state holds must be inside its arrays.
        var s = try state(b)
        s.firstOpen = s.slots.count + 1
        #expect(throws: StoredDataError.self) { try StateCodec.encode(s).withUnsafeBytes { try StateCodec.decodeState($0) } }
        s = try state(b)
        s.slots[0].idStart = Int32(s.ids.count)
        #expect(throws: StoredDataError.self) { try StateCodec.encode(s).withUnsafeBytes { try StateCodec.decodeState($0) } }
        s = try state(b)
        s.invoices[0].dueStart = Int32(s.dues.count)
        #expect(throws: StoredDataError.self) { try StateCodec.encode(s).withUnsafeBytes { try StateCodec.decodeState($0) } }
    }

    @Test func damagedRiskRecordsThrow() throws {
        let b = book()
        let state = try state(b)
        let risk = try #require(state.risk.last)
        #expect(!b.log.gradeChanges.isEmpty)
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
        // The last evaluation is part of the hot state (damaged as a whole above): its points
        // and score are in range.
        var bad = state
        var r = risk
        r.points[0] = 101
        bad.risk.last = r
        #expect(throws: StoredDataError.self) { try StateCodec.encode(bad).withUnsafeBytes { try StateCodec.decodeState($0) } }
        r = risk
        r.score = 101
        bad.risk.last = r
        #expect(throws: StoredDataError.self) { try StateCodec.encode(bad).withUnsafeBytes { try StateCodec.decodeState($0) } }
    }
}
