import ArgumentParser
import ArlogEngine

#if canImport(Glibc)
    import Glibc
#endif

/// The root command: `arlog <subcommand>`. Each subcommand parses its arguments, calls one
/// engine function and prints the result through `Render` (Sources/ArlogEngine/Render).
@main
struct Arlog: ParsableCommand {
    static let configuration = CommandConfiguration(
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
              2  usage error, I/O error, or a missing or unreadable store
              3  unknown customer or invoice
              4  verify or audit verify found problems
              10 check: the order needs review
              11 check: the order is on hold
            """,
        subcommands: [
            Ingest.self, Balance.self, Aging.self, Customers.self, Invoice.self, History.self, Stats.self,
            Rebuild.self, Verify.self, Audit.self, Export.self, Statement.self,
            GradeCommand.self, Check.self, Alerts.self, Limits.self, Policy.self, Review.self,
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
    /// (ArgumentParser's own are 64) become 2, `EngineError` its `exitCode`, anything else
    /// (storage, LMDB) 2, each with its message on stderr.
    static func main() {
        // A write past a file-size limit (`ulimit -f`, a quota) must fail with EFBIG and be
        // reported like a full disk, not kill the process mid-commit.
        signal(SIGXFSZ, SIG_IGN)
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            finish(error)
        }
        do {
            try command.run()
        } catch {
            finish(error)
        }
        Glibc.exit(Exit.ok)
    }

    static func finish(_ error: Error) -> Never {
        switch error {
        case let e as EngineError:
            Console.error("arlog: \(e.message)")
            Glibc.exit(e.exitCode)
        case let e as ExitCode:
            Glibc.exit(e.rawValue)
        default:
            let code = exitCode(for: error)
            if code == .success {
                // --help, `arlog help`, an `arlog` without a subcommand.
                Console.out(fullMessage(for: error) + "\n")
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
