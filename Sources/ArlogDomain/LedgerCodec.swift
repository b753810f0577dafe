/// Binary form of a customer ledger, as stored in the projection.
///
/// Layout (integers zigzag LEB128 varints, strings length-prefixed UTF-8):
///   version | summary section | invoices | payments
/// The summary section (profile, totals, dunning level, open installments) comes first, so
/// that balance, aging and listing queries decode a few hundred bytes, not the customer's
/// whole history. `LedgerCodec.version` changes whenever the layout does.
public enum LedgerCodec {
    public static let version: UInt8 = 2

    /// What is wrong with a stored record (the store adds which database and key).
    public struct DecodeError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { "corrupt record: \(message)" }

        public init(message: String) { self.message = message }
    }

    /// The whole ledger in one record: the header, then every invoice and payment.
    public static func encode(_ l: CustomerLedger) -> [UInt8] {
        var w = ByteWriter()
        writeHeader(l, &w)
        for inv in l.invoices { writeInvoice(inv, &w) }
        for pay in l.payments { writePayment(pay, &w) }
        return w.bytes
    }

    /// The header record: the summary section and the item counts. A store keeps it apart
    /// from the items, so an event rewrites the header and the items it touched, not the
    /// customer's history.
    public static func encodeHeader(_ l: CustomerLedger) -> [UInt8] {
        var w = ByteWriter()
        writeHeader(l, &w)
        return w.bytes
    }

    public static func encodeInvoice(_ inv: InvoiceState) -> [UInt8] {
        var w = ByteWriter()
        writeInvoice(inv, &w)
        return w.bytes
    }

    public static func encodePayment(_ pay: PaymentState) -> [UInt8] {
        var w = ByteWriter()
        writePayment(pay, &w)
        return w.bytes
    }

    static func writeHeader(_ l: CustomerLedger, _ w: inout ByteWriter) {
        w.bytes.append(version)
        let p = l.profile
        w.string(p.id)
        w.string(p.name)
        w.string(p.currency.code)
        w.int(Int64(p.termsDays))
        w.int(p.creditLimit)
        w.optionalString(p.industry)
        w.optionalString(p.contact)
        w.optionalString(p.email)
        w.int(p.registeredOn.map { Int64($0.number) + 1 } ?? 0)
        w.timestamp(p.registeredAt)
        let t = l.totals
        for v in [t.open, t.unapplied, t.invoiced, t.credited, t.paid, t.writtenOff, t.voided, t.lateAmount] { w.int(v) }
        w.int(Int64(truncatingIfNeeded: t.lateWeighted >> 64))
        w.int(Int64(truncatingIfNeeded: t.lateWeighted))
        w.int(Int64(l.dunningLevel))
        w.int(Int64(l.eventCount))
        w.timestamp(l.latestAt)
        // Open installments (due_on, open) for aging and overdue questions without the items.
        let open = l.summary.openInstallments
        w.int(Int64(open.count))
        for (d, a) in open {
            w.int(Int64(d.number))
            w.int(a)
        }
        w.int(Int64(l.invoices.count))
        w.int(Int64(l.payments.count))
    }

    static func writeInvoice(_ inv: InvoiceState, _ w: inout ByteWriter) {
        w.string(inv.id)
        w.int(Int64(inv.issuedOn.number))
        w.timestamp(inv.issuedAt)
        w.int(inv.amount)
        w.int(inv.voided ? 1 : 0)
        for v in [inv.adjustedUp, inv.credited, inv.writtenOff, inv.voidedAmount, inv.paid] { w.int(v) }
        w.int(Int64(inv.installments.count))
        for inst in inv.installments {
            w.int(Int64(inst.dueOn.number))
            w.int(inst.amount)
            w.int(inst.open)
        }
    }

    static func writePayment(_ pay: PaymentState, _ w: inout ByteWriter) {
        w.string(pay.id)
        w.timestamp(pay.at)
        w.int(Int64(pay.receivedOn.number))
        w.int(pay.amount)
        w.int(pay.unapplied)
        w.int(pay.reversed ? 1 : 0)
        if pay.reversed { w.int(Int64(pay.reversedOn?.number ?? 0)) }
        w.int(Int64(pay.allocations.count))
        for a in pay.allocations {
            w.int(Int64(a.invoice))
            w.int(Int64(a.installment))
            w.int(a.amount)
            w.int(Int64(a.daysBeyondTerms))
        }
    }

    /// Decodes the summary section of a header (or of a whole-ledger record).
    public static func decodeSummary(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> LedgerSummary {
        var r = ByteReader(bytes: bytes)
        return try summary(&r)
    }

    static func summary(_ r: inout ByteReader) throws(DecodeError) -> LedgerSummary {
        guard try r.byte() == version else { throw DecodeError(message: "unknown ledger version") }
        let id = try r.string()
        let name = try r.string()
        let code = try r.string()
        guard let currency = Currency(code: code) else { throw DecodeError(message: "unknown currency \(code)") }
        let terms = try r.int(in: 0...Int64(FeedLimits.termsDaysMax), "terms days")
        let limit = try r.int(in: 0...Money.amountMinorMax, "credit limit")
        let industry = try r.optionalString()
        let contact = try r.optionalString()
        let email = try r.optionalString()
        let registeredOnPlusOne = try r.int()
        let registeredOn: Day? = registeredOnPlusOne == 0 ? nil : try ByteReader.day(registeredOnPlusOne &- 1, "registration date")
        let registeredAt = try r.timestamp()
        let profile = CustomerProfile(
            id: id, name: name, currency: currency, termsDays: Int(terms), creditLimit: limit,
            industry: industry, contact: contact, email: email, registeredOn: registeredOn, registeredAt: registeredAt)
        var t = Totals()
        t.open = try r.money("open total")
        t.unapplied = try r.money("unapplied total")
        t.invoiced = try r.money("invoiced total")
        t.credited = try r.money("credited total")
        t.paid = try r.money("paid total")
        t.writtenOff = try r.money("written-off total")
        t.voided = try r.money("voided total")
        t.lateAmount = try r.money("late amount")
        let hi = try r.int()
        let lo = try r.int()
        t.lateWeighted = (Int128(hi) << 64) | Int128(UInt64(bitPattern: lo))
        try checkTotals(t)
        let dunning = try r.int(in: dunningLevelRange, "dunning level")
        let events = try r.int(in: 1...Int64.max, "event count")
        let latestAt = try r.timestamp()
        guard latestAt >= registeredAt else { throw DecodeError(message: "latest event time \(latestAt) is before the registration \(registeredAt)") }
        let openCount = try r.count()
        var open: [(dueOn: Day, open: Int64)] = []
        open.reserveCapacity(openCount)
        var openSum: Int64 = 0
        for _ in 0..<openCount {
            let due = try r.day("installment due date")
            let amount = try r.int(in: 1...Int64.max, "open installment amount")
            openSum = try add(openSum, amount, "open installments")
            open.append((due, amount))
        }
        guard openSum == t.open else {
            throw DecodeError(message: "open installments sum to \(openSum), the open total is \(t.open)")
        }
        let invoiceCount = try r.int(in: 0...itemCountMax, "invoice count")
        let paymentCount = try r.int(in: 0...itemCountMax, "payment count")
        return LedgerSummary(profile: profile, totals: t, dunningLevel: Int(dunning), eventCount: Int(events), latestAt: latestAt,
                             openInstallments: open, invoiceCount: Int(invoiceCount), paymentCount: Int(paymentCount))
    }

    /// Dunning levels a ledger can hold: the feed's 1–4, and 0 (none, or reset).
    static let dunningLevelRange: ClosedRange<Int64> = 0...4
    /// Invoices (or payments) of one ledger at most: positions are Int32 in the fold and u32 in
    /// the store's item keys.
    static let itemCountMax = Int64(Int32.max)
    /// Days between the first and the last representable date: no days-late figure of an
    /// allocation is larger in magnitude.
    public static let spanDaysMax = Int64(Day.last.number) - Int64(Day.first.number)

    /// a + b, or a decode error naming what overflowed (built only then: decoding is on the
    /// queries' path).
    static func add(_ a: Int64, _ b: Int64, _ what: @autoclosure () -> String) throws(DecodeError) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard !overflow else { throw DecodeError(message: "\(what()) overflow") }
        return sum
    }

    /// The identities every fold keeps (each step of `Fold.apply` preserves them): what was
    /// invoiced is open, credited, written off, voided or paid by allocations in force (the
    /// late amount); what was paid is allocated or unapplied. With every total ≥ 0 they bound
    /// each figure by the invoiced or paid total, so no sum a query or a fold makes of them
    /// can overflow. A record that breaks them is damaged.
    static func checkTotals(_ t: Totals) throws(DecodeError) {
        var accounted = try add(t.open, t.credited, "invoiced total")
        accounted = try add(accounted, t.writtenOff, "invoiced total")
        accounted = try add(accounted, t.voided, "invoiced total")
        accounted = try add(accounted, t.lateAmount, "invoiced total")
        guard accounted == t.invoiced else {
            throw DecodeError(message: "totals disagree: invoiced \(t.invoiced) is not open + credited + written off + voided + allocated (\(accounted))")
        }
        guard try add(t.lateAmount, t.unapplied, "paid total") == t.paid else {
            throw DecodeError(message: "totals disagree: paid \(t.paid) is not allocated \(t.lateAmount) + unapplied \(t.unapplied)")
        }
        guard t.lateWeighted >= 0, t.lateWeighted <= Int128(t.lateAmount) * Int128(spanDaysMax) else {
            throw DecodeError(message: "days-late weight \(t.lateWeighted) is out of range for the late amount \(t.lateAmount)")
        }
    }

    static func readInvoice(_ r: inout ByteReader) throws(DecodeError) -> InvoiceState {
        let id = try r.string()
        let issuedOn = try r.day("issue date")
        let issuedAt = try r.timestamp()
        let amount = try r.int(in: 0...Money.amountMinorMax, "invoice amount")
        let voided = try r.flag("voided flag")
        let adjustedUp = try r.money("adjusted amount")
        let credited = try r.money("credited amount")
        let writtenOff = try r.money("written-off amount")
        let voidedAmount = try r.money("voided amount")
        let paid = try r.money("paid amount")
        let n = try r.count()
        guard n > 0, n <= FeedLimits.installmentsMax else { throw DecodeError(message: "invoice \(id) has \(n) installments") }
        var installments: [Installment] = []
        installments.reserveCapacity(n)
        var scheduled: Int64 = 0
        var open: Int64 = 0
        for _ in 0..<n {
            let due = try r.day("installment due date")
            let amount = try r.money("installment amount")
            let left = try r.int(in: 0...amount, "installment open amount")  // amount ≥ 0: a valid range
            scheduled = try add(scheduled, amount, "installment amounts")
            open = try add(open, left, "installment open amounts")
            installments.append(Installment(dueOn: due, amount: amount, open: left))
        }
        // Issued plus adjusted is what the installments schedule, and what is open, credited,
        // written off, voided or paid of it.
        let total = try add(amount, adjustedUp, "invoice \(id) total")
        var accounted = try add(open, credited, "invoice \(id) total")
        accounted = try add(accounted, writtenOff, "invoice \(id) total")
        accounted = try add(accounted, voidedAmount, "invoice \(id) total")
        accounted = try add(accounted, paid, "invoice \(id) total")
        guard scheduled == total, accounted == total else {
            throw DecodeError(message: "invoice \(id) disagrees with itself: issued + adjusted \(total), installments \(scheduled), accounted for \(accounted)")
        }
        var inv = InvoiceState(id: id, issuedOn: issuedOn, issuedAt: issuedAt, amount: amount, installments: installments)
        inv.voided = voided
        inv.adjustedUp = adjustedUp
        inv.credited = credited
        inv.writtenOff = writtenOff
        inv.voidedAmount = voidedAmount
        inv.paid = paid
        return inv
    }

    static func readPayment(_ r: inout ByteReader) throws(DecodeError) -> PaymentState {
        let id = try r.string()
        let at = try r.timestamp()
        let receivedOn = try r.day("receipt date")
        let amount = try r.int(in: 0...Money.amountMinorMax, "payment amount")
        let unapplied = try r.int(in: 0...amount, "unapplied amount")  // amount ≥ 0: a valid range
        let reversed = try r.flag("reversed flag")
        let reversedOn = reversed ? try r.day("reversal date") : nil
        let n = try r.count()
        var allocations: [Allocation] = []
        allocations.reserveCapacity(n)
        var allocated: Int64 = 0
        for _ in 0..<n {
            let invoice = try r.int(in: 0...itemCountMax, "allocation's invoice position")
            let installment = try r.int(in: 0...Int64(FeedLimits.installmentsMax - 1), "allocation's installment")
            let share = try r.int(in: 1...Money.amountMinorMax, "allocation amount")  // the sum is checked below
            let days = try r.int(in: -spanDaysMax...spanDaysMax, "days beyond terms")
            allocated = try add(allocated, share, "payment \(id) allocations")
            // Each conversion is exact: the ranges above are inside Int32.
            allocations.append(Allocation(invoice: Int32(truncatingIfNeeded: invoice), installment: Int32(truncatingIfNeeded: installment),
                                          amount: share, daysBeyondTerms: Int32(truncatingIfNeeded: days)))
        }
        guard try add(allocated, unapplied, "payment \(id)") == amount else {
            throw DecodeError(message: "payment \(id) disagrees with itself: amount \(amount), allocated \(allocated), unapplied \(unapplied)")
        }
        var p = PaymentState(id: id, at: at, receivedOn: receivedOn, amount: amount, allocations: allocations, unapplied: unapplied)
        p.reversed = reversed
        p.reversedOn = reversedOn
        return p
    }

    public static func decodeInvoice(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> InvoiceState {
        var r = ByteReader(bytes: bytes)
        let inv = try readInvoice(&r)
        guard r.index == bytes.count else { throw DecodeError(message: "trailing bytes") }
        return inv
    }

    public static func decodePayment(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> PaymentState {
        var r = ByteReader(bytes: bytes)
        let p = try readPayment(&r)
        guard r.index == bytes.count else { throw DecodeError(message: "trailing bytes") }
        return p
    }

    /// Assembles a ledger from its header and items, checking that they fit together: the
    /// counts, every allocation's invoice and installment, and the header's totals, each the
    /// sum of what the items hold (see `checkTotals`). O(items), like decoding them.
    public static func assemble(_ s: LedgerSummary, invoices: [InvoiceState], payments: [PaymentState]) throws(DecodeError) -> CustomerLedger {
        guard invoices.count == s.invoiceCount, payments.count == s.paymentCount else {
            throw DecodeError(message: "customer \(s.profile.id): header counts \(s.invoiceCount) invoices and \(s.paymentCount) payments, found \(invoices.count) and \(payments.count)")
        }
        var sums = Totals()
        var paidByInvoice = [Int64](repeating: 0, count: invoices.count)
        for inv in invoices {
            sums.invoiced = try add(sums.invoiced, inv.amount + inv.adjustedUp, "invoiced total")  // each checked when read
            sums.credited = try add(sums.credited, inv.credited, "credited total")
            sums.writtenOff = try add(sums.writtenOff, inv.writtenOff, "written-off total")
            sums.voided = try add(sums.voided, inv.voidedAmount, "voided total")
            sums.open = try add(sums.open, inv.open, "open total")
        }
        for p in payments {
            for a in p.allocations {
                guard Int(a.invoice) < invoices.count, Int(a.installment) < invoices[Int(a.invoice)].installments.count else {
                    throw DecodeError(message: "payment \(p.id): allocation points outside the ledger")
                }
                guard !p.reversed else { continue }
                paidByInvoice[Int(a.invoice)] = try add(paidByInvoice[Int(a.invoice)], a.amount, "invoice paid amount")
                sums.lateAmount = try add(sums.lateAmount, a.amount, "late amount")
                sums.lateWeighted += Int128(a.daysLate) * Int128(a.amount)
            }
            guard !p.reversed else { continue }
            sums.paid = try add(sums.paid, p.amount, "paid total")
            sums.unapplied = try add(sums.unapplied, p.unapplied, "unapplied total")
        }
        guard sums == s.totals else {
            throw DecodeError(message: "customer \(s.profile.id): the header's totals are not the sums of its invoices and payments")
        }
        for (i, inv) in invoices.enumerated() where inv.paid != paidByInvoice[i] {
            throw DecodeError(message: "invoice \(inv.id): paid \(inv.paid), but its allocations in force total \(paidByInvoice[i])")
        }
        var l = CustomerLedger(profile: s.profile)
        l.totals = s.totals
        l.dunningLevel = s.dunningLevel
        l.eventCount = s.eventCount
        l.latestAt = s.latestAt
        l.invoices = invoices
        l.payments = payments
        l.reindex()
        return l
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> CustomerLedger {
        var r = ByteReader(bytes: bytes)
        let s = try summary(&r)
        var invoices: [InvoiceState] = []
        var payments: [PaymentState] = []
        guard s.invoiceCount + s.paymentCount <= bytes.count else { throw DecodeError(message: "item counts exceed the record") }
        invoices.reserveCapacity(s.invoiceCount)
        payments.reserveCapacity(s.paymentCount)
        for _ in 0..<s.invoiceCount { invoices.append(try readInvoice(&r)) }
        for _ in 0..<s.paymentCount { payments.append(try readPayment(&r)) }
        guard r.index == bytes.count else { throw DecodeError(message: "trailing bytes") }
        return try assemble(s, invoices: invoices, payments: payments)
    }

    public static func decode(_ bytes: [UInt8]) throws(DecodeError) -> CustomerLedger {
        let result = bytes.withUnsafeBytes { raw in Result(catching: { () throws(DecodeError) -> CustomerLedger in try decode(raw) }) }
        return try result.get()
    }
}

/// The head of a stored ledger: enough for balance, aging, listing and statistics.
public struct LedgerSummary: Sendable {
    public let profile: CustomerProfile
    public let totals: Totals
    public let dunningLevel: Int
    public let eventCount: Int
    public let latestAt: Timestamp
    public let openInstallments: [(dueOn: Day, open: Int64)]
    public let invoiceCount: Int
    public let paymentCount: Int

    public var avgDaysLateHundredths: Int64? {
        Totals.avgDaysLateHundredths(weighted: totals.lateWeighted, amount: totals.lateAmount)
    }

    public func aging(asOf: Day, edges: [Int]) -> [Int64] {
        var buckets = [Int64](repeating: 0, count: edges.count + 2)
        for i in openInstallments {
            buckets[Aging.bucket(daysPastDue: asOf.days(since: i.dueOn), edges: edges)] += i.open
        }
        return buckets
    }

}

struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func int(_ v: Int64) {
        var z = UInt64(bitPattern: (v << 1) ^ (v >> 63))
        while z >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: z) | 0x80)
            z >>= 7
        }
        bytes.append(UInt8(z))
    }

    mutating func string(_ s: String) {
        int(Int64(s.utf8.count))
        bytes.append(contentsOf: s.utf8)
    }

    mutating func optionalString(_ s: String?) {
        if let s {
            int(Int64(s.utf8.count) + 1)
            bytes.append(contentsOf: s.utf8)
        } else {
            int(0)
        }
    }

    mutating func timestamp(_ t: Timestamp) {
        int(t.seconds)
        int(Int64(t.nanos))
    }
}

struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    typealias DecodeError = LedgerCodec.DecodeError

    mutating func byte() throws(DecodeError) -> UInt8 {
        guard index < bytes.count else { throw .init(message: "truncated") }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func int() throws(DecodeError) -> Int64 {
        var z: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw .init(message: "varint too long") }
            z |= UInt64(b & 0x7F) << shift
            if b < 0x80 { break }
            shift += 7
        }
        return Int64(bitPattern: z >> 1) ^ -Int64(bitPattern: z & 1)
    }

    /// An integer that must lie in `range`; `what` names it in the error.
    mutating func int(in range: ClosedRange<Int64>, _ what: String) throws(DecodeError) -> Int64 {
        let v = try int()
        guard range.contains(v) else { throw .init(message: "\(what) \(v) is outside \(range.lowerBound)…\(range.upperBound)") }
        return v
    }

    /// An amount of money that is never negative (totals, and the parts of an invoice).
    mutating func money(_ what: String) throws(DecodeError) -> Int64 { try int(in: 0...Int64.max, what) }

    /// 0 or 1.
    mutating func flag(_ what: String) throws(DecodeError) -> Bool { try int(in: 0...1, what) == 1 }

    /// A day number within 0001-01-01…9999-12-31 (every stored date was parsed from the feed,
    /// which accepts no other; outside it a date would not print).
    mutating func day(_ what: String) throws(DecodeError) -> Day { try ByteReader.day(try int(), what) }

    static func day(_ v: Int64, _ what: String) throws(DecodeError) -> Day {
        guard v >= Int64(Day.first.number), v <= Int64(Day.last.number) else { throw .init(message: "\(what) (day \(v)) is not a date within 0001…9999") }
        return Day(number: Int32(truncatingIfNeeded: v))  // exact: within the range checked above
    }

    /// A non-negative count that cannot exceed the bytes left (every item takes ≥ 1 byte).
    mutating func count() throws(DecodeError) -> Int {
        let n = try int()
        guard n >= 0, n <= bytes.count - index else { throw .init(message: "count \(n) exceeds the \(bytes.count - index) bytes left") }
        return Int(n)
    }

    mutating func string() throws(DecodeError) -> String {
        let n = try count()
        defer { index += n }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[index..<(index + n)]), as: UTF8.self)
    }

    mutating func optionalString() throws(DecodeError) -> String? {
        let n = try int()
        guard n > 0 else {
            guard n == 0 else { throw .init(message: "string length \(n)") }
            return nil
        }
        guard n - 1 <= bytes.count - index else { throw .init(message: "string length \(n - 1) exceeds the \(bytes.count - index) bytes left") }
        defer { index += Int(n - 1) }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[index..<(index + Int(n - 1))]), as: UTF8.self)
    }

    /// Seconds of the instants whose UTC date is representable (what the feed's parser accepts).
    static let timestampSecondsRange = (Int64(Day.first.number) * 86_400)...(Int64(Day.last.number) * 86_400 + 86_399)

    mutating func timestamp() throws(DecodeError) -> Timestamp {
        let s = try int()
        let n = try int()
        guard ByteReader.timestampSecondsRange.contains(s) else { throw .init(message: "timestamp of \(s) seconds is not within 0001…9999") }
        guard n >= 0, n < 1_000_000_000 else { throw .init(message: "timestamp with \(n) nanoseconds") }
        return Timestamp(seconds: s, nanos: Int32(truncatingIfNeeded: n))  // exact: checked above
    }
}
