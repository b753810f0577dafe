import ArlogDomain
import Foundation
import Testing

@testable import ArlogEngine

/// The customer file (`customers import` / `export`): CSV read with its quoting, line breaks
/// in fields and a byte order mark; every bad row reported by row and column; registrations,
/// updates of what differs and limit changes; nothing for an unchanged row; all or nothing
/// with `atomic`; and export → import giving the same master data back.
struct CustomerFileTests {
    static let at = Timestamp(parsing: "2026-12-01T09:00:00Z")!

    static func load(_ t: TempStore, _ text: String, atomic: Bool = false, dryRun: Bool = false,
                     at: Timestamp = CustomerFileTests.at) throws -> CustomerImportResult {
        try t.store.importCustomers(try CustomerFile.read(text: text), at: at, actor: "test", note: nil, atomic: atomic, dryRun: dryRun)
    }

    static let file = """
        \u{FEFF}id,name,currency,terms_days,credit_limit,industry,contact,email
        ACME,"Acme, Ltd",EUR,30,10000.00,retail,"Ann ""Annie"" Lee",ann@acme.test
        MULL,"Bäckerei Müller
        GmbH",EUR,14,2500,,,
        YEN,Nihon KK,JPY,45,500000,,,

        """

    @Test func readsQuotingLineBreaksAndTheByteOrderMark() throws {
        let f = try CustomerFile.read(text: Self.file)
        #expect(f.problems.isEmpty, "\(f.problems)")
        #expect(f.rows == 3)
        #expect(f.records.map(\.row) == [2, 3, 4])
        let acme = f.records[0].record
        #expect(acme.name == "Acme, Ltd" && acme.contact == "Ann \"Annie\" Lee" && acme.creditLimit == 1_000_000 && acme.termsDays == 30)
        #expect(f.records[1].record.name == "Bäckerei Müller\nGmbH")
        #expect(f.records[1].record.industry == nil)
        #expect(f.records[2].record.currency.code == "JPY" && f.records[2].record.creditLimit == 500_000)
    }

    @Test func everyBadRowIsReportedByRowAndColumn() throws {
        let f = try CustomerFile.read(text: """
            id,name,currency,terms_days,credit_limit
            OK1,Fine,EUR,30,100.00
            bad id,X,EUR,30,1
            X2,,EUR,30,1
            X3,Y,EURO,30,1
            X4,Y,EUR,3651,1
            X5,Y,JPY,30,1.5
            X6,Y,EUR,30,-1
            X7,Y,EUR,30
            OK1,Again,EUR,30,1

            """)
        #expect(f.records.map(\.record.id) == ["OK1"])
        let got = f.problems.map { "\($0.row) \($0.column ?? "-")" }
        #expect(got == ["3 id", "4 name", "5 currency", "6 terms_days", "7 credit_limit", "8 credit_limit", "9 -", "10 id"], "\(f.problems)")
        // The header: an unknown column (a typo must not drop data) and a missing required one.
        let h = try CustomerFile.read(text: "id,name,currency,terms,credit_limit\nA,B,EUR,1,1\n")
        #expect(h.problems.map { "\($0.row) \($0.column ?? "-")" } == ["1 terms", "1 terms_days"])
        #expect(h.records.isEmpty)
    }

