/// Who chases which customer: the assignment file `worklist --collector X` reads
/// (`--assignments FILE`, else `$ARLOG_COLLECTORS`). The data model has no collector; this
/// file is the team's own, outside the log, so changing it changes no history.
///
///     {"collectors": {
///        "alice": {"customers": ["ACME", "BOLT"], "prefixes": ["EU-"]},
///        "bob":   {"prefixes": ["US-", "CA-"]}
///      },
///      "default": "carol"}
///
/// A customer goes to the collector that lists its id in `customers`; else to the one with the
/// longest prefix of its id in `prefixes`; else to `default` (a collector that need not be
/// listed above); else to nobody. Refused, with the member named: anything but this shape
/// (unknown members included: a typo must not silently unassign customers), a collector name
/// or a customer id or prefix outside the feed's customer id alphabet (1–64 of `A-Z a-z 0-9 . _ : -`), an empty
/// prefix, and the same customer or the same prefix under two collectors.
public struct CollectorAssignments: Sendable, Equatable {
    public private(set) var byCustomer: [String: String] = [:]
    /// (prefix, collector), longest prefix first.
    public private(set) var prefixes: [(prefix: String, collector: String)] = []
    /// The prefixes by their bytes, and their distinct lengths in bytes, longest first: a
    /// customer is matched with one look-up per length (at most 64), not one per prefix.
    var byPrefix: [[UInt8]: String] = [:]
    var prefixLengths: [Int] = []
    public private(set) var fallback: String?
    /// Every collector named, sorted.
    public private(set) var collectors: [String] = []

    /// Most entries (customers and prefixes) a file may hold: a bound on what one file makes
    /// us keep in memory (a million ids is far beyond a collections team).
    public static let entriesMax = 1_000_000
    /// A collector's name: an id of the feed's alphabet, at most this long.
    public static let nameCharsMax = 64

    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
        init(_ message: String) { self.message = message }
    }

    public init(byCustomer: [String: String] = [:], prefixes: [(prefix: String, collector: String)] = [], fallback: String? = nil) {
        self.byCustomer = byCustomer
        // Longest first; equal lengths in byte order (never both a prefix of one id).
        self.prefixes = prefixes.sorted { a, b in
            a.prefix.utf8.count != b.prefix.utf8.count ? a.prefix.utf8.count > b.prefix.utf8.count
                : a.prefix.utf8.lexicographicallyPrecedes(b.prefix.utf8)
        }
        self.fallback = fallback
        for p in prefixes { byPrefix[Array(p.prefix.utf8)] = p.collector }
        prefixLengths = Set(prefixes.map(\.prefix.utf8.count)).sorted(by: >)
        collectors = Array(Set(byCustomer.values).union(prefixes.map(\.collector)).union(fallback.map { [$0] } ?? [])).sorted()
    }

    public static func == (a: CollectorAssignments, b: CollectorAssignments) -> Bool {
        a.byCustomer == b.byCustomer && a.fallback == b.fallback && a.prefixes.map(\.prefix) == b.prefixes.map(\.prefix)
            && a.prefixes.map(\.collector) == b.prefixes.map(\.collector)
    }

    /// The collector of `customer`, or nil when none is assigned.
    public func collector(of customer: String) -> String? {
        if let c = byCustomer[customer] { return c }
        guard !prefixLengths.isEmpty else { return fallback }
        let bytes = Array(customer.utf8)
        for n in prefixLengths where n <= bytes.count {
            if let c = byPrefix[Array(bytes[..<n])] { return c }
        }
        return fallback
    }

    /// Parses an assignment file's bytes.
    public static func parse(_ bytes: [UInt8]) throws(Invalid) -> CollectorAssignments {
        let root: JSONObject
        do { root = try JSONParser.parseObject(bytes) } catch { throw Invalid("not a JSON object: \(error)") }
        var byCustomer: [String: String] = [:]
        var prefixOwner: [String: String] = [:]
        var fallback: String?
        var entries = 0
        for (key, value) in root.members {
            switch key {
            case "default":
                guard case .string(let name) = value, isName(name) else {
                    throw Invalid("\"default\" must be a collector name (1–\(nameCharsMax) characters of A-Z a-z 0-9 . _ : -)")
                }
                fallback = name
            case "collectors":
                guard case .object(let collectors) = value else { throw Invalid("\"collectors\" must be an object of collector name → assignment") }
                for (name, entry) in collectors.members {
                    guard isName(name) else {
                        throw Invalid("collector \"\(name)\": a name is 1–\(nameCharsMax) characters of A-Z a-z 0-9 . _ : -")
                    }
                    guard case .object(let fields) = entry else { throw Invalid("collector \"\(name)\" must be an object with \"customers\" and/or \"prefixes\"") }
                    for (field, list) in fields.members {
                        guard field == "customers" || field == "prefixes" else {
                            throw Invalid("collector \"\(name)\": unknown member \"\(field)\" (expected \"customers\" or \"prefixes\")")
                        }
                        guard case .array(let items) = list else { throw Invalid("collector \"\(name)\": \"\(field)\" must be an array of strings") }
                        for item in items {
                            entries += 1
                            guard entries <= entriesMax else { throw Invalid("more than \(entriesMax) customers and prefixes") }
                            guard case .string(let text) = item, EventDecoder.isIdentifier(text, max: FeedLimits.customerCharsMax) else {
                                throw Invalid("collector \"\(name)\": \"\(field)\" holds \(describe(item)), not a customer id or id prefix (1–\(FeedLimits.customerCharsMax) characters of A-Z a-z 0-9 . _ : -)")
                            }
                            if field == "customers" {
                                if let other = byCustomer[text], other != name { throw Invalid("customer \"\(text)\" is assigned to both \"\(other)\" and \"\(name)\"") }
                                byCustomer[text] = name
                            } else {
                                if let other = prefixOwner[text], other != name { throw Invalid("prefix \"\(text)\" is assigned to both \"\(other)\" and \"\(name)\"") }
                                prefixOwner[text] = name
                            }
                        }
                    }
                }
            default:
                throw Invalid("unknown member \"\(key)\" (expected \"collectors\" and optionally \"default\")")
            }
        }
        let prefixes = prefixOwner.map { (prefix: $0.key, collector: $0.value) }
        return CollectorAssignments(byCustomer: byCustomer, prefixes: prefixes, fallback: fallback)
    }

    static func isName(_ s: String) -> Bool { EventDecoder.isIdentifier(s, max: nameCharsMax) }

    static func describe(_ v: JSONValue) -> String {
        if case .string(let s) = v { return "\"\(s)\"" }
        return "a \(v.typeName)"
    }
}
