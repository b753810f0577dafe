import ArlogDomain

/// The spellings and shapes of events that feed contract v1 allows and real systems send,
/// beyond the generator's plain output (compact JSON, fixed key order, ASCII text, whole
/// seconds, exact fraction digits, `\n`). Each is one option; `rich` is all of them.
///
/// Shapes never change what an event means (its amounts, dates, references and the state they
/// lead to), except `late-entries` and `fractions`, which move `at` within what every rule
/// allows, and `text`, which changes names and notes. So a rich feed and the plain feed of the
/// same seed have the same events and, customer by customer, the same money figures.
public struct FeedShapes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Members of every object in a shuffled order.
    public static let keyOrder = FeedShapes(rawValue: 1 << 0)
    /// Spaces and tabs between tokens and around the object.
    public static let whitespace = FeedShapes(rawValue: 1 << 1)
    /// Optional escapes: `\/`, `\uXXXX` for any character (surrogate pairs beyond the BMP),
    /// `\b \f \n \r \t` or `\u00XX` for control characters, in keys and values.
    public static let escapes = FeedShapes(rawValue: 1 << 2)
    /// Names, contacts, notes and actors in other scripts, with quotes, backslashes, control
    /// characters, combining marks and emoji; empty actors and notes; texts at their limits.
    public static let text = FeedShapes(rawValue: 1 << 3)
    /// `at` with any offset (`+05:45`, `-00:00`, `+14:00` …), `t`/`z` in lower case, or a
    /// space between date and time.
    public static let offsets = FeedShapes(rawValue: 1 << 4)
    /// `at` with sub-second instants and fractions of any length (digits past nanoseconds are
    /// truncated by the engine, so they do not move the instant).
    public static let fractions = FeedShapes(rawValue: 1 << 5)
    /// Unknown top-level fields: strings, numbers of any spelling, booleans, null, nested
    /// objects and arrays (empty ones too).
    public static let unknownFields = FeedShapes(rawValue: 1 << 6)
    /// Money with fewer fraction digits than the currency has (`"5"`, `"5.5"` for 5.50),
    /// leading zeros, and `"-0"` for a zero credit limit.
    public static let shortMoney = FeedShapes(rawValue: 1 << 7)
    /// `\r\n` line ends.
    public static let crlf = FeedShapes(rawValue: 1 << 8)
    /// Blank lines (empty, or spaces and tabs) between events.
    public static let blankLines = FeedShapes(rawValue: 1 << 9)
    /// Events whose `at` is earlier than events already in the log (a payment keyed in days
    /// later), never earlier than what they name.
    public static let lateEntries = FeedShapes(rawValue: 1 << 10)
    /// An event sent twice, the second time spelled differently (key order, whitespace,
    /// escapes): a duplicate, skipped by the engine.
    public static let duplicates = FeedShapes(rawValue: 1 << 11)
    /// Empty optional lists: `"allocations": []` on payments without explicit allocations.
    public static let emptyLists = FeedShapes(rawValue: 1 << 12)

    public static let plain: FeedShapes = []
    public static let rich: FeedShapes = FeedShapes(names.map(\.shape))

    /// Every shape by its command-line name, in documentation order.
    public static let names: [(name: String, shape: FeedShapes)] = [
        ("key-order", .keyOrder), ("whitespace", .whitespace), ("escapes", .escapes), ("text", .text),
        ("offsets", .offsets), ("fractions", .fractions), ("unknown-fields", .unknownFields),
        ("short-money", .shortMoney), ("crlf", .crlf), ("blank-lines", .blankLines),
        ("late-entries", .lateEntries), ("duplicates", .duplicates), ("empty-lists", .emptyLists),
    ]

    /// Parses `plain`, `rich`, or a comma-separated list of shape names, where `rich` and
    /// names may be combined and a name after `-` is taken out (`rich,-empty-lists`).
    public init?(parsing text: String) {
        var shapes: FeedShapes = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let remove = item.hasPrefix("-")
            let name = remove ? item.dropFirst() : item
            let shape: FeedShapes
            switch name {
            case "plain": shape = .plain
            case "rich": shape = .rich
            default:
                guard let found = FeedShapes.names.first(where: { $0.name == name }) else { return nil }
                shape = found.shape
            }
            if remove { shapes.subtract(shape) } else { shapes.formUnion(shape) }
        }
        self = shapes
    }
}

