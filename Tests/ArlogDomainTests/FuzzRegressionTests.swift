import Testing

@testable import ArlogDomain

/// Inputs the fuzzer (`tools/fuzz.sh`, docs/fuzzing.md) found crashing or misleading the
/// engine, minimized, each with what the engine must do instead. A test here fails without
/// its fix by trapping, which takes the test process down: loud, as a crash in production is.
@Suite struct FuzzRegressionTests {
    /// Runs a feed through intake and the checks the fuzz target makes, and returns the log.
    static func ingest(_ feed: String) throws -> InMemoryLog {
        var log = InMemoryLog()
        for outcome in try log.ingest(feed) {
            #expect(outcome.isAccepted, "\(outcome.summary)")
        }
        return log
    }

    /// Fuzz runs 2 and 3 (2026-12-04), minimized by libFuzzer to this one line
    /// (crash-34656a5172aea55cb4ceea4dc35baeb01a5cff05): a credit check of the largest order
    /// `--amount` takes (10^15 minor units) for a customer whose limit is 1 yen trapped
    /// converting the utilisation, 10^19 basis points, to Int64 (CreditDecisions.swift).
    @Test func creditCheckOfTheLargestOrderOverTheSmallestLimit() throws {
        let log = try Self.ingest("""
            {"id":"1","type":"customer.registered","at":"2024-12-27T22:36:52Z","customer":"0","name":"t","currency":"JPY","terms_days":3,"credit_limit":"1"}
            """)
        let state = try #require(log.states["0"])
        let a = CreditScoring.assess(state, customer: "0", policy: .default, on: Day(year: 2024, month: 12, day: 28)!)
        #expect(a.utilisationBasisPoints == 0)
        let check = CreditCheck.decide(a, policy: .default, amount: Money.amountMinorMax)
        #expect(check.utilisationAfterBasisPoints == CreditScoring.utilisationBasisPointsMax)
        let utilisation = try #require(check.reasons.first { $0.rule == "utilisation" })
        #expect(utilisation.decision == .review)
        #expect(utilisation.detail.contains("is more than 10000000000.00% of the limit 1 JPY"), "\(utilisation.detail)")
        #expect(check.decision >= .review)
    }

    /// The same conversion in the score (CreditScore.swift), found by reading the code for the
    /// pattern the fuzzer hit: at ingest, as soon as the balance itself is 10^15 times the
    /// limit. This valid two-line feed crashed `arlog ingest`. The share is now clamped at
    /// `CreditScoring.utilisationBasisPointsMax`, and every decision on it is the one the exact share gives.
    @Test func utilisationOfAHugeBalanceOverATinyLimitSaturates() throws {
        let log = try Self.ingest("""
            {"id":"r","type":"customer.registered","at":"2025-01-01T00:00:00Z","customer":"C","name":"C","currency":"EUR","terms_days":30,"credit_limit":"0.01"}
            {"id":"i","type":"invoice.issued","at":"2025-01-02T00:00:00Z","customer":"C","invoice":"I","amount":"10000000000000.00","issued_on":"2025-01-02"}
            """)
        let state = try #require(log.states["C"])
        let a = CreditScoring.assess(state, customer: "C", policy: .default, on: Day(year: 2025, month: 1, day: 2)!)
        #expect(a.utilisationBasisPoints == CreditScoring.utilisationBasisPointsMax)
        #expect(a.factors[RiskFactor.utilisation.rawValue].points == CreditPolicy.default.utilisationCurve.points.last!.points)
        // The risk projector ran on it at ingest: far over the limit.
        #expect(log.risk["C"]?.overLimit == true)
        let check = CreditCheck.decide(a, policy: .default, amount: 1)
        #expect(check.utilisationAfterBasisPoints == CreditScoring.utilisationBasisPointsMax)
        #expect(check.reasons.first { $0.rule == "utilisation" }?.decision == .review)
        // A share that fits is exact, as before.
        #expect(CreditScoring.utilisationBasisPoints(balance: 150, limit: 100) == 15_000)
        #expect(CreditScoring.utilisationBasisPoints(balance: 1, limit: 3) == 3_333)
    }
}
