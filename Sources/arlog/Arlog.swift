import ArgumentParser
import ArlogEngine

#if canImport(Glibc)
    import Glibc
#endif

/// The root command: `arlog <subcommand>`. Each subcommand parses its arguments, calls one
/// engine function and prints the result through `Render` (Sources/ArlogRender).
@main
struct Arlog: ParsableCommand {
    static let configuration = CommandConfiguration(
        // Every command names itself: ArgumentParser would otherwise derive each name by
        // reflection on every run, a few milliseconds of a short query's process.
        commandName: "arlog",
        abstract: "An event-sourced accounts-receivable ledger: ingest NDJSON event feeds, ask for balances, aging and history.",
        discussion: """
            The store is a directory (--store DIR, else $ARLOG_STORE, else ./arlog-store). `ingest` \
            creates it; every other command needs it to exist.

            Example:
              arlog ingest feed.ndjson
              arlog aging --as-of 2025-03-31
              arlog balance ACME --format json

            Exit codes:
              0  ok
              1  ingest rejected some lines
              2  usage error, I/O error (a failed write: full disk, closed pipe), or a
                 missing or unreadable store
              3  unknown customer or invoice
              4  verify or audit verify found problems
              10 check: the order needs review
              11 check: the order is on hold
            """,
        // Defined once in ArlogEngine (Version.swift); `arlog --version` prints it.
        version: ArlogVersion.description,
        subcommands: [
            Ingest.self, Balance.self, Aging.self, Customers.self, Invoice.self, History.self, Stats.self,
            Rebuild.self, Verify.self, Audit.self, Export.self, Statement.self,
            GradeCommand.self, Check.self, Alerts.self, Limits.self, Policy.self, Review.self,
            Dunning.self, Daily.self, Contact.self, ApplyCredit.self, Refund.self, Open.self, Worklist.self, Fx.self,
            Portfolio.self, Report.self,
        ]
    )

    /// Exit codes documented above and in docs/cli.md.
    enum Exit {
        static let ok: Int32 = 0
        static let rejected: Int32 = 1
        static let usage: Int32 = 2
        static let notFound: Int32 = 3
        static let verifyFailed: Int32 = 4
        /// `check`: review (10) and hold (11), from `CheckDecision.exitCode`.
        static let checkReview: Int32 = 10
        static let checkHold: Int32 = 11
    }

    /// Parses, runs, and maps every failure to the documented exit codes: argument errors
    /// (ArgumentParser's own are 64) become 2, `EngineError` its `exitCode`, storage (LMDB)
    /// errors 2 with advice first, each with its message on stderr. SIGPIPE is ignored: a
    /// closed pipe is a write error (`Output`), reported, never a signal.
    static func main() {
        signal(SIGPIPE, SIG_IGN)
        // A write past a file-size limit (`ulimit -f`, a quota) must fail with EFBIG and be
        // reported like a full disk, not kill the process mid-commit.
        signal(SIGXFSZ, SIG_IGN)
        let arguments = Array(CommandLine.arguments.dropFirst())
        var command: ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            // Only when parsing failed (or asked for help): naming every command costs a few
            // milliseconds of reflection, too much to pay on every run.
            if let message = UnknownCommand.message(arguments) {
                Console.error("arlog: \(message)")
                Glibc.exit(Exit.usage)
            }
            finish(error)
        }
        do {
            try command.run()
            try Output.closeStandardOutput()
        } catch {
            finish(error, store: (command as? StoreCommand)?.storeOptions.directory)
        }
        Glibc.exit(Exit.ok)
    }

    /// Reports `error` on stderr and exits with its code. `store`: the store directory of the
    /// command that failed, named in the advice for storage errors.
    static func finish(_ error: Error, store: String? = nil) -> Never {
        switch error {
        case let e as EngineError:
            Console.error("arlog: \(e.message)")
            Glibc.exit(e.exitCode)
        case let e as ExitCode:
            // The output was written (verify, check); it must also have reached its file.
            do {
                try Output.closeStandardOutput()
            } catch {
                finish(error)
            }
            Glibc.exit(e.rawValue)
        default:
            if let e = EngineError.storageFailure(error, store: store ?? "?") {
                Console.error("arlog: \(e.message)")
                Glibc.exit(e.exitCode)
            }
            let code = exitCode(for: error)
            if code == .success {
                // --help, --version, `arlog help`, an `arlog` without a subcommand.
                do {
                    try Console.out(fullMessage(for: error) + "\n")
                    try Output.closeStandardOutput()
                } catch {
                    finish(error)
                }
                Glibc.exit(Exit.ok)
            }
            if code == .validationFailure {
                // Unknown options, missing arguments, validate() failures.
                Console.error(fullMessage(for: error))
                Glibc.exit(Exit.usage)
            }
            Console.error("arlog: \(error)")
            Glibc.exit(Exit.usage)
        }
    }
}

/// A command that works on a store: its `--store` names the store in storage errors.
protocol StoreCommand {
    var storeOptions: StoreOptions { get }
}

extension Ingest: StoreCommand {}
extension Balance: StoreCommand {}
extension Aging: StoreCommand {}
extension CustomersList: StoreCommand {}
extension CustomersImport: StoreCommand {}
extension CustomersExport: StoreCommand {}
extension Invoice: StoreCommand {}
extension History: StoreCommand {}
extension Stats: StoreCommand {}
extension Rebuild: StoreCommand {}
extension Verify: StoreCommand {}
extension AuditHead: StoreCommand {}
extension AuditVerify: StoreCommand {}
extension Export: StoreCommand {}
extension Statement: StoreCommand {}
extension GradeCommand: StoreCommand {}
extension Fx: StoreCommand {}
extension Check: StoreCommand {}
extension Alerts: StoreCommand {}
extension Limits: StoreCommand {}
extension PolicyShow: StoreCommand {}
extension PolicyHistory: StoreCommand {}
extension PolicySet: StoreCommand {}
extension Review: StoreCommand {}
extension DunningPlanCommand: StoreCommand {}
extension DunningRunCommand: StoreCommand {}
extension Daily: StoreCommand {}
extension Report: StoreCommand {}
extension Portfolio: StoreCommand {}
