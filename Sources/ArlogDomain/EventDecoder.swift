/// Turns a parsed feed object into an `Event`, checking every rule that needs no state:
/// field presence and types, id alphabets and lengths, money text, dates, enumerations.
/// Unknown top-level fields are allowed (the stored bytes keep them).
public enum EventDecoder {
    /// The first check after JSON: a valid `id`. Separate so that the engine can look for a
    /// duplicate or conflict before any other rule, as the contract orders.
    public static func eventID(_ object: JSONObject) throws(Rejection) -> String {
        guard let value = object["id"] else { throw Rejection(.id, "missing \"id\"") }
        guard case .string(let id) = value else { throw Rejection(.id, "\"id\" must be a string, not \(value.typeName)") }
        guard isIdentifier(id, max: FeedLimits.idCharsMax) else {
            throw Rejection(.id, "\"id\" must be 1–\(FeedLimits.idCharsMax) characters of A-Z a-z 0-9 . _ : -")
        }
        return id
    }

    /// 1…max characters of `A-Z a-z 0-9 . _ : -`.
    public static func isIdentifier(_ s: String, max: Int) -> Bool {
        isIdentifier(utf8: s.utf8, max: max)
    }

    /// `isIdentifier` on UTF-8 bytes (the fast decoder checks ids in the line itself).
    static func isIdentifier(utf8: some Sequence<UInt8>, max: Int) -> Bool {
        var count = 0
        for c in utf8 {
            count += 1
            guard count <= max else { return false }
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: ":"), UInt8(ascii: "-"):
                continue
            default:
                return false
            }
        }
        return count > 0
    }

    public static func decode(_ object: JSONObject, id: String) throws(Rejection) -> Event {
        var f = Fields(object: object)
        let typeName = try f.requiredString("type", rule: .type)
        guard let type = EventType(name: typeName) else {
            throw Rejection(.type, "unknown event type \"\(JSONParser.excerpt(typeName))\"")
        }
        let atText = try f.requiredString("at", rule: .at)
        guard let at = Timestamp(parsing: atText) else {
            throw Rejection(.at, "\"at\" must be an RFC 3339 timestamp with an offset, e.g. 2026-03-01T09:30:00Z; got \"\(JSONParser.excerpt(atText))\"")
        }
        let customer: String
        if type.isGlobal {
            guard !f.has("customer") else {
                throw Rejection(.customer, type == .fxRate
                    ? "fx.rate is log-wide and must not name a customer (the contract's one envelope exception)"
                    : "\(type) applies to every customer and must not name one")
            }
            customer = ""
        } else {
            customer = try f.requiredString("customer", rule: .customer)
            guard isIdentifier(customer, max: FeedLimits.customerCharsMax) else {
                throw Rejection(.customer, "\"customer\" must be 1–\(FeedLimits.customerCharsMax) characters of A-Z a-z 0-9 . _ : -")
            }
        }
        let actor = try f.optionalText("actor", max: FeedLimits.actorCharsMax, rule: .actor, allowEmpty: true)
        let note = try f.optionalText("note", max: FeedLimits.noteCharsMax, rule: .note, allowEmpty: true)
        let body = try decodeBody(type, &f)
        return Event(id: id, type: type, at: at, customer: customer, actor: actor, note: note, body: body)
    }

    static func decodeBody(_ type: EventType, _ f: inout Fields) throws(Rejection) -> EventBody {
        switch type {
        case .customerRegistered:
            // Empty profile texts are accepted: the contract sets no minimum, and refusing a
            // registration would refuse every later event of the customer.
            let name = try f.requiredText("name", max: FeedLimits.profileFieldCharsMax)
            let code = try f.requiredString("currency", rule: .fieldMissing)
            let currency = try f.currency(code)
            let terms = try f.requiredInteger("terms_days", range: 0...FeedLimits.termsDaysMax)
            let limit = try f.requiredMoney("credit_limit")
            let limitMinor = try FoldStep.minor(limit, field: "credit_limit", currency: currency)
            guard limitMinor >= 0 else { throw Rejection(.moneySign, "\"credit_limit\" must be ≥ 0") }
            return .customerRegistered(CustomerRegistration(
                name: name, currency: currency, termsDays: terms, creditLimit: limit,
                industry: try f.optionalText("industry", max: FeedLimits.profileFieldCharsMax, allowEmpty: true),
                contact: try f.optionalText("contact", max: FeedLimits.profileFieldCharsMax, allowEmpty: true),
                email: try f.optionalEmail(),
                registeredOn: try f.optionalDate("registered_on")))
        case .customerUpdated:
            // "Any of" the fields, none included: an update naming none of them (or only
            // fields arlog does not know) is accepted and logged, and changes nothing.
            let update = CustomerUpdate(
                name: try f.optionalText("name", max: FeedLimits.profileFieldCharsMax, allowEmpty: true),
                termsDays: try f.optionalInteger("terms_days", range: 0...FeedLimits.termsDaysMax),
                industry: try f.optionalText("industry", max: FeedLimits.profileFieldCharsMax, allowEmpty: true),
                contact: try f.optionalText("contact", max: FeedLimits.profileFieldCharsMax, allowEmpty: true),
                email: try f.optionalEmail())
            return .customerUpdated(update)
        case .creditLimitChanged:
            let limit = try f.requiredMoney("credit_limit")
            guard !limit.negative || limit.digits == 0 else {
                throw Rejection(.moneySign, "\"credit_limit\" must be ≥ 0")
            }
            return .creditLimitChanged(limit: limit)
        case .invoiceIssued:
            let invoice = try f.reference("invoice")
            let amount = try f.positiveMoney("amount")
            let issuedOn = try f.requiredDate("issued_on")
            let dueOn = try f.optionalDate("due_on")
            let installments = try f.optionalInstallments()
            if let installments, installments.isEmpty {
                // The contract's sum rule: the amounts of an empty list sum to 0, never to an
                // amount > 0. Without the field the invoice has one due date.
                throw Rejection(.installments, "\"installments\" is empty: its amounts sum to 0, never to an invoice amount > 0; leave the field out for a single due date")
            }
            let currency = try f.optionalString("currency").map { code throws(Rejection) in try f.currency(code) }
            let due: DueTerms
            switch (dueOn, installments) {
            case (.some, .some):
                throw Rejection(.fieldConflict, "give either \"due_on\" or \"installments\", not both")
            case (.some(let d), nil):
                guard d >= issuedOn else {
                    throw Rejection(.dueBeforeIssue, "\"due_on\" \(d) is before \"issued_on\" \(issuedOn)")
                }
                due = .date(d)
            case (nil, .some(let list)):
                // An installment may fall due before issued_on (the contract sets no order for
                // installments): it is overdue from the start and ages from its own due date.
                due = .installments(list)
            case (nil, nil):
                due = .customerTerms
            }
            return .invoiceIssued(invoice: invoice, amount: amount, issuedOn: issuedOn, due: due, currency: currency)
        case .invoiceAdjusted:
            let invoice = try f.reference("invoice")
            let amount = try f.requiredMoney("amount")
            guard amount.digits != 0 else { throw Rejection(.moneySign, "\"amount\" of an adjustment must not be 0") }
            return .invoiceAdjusted(invoice: invoice, amount: amount)
        case .invoiceVoided:
            return .invoiceVoided(invoice: try f.reference("invoice"))
        case .invoiceWrittenOff:
            let invoice = try f.reference("invoice")
            let amount: DecimalText? = f.has("amount") ? try f.positiveMoney("amount") : nil
            return .invoiceWrittenOff(invoice: invoice, amount: amount)
        case .paymentReceived:
            let payment = try f.reference("payment")
            let amount = try f.positiveMoney("amount")
            let receivedOn = try f.requiredDate("received_on")
            let currency = try f.optionalString("currency").map { code throws(Rejection) in try f.currency(code) }
            let allocations = try f.optionalAllocations()
            return .paymentReceived(payment: payment, amount: amount, receivedOn: receivedOn, currency: currency, allocations: allocations)
        case .paymentReversed:
            return .paymentReversed(payment: try f.reference("payment"))
        case .dunningAction:
            let level = try f.requiredInteger("level", range: 1...4)
            let channelName = try f.requiredString("channel", rule: .fieldMissing)
            guard let channel = DunningChannel(rawValue: channelName) else {
                throw Rejection(.fieldInvalid, "\"channel\" must be one of email, letter, phone, sms, legal; got \"\(JSONParser.excerpt(channelName))\"")
            }
            let invoice: String? = f.has("invoice") ? try f.reference("invoice") : nil
            return .dunningAction(level: level, channel: channel, invoice: invoice)
        case .creditPolicyChanged:
            guard let v = f.object["policy"] else { throw Rejection(.fieldMissing, "missing \"policy\"") }
            guard case .object(let o) = v else { throw Rejection(.fieldType, "\"policy\" must be an object, not \(v.typeName)") }
            do {
                return .creditPolicyChanged(try CreditPolicy(json: o))
            } catch {
                throw Rejection(.policy, "policy \(error.description)")
            }
        case .creditReviewed:
            return .creditReviewed
        case .disputeOpened:
            let invoice = try f.reference("invoice")
            let amount: DecimalText? = f.has("amount") ? try f.positiveMoney("amount") : nil
            let reason = try f.optionalText("reason", max: FeedLimits.reasonCharsMax, allowEmpty: true)
            return .disputeOpened(invoice: invoice, amount: amount, reason: reason)
        case .disputeResolved:
            let invoice = try f.reference("invoice")
            let name = try f.requiredString("outcome", rule: .fieldMissing)
            guard let outcome = DisputeOutcome(rawValue: name) else {
                throw Rejection(.fieldInvalid, "\"outcome\" must be upheld or rejected; got \"\(JSONParser.excerpt(name))\"")
            }
            return .disputeResolved(invoice: invoice, outcome: outcome)
        case .promiseRecorded:
            let amount = try f.positiveMoney("amount")
            let promisedOn = try f.requiredDate("promised_on")
            let invoice: String? = f.has("invoice") ? try f.reference("invoice") : nil
            return .promiseRecorded(amount: amount, promisedOn: promisedOn, invoice: invoice)
        case .collectionContact:
            let name = try f.requiredString("outcome", rule: .fieldMissing)
            guard let outcome = ContactOutcome(rawValue: name) else {
                throw Rejection(.fieldInvalid, "\"outcome\" must be one of reached, no_answer, promised, disputed, wrong_contact; got \"\(JSONParser.excerpt(name))\"")
            }
            var channel: DunningChannel?
            if let c = try f.optionalString("channel") {
                guard let ch = DunningChannel(rawValue: c) else {
                    throw Rejection(.fieldInvalid, "\"channel\" must be one of email, letter, phone, sms, legal; got \"\(JSONParser.excerpt(c))\"")
                }
                channel = ch
            }
            let invoice: String? = f.has("invoice") ? try f.reference("invoice") : nil
            return .collectionContact(outcome: outcome, channel: channel, invoice: invoice)
        case .creditNoteIssued:
            let creditNote = try f.reference("credit_note")
            let amount = try f.positiveMoney("amount")
            let issuedOn = try f.requiredDate("issued_on")
            let currency = try f.optionalString("currency").map { code throws(Rejection) in try f.currency(code) }
            let allocations = try f.optionalAllocations()
            let reason = try f.optionalText("reason", max: FeedLimits.reasonCharsMax, allowEmpty: true)
            return .creditNoteIssued(creditNote: creditNote, amount: amount, issuedOn: issuedOn, currency: currency,
                                     allocations: allocations, reason: reason)
        case .creditApplied:
            let source = try f.creditSource()
            let invoice = try f.reference("invoice")
            return .creditApplied(source: source, invoice: invoice, amount: try f.positiveMoney("amount"))
        case .creditRefunded:
            let source = try f.creditSource()
            let amount = try f.positiveMoney("amount")
            return .creditRefunded(source: source, amount: amount, refundedOn: try f.requiredDate("refunded_on"))
        case .customerAssessed:
            return .customerAssessed(try f.assessment())
        case .fxRate:
            let code = try f.requiredString("currency", rule: .fieldMissing)
            let currency = try f.currency(code)
            let baseCode = try f.requiredString("base", rule: .fieldMissing)
            let base = try f.currency(baseCode)
            guard currency != base else {
                throw Rejection(.fxSameCurrency, "\"currency\" and \"base\" are both \(currency); a rate converts between two different currencies")
            }
            let rate = try f.rate()
            return .fxRate(currency: currency, base: base, rate: rate, on: try f.requiredDate("on"))
        }
    }
}

