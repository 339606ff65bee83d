// swift-tools-version:6.0
// Release-mode timing of the diffraction readers (issue 3): reads every file N times.
// Run ./run.sh, which also times xylib and xrdpattern on the same files and prints the ratios.
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder (`main`, a worktree name …): look it up.
let rootFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "FormatsXRDBenchmark",
    platforms: [.macOS(.v13)],
    dependencies: [.package(path: "../..")],
    targets: [
        .executableTarget(
            name: "formats-xrd-bench",
            dependencies: [.product(name: "XrayFormats", package: rootFolder)],
            path: "Sources"
        ),
    ],
    swiftLanguageModes: [.v5]
)
