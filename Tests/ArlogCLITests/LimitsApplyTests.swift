import ArlogDomain
import Foundation
import Testing

/// `arlog limits --apply` is a plan unless --yes, needs a scope, keeps dormant customers'
/// limits and cuts at most the policy's maximum per review; the list and the plan agree; a
/// policy logged before the new members existed replays as before.
@Suite struct LimitsApplyTests {
    static let d = CreditCLITests.day

    /// L1: 36,500.00 of sales in the window, limit 50,000.00 (the rule says 9,000.00).
    /// QUIET: its only invoice is 500 days old: dormant, limit 8,000.00, terms 30.
    /// LATE: 5,000.00 unpaid for 200 days, dunning level 3: a poor grade, limit 5,000.00.
    static var feed: String {
        """
        {"id":"l1","type":"customer.registered","at":"\(d(-400))T09:00:00Z","customer":"L1","name":"L One","currency":"EUR","terms_days":60,"credit_limit":"50000.00","registered_on":"\(d(-400))"}
        {"id":"l2","type":"invoice.issued","at":"\(d(-300))T09:00:00Z","customer":"L1","invoice":"L-1","amount":"36500.00","issued_on":"\(d(-300))","due_on":"\(d(-240))"}
        {"id":"l3","type":"payment.received","at":"\(d(-245))T09:00:00Z","customer":"L1","payment":"LP-1","amount":"36500.00","received_on":"\(d(-245))"}
        {"id":"q1","type":"customer.registered","at":"\(d(-800))T09:00:00Z","customer":"QUIET","name":"Quiet Ltd","currency":"EUR","terms_days":30,"credit_limit":"8000.00","registered_on":"\(d(-800))"}
        {"id":"q2","type":"invoice.issued","at":"\(d(-500))T09:00:00Z","customer":"QUIET","invoice":"Q-1","amount":"2000.00","issued_on":"\(d(-500))"}
        {"id":"q3","type":"payment.received","at":"\(d(-490))T09:00:00Z","customer":"QUIET","payment":"QP-1","amount":"2000.00","received_on":"\(d(-490))"}
        {"id":"z1","type":"customer.registered","at":"\(d(-400))T09:00:00Z","customer":"LATE","name":"Late SA","currency":"EUR","terms_days":30,"credit_limit":"5000.00","registered_on":"\(d(-400))"}
        {"id":"z2","type":"invoice.issued","at":"\(d(-200))T09:00:00Z","customer":"LATE","invoice":"Z-1","amount":"5000.00","issued_on":"\(d(-200))"}
        {"id":"z3","type":"dunning.action","at":"\(d(-100))T09:00:00Z","customer":"LATE","level":3,"channel":"phone"}

        """
    }

    static func store() throws -> CLIRun {
        let t = try CLIRun()
        let r = try t.arlog(["ingest", try t.file("limits.ndjson", feed)])
        #expect(r.status == 0, "\(r.stderr)")
        return t
    }

    static func rows(_ t: CLIRun, _ arguments: [String] = []) throws -> [[String: Any]] {
        let r = try t.arlog(["limits", "--format", "json"] + arguments)
        #expect(r.status == 0, "\(r.stderr)")
        return try CreditCLITests.objects(r.stdout)
    }

    static func head(_ t: CLIRun) throws -> String { try t.arlog(["audit", "head"]).stdout }

    @Test func applyNeedsAScope() throws {
        let t = try Self.store()
        let before = try Self.head(t)
        for bad in [["limits", "--apply"], ["limits", "--apply", "--yes"], ["limits", "--yes"], ["limits", "--all", "--customer", "L1"],
                    ["limits", "--apply", "--all", "--grade", "A"], ["limits", "--grade", "F"]] {
            let r = try t.arlog(bad)
            #expect(r.status == 2, "\(bad)")
            #expect(r.stderr.hasPrefix("Error: "), "\(bad): \(r.stderr)")
        }
        #expect(try t.arlog(["limits", "--apply"]).stderr.contains("--apply needs a scope: --customer C (repeatable), --grade G,... or --all"))
        let unknown = try t.arlog(["limits", "--apply", "--customer", "NOPE", "--yes"])
        #expect(unknown.status == 3)
        #expect(unknown.stderr == "arlog: unknown customer \"NOPE\": no customer.registered for it in the store\n")
        #expect(try Self.head(t) == before)
    }

