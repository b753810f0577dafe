import ArgumentParser
import ArlogDomain
import ArlogEngine
import ArlogRender

#if canImport(Glibc)
    import Glibc
#endif

/// `--store DIR`: where the store lives.
struct StoreOptions: ParsableArguments {
    static let environmentVariable = "ARLOG_STORE"
    static let defaultDirectory = "arlog-store"

    @Option(
        name: .long,
        help: ArgumentHelp("The store directory (default: $ARLOG_STORE, else ./arlog-store).", valueName: "dir"))
    var store: String?

    @Flag(
        name: .long,
        help: "Never write to the store: queries always open it read-only; with this flag, commands that append or rebuild refuse to run.")
    var readOnly = false

    func validate() throws {
        if let store, store.isEmpty { throw ValidationError("--store: the directory name is empty") }
    }

    /// --store, else $ARLOG_STORE when set and not empty, else ./arlog-store.
    var directory: String {
        if let store { return store }
        if let env = getenv(StoreOptions.environmentVariable), env.pointee != 0 { return String(cString: env) }
        return StoreOptions.defaultDirectory
    }

    /// Opens the store for a query: read-only, so a query never writes (it works on a
    /// read-only filesystem, a full disk, or while another process writes). When the
    /// projections are behind the log (a rebuild running or interrupted), says so on stderr:
    /// the answers are as known at the position they reflect.
    func open() throws -> Store {
        var options = Store.Options()
        options.readOnly = true
        let store = try Store(directory: directory, create: false, options: options)
        let status = try store.projectionStatus()
        if status.isBehind {
            Console.error("arlog: note: the projections reflect \(status.projected) of the log's \(status.head) events (a rebuild is running or was interrupted); these answers are as known at event \(status.projected). `arlog rebuild` finishes it, as does any ingest.")
        }
        return store
    }

    /// Opens the store for a command that appends events or rebuilds (`command` names it for
    /// the error under `--read-only`); with `create`, makes it when missing (`ingest`).
    func openForWriting(_ command: String, create: Bool = false) throws -> Store {
        if readOnly {
            throw EngineError(.usage, "--read-only: `arlog \(command)` writes to the store; run it without --read-only")
        }
        var options = Store.Options()
        if let bytes = try StoreOptions.mapBytes() { options.mapSizeBytes = bytes }
        return try Store(directory: directory, create: create, options: options)
    }

    /// `ARLOG_MAP_BYTES`: the initial map of a writer, which it reserves on disk (the store
    /// file is at least this large; it grows by half when three quarters are used).
    static let mapBytesVariable = "ARLOG_MAP_BYTES"
    /// The smallest map accepted: a few LMDB pages for the databases' roots.
    static let mapBytesMin = 1 << 20
    /// The largest initial map accepted (1 TiB, the growth cap).
    static let mapBytesMax = 1 << 40

    static func mapBytes() throws -> Int? {
        guard let raw = getenv(mapBytesVariable), raw.pointee != 0 else { return nil }
        let text = String(cString: raw)
        guard let n = Int(text), (mapBytesMin...mapBytesMax).contains(n) else {
            throw EngineError(.usage, "\(mapBytesVariable)=\(text): the initial map must be a whole number of bytes from \(mapBytesMin) to \(mapBytesMax)")
        }
        return n
    }
}

/// `--format table|json|csv`.
struct FormatOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json, csv
    }

    @Option(help: "Output format.")
    var format: Format = .table

    var output: OutputFormat {
        switch format {
        case .table: .table
        case .json: .json
        case .csv: .csv
        }
    }
}

/// `--as-of YYYY-MM-DD`: the state at the end of that day (UTC).
struct AsOfOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Answer as of the end of this date (UTC), counting only events whose `at` is not later.", valueName: "yyyy-mm-dd"))
    var asOf: String?

    func validate() throws {
        if let asOf, Day(parsing: asOf) == nil {
            throw ValidationError("--as-of: \"\(asOf)\" is not a valid date YYYY-MM-DD")
        }
    }

    var day: Day? { asOf.flatMap { Day(parsing: $0) } }
    var timestamp: Timestamp? { day.map(Timestamp.endOf) }
}

/// `--known-at SEQ|TIMESTAMP|DATE`: answer from only the events recorded up to that point.
struct KnownAtOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Answer from only the events recorded (ingested) up to this point: a log sequence number, an RFC 3339 timestamp, or a date YYYY-MM-DD (the end of that day, UTC) — what the store said then. Combines with --as-of, e.g. `arlog balance ACME --as-of 2025-03-31 --known-at 2025-04-05`.",
            valueName: "seq|timestamp|date"))
    var knownAt: String?

    func validate() throws {
        if let knownAt, KnownAt(parsing: knownAt) == nil {
            throw ValidationError(
                "--known-at: \"\(knownAt)\" is not a sequence number (a positive integer), an RFC 3339 timestamp (2025-04-05T12:00:00Z) or a date YYYY-MM-DD")
        }
    }

    var value: KnownAt? { knownAt.flatMap { KnownAt(parsing: $0) } }
}

