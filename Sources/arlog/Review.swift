import ArgumentParser
import ArlogDomain
import ArlogEngine
import ArlogRender

struct Review: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Log a credit review: regrade every customer on that date (run it daily).",
        discussion: """
            Appends a `credit.reviewed` event (no customer): every customer is scored again on \
            its date, so that what time alone changes is graded and alerted on, e.g. an invoice \
            entering the 61-90 days overdue bucket with no event of its customer. Meant for a \
            daily cron job; prints the event and how many alerts it raised. An identical event \
            (same --id and content) is a duplicate and changes nothing.

            Example:
              arlog review
              5 0 * * *  arlog review --store /var/lib/arlog --actor cron
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var eventOptions: OwnEventOptions

    func run() throws {
        let at = eventOptions.timestamp
        let id = eventOptions.eventID(prefix: "review", at: at)
        let line = OwnEvents.reviewed(id: id, at: at, actor: eventOptions.actorName, note: eventOptions.note)
        let store = try storeOptions.openForWriting("review")
        defer { store.close() }
        let (summary, raised) = try appendOwnEvent(store, line, source: "review")
        try Console.out(Render.ownEventLogged(type: .creditReviewed, id: id, at: at, summary: summary, alertsRaised: raised))
    }
}

/// Appends one event arlog built; returns the summary and the number of alerts it raised.
/// A refused line is reported on stderr and fails the command (exit 2).
func appendOwnEvent(_ store: Store, _ line: [UInt8], source: String) throws -> (IngestSummary, Int) {
    let before = try store.lastAlertKey()
    var refused: [RejectedLine] = []
    let summary = try store.append(lines: [line], source: source) { refused.append($0) }
    if let r = refused.first {
        throw EngineError(.usage, "the event was not logged: \(r.rejection.rule.rawValue): \(r.rejection.message)")
    }
    var raised = 0
    if summary.accepted > 0 {
        var after = before
        while true {
            let page = try store.alerts(AlertFilter(), after: after)
            raised += page.count
            guard page.count == CreditLimits.alertsPageMax, let last = page.last else { break }
            after = last.key
        }
    }
    return (summary, raised)
}
