import ArlogDomain
import ArlogFeedGen
import ArlogStorage
import Foundation
import Testing

@testable import ArlogEngine

/// The store (hot states, cold records, checkpoints, late entries, risk records) against the
/// in-memory reference (`InMemoryLog`), on generated feeds with log-wide events interleaved
/// and on the same feeds with 5 % of their lines moved later in the file, so that they are
/// logged after events of their customer dated later than them (late entries).
///
/// (a) every customer's state, items, profile, grade changes and alerts equal the reference;
/// (b) any split into batches gives byte-identical projections and indexes;
/// (c) rebuild gives byte-identical projections, and `rebuild(indexes: true)` indexes too;
/// (d) as-of answers (state, balance, aging) equal the reference fold at many dates, late
///     entries' included, and known-at answers equal a reference of the log's prefix;
/// (e) verify and audit verify say OK throughout.
///
/// Each test case builds its own stores, so the cases run in parallel with the rest.
@Suite struct StoreReferenceTests {
    /// A feed under test: its name (for messages) and lines.
    struct Feed: CustomTestStringConvertible, Sendable {
        let name: String
        let lines: [String]
        var text: String { lines.joined(separator: "\n") + "\n" }
        var testDescription: String { name }
    }

    /// Seeded and platform-independent (the generator's SplitMix64): the same feed on every run.
    struct Random {
        var generator: SplitMix64
        init(state: UInt64) { generator = SplitMix64(state: state) }
        mutating func below(_ n: Int) -> Int { Int(generator.next() % UInt64(n)) }
    }

    static let lenientPolicy: CreditPolicy = {
        var p = CreditPolicy.default
        p.name = "lenient"
        p.gradeMinScores = [75, 60, 45, 30]
        return p
    }()

    /// A generated feed with log-wide events spliced in, each dated like the line before it:
    /// a review every `reviewEvery` lines, the strict policy at 40 % of the feed and a lenient
    /// one at 75 %.
    static func generated(seed: UInt64, events: Int = 1600, customers: Int = 24, reviewEvery: Int = 300) -> [String] {
        var bytes: [UInt8] = []
        var generator = FeedGenerator(events: events, customers: customers, seed: seed, start: Day(year: 2024, month: 1, day: 1)!)
        generator.run { bytes.append(contentsOf: $0) }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        var out: [String] = []
        for (i, line) in lines.enumerated() {
            out.append(String(line))
            let at = Timestamp(parsing: RiskStoreTests.at(of: line))!
            if i > 0, i % reviewEvery == 0 {
                out.append(String(decoding: OwnEvents.reviewed(id: "review-\(i)", at: at, actor: "ops", note: nil), as: UTF8.self))
            }
            if i == lines.count * 2 / 5 {
                out.append(String(decoding: OwnEvents.policyChanged(RiskStoreTests.strictPolicy, id: "policy-strict", at: at, actor: "cfo", note: nil), as: UTF8.self))
            }
            if i == lines.count * 3 / 4 {
                out.append(String(decoding: OwnEvents.policyChanged(lenientPolicy, id: "policy-lenient", at: at, actor: "cfo", note: nil), as: UTF8.self))
            }
        }
        return out
    }

    /// `lines` with a random 5 % of them moved later in the file (by 20 to 600 lines): each is
    /// then logged after events dated later than it.
    static func withLateLines(_ lines: [String], seed: UInt64) -> [String] {
        var random = Random(state: seed)
        var keyed: [(key: Int, line: String)] = []
        for (i, line) in lines.enumerated() {
            // Keys leave room between lines: a moved line goes right after line i + shift.
            if random.below(100) < 5 {
                keyed.append(((i + 20 + random.below(581)) * 2 + 1, line))
            } else {
                keyed.append((i * 2, line))
            }
        }
        return keyed.sorted { $0.key < $1.key }.map(\.line)
    }

    static let seeds: [UInt64] = [22, 23]
    static let feeds: [Feed] = seeds.flatMap { seed -> [Feed] in
        let lines = generated(seed: seed)
        return [Feed(name: "seed \(seed)", lines: lines), Feed(name: "seed \(seed), 5 % late", lines: withLateLines(lines, seed: seed))]
    }

