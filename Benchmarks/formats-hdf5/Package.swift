// swift-tools-version:6.0
// Release-mode timing of the HDF5 / NeXus reader: reads each fixture file N times.
// Run ./run.sh, which also times h5py on the same files and prints the ratios.
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder (`main`, a worktree name …): look it up.
let rootFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "FormatsHDF5Benchmark",
    platforms: [.macOS(.v13)],
    dependencies: [.package(path: "../..")],
    targets: [
        .executableTarget(
            name: "formats-hdf5-bench",
            dependencies: [.product(name: "XrayFormats", package: rootFolder)],
            path: "Sources"
        ),
    ],
    swiftLanguageModes: [.v5]
)
