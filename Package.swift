// swift-tools-version: 6.1
import PackageDescription

/// The run-time search path that lets every binary under `.build/<triple>/<configuration>/` load the
/// librdkafka that `scripts/setup` installs into `.deps/lib` (2.16, which speaks to Tansu), before the
/// system's. `$ORIGIN` resolves to the real folder of the binary, three levels below the package root.
let projectLibrarySearchPath: [LinkerSetting] = [
    .unsafeFlags(["-Xlinker", "-rpath", "-Xlinker", "$ORIGIN/../../../.deps/lib"]),
]

let package = Package(
    name: "windtunnel",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "windtunnel", targets: ["WindtunnelCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // MARK: C libraries
        .systemLibrary(
            name: "CRdkafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        // glibc's malloc.h, for malloc_trim.
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),

        // MARK: Core types and rules (no I/O)
        .target(name: "Contracts"),
        .target(name: "EventModel", dependencies: ["Contracts"]),
        .target(name: "Detector", dependencies: ["Contracts"]),
        .target(name: "GroundTruth", dependencies: ["Contracts"]),

        // MARK: I/O
        .target(name: "ProcessLaunch"),
        .target(name: "Kafka", dependencies: ["CRdkafka"], linkerSettings: projectLibrarySearchPath),
        .target(name: "EmbeddedBroker", dependencies: ["Kafka", "ProcessLaunch"]),
        .target(name: "Manifest", dependencies: ["CZstd", "Contracts", "EventModel"]),
        .target(
            name: "Generator",
            dependencies: [
                "Kafka", "Contracts", "EventModel", "Manifest", "ProcessLaunch",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .target(name: "DetectorService", dependencies: ["Kafka", "Contracts", "Detector", "CMalloc"]),
        .target(name: "Validator", dependencies: ["Kafka", "Contracts", "GroundTruth", "Manifest"]),
        .target(name: "Report", dependencies: ["Contracts", "GroundTruth"]),
        .target(name: "Monitor", dependencies: ["Contracts", "Kafka", .product(name: "Prometheus", package: "swift-prometheus")]),
        .target(
            name: "Harness",
            dependencies: [
                "Contracts", "EmbeddedBroker", "EventModel", "Kafka", "ProcessLaunch", "Validator", "Report", "Monitor",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "Benchmarks",
            dependencies: ["Contracts", "Kafka", "EmbeddedBroker", "EventModel", "Generator", "DetectorService", "Harness", "Report"]
        ),

        // MARK: Command line
        .executableTarget(
            name: "WindtunnelCLI",
            dependencies: [
                "Contracts", "Kafka", "EmbeddedBroker", "EventModel", "Manifest", "Generator",
                "Detector", "DetectorService", "GroundTruth", "Validator", "Report", "Harness", "Monitor", "Benchmarks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: Tests
        .testTarget(name: "ContractsTests", dependencies: ["Contracts"]),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka", "EmbeddedBroker"]),
        .testTarget(name: "EventModelTests", dependencies: ["EventModel", "Contracts"]),
        .testTarget(name: "ManifestTests", dependencies: ["Manifest", "EventModel", "Contracts"]),
        .testTarget(name: "GeneratorTests", dependencies: ["Generator", "EventModel", "Manifest", "Kafka", "EmbeddedBroker", "Contracts"]),
        .testTarget(name: "DetectorTests", dependencies: ["Detector", "Contracts"]),
        .testTarget(
            name: "DetectorServiceTests",
            dependencies: [
                "DetectorService", "Detector", "Kafka", "EmbeddedBroker", "EventModel", "GroundTruth", "Contracts", "Validator",
            ]
        ),
        .testTarget(name: "GroundTruthTests", dependencies: ["GroundTruth", "Contracts"]),
        .testTarget(
            name: "ValidatorTests",
            dependencies: ["Validator", "GroundTruth", "Kafka", "EmbeddedBroker", "Manifest", "EventModel", "Contracts", "Report"]
        ),
        .testTarget(name: "ReportTests", dependencies: ["Report", "GroundTruth", "Contracts"]),
        .testTarget(name: "HarnessTests", dependencies: ["Harness", "EmbeddedBroker"]),
        .testTarget(name: "MonitorTests", dependencies: ["Monitor", "Kafka", "EmbeddedBroker", "Contracts"]),
        .testTarget(name: "BenchmarksTests", dependencies: ["Benchmarks"]),
    ],
    swiftLanguageModes: [.v6]
)
