/// The part of one customer's accounts-receivable state that decides whether an event is valid
/// under feed contract v1: open amounts per installment, the allocations of the payments that may
/// still be reversed, and which invoices can still be voided.
///
/// It mirrors the contract exactly (shared/spec/events-v1.md):
/// - an invoice is a list of installments; a single-due invoice is one installment. The generator
///   gives every invoice strictly increasing due dates, so list order is due order and the "last
///   installment" is the last element;
/// - every reduction (explicit allocation, negative adjustment, write-off) consumes the invoice's
///   installments earliest due first; a positive adjustment adds to the last installment;
/// - what a payment has left after its explicit allocations goes to the customer's open
///   installments in the order (due_on, issued_on, invoice id, installment index); the rest is
///   unapplied credit, which nothing consumes later;
/// - a reversal puts each allocation back on the installment it came from.
///
/// Memory stays bounded: a payment is remembered (as a reversal candidate) only while it is among
/// the customer's last `reversiblePaymentsPerCustomerMax` and recent (see `forgetPayments`), and
/// only if it touched at most `Payment.allocationsMax` installments; the others are never
/// reversed, so their allocations stay in force. An invoice is forgotten once nothing is open on
/// it and no remembered payment allocated to it (it is never named again); a voided invoice at
/// once. The generator caps the invoices open at a time. Payment records are inline, so a
/// customer's whole state is its `Customer` value plus two small arrays.
struct Ledger {
    static let installmentsPerInvoiceMax = 6

    /// One invoice, 96 bytes inline, so that a customer's invoices are one contiguous block; the
    /// first 32 bytes are what a turn's scan reads (and never straddle a cache line).
    struct Invoice {
        /// Sum of the installments' open amounts.
        private(set) var open: Int64 = 0
        /// Due date of the first and of the last installment with an open amount (`Int32.max`
        /// and `Int32.min` when nothing is open).
        private(set) var firstOpenDue = Int32.max
        private(set) var lastOpenDue = Int32.min
        /// The n of `INV-<customer>-<n>`.
        let number: Int32
        let issuedOn: Int32
        /// Payment allocations on this invoice that are in force (not reversed). Void needs 0.
        var allocationsInForce: Int32 = 0
        /// Allocations on this invoice held by remembered (still reversible) payments.
        var reversalRefs: Int32 = 0
        private(set) var installmentCount = 0 as UInt8
        /// Feed v1.1: the invoice has an open dispute.
        var disputed = false
        /// Due dates as days after `issuedOn`, strictly increasing: list order is due order.
        private var dueOffsets = InlineArray<6, UInt16>(repeating: 0)
        /// Open amount of each installment.
        private var opens = InlineArray<6, Int64>(repeating: 0)

        init(number: Int32, issuedOn: Int32) {
            self.number = number
            self.issuedOn = issuedOn
        }

        var count: Int { Int(installmentCount) }

        @inline(__always) func due(_ k: Int) -> Int32 { issuedOn + Int32(dueOffsets[k]) }

        @inline(__always) func open(_ k: Int) -> Int64 { opens[k] }

        /// Adds the next installment while the invoice is being issued.
        mutating func append(due: Int32, amount part: Int64) {
            let k = count
            let offset = Int(due) - Int(issuedOn)
            precondition(k < Ledger.installmentsPerInvoiceMax && part > 0 && offset >= 0 && offset <= Int(UInt16.max))
            precondition(k == 0 || self.due(k - 1) < due, "due dates strictly increasing")
            dueOffsets[k] = UInt16(offset)
            opens[k] = part
            installmentCount += 1
            open += part
            refreshDues()
        }

        /// Index of the earliest-due installment with an open amount.
        var firstOpen: Int? {
            for k in 0..<count where opens[k] > 0 { return k }
            return nil
        }

        /// Open on the installments due on or before `day`.
        func open(dueOnOrBefore day: Int32) -> Int64 {
            if lastOpenDue <= day { return open }
            if firstOpenDue > day { return 0 }
            var sum: Int64 = 0
            for k in 0..<count where due(k) <= day { sum += opens[k] }
            return sum
        }

        private mutating func refreshDues() {
            firstOpenDue = Int32.max
            lastOpenDue = Int32.min
            for k in 0..<count where opens[k] > 0 {
                if firstOpenDue == Int32.max { firstOpenDue = due(k) }
                lastOpenDue = due(k)
            }
        }

        /// Takes `amount` (≤ its open amount) off installment `k`.
        mutating func reduce(_ k: Int, by amount: Int64) {
            precondition(amount > 0 && amount <= opens[k])
            opens[k] -= amount
            open -= amount
            refreshDues()
        }

