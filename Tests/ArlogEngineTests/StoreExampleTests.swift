import ArlogDomain
import Foundation
import ArlogTestSupport
import Testing

@testable import ArlogEngine

/// The contract's worked examples answered from the LMDB store: from the projections (all
/// events), by as-of replay, and after a reopen and a rebuild.
struct StoreExampleTests {
    @Test(arguments: ["01-installments-fifo", "02-reversal-dunning", "03-currencies-asof", "04-cash-application", "05-disputes-promises"])
    func example(_ name: String) throws {
        let t = try TempStore()
        let (summary, rejected) = try t.ingest(file: Fixtures.examplesDirectory.appendingPathComponent("\(name).ndjson").path)
        #expect(rejected.isEmpty, "\(rejected.map(\.rejection))")
        #expect(summary.rejected == 0 && summary.accepted > 0)
        try check(t.store, name)
        try t.reopen()
        _ = try t.store.rebuild()
        try check(t.store, name)
        #expect(try t.store.verify().ok)
    }

    func check(_ store: Store, _ name: String) throws {
        let url = Fixtures.examplesDirectory.appendingPathComponent("\(name).expected.json")
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        for (key, customers) in expected["balance"] as! [String: [String: Any]] {
            let asOf = key == "all" ? nil : Timestamp.endOf(Day(parsing: key)!)
            for (customer, want) in customers {
                var w = JSONWriter()
                try store.balance(customer, asOf: asOf).json(into: &w)
                let (got, wanted) = SpecLevels.comparable(try JSONSerialization.jsonObject(with: Data(w.bytes)), want)
                #expect(Fixtures.equal(got, wanted), "balance \(customer) as of \(key): \(w.text)")
            }
        }
        for (key, want) in expected["aging"] as! [String: Any] {
            let day = Day(parsing: key)!
            var w = JSONWriter()
            try store.aging(asOf: day, today: day).json(into: &w)
            let (got, wanted) = SpecLevels.comparable(try JSONSerialization.jsonObject(with: Data(w.bytes)), want)
            #expect(Fixtures.equal(got, wanted), "aging as of \(key): \(w.text)")
        }
    }
}
