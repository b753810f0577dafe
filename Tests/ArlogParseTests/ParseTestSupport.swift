import ArlogFeedGen
import Foundation
import Testing

@testable import ArlogDomain

/// The slow path, the definition of a line's meaning: the JSON tree, then the id, then the event.
func slowEvent(_ line: [UInt8]) -> Event? {
    guard let object = try? JSONParser.parseObject(line),
        let id = try? EventDecoder.eventID(object),
        let event = try? EventDecoder.decode(object, id: id)
    else { return nil }
    return event
}

func fastOutcome(_ line: [UInt8]) -> FastDecoder.Outcome {
    line.withUnsafeBytes { FastDecoder.decode($0) }
}

/// The promise of `FastDecoder`: it falls back, or it gives exactly the slow path's event.
/// Returns true when the fast decoder decoded the line. Strings are compared byte for byte too
/// (`String ==` is canonical equivalence, and the fast path must keep the bytes themselves).
@discardableResult
func checkAgreement(_ line: [UInt8], _ comment: @autoclosure () -> String = "", sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
    guard case .event(let fast) = fastOutcome(line) else { return false }
    let text = String(decoding: line, as: UTF8.self)
    guard let slow = slowEvent(line) else {
        Issue.record("fast decoder accepted what the slow path rejects: \(text) \(comment())", sourceLocation: sourceLocation)
        return true
    }
    if fast != slow || String(reflecting: fast) != String(reflecting: slow) || !sameStrings(fast, slow) {
        Issue.record("fast and slow events differ for \(text) \(comment())\nfast: \(fast)\nslow: \(slow)", sourceLocation: sourceLocation)
    }
    return true
}

func checkAgreement(_ line: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
    checkAgreement(Array(line.utf8), sourceLocation: sourceLocation)
}

/// Every String of two events, compared as bytes.
func sameStrings(_ a: Event, _ b: Event) -> Bool {
    strings(a).map { Array($0.utf8) } == strings(b).map { Array($0.utf8) }
}

func strings(_ e: Event) -> [String] {
    var out = [e.id, e.customer, e.actor ?? "\u{0}nil", e.note ?? "\u{0}nil"]
    switch e.body {
    case .customerRegistered(let r):
        out += [r.name, r.currency.code, r.industry ?? "\u{0}nil", r.contact ?? "\u{0}nil", r.email ?? "\u{0}nil"]
    case .customerUpdated(let u):
        out += [u.name ?? "\u{0}nil", u.industry ?? "\u{0}nil", u.contact ?? "\u{0}nil", u.email ?? "\u{0}nil"]
    case .invoiceIssued(let i, _, _, _, _), .invoiceAdjusted(let i, _), .invoiceVoided(let i), .invoiceWrittenOff(let i, _):
        out.append(i)
    case .paymentReceived(let p, _, _, _, let allocations):
        out.append(p)
        out += allocations.map(\.invoice)
    case .paymentReversed(let p):
        out.append(p)
    case .dunningAction(_, _, let i):
        out.append(i ?? "\u{0}nil")
    case .creditLimitChanged, .creditPolicyChanged, .creditReviewed:
        break
    case .disputeOpened(let i, _, let reason):
        out += [i, reason ?? "\u{0}nil"]
    case .disputeResolved(let i, _):
        out.append(i)
    case .promiseRecorded(_, _, let i), .collectionContact(_, _, let i):
        out.append(i ?? "\u{0}nil")
    case .creditNoteIssued(let n, _, _, _, let allocations, let reason):
        out.append(n)
        out += allocations.map(\.invoice)
        out.append(reason ?? "\u{0}nil")
    case .creditApplied(let source, let i, _):
        out += [source.id, i]
    case .creditRefunded(let source, _, _):
        out.append(source.id)
    case .customerAssessed(let a):
        out += [a.source, a.bureauRating ?? "\u{0}nil"]
    case .fxRate(let c, let b, _, _):
        out += [c.code, b.code]
    }
    return out
}

/// The lines of a generated feed.
func generatedLines(events: Int, customers: Int, seed: UInt64, audit: Bool = false) -> [[UInt8]] {
    var generator = FeedGenerator(events: events, customers: customers, seed: seed, start: Day(year: 2023, month: 1, day: 1)!, audit: audit)
    var all: [UInt8] = []
    generator.run { all.append(contentsOf: $0) }
    return all.split(separator: 0x0A).map(Array.init)
}

/// The contract's worked examples, copied into the repository (Tests/Fixtures/spec-examples).
enum SpecExamples {
    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/spec-examples")
    }

    static func lines(_ name: String) throws -> [[UInt8]] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return Array(data).split(separator: 0x0A).map { line in
            var bytes = Array(line)
            if bytes.last == 0x0D { bytes.removeLast() }
            return bytes
        }
    }

    static var names: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".ndjson") }.sorted()
    }
}

