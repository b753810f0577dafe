import ArlogDomain
import ArlogStorage

/// A `credit_policy.changed` event of the log.
public struct PolicyEntry: Sendable {
    public let seq: UInt64
    public let id: String
    public let at: Timestamp
    public let actor: String?
    public let note: String?
    public let policy: CreditPolicy
}

/// `arlog grade`: the live score on a day, the projection's last evaluation and the history.
public struct GradeReport: Sendable {
    public let assessment: CreditAssessment
    /// The projection's last evaluation (nil when asked as of a past date or known-at point).
    public let stored: RiskState?
    /// Grade changes up to the day asked about, oldest first.
    public let history: [GradeChange]
    /// The `credit_policy.changed` the score was computed under; nil for the built-in default.
    public let policy: PolicyEntry?
    /// Feed v1.3: the assessment in force on the day asked about (among the events with
    /// `at` ≤ that day when asked as of a date); nil when none.
    public var external: ExternalAssessment? = nil
}

/// The customer's assessment in force (feed v1.3), one whole `customer.assessed`, with the
/// ratios computed from its figures.
public struct ExternalAssessment: Sendable {
    public let seq: UInt64
    public let id: String
    public let at: Timestamp
    public let assessedOn: Day
    public let source: String
    public let bureauScore: Int?
    public let bureauRating: String?
    public let fiscalYearEnd: Day?
    /// The figures in minor units of the customer's currency.
    public let figures: AssessmentFigures
    /// Days from `assessed_on` to the day asked about.
    public let ageDays: Int
    public let currentRatio: Ratio?
    public let debtRatio: Ratio?
    public let equityShare: Ratio?
}

public struct AlertFilter: Sendable {
    /// Alerts evaluated on or after this day.
    public var since: Day?
    /// At least this level.
    public var level: AlertLevel?
    public var customer: String?
    public init() {}

    public func admits(_ a: Alert) -> Bool {
        if let since, a.evaluatedOn < since { return false }
        if let level, a.level < level { return false }
        if let customer, a.customer != customer { return false }
        return true
    }
}

/// Bounds of the credit commands.
public enum CreditLimits {
    /// Alerts one call returns; `--follow` and `--exec` page through more.
    public static let alertsPageMax = 10_000
    /// Alerts `arlog alerts` lists at most (the latest that match): a listing is held in
    /// memory to lay out its table.
    public static let alertsListedMax = 100_000
    /// Cursor names: the id alphabet, short.
    public static let cursorNameCharsMax = 64
}

extension Store {
    /// The policy an as-of query uses: the last logged with `at` ≤ asOf (and seq ≤ known-at);
    /// the built-in default when there is none.
    public func policy(asOf: Timestamp? = nil, knownAt: KnownAt? = nil) throws -> (policy: CreditPolicy, entry: PolicyEntry?) {
        try env.read { txn in
            let through = try knownSequence(txn, knownAt)
            let entry = try policyInForce(txn, asOf: asOf, through: through)
            return (entry?.policy ?? .default, entry)
        }
    }

    /// Every `credit_policy.changed` in log order.
    public func policyHistory() throws -> [PolicyEntry] {
        try env.read { txn in try policyEntries(txn, through: nil) }
    }

    /// The policy change an as-of query for T uses: the last logged (seq ≤ through) with
    /// `at` ≤ T; nil when none (the built-in default applies).
    func policyInForce(_ txn: ReadTransaction, asOf t: Timestamp?, through: UInt64?) throws -> PolicyEntry? {
        try policyEntries(txn, through: through).last { t == nil || $0.at <= t! }
    }

