// swift-tools-version:6.0
// Release-mode benchmark of reference matching (not a test): XRD identification against a
// 500,000-reference library and XANES matching against a 10,000-spectrum library. Run ./run.sh.
import PackageDescription

let package = Package(
    name: "MatchingBench",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "Roentgen", path: "../..")],
    targets: [
        .executableTarget(
            name: "MatchingBench",
            dependencies: [
                .product(name: "Diffraction", package: "Roentgen"),
                .product(name: "XAS", package: "Roentgen"),
                .product(name: "XrayFormats", package: "Roentgen"),
                .product(name: "XrayCore", package: "Roentgen"),
            ]
        ),
    ],
    swiftLanguageModes: [.v5]
)
