/// Binary form of a customer ledger, as stored in the projection.
///
/// Layout (integers zigzag LEB128 varints, strings length-prefixed UTF-8):
///   version | summary section | invoices | payments
/// The summary section (profile, totals, dunning level, open installments) comes first, so
/// that balance, aging and listing queries decode a few hundred bytes, not the customer's
/// whole history. `LedgerCodec.version` changes whenever the layout does.
public enum LedgerCodec {
    public static let version: UInt8 = 2

    public struct DecodeError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { "corrupt ledger record: \(message)" }
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
        guard let currency = Currency(code: code) else { throw DecodeError(message: "currency \(code)") }
        let profile = CustomerProfile(
            id: id, name: name, currency: currency, termsDays: Int(try r.int()), creditLimit: try r.int(),
            industry: try r.optionalString(), contact: try r.optionalString(), email: try r.optionalString(),
            registeredOn: try { () throws(DecodeError) -> Day? in
                let v = try r.int()
                return v == 0 ? nil : Day(number: Int32(v - 1))
            }(),
            registeredAt: try r.timestamp())
        var t = Totals()
        t.open = try r.int()
        t.unapplied = try r.int()
        t.invoiced = try r.int()
        t.credited = try r.int()
        t.paid = try r.int()
        t.writtenOff = try r.int()
        t.voided = try r.int()
        t.lateAmount = try r.int()
        let hi = try r.int()
        let lo = try r.int()
        t.lateWeighted = (Int128(hi) << 64) | Int128(UInt64(bitPattern: lo))
        let dunning = Int(try r.int())
        let events = Int(try r.int())
        let latestAt = try r.timestamp()
        let openCount = try r.count()
        var open: [(dueOn: Day, open: Int64)] = []
        open.reserveCapacity(openCount)
        for _ in 0..<openCount { open.append((Day(number: Int32(try r.int())), try r.int())) }
        let invoiceCount = try r.int()
        let paymentCount = try r.int()
        guard invoiceCount >= 0, paymentCount >= 0 else { throw DecodeError(message: "bad item counts") }
        return LedgerSummary(profile: profile, totals: t, dunningLevel: dunning, eventCount: events, latestAt: latestAt,
                             openInstallments: open, invoiceCount: Int(invoiceCount), paymentCount: Int(paymentCount))
    }

    static func readInvoice(_ r: inout ByteReader) throws(DecodeError) -> InvoiceState {
        let id = try r.string()
        let issuedOn = Day(number: Int32(try r.int()))
        let issuedAt = try r.timestamp()
        let amount = try r.int()
        let voided = try r.int() != 0
        let adjustedUp = try r.int()
        let credited = try r.int()
        let writtenOff = try r.int()
        let voidedAmount = try r.int()
        let paid = try r.int()
        let n = try r.count()
        guard n > 0 else { throw DecodeError(message: "invoice \(id) without installments") }
        var installments: [Installment] = []
        installments.reserveCapacity(n)
        for _ in 0..<n {
            installments.append(Installment(dueOn: Day(number: Int32(try r.int())), amount: try r.int(), open: try r.int()))
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
        let receivedOn = Day(number: Int32(try r.int()))
        let amount = try r.int()
        let unapplied = try r.int()
        let reversed = try r.int() != 0
        let reversedOn = reversed ? Day(number: Int32(truncatingIfNeeded: try r.int())) : nil
        let n = try r.count()
        var allocations: [Allocation] = []
        allocations.reserveCapacity(n)
        for _ in 0..<n {
            allocations.append(Allocation(invoice: Int32(try r.int()), installment: Int32(try r.int()), amount: try r.int(), daysBeyondTerms: Int32(truncatingIfNeeded: try r.int())))
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

    /// Assembles a ledger from its header and items, checking that they fit together.
    public static func assemble(_ s: LedgerSummary, invoices: [InvoiceState], payments: [PaymentState]) throws(DecodeError) -> CustomerLedger {
        guard invoices.count == s.invoiceCount, payments.count == s.paymentCount else {
            throw DecodeError(message: "customer \(s.profile.id): header counts \(s.invoiceCount) invoices and \(s.paymentCount) payments, found \(invoices.count) and \(payments.count)")
        }
        for p in payments {
            for a in p.allocations {
                guard Int(a.invoice) < invoices.count, a.invoice >= 0, Int(a.installment) < invoices[Int(a.invoice)].installments.count, a.installment >= 0 else {
                    throw DecodeError(message: "payment \(p.id): allocation points outside the ledger")
                }
            }
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
        guard s.invoiceCount + s.paymentCount <= bytes.count else { throw DecodeError(message: "bad item counts") }
        invoices.reserveCapacity(s.invoiceCount)
        payments.reserveCapacity(s.paymentCount)
        for _ in 0..<s.invoiceCount { invoices.append(try readInvoice(&r)) }
        for _ in 0..<s.paymentCount { payments.append(try readPayment(&r)) }
        guard r.index == bytes.count else { throw DecodeError(message: "trailing bytes") }
        return try assemble(s, invoices: invoices, payments: payments)
    }

    public static func decode(_ bytes: [UInt8]) throws(DecodeError) -> CustomerLedger {
        do {
            return try bytes.withUnsafeBytes { raw in try decode(raw) }
        } catch let e as DecodeError {
            throw e
        } catch {
            preconditionFailure("unreachable")
        }
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

    mutating func byte() throws(LedgerCodec.DecodeError) -> UInt8 {
        guard index < bytes.count else { throw .init(message: "truncated") }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func int() throws(LedgerCodec.DecodeError) -> Int64 {
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

    /// A non-negative count that cannot exceed the bytes left (every item takes ≥ 1 byte).
    mutating func count() throws(LedgerCodec.DecodeError) -> Int {
        let n = try int()
        guard n >= 0, n <= bytes.count - index else { throw .init(message: "bad count") }
        return Int(n)
    }

    mutating func string() throws(LedgerCodec.DecodeError) -> String {
        let n = try count()
        defer { index += n }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[index..<(index + n)]), as: UTF8.self)
    }

    mutating func optionalString() throws(LedgerCodec.DecodeError) -> String? {
        let n = try int()
        guard n > 0 else { return nil }
        guard n - 1 <= bytes.count - index else { throw .init(message: "bad string length") }
        defer { index += Int(n - 1) }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[index..<(index + Int(n - 1))]), as: UTF8.self)
    }

    mutating func timestamp() throws(LedgerCodec.DecodeError) -> Timestamp {
        let s = try int()
        let n = try int()
        guard n >= 0, n < 1_000_000_000 else { throw .init(message: "bad timestamp") }
        return Timestamp(seconds: s, nanos: Int32(n))
    }
}
