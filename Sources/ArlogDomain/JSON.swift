/// A small, strict JSON parser for feed lines (RFC 8259), working on bytes.
///
/// Foundation's JSONDecoder manages about 100,000 small objects/s here; the ingest path needs
/// several times that, so the feed is parsed byte by byte into this minimal tree. Strings are
/// checked for valid UTF-8; duplicate keys in one object are an error (they make the event's
/// meaning ambiguous); nesting is bounded so a hostile line cannot exhaust the stack. Every
/// step is linear in the line's length (docs/feed.md, "Lines"); JSONDifferentialTests checks
/// the grammar against Foundation's parser.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's literal text, as written (exactness: no binary floating point).
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// A short name of the JSON type, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// Equal as parsed JSON: objects by key in any order, numbers by value, strings decoded.
    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        var lookups = 0
        return equal(a, b, lookups: &lookups)
    }

    /// `==`, counting the key lookups made in objects (tests assert they grow linearly).
    static func equal(_ a: JSONValue, _ b: JSONValue, lookups: inout Int) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)):
            guard x.count == y.count else { return false }
            for i in x.indices where !equal(x[i], y[i], lookups: &lookups) { return false }
            return true
        case (.object(let x), .object(let y)): return JSONObject.equal(x, y, lookups: &lookups)
        default: return false
        }
    }
}

/// A JSON number kept as its literal text; equality is numeric (`1`, `1.0` and `10e-1` are equal).
public struct JSONNumber: Sendable, Equatable, CustomStringConvertible {
    public let text: String

    /// Exponent digits compared numerically; longer exponents (beyond any sane feed) compare
    /// by text, which can only make two equal values unequal, never the reverse.
    static let exponentDigitsMax = 15

    public var description: String { text }

    /// The value when the literal is a plain integer (`-?[0-9]+`, no fraction or exponent).
    public var integer: Int64? {
        guard !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else { return nil }
        return Int64(text)
    }

    /// The value when the number is whole, however it is written: `30`, `30.0`, `3e1`, `300e-1`
    /// and `-0` (0) are whole; `30.5` and `1e-9` are not. `.tooLarge` when it is whole but
    /// beyond Int64 (`1e30`), or its exponent has more digits than `exponentDigitsMax`.
    public enum Whole: Equatable, Sendable {
        case value(Int64)
        case fraction
        case tooLarge
    }

    public var whole: Whole {
        if let i = integer { return .value(i) }
        let plain = !text.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") })
        if plain { return .tooLarge }  // an integer literal Int64 cannot hold
        guard let n = normalized else {
            // An exponent of more than 15 digits: 0 × anything is 0; otherwise a huge
            // positive exponent is too large, a huge negative one leaves a fraction.
            let isE = { (c: UInt8) in c == UInt8(ascii: "e") || c == UInt8(ascii: "E") }
            let mantissa = text.utf8.prefix { !isE($0) }
            if !mantissa.contains(where: { $0 >= UInt8(ascii: "1") && $0 <= UInt8(ascii: "9") }) { return .value(0) }
            return text.utf8.drop(while: { !isE($0) }).dropFirst().first == UInt8(ascii: "-") ? .fraction : .tooLarge
        }
        if n.digits.isEmpty { return .value(0) }
        guard n.exponent >= 0 else { return .fraction }
        guard n.digits.count + n.exponent <= 19 else { return .tooLarge }
        var v: Int64 = 0
        for d in n.digits {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(d))
            guard !o1, !o2 else { return .tooLarge }
            v = a
        }
        for _ in 0..<n.exponent {
            let (m, o) = v.multipliedReportingOverflow(by: 10)
            guard !o else { return .tooLarge }
            v = m
        }
        return .value(n.negative ? -v : v)
    }

    /// Sign, significant digits without leading or trailing zeros, and decimal exponent:
    /// the exact value in a form where equal numbers have equal representations.
    /// Nil when the written exponent has more digits than an Int can hold exactly; such
    /// numbers compare by their text.
    var normalized: (negative: Bool, digits: [UInt8], exponent: Int)? {
        var negative = false
        var digits = [UInt8]()
        var exponent = 0
        var fraction = false
        var exp = 0
        var expSign = 1
        var inExp = false
        var expDigits = 0
        for c in text.utf8 {
            switch c {
            case UInt8(ascii: "-") where !inExp: negative = true
            case UInt8(ascii: "-"): expSign = -1
            case UInt8(ascii: "+"): break
            case UInt8(ascii: "."): fraction = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"): inExp = true
            default:
                let d = c - UInt8(ascii: "0")
                if inExp {
                    if exp == 0 && d == 0 { continue }
                    expDigits += 1
                    guard expDigits <= JSONNumber.exponentDigitsMax else { return nil }
                    exp = exp * 10 + Int(d)
                } else {
                    if !(digits.isEmpty && d == 0) { digits.append(d) }
                    if fraction { exponent -= 1 }
                }
            }
        }
        // Each fraction digit, even a dropped leading zero, moved the exponent down by one.
        exponent += exp * expSign
        while let last = digits.last, last == 0 {
            digits.removeLast()
            exponent += 1
        }
        if digits.isEmpty { return (false, [], 0) }
        return (negative, digits, exponent)
    }

    public static func == (a: JSONNumber, b: JSONNumber) -> Bool {
        if a.text == b.text { return true }
        guard let x = a.normalized, let y = b.normalized else { return false }
        return x.negative == y.negative && x.digits == y.digits && x.exponent == y.exponent
    }
}

