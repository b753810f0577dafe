import ArlogDomain
import ArlogStorage

/// One event an import plans for a row of the customer file.
public struct PlannedCustomerEvent: Sendable {
    public enum Kind: String, Sendable {
        case registered, updated, limitChanged = "limit_changed"
    }

    public let row: Int
    public let customer: String
    public let kind: Kind
    public let id: String
    /// What the event sets: `name`, `terms_days`, …, or `credit_limit` (registration: every field given).
    public let fields: [String]
    let line: [UInt8]
}

/// What `arlog customers import` did (or, with `dryRun`, would do).
public struct CustomerImportResult: Sendable {
    /// Data rows read (blank lines aside).
    public let rows: Int
    public let planned: [PlannedCustomerEvent]
    /// Rows whose customer is in the store with the same data: nothing to log.
    public let unchanged: Int
    /// Rows not imported, by row and column: the file's problems, and the events the store refused.
    public let problems: [CustomerFileProblem]
    /// nil for a dry run.
    public let summary: IngestSummary?
    public let atomic: Bool
    public let at: Timestamp
    public let actor: String
}

extension Store {
    /// Imports a customer file (docs/cli.md, "customers import"): per row, a
    /// `customer.registered` for a customer not in the store, else a `customer.updated` with the
    /// fields that differ (an empty cell changes nothing: the feed cannot clear a field) and a
    /// `credit_limit.changed` when the limit differs; nothing for an unchanged row, so the same
    /// file imported twice logs nothing the second time. Event ids are
    /// `import.<at, yyyyMMddTHHmmss>.<customer>.<registered|updated|limit>`, actor `actor`,
    /// dated `at`. The events go through ingest's fold like any feed line (every rule checked).
    /// Rows with problems are reported with their row and column and left out; with `atomic`
    /// nothing is logged unless every row is good and every event accepted.
    public func importCustomers(path: String, at: Timestamp, actor: String, note: String?, atomic: Bool,
                                dryRun: Bool) throws -> CustomerImportResult {
        try importCustomers(try CustomerFile.read(path: path), at: at, actor: actor, note: note, atomic: atomic, dryRun: dryRun)
    }

    public func importCustomers(_ file: CustomerFileContents, at: Timestamp, actor: String, note: String?, atomic: Bool,
                                dryRun: Bool) throws -> CustomerImportResult {
        var problems = file.problems
        var planned: [PlannedCustomerEvent] = []
        var unchanged = 0
        let stamp = String(Timestamp(seconds: at.seconds).description.prefix(19).filter { $0 != "-" && $0 != ":" })
        try env.read { txn in
            for (row, r) in file.records {
                let state = try self.state(txn, r.id, asOf: nil, through: nil)
                let profile = try storedProfile(txn, r.id)
                let before = planned.count
                if let rowProblem = planCustomer(r, row: row, state: state, profile: profile, stamp: stamp, at: at, actor: actor, note: note,
                                                 into: &planned) {
                    problems.append(rowProblem)
                } else if planned.count == before {
                    unchanged += 1
                }
            }
        }
        let badRows = Set(problems.map(\.row))
        guard !dryRun, !(atomic && !problems.isEmpty) else {
            return CustomerImportResult(rows: file.rows, planned: planned,
                                        unchanged: unchanged, problems: problems, summary: nil, atomic: atomic, at: at, actor: actor)
        }
        precondition(planned.allSatisfy { !badRows.contains($0.row) }, "a row with a problem plans no event")
        var refused: [RejectedLine] = []
        let summary = try append(lines: planned.map(\.line), source: "customers import", atomic: atomic) { refused.append($0) }
        for r in refused where !r.rolledBack {
            let p = planned[r.line - 1]
            problems.append(CustomerFileProblem(row: p.row, column: nil,
                                                message: "\(p.kind.rawValue) event refused: \(r.rejection.rule.rawValue): \(r.rejection.message)"))
        }
        problems.sort { $0.row < $1.row }
        return CustomerImportResult(rows: file.rows, planned: planned,
                                    unchanged: unchanged, problems: problems, summary: summary, atomic: atomic, at: at, actor: actor)
    }

