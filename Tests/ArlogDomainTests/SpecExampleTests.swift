import Foundation
import Testing

@testable import ArlogDomain
import ArlogTestSupport

/// The worked examples of the feed contract (Tests/Fixtures/spec-examples, a copy of
/// ../shared/spec/examples): every balance and aging answer must equal the expected JSON,
/// compared as parsed JSON (`SpecLevels`: fields of later contract pages aside).
struct SpecExampleTests {
    static let examples = ["01-installments-fifo", "02-reversal-dunning", "03-currencies-asof", "04-cash-application", "05-disputes-promises"]

    /// Skipped when ../shared is not beside the checkout (tests must not depend on it).
    @Test(.enabled(if: SpecFixtures.available, "../shared/spec/examples is not present"), arguments: examples)
    func example(_ name: String) throws {
        let dir = SpecFixtures.examplesDirectory
        let feed = try String(contentsOf: dir.appendingPathComponent("\(name).ndjson"), encoding: .utf8)
        let expected = try #require(try SpecFixtures.json(dir.appendingPathComponent("\(name).expected.json")) as? [String: Any])
        var log = InMemoryLog()
        let outcomes = try log.ingest(feed)
        for o in outcomes {
            if case .rejected(let r, let id) = o { Issue.record("rejected \(id ?? "?"): \(r)") }
        }
        let balances = try #require(expected["balance"] as? [String: [String: Any]])
        for (key, customers) in balances {
            let asOf = key == "all" ? nil : Timestamp.endOf(Day(parsing: key)!)
            for (customer, want) in customers {
                let ledger = try #require(try log.ledger(for: customer, asOf: asOf))
                var w = JSONWriter()
                // Promises are judged on the as-of date; the whole log after every promise.
                BalanceReport(ledger, on: asOf?.utcDay ?? Day.last).json(into: &w)
                let (got, wanted) = SpecLevels.comparable(try JSONSerialization.jsonObject(with: Data(w.bytes)), want)
                #expect(SpecFixtures.equal(got, wanted), "balance \(customer) as of \(key): got \(w.text)")
            }
        }
        let agings = try #require(expected["aging"] as? [String: Any])
        for (key, want) in agings {
            let day = Day(parsing: key)!
            var report = AgingReport(asOf: day, edges: Aging.defaultEdges)
            let ids = log.states.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for id in ids {
                if let l = try log.ledger(for: id, asOf: Timestamp.endOf(day)) { report.add(customer: id, state: l.state) }
            }
            var w = JSONWriter()
            report.json(into: &w)
            let (got, wanted) = SpecLevels.comparable(try JSONSerialization.jsonObject(with: Data(w.bytes)), want)
            #expect(SpecFixtures.equal(got, wanted), "aging as of \(key): got \(w.text)")
        }
    }
}

enum SpecFixtures {
    /// The repository's root (this file is Tests/ArlogDomainTests/SpecExampleTests.swift).
    static var repositoryRoot: URL {
        var dir = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { dir.deleteLastPathComponent() }
        return dir
    }

    /// The contract's worked examples, copied into the repository (Tests/Fixtures/README.md);
    /// SpecCopyTests keeps them in step with ../shared/spec/examples where that exists.
    static var examplesDirectory: URL {
        repositoryRoot.appendingPathComponent("Tests/Fixtures/spec-examples")
    }

    /// The upstream contract beside the checkout, when there is one.
    static var upstreamSpecDirectory: URL {
        repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/spec")
    }

    static var available: Bool { FileManager.default.fileExists(atPath: examplesDirectory.path) }

    static func json(_ url: URL) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url))
    }

    /// Structural equality of parsed JSON (numbers compared as numbers), compared as `SpecLevels` says.
    static func equal(_ got: Any, _ want: Any) -> Bool {
        let (a, b) = SpecLevels.comparable(got, want)
        return same(a, b)
    }

    static func same(_ a: Any, _ b: Any) -> Bool {
        switch (a, b) {
        case (let x as [String: Any], let y as [String: Any]):
            return x.count == y.count && x.allSatisfy { k, v in y[k].map { same(v, $0) } ?? false }
        case (let x as [Any], let y as [Any]):
            return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case (let x as NSNumber, let y as NSNumber):
            return x == y
        case (let x as String, let y as String):
            return x == y
        case (is NSNull, is NSNull):
            return true
        default:
            return false
        }
    }
}
