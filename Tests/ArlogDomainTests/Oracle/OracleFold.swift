@testable import ArlogDomain

// The oracle's fold: the old `Fold` (commit 3018e59), renamed. See OracleLedger.swift.

/// An event with its amounts in minor units of the customer's currency and its due dates
/// resolved: what `OracleFold.apply` folds.
struct OracleResolvedEvent {
    let event: Event
    /// `amount` of invoices, adjustments (signed), write-offs (nil: all open), payments; the
    /// limit of registrations and limit changes.
    let amount: Int64?
    /// invoice.issued: (due_on, amount) in due order.
    let installments: [Installment]
    /// payment.received: explicit allocations in order.
    let allocations: [(invoice: String, amount: Int64)]
}

/// Where the fold looks up ids that live outside one customer's ledger: invoice and payment
/// ids are unique in the whole log, so an id another customer owns must be told apart from one
/// that does not exist.
protocol OracleReferences {
    func invoiceOwner(_ invoice: String) -> String?
    func paymentOwner(_ payment: String) -> String?
    func creditNoteOwner(_ note: String) -> String?
}

/// The projector of one customer: validation against the accepted state, and a total fold.
enum OracleFold {
    static func minor(_ d: DecimalText, field: String, currency: Currency) throws(Rejection) -> Int64 {
        do {
            return try d.minorUnits(fractionDigits: currency.fractionDigits)
        } catch .tooPrecise(let allowed) {
            throw Rejection(.moneyPrecision, "\"\(field)\" has more fraction digits than \(currency.code) allows (\(allowed))")
        } catch {
            throw Rejection(.moneyRange, "\"\(field)\" exceeds the largest accepted amount (\(Money.format(Money.amountMinorMax, fractionDigits: currency.fractionDigits)) \(currency.code))")
        }
    }

