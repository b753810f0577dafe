import ArgumentParser
import ArlogDomain
import ArlogEngine
import ArlogRender

struct Limits: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "limits",
        abstract: "Review credit limits and terms against the policy; --apply plans (and with --yes logs) the new limits.",
        discussion: """
            Lists the customers whose credit limit differs from the policy's recommendation for \
            their grade by more than the tolerance, or whose payment terms differ from the \
            grade's: grade, score, current and recommended limit and terms, and why. Customers \
            trading for fewer than the policy's minimum days are left out. A dormant customer \
            (no net sales in the window) gets the policy's dormant share of its limit (by \
            default it keeps it), and no review cuts a limit by more than the policy's maximum \
            cut (default 50%). --customer and --grade narrow the list. (--review is this, \
            explicitly.)

            --apply needs a scope: --customer C (repeatable), --grade G,... (the customers' \
            credit grade), or --all. Without --yes it prints the plan (customer, old and new \
            limit, reason) and appends nothing. With --yes it logs a `credit_limit.changed` \
            event (at = now, actor --actor, the reason as its note) for each customer in scope \
            whose limit should change, and prints what it did. Terms are reported, never \
            changed. Applying again at once lists nothing more.

            Example:
              arlog limits --format csv > review.csv
              arlog limits --apply --grade D,E
              arlog limits --apply --grade D,E --yes --actor credit-committee
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var asOfOptions: AsOfOptions
    @OptionGroup var formatOptions: FormatOptions

    @Flag(help: "List the differences (the default).")
    var review = false

    @Flag(help: "Plan a credit_limit.changed for each limit in scope that should change; with --yes, log them.")
    var apply = false

    @Flag(help: "With --apply: append the planned events (without it --apply appends nothing).")
    var yes = false

    @Option(
        name: .customLong("customer"),
        help: ArgumentHelp("Only this customer (repeatable, or comma-separated).", valueName: "customer"))
    var customers: [String] = []

    @Option(help: ArgumentHelp("Only customers with one of these credit grades, e.g. D,E.", valueName: "grades"))
    var grade: String?

    @Flag(help: "With --apply: every customer (the scope must be said: --customer, --grade or --all).")
    var all = false

    @Option(help: ArgumentHelp("Who applies the limits (with --apply; default arlog-policy).", valueName: "name"))
    var actor: String?

    /// The --customer values, commas split (ids cannot hold a comma).
    var customerIDs: [String] {
        customers.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    func validate() throws {
        if review, apply { throw ValidationError("--review and --apply cannot be combined") }
        if apply, asOfOptions.asOf != nil { throw ValidationError("--apply applies today's review; it cannot be combined with --as-of") }
        if yes, !apply { throw ValidationError("--yes is only for --apply") }
        for id in customerIDs { try IdArgument.validate(customer: id, "--customer") }
        if let grade, CustomersList.grades(grade) == nil {
            throw ValidationError("--grade: \"\(grade)\" is not a comma-separated list of grades A–E (e.g. D,E)")
        }
        if all, !customers.isEmpty || grade != nil {
            throw ValidationError("--all cannot be combined with --customer or --grade")
        }
        if apply, !all, customers.isEmpty, grade == nil {
            throw ValidationError("--apply needs a scope: --customer C (repeatable), --grade G,... or --all")
        }
        if let actor {
            if !apply { throw ValidationError("--actor is only for --apply") }
            if actor.isEmpty || actor.unicodeScalars.count > FeedLimits.actorCharsMax {
                throw ValidationError("--actor must be 1–\(FeedLimits.actorCharsMax) characters")
            }
        }
    }

    func run() throws {
        let store = try apply ? storeOptions.openForWriting("limits --apply") : storeOptions.open()
        defer { store.close() }
        var recommendations = try store.limitReview(asOf: asOfOptions.day, today: today(), customers: customerIDs.isEmpty ? nil : customerIDs)
        if let grades = grade.flatMap(CustomersList.grades) {
            recommendations = recommendations.filter { grades.contains($0.assessment.grade) }
        }
        let output = formatOptions.output
        let names = try store.names(recommendations.map(\.assessment.customer))
        guard apply else {
            try Console.out(Render.limits(recommendations, format: output, names: names))
            return
        }
        let changes = recommendations.filter(\.limitChange)
        let changeNames = recommendations.indices.filter { recommendations[$0].limitChange }.map { names[$0] }
        let name = actor ?? "arlog-policy"
        guard yes else {
            try Console.out(Render.limitsPlan(changes, actor: name, format: output, names: changeNames))
            if output == .csv {
                Console.error("arlog: plan only: nothing appended; add --yes to append \(changes.count == 1 ? "this change" : "these \(changes.count) changes")")
            }
            return
        }
        let at = now()
        var refused: [RejectedLine] = []
        let summary = try store.applyLimits(changes, at: at, actor: name) { refused.append($0) }
        for r in refused { reportRejected(r) }
        if !refused.isEmpty {
            throw EngineError(.usage, "limits --apply: \(refused.count) of the credit_limit.changed events were refused; nothing was logged")
        }
        try Console.out(Render.limitsApplied(changes, summary: summary, actor: name, at: at, format: output, names: changeNames))
    }
}
