import ArlogStorage
import Foundation

/// A fresh directory under the system temp dir, removed when the test is done.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("arlog-storage-tests-\(UUID().uuidString)", isDirectory: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url.path)
}

/// Exit tests crash their child process on purpose, so `withTemporaryDirectory`'s cleanup never
/// runs there: remove the directory just before the crash (an open LMDB environment keeps working
/// on unlinked files).
func removeBeforeCrash(_ dir: String) throws {
    try FileManager.default.removeItem(atPath: dir)
}

/// Tests never need fsync; it only slows them down.
func testOptions(
    mapSizeBytes: Int = EnvironmentOptions.mapSizeBytesDefault,
    mapSizeBytesMax: Int = EnvironmentOptions.mapSizeBytesMaxDefault,
    readOnly: Bool = false
) -> EnvironmentOptions {
    EnvironmentOptions(mapSizeBytes: mapSizeBytes, mapSizeBytesMax: mapSizeBytesMax, durable: false, readOnly: readOnly)
}

func bytes(_ string: String) -> [UInt8] { Array(string.utf8) }

func string(_ buffer: UnsafeRawBufferPointer) -> String { String(decoding: buffer, as: UTF8.self) }

/// A value whose bytes identify its key, so tests can check every value survived intact.
func payload(_ index: Int, sizeBytes: Int) -> [UInt8] {
    (0..<sizeBytes).map { UInt8(truncatingIfNeeded: index &* 31 &+ $0) }
}

struct TestFailure: Error, Equatable {
    let tag: String
}