/// Rewrites one event, written plainly by `Emitter`, in the spellings `shapes` ask for, and
/// returns its line (or lines: blank lines before it, a duplicate after it) with line ends.
///
/// It parses the event with the engine's own parser, changes values where a shape means it
/// (`at`, money, texts, unknown fields, empty lists: decided once per event), then writes the
/// tree with its own writer (key order, whitespace, escapes: chosen again for a duplicate, which
/// must be equal as parsed JSON, not as bytes).
struct Shaper {
    let shapes: FeedShapes
    var rng: Xoshiro256StarStar
    private(set) var duplicates = 0
    private(set) var blanks = 0
    private var out: [UInt8] = []

    init(shapes: FeedShapes, rng: Xoshiro256StarStar) {
        self.shapes = shapes
        self.rng = rng
        out.reserveCapacity(4096)
    }

    mutating func respell(_ event: UnsafeRawBufferPointer) -> [UInt8] {
        guard var object = try? JSONParser.parseObject(event) else {
            preconditionFailure("the generator wrote an event that is not JSON: \(String(decoding: event, as: UTF8.self))")
        }
        changeValues(&object)
        if shapes.contains(.blankLines) && rng.chance(perMille: 20) {
            let blank: [StaticString] = ["", " ", "\t", "  \t ", "    "]
            lit(blank[rng.below(blank.count)])
            lineEnd()
            blanks += 1
        }
        line(object)
        if shapes.contains(.duplicates) && rng.chance(perMille: 15) {
            line(object)
            duplicates += 1
        }
        return out
    }

    // MARK: values (what the event says, decided once)

    mutating func changeValues(_ o: inout JSONObject) {
        if shapes.contains(.offsets) || shapes.contains(.fractions), case .string(let text)? = o["at"],
            let at = Timestamp(parsing: text)
        {
            set(&o, "at", .string(respellAt(at, plain: text)))
        }
        if shapes.contains(.shortMoney) { shortenMoney(&o) }
        if shapes.contains(.text) { changeTexts(&o) }
        if shapes.contains(.emptyLists), o["type"] == .string("payment.received"), o["allocations"] == nil,
            rng.chance(perMille: 300)
        {
            o.members.append(("allocations", .array([])))
        }
        if shapes.contains(.unknownFields) && rng.chance(perMille: 250) {
            for _ in 0..<(1 + rng.below(3)) { addUnknownField(&o) }
        }
    }

    func set(_ o: inout JSONObject, _ key: String, _ value: JSONValue) {
        guard let i = o.members.firstIndex(where: { $0.key == key }) else { return }
        o.members[i].value = value
    }

    /// Offsets real systems use, in minutes east of UTC, with how they are written. `-00:00` is
    /// RFC 3339's "offset unknown": the same instant as `Z`.
    static let offsets: [(minutes: Int, text: String)] = [
        (0, "Z"), (0, "z"), (0, "+00:00"), (0, "-00:00"), (60, "+01:00"), (-210, "-03:30"), (330, "+05:30"),
        (345, "+05:45"), (480, "+08:00"), (525, "+08:45"), (540, "+09:00"), (765, "+12:45"), (840, "+14:00"),
        (-300, "-05:00"), (-570, "-09:30"), (-720, "-12:00"), (-59, "-00:59"), (1439, "+23:59"),
    ]

    /// The same instant (to the nanosecond) in another spelling: a random offset and separator,
    /// and a fraction of any length that the engine's truncation to nanoseconds reads back
    /// exactly.
    mutating func respellAt(_ at: Timestamp, plain: String) -> String {
        guard shapes.contains(.offsets) || at.nanos == 0 || rng.chance(perMille: 500) else { return plain }
        var offset = (minutes: 0, text: "Z")
        var separator = "T"
        if shapes.contains(.offsets) {
            offset = Shaper.offsets[rng.below(Shaper.offsets.count)]
            separator = ["T", "T", "t", " "][rng.below(4)]
        }
        let local = at.seconds + Int64(offset.minutes) * 60
        let day = Timestamp(seconds: local).utcDay
        guard day.isRepresentable else { return plain }
        let second = Int(local - Int64(day.number) * 86_400)
        var text = day.description + separator + Shaper.two(second / 3600) + ":" + Shaper.two(second / 60 % 60)
            + ":" + Shaper.two(second % 60)
        if shapes.contains(.fractions) {
            text += fraction(at.nanos)
        } else if at.nanos > 0 {
            text += "." + Shaper.nine(at.nanos)
        }
        return text + offset.text
    }

