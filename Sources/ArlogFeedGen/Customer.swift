import ArlogDomain

/// One simulated customer: its profile, how it pays, and its ledger (see `Ledger`).
///
/// Each call to `register` or `takeTurn` emits exactly one event, valid against the state the
/// engine will have built from the events before it.
struct Customer {
    /// At most this many invoices open at a time: a customer at the cap gets no new invoice.
    static let openInvoicesPerCustomerMax = 16
    /// Payments older than this are not reversed (cheques bounce within weeks), and forgotten.
    static let reversalWindowSeconds: Int64 = 21 * 86_400
    /// Days between two dunning actions of the same customer, at least.
    static let dunningIntervalDays = 10
    /// Days between the installments of an invoice.
    static let installmentIntervalsDays: [Int32] = [14, 30, 30, 30, 60, 90]
    /// An explicit `due_on` is `issued_on` plus one of these.
    static let dueOffsetsDays: [Int32] = [0, 7, 10, 14, 21, 30, 30, 45, 60, 90]
    /// No positive adjustment on an invoice with more open than this, so that repeated
    /// surcharges cannot grow an invoice without bound: every amount stays far below 10^12
    /// minor units (an invoice is at most about 4·10^8 when issued).
    static let surchargedOpenMinorMax: Int64 = 10_000_000_000

    let index: Int32
    let currency: Int
    let fractionDigits: Int
    let zone: Int
    let registeredOn: Int32
    /// Days after (or, negative, before) the due date this customer usually pays.
    let payDelayDays: Int
    var termsDays: Int
    var creditLimit: Int64
    var dunningLevel = 0
    var lastDunningDay: Int32 = Int32.min / 2
    var lastIssuedOn: Int32
    var nextInvoice: Int32 = 1
    var nextPayment: Int32 = 1
    var nextCreditNote: Int32 = 1
    var ledger = Ledger()
    /// The latest `at` of the customer's registration, invoices and payments: no later event of
    /// the customer may be earlier (the engine's reference rules), late entries included.
    var lastDocumentAt = Timestamp(seconds: 0)

    var profile: CurrencyProfile { Vocabulary.currencies[currency] }

    // MARK: amounts

    func minor(euroCents: Int64) -> Int64 {
        max(1, euroCents * profile.perEuroCentNumerator / profile.perEuroCentDenominator)
    }

    var minorPerMajor: Int64 { Money.powersOfTen[fractionDigits] }

    /// Rounded down to whole major units when that leaves something.
    func roundMajor(_ x: Int64) -> Int64 { x >= minorPerMajor ? x - x % minorPerMajor : x }

    static func invoiceEuroCents(_ rng: inout Xoshiro256StarStar) -> Int64 {
        let r = rng.below(1000)
        if r < 500 { return Int64(rng.between(100_00, 2_000_00)) }
        if r < 850 { return Int64(rng.between(2_000_00, 20_000_00)) }
        return Int64(rng.between(20_000_00, 250_000_00))
    }

    // MARK: registration

    static func register(index: Int32, _ e: inout Emitter) -> Customer {
        let currency = e.rng.pick(weights: Vocabulary.currencyWeights)
        let zone = e.rng.pick(weights: Offsets.weights)
        let terms = Vocabulary.termsDays[e.rng.pick(weights: Vocabulary.termsWeights)]
        let delay: Int
        switch e.rng.below(100) {
        case 0..<20: delay = -e.rng.between(1, 12)  // pays early
        case 20..<60: delay = e.rng.between(0, 3)  // on time
        case 60..<90: delay = e.rng.between(5, 40)  // late
        default: delay = e.rng.between(45, 150)  // very late
        }
        var c = Customer(
            index: index, currency: currency,
            fractionDigits: Vocabulary.currencies[currency].fractionDigits, zone: zone,
            registeredOn: e.today, payDelayDays: delay, termsDays: terms, creditLimit: 0,
            lastIssuedOn: e.today)
        let euros = Vocabulary.creditLimitEuros[e.rng.below(Vocabulary.creditLimitEuros.count)]
        c.creditLimit = c.roundMajor(c.minor(euroCents: euros * 100))

        e.begin("customer.registered", customer: index, zone: zone)
        c.lastDocumentAt = e.eventAt
        c.emitName(&e)
        e.string("currency", c.profile.code)
        e.integer("terms_days", terms)
        e.money("credit_limit", c.creditLimit, fractionDigits: c.fractionDigits)
        if e.rng.chance(perMille: 700) {
            e.string("industry", Vocabulary.industries[e.rng.below(Vocabulary.industries.count)])
        }
        if e.rng.chance(perMille: 500) { c.emitContact(&e) }
        if e.rng.chance(perMille: 600) { c.emitEmail(&e) }
        if e.rng.chance(perMille: 500) { e.date("registered_on", e.today) }
        e.end(
            actors: Vocabulary.actorsCredit, actorPerMille: 400,
            notes: Vocabulary.notesRegistration, notePerMille: 80)
        c.finish(&e)
        return c
    }

