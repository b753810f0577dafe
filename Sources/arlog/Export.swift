import ArgumentParser
import ArlogEngine

#if canImport(Glibc)
    import Glibc
#endif

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write logged events exactly as received, in log order, as NDJSON.",
        discussion: """
            Each line is an event's bytes as billing sent them (unknown fields and all). \
            --from and --to select an inclusive range of sequence numbers; --customer keeps \
            one customer's events. Ingesting a full export into an empty store gives the same \
            projections and the same chain head (`arlog audit head`). Exit status 3 for an \
            unknown customer.

            Example:
              arlog export > backup.ndjson
              arlog export --customer ACME --from 1000 --to 2000
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp("Only this customer's events.", valueName: "customer"))
    var customer: String?

    @Option(help: ArgumentHelp("First sequence number (default 1).", valueName: "seq"))
    var from: UInt64?

    @Option(help: ArgumentHelp("Last sequence number (default: the log head).", valueName: "seq"))
    var to: UInt64?

    func validate() throws {
        if let from, from < 1 { throw ValidationError("--from: sequence numbers start at 1") }
        if let to, to < (from ?? 1) { throw ValidationError("--to must not be less than --from (and at least 1)") }
        if let customer { try IdArgument.validate(customer: customer, "--customer") }
    }

    func run() throws {
        let store = try storeOptions.open()
        defer { store.close() }
        let out = BufferedOutput(fd: 1, name: Output.standardOutputName)
        try store.export(customer: customer, from: from, to: to) { try out.write($0) }
        try out.flush()
    }
}
