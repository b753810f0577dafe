import Foundation
import Testing

@testable import ArlogDomain

/// `Intake.process` with the fast decoder gives the same outcome for every line as without it
/// (acceptance, duplicate, or the same rejection: rule, message, id), and leaves the same log.
struct IntakeFastPathTests {
    /// A generated feed with mutants, exact and reformatted repeats of earlier lines (duplicates)
    /// and changed repeats (conflicts) mixed in.
    static func mixedFeed(seed: UInt64) -> [[UInt8]] {
        var r = TestRandom(seed: seed)
        let base = generatedLines(events: 1500, customers: 25, seed: seed, audit: seed % 2 == 1)
        var out: [[UInt8]] = []
        for (i, line) in base.enumerated() {
            out.append(line)
            switch r.below(10) {
            case 0: out.append(Mutation.any(line, &r))
            case 1: out.append(base[r.below(i + 1)])  // an exact duplicate
            case 2:  // the same JSON written differently: still a duplicate
                if let m = Mutation.structural(base[r.below(i + 1)], &r) { out.append(m) }
            case 3:  // the same id with other content: a conflict
                let earlier = base[r.below(i + 1)]
                if let o = try? JSONParser.parseObject(earlier) {
                    var members = o.members
                    members.append(("x_changed", .bool(true)))
                    var w = JSONWriter()
                    w.value(.object(JSONObject(members: members)))
                    out.append(w.bytes)
                }
            default: break
            }
        }
        return out + FastDecoderTests.handWritten.map { Array($0.utf8) }
    }

    static func describe(_ o: IntakeOutcome) -> String {
        switch o {
        case .accepted(let id): "accepted \(id)"
        case .duplicate(let id): "duplicate \(id)"
        case .rejected(let r, let id): "rejected \(id ?? "-") \(r.rule.rawValue): \(r.message)"
        }
    }

    @Test(arguments: [UInt64(31), 32, 33])
    func sameOutcomesWithAndWithoutTheFastDecoder(seed: UInt64) throws {
        let lines = Self.mixedFeed(seed: seed)
        var fast = InMemoryLog()
        var slow = InMemoryLog()
        var kinds = [String: Int]()
        for line in lines {
            let a = try line.withUnsafeBytes { try Intake.process(line: $0, into: &fast, fastDecoder: true) }
            let b = try line.withUnsafeBytes { try Intake.process(line: $0, into: &slow, fastDecoder: false) }
            let (da, db) = (Self.describe(a), Self.describe(b))
            #expect(da == db, "\(String(decoding: line, as: UTF8.self))")
            kinds[String(da.prefix { $0 != " " }), default: 0] += 1
        }
        // The mix reaches every kind of outcome.
        #expect(kinds["accepted", default: 0] > 1000)
        #expect(kinds["duplicate", default: 0] > 50)
        #expect(kinds["rejected", default: 0] > 100)
        #expect(fast.events.count == slow.events.count)
        for (x, y) in zip(fast.events, slow.events) {
            #expect(x.raw == y.raw && x.binary == y.binary && x.seq == y.seq)
            #expect(String(reflecting: x.event) == String(reflecting: y.event))
        }
        #expect(String(reflecting: fast.states.sorted { $0.key < $1.key }.map(\.value)) ==
                String(reflecting: slow.states.sorted { $0.key < $1.key }.map(\.value)))
    }

    /// The public entry point uses the fast decoder and still answers duplicates and conflicts
    /// by comparing parsed JSON.
    @Test func duplicatesAndConflictsThroughTheFastPath() throws {
        var log = InMemoryLog()
        let registration = FastDecoderTests.line("customer.registered", FastDecoderTests.registration)
        let same = registration.replacingOccurrences(of: "\"terms_days\":30", with: "\"terms_days\":30.0")
        let other = registration.replacingOccurrences(of: "\"terms_days\":30", with: "\"terms_days\":31")
        #expect(checkAgreement(registration) && checkAgreement(other))
        let outcomes = try [registration, registration, same, other].map { line in
            try Array(line.utf8).withUnsafeBytes { try Intake.process(line: $0, into: &log) }
        }
        #expect(outcomes.map(Self.describe) == [
            "accepted e1", "duplicate e1", "duplicate e1",
            "rejected e1 id.conflict: id e1 is already in the log with different content",
        ])
    }
}
