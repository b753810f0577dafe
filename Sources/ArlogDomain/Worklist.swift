/// The collector's worklist: which customers to call today, in the order of what is worth most
/// to chase, and why. Pure: the engine gathers each customer's `WorklistFacts` and sorts the
/// `WorklistScore`s.
///
/// **The formula.** A customer's priority is a number of *points*, counted in hundredths of a
/// major unit of its currency (there is no FX: across currencies it ranks face values, as
/// `customers --sort balance` does):
///
///     priority = overdue points + promise points + dispute points
///
///     overdue points  = Σ_b overdue_b × ageWeight_b × (200 − score) ÷ 100
///                       ÷ 2 when the customer was contacted in the last `recentContactDays`
///                       days and nothing else asks for a call (no broken promise, no promise
///                       due today)
///     promise points  = brokenPromiseWeight (3) × what is short of a broken promise not yet
///                       followed by a new one
///                     + promiseDueWeight (1) × what is short of a promise due today
///     dispute points  = disputeWeight (1) × amount disputed and awaiting a decision
///
/// with the open installments past due grouped by days past due into the bands 1–30, 31–60,
/// 61–90 and 91+ (`ageWeights` 1, 2, 3, 4: a euro 95 days late counts four times a euro 10
/// days late), and the customer's credit score (0–100) turned into a risk factor of 100% (score
/// 100) to 200% (score 0). A broken promise weighs three times its amount because it is both
/// money overdue and a customer who did not keep its word; a promise falling due today and a
/// dispute waiting for a decision weigh their amount once (a call confirms the payment, or
/// pushes the dispute to a decision). Every sum is exact (Int128) and rounded down once, at the
/// end, to hundredths of a major unit.
///
/// **The order.** Priority, highest first; then the overdue amount weighted by age (without
/// the risk factor), highest first; then the customer id (byte order). A customer with nothing
/// overdue, no promise broken or due today and no dispute waiting is not on the list.
public enum Worklist {
    /// Days past due that start each age band after the first (1–30, 31–60, 61–90, 91+).
    public static let ageBandEdgesDays = [30, 60, 90]
    /// What an overdue unit of money weighs in each age band.
    public static let ageWeights: [Int128] = [1, 2, 3, 4]
    /// Points per unit of a broken promise's amount, of a promise due today, of a dispute
    /// awaiting a decision.
    public static let brokenPromiseWeight: Int128 = 3
    public static let promiseDueWeight: Int128 = 1
    public static let disputeWeight: Int128 = 1
    /// A contact this many days ago or less (today included) halves the overdue points: the
    /// customer was just called, others come first (unless a promise asks for a call).
    public static let recentContactDays = 2

    /// The priority's unit: hundredths of a major unit.
    static let pointsPerMajor: Int128 = 100

    /// The customer's score and why, or nil when there is nothing to chase.
    public static func score(_ f: WorklistFacts, on day: Day) -> WorklistScore? {
        let overdue = f.overdueBands.reduce(0, +)
        guard overdue > 0 || f.brokenPromiseAmount > 0 || f.brokenPromises > 0 || f.promiseDueAmount > 0
            || f.promisesDueToday > 0 || f.disputedAwaitingAmount > 0 || f.disputesAwaiting > 0
        else { return nil }
        let perMajor = Int128(f.currency.minorPerMajor)
        var aged: Int128 = 0
        for (b, amount) in f.overdueBands.enumerated() where b < ageWeights.count {
            aged += Int128(amount) * ageWeights[b]
        }
        let risk = Int128(200 - min(max(f.score, 0), 100))
        var overduePoints = aged * risk * pointsPerMajor / (100 * perMajor)
        let promiseCall = f.brokenPromises > 0 || f.promisesDueToday > 0
        var recentlyContacted = false
        if let last = f.lastContact, day.days(since: last) >= 0, day.days(since: last) <= recentContactDays, !promiseCall {
            overduePoints /= 2
            recentlyContacted = true
        }
        let promisePoints = (brokenPromiseWeight * Int128(f.brokenPromiseAmount) + promiseDueWeight * Int128(f.promiseDueAmount)) * pointsPerMajor / perMajor
        let disputePoints = disputeWeight * Int128(f.disputedAwaitingAmount) * pointsPerMajor / perMajor
        let priority = overduePoints + promisePoints + disputePoints

        // The reasons, the heaviest first (ties: the order below).
        var parts: [(points: Int128, reason: WorklistReason)] = []
        if f.brokenPromises > 0 || f.brokenPromiseAmount > 0 {
            parts.append((brokenPromiseWeight * Int128(f.brokenPromiseAmount), .brokenPromises(count: f.brokenPromises, amount: f.brokenPromiseAmount)))
        }
        if f.promisesDueToday > 0 || f.promiseDueAmount > 0 {
            parts.append((promiseDueWeight * Int128(f.promiseDueAmount), .promiseDueToday(count: f.promisesDueToday, amount: f.promiseDueAmount)))
        }
        if overdue > 0 {
            parts.append((aged * risk / 100, .overdue(amount: overdue, oldestDays: f.oldestOverdueDays, grade: f.grade, score: f.score)))
        }
        if f.disputesAwaiting > 0 || f.disputedAwaitingAmount > 0 {
            parts.append((disputeWeight * Int128(f.disputedAwaitingAmount), .disputesAwaiting(count: f.disputesAwaiting, amount: f.disputedAwaitingAmount)))
        }
        var reasons = parts.enumerated().sorted { x, y in
            x.element.points != y.element.points ? x.element.points > y.element.points : x.offset < y.offset
        }.map(\.element.reason)
        if recentlyContacted, let last = f.lastContact { reasons.append(.contactedRecently(on: last)) }
        return WorklistScore(priorityHundredths: Int64(clamping: priority), agedOverdue: aged * pointsPerMajor / perMajor, reasons: reasons)
    }

