/// The ten event types of feed v1, and arlog's two log-wide events (no customer): a change of
/// credit policy and a credit review (a clock tick for the risk projector).
public enum EventType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case customerRegistered = 1
    case customerUpdated = 2
    case creditLimitChanged = 3
    case invoiceIssued = 4
    case invoiceAdjusted = 5
    case invoiceVoided = 6
    case invoiceWrittenOff = 7
    case paymentReceived = 8
    case paymentReversed = 9
    case dunningAction = 10
    case creditPolicyChanged = 11
    case creditReviewed = 12
    // Feed v1.1 (disputes and promises). Numbered apart from v1.2's types so that branches
    // adding both merge without renumbering.
    case disputeOpened = 20
    case disputeResolved = 21
    case promiseRecorded = 22
    /// arlog's own extension beside the contract (docs/feed.md): a collector's contact with
    /// the customer. Changes no figure and no dunning level.
    case collectionContact = 23
    // Feed v1.2 (cash application). The raw value is stored in every log record, so it never
    // changes once released.
    case creditNoteIssued = 16
    case creditApplied = 17
    case creditRefunded = 18
    // Feed v1.3 (external credit data and exchange rates): the next values after 23. 13–15
    // were once set aside for v1.1 (which took 20–22); they stay unused so that no branch
    // that may still hold them clashes.
    case customerAssessed = 24
    /// Log-wide: names no customer (the contract's one envelope exception) and regrades nobody.
    case fxRate = 25

    public var name: String {
        switch self {
        case .customerRegistered: "customer.registered"
        case .customerUpdated: "customer.updated"
        case .creditLimitChanged: "credit_limit.changed"
        case .invoiceIssued: "invoice.issued"
        case .invoiceAdjusted: "invoice.adjusted"
        case .invoiceVoided: "invoice.voided"
        case .invoiceWrittenOff: "invoice.written_off"
        case .paymentReceived: "payment.received"
        case .paymentReversed: "payment.reversed"
        case .dunningAction: "dunning.action"
        case .creditPolicyChanged: "credit_policy.changed"
        case .creditReviewed: "credit.reviewed"
        case .disputeOpened: "dispute.opened"
        case .disputeResolved: "dispute.resolved"
        case .promiseRecorded: "promise.recorded"
        case .collectionContact: "collection.contact"
        case .creditNoteIssued: "credit_note.issued"
        case .creditApplied: "credit.applied"
        case .creditRefunded: "credit.refunded"
        case .customerAssessed: "customer.assessed"
        case .fxRate: "fx.rate"
        }
    }

    /// Log-wide: names no customer (a policy change, a review, an exchange rate).
    public var isGlobal: Bool { self == .creditPolicyChanged || self == .creditReviewed || self == .fxRate }

    /// Log-wide and folded by every customer's risk projection: a policy change or a review
    /// regrades everyone. An exchange rate changes no customer's figures and regrades nobody.
    public var regradesAll: Bool { self == .creditPolicyChanged || self == .creditReviewed }

    public var description: String { name }

    public init?(name: String) {
        guard let t = EventType.allCases.first(where: { $0.name == name }) else { return nil }
        self = t
    }
}

public enum DunningChannel: String, Sendable, CaseIterable {
    case email, letter, phone, sms, legal
}

/// How a dispute was resolved (`dispute.resolved`'s `outcome`, feed v1.1).
public enum DisputeOutcome: String, Sendable, CaseIterable {
    /// The customer was right (a credit note usually follows).
    case upheld
    /// The debt stands.
    case rejected
}

/// What came of a collection contact (`collection.contact`'s `outcome`).
public enum ContactOutcome: String, Sendable, CaseIterable {
    case reached
    case noAnswer = "no_answer"
    case promised
    case disputed
    case wrongContact = "wrong_contact"
}

/// How an invoice's due dates were given.
public enum DueTerms: Sendable, Equatable {
    /// `due_on` given.
    case date(Day)
    /// `installments` given: (due_on, amount) in list order.
    case installments([(dueOn: Day, amount: DecimalText)])
    /// Neither: due = issued_on + the customer's terms_days.
    case customerTerms

