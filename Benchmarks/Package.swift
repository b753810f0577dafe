// swift-tools-version:6.1
// arlog's benchmarks: a package of their own, so that the engine's package does not depend on
// ordo-one/benchmark (nor build its plugins) for everyday builds and tests.
//
//   cd Benchmarks && swift package --disable-sandbox benchmark
//
// See README.md beside this file for what is measured and the knobs.
import PackageDescription

let package = Package(
    name: "arlog-benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "arlog", path: ".."),
        // The trait list replaces the package's default traits: it keeps the malloc interposer
        // (malloc counts) and leaves out the Linux runtime interposer, a dependency that is
        // only fetched when its trait is on.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "ArlogBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ArlogEngine", package: "arlog"),
                .product(name: "ArlogDomain", package: "arlog"),
                .product(name: "ArlogFeedGen", package: "arlog"),
            ],
            path: "Benchmarks/ArlogBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
    ]
)
