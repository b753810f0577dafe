import ArgumentParser
import ArlogDomain
import ArlogEngine
import ArlogRender

struct Policy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Show, list or change the credit policy (weights, thresholds, grades, rules).",
        discussion: """
            The credit policy is every weight, threshold and boundary of the scoring model, the \
            alert levels, the credit-check rules and the limit recommendations. The built-in \
            default (policy/default-policy.json) is in force until a `credit_policy.changed` \
            event is logged; `policy set` logs one, which regrades every customer from its date.

            Example:
              arlog policy show --format json > policy.json
              arlog policy set policy.json --note "tighter terms for grade C"
              arlog policy history
            """,
        subcommands: [PolicyShow.self, PolicyHistory.self, PolicySet.self]
    )
}

struct PolicyShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print the policy in force (json: the policy document, as `policy set` takes it).",
        discussion: """
            The policy in force at the end of --as-of (default: now), or with --default the \
            built-in one. table is a readable summary; json the document on one line.

            Example:
              arlog policy show
              arlog policy show --as-of 2025-03-31 --format json
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var asOfOptions: AsOfOptions
    @OptionGroup var formatOptions: FormatOptions

    @Flag(name: .customLong("default"), help: "The built-in default policy (no store needed).")
    var builtIn = false

    func validate() throws {
        if builtIn, asOfOptions.asOf != nil { throw ValidationError("--default and --as-of cannot be combined") }
    }

    func run() throws {
        let output = formatOptions.output
        if builtIn {
            try Console.out(Render.policy(.default, entry: nil, format: output))
            return
        }
        let store = try storeOptions.open()
        defer { store.close() }
        let (policy, entry) = try store.policy(asOf: asOfOptions.timestamp)
        try Console.out(Render.policy(policy, entry: entry, format: output))
    }
}

struct PolicyHistory: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List every credit_policy.changed event: seq, at, id, name, actor, note.",
        discussion: """
            In log order. json: an array of objects with those keys and "policy" (the document).

            Example:
              arlog policy history --format json
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions

    func run() throws {
        let store = try storeOptions.open()
        defer { store.close() }
        try Console.out(Render.policyHistory(try store.policyHistory(), format: formatOptions.output))
    }
}

struct PolicySet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Validate a policy file and log it as a credit_policy.changed event.",
        discussion: """
            FILE is a policy document (the shape `arlog policy show --format json` prints): \
            every member is required and unknown members are refused; an invalid file is \
            reported with the JSON path of the offending member (exit 2) and nothing is logged. \
            The event takes effect at --at (default now) and regrades every customer then. \
            Default id: policy.<UTC yyyyMMddTHHmmss>.

            Example:
              arlog policy set tighter.json --actor cfo --note "Q3 credit tightening"
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var eventOptions: OwnEventOptions

    @Argument(help: ArgumentHelp("The policy document (JSON).", valueName: "file"))
    var file: String

    func run() throws {
        let bytes = try readFile(file, max: FeedLimits.lineBytesMax / 2)
        let policy: CreditPolicy
        do {
            policy = try CreditPolicy(parsing: bytes)
        } catch {
            let at = error.path.isEmpty ? "" : " at \(error.path)"
            throw EngineError(.usage, "\(file): invalid credit policy\(at): \(error.message)")
        }
        let at = eventOptions.timestamp
        let id = eventOptions.eventID(prefix: "policy", at: at)
        let line = OwnEvents.policyChanged(policy, id: id, at: at, actor: eventOptions.actorName, note: eventOptions.note)
        let store = try storeOptions.openForWriting("policy set")
        defer { store.close() }
        let (summary, raised) = try appendOwnEvent(store, line, source: "policy set")
        try Console.out(Render.ownEventLogged(type: .creditPolicyChanged, id: id, at: at, summary: summary, alertsRaised: raised,
                                          what: "policy \"\(policy.name)\""))
    }
}
