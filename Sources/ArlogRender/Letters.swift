import ArlogDomain
import Mustache

/// Dunning letters: each action rendered through a Mustache template chosen by its level and
/// channel (docs/collections.md, "Letters"). Pure: the templates come in as text (the CLI
/// reads `--templates DIR`), the letters go out as text.
public struct DunningLetters {
    /// A template that does not parse: its name, and where and why.
    public struct TemplateError: Error, CustomStringConvertible {
        public let name: String
        public let message: String
        public var description: String { "template \(name): \(message)" }
    }

    /// Templates by name (the file name without `.mustache`).
    let templates: [String: MustacheTemplate]

    /// A template file of more than this is not a letter.
    public static let templateBytesMax = 1 << 20
    /// Templates one directory may hold: the names it may match are far fewer.
    public static let templatesMax = 256

    /// `texts`: template name → text; built-in defaults fill every name not given.
    public init(_ texts: [String: String] = [:]) throws(TemplateError) {
        var parsed: [String: MustacheTemplate] = [:]
        for (name, text) in DunningLetters.defaultTemplates.merging(texts, uniquingKeysWith: { $1 }) {
            do {
                parsed[name] = try MustacheTemplate(string: text)
            } catch let e as MustacheTemplate.ParserError {
                throw TemplateError(name: name, message: "line \(e.context.lineNumber), column \(e.context.columnNumber): \(e.error)")
            } catch {
                throw TemplateError(name: name, message: "\(error)")
            }
        }
        templates = parsed
    }

    /// The names tried for an action, most specific first: `level-2-letter`, `level-2`, `default`.
    public static func candidateNames(level: Int, channel: DunningChannel) -> [String] {
        ["level-\(level)-\(channel.rawValue)", "level-\(level)", "default"]
    }

    /// The template name used for an action.
    public func templateName(for a: DunningAction) -> String {
        DunningLetters.candidateNames(level: a.level.level, channel: a.channel).first { templates[$0] != nil } ?? "default"
    }

    /// The letter's file name: `<date>-<customer>-L<level>-<channel>.txt` (customer ids are
    /// of `A-Z a-z 0-9 . _ : -`: `:` is replaced by `_` for file systems that refuse it).
    public static func fileName(_ a: DunningAction, date: Day) -> String {
        let customer = String(a.customer.map { $0 == ":" ? "_" : $0 })
        return "\(date)-\(customer)-L\(a.level.level)-\(a.channel.rawValue).txt"
    }

    /// What a template sees (docs/collections.md lists every name).
    public static func context(_ a: DunningAction, date: Day) -> [String: Any] {
        let d = a.currency.fractionDigits
        func money(_ v: Int64) -> String { Money.format(v, fractionDigits: d) }
        func wide(_ v: Int128) -> String { Money.format(v, fractionDigits: d) }
        let invoices: [[String: Any]] = a.items.map { item in
            [
                "invoice": item.invoice, "due_on": item.dueOn.description, "days_overdue": item.daysOverdue,
                "open": money(item.open), "overdue": money(item.overdue), "previous_level": item.previousLevel,
                "fee": money(item.charge?.fee ?? 0), "interest": money(item.charge?.interest ?? 0),
                "charged": money(item.charge?.total ?? 0), "fee_invoice": item.charge?.feeInvoice ?? "",
                "has_charge": item.charge != nil,
            ]
        }
        // What is asked for: the amounts past due and the charges (not the installments of an
        // invoice that are not due yet).
        let total = a.overdue + a.charged
        return [
            "date": date.description, "customer": a.customer, "name": a.name.isEmpty ? a.customer : a.name,
            "email": a.email, "contact": a.contact, "currency": a.currency.code,
            "level": a.level.level, "level_name": a.level.name, "channel": a.channel.rawValue,
            "days_overdue": a.daysOverdue, "invoices": invoices,
            "total_open": wide(a.open), "total_overdue": wide(a.overdue), "total_charged": wide(a.charged),
            "total_due": Money.format(total, fractionDigits: d), "has_charges": a.charged > 0,
        ]
    }

