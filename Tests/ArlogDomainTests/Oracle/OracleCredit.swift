@testable import ArlogDomain

// Feed v1.3 in the oracle, written from the contract (events-v1.3-credit-data.md) as plainly as
// it reads, apart from the engine's Fold/Assessment.swift and FxRates.swift: every assessment
// of a customer is kept, and every rate of the log; what is "in force" is looked up by a scan.

/// One accepted `customer.assessed`, its figures in minor units of the customer's currency.
struct OracleAssessment: Equatable {
    let id: String
    let assessedOn: Day
    let source: String
    let score: Int?
    let rating: String?
    let figures: [FinancialFigure: Int64]
    let fiscalYearEnd: Day?
}

extension OracleLedger {
    /// "The latest assessment by assessed_on (then log order) is the one in force": the
    /// assessments are kept in log order, so the last of those with the greatest date.
    var assessmentInForce: OracleAssessment? {
        guard let latest = assessments.map(\.assessedOn).max() else { return nil }
        return assessments.last { $0.assessedOn == latest }
    }
}

/// One accepted `fx.rate`.
struct OracleRate: Equatable {
    let id: String
    let currency: Currency
    let base: Currency
    let rate: ExchangeRate
    let on: Day
}

/// The log's rates, in log order.
struct OracleRates {
    var rates: [OracleRate] = []

    /// "For a date D, the rate in force is the one with the latest on ≤ D (then log order)."
    func inForce(_ currency: Currency, _ base: Currency, on d: Day) -> OracleRate? {
        let candidates = rates.filter { $0.currency == currency && $0.base == base && $0.on <= d }
        guard let latest = candidates.map(\.on).max() else { return nil }
        return candidates.last { $0.on == latest }
    }

    /// Every pair's rate in force on `d`, by currency code, then base code.
    func all(on d: Day) -> [OracleRate] {
        var pairs: [(String, String)] = []
        for r in rates where !pairs.contains(where: { $0 == (r.currency.code, r.base.code) }) { pairs.append((r.currency.code, r.base.code)) }
        pairs.sort { $0 < $1 }
        return pairs.compactMap { inForce(Currency(code: $0.0)!, Currency(code: $0.1)!, on: d) }
    }
}

enum OracleCredit {
    /// The rules of `customer.assessed` that need the customer: the figures in the customer's
    /// currency, then `assessed_on` not after the UTC date of `at`.
    static func resolve(_ e: Event, _ a: CustomerAssessment, currency: Currency) throws(Rejection) -> [FinancialFigure: Int64] {
        var figures: [FinancialFigure: Int64] = [:]
        for f in FinancialFigure.allCases {
            if let d = a[f] { figures[f] = try OracleFold.minor(d, field: f.key, currency: currency) }
        }
        guard a.assessedOn <= e.at.utcDay else {
            throw Rejection(.assessedAfterAt, "\"assessed_on\" \(a.assessedOn) is after the UTC date of \"at\" (\(e.at.utcDay))")
        }
        return figures
    }

    static func assessment(_ e: Event, _ a: CustomerAssessment, currency: Currency) -> OracleAssessment? {
        guard let figures = try? resolve(e, a, currency: currency) else { return nil }
        return OracleAssessment(id: e.id, assessedOn: a.assessedOn, source: a.source, score: a.bureauScore, rating: a.bureauRating,
                                figures: figures, fiscalYearEnd: a.fiscalYearEnd)
    }
}
