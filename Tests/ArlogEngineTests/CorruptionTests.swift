import ArlogFeedGen
import ArlogDomain
import ArlogRender
import ArlogStorage
import Foundation
import Testing

@testable import ArlogEngine

/// Damage to every kind of stored record (issue 8, item 4): one flipped byte at each offset,
/// truncations, random bytes, damaged and deleted keys, in every database the store has. After
/// each, every read path runs in this process (a trap would end the test run, which is the
/// point) and must answer or throw an `EngineError`; and whenever an answer differs from the
/// undamaged store's, `audit verify` must report a problem, and so must `verify` unless the
/// damage is in the log or the chain (only the chain proves the log's own bytes: an event's
/// note or an export's bytes are nowhere else).
///
/// Generic over the layout: it walks `Store.allDatabases` and raw records, so it keeps working
/// when the layout changes; the store must hold a record in every database (format 4: a
/// checkpoint and a late entry included). The store is small (4 customers, 25 events and one
/// customer's few dozen small ones for a checkpoint) and the matrix is chosen for time: `verify` and `audit verify` after every damage, every query after every
/// damage both missed and on a sample of the others, an ingest on a smaller sample.
struct CorruptionTests {
    static let today = Day(parsing: "2025-07-01")!

    /// A few customers in three currencies, installments, FIFO and explicit allocations, a
    /// reversal, a credit note (and v1.2's: issued, applied, refunded), v1.3's assessment and exchange rate, a positive adjustment, a write-off, a void, dunning, a limit
    /// change, a profile update, a policy change and a review (so there are risk states, grade
    /// changes and alerts).
    static var feed: String {
        var strict = CreditPolicy.default
        strict.name = "strict"
        strict.gradeMinScores = [95, 80, 65, 50]
        let policy = String(decoding: OwnEvents.policyChanged(strict, id: "g1", at: Timestamp(parsing: "2025-04-01T09:00:00Z")!, actor: "cfo", note: "tighter"), as: UTF8.self)
        let review = String(decoding: OwnEvents.reviewed(id: "g2", at: Timestamp(parsing: "2025-06-15T09:00:00Z")!, actor: "ops", note: nil), as: UTF8.self)
        return [
            #"{"id":"r1","type":"customer.registered","at":"2025-01-01T08:00:00Z","customer":"ACME","name":"Acme","currency":"EUR","terms_days":30,"credit_limit":"5000.00"}"#,
            #"{"id":"r2","type":"customer.registered","at":"2025-01-01T08:00:00Z","customer":"BOLT","name":"Bolt","currency":"JPY","terms_days":60,"credit_limit":"100000"}"#,
            #"{"id":"r3","type":"customer.registered","at":"2025-01-02T08:00:00Z","customer":"KAIJU","name":"Kaiju","currency":"BHD","terms_days":15,"credit_limit":"100.000","registered_on":"2024-06-01"}"#,
            #"{"id":"i1","type":"invoice.issued","at":"2025-01-05T10:00:00Z","customer":"ACME","invoice":"A-1","amount":"3000.00","issued_on":"2025-01-05","installments":[{"due_on":"2025-02-04","amount":"1000.00"},{"due_on":"2025-03-06","amount":"2000.00"}]}"#,
            #"{"id":"i2","type":"invoice.issued","at":"2025-01-06T10:00:00Z","customer":"ACME","invoice":"A-2","amount":"1500.50","issued_on":"2025-01-06"}"#,
            #"{"id":"i3","type":"invoice.issued","at":"2025-01-07T10:00:00Z","customer":"BOLT","invoice":"B-1","amount":"50000","issued_on":"2025-01-07","due_on":"2025-02-28"}"#,
            #"{"id":"i4","type":"invoice.issued","at":"2025-01-08T10:00:00Z","customer":"KAIJU","invoice":"K-1","amount":"10.500","issued_on":"2025-01-08"}"#,
            #"{"id":"p1","type":"payment.received","at":"2025-02-10T10:00:00Z","customer":"ACME","payment":"AP-1","amount":"800.00","received_on":"2025-02-10"}"#,
            #"{"id":"p2","type":"payment.received","at":"2025-02-11T10:00:00Z","customer":"ACME","payment":"AP-2","amount":"500.00","received_on":"2025-02-11","allocations":[{"invoice":"A-2","amount":"500.00"}]}"#,
            #"{"id":"x1","type":"payment.reversed","at":"2025-02-20T10:00:00Z","customer":"ACME","payment":"AP-2","note":"cheque returned"}"#,
            #"{"id":"a1","type":"invoice.adjusted","at":"2025-02-21T10:00:00Z","customer":"ACME","invoice":"A-1","amount":"-100.00","note":"damaged goods"}"#,
            #"{"id":"a2","type":"invoice.adjusted","at":"2025-02-22T10:00:00Z","customer":"BOLT","invoice":"B-1","amount":"5000"}"#,
            #"{"id":"w1","type":"invoice.written_off","at":"2025-02-23T10:00:00Z","customer":"KAIJU","invoice":"K-1","amount":"1.000"}"#,
            #"{"id":"d1","type":"dunning.action","at":"2025-03-20T10:00:00Z","customer":"ACME","level":2,"channel":"letter","invoice":"A-1"}"#,
            policy,
            #"{"id":"i5","type":"invoice.issued","at":"2025-04-02T10:00:00Z","customer":"BOLT","invoice":"B-2","amount":"20000","issued_on":"2025-04-02"}"#,
            #"{"id":"v1","type":"invoice.voided","at":"2025-04-03T10:00:00Z","customer":"BOLT","invoice":"B-2"}"#,
            #"{"id":"p3","type":"payment.received","at":"2025-04-04T10:00:00Z","customer":"BOLT","payment":"BP-1","amount":"60000","received_on":"2025-04-04","currency":"JPY"}"#,
            #"{"id":"l1","type":"credit_limit.changed","at":"2025-04-05T10:00:00Z","customer":"ACME","credit_limit":"2000.00","actor":"risk"}"#,
            #"{"id":"u1","type":"customer.updated","at":"2025-04-06T10:00:00Z","customer":"KAIJU","name":"Kaiju KK","email":"ar@kaiju.example"}"#,
            #"{"id":"i6","type":"invoice.issued","at":"2025-03-01T10:00:00Z","customer":"ACME","invoice":"A-3","amount":"700.00","issued_on":"2025-03-01"}"#,
            #"{"id":"p4","type":"payment.received","at":"2025-05-01T10:00:00Z","customer":"KAIJU","payment":"KP-1","amount":"5.000","received_on":"2025-05-01"}"#,
            review,
            #"{"id":"d2","type":"dunning.action","at":"2025-06-20T10:00:00Z","customer":"ACME","level":3,"channel":"phone"}"#,
            #"{"id":"cn1","type":"credit_note.issued","at":"2025-05-02T10:00:00Z","customer":"KAIJU","credit_note":"KC-1","amount":"6.000","issued_on":"2025-05-02","reason":"rebate"}"#,
            #"{"id":"i7","type":"invoice.issued","at":"2025-06-21T10:00:00Z","customer":"KAIJU","invoice":"K-2","amount":"2.250","issued_on":"2025-06-21"}"#,
            // Feed v1.2 (with cn1 above: a credit note, 4.500 to K-1, 1.500 idle): its credit
            // applied and refunded; a refund of a payment's idle credit.
            #"{"id":"ca1","type":"credit.applied","at":"2025-06-22T10:00:00Z","customer":"KAIJU","credit_note":"KC-1","invoice":"K-2","amount":"1.000"}"#,
            #"{"id":"rf1","type":"credit.refunded","at":"2025-06-23T10:00:00Z","customer":"KAIJU","credit_note":"KC-1","amount":"0.500","refunded_on":"2025-06-23"}"#,
            #"{"id":"rf2","type":"credit.refunded","at":"2025-06-24T10:00:00Z","customer":"BOLT","payment":"BP-1","amount":"1000","refunded_on":"2025-06-24"}"#,
            // Feed v1.3: an assessment in force (its texts read from its log record) and a
            // log-wide exchange rate.
            #"{"id":"as1","type":"customer.assessed","at":"2025-06-24T11:00:00Z","customer":"ACME","assessed_on":"2025-06-20","source":"bureau:dnb","bureau_score":64,"bureau_rating":"BB","total_assets":"9000.00","total_liabilities":"4000.00","fiscal_year_end":"2024-12-31"}"#,
            #"{"id":"fx1","type":"fx.rate","at":"2025-06-24T12:00:00Z","currency":"JPY","base":"EUR","rate":"0.0061234567","on":"2025-06-24"}"#,
        ].joined(separator: "\n") + "\n" + checkpointed.joined(separator: "\n")
    }