    /// `.` and the nanoseconds written with 1 to 9 digits (as few as they need, or padded),
    /// or with up to 20 more digits that the engine truncates; nothing for a whole second
    /// now and then.
    mutating func fraction(_ nanos: Int32) -> String {
        var digits = Shaper.nine(nanos)
        switch rng.below(4) {
        case 0:
            if nanos == 0 && rng.chance(perMille: 500) { return "" }
            while digits.count > 1 && digits.hasSuffix("0") { digits.removeLast() }
        case 1:
            break
        default:
            for _ in 0..<(1 + rng.below(20)) { digits.append(Character(String(rng.below(10)))) }
        }
        return "." + digits
    }

    static func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

    static func nine(_ v: Int32) -> String {
        let s = String(v)
        return String(repeating: "0", count: 9 - s.count) + s
    }

    /// Money keys: top level, and inside installments and allocations.
    static let moneyKeys: Set<String> = [
        "amount", "credit_limit", "x_model_open", "x_model_invoice_open",
        // Feed v1.3's financial figures.
        "revenue", "total_assets", "total_liabilities", "current_assets", "current_liabilities", "equity", "operating_cash_flow",
    ]

    mutating func shortenMoney(_ o: inout JSONObject) {
        for i in o.members.indices {
            switch o.members[i].value {
            case .string(let text) where Shaper.moneyKeys.contains(o.members[i].key):
                o.members[i].value = .string(shorten(text))
            case .array(let items) where o.members[i].key == "installments" || o.members[i].key == "allocations":
                var changed = items
                for k in changed.indices {
                    guard case .object(var item) = changed[k] else { continue }
                    shortenMoney(&item)
                    changed[k] = .object(item)
                }
                o.members[i].value = .array(changed)
            default:
                break
            }
        }
    }

    /// `1234.50` → `1234.5`, `1234.00` → `1234` or `1234.0`, now and then `01234.50`; a zero
    /// may become `-0` or `-0.00`. The value is the same; the contract bounds only the digits.
    mutating func shorten(_ text: String) -> String {
        guard rng.chance(perMille: 400), !text.hasPrefix("-") else { return text }
        var s = text
        if s.contains(".") {
            let keep = rng.below(3)
            var dropped = 0
            while s.hasSuffix("0") && (keep == 0 || dropped < keep) {
                s.removeLast()
                dropped += 1
            }
            if s.hasSuffix(".") { s.removeLast() }
        }
        if s.allSatisfy({ $0 == "0" || $0 == "." }) && rng.chance(perMille: 500) { return "-" + s }
        if rng.chance(perMille: 50) { s = String(repeating: "0", count: 1 + rng.below(3)) + s }
        return s
    }

    // MARK: texts

    /// Names as billing systems hold them: other scripts, quotes, backslashes, an ampersand.
    static let names: [String] = [
        "Müller & Söhne GmbH", "Ærø Fiskeri ApS", "Łódź Logistyka sp. z o.o.", "株式会社カイジュウ",
        "Ωμέγα Συστήματα ΑΕ", "شركة اللؤلؤة ذ.م.م", "Café \"Zum Löwen\" KG", "O'Brien \\ Partners Ltd",
        "École du Nord SARL", "Ｆｕｌｌｗｉｄｔｈ Trading", "Příliš žluťoučký kůň s.r.o.",
        "서울 무역 주식회사", "Kaffee\u{00A0}Haus AG", "🚚 Fast Freight LLC", "Zoë's Bakery", "e\u{0301}tude SA",
    ]
    /// Notes with line breaks, tabs and other control characters, emoji, a zero-width joiner,
    /// a line separator, and a NUL (JSON allows any character escaped).
    static let notes: [String] = [
        "Zahlung per Überweisung – Verwendungszweck fehlt", "line one\nline two\r\nline three",
        "tab\tseparated\tvalues", "bell\u{07} backspace\u{08} form feed\u{0C} escape\u{1B}",
        "quoted \"PO 4471-A\" and C:\\exports\\feed.csv", "path /var/spool/ar/in", "支払いは来週の予定です",
        "👩‍💼 approved by 🧾 desk", "mixed ✓ ✗ → ← ½ ¾ €", "line\u{2028}separator and paragraph\u{2029}separator",
        "nul\u{0000}inside", "right-to-left \u{200F}שלום\u{200F} mark", "BOM \u{FEFF} inside",
        "del\u{7F}char", "",
    ]
    static let actors: [String] = [
        "Zoë Ødegård", "李雷", "bot/ingest-7", "ar-clerk-3 (night shift)", "", "user@例え.jp", "😀",
        "\"quoted\" actor", "back\\slash",
    ]