/// SplitMix64: a small seeded generator, so that every run mutates the same way.
struct TestRandom {
    var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(state: seed) }

    mutating func next() -> UInt64 { generator.next() }

    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

/// Ways to break or bend a valid line.
enum Mutation {
    /// Bytes a mutation inserts or writes: JSON's structural characters, digits, letters,
    /// escapes' parts, control characters, UTF-8 lead and continuation bytes, a BOM's bytes.
    static let interesting: [UInt8] = Array("{}[]:,\"\\ \t\r\n0123456789-+.eEu/abfnrtxzZT".utf8)
        + [0x00, 0x01, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xC2, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xED, 0xA0, 0xF0, 0x9F, 0x98, 0x80, 0xF4, 0x90, 0xF5, 0xFF, 0xEF, 0xBB]

    static func byteFlip(_ line: [UInt8], _ r: inout TestRandom) -> [UInt8] {
        guard !line.isEmpty else { return line }
        var out = line
        let i = r.below(out.count)
        out[i] = r.below(2) == 0 ? UInt8(truncatingIfNeeded: r.next()) : r.pick(interesting)
        return out
    }

    static func bitFlip(_ line: [UInt8], _ r: inout TestRandom) -> [UInt8] {
        guard !line.isEmpty else { return line }
        var out = line
        out[r.below(out.count)] ^= UInt8(1) << UInt8(r.below(8))
        return out
    }

    static func deletion(_ line: [UInt8], _ r: inout TestRandom) -> [UInt8] {
        guard !line.isEmpty else { return line }
        var out = line
        let i = r.below(out.count)
        let n = min(out.count - i, 1 + r.below(r.below(4) == 0 ? 12 : 2))
        out.removeSubrange(i..<(i + n))
        return out
    }

    static func insertion(_ line: [UInt8], _ r: inout TestRandom) -> [UInt8] {
        var out = line
        let i = r.below(out.count + 1)
        let pieces: [[UInt8]] = [
            [r.pick(interesting)], [UInt8(truncatingIfNeeded: r.next())], Array("\\u00e9".utf8), Array("\\uD83D\\uDE00".utf8),
            Array("\\uD83D".utf8), Array("\\uDE00".utf8), Array("\\\"".utf8), [0xEF, 0xBB, 0xBF], Array("é".utf8), Array("€".utf8),
            Array("😀".utf8), [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xF4, 0x90, 0x80, 0x80], Array(" ".utf8),
            Array(",\"x\":1".utf8), Array(",\"id\":\"dup\"".utf8), Array("null".utf8), Array("[".utf8), Array("{".utf8),
        ]
        out.insert(contentsOf: r.pick(pieces), at: i)
        return out
    }

