/// Where an invoice or payment id of the whole log resolves: its owner and the log position of
/// the event that created it. Ids are unique in the log, so an id another customer owns must be
/// told apart from one that does not exist.
public struct Reference: Sendable, Equatable {
    public let seq: UInt64
    public let customer: String

    public init(seq: UInt64, customer: String) {
        self.seq = seq
        self.customer = customer
    }
}

/// The log's invoice and payment ids (validation only: folds use log positions).
public protocol ReferenceLookup {
    func invoice(_ id: String) throws -> Reference?
    func payment(_ id: String) throws -> Reference?
    /// Credit note ids (feed v1.2): their own namespace.
    func creditNote(_ id: String) throws -> Reference?
}

/// What lies outside a customer's hot state that a fold step may need or change: the cold
/// records of invoices and payments (by the log position that created them) and the profile
/// texts. The store keeps them in LMDB; the in-memory log and replays in dictionaries.
public protocol ColdItems {
    mutating func invoice(_ seq: UInt64) throws -> InvoiceState?
    mutating func payment(_ seq: UInt64) throws -> PaymentState?
    mutating func put(_ invoice: InvoiceState) throws
    mutating func put(_ payment: PaymentState) throws
    mutating func profile(_ customer: String) throws -> ProfileText?
    mutating func put(_ profile: ProfileText, of customer: String) throws
}

/// The fold step, written once: validation of a decoded event against the customer's state
/// (writing the event's binary form), and the total fold of a binary form into the state. Used
/// by ingest, rebuild, verify, as-of queries, history, statements and the in-memory reference.
public enum FoldStep {
    static func minor(_ d: DecimalText, field: String, currency: Currency) throws(Rejection) -> Int64 {
        do {
            return try d.minorUnits(fractionDigits: currency.fractionDigits)
        } catch .tooPrecise(let allowed) {
            throw Rejection(.moneyPrecision, "\"\(field)\" has more fraction digits than \(currency.code) allows (\(allowed))")
        } catch {
            throw Rejection(.moneyRange, "\"\(field)\" exceeds the largest accepted amount (\(Money.format(Money.amountMinorMax, fractionDigits: currency.fractionDigits)) \(currency.code))")
        }
    }

    /// What validation knows of an invoice the event names: from the hot state or its cold record.
    struct InvoiceFacts {
        let seq: UInt64
        let issuedAt: Timestamp
        let voided: Bool
        let open: Int64
        let paid: Int64
        /// Credit-note allocations (v1.2).
        let creditNotes: Int64
    }

    /// A payment's or a credit note's allocations checked and written (feed v1 and v1.2 share
    /// the rules): a voided invoice takes none; allocations to one invoice add up, together
    /// within its open amount; all together within `total` (the source's amount, `source` naming
    /// it in the message). Writes `total`, `on`, the count and each (invoice, amount).
    static func writeAllocations(_ allocations: [PaymentAllocation], total: Int64, on day: Day, source: String,
                                 currency: Currency, invoice: (String) throws -> InvoiceFacts,
                                 into w: inout LoggedEventWriter) throws {
        func fmt(_ m: Int64) -> String { Money.format(m, fractionDigits: currency.fractionDigits) }
        var allocated: Int64 = 0
        // Few per event: lists, not tables.
        var taken: [(seq: UInt64, amount: Int64)] = []
        var resolved: [(seq: UInt64, amount: Int64)] = []
        resolved.reserveCapacity(allocations.count)
        for (i, a) in allocations.enumerated() {
            let inv = try invoice(a.invoice)
            guard !inv.voided else { throw Rejection(.invoiceVoided, "invoice \(a.invoice) is voided and takes no allocation") }
            let m = try minor(a.amount, field: "allocations[\(i)].amount", currency: currency)
            let t = taken.firstIndex { $0.seq == inv.seq }
            let already = t.map { taken[$0].amount } ?? 0
            guard m <= inv.open - already else {
                throw Rejection(.exceedsOpen, "allocation of \(fmt(m)) to invoice \(a.invoice) exceeds its open amount \(fmt(inv.open - already))")
            }
            if let t { taken[t].amount += m } else { taken.append((inv.seq, m)) }
            allocated += m
            resolved.append((inv.seq, m))
        }
        guard allocated <= total else {
            throw Rejection(.allocationsExceedPayment, "allocations total \(fmt(allocated)), more than the \(source) amount \(fmt(total))")
        }
        w.w.i64(total)
        w.w.day(day)
        w.w.u32(UInt32(resolved.count))
        for r in resolved {
            w.w.u64(r.seq)
            w.w.i64(r.amount)
        }
    }

