import ArlogEngine
import Foundation

/// A store in a fresh temporary directory, removed when the test is done: the render tests
/// render what a real store answers. (The part of ArlogEngineTests' `TempStore` they need.)
final class TempStore {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("arlog-render-test-\(UUID().uuidString)").path
    let store: Store

    init() throws {
        var options = Store.Options()
        options.durable = false
        options.mapSizeBytes = 16 << 20
        store = try Store(directory: directory, create: true, options: options)
    }

    /// Ingests NDJSON text through a temporary file; returns the summary and rejected lines.
    @discardableResult
    func ingest(_ text: String) throws -> (IngestSummary, [RejectedLine]) {
        let path = directory + "-feed.ndjson"
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try ingest(file: path)
    }

    @discardableResult
    func ingest(file: String) throws -> (IngestSummary, [RejectedLine]) {
        var rejected: [RejectedLine] = []
        let summary = try store.ingest(path: file, options: IngestOptions()) { rejected.append($0) }
        return (summary, rejected)
    }

    deinit {
        store.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

enum Fixtures {
    /// The contract's worked examples, copied into the repository (Tests/Fixtures/README.md).
    static var examplesDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/spec-examples")
    }
}
