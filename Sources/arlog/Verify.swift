import ArgumentParser
import ArlogEngine
import ArlogRender

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that the projections and indexes agree with the log.",
        discussion: """
            Replays every customer's events in memory and compares the result with the stored \
            projection, and checks the indexes against the log. Changes nothing. Prints OK, or \
            each problem found and exits with status 4 (then `arlog rebuild` repairs the \
            projections from the log).

            Example:
              arlog verify --store ./store
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let store = try storeOptions.open()
        defer { store.close() }
        let report = try store.verify()
        try Console.out(Render.verify(report))
        if !report.ok { throw ExitCode(Arlog.Exit.verifyFailed) }
    }
}
