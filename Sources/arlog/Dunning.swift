import ArgumentParser

/// `arlog dunning plan|run`: the dunning ladder (docs/collections.md).
struct Dunning: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dunning",
        abstract: "The dunning ladder: list the actions due (plan) or log them and write their letters (run).",
        discussion: """
            Each open invoice climbs the policy's ladder (default: 1 reminder at 7 days past \
            due by email, 2 formal notice at 30 by letter, 3 final demand at 60, 4 collections \
            at 90), timed from its own installments' due dates and recomputed at every run. See \
            docs/collections.md.

            Example:
              arlog dunning plan
              arlog dunning run --letters letters/
            """,
        subcommands: [DunningPlanCommand.self, DunningRunCommand.self]
    )
}