    private func emitName(_ e: inout Emitter) {
        e.lit(",\"name\":\"")
        e.lit(Vocabulary.namePrefixes[e.rng.below(Vocabulary.namePrefixes.count)])
        e.lit(" ")
        e.lit(Vocabulary.nameNouns[e.rng.below(Vocabulary.nameNouns.count)])
        e.lit(" ")
        e.lit(Vocabulary.nameSuffixes[e.rng.below(Vocabulary.nameSuffixes.count)])
        e.lit("\"")
    }

    private func emitContact(_ e: inout Emitter) {
        e.lit(",\"contact\":\"")
        e.lit(Vocabulary.firstNames[e.rng.below(Vocabulary.firstNames.count)])
        e.lit(" ")
        e.lit(Vocabulary.lastNames[e.rng.below(Vocabulary.lastNames.count)])
        e.lit("\"")
    }

    private func emitEmail(_ e: inout Emitter) {
        e.lit(",\"email\":\"")
        e.lit(Vocabulary.mailboxes[e.rng.below(Vocabulary.mailboxes.count)])
        e.lit("@c")
        e.decimal(Int(index) + 1, width: Ids.customerWidth)
        e.lit(".example.com\"")
    }

    // MARK: a turn

    /// What the customer's open items look like today.
    private struct Scan {
        var open: Int64 = 0
        var openInvoices = 0
        /// Open on installments this customer would pay by today (due + its usual delay).
        var payable: Int64 = 0
        /// Earliest due open installment (and its invoice and open amount).
        var firstDue = Int32.max
        var firstDueInvoice = -1
        var firstDueOpen: Int64 = 0
        /// What is payable (as `payable`) on the invoice `firstDueInvoice`.
        var firstDueInvoicePayable: Int64 = 0
        /// Latest open invoice without a payment allocation in force: can be voided.
        var voidable = -1
        /// Latest remembered payment (all are recent enough to bounce).
        var reversible = -1
        /// Feed v1.1: invoices with an open dispute, and the last of them; the last remembered
        /// invoice without one (open or not: a dispute of an invoice with nothing open is 0).
        var disputed = 0
        var lastDisputed = -1
        var disputable = -1
    }

    private func scan(_ e: Emitter) -> Scan {
        var s = Scan()
        // An installment is payable when due_on + payDelayDays ≤ today.
        let payableDueMax = Int(e.today) - payDelayDays
        ledger.invoices.withUnsafeBufferPointer { invoices in
            for i in invoices.indices {
                if invoices[i].disputed {
                    s.disputed += 1
                    s.lastDisputed = i
                } else {
                    s.disputable = i
                }
            }
            for i in invoices.indices where invoices[i].open > 0 {
                s.open += invoices[i].open
                s.openInvoices += 1
                if invoices[i].allocationsInForce == 0 { s.voidable = i }
                let payable = invoices[i].open(dueOnOrBefore: Int32(clamping: payableDueMax))
                s.payable += payable
                if invoices[i].firstOpenDue < s.firstDue {
                    s.firstDue = invoices[i].firstOpenDue
                    s.firstDueInvoice = i
                    s.firstDueInvoicePayable = payable
                }
            }
        }
        if s.firstDueInvoice >= 0 {
            let invoice = ledger.invoices[s.firstDueInvoice]
            s.firstDueOpen = invoice.open(invoice.firstOpen!)
        }
        if !ledger.payments.isEmpty { s.reversible = ledger.payments.count - 1 }
        return s
    }

    /// Index of the k-th (from 0) invoice with something open.
    private func openInvoice(_ k: Int) -> Int {
        var seen = 0
        for (i, inv) in ledger.invoices.enumerated() where inv.open > 0 {
            if seen == k { return i }
            seen += 1
        }
        preconditionFailure("no open invoice \(k)")
    }

    /// Whether an installment is open past its due date, judged on `today` (the dunning reset).
    private func hasOverdue(_ today: Int32) -> Bool {
        for i in ledger.invoices.indices where ledger.invoices[i].firstOpenDue < today { return true }
        return false
    }

    /// The engine judges the reset on the UTC date of the event's `at` (which a late entry
    /// moves back), not on the clock's.
    private mutating func afterReduction(_ e: Emitter) {
        if !hasOverdue(e.eventDay) { dunningLevel = 0 }
    }

    mutating func takeTurn(_ e: inout Emitter) {
        ledger.forgetPayments(before: e.now - Customer.reversalWindowSeconds)
        act(&e)
        finish(&e)
    }

