import ArlogDomain
import ArlogEngine

/// What `ingest`, `rebuild` and `verify` print.
extension Render {
    // MARK: ingest

    /// The line that ends every ingest run on stderr:
    /// `accepted N, duplicates N, rejected N, lines N in S.SSs (N events/s)`.
    public static func ingestSummary(_ s: IngestSummary) -> String {
        "accepted \(s.accepted), duplicates \(s.duplicates), rejected \(s.rejected), lines \(s.lines) in \(fixed(s.seconds, digits: 2))s (\(rate(s.eventsPerSecond)) events/s)"
    }

    /// The progress line shown while ingesting into a terminal (no line end: it is overwritten).
    public static func ingestProgress(_ source: String, _ s: IngestSummary) -> String {
        "\(source): \(s.lines) lines, accepted \(s.accepted), duplicates \(s.duplicates), rejected \(s.rejected) (\(rate(s.eventsPerSecond)) events/s)"
    }

    /// One rejected line on stderr: `FILE:LINE: event ID: RULE: MESSAGE` (`-` when the id could
    /// not be read).
    public static func rejectedLine(_ r: RejectedLine) -> String {
        "\(r.source):\(r.line): event \(r.id.map(singleLine) ?? "-"): \(r.rejection.rule.rawValue): \(singleLine(r.rejection.message))"
    }

    /// One line of the `--rejects` file (NDJSON):
    /// `{"source","line","id" (or null),"rule","message","raw"}`, `raw` being the line's text
    /// (bytes that are not UTF-8 become U+FFFD). Ends with `\n`.
    public static func rejectRecord(_ r: RejectedLine, into w: inout JSONWriter) {
        w.raw("{\"source\":")
        w.string(r.source)
        w.raw(",\"line\":")
        w.raw(String(r.line))
        w.raw(",\"id\":")
        if let id = r.id { w.string(id) } else { w.raw("null") }
        w.raw(",\"rule\":")
        w.string(r.rejection.rule.rawValue)
        w.raw(",\"message\":")
        w.string(r.rejection.message)
        w.raw(",\"raw\":")
        w.string(String(decoding: r.raw, as: UTF8.self))
        w.raw("}\n")
    }

    // MARK: rebuild, verify

    /// `rebuilt: N events replayed, N customers in S.SSs (N events/s)`.
    public static func rebuild(_ s: RebuildSummary) -> String {
        "rebuilt: \(s.events) events replayed, \(s.customers) customers in \(fixed(s.seconds, digits: 2))s (\(rate(s.eventsPerSecond)) events/s)\n"
    }

    /// `OK: head SEQ:HASH, N events` (and whether --expect held), or one line per problem, the
    /// first broken sequence number and a count.
    public static func audit(_ r: AuditReport) -> String {
        var out = ""
        if r.ok {
            out = "OK: \(r.events) events, chain head \(r.head)\n"
            if r.expectationHeld == true { out += "expected head holds\n" }
            return out
        }
        for p in r.problems { out += "problem: \(singleLine(p))\n" }
        if let first = r.firstBrokenSeq { out += "first broken at sequence \(first)\n" }
        out += "FAILED: \(r.problems.count) problem\(r.problems.count == 1 ? "" : "s") in \(r.events) events\n"
        return out
    }

    /// `OK: N events, N customers` or one line per problem and a count.
    public static func verify(_ r: VerifyReport) -> String {
        if r.ok { return "OK: \(r.events) events, \(r.customers) customers\n" }
        var out = ""
        for p in r.problems { out += "problem: \(singleLine(p))\n" }
        let total = r.problems.count + r.problemsNotListed
        if r.problemsNotListed > 0 { out += "(\(r.problemsNotListed) more not listed)\n" }
        out += "FAILED: \(total) problem\(total == 1 ? "" : "s") in \(r.events) events, \(r.customers) customers\n"
        return out
    }
}