    /// The `credit_policy.changed` events up to `through`: the `globals` index names the
    /// log-wide events; only the policy changes among them are read.
    func policyEntries(_ txn: ReadTransaction, through: UInt64?) throws -> [PolicyEntry] {
        var entries: [PolicyEntry] = []
        var seqs: [UInt64] = []
        try txn.scan(globals, from: nil) { key, value in
            guard let seq = UInt64(bigEndianBytes: key) else { throw Store.corrupt(globals, "a key of \(key.count) bytes", StoredDataError("not a log position")) }
            if let through, seq > through { return false }
            if value.first == EventType.creditPolicyChanged.rawValue { seqs.append(seq) }
            return true
        }
        for seq in seqs {
            let e = try withRecord(txn, seq) { view in
                do {
                    return try view.event()
                } catch {
                    throw Store.corrupt(log, seq: seq, error)
                }
            }
            guard case .creditPolicyChanged(let p) = e.body else { throw Store.corrupt(globals, "log position \(seq)", StoredDataError("names an event that is not a policy change")) }
            entries.append(PolicyEntry(seq: seq, id: e.id, at: e.at, actor: e.actor, note: e.note, policy: p))
        }
        return entries
    }

    /// The customer's score on `asOf` (a past date: the state and policy as of its end) or,
    /// without it, on `today` from every event.
    /// `withHistory`: also read the grade history (`check` does not need it).
    public func grade(_ customer: String, asOf: Day? = nil, today: Day, knownAt: KnownAt? = nil, withHistory: Bool = true) throws -> GradeReport {
        try env.read { txn in
            let through = try knownSequence(txn, knownAt)
            let t = asOf.map(Timestamp.endOf)
            guard let ledger = try ledger(txn, customer, asOf: t, through: through) else { throw notFound(customer) }
            let entry = try policyInForce(txn, asOf: t, through: through)
            let day = asOf ?? today
            let policy = entry?.policy ?? .default
            let a = CreditScoring.assess(ledger.state, customer: customer, policy: policy, on: day,
                                         invoicedInWindow: CreditScoring.netSales(ledger, after: day.adding(days: -policy.windowDays), through: day))
            var history: [GradeChange] = []
            if withHistory {
                try txn.scan(grades, prefix: Store.customerPrefix(customer)) { _, value in
                    let c = try Store.decoding(grades, "customer \(customer)", value, RiskCodec.decodeGradeChange)
                    if let through, c.cause.seq > through { return false }
                    if asOf == nil || c.evaluatedOn <= day { history.append(c) }
                    return true
                }
            }
            let stored = asOf == nil && through == nil ? try storedState(txn, customer)?.risk.last : nil
            var report = GradeReport(assessment: a, stored: stored, history: history, policy: entry)
            if let inForce = ledger.state.assessment { report.external = try externalAssessment(txn, inForce, on: day) }
            return report
        }
    }

    /// The assessment in force as `grade` shows it: its texts from its log record.
    func externalAssessment(_ txn: ReadTransaction, _ a: AssessmentInForce, on day: Day) throws -> ExternalAssessment {
        try withRecord(txn, a.seq) { view in
            let e: LoggedEvent
            do {
                e = try view.logged()
            } catch {
                throw Store.corrupt(log, seq: a.seq, error)
            }
            guard case .assessed(_, _, _, _, let source, let rating) = e.body else {
                throw Store.corrupt(states, "customer \(view.customer)", StoredDataError("the assessment in force names log position \(a.seq), which is not a customer.assessed"))
            }
            return ExternalAssessment(seq: a.seq, id: view.id, at: e.at, assessedOn: a.assessedOn, source: source.utf8String,
                                      bureauScore: a.bureauScore, bureauRating: rating?.utf8String, fiscalYearEnd: a.fiscalYearEnd,
                                      figures: a.figures, ageDays: a.age(on: day), currentRatio: a.currentRatio, debtRatio: a.debtRatio,
                                      equityShare: a.equityShare)
        }
    }

    /// The credit check of an order of `amount` (text in the customer's currency, > 0).
    public func creditCheck(_ customer: String, amount: String, asOf: Day? = nil, today: Day, knownAt: KnownAt? = nil) throws -> CreditCheckResult {
        let report = try grade(customer, asOf: asOf, today: today, knownAt: knownAt, withHistory: false)
        let a = report.assessment
        let minor: Int64
        do {
            minor = try DecimalText(parsing: amount).minorUnits(fractionDigits: a.currency.fractionDigits)
        } catch {
            throw EngineError(.usage, "--amount \"\(amount)\" is not an amount in \(a.currency.code) (at most \(a.currency.fractionDigits) fraction digits, at most \(Money.format(Money.amountMinorMax, fractionDigits: a.currency.fractionDigits)))")
        }
        guard minor > 0 else { throw EngineError(.usage, "--amount must be greater than 0") }
        return CreditCheck.decide(a, policy: report.policy?.policy ?? .default, amount: minor)
    }