    public static func == (a: DueTerms, b: DueTerms) -> Bool {
        switch (a, b) {
        case (.date(let x), .date(let y)): return x == y
        case (.customerTerms, .customerTerms): return true
        case (.installments(let x), .installments(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.dueOn == $1.dueOn && $0.amount == $1.amount }
        default: return false
        }
    }
}

/// The fields of each event type, as decoded from the feed. Amounts are still `DecimalText`:
/// most events' currency is the customer's, known only from the state (see `Fold.resolve`).
public enum EventBody: Sendable, Equatable {
    case customerRegistered(CustomerRegistration)
    case customerUpdated(CustomerUpdate)
    case creditLimitChanged(limit: DecimalText)
    case invoiceIssued(invoice: String, amount: DecimalText, issuedOn: Day, due: DueTerms, currency: Currency?)
    case invoiceAdjusted(invoice: String, amount: DecimalText)
    case invoiceVoided(invoice: String)
    case invoiceWrittenOff(invoice: String, amount: DecimalText?)
    case paymentReceived(payment: String, amount: DecimalText, receivedOn: Day, currency: Currency?, allocations: [PaymentAllocation])
    case paymentReversed(payment: String)
    case dunningAction(level: Int, channel: DunningChannel, invoice: String?)
    case creditPolicyChanged(CreditPolicy)
    case creditReviewed
    /// Feed v1.1: `amount` nil means all that is open when the dispute is opened.
    case disputeOpened(invoice: String, amount: DecimalText?, reason: String?)
    case disputeResolved(invoice: String, outcome: DisputeOutcome)
    case promiseRecorded(amount: DecimalText, promisedOn: Day, invoice: String?)
    /// arlog's extension: `channel` optional (one of the dunning channels).
    case collectionContact(outcome: ContactOutcome, channel: DunningChannel?, invoice: String?)
    // Feed v1.2 (cash application).
    case creditNoteIssued(creditNote: String, amount: DecimalText, issuedOn: Day, currency: Currency?, allocations: [PaymentAllocation],
                          reason: String?)
    case creditApplied(source: CreditSource, invoice: String, amount: DecimalText)
    case creditRefunded(source: CreditSource, amount: DecimalText, refundedOn: Day)
    // Feed v1.3.
    case customerAssessed(CustomerAssessment)
    /// One unit of `currency` is worth `rate` units of `base`, from `on`.
    case fxRate(currency: Currency, base: Currency, rate: ExchangeRate, on: Day)
}

/// The financial figures of a `customer.assessed` (feed v1.3), money in the customer's currency.
/// The raw value is the figure's bit in the stored mask: never renumbered.
public enum FinancialFigure: Int, Sendable, CaseIterable {
    case revenue, totalAssets, totalLiabilities, currentAssets, currentLiabilities, equity, operatingCashFlow

    /// The feed's field name.
    public var key: String {
        switch self {
        case .revenue: "revenue"
        case .totalAssets: "total_assets"
        case .totalLiabilities: "total_liabilities"
        case .currentAssets: "current_assets"
        case .currentLiabilities: "current_liabilities"
        case .equity: "equity"
        case .operatingCashFlow: "operating_cash_flow"
        }
    }

    /// The contract: amounts other than `equity` and `operating_cash_flow` are ≥ 0.
    public var mayBeNegative: Bool { self == .equity || self == .operatingCashFlow }
}

/// A `customer.assessed` as decoded (feed v1.3).
public struct CustomerAssessment: Sendable, Equatable {
    public let assessedOn: Day
    /// Who assessed: 1–64 characters.
    public let source: String
    /// 0–100, higher is safer.
    public let bureauScore: Int?
    /// The provider's own rating: shown, never computed with.
    public let bureauRating: String?
    /// By `FinancialFigure.rawValue`; nil where not given (always `FinancialFigure.allCases.count` entries).
    public let figures: [DecimalText?]
    /// Required when any figure is given.
    public let fiscalYearEnd: Day?

    public init(assessedOn: Day, source: String, bureauScore: Int?, bureauRating: String?, figures: [DecimalText?], fiscalYearEnd: Day?) {
        precondition(figures.count == FinancialFigure.allCases.count)
        self.assessedOn = assessedOn
        self.source = source
        self.bureauScore = bureauScore
        self.bureauRating = bureauRating
        self.figures = figures
        self.fiscalYearEnd = fiscalYearEnd
    }

    public subscript(_ f: FinancialFigure) -> DecimalText? { figures[f.rawValue] }
}

/// An exchange rate as the feed writes it (feed v1.3): a decimal > 0 with at most
/// `fractionDigitsMax` fraction digits, kept as written (digits and scale).
public struct ExchangeRate: Sendable, Hashable, CustomStringConvertible {
    /// All digits as one integer: "1.0850" → 10850.
    public let digits: UInt64
    /// Fraction digits as written: "1.0850" → 4.
    public let scale: Int

    /// The contract's bound: at most 10 fraction digits, as written.
    public static let fractionDigitsMax = 10

    public init?(digits: UInt64, scale: Int) {
        guard digits > 0, (0...ExchangeRate.fractionDigitsMax).contains(scale), digits < UInt64(Money.powersOfTen[DecimalText.digitsMax]) else { return nil }
        self.digits = digits
        self.scale = scale
    }

    /// The rate in units of 10^-10 (every rate is a whole number of these).
    public var scaled: UInt128 { UInt128(digits) * UInt128(Money.powersOfTen[ExchangeRate.fractionDigitsMax - scale]) }

    /// As written, without leading zeros: "1.0850".
    public var description: String {
        var text = String(digits)
        guard scale > 0 else { return text }
        if text.count <= scale { text = String(repeating: "0", count: scale - text.count + 1) + text }
        text.insert(".", at: text.index(text.endIndex, offsetBy: -scale))
        return text
    }

