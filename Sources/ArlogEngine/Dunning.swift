import ArlogDomain
import ArlogStorage

/// `arlog dunning plan`: the actions due on a day, with what they were planned from.
public struct DunningPlan: Sendable {
    /// The day the plan is for: `--as-of`, else today (UTC).
    public let asOf: Day
    /// Whether the facts are the state as of `asOf` (true) or every event (false: today).
    public let isAsOf: Bool
    public let ladder: DunningLadder
    /// The `credit_policy.changed` the ladder comes from; nil for the built-in default.
    public let policy: PolicyEntry?
    public let actions: [DunningAction]
    /// Customers whose facts were planned from (those with an invoice at level 1's days past due).
    public let customersConsidered: Int
    /// Per customer with an action, the latest `at` of its events in the state planned from:
    /// the run's events are dated no earlier (a feed may date events in the future).
    let latestAt: [String: Timestamp]
}

/// What `dunning run` did.
public struct DunningRunResult: Sendable {
    public let plan: DunningPlan
    /// When the events are dated.
    public let at: Timestamp
    public let actor: String
    public let summary: IngestSummary
    /// `dunning.action` events and fee invoices among the lines appended.
    public let actionEvents: Int
    public let feeInvoices: Int
}

extension Store {
    /// Lines of one transaction of a dunning run: a run over a large store (its first, say)
    /// appends in several transactions, each well below LMDB's dirty-page limit
    /// (`MDB_TXN_FULL`); a customer's lines are never split, and a run stopped between two
    /// transactions is finished by the next (the ids are deterministic).
    static let dunningAppendLinesMax = 20_000

    /// The dunning plan for `asOf` (the state as of its end; nil: every event, on `today`),
    /// under the ladder of the policy in force then.
    public func dunningPlan(asOf: Day?, today: Day) throws -> DunningPlan {
        try dunningPlan(asOf: asOf, today: today, threads: nil)
    }

    func dunningPlan(asOf: Day?, today: Day, threads: Int?) throws -> DunningPlan {
        let day = asOf ?? today
        let t = asOf.map(Timestamp.endOf)
        return try env.read { txn in
            let entry = try policyInForce(txn, asOf: t, through: nil)
            let ladder = (entry?.policy ?? .default).dunning
            guard let first = ladder.levels.first else {
                return DunningPlan(asOf: day, isAsOf: asOf != nil, ladder: ladder, policy: entry, actions: [], customersConsidered: 0, latestAt: [:])
            }
            // An invoice is a candidate once its oldest open installment is level 1's days past due.
            let dueBy = day.adding(days: -first.days)
            // The scan (both threads) keeps the facts of the customers to plan, in customer
            // byte order; the levels sent and the profiles are then read for all of them at
            // once, in key order (one cursor each), instead of a look-up per invoice and level
            // and one per customer.
            var customers: [String] = []
            var candidates: [DunningCandidates] = []
            var considered = 0
            try forEachState(txn, asOf: t, through: nil, threads: threads, map: { _, s in
                Store.dunningCandidates(s, dueBy: dueBy, on: day)
            }) { customer, c in
                considered += 1
                // A customer-wide promise pending: nothing to plan (and nothing to look up).
                guard c.promise != .customer else { return }
                customers.append(customer)
                candidates.append(c)
            }
            try applyLadderLevelsSent(txn, &candidates, levels: ladder.levels.count)
            let texts = try profiles(txn, customers) { $0 }
            var actions: [DunningAction] = []
            var latestAt: [String: Timestamp] = [:]
            for k in customers.indices {
                let c = candidates[k]
                let profile = texts[k] ?? ProfileText(name: "")
                let facts = DunningFacts(customer: customers[k], name: profile.name, email: profile.email ?? "", contact: profile.contact ?? "",
                                         currency: c.currency, dunningLevel: c.dunningLevel, invoices: c.invoices, promise: c.promise)
                let before = actions.count
                DunningPlanner.plan(facts, ladder: ladder, asOf: day, into: &actions)
                if actions.count > before { latestAt[customers[k]] = c.latestAt }
            }
            return DunningPlan(asOf: day, isAsOf: asOf != nil, ladder: ladder, policy: entry, actions: actions,
                               customersConsidered: considered, latestAt: latestAt)
        }
    }

