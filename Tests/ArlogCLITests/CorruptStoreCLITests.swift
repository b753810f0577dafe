import Foundation
import Testing

/// The built `arlog` on damaged stores (issue 8, item 4): queries fail cleanly with exit 2 and
/// a message naming the database and key, `verify` and `audit verify` report and exit 4, and no
/// command ends on a signal. The damage is written into `data.mdb` at the bytes of one stored
/// value (found by its content), so LMDB's own page structure stays intact.
@Suite(.serialized)
struct CorruptStoreCLITests {
    static let feed = [
        #"{"id":"r1","type":"customer.registered","at":"2025-01-01T08:00:00Z","customer":"ACME","name":"Acme","currency":"EUR","terms_days":30,"credit_limit":"5000.00"}"#,
        #"{"id":"r2","type":"customer.registered","at":"2025-01-01T08:00:00Z","customer":"BOLT","name":"Bolt","currency":"JPY","terms_days":60,"credit_limit":"100000"}"#,
        #"{"id":"i1","type":"invoice.issued","at":"2025-01-05T10:00:00Z","customer":"ACME","invoice":"A-1","amount":"3000.00","issued_on":"2025-01-05","installments":[{"due_on":"2025-02-04","amount":"1000.00"},{"due_on":"2025-03-06","amount":"2000.00"}]}"#,
        #"{"id":"i2","type":"invoice.issued","at":"2025-01-07T10:00:00Z","customer":"BOLT","invoice":"B-1","amount":"50000","issued_on":"2025-01-07"}"#,
        #"{"id":"p1","type":"payment.received","at":"2025-02-10T10:00:00Z","customer":"ACME","payment":"AP-1","amount":"800.00","received_on":"2025-02-10"}"#,
        #"{"id":"x1","type":"payment.reversed","at":"2025-02-20T10:00:00Z","customer":"ACME","payment":"AP-1"}"#,
    ].joined(separator: "\n") + "\n"

    struct Outcome {
        let status: Int32
        let signalled: Bool
        let stdout: String
        let stderr: String
    }

