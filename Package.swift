// swift-tools-version:6.0
// arlog: an event-sourced accounts-receivable engine.
//
// Layers, each its own target (see docs/architecture.md):
//   CLMDB        system library: Debian's liblmdb-dev, nothing else.
//   ArlogDomain  pure: events, money, dates, the feed parser, the folds. No I/O, no C.
//   ArlogStorage the only importer of CLMDB: environments, transactions, typed errors.
//   ArlogEngine  wires the log and the projectors together: ingest, queries, rebuild.
//   ArlogRender  presentation of the engine's results: table, JSON, CSV (the CLI and a future
//                server share it; the engine never imports it).
//   arlog        the command-line shell: parse arguments, call the engine, print through ArlogRender.
//   ArlogFeedGen the seeded feed generator (arlog-feedgen, tests and benchmarks use it).
import PackageDescription

let package = Package(
    name: "arlog",
    products: [
        .executable(name: "arlog", targets: ["arlog"]),
        .executable(name: "arlog-feedgen", targets: ["arlog-feedgen"]),
        .library(name: "ArlogEngine", targets: ["ArlogEngine"]),
        .library(name: "ArlogRender", targets: ["ArlogRender"]),
        .library(name: "ArlogDomain", targets: ["ArlogDomain"]),
        .library(name: "ArlogFeedGen", targets: ["ArlogFeedGen"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // SHA-256 for the tamper-evident chain of the log (docs/audit.md).
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // Dunning letters: one Mustache template per level and channel (docs/collections.md).
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // Customer files in and out (`arlog customers import|export`): RFC 4180 CSV, BOM, line breaks in fields.
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
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
            dependencies: [
                "ArlogDomain", "ArlogStorage", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CSV", package: "CSV.swift"),
            ]
        ),
        .target(
            name: "ArlogRender",
            dependencies: ["ArlogDomain", "ArlogEngine", .product(name: "Mustache", package: "swift-mustache")]
        ),
        .executableTarget(
            name: "arlog",
            dependencies: [
                "ArlogEngine",
                "ArlogRender",
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
        // Developer tool: writes a sample of every chart to /tmp (docs/charts.md); not a product.
        .executableTarget(name: "arlog-chart-samples", dependencies: ["ArlogDomain", "ArlogRender"]),
        // What the test targets share (the contract's examples compared by spec level).
        .target(name: "ArlogTestSupport", path: "Tests/ArlogTestSupport"),
        .testTarget(name: "ArlogDomainTests", dependencies: ["ArlogDomain", "ArlogFeedGen", "ArlogTestSupport"]),
        .testTarget(name: "ArlogStorageTests", dependencies: ["ArlogStorage"]),
        // ArlogRender here only to compare query answers as their JSON text (CorruptionTests, KnownAtTests, ...).
        .testTarget(name: "ArlogEngineTests", dependencies: ["ArlogEngine", "ArlogDomain", "ArlogFeedGen", "ArlogRender", "ArlogTestSupport"]),
        // The output formats, checked without a process (on stores the engine builds).
        .testTarget(name: "ArlogRenderTests", dependencies: ["ArlogRender", "ArlogEngine", "ArlogDomain", "ArlogTestSupport"]),
        .testTarget(name: "ArlogCLITests", dependencies: ["ArlogDomain", "ArlogTestSupport"]),
        // The fast decoder against the slow path (JSONParser + EventDecoder), on generated feeds.
        .testTarget(name: "ArlogParseTests", dependencies: ["ArlogDomain", "ArlogFeedGen"]),
    ]
)