    /// A fourth customer with enough events for a checkpoint (as-of answers start from it):
    /// an invoice in two installments, a partial payment, then empty profile updates, one a day
    /// from 1 May 2025. Small records, so that the matrix stays affordable.
    static var checkpointed: [String] {
        var lines = [
            #"{"id":"r4","type":"customer.registered","at":"2025-01-03T08:00:00Z","customer":"DYNA","name":"Dyna","currency":"EUR","terms_days":30,"credit_limit":"900.00"}"#,
            #"{"id":"i8","type":"invoice.issued","at":"2025-01-10T10:00:00Z","customer":"DYNA","invoice":"D-1","amount":"600.00","issued_on":"2025-01-10","installments":[{"due_on":"2025-02-09","amount":"200.00"},{"due_on":"2025-03-11","amount":"400.00"}]}"#,
            #"{"id":"p5","type":"payment.received","at":"2025-02-15T10:00:00Z","customer":"DYNA","payment":"DP-1","amount":"250.00","received_on":"2025-02-15"}"#,
        ]
        let first = Day(parsing: "2025-05-01")!
        for n in 0..<(Store.checkpointEventsMin + 2) {
            lines.append(#"{"id":"c\#(n)","type":"customer.updated","at":"\#(first.adding(days: n))T09:00:00Z","customer":"DYNA"}"#)
        }
        return lines
    }

    /// Events in the feed: the lines above.
    static var feedEvents: Int { 31 + checkpointed.count }

    /// A day between DYNA's checkpoint and its last event: its as-of answers start from the
    /// checkpoint and walk forward.
    static let checkpointedAsOf = Timestamp.endOf(Day(parsing: "2025-05-01")!.adding(days: Store.checkpointEventsMin))

    /// What the small ingest after each damage sends: a duplicate, a new invoice, a payment.
    static let moreEvents = [
        #"{"id":"i2","type":"invoice.issued","at":"2025-01-06T10:00:00Z","customer":"ACME","invoice":"A-2","amount":"1500.50","issued_on":"2025-01-06"}"#,
        #"{"id":"n1","type":"invoice.issued","at":"2025-06-25T10:00:00Z","customer":"BOLT","invoice":"B-3","amount":"700","issued_on":"2025-06-25"}"#,
        #"{"id":"n2","type":"payment.received","at":"2025-06-26T10:00:00Z","customer":"ACME","payment":"AP-3","amount":"100.00","received_on":"2025-06-26"}"#,
    ].joined(separator: "\n")

    static func store() throws -> TempStore {
        let t = try TempStore()
        let (summary, rejected) = try t.ingest(feed)
        #expect(rejected.isEmpty, "\(rejected.map(\.rejection))")
        #expect(summary.accepted == feedEvents)
        // The store has a record in every database (a checkpoint, a late entry, ...): the
        // matrix damages each kind.
        for db in t.store.allDatabases { #expect(try !t.store.rawRecords(db).isEmpty, "\(db.name) is empty") }
        return t
    }

    // MARK: answers

    /// An answer: the rendered output, or the error (which must be an `EngineError`).
    static func answer(_ name: String, _ body: () throws -> String) -> String {
        do {
            return "\(name): " + (try body())
        } catch let e as EngineError {
            return "\(name): error \(e.kind): \(e.message)"
        } catch let e as LMDBError where name == "ingest" {
            // Ingest's appends refuse a key that exists past the head (a damaged chain or log
            // key): LMDB's error, naming the database.
            return "\(name): error \(e)"
        } catch {
            Issue.record("\(name) threw \(type(of: error)), not an EngineError: \(error)")
            return "\(name): untyped error \(error)"
        }
    }

    /// Recording times are the store's clock, in no chain and provable only as never going
    /// backwards (docs/audit.md): masked in history, which prints them.
    static func maskRecordingTimes(_ s: String) -> String {
        s.replacingOccurrences(of: #""recorded_at":"[^"]*""#, with: #""recorded_at":"…""#, options: .regularExpression)
    }

    /// Every read path, rendered as the CLI prints it (JSON).
    static func answers(_ store: Store) -> [String] {
        let day = today
        let past = Day(parsing: "2025-03-31")!
        var out: [String] = []
        for c in ["ACME", "BOLT", "KAIJU", "DYNA"] {
            out.append(answer("balance \(c)") { Render.balance(try store.balance(c), format: .json) })
            out.append(answer("balance \(c) as of") { Render.balance(try store.balance(c, asOf: Timestamp.endOf(past)), format: .json) })
            out.append(answer("balance \(c) known at 12") { Render.balance(try store.balance(c, knownAt: .seq(12)), format: .json) })
            out.append(answer("history \(c)") {
                let h = try store.history(c)
                return maskRecordingTimes(Render.history(customer: c, currency: h.currency, entries: h.entries, format: .json, changes: true))
            })
            if c == "DYNA" {
                out.append(answer("balance \(c) as of, from its checkpoint") { Render.balance(try store.balance(c, asOf: checkpointedAsOf), format: .json) })
                out.append(answer("grade \(c) as of, from its checkpoint") {
                    Render.grade(try store.grade(c, asOf: checkpointedAsOf.utcDay, today: day), format: .json, history: true)
                })
            }
            out.append(answer("statement \(c)") { Render.statement(try store.statement(c, from: Day(parsing: "2025-02-01")!, to: past), format: .json) })
            out.append(answer("grade \(c)") { Render.grade(try store.grade(c, today: day), format: .json, history: true) })
            out.append(answer("grade \(c) as of") { Render.grade(try store.grade(c, asOf: past, today: day), format: .json, history: true) })
            out.append(answer("check \(c)") { Render.check(try store.creditCheck(c, amount: "100", today: day), format: .json) })
            out.append(answer("open \(c)") { Render.openItems(try store.openItems(c, asOf: nil, today: day, all: true), format: .json) })
            out.append(answer("open \(c) as of") { Render.openItems(try store.openItems(c, asOf: past, today: day), format: .json) })
            out.append(answer("export \(c)") {
                var bytes: [UInt8] = []
                try store.export(customer: c) { bytes.append(contentsOf: $0) }
                return String(decoding: bytes, as: UTF8.self)
            })
        }
        for i in ["A-1", "A-2", "B-1", "B-2", "K-1"] {
            out.append(answer("invoice \(i)") { maskRecordingTimes(Render.invoice(try store.invoice(i), format: .json)) })
        }
        out.append(answer("aging") { Render.aging(try store.aging(asOf: nil, today: day), format: .json) })
        out.append(answer("aging as of") { Render.aging(try store.aging(asOf: past, today: day), format: .json) })
        out.append(answer("aging known at 20") { Render.aging(try store.aging(asOf: nil, today: day, knownAt: .seq(20)), format: .json) })
        out.append(answer("customers") { Render.customers(try store.customers(CustomerFilter(), asOf: nil, today: day), format: .json) })
        out.append(answer("names, one look-up each") { "\(try store.names(["KAIJU", "ACME", "DYNA", "BOLT"]))" })
        out.append(answer("names, one ordered pass") { "\(try store.names(["ACME", "BOLT", "DYNA", "KAIJU"]))" })
        out.append(answer("worklist") { Render.worklist(try store.worklist(asOf: nil, today: day), format: .json) })
        out.append(answer("worklist as of") { Render.worklist(try store.worklist(asOf: past, today: day), format: .json) })
        out.append(answer("customers as of") { Render.customers(try store.customers(CustomerFilter(), asOf: past, today: day), format: .json) })
        out.append(answer("stats") { Render.stats(try store.stats(asOf: nil, today: day), format: .json) })
        out.append(answer("stats as of") { Render.stats(try store.stats(asOf: past, today: day), format: .json) })
        out.append(answer("alerts") { Render.alerts(try store.alerts().map(\.alert), format: .json) })
        out.append(answer("limits") { Render.limits(try store.limitReview(today: day), format: .json) })
        out.append(answer("policy") {
            let p = try store.policy()
            return Render.policy(p.policy, entry: p.entry, format: .json)
        })
        out.append(answer("export") {
            var bytes: [UInt8] = []
            try store.export { bytes.append(contentsOf: $0) }
            return String(decoding: bytes, as: UTF8.self)
        })
        out.append(answer("fx") { Render.fxRates(try store.fxRates(on: day), on: day, format: .json) })
        out.append(answer("head") { "\(try store.head())" })
        return out
    }

    /// A small ingest, its outcome as text; the store is put back afterwards by the caller.
    static func ingestAnswer(_ t: TempStore) -> String {
        answer("ingest") {
            let (s, rejected) = try t.ingest(moreEvents)
            return "accepted \(s.accepted), duplicates \(s.duplicates), rejected \(rejected.map { "\($0.line) \($0.rejection.rule.rawValue)" })"
        }
    }

    // MARK: damage

    /// Every database's records, to restore after damage.
    typealias Snapshot = [(db: Database, records: [(key: [UInt8], value: [UInt8])])]

    static func snapshot(_ store: Store) throws -> Snapshot {
        try store.allDatabases.map { ($0, try store.rawRecords($0)) }
    }

    /// Puts every database back as it was (after an ingest on a damaged store).
    static func restore(_ store: Store, _ snapshot: Snapshot) throws {
        try store.env.write { txn in
            for (db, records) in snapshot {
                try txn.drop(db)
                for r in records { try txn.put(db, key: r.key, value: r.value) }
            }
        }
        store.cache = StateCache()
    }

    /// One damage: a record's value replaced, or its key changed (nil value: deleted).
    struct Damage: CustomStringConvertible {
        let db: Database
        let key: [UInt8]
        /// The key it is moved to (nil: stays).
        let newKey: [UInt8]?
        /// The new value (nil: the record is deleted).
        let value: [UInt8]?
        let what: String

        var description: String { "\(db.name) \(StoreKey.text(key)): \(what)" }
    }

    /// How hard to damage a database's records: which masks at which offsets, how often to
    /// truncate. Every offset gets xor 0x01 (a digit or letter moved by one: mostly still
    /// valid, the hard case); every `fullFlipStep`-th also xor 0xFF.
    struct Matrix {
        var fullFlipStep = 1
        var truncateStep = 1
        /// A record of the same shape (key and value lengths) as an earlier one of its database
        /// (a chain link, an id's position, another of the same small event) gets the offsets
        /// of one in `repeatStep`, a different slice for each repeat: every offset of every
        /// shape is still damaged, and repeats cost a fraction.
        var repeatStep = 4
    }

    /// One-byte flips, truncations, an appended byte, random bytes, deletion; for keys, flips
    /// and a truncation.
    static func damages(_ db: Database, _ records: [(key: [UInt8], value: [UInt8])], _ m: Matrix, rng: inout SplitMix) -> [Damage] {
        var out: [Damage] = []
        var shapes: [[Int]: Int] = [:]
        for r in records {
            let repeats = shapes[[r.key.count, r.value.count], default: 0]
            shapes[[r.key.count, r.value.count]] = repeats + 1
            // The first of a shape: every offset; its repeats: a rotating slice.
            let step = repeats == 0 ? 1 : m.repeatStep
            for i in r.value.indices where (i + repeats) % step == 0 {
                for mask: UInt8 in (i / step) % m.fullFlipStep == 0 ? [0x01, 0xFF] : [0x01] {
                    var v = r.value
                    v[i] ^= mask
                    out.append(Damage(db: db, key: r.key, newKey: nil, value: v, what: "byte \(i) xor \(mask)"))
                }
            }
            for n in stride(from: repeats % step, to: r.value.count, by: m.truncateStep * step) {
                out.append(Damage(db: db, key: r.key, newKey: nil, value: Array(r.value.prefix(n)), what: "truncated to \(n)"))
            }
            out.append(Damage(db: db, key: r.key, newKey: nil, value: r.value + [0], what: "a byte appended"))
            for n in Set([r.value.count, max(1, r.value.count / 2), 40]).sorted() {
                out.append(Damage(db: db, key: r.key, newKey: nil, value: (0..<n).map { _ in rng.byte() }, what: "\(n) random bytes"))
            }
            out.append(Damage(db: db, key: r.key, newKey: nil, value: nil, what: "deleted"))
            for i in r.key.indices {
                var k = r.key
                k[i] ^= 0x01
                out.append(Damage(db: db, key: r.key, newKey: k, value: r.value, what: "key byte \(i) xor 1"))
            }
            if r.key.count > 1 {
                out.append(Damage(db: db, key: r.key, newKey: Array(r.key.dropLast()), value: r.value, what: "key truncated"))
            }
        }
        return out
    }

    /// Applies `d`, returning how to undo it.
    static func apply(_ d: Damage, _ store: Store) throws -> () throws -> Void {
        let original = try store.env.read { try $0.get(d.db, key: d.key) }
        let target = d.newKey ?? d.key
        let overwritten = d.newKey.flatMap { k in try? store.env.read { try $0.get(d.db, key: k) } }
        if d.newKey != nil || d.value == nil { try store.rawDelete(d.db, key: d.key) }
        if let v = d.value { try store.rawPut(d.db, key: target, value: v) }
        return {
            if d.newKey != nil {
                if let overwritten { try store.rawPut(d.db, key: target, value: overwritten) } else { try store.rawDelete(d.db, key: target) }
            }
            if let original { try store.rawPut(d.db, key: d.key, value: original) }
        }
    }

    /// The outcome of a verifier: flagged (problems, or a typed error) or OK.
    static func flagged(_ body: () throws -> Bool) -> Bool {
        do {
            return try !body()
        } catch is EngineError {
            return true
        } catch {
            Issue.record("a verifier threw \(type(of: error)), not an EngineError: \(error)")
            return true
        }
    }

    struct Outcome {
        var damages = 0
        var flaggedByVerify = 0
        var flaggedByAudit = 0
        var queried = 0
        var ingested = 0
        var failures: [String] = []
    }

    /// The matrix per database: the log holds most of the bytes (JSON, where xor 0xFF mostly
    /// just breaks the syntax), so it gets the full flip at every 4th offset and a truncation
    /// every 8th byte; the binary records get more.
    static func matrix(_ db: Database) -> Matrix {
        db.name == "log" ? Matrix(fullFlipStep: 4, truncateStep: 8) : Matrix(fullFlipStep: 2, truncateStep: 3)
    }

    /// Runs every `shards`-th damage, from `shard` on, over every database of the store.
    /// Every read path runs where a verifier said OK, and on every `querySample`-th damage;
    /// an ingest where a verifier said OK and on every `ingestSample`-th.
    static func run(shard: Int, shards: Int, querySample: Int, ingestSample: Int) throws -> Outcome {
        let t = try store()
        let store = t.store
        let clean = try snapshot(store)
        let baseline = answers(store)
        let baselineIngest = ingestAnswer(t)
        try restore(store, clean)
        #expect(try store.verify().ok)
        #expect(try store.auditVerify().ok)
        #expect(answers(store) == baseline)
        var outcome = Outcome()
        var rng = SplitMix(seed: 8)
        var all: [Damage] = []
        for (db, records) in clean { all += damages(db, records, matrix(db), rng: &rng) }
        for (n, d) in all.enumerated() where n % shards == shard {
            outcome.damages += 1
            let undo = try apply(d, store)
            let verify = flagged { try store.verify().ok }
            // audit verify checks all that verify does (the same code) and the chain: it
            // flags whatever verify flags. Checked on a sample; run whenever verify said OK.
            let sampled = outcome.damages % querySample == 0
            let audit = verify && !sampled ? true : flagged { try store.auditVerify().ok }
            if verify, !audit { outcome.failures.append("\(d): verify flagged it, audit verify did not") }
            if verify { outcome.flaggedByVerify += 1 }
            if audit { outcome.flaggedByAudit += 1 }
            // Where a verifier says OK every answer must be the undamaged store's.
            let mustMatch = !audit || (!verify && d.db.name != "log" && d.db.name != "chain")
            if mustMatch || sampled {
                outcome.queried += 1
                let now = answers(store)
                if mustMatch, now != baseline {
                    let diff = zip(now, baseline).first { $0 != $1 }.map { "\($0.0.prefix(300)) ≠ \($0.1.prefix(300))" } ?? "count"
                    outcome.failures.append("\(d): verify \(verify ? "flagged" : "OK"), audit verify \(audit ? "flagged" : "OK"), but an answer changed: \(diff)")
                }
            }
            if mustMatch || outcome.damages % ingestSample == 0 {
                outcome.ingested += 1
                let damaged = try snapshot(store)
                let now = ingestAnswer(t)
                try restore(store, damaged)
                if mustMatch, now != baselineIngest {
                    outcome.failures.append("\(d): verify \(verify ? "flagged" : "OK"), audit verify \(audit ? "flagged" : "OK"), but the ingest answered \(now), not \(baselineIngest)")
                }
            }
            try undo()
        }
        // Every damage was undone.
        #expect(try store.verify().ok)
        #expect(answers(store) == baseline)
        return outcome
    }

    /// Four shards, so that two cores share the matrix.
    @Test(arguments: 0..<4)
    func damageEveryRecord(shard: Int) throws {
        let o = try Self.run(shard: shard, shards: 4, querySample: 20, ingestSample: 60)
        #expect(o.failures.isEmpty, "\(o.failures.count) misses, e.g.\n\(o.failures.prefix(8).joined(separator: "\n"))")
        #expect(o.damages > 1000)
        print("shard \(shard): \(o.damages) damages, verify flagged \(o.flaggedByVerify), audit verify \(o.flaggedByAudit); \(o.queried) with every query, \(o.ingested) with an ingest")
    }
}

/// A small seeded generator (SplitMix64) for random damage.
struct SplitMix {
    var generator: SplitMix64
    init(seed: UInt64) { generator = SplitMix64(state: seed) }
    mutating func next() -> UInt64 { generator.next() }
    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
}
