import ArgumentParser
import ArlogDomain
import ArlogEngine
import ArlogRender

struct ApplyCredit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply-credit",
        abstract: "Plan (and with --yes log) the credit.applied events that clear overdue items with idle credit.",
        discussion: """
            For each customer (or --customer C) with unapplied credit and installments past \
            due: the oldest credit first (payments and credit notes, by received_on / \
            issued_on) onto the oldest overdue installment first (the contract's FIFO order: \
            due_on, issued_on, invoice id, installment), one credit.applied per source and \
            invoice. Installments not yet due are left alone. --as-of D plans on the state as \
            of the end of D, judging what is overdue on D.

            Without --yes it prints the plan and appends nothing. With --yes it appends the \
            events (actor arlog-cash-application unless --actor, at now, or with --as-of D \
            at the end of D (23:59:59Z), as `dunning run` dates its events; ids \
            apply-credit.<log head>.<customer>.<n>) all or nothing, and prints what it did: \
            the credit is then applied, so running it again plans nothing.

            Example:
              arlog apply-credit
              arlog apply-credit --customer ACME --yes
              arlog apply-credit --as-of 2026-12-01 --yes
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var asOfOptions: AsOfOptions
    @OptionGroup var formatOptions: FormatOptions

    @Option(
        name: .customLong("customer"),
        help: ArgumentHelp("Only this customer (repeatable, or comma-separated).", valueName: "customer"))
    var customers: [String] = []

    @Flag(help: "Append the planned events (without it nothing is appended).")
    var yes = false

    @Option(help: ArgumentHelp("Who applies the credit (with --yes; default arlog-cash-application).", valueName: "name"))
    var actor: String?

    var customerIDs: [String] {
        customers.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    func validate() throws {
        for id in customerIDs { try IdArgument.validate(customer: id, "--customer") }
        if let actor {
            if !yes { throw ValidationError("--actor is only for --yes") }
            if actor.isEmpty || actor.unicodeScalars.count > FeedLimits.actorCharsMax {
                throw ValidationError("--actor must be 1–\(FeedLimits.actorCharsMax) characters")
            }
        }
    }

    func run() throws {
        let store = try yes ? storeOptions.openForWriting("apply-credit --yes") : storeOptions.open()
        defer { store.close() }
        let plan = try store.creditApplicationPlan(customers: customerIDs.isEmpty ? nil : customerIDs, asOf: asOfOptions.day, today: today())
        let output = formatOptions.output
        let name = actor ?? CashApplicationDefaults.actor
        guard yes else {
            try Console.out(Render.creditApplicationPlan(plan, actor: name, format: output))
            if output == .csv {
                Console.error("arlog: plan only: nothing appended; add --yes to append \(plan.count == 1 ? "this event" : "these \(plan.count) events")")
            }
            return
        }
        // With --as-of D the events are dated D's last second, like `dunning run --as-of D`'s
        // (a day replayed, or a week worked through in docs/collections.md); each is checked
        // against the log as it stands, so a plan the log has moved past is refused whole.
        let at = asOfOptions.day.map(Daily.endOfDay) ?? now()
        var refused: [RejectedLine] = []
        let summary = try store.applyCredit(plan, at: at, actor: name) { refused.append($0) }
        for r in refused { reportRejected(r) }
        if !refused.isEmpty {
            throw EngineError(.usage, "apply-credit: \(refused.count) of the credit.applied events were refused; nothing was logged")
        }
        try Console.out(Render.creditApplied(plan, summary: summary, actor: name, at: at, format: output))
    }
}
