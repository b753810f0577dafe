import ArlogFeedGen
@testable import ArlogDomain

/// A small seeded generator (SplitMix64): the same seed gives the same feed on every machine.
struct SeededRandom {
    var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(state: seed &+ 0x9E37_79B9_7F4A_7C15) }

    mutating func next() -> UInt64 { generator.next() }

    /// 0..<n (n > 0).
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// lo...hi.
    mutating func between(_ lo: Int, _ hi: Int) -> Int { lo + below(hi - lo + 1) }

    mutating func chance(perMille p: Int) -> Bool { below(1000) < p }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

/// What a hand-built feed is made of: how many events and customers, and how often each
/// awkward shape comes up.
struct ShapeOptions {
    var events = 1500
    var customers = 6
    /// Installments per invoice with installments, at most (one invoice in 20 gets up to
    /// `installmentsBigMax`).
    var installmentsMax = 12
    var installmentsBigMax = 120
    /// Events whose `at` is earlier than events already logged.
    var latePerMille = 150
    /// One customer ("BIG") gets this many invoices first, then a quarter of all turns.
    var heavyInvoices = 0
    var policyPerMille = 6
    var reviewPerMille = 25
    /// Lines sent again as they were (duplicates) or under a used id with other content (conflicts).
    var repeatPerMille = 10
    /// Feed v1.3: exchange rates (log-wide) and customer assessments.
    var fxPerMille = 12
    var assessPerMille = 30
}

/// A seeded random feed of the shapes the fold finds hard: many installments, late entries,
/// reversals of payments that settled invoices, voids, write-offs, positive adjustments of
/// settled invoices, credit notes, explicit allocations, a customer with thousands of open
/// invoices, policy changes and reviews at various dates, terms changes between invoices.
/// It reads the oracle's state to choose mostly valid events (amounts within what is open,
/// `at` not before what an event names); some are invalid on purpose, so that rejections are
/// compared too.
struct ShapeFeed {
    var rng: SeededRandom
    let options: ShapeOptions
    /// The feed's present: most events are at it; late ones before it.
    var clock = Timestamp(parsing: "2025-01-01T08:00:00Z")!
    var counter = 0
    var invoiceCounter = 0
    var paymentCounter = 0
    var customerCounter = 0
    var recent: [String] = []
    var heavyLeft: Int

    static let currencies = ["EUR", "EUR", "JPY", "BHD", "USD"]

    /// Policies that differ in window, weights, grade lines and alert levels.
    static let policies: [CreditPolicy] = {
        var short = CreditPolicy.default
        short.name = "short window"
        short.windowDays = 60
        short.weights = [50, 20, 10, 10, 5, 5]
        var strict = CreditPolicy.default
        strict.name = "strict"
        strict.windowDays = 180
        strict.gradeMinScores = [92, 82, 70, 55]
        strict.alertScoreBelow = 70
        strict.alertUtilisationPercent = 40
        strict.overduePenalties = [40, 70, 90, 100]
        var lenient = CreditPolicy.default
        lenient.name = "lenient"
        lenient.windowDays = 730
        lenient.weights = [10, 40, 20, 0, 20, 10]
        lenient.gradeMinScores = [70, 50, 30, 10]
        lenient.alertScoreBelow = 20
        return [short, strict, lenient, .default]
    }()

    init(seed: UInt64, options: ShapeOptions) {
        rng = SeededRandom(seed: seed)
        self.options = options
        heavyLeft = options.heavyInvoices
    }

    mutating func nextID(_ prefix: String = "s") -> String {
        counter += 1
        return "\(prefix)\(counter)"
    }

    /// The `at` of an event that may not precede `floor`: usually the clock; a late entry
    /// lies between the floor and the clock; rarely (a rejection) just before the floor.
    mutating func at(floor: Timestamp) -> Timestamp {
        if rng.chance(perMille: 4) { return Timestamp(seconds: floor.seconds - 1, nanos: floor.nanos) }
        if floor < clock, rng.chance(perMille: options.latePerMille) {
            if rng.chance(perMille: 100) { return floor }
            let span = clock.seconds - floor.seconds
            guard span > 1 else { return clock }
            return Timestamp(seconds: floor.seconds + Int64(rng.below(Int(span))), nanos: Int32(rng.below(1000)) * 1_000_000)
        }
        return clock
    }

    mutating func money(_ minor: Int64, _ digits: Int) -> String { Money.format(minor, fractionDigits: digits) }

