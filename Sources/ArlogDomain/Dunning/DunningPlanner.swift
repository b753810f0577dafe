/// One dunning action due: a level of the ladder sent to a customer for some of its invoices.
/// `dunning run` logs one `dunning.action` per invoice (`DunningIDs.action`), plus a fee
/// invoice per charged invoice, and renders one letter per action.
public struct DunningAction: Sendable, Equatable {
    public let customer: String
    public let name: String
    public let email: String
    public let contact: String
    public let currency: Currency
    /// The customer's `dunning_level` before this action.
    public let customerLevel: Int
    public let level: DunningLevel
    /// The invoices dunned, oldest due date first.
    public let items: [DunningItem]

    /// Σ of the items' open amounts (minor units; Int128: many invoices' amounts together
    /// need not fit Int64).
    public var open: Int128 { items.reduce(0) { $0 + Int128($1.open) } }
    /// Σ of the items' amounts past due on the plan's date (what a letter asks for: `open`
    /// also holds installments not yet due).
    public var overdue: Int128 { items.reduce(0) { $0 + Int128($1.overdue) } }
    /// Σ of the fees and interest charged (minor units).
    public var charged: Int128 { items.reduce(0) { $0 + Int128($1.charge?.total ?? 0) } }
    /// The most days past due among the items.
    public var daysOverdue: Int { items.map(\.daysOverdue).max() ?? 0 }
    public var channel: DunningChannel { level.channel }

    /// Why the action is due, in one line.
    public var why: String {
        let n = items.count
        let what = n == 1 ? "invoice \(items[0].invoice) is" : "\(n) invoices are"
        var s = "\(what) \(level.days)+ days past due (oldest \(daysOverdue) days): \(level.name)"
        let skipped = items.filter { $0.previousLevel + 1 < level.level }.count
        if skipped > 0 { s += "; \(skipped == n ? "" : "\(skipped) ")skipping levels the policy allows to skip" }
        return s
    }
}

/// One invoice of an action.
public struct DunningItem: Sendable, Equatable {
    public let invoice: String
    /// The level last sent for the invoice (0: none).
    public let previousLevel: Int
    /// Its open installments, in due order.
    public let installments: [DunningInstallmentFacts]
    /// The most days past due among them (the oldest installment's), on the plan's date.
    public let daysOverdue: Int
    /// The fee and interest charged on reaching the level; nil when nothing is charged.
    public let charge: DunningCharge?
    /// The open amount of the installments past due on the plan's date (due before it): of
    /// an invoice in installments, only part of `open` may be.
    public let overdue: Int64

    public var open: Int64 { installments.reduce(0) { $0 + $1.open } }
    /// The oldest open installment's due date.
    public var dueOn: Day { installments.first?.dueOn ?? Day.first }
}

/// A late fee and interest, charged once per (invoice, level) as a fee invoice.
public struct DunningCharge: Sendable, Equatable {
    /// The ladder's fixed fee, in minor units of the currency.
    public let fee: Int64
    /// The interest, in minor units.
    public let interest: Int64
    /// Σ over the installments of open × days, the interest's base (minor-unit days).
    public let interestBase: Int128
    /// The fee invoice's id (`DunningIDs.feeInvoice`).
    public let feeInvoice: String

    public var total: Int64 { fee + interest }
}

/// The planner: a pure function of the facts, the ladder and the date.
///
/// Per invoice (never per customer: there is no timer that the oldest open item drives), the
/// level reached is the highest level whose days the invoice's oldest open installment has
/// passed on `asOf`; when it is above the level last sent for the invoice, the next level is
/// due: one up, or higher if the levels above allow a skip, once the ladder's gap between the
/// two levels has passed since the last was sent. A level at or below the one last sent is
/// never sent again. Disputed invoices, and invoices under a pending promise (the
/// whole customer, or the invoice the promise names) are left out. Invoices due the same
/// level are one action (one letter).
public enum DunningPlanner {
    public static func plan(_ facts: [DunningFacts], ladder: DunningLadder, asOf: Day) -> [DunningAction] {
        var out: [DunningAction] = []
        for f in facts { plan(f, ladder: ladder, asOf: asOf, into: &out) }
        return out
    }