    /// Converts amounts and due dates using the customer's currency and terms. Needs no other
    /// state; fails only for money more precise than the currency or out of range.
    static func resolve(_ e: Event, ledger: OracleLedger?) throws(Rejection) -> OracleResolvedEvent {
        // Log-wide events carry nothing a customer's currency or terms would change, and
        // their own rules (the policy's) were checked when decoding.
        if e.type.isGlobal { return OracleResolvedEvent(event: e, amount: nil, installments: [], allocations: []) }
        if case .customerRegistered(let r) = e.body {
            return OracleResolvedEvent(event: e, amount: try minor(r.creditLimit, field: "credit_limit", currency: r.currency), installments: [], allocations: [])
        }
        guard let ledger else {
            throw Rejection(.unregistered, "customer \"\(e.customer)\" is not registered (customer.registered must come first)")
        }
        let currency = ledger.currency
        switch e.body {
        case .customerRegistered, .creditPolicyChanged, .creditReviewed:
            return OracleResolvedEvent(event: e, amount: nil, installments: [], allocations: [])
        case .customerUpdated, .invoiceVoided, .paymentReversed, .dunningAction, .disputeResolved, .collectionContact:
            return OracleResolvedEvent(event: e, amount: nil, installments: [], allocations: [])
        case .customerAssessed(let a):
            _ = try OracleCredit.resolve(e, a, currency: currency)
            return OracleResolvedEvent(event: e, amount: nil, installments: [], allocations: [])
        case .fxRate:
            return OracleResolvedEvent(event: e, amount: nil, installments: [], allocations: [])
        case .disputeOpened(_, let amount, _):
            let a = try amount.map { d throws(Rejection) in try minor(d, field: "amount", currency: currency) }
            return OracleResolvedEvent(event: e, amount: a, installments: [], allocations: [])
        case .promiseRecorded(let amount, let promisedOn, _):
            let a = try minor(amount, field: "amount", currency: currency)
            guard promisedOn >= e.at.utcDay else {
                throw Rejection(.promiseBeforeAt, "\"promised_on\" \(promisedOn) is before the UTC date of \"at\" (\(e.at.utcDay))")
            }
            return OracleResolvedEvent(event: e, amount: a, installments: [], allocations: [])
        case .creditLimitChanged(let limit):
            return OracleResolvedEvent(event: e, amount: try minor(limit, field: "credit_limit", currency: currency), installments: [], allocations: [])
        case .invoiceIssued(_, let amount, let issuedOn, let due, let invoiceCurrency):
            if let invoiceCurrency, invoiceCurrency != currency {
                throw Rejection(.currencyMismatch, "invoice currency \(invoiceCurrency) differs from the customer's \(currency)")
            }
            let total = try minor(amount, field: "amount", currency: currency)
            var installments: [Installment]
            switch due {
            case .date(let d):
                installments = [Installment(dueOn: d, amount: total, open: total)]
            case .customerTerms:
                let d = issuedOn.adding(days: ledger.profile.termsDays)
                guard d.isRepresentable else {
                    throw Rejection(.fieldInvalid, "due date issued_on + terms_days (\(ledger.profile.termsDays)) falls after \(Day.last)")
                }
                installments = [Installment(dueOn: d, amount: total, open: total)]
            case .installments(let list):
                installments = []
                var sum: Int64 = 0
                for (i, item) in list.enumerated() {
                    let a = try minor(item.amount, field: "installments[\(i)].amount", currency: currency)
                    sum += a  // each ≤ 10^15 and at most installmentsMax of them: no overflow
                    installments.append(Installment(dueOn: item.dueOn, amount: a, open: a))
                }
                guard sum == total else {
                    throw Rejection(.installments, "installment amounts sum to \(Money.format(sum, fractionDigits: currency.fractionDigits)), not the invoice amount \(Money.format(total, fractionDigits: currency.fractionDigits))")
                }
                // Due order is (due_on, position in the list): a stable sort by date.
                installments = installments.enumerated().sorted {
                    ($0.element.dueOn, $0.offset) < ($1.element.dueOn, $1.offset)
                }.map(\.element)
            }
            return OracleResolvedEvent(event: e, amount: total, installments: installments, allocations: [])
        case .invoiceAdjusted(_, let amount):
            return OracleResolvedEvent(event: e, amount: try minor(amount, field: "amount", currency: currency), installments: [], allocations: [])
        case .invoiceWrittenOff(_, let amount):
            let a = try amount.map { d throws(Rejection) in try minor(d, field: "amount", currency: currency) }
            return OracleResolvedEvent(event: e, amount: a, installments: [], allocations: [])
        case .paymentReceived(_, let amount, _, let paymentCurrency, let allocations):
            if let paymentCurrency, paymentCurrency != currency {
                throw Rejection(.currencyMismatch, "payment currency \(paymentCurrency) differs from the customer's \(currency)")
            }
            var resolved: [(invoice: String, amount: Int64)] = []
            for (i, a) in allocations.enumerated() {
                resolved.append((a.invoice, try minor(a.amount, field: "allocations[\(i)].amount", currency: currency)))
            }
            return OracleResolvedEvent(event: e, amount: try minor(amount, field: "amount", currency: currency), installments: [], allocations: resolved)
        case .creditNoteIssued(_, let amount, _, let noteCurrency, let allocations, _):
            if let noteCurrency, noteCurrency != currency {
                throw Rejection(.currencyMismatch, "credit note currency \(noteCurrency) differs from the customer's \(currency)")
            }
            var resolved: [(invoice: String, amount: Int64)] = []
            for (i, a) in allocations.enumerated() {
                resolved.append((a.invoice, try minor(a.amount, field: "allocations[\(i)].amount", currency: currency)))
            }
            return OracleResolvedEvent(event: e, amount: try minor(amount, field: "amount", currency: currency), installments: [], allocations: resolved)
        case .creditApplied(_, _, let amount), .creditRefunded(_, let amount, _):
            return OracleResolvedEvent(event: e, amount: try minor(amount, field: "amount", currency: currency), installments: [], allocations: [])
        }
    }

    /// v1.2: the position in `payments` of the credit source `s` (nil: not this customer's).
    static func sourceIndex(_ s: CreditSource, _ l: OracleLedger) -> Int32? {
        switch s {
        case .payment(let id): l.paymentIndex[id]
        case .creditNote(let id): l.creditNoteIndex[id]
        }
    }

