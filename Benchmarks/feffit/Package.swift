// swift-tools-version:6.0
// Release-mode benchmark of feffit (not a test). Run through ./run.sh, which also times Larch's
// feffit on the same cases in the same run (interleaved rounds) and prints the median ratios.
import PackageDescription

let package = Package(
    name: "FeffitBench",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "Roentgen", path: "../..")],
    targets: [
        .executableTarget(
            name: "FeffitBench",
            dependencies: [
                .product(name: "XAS", package: "Roentgen"),
                .product(name: "RoentgenOperations", package: "Roentgen"),
                .product(name: "XrayFormats", package: "Roentgen"),
                .product(name: "XrayCore", package: "Roentgen"),
            ]
        ),
    ],
    swiftLanguageModes: [.v5]
)
