import ArlogDomain

@testable import ArlogEngine

#if canImport(Glibc)
    import Glibc
#endif

/// One fuzz input, end to end, and the checks that make a wrong answer as loud as a crash.
///
/// Crashes (a trap, an overflow, an out-of-bounds index) are found by running the code at all.
/// Beyond them the harness checks what must hold for any feed, whatever it contains:
/// - the line reader splits the input as docs/feed.md says (compared with a plain split);
/// - a line the parser accepts, written back by `JSONWriter`, parses to the same object;
/// - `Intake.process` never throws for the in-memory log (a bad line is an outcome);
/// - every accepted line, offered again, is a duplicate;
/// - every ledger keeps balance = invoiced − credited − paid − written_off − voided with open
///   and unapplied ≥ 0, its open figure is the sum of its installments, it survives a
///   `LedgerCodec` round trip, and replaying its events gives it back;
/// - as-of folds at every `at` of the feed keep the identity, and their reports render as JSON
///   that parses;
/// - risk states, grade changes and alerts survive a `RiskCodec` round trip.
/// With `ARLOG_FUZZ_STORE=1` the feed is also ingested into a real LMDB store (slower), whose
/// ledgers must equal the in-memory ones and which must pass `verify`.
enum Harness {
    /// The input as a file: ingest reads a file descriptor, so the input is written to an
    /// unlinked temporary file and read back through `LineReader`.
    nonisolated(unsafe) static var feedFD: Int32 = -1
    nonisolated(unsafe) static var storeMode: Bool = false
    nonisolated(unsafe) static var storeCount = 0

    static func setUp() {
        guard feedFD < 0 else { return }
        let dir = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(dir)/arlog-fuzz-XXXXXX".utf8CString)
        feedFD = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard feedFD >= 0 else { fail("cannot create a temporary file in \(dir)") }
        _ = template.withUnsafeBufferPointer { unlink($0.baseAddress!) }
        storeMode = getenv("ARLOG_FUZZ_STORE").map { String(cString: $0) == "1" } ?? false
    }

    /// Reports a broken property and aborts: libFuzzer saves the input as a crash.
    static func fail(_ message: String) -> Never {
        let text = Array("arlog-fuzz: check failed: \(message)\n".utf8)
        _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        abort()
    }