    /// Amounts in minor units: mostly small, sometimes large.
    mutating func amount(_ digits: Int) -> Int64 {
        let unit = Int64([1, 10, 100, 1000, 10_000][digits])
        switch rng.below(10) {
        case 0: return Int64(rng.between(1, 99))
        case 1...6: return Int64(rng.between(1, 5_000)) * unit
        case 7, 8: return max(1, Int64(rng.between(1, 500_000)) * unit / 10 + Int64(rng.below(100)))
        default: return Int64(rng.between(1, 90_000_000)) * unit
        }
    }

    func day(_ t: Timestamp, _ days: Int) -> String { t.utcDay.adding(days: days).description }

    /// The next line, given what the oracle accepted so far.
    mutating func next(_ o: OracleLog) -> String {
        clock = Timestamp(seconds: clock.seconds + Int64(rng.below(2 * 86_400)), nanos: 0)
        if !recent.isEmpty, rng.chance(perMille: options.repeatPerMille) {
            let line = rng.pick(recent)
            // The same line again (a duplicate), or its id with other content (a conflict).
            return rng.chance(perMille: 700) ? line : line.replacingFirst("\"at\":\"", with: "\"note\":\"changed\",\"at\":\"")
        }
        let line = make(o)
        recent.append(line)
        if recent.count > 64 { recent.removeFirst() }
        return line
    }

    mutating func make(_ o: OracleLog) -> String {
        let customers = o.ledgers.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        if options.heavyInvoices > 0, o.ledgers["BIG"] == nil { return register("BIG", limit: 5_000_000_000) }
        if customers.count < options.customers, customers.isEmpty || rng.chance(perMille: 40) {
            customerCounter += 1
            return register("C\(customerCounter)", limit: Int64(rng.below(4)) * 10_000_000)
        }
        if rng.chance(perMille: options.policyPerMille) {
            let p = rng.pick(ShapeFeed.policies)
            return RiskLines.policy(nextID("pol"), at: at(floor: Timestamp(seconds: clock.seconds - 90 * 86_400)).description, p)
        }
        if rng.chance(perMille: options.fxPerMille) { return fxRate() }
        if rng.chance(perMille: options.reviewPerMille) {
            // At the clock, late, or ahead of it (the projector's clock per customer only moves forward).
            var t = at(floor: Timestamp(seconds: clock.seconds - 120 * 86_400))
            if rng.chance(perMille: 250) { t = Timestamp(seconds: clock.seconds + Int64(rng.between(1, 200)) * 86_400) }
            return RiskLines.reviewed(nextID("rv"), at: t.description)
        }
        let name: String
        if heavyLeft > 0 {
            heavyLeft -= 1
            name = "BIG"
        } else if options.heavyInvoices > 0, rng.chance(perMille: 250) {
            name = "BIG"
        } else {
            name = rng.pick(customers)
        }
        guard let l = o.ledgers[name] else { return register(name, limit: 0) }
        if name == "BIG", heavyLeft > 0 || (options.heavyInvoices > 0 && rng.chance(perMille: 300)) { return issue(l) }
        if rng.chance(perMille: options.assessPerMille) { return assess(l) }
        // Feed v1.2: standalone credit notes, applied credit, refunds.
        if rng.chance(perMille: 110) {
            switch rng.below(3) {
            case 0: return standaloneCreditNote(l)
            case 1: return applyCredit(l)
            default: return refund(l)
            }
        }
        switch rng.below(100) {
        case 0..<19: return issue(l)
        case 19..<21: return dispute(l)
        case 21..<22: return resolveDispute(l)
        case 22..<23: return promise(l)
        case 23..<24: return contact(l)
        case 24..<48: return pay(l)
        case 48..<55: return reverse(l)
        case 55..<62: return adjustUp(l)
        case 62..<70: return creditNote(l)
        case 70..<75: return void(l)
        case 75..<81: return writeOff(l)
        case 81..<89: return dun(l)
        case 89..<95: return updateTerms(l)
        default: return changeLimit(l)
        }
    }

