import ArlogDomain
import Foundation
import Testing

/// Runs the built `arlog-feedgen` and checks its output against feed contract v1
/// (shared/spec/events-v1.md) with `FeedContractChecker`, an independent model of the contract.
@Suite struct FeedGenTests {
    struct RunResult {
        let status: Int32
        let stdout: Data
        let stderr: Data
    }

    static func runFeedGen(_ arguments: [String]) throws -> RunResult {
        let process = Process()
        process.executableURL = try builtProduct("arlog-feedgen")
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Drain stderr concurrently so that neither pipe can fill up and block the child.
        let errorBox = DataBox()
        let errorReader = Thread { errorBox.data = err.fileHandleForReading.readDataToEndOfFile() }
        errorReader.start()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorBox.done { usleep(1000) }
        return RunResult(status: process.terminationStatus, stdout: data, stderr: errorBox.data)
    }

    final class DataBox: @unchecked Sendable {
        private let lock = NSLock()
        private var value = Data()
        private var finished = false
        var data: Data {
            get { lock.withLock { value } }
            set { lock.withLock { value = newValue; finished = true } }
        }
        var done: Bool { lock.withLock { finished } }
    }

    static func feed(events: Int, customers: Int, seed: UInt64, extra: [String] = []) throws -> Data {
        let result = try runFeedGen(
            ["--events", "\(events)", "--customers", "\(customers)", "--seed", "\(seed)"] + extra)
        #expect(result.status == 0, "\(String(decoding: result.stderr, as: UTF8.self))")
        return result.stdout
    }

    /// The lines of a feed, split on `\n` bytes (not Characters: Swift reads `\r\n` as one), each
    /// keeping a `\r` before its `\n`.
    static func lines(_ data: Data) -> [Substring] {
        if data.isEmpty { return [] }
        return Array(data).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .dropLast(data.last == UInt8(ascii: "\n") ? 1 : 0).map { Substring(String(decoding: $0, as: UTF8.self)) }
    }

    @Test func sameArgumentsGiveIdenticalBytes() throws {
        let a = try Self.feed(events: 5000, customers: 50, seed: 42)
        let b = try Self.feed(events: 5000, customers: 50, seed: 42)
        let c = try Self.feed(events: 5000, customers: 50, seed: 43)
        #expect(!a.isEmpty)
        #expect(a == b)
        #expect(a != c)
        // The start date is part of the arguments too.
        let d = try Self.feed(events: 5000, customers: 50, seed: 42, extra: ["--start", "2024-02-29"])
        #expect(a != d)
        // So are the shapes, which are seeded too.
        let rich = try Self.feed(events: 5000, customers: 50, seed: 42, extra: ["--shapes", "rich"])
        #expect(try Self.feed(events: 5000, customers: 50, seed: 42, extra: ["--shapes", "rich"]) == rich)
        #expect(rich != a)
        #expect(try Self.feed(events: 5000, customers: 50, seed: 42, extra: ["--shapes", "plain"]) == a)
        #expect(try Self.feed(events: 5000, customers: 50, seed: 42, extra: ["--shapes", "rich,-rich"]) == a)
    }

