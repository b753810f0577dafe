import Testing

@testable import ArlogDomain

/// Runs one feed through the new `InMemoryLog` and the oracle side by side and collects every
/// difference: per line, the outcome (accepted, duplicate, or the rejection's rule, message
/// and id), the grade changes and alerts it produced (compared entirely), the risk state and
/// overdue marks of the customers it evaluated, the balance figures of its customer, and the
/// state's invariants and stored form; at the end (`compareAll`), every customer's whole
/// ledger, assessments on several days, and as-of ledgers at many dates.
struct OracleHarness {
    var log = InMemoryLog()
    var oracle = OracleLog()
    /// The first differences found (at most `issuesKept`), and how many there were.
    private(set) var issues: [String] = []
    private(set) var issueCount = 0
    static let issuesKept = 30
    private(set) var lines = 0
    private(set) var outcomes: [String: Int] = [:]
    /// Accepted events by type, and those whose `at` is earlier than one logged before.
    private(set) var accepted: [EventType: Int] = [:]
    private(set) var lateAccepted = 0
    private var latestAt = Timestamp(seconds: Int64.min)
    /// Check a customer's invariants after every `invariantStride`-th of its events, and its
    /// stored form and open installments after every `checkStride`-th (1: after each; the
    /// marks and the FIFO list cost O(n log n) for a customer with thousands of open invoices).
    var invariantStride = 1
    var checkStride = 1
    private var sinceCheck: [String: Int] = [:]
    private var sinceInvariants: [String: Int] = [:]
    /// The line being fed, for the messages.
    private var current = ""

    mutating func issue(_ what: String) {
        issueCount += 1
        if issues.count < OracleHarness.issuesKept { issues.append("line \(lines) \(current.prefix(300)): \(what)") }
    }

    /// Records the collected differences as one test issue each (the first ones).
    func report(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for i in issues { Issue.record("\(name): \(i)", sourceLocation: sourceLocation) }
        if issueCount > issues.count { Issue.record("\(name): \(issueCount - issues.count) more differences", sourceLocation: sourceLocation) }
    }

    mutating func feed(_ text: some StringProtocol) {
        feed(Array(text.utf8))
    }

    mutating func feed(_ line: [UInt8]) {
        lines += 1
        current = String(decoding: line, as: UTF8.self)
        let changesBefore = (log.gradeChanges.count, oracle.gradeChanges.count)
        let alertsBefore = (log.alerts.count, oracle.alerts.count)
        let n: IntakeOutcome
        let o: OracleOutcome
        do {
            n = try Intake.process(line: line, into: &log)
            o = try oracle.process(line: line)
        } catch {
            issue("storage error \(error)")
            return
        }
        switch (n, o) {
        case (.accepted(let a), .accepted(let b)) where a == b:
            outcomes["accepted", default: 0] += 1
        case (.duplicate(let a), .duplicate(let b)) where a == b:
            outcomes["duplicate", default: 0] += 1
        case (.rejected(let r, let a), .rejected(let rule, let message, let b)) where r.rule == rule && r.message == message && a == b:
            outcomes[rule.rawValue, default: 0] += 1
        default:
            issue("outcome \(n.summary), oracle \(o)")
        }
        let newChanges = Array(log.gradeChanges[changesBefore.0...])
        let oracleChanges = Array(oracle.gradeChanges[changesBefore.1...])
        if newChanges != oracleChanges { issue("grade changes \(newChanges), oracle \(oracleChanges)") }
        let newAlerts = Array(log.alerts[alertsBefore.0...])
        let oracleAlerts = Array(oracle.alerts[alertsBefore.1...])
        if newAlerts != oracleAlerts {
            issue("alerts \(newAlerts.map(Self.describe)), oracle \(oracleAlerts.map(Self.describe))")
        }
        guard case .accepted = n, let e = log.events.last?.event else { return }
        accepted[e.type, default: 0] += 1
        if e.at < latestAt { lateAccepted += 1 }
        latestAt = max(latestAt, e.at)
        let touched = e.type.isGlobal ? Array(log.states.keys) : [e.customer]
        for c in touched { checkAfterEvent(c) }
    }

    static func describe(_ a: Alert) -> String {
        "\(a.id) \(a.kind.rawValue) \(a.level.name) on \(a.evaluatedOn) grade \(a.grade) score \(a.score) from \(a.gradeFrom.map(\.letter) ?? "-") amount \(a.amount.map(String.init) ?? "-") ref \(a.reference ?? "-") \"\(a.reason)\""
    }

