import ArlogDomain
import ArlogFeedGen
import Foundation
import Testing

@testable import ArlogEngine

/// The credit-risk projection in LMDB: maintained in the ingest transaction, equal to the
/// in-memory reference, identical after a rebuild, and checked by verify.
@Suite(.serialized)
struct RiskStoreTests {
    /// A stricter policy than the default: every grade boundary 10 points higher.
    static let strictPolicy: CreditPolicy = {
        var p = CreditPolicy.default
        p.name = "strict"
        p.gradeMinScores = [95, 80, 65, 50]
        return p
    }()

    static func at(of line: Substring) -> String {
        let r = line.range(of: "\"at\":\"")!
        let rest = line[r.upperBound...]
        return String(rest[..<rest.firstIndex(of: "\"")!])
    }

    /// A generated feed with log-wide events spliced in: reviews every `reviewEvery` lines
    /// and a policy change at `policyAt`, each dated like the line before it.
    static func feedWithGlobals(events: Int = 4000, customers: Int = 40, seed: UInt64 = 5, reviewEvery: Int = 700, policyAt: Int = 2100) -> String {
        var bytes: [UInt8] = []
        var generator = FeedGenerator(events: events, customers: customers, seed: seed, start: Day(year: 2024, month: 1, day: 1)!)
        generator.run { bytes.append(contentsOf: $0) }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        var out: [String] = []
        for (i, line) in lines.enumerated() {
            out.append(String(line))
            if i > 0, i % reviewEvery == 0 {
                out.append(String(decoding: OwnEvents.reviewed(id: "review-\(i)", at: Timestamp(parsing: at(of: line))!, actor: "ops", note: nil), as: UTF8.self))
            }
            if i == policyAt {
                out.append(String(decoding: OwnEvents.policyChanged(strictPolicy, id: "policy-strict", at: Timestamp(parsing: at(of: line))!, actor: "cfo", note: "tighter"), as: UTF8.self))
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    static let feed = feedWithGlobals()

    /// Every record of the databases holding the risk projection (the states hold each
    /// customer's risk state), raw.
    static func riskRecords(_ store: Store) throws -> [[UInt8]] {
        try store.env.read { txn in
            var out: [[UInt8]] = []
            for db in [store.states, store.grades, store.alerts, store.globals] {
                try txn.scan(db, from: nil) { k, v in
                    out.append(Array(k))
                    out.append(Array(v))
                    return true
                }
                out.append([0xFF])
            }
            return out
        }
    }

    static func gradeHistory(_ store: Store, _ customer: String) throws -> [GradeChange] {
        try store.env.read { txn in
            var out: [GradeChange] = []
            try txn.scan(store.grades, prefix: Store.customerPrefix(customer)) { _, v in
                out.append(try RiskCodec.decodeGradeChange(v))
                return true
            }
            return out
        }
    }

    @Test(arguments: [65_536, 977, 13])
    func storeEqualsTheInMemoryReference(batch: Int) throws {
        let t = try TempStore()
        var options = IngestOptions()
        options.batchEventsMax = batch
        let (summary, rejected) = try t.ingest(Self.feed, options: options)
        #expect(rejected.isEmpty, "\(rejected.prefix(3).map { "\($0.line): \($0.rejection)" })")
        var reference = InMemoryLog()
        try reference.ingest(Self.feed)
        #expect(summary.accepted == reference.events.count)
        #expect(reference.timeline.policies.count == 1)
        let customers = try t.store.customerIDs()
        #expect(customers.count == 40)
        for c in customers {
            #expect(try t.store.state(c).risk.last == reference.risk[c], "customer \(c)")
            #expect(try t.store.state(c) == reference.states[c], "customer \(c)")
            #expect(try Self.gradeHistory(t.store, c) == reference.gradeChanges.filter { $0.customer == c }, "customer \(c)")
        }
        let stored = try t.store.alerts().map(\.alert)
        let expected = reference.alerts.sorted { Store.alertKey($0).lexicographicallyPrecedes(Store.alertKey($1)) }
        #expect(stored == expected)
        // The feed is realistic enough to exercise several kinds of alert.
        #expect(Set(stored.map(\.kind)).count >= 4, "\(Set(stored.map(\.kind)))")
    }

    @Test func rebuildWritesTheSameRiskRecordsAndVerifyAgrees() throws {
        let t = try TempStore()
        try t.ingest(Self.feed)
        let before = try Self.riskRecords(t.store)
        _ = try t.store.rebuild()
        #expect(try Self.riskRecords(t.store) == before)
        #expect(try t.store.verify().ok)
        #expect(try t.store.auditVerify().ok)
    }

    @Test func aPolicyChangeRegradesEveryCustomerFromThenOn() throws {
        let t = try TempStore()
        try t.ingest(Self.feed)
        let policySeq = try t.store.policyHistory().map(\.seq)
        #expect(policySeq.count == 1)
        let seq = policySeq[0]
        // Every customer registered before the change has a grade change or at least an
        // evaluation at its position: its grade is judged by the strict policy from then on.
        var downgraded = 0
        for c in try t.store.customerIDs() {
            for change in try Self.gradeHistory(t.store, c) where change.cause.seq == seq {
                #expect(change.policyName == "strict")
                #expect(change.cause.type == .creditPolicyChanged)
                if let from = change.from, change.to > from { downgraded += 1 }
            }
        }
        #expect(downgraded > 0)
        // As-of queries pick the policy in force on the day.
        let at = try t.store.policyHistory()[0].at
        #expect(try t.store.policy(asOf: Timestamp(seconds: at.seconds - 1)).policy == .default)
        #expect(try t.store.policy(asOf: at).policy == Self.strictPolicy)
        #expect(try t.store.policy().entry?.id == "policy-strict")
    }

    @Test func verifyFindsATamperedGradeAndAMissingAlert() throws {
        let t = try TempStore()
        try t.ingest(Self.feed)
        let alerts = try t.store.alerts()
        #expect(!alerts.isEmpty)
        let victim = alerts[alerts.count / 2]
        try t.store.env.write { _ = try $0.delete(t.store.alerts, key: victim.key) }
        let report = try t.store.verify()
        #expect(report.problems.contains { $0.contains("alert \(victim.alert.id)") && $0.contains("missing") }, "\(report.problems)")

        // The risk state lives in the customer's hot state: a tampered grade there is a state
        // that differs from the log.
        let u = try TempStore()
        try u.ingest(Self.feed)
        let customer = try u.store.customerIDs()[3]
        var state = try u.store.state(customer)
        var risk = try #require(state.risk.last)
        risk.grade = risk.grade == .a ? .e : .a
        state.risk.last = risk
        try u.store.env.write { try $0.put(u.store.states, key: Array(customer.utf8), value: StateCodec.encode(state)) }
        let audit = try u.store.auditVerify()
        #expect(audit.problems.contains { $0.contains("customer \(customer): stored state differs") }, "\(audit.problems)")
    }

    @Test func logWideEventsAreIndexedAndExportedLikeAnyOther() throws {
        let t = try TempStore()
        try t.ingest(Self.feed)
        let globals = try t.store.env.read { try $0.count(t.store.globals) }
        // The policy changes and reviews added to the generated feed, and its v1.3 exchange rates.
        let rates = Self.feed.split(separator: "\n").filter { $0.contains(#""type":"fx.rate""#) }.count
        #expect(rates > 0)
        #expect(globals == 4000 / 700 + 1 + rates)
        // Re-ingesting the whole feed, globals included, changes nothing (idempotent ids).
        let before = try Self.riskRecords(t.store)
        let (again, rejected) = try t.ingest(Self.feed)
        #expect(rejected.isEmpty)
        #expect(again.accepted == 0)
        #expect(try Self.riskRecords(t.store) == before)
    }

    /// The log-wide events are exported with the rest, so a store built from an export has the
    /// same grades, grade history and alerts.
    @Test func anExportRebuildsTheSameRiskProjection() throws {
        let t = try TempStore()
        try t.ingest(Self.feed)
        var bytes: [UInt8] = []
        try t.store.export { bytes.append(contentsOf: $0) }
        let exported = String(decoding: bytes, as: UTF8.self)
        #expect(exported.contains("\"type\":\"credit_policy.changed\""))
        let u = try TempStore()
        let (_, rejected) = try u.ingest(exported)
        #expect(rejected.isEmpty)
        #expect(try Self.riskRecords(u.store) == Self.riskRecords(t.store))
    }

    @Test func appendedLimitChangesCarryTheActorAndReason() throws {
        let t = try TempStore()
        try t.ingest(Self.feed)
        // Reviewed on the feed's last day: customers with sales in the window (a dormant
        // customer keeps its limit under the default policy, so a later day changes nothing).
        let last = try #require(Self.feed.split(separator: "\n").last)
        let today = try #require(Timestamp(parsing: Self.at(of: last))).utcDay
        let review = try t.store.limitReview(today: today)
        let changes = review.filter(\.limitChange)
        #expect(!changes.isEmpty)
        var rejected: [RejectedLine] = []
        let summary = try t.store.applyLimits(review, at: Timestamp.endOf(today)) { rejected.append($0) }
        #expect(rejected.isEmpty, "\(rejected.map(\.rejection))")
        #expect(summary.accepted == changes.count)
        for r in changes {
            let ledger = try t.store.ledger(r.assessment.customer)
            #expect(ledger.profile.creditLimit == r.recommendedLimit)
        }
        // The limits now match: a second review proposes no limit change, except where the
        // cut was held to the policy's maximum per review (those go on cutting next time).
        let again = try t.store.limitReview(today: today).filter(\.limitChange).map(\.assessment.customer)
        #expect(Set(again).isSubset(of: changes.filter(\.cutCapped).map(\.assessment.customer)), "\(again)")
    }
}