    /// Customers whose limit (beyond the tolerance) or terms differ from the policy's
    /// recommendation for their grade on `today` (or as of a past day), in customer order.
    /// `customers`: review only these; each must be registered by then (else `notFound`).
    public func limitReview(asOf: Day? = nil, today: Day, customers named: [String]? = nil) throws -> [LimitRecommendation] {
        try env.read { txn in
            let t = asOf.map(Timestamp.endOf)
            let policy = try policyInForce(txn, asOf: t, through: nil)?.policy ?? .default
            var out: [LimitRecommendation] = []
            // Named customers in byte order, as the ledgers database lists them.
            let customers = try named.map { Set($0).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) } } ?? customerIDs(txn)
            for customer in customers {
                guard let ledger = try ledger(txn, customer, asOf: t, through: nil) else {
                    if named != nil { throw notFound(customer) }
                    continue
                }
                let day = asOf ?? today
                let a = CreditScoring.assess(ledger.state, customer: customer, policy: policy, on: day,
                                             invoicedInWindow: CreditScoring.netSales(ledger, after: day.adding(days: -policy.windowDays), through: day))
                guard let r = LimitReview.recommend(a, termsDays: ledger.profile.termsDays, policy: policy) else { continue }
                if r.limitChange || r.currentTermsDays != r.recommendedTermsDays { out.append(r) }
            }
            return out
        }
    }

    /// Alerts after `after` (an alert key; nil: from the first) that pass the filter, in log
    /// order, at most `limit`; with each its key.
    public func alerts(_ filter: AlertFilter = AlertFilter(), after: [UInt8]? = nil, limit: Int = CreditLimits.alertsPageMax) throws -> [(key: [UInt8], alert: Alert)] {
        precondition(limit > 0 && limit <= CreditLimits.alertsPageMax)
        var out: [(key: [UInt8], alert: Alert)] = []
        try env.read { txn in
            try txn.scan(alerts, from: after) { key, value in
                if let after, Array(key) == after { return true }
                let a = try decodeAlert(key, value)
                if filter.admits(a) { out.append((Array(key), a)) }
                return out.count < limit
            }
        }
        return out
    }

    /// The key of the last alert (nil: none yet): where `--follow` starts.
    public func lastAlertKey() throws -> [UInt8]? {
        try env.read { txn in try txn.lastKey(alerts) }
    }

    static func cursorKey(_ name: String) throws -> [UInt8] {
        guard EventDecoder.isIdentifier(name, max: CreditLimits.cursorNameCharsMax) else {
            throw EngineError(.usage, "cursor name must be 1–\(CreditLimits.cursorNameCharsMax) characters of A-Z a-z 0-9 . _ : -")
        }
        return Array("alerts.cursor.\(name)".utf8)
    }

    /// The key of the last alert delivered under this cursor name (nil: none yet).
    public func alertCursor(_ name: String) throws -> [UInt8]? {
        let key = try Store.cursorKey(name)
        return try env.read { txn in try txn.get(meta, key: key).map { try Store.cursorValue($0, name: name) } }
    }

    /// Records that every alert up to `key` was delivered. Cursors live in meta, outside the
    /// derived databases: alert keys are the same after a rebuild, so a cursor stays valid.
    public func setAlertCursor(_ name: String, _ key: [UInt8]) throws {
        let k = try Store.cursorKey(name)
        try env.write { txn in try txn.put(meta, key: k, value: key) }
    }

    /// Appends events built by arlog itself (policy changes, reviews, limit changes, imported
    /// customers) through the same intake as any feed. `atomic` (the default): all the lines
    /// or none, as `ingest --atomic`; else the accepted lines are kept. Rejections are reported,
    /// not thrown.
    public func append(lines: [[UInt8]], source: String, atomic: Bool = true, rejected: (RejectedLine) -> Void) throws -> IngestSummary {
        var batch = Batch()
        for (i, line) in lines.enumerated() {
            line.withUnsafeBytes { batch.add(number: i + 1, bytes: $0) }
        }
        var options = IngestOptions()
        options.atomic = atomic
        var summary = IngestSummary()
        var from = 0
        while from < batch.lines.count {
            let (s, consumed) = try commit(batch, from: from, source: source, options: options, rejected: rejected)
            summary = summary + s
            from += consumed
        }
        return summary
    }
}

