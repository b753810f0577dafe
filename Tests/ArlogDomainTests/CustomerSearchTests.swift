import Testing

@testable import ArlogDomain

/// `customers --search`: a case-insensitive substring of the id or the name, compared as
/// documented in `CustomerSearch` (Unicode lower-casing, characters under canonical
/// equivalence, no accent folding).
@Suite struct CustomerSearchTests {
    @Test func matchesIdOrNameIgnoringCase() {
        let s = CustomerSearch("acme")
        #expect(s.matches(id: "ACME-1", name: "x"))
        #expect(s.matches(id: "C-9", name: "The Acme Corporation"))
        #expect(s.matches(id: "C-9", name: "ACMEWORKS"))
        #expect(!s.matches(id: "C-9", name: "Ac me"))
        #expect(CustomerSearch("-1").matches(id: "ACME-1", name: ""))
        #expect(!CustomerSearch("acme-12").matches(id: "ACME-1", name: "acme"))
    }

    @Test func nonASCIIIsLowerCasedAndComparedByCharacter() {
        // Upper and lower case of other scripts.
        #expect(CustomerSearch("MÜLLER").matches(id: "M1", name: "Bäckerei Müller GmbH"))
        #expect(CustomerSearch("σοφια").matches(id: "G1", name: "ΣΟΦΙΑ Α.Ε."))
        #expect(CustomerSearch("株式会社").matches(id: "J1", name: "海獣株式会社"))
        // Canonical equivalence: precomposed é (U+00E9) finds e + combining acute (U+0301).
        #expect(CustomerSearch("caf\u{E9}").matches(id: "F1", name: "Cafe\u{301} de Flore"))
        #expect(CustomerSearch("cafe\u{301}").matches(id: "F1", name: "CAF\u{C9} DE FLORE"))
        // No accent folding, no ß/SS joining: documented.
        #expect(!CustomerSearch("muller").matches(id: "M1", name: "Müller"))
        #expect(!CustomerSearch("e").matches(id: "F1", name: "Caf\u{E9}"))
        #expect(!CustomerSearch("strasse").matches(id: "S1", name: "Straße"))
    }
}