    /// Checks every rule of the contract that needs the accepted state, in the contract's
    /// order, and writes the event's binary form into `w`. `state` is the customer's (nil: not
    /// registered). Throws `Rejection` for a bad event; storage errors propagate as they are.
    public static func validate(_ e: Event, state: CustomerState?, cold: inout some ColdItems, refs: some ReferenceLookup,
                                into w: inout LoggedEventWriter) throws {
        if case .customerRegistered = e.body, state.exists {
            throw Rejection(.alreadyRegistered, "customer \"\(e.customer)\" is already registered")
        }
        w.begin(e.type, at: e.at)
        // Log-wide events carry nothing a customer's currency or terms would change, and their
        // own rules (the policy's) were checked when decoding.
        if e.type.isGlobal {
            if case .fxRate(let c, let base, let rate, let on) = e.body {
                // Feed v1.3: its own rules were checked when decoding.
                w.w.currency(c)
                w.w.currency(base)
                w.w.u64(rate.digits)
                w.w.u8(UInt8(rate.scale))
                w.w.day(on)
            }
            w.end(actor: e.actor, note: e.note)
            return
        }
        if case .customerRegistered(let reg) = e.body {
            let limit = try minor(reg.creditLimit, field: "credit_limit", currency: reg.currency)
            w.w.currency(reg.currency)
            w.w.i32(Int32(reg.termsDays))
            w.w.i64(limit)
            w.w.optionalDay(reg.registeredOn)
            w.profile(name: reg.name, industry: reg.industry, contact: reg.contact, email: reg.email, termsDays: nil)
            w.end(actor: e.actor, note: e.note)
            return
        }
        guard let state else {
            throw Rejection(.unregistered, "customer \"\(e.customer)\" is not registered (customer.registered must come first)")
        }
        let currency = state.currency
        let digits = currency.fractionDigits
        func fmt(_ m: Int64) -> String { Money.format(m, fractionDigits: digits) }
        func checkedAdd(_ a: Int64, _ b: Int64, _ what: String) throws(Rejection) -> Int64 {
            let (sum, overflow) = a.addingReportingOverflow(b)
            guard !overflow else { throw Rejection(.totalsOverflow, "the customer's \(what) would overflow") }
            return sum
        }

        // Resolution first (money and due dates in the customer's currency and terms), as the
        // contract's order has it: these are rules of the event itself.
        switch e.body {
        case .customerRegistered, .creditPolicyChanged, .creditReviewed, .fxRate:
            break  // handled above
        case .customerUpdated(let u):
            w.profile(name: u.name, industry: u.industry, contact: u.contact, email: u.email, termsDays: u.termsDays)
        case .creditLimitChanged(let limit):
            w.w.i64(try minor(limit, field: "credit_limit", currency: currency))
        case .invoiceIssued(_, let amount, let issuedOn, let due, let invoiceCurrency):
            if let invoiceCurrency, invoiceCurrency != currency {
                throw Rejection(.currencyMismatch, "invoice currency \(invoiceCurrency) differs from the customer's \(currency)")
            }
            let total = try minor(amount, field: "amount", currency: currency)
            w.w.i64(total)
            w.w.day(issuedOn)
            switch due {
            case .date(let d):
                w.w.u8(0)
                w.w.day(d)
            case .customerTerms:
                guard issuedOn.adding(days: state.termsDays).isRepresentable else {
                    throw Rejection(.fieldInvalid, "due date issued_on + terms_days (\(state.termsDays)) falls after \(Day.last)")
                }
                w.w.u8(1)
            case .installments(let list):
                var resolved: [(dueOn: Day, amount: Int64, position: Int)] = []
                resolved.reserveCapacity(list.count)
                var sum: Int64 = 0
                for (i, item) in list.enumerated() {
                    let a = try minor(item.amount, field: "installments[\(i)].amount", currency: currency)
                    sum += a  // each ≤ 10^15 and at most installmentsMax of them: no overflow
                    resolved.append((item.dueOn, a, i))
                }
                guard sum == total else {
                    throw Rejection(.installments, "installment amounts sum to \(fmt(sum)), not the invoice amount \(fmt(total))")
                }
                // Due order is (due_on, position in the list): a stable sort by date.
                resolved.sort { ($0.dueOn, $0.position) < ($1.dueOn, $1.position) }
                w.w.u8(2)
                w.w.u32(UInt32(resolved.count))
                for r in resolved {
                    w.w.day(r.dueOn)
                    w.w.i64(r.amount)
                }
            }
        case .invoiceAdjusted(_, let amount):
            _ = try minor(amount, field: "amount", currency: currency)
        case .invoiceWrittenOff(_, let amount):
            if let amount { _ = try minor(amount, field: "amount", currency: currency) }
        case .paymentReceived(_, let amount, _, let paymentCurrency, let allocations):
            if let paymentCurrency, paymentCurrency != currency {
                throw Rejection(.currencyMismatch, "payment currency \(paymentCurrency) differs from the customer's \(currency)")
            }
            for (i, a) in allocations.enumerated() { _ = try minor(a.amount, field: "allocations[\(i)].amount", currency: currency) }
            _ = try minor(amount, field: "amount", currency: currency)
        case .invoiceVoided, .paymentReversed, .dunningAction, .disputeResolved, .collectionContact:
            break
        case .disputeOpened(_, let amount, _):
            if let amount { _ = try minor(amount, field: "amount", currency: currency) }
        case .promiseRecorded(let amount, let promisedOn, _):
            _ = try minor(amount, field: "amount", currency: currency)
            // promised_on is compared with the UTC date of the event's `at` (feed v1.1).
            guard promisedOn >= e.at.utcDay else {
                throw Rejection(.promiseBeforeAt, "\"promised_on\" \(promisedOn) is before the UTC date of \"at\" (\(e.at.utcDay))")
            }
        case .creditNoteIssued, .creditApplied, .creditRefunded:
            try resolveCash(e.body, currency: currency)
        case .customerAssessed(let a):
            // Feed v1.3: the figures are in the customer's currency.
            var figures = AssessmentFigures()
            for f in FinancialFigure.allCases {
                if let d = a[f] { figures[f] = try minor(d, field: f.key, currency: currency) }
            }
            // assessed_on is compared with the UTC date of the event's `at`.
            guard a.assessedOn <= e.at.utcDay else {
                throw Rejection(.assessedAfterAt, "\"assessed_on\" \(a.assessedOn) is after the UTC date of \"at\" (\(e.at.utcDay))")
            }
            w.w.day(a.assessedOn)
            w.w.u8(a.bureauScore.map { UInt8($0) } ?? 0xFF)
            w.w.u8(figures.mask)
            for f in FinancialFigure.allCases { if let v = figures[f] { w.w.i64(v) } }
            w.w.optionalDay(a.fiscalYearEnd)
            w.w.text(a.source)
            w.w.optionalText(a.bureauRating)
        }

        if e.at < state.registeredAt {
            throw Rejection(.beforeRegistration, "\"at\" \(e.at) is before the customer's registration at \(state.registeredAt)")
        }
        func invoice(_ id: String) throws -> InvoiceFacts {
            guard let ref = try refs.invoice(id) else { throw Rejection(.invoiceUnknown, "invoice \(id) is not in the log") }
            guard ref.customer == e.customer else {
                throw Rejection(.invoiceOtherCustomer, "invoice \(id) belongs to customer \(ref.customer), not \(e.customer)")
            }
            let facts: InvoiceFacts
            if let i = state.openInvoice(seq: ref.seq) {
                let inv = state.invoices[i]
                facts = InvoiceFacts(seq: ref.seq, issuedAt: inv.issuedAt, voided: false, open: inv.open, paid: inv.counters.paid,
                                     creditNotes: inv.counters.creditNotes)
            } else if let r = try cold.invoice(ref.seq) {
                facts = InvoiceFacts(seq: ref.seq, issuedAt: r.issuedAt, voided: r.voided, open: r.open, paid: r.paid,
                                     creditNotes: r.creditNotes)
            } else {
                throw StoredDataError("invoice \(id) (log position \(ref.seq)) has no record")
            }
            guard e.at >= facts.issuedAt else {
                throw Rejection(.beforeReference, "\"at\" \(e.at) is before invoice \(id) was issued (\(facts.issuedAt))")
            }
            return facts
        }
        func payment(_ id: String) throws -> PaymentState {
            guard let ref = try refs.payment(id) else { throw Rejection(.paymentUnknown, "payment \(id) is not in the log") }
            guard ref.customer == e.customer else {
                throw Rejection(.paymentOtherCustomer, "payment \(id) belongs to customer \(ref.customer), not \(e.customer)")
            }
            guard let p = try cold.payment(ref.seq) else { throw StoredDataError("payment \(id) (log position \(ref.seq)) has no record") }
            guard e.at >= p.at else {
                throw Rejection(.beforeReference, "\"at\" \(e.at) is before payment \(id) was recorded (\(p.at))")
            }
            return p
        }

        switch e.body {
        case .customerRegistered, .creditPolicyChanged, .creditReviewed, .customerUpdated, .creditLimitChanged, .customerAssessed, .fxRate:
            break
        case .invoiceIssued(let id, let amount, _, _, _):
            if let ref = try refs.invoice(id) {
                throw Rejection(.invoiceExists, ref.customer == e.customer
                    ? "invoice \(id) is already in the log" : "invoice \(id) is already in the log (customer \(ref.customer))")
            }
            _ = try checkedAdd(state.totals.invoiced, try minor(amount, field: "amount", currency: currency), "invoiced total")
            w.w.shortText(id)
        case .invoiceAdjusted(let id, let amount):
            let inv = try invoice(id)
            guard !inv.voided else { throw Rejection(.invoiceVoided, "invoice \(id) is voided and takes no adjustment") }
            let a = try minor(amount, field: "amount", currency: currency)
            if a > 0 {
                _ = try checkedAdd(state.totals.invoiced, a, "invoiced total")
            } else if -a > inv.open {
                throw Rejection(.exceedsOpen, "credit of \(fmt(-a)) exceeds the open amount \(fmt(inv.open)) of invoice \(id)")
            }
            w.w.u64(inv.seq)
            w.w.i64(a)
        case .invoiceVoided(let id):
            let inv = try invoice(id)
            // Voiding a voided invoice again is accepted and changes nothing (the contract
            // refuses only adjustments, write-offs and allocations on a voided invoice).
            guard inv.voided || inv.paid == 0 else {
                throw Rejection(.allocationsInForce, "invoice \(id) has \(fmt(inv.paid)) of payment allocations in force; reverse them before voiding")
            }
            // v1.2: whichever source made it. A credit note is never reversed, so an invoice
            // holding a credit-note allocation can never be voided.
            guard inv.voided || inv.creditNotes == 0 else {
                throw Rejection(.allocationsInForce, "invoice \(id) has \(fmt(inv.creditNotes)) of credit-note allocations in force, which no event undoes; it cannot be voided")
            }
            w.w.u64(inv.seq)
        case .invoiceWrittenOff(let id, let amount):
            let inv = try invoice(id)
            guard !inv.voided else { throw Rejection(.invoiceVoided, "invoice \(id) is voided and cannot be written off") }
            let a = try amount.map { d throws(Rejection) in try minor(d, field: "amount", currency: currency) }
            // Without an amount, "all of it" may be nothing: a write-off of 0 is accepted
            // (the contract sets no minimum for the default). An explicit amount is > 0, so
            // it exceeds an invoice with nothing open.
            if let a, inv.open == 0 {
                throw Rejection(.nothingOpen, "invoice \(id) has nothing open; a write-off of \(fmt(a)) exceeds it")
            }
            if let a, a > inv.open {
                throw Rejection(.exceedsOpen, "write-off of \(fmt(a)) exceeds the open amount \(fmt(inv.open)) of invoice \(id)")
            }
            w.w.u64(inv.seq)
            w.w.bool(a != nil)
            w.w.i64(a ?? 0)
        case .paymentReceived(let id, let amount, let receivedOn, _, let allocations):
            if let ref = try refs.payment(id) {
                throw Rejection(.paymentExists, ref.customer == e.customer
                    ? "payment \(id) is already in the log" : "payment \(id) is already in the log (customer \(ref.customer))")
            }
            let total = try minor(amount, field: "amount", currency: currency)
            _ = try checkedAdd(state.totals.paid, total, "paid total")
            try writeAllocations(allocations, total: total, on: receivedOn, source: "payment", currency: currency, invoice: invoice, into: &w)
            w.w.shortText(id)
        case .paymentReversed(let id):
            let p = try payment(id)
            guard !p.reversed else { throw Rejection(.alreadyReversed, "payment \(id) was already reversed") }
            w.w.u64(p.seq)
        case .dunningAction(let level, let channel, let id):
            let seq = try id.map { try invoice($0).seq } ?? 0
            w.w.u8(UInt8(level))
            w.w.u8(channel.code)
            w.w.u64(seq)
        case .disputeOpened(let id, let amount, let reason):
            let inv = try invoice(id)
            guard !inv.voided else { throw Rejection(.invoiceVoided, "invoice \(id) is voided and cannot be disputed") }
            if let d = state.dispute(ofInvoice: inv.seq) {
                throw Rejection(.disputeOpen, "invoice \(id) already has an open dispute (opened at \(state.disputes[d].openedAt)); resolve it first")
            }
            let a = try amount.map { d throws(Rejection) in try minor(d, field: "amount", currency: currency) }
            // Without an amount the dispute takes what is open, which may be nothing (a
            // dispute of 0); an explicit amount (> 0) exceeds an invoice with nothing open.
            if let a, inv.open == 0 {
                throw Rejection(.nothingOpen, "invoice \(id) has nothing open; a dispute of \(fmt(a)) exceeds it")
            }
            if let a, a > inv.open {
                throw Rejection(.exceedsOpen, "dispute of \(fmt(a)) exceeds the open amount \(fmt(inv.open)) of invoice \(id)")
            }
            w.w.u64(inv.seq)
            w.w.bool(a != nil)
            w.w.i64(a ?? 0)
            w.w.optionalText(reason)
        case .disputeResolved(let id, let outcome):
            let inv = try invoice(id)
            guard let d = state.dispute(ofInvoice: inv.seq) else {
                throw Rejection(.disputeNotOpen, "invoice \(id) has no open dispute to resolve")
            }
            guard e.at >= state.disputes[d].openedAt else {
                throw Rejection(.beforeReference, "\"at\" \(e.at) is before the dispute of invoice \(id) was opened (\(state.disputes[d].openedAt))")
            }
            w.w.u64(inv.seq)
            w.w.u8(outcome.code)
        case .promiseRecorded(let amount, let promisedOn, let id):
            // A promise may name a voided invoice or exceed what is open (feed v1.1).
            let seq = try id.map { try invoice($0).seq } ?? 0
            w.w.i64(try minor(amount, field: "amount", currency: currency))
            w.w.day(promisedOn)
            w.w.u64(seq)
        case .collectionContact(let outcome, let channel, let id):
            let seq = try id.map { try invoice($0).seq } ?? 0
            w.w.u8(UInt8(ContactOutcome.allCases.firstIndex(of: outcome) ?? 0))
            w.w.u8(channel?.code ?? 0xFF)
            w.w.u64(seq)
        case .creditNoteIssued, .creditApplied, .creditRefunded:
            try validateCash(e, state: state, refs: refs, into: &w, invoice: invoice, record: { seq in try cold.payment(seq) })
        }
        w.end(actor: e.actor, note: e.note)
    }

