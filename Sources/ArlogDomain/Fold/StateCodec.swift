/// Binary forms of the hot state and the cold records, as stored. Each starts with a version
/// byte that changes whenever its layout does. Decoding checks every length, count, range and
/// cross-reference that the fold relies on, so that stored bytes that are corrupt throw
/// `StoredDataError` rather than trap later: positions inside their arrays, days inside the
/// calendar, money figures that agree with each other (the balance identity, the slots' sum).
public enum StateCodec {
    /// 3: feed v1.1 (open disputes, promises, open invoices' dunning levels, the latest
    ///    contact) and feed v1.2 (`refunded`, invoices' credit-note allocations).
    /// 4: feed v1.3 (the assessment in force, after the collections sections).
    public static let stateVersion: UInt8 = 4
    /// 2: credit-note allocations (feed v1.2).
    public static let invoiceVersion: UInt8 = 2
    /// 2: credit sources (feed v1.2): credit notes, applied allocations, refunds.
    public static let paymentVersion: UInt8 = 2
    public static let profileVersion: UInt8 = 1

    // MARK: Hot state

    public static func encode(_ s: CustomerState, into w: inout BinaryWriter) {
        // The compact form (version 2): varints, and days, instants and log positions as
        // differences from a nearby value (a state is rewritten whole at every commit that
        // touches it, so its size is what a commit costs; the fixed-width form of version 1
        // was about three times as large). Days count from `base`, the day of the latest
        // event, each list's days from the one before.
        w.u8(stateVersion)
        w.currency(s.currency)
        w.svarint(Int64(s.termsDays))
        w.varint(UInt64(bitPattern: s.creditLimit))
        compactTimestamp(s.latestAt, &w)
        let base = Int64(s.latestAt.utcDay.number)
        compactTimestamp(s.registeredAt, &w)
        if let on = s.registeredOn {
            w.u8(1)
            w.svarint(Int64(on.number) - base)
        } else {
            w.u8(0)
        }
        let t = s.totals
        w.varint(UInt64(bitPattern: t.open))
        w.varint(UInt64(bitPattern: t.unapplied))
        w.varint(UInt64(bitPattern: t.invoiced))
        w.varint(UInt64(bitPattern: t.credited))
        w.varint(UInt64(bitPattern: t.paid))
        w.varint(UInt64(bitPattern: t.writtenOff))
        w.varint(UInt64(bitPattern: t.voided))
        w.varint(UInt64(bitPattern: t.lateAmount))
        w.varint128(UInt128(bitPattern: t.lateWeighted))
        w.varint(UInt64(bitPattern: t.refunded))
        w.u8(UInt8(truncatingIfNeeded: s.dunningLevel))
        w.varint(UInt64(bitPattern: Int64(s.eventCount)))
        w.varint(s.lastSeq)
        w.varint(UInt64(bitPattern: Int64(s.invoiceCount)))
        w.varint(UInt64(bitPattern: Int64(s.paymentCount)))
        w.varint(UInt64(bitPattern: Int64(s.checkpointedAtEvent)))
        w.varint(UInt64(s.invoices.count))
        var seq: UInt64 = 0
        var day = base
        for inv in s.invoices {
            w.varint(inv.seq &- seq)
            seq = inv.seq
            w.svarint(Int64(inv.issuedOn.number) - day)
            day = Int64(inv.issuedOn.number)
            compactTimestamp(inv.issuedAt, from: day * secondsPerDay, &w)
            w.varint(UInt64(bitPattern: inv.amount))
            compactCounters(inv.counters, &w)
            w.varint(UInt64(bitPattern: inv.open))
            w.varint(UInt64(UInt32(bitPattern: inv.idStart)))
            w.u8(inv.idCount)
            w.varint(UInt64(UInt32(bitPattern: inv.dueStart)))
            w.varint(UInt64(inv.installmentCount))
        }
        w.varint(UInt64(s.slots.count))
        seq = 0
        day = base
        for slot in s.slots {
            w.svarint(Int64(slot.dueOn.number) - day)
            day = Int64(slot.dueOn.number)
            w.svarint(Int64(slot.issuedOn.number) - day)
            w.varint(UInt64(UInt32(bitPattern: slot.idStart)))
            w.u8(slot.idCount)
            w.varint(UInt64(slot.index) << 1 | (slot.dead ? 1 : 0))
            w.svarint(Int64(bitPattern: slot.invoiceSeq &- seq))
            seq = slot.invoiceSeq
            w.varint(UInt64(bitPattern: slot.amount))
            w.varint(UInt64(bitPattern: slot.open))
        }
        w.varint(UInt64(s.ids.count))
        w.bytes.append(contentsOf: s.ids)
        compactDays(s.dues, from: base, &w)
        w.varint(UInt64(bitPattern: Int64(s.deadSlots)))
        w.varint(UInt64(bitPattern: Int64(s.firstOpen)))
        w.varint(UInt64(s.payments.count))
        seq = 0
        day = base
        for p in s.payments {
            w.svarint(Int64(bitPattern: p.seq &- seq))
            seq = p.seq
            w.svarint(Int64(p.receivedOn.number) - day)
            day = Int64(p.receivedOn.number)
            w.svarint128(p.weighted)
            w.varint(UInt64(bitPattern: p.amount) << 1 | (p.reversed ? 1 : 0))
        }
        compactDays(s.reversalDays, from: base, &w)
        w.svarint(Int64(s.risk.sweepDay.number) - base)
        for b in 0..<5 { w.varint(UInt64(bitPattern: s.risk.buckets[b])) }
        if let r = s.risk.last {
            w.u8(1)
            riskState(r, &w)
        } else {
            w.u8(0)
        }
        collections(s, base: base, &w)
        assessment(s.assessment, base: base, &w)
    }

