import ArlogDomain
import ArlogStorage

/// `arlog report --customer C`: everything the one-page customer report shows, gathered from
/// the store's existing queries as of one day (docs/report.md). A value: the renderer
/// (ArlogRender's `CustomerReportPage`) draws it without touching the store.
public struct CustomerReport: Sendable {
    /// One point of the score trend: the score and grade at the end of `day`.
    public struct ScorePoint: Sendable, Equatable {
        public let day: Day
        public let score: Int
        public let grade: Grade
    }

    /// A paid invoice (nothing open, not voided, paid by payments) and how late it was paid.
    public struct PaidInvoice: Sendable, Equatable {
        public let invoice: String
        public let issuedOn: Day
        /// The last installment's due date.
        public let dueOn: Day
        /// The latest `received_on` of the payments that paid it.
        public let paidOn: Day
        /// What payments allocated to it (credit notes left out: they count in no days late).
        public let paid: Int64
        /// Amount-weighted mean days late of its allocations, in hundredths of a day.
        public let daysLateHundredths: Int64
        /// The most days late of any of its allocations.
        public let daysLateMax: Int
    }

    /// A dunning action, collection contact, promise, or dispute opened or resolved.
    public struct CollectionEntry: Sendable, Equatable {
        public enum Kind: String, Sendable {
            case dunning, contact, promise, disputeOpened = "dispute_opened", disputeResolved = "dispute_resolved"
        }

        public let seq: UInt64
        public let at: Timestamp
        public let kind: Kind
        public let eventID: String
        /// The dunning level (dunning only).
        public let level: Int?
        /// email, letter, phone, … (dunning; contact when given).
        public let channel: String?
        /// A contact's outcome; a dispute's resolution.
        public let outcome: String?
        public let invoice: String?
        /// A promise's or dispute's amount (nil: a dispute of the whole open amount).
        public let amount: Int64?
        /// A promise's date.
        public let promisedOn: Day?
        /// A dispute's reason.
        public let reason: String?
        public let actor: String?
        public let note: String?
    }

    /// A promise to pay and how it stands on the report's day.
    public struct Promise: Sendable, Equatable {
        public let at: Timestamp
        public let amount: Int64
        public let promisedOn: Day
        public let invoice: String?
        public let status: PromiseStatus
    }

    /// An invoice's last dispute (open or ended).
    public struct Dispute: Sendable, Equatable {
        public let invoice: String
        public let dispute: InvoiceDispute
    }

    public let customer: String
    /// The report's day (the end of it): --as-of, else today.
    public let asOf: Day
    /// Today's UTC date, when the report was made.
    public let today: Day
    public let profile: CustomerProfile
    public let balance: BalanceReport
    /// The open amount of installments past due on `asOf`.
    public let overdue: Int64
    /// The score on `asOf`, factor by factor, and every grade change up to it.
    public let grade: GradeReport
    /// Month-end scores over the last 12 months (from registration), the score at each grade
    /// change in that window and on `asOf`, by day.
    public let scoreTrend: [ScorePoint]
    /// The first day the trend covers (the day after the same date twelve months earlier).
    public let trendFrom: Day
    /// The last `paidInvoicesMax` invoices paid, oldest payment first.
    public let paidInvoices: [PaidInvoice]
    /// Paid invoices in all (`paidInvoices` may show fewer).
    public let paidInvoiceCount: Int
    /// Dunning actions, contacts, promises and disputes, newest `at` first, at most `collectionEntriesMax`.
    public let collections: [CollectionEntry]
    /// Such events in all.
    public let collectionCount: Int
    /// The promises, newest `at` first (at most `promisesMax`), judged on `asOf`.
    public let promises: [Promise]
    /// The last dispute of each disputed invoice, newest first, at most `disputesMax`.
    public let disputes: [Dispute]
    /// The statement of account of the last three months up to `asOf`; its aging (as of
    /// `asOf`) is the report's aging.
    public let statement: Statement

    /// Bounds of what one page lists (the page must stay readable and its size bounded).
    public static let paidInvoicesMax = 24
    public static let collectionEntriesMax = 60
    public static let disputesMax = 50
    public static let promisesMax = 50
    /// Month ends the score trend covers.
    public static let trendMonths = 12
    /// Months the statement covers.
    public static let statementMonths = 3
}

