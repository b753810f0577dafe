import Testing

@testable import ArlogDomain

/// The stored form of a ledger: decode(encode(l)) is l, and a damaged record is an error,
/// never a crash.
struct LedgerCodecTests {
    func richBook() -> Book {
        var b = Book()
        b.register(currency: "BHD", limit: "100.000")
        b.event("customer.updated", at: noon("2025-01-01"), #""industry":"é ☃ 𝄞","email":"x@y","contact":"""#)
        b.invoice("I1", "100.125", issued: "2025-01-01", installments: [("2025-02-01", "40.000"), ("2025-01-15", "60.125")])
        b.invoice("I2", "50.000", issued: "2025-01-03")
        b.invoice("I3", "7.000", issued: "2025-01-03")
        b.adjust("I1", "5.000", on: "2025-01-04")
        b.adjust("I2", "-5.000", on: "2025-01-04")
        b.dun(2, on: "2025-01-20")
        b.pay("P1", "80.000", received: "2025-01-21", allocations: [("I2", "10.000")])
        b.pay("P2", "100.000", received: "2025-01-22", at: "2025-01-22T12:00:00.123456789Z")
        b.reverse("P1", on: "2025-01-23")
        b.writeOff("I2", "1.000", on: "2025-01-24")
        b.void("I3", on: "2025-01-25")
        b.dun(1, on: "2025-01-26")
        return b
    }

    @Test func roundTrip() throws {
        let b = richBook()
        let l = try #require(b.ledger())
        let bytes = LedgerCodec.encode(l)
        #expect(bytes.first == LedgerCodec.version)
        let back = try LedgerCodec.decode(bytes)
        #expect(back == l)
        #expect(BalanceReport(back) == BalanceReport(l))
        #expect(back.invoice("I1") == l.invoice("I1"))
        #expect(back.payment("P2") == l.payment("P2"))
        #expect(back.openInstallments().map { "\($0.invoice)#\($0.installment)" } == l.openInstallments().map { "\($0.invoice)#\($0.installment)" })
        let summary = try bytes.withUnsafeBytes { raw in try LedgerCodec.decodeSummary(raw) }
        #expect(BalanceReport(summary) == BalanceReport(l))
        #expect(summary.aging(asOf: Day(parsing: "2025-03-31")!, edges: [30, 60, 90]) == l.summary.aging(asOf: Day(parsing: "2025-03-31")!, edges: [30, 60, 90]))
    }

    /// A decoded ledger folds further events exactly like the original (its indexes are rebuilt).
    @Test func decodedLedgerKeepsFolding() throws {
        let b = richBook()
        let l = try #require(b.ledger())
        var decoded: CustomerLedger? = try LedgerCodec.decode(LedgerCodec.encode(l))
        var original: CustomerLedger? = l
        var next = b
        expectAccepted(next.pay("P3", "30.000", received: "2025-02-01"))
        expectAccepted(next.reverse("P2", on: "2025-02-02"))
        expectAccepted(next.adjust("I1", "-1.000", on: "2025-02-03"))
        for e in next.log.events.suffix(3).map(\.event) {
            Replay.step(e, &original)
            Replay.step(e, &decoded)
        }
        #expect(decoded == original)
        #expect(decoded == next.ledger())
    }

    @Test func truncatedOrDamagedRecordsThrow() throws {
        let l = try #require(richBook().ledger())
        let bytes = LedgerCodec.encode(l)
        var crashesAvoided = 0
        for n in 0..<bytes.count {
            do {
                _ = try LedgerCodec.decode(Array(bytes.prefix(n)))
                Issue.record("a record truncated to \(n) of \(bytes.count) bytes decoded")
            } catch {
                crashesAvoided += 1
            }
        }
        #expect(crashesAvoided == bytes.count)
        var wrongVersion = bytes
        wrongVersion[0] = LedgerCodec.version &+ 1
        #expect(throws: LedgerCodec.DecodeError.self) { try LedgerCodec.decode(wrongVersion) }
        #expect(throws: LedgerCodec.DecodeError.self) { try LedgerCodec.decode(bytes + [0]) }
    }
}
