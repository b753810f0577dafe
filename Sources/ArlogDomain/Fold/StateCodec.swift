/// Binary forms of the hot state and the cold records, as stored. Each starts with a version
/// byte that changes whenever its layout does. Decoding checks every length, count, range and
/// cross-reference that the fold relies on, so that stored bytes that are corrupt throw
/// `StoredDataError` rather than trap later: positions inside their arrays, days inside the
/// calendar, money figures that agree with each other (the balance identity, the slots' sum).
public enum StateCodec {
    public static let stateVersion: UInt8 = 1
    public static let invoiceVersion: UInt8 = 1
    public static let paymentVersion: UInt8 = 1
    public static let profileVersion: UInt8 = 1

    // MARK: Hot state

    public static func encode(_ s: CustomerState, into w: inout BinaryWriter) {
        w.u8(stateVersion)
        w.currency(s.currency)
        w.i32(Int32(truncatingIfNeeded: s.termsDays))
        w.i64(s.creditLimit)
        w.timestamp(s.registeredAt)
        w.optionalDay(s.registeredOn)
        let t = s.totals
        w.i64(t.open)
        w.i64(t.unapplied)
        w.i64(t.invoiced)
        w.i64(t.credited)
        w.i64(t.paid)
        w.i64(t.writtenOff)
        w.i64(t.voided)
        w.i64(t.lateAmount)
        w.i128(t.lateWeighted)
        w.u8(UInt8(truncatingIfNeeded: s.dunningLevel))
        w.u64(UInt64(s.eventCount))
        w.timestamp(s.latestAt)
        w.u64(s.lastSeq)
        w.u32(UInt32(truncatingIfNeeded: s.invoiceCount))
        w.u32(UInt32(truncatingIfNeeded: s.paymentCount))
        w.u64(UInt64(s.checkpointedAtEvent))
        w.u32(UInt32(s.invoices.count))
        for inv in s.invoices {
            w.u64(inv.seq)
            w.day(inv.issuedOn)
            w.timestamp(inv.issuedAt)
            w.i64(inv.amount)
            counters(inv.counters, &w)
            w.i64(inv.open)
            w.i32(inv.idStart)
            w.u8(inv.idCount)
            w.i32(inv.dueStart)
            w.u16(inv.installmentCount)
        }
        w.u32(UInt32(s.slots.count))
        for slot in s.slots {
            w.day(slot.dueOn)
            w.day(slot.issuedOn)
            w.i32(slot.idStart)
            w.u8(slot.idCount)
            w.u16(slot.index)
            w.bool(slot.dead)
            w.u64(slot.invoiceSeq)
            w.i64(slot.amount)
            w.i64(slot.open)
        }
        w.u32(UInt32(s.ids.count))
        w.bytes.append(contentsOf: s.ids)
        w.u32(UInt32(s.dues.count))
        for d in s.dues { w.day(d) }
        w.u32(UInt32(s.deadSlots))
        w.u32(UInt32(s.firstOpen))
        w.u32(UInt32(s.payments.count))
        for p in s.payments {
            w.u64(p.seq)
            w.day(p.receivedOn)
            w.i128(p.weighted)
            w.i64(p.amount)
            w.bool(p.reversed)
        }
        w.u32(UInt32(s.reversalDays.count))
        for d in s.reversalDays { w.day(d) }
        w.day(s.risk.sweepDay)
        for b in 0..<5 { w.i64(s.risk.buckets[b]) }
        if let r = s.risk.last {
            w.u8(1)
            riskState(r, &w)
        } else {
            w.u8(0)
        }
    }

    public static func encode(_ s: CustomerState) -> [UInt8] {
        var w = BinaryWriter(capacity: 256 + s.slots.count * 40 + s.payments.count * 40)
        encode(s, into: &w)
        return w.bytes
    }

    static func counters(_ c: InvoiceCounters, _ w: inout BinaryWriter) {
        w.i64(c.adjustedUp)
        w.i64(c.credited)
        w.i64(c.writtenOff)
        w.i64(c.voidedAmount)
        w.i64(c.paid)
    }