    /// Every state rule of the contract, judged against `ledger` (the customer's accepted
    /// state, nil when unregistered). Returns the resolved event, ready to apply.
    static func validate(_ e: Event, ledger: OracleLedger?, refs: some OracleReferences) throws -> OracleResolvedEvent {
        if case .customerRegistered = e.body, ledger != nil {
            throw Rejection(.alreadyRegistered, "customer \"\(e.customer)\" is already registered")
        }
        let r = try resolve(e, ledger: ledger)
        if e.type.isGlobal { return r }
        guard let ledger else { return r }  // a registration
        let digits = ledger.currency.fractionDigits
        func fmt(_ m: Int64) -> String { Money.format(m, fractionDigits: digits) }
        if e.at < ledger.profile.registeredAt {
            throw Rejection(.beforeRegistration, "\"at\" \(e.at) is before the customer's registration at \(ledger.profile.registeredAt)")
        }
        func invoice(_ id: String) throws -> OracleInvoice {
            if let inv = ledger.invoice(id) {
                guard e.at >= inv.issuedAt else {
                    throw Rejection(.beforeReference, "\"at\" \(e.at) is before invoice \(id) was issued (\(inv.issuedAt))")
                }
                return inv
            }
            if let owner = refs.invoiceOwner(id) {
                throw Rejection(.invoiceOtherCustomer, "invoice \(id) belongs to customer \(owner), not \(e.customer)")
            }
            throw Rejection(.invoiceUnknown, "invoice \(id) is not in the log")
        }
        /// A payment's or a credit note's allocations (`source` names it): none to a voided
        /// invoice, those to one invoice together within its open amount, all within the amount.
        func checkAllocations(_ source: String) throws {
            var allocated: Int64 = 0
            var taken: [String: Int64] = [:]
            for a in r.allocations {
                let inv = try invoice(a.invoice)
                guard !inv.voided else { throw Rejection(.invoiceVoided, "invoice \(a.invoice) is voided and takes no allocation") }
                let already = taken[a.invoice, default: 0]
                guard a.amount <= inv.open - already else {
                    throw Rejection(.exceedsOpen, "allocation of \(fmt(a.amount)) to invoice \(a.invoice) exceeds its open amount \(fmt(inv.open - already))")
                }
                taken[a.invoice] = already + a.amount
                allocated += a.amount
            }
            guard allocated <= r.amount! else {
                throw Rejection(.allocationsExceedPayment, "allocations total \(fmt(allocated)), more than the \(source) amount \(fmt(r.amount!))")
            }
        }
        func payment(_ id: String) throws -> OraclePayment {
            if let p = ledger.payment(id) {
                guard e.at >= p.at else {
                    throw Rejection(.beforeReference, "\"at\" \(e.at) is before payment \(id) was recorded (\(p.at))")
                }
                return p
            }
            if let owner = refs.paymentOwner(id) {
                throw Rejection(.paymentOtherCustomer, "payment \(id) belongs to customer \(owner), not \(e.customer)")
            }
            throw Rejection(.paymentUnknown, "payment \(id) is not in the log")
        }
        func source(_ s: CreditSource) throws -> OraclePayment {
            let what = { switch s { case .payment(let id): "payment \(id)"; case .creditNote(let id): "credit note \(id)" } }()
            guard let i = sourceIndex(s, ledger) else {
                switch s {
                case .payment(let id):
                    if let owner = refs.paymentOwner(id) { throw Rejection(.paymentOtherCustomer, "payment \(id) belongs to customer \(owner), not \(e.customer)") }
                    throw Rejection(.paymentUnknown, "payment \(id) is not in the log")
                case .creditNote(let id):
                    if let owner = refs.creditNoteOwner(id) { throw Rejection(.creditNoteOtherCustomer, "credit note \(id) belongs to customer \(owner), not \(e.customer)") }
                    throw Rejection(.creditNoteUnknown, "credit note \(id) is not in the log")
                }
            }
            let p = ledger.payments[Int(i)]
            guard e.at >= p.at else { throw Rejection(.beforeReference, "\"at\" \(e.at) is before \(what) was recorded (\(p.at))") }
            guard !p.reversed else { throw Rejection(.sourceReversed, "\(what) was reversed: it holds no credit to apply or refund") }
            return p
        }
        func checkedAdd(_ a: Int64, _ b: Int64, _ what: String) throws -> Int64 {
            let (sum, overflow) = a.addingReportingOverflow(b)
            guard !overflow else { throw Rejection(.totalsOverflow, "the customer's \(what) would overflow") }
            return sum
        }
        switch e.body {
        case .customerRegistered, .creditPolicyChanged, .creditReviewed, .fxRate:
            break
        case .customerUpdated, .creditLimitChanged, .customerAssessed:
            break
        case .invoiceIssued(let id, _, _, _, _):
            if ledger.invoice(id) != nil {
                throw Rejection(.invoiceExists, "invoice \(id) is already in the log")
            }
            if let owner = refs.invoiceOwner(id) {
                throw Rejection(.invoiceExists, "invoice \(id) is already in the log (customer \(owner))")
            }
            _ = try checkedAdd(ledger.totals.invoiced, r.amount!, "invoiced total")
        case .invoiceAdjusted(let id, _):
            let inv = try invoice(id)
            guard !inv.voided else { throw Rejection(.invoiceVoided, "invoice \(id) is voided and takes no adjustment") }
            let a = r.amount!
            if a > 0 {
                _ = try checkedAdd(ledger.totals.invoiced, a, "invoiced total")
            } else if -a > inv.open {
                throw Rejection(.exceedsOpen, "credit of \(fmt(-a)) exceeds the open amount \(fmt(inv.open)) of invoice \(id)")
            }
        case .invoiceVoided(let id):
            let inv = try invoice(id)
            // Feed leniency (docs/feed.md): voiding a voided invoice again changes nothing.
            guard !inv.voided else { break }
            guard inv.paid == 0 else {
                throw Rejection(.allocationsInForce, "invoice \(id) has \(fmt(inv.paid)) of payment allocations in force; reverse them before voiding")
            }
            guard inv.creditNotes == 0 else {
                throw Rejection(.allocationsInForce, "invoice \(id) has \(fmt(inv.creditNotes)) of credit-note allocations in force, which no event undoes; it cannot be voided")
            }
        case .invoiceWrittenOff(let id, _):
            let inv = try invoice(id)
            guard !inv.voided else { throw Rejection(.invoiceVoided, "invoice \(id) is voided and cannot be written off") }
            // Feed leniency (docs/feed.md): without an amount, a write-off of nothing open is 0.
            if let a = r.amount, inv.open == 0 {
                throw Rejection(.nothingOpen, "invoice \(id) has nothing open; a write-off of \(fmt(a)) exceeds it")
            }
            if let a = r.amount, a > inv.open {
                throw Rejection(.exceedsOpen, "write-off of \(fmt(a)) exceeds the open amount \(fmt(inv.open)) of invoice \(id)")
            }
        case .paymentReceived(let id, _, _, _, _):
            if ledger.payment(id) != nil {
                throw Rejection(.paymentExists, "payment \(id) is already in the log")
            }
            if let owner = refs.paymentOwner(id) {
                throw Rejection(.paymentExists, "payment \(id) is already in the log (customer \(owner))")
            }
            _ = try checkedAdd(ledger.totals.paid, r.amount!, "paid total")
            try checkAllocations("payment")
        case .paymentReversed(let id):
            let p = try payment(id)
            guard !p.reversed else { throw Rejection(.alreadyReversed, "payment \(id) was already reversed") }
        case .dunningAction(_, _, let id):
            if let id { _ = try invoice(id) }
        case .collectionContact(_, _, let id):
            if let id { _ = try invoice(id) }
        case .disputeOpened, .disputeResolved, .promiseRecorded:
            try validateCollections(e, ledger: ledger, collections: ledger.collections, invoice: invoice)
        case .creditNoteIssued(let id, _, _, _, _, _):
            if ledger.creditNoteIndex[id] != nil { throw Rejection(.creditNoteExists, "credit note \(id) is already in the log") }
            if let owner = refs.creditNoteOwner(id) {
                throw Rejection(.creditNoteExists, "credit note \(id) is already in the log (customer \(owner))")
            }
            _ = try checkedAdd(ledger.totals.credited, r.amount!, "credited total")
            try checkAllocations("credit note")
        case .creditApplied(let s, _, _), .creditRefunded(let s, _, _):
            let p = try source(s)
            let name = p.creditNote ? "credit note \(p.id)" : "payment \(p.id)"
            var invoiceOpen: Int64?
            var id = ""
            if case .creditApplied(_, let invoiceID, _) = e.body {
                id = invoiceID
                let inv = try invoice(id)
                guard !inv.voided else { throw Rejection(.invoiceVoided, "invoice \(id) is voided and takes no allocation") }
                invoiceOpen = inv.open
            }
            if case .creditRefunded(_, _, let on) = e.body, on < p.receivedOn {
                throw Rejection(.refundBeforeSource, "\"refunded_on\" \(on) is before \(name) was \(p.creditNote ? "issued" : "received") (\(p.receivedOn))")
            }
            let a = r.amount!
            guard a <= p.unapplied else {
                throw Rejection(.exceedsUnapplied, invoiceOpen != nil
                    ? "\(name) has \(fmt(p.unapplied)) of unapplied credit, less than \(fmt(a))"
                    : "\(name) has \(fmt(p.unapplied)) of unapplied credit, less than the refund of \(fmt(a))")
            }
            if let open = invoiceOpen, a > open {
                throw Rejection(.exceedsOpen, "credit of \(fmt(a)) exceeds the open amount \(fmt(open)) of invoice \(id)")
            }
        }
        return r
    }