extension Fields {
    /// `customer.assessed`'s fields (feed v1.3), in the order of the contract's list. Rules
    /// that need the state (the figures' precision in the customer's currency, `assessed_on`
    /// against `at`) are the fold step's. A `currency` field is not read: it is not part of
    /// the event (kept as an unknown field; the figures are in the customer's currency).
    func assessment() throws(Rejection) -> CustomerAssessment {
        let assessedOn = try requiredDate("assessed_on")
        let source = try requiredString("source", rule: .fieldMissing)
        let sourceChars = Fields.charCount(source)
        guard sourceChars >= 1, sourceChars <= FeedLimits.assessmentSourceCharsMax else {
            throw Rejection(.fieldInvalid, "\"source\" must be 1–\(FeedLimits.assessmentSourceCharsMax) characters")
        }
        let score = try optionalInteger("bureau_score", range: 0...100)
        let rating = try optionalText("bureau_rating", max: FeedLimits.bureauRatingCharsMax)
        var figures: [DecimalText?] = Array(repeating: nil, count: FinancialFigure.allCases.count)
        for figure in FinancialFigure.allCases {
            guard let v = object[figure.key] else { continue }
            let m = try money(v, figure.key)
            guard figure.mayBeNegative || !m.negative || m.digits == 0 else {
                throw Rejection(.moneySign, "\"\(figure.key)\" must be ≥ 0 (only equity and operating_cash_flow may be negative)")
            }
            figures[figure.rawValue] = m
        }
        let fiscalYearEnd = try optionalDate("fiscal_year_end")
        let hasFigures = figures.contains { $0 != nil }
        guard score != nil || rating != nil || hasFigures else {
            throw Rejection(.assessmentNoData, fiscalYearEnd == nil
                ? "an assessment needs bureau_score, bureau_rating or a financial figure"
                : "an assessment needs bureau_score, bureau_rating or a financial figure (fiscal_year_end alone is not data)")
        }
        if hasFigures, fiscalYearEnd == nil {
            throw Rejection(.fieldMissing, "missing \"fiscal_year_end\" (required with financial figures)")
        }
        return CustomerAssessment(assessedOn: assessedOn, source: source, bureauScore: score, bureauRating: rating, figures: figures,
                                  fiscalYearEnd: fiscalYearEnd)
    }