    static func counters(_ r: inout BinaryReader) throws(StoredDataError) -> InvoiceCounters {
        var c = InvoiceCounters()
        c.adjustedUp = try money(&r)
        c.credited = try money(&r)
        c.writtenOff = try money(&r)
        c.voidedAmount = try money(&r)
        c.paid = try money(&r)
        return c
    }

    /// A non-negative money figure.
    static func money(_ r: inout BinaryReader) throws(StoredDataError) -> Int64 {
        let v = try r.i64()
        guard v >= 0 else { throw StoredDataError("negative amount \(v) at offset \(r.offset - 8)") }
        return v
    }

    static func riskState(_ s: RiskState, _ w: inout BinaryWriter) {
        w.day(s.evaluatedOn)
        w.u64(s.seq)
        w.u8(UInt8(clamping: s.score))
        w.u8(UInt8(s.grade.rawValue))
        for p in s.points { w.u8(UInt8(clamping: p)) }
        w.u8((s.overLimit ? 1 : 0) | (s.utilisationHigh ? 2 : 0))
    }

    static func riskState(_ r: inout BinaryReader) throws(StoredDataError) -> RiskState {
        let on = try r.day()
        let seq = try r.u64()
        let score = Int(try r.u8())
        let g = try r.u8()
        guard score <= 100, let grade = Grade(rawValue: Int(g)) else { throw StoredDataError("bad score \(score) or grade \(g)") }
        var points = FactorPoints()
        for i in 0..<FactorPoints.count {
            let p = Int(try r.u8())
            guard p <= 100 else { throw StoredDataError("factor points \(p) above 100") }
            points[i] = p
        }
        let flags = try r.u8()
        guard flags <= 3 else { throw StoredDataError("bad risk flags \(flags)") }
        return RiskState(evaluatedOn: on, seq: seq, score: score, grade: grade, points: points, overLimit: flags & 1 != 0,
                         utilisationHigh: flags & 2 != 0)
    }

