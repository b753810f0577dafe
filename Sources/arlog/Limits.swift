import ArgumentParser
import ArlogDomain
import ArlogEngine

struct Limits: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Review credit limits and terms against the policy; --apply logs the new limits.",
        discussion: """
            Lists the customers whose credit limit differs from the policy's recommendation for \
            their grade by more than the tolerance, or whose payment terms differ from the \
            grade's: grade, score, current and recommended limit and terms, and why. Customers \
            trading for fewer than the policy's minimum days are left out. (--review is this, \
            explicitly.)

            --apply logs a `credit_limit.changed` event (at = now, actor --actor, the reason as \
            its note) for each customer whose limit should change, and prints what it did. \
            Terms are reported, never changed. Applying again at once lists nothing more.

            Example:
              arlog limits --format csv > review.csv
              arlog limits --apply --actor credit-committee
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var asOfOptions: AsOfOptions
    @OptionGroup var formatOptions: FormatOptions

    @Flag(help: "List the differences (the default).")
    var review = false

    @Flag(help: "Log a credit_limit.changed for each limit that should change.")
    var apply = false

    @Option(help: ArgumentHelp("Who applies the limits (with --apply; default arlog-policy).", valueName: "name"))
    var actor: String?

    func validate() throws {
        if review, apply { throw ValidationError("--review and --apply cannot be combined") }
        if apply, asOfOptions.asOf != nil { throw ValidationError("--apply applies today's review; it cannot be combined with --as-of") }
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
        let recommendations = try store.limitReview(asOf: asOfOptions.day, today: today())
        guard apply else {
            Console.out(Render.limits(recommendations, format: formatOptions.output))
            return
        }
        let at = now()
        let name = actor ?? "arlog-policy"
        var refused: [RejectedLine] = []
        let summary = try store.applyLimits(recommendations, at: at, actor: name) { refused.append($0) }
        for r in refused { reportRejected(r) }
        if !refused.isEmpty {
            throw EngineError(.usage, "limits --apply: \(refused.count) of the credit_limit.changed events were refused; nothing was logged")
        }
        Console.out(Render.limitsApplied(recommendations.filter(\.limitChange), summary: summary, actor: name, at: at, format: formatOptions.output))
    }
}
