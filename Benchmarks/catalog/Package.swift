// swift-tools-version:6.0
// Roentgen benchmarks: release-mode harnesses, kept out of the main package so CI's test build
// stays lean. Run from this folder: `swift run -c release <harness>`. See README.md.
import PackageDescription

let package = Package(
    name: "RoentgenBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "Roentgen", path: "../.."),
    ],
    targets: [
        .executableTarget(name: "catalog-bench", dependencies: [.product(name: "Catalog", package: "Roentgen")]),
    ],
    swiftLanguageModes: [.v5]
)