    /// What is cheap to compare after each event of customer `c`.
    mutating func checkAfterEvent(_ c: String) {
        let s = log.states[c]
        let l = oracle.ledgers[c]
        guard let s, let l else {
            if (s == nil) != (l == nil) { issue("\(c): registered \(s != nil), oracle \(l != nil)") }
            return
        }
        if s.totals != l.totals { issue("\(c): totals \(s.totals), oracle \(l.totals)") }
        if s.dunningLevel != l.dunningLevel { issue("\(c): dunning \(s.dunningLevel), oracle \(l.dunningLevel)") }
        if s.creditLimit != l.profile.creditLimit || s.termsDays != l.profile.termsDays {
            issue("\(c): limit/terms \(s.creditLimit)/\(s.termsDays), oracle \(l.profile.creditLimit)/\(l.profile.termsDays)")
        }
        if s.eventCount != l.eventCount || s.latestAt != l.latestAt {
            issue("\(c): events/latest \(s.eventCount)/\(s.latestAt), oracle \(l.eventCount)/\(l.latestAt)")
        }
        if let d = assessmentDifference(s, l) { issue("\(c): \(d)") }
        sinceCheck[c, default: 0] += 1
        let full = sinceCheck[c, default: 0] >= checkStride
        // The alerts (compared after every event) already follow from the marks.
        compareRisk(c, marks: full)
        sinceInvariants[c, default: 0] += 1
        if sinceInvariants[c, default: 0] >= invariantStride {
            sinceInvariants[c] = 0
            let broken = s.brokenInvariants()
            if !broken.isEmpty { issue("\(c): broken invariants \(broken.prefix(5))") }
        }
        if full {
            sinceCheck[c] = 0
            roundTrip(c, s)
            let fifo = s.openInstallments.map { "\($0.dueOn) \($0.open)" }
            let oracleFIFO = l.openInstallments().map { "\(l.invoices[Int($0.invoice)].installments[Int($0.installment)].dueOn) \(l.invoices[Int($0.invoice)].installments[Int($0.installment)].open)" }
            if fifo != oracleFIFO { issue("\(c): open installments \(fifo.prefix(12)), oracle \(oracleFIFO.prefix(12))") }
        }
    }

    /// Invariants hold and the stored form round-trips.
    mutating func checkState(_ c: String, _ s: CustomerState) {
        let broken = s.brokenInvariants()
        if !broken.isEmpty { issue("\(c): broken invariants \(broken.prefix(5))") }
        roundTrip(c, s)
    }

    /// The stored form round-trips.
    mutating func roundTrip(_ c: String, _ s: CustomerState) {
        let bytes = StateCodec.encode(s)
        do {
            let back = try bytes.withUnsafeBytes { try StateCodec.decodeState($0) }
            if back != s { issue("\(c): the state does not round-trip through StateCodec") }
        } catch {
            issue("\(c): the state's stored form does not decode: \(error)")
        }
    }

    /// The projector's state: the last evaluation and the installments at 61+ days.
    mutating func compareRisk(_ c: String, marks compareMarks: Bool = true) {
        let n = log.states[c]?.risk.last
        let o = oracle.risk[c]
        guard let n, let o else {
            if (n == nil) != (o == nil) { issue("\(c): evaluated \(n != nil), oracle \(o != nil)") }
            return
        }
        if n.evaluatedOn != o.evaluatedOn || n.seq != o.seq || n.score != o.score || n.grade != o.grade || Array(n.points) != o.points
            || n.overLimit != o.overLimit || n.utilisationHigh != o.utilisationHigh
        {
            issue("\(c): risk state \(n), oracle \(o)")
        }
        guard compareMarks, let s = log.states[c] else { return }
        var marks: [OracleOverdueMark] = []
        for slot in s.slots where !slot.dead && slot.open > 0 {
            let b = RiskSweep.bucket(n.evaluatedOn, slot.dueOn)
            guard b >= OracleProjector.alertBucketMin, let i = s.openInvoice(seq: slot.invoiceSeq) else { continue }
            marks.append(OracleOverdueMark(invoice: s.id(s.invoices[i]), installment: Int32(slot.index), bucket: UInt8(b), open: slot.open))
        }
        marks.sort { $0.invoice != $1.invoice ? $0.invoice < $1.invoice : $0.installment < $1.installment }  // ids are ASCII
        if marks != o.overdue { issue("\(c): overdue marks \(marks.prefix(8)), oracle \(o.overdue.prefix(8))") }
        if s.risk.sweepDay != n.evaluatedOn { issue("\(c): sweep day \(s.risk.sweepDay), evaluated on \(n.evaluatedOn)") }
    }

