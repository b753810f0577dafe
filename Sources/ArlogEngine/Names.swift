import ArlogDomain
import ArlogStorage

/// Customers' names and contacts for the rows a report prints.
///
/// A name is a profile text, a cold record (`profiles`) that the fold and the state scans never
/// read. A report that shows names (aging, alerts, check, limits, worklist) asks for them only
/// for the rows it prints, after it has chosen them, in one read transaction; none for a row
/// left out and none for JSON that carries no name (aging's, which the contract fixes). The
/// answer is an array aligned with the ids asked (no dictionary: hashing 22,000 ids cost
/// more than reading their records). The texts are the store's latest (profiles are not kept
/// as of a date: a renamed customer shows its current name in a report of an earlier day).
extension Store {
    /// The profile texts of `customers`, in their order (nil: no profile record).
    public func profileTexts(_ customers: [String]) throws -> [ProfileText?] {
        try profiles(customers) { $0 }
    }

    /// The names of `customers`, in their order (nil: no profile record).
    public func names(_ customers: [String]) throws -> [String?] {
        try profiles(customers) { $0.name }
    }

    /// Ids asked in byte order with at most this many profile records per id: one ordered pass
    /// over the profiles instead of a look-up per id (a look-up descends the B-tree from its
    /// root; the pass reads each page once). Aging asks for nearly every customer, alerts and
    /// limits for a few.
    static let profilePassRecordsPerIdMax = 16

    func profiles<T>(_ customers: [String], _ pick: (ProfileText) -> T) throws -> [T?] {
        guard !customers.isEmpty else { return [] }
        return try env.read { txn in try profiles(txn, customers, pick) }
    }

    /// The same in the caller's read transaction.
    func profiles<T>(_ txn: ReadTransaction, _ customers: [String], _ pick: (ProfileText) -> T) throws -> [T?] {
        var out = [T?](repeating: nil, count: customers.count)
        guard !customers.isEmpty else { return out }
        let sorted = zip(customers, customers.dropFirst()).allSatisfy { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let pass = try sorted && customers.count * Store.profilePassRecordsPerIdMax >= txn.count(profiles)
        guard pass else {
            for (i, c) in customers.enumerated() {
                if let p = try storedProfile(txn, c) { out[i] = pick(p) }
            }
            return out
        }
        // Ids in strictly increasing byte order, records in key order: one merge.
        var i = 0
        try txn.scan(profiles, from: Array(customers[0].utf8)) { key, value in
            while i < customers.count, customers[i].utf8.lexicographicallyPrecedes(key) { i += 1 }
            guard i < customers.count else { return false }
            if customers[i].utf8.elementsEqual(key) {
                out[i] = pick(try Store.decoding(profiles, "customer \(customers[i])", value, StateCodec.decodeProfile))
                i += 1
            }
            return i < customers.count
        }
        return out
    }
}
