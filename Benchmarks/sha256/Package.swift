// swift-tools-version:6.0
// Release-mode benchmark of XrayCore's SHA256 (not a test): SHA-NI vs the Swift compression.
// Run through ./run.sh, which also times coreutils sha256sum and `openssl speed` on this machine.
import PackageDescription

let package = Package(
    name: "SHA256Bench",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "Roentgen", path: "../..")],
    targets: [
        .executableTarget(name: "SHA256Bench", dependencies: [.product(name: "XrayCore", package: "Roentgen")]),
    ],
    swiftLanguageModes: [.v5]
)
