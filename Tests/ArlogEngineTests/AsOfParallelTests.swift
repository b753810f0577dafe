import ArlogDomain
import ArlogStorage
import Testing

@testable import ArlogEngine

/// Scans of every customer's state (`StateScan.swift`): the answer is the same on one thread
/// or two, the two walks take every customer exactly once wherever they meet, a second
/// thread that reads another snapshot takes no part, errors come back from either thread;
/// and the stored state is used for an as-of answer exactly when it is that answer
/// (`storedStateCovers`), whichever way the scan tells it.
@Suite struct AsOfParallelTests {
    static let feeds = Array(StoreReferenceTests.feeds.prefix(4))

    /// Aging, stats and customers as of every checked day (and without a date) are the same
    /// on one thread and on two; aging equals the reference fold; the walks together take
    /// every customer once.
    @Test(arguments: feeds)
    func scansAreTheSameOnOneThreadOrTwo(feed: StoreReferenceTests.Feed) throws {
        let (t, _) = try StoreReferenceTests.ingested(feed)
        let (reference, _) = try StoreReferenceTests.reference(feed.lines)
        let customers = reference.states.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let days = StoreReferenceTests.asOfChecks(reference).days
        #expect(days.count > 30)
        let edges = [30, 60, 90, 180]
        var mismatches: [String] = []
        for day in [nil] + days.map(Optional.some) {
            let today = day ?? days[days.count - 1]
            let one = try t.store.aging(asOf: day, today: today, edges: edges, knownAt: nil, threads: 1)
            let two = try t.store.aging(asOf: day, today: today, edges: edges, knownAt: nil, threads: 2)
            if one != two { mismatches.append("aging as of \(String(describing: day))") }
            if let day {
                var expected = AgingReport(asOf: day, edges: edges)
                for c in customers {
                    if let l = try reference.ledger(for: c, asOf: Timestamp.endOf(day)) { expected.add(customer: c, state: l.state) }
                }
                if two != expected { mismatches.append("aging as of \(day) against the reference") }
            }
            let stats = try [1, 2].map { try t.store.stats(asOf: day, today: today, knownAt: nil, threads: $0) }
            if String(describing: stats[0]) != String(describing: stats[1]) { mismatches.append("stats as of \(String(describing: day))") }
            var filter = CustomerFilter()
            filter.sort = .balance
            let rows = try [1, 2].map { try t.store.customers(filter, asOf: day, today: today, knownAt: nil, threads: $0) }
            if String(describing: rows[0]) != String(describing: rows[1]) { mismatches.append("customers as of \(String(describing: day))") }
        }
        #expect(mismatches.count == 0, "\(feed.name): \(mismatches.prefix(5))")

        // Known at a point too (the walks from checkpoints within it).
        let n = UInt64(reference.events.count / 2)
        for day in days where day.description.hasSuffix("5") {
            let one = try t.store.aging(asOf: day, today: day, edges: edges, knownAt: .seq(n), threads: 1)
            let two = try t.store.aging(asOf: day, today: day, edges: edges, knownAt: .seq(n), threads: 2)
            #expect(one == two, "\(feed.name): aging as of \(day) known at \(n)")
        }

        // Each customer is handed over once, in byte order, by the two walks together.
        try t.store.env.read { txn in
            var seen: [String] = []
            let taken = try t.store.forEachState(txn, asOf: nil, through: nil, threads: 2, map: { c, _ in c }) { c, mapped in
                #expect(c == mapped)
                seen.append(c)
            }
            #expect(seen == customers)
            #expect(taken.count <= 2 && taken.reduce(0, +) == customers.count, "\(taken)")
        }
    }