extension Day {
    /// The same day of the month `months` months earlier, clamped to that month's last day.
    public func monthsEarlier(_ months: Int) -> Day {
        let c = civil
        var y = c.year
        var m = c.month - months
        while m < 1 {
            m += 12
            y -= 1
        }
        guard y >= Day.yearMin else { return Day.first }
        var d = c.day
        while d > 28, Day(year: y, month: m, day: d) == nil { d -= 1 }
        return Day(year: y, month: m, day: d) ?? Day.first
    }

    /// The last day of the month before this day's month.
    public var endOfPreviousMonth: Day {
        let c = civil
        return Day(year: c.year, month: c.month, day: 1).map { $0.adding(days: -1) } ?? Day.first
    }
}

extension Store {
    /// The customer report as of the end of `asOf` (nil: `today`). Every query is pinned to the
    /// log as it stood when the report began (known at that sequence), so figures agree with
    /// each other while an ingest runs; the statement is read as of `asOf` from the same log.
    /// Exit status 3 (not found) for an unknown customer, or one not registered by `asOf`.
    public func customerReport(_ customer: String, asOf: Day? = nil, today: Day) throws -> CustomerReport {
        let day = asOf ?? today
        let endT = Timestamp.endOf(day)
        let head = try knownSequence(.seq(UInt64.max))
        let pin: KnownAt? = head == 0 ? nil : .seq(head)
        let ledger = try ledger(customer, asOf: endT, knownAt: pin)
        let balance = BalanceReport(ledger, on: day)
        var swept = ledger.state
        let overdue = swept.overdue(sweepingTo: day)
        let grade = try grade(customer, asOf: day, today: today, knownAt: pin)

        // Score trend: month ends since registration, the grade changes, the report's day.
        let trendFrom = day.monthsEarlier(CustomerReport.trendMonths).adding(days: 1)
        let registered = ledger.profile.registeredOn ?? ledger.profile.registeredAt.utcDay
        var scores: [Day: CustomerReport.ScorePoint] = [:]
        var monthEnd = day.endOfPreviousMonth
        for _ in 0..<(CustomerReport.trendMonths - 1) {
            guard monthEnd >= trendFrom, monthEnd >= registered else { break }
            let a = try self.grade(customer, asOf: monthEnd, today: today, knownAt: pin, withHistory: false).assessment
            scores[monthEnd] = .init(day: monthEnd, score: a.score, grade: a.grade)
            monthEnd = monthEnd.endOfPreviousMonth
        }
        for c in grade.history where c.evaluatedOn >= trendFrom && c.evaluatedOn <= day && scores[c.evaluatedOn] == nil {
            scores[c.evaluatedOn] = .init(day: c.evaluatedOn, score: c.score, grade: c.to)
        }
        scores[day] = .init(day: day, score: grade.assessment.score, grade: grade.assessment.grade)
        let trend = scores.values.sorted { $0.day < $1.day }

        // Days late per paid invoice.
        var paid: [CustomerReport.PaidInvoice] = []
        var allocations: [UInt64: [(Allocation, Day)]] = [:]
        for p in ledger.payments where !p.creditNote && !p.reversed {
            for a in p.allocations { allocations[a.invoice, default: []].append((a, p.receivedOn)) }
        }
        for inv in ledger.invoices where !inv.voided && inv.open == 0 {
            guard let allocs = allocations[inv.seq], !allocs.isEmpty else { continue }
            var weighted: Int128 = 0
            var amount: Int64 = 0
            var most = 0
            var last = allocs[0].1
            for (a, receivedOn) in allocs {
                weighted += Int128(a.daysLate) * Int128(a.amount)
                amount += a.amount
                most = max(most, Int(a.daysLate))
                last = max(last, receivedOn)
            }
            guard amount > 0 else { continue }
            paid.append(.init(invoice: inv.id, issuedOn: inv.issuedOn, dueOn: inv.installments.map(\.dueOn).max() ?? inv.issuedOn,
                              paidOn: last, paid: amount,
                              daysLateHundredths: Totals.avgDaysLateHundredths(weighted: weighted, amount: amount) ?? 0, daysLateMax: most))
        }
        paid.sort { ($0.paidOn, $0.invoice) < ($1.paidOn, $1.invoice) }
        let paidShown = Array(paid.suffix(CustomerReport.paidInvoicesMax))

        // Dunning, contacts, promises and disputes from the customer's history.
        let history = try history(customer, asOf: endT, knownAt: pin).entries
        let kinds: Set<EventType> = [.dunningAction, .collectionContact, .promiseRecorded, .disputeOpened, .disputeResolved]
        // By `at` (ties in log order): an event keyed in late sits where it happened.
        let chosen = history.filter { kinds.contains($0.event.type) }.sorted { ($0.event.at, $0.seq) < ($1.event.at, $1.seq) }
        let digits = ledger.currency.fractionDigits
        var collections: [CustomerReport.CollectionEntry] = []
        try env.read { txn in
            for h in chosen.suffix(CustomerReport.collectionEntriesMax).reversed() {
                let e = try withRecord(txn, h.seq, of: customer) { view in
                    do {
                        return try view.event()
                    } catch {
                        throw Store.corrupt(log, seq: h.seq, error)
                    }
                }
                func minor(_ d: DecimalText?) -> Int64? { d.flatMap { try? $0.minorUnits(fractionDigits: digits) } }
                var kind = CustomerReport.CollectionEntry.Kind.dunning
                var level: Int?, channel: String?, outcome: String?, invoice: String?, amount: Int64?, promisedOn: Day?, reason: String?
                switch e.body {
                case .dunningAction(let l, let c, let i):
                    (kind, level, channel, invoice) = (.dunning, l, c.rawValue, i)
                case .collectionContact(let o, let c, let i):
                    (kind, outcome, channel, invoice) = (.contact, o.rawValue, c?.rawValue, i)
                case .promiseRecorded(let a, let on, let i):
                    (kind, amount, promisedOn, invoice) = (.promise, minor(a), on, i)
                case .disputeOpened(let i, let a, let r):
                    (kind, invoice, amount, reason) = (.disputeOpened, i, minor(a), r)
                case .disputeResolved(let i, let o):
                    (kind, invoice, outcome) = (.disputeResolved, i, o.rawValue)
                default:
                    continue
                }
                collections.append(.init(seq: h.seq, at: e.at, kind: kind, eventID: e.id, level: level, channel: channel, outcome: outcome,
                                         invoice: invoice, amount: amount, promisedOn: promisedOn, reason: reason, actor: e.actor, note: e.note))
            }
        }

        // Promises as they stand on the report's day.
        let promises = ledger.state.promises.sorted { ($0.at, $0.seq) > ($1.at, $1.seq) }.prefix(CustomerReport.promisesMax).map {
            CustomerReport.Promise(at: $0.at, amount: $0.amount, promisedOn: $0.promisedOn, invoice: $0.invoice, status: $0.status(on: day))
        }

        // Each disputed invoice's last dispute (newest first).
        var disputedInvoices: [String] = []
        for h in history.reversed() where h.event.type == .disputeOpened {
            if let i = h.event.invoiceReference, !disputedInvoices.contains(i) { disputedInvoices.append(i) }
            if disputedInvoices.count == CustomerReport.disputesMax { break }
        }
        var disputes: [CustomerReport.Dispute] = []
        for id in disputedInvoices {
            if let d = try invoice(id, asOf: endT, knownAt: pin).dispute { disputes.append(.init(invoice: id, dispute: d)) }
        }

        let statement = try statement(customer, from: day.monthsEarlier(CustomerReport.statementMonths).adding(days: 1), to: day)
        return CustomerReport(customer: customer, asOf: day, today: today, profile: ledger.profile, balance: balance, overdue: overdue,
                              grade: grade, scoreTrend: trend, trendFrom: trendFrom, paidInvoices: paidShown, paidInvoiceCount: paid.count,
                              collections: collections, collectionCount: chosen.count, promises: Array(promises), disputes: disputes,
                              statement: statement)
    }
}