    mutating func changeTexts(_ o: inout JSONObject) {
        for i in o.members.indices {
            guard case .string = o.members[i].value, rng.chance(perMille: 300) else { continue }
            switch o.members[i].key {
            case "name": o.members[i].value = .string(pick(Shaper.names, limit: FeedLimits.profileFieldCharsMax))
            case "contact", "industry": o.members[i].value = .string(pick(Shaper.names, limit: FeedLimits.profileFieldCharsMax))
            case "note": o.members[i].value = .string(pick(Shaper.notes, limit: FeedLimits.noteCharsMax, allowEmpty: true))
            case "actor": o.members[i].value = .string(pick(Shaper.actors, limit: FeedLimits.actorCharsMax, allowEmpty: true))
            default: break
            }
        }
        if o["actor"] == nil && rng.chance(perMille: 30) {
            o.members.append(("actor", .string(pick(Shaper.actors, limit: FeedLimits.actorCharsMax, allowEmpty: true))))
        }
        if o["note"] == nil && rng.chance(perMille: 30) {
            o.members.append(("note", .string(pick(Shaper.notes, limit: FeedLimits.noteCharsMax, allowEmpty: true))))
        }
    }

    /// One of `list`, or now and then one exactly `limit` characters (Unicode scalars) long,
    /// of two-byte or four-byte characters: the longest text the contract allows.
    mutating func pick(_ list: [String], limit: Int, allowEmpty: Bool = false) -> String {
        if rng.chance(perMille: 20) {
            let unit = ["ß", "é", "😀", "a"][rng.below(4)]
            return String(repeating: unit, count: limit)
        }
        var s = list[rng.below(list.count)]
        if s.isEmpty && !allowEmpty { s = list[0] }
        return s
    }

    // MARK: unknown fields