    /// The actions due for one customer, lowest level first, appended to `out`.
    public static func plan(_ f: DunningFacts, ladder: DunningLadder, asOf: Day, into out: inout [DunningAction]) {
        guard !ladder.levels.isEmpty, f.promise != .customer else { return }
        var byLevel: [[DunningItem]] = Array(repeating: [], count: ladder.levels.count + 1)
        var any = false
        for inv in f.invoices {
            if inv.disputed || inv.promised { continue }
            if case .invoice(let promised)? = f.promise, promised == inv.invoice { continue }
            var oldest: Day?
            for i in inv.installments where i.open > 0 {
                if oldest == nil || i.dueOn < oldest! { oldest = i.dueOn }
            }
            guard let oldest else { continue }
            let days = asOf.days(since: oldest)
            let sent = max(0, inv.lastLevelSent)
            guard let next = ladder.next(sent: sent, sentOn: inv.lastSentOn, target: ladder.target(daysOverdue: days), on: asOf),
                  let level = ladder.level(next) else {
                continue
            }
            let installments = inv.installments.filter { $0.open > 0 }.sorted { ($0.dueOn, $0.index) < ($1.dueOn, $1.index) }
            let charge = inv.isFee ? nil : DunningCharges.charge(invoice: inv.invoice, installments: installments, currency: f.currency,
                                                                  ladder: ladder, sent: sent, level: level, asOf: asOf)
            let overdue = installments.reduce(Int64(0)) { $1.dueOn < asOf ? $0 + $1.open : $0 }
            byLevel[next].append(DunningItem(invoice: inv.invoice, previousLevel: sent, installments: installments,
                                             daysOverdue: days, charge: charge, overdue: overdue))
            any = true
        }
        guard any else { return }
        for (n, items) in byLevel.enumerated() where !items.isEmpty {
            guard let level = ladder.level(n) else { continue }
            let sorted = items.sorted { a, b in
                a.dueOn != b.dueOn ? a.dueOn < b.dueOn : a.invoice.utf8.lexicographicallyPrecedes(b.invoice.utf8)
            }
            out.append(DunningAction(customer: f.customer, name: f.name, email: f.email, contact: f.contact, currency: f.currency,
                                     customerLevel: f.dunningLevel, level: level, items: sorted))
        }
    }
}

/// Late fees and interest (docs/collections.md, "Fees and interest").
public enum DunningCharges {
    /// The day count's year: actual/365 (calendar days over 365, in leap years too).
    public static let dayCountYearDays: Int128 = 365

    /// The fixed fee (four fraction digits of a major unit) in minor units of `currency`,
    /// rounded half up.
    public static func fee(_ fee: Decimal4, currency: Currency) -> Int64 {
        let shift = Decimal4.fractionDigits - currency.fractionDigits
        guard shift > 0 else { return fee.tenThousandths * Money.powersOfTen[-shift] }
        return Int64(clamping: divideHalfUp(Int128(fee.tenThousandths), Int128(Money.powersOfTen[shift])))
    }

    /// Interest in minor units on a base of Σ open × days (minor-unit days) at a yearly
    /// percent: base × rate ÷ (100 × 365), rounded half up to the minor unit, once per
    /// (invoice, level).
    public static func interest(base: Int128, yearlyPercent: Decimal4) -> Int64 {
        let den = Int128(100) * 10_000 * dayCountYearDays
        return Int64(clamping: divideHalfUp(base * Int128(yearlyPercent.tenThousandths), den))
    }

    /// Days of an installment `daysOverdue` past due that reaching level `level` charges,
    /// when level `sent` was the last sent: those past the days of the level sent, up to the
    /// days of the level reached (or the installment's own days, if fewer). So each day past
    /// due is charged at most once along the ladder, whichever day the run happens on.
    public static func chargedDays(daysOverdue: Int, ladder: DunningLadder, sent: Int, level: DunningLevel) -> Int {
        max(0, min(daysOverdue, level.days) - ladder.days(ofLevel: sent))
    }

