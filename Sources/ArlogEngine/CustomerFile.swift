import ArlogDomain
import CSV
import Foundation

/// One customer's master data as a spreadsheet row (`arlog customers import` / `export`).
public struct CustomerRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    public var currency: Currency
    public var termsDays: Int
    /// Minor units of `currency`, ≥ 0.
    public var creditLimit: Int64
    public var industry: String?
    public var contact: String?
    public var email: String?
    /// The contract's optional `registered_on` (used only when the customer is registered).
    public var registeredOn: Day?

    public init(id: String, name: String, currency: Currency, termsDays: Int, creditLimit: Int64, industry: String? = nil,
                contact: String? = nil, email: String? = nil, registeredOn: Day? = nil) {
        self.id = id
        self.name = name
        self.currency = currency
        self.termsDays = termsDays
        self.creditLimit = creditLimit
        self.industry = industry
        self.contact = contact
        self.email = email
        self.registeredOn = registeredOn
    }
}

/// What is wrong with a row of a customer file: its number (the header is row 1; a row is a
/// CSV record, which may span lines when a field holds a line break), the column, and why.
public struct CustomerFileProblem: Sendable, Equatable {
    public let row: Int
    public let column: String?
    public let message: String

    public init(row: Int, column: String?, message: String) {
        self.row = row
        self.column = column
        self.message = message
    }

    public var description: String {
        "row \(row)\(column.map { ", column \($0)" } ?? ""): \(message)"
    }
}

/// A customer file as read: the good rows, the problems of the others, and how many data rows
/// it has (blank lines aside).
public struct CustomerFileContents: Sendable {
    public var records: [(row: Int, record: CustomerRecord)]
    public var problems: [CustomerFileProblem]
    public var rows: Int
}

/// The customer file: CSV (RFC 4180 quoting, line breaks inside quoted fields, a UTF-8 byte
/// order mark accepted and not written), a header row naming the columns in any order.
/// Read and written with CSV.swift (yaslab), not by hand.
public enum CustomerFile {
    /// The columns `export` writes, in this order; `import` requires the first five.
    public static let columns = ["id", "name", "currency", "terms_days", "credit_limit", "industry", "contact", "email", "registered_on"]
    public static let requiredColumns: Set<String> = ["id", "name", "currency", "terms_days", "credit_limit"]
    /// A limit: the whole file is read into memory and imported in one transaction.
    public static let fileBytesMax = 64 << 20
    /// Data rows of one file, at most (a limit for the same reason).
    public static let rowsMax = 200_000
    /// Problems reported per file, at most: past it the rest are counted, not listed.
    public static let problemsMax = 1_000