    /// `fx.rate`'s `rate`: money's grammar without a sign (`[0-9]+(\.[0-9]+)?`), > 0, at most
    /// 10 fraction digits as written; at most `DecimalText.digitsMax` significant digits (a
    /// limit, as for amounts).
    func rate() throws(Rejection) -> ExchangeRate {
        guard let v = object["rate"] else { throw Rejection(.fieldMissing, "missing \"rate\"") }
        guard case .string(let s) = v else {
            throw Rejection(.money, "\"rate\" must be a decimal in a JSON string (e.g. \"1.0850\"), not \(v.typeName)")
        }
        let d: DecimalText
        do {
            d = try DecimalText(parsing: s)
        } catch .tooManyDigits {
            throw Rejection(.moneyRange, "\"rate\" has more than \(DecimalText.digitsMax) significant digits")
        } catch {
            throw Rejection(.money, "\"rate\" is not a decimal of the form [0-9]+(.[0-9]+)?: \"\(JSONParser.excerpt(s))\"")
        }
        guard !d.negative else {
            throw Rejection(.money, "\"rate\" is not a decimal of the form [0-9]+(.[0-9]+)? (no sign): \"\(JSONParser.excerpt(s))\"")
        }
        guard d.scale <= ExchangeRate.fractionDigitsMax else {
            throw Rejection(.moneyPrecision, "\"rate\" has \(d.scale) fraction digits; at most \(ExchangeRate.fractionDigitsMax) are allowed")
        }
        guard let rate = ExchangeRate(digits: d.digits, scale: d.scale) else { throw Rejection(.moneySign, "\"rate\" must be > 0") }
        return rate
    }
}

