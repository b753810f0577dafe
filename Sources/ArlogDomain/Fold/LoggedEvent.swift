/// The binary form of an accepted event: what every fold reads (ingest right after validation,
/// rebuild, verify, as-of queries, history, statements), so that JSON is parsed once, at intake.
///
/// It is the event after validation: amounts in minor units of the customer's currency,
/// installments in due order, and every invoice or payment it names given as the log position
/// of the event that created it (a reference resolves to exactly one item, and the log
/// position of an item never changes). A due date derived from the customer's terms is left to
/// the fold (`Due.terms`), since an as-of fold must use the terms in force in that fold.
///
/// Layout (little-endian, fixed width): version u8, type u8, at (i64 seconds, i32 nanos), the
/// type's fields (see `LoggedEvent.Body`), then actor and note (u16 length, 0xFFFF: none).
public struct LoggedEvent {
    public static let version: UInt8 = 1

    public let type: EventType
    public let at: Timestamp
    public let body: Body
    public let actor: UnsafeRawBufferPointer?
    public let note: UnsafeRawBufferPointer?

    public enum Due {
        case date(Day)
        /// issued_on + the customer's terms_days in the fold.
        case terms
        case installments(InstallmentList)
    }

    public enum Body {
        case registered(currency: Currency, termsDays: Int, creditLimit: Int64, registeredOn: Day?, profile: ProfileText)
        case updated(termsDays: Int?, profile: ProfileText)
        case creditLimit(Int64)
        case invoiceIssued(id: UnsafeRawBufferPointer, amount: Int64, issuedOn: Day, due: Due)
        case invoiceAdjusted(invoice: UInt64, amount: Int64)
        case invoiceVoided(invoice: UInt64)
        case invoiceWrittenOff(invoice: UInt64, amount: Int64?)
        case paymentReceived(id: UnsafeRawBufferPointer, amount: Int64, receivedOn: Day, allocations: AllocationList)
        case paymentReversed(payment: UInt64)
        case dunning(level: Int, channel: DunningChannel, invoice: UInt64?)
        case policyChanged
        case reviewed
        /// Feed v1.1. `amount` nil: all that is open when the fold opens the dispute.
        case disputeOpened(invoice: UInt64, amount: Int64?, reason: UnsafeRawBufferPointer?)
        case disputeResolved(invoice: UInt64, outcome: DisputeOutcome)
        /// `invoice` nil: the promise names none.
        case promiseRecorded(amount: Int64, promisedOn: Day, invoice: UInt64?)
        /// arlog's extension.
        case contact(outcome: ContactOutcome, channel: DunningChannel?, invoice: UInt64?)
        // Feed v1.2 (cash application). A credit source is given by the log position of the
        // event that created it (a payment.received or a credit_note.issued), `creditNote`
        // saying which.
        case creditNoteIssued(id: UnsafeRawBufferPointer, amount: Int64, issuedOn: Day, allocations: AllocationList,
                              reason: UnsafeRawBufferPointer?)
        case creditApplied(source: UInt64, creditNote: Bool, invoice: UInt64, amount: Int64)
        case creditRefunded(source: UInt64, creditNote: Bool, amount: Int64, refundedOn: Day)
        // Feed v1.3. Figures in minor units of the customer's currency.
        case assessed(assessedOn: Day, bureauScore: Int?, figures: AssessmentFigures, fiscalYearEnd: Day?,
                      source: UnsafeRawBufferPointer, rating: UnsafeRawBufferPointer?)
        /// Log-wide: one unit of `currency` is worth `rate` units of `base` from `on`.
        case fxRate(currency: Currency, base: Currency, rate: ExchangeRate, on: Day)
    }

    /// The profile texts an event sets (nil: not given).
    public struct ProfileText {
        public let name: UnsafeRawBufferPointer?
        public let industry: UnsafeRawBufferPointer?
        public let contact: UnsafeRawBufferPointer?
        public let email: UnsafeRawBufferPointer?
    }