    /// Closes the event; with `--audit`, first adds what this model says is open after it: on
    /// the customer (`x_model_open`) and on the invoice it names (`x_model_invoice_open`). They
    /// are unknown fields to the engine (kept, ignored); a test compares them with its own fold.
    private func finish(_ e: inout Emitter) {
        if e.audit {
            e.money("x_model_open", ledger.openTotal, fractionDigits: fractionDigits)
            if e.namedInvoice >= 0 {
                let open = ledger.index(of: e.namedInvoice).map { ledger.invoices[$0].open } ?? 0
                e.money("x_model_invoice_open", open, fractionDigits: fractionDigits)
            }
        }
        e.finish()
    }

    /// Chooses what happens on this turn and emits it (without closing the event).
    private mutating func act(_ e: inout Emitter) {
        let s = scan(e)
        let overdueDays = s.firstDue == Int32.max ? 0 : Int(e.today) - Int(s.firstDue)
        // Weights of the possible actions (0: not possible now), drawn in proportion.
        // New invoices get rarer as open ones pile up (none at the cap).
        let issueWeight =
            s.openInvoices == 0 ? 500 : max(0, 300 - 300 * s.openInvoices / Customer.openInvoicesPerCustomerMax)
        let payWeight = s.payable > 0 ? 420 : (s.open > 0 ? 35 : 6)
        let reverseWeight = s.reversible >= 0 ? 4 : 0
        let adjustWeight = s.open > 0 ? 14 : 0
        let writeOffWeight = s.open > 0 ? (overdueDays > 90 ? 90 : 4) : 0
        let voidWeight = s.voidable >= 0 ? 6 : 0
        let dunningWeight =
            overdueDays >= 3 && Int(e.today) - Int(lastDunningDay) >= Customer.dunningIntervalDays ? 150 : 0
        let creditLimitWeight = 6
        let updateWeight = 6
        // Feed v1.1: disputes of open invoices (now and then of one with nothing open),
        // resolutions of open ones, promises from customers with something overdue.
        let disputeWeight = s.disputable >= 0 ? (s.open > 0 ? 8 : 1) : 0
        let resolveWeight = s.disputed > 0 ? 20 : 0
        let promiseWeight = overdueDays >= 5 ? 45 : (s.open > 0 ? 3 : 0)
        // v1.2: credit notes now and then; idle credit applied to what is open (more when
        // something is overdue), or refunded.
        let creditNoteWeight = 5
        let applyWeight = ledger.credits.isEmpty || s.open == 0 ? 0 : (overdueDays > 0 ? 60 : 10)
        let refundWeight = ledger.credits.isEmpty ? 0 : 4
        // v1.3: a credit bureau report or the customer's statements now and then.
        let assessWeight = 5
        var r = e.rng.below(
            issueWeight + payWeight + reverseWeight + adjustWeight + writeOffWeight + voidWeight
                + dunningWeight + creditLimitWeight + updateWeight + disputeWeight + resolveWeight + promiseWeight
                + creditNoteWeight + applyWeight + refundWeight + assessWeight)
        if r < assessWeight { return assess(&e) }
        r -= assessWeight
        if r < disputeWeight { return openDispute(&e, s) }
        r -= disputeWeight
        if r < resolveWeight { return resolveDispute(&e, s) }
        r -= resolveWeight
        if r < promiseWeight { return promise(&e, s, overdueDays: overdueDays) }
        r -= promiseWeight
        if r < creditNoteWeight { return creditNote(&e, s) }
        r -= creditNoteWeight
        if r < applyWeight { return applyCredit(&e, s) }
        r -= applyWeight
        if r < refundWeight { return refund(&e) }
        r -= refundWeight
        if r < issueWeight { return issue(&e) }
        r -= issueWeight
        if r < payWeight { return pay(&e, s) }
        r -= payWeight
        if r < reverseWeight { return reverse(&e, s.reversible) }
        r -= reverseWeight
        if r < adjustWeight { return adjust(&e, openInvoice(e.rng.below(s.openInvoices))) }
        r -= adjustWeight
        if r < writeOffWeight {
            return writeOff(&e, overdueDays > 90 ? s.firstDueInvoice : openInvoice(e.rng.below(s.openInvoices)))
        }
        r -= writeOffWeight
        if r < voidWeight { return void(&e, s.voidable) }
        r -= voidWeight
        if r < dunningWeight { return dun(&e, s) }
        r -= dunningWeight
        if r < creditLimitWeight { return changeCreditLimit(&e, s) }
        update(&e)
    }

    /// The last day of the month after the month of `day`.
    static func endOfNextMonth(_ day: Int32) -> Int32 {
        let (year, month, _) = Day(number: day).civil
        let (y, m) = month >= 11 ? (year + 1, month - 10) : (year, month + 2)
        return Day(year: y, month: m, day: 1)!.number - 1
    }

    /// A business date for a document keyed in today: today, or a day or two back.
    private func backdated(_ e: inout Emitter, notBefore: Int32) -> Int32 {
        let r = e.rng.below(100)
        let back: Int32 = r < 80 ? 0 : (r < 95 ? 1 : 2)
        return max(notBefore, e.today - back)
    }

