import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Runs `arlog` with its standard output going somewhere a write can fail: /dev/full, a pipe
/// nobody reads, a file opened for appending. Reports how the process ended (an exit status or
/// a signal), and kills it if it runs longer than `timeoutSeconds` (a test must not hang).
enum OutputSink {
    /// `open(path, flags)`: /dev/full (O_WRONLY, or O_WRONLY | O_APPEND for `>>`).
    case file(String, Int32)
    /// A pipe whose read end is closed before arlog starts: every write is EPIPE.
    case closedPipe

    struct Ended {
        let exited: Bool
        let status: Int32
        let stderr: String
        var signalled: Bool { !exited }
    }

    /// Long enough for a debug build on a loaded 2-core machine; a hung run is killed.
    static let timeoutSeconds = 60.0

    func run(_ arguments: [String], in directory: URL) throws -> Ended {
        let process = Process()
        process.executableURL = try builtProduct("arlog")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "ARLOG_STORE")
        process.environment = env
        let errURL = directory.appendingPathComponent("err-\(UUID().uuidString)")
        try Data().write(to: errURL)
        defer { try? FileManager.default.removeItem(at: errURL) }
        let err = try FileHandle(forWritingTo: errURL)
        defer { try? err.close() }
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        var keepOpen: FileHandle?
        switch self {
        case .file(let path, let flags):
            let fd = open(path, flags)
            try #require(fd >= 0, "cannot open \(path)")
            let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
            keepOpen = handle
            process.standardOutput = handle
        case .closedPipe:
            let pipe = Pipe()
            try pipe.fileHandleForReading.close()
            process.standardOutput = pipe.fileHandleForWriting
            keepOpen = pipe.fileHandleForWriting
        }
        try process.run()
        try keepOpen?.close()
        let deadline = Date().addingTimeInterval(Self.timeoutSeconds)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            Issue.record("arlog \(arguments) did not end within \(Self.timeoutSeconds) s")
        }
        process.waitUntilExit()
        return Ended(
            exited: process.terminationReason == .exit, status: process.terminationStatus,
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }
}

/// Small feeds written inline (the tests do not depend on ../shared).
enum InlineFeeds {
    /// Two customers with invoices, a payment, a dunning action and a note; enough for every
    /// query command to have something to print.
    static let basic = """
        {"id":"a1","type":"customer.registered","at":"2025-01-02T09:00:00Z","customer":"ACME","name":"Acme Trading","currency":"EUR","terms_days":30,"credit_limit":"20000.00"}
        {"id":"a2","type":"invoice.issued","at":"2025-01-05T10:00:00Z","customer":"ACME","invoice":"INV-1","amount":"9000.00","issued_on":"2025-01-05"}
        {"id":"a3","type":"payment.received","at":"2025-02-10T08:00:00Z","customer":"ACME","payment":"PAY-1","amount":"3000.00","received_on":"2025-02-10","note":"first part"}
        {"id":"b1","type":"customer.registered","at":"2025-01-02T09:00:00Z","customer":"BOLT","name":"Bolt GmbH","currency":"EUR","terms_days":14,"credit_limit":"5000.00"}
        {"id":"b2","type":"invoice.issued","at":"2025-01-03T09:00:00Z","customer":"BOLT","invoice":"B-1","amount":"6000.00","issued_on":"2025-01-03"}
        {"id":"b3","type":"dunning.action","at":"2025-03-05T09:00:00Z","customer":"BOLT","level":2,"channel":"letter","actor":"collector-7"}

        """

    /// A store holding `basic`.
    static func store() throws -> CLIRun {
        let t = try CLIRun()
        let r = try t.arlog(["ingest", try t.file("basic.ndjson", basic)])
        #expect(r.status == 0, "\(r.stderr)")
        return t
    }
}
