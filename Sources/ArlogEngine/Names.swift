import ArlogDomain
import ArlogStorage

/// Customers' names and contacts for the rows a report prints.
///
/// A name is a profile text, a cold record (`profiles`) that the fold and the state scans never
/// read. A report that shows names (aging, alerts, check, limits, worklist) asks for them only
/// for the rows it prints, after it has chosen them: one look-up per row in one read
/// transaction, none for a row left out and none for JSON that carries no name (aging's, which
/// the contract fixes). The texts are the store's latest (profiles are not kept as of a date:
/// a renamed customer shows its current name in a report of an earlier day).
extension Store {
    /// The profile texts of `customers` (each read once); a customer without a profile record
    /// (unknown, or a store written before it registered) is left out.
    public func profileTexts(_ customers: some Sequence<String>) throws -> [String: ProfileText] {
        var out: [String: ProfileText] = [:]
        try env.read { txn in
            for c in customers where out[c] == nil {
                if let p = try storedProfile(txn, c) { out[c] = p }
            }
        }
        return out
    }

    /// The names of `customers`: the `name` of each one's profile (see `profileTexts`).
    public func names(_ customers: some Sequence<String>) throws -> [String: String] {
        var out: [String: String] = [:]
        try env.read { txn in
            for c in customers where out[c] == nil {
                if let p = try storedProfile(txn, c) { out[c] = p.name }
            }
        }
        return out
    }
}
