// swift-tools-version:6.1
// Roentgen: find, fetch, read and analyse open experimental X-ray data.
// The module boundaries follow ../shared/docs/architecture.md; data flows one way:
// Catalog → Fetch → XrayFormats → XAS / Diffraction → report (the `roentgen` CLI).
import PackageDescription

let package = Package(
    name: "Roentgen",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "roentgen", targets: ["roentgen"]),
        .library(name: "XrayNumerics", targets: ["XrayNumerics"]),
        .library(name: "XrayCore", targets: ["XrayCore"]),
        .library(name: "XrayFormats", targets: ["XrayFormats"]),
        .library(name: "XAS", targets: ["XAS"]),
        .library(name: "Diffraction", targets: ["Diffraction"]),
        .library(name: "Catalog", targets: ["Catalog"]),
        .library(name: "Refinement", targets: ["Refinement"]),
        .library(name: "Batch", targets: ["Batch"]),
        .library(name: "Integration", targets: ["Integration"]),
        .library(name: "RoentgenOperations", targets: ["RoentgenOperations"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
    ],
    targets: [
        // Numerical building blocks with no X-ray vocabulary: splines, FFT, least squares.
        .target(name: "XrayNumerics"),
        // The one fitting engine every fit uses: named parameters, expressions, restraints, steps,
        // Levenberg–Marquardt with bounds, esds and correlations. No X-ray words in it.
        .target(name: "Refinement", dependencies: ["XrayNumerics"],
                swiftSettings: [.swiftLanguageMode(.v6)]),
        // SHA-256 block compression on the x86 SHA extensions (a stub elsewhere); used by XrayCore's SHA256.
        .target(name: "CRoentgenSHA"),
        // libcurl's easy interface loaded with dlopen (no headers, no -lcurl); the fast path of Catalog's downloads.
        .target(name: "CRoentgenCurl"),
        // AVX2/FMA inner loops chosen at run time (feffit's partial-DFT products and path sums); callers keep a Swift fallback.
        .target(name: "CRoentgenKernels"),
        // Value types shared by every module: spectra, patterns, metadata, provenance, errors, element tables.
        .target(
            name: "XrayCore",
            dependencies: [
                "XrayNumerics", "CRoentgenSHA",
                .product(name: "OrderedCollections", package: "swift-collections"),
            ]
        ),
        // One reader (and writer) per file format, plus content sniffing.
        .target(
            name: "XrayFormats",
            dependencies: [
                "XrayCore",
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // X-ray absorption analysis: E0, normalisation, AUTOBK, Fourier transforms, LCF.
        .target(name: "XAS", dependencies: ["XrayCore", "XrayNumerics", "Refinement", "CRoentgenKernels"]),
        // Diffraction analysis: simulation from CIF, peaks, phase identification, PDF.
        // Azimuthal integration of detector images (pyFAI's geometry, binning and corrections).
        .target(name: "Integration", dependencies: ["XrayCore", "XrayNumerics", "Refinement", "CRoentgenKernels"],
                swiftSettings: [.swiftLanguageMode(.v6)]),
        .target(name: "Diffraction", dependencies: ["XrayCore", "XrayNumerics", "Refinement"],
                // Optimised in debug builds too: the Rietveld tests refine real patterns (millions of profile points).
                swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        // The curated source registry, its SQLite FTS5 index, portal connectors, the download cache.
        .target(
            name: "Catalog",
            dependencies: [
                "XrayCore", "CRoentgenCurl",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            plugins: ["EmbedCatalog"]
        ),
        // Whole collections: plans, deterministic shards (flag, Slurm array, Kubernetes index), resumable
        // per-shard result stores and their merge, Slurm scripts, the ML dataset export.
        .target(
            name: "Batch",
            dependencies: [
                "XrayCore", "XrayNumerics", "XrayFormats", "XAS", "Diffraction", "Catalog",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Build tool that compiles catalog/*.yaml into the Catalog module.
        .executableTarget(name: "embed-catalog"),
        .plugin(name: "EmbedCatalog", capability: .buildTool(), dependencies: ["embed-catalog"]),
        // The work behind the CLI's verbs and the server's API, each giving the verb's `--json` document.
        .target(name: "RoentgenOperations", dependencies: ["XrayCore", "XrayNumerics", "XrayFormats", "XAS", "Diffraction", "Catalog",
                                                           "Refinement", "Integration", .product(name: "Yams", package: "Yams"),
                                                           .product(name: "OrderedCollections", package: "swift-collections")],
                swiftSettings: [.swiftLanguageMode(.v6)]),
        // `roentgen serve`: the JSON API and the browser app (HTML/CSS/JS embedded in the binary), on Hummingbird 2.
        .target(name: "RoentgenServer", dependencies: ["RoentgenOperations", "XrayCore", "XrayFormats", "XAS", "Diffraction", "Catalog", "Integration",
                                                       .product(name: "Hummingbird", package: "hummingbird")],
                swiftSettings: [.swiftLanguageMode(.v6)]),
        // The command-line tool: argument parsing and printing only.
        .executableTarget(
            name: "roentgen",
            dependencies: [
                "XrayCore", "XrayNumerics", "XrayFormats", "XAS", "Diffraction", "Catalog", "Refinement", "Batch", "RoentgenOperations", "RoentgenServer", "Integration",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ]
        ),
        // Test helpers: locating ../shared/data, running the built CLI.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // Test targets: one per module (add yours here, one line each).
        .testTarget(name: "XrayCoreTests", dependencies: ["XrayCore", "TestSupport"]),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog", "XrayCore", "TestSupport"]),
        .testTarget(name: "XrayFormatsAbsorptionTests", dependencies: ["XrayFormats", "XrayCore", "XAS", "TestSupport"]),
        .testTarget(name: "XrayFormatsDiffractionTests", dependencies: ["XrayFormats", "XrayCore", "TestSupport",
                                                                  .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        .testTarget(name: "DiffractionTests", dependencies: ["Diffraction", "XrayFormats", "XrayCore", "Refinement", "TestSupport"]),
        .testTarget(name: "RietveldTests", dependencies: ["Diffraction", "Refinement", "XrayFormats", "XrayCore", "TestSupport"],
                    swiftSettings: [.swiftLanguageMode(.v6)]),
        .testTarget(name: "ConnectorTests", dependencies: ["Catalog", "XrayCore", "TestSupport"]),
        .testTarget(name: "XrayNumericsTests", dependencies: ["XrayNumerics"]),
        .testTarget(name: "RefinementTests", dependencies: ["Refinement"],
                    swiftSettings: [.swiftLanguageMode(.v6)]),
        .testTarget(name: "BatchTests", dependencies: ["Batch", "XrayFormats", "XrayCore", "TestSupport"],
                    swiftSettings: [.swiftLanguageMode(.v6)]),
        .testTarget(name: "RoentgenServerTests", dependencies: ["RoentgenServer", "RoentgenOperations", "XrayCore", "XrayFormats", "TestSupport",
                                                         .product(name: "OrderedCollections", package: "swift-collections")],
                    exclude: ["Browser"], swiftSettings: [.swiftLanguageMode(.v6)]),
        .testTarget(name: "XASTests", dependencies: ["XAS", "XrayCore", "XrayNumerics", "TestSupport"]),
        .testTarget(name: "FeffitTests", dependencies: ["XAS", "XrayFormats", "XrayCore", "XrayNumerics", "Refinement", "TestSupport"],
                    swiftSettings: [.swiftLanguageMode(.v6)]),
        .testTarget(name: "IntegrationTests", dependencies: ["Integration", "Refinement", "XrayFormats", "XrayCore", "TestSupport"],
                    swiftSettings: [.swiftLanguageMode(.v6)]),
        .testTarget(name: "XrayFormatsImageTests", dependencies: ["XrayFormats", "XrayCore", "TestSupport"],
                    swiftSettings: [.swiftLanguageMode(.v6)]),
        .testTarget(name: "MatchingTests", dependencies: ["XAS", "Diffraction", "XrayFormats", "XrayCore", "TestSupport"],
                    swiftSettings: [.swiftLanguageMode(.v6)]),
    ],
    swiftLanguageModes: [.v5]
)