    /// Folds an accepted event (its binary form) into the customer's state. Total: it never
    /// fails for what was accepted; when an as-of fold leaves out later-dated events and a
    /// reduction no longer fits, it applies what it can (docs/feed.md). Throws only when a cold
    /// record cannot be read or written. `seq`: the event's log position.
    public static func apply(_ e: LoggedEvent, seq: UInt64, customer: String, to state: inout CustomerState?,
                             cold: inout some ColdItems) throws {
        if case .registered(let currency, let terms, let limit, let registeredOn, let p) = e.body {
            guard !state.exists else { return }
            var s = CustomerState(currency: currency, termsDays: terms, creditLimit: limit, registeredAt: e.at, registeredOn: registeredOn)
            s.eventCount = 1
            s.lastSeq = seq
            state = s
            try cold.put(ProfileText(name: p.name?.utf8String ?? "", industry: p.industry?.utf8String,
                                     contact: p.contact?.utf8String, email: p.email?.utf8String), of: customer)
            return
        }
        // Log-wide events change no customer's ledger (the risk projector folds them).
        guard state.exists, !e.type.isGlobal else { return }
        try apply(e, seq: seq, customer: customer, to: &state!, cold: &cold)
    }

    static func apply(_ e: LoggedEvent, seq: UInt64, customer: String, to s: inout CustomerState, cold: inout some ColdItems) throws {
        s.eventCount += 1
        s.latestAt = max(s.latestAt, e.at)
        s.lastSeq = seq
        s.openedSlots.removeAll(keepingCapacity: true)
        var mayResetDunning = false
        switch e.body {
        case .registered, .policyChanged, .reviewed, .fxRate:
            break
        case .updated(let terms, let p):
            if let terms { s.termsDays = terms }
            if p.name != nil || p.industry != nil || p.contact != nil || p.email != nil, var text = try cold.profile(customer) {
                if let v = p.name { text.name = v.utf8String }
                if let v = p.industry { text.industry = v.utf8String }
                if let v = p.contact { text.contact = v.utf8String }
                if let v = p.email { text.email = v.utf8String }
                try cold.put(text, of: customer)
            }
        case .creditLimit(let limit):
            s.creditLimit = limit
        case .invoiceIssued(let id, let amount, let issuedOn, let due):
            var installments: [Installment] = []
            switch due {
            case .date(let d):
                installments = [Installment(dueOn: d, amount: amount, open: amount)]
            case .terms:
                // In an as-of fold the terms may differ from those validated: stay in the calendar.
                let d = issuedOn.adding(days: s.termsDays)
                installments = [Installment(dueOn: d.isRepresentable ? d : Day.last, amount: amount, open: amount)]
            case .installments(let list):
                installments.reserveCapacity(list.count)
                for i in list { installments.append(Installment(dueOn: i.dueOn, amount: i.amount, open: i.amount)) }
            }
            _ = s.addInvoice(seq: seq, id: id, issuedOn: issuedOn, issuedAt: e.at, amount: amount, counters: InvoiceCounters(),
                             installments: installments)
            s.invoiceCount += 1
            s.totals.invoiced += amount
            s.totals.open += amount
            // No cold record yet: an open invoice lives in the hot state; it gets one when it
            // leaves (closeIfSettled).
        case .invoiceAdjusted(let invoice, let a):
            if a > 0 {
                guard let i = try hotInvoice(invoice, before: seq, in: &s, cold: &cold, reopen: true) else { break }
                // A positive adjustment adds to the last installment in due order.
                let k = Int(s.invoices[i].installmentCount) - 1
                if let slot = s.slot(ofInvoice: i, installment: k) {
                    s.slots[slot].amount += a
                    s.changeOpen(slot: slot, invoice: i, by: a)
                }
                s.invoices[i].counters.adjustedUp += a
                s.totals.invoiced += a
            } else {
                switch try find(invoice, before: seq, in: s, cold: &cold) {
                case .open(let i):
                    let reduced = reduce(&s, invoice: i, by: -a)
                    s.invoices[i].counters.credited += reduced
                    s.totals.credited += reduced
                    try closeIfSettled(&s, invoice: i, cold: &cold)
                    mayResetDunning = true
                case .settled:
                    mayResetDunning = true  // nothing open to reduce; still a credit note
                case .voidedOrMissing:
                    break
                }
            }
        case .invoiceVoided(let invoice):
            if let i = s.openInvoice(seq: invoice) {
                let amount = reduce(&s, invoice: i, by: s.invoices[i].open)
                s.invoices[i].counters.voidedAmount = amount
                s.totals.voided += amount
                var record = s.close(invoice: i)
                record.voidedSeq = seq
                try cold.put(record)
                s.endDispute(ofInvoice: invoice)
                mayResetDunning = true
            } else if var record = try cold.invoice(invoice) {
                // A repeated void changes no amount; like any void it is judged for the reset.
                if !record.voided(before: seq) {
                    record.voidedSeq = seq
                    record.voidedAmount = 0
                    try cold.put(record)
                }
                s.endDispute(ofInvoice: invoice)
                mayResetDunning = true
            }
        case .invoiceWrittenOff(let invoice, let amount):
            switch try find(invoice, before: seq, in: s, cold: &cold) {
            case .open(let i):
                let reduced = reduce(&s, invoice: i, by: amount ?? s.invoices[i].open)
                s.invoices[i].counters.writtenOff += reduced
                s.totals.writtenOff += reduced
                try closeIfSettled(&s, invoice: i, cold: &cold)
                mayResetDunning = true
            case .settled:
                mayResetDunning = true
            case .voidedOrMissing:
                break
            }
            // A write-off after which nothing is open on the invoice ends its dispute.
            if s.openInvoice(seq: invoice) == nil { s.endDispute(ofInvoice: invoice) }
        case .paymentReceived(let id, let amount, let receivedOn, let explicit):
            var left = amount
            var allocations: [Allocation] = []
            for a in explicit {
                guard left > 0 else { break }
                guard let i = try hotInvoice(a.invoice, before: seq, in: &s, cold: &cold, reopen: false) else { continue }
                left -= try allocate(&s, invoice: i, amount: min(a.amount, left), receivedOn: receivedOn, into: &allocations, cold: &cold)
            }
            if left > 0 {
                var slot = s.firstOpen
                while left > 0, slot < s.slots.count {
                    if s.slots[slot].open > 0, let i = s.openInvoice(seq: s.slots[slot].invoiceSeq) {
                        left -= allocate(&s, slot: slot, invoice: i, amount: left, receivedOn: receivedOn, into: &allocations)
                        try closeIfSettled(&s, invoice: i, cold: &cold)
                    }
                    slot += 1
                }
            }
            var weighted: Int128 = 0
            var allocated: Int64 = 0
            for a in allocations {
                weighted += Int128(a.daysBeyondTerms) * Int128(a.amount)
                allocated += a.amount
            }
            s.addPayment(PaymentEntry(seq: seq, receivedOn: receivedOn, weighted: weighted, amount: allocated))
            s.countForPromises(paymentSeq: seq, receivedOn: receivedOn, whole: amount,
                               allocations: allocations.lazy.map { (invoice: $0.invoice, amount: $0.amount) }, sign: 1)
            try cold.put(PaymentState(seq: seq, id: id.utf8String, at: e.at, receivedOn: receivedOn, amount: amount,
                                      allocations: allocations, unapplied: left))
            s.paymentCount += 1
            s.totals.paid += amount
            s.totals.unapplied += left
            mayResetDunning = true
        case .paymentReversed(let payment):
            guard var p = try cold.payment(payment), !p.reversed(before: seq) else { break }
            for a in p.allocations {
                guard let i = try hotInvoice(a.invoice, before: seq, in: &s, cold: &cold, reopen: true, voidedToo: true),
                    let slot = s.slot(ofInvoice: i, installment: Int(a.installment))
                else { continue }
                s.changeOpen(slot: slot, invoice: i, by: a.amount)
                s.invoices[i].counters.paid -= a.amount
                s.totals.lateWeighted -= Int128(a.daysLate) * Int128(a.amount)
                s.totals.lateAmount -= a.amount
            }
            s.totals.unapplied -= p.unapplied
            s.totals.paid -= p.amount
            s.countForPromises(paymentSeq: payment, receivedOn: p.receivedOn, whole: p.amount,
                               allocations: p.allocations.lazy.map { (invoice: $0.invoice, amount: $0.amount) }, sign: -1)
            s.totals.refunded -= p.refunded  // v1.2: its refunds count no more
            p.reversedSeq = seq
            p.reversedOn = e.at.utcDay
            try cold.put(p)
            s.reversePayment(seq: payment, on: e.at.utcDay)
        case .dunning(let level, _, let invoice):
            s.dunningLevel = level
            s.setInvoiceDunning(level: level, invoice: invoice, on: e.at.utcDay)
        case .disputeOpened(let invoice, let amount, _):
            s.openDispute(OpenDispute(invoiceSeq: invoice, seq: seq, openedAt: e.at, amount: amount ?? s.openAmount(ofInvoice: invoice)))
        case .disputeResolved(let invoice, _):
            // Resolving changes no amount.
            s.endDispute(ofInvoice: invoice)
        case .promiseRecorded(let amount, let promisedOn, let invoice):
            var id: String?
            if let invoice {
                if let i = s.openInvoice(seq: invoice) {
                    id = s.id(s.invoices[i])
                } else if let r = try cold.invoice(invoice) {
                    id = r.id
                } else {
                    throw StoredDataError("the invoice at log position \(invoice) a promise names has no record")
                }
            }
            s.recordPromise(PaymentPromise(seq: seq, at: e.at, amount: amount, promisedOn: promisedOn,
                                           invoiceSeq: invoice ?? 0, invoice: id))
        case .contact(let outcome, _, _):
            // The latest contact by `at` (a contact keyed in late does not hide a later one).
            if s.lastContact.map({ e.at >= $0.at }) ?? true { s.lastContact = LastContact(at: e.at, outcome: outcome) }
        case .creditNoteIssued, .creditApplied, .creditRefunded:
            mayResetDunning = try applyCash(e, seq: seq, to: &s, cold: &cold)
        case .assessed(let assessedOn, let score, let figures, let fiscalYearEnd, _, let rating):
            // Feed v1.3: the latest by assessed_on, then log order; one whole event. Changes no
            // figure and never resets the dunning level.
            if s.assessment.map({ $0.isReplaced(byAssessedOn: assessedOn) }) ?? true {
                s.assessment = AssessmentInForce(seq: seq, assessedOn: assessedOn, bureauScore: score, figures: figures,
                                                 fiscalYearEnd: fiscalYearEnd, hasRating: rating != nil)
            }
        }
        // The dunning level goes back to 0 when a payment, credit note, write-off or void
        // leaves nothing open past its due date, judged on the event's UTC date.
        if mayResetDunning, s.dunningLevel != 0, !s.hasOverdue(on: e.at.utcDay) {
            s.dunningLevel = 0
            s.resetInvoiceDunning()
        }
        s.compactIfWorthIt()
    }

