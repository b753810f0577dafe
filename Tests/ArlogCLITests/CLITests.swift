import Foundation
import Testing

/// The `arlog` executable end to end: arguments, exit codes, stderr messages, and the JSON
/// contract answered for the spec's worked examples (Tests/Fixtures/spec-examples).
@Suite struct CLITests {
    // MARK: ingest

    @Test(arguments: CLIFixtures.names)
    func ingestExitsZeroWithASummary(_ name: String) throws {
        let t = try CLIRun()
        let r = try t.arlog(["ingest", CLIFixtures.feed(name)])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        let n = try CLIFixtures.lines(name).count
        #expect(r.stderrLines.count == 1, "\(r.stderr)")
        #expect(CLIFixtures.summary(r.stderrLines.last ?? "") == [n, 0, 0, n], "\(r.stderr)")
    }

    @Test func reingestingCountsDuplicates() throws {
        let t = try CLIRun()
        let feed = CLIFixtures.feed("02-reversal-dunning")
        #expect(try t.arlog(["ingest", feed]).status == 0)
        let again = try t.arlog(["ingest", feed])
        #expect(again.status == 0)
        #expect(CLIFixtures.summary(again.stderrLines.last ?? "") == [0, 9, 0, 9], "\(again.stderr)")
    }

    @Test func ingestReadsStandardInput() throws {
        let t = try CLIRun()
        let text = try String(contentsOfFile: CLIFixtures.feed("01-installments-fifo"), encoding: .utf8)
        let r = try t.arlog(["ingest", "-"], stdin: text)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(CLIFixtures.summary(r.stderrLines.last ?? "") == [6, 0, 0, 6], "\(r.stderr)")
        let balance = try t.arlog(["balance", "ACME", "--format", "json"])
        let want = try #require(((CLIFixtures.expected("01-installments-fifo")["balance"] as? [String: Any])?["all"] as? [String: Any])?["ACME"])
        let (got, wanted) = try CLIFixtures.canonicalPair(CLIFixtures.parse(balance.stdout), want)
        #expect(got == wanted)
    }