    /// `minor` units of a currency with `from` fraction digits, converted at this rate into
    /// units of a currency with `to` fraction digits: exactly, then rounded half away from
    /// zero (the contract). Nil when the result does not fit Int128.
    public func convert(_ minor: Int128, fromDigits from: Int, toDigits to: Int) -> Int128? {
        // minor × digits × 10^to / 10^(scale + from)
        let (product, overflow) = minor.multipliedReportingOverflow(by: Int128(digits))
        guard !overflow else { return nil }
        let shift = to - scale - from
        if shift >= 0 {
            let (r, o) = product.multipliedReportingOverflow(by: Int128(Money.powersOfTen[shift]))
            return o ? nil : r
        }
        var divisor: Int128 = 1
        for _ in 0..<(-shift) { divisor *= 10 }  // at most 10 + 4 digits: within Int128
        let (q, r) = product.quotientAndRemainder(dividingBy: divisor)
        guard r.magnitude * 2 >= divisor.magnitude else { return q }
        return product < 0 ? q - 1 : q + 1
    }
}

/// A credit source named by `credit.applied` or `credit.refunded` (feed v1.2): a payment or a
/// standalone credit note, each id in its own namespace.
public enum CreditSource: Sendable, Equatable {
    case payment(String)
    case creditNote(String)

    public var id: String {
        switch self {
        case .payment(let p), .creditNote(let p): p
        }
    }
}

public struct PaymentAllocation: Sendable, Equatable {
    public let invoice: String
    public let amount: DecimalText
}

public struct CustomerRegistration: Sendable, Equatable {
    public let name: String
    public let currency: Currency
    public let termsDays: Int
    public let creditLimit: DecimalText
    public let industry: String?
    public let contact: String?
    public let email: String?
    public let registeredOn: Day?
}

public struct CustomerUpdate: Sendable, Equatable {
    public let name: String?
    public let termsDays: Int?
    public let industry: String?
    public let contact: String?
    public let email: String?
}

/// One feed event: the envelope and the type's fields.
public struct Event: Sendable, Equatable {
    public let id: String
    public let type: EventType
    public let at: Timestamp
    /// Empty for log-wide events (`type.isGlobal`), which name no customer.
    public let customer: String
    public let actor: String?
    public let note: String?
    public let body: EventBody

    public init(id: String, type: EventType, at: Timestamp, customer: String, actor: String?, note: String?, body: EventBody) {
        self.id = id
        self.type = type
        self.at = at
        self.customer = customer
        self.actor = actor
        self.note = note
        self.body = body
    }

    /// The invoice this event names, if any (for reference checks and `arlog invoice`).
    public var invoiceReference: String? {
        switch body {
        case .invoiceIssued(let i, _, _, _, _), .invoiceAdjusted(let i, _), .invoiceVoided(let i),
            .invoiceWrittenOff(let i, _):
            return i
        case .dunningAction(_, _, let i): return i
        case .disputeOpened(let i, _, _), .disputeResolved(let i, _): return i
        case .promiseRecorded(_, _, let i), .collectionContact(_, _, let i): return i
        case .creditApplied(_, let i, _): return i
        default: return nil
        }
    }
}

/// Limits on feed content. Each is far above legitimate use and exists so that one bad line
/// cannot make the engine allocate or store without bound.
/// The contract's own bounds are here too, marked as such; docs/feed.md lists every limit.
public enum FeedLimits {
    /// The contract's bound on `id` (1–128 characters).
    public static let idCharsMax = 128
    /// The contract's bound on `customer`.
    public static let customerCharsMax = 64
    /// The contract's bound on `actor`.
    public static let actorCharsMax = 64
    /// The contract's bound on `note`.
    public static let noteCharsMax = 1000
    /// Reference ids (`invoice`, `payment`) are "ids" in the contract: the `id` alphabet and length.
    public static let referenceCharsMax = 128
    /// name, industry, contact, email: the contract sets no length. A limit, because the profile
    /// is rewritten with every change to the customer and printed in tables.
    public static let profileFieldCharsMax = 256
    /// The contract's bound on `terms_days`.
    public static let termsDaysMax = 3650
    /// Installments of one invoice: a limit, because an invoice is one stored record rewritten
    /// whole when it changes (and 1000 amounts of at most 10^15 sum within Int64).
    public static let installmentsMax = 1000
    /// Allocations of one payment: a limit, for the same reason as `installmentsMax`.
    public static let allocationsMax = 1000
    /// The contract's bound on `reason`: a dispute's (v1.1) and a credit note's (v1.2), ≤ 200
    /// characters each.
    public static let reasonCharsMax = 200
    /// `credit.applied` and `credit.refunded` events naming one credit source: a limit, for the
    /// reason of `allocationsMax` (a source is one stored record, rewritten whole at each).
    public static let creditMovesMax = 1000
    /// The contract's bound on `customer.assessed`'s `source` (1–64 characters, v1.3).
    public static let assessmentSourceCharsMax = 64
    /// The contract's bound on `bureau_rating` (1–16 characters, v1.3).
    public static let bureauRatingCharsMax = 16
    /// The longest line read, without its line end: a limit, because the reader buffers at most
    /// one line; longer lines are rejected without being buffered whole.
    public static let lineBytesMax = 1 << 20
}