    // MARK: events

    private mutating func issue(_ e: inout Emitter) {
        let number = nextInvoice
        nextInvoice += 1
        let issuedOn = backdated(&e, notBefore: registeredOn)
        lastIssuedOn = max(lastIssuedOn, issuedOn)
        var amount = minor(euroCents: Customer.invoiceEuroCents(&e.rng))
        if e.rng.chance(perMille: 400) { amount = roundMajor(amount) }

        e.begin("invoice.issued", customer: index, zone: zone, notBefore: lastDocumentAt)
        lastDocumentAt = max(lastDocumentAt, e.eventAt)
        e.invoiceField(customer: index, number: number)
        e.money("amount", amount, fractionDigits: fractionDigits)
        e.date("issued_on", issuedOn)
        if e.rng.chance(perMille: 150) { e.string("currency", profile.code) }

        var invoice = Ledger.Invoice(number: number, issuedOn: issuedOn)
        let kind = e.rng.below(1000)
        if kind < 200 {
            // Installments: 2–6, monthly-ish, amounts > 0 summing exactly to the amount.
            let count = min(Int64(e.rng.between(2, Ledger.installmentsPerInvoiceMax)), amount)
            let interval = Customer.installmentIntervalsDays[e.rng.below(Customer.installmentIntervalsDays.count)]
            var due = issuedOn + Int32(termsDays > 0 ? termsDays : Int(interval))
            var base = amount / count
            if e.rng.chance(perMille: 700) { base = roundMajor(base) }
            for k in 0..<count {
                invoice.append(due: due, amount: k == count - 1 ? amount - base * (count - 1) : base)
                due += interval
            }
            e.lit(",\"installments\":[")
            for k in 0..<invoice.count {
                e.lit(k == 0 ? "{\"due_on\":\"" : ",{\"due_on\":\"")
                e.day(invoice.due(k))
                e.lit("\"")
                e.money("amount", invoice.open(k), fractionDigits: fractionDigits)
                e.lit("}")
            }
            e.lit("]")
        } else if kind < 550 {
            // A due date of its own: a number of days out, or the end of the next month (so
            // that invoices issued on different days fall due together).
            let due = e.rng.chance(perMille: 300)
                ? Customer.endOfNextMonth(issuedOn)
                : issuedOn + Customer.dueOffsetsDays[e.rng.below(Customer.dueOffsetsDays.count)]
            invoice.append(due: due, amount: amount)
            e.date("due_on", due)
        } else {
            // Neither: the engine derives due_on = issued_on + the customer's terms_days.
            invoice.append(due: issuedOn + Int32(termsDays), amount: amount)
        }
        e.end(actors: Vocabulary.actorsBilling, actorPerMille: 300, notes: Vocabulary.notesInvoice, notePerMille: 60)
        ledger.issue(invoice)
    }

    private mutating func pay(_ e: inout Emitter, _ s: Scan) {
        var explicit: [Ledger.ExplicitAllocation] = []
        var amount: Int64
        if s.open == 0 {
            // A deposit with nothing open: all of it stays unapplied credit.
            amount = roundMajor(minor(euroCents: Customer.invoiceEuroCents(&e.rng) / 4))
        } else if s.payable == 0 {
            // Paying ahead of the due date: the next installment, or a whole invoice named.
            if e.rng.chance(perMille: 300) {
                let i = openInvoice(e.rng.below(s.openInvoices))
                explicit.append(Ledger.ExplicitAllocation(index: i, amount: ledger.invoices[i].open))
                amount = ledger.invoices[i].open
            } else {
                amount = s.firstDueOpen
            }
        } else {
            let r = e.rng.below(1000)
            if r < 160 {
                // Remittance advice names invoices, not necessarily the oldest ones.
                let k = e.rng.below(s.openInvoices)
                let first = openInvoice(k)
                explicit.append(
                    Ledger.ExplicitAllocation(index: first, amount: allocationAmount(&e, ledger.invoices[first].open)))
                if s.openInvoices > 1 && e.rng.chance(perMille: 300) {
                    var k2 = e.rng.below(s.openInvoices - 1)
                    if k2 >= k { k2 += 1 }
                    let second = openInvoice(k2)
                    explicit.append(
                        Ledger.ExplicitAllocation(
                            index: second, amount: allocationAmount(&e, ledger.invoices[second].open)))
                }
                amount = 0
                for x in explicit { amount += x.amount }
                let extra = e.rng.below(10)
                if extra < 4 {
                    amount += roundMajor(s.payable / Int64(e.rng.between(1, 4)))
                } else if extra < 5 {
                    amount += max(1, roundMajor(amount / 10))  // a little too much: unapplied
                }
            } else if r < 340 {
                amount = max(1, roundMajor(s.payable * Int64(e.rng.between(30, 95)) / 100))
            } else if r < 400 {
                // More than everything open: the rest stays unapplied credit.
                amount = s.open + max(1, roundMajor(s.payable * Int64(e.rng.between(1, 20)) / 100))
            } else if r < 850 && s.firstDueInvoicePayable > 0 {
                amount = s.firstDueInvoicePayable  // one invoice at a time
            } else {
                amount = s.payable
            }
        }
        let number = nextPayment
        nextPayment += 1
        let receivedOn = backdated(&e, notBefore: lastIssuedOn)

        e.begin("payment.received", customer: index, zone: zone, notBefore: lastDocumentAt)
        lastDocumentAt = max(lastDocumentAt, e.eventAt)
        e.lit(",\"payment\":\"")
        e.documentID("PAY-", customer: index, number: number)
        e.lit("\"")
        e.money("amount", amount, fractionDigits: fractionDigits)
        e.date("received_on", receivedOn)
        if e.rng.chance(perMille: 300) { e.string("currency", profile.code) }
        if !explicit.isEmpty {
            writeAllocations(explicit, &e)
        }
        e.end(actors: Vocabulary.actorsCash, actorPerMille: 250, notes: Vocabulary.notesPayment, notePerMille: 60)
        ledger.receive(number: number, at: e.now, amount: amount, explicit: explicit, receivedOn: receivedOn)
        afterReduction(e)
    }