    /// Folds a resolved event into the customer's ledger. Total: it never fails. Events were
    /// validated against the full log when accepted; when an as-of fold leaves out later-dated
    /// events and a reduction no longer fits, it applies what it can (see docs/feed.md).
    static func apply(_ r: OracleResolvedEvent, to ledger: inout OracleLedger?) {
        let e = r.event
        // Log-wide events change no ledger; the risk projection folds them.
        if e.type.isGlobal { return }
        if case .customerRegistered(let reg) = e.body {
            guard ledger == nil else { return }
            ledger = OracleLedger(profile: OracleProfile(
                id: e.customer, name: reg.name, currency: reg.currency, termsDays: reg.termsDays,
                creditLimit: r.amount!, industry: reg.industry, contact: reg.contact, email: reg.email,
                registeredOn: reg.registeredOn, registeredAt: e.at))
            ledger!.eventCount = 1
            return
        }
        guard ledger != nil else { return }
        apply(r, to: &ledger!)
    }

    static func apply(_ r: OracleResolvedEvent, to l: inout OracleLedger) {
        let e = r.event
        let before = l
        l.eventCount += 1
        l.latestAt = max(l.latestAt, e.at)
        var mayResetDunning = false
        switch e.body {
        case .customerRegistered, .creditPolicyChanged, .creditReviewed, .fxRate:
            break
        case .customerAssessed(let a):
            // Changes no figure, never resets the dunning level.
            if let kept = OracleCredit.assessment(e, a, currency: l.currency) { l.assessments.append(kept) }
        case .customerUpdated(let u):
            if let v = u.name { l.profile.name = v }
            if let v = u.termsDays { l.profile.termsDays = v }
            if let v = u.industry { l.profile.industry = v }
            if let v = u.contact { l.profile.contact = v }
            if let v = u.email { l.profile.email = v }
        case .creditLimitChanged:
            l.profile.creditLimit = r.amount!
        case .invoiceIssued(let id, _, let issuedOn, _, _):
            guard l.invoiceIndex[id] == nil else { return }
            let inv = OracleInvoice(id: id, issuedOn: issuedOn, issuedAt: e.at, amount: r.amount!, installments: r.installments)
            let index = Int32(l.invoices.count)
            l.invoices.append(inv)
            l.invoiceIndex[id] = index
            l.openInvoices.insert(index)
            l.totals.invoiced += r.amount!
            l.totals.open += r.amount!
        case .invoiceAdjusted(let id, _):
            guard let i = l.invoiceIndex[id], !l.invoices[Int(i)].voided else { return }
            let a = r.amount!
            if a > 0 {
                // A positive adjustment adds to the last installment in due order.
                let last = l.invoices[Int(i)].installments.count - 1
                l.invoices[Int(i)].installments[last].amount += a
                l.invoices[Int(i)].installments[last].open += a
                l.invoices[Int(i)].adjustedUp += a
                l.openInvoices.insert(i)
                l.totals.invoiced += a
                l.totals.open += a
            } else {
                let reduced = reduce(&l, invoice: i, by: -a)
                l.invoices[Int(i)].credited += reduced
                l.totals.credited += reduced
                mayResetDunning = true
            }
        case .invoiceVoided(let id):
            guard let i = l.invoiceIndex[id] else { return }
            // A repeated void changes no amount; like any void it is judged for the reset.
            mayResetDunning = true
            guard !l.invoices[Int(i)].voided else { break }
            let amount = reduce(&l, invoice: i, by: l.invoices[Int(i)].open)
            l.invoices[Int(i)].voided = true
            l.invoices[Int(i)].voidedAmount = amount
            l.totals.voided += amount
            mayResetDunning = true
        case .invoiceWrittenOff(let id, _):
            guard let i = l.invoiceIndex[id], !l.invoices[Int(i)].voided else { return }
            let amount = reduce(&l, invoice: i, by: r.amount ?? l.invoices[Int(i)].open)
            l.invoices[Int(i)].writtenOff += amount
            l.totals.writtenOff += amount
            mayResetDunning = true
        case .paymentReceived(let id, _, let receivedOn, _, _):
            guard l.paymentIndex[id] == nil else { return }
            let amount = r.amount!
            var left = amount
            var allocations: [OracleAllocation] = []
            for a in r.allocations {
                guard let i = l.invoiceIndex[a.invoice], !l.invoices[Int(i)].voided else { continue }
                left -= allocate(&l, invoice: i, amount: min(a.amount, left), receivedOn: receivedOn, into: &allocations)
            }
            if left > 0 {
                for ref in l.openInstallments() {
                    guard left > 0 else { break }
                    left -= allocate(&l, invoice: ref.invoice, installment: ref.installment, amount: left, receivedOn: receivedOn, into: &allocations)
                }
            }
            let index = Int32(l.payments.count)
            l.payments.append(OraclePayment(id: id, at: e.at, receivedOn: receivedOn, amount: amount, allocations: allocations, unapplied: left))
            l.paymentIndex[id] = index
            l.totals.paid += amount
            l.totals.unapplied += left
            mayResetDunning = true
        case .paymentReversed(let id):
            guard let p = l.paymentIndex[id], !l.payments[Int(p)].reversed else { return }
            let payment = l.payments[Int(p)]
            for a in payment.allocations {
                l.invoices[Int(a.invoice)].installments[Int(a.installment)].open += a.amount
                l.invoices[Int(a.invoice)].paid -= a.amount
                l.openInvoices.insert(a.invoice)
                l.totals.open += a.amount
                l.totals.lateWeighted -= Int128(a.daysLate) * Int128(a.amount)
                l.totals.lateAmount -= a.amount
            }
            l.totals.unapplied -= payment.unapplied
            l.totals.paid -= payment.amount
            l.totals.refunded -= payment.refunded
            l.payments[Int(p)].reversed = true
            l.payments[Int(p)].reversedOn = e.at.utcDay
        case .dunningAction(let level, _, _):
            l.dunningLevel = level
        case .disputeOpened, .disputeResolved, .promiseRecorded, .collectionContact:
            break
        case .creditNoteIssued(let id, _, let issuedOn, _, _, _):
            guard l.creditNoteIndex[id] == nil else { return }
            let amount = r.amount!
            var left = amount
            var allocations: [OracleAllocation] = []
            for a in r.allocations {
                guard let i = l.invoiceIndex[a.invoice], !l.invoices[Int(i)].voided else { continue }
                var want = min(a.amount, left)
                for j in l.invoices[Int(i)].installments.indices where want > 0 {
                    let took = creditNoteTake(&l, invoice: i, installment: Int32(j), amount: want, into: &allocations)
                    want -= took
                    left -= took
                }
            }
            for ref in l.openInstallments() where left > 0 {
                left -= creditNoteTake(&l, invoice: ref.invoice, installment: ref.installment, amount: left, into: &allocations)
            }
            let index = Int32(l.payments.count)
            var note = OraclePayment(id: id, at: e.at, receivedOn: issuedOn, amount: amount, allocations: allocations, unapplied: left)
            note.creditNote = true
            l.payments.append(note)
            l.creditNoteIndex[id] = index
            l.totals.credited += amount
            l.totals.unapplied += left
            mayResetDunning = true
        case .creditApplied(let s, let id, _):
            mayResetDunning = true
            guard let p = sourceIndex(s, l), !l.payments[Int(p)].reversed, let i = l.invoiceIndex[id], !l.invoices[Int(i)].voided else { break }
            var want = min(r.amount!, l.payments[Int(p)].unapplied)
            var allocations: [OracleAllocation] = []
            for j in l.invoices[Int(i)].installments.indices where want > 0 {
                let took = l.payments[Int(p)].creditNote
                    ? creditNoteTake(&l, invoice: i, installment: Int32(j), amount: want, into: &allocations)
                    : allocate(&l, invoice: i, installment: Int32(j), amount: want, receivedOn: l.payments[Int(p)].receivedOn, into: &allocations)
                want -= took
                l.payments[Int(p)].unapplied -= took
                l.totals.unapplied -= took
            }
            l.payments[Int(p)].allocations += allocations
        case .creditRefunded(let s, _, _):
            guard let p = sourceIndex(s, l), !l.payments[Int(p)].reversed else { break }
            let refund = min(r.amount!, l.payments[Int(p)].unapplied)
            l.payments[Int(p)].unapplied -= refund
            l.payments[Int(p)].refunded += refund
            l.totals.unapplied -= refund
            l.totals.refunded += refund
        }
        // The dunning level goes back to 0 when a payment, credit note, write-off or void
        // leaves nothing open past its due date, judged on the event's UTC date.
        if mayResetDunning, l.dunningLevel != 0, !l.hasOverdue(on: e.at.utcDay) {
            l.dunningLevel = 0
        }
        var c = l.collections
        applyCollections(r, before: before, after: l, to: &c)
        l.collections = c
    }