    /// The charge for an invoice reaching `level` after `sent`; nil when it is zero.
    public static func charge(invoice: String, installments: [DunningInstallmentFacts], currency: Currency,
                              ladder: DunningLadder, sent: Int, level: DunningLevel, asOf: Day) -> DunningCharge? {
        guard level.charges else { return nil }
        var base: Int128 = 0
        for i in installments where i.open > 0 {
            let days = chargedDays(daysOverdue: asOf.days(since: i.dueOn), ladder: ladder, sent: sent, level: level)
            base += Int128(i.open) * Int128(days)
        }
        let fee = fee(level.fee, currency: currency)
        // A fee invoice is one amount of the feed: at most Money.amountMinorMax (only an
        // absurd rate on an absurd amount could reach it).
        let interest = min(interest(base: base, yearlyPercent: level.interestYearlyPercent), Money.amountMinorMax - fee)
        guard fee + interest > 0 else { return nil }
        return DunningCharge(fee: fee, interest: interest, interestBase: base,
                             feeInvoice: DunningIDs.feeInvoice(invoice: invoice, level: level.level))
    }

    /// n ÷ d rounded half up (n ≥ 0, d > 0).
    static func divideHalfUp(_ n: Int128, _ d: Int128) -> Int128 { (2 * n + d) / (2 * d) }
}

/// Deterministic ids of what the ladder logs, valid under the contract's id rules (1–128 of
/// `A-Z a-z 0-9 . _ : -`): the same (invoice, level) always gets the same id, so the log's
/// idempotency makes a second run append nothing.
public enum DunningIDs {
    /// The contract's id length.
    static let idCharsMax = 128
    /// Characters of a long invoice id kept in a hashed id (the rest is in the hash).
    static let hashedPrefixCharsMax = 96

    /// `dunning.<level>.<invoice>` (or, for an invoice id too long for that,
    /// `dunning-h.<level>.<first 96 characters>.<16 hex digits of its FNV-1a hash>`).
    public static func action(invoice: String, level: Int) -> String { make("dunning", invoice, level) }

    /// The bytes of `action(invoice:level:)` for the invoice id whose UTF-8 is `invoice`,
    /// appended to `bytes` (a look-up key, without a String per id; the rare hashed form goes
    /// through `action`).
    public static func appendAction(invoice: UnsafeRawBufferPointer, level: Int, to bytes: inout [UInt8]) {
        let prefix = "dunning.".utf8.count
        guard (0..<10).contains(level), prefix + 2 + invoice.count <= idCharsMax else {
            bytes.append(contentsOf: action(invoice: String(decoding: invoice, as: UTF8.self), level: level).utf8)
            return
        }
        bytes.append(contentsOf: "dunning.".utf8)
        bytes.append(UInt8(ascii: "0") + UInt8(level))
        bytes.append(UInt8(ascii: "."))
        bytes.append(contentsOf: invoice)
    }

    /// `fee.<level>.<invoice>`: the fee invoice's id, and the id of the `invoice.issued` event.
    public static func feeInvoice(invoice: String, level: Int) -> String { make("fee", invoice, level) }

    /// The daily review's event id: `daily.review.<date>`.
    public static func dailyReview(_ day: Day) -> String { "daily.review.\(day)" }

    /// Whether an invoice id is one `feeInvoice` makes.
    public static func isFeeInvoice(_ id: String) -> Bool {
        id.utf8.starts(with: "fee.".utf8) || id.utf8.starts(with: "fee-h.".utf8)
    }

    static func make(_ prefix: String, _ invoice: String, _ level: Int) -> String {
        let plain = "\(prefix).\(level).\(invoice)"
        if plain.utf8.count <= idCharsMax { return plain }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in invoice.utf8 {
            hash ^= UInt64(b)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        let padded = String(repeating: "0", count: 16 - hex.count) + hex
        // Ids are ASCII, so a prefix of characters is a prefix of bytes.
        return "\(prefix)-h.\(level).\(invoice.prefix(hashedPrefixCharsMax)).\(padded)"
    }
}