    public static func decodeState(_ bytes: UnsafeRawBufferPointer) throws(StoredDataError) -> CustomerState {
        var r = BinaryReader(bytes)
        guard try r.u8() == stateVersion else { throw StoredDataError("unknown state version") }
        let currency = try r.currency()
        let terms = Int(try r.i32())
        let limit = try money(&r)
        let registeredAt = try r.timestamp()
        let registeredOn = try r.optionalDay()
        guard (0...FeedLimits.termsDaysMax).contains(terms) else { throw StoredDataError("terms_days \(terms) out of range") }
        var s = CustomerState(currency: currency, termsDays: terms, creditLimit: limit, registeredAt: registeredAt, registeredOn: registeredOn)
        var t = Totals()
        t.open = try money(&r)
        t.unapplied = try money(&r)
        t.invoiced = try money(&r)
        t.credited = try money(&r)
        t.paid = try money(&r)
        t.writtenOff = try money(&r)
        t.voided = try money(&r)
        t.lateAmount = try money(&r)
        t.lateWeighted = try r.i128()
        guard t.lateWeighted >= 0 else { throw StoredDataError("negative days-late weight") }
        // The balance identity, in exact arithmetic: figures that disagree are corrupt (and
        // would let later additions overflow).
        let lhs = Int128(t.open) - Int128(t.unapplied)
        let rhs = Int128(t.invoiced) - Int128(t.credited) - Int128(t.paid) - Int128(t.writtenOff) - Int128(t.voided)
        guard lhs == rhs else { throw StoredDataError("totals break the balance identity (open − unapplied ≠ invoiced − credited − paid − written off − voided)") }
        // What the fold keeps true (every figure is ≥ 0, checked by `money`): what is open or
        // taken off an invoice never exceeds what was invoiced, and what is unapplied never
        // exceeds what was paid. Together with the validator's overflow rule on `invoiced`,
        // these keep every later addition to these figures inside Int64.
        guard t.open <= t.invoiced, t.unapplied <= t.paid else {
            throw StoredDataError("totals out of range: open \(t.open) of \(t.invoiced) invoiced, unapplied \(t.unapplied) of \(t.paid) paid")
        }
        s.totals = t
        let dunning = Int(try r.u8())
        guard dunning <= 4 else { throw StoredDataError("dunning level \(dunning)") }
        s.dunningLevel = dunning
        let events = try r.u64()
        guard events <= UInt64(Int.max) else { throw StoredDataError("event count \(events)") }
        s.eventCount = Int(events)
        s.latestAt = try r.timestamp()
        s.lastSeq = try r.u64()
        s.invoiceCount = Int(try r.u32())
        s.paymentCount = Int(try r.u32())
        let checkpointed = try r.u64()
        guard checkpointed <= events else { throw StoredDataError("checkpoint position \(checkpointed) beyond the event count") }
        s.checkpointedAtEvent = Int(checkpointed)
        let invoiceCount = try r.count(itemBytes: 70)
        s.invoices.reserveCapacity(invoiceCount)
        for _ in 0..<invoiceCount {
            let seq = try r.u64()
            let issuedOn = try r.day()
            let issuedAt = try r.timestamp()
            let amount = try money(&r)
            let c = try counters(&r)
            let open = try money(&r)
            let idStart = try r.i32()
            let idCount = try r.u8()
            let dueStart = try r.i32()
            let installments = try r.u16()
            let countersMax = max(c.adjustedUp, c.credited, c.writtenOff, c.voidedAmount, c.paid)
            guard installments > 0, open > 0, open <= t.invoiced, amount <= t.invoiced, countersMax <= t.invoiced,
                s.invoices.last.map({ $0.seq < seq }) ?? true
            else {
                throw StoredDataError("bad open invoice at log position \(seq)")
            }
            s.invoices.append(OpenInvoice(seq: seq, issuedOn: issuedOn, issuedAt: issuedAt, amount: amount, counters: c, open: open,
                                          idStart: idStart, idCount: idCount, dueStart: dueStart, installmentCount: installments))
        }
        let slotCount = try r.count(itemBytes: 40)
        s.slots.reserveCapacity(slotCount)
        var slotOpen: Int128 = 0
        for _ in 0..<slotCount {
            let dueOn = try r.day()
            let issuedOn = try r.day()
            let idStart = try r.i32()
            let idCount = try r.u8()
            let index = try r.u16()
            let dead = try r.bool()
            let seq = try r.u64()
            let amount = try money(&r)
            let open = try money(&r)
            guard open <= amount, amount <= t.invoiced, !dead || open == 0 else { throw StoredDataError("bad installment slot of log position \(seq)") }
            slotOpen += Int128(open)
            s.slots.append(Slot(dueOn: dueOn, issuedOn: issuedOn, idStart: idStart, idCount: idCount, index: index, dead: dead,
                                invoiceSeq: seq, amount: amount, open: open))
        }
        guard slotOpen == Int128(t.open) else { throw StoredDataError("open installments sum to \(slotOpen), the total says \(t.open)") }
        let idBytes = try r.count(itemBytes: 1)
        s.ids = Array(try r.slice(idBytes))
        let dueCount = try r.count(itemBytes: 4)
        s.dues.reserveCapacity(dueCount)
        for _ in 0..<dueCount { s.dues.append(try r.day()) }
        s.deadSlots = Int(try r.u32())
        s.firstOpen = Int(try r.u32())
        guard s.firstOpen <= s.slots.count, s.deadSlots <= s.slots.count else { throw StoredDataError("slot positions out of range") }
        for inv in s.invoices {
            guard inv.idStart >= 0, Int(inv.idStart) + Int(inv.idCount) <= s.ids.count, inv.dueStart >= 0,
                Int(inv.dueStart) + Int(inv.installmentCount) <= s.dues.count
            else { throw StoredDataError("open invoice at log position \(inv.seq) points outside the state") }
        }
        for slot in s.slots where slot.idStart < 0 || Int(slot.idStart) + Int(slot.idCount) > s.ids.count {
            throw StoredDataError("installment slot of log position \(slot.invoiceSeq) points outside the state")
        }
        let paymentCount = try r.count(itemBytes: 37)
        s.payments.reserveCapacity(paymentCount)
        // The entries' prefix sums are computed here and grow with every payment: each entry
        // within what one payment can allocate (its weight within days × amount), and those in
        // force within the paid total (as they are in any fold), so that no sum can overflow.
        let daysSpan = UInt128(Day.last.days(since: Day.first))
        var allocatedInForce: Int64 = 0
        for _ in 0..<paymentCount {
            var p = PaymentEntry(seq: try r.u64(), receivedOn: try r.day(), weighted: try r.i128(), amount: try money(&r))
            p.reversed = try r.bool()
            if let last = s.payments.last, (last.receivedOn, last.seq) >= (p.receivedOn, p.seq) {
                throw StoredDataError("payment entries out of order")
            }
            guard p.amount <= Money.amountMinorMax, p.weighted.magnitude <= UInt128(p.amount) * daysSpan else {
                throw StoredDataError("payment entry of log position \(p.seq) has an amount or days-late weight out of range")
            }
            if !p.reversed {
                let (sum, overflow) = allocatedInForce.addingReportingOverflow(p.amount)
                guard !overflow, sum <= t.paid else { throw StoredDataError("payment entries in force allocate more than the paid total \(t.paid)") }
                allocatedInForce = sum
            }
            s.payments.append(p)
        }
        s.recomputePaymentSums(from: 0)
        let reversals = try r.count(itemBytes: 4)
        for _ in 0..<reversals { s.reversalDays.append(try r.day()) }
        let sweepDay = try r.day()
        var buckets = BucketSums()
        for b in 0..<5 { buckets[b] = try money(&r) }
        let last: RiskState? = try r.bool() ? try riskState(&r) : nil
        s.risk = RiskSweep(sweepDay: sweepDay, buckets: buckets, last: last)
        try r.end()
        return s
    }