    @Test func registersUpdatesWhatDiffersAndIsIdempotent() throws {
        let t = try TempStore()
        let r1 = try Self.load(t, Self.file)
        #expect(r1.problems.isEmpty && r1.summary?.accepted == 3)
        #expect(r1.planned.map(\.kind) == [.registered, .registered, .registered])
        #expect(try t.store.balance("ACME").creditLimit == 1_000_000)
        // The same file again: nothing planned, nothing logged.
        let r2 = try Self.load(t, Self.file, at: Timestamp(parsing: "2026-12-02T09:00:00Z")!)
        #expect(r2.planned.isEmpty && r2.unchanged == 3 && r2.summary?.accepted == 0)
        // New terms and name for ACME, a new limit for MULL, an empty cell that changes nothing.
        let r3 = try Self.load(t, """
            id,name,currency,terms_days,credit_limit,industry
            ACME,Acme Limited,EUR,45,10000,
            MULL,"Bäckerei Müller
            GmbH",EUR,14,3000.00,

            """, at: Timestamp(parsing: "2026-12-03T09:00:00Z")!)
        #expect(r3.problems.isEmpty, "\(r3.problems)")
        #expect(r3.planned.map { "\($0.customer) \($0.kind.rawValue) \($0.fields.joined(separator: ","))" }
            == ["ACME updated name,terms_days", "MULL limit_changed credit_limit"])
        #expect(r3.planned.map(\.id) == ["import.20261203T090000.ACME.updated", "import.20261203T090000.MULL.limit"])
        let back = try t.store.customerRecords()
        #expect(back.first { $0.id == "ACME" }?.industry == "retail")
        #expect(back.first { $0.id == "ACME" }?.termsDays == 45)
        #expect(back.first { $0.id == "MULL" }?.creditLimit == 300_000)
        // A currency never changes: the row is a problem, the other rows go in.
        let r4 = try Self.load(t, "id,name,currency,terms_days,credit_limit\nYEN,Nihon KK,EUR,45,5000\nNEW,New Co,GBP,30,0\n")
        #expect(r4.problems.map { "\($0.row) \($0.column ?? "-")" } == ["2 currency"])
        #expect(r4.summary?.accepted == 1)
    }

    @Test func atomicLogsNothingWhenARowIsBadAndDryRunNothingAtAll() throws {
        let t = try TempStore()
        let bad = "id,name,currency,terms_days,credit_limit\nA1,One,EUR,30,1\nA2,Two,EUR,x,1\n"
        let r = try Self.load(t, bad, atomic: true)
        #expect(r.summary == nil && r.problems.count == 1)
        #expect(try t.store.customerRecords().isEmpty)
        // Without --atomic the good row goes in.
        #expect(try Self.load(t, bad).summary?.accepted == 1)
        // A dry run plans and logs nothing.
        let dry = try Self.load(t, Self.file, dryRun: true)
        #expect(dry.planned.count == 3 && dry.summary == nil)
        #expect(try t.store.customerRecords().map(\.id) == ["A1"])
        // An event the store refuses is reported against its row: the same --at twice gives
        // the same event id, here for other content (an id is never reused).
        let x = Timestamp(parsing: "2026-12-04T10:00:00Z")!
        #expect(try Self.load(t, "id,name,currency,terms_days,credit_limit\nA1,One,EUR,31,1\n", at: x).summary?.accepted == 1)
        let clash = try Self.load(t, "id,name,currency,terms_days,credit_limit\nB1,B,EUR,30,1\nA1,One,EUR,32,1\n", atomic: true, at: x)
        #expect(clash.problems.map(\.row) == [3], "\(clash.problems)")
        #expect(clash.summary?.accepted == 0)
        #expect(try t.store.customerRecords().map(\.id) == ["A1"])
        #expect(try t.store.customerRecords()[0].termsDays == 31)
    }

    @Test func exportThenImportGivesTheSameMasterData() throws {
        let t = try TempStore()
        #expect(try Self.load(t, Self.file).problems.isEmpty)
        #expect(try t.ingest("""
            {"id":"r9","type":"customer.registered","at":"2025-01-01T00:00:00Z","customer":"ODD","name":"=HYPERLINK(\\"x\\"), \\"quoted\\"","currency":"BHD","terms_days":0,"credit_limit":"1.234","contact":"line1\\nline2","registered_on":"2024-12-31"}

            """).1.isEmpty)
        let records = try t.store.customerRecords()
        let text = String(decoding: try CustomerFile.write(records), as: UTF8.self)
        #expect(text.hasPrefix("id,name,currency,terms_days,credit_limit,industry,contact,email,registered_on\n"))
        // Read back: the same records, in the same order.
        let back = try CustomerFile.read(text: text)
        #expect(back.problems.isEmpty, "\(back.problems)")
        #expect(back.records.map(\.record) == records)
        // Imported into another store, then exported: the same file.
        let u = try TempStore()
        #expect(try u.store.importCustomers(back, at: Self.at, actor: "test", note: nil, atomic: true, dryRun: false).problems.isEmpty)
        #expect(String(decoding: try CustomerFile.write(try u.store.customerRecords()), as: UTF8.self) == text)
        // And into the first store again: nothing to do.
        #expect(try t.store.importCustomers(back, at: Self.at, actor: "test", note: nil, atomic: true, dryRun: false).planned.isEmpty)
    }
}
