import Foundation
import Testing
import ArlogTestSupport

/// Runs the built `arlog` executable as a subprocess, against a store in a fresh temporary
/// directory that is removed when the value goes away.
final class CLIRun {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String

        var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
    }

    let directory: URL
    var store: String { directory.appendingPathComponent("store").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("arlog-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// `arlog ARGUMENTS --store STORE` (unless `withStore` is false).
    func arlog(_ arguments: [String], withStore: Bool = true, stdin: String? = nil, environment: [String: String] = [:]) throws -> Result {
        try CLIRun.run(arguments + (withStore ? ["--store", store] : []), in: directory, stdin: stdin, environment: environment)
    }

    /// A file in the temporary directory.
    func file(_ name: String, _ text: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    static func run(_ arguments: [String], in directory: URL, stdin: String? = nil, environment: [String: String] = [:]) throws -> Result {
        try runProduct("arlog", arguments, in: directory, stdin: stdin, environment: environment)
    }

    /// Runs a built executable with stdout and stderr going to files (no pipe can fill up and
    /// block it).
    static func runProduct(_ product: String, _ arguments: [String], in directory: URL, stdin: String? = nil, environment: [String: String] = [:]) throws -> Result {
        try runExecutable(try builtProduct(product), arguments, in: directory, stdin: stdin, environment: environment)
    }

    /// Runs a shell script (`/bin/sh`, the script on its standard input).
    static func shell(_ script: String, in directory: URL) throws -> Result {
        try runExecutable(URL(fileURLWithPath: "/bin/sh"), [], in: directory, stdin: script)
    }

    static func runExecutable(_ executable: URL, _ arguments: [String], in directory: URL, stdin: String? = nil, environment: [String: String] = [:]) throws -> Result {
        let id = UUID().uuidString
        let outURL = directory.appendingPathComponent("out-\(id)")
        let errURL = directory.appendingPathComponent("err-\(id)")
        let inURL = directory.appendingPathComponent("in-\(id)")
        try Data().write(to: outURL)
        try Data().write(to: errURL)
        try Data((stdin ?? "").utf8).write(to: inURL)
        defer {
            for url in [outURL, errURL, inURL] { try? FileManager.default.removeItem(at: url) }
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "ARLOG_STORE")
        env.merge(environment) { _, new in new }
        process.environment = env
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        let input = try FileHandle(forReadingFrom: inURL)
        defer {
            try? out.close()
            try? err.close()
            try? input.close()
        }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }
}

enum CLIFixtures {
    /// The contract's worked examples, copied into the repository (Tests/Fixtures/README.md).
    static var examples: URL {
        var dir = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { dir.deleteLastPathComponent() }
        return dir.appendingPathComponent("Tests/Fixtures/spec-examples")
    }

    static let names = ["01-installments-fifo", "02-reversal-dunning", "03-currencies-asof"]
    /// The examples whose answers this branch gives (v1 and v1.1's pages; not v1.2's 04).
    static let answered = names + ["05-disputes-promises"]

    /// `got` and `want` as canonical texts, compared as `SpecLevels` says.
    static func canonicalPair(_ got: Any, _ want: Any) throws -> (String, String) {
        let (g, w) = SpecLevels.comparable(got, want)
        return (try canonical(g), try canonical(w))
    }

    static func feed(_ name: String) -> String { examples.appendingPathComponent("\(name).ndjson").path }

    static func expected(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: examples.appendingPathComponent("\(name).expected.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func lines(_ name: String) throws -> [String] {
        try String(contentsOfFile: feed(name), encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// Canonical JSON text (sorted keys): equal values, equal text; `false` differs from `0`.
    static func canonical(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
    }

    static func parse(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    /// The summary line that ends every ingest run.
    static let summaryPattern = #"^accepted (\d+), duplicates (\d+), rejected (\d+), lines (\d+) in \d+\.\d\ds \(\d+ events/s\)$"#

    /// (accepted, duplicates, rejected, lines) of a summary line, nil when it is not one.
    static func summary(_ line: String) -> [Int]? {
        guard let regex = try? NSRegularExpression(pattern: summaryPattern),
            let m = regex.firstMatch(in: line, range: NSRange(line.startIndex..., in: line))
        else { return nil }
        return (1...4).map { Int((line as NSString).substring(with: m.range(at: $0)))! }
    }
}