    @Test func outputFileHasTheSameBytesAsStandardOutput() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("feedgen-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString).ndjson")
        defer { try? FileManager.default.removeItem(at: path) }
        let stdout = try Self.feed(events: 3000, customers: 20, seed: 7)
        let result = try Self.runFeedGen(
            ["--events", "3000", "--customers", "20", "--seed", "7", "--output", path.path])
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
        #expect(try Data(contentsOf: path) == stdout)
    }

    @Test(arguments: [0, 1, 2, 999, 20_000])
    func writesExactlyTheEventsAskedFor(events: Int) throws {
        let data = try Self.feed(events: events, customers: 30, seed: 3)
        let lines = Self.lines(data)
        #expect(lines.count == events)
        if events > 0 { #expect(data.last == UInt8(ascii: "\n")) }
    }

    @Test func rejectsBadArguments() throws {
        for arguments in [
            ["--events", "10", "--customers", "0", "--seed", "1"],
            ["--events", "-1", "--customers", "3", "--seed", "1"],
            ["--events", "10", "--customers", "3"],
            ["--events", "10", "--customers", "3", "--seed", "1", "--start", "2023-02-30"],
            ["--events", "10", "--customers", "3", "--seed", "1", "--shapes", "rich,bogus"],
            ["--events", "10", "--customers", "3", "--seed", "1", "--shapes", ""],
        ] {
            let result = try Self.runFeedGen(arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.stdout.isEmpty)
        }
    }

    /// The structural properties asked of every feed, on a 20,000-event feed.
    @Test func feedStructure() throws {
        let data = try Self.feed(events: 20_000, customers: 300, seed: 1)
        let lines = Self.lines(data)
        #expect(lines.count == 20_000)
        var ids = Set<String>()
        var digitsOf: [String: Int] = [:]
        var types: [String: Int] = [:]
        var failures: [String] = []
        func fail(_ line: Int, _ message: String) {
            if failures.count < 20 { failures.append("line \(line + 1): \(message)") }
        }
        for (n, line) in lines.enumerated() {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                fail(n, "not a JSON object")
                continue
            }
            // Feed v1.3's fx.rate is log-wide: it names no customer.
            let logWide = object["type"] as? String == "fx.rate"
            guard let id = object["id"] as? String, let type = object["type"] as? String,
                let at = object["at"] as? String, let customer = object["customer"] as? String ?? (logWide ? "" : nil),
                logWide == (object["customer"] == nil)
            else {
                fail(n, "envelope field missing")
                continue
            }
            if !ids.insert(id).inserted { fail(n, "duplicate id \(id)") }
            if Timestamp(parsing: at) == nil { fail(n, "bad at \(at)") }
            types[type, default: 0] += 1
            if logWide { continue }
            if type == "customer.registered" {
                guard digitsOf[customer] == nil, let code = object["currency"] as? String,
                    let currency = Currency(code: code)
                else {
                    fail(n, "bad registration")
                    continue
                }
                digitsOf[customer] = currency.fractionDigits
            }
            guard let digits = digitsOf[customer] else {
                fail(n, "first event of \(customer) is \(type)")
                continue
            }
            // Every money string carries exactly the currency's fraction digits.
            var money: [String] = []
            for key in ["amount", "credit_limit"] + FinancialFigure.allCases.map(\.key) {
                if let text = object[key] as? String { money.append(text) }
            }
            for key in ["installments", "allocations"] {
                for item in object[key] as? [[String: Any]] ?? [] { money.append(item["amount"] as? String ?? "?") }
            }
            for text in money {
                guard let decimal = try? DecimalText(parsing: text), decimal.scale == digits,
                    (try? decimal.minorUnits(fractionDigits: digits)) != nil
                else {
                    fail(n, "money \(text) is not written with \(digits) fraction digits")
                    continue
                }
            }
            if let installments = object["installments"] as? [[String: Any]] {
                let sum = installments.reduce(Int64(0)) { total, item in
                    let text = item["amount"] as? String ?? ""
                    return total + ((try? DecimalText(parsing: text).minorUnits(fractionDigits: digits)) ?? -1)
                }
                let text = object["amount"] as? String ?? ""
                let amount = try? DecimalText(parsing: text).minorUnits(fractionDigits: digits)
                if !(2...6).contains(installments.count) || sum != amount {
                    fail(n, "installments do not sum to the amount")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        let all = [
            "customer.registered", "customer.updated", "credit_limit.changed", "invoice.issued",
            "invoice.adjusted", "invoice.voided", "invoice.written_off", "payment.received",
            "payment.reversed", "dunning.action", "dispute.opened", "dispute.resolved", "promise.recorded",
            "credit_note.issued", "credit.applied", "credit.refunded", "customer.assessed", "fx.rate",
        ]
        #expect(Set(types.keys) == Set(all), "\(types)")
    }

    /// Every event is accepted by an independent model of the contract, for feeds of different
    /// shapes: many customers, a few long-lived ones, registration-heavy, other zero/three-digit mixes.
    /// Plain feeds, and rich ones (every shape the contract allows, `--shapes rich`).
    @Test(arguments: [
        (20_000, 300, UInt64(1), "plain"), (20_000, 4, UInt64(2), "plain"), (6_000, 5_000, UInt64(3), "plain"),
        (30_000, 60, UInt64(99), "plain"), (20_000, 300, UInt64(1), "rich"), (20_000, 4, UInt64(2), "rich"),
        (6_000, 5_000, UInt64(3), "rich"),
    ])
    func everyEventIsValidUnderTheContract(events: Int, customers: Int, seed: UInt64, shapes: String) throws {
        let data = try Self.feed(events: events, customers: customers, seed: seed, extra: ["--audit", "--shapes", shapes])
        var checker = FeedContractChecker()
        for (n, line) in Self.lines(data).enumerated() {
            checker.check(line: n + 1, String(line))
            if checker.errors.count >= 20 { break }
        }
        #expect(checker.errors.isEmpty, "\(checker.errors.joined(separator: "\n"))")
        #expect(checker.accepted == events)
        // Every customer's event carries the model's figures; log-wide rates name no customer.
        #expect(checker.audited == events - checker.stats.fxRates)
        if shapes == "plain" { #expect(checker.duplicates == 0 && checker.blankLines == 0 && checker.stats.lateEntries == 0) }
        // The feed exercises what it is meant to.
        #expect(checker.stats.overpayments > 0)
        #expect(checker.stats.partialPayments > 0)
        #expect(checker.stats.explicitAllocations > 0)
        if events >= 20_000 {
            #expect(checker.stats.latePayments > 0 && checker.stats.earlyPayments > 0)
            #expect(checker.stats.negativeAdjustments > 0 && checker.stats.positiveAdjustments > 0)
            #expect(checker.stats.creditNotes > 0 && checker.stats.creditApplications > 0 && checker.stats.refunds > 0, "\(checker.stats)")
            #expect(checker.stats.writeOffsWithAmount > 0 && checker.stats.writeOffsWithoutAmount > 0)
            // Feed v1.1: disputes partial and whole, resolved both ways, promises with and
            // without an invoice (kept, broken and superseded: GeneratedFeedTests).
            let st = checker.stats
            #expect(st.disputesWithAmount > 0 && st.disputesWithoutAmount > 0, "\(st)")
            #expect(st.resolutions["upheld", default: 0] > 0 && st.resolutions["rejected", default: 0] > 0, "\(st)")
            #expect(st.promisesWithInvoice > 0 && st.promisesWithoutInvoice > 0, "\(st)")
            // Feed v1.3: rates, and assessments of every optional shape.
            #expect(st.fxRates > 0, "\(st)")
            #expect(st.assessmentShapes.isSuperset(of: ["true/false/none", "false/true/none", "true/true/none", "false/false/some", "true/true/all"]),
                    "\(st.assessmentShapes)")
            if customers >= 50 {
                #expect(checker.stats.offsets.count >= 3)
                #expect(checker.stats.fractionDigits == [0, 2, 3])
            }
        }
    }

    /// `--shapes rich` writes every shape it names, on a 20,000-event feed. Counted on the
    /// bytes, so that each count is of the spelling itself.
    @Test func richFeedHasEveryShape() throws {
        let data = try Self.feed(events: 20_000, customers: 300, seed: 5, extra: ["--shapes", "rich"])
        let text = String(decoding: data, as: UTF8.self)
        var count: [String: Int] = [:]
        func saw(_ shape: String, _ yes: Bool = true) { if yes { count[shape, default: 0] += 1 } }
        var ids: [String: Int] = [:]
        var latestAt: Timestamp?
        for line in Self.lines(data) {
            let bytes = Array(line.utf8)
            saw("crlf", bytes.last == 0x0D)
            let trimmed = bytes.filter { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }
            if trimmed.isEmpty {
                saw("blank-lines")
                continue
            }
            guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
                let id = object["id"] as? String, let at = object["at"] as? String
            else {
                Issue.record("not an event: \(line.prefix(200))")
                continue
            }
            ids[id, default: 0] += 1
            saw("key-order", !line.hasPrefix("{\"id\""))
            saw("whitespace", line.contains("\": ") || line.contains("\t"))
            saw("escapes \\u", line.contains("\\u00"))
            saw("escapes surrogate pair", line.range(of: #"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F]"#, options: .regularExpression) != nil)
            saw("escapes \\/", line.contains("\\/"))
            saw("escapes \\b \\f", line.contains("\\b") || line.contains("\\f"))
            saw("text non-ASCII", bytes.contains { $0 >= 0x80 })
            saw("offsets", !at.hasSuffix("Z") && !at.hasSuffix("z") && at.range(of: #"[+-](0[0-9]|1[0-9]|2[0-3]):[0-5][0-9]$"#, options: .regularExpression) != nil)
            saw("offsets -00:00", at.hasSuffix("-00:00"))
            saw("offsets t/z", at.contains("t") || at.hasSuffix("z"))
            saw("offsets space", at.dropFirst(10).first == " ")
            saw("fractions", at.contains("."))
            saw("fractions beyond 9 digits", at.range(of: #"\.[0-9]{10,}"#, options: .regularExpression) != nil)
            saw("unknown-fields", object.keys.contains { !Self.knownKeys.contains($0) })
            saw("short-money", line.range(of: #""amount" *: *"[0-9]+(\.[0-9])?""#, options: .regularExpression) != nil)
            saw("empty-lists", line.range(of: #""allocations" *: *\[ *\]"#, options: .regularExpression) != nil)
            if let t = Timestamp(parsing: at) {
                if let l = latestAt, t < l { saw("late-entries") }
                latestAt = max(latestAt ?? t, t)
            }
        }
        saw("duplicates", ids.values.contains { $0 > 1 })
        #expect(ids.count == 20_000)
        for shape in [
            "crlf", "blank-lines", "key-order", "whitespace", "escapes \\u", "escapes surrogate pair", "escapes \\/",
            "escapes \\b \\f", "text non-ASCII", "offsets", "offsets -00:00", "offsets t/z", "offsets space", "fractions",
            "fractions beyond 9 digits", "unknown-fields", "short-money", "empty-lists", "late-entries", "duplicates",
        ] {
            #expect(count[shape, default: 0] > 0, "no \(shape) in a rich feed")
        }
        #expect(!text.isEmpty)
    }

    static let knownKeys: Set<String> = [
        "id", "type", "at", "customer", "actor", "note", "name", "currency", "terms_days", "credit_limit", "industry",
        "contact", "email", "registered_on", "invoice", "amount", "issued_on", "due_on", "installments", "payment",
        "received_on", "allocations", "level", "channel",
    ]

    /// A long run through the contract model, on demand: `ARLOG_FEEDGEN_SOAK=events,customers,seed`
    /// (e.g. `1000000,20000,1`; best with `swift test -c release`).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["ARLOG_FEEDGEN_SOAK"] != nil))
    func soak() throws {
        let spec = (ProcessInfo.processInfo.environment["ARLOG_FEEDGEN_SOAK"] ?? "").split(separator: ",")
        let events = Int(spec.first ?? "") ?? 1_000_000
        let customers = spec.count > 1 ? Int(spec[1]) ?? 20_000 : 20_000
        let seed = spec.count > 2 ? UInt64(spec[2]) ?? 1 : 1
        let data = try Self.feed(events: events, customers: customers, seed: seed, extra: ["--audit"])
        var checker = FeedContractChecker()
        for (n, line) in Self.lines(data).enumerated() {
            checker.check(line: n + 1, String(line))
            if checker.errors.count >= 20 { break }
        }
        #expect(checker.errors.isEmpty, "\(checker.errors.joined(separator: "\n"))")
        #expect(checker.accepted == events)
        // Every customer's event carries the model's figures; log-wide rates name no customer.
        #expect(checker.audited == events - checker.stats.fxRates)
    }

    /// `--audit` only adds the `x_model_*` fields: without them the feed is the same.
    @Test func auditAddsOnlyTheModelFields() throws {
        let plain = try Self.feed(events: 4000, customers: 40, seed: 11)
        let audited = try Self.feed(events: 4000, customers: 40, seed: 11, extra: ["--audit"])
        let pattern = try NSRegularExpression(pattern: ",\"x_model_[a-z_]+\":\"[-0-9.]+\"")
        let text = String(decoding: audited, as: UTF8.self)
        let stripped = pattern.stringByReplacingMatches(
            in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "")
        #expect(audited != plain)
        #expect(stripped == String(decoding: plain, as: UTF8.self))
        #expect(!String(decoding: plain, as: UTF8.self).contains("x_model"))
    }
}

/// A second, independent model of feed contract v1, written for clarity rather than speed: the
/// state is kept in dictionaries by id and the automatic application sorts every open
/// installment of the customer by (due_on, issued_on, invoice id, index). It records the first
/// problem of each rejected event.
struct FeedContractChecker {
    struct CustomerState {
        let digits: Int
        let currency: String
        let registeredAt: Timestamp
        var terms: Int
    }

    struct InvoiceState {
        let customer: String
        let at: Timestamp
        let issuedOn: Day
        /// In list order; due order is (due, position).
        var dues: [Day]
        var open: [Int64]
        var voided = false
        var allocationsInForce = 0
        /// Feed v1.1: the `at` of its open dispute (nil: none).
        var disputeOpenedAt: Timestamp?

        var openTotal: Int64 { open.reduce(0, +) }
        var dueOrder: [Int] { dues.indices.sorted { (dues[$0], $0) < (dues[$1], $1) } }

        /// Consumes `amount` (≤ open) earliest due first; returns (index, amount) per installment.
        mutating func consume(_ amount: Int64) -> [(Int, Int64)] {
            var left = amount
            var touched: [(Int, Int64)] = []
            for k in dueOrder where left > 0 && open[k] > 0 {
                let take = min(left, open[k])
                open[k] -= take
                left -= take
                touched.append((k, take))
            }
            return touched
        }
    }

    /// A credit source: a payment, or a credit note (v1.2).
    struct PaymentState {
        let customer: String
        let at: Timestamp
        var reversed = false
        var allocations: [(invoice: String, index: Int, amount: Int64)]
        var unapplied: Int64 = 0
        var receivedOn = Day.first
    }

    struct Stats {
        var overpayments = 0
        var partialPayments = 0
        var explicitAllocations = 0
        var latePayments = 0
        var earlyPayments = 0
        var negativeAdjustments = 0
        var positiveAdjustments = 0
        var writeOffsWithAmount = 0
        var writeOffsWithoutAmount = 0
        var offsets = Set<String>()
        var fractionDigits = Set<Int>()
        /// Events whose `at` is earlier than an event before them.
        var lateEntries = 0
        /// Feed v1.3: exchange rates, and the assessments' shapes as
        /// "score given/rating given/figures none|some|all".
        var fxRates = 0
        var assessmentShapes = Set<String>()
        /// Feed v1.1: disputes with and without an amount (and of an invoice with nothing
        /// open), resolutions by outcome, disputes a void or write-off ended, promises with and
        /// without an invoice.
        var disputesWithAmount = 0
        var disputesWithoutAmount = 0
        var disputesOfNothingOpen = 0
        var resolutions: [String: Int] = [:]
        var disputesEndedByVoidOrWriteOff = 0
        var promisesWithInvoice = 0
        var promisesWithoutInvoice = 0
        /// v1.2.
        var creditNotes = 0
        var creditApplications = 0
        var refunds = 0
    }

    var customers: [String: CustomerState] = [:]
    var invoices: [String: InvoiceState] = [:]
    /// Per customer, the invoices with something open (the candidates for automatic application).
    var openInvoicesOf: [String: Set<String>] = [:]
    var payments: [String: PaymentState] = [:]
    var creditNotes: [String: PaymentState] = [:]
    var ids = Set<String>()
    var lastAt: Timestamp?
    var accepted = 0
    /// Events whose `x_model_open` (the generator's own model, with `--audit`) was checked.
    var audited = 0
    /// Lines that repeat an accepted event (equal as parsed JSON), and blank lines.
    var duplicates = 0
    var blankLines = 0
    /// Every accepted event as parsed, by id: what a repeated id is compared with.
    var events: [String: [String: Any]] = [:]

    /// Equal as parsed JSON (the contract's "identical content"). Written out because
    /// Foundation on Linux finds two parsed `false` values unequal (`NSDictionary.isEqual`).
    static func sameJSON(_ a: Any, _ b: Any) -> Bool {
        switch (a, b) {
        case (let x as [String: Any], let y as [String: Any]):
            return x.count == y.count && x.allSatisfy { k, v in y[k].map { sameJSON(v, $0) } ?? false }
        case (let x as [Any], let y as [Any]):
            return x.count == y.count && zip(x, y).allSatisfy { sameJSON($0, $1) }
        case (let x as String, let y as String): return x == y
        case (is NSNull, is NSNull): return true
        case (let x as NSNumber, let y as NSNumber):
            let bx = String(cString: x.objCType) == "c", by = String(cString: y.objCType) == "c"
            return bx == by && (bx ? x.boolValue == y.boolValue : x.compare(y) == .orderedSame)
        default: return false
        }
    }
    var errors: [String] = []
    var stats = Stats()

    struct Reject: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    static let idCharacters = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-".utf8)

    static func isID(_ text: String, max: Int) -> Bool {
        !text.isEmpty && text.utf8.count <= max && text.utf8.allSatisfy { idCharacters.contains($0) }
    }

    mutating func check(line: Int, _ text: String) {
        // Blank lines (spaces, tabs, a `\r` left by `\r\n`) are skipped, as the contract says.
        if text.unicodeScalars.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) {
            blankLines += 1
            return
        }
        do {
            if try apply(text) { accepted += 1 } else { duplicates += 1 }
        } catch let reject as Reject {
            errors.append("line \(line): \(reject.message): \(text.prefix(300))")
        } catch {
            errors.append("line \(line): \(error): \(text.prefix(300))")
        }
    }

    private func string(_ o: [String: Any], _ key: String) throws -> String {
        guard let s = o[key] as? String else { throw Reject("\(key) missing or not a string") }
        return s
    }

    /// A JSON integer: Foundation reads `true`, `1` and `1.0` alike as an Int, so the type it
    /// parsed (`c` for booleans, `d` for numbers with a fraction or exponent) is checked too.
    private func integer(_ o: [String: Any], _ key: String, in text: String) throws -> Int {
        guard let n = o[key] as? NSNumber, !["c", "d", "f"].contains(String(cString: n.objCType)), let i = o[key] as? Int else {
            throw Reject("\(key) missing or not an integer")
        }
        return i
    }

    private func money(_ text: String, _ digits: Int) throws -> Int64 {
        guard let decimal = try? DecimalText(parsing: text) else { throw Reject("malformed money \(text)") }
        guard decimal.scale <= digits else { throw Reject("money \(text) has more than \(digits) fraction digits") }
        guard let minor = try? decimal.minorUnits(fractionDigits: digits) else {
            throw Reject("money \(text) too precise or large")
        }
        guard minor.magnitude <= 1_000_000_000_000 else { throw Reject("amount \(text) above 10^12 minor units") }
        return minor
    }

    private func date(_ o: [String: Any], _ key: String) throws -> Day {
        guard let day = Day(parsing: try string(o, key)) else { throw Reject("bad date \(key)") }
        return day
    }

    /// Invoice `id` of `customer`, not voided, no later than `at`.
    /// Writes an invoice back, keeping `openInvoicesOf` in step.
    private mutating func store(_ id: String, _ invoice: InvoiceState) {
        invoices[id] = invoice
        if invoice.openTotal > 0 && !invoice.voided {
            openInvoicesOf[invoice.customer, default: []].insert(id)
        } else {
            openInvoicesOf[invoice.customer]?.remove(id)
        }
    }

    private func liveInvoice(_ id: String, _ customer: String, _ at: Timestamp) throws -> InvoiceState {
        guard let invoice = invoices[id] else { throw Reject("unknown invoice \(id)") }
        guard invoice.customer == customer else { throw Reject("invoice \(id) of another customer") }
        guard invoice.at <= at else { throw Reject("at earlier than invoice \(id)") }
        guard !invoice.voided else { throw Reject("invoice \(id) is voided") }
        return invoice
    }

    /// Applies one event; false when it repeats an accepted one (a duplicate, skipped).
    mutating func apply(_ text: String) throws -> Bool {
        // Foundation's parser drops a raw U+FEFF inside a string (swift-corelibs-foundation),
        // so a duplicate spelling it raw and one escaping it would differ. Outside a string it
        // is invalid JSON either way; escaped, it is read as written.
        let text = text.replacingOccurrences(of: "\u{FEFF}", with: "\\uFEFF")
        guard let o = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw Reject("not a JSON object")
        }
        let id = try string(o, "id")
        guard Self.isID(id, max: 128) else { throw Reject("bad id") }
        if ids.contains(id) {
            guard let first = events[id], Self.sameJSON(first, o) else { throw Reject("id \(id) again with other content") }
            return false
        }
        let type = try string(o, "type")
        let atText = try string(o, "at")
        guard let at = Timestamp(parsing: atText) else { throw Reject("bad at") }
        if let last = lastAt, at < last { stats.lateEntries += 1 }
        if type == "fx.rate" {
            // Feed v1.3: log-wide, no customer; two different ISO codes, a rate > 0 with at
            // most 10 fraction digits and money's grammar, a date.
            guard o["customer"] == nil else { throw Reject("fx.rate names a customer") }
            let currency = try string(o, "currency")
            let base = try string(o, "base")
            guard Currency(code: currency) != nil, Currency(code: base) != nil, currency != base else { throw Reject("bad currencies") }
            let rate = try string(o, "rate")
            guard let d = try? DecimalText(parsing: rate), !d.negative, d.digits > 0, d.scale <= 10 else { throw Reject("bad rate \(rate)") }
            _ = try date(o, "on")
            stats.fxRates += 1
            ids.insert(id)
            events[id] = o
            lastAt = max(lastAt ?? at, at)
            return true
        }
        let customerID = try string(o, "customer")
        guard Self.isID(customerID, max: 64) else { throw Reject("bad customer id") }
        if o["actor"] != nil {
            guard let actor = o["actor"] as? String, actor.unicodeScalars.count <= 64 else {
                throw Reject("bad actor")
            }
        }
        if o["note"] != nil {
            guard let note = o["note"] as? String, note.unicodeScalars.count <= 1000 else { throw Reject("bad note") }
        }

        if type == "customer.registered" {
            guard customers[customerID] == nil else { throw Reject("registered twice") }
            _ = try string(o, "name")
            let code = try string(o, "currency")
            guard let currency = Currency(code: code) else { throw Reject("bad currency") }
            let terms = try integer(o, "terms_days", in: text)
            guard (0...3650).contains(terms) else { throw Reject("terms_days out of range") }
            guard try money(try string(o, "credit_limit"), currency.fractionDigits) >= 0 else {
                throw Reject("negative limit")
            }
            if o["registered_on"] != nil { _ = try date(o, "registered_on") }
            for key in ["industry", "contact", "email"] where o[key] != nil { _ = try string(o, key) }
            customers[customerID] = CustomerState(
                digits: currency.fractionDigits, currency: code, registeredAt: at, terms: terms)
            stats.fractionDigits.insert(currency.fractionDigits)
        } else {
            guard var customer = customers[customerID] else { throw Reject("customer not registered") }
            guard customer.registeredAt <= at else { throw Reject("at before registration") }
            let digits = customer.digits
            switch type {
            case "customer.updated":
                let keys = ["name", "terms_days", "industry", "contact", "email"].filter { o[$0] != nil }
                guard !keys.isEmpty else { throw Reject("update without a field") }
                for key in keys where key != "terms_days" { _ = try string(o, key) }
                if o["terms_days"] != nil {
                    let terms = try integer(o, "terms_days", in: text)
                    guard (0...3650).contains(terms) else { throw Reject("terms_days out of range") }
                    customer.terms = terms
                    customers[customerID] = customer
                }
            case "credit_limit.changed":
                guard try money(try string(o, "credit_limit"), digits) >= 0 else { throw Reject("negative limit") }
            case "invoice.issued":
                let invoiceID = try string(o, "invoice")
                guard Self.isID(invoiceID, max: 128), invoices[invoiceID] == nil else {
                    throw Reject("bad or reused invoice id")
                }
                let amount = try money(try string(o, "amount"), digits)
                guard amount > 0 else { throw Reject("amount ≤ 0") }
                let issuedOn = try date(o, "issued_on")
                if o["currency"] != nil {
                    guard try string(o, "currency") == customer.currency else {
                        throw Reject("currency mismatch")
                    }
                }
                var dues: [Day] = []
                var parts: [Int64] = []
                if o["installments"] != nil {
                    guard o["due_on"] == nil else { throw Reject("both due_on and installments") }
                    guard let list = o["installments"] as? [[String: Any]], !list.isEmpty else {
                        throw Reject("bad installments")
                    }
                    for item in list {
                        dues.append(try date(item, "due_on"))
                        let part = try money(try string(item, "amount"), digits)
                        guard part > 0 else { throw Reject("installment ≤ 0") }
                        parts.append(part)
                    }
                    guard parts.reduce(0, +) == amount else { throw Reject("installments do not sum to amount") }
                } else if o["due_on"] != nil {
                    dues = [try date(o, "due_on")]
                    parts = [amount]
                } else {
                    dues = [issuedOn.adding(days: customer.terms)]
                    parts = [amount]
                }
                guard dues.allSatisfy({ $0 >= issuedOn }) else { throw Reject("due before issue") }
                store(
                    invoiceID,
                    InvoiceState(customer: customerID, at: at, issuedOn: issuedOn, dues: dues, open: parts))
            case "invoice.adjusted":
                let invoiceID = try string(o, "invoice")
                var invoice = try liveInvoice(invoiceID, customerID, at)
                let amount = try money(try string(o, "amount"), digits)
                guard amount != 0 else { throw Reject("zero adjustment") }
                if amount > 0 {
                    invoice.open[invoice.dueOrder.last!] += amount
                    stats.positiveAdjustments += 1
                } else {
                    guard -amount <= invoice.openTotal else { throw Reject("credit note above the open amount") }
                    _ = invoice.consume(-amount)
                    stats.negativeAdjustments += 1
                }
                store(invoiceID, invoice)
            case "invoice.voided":
                let invoiceID = try string(o, "invoice")
                var invoice = try liveInvoice(invoiceID, customerID, at)
                guard invoice.allocationsInForce == 0 else { throw Reject("void with an allocation in force") }
                if invoice.disputeOpenedAt != nil { stats.disputesEndedByVoidOrWriteOff += 1 }
                invoice.disputeOpenedAt = nil
                invoice.voided = true
                invoice.open = invoice.open.map { _ in 0 }
                store(invoiceID, invoice)
            case "invoice.written_off":
                let invoiceID = try string(o, "invoice")
                var invoice = try liveInvoice(invoiceID, customerID, at)
                guard invoice.openTotal > 0 else { throw Reject("write-off with nothing open") }
                var amount = invoice.openTotal
                if o["amount"] != nil {
                    amount = try money(try string(o, "amount"), digits)
                    guard amount > 0 && amount <= invoice.openTotal else {
                        throw Reject("write-off amount out of range")
                    }
                    stats.writeOffsWithAmount += 1
                } else {
                    stats.writeOffsWithoutAmount += 1
                }
                _ = invoice.consume(amount)
                // Feed v1.1: a write-off after which nothing is open ends the dispute.
                if invoice.openTotal == 0, invoice.disputeOpenedAt != nil {
                    invoice.disputeOpenedAt = nil
                    stats.disputesEndedByVoidOrWriteOff += 1
                }
                store(invoiceID, invoice)
            case "dispute.opened":
                let invoiceID = try string(o, "invoice")
                var invoice = try liveInvoice(invoiceID, customerID, at)
                guard invoice.disputeOpenedAt == nil else { throw Reject("a second open dispute") }
                if o["amount"] != nil {
                    let amount = try money(try string(o, "amount"), digits)
                    guard amount > 0 && amount <= invoice.openTotal else { throw Reject("dispute amount out of range") }
                    stats.disputesWithAmount += 1
                } else {
                    stats.disputesWithoutAmount += 1
                    if invoice.openTotal == 0 { stats.disputesOfNothingOpen += 1 }
                }
                if o["reason"] != nil {
                    guard try string(o, "reason").unicodeScalars.count <= 200 else { throw Reject("reason too long") }
                }
                invoice.disputeOpenedAt = at
                store(invoiceID, invoice)
            case "dispute.resolved":
                let invoiceID = try string(o, "invoice")
                var invoice = try liveInvoice(invoiceID, customerID, at)
                guard let opened = invoice.disputeOpenedAt else { throw Reject("no open dispute") }
                guard opened <= at else { throw Reject("resolved before it was opened") }
                let outcome = try string(o, "outcome")
                guard outcome == "upheld" || outcome == "rejected" else { throw Reject("bad outcome") }
                stats.resolutions[outcome, default: 0] += 1
                invoice.disputeOpenedAt = nil
                store(invoiceID, invoice)
            case "promise.recorded":
                guard try money(try string(o, "amount"), digits) > 0 else { throw Reject("promise ≤ 0") }
                guard try date(o, "promised_on") >= at.utcDay else { throw Reject("promised_on before the date of at") }
                if o["invoice"] != nil {
                    let invoiceID = try string(o, "invoice")
                    // A voided invoice may be named.
                    guard let invoice = invoices[invoiceID], invoice.customer == customerID, invoice.at <= at else {
                        throw Reject("promise naming an unknown, another customer's or a later invoice")
                    }
                    stats.promisesWithInvoice += 1
                } else {
                    stats.promisesWithoutInvoice += 1
                }
            case "payment.received", "credit_note.issued":
                let note = type == "credit_note.issued"
                let paymentID = try string(o, note ? "credit_note" : "payment")
                guard Self.isID(paymentID, max: 128), (note ? creditNotes[paymentID] : payments[paymentID]) == nil else {
                    throw Reject("bad or reused payment or credit note id")
                }
                let amount = try money(try string(o, "amount"), digits)
                guard amount > 0 else { throw Reject("payment ≤ 0") }
                let receivedOn = try date(o, note ? "issued_on" : "received_on")
                if o["currency"] != nil {
                    guard try string(o, "currency") == customer.currency else {
                        throw Reject("currency mismatch")
                    }
                }
                if note, o["reason"] != nil {
                    guard let reason = o["reason"] as? String, reason.unicodeScalars.count <= 200 else { throw Reject("bad reason") }
                }
                // The whole event is rejected or applied: work on copies of the invoices it may touch.
                var staged: [String: InvoiceState] = [:]
                for invoiceID in openInvoicesOf[customerID] ?? [] { staged[invoiceID] = invoices[invoiceID] }
                for item in o["allocations"] as? [[String: Any]] ?? [] {
                    if let invoiceID = item["invoice"] as? String, staged[invoiceID] == nil {
                        staged[invoiceID] = invoices[invoiceID]
                    }
                }
                var left = amount
                var allocations: [(invoice: String, index: Int, amount: Int64)] = []
                if o["allocations"] != nil {
                    guard let list = o["allocations"] as? [[String: Any]] else { throw Reject("bad allocations") }
                    for item in list {
                        let invoiceID = try string(item, "invoice")
                        let part = try money(try string(item, "amount"), digits)
                        guard var invoice = staged[invoiceID] else { throw Reject("allocation to unknown invoice") }
                        guard invoice.customer == customerID, !invoice.voided, invoice.at <= at else {
                            throw Reject("allocation to invoice of another customer, voided or later")
                        }
                        // A credit note's allocation of 0 names the invoice and applies nothing.
                        guard part > 0 || (note && part == 0), part <= invoice.openTotal else {
                            throw Reject("allocation above the open amount")
                        }
                        guard part <= left else { throw Reject("allocations exceed the payment") }
                        for (k, take) in invoice.consume(part) {
                            allocations.append((invoiceID, k, take))
                            invoice.allocationsInForce += 1
                        }
                        staged[invoiceID] = invoice
                        left -= part
                        stats.explicitAllocations += 1
                    }
                }
                // Automatic application: every open installment of the customer, in order.
                var queue: [(due: Day, issued: Day, invoice: String, index: Int)] = []
                for (invoiceID, invoice) in staged where invoice.customer == customerID && !invoice.voided {
                    for k in invoice.open.indices where invoice.open[k] > 0 {
                        queue.append((invoice.dues[k], invoice.issuedOn, invoiceID, k))
                    }
                }
                queue.sort { a, b in
                    if a.due != b.due { return a.due < b.due }
                    if a.issued != b.issued { return a.issued < b.issued }
                    if a.invoice != b.invoice {
                        return Array(a.invoice.utf8).lexicographicallyPrecedes(Array(b.invoice.utf8))
                    }
                    return a.index < b.index
                }
                var openBefore: Int64 = 0
                for entry in queue { openBefore += staged[entry.invoice]!.open[entry.index] }
                for entry in queue where left > 0 {
                    let take = min(left, staged[entry.invoice]!.open[entry.index])
                    staged[entry.invoice]!.open[entry.index] -= take
                    staged[entry.invoice]!.allocationsInForce += 1
                    allocations.append((entry.invoice, entry.index, take))
                    left -= take
                }
                for a in allocations where !note {
                    let due = staged[a.invoice]!.dues[a.index]
                    if receivedOn > due {
                        stats.latePayments += 1
                    } else if receivedOn < due {
                        stats.earlyPayments += 1
                    }
                }
                if note {
                    stats.creditNotes += 1
                } else if left > 0 {
                    stats.overpayments += 1
                } else if openBefore > amount {
                    stats.partialPayments += 1
                }
                for (invoiceID, invoice) in staged { store(invoiceID, invoice) }
                let source = PaymentState(customer: customerID, at: at, allocations: allocations, unapplied: left, receivedOn: receivedOn)
                if note { creditNotes[paymentID] = source } else { payments[paymentID] = source }
            case "credit.applied", "credit.refunded":
                // Exactly one source, of this customer, not reversed, no later than the event.
                guard (o["payment"] == nil) != (o["credit_note"] == nil) else { throw Reject("not exactly one credit source") }
                let note = o["credit_note"] != nil
                let sourceID = try string(o, note ? "credit_note" : "payment")
                guard var source = note ? creditNotes[sourceID] : payments[sourceID] else { throw Reject("unknown credit source") }
                guard source.customer == customerID, source.at <= at, !source.reversed else {
                    throw Reject("credit source of another customer, later or reversed")
                }
                let amount = try money(try string(o, "amount"), digits)
                guard amount > 0, amount <= source.unapplied else { throw Reject("more than the source's unapplied credit") }
                if type == "credit.applied" {
                    let invoiceID = try string(o, "invoice")
                    var invoice = try liveInvoice(invoiceID, customerID, at)
                    guard amount <= invoice.openTotal else { throw Reject("credit above the open amount") }
                    for (k, take) in invoice.consume(amount) {
                        source.allocations.append((invoiceID, k, take))
                        invoice.allocationsInForce += 1
                    }
                    store(invoiceID, invoice)
                    stats.creditApplications += 1
                } else {
                    guard try date(o, "refunded_on") >= source.receivedOn else { throw Reject("refund dated before its source") }
                    stats.refunds += 1
                }
                source.unapplied -= amount
                if note { creditNotes[sourceID] = source } else { payments[sourceID] = source }
            case "payment.reversed":
                let paymentID = try string(o, "payment")
                guard var payment = payments[paymentID] else { throw Reject("unknown payment") }
                guard payment.customer == customerID else { throw Reject("payment of another customer") }
                guard payment.at <= at else { throw Reject("at earlier than the payment") }
                guard !payment.reversed else { throw Reject("payment reversed twice") }
                for a in payment.allocations {
                    var invoice = invoices[a.invoice]!
                    invoice.open[a.index] += a.amount
                    invoice.allocationsInForce -= 1
                    store(a.invoice, invoice)
                }
                payment.reversed = true
                payments[paymentID] = payment
            case "customer.assessed":
                // Feed v1.3: assessed_on not after the UTC date of `at`; a source of 1–64
                // characters; some data; figures in the customer's currency (≥ 0 but equity
                // and operating cash flow) with fiscal_year_end; a score 0–100, a rating 1–16.
                guard try date(o, "assessed_on") <= at.utcDay else { throw Reject("assessed_on after at") }
                guard (1...64).contains(try string(o, "source").unicodeScalars.count) else { throw Reject("bad source") }
                var data = false
                if o["bureau_score"] != nil {
                    guard (0...100).contains(try integer(o, "bureau_score", in: text)) else { throw Reject("bad bureau_score") }
                    data = true
                }
                if o["bureau_rating"] != nil {
                    guard (1...16).contains(try string(o, "bureau_rating").unicodeScalars.count) else { throw Reject("bad bureau_rating") }
                    data = true
                }
                var figures = 0
                for f in FinancialFigure.allCases where o[f.key] != nil {
                    let v = try money(try string(o, f.key), digits)
                    guard f.mayBeNegative || v >= 0 else { throw Reject("negative \(f.key)") }
                    figures += 1
                }
                if figures > 0 { _ = try date(o, "fiscal_year_end") }
                guard data || figures > 0 else { throw Reject("an assessment without data") }
                stats.assessmentShapes.insert("\(o["bureau_score"] != nil)/\(o["bureau_rating"] != nil)/\(figures == 7 ? "all" : figures > 0 ? "some" : "none")")
            case "dunning.action":
                guard (1...4).contains(try integer(o, "level", in: text)) else { throw Reject("bad level") }
                guard ["email", "letter", "phone", "sms", "legal"].contains(try string(o, "channel")) else {
                    throw Reject("bad channel")
                }
                if o["invoice"] != nil { _ = try liveInvoice(try string(o, "invoice"), customerID, at) }
            default:
                throw Reject("unknown type \(type)")
            }
        }
        // With --audit, the generator's model of what is open must equal this fold's.
        if let model = o["x_model_open"] as? String, let customer = customers[customerID] {
            let open = (openInvoicesOf[customerID] ?? []).reduce(Int64(0)) { $0 + invoices[$1]!.openTotal }
            guard try money(model, customer.digits) == open else {
                throw Reject(
                    "generator's model has \(model) open, the contract "
                        + Money.format(open, fractionDigits: customer.digits))
            }
            if let modelInvoice = o["x_model_invoice_open"] as? String, let invoiceID = o["invoice"] as? String {
                let invoice = invoices[invoiceID]!
                let invoiceOpen = invoice.voided ? 0 : invoice.openTotal
                guard try money(modelInvoice, customer.digits) == invoiceOpen else {
                    throw Reject(
                        "generator's model has \(modelInvoice) open on \(invoiceID), the contract "
                            + Money.format(invoiceOpen, fractionDigits: customer.digits))
                }
            }
            audited += 1
        }
        if atText.hasSuffix("Z") { stats.offsets.insert("Z") } else { stats.offsets.insert(String(atText.suffix(6))) }
        ids.insert(id)
        events[id] = o
        lastAt = max(lastAt ?? at, at)
        return true
    }
}
