/// A small, strict JSON parser for feed lines (RFC 8259), working on bytes.
///
/// Foundation's JSONDecoder manages about 100,000 small objects/s here; the ingest path needs
/// several times that, so the feed is parsed byte by byte into this minimal tree. Strings are
/// checked for valid UTF-8; duplicate keys in one object are an error (they make the event's
/// meaning ambiguous); nesting is bounded so a hostile line cannot exhaust the stack.
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

/// A JSON object: its members in the order written. Feed objects are small, so lookup is linear.
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
        guard a.members.count == b.members.count else { return false }
        for member in a.members {
            guard let other = b[member.key], other == member.value else { return false }
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
    /// Deepest nesting accepted. Feed events nest three levels (event → installments → item).
    public static let depthMax = 32

    /// Parses one complete JSON text that must be an object, with nothing after it but spaces.
    public static func parseObject(_ bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> JSONObject {
        var parser = JSONParser(bytes: bytes)
        parser.skipSpace()
        guard parser.peek() == UInt8(ascii: "{") else {
            throw parser.error(parser.index >= bytes.count ? "empty line" : "an event must be a JSON object")
        }
        let value = try parser.parseValue(depth: 0)
        parser.skipSpace()
        guard parser.index == bytes.count else { throw parser.error("unexpected text after the object") }
        guard case .object(let object) = value else { throw parser.error("an event must be a JSON object") }
        return object
    }

    public static func parseObject(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONObject {
        do {
            return try bytes.withUnsafeBytes { raw in try parseObject(raw) }
        } catch let e as JSONSyntaxError {
            throw e
        } catch {
            preconditionFailure("unreachable: \(error)")
        }
    }

    let bytes: UnsafeRawBufferPointer
    var index = 0

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
                for member in members where member.key == key {
                    throw JSONSyntaxError(offset: keyStart, reason: "duplicate key \"\(key)\"")
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
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
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
                    guard let u = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default:
                    throw error("invalid escape")
                }
            default:
                guard c >= 0x20 else { throw error("control character in string") }
                out.append(c)
                index += 1
            }
        }
        throw error("unterminated string")
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
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(c >> 4)], hex[Int(c & 15)]])
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