    /// Version 4's last section (feed v1.3): the assessment in force. A flag byte (0: none; bit
    /// 0: present, bit 1: it gave a rating, bit 2: a fiscal year end), the log position, the
    /// days, the bureau score (0xFF: none), the figures' mask and the figures.
    static func assessment(_ a: AssessmentInForce?, base: Int64, _ w: inout BinaryWriter) {
        guard let a else {
            w.u8(0)
            return
        }
        w.u8(1 | (a.hasRating ? 2 : 0) | (a.fiscalYearEnd != nil ? 4 : 0))
        w.varint(a.seq)
        w.svarint(Int64(a.assessedOn.number) - base)
        if let d = a.fiscalYearEnd { w.svarint(Int64(d.number) - base) }
        w.u8(a.bureauScore.map { UInt8($0) } ?? 0xFF)
        w.u8(a.figures.mask)
        for f in FinancialFigure.allCases { if let v = a.figures[f] { w.svarint(v) } }
    }

    static func assessment(base: Int64, _ r: inout BinaryReader) throws(StoredDataError) -> AssessmentInForce? {
        let flags = try r.u8()
        guard flags != 0 else { return nil }
        guard flags & 1 != 0, flags <= 7 else { throw StoredDataError("bad assessment flags \(flags)") }
        let seq = try r.varint()
        let assessedOn = try compactDay(from: base, &r)
        let fiscalYearEnd = flags & 4 != 0 ? try compactDay(from: base, &r) : nil
        let score = try r.u8()
        let mask = try r.u8()
        guard seq > 0, score <= 100 || score == 0xFF, mask & ~AssessmentFigures.maskAll == 0, mask == 0 || fiscalYearEnd != nil,
            score != 0xFF || mask != 0 || flags & 2 != 0
        else { throw StoredDataError("bad assessment at log position \(seq)") }
        var figures = AssessmentFigures()
        for f in FinancialFigure.allCases where mask & (1 << UInt8(f.rawValue)) != 0 {
            let v = try r.svarint()
            guard v.magnitude <= UInt64(Money.amountMinorMax), f.mayBeNegative || v >= 0 else {
                throw StoredDataError("bad \(f.key) \(v) of the assessment at log position \(seq)")
            }
            figures[f] = v
        }
        return AssessmentInForce(seq: seq, assessedOn: assessedOn, bureauScore: score == 0xFF ? nil : Int(score), figures: figures,
                                 fiscalYearEnd: fiscalYearEnd, hasRating: flags & 2 != 0)
    }

