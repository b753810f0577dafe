/// The hot state of one customer: everything the fold needs to fold the customer's next event,
/// and everything balance, aging and the risk projector read, in flat arrays of small value
/// types. Settled invoices and payments are not here: they live in cold records
/// (`InvoiceState`, `PaymentState`, keyed by the log position of the event that created them),
/// which the rare event that needs one reads through `ColdItems`.
///
/// Invariants (`checkInvariants` states them; the tests check them after every fold step):
/// - `invoices` holds exactly the invoices with an open amount, sorted by `seq`; each has its
///   installments' due dates in `dues` and its id in `ids`;
/// - `slots` holds every installment of those invoices, and dead slots of invoices that left
///   (open 0) until `compact`, in the contract's FIFO order: (due_on, issued_on, invoice id,
///   installment index);
/// - every slot before `firstOpen` has nothing open;
/// - `totals.open` is the sum of the slots' open amounts;
/// - `risk` holds the open amounts by overdue bucket on its sweep day;
/// - `payments` is sorted by (received_on, seq) and its prefix sums agree with it.
public struct CustomerState: Sendable, Equatable {
    public var currency: Currency
    public var termsDays: Int
    public var creditLimit: Int64
    /// The registration event's `at`, and the optional `registered_on` of the feed.
    public var registeredAt: Timestamp
    public var registeredOn: Day?
    public var totals = Totals()
    /// The level of the last dunning action in log order; 0 when none or after a reset.
    public var dunningLevel = 0
    /// Events folded into this state.
    public var eventCount = 0
    /// The latest `at` among them: an as-of query for T ≥ latestAt is answered by this state.
    public var latestAt: Timestamp
    /// The log position of the customer's last event: the head of the customer's chain of
    /// events through the log (each log record names the customer's previous one).
    public var lastSeq: UInt64 = 0
    /// Invoices and payments ever created (the items themselves are cold).
    public var invoiceCount = 0
    public var paymentCount = 0
    /// `eventCount` when the store last kept a checkpoint of this state (for as-of queries).
    /// The store's bookkeeping, carried in the state so that every fold of the same log takes
    /// the same checkpoints; not part of the state's value.
    public var checkpointedAtEvent = 0

    /// Open invoices, sorted by `seq` (a deque: settling the oldest is O(1)).
    public internal(set) var invoices = OpenInvoices()
    /// Installments of open invoices (and dead ones until `compact`) in FIFO order.
    public internal(set) var slots: [Slot] = []
    /// Invoice ids of open invoices and of dead slots (an arena `compact` rewrites).
    public internal(set) var ids: [UInt8] = []
    /// Due dates of the open invoices' installments, by invoice, in installment order.
    public internal(set) var dues: [Day] = []
    /// Dead slots (of invoices no longer open) still in `slots`.
    public internal(set) var deadSlots = 0
    /// Every slot before this one has nothing open: FIFO allocation starts here.
    public internal(set) var firstOpen = 0

    /// Payment behaviour for the credit score: one entry per payment, by (received_on, seq).
    public internal(set) var payments: [PaymentEntry] = []
    /// Reversal dates (UTC date of the reversal's `at`), sorted.
    public internal(set) var reversalDays: [Day] = []

    /// The risk projector's state: the last evaluation and the overdue sweep.
    public var risk: RiskSweep

    /// Feed v1.1: the open disputes, sorted by invoice (Disputes.swift), and every promise to
    /// pay of the customer, in log order (Promises.swift).
    public internal(set) var disputes: [OpenDispute] = []
    public internal(set) var promises: [PaymentPromise] = []
    /// arlog's `collection.contact`: the latest contact (by `at`) and its outcome, for the
    /// collector's worklist.
    public internal(set) var lastContact: LastContact?
    /// Feed v1.3: the assessment in force (the latest `customer.assessed` by `assessed_on`,
    /// then log order); nil when none was folded.
    public internal(set) var assessment: AssessmentInForce?

    /// Slots an event opened (nothing open → something open), for the risk projector's
    /// overdue alerts. Scratch: cleared by every fold step, not part of the state's value.
    public internal(set) var openedSlots: [SlotKey] = []

