import Foundation
import Testing

/// `arlog apply-credit` (a plan unless --yes; idempotent) and `arlog refund` (feed v1.2).
@Suite struct CashApplicationCLITests {
    /// ADV paid 1000.00 in advance (P-ADV) and has two overdue invoices (A-1 600.00, A-2
    /// 700.00) and one not yet due (A-3); a credit note (CN-1, 50.00) came later with
    /// nothing open yet. IDLE has credit and nothing overdue; BOTH has a payment and a
    /// credit note of the same id.
    static let feed = """
        {"id":"a1","type":"customer.registered","at":"2025-01-01T09:00:00Z","customer":"ADV","name":"Advance Ltd","currency":"EUR","terms_days":30,"credit_limit":"5000.00"}
        {"id":"a2","type":"payment.received","at":"2025-01-02T09:00:00Z","customer":"ADV","payment":"P-ADV","amount":"1000.00","received_on":"2025-01-02"}
        {"id":"a3","type":"credit_note.issued","at":"2025-01-03T09:00:00Z","customer":"ADV","credit_note":"CN-1","amount":"50.00","issued_on":"2025-01-03","reason":"rebate"}
        {"id":"a4","type":"invoice.issued","at":"2025-01-10T09:00:00Z","customer":"ADV","invoice":"A-1","amount":"600.00","issued_on":"2025-01-10","due_on":"2025-02-09"}
        {"id":"a5","type":"invoice.issued","at":"2025-01-11T09:00:00Z","customer":"ADV","invoice":"A-2","amount":"700.00","issued_on":"2025-01-11","installments":[{"due_on":"2025-02-01","amount":"300.00"},{"due_on":"2099-01-01","amount":"400.00"}]}
        {"id":"a6","type":"invoice.issued","at":"2025-01-12T09:00:00Z","customer":"ADV","invoice":"A-3","amount":"100.00","issued_on":"2025-01-12","due_on":"2099-02-01"}
        {"id":"i1","type":"customer.registered","at":"2025-01-01T09:00:00Z","customer":"IDLE","name":"Idle","currency":"JPY","terms_days":30,"credit_limit":"0"}
        {"id":"i2","type":"payment.received","at":"2025-01-02T09:00:00Z","customer":"IDLE","payment":"SAME","amount":"5000","received_on":"2025-01-02"}
        {"id":"i3","type":"credit_note.issued","at":"2025-01-03T09:00:00Z","customer":"IDLE","credit_note":"SAME","amount":"700","issued_on":"2025-01-03"}

        """

