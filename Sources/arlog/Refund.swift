import ArgumentParser
import ArlogDomain
import ArlogEngine
import ArlogRender

struct Refund: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refund",
        abstract: "Record a refund of a customer's unapplied credit (credit.refunded).",
        discussion: """
            Appends one credit.refunded: --amount of the unapplied credit of --source, paid \
            back to the customer. The source is a payment or a credit note id: the command \
            looks it up among the customer's payments and credit notes (each has its own \
            namespace); when both hold the id, say which with --source-type payment or \
            credit_note. --refunded-on defaults to today (UTC); at is now; the id is \
            refund.<log head>.<customer>. The event is checked like any other: more than the \
            source's unapplied credit, a reversed payment, a date before the source, and so \
            on are refused (exit 1) with the rule and the reason.

            Example:
              arlog refund ACME --amount 400.00 --source PAY-17 --note "cheque 2231"
            """
    )

    enum SourceType: String, ExpressibleByArgument, CaseIterable {
        case payment
        case creditNote = "credit_note"
    }

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var formatOptions: FormatOptions

    @Argument(help: "The customer.")
    var customer: String

    @Option(help: ArgumentHelp("The amount refunded, in the customer's currency (e.g. 400.00).", valueName: "amount"))
    var amount: String

    @Option(help: ArgumentHelp("The payment or credit note whose credit is refunded.", valueName: "id"))
    var source: String

    @Option(help: ArgumentHelp("payment or credit_note, when the id is both.", valueName: "type"))
    var sourceType: SourceType?

    @Option(help: ArgumentHelp("The refund's business date (default today, UTC).", valueName: "yyyy-mm-dd"))
    var refundedOn: String?

    @Option(help: ArgumentHelp("Why (the event's note, at most 1000 characters).", valueName: "text"))
    var note: String?

    @Option(help: ArgumentHelp("Who refunds (default arlog).", valueName: "name"))
    var actor: String?

    func validate() throws {
        try IdArgument.validate(customer: customer)
        try IdArgument.validate(source, max: FeedLimits.referenceCharsMax, what: "--source", kind: "source id")
        if let refundedOn, Day(parsing: refundedOn) == nil {
            throw ValidationError("--refunded-on: \"\(refundedOn)\" is not a valid date YYYY-MM-DD")
        }
        if let note, note.unicodeScalars.count > FeedLimits.noteCharsMax {
            throw ValidationError("--note must be at most \(FeedLimits.noteCharsMax) characters")
        }
        if let actor, actor.isEmpty || actor.unicodeScalars.count > FeedLimits.actorCharsMax {
            throw ValidationError("--actor must be 1–\(FeedLimits.actorCharsMax) characters")
        }
    }

    func run() throws {
        let store = try storeOptions.openForWriting("refund")
        defer { store.close() }
        let kinds = try store.creditSourceKinds(source)
        // Only this customer's sources count: an id of another customer is the contract's
        // rejection (other_customer), which the append reports.
        let payment = kinds.payment.map { $0.customer == customer } ?? false
        let creditNote = kinds.creditNote.map { $0.customer == customer } ?? false
        let chosen: CreditSource
        switch (sourceType, payment, creditNote) {
        case (.payment?, _, _): chosen = .payment(source)
        case (.creditNote?, _, _): chosen = .creditNote(source)
        case (nil, true, true):
            throw EngineError(.usage, "--source \(source) is both a payment and a credit note of \(customer): say which with --source-type payment or credit_note")
        case (nil, false, true): chosen = .creditNote(source)
        case (nil, true, false): chosen = .payment(source)
        case (nil, false, false):
            // Neither is this customer's: let the contract's rule say why (unknown, or another
            // customer's), as a credit note when only a credit note of that id exists.
            chosen = kinds.creditNote != nil && kinds.payment == nil ? .creditNote(source) : .payment(source)
        }
        let on = refundedOn.flatMap { Day(parsing: $0) } ?? today()
        var refused: [RejectedLine] = []
        let (id, summary) = try store.refund(customer: customer, source: chosen, amount: amount, refundedOn: on, at: now(),
                                             actor: actor ?? "arlog", note: note) { refused.append($0) }
        for r in refused { reportRejected(r) }
        guard refused.isEmpty, summary.accepted + summary.duplicates == 1 else {
            Console.error("arlog: refund: the credit.refunded was refused; nothing was logged")
            throw ExitCode(Arlog.Exit.rejected)
        }
        try Console.out(Render.refunded(id: id, source: chosen, amount: amount, refundedOn: on, balance: try store.balance(customer),
                                        format: formatOptions.output))
    }
}
