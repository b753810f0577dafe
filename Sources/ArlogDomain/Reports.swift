/// The balance figures of one customer, as the contract names them.
public struct BalanceReport: Sendable, Equatable {
    public let customer: String
    public let currency: Currency
    public let totals: Totals
    public let creditLimit: Int64
    public let avgDaysLateHundredths: Int64?
    public let dunningLevel: Int
    /// Feed v1.1: the sum of the invoices' disputed amounts.
    public let disputed: Int64
    /// Feed v1.1: the promises judged on `judgedOn`.
    public let promises: PromiseFigures
    /// The date D promises are judged on: the as-of date, or today without one.
    public let judgedOn: Day

    /// `day`: the date promises are judged on (feed v1.1: the as-of date, else today's UTC
    /// date). The default, the last day of the calendar, is after every `promised_on`: how
    /// the contract's examples give their whole-log figures.
    public init(customer: String, state s: CustomerState, on day: Day = Day.last) {
        self.customer = customer
        currency = s.currency
        totals = s.totals
        creditLimit = s.creditLimit
        avgDaysLateHundredths = s.avgDaysLateHundredths
        dunningLevel = s.dunningLevel
        disputed = s.disputed
        promises = s.promiseFigures(on: day)
        judgedOn = day
    }

    public init(_ l: CustomerLedger, on day: Day = Day.last) { self.init(customer: l.profile.id, state: l.state, on: day) }

    public var balance: Int64 { totals.balance }
    /// Limit − balance: wide, since a customer with large unapplied credit can have more
    /// available than Int64 holds (limit ≤ 10^15 plus unapplied ≤ Int64.max).
    public var available: Int128 { Int128(creditLimit) - Int128(totals.balance) }
    public var overLimit: Bool { totals.balance > creditLimit }

    /// Field names and values in contract order; money formatted in the currency's digits.
    public var fields: [(name: String, value: ReportValue)] {
        [
            ("customer", .text(customer)), ("currency", .text(currency.code)),
            ("open", .money(totals.open)), ("unapplied", .money(totals.unapplied)),
            ("balance", .money(balance)), ("credit_limit", .money(creditLimit)),
            ("available", .wideMoney(available)), ("over_limit", .bool(overLimit)),
            ("invoiced", .money(totals.invoiced)), ("credited", .money(totals.credited)),
            ("paid", .money(totals.paid)), ("written_off", .money(totals.writtenOff)),
            ("voided", .money(totals.voided)), ("avg_days_late", .hundredths(avgDaysLateHundredths)),
            ("dunning_level", .integer(Int64(dunningLevel))),
            // Feed v1.1.
            ("disputed", .money(disputed)), ("promises_kept", .integer(Int64(promises.kept))),
            ("promises_broken", .integer(Int64(promises.broken))),
            ("promise", .promise(promises.pending.map { PromiseValue(amount: $0.amount, promisedOn: $0.promisedOn, invoice: $0.invoice) })),
            // v1.2: last, where the contract's example has it (after v1.1's members).
            ("refunded", .money(totals.refunded)),
        ]
    }

    public func json(into w: inout JSONWriter) {
        ReportValue.object(fields, digits: currency.fractionDigits, into: &w)
    }
}

/// A pending promise as the balance object shows it (feed v1.1).
public struct PromiseValue: Sendable, Equatable {
    public let amount: Int64
    public let promisedOn: Day
    public let invoice: String?

    public init(amount: Int64, promisedOn: Day, invoice: String?) {
        self.amount = amount
        self.promisedOn = promisedOn
        self.invoice = invoice
    }
}

/// A value in a report row, rendered alike by the JSON, CSV and table writers.
public enum ReportValue: Sendable, Equatable {
    case text(String)
    case money(Int64)
    /// Money that may pass Int64: totals across customers; rendered exactly like `money`.
    case wideMoney(Int128)
    case integer(Int64)
    case bool(Bool)
    /// A fixed-point number in hundredths (nil renders as JSON null / empty cell).
    case hundredths(Int64?)
    case date(Day?)
    /// Feed v1.1's pending promise: `{"amount", "promised_on", "invoice"}` or null.
    case promise(PromiseValue?)