    /// What the plan needs of a customer's state: its invoices with an installment due on or
    /// before `dueBy` (none: nil, the customer is skipped), with every open installment of each,
    /// whether its dispute is open, the level of the last `dunning.action` naming or covering it
    /// (feed v1.1), and the promises pending on `day`.
    struct DunningCandidates: Sendable {
        let currency: Currency
        let dunningLevel: Int
        let latestAt: Timestamp
        var invoices: [DunningInvoiceFacts]
        /// `.customer` when a promise naming no invoice is pending; else the latest pending
        /// promise naming an invoice (every such invoice is also marked `promised`).
        var promise: DunningPromise?
    }

    static func dunningCandidates(_ s: CustomerState, dueBy: Day, on day: Day) -> DunningCandidates? {
        // Slots are in due order: the first open one tells whether anything is old enough.
        var first = s.firstOpen
        while first < s.slots.count, s.slots[first].open == 0 || s.slots[first].dead { first += 1 }
        guard first < s.slots.count, s.slots[first].dueOn <= dueBy else { return nil }
        var bySeq: [UInt64: Int] = [:]
        var invoices: [DunningInvoiceFacts] = []
        for k in first..<s.slots.count {
            let slot = s.slots[k]
            guard slot.open > 0, !slot.dead else { continue }
            let installment = DunningInstallmentFacts(index: Int(slot.index), dueOn: slot.dueOn, open: slot.open)
            if let i = bySeq[slot.invoiceSeq] {
                invoices[i].installments.append(installment)
            } else if slot.dueOn <= dueBy, let i = s.openInvoice(seq: slot.invoiceSeq) {
                let id = s.id(s.invoices[i])
                bySeq[slot.invoiceSeq] = invoices.count
                invoices.append(DunningInvoiceFacts(invoice: id, installments: [installment],
                                                    lastLevelSent: Int(s.invoices[i].dunningLevel),
                                                    disputed: s.dispute(ofInvoice: slot.invoiceSeq) != nil,
                                                    isFee: DunningIDs.isFeeInvoice(id)))
            }
        }
        // Promises pending on the day: usually none or one; a reversal can leave two (docs/feed.md),
        // and every one counts.
        var promise: DunningPromise?
        for p in s.promises where p.status(on: day) == .pending {
            guard p.invoiceSeq != 0 else { promise = .customer; break }
            if let i = bySeq[p.invoiceSeq] {
                invoices[i].promised = true
                promise = .invoice(invoices[i].invoice)
            }
        }
        return DunningCandidates(currency: s.currency, dunningLevel: s.dunningLevel, latestAt: s.latestAt, invoices: invoices,
                                 promise: promise)
    }