    // MARK: - Whole ledgers

    /// Every customer: the live ledger, the full replay, assessments, as-of ledgers at
    /// `asOfSamples` dates per customer, the cold records' stored forms.
    mutating func compareAll(seed: UInt64, asOfSamples: Int = 8) {
        var rng = SeededRandom(seed: seed)
        let customers = Set(log.states.keys).union(oracle.ledgers.keys).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        current = "(end of feed)"
        if log.risk.count != oracle.risk.count { issue("risk states \(log.risk.count), oracle \(oracle.risk.count)") }
        if log.gradeChanges != oracle.gradeChanges { issue("the grade histories differ") }
        if log.alerts != oracle.alerts { issue("the alert lists differ") }
        let policy = log.timeline.policy(atSeq: UInt64(log.events.count))
        for c in customers {
            guard let live = log.currentLedger(for: c), let o = oracle.ledgers[c] else {
                issue("\(c): registered \(log.states[c] != nil), oracle \(oracle.ledgers[c] != nil)")
                continue
            }
            checkState(c, live.state)
            compareRisk(c)
            let latest = live.latestAt.utcDay
            let days = [live.state.registeredAt.utcDay, latest, latest.adding(days: 30), latest.adding(days: 61), latest.adding(days: 91),
                        latest.adding(days: 400), latest.adding(days: -rng.between(1, 200))]
            for d in diff(live, o, days: days) { issue("\(c) live: \(d)") }
            if let d = assessmentDifference(live.state, o) { issue("\(c) live: \(d)") }
            for d in days {
                for p in [policy, CreditPolicy.default] {
                    let a = CreditScoring.assess(live.state, customer: c, policy: p, on: d,
                                                 invoicedInWindow: CreditScoring.netSales(live.invoices, on: d, windowDays: p.windowDays))
                    let b = OracleScoring.assess(o, policy: p, on: d)
                    if a != b { issue("\(c): assessment on \(d) under \(p.name): \(a), oracle \(b)") }
                }
            }
            // The full replay folds to the live ledger (the risk projection aside).
            do {
                if let replay = try log.ledger(for: c), withoutRisk(replay) == withoutRisk(live) {
                } else {
                    issue("\(c): the full replay differs from the live ledger")
                }
            } catch {
                issue("\(c): replay failed: \(error)")
            }
            compareAsOf(c, samples: asOfSamples, &rng)
        }
        // Feed v1.3: the rates in force on days around every rate's `on`.
        var rateDays = Set<Day>()
        for r in oracle.rates.rates { for k in [-1, 0, 1, 40] { rateDays.insert(r.on.adding(days: k)) } }
        for d in rateDays.sorted() {
            let n = log.fxRates.rates(on: d).map { "\($0.id) \($0.currency)/\($0.base) \($0.rate) \($0.on)" }
            let o = oracle.rates.all(on: d).map { "\($0.id) \($0.currency)/\($0.base) \($0.rate) \($0.on)" }
            if n != o { issue("rates in force on \(d): \(n.prefix(6)), oracle \(o.prefix(6))") }
        }
        for inv in log.cold.invoices.values {
            let back = try? StateCodec.encode(inv).withUnsafeBytes { try StateCodec.decodeInvoice($0) }
            if back != inv { issue("invoice \(inv.id): its cold record does not round-trip") }
        }
        for p in log.cold.payments.values {
            let back = try? StateCodec.encode(p).withUnsafeBytes { try StateCodec.decodePayment($0) }
            if back != p { issue("payment \(p.id): its cold record does not round-trip") }
        }
        for (c, t) in log.cold.profiles {
            let back = try? StateCodec.encode(t).withUnsafeBytes { try StateCodec.decodeProfile($0) }
            if back != t { issue("\(c): its profile does not round-trip") }
        }
    }