/// A JSON object: its members in the order written, keys unique (the parser refuses a repeated
/// key). Feed objects are small, so lookup by key is a linear scan.
public struct JSONObject: Sendable, Equatable {
    public var members: [(key: String, value: JSONValue)]

    public init(members: [(key: String, value: JSONValue)] = []) {
        self.members = members
    }

    public subscript(key: String) -> JSONValue? {
        for member in members where member.key == key { return member.value }
        return nil
    }

    /// Equal as parsed JSON: the same keys with equal values, in any order.
    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        var lookups = 0
        return equal(a, b, lookups: &lookups)
    }

    /// Objects with at most this many members are compared by scanning `b` for each key of `a`
    /// (at most 16 × 16 string comparisons, no allocation: feed events have about ten members);
    /// larger ones index `b`'s keys in a dictionary first, so that comparing two 1 MiB lines of
    /// 100,000 keys each (a duplicate of a hostile line) costs linear time, not quadratic.
    static let scanMembersMax = 16

    /// `==`, counting key comparisons and dictionary lookups in `lookups`. Keys are unique in
    /// both objects (the parser guarantees it), so equal counts and every key of `a` found
    /// with an equal value in `b` means equal.
    static func equal(_ a: JSONObject, _ b: JSONObject, lookups: inout Int) -> Bool {
        guard a.members.count == b.members.count else { return false }
        if a.members.count <= scanMembersMax {
            outer: for member in a.members {
                for other in b.members {
                    lookups += 1
                    if other.key == member.key {
                        guard JSONValue.equal(member.value, other.value, lookups: &lookups) else { return false }
                        continue outer
                    }
                }
                return false
            }
            return true
        }
        var index: [String: Int] = [:]
        index.reserveCapacity(b.members.count)
        for (i, member) in b.members.enumerated() {
            lookups += 1
            index[member.key] = i
        }
        for member in a.members {
            lookups += 1
            guard let i = index[member.key],
                JSONValue.equal(member.value, b.members[i].value, lookups: &lookups)
            else { return false }
        }
        return true
    }
}

/// Why a line is not JSON, with the byte offset where parsing stopped.
public struct JSONSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    public let offset: Int
    public let reason: String
    public var description: String { "invalid JSON at byte \(offset + 1): \(reason)" }
}

public struct JSONParser {
    /// The byte a one-character escape (`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`) stands
    /// for; nil for any other character (`\u` is read separately). Both decoders use it.
    @inline(__always)
    static func simpleEscape(_ e: UInt8) -> UInt8? {
        switch e {
        case UInt8(ascii: "\""): 0x22
        case UInt8(ascii: "\\"): 0x5C
        case UInt8(ascii: "/"): 0x2F
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        default: nil
        }
    }

    /// Deepest nesting accepted, in levels: a limit, because the parser is recursive and a
    /// hostile line must not exhaust the stack. Feed events nest three levels (event →
    /// installments → item); unknown fields may nest up to this.
    public static let depthMax = 32