    /// All of an invoice's open amount, or part of it (> 0, ≤ open).
    private func allocationAmount(_ e: inout Emitter, _ open: Int64) -> Int64 {
        if open < 2 || e.rng.chance(perMille: 650) { return open }
        return max(1, roundMajor(open * Int64(e.rng.between(20, 90)) / 100))
    }

    private mutating func reverse(_ e: inout Emitter, _ p: Int) {
        e.begin("payment.reversed", customer: index, zone: zone, notBefore: lastDocumentAt)
        e.lit(",\"payment\":\"")
        e.documentID("PAY-", customer: index, number: ledger.payments[p].number)
        e.lit("\"")
        e.end(actors: Vocabulary.actorsCash, actorPerMille: 300, notes: Vocabulary.notesReversal, notePerMille: 600)
        ledger.reverse(p)
    }

    private mutating func adjust(_ e: inout Emitter, _ i: Int) {
        let invoice = ledger.invoices[i]
        var amount: Int64
        if e.rng.chance(perMille: 350) && invoice.open <= Customer.surchargedOpenMinorMax {
            amount = max(1, roundMajor(invoice.open * Int64(e.rng.between(1, 10)) / 100))
        } else if e.rng.chance(perMille: 150) {
            amount = -invoice.open  // a full credit note
        } else {
            amount = -min(invoice.open, max(1, roundMajor(invoice.open * Int64(e.rng.between(5, 50)) / 100)))
        }
        e.begin("invoice.adjusted", customer: index, zone: zone, notBefore: lastDocumentAt)
        e.invoiceField(customer: index, number: invoice.number)
        e.money("amount", amount, fractionDigits: fractionDigits)
        e.end(
            actors: Vocabulary.actorsBilling, actorPerMille: 400,
            notes: Vocabulary.notesAdjustment, notePerMille: 500)
        ledger.adjust(i, by: amount)
        if amount < 0 { afterReduction(e) }
    }

    private mutating func writeOff(_ e: inout Emitter, _ i: Int) {
        let invoice = ledger.invoices[i]
        let whole = e.rng.chance(perMille: 500)
        let amount = whole
            ? invoice.open : min(invoice.open, max(1, roundMajor(invoice.open * Int64(e.rng.between(10, 90)) / 100)))
        e.begin("invoice.written_off", customer: index, zone: zone, notBefore: lastDocumentAt)
        e.invoiceField(customer: index, number: invoice.number)
        if !whole { e.money("amount", amount, fractionDigits: fractionDigits) }
        e.end(actors: Vocabulary.actorsCredit, actorPerMille: 500, notes: Vocabulary.notesWriteOff, notePerMille: 400)
        ledger.writeOff(i, amount)
        // A write-off after which nothing is open ends the invoice's dispute (feed v1.1).
        if let k = ledger.index(of: invoice.number), ledger.invoices[k].open == 0 { ledger.setDisputed(k, false) }
        afterReduction(e)
    }

    private mutating func void(_ e: inout Emitter, _ i: Int) {
        e.begin("invoice.voided", customer: index, zone: zone, notBefore: lastDocumentAt)
        e.invoiceField(customer: index, number: ledger.invoices[i].number)
        e.end(actors: Vocabulary.actorsBilling, actorPerMille: 500, notes: Vocabulary.notesVoid, notePerMille: 500)
        ledger.void(i)
        afterReduction(e)
    }