    @Test func ingestOfSeveralFilesSummarizesEachAndAll() throws {
        let t = try CLIRun()
        let r = try t.arlog(["ingest"] + CLIFixtures.names.map(CLIFixtures.feed))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderrLines.count == 4)
        #expect(CLIFixtures.summary(r.stderrLines.last ?? "") == [22, 0, 0, 22], "\(r.stderr)")
        #expect(r.stderrLines[0].hasPrefix(CLIFixtures.feed(CLIFixtures.names[0]) + ": accepted 6,"))
    }

    /// A feed with one line breaking a rule and one that is not JSON: exit 1, each on stderr
    /// and in --rejects, and the valid lines are kept.
    @Test func rejectedLinesExitOneAndGoToTheRejectsFile() throws {
        let t = try CLIRun()
        let (feed, badRule, notJSON) = try Self.feedWithBadLines(t)
        let rejects = t.directory.appendingPathComponent("rejects.ndjson").path
        let r = try t.arlog(["ingest", "--rejects", rejects, feed])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderrLines.count == 3, "\(r.stderr)")
        #expect(r.stderrLines[0] == "\(feed):4: event bad-1: money.precision: \"amount\" has more fraction digits than CNY allows (2)")
        #expect(r.stderrLines[1].hasPrefix("\(feed):6: event -: json.syntax: "))
        #expect(CLIFixtures.summary(r.stderrLines[2]) == [6, 0, 2, 8], "\(r.stderr)")

        let records = try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n").map {
            try #require(try CLIFixtures.parse(String($0)) as? [String: Any])
        }
        #expect(records.count == 2)
        #expect(Set(records[0].keys) == ["source", "line", "id", "rule", "message", "raw"])
        #expect(records[0]["source"] as? String == feed)
        #expect(records[0]["line"] as? Int == 4)
        #expect(records[0]["id"] as? String == "bad-1")
        #expect(records[0]["rule"] as? String == "money.precision")
        #expect(records[0]["raw"] as? String == badRule)
        #expect(records[1]["line"] as? Int == 6)
        #expect(records[1]["id"] is NSNull)
        #expect(records[1]["rule"] as? String == "json.syntax")
        #expect(records[1]["raw"] as? String == notJSON)

        // The valid lines were kept: the balance is the example's.
        let balance = try t.arlog(["balance", "ACME", "--format", "json"])
        #expect(balance.status == 0)
        let want = try #require(((CLIFixtures.expected("01-installments-fifo")["balance"] as? [String: Any])?["all"] as? [String: Any])?["ACME"])
        let (got, wanted) = try CLIFixtures.canonicalPair(CLIFixtures.parse(balance.stdout), want)
        #expect(got == wanted)
    }

    @Test func atomicKeepsNothingOfAFileWithABadLine() throws {
        let t = try CLIRun()
        let (feed, _, _) = try Self.feedWithBadLines(t)
        let rejects = t.directory.appendingPathComponent("rejects.ndjson").path
        let r = try t.arlog(["ingest", "--atomic", "--rejects", rejects, feed])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(CLIFixtures.summary(r.stderrLines.last ?? "") == [0, 0, 2, 8], "\(r.stderr)")
        #expect(r.stderr.contains("6 valid lines rolled back"))
        // Nothing kept: the customer is unknown.
        let balance = try t.arlog(["balance", "ACME"])
        #expect(balance.status == 3, "\(balance.stderr)")
        let rules = try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n").map {
            (try CLIFixtures.parse(String($0)) as? [String: Any])?["rule"] as? String
        }
        #expect(rules.count == 8)
        #expect(rules.filter { $0 == "atomic.rolled_back" }.count == 6)
        // The same file without --atomic keeps its six valid lines.
        let again = try t.arlog(["ingest", feed])
        #expect(again.status == 1)
        #expect(CLIFixtures.summary(again.stderrLines.last ?? "") == [6, 0, 2, 8], "\(again.stderr)")
    }

    @Test func ingestUsageAndIOErrorsExitTwo() throws {
        let t = try CLIRun()
        let missing = try t.arlog(["ingest", t.directory.appendingPathComponent("no-such.ndjson").path])
        #expect(missing.status == 2)
        #expect(missing.stderr.hasPrefix("arlog: cannot read "), "\(missing.stderr)")
        #expect(try t.arlog(["ingest"]).status == 2)
        #expect(try t.arlog(["ingest", "--batch-events", "0", CLIFixtures.feed("01-installments-fifo")]).status == 2)
        #expect(try t.arlog(["ingest", "--batch-events", "100001", CLIFixtures.feed("01-installments-fifo")]).status == 2)
        let small = try t.arlog(["ingest", "--batch-events", "1", CLIFixtures.feed("01-installments-fifo")])
        #expect(small.status == 0, "\(small.stderr)")
    }

    // MARK: the contract's JSON

    @Test(arguments: CLIFixtures.answered)
    func balanceJSONMatchesTheExample(_ name: String) throws {
        let t = try CLIRun()
        #expect(try t.arlog(["ingest", CLIFixtures.feed(name)]).status == 0)
        let balances = try #require(CLIFixtures.expected(name)["balance"] as? [String: [String: Any]])
        #expect(balances.count > 1)
        for (key, customers) in balances {
            for (customer, want) in customers {
                let asOf = key == "all" ? [] : ["--as-of", key]
                let r = try t.arlog(["balance", customer, "--format", "json"] + asOf)
                #expect(r.status == 0, "\(r.stderr)")
                #expect(r.stdout.hasSuffix("}\n") && r.stdout.filter { $0 == "\n" }.count == 1)
                let (got, wanted) = try CLIFixtures.canonicalPair(CLIFixtures.parse(r.stdout), want)
                #expect(got == wanted, "balance \(customer) as of \(key)")
            }
        }
    }

    @Test(arguments: CLIFixtures.answered)
    func agingJSONMatchesTheExample(_ name: String) throws {
        let t = try CLIRun()
        #expect(try t.arlog(["ingest", CLIFixtures.feed(name)]).status == 0)
        let agings = try #require(CLIFixtures.expected(name)["aging"] as? [String: Any])
        #expect(!agings.isEmpty)
        for (day, want) in agings {
            let r = try t.arlog(["aging", "--as-of", day, "--format", "json"])
            #expect(r.status == 0, "\(r.stderr)")
            let (got, wanted) = try CLIFixtures.canonicalPair(CLIFixtures.parse(r.stdout), want)
            #expect(got == wanted, "aging as of \(day)")
        }
    }

    // MARK: exit codes

    @Test func unknownCustomerOrInvoiceExitsThree() throws {
        let t = try CLIRun()
        #expect(try t.arlog(["ingest", CLIFixtures.feed("01-installments-fifo")]).status == 0)
        for arguments in [["balance", "NOBODY"], ["history", "NOBODY"], ["invoice", "INV-404"]] {
            let r = try t.arlog(arguments)
            #expect(r.status == 3, "\(arguments): \(r.stderr)")
            #expect(r.stdout.isEmpty)
            #expect(r.stderr.hasPrefix("arlog: unknown "), "\(r.stderr)")
        }
        // Registered on 2025-01-02: as of the day before, ACME is not known yet.
        #expect(try t.arlog(["balance", "ACME", "--as-of", "2025-01-01"]).status == 3)
        #expect(try t.arlog(["invoice", "INV-2", "--as-of", "2025-01-10"]).status == 3)
    }

    @Test func missingStoreExitsTwo() throws {
        let t = try CLIRun()
        for command in [["balance", "ACME"], ["aging"], ["customers"], ["stats"], ["verify"], ["rebuild"]] {
            let r = try t.arlog(command)
            #expect(r.status == 2, "\(command): \(r.stderr)")
            #expect(r.stderr.hasPrefix("arlog: no arlog store in \(t.store)"), "\(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: t.store + "/data.mdb"))
    }

    @Test func badArgumentsExitTwo() throws {
        let t = try CLIRun()
        #expect(try t.arlog(["ingest", CLIFixtures.feed("01-installments-fifo")]).status == 0)
        let cases: [[String]] = [
            ["balance", "ACME", "--as-of", "2025-02-30"],
            ["balance", "ACME", "--as-of", "yesterday"],
            ["aging", "--as-of", "2025/03/31"],
            ["aging", "--buckets", "30,30"],
            ["aging", "--buckets", "0,10"],
            ["aging", "--buckets", "x"],
            ["customers", "--limit", "0"],
            ["customers", "--dunning-level", "5"],
            ["customers", "--currency", "ZZZ"],
            ["customers", "--sort", "name"],
            ["balance", "ACME", "--format", "xml"],
            ["balance"],
            ["frobnicate"],
        ]
        for arguments in cases {
            let r = try t.arlog(arguments)
            #expect(r.status == 2, "\(arguments): \(r.stderr)")
            #expect(r.stdout.isEmpty)
            #expect(r.stderr.contains("Error:") || r.stderr.contains("arlog:"), "\(arguments): \(r.stderr)")
        }
        let r = try t.arlog(["balance", "ACME", "--as-of", "2025-02-30"])
        #expect(r.stderr.contains("--as-of"))
    }

    @Test func helpListsTheExitCodes() throws {
        let t = try CLIRun()
        let r = try t.arlog(["--help"], withStore: false)
        #expect(r.status == 0)
        #expect(r.stdout.contains("Exit codes:"))
        #expect(r.stdout.contains("0  ok"))
        #expect(r.stdout.contains("1  ingest rejected some lines"))
        #expect(r.stdout.contains("2  usage error"))
        #expect(r.stdout.contains("3  unknown customer or invoice"))
        #expect(r.stdout.contains("4  verify or audit verify found problems"))
        for command in ["ingest", "balance", "aging", "customers", "invoice", "history", "stats", "rebuild", "verify", "audit"] {
            #expect(r.stdout.contains("  \(command) "), "\(command) missing from help")
            let sub = try t.arlog([command, "--help"], withStore: false)
            #expect(sub.status == 0)
            #expect(sub.stdout.contains("Example:"), "\(command) help has no example")
        }
    }

    // MARK: the other commands

    @Test func storeComesFromTheEnvironment() throws {
        let t = try CLIRun()
        let env = ["ARLOG_STORE": t.directory.appendingPathComponent("env-store").path]
        #expect(try t.arlog(["ingest", CLIFixtures.feed("03-currencies-asof")], withStore: false, environment: env).status == 0)
        let r = try t.arlog(["balance", "KAIJU", "--format", "csv"], withStore: false, environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasSuffix("\nKAIJU,JPY,0,5000,-5000,1000000,1005000,false,125000,0,130000,0,0,40.0,0,0,0,0,,0\n"))
        // Without either, ./arlog-store in the working directory.
        #expect(try t.arlog(["stats"], withStore: false).status == 2)
        #expect(try t.arlog(["ingest", CLIFixtures.feed("03-currencies-asof")], withStore: false).status == 0)
        #expect(FileManager.default.fileExists(atPath: t.directory.appendingPathComponent("arlog-store/data.mdb").path))
    }

    @Test func everyCommandAnswers() throws {
        let t = try CLIRun()
        #expect(try t.arlog(["ingest"] + CLIFixtures.names.map(CLIFixtures.feed)).status == 0)

        let aging = try t.arlog(["aging", "--as-of", "2025-06-30", "--buckets", "15,45"])
        #expect(aging.status == 0)
        #expect(aging.stdout.hasPrefix("customer  name          currency  current"))
        #expect(
            aging.stdout.prefix(while: { $0 != "\n" }).split(separator: " ").map(String.init)
                == ["customer", "name", "currency", "current", "1-15", "16-45", "46+", "unapplied", "disputed", "total"])
        #expect(aging.stdout.contains("\nACME      Acme Trading  CNY "))
        #expect(aging.stdout.split(separator: "\n").filter { $0.hasPrefix("TOTAL ") }.count == 4)
        #expect(try t.arlog(["aging"]).status == 0)

        let customers = try t.arlog(["customers", "--as-of", "2025-06-30", "--overdue", "--sort", "oldest-overdue", "--format", "csv"])
        #expect(customers.status == 0, "\(customers.stderr)")
        let rows = customers.stdout.split(separator: "\n")
        #expect(rows.first?.hasPrefix("customer,name,currency,balance,credit_limit,available,over_limit,overdue,oldest_overdue") == true)
        #expect(rows.dropFirst().map { $0.prefix(while: { $0 != "," }) } == ["BOLT", "PEARL"])
        let limited = try t.arlog(["customers", "--currency", "jpy", "--limit", "1", "--format", "json"])
        #expect(limited.status == 0, "\(limited.stderr)")
        let array = try #require(try CLIFixtures.parse(limited.stdout) as? [[String: Any]])
        #expect(array.map { $0["customer"] as? String } == ["KAIJU"])
        #expect(try t.arlog(["customers", "--dunning-level", "2", "--over-limit"]).status == 0)

        let invoice = try t.arlog(["invoice", "B-2", "--format", "json"])
        #expect(invoice.status == 0, "\(invoice.stderr)")
        let object = try #require(try CLIFixtures.parse(invoice.stdout) as? [String: Any])
        #expect(object["invoice"] as? String == "B-2")
        #expect(object["written_off"] as? String == "2000.00")
        #expect(object["installments"] is [Any] && object["payments"] is [Any] && object["events"] is [Any])
        #expect(try t.arlog(["invoice", "K-1"]).stdout.contains("\ninstallments\n"))

        let history = try t.arlog(["history", "BOLT", "--as-of", "2025-03-01", "--format", "json"])
        #expect(history.status == 0)
        let events = try #require((try CLIFixtures.parse(history.stdout) as? [String: Any])?["events"] as? [[String: Any]])
        #expect(events.map { $0["id"] as? String } == ["r1", "r2", "r3", "r4", "r5", "r6"])
        #expect(try t.arlog(["history", "PEARL", "--format", "csv"]).stdout.split(separator: "\n").count == 5)

        let stats = try t.arlog(["stats", "--format", "json"])
        #expect(stats.status == 0)
        let s = try #require(try CLIFixtures.parse(stats.stdout) as? [String: Any])
        #expect(s["customers"] as? Int == 4)
        #expect(s["events"] as? Int == 22)
        #expect((s["currencies"] as? [Any])?.count == 4)
        #expect(try t.arlog(["stats", "--as-of", "2025-02-01"]).stdout.contains("\nevents               6\n"))

        let rebuild = try t.arlog(["rebuild"])
        #expect(rebuild.status == 0)
        #expect(rebuild.stdout.hasPrefix("rebuilt: 22 events replayed, 4 customers in "))
        let verify = try t.arlog(["verify"])
        #expect(verify.status == 0)
        #expect(verify.stdout == "OK: 22 events, 4 customers\n")
    }

    // MARK: helpers

    /// Example 01 with a line breaking a money rule after line 3 and a non-JSON line after
    /// line 4: (path, the bad-rule line, the non-JSON line).
    static func feedWithBadLines(_ t: CLIRun) throws -> (String, String, String) {
        let lines = try CLIFixtures.lines("01-installments-fifo")
        let badRule = #"{"id":"bad-1","type":"invoice.issued","at":"2025-01-06T10:00:00Z","customer":"ACME","invoice":"INV-9","amount":"1.001","issued_on":"2025-01-06"}"#
        let notJSON = #"not json, "quoted""#
        var all: [String] = Array(lines[0..<3])
        all.append(badRule)
        all.append(lines[3])
        all.append(notJSON)
        all.append(contentsOf: lines[4...])
        let text = all.joined(separator: "\n") + "\n"
        return (try t.file("bad.ndjson", text), badRule, notJSON)
    }
}

/// `arlog audit head` and `arlog audit verify --expect` through the binary.
struct AuditCLITests {
    @Test func headThenVerifyWithExpect() throws {
        let t = try CLIRun()
        #expect(try t.arlog(["ingest", CLIFixtures.feed("01-installments-fifo")]).status == 0)
        let head = try t.arlog(["audit", "head"])
        #expect(head.status == 0)
        let kept = head.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(kept.hasPrefix("6:") && kept.count == 2 + 64)
        let ok = try t.arlog(["audit", "verify", "--expect", kept])
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        #expect(ok.stdout.contains("OK: 6 events"))
        #expect(ok.stdout.contains("expected head holds"))
        let wrong = "6:" + String(repeating: "0", count: 64)
        let bad = try t.arlog(["audit", "verify", "--expect", wrong])
        #expect(bad.status == 4)
        #expect(bad.stdout.contains("FAILED"))
        #expect(try t.arlog(["audit", "verify", "--expect", "6:xyz"]).status == 2)
    }
}