    public init(currency: Currency, termsDays: Int, creditLimit: Int64, registeredAt: Timestamp, registeredOn: Day?) {
        self.currency = currency
        self.termsDays = termsDays
        self.creditLimit = creditLimit
        self.registeredAt = registeredAt
        self.registeredOn = registeredOn
        self.latestAt = registeredAt
        self.risk = RiskSweep(sweepDay: registeredAt.utcDay)
    }

    public static func == (a: CustomerState, b: CustomerState) -> Bool {
        a.currency == b.currency && a.termsDays == b.termsDays && a.creditLimit == b.creditLimit
            && a.registeredAt == b.registeredAt && a.registeredOn == b.registeredOn && a.totals == b.totals
            && a.dunningLevel == b.dunningLevel && a.eventCount == b.eventCount && a.latestAt == b.latestAt
            && a.lastSeq == b.lastSeq && a.invoiceCount == b.invoiceCount && a.paymentCount == b.paymentCount
            && a.invoices == b.invoices && a.slots == b.slots && a.ids == b.ids && a.dues == b.dues
            && a.deadSlots == b.deadSlots && a.firstOpen == b.firstOpen && a.payments == b.payments
            && a.reversalDays == b.reversalDays && a.risk == b.risk
            && a.disputes == b.disputes && a.promises == b.promises && a.lastContact == b.lastContact
            && a.assessment == b.assessment
    }

    /// Items (open installments plus payment entries) held: what a batch's memory accounting
    /// counts.
    public var itemCount: Int { slots.count + payments.count }

    // MARK: Open invoices

