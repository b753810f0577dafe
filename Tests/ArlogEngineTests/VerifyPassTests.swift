import ArlogDomain
import ArlogStorage
import Testing

@testable import ArlogEngine

/// The replay half of `verify` and `audit verify` on a second thread, in a read transaction of
/// its own, while the walk of the log runs on the calling thread.
struct VerifyPassTests {
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

    /// The replay answers for the caller's snapshot even when a write commits while both
    /// transactions begin: a replay that read a later snapshot (another transaction id) is run
    /// again in the caller's. Here the write damages a state after the caller's snapshot, so a
    /// replay of the later snapshot would report it. (Whether the second thread began before
    /// the write or after it is up to the scheduler; repeated so that both happen.)
    @Test func theReplayAnswersForTheCallersSnapshot() throws {
        for round in 0..<20 {
            let (t, _) = try AuditTests.store()
            try t.store.env.read { txn in
                let outcome = try t.store.replayAlongside(txn, rederive: true, when: true) {
                    var state = try t.store.state("PEARL")
                    state.totals.open += 1
                    try t.store.env.write { try $0.put(t.store.states, key: Array("PEARL".utf8), value: StateCodec.encode(state)) }
                }
                #expect(outcome.transactionID == txn.id)
                #expect(outcome.problems.isEmpty, "round \(round): \(outcome.problems.map(\.message))")
            }
            // The damage is there, for a transaction begun after it.
            #expect(try t.store.verify().problems == ["customer PEARL: stored state differs from the log"])
        }
    }
}