        /// Puts `amount` back on installment `k` (a reversal; a positive adjustment on the last).
        mutating func restore(_ k: Int, _ amount: Int64) {
            precondition(amount > 0)
            opens[k] += amount
            open += amount
            refreshDues()
        }

        /// Reduces the open amount by `amount` (≤ open), earliest due first, reporting each
        /// installment touched and by how much.
        mutating func consume(_ amount: Int64, _ touched: (Int, Int64) -> Void) {
            precondition(amount > 0 && amount <= open, "reduction beyond the open amount")
            var left = amount
            var k = 0
            while left > 0 {
                let take = min(left, opens[k])
                if take > 0 {
                    reduce(k, by: take)
                    left -= take
                    touched(k, take)
                }
                k += 1
            }
        }
    }

    struct Allocation {
        let invoice: Int32
        let installment: UInt8
        let amount: Int64
    }

    /// An allocation named in a payment event: invoice position in `invoices`, amount.
    struct ExplicitAllocation {
        let index: Int
        let amount: Int64
    }

    /// A payment that may still be reversed, with what it allocated (inline: 80 bytes, no heap).
    struct Payment {
        /// A payment touching more installments than this is not remembered: never reversed.
        static let allocationsMax = 4

        /// The n of `PAY-<customer>-<n>`.
        let number: Int32
        private var recordCount = 0 as UInt8
        /// More allocations than fit: the records are incomplete and the payment is not kept.
        private(set) var overflowed = false
        /// Seconds of its `at`, to reverse only recent payments (cheques bounce within weeks).
        let at: Int64
        /// What it left unapplied, and its received_on: credit that becomes a `Credit` to apply
        /// or refund (v1.2) once the payment can no longer be reversed.
        var unapplied: Int64 = 0
        var receivedOn: Int32 = 0
        private var records = InlineArray<4, Allocation>(repeating: Allocation(invoice: 0, installment: 0, amount: 0))

        var count: Int { Int(recordCount) }

        init(number: Int32, at: Int64) {
            self.number = number
            self.at = at
        }

        mutating func record(_ allocation: Allocation) {
            if count == Payment.allocationsMax {
                overflowed = true
            } else {
                records[count] = allocation
                recordCount += 1
            }
        }

        func allocation(_ k: Int) -> Allocation { records[k] }
    }

    static let reversiblePaymentsPerCustomerMax = 3

    /// v1.2: a credit source with unapplied credit that `credit.applied` or `credit.refunded`
    /// may name: a credit note, or a payment that will never be reversed (no longer
    /// remembered), so that the model never has to undo applied credit.
    struct Credit {
        let creditNote: Bool
        /// The n of `PAY-…-<n>` or `CN-…-<n>`.
        let number: Int32
        var unapplied: Int64
        /// received_on or issued_on: a refund is dated no earlier.
        let receivedOn: Int32
    }

    /// Credit sources remembered per customer, at most: older ones keep their credit unapplied.
    static let creditsPerCustomerMax = 4
    /// Sources with unapplied credit, oldest first.
    private(set) var credits: [Credit] = []

    mutating func addCredit(_ c: Credit) {
        guard c.unapplied > 0 else { return }
        if credits.count == Ledger.creditsPerCustomerMax { credits.removeFirst() }
        credits.append(c)
    }

    /// `credit_note.issued`: explicit allocations first, then automatic application, as a
    /// payment; never reversed. Returns the credit it leaves unapplied (kept as a `Credit`).
    @discardableResult
    mutating func creditNote(number: Int32, issuedOn: Int32, amount: Int64, explicit: [ExplicitAllocation]) -> Int64 {
        precondition(amount > 0)
        var left = amount
        for x in explicit {
            precondition(x.amount >= 0 && x.amount <= invoices[x.index].open && x.amount <= left, "invalid explicit allocation")
            guard x.amount > 0 else { continue }
            var records: Int32 = 0
            invoices[x.index].consume(x.amount) { _, _ in records += 1 }
            invoices[x.index].allocationsInForce += records
            left -= x.amount
        }
        left = applyAutomatically(left)
        prune()
        addCredit(Credit(creditNote: true, number: number, unapplied: left, receivedOn: issuedOn))
        return left
    }

    /// `credit.applied` of `amount` from credit `c` to invoice `i` (≤ both).
    mutating func applyCredit(_ c: Int, to i: Int, amount: Int64) {
        precondition(amount > 0 && amount <= credits[c].unapplied && amount <= invoices[i].open)
        var records: Int32 = 0
        invoices[i].consume(amount) { _, _ in records += 1 }
        invoices[i].allocationsInForce += records
        credits[c].unapplied -= amount
        if credits[c].unapplied == 0 { credits.remove(at: c) }
        pruneInvoice(i)
    }