    /// Without --yes nothing is appended, whatever the format; the plan is what --yes appends.
    @Test func planAppendsNothingAndMatchesTheApply() throws {
        let t = try Self.store()
        let before = try Self.head(t)
        let table = try t.arlog(["limits", "--apply", "--all"])
        #expect(table.status == 0)
        #expect(table.stdout.hasPrefix("customer  name     currency  limit_grade  limit_score      from        to  reason\n"), "\(table.stdout)")
        #expect(table.stdout.contains("\nLATE      Late SA  EUR       E "))
        #expect(table.stdout.contains("nothing appended; add --yes to append them\n"))
        let csv = try t.arlog(["limits", "--apply", "--all", "--format", "csv"])
        #expect(csv.status == 0)
        #expect(csv.stdout.hasPrefix("customer,name,currency,limit_grade,limit_score,from,to,reason\nL1,L One,EUR,"))
        #expect(csv.stderr.hasPrefix("arlog: plan only: nothing appended; add --yes to append"))
        let plan = try CreditCLITests.object(try t.arlog(["limits", "--apply", "--all", "--format", "json"]).stdout)
        #expect(plan["plan"] as? Bool == true)
        #expect(plan["appended"] as? Int == 0)
        #expect(plan["at"] is NSNull)
        #expect(try Self.head(t) == before)

        // The list and the plan agree: every limit change listed is planned, to the same figure.
        let listed = try Self.rows(t).filter { $0["limit_change"] as? Bool == true }
        let planned = try #require(plan["changes"] as? [[String: Any]])
        #expect(planned.map { $0["customer"] as? String } == listed.map { $0["customer"] as? String })
        #expect(planned.map { $0["to"] as? String } == listed.map { $0["recommended_limit"] as? String })
        #expect(planned.map { $0["reason"] as? String } == listed.map { $0["reason"] as? String })

        let applied = try CreditCLITests.object(try t.arlog(["limits", "--apply", "--all", "--yes", "--format", "json"]).stdout)
        #expect(applied["plan"] as? Bool == false)
        #expect(applied["appended"] as? Int == planned.count)
        #expect((applied["changes"] as? [[String: Any]])?.map { $0["to"] as? String } == planned.map { $0["to"] as? String })
        #expect(try Self.head(t) != before)
        #expect(try t.arlog(["verify"]).status == 0)
    }

    /// --customer (repeatable or comma-separated) and --grade narrow both the list and what
    /// --apply --yes appends.
    @Test func scopeNarrowsListAndApply() throws {
        let t = try Self.store()
        let all = try Self.rows(t)
        let late = try #require(all.first { $0["customer"] as? String == "LATE" })
        let lateGrade = try #require(late["grade"] as? String)
        let l1 = try #require(all.first { $0["customer"] as? String == "L1" })
        #expect(l1["grade"] as? String != lateGrade)
        #expect(try Self.rows(t, ["--grade", lateGrade.lowercased()]).map { $0["customer"] as? String } == ["LATE"])
        #expect(try Self.rows(t, ["--customer", "L1"]).map { $0["customer"] as? String } == ["L1"])
        #expect(try Self.rows(t, ["--customer", "QUIET,L1"]).map { $0["customer"] as? String } == ["L1", "QUIET"])
        #expect(try Self.rows(t, ["--customer", "L1", "--customer", "LATE"]).map { $0["customer"] as? String } == ["L1", "LATE"])

        let apply = try t.arlog(["limits", "--apply", "--customer", "L1", "--yes"])
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(apply.stdout.contains("appended 1 credit_limit.changed event"))
        func limit(_ c: String) throws -> String? {
            try CreditCLITests.object(try t.arlog(["balance", c, "--format", "json"]).stdout)["credit_limit"] as? String
        }
        #expect(try limit("L1") == "25000.00")
        #expect(try limit("LATE") == "5000.00")
        let byGrade = try t.arlog(["limits", "--apply", "--grade", lateGrade, "--yes", "--actor", "committee"])
        #expect(byGrade.status == 0, "\(byGrade.stderr)")
        #expect(try limit("LATE") == "2500.00")  // at most half in one review
        #expect(try limit("L1") == "25000.00")
    }