    /// Unknown top-level fields as upstream systems add them (the text of each value; keys
    /// that differ from the contract's only in case are unknown too).
    static let unknownFields: [(key: String, value: JSONValue)] = [
        ("x_source", #""erp-7""#), ("schema_version", "1"), ("schema", #""1.0""#),
        ("ext", #"{"batch":4711,"tags":["a","b"],"ok":true,"n":null,"ratio":0.25,"exp":1.5E+3}"#),
        ("lines", "[]"), ("meta", "{}"), ("trace_id", #""00-4bf92f3577b34da6-00f067aa0ba902b7-01""#),
        ("received_at", #""2024-06-30T23:59:60Z""#), ("tags", #"["β",-0.0,null,[]]"#),
        ("Amount", #""not the amount""#), ("ID", #""not the id""#), ("ключ", #""значение""#),
        ("x_ratio", "-12.5e-3"), ("x_big", "123456789012345678901234567890"), ("x_flag", "false"),
        ("x_none", "null"), ("deep", #"{"a":{"b":{"c":[[[1]]]}}}"#),
    ].map { ($0.0, Shaper.parse($0.1)) }

    static func parse(_ text: String) -> JSONValue {
        guard let o = try? JSONParser.parseObject(Array("{\"v\":\(text)}".utf8)), let v = o["v"] else {
            preconditionFailure("not JSON: \(text)")
        }
        return v
    }

    mutating func addUnknownField(_ o: inout JSONObject) {
        let field = Shaper.unknownFields[rng.below(Shaper.unknownFields.count)]
        guard o[field.key] == nil else { return }
        o.members.append(field)
    }

    // MARK: spelling (chosen for each copy)

    /// How much optional escaping a line gets: none mostly, some, or every character.
    private var escapePerMille = 0
    private var spacing = 0

    mutating func line(_ object: JSONObject) {
        escapePerMille = 0
        if shapes.contains(.escapes) {
            let r = rng.below(100)
            escapePerMille = r < 70 ? 0 : (r < 97 ? 100 : 1000)
        }
        spacing = shapes.contains(.whitespace) ? [0, 0, 0, 1, 1, 2][rng.below(6)] : 0
        if spacing == 2 { space() }
        value(.object(object))
        if spacing == 2 { space() }
        lineEnd()
    }

    mutating func lineEnd() {
        if shapes.contains(.crlf) && rng.chance(perMille: 300) { out.append(0x0D) }
        out.append(0x0A)
    }

    mutating func lit(_ s: StaticString) {
        s.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    /// Space between tokens: none (compact), one after `:` and `,` (pretty), or random runs
    /// of spaces and tabs anywhere JSON allows them.
    mutating func space(after token: UInt8 = 0) {
        switch spacing {
        case 1: if token == UInt8(ascii: ":") || token == UInt8(ascii: ",") { out.append(0x20) }
        case 2:
            for _ in 0..<rng.below(3) { out.append(rng.chance(perMille: 700) ? 0x20 : 0x09) }
        default: break
        }
    }

    mutating func token(_ c: UInt8) {
        if spacing == 2 { space() }
        out.append(c)
        space(after: c)
    }

    mutating func value(_ v: JSONValue) {
        switch v {
        case .null: lit("null")
        case .bool(let b): if b { lit("true") } else { lit("false") }
        case .number(let n): out.append(contentsOf: n.text.utf8)
        case .string(let s): string(s)
        case .array(let items):
            token(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { token(UInt8(ascii: ",")) }
                value(item)
            }
            token(UInt8(ascii: "]"))
        case .object(let o):
            var members = o.members
            if shapes.contains(.keyOrder) && rng.chance(perMille: 700) {
                var i = members.count - 1
                while i > 0 {
                    members.swapAt(i, rng.below(i + 1))
                    i -= 1
                }
            }
            token(UInt8(ascii: "{"))
            for (i, m) in members.enumerated() {
                if i > 0 { token(UInt8(ascii: ",")) }
                string(m.key)
                token(UInt8(ascii: ":"))
                value(m.value)
            }
            token(UInt8(ascii: "}"))
        }
    }

    static let hex = Array("0123456789abcdef".utf8)
    static let hexUpper = Array("0123456789ABCDEF".utf8)

    /// A JSON string. Quotes, backslashes and control characters are always escaped (the
    /// short form or `\u00XX`); with `escapes`, any other character may be too.
    mutating func string(_ s: String) {
        out.append(UInt8(ascii: "\""))
        for scalar in s.unicodeScalars {
            let v = scalar.value
            let optional = escapePerMille > 0 && rng.chance(perMille: escapePerMille)
            switch v {
            case 0x22: if optional { unicodeEscape(v) } else { out.append(contentsOf: [0x5C, 0x22]) }
            case 0x5C: if optional { unicodeEscape(v) } else { out.append(contentsOf: [0x5C, 0x5C]) }
            case 0x08, 0x0C, 0x0A, 0x0D, 0x09:
                if optional {
                    unicodeEscape(v)
                } else {
                    out.append(0x5C)
                    switch v {
                    case 0x08: out.append(UInt8(ascii: "b"))
                    case 0x0C: out.append(UInt8(ascii: "f"))
                    case 0x0A: out.append(UInt8(ascii: "n"))
                    case 0x0D: out.append(UInt8(ascii: "r"))
                    default: out.append(UInt8(ascii: "t"))
                    }
                }
            case 0..<0x20: unicodeEscape(v)
            case 0x2F where optional && rng.chance(perMille: 500): out.append(contentsOf: [0x5C, 0x2F])
            default:
                if optional {
                    unicodeEscape(v)
                } else {
                    UTF8.encode(scalar) { out.append($0) }
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `\uXXXX`, in upper or lower case hex; a surrogate pair beyond the BMP.
    mutating func unicodeEscape(_ v: UInt32) {
        let digits = rng.chance(perMille: 500) ? Shaper.hex : Shaper.hexUpper
        func four(_ u: UInt32) {
            out.append(contentsOf: [0x5C, UInt8(ascii: "u")])
            for shift in stride(from: 12, through: 0, by: -4) { out.append(digits[Int((u >> UInt32(shift)) & 0xF)]) }
        }
        if v >= 0x10000 {
            let w = v - 0x10000
            four(0xD800 + (w >> 10))
            four(0xDC00 + (w & 0x3FF))
        } else {
            four(v)
        }
    }
}
