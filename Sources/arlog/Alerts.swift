import ArgumentParser
import ArlogDomain
import ArlogEngine
import ArlogRender

#if canImport(Glibc)
    import Glibc
#endif

struct Alerts: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "List credit alerts; --follow prints new ones as they come, --exec delivers them.",
        discussion: """
            Alerts are raised by the risk projection when an evaluation crosses a line: grade \
            fell, score below the policy's threshold, over the limit, utilisation high, an \
            invoice entering 61-90 or 91+ days overdue, a payment reversed. Each names the \
            event that caused it. Listed in log order; --since (evaluated on or after), \
            --level (at least), --customer filter; at most --limit are listed, the latest.

            --follow: print each new alert as it is committed, one line each (the table form is \
            one unaligned line; json one object a line), until interrupted. With --since, the \
            existing alerts that match come first.

            --exec CMD: run `/bin/sh -c CMD` once per alert, the alert's JSON on its standard \
            input and ARLOG_ALERT_ID, ARLOG_ALERT_KIND, ARLOG_ALERT_LEVEL, ARLOG_CUSTOMER in its \
            environment, from where the cursor --cursor (default "default") stopped. The cursor \
            moves past an alert only after its command exited 0: at-least-once delivery, an alert \
            may be delivered again after a crash, so CMD must be idempotent (deduplicate on the \
            alert id). A failing command is retried --attempts times with a growing delay; then \
            arlog exits 2 and the cursor stays before that alert. With --follow it keeps running. \
            --from-now: a new cursor starts after the alerts already committed.

            Example:
              arlog alerts --since 2025-06-01 --level critical
              arlog alerts --follow --format json
              arlog alerts --exec 'notify-collections' --cursor collections --follow
            """
    )

    enum Level: String, ExpressibleByArgument, CaseIterable {
        case warning, critical
    }

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions

    @Option(help: ArgumentHelp("Only alerts evaluated on or after this date.", valueName: "yyyy-mm-dd"))
    var since: String?

    @Option(help: "Only alerts at this level or above.")
    var level: Level?

    @Option(help: ArgumentHelp("Only this customer's alerts.", valueName: "customer"))
    var customer: String?

    @Option(help: ArgumentHelp("List at most this many alerts: the latest that match (1…\(CreditLimits.alertsListedMax), default 1000).", valueName: "n"))
    var limit = 1000

    @Flag(help: "Keep running and print new alerts as they are committed.")
    var follow = false

    @Option(help: ArgumentHelp("Run this shell command once per alert (the alert's JSON on its stdin).", valueName: "command"))
    var exec: String?

    @Option(help: ArgumentHelp("With --exec: the name of the stored delivery cursor (default \"default\").", valueName: "name"))
    var cursor: String?

    @Flag(help: "With --exec, for a cursor not used before: start after the alerts already committed (deliver only new ones).")
    var fromNow = false

    @Option(
        help: ArgumentHelp(
            "With --follow or --exec: how often to look for new alerts, in ms (\(AlertDeliveryOptions.pollIntervalMillisRange.lowerBound)…\(AlertDeliveryOptions.pollIntervalMillisRange.upperBound), default 500).",
            valueName: "ms"))
    var pollMs: Int?

    @Option(
        help: ArgumentHelp(
            "With --exec: runs of the command per alert before giving up (\(AlertDeliveryOptions.attemptsMaxRange.lowerBound)…\(AlertDeliveryOptions.attemptsMaxRange.upperBound), default 5).",
            valueName: "n"))
    var attempts: Int?

    func validate() throws {
        guard (1...CreditLimits.alertsListedMax).contains(limit) else {
            throw ValidationError("--limit must be between 1 and \(CreditLimits.alertsListedMax), not \(limit)")
        }
        if let since, Day(parsing: since) == nil { throw ValidationError("--since: \"\(since)\" is not a valid date YYYY-MM-DD") }
        if let customer { try IdArgument.validate(customer: customer, "--customer") }
        if let exec, exec.isEmpty { throw ValidationError("--exec: the command is empty") }
        if let cursor {
            if exec == nil { throw ValidationError("--cursor is only for --exec") }
            if !EventDecoder.isIdentifier(cursor, max: CreditLimits.cursorNameCharsMax) {
                throw ValidationError("--cursor must be 1–\(CreditLimits.cursorNameCharsMax) characters of A-Z a-z 0-9 . _ : -")
            }
        }
        if fromNow, exec == nil { throw ValidationError("--from-now is only for --exec") }
        if let attempts {
            if exec == nil { throw ValidationError("--attempts is only for --exec") }
            if !AlertDeliveryOptions.attemptsMaxRange.contains(attempts) {
                throw ValidationError("--attempts must be between 1 and 100, not \(attempts)")
            }
        }
        if let pollMs {
            if !follow, exec == nil { throw ValidationError("--poll-ms is only for --follow or --exec") }
            let range = AlertDeliveryOptions.pollIntervalMillisRange
            if !range.contains(pollMs) {
                throw ValidationError("--poll-ms must be between \(range.lowerBound) and \(range.upperBound), not \(pollMs)")
            }
        }
    }

    var filter: AlertFilter {
        var f = AlertFilter()
        f.since = since.flatMap { Day(parsing: $0) }
        f.level = level.flatMap { AlertLevel(name: $0.rawValue) }
        f.customer = customer
        return f
    }

    func run() throws {
        let store = try exec != nil ? storeOptions.openForWriting("alerts --exec") : storeOptions.open()
        defer { store.close() }
        if let exec {
            var options = AlertDeliveryOptions(command: exec)
            if let cursor { options.cursor = cursor }
            options.follow = follow
            options.fromNow = fromNow
            options.filter = filter
            if let pollMs { options.pollIntervalMillis = pollMs }
            if let attempts { options.attemptsMax = attempts }
            let delivered = try store.deliverAlerts(options, log: { Console.error("arlog: \($0)") })
            Console.error("arlog: delivered \(delivered) alert\(delivered == 1 ? "" : "s") (cursor \"\(options.cursor)\")")
            return
        }
        let format = formatOptions.output
        if follow {
            // Start after the last alert committed so far, or with --since from the first.
            let after = since == nil ? try store.lastAlertKey() : nil
            try Console.out(Render.alertFollowHeader(format: format))
            // Each alert is written at once; a failed write (the reader went away, the disk
            // is full) stops following and is the command's error.
            var failure: Error?
            try store.followAlerts(filter, after: after, pollIntervalMillis: pollMs ?? 500) { alert in
                do {
                    let name = try store.names([alert.customer])[0]
                    try Console.out(Render.alertLine(alert, format: format, name: name))
                    return true
                } catch {
                    failure = error
                    return false
                }
            }
            if let failure { throw failure }
            return
        }
        // The latest `limit` matches, in log order: memory stays bounded by the limit however
        // many alerts the store holds.
        var listed: [Alert] = []
        var matched = 0
        var after: [UInt8]?
        while true {
            let page = try store.alerts(filter, after: after)
            matched += page.count
            listed += page.map(\.alert)
            if listed.count > 2 * limit { listed.removeFirst(listed.count - limit) }
            guard page.count == CreditLimits.alertsPageMax, let last = page.last else { break }
            after = last.key
        }
        if listed.count > limit { listed.removeFirst(listed.count - limit) }
        try Console.out(Render.alerts(listed, format: format, names: try store.names(listed.map(\.customer))))
        if matched > listed.count {
            Console.error("arlog: listed the latest \(listed.count) of \(matched) matching alerts (narrow with --since, --level, --customer or raise --limit)")
        }
    }
}