/// Typed access to an event's fields with the contract's error messages.
struct Fields {
    let object: JSONObject

    func has(_ key: String) -> Bool { object[key] != nil }

    func requiredString(_ key: String, rule: Rejection.Rule) throws(Rejection) -> String {
        guard let v = object[key] else { throw Rejection(rule == .fieldMissing ? .fieldMissing : rule, "missing \"\(key)\"") }
        guard case .string(let s) = v else {
            throw Rejection(rule == .fieldMissing ? .fieldType : rule, "\"\(key)\" must be a string, not \(v.typeName)")
        }
        return s
    }

    func optionalString(_ key: String) throws(Rejection) -> String? {
        guard let v = object[key] else { return nil }
        // Present optional fields must have their type: "note": null is rejected.
        guard case .string(let s) = v else { throw Rejection(.fieldType, "\"\(key)\" must be a string, not \(v.typeName)") }
        return s
    }

    static func charCount(_ s: String) -> Int { s.unicodeScalars.count }

    /// A required text of 0…max characters (the contract sets no minimum).
    func requiredText(_ key: String, max: Int) throws(Rejection) -> String {
        let s = try requiredString(key, rule: .fieldMissing)
        guard Fields.charCount(s) <= max else {
            throw Rejection(.fieldInvalid, "\"\(key)\" must be 0–\(max) characters")
        }
        return s
    }