    /// `credit.refunded` of `amount` from credit `c`.
    mutating func refund(_ c: Int, amount: Int64) {
        precondition(amount > 0 && amount <= credits[c].unapplied)
        credits[c].unapplied -= amount
        if credits[c].unapplied == 0 { credits.remove(at: c) }
    }

    /// The automatic application of v1: the earliest open installment first, in the order
    /// (due_on, issued_on, invoice id); returns what is left. Allocations are in force for good.
    private mutating func applyAutomatically(_ amount: Int64) -> Int64 {
        var left = amount
        while left > 0 {
            guard let best = firstInvoiceToSettle() else { break }
            let k = invoices[best].firstOpen!
            let take = min(left, invoices[best].open(k))
            invoices[best].reduce(k, by: take)
            invoices[best].allocationsInForce += 1
            left -= take
        }
        return left
    }
    /// Room reserved for a customer's invoices at the first one (the array grows beyond if needed).
    static let invoicesReservedCount = 4

    /// Ascending `number` (issue order); forgotten invoices removed.
    private(set) var invoices: [Invoice] = []
    /// Remembered payments, oldest first; at most `reversiblePaymentsPerCustomerMax`.
    private(set) var payments: [Payment] = []
    /// `payments.first?.at`, kept beside the arrays so that a turn need not touch them.
    private(set) var oldestPaymentAt = Int64.max

    /// What is open on all invoices: the engine's `open` for the customer.
    var openTotal: Int64 {
        var sum: Int64 = 0
        for i in invoices.indices { sum += invoices[i].open }
        return sum
    }

    /// Position of invoice `number` (binary search: invoices stay in ascending number order).
    func index(of number: Int32) -> Int? {
        var low = 0
        var high = invoices.count
        while low < high {
            let mid = (low + high) / 2
            if invoices[mid].number < number { low = mid + 1 } else { high = mid }
        }
        return low < invoices.count && invoices[low].number == number ? low : nil
    }

    mutating func issue(_ invoice: Invoice) {
        precondition(invoices.last.map { $0.number < invoice.number } ?? true)
        precondition(invoice.count > 0)
        if invoices.capacity == 0 { invoices.reserveCapacity(Ledger.invoicesReservedCount) }
        invoices.append(invoice)
    }

    /// Forgets the payments received before `cutoff` (seconds): they will not be reversed.
    mutating func forgetPayments(before cutoff: Int64) {
        guard oldestPaymentAt < cutoff else { return }
        var forgotten = 0
        while forgotten < payments.count && payments[forgotten].at < cutoff {
            release(payments[forgotten])
            forgotten += 1
        }
        if forgotten > 0 {
            payments.removeFirst(forgotten)
            oldestPaymentAt = payments.first?.at ?? Int64.max
            prune()
        }
    }

    /// `invoice.adjusted`: positive adds to the last installment, negative consumes earliest first.
    mutating func adjust(_ i: Int, by amount: Int64) {
        precondition(amount != 0)
        if amount > 0 {
            invoices[i].restore(invoices[i].count - 1, amount)
        } else {
            invoices[i].consume(-amount) { _, _ in }
            pruneInvoice(i)
        }
    }

    /// `invoice.written_off` of `amount` (the event may leave it out when it is all that is open).
    mutating func writeOff(_ i: Int, _ amount: Int64) {
        invoices[i].consume(amount) { _, _ in }
        pruneInvoice(i)
    }

    /// Feed v1.1: opens (true) or ends (false) the dispute of invoice `i`.
    mutating func setDisputed(_ i: Int, _ disputed: Bool) {
        invoices[i].disputed = disputed
    }

    /// `invoice.voided`: only without a payment allocation in force; the invoice is forgotten.
    mutating func void(_ i: Int) {
        precondition(invoices[i].allocationsInForce == 0 && invoices[i].reversalRefs == 0)
        invoices.remove(at: i)
    }

    /// The open invoice automatic application settles first: the smallest first open
    /// installment in (due_on, issued_on, invoice id) order; nil when nothing is open.
    func firstInvoiceToSettle() -> Int? {
        var best = -1
        var bestDue: Int32 = 0
        for i in invoices.indices where invoices[i].open > 0 {
            let due = invoices[i].firstOpenDue
            if best < 0 || Ledger.precedes(due, invoices[i], bestDue, invoices[best]) {
                best = i
                bestDue = due
            }
        }
        return best < 0 ? nil : best
    }

