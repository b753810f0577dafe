// swift-tools-version:6.0
// arlog: an event-sourced accounts-receivable engine.
//
// Layers, each its own target (see docs/architecture.md):
//   CLMDB        system library: Debian's liblmdb-dev, nothing else.
//   ArlogDomain  pure: events, money, dates, the feed parser, the folds. No I/O, no C.
//   ArlogStorage the only importer of CLMDB: environments, transactions, typed errors.
//   ArlogEngine  wires the log and the projectors together: ingest, queries, rebuild.
//   arlog        the command-line shell: parse arguments, call the engine, format.
//   ArlogFeedGen the seeded feed generator (arlog-feedgen, tests and benchmarks use it).
import PackageDescription

let package = Package(
    name: "arlog",
    products: [
        .executable(name: "arlog", targets: ["arlog"]),
        .executable(name: "arlog-feedgen", targets: ["arlog-feedgen"]),
        .library(name: "ArlogEngine", targets: ["ArlogEngine"]),
        .library(name: "ArlogDomain", targets: ["ArlogDomain"]),
        .library(name: "ArlogFeedGen", targets: ["ArlogFeedGen"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // SHA-256 for the tamper-evident chain of the log (docs/audit.md).
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(
            name: "CLMDB",
            pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"])]
        ),
        .target(name: "ArlogDomain"),
        .target(name: "ArlogStorage", dependencies: ["CLMDB"]),
        .target(
            name: "ArlogEngine",
            dependencies: ["ArlogDomain", "ArlogStorage", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .executableTarget(
            name: "arlog",
            dependencies: [
                "ArlogEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "ArlogFeedGen", dependencies: ["ArlogDomain"]),
        .executableTarget(
            name: "arlog-feedgen",
            dependencies: [
                "ArlogDomain",
                "ArlogFeedGen",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "ArlogDomainTests", dependencies: ["ArlogDomain", "ArlogFeedGen"]),
        .testTarget(name: "ArlogStorageTests", dependencies: ["ArlogStorage"]),
        .testTarget(name: "ArlogEngineTests", dependencies: ["ArlogEngine", "ArlogDomain", "ArlogFeedGen"]),
        .testTarget(name: "ArlogCLITests", dependencies: ["ArlogDomain"]),
        // The fast decoder against the slow path (JSONParser + EventDecoder), on generated feeds.
        .testTarget(name: "ArlogParseTests", dependencies: ["ArlogDomain", "ArlogFeedGen"]),
    ]
)
