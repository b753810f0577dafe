/// `customers --search TEXT`: a customer matches when TEXT is a substring of its id or of its
/// name, ignoring case.
///
/// How text is compared (non-ASCII included): both sides are lower-cased with Swift's
/// `String.lowercased()` (Unicode's default, locale-independent lower-case mapping: `É` → `é`,
/// `Σ` → `σ`, ASCII as usual), then TEXT is searched for as a sequence of characters (extended
/// grapheme clusters, compared under canonical equivalence: a precomposed `é` matches `e` +
/// combining acute). Not folded: accents (`e` does not find `é`), compatibility forms (`ｆ`
/// is not `f`), and case pairs that lower-casing does not join (`ß` does not find `SS`; the
/// Turkish dotless ı is its own letter). An empty TEXT is refused by the CLI.
public struct CustomerSearch: Sendable, Equatable {
    /// The text searched for, lower-cased.
    public let needle: [Character]

    public init(_ text: String) {
        needle = Array(text.lowercased())
    }

    public func matches(id: String, name: String) -> Bool {
        CustomerSearch.contains(Array(id.lowercased()), needle) || CustomerSearch.contains(Array(name.lowercased()), needle)
    }

    /// Whether `needle` occurs in `haystack` as consecutive characters (empty: always).
    static func contains(_ haystack: [Character], _ needle: [Character]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        var i = 0
        while i + needle.count <= haystack.count {
            if haystack[i] == needle[0] {
                var k = 1
                while k < needle.count, haystack[i + k] == needle[k] { k += 1 }
                if k == needle.count { return true }
            }
            i += 1
        }
        return false
    }
}