    static func store() throws -> CLIRun {
        let t = try CLIRun()
        let r = try t.arlog(["ingest", try t.file("cash.ndjson", feed)])
        #expect(r.status == 0, "\(r.stderr)")
        return t
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func applyCreditPlansOldestCreditOntoOldestOverdueAndAppendsOnlyWithYes() throws {
        let t = try Self.store()
        let head = try t.arlog(["audit", "head"]).stdout
        let plan = try t.arlog(["apply-credit", "--as-of", "2025-03-01", "--format", "json"])
        #expect(plan.status == 0, "\(plan.stderr)")
        let p = try Self.json(plan.stdout)
        #expect(p["plan"] as? Bool == true && p["appended"] as? Int == 0 && p["actor"] as? String == "arlog-cash-application")
        let rows = try #require(p["applications"] as? [[String: Any]])
        // Overdue on 03-01: A-2's first installment (due 02-01, 300.00), then A-1 (02-09,
        // 600.00). P-ADV (1000.00, received first) clears both; CN-1 is not needed. A-2's
        // second installment and A-3 are not due: left alone.
        #expect(rows.map { "\($0["source"]!) \($0["invoice"]!) \($0["amount"]!)" } == ["P-ADV A-2 300.00", "P-ADV A-1 600.00"])
        #expect(rows.allSatisfy { $0["customer"] as? String == "ADV" })  // IDLE has nothing overdue
        #expect(try t.arlog(["audit", "head"]).stdout == head)  // a plan appends nothing

        // Today everything with a due date in 2025 is overdue.
        let applied = try t.arlog(["apply-credit", "--yes", "--format", "json"])
        #expect(applied.status == 0, "\(applied.stderr)")
        let a = try Self.json(applied.stdout)
        #expect(a["plan"] as? Bool == false && a["appended"] as? Int == 2)
        let balance = try Self.json(try t.arlog(["balance", "ADV", "--format", "json"]).stdout)
        #expect(balance["open"] as? String == "500.00" && balance["unapplied"] as? String == "150.00")
        let history = try t.arlog(["history", "ADV", "--format", "csv"]).stdout
        #expect(history.contains("credit.applied") && history.contains("arlog-cash-application"))
        // The invoice view names the source and the event that applied it.
        let invoice = try Self.json(try t.arlog(["invoice", "A-1", "--format", "json"]).stdout)
        let payments = try #require(invoice["payments"] as? [[String: Any]])
        #expect(payments.count == 1 && payments[0]["source"] as? String == "payment" && (payments[0]["applied_by"] as? String)?.hasPrefix("apply-credit.") == true)
        // Its events: the payment and the credit.applied naming A-1, not the one naming A-2.
        let events = try #require(invoice["events"] as? [[String: Any]])
        #expect(events.filter { $0["type"] as? String == "credit.applied" }.count == 1)

        // A second run: the credit is applied, nothing is overdue with credit beside it.
        let head2 = try t.arlog(["audit", "head"]).stdout
        let again = try t.arlog(["apply-credit", "--yes"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("appended 0 credit.applied events"))
        #expect(try t.arlog(["audit", "head"]).stdout == head2)
        #expect(try t.arlog(["verify"]).status == 0)
    }

    /// `--as-of D --yes`: the plan of D, logged at D's last second (as `dunning run --as-of D`
    /// dates its events), so that the days before and after see it; a plan of an earlier day
    /// that the log has moved past is refused whole.
    @Test func applyCreditAsOfADayIsLoggedAtTheEndOfThatDay() throws {
        let t = try Self.store()
        let applied = try t.arlog(["apply-credit", "--as-of", "2025-03-01", "--yes", "--format", "json"])
        #expect(applied.status == 0, "\(applied.stderr)")
        let a = try Self.json(applied.stdout)
        #expect(a["plan"] as? Bool == false && a["appended"] as? Int == 2 && a["at"] as? String == "2025-03-01T23:59:59Z", "\(applied.stdout)")
        let history = try t.arlog(["history", "ADV", "--format", "csv"]).stdout
        #expect(history.split(separator: "\n").filter { $0.contains("credit.applied") }.allSatisfy { $0.contains("2025-03-01T23:59:59Z") }, "\(history)")
        func open(_ day: String) throws -> String? {
            try Self.json(try t.arlog(["balance", "ADV", "--as-of", day, "--format", "json"]).stdout)["open"] as? String
        }
        #expect(try open("2025-02-28") == "1400.00")
        #expect(try open("2025-03-01") == "500.00")
        #expect(try t.arlog(["apply-credit", "--as-of", "2025-03-01"]).stdout.contains("no idle credit"))
        // As of 02-15 P-ADV still had its 1000.00 and A-2's first installment was overdue; the
        // log has since applied 900.00 of it: the event is refused, nothing is logged.
        let head = try t.arlog(["audit", "head"]).stdout
        let stale = try t.arlog(["apply-credit", "--as-of", "2025-02-15", "--yes"])
        #expect(stale.status == 2 && stale.stderr.contains("nothing was logged"), "\(stale.stdout)\(stale.stderr)")
        #expect(try t.arlog(["audit", "head"]).stdout == head)
        #expect(try t.arlog(["verify"]).status == 0)
    }

    @Test func applyCreditForOneCustomerAndItsErrors() throws {
        let t = try Self.store()
        let csv = try t.arlog(["apply-credit", "--customer", "IDLE", "--format", "csv"])
        #expect(csv.status == 0, "\(csv.stderr)")
        #expect(csv.stdout == "customer,currency,source_type,source,source_date,invoice,due_on,days_past_due,amount,id\n")
        #expect(try t.arlog(["apply-credit", "--customer", "NOBODY"]).status == 3)
        #expect(try t.arlog(["apply-credit", "--customer", "bad id!"]).status == 2)
        #expect(try t.arlog(["apply-credit", "--actor", "x"]).status == 2)  // --actor only with --yes
    }

    @Test func refundTellsPaymentsFromCreditNotes() throws {
        let t = try Self.store()
        // SAME is both: the command cannot guess.
        let both = try t.arlog(["refund", "IDLE", "--amount", "100", "--source", "SAME"])
        #expect(both.status == 2 && both.stderr.contains("--source-type"), "\(both.stderr)")
        let r = try t.arlog(["refund", "IDLE", "--amount", "100", "--source", "SAME", "--source-type", "credit_note",
                             "--refunded-on", "2025-02-01", "--note", "cheque 7", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try Self.json(r.stdout)
        #expect(o["source_type"] as? String == "credit_note" && o["refunded"] as? String == "100" && o["unapplied"] as? String == "5600")
        // Only a payment of that id: found without --source-type.
        let p = try t.arlog(["refund", "ADV", "--amount", "10.00", "--source", "P-ADV"])
        #expect(p.status == 0, "\(p.stderr)")
        let balance = try Self.json(try t.arlog(["balance", "ADV", "--format", "json"]).stdout)
        #expect(balance["refunded"] as? String == "10.00")
        // The contract's rules: more than the unapplied credit, a date before the source,
        // another customer's source: refused (exit 1) with the rule, nothing logged.
        let head = try t.arlog(["audit", "head"]).stdout
        let tooMuch = try t.arlog(["refund", "ADV", "--amount", "5000.00", "--source", "P-ADV"])
        #expect(tooMuch.status == 1 && tooMuch.stderr.contains("credit.exceeds_unapplied"), "\(tooMuch.stderr)")
        let early = try t.arlog(["refund", "ADV", "--amount", "1.00", "--source", "CN-1", "--refunded-on", "2024-12-31"])
        #expect(early.status == 1 && early.stderr.contains("refund.before_source"), "\(early.stderr)")
        let other = try t.arlog(["refund", "ADV", "--amount", "1.00", "--source", "SAME"])
        #expect(other.status == 1 && other.stderr.contains("payment.other_customer"), "\(other.stderr)")
        #expect(try t.arlog(["audit", "head"]).stdout == head)
        #expect(try t.arlog(["refund", "ADV", "--amount", "1.00", "--source", "P-ADV", "--refunded-on", "2025-13-01"]).status == 2)
    }
}