    /// The index in `invoices` of the open invoice created at `seq`.
    public func openInvoice(seq: UInt64) -> Int? {
        var lo = 0
        var hi = invoices.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if invoices[mid].seq < seq { lo = mid + 1 } else { hi = mid }
        }
        return lo < invoices.count && invoices[lo].seq == seq ? lo : nil
    }

    /// An open invoice's id.
    public func id(_ invoice: OpenInvoice) -> String {
        let start = Int(invoice.idStart)
        return String(decoding: ids[start..<(start + Int(invoice.idCount))], as: UTF8.self)
    }

    /// Whether the open invoice's id is `id` (bytes).
    func hasID(_ invoice: OpenInvoice, _ id: some Collection<UInt8>) -> Bool {
        guard id.count == Int(invoice.idCount) else { return false }
        var i = Int(invoice.idStart)
        for b in id {
            guard ids[i] == b else { return false }
            i += 1
        }
        return true
    }

    /// Byte order of two ids in the arena.
    func idPrecedes(_ aStart: Int32, _ aCount: UInt8, _ bStart: Int32, _ bCount: UInt8) -> Bool {
        let a = Int(aStart)
        let b = Int(bStart)
        let n = min(Int(aCount), Int(bCount))
        var i = 0
        while i < n {
            let x = ids[a + i]
            let y = ids[b + i]
            if x != y { return x < y }
            i += 1
        }
        return aCount < bCount
    }

    /// The contract's FIFO order: (due_on, issued_on, invoice id, installment index).
    func precedes(_ a: Slot, _ b: Slot) -> Bool {
        if a.dueOn != b.dueOn { return a.dueOn < b.dueOn }
        if a.issuedOn != b.issuedOn { return a.issuedOn < b.issuedOn }
        if a.invoiceSeq != b.invoiceSeq { return idPrecedes(a.idStart, a.idCount, b.idStart, b.idCount) }
        return a.index < b.index
    }

    /// The first slot position not before `probe`.
    func lowerBound(_ probe: Slot) -> Int {
        var lo = 0
        var hi = slots.count
        // New installments usually fall due last: check the end first.
        if let last = slots.last, precedes(last, probe) { return hi }
        while lo < hi {
            let mid = (lo + hi) / 2
            if precedes(slots[mid], probe) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    func probe(_ inv: OpenInvoice, installment k: Int) -> Slot {
        Slot(dueOn: dues[Int(inv.dueStart) + k], issuedOn: inv.issuedOn, idStart: inv.idStart, idCount: inv.idCount,
             index: UInt16(truncatingIfNeeded: k), invoiceSeq: inv.seq, amount: 0, open: 0)
    }

    /// The live slot of installment `k` of the open invoice at `i`. Dead slots of an earlier
    /// stay of the same invoice in the hot state share its key and are skipped.
    public func slot(ofInvoice i: Int, installment k: Int) -> Int? {
        let p = probe(invoices[i], installment: k)
        var s = lowerBound(p)
        while s < slots.count, slots[s].invoiceSeq == p.invoiceSeq, slots[s].index == p.index {
            if !slots[s].dead { return s }
            s += 1
        }
        return nil
    }

    /// Adds an open invoice with its installments in due order as (due_on, amount, open), and
    /// returns its index in `invoices`. An invoice coming back from its cold record (a reversal
    /// or an adjustment reopens it) brings its counters and open amounts; a dead slot of its
    /// earlier stay is revived rather than duplicated.
    mutating func addInvoice(seq: UInt64, id: UnsafeRawBufferPointer, issuedOn: Day, issuedAt: Timestamp, amount: Int64,
                             counters: InvoiceCounters, installments: [Installment]) -> Int {
        // Ids are at most 128 bytes (FeedLimits); the arena stays far below Int32.max bytes.
        let idStart = Int32(truncatingIfNeeded: ids.count)
        ids.append(contentsOf: id)
        let dueStart = Int32(truncatingIfNeeded: dues.count)
        var open: Int64 = 0
        for inst in installments {
            dues.append(inst.dueOn)
            open += inst.open
        }
        let invoice = OpenInvoice(seq: seq, issuedOn: issuedOn, issuedAt: issuedAt, amount: amount, counters: counters, open: open,
                                  idStart: idStart, idCount: UInt8(truncatingIfNeeded: id.count), dueStart: dueStart,
                                  installmentCount: UInt16(truncatingIfNeeded: installments.count))
        // A new invoice has the largest seq: the end. One coming back goes to its place.
        var at = invoices.count
        if let last = invoices.last, last.seq > seq {
            var lo = 0
            while lo < at {
                let mid = (lo + at) / 2
                if invoices[mid].seq < seq { lo = mid + 1 } else { at = mid }
            }
        }
        invoices.insert(invoice, at: at)
        var k = 0
        for inst in installments {
            var slot = probe(invoice, installment: k)
            slot.amount = inst.amount
            slot.open = inst.open
            insertSlot(slot)
            k += 1
        }
        return at
    }

    mutating func insertSlot(_ slot: Slot) {
        var s = lowerBound(slot)
        // Revive a dead slot of the same installment (an invoice reopened before `compact`).
        var t = s
        while t < slots.count, slots[t].invoiceSeq == slot.invoiceSeq, slots[t].index == slot.index {
            if slots[t].dead {
                slots[t] = slot
                deadSlots -= 1
                s = t
                if slot.open > 0 {
                    risk.add(slot.open, dueOn: slot.dueOn)
                    openedSlots.append(SlotKey(invoiceSeq: slot.invoiceSeq, index: slot.index))
                    if s < firstOpen { firstOpen = s }
                }
                return
            }
            t += 1
        }
        slots.insert(slot, at: s)
        if s < firstOpen {
            if slot.open > 0 { firstOpen = s } else { firstOpen += 1 }
        }
        if slot.open > 0 {
            risk.add(slot.open, dueOn: slot.dueOn)
            openedSlots.append(SlotKey(invoiceSeq: slot.invoiceSeq, index: slot.index))
        }
    }

    /// Changes a slot's open amount by `delta`, keeping its invoice, the totals, the FIFO
    /// start and the risk sweep in step.
    mutating func changeOpen(slot s: Int, invoice i: Int, by delta: Int64) {
        let before = slots[s].open
        slots[s].open += delta
        invoices[i].open += delta
        totals.open += delta
        risk.add(delta, dueOn: slots[s].dueOn)
        if before == 0, delta > 0 {
            openedSlots.append(SlotKey(invoiceSeq: slots[s].invoiceSeq, index: slots[s].index))
            if s < firstOpen { firstOpen = s }
        } else if s == firstOpen, slots[s].open == 0 {
            advanceFirstOpen()
        }
    }

    mutating func advanceFirstOpen() {
        while firstOpen < slots.count, slots[firstOpen].open == 0 { firstOpen += 1 }
    }

    /// Takes the open invoice at `i`, whose open amount is 0, out of the hot state and returns
    /// its cold record (the caller writes it; `voidedSeq` is the caller's to set). Its slots
    /// stay, dead, until `compact`.
    mutating func close(invoice i: Int) -> InvoiceState {
        var record = invoiceState(i)
        for k in 0..<Int(invoices[i].installmentCount) {
            guard let s = slot(ofInvoice: i, installment: k) else { continue }
            slots[s].dead = true
            deadSlots += 1
        }
        invoices.remove(at: i)
        record.voidedSeq = 0
        return record
    }

    /// Compacts when dead slots are the majority (called between fold steps, never while one
    /// walks the slots).
    mutating func compactIfWorthIt() {
        if deadSlots >= CustomerState.deadSlotsCompactMin, deadSlots * 2 > slots.count { compact() }
    }

    /// Dead slots tolerated before `compact` runs (and then only when they are the majority):
    /// compacting costs O(slots), so it runs after at least as many closings.
    static let deadSlotsCompactMin = 8

    /// Drops dead slots, and the ids and due dates no open invoice uses.
    public mutating func compact() {
        guard deadSlots > 0 else { return }
        var newIDs: [UInt8] = []
        var newDues: [Day] = []
        newIDs.reserveCapacity(ids.count)
        newDues.reserveCapacity(dues.count)
        for i in invoices.indices {
            let idStart = Int(invoices[i].idStart)
            let dueStart = Int(invoices[i].dueStart)
            invoices[i].idStart = Int32(truncatingIfNeeded: newIDs.count)
            invoices[i].dueStart = Int32(truncatingIfNeeded: newDues.count)
            newIDs.append(contentsOf: ids[idStart..<(idStart + Int(invoices[i].idCount))])
            newDues.append(contentsOf: dues[dueStart..<(dueStart + Int(invoices[i].installmentCount))])
        }
        var kept: [Slot] = []
        kept.reserveCapacity(slots.count - deadSlots)
        for slot in slots where !slot.dead {
            var slot = slot
            // Every live slot's invoice is open (an invariant): take its new id position.
            if let i = openInvoice(seq: slot.invoiceSeq) { slot.idStart = invoices[i].idStart }
            kept.append(slot)
        }
        slots = kept
        ids = newIDs
        dues = newDues
        deadSlots = 0
        firstOpen = 0
        advanceFirstOpen()
    }

    /// True when some installment with an open amount fell due before `day`.
    public func hasOverdue(on day: Day) -> Bool {
        var s = firstOpen
        while s < slots.count, slots[s].dueOn < day {
            if slots[s].open > 0 { return true }
            s += 1
        }
        return false
    }

    /// Open amount due before `day`. O(log n + installments changing bucket) when successive
    /// calls move forward in time: it moves the risk sweep, so it is for throwaway folds
    /// (history), never a projection's state. Otherwise (an earlier day) O(open installments).
    public mutating func overdue(sweepingTo day: Day) -> Int64 {
        if day >= risk.sweepDay {
            risk.advance(to: day, slots: slots) { _, _ in }
            return risk.buckets.days1to30 + risk.buckets.days31to60 + risk.buckets.days61to90 + risk.buckets.days91plus
        }
        var total: Int64 = 0
        var s = firstOpen
        while s < slots.count, slots[s].dueOn < day {
            total += slots[s].open
            s += 1
        }
        return total
    }

    // MARK: Payments (for the credit score)

    /// Adds allocations a `credit.applied` made from the payment created at `seq` (v1.2) to
    /// its entry: they count as the payment's, received on its `received_on`.
    mutating func addToPayment(seq: UInt64, weighted: Int128, amount: Int64) {
        // Rare (one per credit.applied): a linear search is fine.
        guard let p = payments.firstIndex(where: { $0.seq == seq }) else { return }
        payments[p].weighted += weighted
        payments[p].amount += amount
        recomputePaymentSums(from: p)
    }

    mutating func addPayment(_ entry: PaymentEntry) {
        var at = payments.count
        if let last = payments.last, (last.receivedOn, last.seq) > (entry.receivedOn, entry.seq) {
            var lo = 0
            while lo < at {
                let mid = (lo + at) / 2
                if (payments[mid].receivedOn, payments[mid].seq) < (entry.receivedOn, entry.seq) { lo = mid + 1 } else { at = mid }
            }
        }
        payments.insert(entry, at: at)
        recomputePaymentSums(from: at)
    }

    /// Marks the payment created at `seq` reversed on `day`.
    mutating func reversePayment(seq: UInt64, on day: Day) {
        // Rare: a linear search is fine (and entries are few per customer and window).
        if let p = payments.firstIndex(where: { $0.seq == seq }), !payments[p].reversed {
            payments[p].reversed = true
            recomputePaymentSums(from: p)
        }
        var at = reversalDays.count
        while at > 0, reversalDays[at - 1] > day { at -= 1 }
        reversalDays.insert(day, at: at)
    }

    /// Prefix sums of the non-reversed entries (inclusive), from `start` on.
    mutating func recomputePaymentSums(from start: Int) {
        var weighted: Int128 = start > 0 ? payments[start - 1].weightedThrough : 0
        var amount: Int64 = start > 0 ? payments[start - 1].amountThrough : 0
        for p in start..<payments.count {
            if !payments[p].reversed {
                weighted += payments[p].weighted
                amount += payments[p].amount
            }
            payments[p].weightedThrough = weighted
            payments[p].amountThrough = amount
        }
    }

    /// How many entries were received on or before `day`.
    func paymentsReceived(through day: Day) -> Int {
        var lo = 0
        var hi = payments.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if payments[mid].receivedOn <= day { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Σ weighted and Σ amount of the non-reversed payments received in (after, through].
    public func paymentSums(after: Day, through: Day) -> (weighted: Int128, amount: Int64) {
        let a = paymentsReceived(through: after)
        let b = paymentsReceived(through: through)
        guard b > a else { return (0, 0) }
        let w = payments[b - 1].weightedThrough - (a > 0 ? payments[a - 1].weightedThrough : 0)
        let m = payments[b - 1].amountThrough - (a > 0 ? payments[a - 1].amountThrough : 0)
        return (w, m)
    }

    /// Reversals dated in (after, through].
    public func reversals(after: Day, through: Day) -> Int {
        func count(through day: Day) -> Int {
            var lo = 0
            var hi = reversalDays.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if reversalDays[mid] <= day { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
        return max(0, count(through: through) - count(through: after))
    }

    // MARK: Views

    /// The open installments (due_on, open) in FIFO order: what aging reads.
    public var openInstallments: [(dueOn: Day, open: Int64)] {
        var out: [(dueOn: Day, open: Int64)] = []
        for s in firstOpen..<slots.count where slots[s].open > 0 { out.append((slots[s].dueOn, slots[s].open)) }
        return out
    }

    /// Open amounts by aging bucket on `day` for the bucket `edges`.
    public func aging(on day: Day, edges: [Int]) -> [Int64] {
        var buckets = [Int64](repeating: 0, count: edges.count + 2)
        for s in firstOpen..<slots.count where slots[s].open > 0 {
            buckets[Aging.bucket(daysPastDue: day.days(since: slots[s].dueOn), edges: edges)] += slots[s].open
        }
        return buckets
    }

    public var avgDaysLateHundredths: Int64? {
        Totals.avgDaysLateHundredths(weighted: totals.lateWeighted, amount: totals.lateAmount)
    }

    // MARK: Invariants

    /// Every invariant of the type, as a list of what is broken (empty: all hold). For tests
    /// and `verify`; O(slots).
    public func brokenInvariants() -> [String] {
        var broken: [String] = []
        var open: Int64 = 0
        var dead = 0
        for s in slots.indices {
            let slot = slots[s]
            if s > 0, precedes(slot, slots[s - 1]) { broken.append("slot \(s) out of FIFO order") }
            if slot.dead {
                dead += 1
                if slot.open != 0 { broken.append("dead slot \(s) has an open amount") }
            } else if openInvoice(seq: slot.invoiceSeq) == nil {
                broken.append("slot \(s) belongs to no open invoice")
            }
            if s < firstOpen, slot.open != 0 { broken.append("slot \(s) before firstOpen is open") }
            if slot.open < 0 || slot.open > slot.amount { broken.append("slot \(s) open \(slot.open) outside 0…\(slot.amount)") }
            open += slot.open
        }
        if dead != deadSlots { broken.append("deadSlots \(deadSlots), counted \(dead)") }
        if open != totals.open { broken.append("totals.open \(totals.open), slots hold \(open)") }
        for i in invoices.indices {
            if i > 0, invoices[i - 1].seq >= invoices[i].seq { broken.append("invoices out of order at \(i)") }
            var sum: Int64 = 0
            for k in 0..<Int(invoices[i].installmentCount) {
                if let s = slot(ofInvoice: i, installment: k) { sum += slots[s].open } else { broken.append("invoice \(i) misses slot \(k)") }
            }
            if sum != invoices[i].open { broken.append("invoice \(i) open \(invoices[i].open), slots hold \(sum)") }
            if invoices[i].open <= 0 { broken.append("invoice \(i) is open with nothing open") }
        }
        var expected = RiskSweep(sweepDay: risk.sweepDay)
        for slot in slots where slot.open > 0 { expected.add(slot.open, dueOn: slot.dueOn) }
        if expected.buckets != risk.buckets { broken.append("risk buckets \(risk.buckets) differ from the slots' \(expected.buckets)") }
        var check = self
        check.recomputePaymentSums(from: 0)
        if check.payments != payments { broken.append("payment prefix sums") }
        for p in payments.indices.dropFirst() where (payments[p - 1].receivedOn, payments[p - 1].seq) >= (payments[p].receivedOn, payments[p].seq) {
            broken.append("payments out of order at \(p)")
        }
        disputeInvariants(&broken)
        promiseInvariants(&broken)
        for i in invoices.indices where invoices[i].dunningLevel > 4 { broken.append("invoice \(i) has dunning level \(invoices[i].dunningLevel)") }
        return broken
    }
}

/// The per-invoice figures kept while an invoice is open, and in its cold record after.
public struct InvoiceCounters: Sendable, Equatable {
    public var adjustedUp: Int64 = 0
    public var credited: Int64 = 0
    public var writtenOff: Int64 = 0
    public var voidedAmount: Int64 = 0
    /// Payment allocations in force (unreversed).
    public var paid: Int64 = 0
    /// Credit-note allocations (v1.2): in force for good.
    public var creditNotes: Int64 = 0

    public init() {}

    public init(_ r: InvoiceState) {
        adjustedUp = r.adjustedUp
        credited = r.credited
        writtenOff = r.writtenOff
        voidedAmount = r.voidedAmount
        paid = r.paid
        creditNotes = r.creditNotes
    }

    public func write(to r: inout InvoiceState) {
        r.adjustedUp = adjustedUp
        r.credited = credited
        r.writtenOff = writtenOff
        r.voidedAmount = voidedAmount
        r.paid = paid
        r.creditNotes = creditNotes
    }
}

/// An invoice with an open amount.
public struct OpenInvoice: Sendable, Equatable {
    /// The log position of its `invoice.issued`: the invoice's handle.
    public var seq: UInt64
    public var issuedOn: Day
    public var issuedAt: Timestamp
    /// As issued.
    public var amount: Int64
    public var counters: InvoiceCounters
    /// Σ open of its slots.
    public var open: Int64
    var idStart: Int32
    var idCount: UInt8
    var dueStart: Int32
    public var installmentCount: UInt16
    /// The level of the last `dunning.action` covering it while open (feed v1.1's collections;
    /// `setInvoiceDunning`); 0 when none. Not kept in the cold record: an invoice that
    /// reopens starts again at 0, as a reversal does not restore the customer's level.
    public var dunningLevel: UInt8 = 0
}

/// One installment of an open invoice, where FIFO allocation and aging find it.
public struct Slot: Sendable, Equatable {
    public var dueOn: Day
    public var issuedOn: Day
    var idStart: Int32
    var idCount: UInt8
    /// The installment's position in its invoice's due order.
    public var index: UInt16
    /// Its invoice left the hot state; kept until `compact` so that positions stay valid.
    public var dead = false
    public var invoiceSeq: UInt64
    /// Scheduled amount, including positive adjustments.
    public var amount: Int64
    public var open: Int64
}

public struct SlotKey: Sendable, Equatable {
    public let invoiceSeq: UInt64
    public let index: UInt16
}

/// One payment, as the credit score's payment-behaviour factor needs it.
public struct PaymentEntry: Sendable, Equatable {
    public var seq: UInt64
    public var receivedOn: Day
    /// Σ days beyond terms × amount over the payment's allocations.
    public var weighted: Int128
    /// Σ amount of its allocations.
    public var amount: Int64
    public var reversed = false
    /// Prefix sums over the non-reversed entries up to and including this one.
    public var weightedThrough: Int128 = 0
    public var amountThrough: Int64 = 0

    public init(seq: UInt64, receivedOn: Day, weighted: Int128, amount: Int64) {
        self.seq = seq
        self.receivedOn = receivedOn
        self.weighted = weighted
        self.amount = amount
    }
}

extension Optional where Wrapped == CustomerState {
    /// Whether there is a state, without a copy of it: `state != nil` goes through Equatable's
    /// generic comparison, which copies the whole state (a retain of each of its arrays) on
    /// every fold step.
    @inline(__always) public var exists: Bool {
        switch self {
        case .none: false
        case .some: true
        }
    }
}

/// The open invoices of a state, in `seq` order: an array that also removes and inserts at its
/// front cheaply. Invoices are settled mostly oldest first (FIFO allocation), and a plain
/// array moved every later invoice on each settlement: O(open invoices) per event, quadratic
/// for a customer whose open invoices pile up (bench-scaling: 85% of a 60,000-event rebuild).
/// Here a removal or an insertion moves the shorter side, and the free space left at the front
/// is reclaimed once it is the larger part of the storage.
public struct OpenInvoices: RandomAccessCollection, MutableCollection, Equatable, Sendable {
    /// Elements live in `storage[head...]`; `storage[..<head]` is free space.
    private var storage: [OpenInvoice] = []
    private var head = 0

    public init() {}

    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.count - head }

    public subscript(i: Int) -> OpenInvoice {
        get { storage[head + i] }
        _modify { yield &storage[head + i] }
    }

    public static func == (a: OpenInvoices, b: OpenInvoices) -> Bool { a.elementsEqual(b) }

    mutating func reserveCapacity(_ n: Int) { storage.reserveCapacity(head + n) }

    mutating func append(_ e: OpenInvoice) { storage.append(e) }

    mutating func insert(_ e: OpenInvoice, at i: Int) {
        if i < count / 2, head > 0 {
            // Move the front part one place towards the free space.
            head -= 1
            var k = head
            while k < head + i {
                storage[k] = storage[k + 1]
                k += 1
            }
            storage[head + i] = e
        } else {
            storage.insert(e, at: head + i)
        }
    }

    @discardableResult
    mutating func remove(at i: Int) -> OpenInvoice {
        let e = storage[head + i]
        if i < count / 2 {
            // Move the front part one place into the gap; the first place becomes free.
            var k = head + i
            while k > head {
                storage[k] = storage[k - 1]
                k -= 1
            }
            head += 1
            if head >= Self.freeFrontMin, head * 2 > storage.count {
                storage.removeFirst(head)
                head = 0
            }
        } else {
            storage.remove(at: head + i)
        }
        return e
    }

    /// Free places at the front kept before they are reclaimed (then only when they are the
    /// larger part): reclaiming moves every element, so it waits for as many removals.
    static let freeFrontMin = 32
}

