import ArlogDomain
import ArlogStorage
/// A scan of every customer's state (aging, stats, customers), on two threads.
///
/// The calling thread walks the customers forward from the first, in its read transaction; a
/// second thread, in a read transaction of its own, walks them backward from the last. The
/// two meet in the middle wherever that falls (`StateScanMeeting`: each takes a customer
/// only while it is short of the other's last one), so the split follows the work, whatever
/// the customers cost and however the machine schedules the threads. The second thread takes
/// part only when its transaction reads the same snapshot (LMDB transaction id) as the
/// caller's; otherwise (a write committed in between) the calling thread does everything.
/// Every transaction and its cursors stay on the thread that opened them.
///
/// What each thread computes per customer (`map`, pure: it runs on either thread) is handed
/// to `body` on the calling thread in customer byte order: the caller's as it goes, the
/// other thread's (held, in the order found, then reversed) once the two have met. So the
/// answer is the same whatever the number of threads, and `body` may read the caller's
/// transaction.
///
/// The calling thread never waits for the second one to begin: it waits only once the other
/// holds its transaction (and then only for its share of the customers), so the scan cannot
/// deadlock on `Environment`'s gate if another thread of the process asks to resize the map
/// meanwhile. The second thread is detached: when it starts too late to take part it ends
/// by itself.
extension Store {
    /// Threads a scan of every customer uses at most: the calling one and one more. The
    /// machines arlog targets have two cores and a query is one process among others.
    static let stateScanThreadsMax = 2
    /// Fewest customers for a second thread: below this a scan takes a few milliseconds at
    /// most (some 30 µs per customer folded from a checkpoint), and a thread of its own, with
    /// its own transaction, would save too little to be worth starting.
    static let stateScanParallelCustomersMin = 64

    /// Threads for a scan of `customers` customers: one when there are few of them or the
    /// process may use one processor only.
    static func stateScanThreads(customers: Int) -> Int {
        guard customers >= stateScanParallelCustomersMin else { return 1 }
        return OSThread.processorsOnline >= 2 ? stateScanThreadsMax : 1
    }

    /// Every customer's state as of `asOf`, known through `through`, mapped by `map` (nil:
    /// left out), handed to `body` in customer byte order on the calling thread; customers
    /// with no event then (not yet registered) are left out. `threads` nil: as many as
    /// `stateScanThreads` says. Returns how many customers each thread took (for tests).
    @discardableResult
    func forEachState<T: Sendable>(_ txn: ReadTransaction, asOf: Timestamp?, through: UInt64?, threads: Int? = nil,
                                   map: @escaping @Sendable (String, CustomerState) throws -> T?,
                                   _ body: (String, T) throws -> Void) throws -> [Int] {
        try forEachCustomer(txn, threads: threads, map: { store, txn, customer, head, scratch in
            guard let s = try store.scannedState(txn, customer, asOf: asOf, through: through, head: head, scratch: &scratch) else { return nil }
            return try map(customer, s)
        }, body)
    }

    /// What a scan computes per customer, on either thread: the store, that thread's read
    /// transaction, the customer, its stored state's bytes and the thread's scratch.
    typealias CustomerScanMap<T> = @Sendable (Store, ReadTransaction, String, UnsafeRawBufferPointer, inout ScanScratch) throws -> T?

    /// Every customer with a stored state, mapped by `map` (nil: left out) on either thread,
    /// handed to `body` in customer byte order on the calling thread: `forEachState` for a
    /// map that needs more than one state of a customer (`portfolio`: one per month end).
    @discardableResult
    func forEachCustomer<T: Sendable>(_ txn: ReadTransaction, threads: Int? = nil, map: @escaping CustomerScanMap<T>,
                                      _ body: (String, T) throws -> Void) throws -> [Int] {
        let threadCount = try threads ?? Store.stateScanThreads(customers: txn.count(states))
        let meeting = threadCount >= 2 ? startBackwardScan(snapshot: txn.id, map: map) : nil
        var scratch = ScanScratch(self, txn)
        var taken = 0
        do {
            try txn.scan(states, from: nil) { key, value in
                if let meeting, !meeting.claimForward(key) { return false }
                taken += 1
                let customer = String(decoding: key, as: UTF8.self)
                if let t = try map(self, txn, customer, value, &scratch) {
                    try body(customer, t)
                }
                return true
            }
        } catch {
            meeting?.abandon()
            throw error
        }
        guard let meeting else { return [taken] }
        let (others, otherTaken) = try meeting.finishForward()
        for (customer, t) in others.reversed() { try body(customer, t) }
        return [taken, otherTaken]
    }