    /// Installments as (due_on, amount), in due order, read in place.
    public struct InstallmentList: RandomAccessCollection {
        let bytes: UnsafeRawBufferPointer
        public let count: Int
        static let stride = 12
        public var startIndex: Int { 0 }
        public var endIndex: Int { count }
        public subscript(i: Int) -> (dueOn: Day, amount: Int64) {
            let o = i * InstallmentList.stride
            return (Day(number: Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: Int32.self))),
                    Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: o + 4, as: Int64.self)))
        }
    }

    /// Explicit allocations as (invoice's log position, amount), in the feed's order.
    public struct AllocationList: RandomAccessCollection {
        let bytes: UnsafeRawBufferPointer
        public let count: Int
        static let stride = 16
        public var startIndex: Int { 0 }
        public var endIndex: Int { count }
        public subscript(i: Int) -> (invoice: UInt64, amount: Int64) {
            let o = i * AllocationList.stride
            return (UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt64.self)),
                    Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: o + 8, as: Int64.self)))
        }
    }

    /// Decodes a binary form, checking every length, count, range and enumeration.
    public init(_ bytes: UnsafeRawBufferPointer) throws(StoredDataError) {
        var r = BinaryReader(bytes)
        guard try r.u8() == LoggedEvent.version else { throw StoredDataError("unknown binary event version") }
        let rawType = try r.u8()
        guard let type = EventType(rawValue: rawType) else { throw StoredDataError("unknown event type \(rawType)") }
        self.type = type
        at = try r.timestamp()
        func amount(_ positive: Bool = false) throws(StoredDataError) -> Int64 {
            let a = try r.i64()
            guard a.magnitude <= UInt64(Money.amountMinorMax), !positive || a > 0 else {
                throw StoredDataError("amount \(a) out of range")
            }
            return a
        }
        func seq() throws(StoredDataError) -> UInt64 {
            let s = try r.u64()
            guard s > 0 else { throw StoredDataError("a reference to log position 0") }
            return s
        }
        func profile(_ mask: UInt8) throws(StoredDataError) -> ProfileText {
            ProfileText(name: mask & 1 != 0 ? try r.text() : nil, industry: mask & 4 != 0 ? try r.text() : nil,
                        contact: mask & 8 != 0 ? try r.text() : nil, email: mask & 16 != 0 ? try r.text() : nil)
        }
        switch type {
        case .customerRegistered:
            let currency = try r.currency()
            let terms = Int(try r.i32())
            let limit = try amount()
            let on = try r.optionalDay()
            let mask = try r.u8()
            guard (0...FeedLimits.termsDaysMax).contains(terms), limit >= 0, mask & 1 != 0 else { throw StoredDataError("bad registration") }
            body = .registered(currency: currency, termsDays: terms, creditLimit: limit, registeredOn: on, profile: try profile(mask))
        case .customerUpdated:
            let mask = try r.u8()
            var terms: Int?
            if mask & 2 != 0 {
                let t = Int(try r.i32())
                guard (0...FeedLimits.termsDaysMax).contains(t) else { throw StoredDataError("terms_days \(t) out of range") }
                terms = t
            }
            body = .updated(termsDays: terms, profile: try profile(mask))
        case .creditLimitChanged:
            let limit = try amount()
            guard limit >= 0 else { throw StoredDataError("negative credit limit") }
            body = .creditLimit(limit)
        case .invoiceIssued:
            let total = try amount(true)
            let issuedOn = try r.day()
            let kind = try r.u8()
            let due: Due
            switch kind {
            case 0: due = .date(try r.day())
            case 1: due = .terms
            case 2:
                let n = try r.count(itemBytes: InstallmentList.stride, max: FeedLimits.installmentsMax)
                guard n > 0 else { throw StoredDataError("an invoice without installments") }
                let list = InstallmentList(bytes: try r.slice(n * InstallmentList.stride), count: n)
                var sum: Int64 = 0
                var previous = Day.first
                for i in list {
                    guard i.dueOn.isRepresentable, i.dueOn >= previous, i.amount > 0, i.amount <= Money.amountMinorMax else {
                        throw StoredDataError("bad installment")
                    }
                    previous = i.dueOn
                    sum += i.amount
                }
                guard sum == total else { throw StoredDataError("installments sum to \(sum), not \(total)") }
                due = .installments(list)
            default: throw StoredDataError("unknown due kind \(kind)")
            }
            body = .invoiceIssued(id: try r.shortText(), amount: total, issuedOn: issuedOn, due: due)
        case .invoiceAdjusted:
            let invoice = try seq()
            let a = try amount()
            guard a != 0 else { throw StoredDataError("an adjustment of 0") }
            body = .invoiceAdjusted(invoice: invoice, amount: a)
        case .invoiceVoided:
            body = .invoiceVoided(invoice: try seq())
        case .invoiceWrittenOff:
            let invoice = try seq()
            let has = try r.bool()
            let a = try amount(has)
            body = .invoiceWrittenOff(invoice: invoice, amount: has ? a : nil)
        case .paymentReceived:
            let total = try amount(true)
            let receivedOn = try r.day()
            let n = try r.count(itemBytes: AllocationList.stride, max: FeedLimits.allocationsMax)
            let list = AllocationList(bytes: try r.slice(n * AllocationList.stride), count: n)
            for a in list where a.invoice == 0 || a.amount < 0 || a.amount > Money.amountMinorMax {
                throw StoredDataError("bad allocation")
            }
            body = .paymentReceived(id: try r.shortText(), amount: total, receivedOn: receivedOn, allocations: list)
        case .paymentReversed:
            body = .paymentReversed(payment: try seq())
        case .dunningAction:
            let level = Int(try r.u8())
            let c = try r.u8()
            let invoice = try r.u64()
            guard (1...4).contains(level), Int(c) < DunningChannel.allCases.count else { throw StoredDataError("bad dunning action") }
            body = .dunning(level: level, channel: DunningChannel.allCases[Int(c)], invoice: invoice == 0 ? nil : invoice)
        case .creditPolicyChanged:
            body = .policyChanged
        case .creditReviewed:
            body = .reviewed
        case .disputeOpened:
            let invoice = try seq()
            let has = try r.bool()
            let a = try amount(has)
            guard has || a == 0 else { throw StoredDataError("a dispute without an amount holds \(a)") }
            body = .disputeOpened(invoice: invoice, amount: has ? a : nil, reason: try r.optionalText())
        case .disputeResolved:
            let invoice = try seq()
            let c = try r.u8()
            guard Int(c) < DisputeOutcome.allCases.count else { throw StoredDataError("unknown dispute outcome \(c)") }
            body = .disputeResolved(invoice: invoice, outcome: DisputeOutcome.allCases[Int(c)])
        case .promiseRecorded:
            let a = try amount(true)
            let on = try r.day()
            let invoice = try r.u64()
            body = .promiseRecorded(amount: a, promisedOn: on, invoice: invoice == 0 ? nil : invoice)
        case .collectionContact:
            let o = try r.u8()
            let c = try r.u8()
            let invoice = try r.u64()
            guard Int(o) < ContactOutcome.allCases.count, c == 0xFF || Int(c) < DunningChannel.allCases.count else {
                throw StoredDataError("bad collection contact")
            }
            body = .contact(outcome: ContactOutcome.allCases[Int(o)], channel: c == 0xFF ? nil : DunningChannel.allCases[Int(c)],
                            invoice: invoice == 0 ? nil : invoice)
        case .creditNoteIssued:
            let total = try amount(true)
            let issuedOn = try r.day()
            let n = try r.count(itemBytes: AllocationList.stride, max: FeedLimits.allocationsMax)
            let list = AllocationList(bytes: try r.slice(n * AllocationList.stride), count: n)
            for a in list where a.invoice == 0 || a.amount < 0 || a.amount > Money.amountMinorMax {
                throw StoredDataError("bad allocation")
            }
            let id = try r.shortText()
            body = .creditNoteIssued(id: id, amount: total, issuedOn: issuedOn, allocations: list, reason: try r.optionalText())
        case .creditApplied:
            let source = try seq()
            let kind = try r.u8()
            let invoice = try seq()
            guard kind <= 1 else { throw StoredDataError("bad credit source kind \(kind)") }
            body = .creditApplied(source: source, creditNote: kind == 1, invoice: invoice, amount: try amount(true))
        case .creditRefunded:
            let source = try seq()
            let kind = try r.u8()
            guard kind <= 1 else { throw StoredDataError("bad credit source kind \(kind)") }
            let a = try amount(true)
            body = .creditRefunded(source: source, creditNote: kind == 1, amount: a, refundedOn: try r.day())
        case .customerAssessed:
            let assessedOn = try r.day()
            let score = try r.u8()
            let mask = try r.u8()
            guard score <= 100 || score == 0xFF, mask & ~AssessmentFigures.maskAll == 0 else { throw StoredDataError("bad assessment") }
            var figures = AssessmentFigures()
            for f in FinancialFigure.allCases where mask & (1 << UInt8(f.rawValue)) != 0 {
                let a = try amount()
                guard f.mayBeNegative || a >= 0 else { throw StoredDataError("negative \(f.key) \(a)") }
                figures[f] = a
            }
            let fiscalYearEnd = try r.optionalDay()
            let source = try r.text()
            let rating = try r.optionalText()
            guard score != 0xFF || rating != nil || mask != 0, mask == 0 || fiscalYearEnd != nil, source.count > 0 else {
                throw StoredDataError("an assessment without data")
            }
            body = .assessed(assessedOn: assessedOn, bureauScore: score == 0xFF ? nil : Int(score), figures: figures,
                             fiscalYearEnd: fiscalYearEnd, source: source, rating: rating)
        case .fxRate:
            let currency = try r.currency()
            let base = try r.currency()
            let digits = try r.u64()
            let scale = Int(try r.u8())
            guard currency != base, let rate = ExchangeRate(digits: digits, scale: scale) else { throw StoredDataError("bad exchange rate") }
            body = .fxRate(currency: currency, base: base, rate: rate, on: try r.day())
        }
        actor = try r.optionalText()
        note = try r.optionalText()
        try r.end()
    }
}