    /// `lastLevelSent` for every invoice of `candidates` that is neither disputed nor promised,
    /// merged into its facts as the plan does (the ladder's own actions give the level and the
    /// day it was sent; the state gives the level of any action naming or covering the invoice,
    /// without a day; the higher counts). The same answers as `lastLevelSent` per invoice, read
    /// as one merge per level: the action ids of that level in the byte order of the invoice
    /// ids, against the ids index with one cursor (`ReadTransaction.lookUp`); then the log
    /// records of the highest levels found, in log order, for their days.
    func applyLadderLevelsSent(_ txn: ReadTransaction, _ candidates: inout [DunningCandidates], levels: Int) throws {
        let top = min(levels, DunningLadder.levelsMax)
        var refs: [(customer: Int32, invoice: Int32)] = []
        // The invoice ids' UTF-8, one after another: ref r's is blob[starts[r]..<starts[r + 1]].
        var blob: [UInt8] = []
        var starts: [Int] = [0]
        for (k, c) in candidates.enumerated() {
            for (i, inv) in c.invoices.enumerated() where !inv.disputed && !inv.promised {
                refs.append((Int32(k), Int32(i)))
                blob.append(contentsOf: inv.invoice.utf8)
                starts.append(blob.count)
            }
        }
        guard !refs.isEmpty else { return }
        // The level found (0: none) and its log position (nil: a damaged index value) per ref.
        var found = [Int](repeating: 0, count: refs.count)
        var seqs = [UInt64?](repeating: nil, count: refs.count)
        if top >= 1 {
            try blob.withUnsafeBytes { b in
                func id(_ r: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: b[starts[r]..<starts[r + 1]]) }
                var order = Array(0..<refs.count)
                order.sort { keyPrecedes(id($0), id($1)) }
                // Lowest level first: a higher one found later replaces it (the highest counts).
                for level in 1...top {
                    try txn.lookUp(ids, count: order.count, key: { j, key in
                        DunningIDs.appendAction(invoice: id(order[j]), level: level, to: &key)
                    }, found: { j, value in
                        found[order[j]] = level
                        seqs[order[j]] = UInt64(bigEndianBytes: value)
                    })
                }
            }
        }
        // The days of the levels found: their records read in log order.
        var hits: [(seq: UInt64, ref: Int)] = []
        for r in refs.indices where found[r] > 0 {
            guard let seq = seqs[r] else {
                let (k, i) = (Int(refs[r].customer), Int(refs[r].invoice))
                let id = DunningIDs.action(invoice: candidates[k].invoices[i].invoice, level: found[r])
                throw Store.corrupt(ids, "event \(id)", StoredDataError("not a log position"))
            }
            hits.append((seq, r))
        }
        hits.sort { $0.seq < $1.seq }
        var sentOn = [Day?](repeating: nil, count: refs.count)
        for h in hits {
            sentOn[h.ref] = try withRecord(txn, h.seq) { $0.header.at }.utcDay
        }
        for (r, ref) in refs.enumerated() {
            let (k, i) = (Int(ref.customer), Int(ref.invoice))
            if found[r] >= candidates[k].invoices[i].lastLevelSent {
                (candidates[k].invoices[i].lastLevelSent, candidates[k].invoices[i].lastSentOn) = (found[r], sentOn[r])
            }
        }
    }

    /// The highest level whose `dunning.action` the ladder logged for `invoice` (its id is in
    /// the ids index), and the UTC date of its `at`; (0, nil) when none. (Actions logged by
    /// others count through the state's per-invoice levels, without a day.)
    func lastLevelSent(_ txn: ReadTransaction, invoice: String, levels: Int) throws -> (Int, Day?) {
        var level = min(levels, DunningLadder.levelsMax)
        while level >= 1 {
            let id = DunningIDs.action(invoice: invoice, level: level)
            if let raw = try txn.get(ids, key: Array(id.utf8)) {
                guard let seq = UInt64(bigEndianBytes: raw) else { throw Store.corrupt(ids, "event \(id)", StoredDataError("not a log position")) }
                let at = try withRecord(txn, seq) { $0.header.at }
                return (level, at.utcDay)
            }
            level -= 1
        }
        return (0, nil)
    }

    /// Whether an event with this id is in the log.
    public func hasEvent(id: String) throws -> Bool {
        try env.read { txn in try txn.get(ids, key: Array(id.utf8)) != nil }
    }

    /// Appends the plan: per invoice of each action, its fee invoice (`invoice.issued`, when
    /// charged) and one `dunning.action`, with deterministic ids (`DunningIDs`), dated `at`
    /// (or a customer's latest event, if later), actor `actor`. Lower levels first within a
    /// customer, so its `dunning_level` ends at the highest level sent. Rejections are
    /// reported (`rejected`) and roll back their transaction.
    public func dunningRun(_ plan: DunningPlan, at: Timestamp, actor: String = "arlog-dunning",
                           rejected: (RejectedLine) -> Void) throws -> DunningRunResult {
        var lines: [[UInt8]] = []
        var summary = IngestSummary()
        var actionEvents = 0
        var feeInvoices = 0
        var i = 0
        while i < plan.actions.count {
            // One customer's actions together.
            let customer = plan.actions[i].customer
            var when = at
            if let latest = plan.latestAt[customer], latest > when { when = latest }
            var customerLines: [[UInt8]] = []
            while i < plan.actions.count, plan.actions[i].customer == customer {
                let a = plan.actions[i]
                for item in a.items {
                    if let charge = item.charge {
                        customerLines.append(OwnEvents.feeInvoice(a, item, charge, issuedOn: plan.asOf, at: when, actor: actor))
                        feeInvoices += 1
                    }
                    customerLines.append(OwnEvents.dunningAction(a, item, at: when, actor: actor))
                    actionEvents += 1
                }
                i += 1
            }
            if !lines.isEmpty, lines.count + customerLines.count > Store.dunningAppendLinesMax {
                summary = summary + (try append(lines: lines, source: "dunning run", rejected: rejected))
                lines.removeAll(keepingCapacity: true)
            }
            lines += customerLines
        }
        if !lines.isEmpty { summary = summary + (try append(lines: lines, source: "dunning run", rejected: rejected)) }
        return DunningRunResult(plan: plan, at: at, actor: actor, summary: summary, actionEvents: actionEvents, feeInvoices: feeInvoices)
    }
}