    /// Whether invoice `a` precedes invoice `b` in the automatic application order (`a`'s first
    /// open installment is due at `dueA`, `b`'s at `dueB`).
    static func precedes(_ dueA: Int32, _ a: Invoice, _ dueB: Int32, _ b: Invoice) -> Bool {
        if dueA != dueB { return dueA < dueB }
        if a.issuedOn != b.issuedOn { return a.issuedOn < b.issuedOn }
        return Ids.sequenceOrder(Int(a.number), Int(b.number))
    }

    /// `payment.received` of `amount` with explicit allocations `(invoice index, amount)` on
    /// distinct invoices, each > 0 and ≤ that invoice's open amount, summing to ≤ `amount`.
    /// Returns the unapplied credit it leaves.
    @discardableResult
    mutating func receive(
        number: Int32, at: Int64, amount: Int64, explicit: [ExplicitAllocation], receivedOn: Int32 = 0
    ) -> Int64 {
        precondition(amount > 0)
        var payment = Payment(number: number, at: at)
        payment.receivedOn = receivedOn
        var left = amount
        for x in explicit {
            let i = x.index
            let a = x.amount
            precondition(a > 0 && a <= invoices[i].open && a <= left, "invalid explicit allocation")
            let invoiceNumber = invoices[i].number
            var records: Int32 = 0
            invoices[i].consume(a) { k, take in
                payment.record(Allocation(invoice: invoiceNumber, installment: UInt8(k), amount: take))
                records += 1
            }
            invoices[i].allocationsInForce += records
            left -= a
        }
        // Automatic application: the first open installment of each invoice is that invoice's
        // earliest; the smallest of those in (due_on, issued_on, invoice id) order goes first.
        while left > 0 {
            guard let best = firstInvoiceToSettle() else { break }
            let bestK = invoices[best].firstOpen!
            let take = min(left, invoices[best].open(bestK))
            invoices[best].reduce(bestK, by: take)
            invoices[best].allocationsInForce += 1
            payment.record(Allocation(invoice: invoices[best].number, installment: UInt8(bestK), amount: take))
            left -= take
        }
        payment.unapplied = left
        if payment.overflowed {
            // Never reversed: its credit may be applied or refunded from now on.
            addCredit(Credit(creditNote: false, number: number, unapplied: left, receivedOn: receivedOn))
        } else {
            // Remembered for a possible reversal: its invoices are kept until it is forgotten.
            for k in 0..<payment.count { invoices[index(of: payment.allocation(k).invoice)!].reversalRefs += 1 }
            if payments.count == Ledger.reversiblePaymentsPerCustomerMax {
                // The oldest payment will never be reversed: its allocations stay in force for good.
                release(payments.removeFirst())
            }
            if payments.capacity == 0 { payments.reserveCapacity(Ledger.reversiblePaymentsPerCustomerMax) }
            payments.append(payment)
            oldestPaymentAt = payments.first?.at ?? Int64.max
        }
        prune()
        return left
    }

    /// `payment.reversed` of the remembered payment at position `p`.
    mutating func reverse(_ p: Int) {
        let payment = payments.remove(at: p)
        oldestPaymentAt = payments.first?.at ?? Int64.max
        for k in 0..<payment.count {
            let a = payment.allocation(k)
            guard let i = index(of: a.invoice) else { preconditionFailure("allocated invoice forgotten") }
            invoices[i].restore(Int(a.installment), a.amount)
            invoices[i].allocationsInForce -= 1
            invoices[i].reversalRefs -= 1
        }
    }

    /// A payment leaves memory: its invoices no longer need keeping on its account.
    private mutating func release(_ payment: Payment) {
        for k in 0..<payment.count { invoices[index(of: payment.allocation(k).invoice)!].reversalRefs -= 1 }
        // It will not be reversed now: its credit may be applied or refunded (v1.2).
        addCredit(Credit(creditNote: false, number: payment.number, unapplied: payment.unapplied, receivedOn: payment.receivedOn))
    }

    /// Forgets invoice `i` if nothing will name it again.
    private mutating func pruneInvoice(_ i: Int) {
        if invoices[i].open == 0 && invoices[i].reversalRefs == 0 { invoices.remove(at: i) }
    }

    /// Forgets the invoices that nothing will name again.
    private mutating func prune() {
        var any = false
        for inv in invoices where inv.open == 0 && inv.reversalRefs == 0 {
            any = true
            break
        }
        if any { invoices.removeAll { $0.open == 0 && $0.reversalRefs == 0 } }
    }
}
