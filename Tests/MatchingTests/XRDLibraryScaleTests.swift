import Diffraction
import Foundation
import Testing
import TestSupport
import XrayCore
import XrayFormats

/// `xrd library` in shards, sources per entry, and the fingerprint pre-selection used for large libraries.
@Suite("xrd library at scale")
struct XRDLibraryScaleTests {
    static let present = SharedData.url("xrd/cif/xrd_autoanalyzer_refs/MnO_225.cif") != nil
    static var cif: String { SharedData.root.appendingPathComponent("xrd/cif").path }

    @Test(.enabled(if: present, "../shared/data/xrd/cif is absent"))
    func shardsMergeIntoTheUnshardedLibrary() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-shards-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let whole = try await RoentgenCLI.run(["xrd", "library", Self.cif, "-o", "\(dir)/all.rxl", "--json"])
        #expect(whole.status == 0, "\(whole.stderr)")
        var shardCounts: [Int] = []
        for i in 1...3 {
            let run = try await RoentgenCLI.run(["xrd", "library", Self.cif, "--shard", "\(i)/3", "-o", "\(dir)/s\(i).rxl", "--json"])
            #expect(run.status == 0, "\(run.stderr)")
            shardCounts.append((try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])?["references"] as? Int ?? -1)
        }
        let merge = try await RoentgenCLI.run(["xrd", "library", "\(dir)/s1.rxl", "\(dir)/s2.rxl", "\(dir)/s3.rxl", "-o", "\(dir)/merged.rxl"])
        #expect(merge.status == 0, "\(merge.stderr)")
        let all = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/all.rxl"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/merged.rxl")) == all)
        let library = try ReferenceLibrary(serialized: all, file: "all.rxl")
        #expect(shardCounts.reduce(0, +) == library.count && shardCounts.allSatisfy { $0 > 0 })
        // The COD CIF keeps its COD id; the others say nothing.
        let lab6 = try #require((0..<library.count).first { library.names[$0].hasSuffix("COD2104736_LaB6_via_MAUD_tutorial.cif") })
        #expect(library.sources[lab6] == "COD 2104736")
        let bad = try await RoentgenCLI.run(["xrd", "library", Self.cif, "--shard", "4/3", "-o", "\(dir)/x.rxl"])
        #expect(bad.status != 0 && bad.stderr.contains("--shard"))
        // A shard count whose block arithmetic overflowed Int (a trap before) is refused.
        let huge = try await RoentgenCLI.run(["xrd", "library", Self.cif, "--shard", "9223372036854775807/9223372036854775807", "-o", "\(dir)/y.rxl"])
        #expect(huge.status == 1 && huge.stderr.contains("at most 1000000 shards"), "\(huge.status) \(huge.stderr)")
    }

    /// The measured three-phase mixture of XRD-AutoAnalyzer: with the two-stage screen forced on
    /// (fingerprints of every reference, full lines for only the best 10), the phases found are
    /// those of the full screen.
    @Test(.enabled(if: present, "../shared/data/xrd/cif is absent"))
    func fingerprintPreselectionFindsTheSamePhases() throws {
        var library = ReferenceLibrary()
        for folder in ["xrd_autoanalyzer_refs", "common"] {
            for name in try FileManager.default.contentsOfDirectory(atPath: "\(Self.cif)/\(folder)").filter({ $0.hasSuffix(".cif") }).sorted() {
                try library.append(name: name, structure: try CIF.readStructure(url: URL(fileURLWithPath: "\(Self.cif)/\(folder)/\(name)")))
            }
        }
        // Through the file format as a mapped library would be.
        library = try ReferenceLibrary(serialized: library.serialized(), file: "lib.rxl")
        let url = try #require(SharedData.url("xrd/text/xrd_autoanalyzer/Li2MnO3+MnO+TiO2.xy"))
        let pattern = try #require(try FormatRegistry.read(url).scans.first?.diffractionPattern)
        let full = try PhaseIdentifier.identify(pattern, library: library)
        var options = IdentificationOptions()
        options.fullScreenLimit = 0
        options.preselectCount = 10
        let indexed = try PhaseIdentifier.identify(pattern, library: library, options: options)
        #expect(Set(full.phases.map(\.name)) == ["MnO_225.cif", "Li2MnO3_12.cif", "TiO2_141.cif"], "\(full.phases.map(\.name))")
        #expect(indexed.phases.map(\.name) == full.phases.map(\.name))
        for (a, b) in zip(indexed.phases, full.phases) { #expect(abs(a.fraction - b.fraction) < 1e-9) }
    }
}
