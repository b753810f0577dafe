/// A decimal with four fraction digits, held as an integer count of ten-thousandths: the
/// ladder's fees (major units: "40.00" is 400_000) and yearly interest rates (percent: 8.5 is
/// 85_000). Four digits cover every currency's minor unit (CLF and UYW have four).
public struct Decimal4: Sendable, Equatable, Comparable, CustomStringConvertible {
    public let tenThousandths: Int64

    public static let fractionDigits = 4
    public static let zero = Decimal4(tenThousandths: 0)

    public init(tenThousandths: Int64) { self.tenThousandths = tenThousandths }

    /// Parses `[0-9]+(\.[0-9]{1,4})?` (no sign: fees and rates are never negative).
    public init?(parsing text: some StringProtocol) {
        guard let d = try? DecimalText(parsing: text), !d.negative,
              let v = try? d.minorUnits(fractionDigits: Decimal4.fractionDigits) else { return nil }
        tenThousandths = v
    }

    /// The shortest text: "40", "40.5", "8.125".
    public var description: String {
        var s = Money.format(tenThousandths, fractionDigits: Decimal4.fractionDigits)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    public static func < (a: Decimal4, b: Decimal4) -> Bool { a.tenThousandths < b.tenThousandths }
}

/// One rung of the dunning ladder (docs/collections.md).
public struct DunningLevel: Sendable, Equatable {
    /// 1…4, as `dunning.action`'s `level`; the ladder's levels are 1, 2, … in order.
    public let level: Int
    /// What the level is called in plans and letters ("reminder", "formal notice", ...).
    public let name: String
    /// Days past an installment's due date from which its invoice reaches this level.
    public let days: Int
    public let channel: DunningChannel
    /// A fixed late fee per invoice reaching this level, in major units of the customer's
    /// currency (rounded half up to its minor unit).
    public let fee: Decimal4
    /// Yearly interest in percent on the open amount, for the days overdue since the previous
    /// level sent (actual/365, docs/collections.md).
    public let interestYearlyPercent: Decimal4
    /// The level may be sent to invoices that never had the level below it (else each level
    /// waits for the one before it, so a customer never jumps from nothing to collections).
    public let allowSkip: Bool

    public init(level: Int, name: String, days: Int, channel: DunningChannel, fee: Decimal4 = .zero,
                interestYearlyPercent: Decimal4 = .zero, allowSkip: Bool = false) {
        self.level = level
        self.name = name
        self.days = days
        self.channel = channel
        self.fee = fee
        self.interestYearlyPercent = interestYearlyPercent
        self.allowSkip = allowSkip
    }

    /// Whether reaching this level charges anything.
    public var charges: Bool { fee.tenThousandths > 0 || interestYearlyPercent.tenThousandths > 0 }
}

/// The dunning ladder of the credit policy (its optional member `dunning`): levels 1, 2, …
/// (at most `DunningLadder.levelsMax`), each reached a number of days past due, strictly
/// increasing.
public struct DunningLadder: Sendable, Equatable {
    public let levels: [DunningLevel]

    /// `dunning.action` levels are 1–4 (the contract).
    public static let levelsMax = 4
    /// A fee above a billion major units is a typo, not a fee.
    public static let feeMajorUnitsMax: Int64 = 1_000_000_000
    /// Yearly interest above 1000% is a typo (and keeps interest × amount × days far inside Int128).
    public static let interestYearlyPercentMax: Int64 = 1000
    /// Level names appear in plans and letters.
    public static let nameCharsMax = 64

    public init(levels: [DunningLevel]) { self.levels = levels }

    /// The level numbered `n` (1-based); nil outside the ladder.
    public func level(_ n: Int) -> DunningLevel? { n >= 1 && n <= levels.count ? levels[n - 1] : nil }

    /// The highest level whose days an installment `daysOverdue` past due has reached; 0 when none.
    public func target(daysOverdue: Int) -> Int {
        var t = 0
        for l in levels where daysOverdue >= l.days { t = l.level }
        return t
    }

    /// The level to send to invoices that reached `target` and were last sent `sent`: the
    /// next level up, or a higher one up to `target` whose `allow_skip` lets it be sent
    /// without the levels between. Nil when nothing is due (target ≤ sent).
    public func next(sent: Int, target: Int) -> Int? {
        guard target > sent, sent + 1 <= levels.count else { return nil }
        var n = sent + 1
        var l = n + 1
        while l <= min(target, levels.count) {
            if levels[l - 1].allowSkip { n = l }
            l += 1
        }
        return n
    }