    func optionalText(_ key: String, max: Int, rule: Rejection.Rule = .fieldInvalid, allowEmpty: Bool = false) throws(Rejection) -> String? {
        guard let v = object[key] else { return nil }
        guard case .string(let s) = v else {
            throw Rejection(rule == .fieldInvalid ? .fieldType : rule, "\"\(key)\" must be a string, not \(v.typeName)")
        }
        guard allowEmpty || !s.isEmpty, Fields.charCount(s) <= max else {
            throw Rejection(rule, "\"\(key)\" must be \(allowEmpty ? 0 : 1)–\(max) characters")
        }
        return s
    }

    /// The contract sets no format for `email`; only the length limit applies (a credit file
    /// keeps what billing sent rather than refusing the customer).
    func optionalEmail() throws(Rejection) -> String? {
        try optionalText("email", max: FeedLimits.profileFieldCharsMax, allowEmpty: true)
    }

    func requiredInteger(_ key: String, range: ClosedRange<Int>) throws(Rejection) -> Int {
        guard let value = try optionalInteger(key, range: range) else { throw Rejection(.fieldMissing, "missing \"\(key)\"") }
        return value
    }

    /// A JSON integer: a number with a whole value, however written (`30`, `30.0`, `3e1`, as
    /// JSON Schema's "integer" reads it); a fraction is `field.type`, a whole number out of
    /// range `field.invalid`.
    func optionalInteger(_ key: String, range: ClosedRange<Int>) throws(Rejection) -> Int? {
        guard let v = object[key] else { return nil }
        guard case .number(let n) = v else {
            throw Rejection(.fieldType, "\"\(key)\" must be a JSON integer, not \(v.typeName)")
        }
        switch n.whole {
        case .fraction:
            throw Rejection(.fieldType, "\"\(key)\" must be a JSON integer (a whole number), not \(JSONParser.excerpt(n.text))")
        case .tooLarge:
            throw Rejection(.fieldInvalid, "\"\(key)\" must be \(range.lowerBound)–\(range.upperBound); got \(JSONParser.excerpt(n.text))")
        case .value(let i):
            guard let value = Int(exactly: i), range.contains(value) else {
                throw Rejection(.fieldInvalid, "\"\(key)\" must be \(range.lowerBound)–\(range.upperBound); got \(JSONParser.excerpt(n.text))")
            }
            return value
        }
    }

    func reference(_ key: String) throws(Rejection) -> String {
        let s = try requiredString(key, rule: .fieldMissing)
        guard EventDecoder.isIdentifier(s, max: FeedLimits.referenceCharsMax) else {
            throw Rejection(.fieldInvalid, "\"\(key)\" must be 1–\(FeedLimits.referenceCharsMax) characters of A-Z a-z 0-9 . _ : -")
        }
        return s
    }

    /// v1.2's credit source: exactly one of `payment` and `credit_note` (both is
    /// `field.conflict`, neither `field.missing`).
    func creditSource() throws(Rejection) -> CreditSource {
        switch (has("payment"), has("credit_note")) {
        case (true, true):
            throw Rejection(.fieldConflict, "name one credit source: \"payment\" or \"credit_note\", not both")
        case (false, false):
            throw Rejection(.fieldMissing, "missing the credit source: \"payment\" or \"credit_note\"")
        case (true, false):
            return .payment(try reference("payment"))
        case (false, true):
            return .creditNote(try reference("credit_note"))
        }
    }

    func money(_ value: JSONValue, _ key: String) throws(Rejection) -> DecimalText {
        guard case .string(let s) = value else {
            throw Rejection(.money, "\"\(key)\" must be a decimal in a JSON string (e.g. \"1234.50\"), not \(value.typeName)")
        }
        do {
            return try DecimalText(parsing: s)
        } catch .tooManyDigits {
            throw Rejection(.moneyRange, "\"\(key)\" has more than \(DecimalText.digitsMax) significant digits")
        } catch {
            throw Rejection(.money, "\"\(key)\" is not a decimal of the form -?[0-9]+(.[0-9]+)?: \"\(JSONParser.excerpt(s))\"")
        }
    }

