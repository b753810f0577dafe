import ArgumentParser
import ArlogEngine
import ArlogRender

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Prove what the log held: its hash chain, indexes and projections.",
        discussion: """
            Every logged event is chained: its SHA-256 covers the previous link, its sequence \
            number and its stored bytes. Keep `arlog audit head` outside the store; later, \
            `arlog audit verify --expect SEQ:HASH` proves the history up to SEQ is the one seen \
            then. See docs/audit.md.

            Example:
              arlog audit head > head-2025-03-31.txt
              arlog audit verify --expect "$(cat head-2025-03-31.txt)"
            """,
        subcommands: [AuditHead.self, AuditVerify.self]
    )
}

struct AuditHead: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "head",
        abstract: "Print the chain head as SEQ:HASH (sequence number and SHA-256, hex).",
        discussion: """
            Example:
              arlog audit head
              1000000:3f9a…e1
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let store = try storeOptions.open()
        defer { store.close() }
        try Console.out("\(try store.chainHead())\n")
    }
}

struct AuditVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Walk the whole log: chain, indexes (nothing missing, nothing extra), projections.",
        discussion: """
            Recomputes the chain from the first event and compares every link and the head; \
            checks the id, customer, invoice and payment indexes against the log; compares every \
            stored projection with a replay. Names the first sequence number where anything \
            breaks. Exit 0 when everything holds, 4 when anything does not. Changes nothing.

            Example:
              arlog audit verify --expect 1000000:3f9a…e1
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp("A head kept earlier: prove the history up to SEQ produced HASH.", valueName: "seq:hash"))
    var expect: String?

    func validate() throws {
        if let expect, ChainHead(parsing: expect) == nil {
            throw ValidationError("--expect must be SEQ:HASH with a 64-digit hex SHA-256, as `arlog audit head` prints it")
        }
    }

    func run() throws {
        let store = try storeOptions.open()
        defer { store.close() }
        let report = try store.auditVerify(expect: expect.flatMap(ChainHead.init(parsing:)))
        try Console.out(Render.audit(report))
        if !report.ok { throw ExitCode(Arlog.Exit.verifyFailed) }
    }
}