    /// The level to send, given the last one sent on `sentOn`: `next(sent:target:)`, held
    /// back until the ladder's gap between the two levels (their days' difference) has
    /// passed since `sentOn`. So a level sent late (the first run saw the invoice 40 days
    /// past due) is not followed by the next on the same or the following day: the customer
    /// gets the time the ladder gives between them. Nil when nothing is due.
    public func next(sent: Int, sentOn: Day?, target: Int, on day: Day) -> Int? {
        guard let n = next(sent: sent, target: target) else { return nil }
        if let sentOn, sent >= 1, day.days(since: sentOn) < days(ofLevel: n) - days(ofLevel: sent) { return nil }
        return n
    }

    /// The days past due of level `n`; 0 for level 0 (nothing sent).
    public func days(ofLevel n: Int) -> Int { level(n)?.days ?? 0 }

    /// The default: the issue's ladder, without fees or interest (a business sets its own).
    public static let `default` = DunningLadder(levels: [
        DunningLevel(level: 1, name: "reminder", days: 7, channel: .email),
        DunningLevel(level: 2, name: "formal notice", days: 30, channel: .letter),
        DunningLevel(level: 3, name: "final demand", days: 60, channel: .letter),
        DunningLevel(level: 4, name: "collections", days: 90, channel: .legal),
    ])

    /// Reads the policy's `dunning` member: `{"levels": [{"level", "name", "days", "channel",
    /// "fee", "interest_yearly_percent", "allow_skip"}, ...]}`, every member required.
    init(reading r: inout PolicyReader) throws(PolicyError) {
        var d = try r.object("dunning")
        let items = try d.array("levels", count: 0...DunningLadder.levelsMax)
        var levels: [DunningLevel] = []
        for (i, item) in items.enumerated() {
            let path = "\(d.at("levels"))[\(i)]"
            guard case .object(let o) = item else { throw PolicyError(path: path, message: "must be an object") }
            var l = PolicyReader(object: o, path: path)
            let level = try l.int("level", 1...DunningLadder.levelsMax)
            guard level == i + 1 else {
                throw PolicyError(path: l.at("level"), message: "must be \(i + 1): levels are numbered 1, 2, … in order")
            }
            let name = try l.text("name")
            guard name.unicodeScalars.count <= DunningLadder.nameCharsMax else {
                throw PolicyError(path: l.at("name"), message: "must be at most \(DunningLadder.nameCharsMax) characters")
            }
            let days = try l.int("days", 1...PolicyLimits.daysMax)
            if let previous = levels.last, days <= previous.days {
                throw PolicyError(path: l.at("days"), message: "must be greater than level \(previous.level)'s \(previous.days)")
            }
            guard case .string(let channelName) = try l.value("channel"), let channel = DunningChannel(rawValue: channelName) else {
                throw PolicyError(path: l.at("channel"), message: "must be one of email, letter, phone, sms, legal")
            }
            let fee = try l.decimal4("fee", max: DunningLadder.feeMajorUnitsMax)
            let interest = try l.decimal4("interest_yearly_percent", max: DunningLadder.interestYearlyPercentMax)
            guard case .bool(let allowSkip) = try l.value("allow_skip") else {
                throw PolicyError(path: l.at("allow_skip"), message: "must be true or false")
            }
            try l.done()
            levels.append(DunningLevel(level: level, name: name, days: days, channel: channel, fee: fee,
                                       interestYearlyPercent: interest, allowSkip: allowSkip))
        }
        try d.done()
        self.init(levels: levels)
    }

    /// The `dunning` member as `policy show` prints it and `credit_policy.changed` carries it.
    var json: JSONValue {
        func n(_ text: String) -> JSONValue { .number(JSONNumber(text: text)) }
        return .object(JSONObject(members: [(key: "levels", value: .array(levels.map { l in
            .object(JSONObject(members: [
                (key: "level", value: n(String(l.level))),
                (key: "name", value: .string(l.name)),
                (key: "days", value: n(String(l.days))),
                (key: "channel", value: .string(l.channel.rawValue)),
                (key: "fee", value: .string(l.fee.description)),
                (key: "interest_yearly_percent", value: n(l.interestYearlyPercent.description)),
                (key: "allow_skip", value: .bool(l.allowSkip)),
            ]))
        }))]))
    }
}

extension PolicyReader {
    /// A non-negative decimal of at most four fraction digits, at most `max`: a JSON number
    /// (`8.5`) or a string (`"40.00"`, the feed's money style); no exponent.
    mutating func decimal4(_ key: String, max: Int64) throws(PolicyError) -> Decimal4 {
        let text: String
        switch try value(key) {
        case .number(let n): text = n.text
        case .string(let s): text = s
        default: text = ""
        }
        guard let d = Decimal4(parsing: text), d.tenThousandths <= max * 10_000 else {
            throw PolicyError(path: at(key), message: "must be a decimal from 0 to \(max) with at most 4 fraction digits, as a number or a string")
        }
        return d
    }
}