    // MARK: Cold records

    public static func encode(_ inv: InvoiceState) -> [UInt8] {
        var w = BinaryWriter(capacity: 96 + inv.installments.count * 20)
        encode(inv, into: &w)
        return w.bytes
    }

    public static func encode(_ inv: InvoiceState, into w: inout BinaryWriter) {
        w.u8(invoiceVersion)
        w.u64(inv.seq)
        w.shortText(inv.id)
        w.day(inv.issuedOn)
        w.timestamp(inv.issuedAt)
        w.i64(inv.amount)
        w.u64(inv.voidedSeq)
        w.i64(inv.adjustedUp)
        w.i64(inv.credited)
        w.i64(inv.writtenOff)
        w.i64(inv.voidedAmount)
        w.i64(inv.paid)
        w.u32(UInt32(inv.installments.count))
        for i in inv.installments {
            w.day(i.dueOn)
            w.i64(i.amount)
            w.i64(i.open)
        }
    }

    public static func decodeInvoice(_ bytes: UnsafeRawBufferPointer) throws(StoredDataError) -> InvoiceState {
        var r = BinaryReader(bytes)
        guard try r.u8() == invoiceVersion else { throw StoredDataError("unknown invoice record version") }
        let seq = try r.u64()
        let id = try r.shortText().utf8String
        var inv = InvoiceState(seq: seq, id: id, issuedOn: try r.day(), issuedAt: try r.timestamp(), amount: try money(&r), installments: [])
        inv.voidedSeq = try r.u64()
        inv.adjustedUp = try money(&r)
        inv.credited = try money(&r)
        inv.writtenOff = try money(&r)
        inv.voidedAmount = try money(&r)
        inv.paid = try money(&r)
        let n = try r.count(itemBytes: 20, max: FeedLimits.installmentsMax)
        guard n > 0 else { throw StoredDataError("invoice \(id) without installments") }
        inv.installments.reserveCapacity(n)
        // Summed whenever the invoice's open amount is read: the sum must fit.
        var scheduled: Int64 = 0
        for _ in 0..<n {
            let i = Installment(dueOn: try r.day(), amount: try money(&r), open: try money(&r))
            guard i.open <= i.amount else { throw StoredDataError("installment of invoice \(id) has more open than scheduled") }
            let (sum, overflow) = scheduled.addingReportingOverflow(i.amount)
            guard !overflow else { throw StoredDataError("installments of invoice \(id) sum past the largest amount") }
            scheduled = sum
            inv.installments.append(i)
        }
        try r.end()
        return inv
    }