    /// Version 3's sections after the risk state (feed v1.1): the open disputes, the promises
    /// and the open invoices' dunning levels.
    static func collections(_ s: CustomerState, base: Int64, _ w: inout BinaryWriter) {
        w.varint(UInt64(s.disputes.count))
        var seq: UInt64 = 0
        for d in s.disputes {
            w.varint(d.invoiceSeq &- seq)
            seq = d.invoiceSeq
            w.varint(d.seq)
            compactTimestamp(d.openedAt, from: base * secondsPerDay, &w)
            w.varint(UInt64(bitPattern: d.amount))
        }
        w.varint(UInt64(s.promises.count))
        seq = 0
        for p in s.promises {
            w.varint(p.seq &- seq)
            seq = p.seq
            compactTimestamp(p.at, from: base * secondsPerDay, &w)
            w.varint(UInt64(bitPattern: p.amount))
            w.svarint(Int64(p.promisedOn.number) - base)
            w.varint(p.invoiceSeq)
            if let id = p.invoice { w.shortText(id) }
            w.varint(UInt64(bitPattern: p.counted) << 1 | (p.superseded ? 1 : 0))
        }
        var levels = 0
        for inv in s.invoices where inv.dunningLevel != 0 { levels += 1 }
        w.varint(UInt64(levels))
        for (i, inv) in s.invoices.enumerated() where inv.dunningLevel != 0 {
            w.varint(UInt64(i))
            w.u8(inv.dunningLevel)
        }
        w.varint(UInt64(s.risk.brokenPromises))
        if let c = s.lastContact {
            w.u8(1 + UInt8(ContactOutcome.allCases.firstIndex(of: c.outcome) ?? 0))
            compactTimestamp(c.at, from: base * secondsPerDay, &w)
        } else {
            w.u8(0)
        }
    }

    static func collections(_ s: inout CustomerState, base: Int64, _ r: inout BinaryReader) throws(StoredDataError) {
        // A dispute takes 4 bytes at least, a promise 6, a level 2.
        let disputeCount = try r.varCount(itemBytes: 4)
        s.disputes.reserveCapacity(disputeCount)
        var seq: UInt64 = 0
        for _ in 0..<disputeCount {
            let (invoiceSeq, overflow) = seq.addingReportingOverflow(try r.varint())
            let at = try r.varint()
            let openedAt = try compactTimestamp(from: base * secondsPerDay, &r)
            let amount = try r.varintInt64()
            guard !overflow, invoiceSeq > seq, at > invoiceSeq,
                amount <= Money.amountMinorMax
            else { throw StoredDataError("bad open dispute of the invoice at log position \(invoiceSeq)") }
            seq = invoiceSeq
            s.disputes.append(OpenDispute(invoiceSeq: invoiceSeq, seq: at, openedAt: openedAt, amount: amount))
        }
        let promiseCount = try r.varCount(itemBytes: 6)
        s.promises.reserveCapacity(promiseCount)
        seq = 0
        for _ in 0..<promiseCount {
            let (at, overflow) = seq.addingReportingOverflow(try r.varint())
            let when = try compactTimestamp(from: base * secondsPerDay, &r)
            let amount = try r.varintInt64()
            let promisedOn = try compactDay(from: base, &r)
            let invoiceSeq = try r.varint()
            let invoice = invoiceSeq == 0 ? nil : try r.shortText()
            let packed = try r.varint()
            // The count is the packed value's upper 63 bits: never negative.
            let counted = Int64(bitPattern: packed >> 1)
            guard !overflow, at > seq, amount > 0, amount <= Money.amountMinorMax, counted <= s.totals.paid,
                invoiceSeq < at, invoice.map({ EventDecoder.isIdentifier(utf8: $0, max: FeedLimits.referenceCharsMax) }) ?? true
            else { throw StoredDataError("bad promise at log position \(at)") }
            seq = at
            var p = PaymentPromise(seq: at, at: when, amount: amount, promisedOn: promisedOn, invoiceSeq: invoiceSeq, invoice: invoice?.utf8String)
            p.counted = counted
            p.superseded = packed & 1 != 0
            s.promises.append(p)
        }
        let levels = try r.varCount(itemBytes: 2)
        var previous = -1
        for _ in 0..<levels {
            let i = try r.varint()
            let level = try r.u8()
            guard i < UInt64(s.invoices.count), Int(i) > previous, (1...4).contains(level) else {
                throw StoredDataError("bad dunning level \(level) of open invoice \(i)")
            }
            previous = Int(i)
            s.invoices[Int(i)].dunningLevel = level
        }
        let broken = try r.varint()
        guard broken <= UInt64(s.promises.count) else { throw StoredDataError("\(broken) broken promises of \(s.promises.count)") }
        s.risk.brokenPromises = Int(broken)
        let contact = Int(try r.u8())
        guard contact <= ContactOutcome.allCases.count else { throw StoredDataError("unknown contact outcome \(contact - 1)") }
        if contact > 0 {
            s.lastContact = LastContact(at: try compactTimestamp(from: base * secondsPerDay, &r), outcome: ContactOutcome.allCases[contact - 1])
        }
    }