    /// The rows of the file at `path`, each checked against the contract's rules for the
    /// fields it fills; a row with a problem is left out of `records` and reported.
    public static func read(path: String) throws -> CustomerFileContents {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard let size = attributes?[.size] as? NSNumber else {
            throw EngineError(.io, "cannot read \(path): no such file, or not readable")
        }
        guard size.intValue <= fileBytesMax else {
            throw EngineError(.usage, "\(path) is \(size.intValue) bytes; a customer file may have at most \(fileBytesMax) bytes (CustomerFile.fileBytesMax)")
        }
        // Read whole (it is bounded above): CSV.swift's stream reader reports the end of a
        // file stream on Linux as a read error.
        guard let data = FileManager.default.contents(atPath: path) else { throw EngineError(.io, "cannot read \(path)") }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw EngineError(.usage, "\(path) is not UTF-8 text (save the spreadsheet as CSV UTF-8)")
        }
        return try read(text: text, name: path)
    }

    /// The same from text (tests, and files already in memory).
    public static func read(text: String, name: String = "customer file") throws -> CustomerFileContents {
        let reader: CSVReader
        do {
            // A UTF-8 byte order mark (what spreadsheets write) is not part of the first column's name.
            reader = try CSVReader(string: text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text, hasHeaderRow: true)
        } catch {
            throw EngineError(.usage, "\(name): no header row (\(error))")
        }
        return try read(reader, path: name)
    }

    static func read(_ reader: CSVReader, path: String) throws -> CustomerFileContents {
        guard let header = reader.headerRow else { throw EngineError(.usage, "\(path): no header row") }
        var problems: [CustomerFileProblem] = []
        var index: [String: Int] = [:]
        for (i, raw) in header.enumerated() {
            let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if !columns.contains(name) {
                // A typo must not silently drop a column's data.
                problems.append(CustomerFileProblem(row: 1, column: raw, message: "unknown column; the columns are \(columns.joined(separator: ", "))"))
            } else if index[name] != nil {
                problems.append(CustomerFileProblem(row: 1, column: name, message: "the column is named twice"))
            } else {
                index[name] = i
            }
        }
        for c in columns where requiredColumns.contains(c) && index[c] == nil {
            problems.append(CustomerFileProblem(row: 1, column: c, message: "required column missing"))
        }
        guard problems.isEmpty else { return CustomerFileContents(records: [], problems: problems, rows: 0) }

        var records: [(row: Int, record: CustomerRecord)] = []
        var firstRow: [String: Int] = [:]
        var row = 1
        var dataRows = 0
        var dropped = 0
        while let fields = reader.next() {
            row += 1
            guard row - 1 <= rowsMax else {
                throw EngineError(.usage, "\(path) has more than \(rowsMax) rows (CustomerFile.rowsMax); split it")
            }
            // A blank line (one empty field) is not a row.
            if fields.count == 1 && fields[0].isEmpty { continue }
            dataRows += 1
            var rowProblems: [CustomerFileProblem] = []
            func report(_ column: String?, _ message: String) {
                rowProblems.append(CustomerFileProblem(row: row, column: column, message: message))
            }
            guard fields.count == header.count else {
                report(nil, "\(fields.count) fields, the header has \(header.count)")
                append(rowProblems, to: &problems, dropped: &dropped)
                continue
            }
            func cell(_ c: String) -> String? {
                guard let i = index[c] else { return nil }
                let v = fields[i]
                return v.isEmpty ? nil : v
            }
            let record = parse(cell: cell, report: report)
            if let record {
                if let first = firstRow[record.id] {
                    report("id", "customer \(record.id) is already in row \(first)")
                } else {
                    firstRow[record.id] = row
                }
            }
            if rowProblems.isEmpty, let record {
                records.append((row, record))
            } else {
                append(rowProblems, to: &problems, dropped: &dropped)
            }
        }
        if let error = reader.error { throw EngineError(.usage, "\(path): not readable as CSV in UTF-8 (\(error))") }
        if dropped > 0 {
            problems.append(CustomerFileProblem(row: row, column: nil, message: "\(dropped) more problems not listed (CustomerFile.problemsMax)"))
        }
        return CustomerFileContents(records: records, problems: problems, rows: dataRows)
    }

    private static func append(_ new: [CustomerFileProblem], to problems: inout [CustomerFileProblem], dropped: inout Int) {
        for p in new {
            if problems.count < problemsMax { problems.append(p) } else { dropped += 1 }
        }
    }

    /// One row's fields checked as the contract checks a `customer.registered` (the id's
    /// alphabet and length, a known currency, `terms_days` 0–3650, a limit ≥ 0 in the
    /// currency's digits, the profile texts' lengths, a calendar date).
    static func parse(cell: (String) -> String?, report: (String?, String) -> Void) -> CustomerRecord? {
        let id = cell("id")
        if let id, !EventDecoder.isIdentifier(id, max: FeedLimits.customerCharsMax) {
            report("id", "\"\(id)\" is not 1–\(FeedLimits.customerCharsMax) characters of A-Z a-z 0-9 . _ : -")
        } else if id == nil {
            report("id", "empty")
        }
        func text(_ c: String, required: Bool) -> String? {
            guard let v = cell(c) else {
                if required { report(c, "empty") }
                return nil
            }
            guard v.unicodeScalars.count <= FeedLimits.profileFieldCharsMax else {
                report(c, "longer than \(FeedLimits.profileFieldCharsMax) characters")
                return nil
            }
            return v
        }
        let name = text("name", required: true)
        let industry = text("industry", required: false)
        let contact = text("contact", required: false)
        let email = text("email", required: false)
        var currency: Currency?
        if let code = cell("currency") {
            currency = Currency(code: code.uppercased())
            if currency == nil { report("currency", "\"\(code)\" is not an ISO 4217 currency code") }
        } else {
            report("currency", "empty")
        }
        var terms: Int?
        if let t = cell("terms_days") {
            if let n = Int(t), (0...FeedLimits.termsDaysMax).contains(n) {
                terms = n
            } else {
                report("terms_days", "\"\(t)\" is not a whole number of days from 0 to \(FeedLimits.termsDaysMax)")
            }
        } else {
            report("terms_days", "empty")
        }
        var limit: Int64?
        if let l = cell("credit_limit") {
            if let currency {
                do {
                    let d = try DecimalText(parsing: l)
                    let m = try d.minorUnits(fractionDigits: currency.fractionDigits)
                    if m < 0 { report("credit_limit", "\"\(l)\" is negative") } else { limit = m }
                } catch {
                    report("credit_limit", "\"\(l)\" is not an amount of \(currency.code) (digits, an optional point and at most \(currency.fractionDigits) fraction digits)")
                }
            }
        } else {
            report("credit_limit", "empty")
        }
        var registeredOn: Day?
        if let r = cell("registered_on") {
            registeredOn = Day(parsing: r)
            if registeredOn == nil { report("registered_on", "\"\(r)\" is not a date YYYY-MM-DD") }
        }
        guard let id, let name, let currency, let terms, let limit else { return nil }
        return CustomerRecord(id: id, name: name, currency: currency, termsDays: terms, creditLimit: limit, industry: industry,
                              contact: contact, email: email, registeredOn: registeredOn)
    }

    /// The file `export` writes: the header, then one row per record, every field that needs
    /// it quoted (CSV.swift's writer), line ends `\n`, no byte order mark.
    public static func write(_ records: [CustomerRecord]) throws -> Data {
        let csv = try CSVWriter(stream: .toMemory())
        try csv.write(row: columns)
        for r in records {
            try csv.write(row: [
                r.id, r.name, r.currency.code, String(r.termsDays),
                Money.format(r.creditLimit, fractionDigits: r.currency.fractionDigits),
                r.industry ?? "", r.contact ?? "", r.email ?? "", r.registeredOn.map { "\($0)" } ?? "",
            ])
        }
        csv.stream.close()
        guard var data = csv.stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data else {
            throw EngineError(.io, "customer file: the CSV writer kept no output")
        }
        data.append(UInt8(ascii: "\n"))
        return data
    }
}
