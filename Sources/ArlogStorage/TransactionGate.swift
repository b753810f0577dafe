#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Identity of the calling OS thread, for the "same thread" rules below.
@inline(__always)
func currentThreadID() -> UInt {
    #if canImport(Darwin)
    UInt(bitPattern: pthread_self())
    #else
    UInt(pthread_self())
    #endif
}

/// Shared/exclusive gate around the transactions of one `Environment`.
///
/// Why it exists: `mdb_env_set_mapsize` (growing the map, or adopting another process's
/// growth) and `mdb_env_close` remap or free the map, and LMDB requires that no transaction
/// of this process is active while they run; it does not check. Every transaction holds the
/// gate shared for its whole life; resize and close take it exclusive.
///
/// Properties:
/// - Re-entrant for shared holders: a thread that already holds the gate (a `read` nested in a
///   `write`) enters again even while an exclusive section is waiting. Otherwise the exclusive
///   section would wait for that thread, and that thread for it: a deadlock.
/// - Otherwise writer-preferring: once an exclusive section is requested, new transactions
///   wait, so a steady stream of reads cannot starve a map growth.
/// - It knows which threads hold it, so callers can refuse (with an error, not a hang) to take it
///   exclusive from a thread that holds it shared.
///
/// It also records the thread that owns the write transaction: LMDB allows one write
/// transaction per process at a time, and a second `write` on the same thread would block on
/// LMDB's writer mutex forever.
final class TransactionGate: @unchecked Sendable {
    private let monitor = Monitor()

    // All below guarded by `monitor`.
    private var sharedCount = 0
    private var sharedHolders: [UInt: Int] = [:]
    private var exclusiveRequested = false
    private var writeOwner: UInt?

    init() {}

    @inline(__always)
    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        try monitor.locked(body)
    }

    func enterShared() {
        let me = currentThreadID()
        locked {
            while exclusiveRequested && sharedHolders[me, default: 0] == 0 {
                monitor.wait()
            }
            sharedCount += 1
            sharedHolders[me, default: 0] += 1
        }
    }

    func leaveShared() {
        let me = currentThreadID()
        locked {
            let held = sharedHolders[me, default: 0]
            precondition(held > 0 && sharedCount > 0, "TransactionGate: leaveShared without enterShared on this thread")
            sharedHolders[me] = held == 1 ? nil : held - 1
            sharedCount -= 1
            if sharedCount == 0 {
                monitor.broadcast()
            }
        }
    }

    /// True when the calling thread holds the gate shared (is inside a read or write closure).
    func callerHoldsShared() -> Bool {
        let me = currentThreadID()
        return locked { sharedHolders[me, default: 0] > 0 }
    }

    /// Runs `body` with no transaction of this process active.
    /// Precondition: the caller does not hold the gate shared (check `callerHoldsShared` first
    /// and report an error): waiting for itself would never end.
    func withExclusive<T>(_ body: () throws -> T) rethrows -> T {
        let me = currentThreadID()
        locked {
            precondition(sharedHolders[me, default: 0] == 0, "TransactionGate: exclusive requested by a thread inside a transaction")
            while exclusiveRequested {
                monitor.wait()
            }
            exclusiveRequested = true
            while sharedCount > 0 {
                monitor.wait()
            }
        }
        defer {
            locked {
                exclusiveRequested = false
                monitor.broadcast()
            }
        }
        return try body()
    }

    func claimWrite() {
        let me = currentThreadID()
        locked {
            precondition(writeOwner == nil, "TransactionGate: two write transactions active in one process")
            writeOwner = me
        }
    }

    func releaseWrite() {
        locked { writeOwner = nil }
    }

    /// True when the calling thread is inside a `write` closure.
    func callerOwnsWrite() -> Bool {
        let me = currentThreadID()
        return locked { writeOwner == me }
    }
}