    /// Starts the backward walk on a new thread; nil when no thread could be started (then
    /// the caller does everything).
    private func startBackwardScan<T: Sendable>(snapshot: Int, map: @escaping CustomerScanMap<T>) -> StateScanMeeting<T>? {
        let meeting = StateScanMeeting<T>(snapshot: snapshot)
        let store = UncheckedStore(store: self)
        let started = OSThread.start(detached: true) {
            store.store.backwardScan(meeting, map: map)
        }
        return started != nil ? meeting : nil
    }

    /// The second thread's walk: its own read transaction, from the last customer backward
    /// until it meets the calling thread's walk.
    private func backwardScan<T: Sendable>(_ meeting: StateScanMeeting<T>, map: CustomerScanMap<T>) {
        var results: [(String, T)] = []
        var taken = 0
        var joined = false
        var failure: (any Error)?
        do {
            try env.read { txn in
                guard meeting.join(snapshot: txn.id) else { return }
                joined = true
                guard let last = try txn.lastKey(states) else { return }
                var scratch = ScanScratch(self, txn)
                try txn.scanBackward(states, prefix: [], through: last) { key, value in
                    guard meeting.claimBackward(key) else { return false }
                    taken += 1
                    let customer = String(decoding: key, as: UTF8.self)
                    if let t = try map(self, txn, customer, value, &scratch) {
                        results.append((customer, t))
                    }
                    return true
                }
            }
        } catch {
            failure = error
        }
        if joined { meeting.finishBackward(results, taken: taken, failure: failure) }
    }
}

/// The store, for the second thread of a scan. Unchecked: that thread only reads, in its own
/// read transaction, through the store's immutable fields (its environment and databases);
/// it never touches the state cache, which only writers use.
private struct UncheckedStore: @unchecked Sendable {
    let store: Store
}

/// Where the two walks of a scan meet. Each takes a customer (its key) only while the key is
/// short of the other's last one: forward below the backward walk's last key, backward above
/// the forward walk's. Both walks are contiguous runs of the key order (forward from the
/// first key, backward from the last), both checks happen under one lock, so every customer
/// is taken by exactly one of them.
final class StateScanMeeting<T: Sendable>: @unchecked Sendable {
    /// Guards everything below it.
    private let monitor = Monitor()
    /// The calling thread's transaction id: the second thread takes part only with the same.
    let snapshot: Int
    private var forwardLast: [UInt8] = []
    private var forwardStarted = false
    private var backwardLast: [UInt8] = []
    private var backwardStarted = false
    /// The forward walk has stopped (met the other, reached the end, or failed).
    private var forwardDone = false
    private var abandoned = false
    private var joined = false
    private var finished = false
    private var results: [(String, T)] = []
    private var taken = 0
    private var failure: (any Error)?

    init(snapshot: Int) {
        self.snapshot = snapshot
    }

    private func locked<R>(_ body: () throws -> R) rethrows -> R {
        try monitor.locked(body)
    }

    /// The second thread, in its transaction: whether it takes part (the forward walk is not
    /// over and the transaction reads the same snapshot). Once it does, it must call
    /// `finishBackward` exactly once.
    func join(snapshot id: Int) -> Bool {
        locked {
            guard !forwardDone, id == snapshot else { return false }
            joined = true
            return true
        }
    }

    func claimForward(_ key: UnsafeRawBufferPointer) -> Bool {
        locked {
            // The second thread failed: the scan will throw its error, so stop here.
            if failure != nil { return false }
            if backwardStarted, !key.lexicographicallyPrecedes(backwardLast) { return false }
            forwardLast.removeAll(keepingCapacity: true)
            forwardLast.append(contentsOf: key)
            forwardStarted = true
            return true
        }
    }

    func claimBackward(_ key: UnsafeRawBufferPointer) -> Bool {
        locked {
            if abandoned { return false }
            if forwardStarted, !forwardLast.lexicographicallyPrecedes(key) { return false }
            backwardLast.removeAll(keepingCapacity: true)
            backwardLast.append(contentsOf: key)
            backwardStarted = true
            return true
        }
    }

    func finishBackward(_ results: [(String, T)], taken: Int, failure: (any Error)?) {
        locked {
            self.results = results
            self.taken = taken
            self.failure = failure
            finished = true
            monitor.broadcast()
        }
    }

    /// The forward walk is over: the second thread's results (in the order it found them,
    /// backward) and how many customers it took, once it has finished; none if it did not
    /// take part. Rethrows its error.
    func finishForward() throws -> (results: [(String, T)], taken: Int) {
        try locked {
            forwardDone = true
            guard joined else { return ([], 0) }
            while !finished { monitor.wait() }
            if let failure { throw failure }
            return (results, taken)
        }
    }

    /// The forward walk failed: the second thread stops at its next customer; waits for it
    /// if it took part.
    func abandon() {
        locked {
            forwardDone = true
            abandoned = true
            guard joined else { return }
            while !finished { monitor.wait() }
        }
    }
}