    /// Parses one complete JSON text that must be an object, with nothing after it but spaces.
    public static func parseObject(_ bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> JSONObject {
        var parser = JSONParser(bytes: bytes)
        return try parser.parseWholeObject()
    }

    mutating func parseWholeObject() throws(JSONSyntaxError) -> JSONObject {
        skipSpace()
        guard peek() == UInt8(ascii: "{") else {
            if index + 2 < bytes.count, bytes[index] == 0xEF, bytes[index + 1] == 0xBB, bytes[index + 2] == 0xBF {
                throw error("a byte-order mark (U+FEFF) is accepted only at the start of a line")
            }
            throw error(index >= bytes.count ? "empty line" : "an event must be a JSON object")
        }
        let value = try parseValue(depth: 0)
        skipSpace()
        guard index == bytes.count else { throw error("unexpected text after the object") }
        guard case .object(let object) = value else { throw error("an event must be a JSON object") }
        return object
    }

    /// A key or value quoted in an error message, cut to a readable length (a hostile line may
    /// hold a key of a megabyte).
    static func excerpt(_ s: String) -> String {
        let charsMax = 64  // enough to recognise a key; the rejects file keeps the whole line
        var count = 0
        for i in s.unicodeScalars.indices {
            count += 1
            if count > charsMax { return String(s.unicodeScalars[..<i]) + "…" }
        }
        return s
    }

    public static func parseObject(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONObject {
        try parseObjectCounting(bytes).object
    }

    /// `parseObject`, also returning how many key comparisons (or hash-set insertions) the
    /// repeated-key check made: tests assert that it grows linearly with the number of keys.
    static func parseObjectCounting(_ bytes: [UInt8]) throws(JSONSyntaxError) -> (object: JSONObject, keyComparisons: Int) {
        // withUnsafeBytes rethrows untyped errors; a Result carries the typed one across.
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONSyntaxError) -> (object: JSONObject, keyComparisons: Int) in
                var parser = JSONParser(bytes: raw)
                let object = try parser.parseWholeObject()
                return (object, parser.keyComparisons)
            }
        }
        return try result.get()
    }

    let bytes: UnsafeRawBufferPointer
    var index = 0
    /// Key comparisons and hash-set insertions of the repeated-key check (see `parseObjectCounting`).
    var keyComparisons = 0

    /// Objects with at most this many members look for a repeated key by comparing the new key
    /// with each earlier one (no allocation: feed events have about ten members, and this is
    /// ingest's hot path); from then on the keys go into a hash set, so that a 1 MiB line of
    /// 100,000 keys is checked in linear time, not quadratic.
    static let keyScanMembersMax = 16

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    func error(_ reason: String) -> JSONSyntaxError { JSONSyntaxError(offset: index, reason: reason) }

    func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func expect(_ literal: StaticString, _ value: JSONValue) throws(JSONSyntaxError) -> JSONValue {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("unexpected end of line") }
        let ok = literal.withUTF8Buffer { lit in
            for i in 0..<count where bytes[index + i] != lit[i] { return false }
            return true
        }
        guard ok else { throw error("unexpected character") }
        index += count
        return value
    }

    mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth < JSONParser.depthMax else { throw error("nested deeper than \(JSONParser.depthMax) levels") }
        skipSpace()
        guard let c = peek() else { throw error("unexpected end of line") }
        switch c {
        case UInt8(ascii: "{"):
            index += 1
            var members: [(key: String, value: JSONValue)] = []
            // Every key so far, once the object has more than keyScanMembersMax members.
            var keys: Set<String>? = nil
            skipSpace()
            if peek() == UInt8(ascii: "}") {
                index += 1
                return .object(JSONObject(members: members))
            }
            while true {
                skipSpace()
                guard peek() == UInt8(ascii: "\"") else { throw error("expected a quoted key") }
                let keyStart = index
                let key = try parseString()
                let repeated: Bool
                if keys != nil {
                    keyComparisons += 1
                    repeated = !keys!.insert(key).inserted
                } else {
                    var found = false
                    for member in members {
                        keyComparisons += 1
                        if member.key == key {
                            found = true
                            break
                        }
                    }
                    repeated = found
                    if !found, members.count == JSONParser.keyScanMembersMax {
                        var set = Set<String>(minimumCapacity: 4 * JSONParser.keyScanMembersMax)
                        for member in members { set.insert(member.key) }
                        set.insert(key)
                        keyComparisons += members.count + 1
                        keys = set
                    }
                }
                if repeated {
                    throw JSONSyntaxError(offset: keyStart, reason: "duplicate key \"\(JSONParser.excerpt(key))\"")
                }
                skipSpace()
                guard peek() == UInt8(ascii: ":") else { throw error("expected ':'") }
                index += 1
                let value = try parseValue(depth: depth + 1)
                members.append((key, value))
                skipSpace()
                switch peek() {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "}"):
                    index += 1
                    return .object(JSONObject(members: members))
                default: throw error("expected ',' or '}'")
                }
            }
        case UInt8(ascii: "["):
            index += 1
            var items: [JSONValue] = []
            skipSpace()
            if peek() == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            }
            while true {
                items.append(try parseValue(depth: depth + 1))
                skipSpace()
                switch peek() {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "]"):
                    index += 1
                    return .array(items)
                default: throw error("expected ',' or ']'")
                }
            }
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"): return try expect("true", .bool(true))
        case UInt8(ascii: "f"): return try expect("false", .bool(false))
        case UInt8(ascii: "n"): return try expect("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        default:
            throw error("unexpected character")
        }
    }

    static func isDigit(_ c: UInt8?) -> Bool {
        guard let c else { return false }
        return c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")
    }

    mutating func parseNumber() throws(JSONSyntaxError) -> JSONNumber {
        let start = index
        if peek() == UInt8(ascii: "-") { index += 1 }
        guard JSONParser.isDigit(peek()) else { throw error("invalid number") }
        if peek() == UInt8(ascii: "0") {
            index += 1
            guard !JSONParser.isDigit(peek()) else { throw error("leading zero in number") }
        } else {
            while JSONParser.isDigit(peek()) { index += 1 }
        }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard JSONParser.isDigit(peek()) else { throw error("invalid number") }
            while JSONParser.isDigit(peek()) { index += 1 }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard JSONParser.isDigit(peek()) else { throw error("invalid number") }
            while JSONParser.isDigit(peek()) { index += 1 }
        }
        return JSONNumber(text: String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
    }

    /// Parses a string starting at its opening quote. The fast path (no escapes) validates the
    /// UTF-8 of the slice in place; escapes are decoded into a byte buffer.
    mutating func parseString() throws(JSONSyntaxError) -> String {
        index += 1  // opening quote
        let start = index
        var sawNonASCII = false
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
                if !sawNonASCII {
                    // ASCII is valid UTF-8: skip the validating initializer (a measurable
                    // share of ingest time, and nearly every feed string is ASCII).
                    index += 1
                    return String(decoding: slice, as: UTF8.self)
                }
                guard let s = String(validating: slice, as: UTF8.self) else {
                    throw JSONSyntaxError(offset: start, reason: "string is not valid UTF-8")
                }
                index += 1
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            guard c >= 0x20 else { throw error("control character in string") }
            if c >= 0x80 { sawNonASCII = true }
            index += 1
        }
        var out = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let c = bytes[index]
            switch c {
            case UInt8(ascii: "\""):
                guard let s = String(validating: out, as: UTF8.self) else {
                    throw JSONSyntaxError(offset: start, reason: "string is not valid UTF-8")
                }
                index += 1
                return s
            case UInt8(ascii: "\\"):
                index += 1
                guard let e = peek() else { throw error("unexpected end of line") }
                index += 1
                switch e {
                case UInt8(ascii: "u"):
                    var scalar = try parseHex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                            bytes[index + 1] == UInt8(ascii: "u")
                        else { throw error("unpaired surrogate in \\u escape") }
                        index += 2
                        let low = try parseHex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw error("unpaired surrogate in \\u escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw error("unpaired surrogate in \\u escape")
                    }
                    JSONParser.appendUTF8(scalar, to: &out)
                default:
                    guard let b = JSONParser.simpleEscape(e) else { throw error("invalid escape") }
                    out.append(b)
                }
            default:
                guard c >= 0x20 else { throw error("control character in string") }
                out.append(c)
                index += 1
            }
        }
        throw error("unterminated string")
    }

    /// Appends the UTF-8 encoding of a scalar value (not a surrogate: the caller paired those).
    static func appendUTF8(_ v: UInt32, to out: inout [UInt8]) {
        switch v {
        case 0..<0x80:
            out.append(UInt8(truncatingIfNeeded: v))
        case 0x80..<0x800:
            out.append(UInt8(truncatingIfNeeded: 0xC0 | (v >> 6)))
            out.append(UInt8(truncatingIfNeeded: 0x80 | (v & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(truncatingIfNeeded: 0xE0 | (v >> 12)))
            out.append(UInt8(truncatingIfNeeded: 0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(truncatingIfNeeded: 0x80 | (v & 0x3F)))
        default:
            out.append(UInt8(truncatingIfNeeded: 0xF0 | (v >> 18)))
            out.append(UInt8(truncatingIfNeeded: 0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(truncatingIfNeeded: 0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(truncatingIfNeeded: 0x80 | (v & 0x3F)))
        }
    }

    mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("invalid \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("invalid \\u escape")
            }
            v = v * 16 + d
            index += 1
        }
        return v
    }
}

/// Writes JSON text into a byte buffer: the output side of the contract.
public struct JSONWriter {
    public var bytes: [UInt8] = []

    public init() {}

    public mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex: StaticString = "0123456789abcdef"
                let digits = hex.utf8Start
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, digits[Int(c >> 4)], digits[Int(c & 15)]])
            default: bytes.append(c)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    public mutating func raw(_ s: String) { bytes.append(contentsOf: s.utf8) }

    public mutating func value(_ v: JSONValue) {
        switch v {
        case .null: raw("null")
        case .bool(let b): raw(b ? "true" : "false")
        case .number(let n): raw(n.text)
        case .string(let s): string(s)
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                value(item)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let o):
            bytes.append(UInt8(ascii: "{"))
            for (i, m) in o.members.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                string(m.key)
                bytes.append(UInt8(ascii: ":"))
                value(m.value)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
