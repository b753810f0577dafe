import Foundation
import Testing

/// `arlog customers import FILE` and `arlog customers export` through the binary: a file with
/// a byte order mark, quotes and a line break in a field; problems on stderr with row and
/// column and exit 1; --dry-run and --atomic; export → import into a new store → export gives
/// the same bytes; `arlog customers` without a subcommand is still the listing.
@Suite struct CustomersFileCLITests {
    static let file = "\u{FEFF}id,name,currency,terms_days,credit_limit,industry,contact,email\r\n"
        + "ACME,\"Acme, Ltd\",EUR,30,10000.00,retail,\"Ann \"\"Annie\"\" Lee\",ann@acme.test\r\n"
        + "MULL,\"Bäckerei Müller\r\nGmbH\",EUR,14,2500,,,\r\n"

    @Test func importExportRoundTrip() throws {
        let t = try CLIRun()
        let path = try t.file("customers.csv", Self.file)
        let dry = try t.arlog(["customers", "import", path, "--dry-run", "--at", "2026-12-01T09:00:00Z"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("import.20261201T090000.ACME.registered"))
        #expect(dry.stdout.hasSuffix("customers import: 2 rows, 2 events planned, 0 unchanged, 0 rows with problems; dry run: nothing logged\n"), "\(dry.stdout)")
        let run = try t.arlog(["customers", "import", path, "--at", "2026-12-01T09:00:00Z", "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains(#""logged":2"#), "\(run.stdout)")
        // The listing is still `arlog customers`.
        let list = try t.arlog(["customers", "--format", "csv"])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("\nACME,\"Acme, Ltd\",EUR,"), "\(list.stdout)")
        // Export, import into a new store, export again: the same bytes.
        let out = try t.arlog(["customers", "export"])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.hasPrefix("id,name,currency,terms_days,credit_limit,industry,contact,email,registered_on\n"))
        #expect(out.stdout.contains("\"Bäckerei Müller\r\nGmbH\""), "\(out.stdout)")
        let u = try CLIRun()
        let again = try u.arlog(["customers", "import", try u.file("export.csv", out.stdout), "--atomic"])
        #expect(again.status == 0, "\(again.stderr)")
        let exportPath = u.directory.appendingPathComponent("second.csv").path
        #expect(try u.arlog(["customers", "export", "--output", exportPath]).status == 0)
        #expect(try String(contentsOfFile: exportPath, encoding: .utf8) == out.stdout)
        // Importing the export into the first store changes nothing.
        let same = try t.arlog(["customers", "import", try t.file("export.csv", out.stdout)])
        #expect(same.stdout.contains("0 events planned, 2 unchanged"), "\(same.stdout)")
    }

    @Test func problemsAreReportedByRowAndColumnWithExitOne() throws {
        let t = try CLIRun()
        let path = try t.file("bad.csv", "id,name,currency,terms_days,credit_limit\nA1,One,EUR,30,1\nA2,Two,XYZ,30,1\n")
        let r = try t.arlog(["customers", "import", path, "--atomic"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("row 3, column currency: \"XYZ\" is not an ISO 4217 currency code"), "\(r.stderr)")
        #expect(r.stdout.contains("nothing logged (--atomic)"), "\(r.stdout)")
        #expect(try t.arlog(["customers", "export"]).stdout == "id,name,currency,terms_days,credit_limit,industry,contact,email,registered_on\n")
        // Without --atomic the good row is logged, and the exit status still says a row was refused.
        let partial = try t.arlog(["customers", "import", path])
        #expect(partial.status == 1)
        #expect(try t.arlog(["customers", "export"]).stdout.contains("\nA1,One,EUR,30,1.00,,,,\n"))
        // A missing file is exit 2 naming it; --id is a usage error.
        let missing = try t.arlog(["customers", "import", "/nonexistent/file.csv"])
        #expect(missing.status == 2 && missing.stderr.contains("/nonexistent/file.csv"), "\(missing.stderr)")
        #expect(try t.arlog(["customers", "import", path, "--id", "x"]).status == 2)
    }
}
