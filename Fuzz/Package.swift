// swift-tools-version:6.0
// arlog's fuzz target: a package of its own (like Benchmarks/), so that the engine's package,
// its everyday builds and CI are not affected by libFuzzer flags.
//
// Build and run it with tools/fuzz.sh (see docs/fuzzing.md). By hand:
//
//   swift build --package-path Fuzz -c release -Xswiftc -sanitize=fuzzer \
//       -Xswiftc -parse-as-library -Xswiftc -enable-testing
//   $(swift build --package-path Fuzz -c release --show-bin-path)/arlog-fuzz -dict=Fuzz/arlog.dict CORPUS
//
// `-enable-testing` lets the target use the engine's internal `LineReader`, the very code
// ingest reads files with, rather than a copy of it.
import PackageDescription

let package = Package(
    name: "arlog-fuzz",
    dependencies: [
        .package(name: "arlog", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "arlog-fuzz",
            dependencies: [
                .product(name: "ArlogDomain", package: "arlog"),
                .product(name: "ArlogEngine", package: "arlog"),
                "FuzzEntry",
            ],
            path: "Sources/ArlogFuzz"
        ),
        // `main` for SwiftPM's link of the executable: starts libFuzzer's driver (entry.c).
        .target(name: "FuzzEntry", path: "Sources/FuzzEntry"),
    ]
)
