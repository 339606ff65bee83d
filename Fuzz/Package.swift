// swift-tools-version:6.0
// libFuzzer target for the diffraction readers (not part of the main package's tests).
// Build and run with ./run.sh (swift build -Xswiftc -sanitize=fuzzer).
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder (`main`, a worktree name …): look it up.
let rootFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "RoentgenFuzz",
    platforms: [.macOS(.v13)],
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(
            name: "fuzz-xrd",
            dependencies: [.product(name: "XrayFormats", package: rootFolder)],
            path: "Sources/fuzz-xrd"
        ),
    ],
    swiftLanguageModes: [.v5]
)