    public static func encode(_ p: PaymentState) -> [UInt8] {
        var w = BinaryWriter(capacity: 80 + p.allocations.count * 24)
        encode(p, into: &w)
        return w.bytes
    }

    public static func encode(_ p: PaymentState, into w: inout BinaryWriter) {
        w.u8(paymentVersion)
        w.u64(p.seq)
        w.shortText(p.id)
        w.timestamp(p.at)
        w.day(p.receivedOn)
        w.i64(p.amount)
        w.i64(p.unapplied)
        w.u64(p.reversedSeq)
        w.optionalDay(p.reversedOn)
        w.u32(UInt32(p.allocations.count))
        for a in p.allocations {
            w.u64(a.invoice)
            w.i32(a.installment)
            w.i64(a.amount)
            w.i32(a.daysBeyondTerms)
        }
    }

    public static func decodePayment(_ bytes: UnsafeRawBufferPointer) throws(StoredDataError) -> PaymentState {
        var r = BinaryReader(bytes)
        guard try r.u8() == paymentVersion else { throw StoredDataError("unknown payment record version") }
        let seq = try r.u64()
        let id = try r.shortText().utf8String
        let at = try r.timestamp()
        let receivedOn = try r.day()
        let amount = try money(&r)
        let unapplied = try money(&r)
        let reversedSeq = try r.u64()
        let reversedOn = try r.optionalDay()
        let n = try r.count(itemBytes: 24)
        var allocations: [Allocation] = []
        allocations.reserveCapacity(n)
        var allocated: Int128 = 0
        for _ in 0..<n {
            let a = Allocation(invoice: try r.u64(), installment: try r.i32(), amount: try money(&r), daysBeyondTerms: try r.i32())
            guard a.installment >= 0, a.installment < Int32(FeedLimits.installmentsMax), a.amount > 0 else {
                throw StoredDataError("bad allocation of payment \(id)")
            }
            allocated += Int128(a.amount)
            allocations.append(a)
        }
        guard allocated + Int128(unapplied) == Int128(amount) else { throw StoredDataError("payment \(id): allocations and unapplied do not add up to its amount") }
        try r.end()
        var p = PaymentState(seq: seq, id: id, at: at, receivedOn: receivedOn, amount: amount, allocations: allocations, unapplied: unapplied)
        p.reversedSeq = reversedSeq
        p.reversedOn = reversedOn
        return p
    }

    public static func encode(_ p: ProfileText) -> [UInt8] {
        var w = BinaryWriter(capacity: 64)
        w.u8(profileVersion)
        w.text(p.name)
        w.optionalText(p.industry)
        w.optionalText(p.contact)
        w.optionalText(p.email)
        return w.bytes
    }

    public static func decodeProfile(_ bytes: UnsafeRawBufferPointer) throws(StoredDataError) -> ProfileText {
        var r = BinaryReader(bytes)
        guard try r.u8() == profileVersion else { throw StoredDataError("unknown profile record version") }
        let p = ProfileText(name: try r.string(), industry: try r.optionalString(), contact: try r.optionalString(), email: try r.optionalString())
        try r.end()
        return p
    }
}

extension RiskSweep {
    init(sweepDay: Day, buckets: BucketSums, last: RiskState?) {
        self.init(sweepDay: sweepDay)
        self.buckets = buckets
        self.last = last
    }
}