    /// As-of ledgers of customer `c` at dates around its events, against the oracle's replay.
    mutating func compareAsOf(_ c: String, samples: Int, _ rng: inout SeededRandom) {
        let events = log.events(of: c)
        guard !events.isEmpty else { return }
        var times: [Timestamp] = [Timestamp(seconds: events[0].event.at.seconds - 1), Timestamp.endOf(Day(parsing: "9999-12-31")!)]
        for _ in 0..<samples {
            let at = rng.pick(events).event.at
            switch rng.below(3) {
            case 0: times.append(at)
            case 1: times.append(at.nanos > 0 ? Timestamp(seconds: at.seconds, nanos: at.nanos - 1) : Timestamp(seconds: at.seconds - 1, nanos: 999_999_999))
            default: times.append(Timestamp.endOf(at.utcDay.adding(days: rng.between(-3, 3))))
            }
        }
        for t in times {
            let o = oracle.ledger(for: c, asOf: t)
            let n: CustomerLedger?
            do {
                n = try log.ledger(for: c, asOf: t)
            } catch {
                issue("\(c) as of \(t): replay failed: \(error)")
                continue
            }
            guard let n, let o else {
                if (n == nil) != (o == nil) { issue("\(c) as of \(t): registered \(n != nil), oracle \(o != nil)") }
                continue
            }
            let broken = n.state.brokenInvariants()
            if !broken.isEmpty { issue("\(c) as of \(t): broken invariants \(broken.prefix(5))") }
            let day = t.utcDay
            for d in diff(n, o, days: [day, day.adding(days: 31), day.adding(days: 95)]) { issue("\(c) as of \(t): \(d)") }
            if let d = assessmentDifference(n.state, o) { issue("\(c) as of \(t): \(d)") }
            let a = CreditScoring.assess(n.state, customer: c, policy: .default, on: day,
                                         invoicedInWindow: CreditScoring.netSales(n.invoices, on: day, windowDays: CreditPolicy.default.windowDays))
            let b = OracleScoring.assess(o, policy: .default, on: day)
            if a != b { issue("\(c) as of \(t): assessment \(a), oracle \(b)") }
        }
    }

    /// Feed v1.3: the assessment in force in a state against the oracle's (the event, its
    /// figures and dates).
    func assessmentDifference(_ s: CustomerState, _ o: OracleLedger) -> String? {
        let mine = s.assessment
        let theirs = o.assessmentInForce
        guard let mine, let theirs else {
            return (mine == nil) == (theirs == nil) ? nil : "assessment \(String(describing: mine)), oracle \(String(describing: theirs))"
        }
        let id = Int(mine.seq) <= log.events.count ? log.events[Int(mine.seq) - 1].event.id : "?"
        var figures: [FinancialFigure: Int64] = [:]
        for f in FinancialFigure.allCases { if let v = mine.figures[f] { figures[f] = v } }
        if id != theirs.id || mine.assessedOn != theirs.assessedOn || mine.bureauScore != theirs.score || figures != theirs.figures
            || mine.fiscalYearEnd != theirs.fiscalYearEnd || mine.hasRating != (theirs.rating != nil)
        {
            return "assessment \(id) \(mine), oracle \(theirs)"
        }
        return nil
    }

