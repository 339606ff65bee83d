// swift-tools-version:6.0
// Release-mode timing of the absorption readers (not a test). Run ./run.sh.
import PackageDescription

let package = Package(
    name: "XASFormatsBench",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "Roentgen", path: "../..")],
    targets: [
        .executableTarget(name: "XASFormatsBench", dependencies: [.product(name: "XrayFormats", package: "Roentgen")]),
    ],
    swiftLanguageModes: [.v5]
)