    /// Rewrites the line through the JSON tree: members shuffled, a key repeated, a value
    /// replaced by an unusual spelling, strings escaped, deep nesting added.
    static func structural(_ line: [UInt8], _ r: inout TestRandom) -> [UInt8]? {
        guard let object = try? JSONParser.parseObject(line) else { return nil }
        var members = object.members
        switch r.below(9) {
        case 0:  // reorder
            for i in stride(from: members.count - 1, to: 0, by: -1) { members.swapAt(i, r.below(i + 1)) }
        case 1:  // repeat a key (with the same or another value)
            guard let m = members.randomElement(using: &r) else { return nil }
            members.insert((m.key, r.below(2) == 0 ? m.value : .string("other")), at: r.below(members.count + 1))
        case 2:  // unusual numbers and types for one member
            guard !members.isEmpty else { return nil }
            let i = r.below(members.count)
            let numbers = ["30", "30.0", "3e1", "300e-1", "-0", "0", "1", "4", "5", "3650", "3651", "-1", "1e400", "0.5", "1E1",
                           "99999999999999999999", "123456789012345678", "1234567890123456789", "-9223372036854775808", "4.0", "2e0"]
            let values: [JSONValue] = numbers.map { .number(JSONNumber(text: $0)) } + [
                .null, .bool(true), .bool(false), .string(""), .string("30"), .array([]), .object(JSONObject()),
                .array([.object(JSONObject(members: [("due_on", .string("2025-01-01")), ("amount", .string("1.00"))]))]),
                .string("2025-02-29"), .string("2024-02-29"), .string("0000-01-01"), .string("9999-12-31"), .string("1.5"), .string("-0"),
                .string("-0.00"), .string("0.001"), .string("1234567890123456789"), .string("123456789012345678"), .string(" 1"),
                .string("+1"), .string("1."), .string(".5"), .string("1e3"), .string("EUR"), .string("eur"), .string("JPY"),
                .string("email"), .string("Email"), .string("invoice.issued"), .string("2025-01-01T00:00:00Z"),
                .string("2025-01-01t00:00:00.123456789123z"), .string("2025-01-01 23:59:60+14:00"), .string("0001-01-01T00:00:00+00:01"),
            ]
            members[i].value = r.pick(values)
        case 3:  // escape strings
            return escaped(members, &r)
        case 4:  // deep nesting in an unknown member
            let depth = 28 + r.below(8)
            var v = JSONValue.number(JSONNumber(text: "1"))
            for d in 0..<depth { v = d % 2 == 0 ? .array([v]) : .object(JSONObject(members: [("k", v)])) }
            members.insert(("x_deep", v), at: r.below(members.count + 1))
        case 5:  // unknown scalar members, many of them sometimes
            for k in 0..<(r.below(3) == 0 ? 10 + r.below(20) : 1 + r.below(3)) {
                members.insert(("x_\(k)", r.pick([.null, .bool(true), .number(JSONNumber(text: "-1.5e+3")), .string("é\u{0}\u{10FFFF}")])),
                               at: r.below(members.count + 1))
            }
        case 6:  // unicode in strings
            guard !members.isEmpty else { return nil }
            let i = r.below(members.count)
            if case .string(let s) = members[i].value {
                members[i].value = .string(r.pick(["é", "\u{212A}", "K", "\u{FEFF}", "😀", "e\u{301}", "\u{0}", "ＡＢＣ"]) + s)
            }
        case 7:  // a key that equals a known one only after decoding or normalisation
            let keys = ["i\\u0064", "\\u0069d", "t\\u0079pe", "amo\\u0075nt", "n\\u00e9", "\u{212A}", "ｉｄ", "type ", "Type"]
            var w = JSONWriter()
            w.raw("{")
            for (n, m) in members.enumerated() {
                if n > 0 { w.raw(",") }
                w.string(m.key)
                w.raw(":")
                w.value(m.value)
            }
            w.raw(",\"\(r.pick(keys))\":\"x\"}")
            return w.bytes
        default:  // items with extra or repeated members
            guard let i = members.firstIndex(where: { $0.key == "installments" || $0.key == "allocations" }),
                case .array(var items) = members[i].value, !items.isEmpty
            else { return nil }
            let k = r.below(items.count)
            guard case .object(var o) = items[k] else { return nil }
            switch r.below(4) {
            case 0: o.members.append(("amount", .string("1.00")))
            case 1: o.members.append(("note", .string("x")))
            case 2: o.members.removeAll { $0.key == "amount" }
            default: o.members.append(("x", .array([])))
            }
            items[k] = .object(o)
            if r.below(4) == 0 { items = [] }
            members[i].value = .array(items)
        }
        var w = JSONWriter()
        w.value(.object(JSONObject(members: members)))
        return w.bytes
    }

    /// The members written with every string (keys too, sometimes) partly as `\u` escapes.
    static func escaped(_ members: [(key: String, value: JSONValue)], _ r: inout TestRandom) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "{")]
        func put(_ s: String, _ r: inout TestRandom) {
            out.append(UInt8(ascii: "\""))
            for scalar in s.unicodeScalars {
                if r.below(3) == 0 {
                    let v = scalar.value
                    if v > 0xFFFF {
                        let hi = 0xD800 + ((v - 0x10000) >> 10), lo = 0xDC00 + ((v - 0x10000) & 0x3FF)
                        out += Array(String(format: "\\u%04X\\u%04x", hi, lo).utf8)
                    } else {
                        out += Array(String(format: r.below(2) == 0 ? "\\u%04x" : "\\u%04X", v).utf8)
                    }
                } else {
                    var w = JSONWriter()
                    w.string(String(scalar))
                    out += w.bytes.dropFirst().dropLast()
                }
            }
            out.append(UInt8(ascii: "\""))
        }
        for (n, m) in members.enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            if r.below(4) == 0 { put(m.key, &r) } else {
                var w = JSONWriter()
                w.string(m.key)
                out += w.bytes
            }
            out.append(UInt8(ascii: ":"))
            if case .string(let s) = m.value { put(s, &r) } else {
                var w = JSONWriter()
                w.value(m.value)
                out += w.bytes
            }
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    static func any(_ line: [UInt8], _ r: inout TestRandom) -> [UInt8] {
        switch r.below(6) {
        case 0: return byteFlip(line, &r)
        case 1: return bitFlip(line, &r)
        case 2: return deletion(line, &r)
        case 3: return insertion(line, &r)
        default: return structural(line, &r) ?? insertion(line, &r)
        }
    }
}

extension TestRandom: RandomNumberGenerator {}
