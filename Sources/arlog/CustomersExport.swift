import ArgumentParser
import ArlogEngine

/// `arlog customers export`: every customer's master data as the CSV `customers import` reads.
struct CustomersExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every customer's master data as CSV (the columns import reads).",
        discussion: """
            One row per customer, in id order: id, name, currency, terms_days, credit_limit, \
            industry, contact, email, registered_on, as they stand now. Fields are quoted \
            where CSV requires it (a comma, a quote, a line break); texts are written exactly \
            as stored (no spreadsheet-formula guard: the file is for import, and importing it \
            again changes nothing).

            Example:
              arlog customers export > customers.csv
              arlog customers export --output customers.csv
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var output: String?

    func run() throws {
        let store = try storeOptions.open()
        defer { store.close() }
        let text = String(decoding: try CustomerFile.write(try store.customerRecords()), as: UTF8.self)
        if let output { try Output.writeFile(output, text) } else { try Console.out(text) }
    }
}