    private mutating func dun(_ e: inout Emitter, _ s: Scan) {
        let level = min(4, dunningLevel + 1)
        // email, letter, phone, sms, legal
        let channel: Int
        switch level {
        case 1: channel = e.rng.chance(perMille: 700) ? 0 : 3
        case 2: channel = e.rng.chance(perMille: 700) ? 1 : 0
        case 3: channel = e.rng.chance(perMille: 600) ? 2 : 1
        default: channel = e.rng.chance(perMille: 800) ? 4 : 1
        }
        e.begin("dunning.action", customer: index, zone: zone, notBefore: lastDocumentAt)
        e.integer("level", level)
        e.string("channel", Vocabulary.dunningChannels[channel])
        if e.rng.chance(perMille: 600) {
            e.invoiceField(customer: index, number: ledger.invoices[s.firstDueInvoice].number)
        }
        e.end(
            actors: Vocabulary.actorsCollections, actorPerMille: 600,
            notes: Vocabulary.notesDunning, notePerMille: 150)
        dunningLevel = level
        lastDunningDay = e.today
    }

    // MARK: feed v1.1

    /// `dispute.opened`: part of what is open, all of it (no amount), or, on an invoice with
    /// nothing open, a dispute of 0; with a reason or without.
    private mutating func openDispute(_ e: inout Emitter, _ s: Scan) {
        var i = s.disputable
        if ledger.invoices[i].open == 0, s.open > 0, e.rng.chance(perMille: 900) {
            // Usually an open one: the first due, or any.
            let k = e.rng.chance(perMille: 500) ? s.firstDueInvoice : openInvoice(e.rng.below(s.openInvoices))
            if !ledger.invoices[k].disputed { i = k }
        }
        let invoice = ledger.invoices[i]
        e.begin("dispute.opened", customer: index, zone: zone, notBefore: lastDocumentAt)
        lastDocumentAt = max(lastDocumentAt, e.eventAt)
        e.invoiceField(customer: index, number: invoice.number)
        if invoice.open > 1, e.rng.chance(perMille: 450) {
            e.money("amount", max(1, invoice.open * Int64(e.rng.between(10, 100)) / 100), fractionDigits: fractionDigits)
        }
        if e.rng.chance(perMille: 800) { e.string("reason", Vocabulary.disputeReasons[e.rng.below(Vocabulary.disputeReasons.count)]) }
        e.end(actors: Vocabulary.actorsCollections, actorPerMille: 500, notes: Vocabulary.notesDunning, notePerMille: 50)
        ledger.setDisputed(i, true)
    }

    /// `dispute.resolved`, upheld (often followed by a credit note) or rejected.
    private mutating func resolveDispute(_ e: inout Emitter, _ s: Scan) {
        let i = s.lastDisputed
        e.begin("dispute.resolved", customer: index, zone: zone, notBefore: lastDocumentAt)
        e.invoiceField(customer: index, number: ledger.invoices[i].number)
        e.string("outcome", e.rng.chance(perMille: 500) ? "upheld" : "rejected")
        e.end(actors: Vocabulary.actorsCredit, actorPerMille: 500, notes: [], notePerMille: 0)
        ledger.setDisputed(i, false)
    }

    /// `promise.recorded`: the customer promises what is overdue (or part of it, or one
    /// invoice's open amount, naming it) by a date from today to two weeks out. Whether it is
    /// kept, broken or superseded by the next one follows from the payments that come.
    private mutating func promise(_ e: inout Emitter, _ s: Scan, overdueDays: Int) {
        var named: Int32?
        var amount: Int64
        if e.rng.chance(perMille: 350), !ledger.invoices.isEmpty {
            // One invoice: usually the oldest open one; now and then any remembered one.
            let i = s.firstDueInvoice >= 0 && e.rng.chance(perMille: 850) ? s.firstDueInvoice : e.rng.below(ledger.invoices.count)
            named = ledger.invoices[i].number
            amount = ledger.invoices[i].open > 0 ? ledger.invoices[i].open : minor(euroCents: 100_00)
        } else {
            amount = s.payable > 0 ? s.payable : max(1, s.open)
            if e.rng.chance(perMille: 300) { amount = max(1, roundMajor(amount / 2)) }
        }
        e.begin("promise.recorded", customer: index, zone: zone, notBefore: lastDocumentAt)
        if let named { e.invoiceField(customer: index, number: named) }
        e.money("amount", amount, fractionDigits: fractionDigits)
        e.date("promised_on", e.eventDay + Int32(e.rng.between(0, 14)))
        e.end(actors: Vocabulary.actorsCollections, actorPerMille: 600, notes: Vocabulary.notesDunning, notePerMille: 100)
    }

