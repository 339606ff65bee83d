// swift-tools-version:6.0
// Release-mode benchmark of the XAS chain (not a test). Run through ./run.sh, which also times
// Larch on the same inputs and prints the per-spectrum median ratio.
import PackageDescription

let package = Package(
    name: "XASBench",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "Roentgen", path: "../..")],
    targets: [
        .executableTarget(
            name: "XASBench",
            dependencies: [
                .product(name: "XAS", package: "Roentgen"),
                .product(name: "XrayFormats", package: "Roentgen"),
                .product(name: "XrayCore", package: "Roentgen"),
                .product(name: "XrayNumerics", package: "Roentgen"),
            ]
        ),
    ],
    swiftLanguageModes: [.v5]
)