    /// Reduces an invoice's open amount by up to `amount`, earliest installment first; returns
    /// what was reduced.
    static func reduce(_ l: inout OracleLedger, invoice i: Int32, by amount: Int64) -> Int64 {
        var left = amount
        for j in l.invoices[Int(i)].installments.indices where left > 0 {
            let take = min(left, l.invoices[Int(i)].installments[j].open)
            l.invoices[Int(i)].installments[j].open -= take
            left -= take
        }
        let reduced = amount - left
        l.totals.open -= reduced
        if l.invoices[Int(i)].open == 0 { l.openInvoices.remove(i) }
        return reduced
    }

    /// v1.2: a credit note's allocation to one installment: no days late, not a payment.
    static func creditNoteTake(_ l: inout OracleLedger, invoice i: Int32, installment j: Int32, amount: Int64,
                               into allocations: inout [OracleAllocation]) -> Int64 {
        let take = min(amount, l.invoices[Int(i)].installments[Int(j)].open)
        guard take > 0 else { return 0 }
        l.invoices[Int(i)].installments[Int(j)].open -= take
        l.invoices[Int(i)].creditNotes += take
        l.totals.open -= take
        if l.invoices[Int(i)].open == 0 { l.openInvoices.remove(i) }
        allocations.append(OracleAllocation(invoice: i, installment: j, amount: take, daysBeyondTerms: 0))
        return take
    }