    // MARK: Helpers

    /// The reference: every line through the in-memory log, and each line's outcome.
    static func reference(_ lines: some Sequence<String>) throws -> (log: InMemoryLog, outcomes: [IntakeOutcome]) {
        var log = InMemoryLog()
        var outcomes: [IntakeOutcome] = []
        for line in lines { outcomes.append(try Intake.process(line: Array(line.utf8), into: &log)) }
        return (log, outcomes)
    }

    /// (line number, rule) of each rejected line.
    static func rejections(_ outcomes: [IntakeOutcome]) -> [String] {
        outcomes.enumerated().compactMap { i, o in
            if case .rejected(let r, _) = o { return "line \(i + 1): \(r.rule)" }
            return nil
        }
    }

    static func ingested(_ feed: Feed, batch: Int? = nil) throws -> (TempStore, [RejectedLine]) {
        let t = try TempStore()
        var options = IngestOptions()
        if let batch { options.batchEventsMax = batch }
        let (_, rejected) = try t.ingest(feed.text, options: options)
        return (t, rejected)
    }

    /// A state without its risk part: as-of and known-at states are folds without risk
    /// evaluations (the reference's as-of fold has none either).
    static func withoutRisk(_ s: CustomerState?) -> CustomerState? {
        guard var s else { return nil }
        s.risk = RiskSweep(sweepDay: s.registeredAt.utcDay)
        return s
    }

