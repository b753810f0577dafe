/// Decodes one feed line straight from its bytes into an `Event`, in a single pass and without
/// a JSON tree: ingest's hot path (docs/architecture.md, "Data flow of one line").
///
/// The slow path, `JSONParser.parseObject` then `EventDecoder.eventID` and `EventDecoder.decode`,
/// stays the definition of what a line means. This decoder gives either exactly the `Event`
/// that path gives, or `.fallback`, and then intake runs the slow path, which produces the
/// acceptance or the exact rejection (rule, message, order of checks). It never rejects:
/// whatever it does not recognise as a plain valid event falls back. That holds by construction:
///
/// - the JSON grammar is checked as `JSONParser` checks it (RFC 8259: whitespace, numbers,
///   literals, strings with their escapes, surrogate pairs, UTF-8, control characters, nothing
///   after the object); anything the grammar refuses falls back;
/// - a repeated key falls back, at every level it can occur here. Keys are compared byte for
///   byte, which equals String equality only for ASCII keys: a key with an escape or a non-ASCII
///   byte falls back;
/// - values nest only as the events need (top-level scalars, and arrays of flat objects for
///   `installments` and `allocations`); an object value, or an array of anything else, falls
///   back (unknown fields of that shape are rare), so nesting never comes near
///   `JSONParser.depthMax`;
/// - every field is read with the slow path's own parsers and predicates on the same bytes
///   (`Timestamp.parse`, `Day.parse`, `DecimalText(utf8:)`, `EventDecoder.isIdentifier`,
///   `Fields.charCount`, `Currency(code:)`, `FoldStep.minor`), and every check of
///   `EventDecoder.decode` is made: one that fails falls back;
/// - strings are built only for the event's String fields (ids, customer, references, texts),
///   from the same bytes the slow path decodes; an escape in a field read from its bytes
///   (type, at, money, dates) falls back.
///
/// `ArlogParseTests` checks the promise on generated feeds, the spec examples and many mutated
/// lines: `.event` only where the slow path accepts, with an equal event.
public enum FastDecoder {
    public enum Outcome: Sendable {
        /// The event, exactly as `EventDecoder.decode(JSONParser.parseObject(line), id:)` gives it.
        case event(Event)
        /// Not decoded here: run the slow path (which may accept or reject).
        case fallback
    }

    /// Top-level keys the events do not know, kept (for the repeated-key check) in a fixed
    /// buffer: more fall back. Feed events carry none or a few (an exporter's extras).
    static let unknownKeysMax = 16
    /// Keys of one installment or allocation object beyond the ones read: more fall back.
    static let itemUnknownKeysMax = 8

    /// Decodes one line (without its line end), given as bytes of UInt8 memory (a `[UInt8]`,
    /// as intake's callers hold lines).
    public static func decode(_ line: UnsafeRawBufferPointer) -> Outcome {
        // Spans hold Int32 offsets: a longer buffer (far beyond `FeedLimits.lineBytesMax`) is
        // left to the slow path.
        guard line.count < Int(Int32.max) else { return .fallback }
        var decoding = Decoding(bytes: line.assumingMemoryBound(to: UInt8.self))
        do {
            var reader = Reader(bytes: decoding.bytes)
            try reader.topLevel(into: &decoding.fields)
            return .event(try decoding.event())
        } catch {
            return .fallback
        }
    }

    /// Why a line falls back does not matter: the slow path says it.
    struct Fallback: Error {}

    /// Where one JSON value lies in the line (16 bytes: the decoder keeps one per known field).
    struct Span {
        enum Kind: UInt8 { case absent, string, number, literal, array }
        var kind: Kind
        /// Strings: holds a backslash escape.
        var escaped: Bool
        /// Strings: every byte is ASCII.
        var ascii: Bool
        /// A string's content without its quotes; a number's text; an array from `[` past `]`.
        var start32: Int32
        var end32: Int32
        /// Arrays: the number of items.
        var items32: Int32

        init(kind: Kind, start: Int, end: Int, escaped: Bool = false, ascii: Bool = true, items: Int = 0) {
            self.kind = kind
            self.escaped = escaped
            self.ascii = ascii
            // In range: `decode` takes lines shorter than Int32.max bytes, and an array has
            // fewer items than bytes.
            self.start32 = Int32(truncatingIfNeeded: start)
            self.end32 = Int32(truncatingIfNeeded: end)
            self.items32 = Int32(truncatingIfNeeded: items)
        }

        var start: Int { Int(start32) }
        var end: Int { Int(end32) }
        var items: Int { Int(items32) }

        static let absent = Span(kind: .absent, start: 0, end: 0)
        var isPresent: Bool { kind != .absent }
    }