    private mutating func changeCreditLimit(_ e: inout Emitter, _ s: Scan) {
        let unit = minorPerMajor * 100
        var limit: Int64
        if e.rng.chance(perMille: 60) {
            limit = 0  // on hold
        } else if s.open > creditLimit * 9 / 10 && e.rng.chance(perMille: 600) {
            limit = s.open * 3 / 2
        } else {
            let base = creditLimit > 0 ? creditLimit : minor(euroCents: 10_000_00)
            limit = base * Int64(e.rng.between(50, 200)) / 100
        }
        limit = min(limit / unit * unit, 100_000_000_000)
        creditLimit = limit
        e.begin("credit_limit.changed", customer: index, zone: zone, notBefore: lastDocumentAt)
        e.money("credit_limit", limit, fractionDigits: fractionDigits)
        e.end(
            actors: Vocabulary.actorsCredit, actorPerMille: 600,
            notes: Vocabulary.notesCreditLimit, notePerMille: 300)
    }

    // MARK: credit data (feed v1.3)

    /// `customer.assessed` in every optional shape: bureau score only, rating only, both, some
    /// financial figures, all of them (equity and operating cash flow sometimes negative), and
    /// now and then a `currency` (not part of the event: an unknown field). `assessed_on` is on
    /// or before the UTC date of `at`; the figures are in the customer's currency.
    private mutating func assess(_ e: inout Emitter) {
        e.begin("customer.assessed", customer: index, zone: zone, notBefore: lastDocumentAt)
        e.date("assessed_on", e.eventDay - Int32(e.rng.pick(weights: [600, 200, 150, 50]) * 30))
        e.string("source", Vocabulary.assessmentSources[e.rng.below(Vocabulary.assessmentSources.count)])
        let shape = e.rng.below(6)
        if shape == 0 || shape == 2 || shape == 4 { e.integer("bureau_score", e.rng.between(0, 100)) }
        if shape == 1 || shape == 2 || shape == 4 {
            e.string("bureau_rating", Vocabulary.bureauRatings[e.rng.below(Vocabulary.bureauRatings.count)])
        }
        if shape >= 3 {
            let all = shape == 4
            let assets = minor(euroCents: Int64(e.rng.between(50_000, 50_000_000)) * 100)
            let liabilities = assets * Int64(e.rng.between(10, 130)) / 100
            let current = assets * Int64(e.rng.between(20, 70)) / 100
            let figures: [(key: StaticString, value: Int64)] = [
                ("revenue", assets * Int64(e.rng.between(50, 300)) / 100), ("total_assets", assets),
                ("total_liabilities", liabilities), ("current_assets", current),
                ("current_liabilities", max(0, liabilities * Int64(e.rng.between(20, 80)) / 100)),
                // Negative when liabilities exceed assets.
                ("equity", assets - liabilities),
                ("operating_cash_flow", assets * Int64(e.rng.between(-20, 30)) / 100),
            ]
            var any = false
            for (i, f) in figures.enumerated() where all || e.rng.chance(perMille: 600) || (i == 6 && !any) {
                e.money(f.key, f.value, fractionDigits: fractionDigits)
                any = true
            }
            let (year, _, _) = Day(number: e.eventDay).civil
            e.date("fiscal_year_end", Day(year: year - 1, month: 12, day: 31)!.number)
        }
        if e.rng.chance(perMille: 50) { e.string("currency", profile.code) }
        e.end(actors: Vocabulary.actorsCredit, actorPerMille: 500, notes: [], notePerMille: 0)
    }

    // MARK: cash application (feed v1.2)

    /// `"allocations":[...]` of a payment or a credit note, the invoices by their ids.
    private func writeAllocations(_ explicit: [Ledger.ExplicitAllocation], _ e: inout Emitter) {
        e.lit(",\"allocations\":[")
        for (k, x) in explicit.enumerated() {
            e.lit(k == 0 ? "{\"invoice\":\"" : ",{\"invoice\":\"")
            e.documentID("INV-", customer: index, number: ledger.invoices[x.index].number)
            e.lit("\"")
            e.money("amount", x.amount, fractionDigits: fractionDigits)
            e.lit("}")
        }
        e.lit("]")
    }