    /// The index in the hot state of the invoice created at `seq`. An invoice that is not open
    /// is brought back from its cold record when `reopen` (something is about to be added to
    /// it); otherwise nil (nothing to reduce or allocate). A voided invoice is left alone
    /// (nil), unless `voidedToo` (a reversal puts back what a payment took, even then).
    static func hotInvoice(_ seq: UInt64, before eventSeq: UInt64, in s: inout CustomerState, cold: inout some ColdItems,
                           reopen: Bool, voidedToo: Bool = false) throws -> Int? {
        if let i = s.openInvoice(seq: seq) { return i }
        guard reopen, let r = try cold.invoice(seq) else { return nil }
        if r.voided(before: eventSeq), !voidedToo { return nil }
        var id = r.id
        return id.withUTF8 { bytes in
            s.addInvoice(seq: r.seq, id: UnsafeRawBufferPointer(bytes), issuedOn: r.issuedOn, issuedAt: r.issuedAt, amount: r.amount,
                         counters: InvoiceCounters(r), installments: r.installments)
        }
    }

    enum Found {
        case open(Int)
        /// In the log, not voided, nothing open.
        case settled
        case voidedOrMissing
    }

    /// Where the invoice created at `seq` stands in a fold at log position `eventSeq`.
    static func find(_ seq: UInt64, before eventSeq: UInt64, in s: CustomerState, cold: inout some ColdItems) throws -> Found {
        if let i = s.openInvoice(seq: seq) { return .open(i) }
        guard let r = try cold.invoice(seq), !r.voided(before: eventSeq) else { return .voidedOrMissing }
        return .settled
    }