extension OwnEvents {
    /// Characters of a note arlog writes (the contract's `note` limit).
    static let noteCharsMax = FeedLimits.noteCharsMax

    /// The note of one invoice's `dunning.action`: why it is due.
    public static func dunningNote(_ a: DunningAction, _ item: DunningItem) -> String {
        let sent = item.previousLevel == 0 ? "none sent before" : "level \(item.previousLevel) sent before"
        var note = "\(a.level.name): \(item.daysOverdue) days past due (level \(a.level.level) from \(a.level.days) days; \(sent))"
        if let c = item.charge {
            let d = a.currency.fractionDigits
            note += "; charged \(Money.format(c.total, fractionDigits: d)) as \(c.feeInvoice)"
        }
        return String(note.unicodeScalars.prefix(noteCharsMax))
    }

    static func dunningAction(_ a: DunningAction, _ item: DunningItem, at: Timestamp, actor: String) -> [UInt8] {
        var w = JSONWriter()
        envelope(&w, id: DunningIDs.action(invoice: item.invoice, level: a.level.level), type: .dunningAction, at: at,
                 customer: a.customer, actor: actor, note: dunningNote(a, item))
        w.raw(",\"level\":\(a.level.level),\"channel\":")
        w.string(a.level.channel.rawValue)
        w.raw(",\"invoice\":")
        w.string(item.invoice)
        w.raw("}")
        return w.bytes
    }

    /// The fee invoice's note: what it charges and how.
    public static func feeNote(_ a: DunningAction, _ item: DunningItem, _ c: DunningCharge) -> String {
        let d = a.currency.fractionDigits
        var note = "late fee for \(item.invoice) at level \(a.level.level) (\(a.level.name))"
        note += ": fee \(Money.format(c.fee, fractionDigits: d))"
        if a.level.interestYearlyPercent.tenThousandths > 0 {
            note += ", interest \(Money.format(c.interest, fractionDigits: d)) (\(a.level.interestYearlyPercent)% a year, actual/365)"
        }
        return String(note.unicodeScalars.prefix(noteCharsMax))
    }

    static func feeInvoice(_ a: DunningAction, _ item: DunningItem, _ c: DunningCharge, issuedOn: Day, at: Timestamp, actor: String) -> [UInt8] {
        var w = JSONWriter()
        envelope(&w, id: c.feeInvoice, type: .invoiceIssued, at: at, customer: a.customer, actor: actor, note: feeNote(a, item, c))
        w.raw(",\"invoice\":")
        w.string(c.feeInvoice)
        w.raw(",\"amount\":")
        w.string(Money.format(c.total, fractionDigits: a.currency.fractionDigits))
        w.raw(",\"currency\":")
        w.string(a.currency.code)
        w.raw(",\"issued_on\":")
        w.string(issuedOn.description)
        w.raw(",\"due_on\":")
        w.string(issuedOn.description)
        w.raw("}")
        return w.bytes
    }
}
