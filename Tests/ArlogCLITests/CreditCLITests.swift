import ArlogDomain
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The credit-risk commands end to end through the built binary: grade, check, customers
/// --grade, alerts (listing, --follow, --exec across a crash), limits, policy, review.
/// Tests/Fixtures/credit-customers.ndjson, shared with the render tests.
func creditFixtureFeed(filePath: String = #filePath) -> String {
    var dir = URL(fileURLWithPath: filePath)
    dir.deleteLastPathComponent()
    return try! String(contentsOf: dir.deletingLastPathComponent().appendingPathComponent("Fixtures/credit-customers.ndjson"), encoding: .utf8)
}

@Suite struct CreditCLITests {
    /// GOOD: trading since 2024, pays about 12 days late, 8750.00 of a 10000.00 limit open.
    /// REV: a payment reversed, dunning level 2. BAD: 5000.00 unpaid since January, dunning 3.
    static let feed = creditFixtureFeed()

    /// A store holding `feed`.
    static func run() throws -> CLIRun {
        let run = try CLIRun()
        let ingest = try run.arlog(["ingest", try run.file("feed.ndjson", feed)])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        return run
    }

    static func json(_ text: String) throws -> Any { try CLIFixtures.parse(text) }

    static func objects(_ text: String) throws -> [[String: Any]] {
        try #require(try json(text) as? [[String: Any]], "not an array of objects: \(text)")
    }

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try json(text) as? [String: Any], "not an object: \(text)")
    }

    /// A UTC date `offset` days from today, YYYY-MM-DD.
    static func day(_ offset: Int) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: Date(timeIntervalSinceNow: Double(offset) * 86_400))
    }

    // MARK: check

    @Test func checkExitCodesApproveReviewHold() throws {
        let t = try Self.run()
        let asOf = ["--as-of", "2025-06-30"]
        let approve = try t.arlog(["check", "GOOD", "--amount", "1000.00"] + asOf)
        #expect(approve.status == 0, "\(approve.stdout)\(approve.stderr)")
        #expect(approve.stdout.contains("\ndecision                   approve\n"))
        let review = try t.arlog(["check", "GOOD", "--amount", "2000.00", "--format", "json"] + asOf)
        #expect(review.status == 10, "\(review.stderr)")
        let o = try Self.object(review.stdout)
        #expect(o["decision"] as? String == "review")
        #expect(o["exit_code"] as? Int == 10)
        let reasons = try #require(o["reasons"] as? [[String: Any]])
        #expect(reasons.map { $0["rule"] as? String } == ["grade", "overdue", "dunning", "utilisation"])
        #expect(reasons.last?["decision"] as? String == "review")
        let hold = try t.arlog(["check", "BAD", "--amount", "100"] + asOf)
        #expect(hold.status == 11, "\(hold.stderr)")
        #expect(hold.stdout.contains("\ndecision                   hold\n"))
        #expect(hold.stdout.contains("oldest open installment 141 days past due (hold from 61)"))
        let csv = try t.arlog(["check", "BAD", "--amount", "100", "--format", "csv"] + asOf)
        #expect(csv.status == 11)
        #expect(csv.stdout.hasPrefix("customer,name,currency,on,amount,decision,rule,rule_decision,detail\nBAD,Bad GmbH,EUR,2025-06-30,100.00,hold,grade,hold,"))

        #expect(try t.arlog(["check", "NOBODY", "--amount", "1"]).status == 3)
        let badAmount = try t.arlog(["check", "GOOD", "--amount", "1.005"])
        #expect(badAmount.status == 2)
        #expect(badAmount.stderr.contains("--amount"))
        #expect(try t.arlog(["check", "GOOD", "--amount", "0"]).status == 2)
        #expect(try t.arlog(["check", "GOOD", "--amount", "lots"]).status == 2)
        #expect(try t.arlog(["check", "GOOD"]).status == 2)
    }

    // MARK: grade

    @Test func gradeJSONExplainsTheFactors() throws {
        let t = try Self.run()
        let r = try t.arlog(["grade", "GOOD", "--as-of", "2025-06-30", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try Self.object(r.stdout)
        #expect(o["customer"] as? String == "GOOD")
        #expect(o["on"] as? String == "2025-06-30")
        #expect(o["policy"] as? String == CreditPolicy.default.name)
        let score = try #require(o["score"] as? Int)
        #expect((0...100).contains(score))
        #expect(o["grade"] as? String == CreditPolicy.default.grade(score: score).letter)
        let factors = try #require(o["factors"] as? [[String: Any]])
        #expect(factors.map { $0["factor"] as? String } == ["payment", "overdue", "utilisation", "dunning", "reversals", "trading_age"])
        for f in factors {
            #expect(Set(f.keys) == ["factor", "title", "points", "weight", "contribution", "measure", "detail"])
            #expect(f["measure"] is [String: Any])
        }
        #expect(factors[0]["detail"] as? String == "12.00 days beyond terms on 4200.00 EUR paid")
        let utilisation = try #require(factors[2]["measure"] as? [String: Any])
        #expect(utilisation["credit_limit"] as? String == "10000.00")
        #expect(utilisation["utilisation_percent"] as? Double == 87.5)
        let contributions = factors.compactMap { $0["contribution"] as? Double }.reduce(0, +)
        #expect(abs(contributions - Double(score)) <= 1)
        #expect((o["history"] as? [Any])?.isEmpty == false)

        let table = try t.arlog(["grade", "REV", "--history"])
        #expect(table.status == 0)
        #expect(table.stdout.contains("\ngrade history\n"))
        #expect(table.stdout.contains("r4     payment.reversed"))
        #expect(try t.arlog(["grade", "NOBODY"]).status == 3)
        #expect(try t.arlog(["grade", "GOOD", "--as-of", "2025-02-30"]).status == 2)
    }

    // MARK: customers

    /// Grades in `customers` are the live model on the report date, as `grade` computes them.
    @Test func customersFilterByGrade() throws {
        let t = try Self.run()
        let day = ["--as-of", "2025-06-30"]
        let all = try Self.objects(try t.arlog(["customers", "--format", "json"] + day).stdout)
        #expect(all.map { $0["customer"] as? String } == ["BAD", "GOOD", "REV"])
        #expect(all.allSatisfy { $0["grade"] is String && $0["score"] is Int })
        let grades = Dictionary(uniqueKeysWithValues: all.map { ($0["customer"] as! String, $0["grade"] as! String) })
        // BAD on 30 June: B-1 141 days past due, dunning level 3 → 37, E.
        #expect(grades["BAD"] == "E")
        for o in all {
            let g = try Self.object(try t.arlog(["grade", o["customer"] as! String, "--format", "json"] + day).stdout)
            #expect(g["grade"] as? String == o["grade"] as? String)
            #expect(g["score"] as? Int == o["score"] as? Int)
        }

        let bad = try t.arlog(["customers", "--grade", "D,E", "--format", "json"] + day)
        #expect(bad.status == 0, "\(bad.stderr)")
        let rows = try Self.objects(bad.stdout)
        #expect(rows.map { $0["customer"] as? String } == all.filter { ["D", "E"].contains(grades[$0["customer"] as! String]!) }.map { $0["customer"] as? String })
        #expect(rows.contains { $0["customer"] as? String == "BAD" })
        #expect(!rows.contains { $0["customer"] as? String == "GOOD" })
        #expect(try Self.objects(try t.arlog(["customers", "--grade", "a, b ,c,d,e", "--format", "json"] + day).stdout).count == 3)

        let csv = try t.arlog(["customers", "--grade", "E", "--format", "csv"] + day)
        #expect(csv.stdout.hasPrefix("customer,name,currency,balance,credit_limit,available,over_limit,overdue,oldest_overdue,days_past_due,dunning_level,avg_days_late,grade,score\nBAD,"))
        // On 1 April BAD was 51 days past due: 48, D.
        let april = try Self.objects(try t.arlog(["customers", "--grade", "D", "--as-of", "2025-04-01", "--format", "json"]).stdout)
        #expect(april.map { $0["customer"] as? String } == ["BAD"])
        #expect(april.first?["score"] as? Int == 48)
        #expect(try Self.objects(try t.arlog(["customers", "--grade", "E", "--as-of", "2025-04-01", "--format", "json"]).stdout).isEmpty)

        let usage = try t.arlog(["customers", "--grade", "F"])
        #expect(usage.status == 2)
        #expect(usage.stderr.contains("--grade"))
    }

    // MARK: alerts

    @Test func alertsListTheReversalAndFilter() throws {
        let t = try Self.run()
        let r = try t.arlog(["alerts", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let alerts = try Self.objects(r.stdout)
        let reversal = try #require(alerts.first { $0["kind"] as? String == "payment_reversed" })
        #expect(reversal["customer"] as? String == "REV")
        #expect(reversal["name"] as? String == "Rev SA")
        #expect(reversal["event"] as? String == "r4")
        #expect(reversal["event_type"] as? String == "payment.reversed")
        #expect(reversal["level"] as? String == "critical")
        #expect(reversal["amount"] as? String == "3000.00")
        #expect(reversal["evaluated_on"] as? String == "2025-02-15")
        #expect((reversal["reason"] as? String)?.contains("RP-1") == true)

        let critical = try Self.objects(try t.arlog(["alerts", "--level", "critical", "--customer", "REV", "--format", "json"]).stdout)
        #expect(!critical.isEmpty)
        #expect(critical.allSatisfy { $0["level"] as? String == "critical" && $0["customer"] as? String == "REV" })
        let since = try Self.objects(try t.arlog(["alerts", "--since", "2025-03-01", "--format", "json"]).stdout)
        #expect(since.allSatisfy { ($0["evaluated_on"] as! String) >= "2025-03-01" })
        #expect(since.count < alerts.count)

        let table = try t.arlog(["alerts"])
        #expect(table.stdout.hasPrefix("alert "))
        #expect(table.stdout.split(separator: "\n").count == alerts.count + 2)

        for bad in [
            ["alerts", "--level", "info"], ["alerts", "--since", "2025-13-01"], ["alerts", "--follow", "--poll-ms", "5"],
            ["alerts", "--exec", "true", "--attempts", "0"], ["alerts", "--attempts", "2"], ["alerts", "--cursor", "x"],
            ["alerts", "--exec", "true", "--cursor", "bad name"], ["alerts", "--poll-ms", "100"],
        ] {
            let u = try t.arlog(bad)
            #expect(u.status == 2, "\(bad) exited \(u.status)")
        }
    }

    @Test func reviewRaisesTheOverdueAlertTimeBrings() throws {
        let t = try Self.run()
        let kinds = { (r: CLIRun.Result) in try Self.objects(r.stdout).filter { $0["kind"] as? String == "overdue_61_90" } }
        #expect(try kinds(try t.arlog(["alerts", "--format", "json"])).isEmpty)
        // BAD's B-1 was due on 9 February: 65 days past due on 15 April.
        let review = try t.arlog(["review", "--at", "2025-04-15T00:00:00Z", "--actor", "cron", "--note", "daily"])
        #expect(review.status == 0, "\(review.stderr)")
        #expect(review.stdout.hasPrefix("credit.reviewed review.20250415T000000 at 2025-04-15T00:00:00Z: logged; "))
        let overdue = try kinds(try t.arlog(["alerts", "--format", "json"]))
        #expect(overdue.count == 1)
        #expect(overdue.first?["customer"] as? String == "BAD")
        #expect(overdue.first?["event"] as? String == "review.20250415T000000")
        #expect(overdue.first?["event_type"] as? String == "credit.reviewed")
        #expect(overdue.first?["amount"] as? String == "5000.00")
        #expect(overdue.first?["evaluated_on"] as? String == "2025-04-15")
        // The same review again is a duplicate and raises nothing.
        let again = try t.arlog(["review", "--at", "2025-04-15T00:00:00Z", "--actor", "cron", "--note", "daily"])
        #expect(again.status == 0)
        #expect(again.stdout.contains("already logged"))
        #expect(try kinds(try t.arlog(["alerts", "--format", "json"])).count == 1)
        #expect(try t.arlog(["verify"]).status == 0)
        #expect(try t.arlog(["review", "--at", "yesterday"]).status == 2)
    }

    /// `--exec` delivers every alert at least once even when arlog is killed mid-way: the
    /// command kills its parent (arlog) with SIGKILL on the third alert; the rerun with the
    /// same cursor delivers the third again and the rest; a third run delivers nothing.
    @Test func execDeliversEveryAlertAcrossACrash() throws {
        let t = try Self.run()
        let all = try Self.objects(try t.arlog(["alerts", "--format", "json"]).stdout).map { $0["alert"] as! String }
        try #require(all.count >= 4, "the feed must raise at least 4 alerts, it raised \(all.count)")
        let out = t.directory.appendingPathComponent("delivered.txt").path
        let mark = t.directory.appendingPathComponent("killed").path
        let stdinCopy = t.directory.appendingPathComponent("stdin.txt").path
        let script = try t.file(
            "deliver.sh",
            """
            cat >> '\(stdinCopy)'
            echo "$ARLOG_ALERT_ID" >> '\(out)'
            n=$(wc -l < '\(out)')
            if [ "$n" -eq 3 ] && [ ! -e '\(mark)' ]; then
              if [ "$(cat /proc/$PPID/comm)" = "arlog" ]; then
                touch '\(mark)'
                kill -9 $PPID
              fi
            fi
            exit 0

            """)
        let command = ". '\(script)'"
        let delivered = { () throws -> [String] in
            (try? String(contentsOfFile: out, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
        }

        let first = try t.arlog(["alerts", "--exec", command, "--cursor", "crash-test"])
        #expect(FileManager.default.fileExists(atPath: mark), "the command did not find arlog as its parent")
        #expect(first.status != 0, "arlog was not killed: \(first.stderr)")
        #expect(try delivered() == Array(all.prefix(3)))

        let second = try t.arlog(["alerts", "--exec", command, "--cursor", "crash-test"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("delivered \(all.count - 2) alerts"))
        let lines = try delivered()
        // At least once, in order: the third (delivered when arlog died) again, then the rest.
        #expect(lines == Array(all.prefix(3)) + Array(all.dropFirst(2)))
        #expect(Set(all).isSubset(of: Set(lines)))
        var firstSeen: [String] = []
        for id in lines where !firstSeen.contains(id) { firstSeen.append(id) }
        #expect(firstSeen == all)
        // Each command read the alert's JSON on its stdin.
        let inputs = try String(contentsOfFile: stdinCopy, encoding: .utf8).split(separator: "\n")
        #expect(inputs.count == lines.count)
        #expect(try inputs.map { try Self.object(String($0))["alert"] as? String } == lines)

        let third = try t.arlog(["alerts", "--exec", command, "--cursor", "crash-test"])
        #expect(third.status == 0)
        #expect(third.stderr.contains("delivered 0 alerts"))
        #expect(try delivered() == lines)
        // Another cursor starts from the beginning.
        let other = try t.arlog(["alerts", "--exec", "cat > /dev/null", "--cursor", "other", "--level", "critical"])
        #expect(other.status == 0)
        let criticals = try Self.objects(try t.arlog(["alerts", "--level", "critical", "--format", "json"]).stdout).count
        #expect(other.stderr.contains("delivered \(criticals) alert"))
        // A new cursor with --from-now skips the history: nothing now, then only what is new.
        let fresh = try t.arlog(["alerts", "--exec", "cat > /dev/null", "--cursor", "fresh", "--from-now"])
        #expect(fresh.stderr.contains("delivered 0 alerts"), "\(fresh.stderr)")
        let reversal = #"{"id":"fn1","type":"payment.received","at":"2025-06-01T09:00:00Z","customer":"GOOD","payment":"FN-1","amount":"10.00","received_on":"2025-06-01"}"# + "\n"
            + #"{"id":"fn2","type":"payment.reversed","at":"2025-06-02T09:00:00Z","customer":"GOOD","payment":"FN-1"}"# + "\n"
        #expect(try t.arlog(["ingest", try t.file("fresh.ndjson", reversal)]).status == 0)
        let next = try t.arlog(["alerts", "--exec", "cat > /dev/null", "--cursor", "fresh", "--from-now", "--level", "critical"])
        #expect(next.stderr.contains("delivered 1 alert "), "\(next.stderr)")
        #expect(try t.arlog(["alerts", "--from-now"]).status == 2)
    }

    @Test func execGivesUpWithExitTwo() throws {
        let t = try Self.run()
        let r = try t.arlog(["alerts", "--exec", "cat > /dev/null; exit 3", "--attempts", "1", "--cursor", "failing"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("exited 3"))
        #expect(r.stderr.contains("was not delivered after 1 attempts"))
    }

    /// `--follow` prints an alert committed after it started, as one JSON line.
    @Test func followPrintsNewAlerts() throws {
        let t = try Self.run()
        var payments = ""
        for i in 1...5 {
            payments += #"{"id":"fp\#(i)","type":"payment.received","at":"2025-05-0\#(i)T09:00:00Z","customer":"GOOD","payment":"FP-\#(i)","amount":"10.00","received_on":"2025-05-0\#(i)"}"# + "\n"
        }
        #expect(try t.arlog(["ingest", try t.file("payments.ndjson", payments)]).status == 0)

        let process = Process()
        process.executableURL = try builtProduct("arlog")
        process.arguments = ["alerts", "--follow", "--format", "json", "--poll-ms", "20", "--store", t.store]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            // SIGKILL: the test runner's blocked signals (SIGTERM among them) are inherited by
            // the processes Foundation starts, so terminate() would not end it.
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        let fd = pipe.fileHandleForReading.fileDescriptor
        var received = [UInt8]()
        var reversed: [String] = []
        // Reverse one payment at a time until a line comes (the first usually suffices; a
        // later one only if the follower had not started yet).
        for i in 1...5 where !received.contains(0x0A) {
            let line = #"{"id":"rv\#(i)","type":"payment.reversed","at":"2025-06-0\#(i)T09:00:00Z","customer":"GOOD","payment":"FP-\#(i)"}"#
            let ingest = try t.arlog(["ingest", "-"], stdin: line + "\n")
            #expect(ingest.status == 0, "\(ingest.stderr)")
            reversed.append("rv\(i)")
            let deadline = Date().addingTimeInterval(3)
            while !received.contains(0x0A), Date() < deadline {
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&p, 1, 100) > 0 else { continue }
                var buffer = [UInt8](repeating: 0, count: 4096)
                let n = read(fd, &buffer, buffer.count)
                if n <= 0 { break }
                received += buffer[..<n]
            }
        }
        #expect(process.isRunning, "--follow exited")
        let text = String(decoding: received, as: UTF8.self)
        let first = try #require(text.split(separator: "\n").first.map(String.init), "no alert printed")
        let o = try Self.object(first)
        #expect(o["kind"] as? String == "payment_reversed")
        #expect(o["customer"] as? String == "GOOD")
        #expect(reversed.contains(o["event"] as? String ?? ""))
        #expect(o["reference"] as? String == "FP-\(reversed.firstIndex(of: o["event"] as! String)! + 1)")
    }

    // MARK: limits

    @Test func limitsReviewApplyAndReviewAgain() throws {
        let t = try CLIRun()
        let d = Self.day
        let feed = """
            {"id":"l1","type":"customer.registered","at":"\(d(-400))T09:00:00Z","customer":"L1","name":"L One","currency":"EUR","terms_days":60,"credit_limit":"50000.00","registered_on":"\(d(-400))"}
            {"id":"l2","type":"invoice.issued","at":"\(d(-300))T09:00:00Z","customer":"L1","invoice":"L-1","amount":"36500.00","issued_on":"\(d(-300))","due_on":"\(d(-240))"}
            {"id":"l3","type":"payment.received","at":"\(d(-245))T09:00:00Z","customer":"L1","payment":"LP-1","amount":"36500.00","received_on":"\(d(-245))"}

            """
        #expect(try t.arlog(["ingest", try t.file("limits.ndjson", feed)]).status == 0)

        let review = try t.arlog(["limits", "--format", "json"])
        #expect(review.status == 0, "\(review.stderr)")
        let rows = try Self.objects(review.stdout)
        #expect(rows.count == 1)
        let row = try #require(rows.first)
        #expect(row["customer"] as? String == "L1")
        #expect(row["current_limit"] as? String == "50000.00")
        // The rule says 9000.00; a review cuts at most 50% (the default policy).
        #expect(row["recommended_limit"] as? String == "25000.00")
        #expect(row["limit_change"] as? Bool == true)
        #expect(row["cut_capped"] as? Bool == true)
        #expect(row["dormant"] as? Bool == false)
        #expect(row["terms_change"] as? Bool == false)
        #expect(try t.arlog(["limits", "--review", "--format", "json"]).stdout == review.stdout)

        // --apply without --yes plans and appends nothing.
        let plan = try t.arlog(["limits", "--apply", "--all"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("50000.00  25000.00"))
        #expect(plan.stdout.hasSuffix("plan: 1 credit_limit.changed event to append (actor arlog-policy); nothing appended; add --yes to append them\n"))
        #expect(try t.arlog(["limits", "--format", "json"]).stdout == review.stdout)

        let apply = try t.arlog(["limits", "--apply", "--all", "--yes"])
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(apply.stdout.contains("\nL1 "))
        #expect(apply.stdout.contains("50000.00  25000.00"))
        #expect(apply.stdout.contains("appended 1 credit_limit.changed event (actor arlog-policy, at "))

        let history = try Self.object(try t.arlog(["history", "L1", "--format", "json"]).stdout)
        let last = try #require((history["events"] as? [[String: Any]])?.last)
        #expect(last["type"] as? String == "credit_limit.changed")
        #expect(last["actor"] as? String == "arlog-policy")
        #expect(try Self.object(try t.arlog(["balance", "L1", "--format", "json"]).stdout)["credit_limit"] as? String == "25000.00")
        #expect((last["note"] as? String)?.contains("9000.00 EUR, cut held to 50% per review: 25000.00 EUR") == true)
        #expect((last["id"] as? String)?.hasPrefix("limits.") == true)

        // Two more reviews: 12500.00 (half again), then the rule's 9000.00; then nothing.
        for expected in ["12500.00", "9000.00"] {
            let next = try t.arlog(["limits", "--apply", "--customer", "L1", "--yes", "--format", "json"])
            #expect(next.status == 0, "\(next.stderr)")
            let o = try Self.object(next.stdout)
            #expect(o["appended"] as? Int == 1)
            #expect(o["plan"] as? Bool == false)
            #expect((o["changes"] as? [[String: Any]])?.first?["to"] as? String == expected)
        }
        let again = try t.arlog(["limits", "--format", "json"])
        #expect(again.status == 0)
        #expect(again.stdout == "[]\n")
        let nothing = try t.arlog(["limits", "--apply", "--all", "--yes", "--actor", "committee", "--format", "json"])
        #expect(try Self.object(nothing.stdout)["appended"] as? Int == 0)
        #expect(try t.arlog(["verify"]).status == 0)

        for bad in [["limits", "--apply", "--all", "--as-of", "2025-01-01"], ["limits", "--apply", "--all", "--review"], ["limits", "--actor", "x"]] {
            #expect(try t.arlog(bad).status == 2, "\(bad)")
        }
    }

    // MARK: policy

    @Test func policySetValidatesThenRegrades() throws {
        let t = try Self.run()
        let shown = try t.arlog(["policy", "show", "--format", "json"])
        #expect(shown.status == 0)
        #expect(try CreditPolicy(parsing: Array(shown.stdout.utf8)) == .default)
        #expect(try t.arlog(["policy", "show", "--default", "--format", "json"], withStore: false).stdout == shown.stdout)
        #expect(try t.arlog(["policy", "show"]).stdout.contains("built-in default"))

        let invalid = try t.file("invalid.json", CreditPolicy.defaultJSON.replacingOccurrences(of: #""payment": 35"#, with: #""payment": 150"#))
        let refused = try t.arlog(["policy", "set", invalid])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("weights.payment"), "\(refused.stderr)")
        let unknown = try t.file("unknown.json", CreditPolicy.defaultJSON.replacingOccurrences(of: #""tolerance_percent": 10"#, with: #""tolerance_percent": 10, "tolerance": 5"#))
        let refused2 = try t.arlog(["policy", "set", unknown])
        #expect(refused2.status == 2)
        #expect(refused2.stderr.contains("limits.tolerance"), "\(refused2.stderr)")
        #expect(try t.arlog(["policy", "set", try t.file("notjson.json", "{")]).status == 2)
        #expect(try t.arlog(["policy", "set", t.directory.appendingPathComponent("missing.json").path]).status == 2)
        #expect(try t.arlog(["policy", "history", "--format", "json"]).stdout == "[]\n")

        // A strict policy: every grade needs 96+, so everyone falls to E.
        let strict = try t.file(
            "strict.json",
            CreditPolicy.defaultJSON
                .replacingOccurrences(of: #""A": 85, "B": 70, "C": 55, "D": 40"#, with: #""A": 99, "B": 98, "C": 97, "D": 96"#)
                .replacingOccurrences(of: #""name": "arlog default 2026-11""#, with: #""name": "strict""#))
        let set = try t.arlog(["policy", "set", strict, "--at", "2025-06-30T12:00:00Z", "--actor", "cfo", "--note", "tighter", "--id", "policy.strict"])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout.hasPrefix("credit_policy.changed policy.strict at 2025-06-30T12:00:00Z: logged; policy \"strict\"; "))
        let grade = try Self.object(try t.arlog(["grade", "GOOD", "--history", "--format", "json"]).stdout)
        #expect(grade["policy"] as? String == "strict")
        #expect(grade["policy_event"] as? String == "policy.strict")
        #expect(grade["grade"] as? String == "E")
        let change = try #require((grade["history"] as? [[String: Any]])?.last)
        #expect(change["event"] as? String == "policy.strict")
        #expect(change["event_type"] as? String == "credit_policy.changed")
        #expect(change["to"] as? String == "E")
        #expect(change["policy"] as? String == "strict")
        #expect(change["evaluated_on"] as? String == "2025-06-30")
        // Before its date the default is still in force.
        #expect(try Self.object(try t.arlog(["grade", "GOOD", "--as-of", "2025-06-29", "--format", "json"]).stdout)["policy"] as? String == CreditPolicy.default.name)

        let history = try Self.objects(try t.arlog(["policy", "history", "--format", "json"]).stdout)
        #expect(history.count == 1)
        #expect(history.first?["id"] as? String == "policy.strict")
        #expect(history.first?["actor"] as? String == "cfo")
        #expect(history.first?["note"] as? String == "tighter")
        #expect(try t.arlog(["policy", "show", "--as-of", "2025-06-29", "--format", "json"]).stdout == shown.stdout)
        #expect(try t.arlog(["policy", "show", "--format", "json"]).stdout.contains(#""name":"strict""#))
        #expect(try t.arlog(["verify"]).status == 0)

        // Default id and actor.
        let defaults = try t.arlog(["policy", "set", strict, "--at", "2025-07-01T08:09:10Z"], environment: ["USER": "alice"])
        #expect(defaults.status == 0, "\(defaults.stderr)")
        #expect(defaults.stdout.hasPrefix("credit_policy.changed policy.20250701T080910 at 2025-07-01T08:09:10Z: logged"))
        #expect(try Self.objects(try t.arlog(["policy", "history", "--format", "json"]).stdout).last?["actor"] as? String == "alice")
        #expect(try t.arlog(["policy", "set", strict, "--id", "bad id"]).status == 2)
    }

    @Test func helpListsTheCreditCommandsAndCheckExitCodes() throws {
        let t = try CLIRun()
        let help = try t.arlog(["--help"], withStore: false)
        for command in ["grade", "check", "alerts", "limits", "policy", "review"] {
            #expect(help.stdout.contains("\n  \(command) "), "\(command) missing from help")
        }
        #expect(help.stdout.contains("10 check: the order needs review"))
        #expect(help.stdout.contains("11 check: the order is on hold"))
        for sub in ["show", "history", "set"] {
            #expect(try t.arlog(["policy", sub, "--help"], withStore: false).status == 0)
        }
    }
}
