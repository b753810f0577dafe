#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A mutex and a condition variable: the one lock the project's threads share state under
/// (the transaction gate, the meeting of a scan's two walks).
///
/// The pthread objects are heap-allocated once because they must never move, which a Swift
/// stored property does not promise.
public final class Monitor: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` holding the mutex.
    @inline(__always)
    public func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Releases the mutex until another thread calls `broadcast`, then takes it again.
    /// Only inside `locked`, and in a loop on the awaited condition (wake-ups may be spurious).
    public func wait() {
        pthread_cond_wait(condition, mutex)
    }

    /// Wakes every thread in `wait`. Inside `locked`, after changing what they wait for.
    public func broadcast() {
        pthread_cond_broadcast(condition)
    }
}

/// OS threads for the work the project splits over the two cores (the backward walk of a scan,
/// the replay half of verify). Plain pthreads rather than Swift concurrency: LMDB's read and
/// write transactions are bound to the OS thread that began them.
public enum OSThread {
    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    /// Starts `run` on a new thread; nil when no thread could be started (the caller then
    /// does the work itself). A `detached` thread cleans up after itself; any other must be
    /// given to `join`.
    public static func start(detached: Bool, _ run: @escaping () -> Void) -> pthread_t? {
        let body = Unmanaged.passRetained(Body(run)).toOpaque()
        var attributes = pthread_attr_t()
        guard pthread_attr_init(&attributes) == 0 else {
            Unmanaged<Body>.fromOpaque(body).release()
            return nil
        }
        defer { pthread_attr_destroy(&attributes) }
        let state = Int32(detached ? PTHREAD_CREATE_DETACHED : PTHREAD_CREATE_JOINABLE)
        var thread = pthread_t()
        guard pthread_attr_setdetachstate(&attributes, state) == 0,
              pthread_create(&thread, &attributes, { argument in
                  if let argument { Unmanaged<Body>.fromOpaque(argument).takeRetainedValue().run() }
                  return nil
              }, body) == 0
        else {
            Unmanaged<Body>.fromOpaque(body).release()
            return nil
        }
        return thread
    }

    /// Processors online (at least 1): a second thread only pays with a second processor.
    public static var processorsOnline: Int {
        max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }

    /// Waits for a thread `start(detached: false)` returned.
    public static func join(_ thread: pthread_t) {
        pthread_join(thread, nil)
    }
}