    /// A customer with no sales in the window keeps its limit by default; a policy may
    /// withdraw it, at most `max_cut_percent` per review.
    @Test func dormantCustomerKeepsItsLimitUnlessThePolicySays() throws {
        let t = try Self.store()
        let quiet = try #require(try Self.rows(t).first { $0["customer"] as? String == "QUIET" }, "QUIET listed for its terms")
        #expect(quiet["dormant"] as? Bool == true)
        #expect(quiet["limit_change"] as? Bool == false)
        #expect(quiet["recommended_limit"] as? String == "8000.00")
        #expect((quiet["reason"] as? String)?.contains("dormant (0.00 EUR net sales in 365 days): 100% of the limit = 8000.00 EUR") == true)
        #expect(try t.arlog(["limits", "--apply", "--customer", "QUIET", "--yes"]).stdout.contains("appended 0 credit_limit.changed events"))

        let policy = CreditPolicy.defaultJSON
            .replacingOccurrences(of: #""dormant_limit_percent": 100"#, with: #""dormant_limit_percent": 0"#)
            .replacingOccurrences(of: #""name": "arlog default 2026-11""#, with: #""name": "withdraw dormant""#)
        #expect(policy.contains(#""dormant_limit_percent": 0"#))
        let set = try t.arlog(["policy", "set", try t.file("p.json", policy), "--at", "\(Self.d(-1))T00:00:00Z"])
        #expect(set.status == 0, "\(set.stderr)")
        let shown = try t.arlog(["policy", "show"]).stdout
        #expect(shown.contains("\nlimit_dormant ") && shown.contains(" 0% of the limit\n"), "\(shown)")
        let withdrawn = try #require(try Self.rows(t, ["--customer", "QUIET"]).first)
        #expect(withdrawn["recommended_limit"] as? String == "4000.00")
        #expect(withdrawn["cut_capped"] as? Bool == true)
        #expect(withdrawn["limit_change"] as? Bool == true)
    }

    /// A `credit_policy.changed` written by the previous version (without
    /// `limits.dormant_limit_percent` and `limits.max_cut_percent`) is still accepted, takes
    /// the documented defaults, and the store replays to the same grades and alerts.
    @Test func policyLoggedBeforeTheNewMembersReplaysIdentically() throws {
        let oldDocument = CreditPolicy.defaultJSON
            .replacingOccurrences(of: ",\n    \"dormant_limit_percent\": 100,\n    \"max_cut_percent\": 50", with: "")
            .replacingOccurrences(of: #""name": "arlog default 2026-11""#, with: #""name": "tight 2025""#)
            .replacingOccurrences(of: #""A": 85, "B": 70, "C": 55, "D": 40"#, with: #""A": 90, "B": 80, "C": 60, "D": 50"#)
            .replacingOccurrences(of: "\n", with: "")
        #expect(!oldDocument.contains("dormant_limit_percent") && !oldDocument.contains("max_cut_percent"))
        let policyLine = #"{"id":"pol-1","type":"credit_policy.changed","at":"\#(Self.d(-150))T00:00:00Z","actor":"cfo","policy":\#(oldDocument)}"#
        let t = try CLIRun()
        let ingest = try t.arlog(["ingest", try t.file("old.ndjson", Self.feed + policyLine + "\n")])
        #expect(ingest.status == 0, "\(ingest.stderr)")

        func snapshot() throws -> [String] {
            try ["L1", "QUIET", "LATE"].map { try t.arlog(["grade", $0, "--history", "--format", "json"]).stdout }
                + [try t.arlog(["alerts", "--format", "json"]).stdout, try t.arlog(["customers", "--format", "json"]).stdout]
        }
        let before = try snapshot()
        #expect(before[0].contains(#""policy":"tight 2025""#))
        #expect(try t.arlog(["rebuild"]).status == 0)
        #expect(try snapshot() == before)
        #expect(try t.arlog(["verify"]).status == 0)
        #expect(try t.arlog(["audit", "verify"]).status == 0)
        // In force with the defaults, and printed with them.
        let shown = try CreditCLITests.object(try t.arlog(["policy", "show", "--format", "json"]).stdout)
        let limits = try #require(shown["limits"] as? [String: Any])
        #expect(limits["dormant_limit_percent"] as? Int == 100)
        #expect(limits["max_cut_percent"] as? Int == 50)
        // The export gives the event back exactly as received.
        #expect(try t.arlog(["export"]).stdout.hasSuffix(policyLine + "\n"))
    }
}
