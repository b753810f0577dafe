import ArgumentParser

/// `arlog customers`: the listing (the default), and the customer file in and out.
struct Customers: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customers",
        abstract: "List customers; import or export the customer master data as CSV.",
        discussion: """
            Without a subcommand, `arlog customers [options]` is `arlog customers list`.

            Example:
              arlog customers --overdue --sort oldest-overdue --limit 20
              arlog customers import customers.csv --dry-run
              arlog customers export > customers.csv
            """,
        subcommands: [CustomersList.self, CustomersImport.self, CustomersExport.self],
        defaultSubcommand: CustomersList.self
    )
}