    /// The events for one row, appended to `out`; a problem instead when the row cannot be
    /// applied to the customer as it stands (its currency differs: a currency never changes).
    func planCustomer(_ r: CustomerRecord, row: Int, state: CustomerState?, profile: ProfileText?, stamp: String, at: Timestamp,
                      actor: String, note: String?, into out: inout [PlannedCustomerEvent]) -> CustomerFileProblem? {
        func event(_ kind: PlannedCustomerEvent.Kind, _ type: EventType, _ fields: [String], _ body: (inout JSONWriter) -> Void) {
            let suffix = kind == .limitChanged ? "limit" : kind.rawValue
            let id = "import.\(stamp).\(r.id).\(suffix)"
            var w = JSONWriter()
            OwnEvents.envelope(&w, id: id, type: type, at: at, customer: r.id, actor: actor, note: note)
            body(&w)
            w.raw("}")
            out.append(PlannedCustomerEvent(row: row, customer: r.id, kind: kind, id: id, fields: fields, line: w.bytes))
        }
        func member(_ w: inout JSONWriter, _ name: String, _ value: String) {
            w.raw(",\"\(name)\":")
            w.string(value)
        }
        let limitText = Money.format(r.creditLimit, fractionDigits: r.currency.fractionDigits)
        guard let state else {
            var fields = ["name", "currency", "terms_days", "credit_limit"]
            for (f, v) in [("industry", r.industry), ("contact", r.contact), ("email", r.email)] where v != nil { fields.append(f) }
            if r.registeredOn != nil { fields.append("registered_on") }
            event(.registered, .customerRegistered, fields) { w in
                member(&w, "name", r.name)
                member(&w, "currency", r.currency.code)
                w.raw(",\"terms_days\":\(r.termsDays)")
                member(&w, "credit_limit", limitText)
                if let v = r.industry { member(&w, "industry", v) }
                if let v = r.contact { member(&w, "contact", v) }
                if let v = r.email { member(&w, "email", v) }
                if let d = r.registeredOn { member(&w, "registered_on", "\(d)") }
            }
            return nil
        }
        guard state.currency == r.currency else {
            return CustomerFileProblem(row: row, column: "currency",
                                       message: "customer \(r.id) is in \(state.currency.code), not \(r.currency.code); a customer's currency never changes")
        }
        var changes: [(String, String)] = []
        if profile?.name != r.name { changes.append(("name", r.name)) }
        if state.termsDays != r.termsDays { changes.append(("terms_days", String(r.termsDays))) }
        for (f, new, old) in [("industry", r.industry, profile?.industry), ("contact", r.contact, profile?.contact), ("email", r.email, profile?.email)] {
            if let new, new != old { changes.append((f, new)) }
        }
        if !changes.isEmpty {
            event(.updated, .customerUpdated, changes.map(\.0)) { w in
                for (f, v) in changes {
                    if f == "terms_days" { w.raw(",\"terms_days\":\(v)") } else { member(&w, f, v) }
                }
            }
        }
        if state.creditLimit != r.creditLimit {
            event(.limitChanged, .creditLimitChanged, ["credit_limit"]) { w in member(&w, "credit_limit", limitText) }
        }
        return nil
    }

    /// Every customer's master data as it stands (the latest profile, terms and limit), in
    /// customer id byte order: what `customers export` writes.
    public func customerRecords() throws -> [CustomerRecord] {
        try env.read { txn in
            var out: [CustomerRecord] = []
            try forEachState(txn, asOf: nil, through: nil, threads: 1, map: { _, s in
                (s.currency, s.termsDays, s.creditLimit, s.registeredOn)
            }) { customer, s in
                let p = try storedProfile(txn, customer) ?? ProfileText(name: "")
                out.append(CustomerRecord(id: customer, name: p.name, currency: s.0, termsDays: s.1, creditLimit: s.2, industry: p.industry,
                                          contact: p.contact, email: p.email, registeredOn: s.3))
            }
            return out
        }
    }
}