    public static func encode(_ s: CustomerState) -> [UInt8] {
        var w = BinaryWriter(capacity: 160 + s.invoices.count * 24 + s.slots.count * 14 + s.payments.count * 12 + s.ids.count)
        encode(s, into: &w)
        return w.bytes
    }

    static let secondsPerDay: Int64 = 86_400

    /// An instant as a signed difference in seconds from `origin`, then its nanoseconds.
    static func compactTimestamp(_ t: Timestamp, from origin: Int64 = 0, _ w: inout BinaryWriter) {
        w.svarint(t.seconds &- origin)
        w.varint(UInt64(UInt32(bitPattern: t.nanos)))
    }

    static func compactTimestamp(from origin: Int64 = 0, _ r: inout BinaryReader) throws(StoredDataError) -> Timestamp {
        let (s, overflow) = origin.addingReportingOverflow(try r.svarint())
        let n = try r.varint()
        guard !overflow, BinaryReader.timestampSecondsRange.contains(s) else { throw StoredDataError("an instant outside 0001–9999 at offset \(r.offset)") }
        guard n < 1_000_000_000 else { throw StoredDataError("nanoseconds \(n) out of range") }
        return Timestamp(seconds: s, nanos: Int32(truncatingIfNeeded: n))
    }

    /// A day `origin` plus a signed difference read: within the representable calendar.
    static func compactDay(from origin: Int64, _ r: inout BinaryReader) throws(StoredDataError) -> Day {
        let (n, overflow) = origin.addingReportingOverflow(try r.svarint())
        guard !overflow, let number = Int32(exactly: n), Day(number: number).isRepresentable else {
            throw StoredDataError("a day outside 0001–9999 at offset \(r.offset)")
        }
        return Day(number: number)
    }

    /// A list of days: its count, then each as the difference from the one before (the first
    /// from `origin`).
    static func compactDays(_ days: [Day], from origin: Int64, _ w: inout BinaryWriter) {
        w.varint(UInt64(days.count))
        var day = origin
        for d in days {
            w.svarint(Int64(d.number) - day)
            day = Int64(d.number)
        }
    }

    static func compactDays(from origin: Int64, _ r: inout BinaryReader) throws(StoredDataError) -> [Day] {
        let n = try r.varCount(itemBytes: 1)
        var days: [Day] = []
        days.reserveCapacity(n)
        var day = origin
        for _ in 0..<n {
            let d = try compactDay(from: day, &r)
            days.append(d)
            day = Int64(d.number)
        }
        return days
    }

