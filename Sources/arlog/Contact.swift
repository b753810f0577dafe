import ArgumentParser
import ArlogDomain
import ArlogEngine
import ArlogRender

/// `arlog contact`: a collector's contact with a customer, logged as arlog's own
/// `collection.contact` event (docs/feed.md): it changes no figure and no dunning level.
struct Contact: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contact",
        abstract: "Log a collection contact with a customer (method, result, note).",
        discussion: """
            Appends a `collection.contact` event, arlog's extension beside the feed contract: \
            the outcome (reached, no_answer, promised, disputed, wrong_contact), the channel and \
            an optional invoice, with --note for what was said. It changes no balance figure \
            and no dunning level; the customer's latest contact (date and outcome) is kept for \
            the collector's worklist. A promise or a dispute the customer made is logged as its \
            own event (promise.recorded, dispute.opened). An identical event (same --id and \
            content) is a duplicate and changes nothing.

            Example:
              arlog contact ACME --outcome promised --channel phone --note "pays Friday"
              arlog contact ACME --outcome no_answer --invoice INV-88 --at 2025-03-03T09:15:00Z
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var eventOptions: OwnEventOptions

    @Argument(help: ArgumentHelp("The customer id.", valueName: "customer"))
    var customer: String

    @Option(help: ArgumentHelp("reached, no_answer, promised, disputed or wrong_contact.", valueName: "outcome"))
    var outcome: String

    @Option(help: ArgumentHelp("email, letter, phone, sms or legal.", valueName: "channel"))
    var channel: String?

    @Option(help: ArgumentHelp("The invoice the contact was about.", valueName: "invoice"))
    var invoice: String?

    func validate() throws {
        try IdArgument.validate(customer: customer)
        guard ContactOutcome(rawValue: outcome) != nil else {
            throw ValidationError("--outcome must be one of \(ContactOutcome.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let channel, DunningChannel(rawValue: channel) == nil {
            throw ValidationError("--channel must be one of \(DunningChannel.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let invoice, !EventDecoder.isIdentifier(invoice, max: FeedLimits.referenceCharsMax) {
            throw ValidationError("--invoice must be 1–\(FeedLimits.referenceCharsMax) characters of A-Z a-z 0-9 . _ : -")
        }
    }

    func run() throws {
        let at = eventOptions.timestamp
        let id = eventOptions.eventID(prefix: "contact.\(customer)", at: at)
        guard let outcome = ContactOutcome(rawValue: outcome) else { throw ValidationError("--outcome") }
        let line = OwnEvents.contact(customer: customer, outcome: outcome, channel: channel.flatMap(DunningChannel.init(rawValue:)),
                                     invoice: invoice, id: id, at: at, actor: eventOptions.actorName, note: eventOptions.note)
        let store = try storeOptions.openForWriting("contact")
        defer { store.close() }
        let (summary, raised) = try appendOwnEvent(store, line, source: "contact")
        try Console.out(Render.ownEventLogged(type: .collectionContact, id: id, at: at, summary: summary, alertsRaised: raised,
                                              what: "\(customer) \(outcome.rawValue)"))
    }
}