    /// Every difference between a ledger view and the oracle's ledger: profile, figures, open
    /// installments in FIFO order, aging on `days` (default and other edges), overdue checks,
    /// every invoice and payment with its allocations.
    func diff(_ n: CustomerLedger, _ o: OracleLedger, days: [Day]) -> [String] {
        var out: [String] = []
        let p = n.profile
        let q = o.profile
        if p.name != q.name || p.currency != q.currency || p.termsDays != q.termsDays || p.creditLimit != q.creditLimit
            || p.industry != q.industry || p.contact != q.contact || p.email != q.email || p.registeredOn != q.registeredOn
            || p.registeredAt != q.registeredAt
        {
            out.append("profile \(p), oracle \(q)")
        }
        if n.totals != o.totals { out.append("totals \(n.totals), oracle \(o.totals)") }
        if n.dunningLevel != o.dunningLevel { out.append("dunning \(n.dunningLevel), oracle \(o.dunningLevel)") }
        if n.state.avgDaysLateHundredths != o.avgDaysLateHundredths { out.append("avg days late \(String(describing: n.state.avgDaysLateHundredths)), oracle \(String(describing: o.avgDaysLateHundredths))") }
        if n.eventCount != o.eventCount || n.latestAt != o.latestAt { out.append("events/latest \(n.eventCount)/\(n.latestAt), oracle \(o.eventCount)/\(o.latestAt)") }
        if n.state.invoiceCount != o.invoices.count || n.state.paymentCount != o.payments.filter({ !$0.creditNote }).count {
            out.append("item counts \(n.state.invoiceCount)/\(n.state.paymentCount), oracle \(o.invoices.count)/\(o.payments.count)")
        }
        let report = BalanceReport(n)
        if report.balance != o.totals.balance || report.available != o.profile.creditLimit - o.totals.balance
            || report.overLimit != (o.totals.balance > o.profile.creditLimit)
        {
            out.append("balance report \(report)")
        }
        let fifo = n.state.openInstallments.map { "\($0.dueOn) \($0.open)" }
        let oracleFIFO = o.openInstallments().map { r in
            let i = o.invoices[Int(r.invoice)].installments[Int(r.installment)]
            return "\(i.dueOn) \(i.open)"
        }
        if fifo != oracleFIFO { out.append("open installments \(fifo.prefix(12)), oracle \(oracleFIFO.prefix(12))") }
        for d in days {
            for edges in [Aging.defaultEdges, [7, 45], [1, 2, 3, 365]] where n.state.aging(on: d, edges: edges) != o.aging(on: d, edges: edges) {
                out.append("aging on \(d) \(edges): \(n.state.aging(on: d, edges: edges)), oracle \(o.aging(on: d, edges: edges))")
            }
            if n.state.hasOverdue(on: d) != o.hasOverdue(on: d) { out.append("overdue on \(d): \(n.state.hasOverdue(on: d))") }
            // Feed v1.1: promises judged on each day.
            let f = n.state.promiseFigures(on: d)
            let g = o.collections.figures(o, on: d)
            let fp = f.pending.map { "\($0.amount) \($0.promisedOn) \($0.invoice ?? "-")" }
            let gp = g.pending.map { "\($0.amount) \($0.promisedOn) \($0.invoice ?? "-")" }
            if f.kept != g.kept || f.broken != g.broken || fp != gp {
                out.append("promises on \(d): \(f.kept)/\(f.broken)/\(fp ?? "none"), oracle \(g.kept)/\(g.broken)/\(gp ?? "none")")
            }
        }
        // Feed v1.1: disputes and the open invoices' dunning levels.
        if n.state.disputed != o.collections.disputed(o) || n.state.disputes.count != o.collections.disputes.count {
            out.append("disputed \(n.state.disputed) in \(n.state.disputes.count), oracle \(o.collections.disputed(o)) in \(o.collections.disputes.count)")
        }
        var levels: [String: Int] = [:]
        for item in n.state.collectionItems where item.dunningLevel > 0 { levels[item.invoice] = item.dunningLevel }
        if levels != o.collections.levels(o) { out.append("invoice dunning levels \(levels), oracle \(o.collections.levels(o))") }
        if n.state.lastContact != o.collections.lastContact { out.append("last contact \(String(describing: n.state.lastContact)), oracle \(String(describing: o.collections.lastContact))") }
        // Items, in creation order.
        if n.invoices.count != o.invoices.count { out.append("invoices \(n.invoices.count), oracle \(o.invoices.count)") }
        for (x, y) in zip(n.invoices, o.invoices) {
            if x.id != y.id || x.issuedOn != y.issuedOn || x.issuedAt != y.issuedAt || x.amount != y.amount || x.installments != y.installments
                || x.voided != y.voided || x.adjustedUp != y.adjustedUp || x.credited != y.credited || x.writtenOff != y.writtenOff
                || x.voidedAmount != y.voidedAmount || x.paid != y.paid || x.creditNotes != y.creditNotes
            {
                out.append("invoice \(x), oracle \(y)")
            }
        }
        if n.payments.count != o.payments.count { out.append("payments \(n.payments.count), oracle \(o.payments.count)") }
        for (x, y) in zip(n.payments, o.payments) {
            let xa = x.allocations.map { "\(n.invoice(seq: $0.invoice)?.id ?? "seq \($0.invoice)")#\($0.installment) \($0.amount) \($0.daysBeyondTerms)" }
            let ya = y.allocations.map { "\(o.invoices[Int($0.invoice)].id)#\($0.installment) \($0.amount) \($0.daysBeyondTerms)" }
            if x.id != y.id || x.at != y.at || x.receivedOn != y.receivedOn || x.amount != y.amount || x.unapplied != y.unapplied
                || x.reversed != y.reversed || x.reversedOn != y.reversedOn || xa != ya || x.creditNote != y.creditNote
                || x.refunded != y.refunded
            {
                out.append("payment \(x.id) \(xa) unapplied \(x.unapplied) reversed \(x.reversed), oracle \(y.id) \(ya) unapplied \(y.unapplied) reversed \(y.reversed)")
            }
        }
        return Array(out.prefix(6))
    }
}