    static func compactCounters(_ c: InvoiceCounters, _ w: inout BinaryWriter) {
        w.varint(UInt64(bitPattern: c.adjustedUp))
        w.varint(UInt64(bitPattern: c.credited))
        w.varint(UInt64(bitPattern: c.writtenOff))
        w.varint(UInt64(bitPattern: c.voidedAmount))
        w.varint(UInt64(bitPattern: c.paid))
        w.varint(UInt64(bitPattern: c.creditNotes))
    }

    static func compactCounters(_ r: inout BinaryReader) throws(StoredDataError) -> InvoiceCounters {
        var c = InvoiceCounters()
        c.adjustedUp = try r.varintInt64()
        c.credited = try r.varintInt64()
        c.writtenOff = try r.varintInt64()
        c.voidedAmount = try r.varintInt64()
        c.paid = try r.varintInt64()
        c.creditNotes = try r.varintInt64()
        return c
    }

    /// A count stored as a varint that must fit an Int (event and item counters).
    static func compactInt(_ r: inout BinaryReader) throws(StoredDataError) -> Int {
        Int(try r.varintInt64())
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
        let terms = try r.svarint()
        let limit = try r.varintInt64()
        let latestAt = try compactTimestamp(&r)
        let base = Int64(latestAt.utcDay.number)
        let registeredAt = try compactTimestamp(&r)
        let registeredOn: Day?
        switch try r.u8() {
        case 0: registeredOn = nil
        case 1: registeredOn = try compactDay(from: base, &r)
        case let flag: throw StoredDataError("bad registration day flag \(flag)")
        }
        guard (0...Int64(FeedLimits.termsDaysMax)).contains(terms) else { throw StoredDataError("terms_days \(terms) out of range") }
        var s = CustomerState(currency: currency, termsDays: Int(terms), creditLimit: limit, registeredAt: registeredAt, registeredOn: registeredOn)
        var t = Totals()
        t.open = try r.varintInt64()
        t.unapplied = try r.varintInt64()
        t.invoiced = try r.varintInt64()
        t.credited = try r.varintInt64()
        t.paid = try r.varintInt64()
        t.writtenOff = try r.varintInt64()
        t.voided = try r.varintInt64()
        t.lateAmount = try r.varintInt64()
        let weighted = try r.varint128()
        guard let lateWeighted = Int128(exactly: weighted) else { throw StoredDataError("negative days-late weight") }
        t.lateWeighted = lateWeighted
        t.refunded = try r.varintInt64()
        // The balance identity, in exact arithmetic: figures that disagree are corrupt (and
        // would let later additions overflow).
        let lhs = Int128(t.open) - Int128(t.unapplied)
        let rhs = Int128(t.invoiced) - Int128(t.credited) - Int128(t.paid) + Int128(t.refunded) - Int128(t.writtenOff) - Int128(t.voided)
        guard lhs == rhs else { throw StoredDataError("totals break the balance identity (open − unapplied ≠ invoiced − credited − paid + refunded − written off − voided)") }
        // What the fold keeps true (every figure is ≥ 0, checked by `varintInt64`): what is
        // open or taken off an invoice never exceeds what was invoiced, and what is unapplied
        // or refunded never exceeds what credit sources brought (paid, and credit notes, which
        // count in credited). Together with the validator's overflow rules on `invoiced`,
        // `paid` and `credited`, these keep every later addition to these figures inside Int64.
        let sources = Int128(t.paid) + Int128(t.credited)
        guard t.open <= t.invoiced, Int128(t.unapplied) + Int128(t.refunded) <= sources else {
            throw StoredDataError("totals out of range: open \(t.open) of \(t.invoiced) invoiced, unapplied \(t.unapplied) and refunded \(t.refunded) of \(sources) paid and credited")
        }
        s.totals = t
        let dunning = Int(try r.u8())
        guard dunning <= 4 else { throw StoredDataError("dunning level \(dunning)") }
        s.dunningLevel = dunning
        let events = try compactInt(&r)
        s.eventCount = events
        s.latestAt = latestAt
        s.lastSeq = try r.varint()
        s.invoiceCount = try compactInt(&r)
        s.paymentCount = try compactInt(&r)
        let checkpointed = try compactInt(&r)
        guard checkpointed <= events else { throw StoredDataError("checkpoint position \(checkpointed) beyond the event count") }
        s.checkpointedAtEvent = checkpointed
        // Each open invoice takes 15 bytes at least, a slot 8, a payment entry 4.
        let invoiceCount = try r.varCount(itemBytes: 15)
        s.invoices.reserveCapacity(invoiceCount)
        var seq: UInt64 = 0
        var day = base
        for _ in 0..<invoiceCount {
            let (next, overflow) = seq.addingReportingOverflow(try r.varint())
            let issuedOn = try compactDay(from: day, &r)
            day = Int64(issuedOn.number)
            let issuedAt = try compactTimestamp(from: day * secondsPerDay, &r)
            let amount = try r.varintInt64()
            let c = try compactCounters(&r)
            let open = try r.varintInt64()
            let idStart = try r.varintBits32()
            let idCount = try r.u8()
            let dueStart = try r.varintBits32()
            guard let installments = UInt16(exactly: try r.varint()) else { throw StoredDataError("bad installment count at log position \(next)") }
            let countersMax = max(c.adjustedUp, c.credited, c.writtenOff, c.voidedAmount, c.paid, c.creditNotes)
            guard !overflow, installments > 0, open > 0, open <= t.invoiced, amount <= t.invoiced, countersMax <= t.invoiced,
                s.invoices.last.map({ $0.seq < next }) ?? true
            else {
                throw StoredDataError("bad open invoice at log position \(next)")
            }
            seq = next
            s.invoices.append(OpenInvoice(seq: next, issuedOn: issuedOn, issuedAt: issuedAt, amount: amount, counters: c, open: open,
                                          idStart: idStart, idCount: idCount, dueStart: dueStart, installmentCount: installments))
        }
        let slotCount = try r.varCount(itemBytes: 8)
        s.slots.reserveCapacity(slotCount)
        var slotOpen: Int128 = 0
        seq = 0
        day = base
        for _ in 0..<slotCount {
            let dueOn = try compactDay(from: day, &r)
            day = Int64(dueOn.number)
            let issuedOn = try compactDay(from: day, &r)
            let idStart = try r.varintBits32()
            let idCount = try r.u8()
            let packed = try r.varint()
            guard let index = UInt16(exactly: packed >> 1) else { throw StoredDataError("bad installment index \(packed >> 1)") }
            let dead = packed & 1 != 0
            seq = seq &+ UInt64(bitPattern: try r.svarint())
            let amount = try r.varintInt64()
            let open = try r.varintInt64()
            guard open <= amount, amount <= t.invoiced, !dead || open == 0 else { throw StoredDataError("bad installment slot of log position \(seq)") }
            slotOpen += Int128(open)
            s.slots.append(Slot(dueOn: dueOn, issuedOn: issuedOn, idStart: idStart, idCount: idCount, index: index, dead: dead,
                                invoiceSeq: seq, amount: amount, open: open))
        }
        guard slotOpen == Int128(t.open) else { throw StoredDataError("open installments sum to \(slotOpen), the total says \(t.open)") }
        let idBytes = try r.varCount(itemBytes: 1)
        s.ids = Array(try r.slice(idBytes))
        s.dues = try compactDays(from: base, &r)
        s.deadSlots = try compactInt(&r)
        s.firstOpen = try compactInt(&r)
        guard s.firstOpen <= s.slots.count, s.deadSlots <= s.slots.count else { throw StoredDataError("slot positions out of range") }
        for inv in s.invoices {
            guard inv.idStart >= 0, Int(inv.idStart) + Int(inv.idCount) <= s.ids.count, inv.dueStart >= 0,
                Int(inv.dueStart) + Int(inv.installmentCount) <= s.dues.count
            else { throw StoredDataError("open invoice at log position \(inv.seq) points outside the state") }
        }
        for slot in s.slots where slot.idStart < 0 || Int(slot.idStart) + Int(slot.idCount) > s.ids.count {
            throw StoredDataError("installment slot of log position \(slot.invoiceSeq) points outside the state")
        }
        let paymentCount = try r.varCount(itemBytes: 4)
        s.payments.reserveCapacity(paymentCount)
        // The entries' prefix sums are computed here and grow with every payment: each entry
        // within what one payment can allocate (its weight within days × amount), and those in
        // force within the paid total (as they are in any fold), so that no sum can overflow.
        let daysSpan = UInt128(Day.last.days(since: Day.first))
        var allocatedInForce: Int64 = 0
        seq = 0
        day = base
        for _ in 0..<paymentCount {
            seq = seq &+ UInt64(bitPattern: try r.svarint())
            let receivedOn = try compactDay(from: day, &r)
            day = Int64(receivedOn.number)
            let weighted = try r.svarint128()
            let packed = try r.varint()
            // The amount is the packed value's upper 63 bits: never negative.
            var p = PaymentEntry(seq: seq, receivedOn: receivedOn, weighted: weighted, amount: Int64(bitPattern: packed >> 1))
            p.reversed = packed & 1 != 0
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
        s.reversalDays = try compactDays(from: base, &r)
        let sweepDay = try compactDay(from: base, &r)
        var buckets = BucketSums()
        for b in 0..<5 { buckets[b] = try r.varintInt64() }
        let last: RiskState? = try r.bool() ? try riskState(&r) : nil
        s.risk = RiskSweep(sweepDay: sweepDay, buckets: buckets, last: last)
        try collections(&s, base: base, &r)
        s.assessment = try assessment(base: base, &r)
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
        w.i64(inv.creditNotes)
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
        inv.creditNotes = try money(&r)
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
            w.u64(a.appliedSeq)
        }
        w.bool(p.creditNote)
        w.u32(UInt32(p.refunds.count))
        for f in p.refunds {
            w.u64(f.seq)
            w.i64(f.amount)
            w.day(f.refundedOn)
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
        let n = try r.count(itemBytes: 32)
        var allocations: [Allocation] = []
        allocations.reserveCapacity(n)
        var allocated: Int128 = 0
        for _ in 0..<n {
            let a = Allocation(invoice: try r.u64(), installment: try r.i32(), amount: try money(&r), daysBeyondTerms: try r.i32(),
                               appliedSeq: try r.u64())
            guard a.installment >= 0, a.installment < Int32(FeedLimits.installmentsMax), a.amount > 0 else {
                throw StoredDataError("bad allocation of payment \(id)")
            }
            allocated += Int128(a.amount)
            allocations.append(a)
        }
        let creditNote = try r.bool()
        let m = try r.count(itemBytes: 20, max: FeedLimits.creditMovesMax)
        var refunds: [Refund] = []
        refunds.reserveCapacity(m)
        for _ in 0..<m {
            let f = Refund(seq: try r.u64(), amount: try money(&r), refundedOn: try r.day())
            guard f.seq > seq, f.amount > 0 else { throw StoredDataError("bad refund of credit source \(id)") }
            allocated += Int128(f.amount)
            refunds.append(f)
        }
        guard allocated + Int128(unapplied) == Int128(amount) else {
            throw StoredDataError("credit source \(id): allocations, refunds and unapplied do not add up to its amount")
        }
        guard !creditNote || reversedSeq == 0 else { throw StoredDataError("credit note \(id) is marked reversed") }
        try r.end()
        var p = PaymentState(seq: seq, id: id, at: at, receivedOn: receivedOn, amount: amount, allocations: allocations, unapplied: unapplied)
        p.reversedSeq = reversedSeq
        p.reversedOn = reversedOn
        p.creditNote = creditNote
        p.refunds = refunds
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