    func requiredMoney(_ key: String) throws(Rejection) -> DecimalText {
        guard let v = object[key] else { throw Rejection(.fieldMissing, "missing \"\(key)\"") }
        return try money(v, key)
    }

    func positiveMoney(_ key: String) throws(Rejection) -> DecimalText {
        let m = try requiredMoney(key)
        guard !m.negative, m.digits > 0 else { throw Rejection(.moneySign, "\"\(key)\" must be > 0") }
        return m
    }

    func currency(_ code: String) throws(Rejection) -> Currency {
        guard let c = Currency(code: code) else {
            throw Rejection(.currency, "\"\(code)\" is not an active ISO 4217 currency with a minor unit")
        }
        return c
    }

    func date(_ value: JSONValue, _ key: String) throws(Rejection) -> Day {
        guard case .string(let s) = value else { throw Rejection(.fieldType, "\"\(key)\" must be a date string, not \(value.typeName)") }
        guard let d = Day(parsing: s) else { throw Rejection(.fieldInvalid, "\"\(key)\" must be a valid date YYYY-MM-DD; got \"\(JSONParser.excerpt(s))\"") }
        return d
    }

    func requiredDate(_ key: String) throws(Rejection) -> Day {
        guard let v = object[key] else { throw Rejection(.fieldMissing, "missing \"\(key)\"") }
        return try date(v, key)
    }

    func optionalDate(_ key: String) throws(Rejection) -> Day? {
        guard let v = object[key] else { return nil }
        return try date(v, key)
    }

    /// An optional list of objects; an empty list is returned as such (its meaning is the
    /// caller's: no explicit allocations; an installment plan that cannot sum to the amount).
    func array(_ key: String, max: Int) throws(Rejection) -> [JSONObject]? {
        guard let v = object[key] else { return nil }
        guard case .array(let items) = v else { throw Rejection(.fieldType, "\"\(key)\" must be an array, not \(v.typeName)") }
        guard items.count <= max else { throw Rejection(.limit, "\"\(key)\" has \(items.count) items; at most \(max) are accepted") }
        var objects: [JSONObject] = []
        objects.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            guard case .object(let o) = item else {
                throw Rejection(.fieldType, "\"\(key)\"[\(i)] must be an object, not \(item.typeName)")
            }
            objects.append(o)
        }
        return objects
    }

    func optionalInstallments() throws(Rejection) -> [(dueOn: Day, amount: DecimalText)]? {
        guard let items = try array("installments", max: FeedLimits.installmentsMax) else { return nil }
        var list: [(dueOn: Day, amount: DecimalText)] = []
        for (i, item) in items.enumerated() {
            let f = Fields(object: item)
            guard let due = item["due_on"], let amount = item["amount"] else {
                throw Rejection(.fieldMissing, "installments[\(i)] needs \"due_on\" and \"amount\"")
            }
            let m = try f.money(amount, "installments[\(i)].amount")
            guard !m.negative, m.digits > 0 else { throw Rejection(.installments, "installments[\(i)].amount must be > 0") }
            list.append((try f.date(due, "installments[\(i)].due_on"), m))
        }
        return list
    }

    /// Explicit allocations; none when the field is absent or an empty list. An amount of 0 is
    /// accepted (the invoice reference is still checked; nothing is applied to it); a negative
    /// one is not: it would raise the invoice's open amount.
    func optionalAllocations() throws(Rejection) -> [PaymentAllocation] {
        guard let items = try array("allocations", max: FeedLimits.allocationsMax) else { return [] }
        var list: [PaymentAllocation] = []
        for (i, item) in items.enumerated() {
            let f = Fields(object: item)
            guard item["invoice"] != nil, let amount = item["amount"] else {
                throw Rejection(.fieldMissing, "allocations[\(i)] needs \"invoice\" and \"amount\"")
            }
            let m = try f.money(amount, "allocations[\(i)].amount")
            guard !m.negative || m.digits == 0 else { throw Rejection(.moneySign, "allocations[\(i)].amount must be ≥ 0") }
            list.append(PaymentAllocation(invoice: try f.reference("invoice"), amount: m))
        }
        return list
    }
}