    /// The keys the decoder reads, at the top level or in installment and allocation items.
    enum Field: Int, CaseIterable {
        case id, type, at, customer, actor, note
        case name, currency, termsDays, creditLimit, industry, contact, email, registeredOn
        case invoice, amount, issuedOn, dueOn, installments
        case payment, receivedOn, allocations
        case level, channel
        case reason, outcome, promisedOn
        // Feed v1.2 (cash application).
        case creditNote, refundedOn
        // Feed v1.3 (external credit data and exchange rates).
        case base, rate, on
        case assessedOn, source, bureauScore, bureauRating, fiscalYearEnd
        case revenue, totalAssets, totalLiabilities, currentAssets, currentLiabilities, equity, operatingCashFlow

        var key: StaticString {
            switch self {
            case .id: "id"
            case .type: "type"
            case .at: "at"
            case .customer: "customer"
            case .actor: "actor"
            case .note: "note"
            case .name: "name"
            case .currency: "currency"
            case .termsDays: "terms_days"
            case .creditLimit: "credit_limit"
            case .industry: "industry"
            case .contact: "contact"
            case .email: "email"
            case .registeredOn: "registered_on"
            case .invoice: "invoice"
            case .amount: "amount"
            case .issuedOn: "issued_on"
            case .dueOn: "due_on"
            case .installments: "installments"
            case .payment: "payment"
            case .receivedOn: "received_on"
            case .allocations: "allocations"
            case .level: "level"
            case .channel: "channel"
            case .reason: "reason"
            case .outcome: "outcome"
            case .promisedOn: "promised_on"
            case .creditNote: "credit_note"
            case .refundedOn: "refunded_on"
            case .base: "base"
            case .rate: "rate"
            case .on: "on"
            case .assessedOn: "assessed_on"
            case .source: "source"
            case .bureauScore: "bureau_score"
            case .bureauRating: "bureau_rating"
            case .fiscalYearEnd: "fiscal_year_end"
            case .revenue: "revenue"
            case .totalAssets: "total_assets"
            case .totalLiabilities: "total_liabilities"
            case .currentAssets: "current_assets"
            case .currentLiabilities: "current_liabilities"
            case .equity: "equity"
            case .operatingCashFlow: "operating_cash_flow"
            }
        }

        /// The field of a financial figure (feed v1.3).
        static func figure(_ f: FinancialFigure) -> Field {
            switch f {
            case .revenue: .revenue
            case .totalAssets: .totalAssets
            case .totalLiabilities: .totalLiabilities
            case .currentAssets: .currentAssets
            case .currentLiabilities: .currentLiabilities
            case .equity: .equity
            case .operatingCashFlow: .operatingCashFlow
            }
        }

        /// The field whose key is exactly `b[start..<end]`: by length, then bytes.
        static func named(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Field? {
            func m(_ f: Field) -> Field? { matches(f, b, start, end) ? f : nil }
            switch end - start {
            case 2: return m(.id) ?? m(.at) ?? m(.on)
            case 4: return m(.type) ?? m(.note) ?? m(.name) ?? m(.base) ?? m(.rate)
            case 5: return m(.actor) ?? m(.email) ?? m(.level)
            case 6: return m(.amount) ?? m(.dueOn) ?? m(.reason) ?? m(.source) ?? m(.equity)
            case 7: return m(.invoice) ?? m(.payment) ?? m(.contact) ?? m(.channel) ?? m(.outcome) ?? m(.revenue)
            case 8: return m(.customer) ?? m(.currency) ?? m(.industry)
            case 9: return m(.issuedOn)
            case 10: return m(.termsDays)
            case 11: return m(.receivedOn) ?? m(.allocations) ?? m(.promisedOn) ?? m(.creditNote) ?? m(.refundedOn) ?? m(.assessedOn)
            case 12: return m(.creditLimit) ?? m(.installments) ?? m(.bureauScore) ?? m(.totalAssets)
            case 13: return m(.registeredOn) ?? m(.bureauRating)
            case 14: return m(.currentAssets)
            case 15: return m(.fiscalYearEnd)
            case 17: return m(.totalLiabilities)
            case 19: return m(.currentLiabilities) ?? m(.operatingCashFlow)
            default: return nil
            }
        }

        static func matches(_ f: Field, _ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
            let key = f.key
            let n = key.utf8CodeUnitCount
            guard end - start == n else { return false }
            let k = key.utf8Start
            for j in 0..<n where b[start + j] != k[j] { return false }
            return true
        }
    }

    /// The values of the known top-level fields (absent when not given).
    struct Slots {
        /// One slot per `Field` (44 of them; a test checks the count).
        var slots = InlineArray<44, Span>(repeating: .absent)

        subscript(_ f: Field) -> Span {
            get { slots[f.rawValue] }
            set { slots[f.rawValue] = newValue }
        }
    }

    /// The values an installment or allocation item gives.
    struct Item {
        var dueOn = Span.absent
        var amount = Span.absent
        var invoice = Span.absent
    }

    static func sameBytes(_ b: UnsafeBufferPointer<UInt8>, _ s1: Int, _ e1: Int, _ s2: Int, _ e2: Int) -> Bool {
        guard e1 - s1 == e2 - s2 else { return false }
        for j in 0..<(e1 - s1) where b[s1 + j] != b[s2 + j] { return false }
        return true
    }