    static func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fail(message()) }
    }

    static func run(_ input: UnsafeRawBufferPointer) {
        setUp()
        load(input)
        let lines = readLines()
        let expected = expectedLines(input)
        check(lines == expected, "LineReader split the input into \(lines.count) lines, expected \(expected.count): \(lines.prefix(4)) vs \(expected.prefix(4))")

        var log = InMemoryLog()
        var accepted: [[UInt8]] = []
        var duplicates = 0
        for line in lines {
            guard case .text(_, let bytes) = line else { continue }
            checkJSONRoundTrip(bytes)
            let outcome: IntakeOutcome
            do {
                outcome = try Intake.process(line: bytes, into: &log)
            } catch {
                fail("Intake.process threw for the in-memory log: \(error)")
            }
            switch outcome {
            case .accepted: accepted.append(bytes)
            case .duplicate: duplicates += 1
            case .rejected(let rejection, _):
                check(!rejection.message.isEmpty, "a rejection without a message: \(rejection.rule)")
            }
        }
        check(log.events.count == accepted.count, "log has \(log.events.count) events, \(accepted.count) accepted")

        for bytes in accepted {
            // Offered again, as received and as `JSONWriter` spells it (other escapes and
            // whitespace): both are duplicates.
            var w = JSONWriter()
            if let object = try? JSONParser.parseObject(bytes) { w.value(.object(object)) }
            for again in [bytes, w.bytes] {
                switch try? Intake.process(line: again, into: &log) {
                case .duplicate: break
                case let other: fail("an accepted line offered again is not a duplicate: \(String(describing: other))")
                }
            }
        }
        checkLedgers(log)
        checkRisk(log)
        if storeMode { StoreCheck.run(log: log, duplicates: duplicates, lines: lines) }
    }

    // MARK: lines

    enum Line: Equatable, CustomStringConvertible {
        case text(number: Int, bytes: [UInt8])
        case tooLong(number: Int)

        var description: String {
            switch self {
            case .text(let n, let b): "\(n): \(String(decoding: b.prefix(60), as: UTF8.self))"
            case .tooLong(let n): "\(n): too long"
            }
        }
    }

    static func load(_ input: UnsafeRawBufferPointer) {
        check(ftruncate(feedFD, 0) == 0, "ftruncate: \(errno)")
        var offset = 0
        while offset < input.count {
            let n = pwrite(feedFD, input.baseAddress! + offset, input.count - offset, off_t(offset))
            check(n > 0, "pwrite: \(errno)")
            offset += n
        }
        check(lseek(feedFD, 0, SEEK_SET) == 0, "lseek: \(errno)")
    }

    /// The lines as ingest reads them: the engine's `LineReader` on the file.
    static func readLines() -> [Line] {
        var reader = LineReader(fd: feedFD, name: "fuzz input")
        var lines: [Line] = []
        do {
            while let line = try reader.next() {
                switch line {
                case .text(let n, let range): lines.append(.text(number: n, bytes: Array(reader.buffer[range])))
                case .tooLong(let n, _): lines.append(.tooLong(number: n))
                }
            }
        } catch {
            fail("LineReader threw on a regular file: \(error)")
        }
        return lines
    }

    /// The lines as docs/feed.md describes them, by the plainest split: `\n` ends a line, a
    /// `\r` before it is dropped, the last line may lack its `\n`, lines of only spaces and
    /// tabs (and carriage returns, as the reader also skips) are blank, and lines are numbered
    /// from 1 counting blank ones.
    static func expectedLines(_ input: UnsafeRawBufferPointer) -> [Line] {
        var lines: [Line] = []
        var number = 0
        var start = 0
        while start < input.count {
            var end = start
            while end < input.count, input[end] != 0x0A { end += 1 }
            number += 1
            var content = Array(input[start..<end])
            if content.last == 0x0D { content.removeLast() }
            if content.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                // blank
            } else if content.count > FeedLimits.lineBytesMax {
                lines.append(.tooLong(number: number))
            } else {
                lines.append(.text(number: number, bytes: content))
            }
            start = end + 1
        }
        return lines
    }

    // MARK: JSON

    static func checkJSONRoundTrip(_ bytes: [UInt8]) {
        guard let object = try? JSONParser.parseObject(bytes) else { return }
        var w = JSONWriter()
        w.value(.object(object))
        guard let again = try? JSONParser.parseObject(w.bytes) else {
            fail("JSONWriter wrote text the parser refuses: \(w.text.prefix(200))")
        }
        check(again == object, "JSON round trip changed the object: \(w.text.prefix(200))")
    }

    // MARK: ledgers

    static func checkLedgers(_ log: InMemoryLog) {
        let customers = log.ledgers.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        var days = Set<Day>()
        for e in log.events { days.insert(e.event.at.utcDay) }
        for id in customers {
            guard let ledger = log.ledgers[id] else { continue }
            checkFigures(ledger, "customer \(id)")
            do {
                let decoded = try LedgerCodec.decode(LedgerCodec.encode(ledger))
                check(decoded == ledger, "LedgerCodec round trip changed customer \(id)")
            } catch {
                fail("LedgerCodec cannot decode what it encoded for customer \(id): \(error)")
            }
            let events = log.events.lazy.map(\.event).filter { $0.customer == id }
            check(Replay.fold(events, asOf: nil) == ledger, "replaying customer \(id) does not give its ledger")
            // As of the latest `at`, every event counts: the ledger again (queries rely on it).
            check(Replay.fold(events, asOf: ledger.latestAt) == ledger, "customer \(id) as of its latest at is not its ledger")
            checkCredit(ledger, log)
            var w = JSONWriter()
            BalanceReport(ledger).json(into: &w)
            check((try? JSONParser.parseObject(w.bytes)) != nil, "balance JSON does not parse: \(w.text.prefix(200))")
            // As of each `at` of the customer's events, and just before the first.
            var instants = Array(events.map(\.at))
            if let first = instants.first, first.seconds > Int64.min / 2 {
                instants.append(Timestamp(seconds: first.seconds - 1))
            }
            for t in instants {
                guard let l = Replay.fold(events, asOf: t) else { continue }
                checkFigures(l, "customer \(id) as of \(t)")
            }
        }
        // Aging as of every UTC date an event fell on, over all customers.
        for day in days.sorted().prefix(8) {
            var report = AgingReport(asOf: day, edges: Aging.defaultEdges)
            for id in customers {
                if let l = Replay.fold(log.events.lazy.map(\.event).filter { $0.customer == id }, asOf: Timestamp.endOf(day)) {
                    report.add(l.summary)
                }
            }
            var w = JSONWriter()
            report.json(into: &w)
            check((try? JSONParser.parseObject(w.bytes)) != nil, "aging JSON does not parse: \(w.text.prefix(200))")
        }
    }

    static func checkFigures(_ l: CustomerLedger, _ what: String) {
        let t = l.totals
        check(t.open >= 0 && t.unapplied >= 0, "\(what): open \(t.open), unapplied \(t.unapplied)")
        var rhs = t.invoiced
        var overflow = false
        for x in [t.credited, t.paid, t.writtenOff, t.voided] {
            let (d, o) = rhs.subtractingReportingOverflow(x)
            rhs = d
            overflow = overflow || o
        }
        check(!overflow && rhs == t.balance, "\(what): balance \(t.balance) ≠ invoiced − credited − paid − written_off − voided (\(rhs)); \(t)")
        var open: Int64 = 0
        for inv in l.invoices {
            for inst in inv.installments {
                check(inst.open >= 0 && inst.open <= inst.amount, "\(what): installment of \(inv.id) open \(inst.open) of \(inst.amount)")
                open += inst.open
            }
        }
        check(open == t.open, "\(what): installments hold \(open) open, totals say \(t.open)")
        var unapplied: Int64 = 0
        for p in l.payments where !p.reversed { unapplied += p.unapplied }
        check(unapplied == t.unapplied, "\(what): payments hold \(unapplied) unapplied, totals say \(t.unapplied)")
    }

    // MARK: risk

    /// What `arlog grade`, `check` and `limits` compute from a ledger: the assessment on the
    /// day of its latest event and a year later, a credit check of the smallest and the
    /// largest amount `--amount` takes, a limit review. They must not trap.
    static func checkCredit(_ ledger: CustomerLedger, _ log: InMemoryLog) {
        let policy = log.timeline.policy(atSeq: UInt64(log.events.count))
        for day in [ledger.latestAt.utcDay, ledger.latestAt.utcDay.adding(days: 365)] where day.isRepresentable {
            let a = CreditScoring.assess(ledger, policy: policy, on: day)
            check((0...100).contains(a.score), "score \(a.score) of \(ledger.profile.id) outside 0–100")
            for amount in [Int64(1), Money.amountMinorMax] { _ = CreditCheck.decide(a, policy: policy, amount: amount) }
            _ = LimitReview.recommend(a, termsDays: ledger.profile.termsDays, policy: policy)
        }
    }

    static func checkRisk(_ log: InMemoryLog) {
        for (id, state) in log.risk {
            let bytes = RiskCodec.encode(state)
            let decoded = bytes.withUnsafeBytes { try? RiskCodec.decodeState($0) }
            check(decoded == state, "RiskCodec round trip changed the risk state of \(id)")
        }
        for change in log.gradeChanges {
            let bytes = RiskCodec.encode(change)
            let decoded = bytes.withUnsafeBytes { try? RiskCodec.decodeGradeChange($0) }
            check(decoded == change, "RiskCodec round trip changed a grade change of \(change.customer)")
        }
        for alert in log.alerts {
            let bytes = RiskCodec.encode(alert)
            let decoded = bytes.withUnsafeBytes { try? RiskCodec.decodeAlert($0) }
            check(decoded == alert, "RiskCodec round trip changed an alert")
        }
    }
}