    /// `credit_note.issued`: a rebate or goodwill credit, with explicit allocations, an empty
    /// list or none; what no open installment takes stays unapplied.
    private mutating func creditNote(_ e: inout Emitter, _ s: Scan) {
        let number = nextCreditNote
        nextCreditNote += 1
        var explicit: [Ledger.ExplicitAllocation] = []
        var amount = max(1, roundMajor(minor(euroCents: Customer.invoiceEuroCents(&e.rng) / 8)))
        let r = e.rng.below(10)
        if s.open > 0, r < 4 {
            let i = openInvoice(e.rng.below(s.openInvoices))
            // A zero allocation is accepted too: the invoice is checked, nothing applied.
            let a = e.rng.chance(perMille: 100) ? 0 : allocationAmount(&e, ledger.invoices[i].open)
            explicit.append(Ledger.ExplicitAllocation(index: i, amount: a))
            amount = max(amount, a)
        }
        let issuedOn = backdated(&e, notBefore: lastIssuedOn)
        e.begin("credit_note.issued", customer: index, zone: zone, notBefore: lastDocumentAt)
        lastDocumentAt = max(lastDocumentAt, e.eventAt)
        e.lit(",\"credit_note\":\"")
        e.documentID("CN-", customer: index, number: number)
        e.lit("\"")
        e.money("amount", amount, fractionDigits: fractionDigits)
        e.date("issued_on", issuedOn)
        if e.rng.chance(perMille: 200) { e.string("currency", profile.code) }
        if e.rng.chance(perMille: 500) { e.string("reason", Vocabulary.creditNoteReasons[e.rng.below(Vocabulary.creditNoteReasons.count)]) }
        if !explicit.isEmpty {
            writeAllocations(explicit, &e)
        } else if r < 6 {
            e.lit(",\"allocations\":[]")
        }
        e.end(actors: Vocabulary.actorsCredit, actorPerMille: 400, notes: Vocabulary.notesAdjustment, notePerMille: 200)
        ledger.creditNote(number: number, issuedOn: issuedOn, amount: amount, explicit: explicit)
        afterReduction(e)
    }

    /// The source member of a credit: `"payment":"PAY-…"` or `"credit_note":"CN-…"`.
    private func creditSource(_ e: inout Emitter, _ c: Ledger.Credit) {
        if c.creditNote {
            e.lit(",\"credit_note\":\"")
            e.documentID("CN-", customer: index, number: c.number)
        } else {
            e.lit(",\"payment\":\"")
            e.documentID("PAY-", customer: index, number: c.number)
        }
        e.lit("\"")
    }

    /// `credit.applied`: idle credit onto the oldest overdue invoice (or any open one), all
    /// that fits or a part; the source named before or after the invoice.
    private mutating func applyCredit(_ e: inout Emitter, _ s: Scan) {
        let c = e.rng.below(ledger.credits.count)
        let i = s.firstDueInvoice >= 0 && e.rng.chance(perMille: 700) ? s.firstDueInvoice : openInvoice(e.rng.below(s.openInvoices))
        let most = min(ledger.credits[c].unapplied, ledger.invoices[i].open)
        let amount = e.rng.chance(perMille: 700) ? most : max(1, roundMajor(most * Int64(e.rng.between(20, 90)) / 100))
        let credit = ledger.credits[c]
        e.begin("credit.applied", customer: index, zone: zone, notBefore: lastDocumentAt)
        let sourceFirst = e.rng.chance(perMille: 600)
        if sourceFirst { creditSource(&e, credit) }
        e.invoiceField(customer: index, number: ledger.invoices[i].number)
        if !sourceFirst { creditSource(&e, credit) }
        e.money("amount", amount, fractionDigits: fractionDigits)
        e.end(actors: Vocabulary.actorsCash, actorPerMille: 300, notes: [], notePerMille: 0)
        ledger.applyCredit(c, to: i, amount: amount)
        afterReduction(e)
    }

    /// `credit.refunded`: some or all of a source's idle credit paid back.
    private mutating func refund(_ e: inout Emitter) {
        let c = e.rng.below(ledger.credits.count)
        let credit = ledger.credits[c]
        let amount = e.rng.chance(perMille: 600) ? credit.unapplied : max(1, roundMajor(credit.unapplied / 2))
        e.begin("credit.refunded", customer: index, zone: zone, notBefore: lastDocumentAt)
        creditSource(&e, credit)
        e.money("amount", amount, fractionDigits: fractionDigits)
        e.date("refunded_on", max(credit.receivedOn, e.eventDay))
        e.end(actors: Vocabulary.actorsCash, actorPerMille: 300, notes: Vocabulary.notesPayment, notePerMille: 100)
        ledger.refund(c, amount: amount)
    }

    private mutating func update(_ e: inout Emitter) {
        // One or two of name, terms_days, industry, contact, email.
        let first = e.rng.below(5)
        let second = e.rng.chance(perMille: 400) ? (first + 1 + e.rng.below(4)) % 5 : first
        e.begin("customer.updated", customer: index, zone: zone, notBefore: lastDocumentAt)
        for field in 0..<5 where field == first || field == second {
            switch field {
            case 0: emitName(&e)
            case 1:
                termsDays = Vocabulary.termsDays[e.rng.pick(weights: Vocabulary.termsWeights)]
                e.integer("terms_days", termsDays)
            case 2: e.string("industry", Vocabulary.industries[e.rng.below(Vocabulary.industries.count)])
            case 3: emitContact(&e)
            default: emitEmail(&e)
            }
        }
        e.end(actors: Vocabulary.actorsCredit, actorPerMille: 400, notes: Vocabulary.notesUpdate, notePerMille: 200)
    }
}