/// Writes the binary form of an event being accepted (`FoldStep.validate`).
public struct LoggedEventWriter {
    public var w: BinaryWriter

    public init(reusing buffer: [UInt8]) {
        w = BinaryWriter(reusing: buffer)
    }

    mutating func begin(_ type: EventType, at: Timestamp) {
        w.u8(LoggedEvent.version)
        w.u8(type.rawValue)
        w.timestamp(at)
    }

    mutating func profile(name: String?, industry: String?, contact: String?, email: String?, termsDays: Int?, extra: UInt8 = 0) {
        var mask = extra
        if name != nil { mask |= 1 }
        if termsDays != nil { mask |= 2 }
        if industry != nil { mask |= 4 }
        if contact != nil { mask |= 8 }
        if email != nil { mask |= 16 }
        w.u8(mask)
        if let termsDays { w.i32(Int32(termsDays)) }
        for s in [name, industry, contact, email] { if let s { w.text(s) } }
    }

    mutating func end(actor: String?, note: String?) {
        w.optionalText(actor)
        w.optionalText(note)
    }
}

extension DunningChannel {
    /// Its index in `allCases`: the stored code.
    var code: UInt8 { UInt8(DunningChannel.allCases.firstIndex(of: self) ?? 0) }
}

extension DisputeOutcome {
    /// Its index in `allCases`: the stored code.
    var code: UInt8 { UInt8(DisputeOutcome.allCases.firstIndex(of: self) ?? 0) }
}

extension UnsafeRawBufferPointer {
    /// Equal bytes.
    public func sameBytes(as other: some Collection<UInt8>) -> Bool {
        guard count == other.count else { return false }
        var i = 0
        for b in other {
            guard self[i] == b else { return false }
            i += 1
        }
        return true
    }
}