    /// Well-formed UTF-8 as the standard library decodes it (the rule `String(validating:)`
    /// applies), checked without making a String.
    static func isValidUTF8(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var iterator = UnsafeBufferPointer(rebasing: b[start..<end]).makeIterator()
        var codec = UTF8()
        while true {
            switch codec.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    /// The JSON grammar, as `JSONParser` reads it, over the shapes events have.
    struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        init(bytes: UnsafeBufferPointer<UInt8>, at start: Int = 0) {
            self.bytes = bytes
            self.i = start
        }

        var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

        mutating func skipSpace() {
            while i < bytes.count {
                switch bytes[i] {
                case 0x20, 0x09, 0x0A, 0x0D: i += 1
                default: return
                }
            }
        }

        mutating func expect(_ c: UInt8) throws(Fallback) {
            guard i < bytes.count, bytes[i] == c else { throw Fallback() }
            i += 1
        }

        /// The whole line: one object, nothing after it but spaces; its known fields go into
        /// `fields` (all absent on entry).
        mutating func topLevel(into fields: inout Slots) throws(Fallback) {
            var unknown = InlineArray<16, (start: Int, end: Int)>(repeating: (0, 0))
            var unknownCount = 0
            skipSpace()
            try expect(UInt8(ascii: "{"))
            skipSpace()
            // An empty object has no id: the slow path says so.
            guard peek != UInt8(ascii: "}") else { throw Fallback() }
            while true {
                let key = try self.key()
                let value = try self.value()
                if let f = Field.named(bytes, key.start, key.end) {
                    guard !fields[f].isPresent else { throw Fallback() }  // repeated key
                    fields[f] = value
                } else {
                    for k in 0..<unknownCount where FastDecoder.sameBytes(bytes, unknown[k].start, unknown[k].end, key.start, key.end) {
                        throw Fallback()  // repeated key
                    }
                    guard unknownCount < FastDecoder.unknownKeysMax, unknownCount < unknown.count else { throw Fallback() }
                    unknown[unknownCount] = (key.start, key.end)
                    unknownCount += 1
                }
                skipSpace()
                switch peek {
                case UInt8(ascii: ","): i += 1
                case UInt8(ascii: "}"):
                    i += 1
                    skipSpace()
                    guard i == bytes.count else { throw Fallback() }
                    return
                default: throw Fallback()
                }
            }
        }

        /// A member's key and the colon after it. Only ASCII keys without escapes: those are
        /// equal as Strings exactly when their bytes are.
        mutating func key() throws(Fallback) -> Span {
            skipSpace()
            guard peek == UInt8(ascii: "\"") else { throw Fallback() }
            let key = try string()
            guard !key.escaped, key.ascii else { throw Fallback() }
            skipSpace()
            try expect(UInt8(ascii: ":"))
            return key
        }

        /// A member's value: a scalar, or an array of flat objects.
        mutating func value() throws(Fallback) -> Span {
            skipSpace()
            if peek == UInt8(ascii: "[") {
                let start = i
                let count = try items { (_: Int, _: Item) throws(Fallback) in }
                return Span(kind: .array, start: start, end: i, items: count)
            }
            return try scalar()
        }

        /// A string, number, `true`, `false` or `null`; anything else falls back.
        mutating func scalar() throws(Fallback) -> Span {
            skipSpace()
            guard let c = peek else { throw Fallback() }
            switch c {
            case UInt8(ascii: "\""): return try string()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            case UInt8(ascii: "t"): return try literal("true")
            case UInt8(ascii: "f"): return try literal("false")
            case UInt8(ascii: "n"): return try literal("null")
            default: throw Fallback()
            }
        }

        mutating func literal(_ text: StaticString) throws(Fallback) -> Span {
            let n = text.utf8CodeUnitCount
            guard i + n <= bytes.count else { throw Fallback() }
            let t = text.utf8Start
            for j in 0..<n where bytes[i + j] != t[j] { throw Fallback() }
            let start = i
            i += n
            return Span(kind: .literal, start: start, end: i)
        }

        static func isDigit(_ c: UInt8?) -> Bool {
            guard let c else { return false }
            return c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")
        }

        /// RFC 8259's number, as `JSONParser.parseNumber`.
        mutating func number() throws(Fallback) -> Span {
            let start = i
            if peek == UInt8(ascii: "-") { i += 1 }
            guard Reader.isDigit(peek) else { throw Fallback() }
            if peek == UInt8(ascii: "0") {
                i += 1
                guard !Reader.isDigit(peek) else { throw Fallback() }
            } else {
                while Reader.isDigit(peek) { i += 1 }
            }
            if peek == UInt8(ascii: ".") {
                i += 1
                guard Reader.isDigit(peek) else { throw Fallback() }
                while Reader.isDigit(peek) { i += 1 }
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                i += 1
                if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { i += 1 }
                guard Reader.isDigit(peek) else { throw Fallback() }
                while Reader.isDigit(peek) { i += 1 }
            }
            return Span(kind: .number, start: start, end: i)
        }

        /// A string from its opening quote, checked as `JSONParser.parseString` checks it: no
        /// control characters, only the eight escapes and `\u` with four hex digits, surrogate
        /// escapes only in pairs, well-formed UTF-8. The raw bytes are checked as UTF-8 with
        /// the escapes still written out: an escape is ASCII text here and a whole character
        /// once decoded, so a string is valid either way exactly when the bytes between its
        /// escapes are.
        mutating func string() throws(Fallback) -> Span {
            i += 1  // the opening quote
            let start = i
            var escaped = false
            var ascii = true
            while i < bytes.count {
                // Eight plain bytes at a time: none a quote, a backslash, a control character
                // or non-ASCII (those take the byte-wise path below).
                if i + 8 <= bytes.count, let base = bytes.baseAddress {
                    let w = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
                    if !Reader.hasSpecialByte(w) {
                        i += 8
                        continue
                    }
                }
                let c = bytes[i]
                if c == UInt8(ascii: "\"") {
                    let end = i
                    i += 1
                    guard ascii || FastDecoder.isValidUTF8(bytes, start, end) else { throw Fallback() }
                    return Span(kind: .string, start: start, end: end, escaped: escaped, ascii: ascii)
                }
                if c == UInt8(ascii: "\\") {
                    escaped = true
                    i += 1
                    guard let e = peek else { throw Fallback() }
                    i += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                        UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        continue
                    case UInt8(ascii: "u"):
                        let scalar = try hex4()
                        if (0xD800...0xDBFF).contains(scalar) {
                            guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u")
                            else { throw Fallback() }
                            i += 2
                            guard (0xDC00...0xDFFF).contains(try hex4()) else { throw Fallback() }
                        } else if (0xDC00...0xDFFF).contains(scalar) {
                            throw Fallback()
                        }
                        continue
                    default:
                        throw Fallback()
                    }
                }
                guard c >= 0x20 else { throw Fallback() }
                if c >= 0x80 { ascii = false }
                i += 1
            }
            throw Fallback()  // unterminated
        }

        static let ones: UInt64 = 0x0101_0101_0101_0101
        static let highs: UInt64 = 0x8080_8080_8080_8080

        /// Whether a byte of `w` is `"`, `\\`, below 0x20 or at least 0x80. The classic
        /// has-zero-byte test `(x − 0x01…) & ~x & 0x80…` may also flag a byte above a true hit,
        /// never miss one: a false alarm only sends eight bytes down the byte-wise path.
        @inline(__always)
        static func hasSpecialByte(_ w: UInt64) -> Bool {
            let quote = w ^ (ones &* 0x22)
            let backslash = w ^ (ones &* 0x5C)
            let zeroQuote = (quote &- ones) & ~quote
            let zeroBackslash = (backslash &- ones) & ~backslash
            let control = (w &- ones &* 0x20) & ~w
            return ((zeroQuote | zeroBackslash | control) & highs) | (w & highs) != 0
        }

        mutating func hex4() throws(Fallback) -> UInt32 {
            guard i + 4 <= bytes.count else { throw Fallback() }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[i]
                let d: UInt32
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
                default: throw Fallback()
                }
                v = v * 16 + d
                i += 1
            }
            return v
        }

