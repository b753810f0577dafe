import ArlogFeedGen
import Testing

@testable import ArlogDomain

/// `OpenInvoices` (the state's open invoices, a deque) against a plain array: any sequence of
/// inserts and removals at any position leaves the same elements in the same order, and
/// settling oldest first never moves the later invoices one by one (the quadratic cost it
/// replaced: see `tools/bench-scaling.sh`).
struct OpenInvoicesTests {
    static func invoice(_ seq: UInt64) -> OpenInvoice {
        OpenInvoice(seq: seq, issuedOn: Day(number: 19_000), issuedAt: Timestamp(seconds: 1_700_000_000, nanos: 0), amount: 100,
                    counters: InvoiceCounters(), open: Int64(seq), idStart: 0, idCount: 0, dueStart: 0, installmentCount: 1)
    }

    @Test(arguments: [1, 2, 3, 4])
    func behavesAsAnArray(seed: UInt64) {
        var random = SplitMix64(state: seed)
        var model: [OpenInvoice] = []
        var deque = OpenInvoices()
        var next: UInt64 = 1
        for step in 0..<5_000 {
            let roll = random.next() % 100
            if model.isEmpty || roll < 45 {
                // Insert at the end mostly, sometimes anywhere (an invoice coming back).
                let at = roll < 30 || model.isEmpty ? model.count : Int(random.next() % UInt64(model.count + 1))
                model.insert(Self.invoice(next), at: at)
                deque.insert(Self.invoice(next), at: at)
                next += 1
            } else if roll < 85 {
                // Settle the oldest mostly, sometimes any.
                let at = roll < 75 ? 0 : Int(random.next() % UInt64(model.count))
                #expect(deque.remove(at: at) == model.remove(at: at))
            } else {
                let at = Int(random.next() % UInt64(model.count))
                model[at].open += 7
                deque[at].open += 7
            }
            if step % 97 == 0 || step == 4_999 {
                #expect(Array(deque) == model, "step \(step)")
                #expect(deque.count == model.count && deque.last == model.last && deque.first == model.first)
            }
        }
    }

    @Test func equalityIsByElementsNotByStorage() {
        var a = OpenInvoices()
        var b = OpenInvoices()
        for s: UInt64 in 1...100 { a.append(Self.invoice(s)) }
        for s: UInt64 in 41...100 { b.append(Self.invoice(s)) }
        for _ in 0..<40 { a.remove(at: 0) }  // free space at a's front, none at b's
        #expect(a == b)
        b.remove(at: 59)
        #expect(a != b)
    }
}
