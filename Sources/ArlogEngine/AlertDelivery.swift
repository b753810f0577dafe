import ArlogDomain
import ArlogStorage

#if canImport(Glibc)
    import Glibc
#endif

/// `arlog alerts --exec`: runs a command per alert with the alert's JSON on its standard input.
///
/// At-least-once: the cursor (the key of the last alert handled) is stored only after the
/// command exited 0, in its own write transaction. A crash between the two re-runs that alert's
/// command on the next start: never skipped, possibly repeated. Commands must therefore be
/// idempotent (the alert's `alert` id is stable, including across rebuilds, to deduplicate on).
public struct AlertDeliveryOptions: Sendable {
    public var command: String
    /// The stored cursor's name: independent consumers use different names.
    public var cursor = "default"
    /// Keep running and deliver alerts as they are committed.
    public var follow = false
    /// Alerts the filter refuses are passed over (the cursor moves past them).
    public var filter = AlertFilter()
    /// A cursor that does not exist yet starts after the last alert committed so far (a new
    /// consumer that wants only what happens from now on), not before the first.
    public var fromNow = false
    /// How often `follow` looks for new alerts.
    public var pollIntervalMillis = 500
    /// Runs of the command per alert before giving up (the cursor stays before that alert).
    public var attemptsMax = 5
    /// Wait after the first failure, doubled after each further one.
    public var retryDelayMillis = 500

    public static let pollIntervalMillisRange = 10...60_000
    public static let attemptsMaxRange = 1...100
    /// Alerts read per page.
    static let pageAlertsMax = 1_000

    public init(command: String) { self.command = command }
}

extension Store {
    /// Delivers alerts after the stored cursor; returns how many commands succeeded. With
    /// `follow`, returns only when `shouldStop` says so (checked between polls).
    public func deliverAlerts(_ o: AlertDeliveryOptions, log: (String) -> Void, shouldStop: () -> Bool = { false }) throws -> Int {
        precondition(AlertDeliveryOptions.pollIntervalMillisRange.contains(o.pollIntervalMillis))
        precondition(AlertDeliveryOptions.attemptsMaxRange.contains(o.attemptsMax))
        // A command that does not read its stdin must not kill us with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        var after = try alertCursor(o.cursor)
        if after == nil, o.fromNow, let last = try lastAlertKey() {
            try setAlertCursor(o.cursor, last)
            after = last
        }
        var delivered = 0
        while true {
            let page = try alerts(AlertFilter(), after: after, limit: AlertDeliveryOptions.pageAlertsMax)
            for (key, alert) in page {
                if o.filter.admits(alert) {
                    try deliver(alert, o, log: log)
                    delivered += 1
                }
                try setAlertCursor(o.cursor, key)
                after = key
            }
            if page.isEmpty {
                if !o.follow || shouldStop() { return delivered }
                Store.sleep(millis: o.pollIntervalMillis)
            }
        }
    }

    func deliver(_ alert: Alert, _ o: AlertDeliveryOptions, log: (String) -> Void) throws {
        var w = JSONWriter()
        alert.json(into: &w, name: try names([alert.customer])[0])
        var input = w.bytes
        input.append(0x0A)
        var delay = o.retryDelayMillis
        for attempt in 1...o.attemptsMax {
            let status = try Store.run(o.command, stdin: input, environment: [
                "ARLOG_ALERT_ID": alert.id, "ARLOG_ALERT_KIND": alert.kind.rawValue,
                "ARLOG_ALERT_LEVEL": alert.level.name, "ARLOG_CUSTOMER": alert.customer,
            ])
            if status == 0 { return }
            log("alert \(alert.id): command \(Store.describe(status)) (attempt \(attempt) of \(o.attemptsMax))")
            if attempt < o.attemptsMax {
                Store.sleep(millis: delay)
                delay = min(delay * 2, 60_000)
            }
        }
        throw EngineError(.io, "alert \(alert.id) was not delivered after \(o.attemptsMax) attempts; the cursor \"\(o.cursor)\" stays before it, run again to retry")
    }

    /// Runs `/bin/sh -c command` with `stdin` on its standard input and the extra variables in
    /// its environment; returns its wait status.
    static func run(_ command: String, stdin input: [UInt8], environment: [String: String]) throws -> Int32 {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw EngineError(.io, "pipe: \(String(cString: strerror(errno)))") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], STDIN_FILENO)
        posix_spawn_file_actions_addclose(&actions, fds[1])
        posix_spawn_file_actions_addclose(&actions, fds[0])
        var env: [String] = []
        var e = environ
        while let p = e.pointee {
            let entry = String(cString: p)
            if let eq = entry.firstIndex(of: "="), environment[String(entry[..<eq])] == nil { env.append(entry) }
            e += 1
        }
        for (k, v) in environment.sorted(by: { $0.key < $1.key }) { env.append("\(k)=\(v)") }
        let argv: [UnsafeMutablePointer<CChar>?] = ["/bin/sh", "-c", command].map { (s: String) in strdup(s) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { (s: String) in strdup(s) } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, envp)
        Glibc.close(fds[0])
        guard rc == 0 else {
            Glibc.close(fds[1])
            throw EngineError(.io, "cannot run /bin/sh: \(String(cString: strerror(rc)))")
        }
        // The command may exit without reading: a short write (EPIPE) is not an error here,
        // its exit status decides.
        input.withUnsafeBytes { b in
            var off = 0
            while off < b.count {
                let n = Glibc.write(fds[1], b.baseAddress! + off, b.count - off)
                if n < 0 { if errno == EINTR { continue } else { break } }
                off += n
            }
        }
        Glibc.close(fds[1])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw EngineError(.io, "waitpid: \(String(cString: strerror(errno)))") }
        }
        return status
    }

    static func describe(_ status: Int32) -> String {
        let signal = status & 0x7F
        if signal == 0 { return "exited \((status >> 8) & 0xFF)" }
        return "was killed by signal \(signal)"
    }

    static func sleep(millis: Int) {
        var ts = timespec(tv_sec: millis / 1000, tv_nsec: (millis % 1000) * 1_000_000)
        var left = timespec()
        while nanosleep(&ts, &left) != 0, errno == EINTR { ts = left }
    }

    /// `arlog alerts --follow`: calls `emit` with each alert after `after` that passes the
    /// filter, in log order, polling for new ones until `emit` returns false.
    public func followAlerts(_ filter: AlertFilter, after: [UInt8]?, pollIntervalMillis: Int = 500, emit: (Alert) -> Bool) throws {
        precondition(AlertDeliveryOptions.pollIntervalMillisRange.contains(pollIntervalMillis))
        var after = after
        while true {
            let page = try alerts(AlertFilter(), after: after, limit: AlertDeliveryOptions.pageAlertsMax)
            for (key, alert) in page {
                after = key
                if filter.admits(alert), !emit(alert) { return }
            }
            if page.isEmpty { Store.sleep(millis: pollIntervalMillis) }
        }
    }
}
