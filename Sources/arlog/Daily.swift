import ArgumentParser
import ArlogDomain
import ArlogEngine
import ArlogRender

struct Daily: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daily",
        abstract: "The collector's day, for cron: the credit review, then the dunning run, then a summary.",
        discussion: """
            1. The credit review (`arlog review`): a `credit.reviewed` event with id \
            daily.review.<date>, so that time-driven alerts fire; skipped when that day's \
            review is already logged. 2. The dunning run (`arlog dunning run`), with its \
            letters when --letters is given. 3. A summary of what it did. Running it twice on \
            the same day appends nothing the second time. Without --as-of the date is today \
            (UTC) and the events are dated now; with --as-of D, the state as of D and the end of D.

            Example:
              arlog daily --letters /var/spool/arlog/letters
              15 5 * * *  arlog daily --store /var/lib/arlog --letters /var/spool/arlog/letters >> /var/log/arlog-daily.log 2>&1
            """
    )

    /// When events of a run `--as-of D` are dated: D's last whole second (23:59:59Z), after
    /// every event of D that arlog writes in whole seconds; a customer whose events are later
    /// gets its latest `at` (`Store.dunningRun`).
    static func endOfDay(_ d: Day) -> Timestamp { Timestamp(seconds: Timestamp.endOf(d).seconds) }

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var asOfOptions: AsOfOptions
    @OptionGroup var formatOptions: FormatOptions
    @OptionGroup var runOptions: DunningRunOptions

    func run() throws {
        let store = try storeOptions.openForWriting("daily")
        defer { store.close() }
        let date = asOfOptions.day ?? today()
        let at = asOfOptions.day.map(Daily.endOfDay) ?? now()
        // 1. The review, once a day.
        let id = DunningIDs.dailyReview(date)
        var review = Render.DailyReview(id: id, at: at, appended: false, alertsRaised: 0)
        if try !store.hasEvent(id: id) {
            let line = OwnEvents.reviewed(id: id, at: at, actor: runOptions.actor ?? "arlog-daily", note: "daily review")
            let (summary, raised) = try appendOwnEvent(store, line, source: "daily")
            review = Render.DailyReview(id: id, at: at, appended: summary.accepted > 0, alertsRaised: raised)
        }
        // 2. The dunning run.
        let plan = try store.dunningPlan(asOf: asOfOptions.day, today: date)
        let (result, letters) = try runOptions.run(store, plan, at: at)
        // 3. The summary.
        try Console.out(Render.daily(date: date, review: review, run: result, letters: letters, lettersDirectory: runOptions.letters,
                                     format: formatOptions.output))
    }
}
