import Foundation
import Testing

/// The repository carries the feed contract's pages (docs/spec/) and worked examples
/// (Tests/Fixtures/spec-examples/) so that it stands alone. These tests check that the copies
/// are there, and, where the upstream contract exists beside the checkout (../shared/spec),
/// that they are byte for byte the same as it: a contract change upstream fails here until the
/// copies are refreshed (`cp ../shared/spec/events-v1*.md docs/spec/` and
/// `cp ../shared/spec/examples/* Tests/Fixtures/spec-examples/`).
struct SpecCopyTests {
    static let root = SpecFixtures.repositoryRoot
    static let docsSpec = root.appendingPathComponent("docs/spec")
    static let examples = SpecFixtures.examplesDirectory
    static let upstream = SpecFixtures.upstreamSpecDirectory
    static var upstreamPresent: Bool {
        FileManager.default.fileExists(atPath: upstream.appendingPathComponent("events-v1.md").path)
    }

    static func files(_ dir: URL, _ keep: (String) -> Bool = { _ in true }) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).filter(keep).sorted()
    }

    static func isContractPage(_ name: String) -> Bool { name.hasPrefix("events-v1") && name.hasSuffix(".md") }

    /// Runs everywhere: what the tests and users need is inside the repository.
    @Test func copiesAreInTheRepository() throws {
        #expect(try Self.files(Self.docsSpec, Self.isContractPage) == [
            "events-v1.1-collections.md", "events-v1.2-cash-application.md", "events-v1.3-credit-data.md", "events-v1.md",
        ])
        let examples = try Self.files(Self.examples)
        for name in SpecExampleTests.examples {
            #expect(examples.contains("\(name).ndjson") && examples.contains("\(name).expected.json"), "\(name)")
        }
        #expect(examples.contains("README.md"))
    }

    @Test(.enabled(if: upstreamPresent, "../shared/spec is not beside this checkout"))
    func contractPagesMatchUpstream() throws {
        let theirs = try Self.files(Self.upstream, Self.isContractPage)
        #expect(try Self.files(Self.docsSpec, Self.isContractPage) == theirs, "the same pages")
        for name in theirs {
            let ours = try? Data(contentsOf: Self.docsSpec.appendingPathComponent(name))
            #expect(ours == (try Data(contentsOf: Self.upstream.appendingPathComponent(name))), "docs/spec/\(name) differs from ../shared/spec/\(name)")
        }
    }

    @Test(.enabled(if: upstreamPresent, "../shared/spec is not beside this checkout"))
    func workedExamplesMatchUpstream() throws {
        let dir = Self.upstream.appendingPathComponent("examples")
        let theirs = try Self.files(dir)
        #expect(try Self.files(Self.examples) == theirs, "the same files")
        for name in theirs {
            let ours = try? Data(contentsOf: Self.examples.appendingPathComponent(name))
            #expect(ours == (try Data(contentsOf: dir.appendingPathComponent(name))), "Tests/Fixtures/spec-examples/\(name) differs from ../shared/spec/examples/\(name)")
        }
    }
}