    /// An error of `map` comes back from whichever thread met it, and the scan ends (no hang).
    @Test func anErrorOnEitherThreadIsThrown() throws {
        let feed = Self.feeds[0]
        let (t, _) = try StoreReferenceTests.ingested(feed)
        let customers = try t.store.env.read { txn in try txn.count(t.store.states) }
        #expect(customers > 4)
        struct Refused: Error, Equatable { let customer: String }
        let all = try t.store.customerIDs()
        for victim in [all[0], all[all.count / 2], all[all.count - 1]] {
            #expect(throws: Refused(customer: victim)) {
                try t.store.env.read { txn in
                    try t.store.forEachState(txn, asOf: nil, through: nil, threads: 2, map: { c, _ -> Int? in
                        if c == victim { throw Refused(customer: c) }
                        return 1
                    }) { _, _ in }
                }
            }
        }
    }

    /// The meeting of the walks, scripted: every interleaving of claims takes each key once,
    /// forward a prefix of the keys and backward the rest.
    @Test func theWalksTakeEveryKeyOnce() throws {
        let keys: [[UInt8]] = (0..<9).map { Array("C\($0)".utf8) }
        // Interleavings: how many forward claims before each backward one, and so on.
        for pattern in 0..<(1 << 9) {
            let meeting = StateScanMeeting<Int>(snapshot: 7)
            #expect(meeting.join(snapshot: 7))
            var forward = 0
            var backward = keys.count - 1
            var taken: [Int] = []
            var forwardOn = true
            var backwardOn = true
            var step = 0
            while forwardOn || backwardOn {
                let forwardTurn = (pattern >> (step % 9)) & 1 == 1
                step += 1
                if forwardTurn || !backwardOn, forwardOn {
                    if forward < keys.count, keys[forward].withUnsafeBytes({ meeting.claimForward($0) }) {
                        taken.append(forward)
                        forward += 1
                    } else {
                        forwardOn = false
                    }
                } else if backwardOn {
                    if backward >= 0, keys[backward].withUnsafeBytes({ meeting.claimBackward($0) }) {
                        taken.append(backward)
                        backward -= 1
                    } else {
                        backwardOn = false
                    }
                }
            }
            #expect(taken.sorted() == Array(0..<keys.count), "pattern \(pattern): \(taken)")
            #expect(forward == backward + 1, "pattern \(pattern)")
            meeting.finishBackward([], taken: keys.count - forward, failure: nil)
            #expect(try meeting.finishForward().taken == keys.count - forward)
        }
    }

    /// A second thread whose transaction reads another snapshot, or that comes after the
    /// forward walk is over, takes no part (and the calling thread does not wait for it).
    @Test func aSecondThreadOfAnotherSnapshotTakesNoPart() throws {
        let other = StateScanMeeting<Int>(snapshot: 7)
        #expect(!other.join(snapshot: 8))
        #expect(try other.finishForward().taken == 0)

        let late = StateScanMeeting<Int>(snapshot: 7)
        #expect(try late.finishForward().taken == 0)
        #expect(!late.join(snapshot: 7))

        // After a failed forward walk the second thread stops at its next key.
        let abandoned = StateScanMeeting<Int>(snapshot: 7)
        #expect(abandoned.join(snapshot: 7))
        #expect(Array("Z".utf8).withUnsafeBytes { abandoned.claimBackward($0) })
        abandoned.finishBackward([], taken: 1, failure: nil)
        abandoned.abandon()
        #expect(!Array("Y".utf8).withUnsafeBytes { abandoned.claimBackward($0) })
    }

    /// `storedStateCovers` says true only when the stored state's latest `at` is within T and
    /// false only when it is after; nil (decode to know) only when the customer's last event
    /// is a late entry. Checked at every event's `at`, an instant before and after it.
    @Test(arguments: feeds)
    func theStoredStateIsUsedExactlyWhenItIsTheAnswer(feed: StoreReferenceTests.Feed) throws {
        let (t, _) = try StoreReferenceTests.ingested(feed)
        let (reference, _) = try StoreReferenceTests.reference(feed.lines)
        var wrong: [String] = []
        var answered = [true: 0, false: 0]
        try t.store.env.read { txn in
            for customer in try t.store.customerIDs() {
                guard let head = try t.store.storedState(txn, customer) else { continue }
                var lastSeq: UInt64 = 0
                try t.store.forEachEvent(txn, of: customer) { seq, _, _ in
                    lastSeq = seq
                    return true
                }
                let late = try txn.contains(t.store.late, key: Store.customerEventKey(customer, lastSeq))
                var times: [Timestamp] = []
                for e in reference.events where e.event.customer == customer {
                    let at = e.event.at
                    times += [at, Timestamp(seconds: at.seconds - 1, nanos: at.nanos), Timestamp(seconds: at.seconds + 1, nanos: at.nanos)]
                }
                // Both ways of telling (decode first, indexes first) give the single customer's answer.
                let headBytes = try #require(try txn.get(t.store.states, key: Array(customer.utf8)))
                for time in times {
                    let expected = try t.store.state(txn, customer, asOf: time, through: nil)
                    for lately in [-Store.ScanScratch.storedLatelyCustomersMax, Store.ScanScratch.storedLatelyCustomersMax] {
                        var scratch = Store.ScanScratch(t.store, txn)
                        scratch.storedLately = lately
                        let scanned = try headBytes.withUnsafeBytes {
                            try t.store.scannedState(txn, customer, asOf: time, through: nil, head: $0, scratch: &scratch)
                        }
                        if scanned != expected { wrong.append("\(customer) at \(time): scanned state (\(lately)) differs") }
                    }
                    switch try t.store.storedStateCovers(txn, customer, time) {
                    case true?:
                        answered[true, default: 0] += 1
                        if head.latestAt > time { wrong.append("\(customer) at \(time): said covered, latest \(head.latestAt)") }
                    case false?:
                        answered[false, default: 0] += 1
                        if head.latestAt <= time { wrong.append("\(customer) at \(time): said not covered, latest \(head.latestAt)") }
                    case nil:
                        if !late { wrong.append("\(customer) at \(time): undecided, but its last event is not late") }
                    }
                }
            }
        }
        #expect(wrong.count == 0, "\(feed.name): \(wrong.prefix(3))")
        #expect(answered[true]! > 0 && answered[false]! > 0, "\(answered)")
    }
}