    /// The plain text of the value (CSV and tables).
    public func text(digits: Int) -> String {
        switch self {
        case .text(let s): return s
        case .money(let m): return Money.format(m, fractionDigits: digits)
        case .wideMoney(let m): return Money.format(m, fractionDigits: digits)
        case .integer(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .hundredths(let h): return h.map(ReportValue.formatHundredths) ?? ""
        case .date(let d): return d?.description ?? ""
        case .promise(let p):
            guard let p else { return "" }
            return "\(Money.format(p.amount, fractionDigits: digits)) by \(p.promisedOn)" + (p.invoice.map { " (\($0))" } ?? "")
        }
    }

    public func json(digits: Int, into w: inout JSONWriter) {
        switch self {
        case .text(let s): w.string(s)
        case .money(let m): w.string(Money.format(m, fractionDigits: digits))
        case .wideMoney(let m): w.string(Money.format(m, fractionDigits: digits))
        case .integer(let i): w.raw(String(i))
        case .bool(let b): w.raw(b ? "true" : "false")
        case .hundredths(let h): w.raw(h.map(ReportValue.formatHundredths) ?? "null")
        case .date(let d): if let d { w.string(d.description) } else { w.raw("null") }
        case .promise(let p):
            guard let p else {
                w.raw("null")
                return
            }
            w.raw("{\"amount\":")
            w.string(Money.format(p.amount, fractionDigits: digits))
            w.raw(",\"promised_on\":")
            w.string(p.promisedOn.description)
            w.raw(",\"invoice\":")
            if let i = p.invoice { w.string(i) } else { w.raw("null") }
            w.raw("}")
        }
    }

    /// Shortest decimal of a value rounded to hundredths, always with a fraction: 230 → "2.3",
    /// 4000 → "40.0", 2933 → "29.33" (the JSON numbers of the contract's examples).
    public static func formatHundredths(_ h: Int64) -> String {
        let sign = h < 0 ? "-" : ""
        let m = h.magnitude
        let whole = m / 100
        let frac = m % 100
        if frac % 10 == 0 { return "\(sign)\(whole).\(frac / 10)" }
        return "\(sign)\(whole).\(frac < 10 ? "0" : "")\(frac)"
    }

    public static func object(_ fields: [(name: String, value: ReportValue)], digits: Int, into w: inout JSONWriter) {
        w.raw("{")
        for (i, f) in fields.enumerated() {
            if i > 0 { w.raw(",") }
            w.string(f.name)
            w.raw(":")
            f.value.json(digits: digits, into: &w)
        }
        w.raw("}")
    }
}

/// Aging of receivables as of a date, per customer and per currency.
public struct AgingReport: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public let customer: String?
        public let currency: Currency
        /// One amount per bucket, then unapplied.
        public var buckets: [Int64]
        public var unapplied: Int64
        /// Feed v1.1: the customer's disputed amount (inside the buckets; `total` keeps its
        /// meaning).
        public var disputed: Int64 = 0
        /// Sum of the buckets minus unapplied.
        public var total: Int64 { buckets.reduce(0, +) - unapplied }
    }

    public let asOf: Day
    public let edges: [Int]
    public private(set) var customers: [Row] = []
    public var bucketNames: [String] { Aging.names(edges: edges) }

    public init(asOf: Day, edges: [Int]) {
        self.asOf = asOf
        self.edges = edges
    }

    /// Adds a customer's row (rows must be added in customer byte order); customers with
    /// nothing open and no unapplied credit are left out, as the contract says.
    public mutating func add(customer: String, state s: CustomerState) {
        if let row = row(customer: customer, state: s) { add(row) }
    }

    /// The row `add(customer:state:)` adds for the customer; nil when it is left out. Apart
    /// from `add(_:)` so that rows can be made on other threads and added in order.
    public func row(customer: String, state s: CustomerState) -> Row? {
        let buckets = s.aging(on: asOf, edges: edges)
        guard s.totals.unapplied != 0 || buckets.contains(where: { $0 != 0 }) else { return nil }
        return Row(customer: customer, currency: s.currency, buckets: buckets, unapplied: s.totals.unapplied, disputed: s.disputed)
    }

    /// Adds a row made by `row(customer:state:)` of this report (rows in customer byte order).
    public mutating func add(_ row: Row) {
        customers.append(row)
    }

    /// The totals of one currency: sums across customers, which may pass Int64 (each
    /// customer's figures fit; many customers' together need not), so Int128.
    public struct TotalRow: Sendable, Equatable {
        /// A total names no customer.
        public var customer: String? { nil }
        public let currency: Currency
        public var buckets: [Int128]
        public var unapplied: Int128
        public var disputed: Int128 = 0
        public var total: Int128 { buckets.reduce(0, +) - unapplied }
    }

    /// One row per currency present, sorted by code.
    public var totals: [TotalRow] {
        var byCode: [String: TotalRow] = [:]
        for row in customers {
            var t = byCode[row.currency.code] ?? TotalRow(currency: row.currency, buckets: [Int128](repeating: 0, count: edges.count + 2), unapplied: 0)
            for i in t.buckets.indices { t.buckets[i] += Int128(row.buckets[i]) }
            t.unapplied += Int128(row.unapplied)
            t.disputed += Int128(row.disputed)
            byCode[row.currency.code] = t
        }
        return byCode.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).compactMap { byCode[$0] }
    }

    public func fields(_ row: Row) -> [(name: String, value: ReportValue)] {
        var f: [(name: String, value: ReportValue)] = []
        if let c = row.customer { f.append(("customer", .text(c))) }
        f.append(("currency", .text(row.currency.code)))
        for (name, amount) in zip(bucketNames, row.buckets) { f.append((name, .money(amount))) }
        f.append(("unapplied", .money(row.unapplied)))
        f.append(("disputed", .money(row.disputed)))
        f.append(("total", .money(row.total)))
        return f
    }

    public func fields(_ row: TotalRow) -> [(name: String, value: ReportValue)] {
        var f: [(name: String, value: ReportValue)] = [("currency", .text(row.currency.code))]
        for (name, amount) in zip(bucketNames, row.buckets) { f.append((name, .wideMoney(amount))) }
        f.append(("unapplied", .wideMoney(row.unapplied)))
        f.append(("disputed", .wideMoney(row.disputed)))
        f.append(("total", .wideMoney(row.total)))
        return f
    }

    public func json(into w: inout JSONWriter) {
        w.raw("{\"as_of\":")
        w.string(asOf.description)
        w.raw(",\"buckets\":[")
        for (i, n) in bucketNames.enumerated() {
            if i > 0 { w.raw(",") }
            w.string(n)
        }
        w.raw("],\"customers\":[")
        // A row per customer of the store: written straight, the same bytes as
        // `ReportValue.object(fields(row))` without building the fields (their names are
        // escaped once, amounts formatted into the buffer).
        let keys = (bucketNames + ["unapplied", "disputed", "total"]).map { name in
            var k = JSONWriter()
            k.raw(",")
            k.string(name)
            k.raw(":")
            return k.bytes
        }
        func money(_ amount: Int64, _ digits: Int) {
            w.bytes.append(UInt8(ascii: "\""))
            Money.append(amount, fractionDigits: digits, to: &w.bytes)
            w.bytes.append(UInt8(ascii: "\""))
        }
        for (i, row) in customers.enumerated() {
            w.raw(i > 0 ? ",{" : "{")
            if let c = row.customer {
                w.raw("\"customer\":")
                w.string(c)
                w.raw(",")
            }
            w.raw("\"currency\":")
            w.string(row.currency.code)
            let digits = row.currency.fractionDigits
            for (key, amount) in zip(keys, row.buckets + [row.unapplied, row.disputed, row.total]) {
                w.bytes.append(contentsOf: key)
                money(amount, digits)
            }
            w.raw("}")
        }
        w.raw("],\"totals\":[")
        for (i, row) in totals.enumerated() {
            if i > 0 { w.raw(",") }
            ReportValue.object(fields(row), digits: row.currency.fractionDigits, into: &w)
        }
        w.raw("]}")
    }
}