    /// Moves an invoice with nothing left open to its cold record.
    static func closeIfSettled(_ s: inout CustomerState, invoice i: Int, cold: inout some ColdItems) throws {
        guard s.invoices[i].open == 0 else { return }
        try cold.put(s.close(invoice: i))
    }

    /// Reduces an open invoice by up to `amount`, earliest installment first; returns what
    /// was reduced.
    static func reduce(_ s: inout CustomerState, invoice i: Int, by amount: Int64) -> Int64 {
        var left = amount
        for k in 0..<Int(s.invoices[i].installmentCount) where left > 0 {
            guard let slot = s.slot(ofInvoice: i, installment: k) else { continue }
            let take = min(left, s.slots[slot].open)
            if take > 0 { s.changeOpen(slot: slot, invoice: i, by: -take) }
            left -= take
        }
        return amount - left
    }

    /// Allocates up to `amount` of a payment to an open invoice, earliest installment first.
    static func allocate(_ s: inout CustomerState, invoice i: Int, amount: Int64, receivedOn: Day,
                         into allocations: inout [Allocation], cold: inout some ColdItems) throws -> Int64 {
        var left = amount
        for k in 0..<Int(s.invoices[i].installmentCount) where left > 0 {
            guard let slot = s.slot(ofInvoice: i, installment: k) else { continue }
            left -= allocate(&s, slot: slot, invoice: i, amount: left, receivedOn: receivedOn, into: &allocations)
        }
        try closeIfSettled(&s, invoice: i, cold: &cold)
        return amount - left
    }

    static func allocate(_ s: inout CustomerState, slot: Int, invoice i: Int, amount: Int64, receivedOn: Day,
                         into allocations: inout [Allocation]) -> Int64 {
        let take = min(amount, s.slots[slot].open)
        guard take > 0 else { return 0 }
        let beyond = Int32(clamping: receivedOn.days(since: s.slots[slot].dueOn))
        let daysLate = max(0, beyond)
        s.changeOpen(slot: slot, invoice: i, by: -take)
        s.invoices[i].counters.paid += take
        s.totals.lateWeighted += Int128(daysLate) * Int128(take)
        s.totals.lateAmount += take
        allocations.append(Allocation(invoice: s.invoices[i].seq, installment: Int32(s.slots[slot].index), amount: take, daysBeyondTerms: beyond))
        return take
    }
}