        /// An array of flat objects (members with scalar values, no repeated key) from its `[`,
        /// calling `body` with each item's known values; returns the number of items.
        mutating func items(_ body: (Int, Item) throws(Fallback) -> Void) throws(Fallback) -> Int {
            try expect(UInt8(ascii: "["))
            skipSpace()
            if peek == UInt8(ascii: "]") {
                i += 1
                return 0
            }
            var count = 0
            while true {
                skipSpace()
                try body(count, try item())
                count += 1
                skipSpace()
                switch peek {
                case UInt8(ascii: ","): i += 1
                case UInt8(ascii: "]"):
                    i += 1
                    return count
                default: throw Fallback()
                }
            }
        }

        /// One flat object of an array.
        mutating func item() throws(Fallback) -> Item {
            var item = Item()
            var unknown = InlineArray<8, (start: Int, end: Int)>(repeating: (0, 0))
            var unknownCount = 0
            try expect(UInt8(ascii: "{"))
            skipSpace()
            if peek == UInt8(ascii: "}") {
                i += 1
                return item
            }
            while true {
                let key = try self.key()
                let value = try scalar()
                switch Field.named(bytes, key.start, key.end) {
                case .dueOn?:
                    guard !item.dueOn.isPresent else { throw Fallback() }
                    item.dueOn = value
                case .amount?:
                    guard !item.amount.isPresent else { throw Fallback() }
                    item.amount = value
                case .invoice?:
                    guard !item.invoice.isPresent else { throw Fallback() }
                    item.invoice = value
                default:
                    for k in 0..<unknownCount where FastDecoder.sameBytes(bytes, unknown[k].start, unknown[k].end, key.start, key.end) {
                        throw Fallback()
                    }
                    guard unknownCount < FastDecoder.itemUnknownKeysMax, unknownCount < unknown.count else { throw Fallback() }
                    unknown[unknownCount] = (key.start, key.end)
                    unknownCount += 1
                }
                skipSpace()
                switch peek {
                case UInt8(ascii: ","): i += 1
                case UInt8(ascii: "}"):
                    i += 1
                    return item
                default: throw Fallback()
                }
            }
        }
    }

    /// `EventDecoder.decode` on the spans: every check it makes, each failure a fallback.
    struct Decoding {
        let bytes: UnsafeBufferPointer<UInt8>
        var fields = Slots()

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
        }

        func slice(_ s: Span) -> Slice<UnsafeBufferPointer<UInt8>> { bytes[s.start..<s.end] }

        func event() throws(Fallback) -> Event {
            let id = try identifier(fields[.id], max: FeedLimits.idCharsMax)
            let type = try eventType(fields[.type])
            let at = try timestamp(fields[.at])
            let customer: String
            if type.isGlobal {
                guard !fields[.customer].isPresent else { throw Fallback() }
                customer = ""
            } else {
                customer = try identifier(fields[.customer], max: FeedLimits.customerCharsMax)
            }
            let actor = try optionalText(.actor, max: FeedLimits.actorCharsMax)
            let note = try optionalText(.note, max: FeedLimits.noteCharsMax)
            return Event(id: id, type: type, at: at, customer: customer, actor: actor, note: note, body: try body(type))
        }

        func body(_ type: EventType) throws(Fallback) -> EventBody {
            switch type {
            case .customerRegistered:
                guard let name = try optionalText(.name, max: FeedLimits.profileFieldCharsMax) else { throw Fallback() }
                guard let currency = try optionalCurrency() else { throw Fallback() }
                let terms = try requiredInteger(.termsDays, range: 0...FeedLimits.termsDaysMax)
                let limit = try requiredMoney(.creditLimit)
                guard let limitMinor = try? FoldStep.minor(limit, field: "credit_limit", currency: currency), limitMinor >= 0 else {
                    throw Fallback()
                }
                return .customerRegistered(CustomerRegistration(
                    name: name, currency: currency, termsDays: terms, creditLimit: limit,
                    industry: try optionalText(.industry, max: FeedLimits.profileFieldCharsMax),
                    contact: try optionalText(.contact, max: FeedLimits.profileFieldCharsMax),
                    email: try optionalText(.email, max: FeedLimits.profileFieldCharsMax),
                    registeredOn: try optionalDate(.registeredOn)))
            case .customerUpdated:
                return .customerUpdated(CustomerUpdate(
                    name: try optionalText(.name, max: FeedLimits.profileFieldCharsMax),
                    termsDays: try optionalInteger(.termsDays, range: 0...FeedLimits.termsDaysMax),
                    industry: try optionalText(.industry, max: FeedLimits.profileFieldCharsMax),
                    contact: try optionalText(.contact, max: FeedLimits.profileFieldCharsMax),
                    email: try optionalText(.email, max: FeedLimits.profileFieldCharsMax)))
            case .creditLimitChanged:
                let limit = try requiredMoney(.creditLimit)
                guard !limit.negative || limit.digits == 0 else { throw Fallback() }
                return .creditLimitChanged(limit: limit)
            case .invoiceIssued:
                let invoice = try identifier(fields[.invoice], max: FeedLimits.referenceCharsMax)
                let amount = try positiveMoney(fields[.amount])
                let issuedOn = try requiredDate(.issuedOn)
                let dueOn = try optionalDate(.dueOn)
                let installments = try optionalInstallments()
                let currency = try optionalCurrency()
                let due: DueTerms
                switch (dueOn, installments) {
                case (.some, .some): throw Fallback()
                case (.some(let d), nil):
                    guard d >= issuedOn else { throw Fallback() }
                    due = .date(d)
                case (nil, .some(let list)): due = .installments(list)
                case (nil, nil): due = .customerTerms
                }
                return .invoiceIssued(invoice: invoice, amount: amount, issuedOn: issuedOn, due: due, currency: currency)
            case .invoiceAdjusted:
                let invoice = try identifier(fields[.invoice], max: FeedLimits.referenceCharsMax)
                let amount = try requiredMoney(.amount)
                guard amount.digits != 0 else { throw Fallback() }
                return .invoiceAdjusted(invoice: invoice, amount: amount)
            case .invoiceVoided:
                return .invoiceVoided(invoice: try identifier(fields[.invoice], max: FeedLimits.referenceCharsMax))
            case .invoiceWrittenOff:
                let invoice = try identifier(fields[.invoice], max: FeedLimits.referenceCharsMax)
                let amount: DecimalText? = fields[.amount].isPresent ? try positiveMoney(fields[.amount]) : nil
                return .invoiceWrittenOff(invoice: invoice, amount: amount)
            case .paymentReceived:
                let payment = try identifier(fields[.payment], max: FeedLimits.referenceCharsMax)
                let amount = try positiveMoney(fields[.amount])
                let receivedOn = try requiredDate(.receivedOn)
                let currency = try optionalCurrency()
                let allocations = try optionalAllocations()
                return .paymentReceived(payment: payment, amount: amount, receivedOn: receivedOn, currency: currency, allocations: allocations)
            case .paymentReversed:
                return .paymentReversed(payment: try identifier(fields[.payment], max: FeedLimits.referenceCharsMax))
            case .dunningAction:
                let level = try requiredInteger(.level, range: 1...4)
                let channelSpan = fields[.channel]
                guard channelSpan.kind == .string, !channelSpan.escaped,
                    let channel = DunningChannel(rawValue: String(decoding: slice(channelSpan), as: UTF8.self))
                else { throw Fallback() }
                let invoice: String? = fields[.invoice].isPresent ? try identifier(fields[.invoice], max: FeedLimits.referenceCharsMax) : nil
                return .dunningAction(level: level, channel: channel, invoice: invoice)
            case .creditPolicyChanged:
                throw Fallback()  // a policy is an object: the slow path reads it (a rare event)
            case .creditReviewed:
                return .creditReviewed
            case .disputeOpened:
                let invoice = try identifier(fields[.invoice], max: FeedLimits.referenceCharsMax)
                let amount: DecimalText? = fields[.amount].isPresent ? try positiveMoney(fields[.amount]) : nil
                let reason = try optionalText(.reason, max: FeedLimits.reasonCharsMax)
                return .disputeOpened(invoice: invoice, amount: amount, reason: reason)
            case .disputeResolved:
                let invoice = try identifier(fields[.invoice], max: FeedLimits.referenceCharsMax)
                let outcomeSpan = fields[.outcome]
                guard outcomeSpan.kind == .string, !outcomeSpan.escaped,
                    let outcome = DisputeOutcome(rawValue: String(decoding: slice(outcomeSpan), as: UTF8.self))
                else { throw Fallback() }
                return .disputeResolved(invoice: invoice, outcome: outcome)
            case .promiseRecorded:
                let amount = try positiveMoney(fields[.amount])
                let promisedOn = try requiredDate(.promisedOn)
                let invoice: String? = fields[.invoice].isPresent ? try identifier(fields[.invoice], max: FeedLimits.referenceCharsMax) : nil
                return .promiseRecorded(amount: amount, promisedOn: promisedOn, invoice: invoice)
            case .collectionContact:
                let outcomeSpan = fields[.outcome]
                guard outcomeSpan.kind == .string, !outcomeSpan.escaped,
                    let outcome = ContactOutcome(rawValue: String(decoding: slice(outcomeSpan), as: UTF8.self))
                else { throw Fallback() }
                var channel: DunningChannel?
                let channelSpan = fields[.channel]
                if channelSpan.isPresent {
                    guard channelSpan.kind == .string, !channelSpan.escaped,
                        let c = DunningChannel(rawValue: String(decoding: slice(channelSpan), as: UTF8.self))
                    else { throw Fallback() }
                    channel = c
                }
                let invoice: String? = fields[.invoice].isPresent ? try identifier(fields[.invoice], max: FeedLimits.referenceCharsMax) : nil
                return .collectionContact(outcome: outcome, channel: channel, invoice: invoice)
            case .creditNoteIssued:
                let creditNote = try identifier(fields[.creditNote], max: FeedLimits.referenceCharsMax)
                let amount = try positiveMoney(fields[.amount])
                let issuedOn = try requiredDate(.issuedOn)
                let currency = try optionalCurrency()
                let allocations = try optionalAllocations()
                let reason = try optionalText(.reason, max: FeedLimits.reasonCharsMax)
                return .creditNoteIssued(creditNote: creditNote, amount: amount, issuedOn: issuedOn, currency: currency,
                                         allocations: allocations, reason: reason)
            case .creditApplied:
                let source = try creditSource()
                let invoice = try identifier(fields[.invoice], max: FeedLimits.referenceCharsMax)
                return .creditApplied(source: source, invoice: invoice, amount: try positiveMoney(fields[.amount]))
            case .creditRefunded:
                let source = try creditSource()
                let amount = try positiveMoney(fields[.amount])
                return .creditRefunded(source: source, amount: amount, refundedOn: try requiredDate(.refundedOn))
            case .customerAssessed:
                return .customerAssessed(try assessment())
            case .fxRate:
                guard let currency = try optionalCurrency(), let base = try optionalCurrency(.base), currency != base else { throw Fallback() }
                let rate = try money(fields[.rate])
                guard !rate.negative, let r = ExchangeRate(digits: rate.digits, scale: rate.scale) else { throw Fallback() }
                return .fxRate(currency: currency, base: base, rate: r, on: try requiredDate(.on))
            }
        }

        /// `Fields.assessment`: every check it makes, each failure a fallback. `currency` is not read.
        func assessment() throws(Fallback) -> CustomerAssessment {
            let assessedOn = try requiredDate(.assessedOn)
            guard let source = try optionalText(.source, max: FeedLimits.assessmentSourceCharsMax), !source.isEmpty else { throw Fallback() }
            let score = try optionalInteger(.bureauScore, range: 0...100)
            let rating = try optionalText(.bureauRating, max: FeedLimits.bureauRatingCharsMax)
            if let rating, rating.isEmpty { throw Fallback() }
            var figures: [DecimalText?] = Array(repeating: nil, count: FinancialFigure.allCases.count)
            var hasFigures = false
            for figure in FinancialFigure.allCases {
                let s = fields[Field.figure(figure)]
                guard s.isPresent else { continue }
                let m = try money(s)
                guard figure.mayBeNegative || !m.negative || m.digits == 0 else { throw Fallback() }
                figures[figure.rawValue] = m
                hasFigures = true
            }
            let fiscalYearEnd = try optionalDate(.fiscalYearEnd)
            guard score != nil || rating != nil || hasFigures, !hasFigures || fiscalYearEnd != nil else { throw Fallback() }
            return CustomerAssessment(assessedOn: assessedOn, source: source, bureauScore: score, bureauRating: rating, figures: figures,
                                      fiscalYearEnd: fiscalYearEnd)
        }

        /// Exactly one of `payment` and `credit_note` (`Fields.creditSource`).
        func creditSource() throws(Fallback) -> CreditSource {
            switch (fields[.payment].isPresent, fields[.creditNote].isPresent) {
            case (true, false): return .payment(try identifier(fields[.payment], max: FeedLimits.referenceCharsMax))
            case (false, true): return .creditNote(try identifier(fields[.creditNote], max: FeedLimits.referenceCharsMax))
            default: throw Fallback()
            }
        }

        /// A string field as the slow path's String: the same bytes, escapes decoded as
        /// `JSONParser` decodes them. (The reader checked the grammar and the UTF-8.)
        func string(_ s: Span) throws(Fallback) -> String {
            guard s.kind == .string else { throw Fallback() }
            guard s.escaped else { return String(decoding: slice(s), as: UTF8.self) }
            var out: [UInt8] = []
            out.reserveCapacity(s.end - s.start)
            var i = s.start
            while i < s.end {
                let c = bytes[i]
                guard c == UInt8(ascii: "\\") else {
                    out.append(c)
                    i += 1
                    continue
                }
                guard i + 1 < s.end else { throw Fallback() }
                let e = bytes[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "u"):
                    var r = Reader(bytes: UnsafeBufferPointer(rebasing: bytes[..<s.end]), at: i)
                    var scalar = try r.hex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard r.i + 1 < s.end, bytes[r.i] == UInt8(ascii: "\\"), bytes[r.i + 1] == UInt8(ascii: "u") else { throw Fallback() }
                        r.i += 2
                        let low = try r.hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw Fallback() }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw Fallback()
                    }
                    JSONParser.appendUTF8(scalar, to: &out)
                    i = r.i
                default:
                    guard let b = JSONParser.simpleEscape(e) else { throw Fallback() }
                    out.append(b)
                }
            }
            return String(decoding: out, as: UTF8.self)
        }

        /// The bytes of a string field read as a token (type, at, money, dates): an escape falls back.
        func token(_ s: Span) throws(Fallback) -> Slice<UnsafeBufferPointer<UInt8>> {
            guard s.kind == .string, !s.escaped else { throw Fallback() }
            return slice(s)
        }

        /// An id, customer or reference: 1…max of the id alphabet (`EventDecoder.isIdentifier`).
        func identifier(_ s: Span, max: Int) throws(Fallback) -> String {
            guard s.kind == .string, !s.escaped else {
                let text = try string(s)
                guard EventDecoder.isIdentifier(text, max: max) else { throw Fallback() }
                return text
            }
            // Checked on the bytes, which are the String's UTF-8.
            guard EventDecoder.isIdentifier(utf8: slice(s), max: max) else { throw Fallback() }
            return String(decoding: slice(s), as: UTF8.self)
        }

        /// The type whose `name` is exactly the bytes (by length, then bytes); a type not
        /// listed here falls back.
        func eventType(_ s: Span) throws(Fallback) -> EventType {
            let b = try token(s)
            func m(_ t: EventType) -> EventType? {
                var name = t.name  // a literal: its UTF-8 is at hand, nothing is copied
                let same = name.withUTF8 { n in
                    guard n.count == b.count else { return false }
                    for j in 0..<n.count where n[j] != b[b.startIndex + j] { return false }
                    return true
                }
                return same ? t : nil
            }
            let found: EventType?
            switch b.count {
            case 14: found = m(.invoiceIssued) ?? m(.invoiceVoided) ?? m(.dunningAction) ?? m(.disputeOpened) ?? m(.creditApplied)
            case 15: found = m(.creditReviewed) ?? m(.creditRefunded)
            case 16: found = m(.paymentReceived) ?? m(.customerUpdated) ?? m(.invoiceAdjusted) ?? m(.paymentReversed)
                ?? m(.disputeResolved) ?? m(.promiseRecorded)
            case 7: found = m(.fxRate)
            case 17: found = m(.customerAssessed)
            case 18: found = m(.collectionContact) ?? m(.creditNoteIssued)
            case 19: found = m(.customerRegistered) ?? m(.invoiceWrittenOff)
            case 20: found = m(.creditLimitChanged)
            case 21: found = m(.creditPolicyChanged)
            default: found = nil
            }
            guard let found else { throw Fallback() }
            return found
        }

        func timestamp(_ s: Span) throws(Fallback) -> Timestamp {
            guard let t = Timestamp.parse(try token(s)) else { throw Fallback() }
            return t
        }

        /// A text of 0…max characters (Unicode scalars, `Fields.charCount`); nil when absent.
        func optionalText(_ f: Field, max: Int) throws(Fallback) -> String? {
            let s = fields[f]
            guard s.isPresent else { return nil }
            let text = try string(s)
            // ASCII without escapes: one character per byte, as `Fields.charCount` counts.
            let chars = s.ascii && !s.escaped ? s.end - s.start : Fields.charCount(text)
            guard chars <= max else { throw Fallback() }
            return text
        }

        func optionalCurrency(_ f: Field = .currency) throws(Fallback) -> Currency? {
            let s = fields[f]
            guard s.isPresent else { return nil }
            guard let c = Currency(code: try string(s)) else { throw Fallback() }
            return c
        }

        /// A JSON integer written plainly (`-?[0-9]+`, at most 18 digits); other spellings of
        /// whole numbers (`30.0`, `3e1`) fall back. Its value is what `Int64(text)` gives.
        func optionalInteger(_ f: Field, range: ClosedRange<Int>) throws(Fallback) -> Int? {
            let s = fields[f]
            guard s.isPresent else { return nil }
            guard s.kind == .number else { throw Fallback() }
            var i = s.start
            let negative = bytes[i] == UInt8(ascii: "-")
            if negative { i += 1 }
            let digitsMax = 18  // below 10^18: no overflow in Int64; longer integers fall back
            guard s.end > i, s.end - i <= digitsMax else { throw Fallback() }
            var v: Int64 = 0
            while i < s.end {
                let c = bytes[i]
                guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { throw Fallback() }
                v = v * 10 + Int64(c - UInt8(ascii: "0"))
                i += 1
            }
            guard let value = Int(exactly: negative ? -v : v), range.contains(value) else { throw Fallback() }
            return value
        }

        func requiredInteger(_ f: Field, range: ClosedRange<Int>) throws(Fallback) -> Int {
            guard let v = try optionalInteger(f, range: range) else { throw Fallback() }
            return v
        }

        func money(_ s: Span) throws(Fallback) -> DecimalText {
            guard let m = try? DecimalText(utf8: try token(s)) else { throw Fallback() }
            return m
        }

        func requiredMoney(_ f: Field) throws(Fallback) -> DecimalText { try money(fields[f]) }

        func positiveMoney(_ s: Span) throws(Fallback) -> DecimalText {
            let m = try money(s)
            guard !m.negative, m.digits > 0 else { throw Fallback() }
            return m
        }

        func date(_ s: Span) throws(Fallback) -> Day {
            guard let d = Day.parse(try token(s)) else { throw Fallback() }
            return d
        }

        func requiredDate(_ f: Field) throws(Fallback) -> Day { try date(fields[f]) }

        func optionalDate(_ f: Field) throws(Fallback) -> Day? {
            let s = fields[f]
            guard s.isPresent else { return nil }
            return try date(s)
        }

        /// `installments`: nil when absent; a list of 1…installmentsMax items, each with a
        /// positive amount and a due date (an empty list is the slow path's rejection).
        func optionalInstallments() throws(Fallback) -> [(dueOn: Day, amount: DecimalText)]? {
            let s = fields[.installments]
            guard s.isPresent else { return nil }
            guard s.kind == .array, s.items > 0, s.items <= FeedLimits.installmentsMax else { throw Fallback() }
            var list: [(dueOn: Day, amount: DecimalText)] = []
            list.reserveCapacity(s.items)
            var reader = Reader(bytes: bytes, at: s.start)
            _ = try reader.items { (_: Int, item: Item) throws(Fallback) in
                guard item.dueOn.isPresent else { throw Fallback() }
                list.append((try date(item.dueOn), try positiveMoney(item.amount)))
            }
            return list
        }

        /// `allocations`: none when absent or empty; at most allocationsMax, each naming an
        /// invoice with an amount ≥ 0.
        func optionalAllocations() throws(Fallback) -> [PaymentAllocation] {
            let s = fields[.allocations]
            guard s.isPresent else { return [] }
            guard s.kind == .array, s.items <= FeedLimits.allocationsMax else { throw Fallback() }
            guard s.items > 0 else { return [] }
            var list: [PaymentAllocation] = []
            list.reserveCapacity(s.items)
            var reader = Reader(bytes: bytes, at: s.start)
            _ = try reader.items { (_: Int, item: Item) throws(Fallback) in
                let amount = try money(item.amount)
                guard !amount.negative || amount.digits == 0 else { throw Fallback() }
                list.append(PaymentAllocation(invoice: try identifier(item.invoice, max: FeedLimits.referenceCharsMax), amount: amount))
            }
            return list
        }
    }
}

