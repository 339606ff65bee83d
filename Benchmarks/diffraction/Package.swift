// swift-tools-version:6.0
// Release-mode benchmark of the Diffraction module (not a test). Run through ./run.sh,
// which also times pymatgen and a numpy cosine search on the same inputs.
import PackageDescription

let package = Package(
    name: "DiffractionBench",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "Roentgen", path: "../..")],
    targets: [
        .executableTarget(
            name: "DiffractionBench",
            dependencies: [
                .product(name: "Diffraction", package: "Roentgen"),
                .product(name: "XrayFormats", package: "Roentgen"),
                .product(name: "XrayCore", package: "Roentgen"),
            ]
        ),
    ],
    swiftLanguageModes: [.v5]
)