    /// Runs `arlog arguments --store store`, telling an exit status from a signal (a trap is
    /// SIGTRAP or SIGILL: 5 or 4, which a status alone would confuse with verify's 4).
    static func arlog(_ arguments: [String], store: String, in directory: URL) throws -> Outcome {
        let out = directory.appendingPathComponent("out-\(UUID().uuidString)")
        let err = directory.appendingPathComponent("err-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        let p = Process()
        p.executableURL = try builtProduct("arlog")
        p.arguments = arguments + ["--store", store]
        p.currentDirectoryURL = directory
        let outHandle = try FileHandle(forWritingTo: out)
        let errHandle = try FileHandle(forWritingTo: err)
        defer {
            try? outHandle.close()
            try? errHandle.close()
        }
        p.standardOutput = outHandle
        p.standardError = errHandle
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return Outcome(status: p.terminationStatus, signalled: p.terminationReason == .uncaughtSignal,
                       stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
                       stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }

    /// A fresh store with `feed`, in a new directory.
    static func store() throws -> (directory: URL, store: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("arlog-corrupt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let feedPath = directory.appendingPathComponent("feed.ndjson").path
        try feed.write(toFile: feedPath, atomically: false, encoding: .utf8)
        let store = directory.appendingPathComponent("store").path
        let ingest = try arlog(["ingest", feedPath], store: store, in: directory)
        #expect(ingest.status == 0 && !ingest.signalled, "\(ingest.stderr)")
        return (directory, store)
    }

    /// Replaces every occurrence of `pattern` in the store's data file (the live value, and any
    /// stale copy in a freed page) by `replacement` (same length). Returns the count.
    @discardableResult
    static func damage(_ store: String, _ pattern: [UInt8], _ replacement: [UInt8]) throws -> Int {
        precondition(pattern.count == replacement.count)
        let path = store + "/data.mdb"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var count = 0
        var i = 0
        while i + pattern.count <= bytes.count {
            if bytes[i] == pattern[0], bytes[i..<(i + pattern.count)].elementsEqual(pattern) {
                bytes.replaceSubrange(i..<(i + pattern.count), with: replacement)
                count += 1
                i += pattern.count
            } else {
                i += 1
            }
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return count
    }

    /// Every command that reads the store: none may end on a signal.
    static let commands: [[String]] = [
        ["balance", "ACME"], ["balance", "ACME", "--as-of", "2025-02-15"], ["balance", "BOLT"],
        ["aging"], ["aging", "--as-of", "2025-03-31"], ["customers"], ["invoice", "A-1"], ["history", "ACME"],
        ["statement", "ACME", "--from", "2025-01-01", "--to", "2025-03-31"], ["stats"], ["grade", "ACME", "--history"],
        ["check", "ACME", "--amount", "10.00"], ["alerts"], ["limits"], ["export"], ["audit", "head"],
        ["fx"], ["verify"], ["audit", "verify"],
    ]

    static func runAll(_ store: String, _ directory: URL) throws -> [String: Outcome] {
        var out: [String: Outcome] = [:]
        for c in commands {
            let o = try arlog(c, store: store, in: directory)
            #expect(!o.signalled, "arlog \(c.joined(separator: " ")) ended on signal \(o.status): \(o.stderr)")
            #expect([0, 1, 2, 3, 4, 10, 11].contains(o.status), "arlog \(c.joined(separator: " ")): exit \(o.status)")
            out[c.joined(separator: " ")] = o
        }
        return out
    }

    @Test func aCleanStoreVerifies() throws {
        let (directory, store) = try Self.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = try Self.runAll(store, directory)
        #expect(out["verify"]?.status == 0 && out["audit verify"]?.status == 0)
        #expect(out["balance ACME"]?.status == 0)
    }

    /// Little-endian bytes of an integer, as the store's binary records hold it.
    static func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

    /// ACME's hot state with its currency code changed ("EUR" → "EUQ"): every read of it is
    /// exit 2 naming `states` and the customer; BOLT still answers; both verifiers exit 4.
    @Test func aDamagedState() throws {
        let (directory, store) = try Self.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        // The state starts: version 4, the currency (three letters in a u32), terms_days 30
        // (a zigzag varint: 60), credit limit 500000 minor units (a varint).
        let state: [UInt8] = [4] + Array("EUR".utf8) + [0] + [60] + [0xA0, 0xC2, 0x1E]
        var damaged = state
        damaged[3] = UInt8(ascii: "Q")
        #expect(try Self.damage(store, state, damaged) >= 1)
        let out = try Self.runAll(store, directory)
        for c in ["balance ACME", "aging", "customers", "grade ACME --history", "check ACME --amount 10.00", "stats"] {
            #expect(out[c]?.status == 2, "\(c): \(out[c]?.status ?? -1) \(out[c]?.stderr ?? "")")
            #expect(out[c]?.stderr.contains("corrupt record in database states, key customer ACME") == true, "\(c): \(out[c]?.stderr ?? "")")
        }
        #expect(out["balance BOLT"]?.status == 0)
        #expect(out["verify"]?.status == 4)
        #expect(out["verify"]?.stdout.contains("customer ACME") == true, "\(out["verify"]?.stdout ?? "")")
        #expect(out["audit verify"]?.status == 4)
    }

    /// An event's binary form (what every replay reads) that no longer decodes: A-1's amount
    /// raised by one minor unit, so its installments no longer sum to it. Replays fail with exit
    /// 2 naming the log and the log position; the projection still answers; verifiers exit 4.
    @Test func aDamagedLogRecord() throws {
        let (directory, store) = try Self.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        // The binary form of invoice.issued: amount (i64), issued_on (i32 day number), 2
        // (installments), their count (u32).
        let issued = Int32(20093)  // 2025-01-05
        let form = Self.le(Int64(300_000)) + Self.le(issued) + [2] + Self.le(UInt32(2))
        #expect(try Self.damage(store, form, Self.le(Int64(300_001)) + Self.le(issued) + [2] + Self.le(UInt32(2))) == 1)
        let out = try Self.runAll(store, directory)
        for c in ["balance ACME --as-of 2025-02-15", "history ACME", "statement ACME --from 2025-01-01 --to 2025-03-31"] {
            #expect(out[c]?.status == 2, "\(c): \(out[c]?.status ?? -1) \(out[c]?.stderr ?? "")")
            #expect(out[c]?.stderr.contains("corrupt record in database log, key log position 3") == true, "\(c): \(out[c]?.stderr ?? "")")
        }
        #expect(out["balance ACME"]?.status == 0)
        #expect(out["verify"]?.status == 4)
        #expect(out["audit verify"]?.status == 4)
        #expect(out["audit verify"]?.stdout.contains("first broken at sequence 3") == true, "\(out["audit verify"]?.stdout ?? "")")
    }

    /// The event's bytes as received no longer decode ("3000.00" → "3000x00"). Folds read the
    /// binary form, so every answer stands, and `verify`, which trusts the log, cannot see it
    /// (docs/audit.md); `audit verify`, which proves the bytes by the chain, exits 4 at 3.
    @Test func damagedEventBytes() throws {
        let (directory, store) = try Self.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try Self.damage(store, Array(#""amount":"3000.00""#.utf8), Array(#""amount":"3000x00""#.utf8)) == 1)
        let out = try Self.runAll(store, directory)
        for c in ["balance ACME --as-of 2025-02-15", "history ACME", "invoice A-1"] {
            #expect(out[c]?.status == 0, "\(c): \(out[c]?.status ?? -1) \(out[c]?.stderr ?? "")")
        }
        #expect(out["export"]?.stdout.contains(#""amount":"3000x00""#) == true)
        #expect(out["audit verify"]?.status == 4)
        #expect(out["audit verify"]?.stdout.contains("first broken at sequence 3") == true, "\(out["audit verify"]?.stdout ?? "")")
    }
}