    /// The late entries the reference implies: each customer event logged after an event of
    /// the same customer with a later `at`, with that later `at` (the customer's latest before).
    static func lateEntries(_ log: InMemoryLog) -> [(customer: String, seq: UInt64, at: Timestamp, latestBefore: Timestamp)] {
        var out: [(String, UInt64, Timestamp, Timestamp)] = []
        for customer in log.states.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            var latest: Timestamp?
            for e in log.events(of: customer) {
                if let l = latest, e.event.at < l { out.append((customer, e.seq, e.event.at, l)) }
                latest = max(latest ?? e.event.at, e.event.at)
            }
        }
        return out
    }

    static func gradeChanges(_ store: Store) throws -> [GradeChange] {
        try store.env.read { txn in
            var out: [GradeChange] = []
            try txn.scan(store.grades, from: nil) { _, v in
                out.append(try RiskCodec.decodeGradeChange(v))
                return true
            }
            return out
        }
    }

    static func alerts(_ store: Store) throws -> [Alert] {
        try store.env.read { txn in
            var out: [Alert] = []
            try txn.scan(store.alerts, from: nil) { _, v in
                out.append(try RiskCodec.decodeAlert(v))
                return true
            }
            return out
        }
    }

    static func expectVerified(_ store: Store, _ what: String) throws {
        let v = try store.verify()
        #expect(v.ok, "\(what): verify: \(v.problems.prefix(5))")
        let a = try store.auditVerify()
        #expect(a.ok, "\(what): audit verify: \(a.problems.prefix(5))")
    }

    // MARK: (a), (c), (e)

    @Test(arguments: feeds)
    func storeEqualsTheReferenceAndRebuildsIdentically(feed: Feed) throws {
        let (t, rejected) = try Self.ingested(feed)
        let (reference, outcomes) = try Self.reference(feed.lines)
        // The same lines accepted and rejected, for the same reasons.
        #expect(rejected.map { "line \($0.line): \($0.rejection.rule)" } == Self.rejections(outcomes), "\(feed.name)")
        #expect(try t.store.head() == UInt64(reference.events.count))
        #expect(reference.events.count > feed.lines.count * 9 / 10, "\(feed.name): most lines are accepted")
        #expect(reference.timeline.policies.count == 2)

        // (a) Customer by customer: the hot state (figures, open installments, payments, risk),
        // every cold record, the profile, the whole ledger view.
        let customers = try t.store.customerIDs()
        #expect(customers == reference.states.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        var mismatches: [String] = []
        for c in customers {
            let stored = try t.store.state(c)
            let expected = try #require(reference.states[c])
            if stored != expected {
                mismatches.append("\(c): state \(stored.totals) \(stored.risk) vs \(expected.totals) \(expected.risk)")
            }
            if stored.openInstallments.map({ "\($0.dueOn) \($0.open)" }) != expected.openInstallments.map({ "\($0.dueOn) \($0.open)" }) {
                mismatches.append("\(c): open installments")
            }
            if stored.risk.last != expected.risk.last { mismatches.append("\(c): risk \(String(describing: stored.risk.last))") }
            if !stored.brokenInvariants().isEmpty { mismatches.append("\(c): \(stored.brokenInvariants())") }
            if try t.store.ledger(c) != reference.ledger(for: c) { mismatches.append("\(c): ledger view") }
        }
        try t.store.env.read { txn in
            var cold = StoreCold(store: t.store, txn: txn)
            for (seq, invoice) in reference.cold.invoices where try cold.invoice(seq) != invoice {
                mismatches.append("invoice record \(invoice.id) at \(seq)")
            }
            for (seq, payment) in reference.cold.payments where try cold.payment(seq) != payment {
                mismatches.append("payment record \(payment.id) at \(seq)")
            }
            for (c, profile) in reference.cold.profiles where try t.store.storedProfile(txn, c) != profile {
                mismatches.append("profile of \(c)")
            }
            let items = try txn.count(t.store.items)
            if items != reference.cold.invoices.count + reference.cold.payments.count { mismatches.append("items holds \(items) records") }
        }
        #expect(mismatches.isEmpty, "\(feed.name): \(mismatches.count) mismatches: \(mismatches.prefix(5))")

        // Grade changes per customer in log order, and alerts in key order.
        let grades = try Self.gradeChanges(t.store)
        let expectedGrades = reference.gradeChanges.sorted {
            Store.gradeKey($0.customer, $0.cause.seq).lexicographicallyPrecedes(Store.gradeKey($1.customer, $1.cause.seq))
        }
        #expect(grades == expectedGrades, "\(feed.name): grade changes")
        #expect(Set(grades.map(\.policyName)) == [CreditPolicy.default.name, "strict", "lenient"], "\(feed.name)")
        let alerts = try Self.alerts(t.store)
        #expect(alerts == reference.alerts.sorted { Store.alertKey($0).lexicographicallyPrecedes(Store.alertKey($1)) }, "\(feed.name): alerts")
        #expect(Set(alerts.map(\.kind)).count >= 4, "\(feed.name): \(Set(alerts.map(\.kind)))")

        // The late entries are the ones the log implies (and the late feed has many).
        let late = Self.lateEntries(reference)
        let storedLate = try t.store.env.read { txn in
            var keys: [[UInt8]] = []
            try txn.scan(t.store.late, from: nil) { k, _ in
                keys.append(Array(k))
                return true
            }
            return keys
        }
        #expect(storedLate == late.map { Store.customerEventKey($0.customer, $0.seq) }, "\(feed.name): late entries")
        if feed.name.hasSuffix("late") { #expect(late.count > 30, "\(feed.name): \(late.count) late entries") }

        // (e) then (c): rebuild gives the same bytes, and with the indexes rebuilt too.
        try Self.expectVerified(t.store, feed.name)
        let projections = try t.store.records(of: t.store.projectionDatabases)
        let indexes = try t.store.records(of: t.store.indexDatabases)
        #expect(try t.store.records(of: [t.store.checkpoints]).count > customers.count, "\(feed.name): checkpoints are kept")
        _ = try t.store.rebuild()
        #expect(try t.store.records(of: t.store.projectionDatabases) == projections, "\(feed.name): rebuild")
        _ = try t.store.rebuild(indexes: true, batchEventsMax: 333)
        #expect(try t.store.records(of: t.store.projectionDatabases) == projections, "\(feed.name): rebuild(indexes: true)")
        #expect(try t.store.records(of: t.store.indexDatabases) == indexes, "\(feed.name): rebuilt indexes")
        try Self.expectVerified(t.store, "\(feed.name) after rebuilds")
    }

    // MARK: (b)

    @Test(arguments: feeds)
    func anyBatchSplitGivesByteIdenticalProjections(feed: Feed) throws {
        let (whole, _) = try Self.ingested(feed)
        let projections = try whole.store.records(of: whole.store.projectionDatabases)
        let indexes = try whole.store.records(of: whole.store.indexDatabases)
        for batch in [1, 7, 1000] {
            let (t, _) = try Self.ingested(feed, batch: batch)
            #expect(try t.store.records(of: t.store.projectionDatabases) == projections, "\(feed.name), batches of \(batch)")
            #expect(try t.store.records(of: t.store.indexDatabases) == indexes, "\(feed.name), batches of \(batch)")
            try Self.expectVerified(t.store, "\(feed.name), batches of \(batch)")
        }
    }

    // MARK: (d)

    /// What an as-of answer is made of: every figure of the state except its risk part and
    /// the per-invoice counters and installment amounts (see `asOfStatesAreTheFold`).
    static func figures(_ s: CustomerState?) -> String? {
        guard let s else { return nil }
        return """
            \(s.currency.code) \(s.termsDays) \(s.creditLimit) \(s.registeredAt) \(String(describing: s.registeredOn)) \(s.totals) \
            dunning \(s.dunningLevel) events \(s.eventCount) latest \(s.latestAt) last \(s.lastSeq) \
            items \(s.invoiceCount)/\(s.paymentCount) \
            open \(s.openInstallments.map { "\($0.dueOn):\($0.open)" }) \
            invoices \(s.invoices.map { "\($0.seq):\($0.open)" }) \
            payments \(s.payments.map { "\($0.seq) \($0.receivedOn) \($0.weighted) \($0.amount) \($0.reversed)" }) \
            reversals \(s.reversalDays)
            """
    }

    /// Times to ask as of (with the customers to ask about; nil: all) and days to age on:
    /// every 6 days over the feed's span (all customers), and for late entries (every
    /// `lateStride`-th) their `at`, the middle of the gap and the instant before the latest
    /// event logged before them (times at which the late entry counts but events logged
    /// before it do not), for their customer.
    static func asOfChecks(_ log: InMemoryLog, lateStride: Int = 2) -> (times: [(Timestamp, [String]?)], days: [Day]) {
        let ats = log.events.map(\.event.at)
        guard let first = ats.min(), let last = ats.max() else { return ([], []) }
        var times: [(Timestamp, [String]?)] = []
        var days = Set<Day>()
        var t = Timestamp(seconds: first.seconds - 86_400)
        while t <= last {
            times.append((t, nil))
            days.insert(t.utcDay)
            t = Timestamp(seconds: t.seconds + 6 * 86_400)
        }
        for (i, e) in lateEntries(log).enumerated() where i % lateStride == 0 {
            let before = e.latestBefore.nanos > 0
                ? Timestamp(seconds: e.latestBefore.seconds, nanos: e.latestBefore.nanos - 1)
                : Timestamp(seconds: e.latestBefore.seconds - 1, nanos: 999_999_999)
            for time in [e.at, Timestamp(seconds: e.at.seconds + (e.latestBefore.seconds - e.at.seconds) / 2), before] {
                times.append((time, [e.customer]))
            }
            days.insert(e.at.utcDay)
        }
        return (times, days.sorted())
    }

    /// Compares the store's as-of state, balance and aging with the reference fold; returns
    /// the mismatches of the answers, and separately those of the whole state (risk aside).
    static func compareAsOf(_ store: Store, _ reference: InMemoryLog, _ checks: (times: [(Timestamp, [String]?)], days: [Day]),
                            knownAt: KnownAt? = nil) throws -> (answers: [String], states: [String]) {
        let all = reference.states.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var answers: [String] = []
        var states: [String] = []
        func state(_ c: String, _ time: Timestamp) throws -> CustomerState? {
            do {
                return try store.state(c, asOf: time, knownAt: knownAt)
            } catch let e as EngineError where e.kind == .notFound {
                return nil
            }
        }
        for (time, customers) in checks.times {
            for c in customers ?? all {
                let expected = try reference.ledger(for: c, asOf: time)?.state
                let stored = try state(c, time)
                if let stored, !stored.brokenInvariants().isEmpty {
                    answers.append("\(c) as of \(time): \(stored.brokenInvariants())")
                }
                if Self.figures(stored) != Self.figures(expected) {
                    answers.append("\(c) as of \(time): \(Self.figures(stored) ?? "none") vs \(Self.figures(expected) ?? "none")")
                }
                if Self.withoutRisk(stored) != Self.withoutRisk(expected) { states.append("\(c) as of \(time)") }
                let balance = try? store.balance(c, asOf: time, knownAt: knownAt)
                if balance != expected.map({ BalanceReport(customer: c, state: $0, on: time.utcDay) }) {
                    answers.append("\(c) as of \(time): balance")
                }
            }
        }
        for day in checks.days {
            var expected = AgingReport(asOf: day, edges: [30, 60, 90, 180])
            for c in all {
                if let l = try reference.ledger(for: c, asOf: Timestamp.endOf(day)) { expected.add(customer: c, state: l.state) }
            }
            if try store.aging(asOf: day, today: day, edges: [30, 60, 90, 180], knownAt: knownAt) != expected {
                answers.append("aging as of \(day)")
            }
        }
        return (answers, states)
    }

    /// The whole as-of state (risk aside) is the reference fold too: an as-of or known-at walk
    /// from a checkpoint must not read cold records as they are now (an invoice that comes back
    /// into the state during the walk would bring counters and installment amounts changed by
    /// events after the walk's position).
    static func expectStatesAreTheFold(_ mismatches: [String], _ what: String) {
        #expect(mismatches.isEmpty, "\(what): \(mismatches.count) states differ: \(mismatches.prefix(5))")
    }

    /// The smallest case of that rule: INV-1 is settled, then adjusted up and
    /// settled twice; as of the day of the first adjustment the walk from the checkpoint
    /// brings INV-1 back from its cold record as the second settlement left it.
    static let reopenedAfterACheckpoint: [String] = {
        func day(_ d: Int) -> String { "2025-01-\(d < 10 ? "0" : "")\(d)T10:00:00Z" }
        var lines = [
            #"{"id":"r1","type":"customer.registered","at":"\#(day(1))","customer":"C","name":"C","currency":"EUR","terms_days":30,"credit_limit":"1000.00"}"#,
            #"{"id":"r2","type":"invoice.issued","at":"\#(day(1))","customer":"C","invoice":"INV-1","amount":"100.00","issued_on":"2025-01-01"}"#,
            #"{"id":"r3","type":"payment.received","at":"\#(day(2))","customer":"C","payment":"P-1","amount":"100.00","received_on":"2025-01-02"}"#,
        ]
        // Enough events for a checkpoint (`Store.checkpointEventsMin`) before the adjustment.
        for i in 0..<Store.checkpointEventsMin {
            lines.append(#"{"id":"f\#(i)","type":"credit_limit.changed","at":"\#(day(3))","customer":"C","credit_limit":"\#(1000 + i).00"}"#)
        }
        lines += [
            #"{"id":"r4","type":"invoice.adjusted","at":"\#(day(20))","customer":"C","invoice":"INV-1","amount":"50.00"}"#,
            #"{"id":"r5","type":"payment.received","at":"\#(day(21))","customer":"C","payment":"P-2","amount":"50.00","received_on":"2025-01-21"}"#,
            #"{"id":"r6","type":"invoice.adjusted","at":"\#(day(22))","customer":"C","invoice":"INV-1","amount":"30.00"}"#,
            #"{"id":"r7","type":"payment.received","at":"\#(day(23))","customer":"C","payment":"P-3","amount":"30.00","received_on":"2025-01-23"}"#,
        ]
        return lines
    }()

    @Test func anInvoiceBackFromItsColdRecordInAnAsOfWalk() throws {
        let t = try TempStore()
        let (_, rejected) = try t.ingest(Self.reopenedAfterACheckpoint.joined(separator: "\n"))
        #expect(rejected.isEmpty, "\(rejected.map(\.rejection))")
        let (reference, _) = try Self.reference(Self.reopenedAfterACheckpoint)
        #expect(try t.store.records(of: [t.store.checkpoints]).count == 1)
        let asOf = try #require(Timestamp(parsing: "2025-01-20T12:00:00Z"))
        let stored = try t.store.state("C", asOf: asOf)
        let expected = try #require(try reference.ledger(for: "C", asOf: asOf)).state
        // The answers are right: open amounts, totals, balance.
        #expect(Self.figures(stored) == Self.figures(expected))
        #expect(try t.store.balance("C", asOf: asOf) == BalanceReport(customer: "C", state: expected, on: asOf.utcDay))
        #expect(try t.store.ledger("C", asOf: asOf) == reference.ledger(for: "C", asOf: asOf))
        // INV-1 as of the 20th: adjusted up 50.00 once, paid 100.00, 150.00 scheduled.
        let i = try #require(expected.openInvoice(seq: 2))
        #expect(expected.invoices[i].counters.adjustedUp == 5000 && expected.invoices[i].counters.paid == 10000)
        // (As-of walks once read today's cold records here: adjusted up 130.00, paid 180.00.)
        #expect(Self.withoutRisk(stored) == Self.withoutRisk(expected))
    }

    /// A month-end checkpoint: C's fifth event is its last of January; its first event of
    /// February keeps the state before it (log position 5). Two more events in February and
    /// one in March make no other (fewer than `checkpointMonthEventsMin` since), and none is
    /// due by count. A January event logged late, in February, is still in the answer as of
    /// 31 January, which starts from that checkpoint.
    @Test func theStateAtAMonthsEndIsACheckpoint() throws {
        func at(_ day: String) -> String { "2025-\(day)T10:00:00Z" }
        let lines = [
            #"{"id":"m1","type":"customer.registered","at":"\#(at("01-02"))","customer":"C","name":"C","currency":"EUR","terms_days":30,"credit_limit":"1000.00"}"#,
            #"{"id":"m2","type":"invoice.issued","at":"\#(at("01-03"))","customer":"C","invoice":"INV-1","amount":"100.00","issued_on":"2025-01-03"}"#,
            #"{"id":"m3","type":"payment.received","at":"\#(at("01-04"))","customer":"C","payment":"P-1","amount":"30.00","received_on":"2025-01-04"}"#,
            #"{"id":"m4","type":"invoice.issued","at":"\#(at("01-05"))","customer":"C","invoice":"INV-2","amount":"40.00","issued_on":"2025-01-05"}"#,
            #"{"id":"m5","type":"credit_limit.changed","at":"\#(at("01-06"))","customer":"C","credit_limit":"1200.00"}"#,
            #"{"id":"m6","type":"payment.received","at":"\#(at("02-01"))","customer":"C","payment":"P-2","amount":"20.00","received_on":"2025-02-01"}"#,
            #"{"id":"m7","type":"invoice.issued","at":"\#(at("01-20"))","customer":"C","invoice":"INV-3","amount":"5.00","issued_on":"2025-01-20"}"#,
            #"{"id":"m8","type":"invoice.issued","at":"\#(at("02-10"))","customer":"C","invoice":"INV-4","amount":"7.00","issued_on":"2025-02-10"}"#,
            #"{"id":"m9","type":"payment.received","at":"\#(at("03-02"))","customer":"C","payment":"P-3","amount":"1.00","received_on":"2025-03-02"}"#,
        ]
        let t = try TempStore()
        let (_, rejected) = try t.ingest(lines.joined(separator: "\n"))
        #expect(rejected.isEmpty, "\(rejected.map(\.rejection))")
        let checkpoints = try t.store.records(of: [t.store.checkpoints])
        #expect(checkpoints.count == 1, "\(checkpoints.keys.sorted())")
        // The key ends with the checkpointed state's last log position.
        #expect(checkpoints.keys.first?.hasSuffix(".0.0.0.0.0.0.0.5") == true, "\(checkpoints.keys.sorted())")
        let (reference, _) = try Self.reference(lines)
        for day in ["2025-01-06", "2025-01-19", "2025-01-31", "2025-02-05", "2025-02-28", "2025-03-31"] {
            let asOf = Timestamp.endOf(try #require(Day(parsing: day)))
            let expected = try reference.ledger(for: "C", asOf: asOf)?.state
            #expect(Self.withoutRisk(try t.store.state("C", asOf: asOf)) == Self.withoutRisk(expected), "as of \(day)")
        }
        // 31 January: INV-1 and INV-2 and the late INV-3, less P-1.
        #expect(try t.store.balance("C", asOf: Timestamp.endOf(try #require(Day(parsing: "2025-01-31")))).balance == 11500)
    }

    @Test(arguments: feeds)
    func asOfAnswersEqualTheReferenceFold(feed: Feed) throws {
        let (t, _) = try Self.ingested(feed)
        let (reference, _) = try Self.reference(feed.lines)
        let checks = Self.asOfChecks(reference)
        #expect(checks.times.count > 30 && checks.days.count > 30, "\(checks.times.count) times, \(checks.days.count) days")
        let (answers, states) = try Self.compareAsOf(t.store, reference, checks)
        #expect(answers.isEmpty, "\(feed.name): \(answers.count) mismatches: \(answers.prefix(3))")
        Self.expectStatesAreTheFold(states, feed.name)
    }

    /// Known at log position n: what a store holding only the first n events says, as of now
    /// and as of earlier dates.
    @Test(arguments: feeds)
    func knownAtAnswersEqualAReferenceOfTheLogPrefix(feed: Feed) throws {
        let (t, _) = try Self.ingested(feed)
        let (full, outcomes) = try Self.reference(feed.lines)
        let head = UInt64(full.events.count)
        for n in [1, head / 7, head / 3, head / 2 + 5, head - 3] {
            // The lines through the one that logged event n.
            var accepted: UInt64 = 0
            var end = 0
            while accepted < n {
                if case .accepted = outcomes[end] { accepted += 1 }
                end += 1
            }
            let (prefix, _) = try Self.reference(feed.lines[..<end])
            #expect(UInt64(prefix.events.count) == n)
            var mismatches: [String] = []
            var stateMismatches: [String] = []
            for c in full.states.keys.sorted() {
                let stored: CustomerState?
                do {
                    stored = try t.store.state(c, knownAt: .seq(n))
                } catch let e as EngineError where e.kind == .notFound {
                    stored = nil
                }
                if Self.figures(stored) != Self.figures(prefix.states[c]) { mismatches.append("\(c) known at \(n): state") }
                if Self.withoutRisk(stored) != Self.withoutRisk(prefix.states[c]) { stateMismatches.append("\(c) known at \(n)") }
                if let stored, try t.store.ledger(c, knownAt: .seq(n)) != prefix.ledger(for: c) {
                    mismatches.append("\(c) known at \(n): ledger \(stored.totals)")
                }
            }
            // As of dates too (every third of the times, every fourth late entry).
            let checks = Self.asOfChecks(prefix, lateStride: 4)
            let sampled = (checks.times.enumerated().filter { $0.offset % 3 == 0 }.map(\.element), checks.days.enumerated().filter { $0.offset % 3 == 0 }.map(\.element))
            let (answers, states) = try Self.compareAsOf(t.store, prefix, sampled, knownAt: .seq(n))
            #expect((mismatches + answers).isEmpty, "\(feed.name) known at \(n): \(mismatches.count + answers.count) mismatches: \((mismatches + answers).prefix(3))")
            Self.expectStatesAreTheFold(stateMismatches + states, "\(feed.name) known at \(n)")
        }
    }
}
