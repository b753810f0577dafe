import Foundation

// What the test targets share: the contract's worked examples and how an answer is compared
// with them. A library of its own (not a test target) so that each test target imports it
// instead of keeping a copy.

/// The contract's pages add fields (v1.1: `disputed`, `promises_kept`, `promises_broken`,
/// `promise`; v1.2: `refunded`): an example of an earlier page does not list them, and "more
/// fields may be added". `comparable(got, want)` drops from `got`, at every level, a later
/// page's field the example does not list; everything else must be equal, and every field the
/// example lists must be answered.
public enum SpecLevels {
    public static let laterFields: Set<String> = ["disputed", "promises_kept", "promises_broken", "promise", "refunded"]

    public static func comparable(_ got: Any, _ want: Any) -> (Any, Any) {
        switch (got, want) {
        case (let g as [String: Any], let w as [String: Any]):
            var g2: [String: Any] = [:]
            for (k, v) in g where w[k] != nil || !laterFields.contains(k) { g2[k] = v }
            var w2 = w
            for (k, v) in g2 {
                if let x = w2[k] { (g2[k], w2[k]) = comparable(v, x) }
            }
            return (g2, w2)
        case (let g as [Any], let w as [Any]) where g.count == w.count:
            let pairs = zip(g, w).map { comparable($0, $1) }
            return (pairs.map(\.0), pairs.map(\.1))
        default:
            return (got, want)
        }
    }
}