    /// The letter of one action.
    public func render(_ a: DunningAction, date: Day) -> String {
        let name = templateName(for: a)
        guard let t = templates[name] else { return "" }
        let text = t.render(DunningLetters.context(a, date: date))
        return text.isEmpty || text.hasSuffix("\n") ? text : text + "\n"
    }

    /// The built-in templates, also shipped as policy/letters/*.mustache (a test keeps them
    /// equal): a reminder by e-mail, a formal notice and a final demand by letter, and the
    /// notice of transfer to collections; `default` for any other level or channel.
    public static let defaultTemplates: [String: String] = [
        "default": """
            {{% CONTENT_TYPE: TEXT}}
            {{date}}

            {{name}} ({{customer}})
            {{#contact}}Attn: {{contact}}
            {{/contact}}
            Re: {{level_name}} (level {{level}})

            Dear {{name}},

            The following invoices are past due:
            {{#invoices}}
              {{invoice}}  due {{due_on}}  {{days_overdue}} days past due  {{overdue}} {{currency}}
            {{/invoices}}

            Total past due: {{total_overdue}} {{currency}}
            {{#has_charges}}
            Late fees and interest charged: {{total_charged}} {{currency}}
            Total due: {{total_due}} {{currency}}
            {{/has_charges}}

            Please pay the amount due, or contact us if you believe it is not owed.

            Accounts Receivable

            """,
        "level-1-email": """
            {{% CONTENT_TYPE: TEXT}}
            To: {{email}}
            Subject: Payment reminder: {{total_overdue}} {{currency}} past due

            Dear {{name}},

            Our records show that the following invoices are past due:
            {{#invoices}}
              {{invoice}}  due {{due_on}}  {{overdue}} {{currency}} ({{days_overdue}} days)
            {{/invoices}}

            If you have already paid, please disregard this reminder. Otherwise we would be
            grateful for your payment of {{total_overdue}} {{currency}} at your earliest convenience.
            {{#has_charges}}
            A late fee and interest of {{total_charged}} {{currency}} have been charged.
            {{/has_charges}}

            Kind regards,
            Accounts Receivable

            """,
        "level-2-letter": """
            {{% CONTENT_TYPE: TEXT}}
            {{date}}

            {{name}} ({{customer}})
            {{#contact}}Attn: {{contact}}
            {{/contact}}
            FORMAL NOTICE

            Dear {{name}},

            Despite our reminder, the following invoices remain unpaid:
            {{#invoices}}
              {{invoice}}  due {{due_on}}  {{days_overdue}} days past due  {{overdue}} {{currency}}{{#has_charge}}  (fee and interest {{charged}}: {{fee_invoice}}){{/has_charge}}
            {{/invoices}}

            Total past due: {{total_overdue}} {{currency}}
            {{#has_charges}}
            Late fees and interest: {{total_charged}} {{currency}}
            {{/has_charges}}
            Total due: {{total_due}} {{currency}}

            We ask you to pay the total due within 14 days of this notice.

            Accounts Receivable

            """,
        "level-3-letter": """
            {{% CONTENT_TYPE: TEXT}}
            {{date}}

            {{name}} ({{customer}})
            {{#contact}}Attn: {{contact}}
            {{/contact}}
            FINAL DEMAND

            Dear {{name}},

            The following invoices, up to {{days_overdue}} days past due, remain unpaid despite
            our reminder and formal notice:
            {{#invoices}}
              {{invoice}}  due {{due_on}}  {{days_overdue}} days past due  {{overdue}} {{currency}}
            {{/invoices}}

            Total due: {{total_due}} {{currency}}{{#has_charges}} (of which late fees and interest {{total_charged}}){{/has_charges}}

            Unless the total due is paid within 7 days, we will pass the debt to collections
            without further notice.

            Accounts Receivable

            """,
        "level-4-legal": """
            {{% CONTENT_TYPE: TEXT}}
            {{date}}

            {{name}} ({{customer}})
            NOTICE OF TRANSFER TO COLLECTIONS

            Dear {{name}},

            As the invoices below remain unpaid after our final demand, the debt of
            {{total_due}} {{currency}} has been passed to collections.
            {{#invoices}}
              {{invoice}}  due {{due_on}}  {{days_overdue}} days past due  {{overdue}} {{currency}}
            {{/invoices}}

            Accounts Receivable

            """,
    ]
}
