import Foundation

struct BuiltProductNotFound: Error, CustomStringConvertible {
    let description: String
}

/// The URL of the executable product `name` built alongside these tests.
///
/// SwiftPM puts executables and the test bundle in the same products directory (`<scratch>/debug`,
/// `<scratch>/<triple>/release`, …), whatever `--scratch-path` says, so the search starts from
/// where the test code runs: the test runner executable (Linux: `…/<Package>PackageTests.xctest`),
/// and the loaded `.xctest` bundles (macOS). `ARLOG_PRODUCTS_DIR`, when set, is tried first.
func builtProduct(_ name: String) throws -> URL {
    var directories: [URL] = []
    if let override = ProcessInfo.processInfo.environment["ARLOG_PRODUCTS_DIR"], !override.isEmpty {
        directories.append(URL(fileURLWithPath: override))
    }
    if let runner = ProcessInfo.processInfo.arguments.first {
        let url = URL(fileURLWithPath: runner).resolvingSymlinksInPath()
        directories.append(url.deletingLastPathComponent())
    }
    for bundle in Bundle.allBundles + [Bundle.main] {
        let url = bundle.bundleURL.resolvingSymlinksInPath()
        directories.append(url)
        directories.append(url.deletingLastPathComponent())
    }
    var tried: [String] = []
    for directory in directories {
        let candidate = directory.appendingPathComponent(name)
        if tried.contains(candidate.path) { continue }
        tried.append(candidate.path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
            FileManager.default.isExecutableFile(atPath: candidate.path)
        {
            return candidate
        }
    }
    throw BuiltProductNotFound(
        description: "built product \(name) not found (build it first, e.g. swift build); tried: "
            + tried.joined(separator: ", "))
}
