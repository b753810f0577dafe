import ArlogDomain
import ArlogRender
import Foundation
import Testing

@testable import ArlogEngine

/// `arlog export` (round trip through an empty store) and `arlog statement` (balances agree
/// with the as-of balance).
@Suite(.serialized)
struct ExportStatementTests {
    static let feed = GeneratedFeedTests.feed(events: 3000, customers: 40, seed: 5)

    static func exported(_ store: Store, customer: String? = nil, from: UInt64? = nil, to: UInt64? = nil) throws -> [UInt8] {
        var out: [UInt8] = []
        try store.export(customer: customer, from: from, to: to) { out.append(contentsOf: $0) }
        return out
    }

    static func lines(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    /// Every log entry as (seq, customer, raw line).
    static func log(_ store: Store) throws -> [(seq: UInt64, customer: String, line: String)] {
        try store.env.read { txn in
            var all: [(UInt64, String, String)] = []
            try txn.scan(store.log, from: nil) { k, v in
                let r = try EventRecord.View(v)
                all.append((UInt64(bigEndianBytes: k)!, r.customer, String(decoding: r.raw, as: UTF8.self)))
                return true
            }
            return all
        }
    }

    @Test func aFullExportIngestedIntoAnEmptyStoreGivesTheSameStoreAndChain() throws {
        let a = try TempStore()
        let (summary, _) = try a.ingest(Self.feed)
        #expect(summary.accepted > 2000)
        let path = a.directory + "-export.ndjson"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(Self.exported(a.store)).write(to: URL(fileURLWithPath: path))
        let b = try TempStore()
        let (again, rejected) = try b.ingest(file: path)
        #expect(rejected.isEmpty)
        #expect(again.accepted == summary.accepted)
        #expect(try IngestTests.projections(a.store) == IngestTests.projections(b.store))
        #expect(try a.store.chainHead() == b.store.chainHead())
        #expect(try a.store.head() == b.store.head())
        #expect(try Self.exported(b.store) == Self.exported(a.store))
    }

    @Test func customerAndRangeSelectTheRightEvents() throws {
        let t = try TempStore()
        try t.ingest(Self.feed)
        let log = try Self.log(t.store)
        let customers = try GeneratedFeedTests.customerIDs(t.store)
        for c in customers.prefix(5) {
            let expected = log.filter { $0.customer == c }.map(\.line)
            #expect(try Self.lines(Self.exported(t.store, customer: c)) == expected, "customer \(c)")
            let ranged = log.filter { $0.customer == c && $0.seq >= 500 && $0.seq <= 1500 }.map(\.line)
            #expect(try Self.lines(Self.exported(t.store, customer: c, from: 500, to: 1500)) == ranged, "customer \(c) 500...1500")
        }
        #expect(try Self.lines(Self.exported(t.store, from: 10, to: 20)) == log.filter { (10...20).contains($0.seq) }.map(\.line))
        #expect(try Self.lines(Self.exported(t.store, from: UInt64(log.count))) == [log.last!.line])
        #expect(try Self.exported(t.store, from: UInt64(log.count) + 1).isEmpty)
        #expect(throws: EngineError.self) { try Self.exported(t.store, customer: "NO-SUCH-CUSTOMER") }
    }

    @Test func statementBalancesAgreeWithBalanceAsOf() throws {
        let t = try TempStore()
        try t.ingest(Self.feed)
        let customers = try GeneratedFeedTests.customerIDs(t.store)
        let periods: [(Day, Day)] = [
            (Day(year: 2024, month: 1, day: 1)!, Day(year: 2024, month: 1, day: 31)!),
            (Day(year: 2024, month: 2, day: 1)!, Day(year: 2024, month: 4, day: 30)!),
            (Day(year: 2024, month: 3, day: 15)!, Day(year: 2024, month: 3, day: 15)!),
            (Day(year: 2024, month: 5, day: 1)!, Day(year: 2024, month: 12, day: 31)!),
            (Day(year: 2023, month: 1, day: 1)!, Day(year: 2030, month: 1, day: 1)!),
        ]
        var checked = 0
        var lineCount = 0
        for c in customers.prefix(15) {
            for (from, to) in periods {
                guard let closing = try? t.store.balance(c, asOf: Timestamp.endOf(to)) else {
                    #expect(throws: EngineError.self) { try t.store.statement(c, from: from, to: to) }
                    continue
                }
                let s = try t.store.statement(c, from: from, to: to)
                let opening = (try? t.store.balance(c, asOf: Timestamp.endOf(from.adding(days: -1))))?.balance ?? 0
                #expect(s.closingBalance == closing.balance, "\(c) \(from)…\(to)")
                #expect(s.openingBalance == opening, "\(c) \(from)…\(to)")
                #expect(s.openingBalance + s.lines.reduce(0) { $0 + $1.amount } == s.closingBalance, "\(c) \(from)…\(to)")
                var running = s.openingBalance
                for l in s.lines {
                    running += l.amount
                    #expect(l.balance == running)
                    #expect(l.date >= from && l.date <= to)
                }
                #expect(zip(s.lines, s.lines.dropFirst()).allSatisfy { ($0.at, $0.seq) < ($1.at, $1.seq) })
                #expect(s.aging.customers.map(\.total) == (s.aging.customers.isEmpty ? [] : [closing.balance]))
                checked += 1
                lineCount += s.lines.count
            }
        }
        #expect(checked > 30)
        #expect(lineCount > 100)
    }

    @Test func statementOfTheSpecExamples() throws {
        let t = try TempStore()
        try t.ingest(IngestTests.combinedFeed)
        let customers = try GeneratedFeedTests.customerIDs(t.store)
        for c in customers {
            let s = try t.store.statement(c, from: Day(year: 2020, month: 1, day: 1)!, to: Day(year: 2030, month: 12, day: 31)!)
            #expect(s.openingBalance == 0)
            #expect(s.closingBalance == (try t.store.balance(c).balance))
            let json = Render.statement(s, format: .json)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            #expect(object["customer"] as? String == c)
            #expect((object["lines"] as? [Any])?.count == s.lines.count)
            let csv = Render.statement(s, format: .csv).split(separator: "\n")
            #expect(csv.count == s.lines.count + 3)
            #expect(csv[1].contains(",opening,"))
            #expect(csv.last!.contains(",closing,"))
            #expect(Render.statement(s, format: .table).contains("closing"))
        }
        #expect(throws: EngineError.self) { try t.store.statement("NO-SUCH", from: Day(year: 2025, month: 1, day: 1)!, to: Day(year: 2025, month: 1, day: 2)!) }
    }
}