/// NDJSON lines for the events arlog writes itself, with the envelope every event carries.
public enum OwnEvents {
    static func envelope(_ w: inout JSONWriter, id: String, type: EventType, at: Timestamp, customer: String?, actor: String, note: String?) {
        w.raw("{\"id\":")
        w.string(id)
        w.raw(",\"type\":")
        w.string(type.name)
        w.raw(",\"at\":")
        w.string(at.description)
        if let customer {
            w.raw(",\"customer\":")
            w.string(customer)
        }
        w.raw(",\"actor\":")
        w.string(actor)
        if let note {
            w.raw(",\"note\":")
            w.string(note)
        }
    }

    public static func policyChanged(_ policy: CreditPolicy, id: String, at: Timestamp, actor: String, note: String?) -> [UInt8] {
        var w = JSONWriter()
        envelope(&w, id: id, type: .creditPolicyChanged, at: at, customer: nil, actor: actor, note: note)
        w.raw(",\"policy\":")
        w.value(.object(policy.json))
        w.raw("}")
        return w.bytes
    }

    /// arlog's `collection.contact` (docs/feed.md): what `arlog contact` logs.
    public static func contact(customer: String, outcome: ContactOutcome, channel: DunningChannel?, invoice: String?,
                               id: String, at: Timestamp, actor: String, note: String?) -> [UInt8] {
        var w = JSONWriter()
        envelope(&w, id: id, type: .collectionContact, at: at, customer: customer, actor: actor, note: note)
        w.raw(",\"outcome\":")
        w.string(outcome.rawValue)
        if let channel {
            w.raw(",\"channel\":")
            w.string(channel.rawValue)
        }
        if let invoice {
            w.raw(",\"invoice\":")
            w.string(invoice)
        }
        w.raw("}")
        return w.bytes
    }

    public static func reviewed(id: String, at: Timestamp, actor: String, note: String?) -> [UInt8] {
        var w = JSONWriter()
        envelope(&w, id: id, type: .creditReviewed, at: at, customer: nil, actor: actor, note: note)
        w.raw("}")
        return w.bytes
    }

    public static func limitChanged(_ r: LimitRecommendation, id: String, at: Timestamp, actor: String) -> [UInt8] {
        var w = JSONWriter()
        envelope(&w, id: id, type: .creditLimitChanged, at: at, customer: r.assessment.customer, actor: actor, note: r.reason)
        w.raw(",\"credit_limit\":")
        w.string(Money.format(r.recommendedLimit, fractionDigits: r.assessment.currency.fractionDigits))
        w.raw("}")
        return w.bytes
    }
}

extension Store {
    /// Appends a `credit_limit.changed` (actor `arlog-policy` unless given, the reason as its
    /// note) for each recommendation whose limit should change. Ids are
    /// `limits.<log head>.<customer>`: applying the same review twice logs nothing new.
    public func applyLimits(_ recommendations: [LimitRecommendation], at: Timestamp, actor: String = "arlog-policy",
                            rejected: (RejectedLine) -> Void) throws -> IngestSummary {
        let head = try head()
        let lines = recommendations.filter(\.limitChange).map {
            OwnEvents.limitChanged($0, id: "limits.\(head).\($0.assessment.customer)", at: at, actor: actor)
        }
        guard !lines.isEmpty else { return IngestSummary() }
        return try append(lines: lines, source: "limits --apply", rejected: rejected)
    }
}