    mutating func register(_ customer: String, limit: Int64) -> String {
        let currency = rng.pick(ShapeFeed.currencies)
        let digits = Currency(code: currency)!.fractionDigits
        var body = #""name":"Customer \#(customer)","currency":"\#(currency)","terms_days":\#(rng.pick([0, 7, 14, 30, 30, 45, 60, 90])),"credit_limit":"\#(money(limit, digits))""#
        if rng.chance(perMille: 300) { body += #","registered_on":"\#(day(clock, -rng.between(0, 900)))""# }
        if rng.chance(perMille: 300) { body += #","industry":"retail","email":"ap@example.com""# }
        return eventLine(nextID("r"), "customer.registered", customer, at: clock.description, body)
    }

    /// The customer's invoices (oracle), optionally only those matching `filter`.
    func invoices(_ l: OracleLedger, _ filter: (OracleInvoice) -> Bool = { _ in true }) -> [OracleInvoice] {
        l.invoices.filter(filter)
    }

    mutating func issue(_ l: OracleLedger) -> String {
        invoiceCounter += 1
        let id = "INV-\(invoiceCounter)"
        let digits = l.currency.fractionDigits
        let t = at(floor: l.profile.registeredAt)
        let issued = rng.between(-40, 3)
        var body = #""invoice":"\#(id)","issued_on":"\#(day(t, issued))""#
        var total = amount(digits)
        switch rng.below(10) {
        case 0...3:
            body += #","due_on":"\#(day(t, issued + rng.pick([0, 0, 10, 30, 45, 60, 90, 120])))""#
        case 4...6:
            break  // due from the customer's terms
        default:
            let big = rng.chance(perMille: 50)
            let k = rng.between(1, big ? options.installmentsBigMax : options.installmentsMax)
            if total < Int64(k) { total = Int64(k) * Int64(rng.between(1, 50)) }
            var left = total
            var parts: [String] = []
            for i in 0..<k {
                let a = i == k - 1 ? left : max(1, min(left - Int64(k - 1 - i), Int64(rng.between(1, Int(max(1, 2 * total / Int64(k)))))))
                left -= a
                // Due dates in any order, some equal.
                let due = issued + (rng.chance(perMille: 150) ? 30 : rng.between(0, 240))
                parts.append(#"{"due_on":"\#(day(t, due))","amount":"\#(money(a, digits))"}"#)
            }
            body += #","installments":[\#(parts.joined(separator: ","))]"#
        }
        body += #","amount":"\#(money(total, digits))""#
        if rng.chance(perMille: 100) { body += #","currency":"\#(l.currency.code)""# }
        return eventLine(nextID("i"), "invoice.issued", l.profile.id, at: t.description, body)
    }

    mutating func pay(_ l: OracleLedger) -> String {
        paymentCounter += 1
        let id = "PAY-\(paymentCounter)"
        let digits = l.currency.fractionDigits
        var floor = l.profile.registeredAt
        var allocations: [String] = []
        var allocated: Int64 = 0
        let open = invoices(l) { $0.open > 0 && !$0.voided }
        if !open.isEmpty, rng.chance(perMille: 350) {
            for _ in 0..<rng.between(1, 3) {
                let inv = rng.pick(open)
                // A second allocation to the same invoice may exceed what is open: a rejection.
                let a = rng.chance(perMille: 500) ? inv.open : Int64(rng.between(1, Int(max(1, inv.open))))
                allocations.append(#"{"invoice":"\#(inv.id)","amount":"\#(money(a, digits))"}"#)
                allocated += a
                floor = max(floor, inv.issuedAt)
            }
        }
        let t = at(floor: floor)
        var total: Int64
        switch rng.below(10) {
        case 0: total = allocated + amount(digits) * 5  // leaves unapplied credit
        case 1...4: total = max(allocated, l.totals.open > 0 ? Int64(rng.between(1, Int(max(1, l.totals.open)))) : amount(digits))
        case 5, 6: total = max(allocated, l.totals.open)  // settles everything (not the heavy customer: below)
        default: total = allocated + amount(digits)
        }
        // The heavy customer pays a little at a time: its thousands of invoices stay open.
        if l.profile.id == "BIG" { total = allocated + min(amount(digits), max(1, l.totals.open / 200)) }
        if total == 0 { total = 1 }
        if rng.chance(perMille: 20), allocated > 1 { total = allocated - 1 }  // allocation.exceeds_payment
        var body = #""payment":"\#(id)","amount":"\#(money(total, digits))","received_on":"\#(day(t, rng.between(-30, 5)))""#
        if !allocations.isEmpty { body += #","allocations":[\#(allocations.joined(separator: ","))]"# }
        return eventLine(nextID("p"), "payment.received", l.profile.id, at: t.description, body)
    }

    mutating func reverse(_ l: OracleLedger) -> String {
        let live = l.payments.filter { !$0.reversed && !$0.creditNote }
        guard !live.isEmpty else { return pay(l) }
        // Prefer payments that settled an invoice.
        let settling = live.filter { p in p.allocations.contains { l.invoices[Int($0.invoice)].open == 0 } }
        let p = !settling.isEmpty && rng.chance(perMille: 700) ? rng.pick(settling) : rng.pick(l.payments)
        return eventLine(nextID("x"), "payment.reversed", l.profile.id, at: at(floor: p.at).description, #""payment":"\#(p.id)""#)
    }

    mutating func adjustUp(_ l: OracleLedger) -> String {
        // Prefer settled invoices (the adjustment reopens them).
        let settled = invoices(l) { $0.open == 0 && !$0.voided }
        let any = invoices(l) { !$0.voided }
        guard let inv = !settled.isEmpty && rng.chance(perMille: 600) ? rng.pick(settled) : any.isEmpty ? nil : rng.pick(any) else { return issue(l) }
        return eventLine(nextID("a"), "invoice.adjusted", l.profile.id, at: at(floor: inv.issuedAt).description,
                         #""invoice":"\#(inv.id)","amount":"\#(money(amount(l.currency.fractionDigits), l.currency.fractionDigits))""#)
    }

    mutating func creditNote(_ l: OracleLedger) -> String {
        let open = invoices(l) { $0.open > 0 }
        guard !open.isEmpty else { return adjustUp(l) }
        let inv = rng.pick(open)
        var a = rng.chance(perMille: 300) ? inv.open : Int64(rng.between(1, Int(inv.open)))
        if rng.chance(perMille: 30) { a = inv.open + 1 }  // amount.exceeds_open
        return eventLine(nextID("a"), "invoice.adjusted", l.profile.id, at: at(floor: inv.issuedAt).description,
                         #""invoice":"\#(inv.id)","amount":"-\#(money(a, l.currency.fractionDigits))""#)
    }

    /// v1.2: a credit note with explicit allocations, an empty list or none; a reason, a
    /// currency, members in another order; now and then an id already used (a rejection).
    mutating func standaloneCreditNote(_ l: OracleLedger) -> String {
        paymentCounter += 1
        let notes = l.payments.filter(\.creditNote)
        let id = !notes.isEmpty && rng.chance(perMille: 20) ? rng.pick(notes).id : "CN-\(paymentCounter)"
        let digits = l.currency.fractionDigits
        var floor = l.profile.registeredAt
        var allocations: [String] = []
        var allocated: Int64 = 0
        let open = invoices(l) { $0.open > 0 && !$0.voided }
        if !open.isEmpty, rng.chance(perMille: 400) {
            for _ in 0..<rng.between(1, 2) {
                let inv = rng.pick(open)
                let a = rng.chance(perMille: 400) ? inv.open : Int64(rng.between(0, Int(max(1, inv.open))))
                allocations.append(#"{"amount":"\#(money(a, digits))","invoice":"\#(inv.id)"}"#)
                allocated += a
                floor = max(floor, inv.issuedAt)
            }
        }
        let t = at(floor: floor)
        var total = rng.chance(perMille: 500) ? allocated + amount(digits) : max(allocated, Int64(rng.between(1, Int(max(1, l.totals.open)))))
        // The heavy customer's invoices stay open, as with its payments.
        if l.profile.id == "BIG" { total = allocated + min(amount(digits), max(1, l.totals.open / 200)) }
        if total == 0 { total = 1 }
        let issued = day(t, rng.between(-20, 2))
        var body = rng.chance(perMille: 300)
            ? #""amount":"\#(money(total, digits))","issued_on":"\#(issued)","credit_note":"\#(id)""#
            : #""credit_note":"\#(id)","amount":"\#(money(total, digits))","issued_on":"\#(issued)""#
        if rng.chance(perMille: 300) { body += #","reason":"\#(rng.pick(["volume rebate", "", "goodwill — ünïcode", "return of goods"]))""# }
        if rng.chance(perMille: 100) { body += #","currency":"\#(l.currency.code)""# }
        if !allocations.isEmpty {
            body += #","allocations":[\#(allocations.joined(separator: ","))]"#
        } else if rng.chance(perMille: 200) {
            body += #","allocations":[]"#
        }
        return eventLine(nextID("cn"), "credit_note.issued", l.profile.id, at: t.description, body)
    }

    /// A source's member: `"payment":…` or `"credit_note":…`.
    func sourceMember(_ p: OraclePayment) -> String { p.creditNote ? #""credit_note":"\#(p.id)""# : #""payment":"\#(p.id)""# }

    /// v1.2: credit.applied from a source with credit to an open invoice; sometimes more than
    /// either holds, a reversed source or a voided invoice (rejections).
    mutating func applyCredit(_ l: OracleLedger) -> String {
        let sources = l.payments.filter { rng.chance(perMille: 30) || (!$0.reversed && $0.unapplied > 0) }
        let open = invoices(l) { rng.chance(perMille: 30) || ($0.open > 0 && !$0.voided) }
        guard !sources.isEmpty, !open.isEmpty else { return standaloneCreditNote(l) }
        let p = rng.pick(sources)
        let inv = rng.pick(open)
        let most = max(1, min(p.unapplied, inv.open))
        var a = rng.chance(perMille: 500) ? most : Int64(rng.between(1, Int(most)))
        if rng.chance(perMille: 30) { a = most + 1 }
        let t = at(floor: max(p.at, inv.issuedAt))
        let digits = l.currency.fractionDigits
        let body = rng.chance(perMille: 300)
            ? #""invoice":"\#(inv.id)","amount":"\#(money(a, digits))",\#(sourceMember(p))"#
            : #"\#(sourceMember(p)),"invoice":"\#(inv.id)","amount":"\#(money(a, digits))""#
        return eventLine(nextID("ca"), "credit.applied", l.profile.id, at: t.description, body)
    }

    /// v1.2: a refund of some or all of a source's credit; sometimes more than it holds, or
    /// dated before the source (rejections).
    mutating func refund(_ l: OracleLedger) -> String {
        let sources = l.payments.filter { rng.chance(perMille: 30) || (!$0.reversed && $0.unapplied > 0) }
        guard !sources.isEmpty else { return standaloneCreditNote(l) }
        let p = rng.pick(sources)
        var a = rng.chance(perMille: 400) ? max(1, p.unapplied) : Int64(rng.between(1, Int(max(1, p.unapplied))))
        if rng.chance(perMille: 30) { a = p.unapplied + 1 }
        let t = at(floor: p.at)
        let on = rng.chance(perMille: 30) ? p.receivedOn.adding(days: -1) : max(p.receivedOn, t.utcDay.adding(days: rng.between(-3, 3)))
        let body = #"\#(sourceMember(p)),"amount":"\#(money(a, l.currency.fractionDigits))","refunded_on":"\#(on)""#
        return eventLine(nextID("rf"), "credit.refunded", l.profile.id, at: t.description, body)
    }

    mutating func void(_ l: OracleLedger) -> String {
        let voidable = invoices(l) { $0.paid == 0 && $0.creditNotes == 0 && !$0.voided }
        let inv: OracleInvoice
        if !voidable.isEmpty, rng.chance(perMille: 900) {
            inv = rng.pick(voidable)
        } else if let any = l.invoices.isEmpty ? nil : rng.pick(l.invoices) {
            inv = any  // may be rejected: allocations in force, already voided
        } else {
            return issue(l)
        }
        return eventLine(nextID("v"), "invoice.voided", l.profile.id, at: at(floor: inv.issuedAt).description, #""invoice":"\#(inv.id)""#)
    }

    mutating func writeOff(_ l: OracleLedger) -> String {
        let open = invoices(l) { $0.open > 0 }
        guard let inv = open.isEmpty ? (l.invoices.isEmpty ? nil : rng.pick(l.invoices)) : rng.pick(open) else { return issue(l) }
        var body = #""invoice":"\#(inv.id)""#
        if inv.open > 0, rng.chance(perMille: 500) {
            body += #","amount":"\#(money(Int64(rng.between(1, Int(inv.open))), l.currency.fractionDigits))""#
        }
        return eventLine(nextID("w"), "invoice.written_off", l.profile.id, at: at(floor: inv.issuedAt).description, body)
    }

    mutating func dun(_ l: OracleLedger) -> String {
        var body = #""level":\#(rng.between(1, 4)),"channel":"\#(rng.pick(["email", "letter", "phone", "sms", "legal"]))""#
        var floor = l.profile.registeredAt
        if !l.invoices.isEmpty, rng.chance(perMille: 400) {
            let inv = rng.pick(l.invoices)
            body += #","invoice":"\#(inv.id)""#
            floor = inv.issuedAt
        }
        return eventLine(nextID("d"), "dunning.action", l.profile.id, at: at(floor: floor).description, body)
    }

    /// Feed v1.1: a dispute of an open invoice, partial or whole, with or without a reason;
    /// sometimes of more than is open, of an invoice already disputed or voided (rejections).
    mutating func dispute(_ l: OracleLedger) -> String {
        let open = invoices(l) { $0.open > 0 && !$0.voided && l.collections.disputes[$0.id] == nil }
        guard let inv = open.isEmpty || rng.chance(perMille: 100) ? (l.invoices.isEmpty ? nil : rng.pick(l.invoices)) : rng.pick(open) else {
            return issue(l)
        }
        var body = #""invoice":"\#(inv.id)""#
        if inv.open > 0, rng.chance(perMille: 500) {
            body += #","amount":"\#(money(Int64(rng.between(1, Int(inv.open))), l.currency.fractionDigits))""#
        } else if rng.chance(perMille: 60) {
            body += #","amount":"\#(money(inv.open + 1, l.currency.fractionDigits))""#
        }
        if rng.chance(perMille: 500) { body += #","reason":"\#(rng.pick(["damaged goods", "not delivered", "", "price différent"]))""# }
        return eventLine(nextID("dp"), "dispute.opened", l.profile.id, at: at(floor: inv.issuedAt).description, body)
    }

    /// Feed v1.1: a resolution, upheld or rejected, of an open dispute (sometimes of none).
    mutating func resolveDispute(_ l: OracleLedger) -> String {
        let disputed = l.collections.disputes.keys.sorted()
        let id: String
        var floor: Timestamp
        if !disputed.isEmpty, rng.chance(perMille: 900) {
            id = rng.pick(disputed)
            floor = max(l.invoice(id)?.issuedAt ?? l.profile.registeredAt, l.collections.disputes[id]?.openedAt ?? l.profile.registeredAt)
        } else if let inv = l.invoices.isEmpty ? nil : rng.pick(l.invoices) {
            id = inv.id
            floor = inv.issuedAt
        } else {
            return issue(l)
        }
        if floor > clock { floor = clock }
        let outcome = rng.chance(perMille: 20) ? "withdrawn" : rng.pick(["upheld", "rejected"])
        return eventLine(nextID("dr"), "dispute.resolved", l.profile.id, at: at(floor: floor).description,
                         #""invoice":"\#(id)","outcome":"\#(outcome)""#)
    }

    /// Feed v1.1: a promise to pay, customer-wide or of one invoice (voided or settled ones
    /// too), due from the day it is recorded to a few weeks later; rarely dated before it.
    mutating func promise(_ l: OracleLedger) -> String {
        var floor = l.profile.registeredAt
        var body = #""amount":"\#(money(amount(l.currency.fractionDigits), l.currency.fractionDigits))""#
        if !l.invoices.isEmpty, rng.chance(perMille: 400) {
            let open = invoices(l) { $0.open > 0 }
            let inv = !open.isEmpty && rng.chance(perMille: 800) ? rng.pick(open) : rng.pick(l.invoices)
            body += #","invoice":"\#(inv.id)""#
            floor = inv.issuedAt
        }
        let t = at(floor: floor)
        let days = rng.chance(perMille: 20) ? -1 : rng.between(0, 40)
        body += #","promised_on":"\#(day(t, days))""#
        return eventLine(nextID("pr"), "promise.recorded", l.profile.id, at: t.description, body)
    }

    /// Feed v1.3: an exchange rate between two of a few currencies, `on` before, at or after
    /// the clock (published in advance), several for the same pair and day; some invalid (the
    /// same currency twice, a customer, too many fraction digits, 0).
    mutating func fxRate() -> String {
        let codes = ["EUR", "USD", "JPY", "BHD", "GBP"]
        let currency = rng.pick(codes)
        var base = rng.pick(["EUR", "EUR", "USD"])
        if base == currency, !rng.chance(perMille: 100) { base = currency == "EUR" ? "USD" : "EUR" }
        let on = day(clock, rng.pick([-30, -1, 0, 0, 0, 1, 7]))
        var rate = "\(rng.between(0, 150)).\(String(rng.between(0, 99_999)))"
        if rng.chance(perMille: 30) { rate = "1.12345678901" }
        if rng.chance(perMille: 30) { rate = "0.000" }
        let t = at(floor: Timestamp(seconds: clock.seconds - 60 * 86_400)).description
        var body = #""currency":"\#(currency)","base":"\#(base)","rate":"\#(rate)","on":"\#(on)""#
        if rng.chance(perMille: 20) { body += #","customer":"C1""# }
        return #"{"id":"\#(nextID("fx"))","type":"fx.rate","at":"\#(t)",\#(body)}"#
    }

    /// Feed v1.3: an assessment of every optional shape (bureau data only, figures only, both,
    /// negative equity and cash flow), `assessed_on` before, at or (rejected) after the date of
    /// `at`; some invalid (no data, figures without fiscal_year_end, a negative revenue, too
    /// precise for the currency).
    mutating func assess(_ l: OracleLedger) -> String {
        let digits = l.currency.fractionDigits
        let t = at(floor: l.profile.registeredAt)
        var body = #""assessed_on":"\#(day(t, rng.pick([0, 0, -1, -40, -400, 1])))","source":"\#(rng.pick(["bureau:dnb", "annual-review", "ß-rating"]))""#
        let shape = rng.below(6)
        if shape == 0 || shape == 2 || shape == 5 { body += #","bureau_score":\#(rng.between(0, 100))"# }
        if shape == 1 || shape == 2 { body += #","bureau_rating":"\#(rng.pick(["AAA", "B+", "3A2", "Ba1"]))""# }
        if shape >= 2 {
            var any = false
            for f in FinancialFigure.allCases where rng.chance(perMille: 600) {
                var v = amount(digits)
                if f.mayBeNegative, rng.chance(perMille: 300) { v = -v }
                if rng.chance(perMille: 10) { v = -v }  // negative revenue etc.: rejected
                body += #","\#(f.key)":"\#(money(v, digits))""#
                any = true
            }
            if any, !rng.chance(perMille: 40) { body += #","fiscal_year_end":"\#(day(t, -rng.between(30, 500)))""# }
        }
        if rng.chance(perMille: 50) { body += #","currency":"\#(l.currency.code)""# }
        if rng.chance(perMille: 20) { body += #","revenue":"1.00001""# }
        return eventLine(nextID("as"), "customer.assessed", l.profile.id, at: t.description, body)
    }

    /// arlog's `collection.contact`: an outcome, sometimes a channel and an invoice; now and
    /// then an unknown outcome (rejected).
    mutating func contact(_ l: OracleLedger) -> String {
        var body = #""outcome":"\#(rng.pick(["reached", "no_answer", "promised", "disputed", "wrong_contact", "reached", "gone"]))""#
        if rng.chance(perMille: 600) { body += #","channel":"\#(rng.pick(["phone", "email", "sms", "letter", "legal"]))""# }
        var floor = l.profile.registeredAt
        if !l.invoices.isEmpty, rng.chance(perMille: 300) {
            let inv = rng.pick(l.invoices)
            body += #","invoice":"\#(inv.id)""#
            floor = inv.issuedAt
        }
        if rng.chance(perMille: 500) { body += #","note":"left a message""# }
        return eventLine(nextID("ct"), "collection.contact", l.profile.id, at: at(floor: floor).description, body)
    }

    mutating func updateTerms(_ l: OracleLedger) -> String {
        var body = #""terms_days":\#(rng.pick([0, 1, 10, 30, 45, 60, 120, 365]))"#
        if rng.chance(perMille: 300) { body += #","name":"Renamed \#(counter)""# }
        return eventLine(nextID("u"), "customer.updated", l.profile.id, at: at(floor: l.profile.registeredAt).description, body)
    }

    mutating func changeLimit(_ l: OracleLedger) -> String {
        let digits = l.currency.fractionDigits
        let limit = rng.chance(perMille: 200) ? 0 : amount(digits) * Int64(rng.between(1, 20))
        return eventLine(nextID("l"), "credit_limit.changed", l.profile.id, at: at(floor: l.profile.registeredAt).description,
                         #""credit_limit":"\#(money(limit, digits))""#)
    }
}

extension String {
    /// The text with the first occurrence of `target` replaced.
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let r = firstRange(of: target) else { return self }
        var s = self
        s.replaceSubrange(r, with: replacement)
        return s
    }
}
