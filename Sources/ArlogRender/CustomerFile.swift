import ArlogDomain
import ArlogEngine

extension Render {
    static let customerImportColumns = ["row", "customer", "event", "id", "fields"]

    /// `customers import`: one line per event planned (and, without --dry-run, appended), the
    /// problems by row and column, and a summary.
    public static func customerImport(_ r: CustomerImportResult, dryRun: Bool, format: OutputFormat) -> String {
        let events = r.planned.map { p in
            RenderRecord([("row", .integer(Int64(p.row))), ("customer", .text(p.customer)), ("event", .text(p.kind.rawValue)),
                          ("id", .text(p.id)), ("fields", .text(p.fields.joined(separator: " ")))], digits: 0)
        }
        let problems = r.problems.map { p in
            RenderRecord([("row", .integer(Int64(p.row))), ("column", p.column.map(ReportValue.text)), ("problem", .text(p.message))], digits: 0)
        }
        let logged = r.summary.map { $0.accepted } ?? 0
        let status = dryRun ? "dry run: nothing logged" : (r.atomic && !r.problems.isEmpty ? "nothing logged (--atomic)" : "\(plural(logged, "event", "events")) logged")
        let summaryLine = "customers import: \(plural(r.rows, "row", "rows")), \(plural(r.planned.count, "event", "events")) planned, \(r.unchanged) unchanged, \(plural(Set(r.problems.map(\.row)).count, "row", "rows")) with problems; \(status)"
        switch format {
        case .json:
            let head = RenderRecord([("rows", .integer(Int64(r.rows))), ("planned", .integer(Int64(r.planned.count))),
                                     ("unchanged", .integer(Int64(r.unchanged))), ("logged", .integer(Int64(logged))),
                                     ("duplicates", .integer(Int64(r.summary?.duplicates ?? 0))), ("dry_run", .bool(dryRun)),
                                     ("atomic", .bool(r.atomic)), ("at", .text("\(r.at)")), ("actor", .text(r.actor))], digits: 0)
            return jsonDocument(head, sections: [("events", events), ("problems", problems)])
        case .csv:
            return csv(header: customerImportColumns, rows: events.map(\.cells))
        case .table:
            var out = events.isEmpty ? "" : table(header: customerImportColumns, rows: events.map(\.cells)) + "\n"
            if !problems.isEmpty {
                out += table(header: ["row", "column", "problem"], rows: problems.map(\.cells)) + "\n"
            }
            return out + singleLine(summaryLine) + "\n"
        }
    }
}