/// Today's date in UTC, from the system clock; `ARLOG_TODAY=YYYY-MM-DD` sets another (tests
/// of what depends on today: promises judged without --as-of, aging, grades).
func today() -> Day {
    if let text = getenv("ARLOG_TODAY"), let day = Day(parsing: String(cString: text)) { return day }
    return Day(number: Int32(time(nil) / 86_400))
}

/// Now, from the system clock, to the second (what arlog's own events carry as `at`).
func now() -> Timestamp {
    Timestamp(seconds: Int64(time(nil)))
}

/// `yyyyMMddTHHmmss` of an instant in UTC, for the default ids of arlog's own events.
func compactStamp(_ t: Timestamp) -> String {
    String(Timestamp(seconds: t.seconds).description.prefix(19).filter { $0 != "-" && $0 != ":" })
}

/// `--at`, `--actor`, `--note`, `--id`: the envelope of an event arlog logs itself
/// (`policy set`, `review`).
struct OwnEventOptions: ParsableArguments {
    @Option(help: ArgumentHelp("When the event takes effect, RFC 3339 (default: now).", valueName: "timestamp"))
    var at: String?

    @Option(help: ArgumentHelp("Who made the change (default: $USER, else arlog).", valueName: "name"))
    var actor: String?

    @Option(help: ArgumentHelp("Why, kept with the event.", valueName: "text"))
    var note: String?

    @Option(help: ArgumentHelp("The event id (default: PREFIX.<UTC yyyyMMddTHHmmss of --at>).", valueName: "id"))
    var id: String?

    func validate() throws {
        if let at, Timestamp(parsing: at) == nil {
            throw ValidationError("--at: \"\(at)\" is not an RFC 3339 timestamp (2025-04-05T12:00:00Z)")
        }
        if let actor, actor.isEmpty || actor.unicodeScalars.count > FeedLimits.actorCharsMax {
            throw ValidationError("--actor must be 1–\(FeedLimits.actorCharsMax) characters")
        }
        if let note, note.unicodeScalars.count > FeedLimits.noteCharsMax {
            throw ValidationError("--note must be at most \(FeedLimits.noteCharsMax) characters")
        }
        if let id, !EventDecoder.isIdentifier(id, max: FeedLimits.idCharsMax) {
            throw ValidationError("--id must be 1–\(FeedLimits.idCharsMax) characters of A-Z a-z 0-9 . _ : -")
        }
    }

    var timestamp: Timestamp { at.flatMap { Timestamp(parsing: $0) } ?? now() }

    /// --actor, else $USER when set and usable, else "arlog".
    var actorName: String {
        if let actor { return actor }
        if let env = getenv("USER"), env.pointee != 0 {
            let user = String(cString: env)
            if user.unicodeScalars.count <= FeedLimits.actorCharsMax { return user }
        }
        return "arlog"
    }

    func eventID(prefix: String, at: Timestamp) -> String { id ?? "\(prefix).\(compactStamp(at))" }
}

/// Reads a whole (small) file; an `EngineError` (exit 2) when it cannot.
func readFile(_ path: String, max: Int) throws -> [UInt8] {
    let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw EngineError(.io, "cannot read \(path): \(String(cString: strerror(errno)))") }
    defer { Glibc.close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            throw EngineError(.io, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        if n == 0 { return bytes }
        bytes += chunk[..<n]
        if bytes.count > max { throw EngineError(.io, "cannot read \(path): larger than \(max) bytes") }
    }
}

/// Reports the lines of arlog's own events that the intake refused (on stderr).
func reportRejected(_ line: RejectedLine) {
    Console.error("arlog: " + Render.rejectedLine(line))
}

/// Id arguments (`balance CUSTOMER`, `invoice INVOICE`, `--customer C`) follow the feed's
/// rules (shared/spec/events-v1.md): a customer id is 1–64 characters, an invoice id 1–128,
/// of `A-Z a-z 0-9 . _ : -`. Anything else cannot name anything in a store, so it is a usage
/// error from `validate()` (exit 2) rather than an unknown id or a storage error.
enum IdArgument {
    /// Characters of a refused argument quoted in the message; the rest is elided, so that a
    /// huge argument cannot flood the terminal (the rule says what is allowed anyway).
    static let quotedCharsMax = 80

    static func validate(customer: String, _ what: String = "customer") throws {
        try validate(customer, max: FeedLimits.customerCharsMax, what: what, kind: "customer id")
    }

    static func validate(invoice: String, _ what: String = "invoice") throws {
        try validate(invoice, max: FeedLimits.referenceCharsMax, what: what, kind: "invoice id")
    }

    static func validate(_ value: String, max: Int, what: String, kind: String) throws {
        guard !EventDecoder.isIdentifier(value, max: max) else { return }
        let rule = "\(kind)s are 1–\(max) characters of A-Z a-z 0-9 . _ : -"
        if value.isEmpty { throw ValidationError("\(what): the \(kind) is empty (\(rule))") }
        var shown = String(value.unicodeScalars.prefix(quotedCharsMax))
        if shown.unicodeScalars.count < value.unicodeScalars.count { shown += "…" }
        let article = kind.first.map { "aeiou".contains($0) } == true ? "an" : "a"
        throw ValidationError("\(what): \"\(Render.visible(shown))\" is not \(article) \(kind) (\(rule))")
    }
}