    /// Whether `a` comes before `b` on the list (see the order above).
    public static func precedes(_ a: (customer: String, score: WorklistScore), _ b: (customer: String, score: WorklistScore)) -> Bool {
        if a.score.priorityHundredths != b.score.priorityHundredths { return a.score.priorityHundredths > b.score.priorityHundredths }
        if a.score.agedOverdue != b.score.agedOverdue { return a.score.agedOverdue > b.score.agedOverdue }
        return a.customer.utf8.lexicographicallyPrecedes(b.customer.utf8)
    }

    /// The same from a customer's hot state: its live open slots, read in place (what the
    /// worklist's scan calls for every customer; no generic iteration, no copy).
    public static func overdueBands(of s: CustomerState, on day: Day) -> (bands: [Int64], oldestDays: Int) {
        var bands = [Int64](repeating: 0, count: ageBandEdgesDays.count + 1)
        var oldest = 0
        var k = s.firstOpen
        let slots = s.slots
        while k < slots.count {
            let slot = slots[k]
            k += 1
            guard !slot.dead, slot.open > 0 else { continue }
            let days = day.days(since: slot.dueOn)
            // FIFO order is by due date first: the rest are not yet due either.
            guard days > 0 else { break }
            var b = 0
            while b < ageBandEdgesDays.count, days > ageBandEdgesDays[b] { b += 1 }
            bands[b] += slot.open
            oldest = max(oldest, days)
        }
        return (bands, oldest)
    }

    /// The open amounts past due on `day` by age band (1–30, 31–60, 61–90, 91+) and the days
    /// past due of the oldest, from the customer's open installments.
    public static func overdueBands(_ installments: some Sequence<(dueOn: Day, open: Int64)>, on day: Day) -> (bands: [Int64], oldestDays: Int) {
        var bands = [Int64](repeating: 0, count: ageBandEdgesDays.count + 1)
        var oldest = 0
        for i in installments where i.open > 0 {
            let days = day.days(since: i.dueOn)
            guard days > 0 else { continue }
            var b = 0
            while b < ageBandEdgesDays.count, days > ageBandEdgesDays[b] { b += 1 }
            // A customer's open amounts sum within Int64 (its open total).
            bands[b] += i.open
            oldest = max(oldest, days)
        }
        return (bands, oldest)
    }
}

/// What the worklist knows of one customer on the day.
public struct WorklistFacts: Sendable, Equatable {
    public var currency: Currency
    /// Open amounts past due, by age band (`Worklist.ageBandEdgesDays`), minor units.
    public var overdueBands: [Int64] = [0, 0, 0, 0]
    public var oldestOverdueDays = 0
    public var grade: Grade = .a
    /// The credit score, 0–100.
    public var score = 100
    // The facts below come from feed v1.1 (promises, disputes) and arlog's contacts, read
    // from the customer's state (Store.collectionFacts).
    /// Promises broken (not kept by their date) and not yet followed by a new promise, and
    /// what is still short of them.
    public var brokenPromises = 0
    public var brokenPromiseAmount: Int64 = 0
    /// Promises falling due on the day and still pending, and what is still short of them.
    public var promisesDueToday = 0
    public var promiseDueAmount: Int64 = 0
    /// Open disputes waiting for a decision, and the amount disputed.
    public var disputesAwaiting = 0
    public var disputedAwaitingAmount: Int64 = 0
    /// The day of the last collection contact, if any.
    public var lastContact: Day?

    public init(currency: Currency) { self.currency = currency }
}

/// Why a customer is on the list.
public enum WorklistReason: Sendable, Equatable {
    case overdue(amount: Int64, oldestDays: Int, grade: Grade, score: Int)
    case brokenPromises(count: Int, amount: Int64)
    case promiseDueToday(count: Int, amount: Int64)
    case disputesAwaiting(count: Int, amount: Int64)
    case contactedRecently(on: Day)

    /// A short key (`overdue`, `broken_promise`, `promise_due`, `dispute`, `contacted`).
    public var key: String {
        switch self {
        case .overdue: "overdue"
        case .brokenPromises: "broken_promise"
        case .promiseDueToday: "promise_due"
        case .disputesAwaiting: "dispute"
        case .contactedRecently: "contacted"
        }
    }

    /// The reason in words, amounts in `currency`.
    public func text(_ currency: Currency) -> String {
        let money = { (m: Int64) in "\(Money.format(m, fractionDigits: currency.fractionDigits)) \(currency.code)" }
        let n = { (count: Int, one: String, many: String) in count == 1 ? "1 \(one)" : "\(count) \(many)" }
        switch self {
        case .overdue(let amount, let days, let grade, let score):
            return "\(money(amount)) overdue, oldest \(n(days, "day", "days")), grade \(grade.letter) (score \(score))"
        case .brokenPromises(let count, let amount): return "\(n(count, "promise", "promises")) broken (\(money(amount)))"
        case .promiseDueToday(let count, let amount): return "\(n(count, "promise", "promises")) due today (\(money(amount)))"
        case .disputesAwaiting(let count, let amount): return "\(n(count, "dispute", "disputes")) awaiting a decision (\(money(amount)))"
        case .contactedRecently(let day): return "contacted \(day) (overdue weight halved)"
        }
    }
}

/// A customer's place on the list.
public struct WorklistScore: Sendable, Equatable {
    /// The priority in hundredths of a major unit (see `Worklist`).
    public let priorityHundredths: Int64
    /// Σ overdue × age weight, in hundredths of a major unit: the first tie-break.
    public let agedOverdue: Int128
    /// The reasons, the heaviest first.
    public let reasons: [WorklistReason]
}