    /// Allocates up to `amount` of a payment to an invoice, earliest installment first.
    static func allocate(_ l: inout OracleLedger, invoice i: Int32, amount: Int64, receivedOn: Day, into allocations: inout [OracleAllocation]) -> Int64 {
        var left = amount
        for j in l.invoices[Int(i)].installments.indices where left > 0 {
            left -= allocate(&l, invoice: i, installment: Int32(j), amount: left, receivedOn: receivedOn, into: &allocations)
        }
        return amount - left
    }

    static func allocate(_ l: inout OracleLedger, invoice i: Int32, installment j: Int32, amount: Int64, receivedOn: Day, into allocations: inout [OracleAllocation]) -> Int64 {
        let inst = l.invoices[Int(i)].installments[Int(j)]
        let take = min(amount, inst.open)
        guard take > 0 else { return 0 }
        let beyond = Int32(receivedOn.days(since: inst.dueOn))
        let daysLate = max(0, beyond)
        l.invoices[Int(i)].installments[Int(j)].open -= take
        l.invoices[Int(i)].paid += take
        l.totals.open -= take
        l.totals.lateWeighted += Int128(daysLate) * Int128(take)
        l.totals.lateAmount += take
        if l.invoices[Int(i)].open == 0 { l.openInvoices.remove(i) }
        allocations.append(OracleAllocation(invoice: i, installment: j, amount: take, daysBeyondTerms: beyond))
        return take
    }
}
