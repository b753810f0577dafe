import ArlogDomain
import ArlogStorage
import Testing

@testable import ArlogEngine

/// The replay of `verify` and `audit verify` in log order: customers cut into key ranges when
/// they exceed `passEventsMax` events (each range its own walk of the log), and the replay on
/// a second thread.
struct VerifyPassTests {
    /// Every customer of the store falls in exactly one range, no range holds more than the
    /// bound unless one customer alone exceeds it, and one range when everything fits.
    @Test func rangesCutTheCustomersByTheirEvents() throws {
        let (t, _) = try AuditTests.store()
        let store = t.store
        try store.env.read { txn in
            var events: [String: Int] = [:]
            try txn.scan(store.customerEvents, from: nil) { key, _ in
                let zero = try #require(key.firstIndex(of: 0))
                events[String(decoding: UnsafeRawBufferPointer(rebasing: key[..<zero]), as: UTF8.self), default: 0] += 1
                return true
            }
            #expect(events.count > 2)
            #expect(try store.replayRanges(txn, passEventsMax: 1000).count == 1)
            for bound in [1, 2, 3, 5, 8] {
                let ranges = try store.replayRanges(txn, passEventsMax: bound)
                #expect(ranges.count > 1)
                func holds(_ i: Int, _ name: String) -> Bool { Array(name.utf8).withUnsafeBytes { ranges[i].contains($0) } }
                var inRange = Array(repeating: 0, count: ranges.count)
                for (name, n) in events {
                    let holding = ranges.indices.filter { holds($0, name) }
                    #expect(holding.count == 1, "customer \(name) in \(holding.count) ranges for a bound of \(bound)")
                    if let i = holding.first { inRange[i] += n }
                }
                for (i, n) in inRange.enumerated() {
                    let largest = events.filter { holds(i, $0.key) }.values.max() ?? 0
                    #expect(n <= max(bound, largest), "range \(i) holds \(n) events for a bound of \(bound)")
                }
            }
        }
    }

    /// A pass per range reports what one pass reports: nothing on a clean store (with every
    /// customer counted), and a damaged projection charged to its customer's last event.
    @Test(arguments: [1, 2, 3, 5, 1000])
    func anyPassSizeReportsTheSame(passEventsMax: Int) throws {
        let (t, _) = try AuditTests.store()
        let clean = try t.store.verify(passEventsMax: passEventsMax)
        #expect(clean.ok, "\(clean.problems)")
        #expect(clean.customers == (try t.store.verify().customers))
        #expect(try t.store.auditVerify(passEventsMax: passEventsMax).ok)

        var state = try t.store.state("PEARL")
        state.totals.open += 1
        try t.store.env.write { try $0.put(t.store.states, key: Array("PEARL".utf8), value: StateCodec.encode(state)) }
        let verify = try t.store.verify(passEventsMax: passEventsMax)
        #expect(verify.problems == ["customer PEARL: stored state differs from the log"])
        let audit = try t.store.auditVerify(passEventsMax: passEventsMax)
        #expect(audit.problems == ["customer PEARL: stored state differs from the log"])
        #expect(audit.firstBrokenSeq == 21)
    }

    /// An item record missing from the store is found by its customer's replay and by the
    /// counts, whatever the pass size.
    @Test(arguments: [1, 1000])
    func aMissingItemIsFoundByAnyPassSize(passEventsMax: Int) throws {
        let (t, _) = try AuditTests.store()
        let key = try #require(try t.store.env.read { try $0.firstKey(t.store.items) })
        try t.store.env.write { _ = try $0.delete(t.store.items, key: key) }
        let seq = try #require(UInt64(bigEndianBytes: key))
        let report = try t.store.verify(passEventsMax: passEventsMax)
        #expect(report.problems.contains { $0.contains("differs from the log") && $0.contains("log position \(seq))") })
        #expect(report.problems.contains { $0.hasPrefix("items holds") })
    }

    struct Failure: Error {}

    /// The second thread's result comes back once both sides have ended, and an error of
    /// either side is not lost.
    @Test func theSecondThreadIsJoinedAndItsErrorsKept() throws {
        var sideRan = false
        let value = try Store.onSecondThread({ 42 }, while: { sideRan = true })
        #expect(try value.get() == 42)
        #expect(sideRan)
        let failed = try Store.onSecondThread({ () throws -> Int in throw Failure() }, while: {})
        #expect(throws: Failure.self) { try failed.get() }
        #expect(throws: Failure.self) { _ = try Store.onSecondThread({ 1 }, while: { throw Failure() }) }
    }
}
