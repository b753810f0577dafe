import ArlogDomain

/// The currencies customers bill in, with an exchange rate to turn a euro-cent figure into
/// minor units (`minor = euroCents * perEuroCentNumerator / perEuroCentDenominator`).
struct CurrencyProfile {
    let code: StaticString
    let fractionDigits: Int
    let perEuroCentNumerator: Int64
    let perEuroCentDenominator: Int64

    init(_ code: StaticString, _ numerator: Int64, _ denominator: Int64) {
        self.code = code
        guard let currency = Currency(code: code.description) else {
            preconditionFailure("unknown currency \(code)")
        }
        self.fractionDigits = currency.fractionDigits
        self.perEuroCentNumerator = numerator
        self.perEuroCentDenominator = denominator
    }
}

enum Vocabulary {
    /// Most customers bill in two-digit currencies; JPY and KRW have none, BHD and KWD three.
    static let currencies: [CurrencyProfile] = [
        CurrencyProfile("EUR", 1, 1),
        CurrencyProfile("USD", 11, 10),
        CurrencyProfile("GBP", 85, 100),
        CurrencyProfile("CNY", 78, 10),
        CurrencyProfile("JPY", 8, 5),  // 160 yen to the euro: 1.6 yen per euro cent
        CurrencyProfile("KRW", 29, 2),  // 1450 won to the euro
        CurrencyProfile("BHD", 41, 10),  // 0.41 dinar: 4.1 fils per euro cent
        CurrencyProfile("KWD", 33, 10),  // 0.33 dinar
    ]
    static let currencyWeights = [300, 290, 90, 80, 90, 50, 50, 50]

    static let termsDays = [0, 14, 30, 45, 60, 90]
    /// Feed v1.3: who assessed a customer, and bureau ratings as providers write them.
    static let assessmentSources: [StaticString] = ["bureau:dnb", "bureau:creditreform", "bureau:experian", "annual-review"]
    static let bureauRatings: [StaticString] = ["AAA", "AA", "A+", "BB", "B-", "3A2", "5A1", "Baa1", "CCC"]
    static let termsWeights = [60, 150, 400, 150, 140, 100]

    /// Credit limits in whole euros.
    static let creditLimitEuros: [Int64] = [5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000]

    static let namePrefixes: [StaticString] = [
        "Acme", "Bolt", "Cedar", "Delta", "Ember", "Fjord", "Granite", "Harbor", "Indigo", "Juniper",
        "Kestrel", "Lumen", "Meridian", "Nimbus", "Orchid", "Pearl", "Quarry", "Riverside",
        "Summit", "Tundra", "Umbra", "Vertex", "Willow", "Zenith",
    ]
    static let nameNouns: [StaticString] = [
        "Trading", "Logistics", "Foods", "Textiles", "Robotics", "Pharma", "Builders", "Energy",
        "Software", "Marine", "Motors", "Paper",
    ]
    static let nameSuffixes: [StaticString] = [
        "Ltd", "GmbH", "LLC", "KK", "WLL", "SA", "BV", "Inc", "Co", "plc",
    ]
    static let industries: [StaticString] = [
        "retail", "manufacturing", "logistics", "software", "healthcare", "construction",
        "hospitality", "energy", "wholesale", "agriculture",
    ]
    static let firstNames: [StaticString] = [
        "Ana", "Ben", "Chen", "Dana", "Emre", "Fatima", "Goran", "Hiro", "Ines", "Jae", "Kofi",
        "Lena", "Mateo", "Nadia", "Omar", "Priya",
    ]
    static let lastNames: [StaticString] = [
        "Almeida", "Brandt", "Castillo", "Dubois", "Eriksen", "Fischer", "Gupta", "Haddad", "Ito",
        "Jansen", "Kim", "Lopez", "Mwangi", "Novak", "Okafor", "Park",
    ]
    static let mailboxes: [StaticString] = ["ap", "accounts", "billing", "finance", "payables"]

    static let dunningChannels: [StaticString] = ["email", "letter", "phone", "sms", "legal"]
    /// Feed v1.1's `dispute.opened` reasons (≤ 200 characters), the empty one included.
    static let disputeReasons: [StaticString] = [
        "damaged goods", "not delivered", "price differs from the order", "duplicate invoice", "quantity short",
        "service not rendered", "", "marchandise abîmée",
    ]

    // Actors and notes, by kind of event.
    static let actorsBilling: [StaticString] = ["billing-system", "erp-sync", "ar-clerk-3", "ar-clerk-8"]
    static let actorsCredit: [StaticString] = ["credit-desk", "cfo", "risk-engine", "ar-manager"]
    /// `reason` of a credit note (feed v1.2, at most 200 characters).
    static let creditNoteReasons: [StaticString] = ["volume rebate", "goodwill", "return of goods", "price correction", "early payment discount"]
    static let actorsCash: [StaticString] = ["bank-feed", "treasury-bot", "ar-clerk-3", "lockbox-import"]
    static let actorsCollections: [StaticString] = ["collector-7", "collector-12", "dunning-run", "legal-team"]

    static let notesRegistration: [StaticString] = [
        "onboarded after credit check", "migrated from legacy ledger", "referred by sales",
    ]
    static let notesUpdate: [StaticString] = [
        "new AP contact", "renegotiated terms", "rebranded", "address change on file",
    ]
    static let notesCreditLimit: [StaticString] = [
        "annual review", "account on hold", "increase approved by credit committee",
        "reduced after late payments",
    ]
    static let notesInvoice: [StaticString] = [
        "PO 4471-A", "monthly service fee", "shipment 2 of 3", "framework agreement call-off",
    ]
    static let notesAdjustment: [StaticString] = [
        "credit note for damaged goods", "price correction", "freight surcharge", "volume rebate",
        "missing items on delivery",
    ]
    static let notesVoid: [StaticString] = ["issued in error", "duplicate invoice", "wrong customer billed"]
    static let notesWriteOff: [StaticString] = [
        "uncollectible", "customer insolvent", "small balance write-off", "settled in negotiation",
    ]
    static let notesPayment: [StaticString] = [
        "wire transfer", "cheque", "card payment", "SEPA credit transfer", "remittance advice received",
    ]
    static let notesReversal: [StaticString] = [
        "cheque returned unpaid", "chargeback", "insufficient funds", "payment recalled by bank",
    ]
    static let notesDunning: [StaticString] = [
        "no response to previous reminder", "promised to pay next week", "disputed by customer",
        "handed to collections agency",
    ]
}
