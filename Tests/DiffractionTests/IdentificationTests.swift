import Foundation
import Testing
import TestSupport
import XrayCore
import XrayFormats
@testable import Diffraction

@Suite struct IdentificationTests {
    static func library(_ relativePaths: [String]) throws -> ReferenceLibrary {
        var library = ReferenceLibrary()
        for path in relativePaths {
            let url = try #require(SharedData.url("xrd/" + path))
            try library.append(name: path, structure: try CIF.readStructure(url: url))
        }
        return library
    }

    static func pattern(_ relativePath: String) throws -> DiffractionPattern {
        let url = try #require(SharedData.url("xrd/" + relativePath))
        return try #require(try FormatRegistry.read(url).scans.first?.diffractionPattern)
    }

    /// Every case of the anchor's identification run: the same candidates, the expected phase first.
    @Test(.enabled(if: SharedData.isPresent)) func expectedPhaseFirstForEveryReferenceCase() throws {
        let reference = try #require(ReferenceData.json("xrd/reference/phase_identification.json") as? [String: Any])
        let cases = try #require(reference["cases"] as? [String: [String: Any]])
        #expect(cases.count >= 4)
        for (_, entry) in cases.sorted(by: { $0.key < $1.key }) {
            let measured = try #require(entry["measured"] as? String)
            let ranking = try #require(entry["ranking"] as? [[String: Any]])
            let candidates = ranking.compactMap { $0["candidate"] as? String }
            let expected = try #require((entry["top1"] as? [String: Any])?["candidate"] as? String)
            var options = IdentificationOptions()
            options.wavelength = entry["wavelength_used"] as? Double
            let result = try PhaseIdentifier.identify(try Self.pattern(measured), library: try Self.library(candidates), options: options)
            #expect(result.ranking.first?.name == expected, "\(measured): first \(result.ranking.first?.name ?? "-"), expected \(expected)")
            #expect(result.phases.count == 1, "\(measured): phases \(result.phases.map(\.name))")
            #expect(abs(result.ranking.first?.shift ?? 1) <= 0.06)
        }
    }

    /// The measured three-phase mixture of XRD-AutoAnalyzer's example: Li2MnO3 + MnO + TiO2 (anatase).
    @Test(.enabled(if: SharedData.isPresent)) func threePhaseMixture() throws {
        let dir = try #require(SharedData.url("xrd/cif/xrd_autoanalyzer_refs"))
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".cif") }.sorted()
        let library = try Self.library(names.map { "cif/xrd_autoanalyzer_refs/" + $0 })
        let result = try PhaseIdentifier.identify(try Self.pattern("text/xrd_autoanalyzer/Li2MnO3+MnO+TiO2.xy"), library: library)
        let found = Set(result.phases.map { ($0.name as NSString).lastPathComponent })
        #expect(found == ["MnO_225.cif", "Li2MnO3_12.cif", "TiO2_141.cif"], "\(found)")
        #expect(result.ranking.prefix(3).contains { $0.name.hasSuffix("TiO2_141.cif") })
        #expect(abs(result.phases.map(\.fraction).reduce(0, +) - 1) < 1e-9)
        // The phases present lead the ranking in the phases' order, flagged; the rest are not flagged.
        #expect(result.ranking.prefix(result.phases.count).map(\.name) == result.phases.map(\.name))
        #expect(result.ranking.map(\.present) == result.ranking.indices.map { $0 < result.phases.count })
    }

    /// A simulated 90 % rutile + 10 % anatase mixture (by weight) with noise, broadening and a zero shift:
    /// anatase is found, in the top 3, with a fraction near 10 %.
    @Test(.enabled(if: SharedData.isPresent)) func minorPhaseInSyntheticMixture() throws {
        let paths = try FileManager.default.contentsOfDirectory(atPath: try #require(SharedData.url("xrd/cif/xrd_autoanalyzer_refs")).path)
            .filter { $0.hasSuffix(".cif") }.sorted().map { "cif/xrd_autoanalyzer_refs/" + $0 }
        let library = try Self.library(paths)
        let grid = 10.0...80.0, step = 0.02, shift = 0.08
        var y = [Double](repeating: 0, count: Int((grid.upperBound - grid.lowerBound) / step) + 1)
        for (path, weight) in [("cif/xrd_autoanalyzer_refs/TiO2_136.cif", 0.9), ("cif/xrd_autoanalyzer_refs/TiO2_141.cif", 0.1)] {
            let structure = try CIF.readStructure(url: try #require(SharedData.url("xrd/" + path)))
            let sticks = try PowderSimulator.simulate(structure, options: SimulationOptions(wavelength: 1.5406, twoThetaRange: 5...85))
            let scale = weight * ReferenceLibrary.weightScale(structure)
            PowderProfile.render(into: &y, x0: grid.lowerBound, step: step, positions: sticks.peaks.map { $0.twoTheta + shift },
                                 intensities: sticks.peaks.map { $0.absoluteIntensity * scale }, eta: 0.4) { 0.12 / cos($0 * Double.pi / 360) }
        }
        let top = y.max()!
        var noise = SeededNoise(state: 11)
        let counts = y.map { v -> Double in
            let c = 20000 * v / top + 300
            return c + c.squareRoot() * noise.gaussian()
        }
        let pattern = DiffractionPattern(name: "rutile+anatase", twoTheta: (0..<y.count).map { grid.lowerBound + Double($0) * step },
                                         intensity: counts, radiation: .monochromatic(1.5406))
        let result = try PhaseIdentifier.identify(pattern, library: library)
        let anatase = try #require(result.phases.first { $0.name.hasSuffix("TiO2_141.cif") }, "phases: \(result.phases.map(\.name))")
        #expect(result.phases.first?.name.hasSuffix("TiO2_136.cif") == true)
        #expect(result.ranking.prefix(3).contains { $0.name.hasSuffix("TiO2_141.cif") })
        #expect(abs(anatase.fraction - 0.1) < 0.04, "anatase fraction \(anatase.fraction)")
        #expect(abs(result.phases[0].shift - shift) <= 0.021)
    }

    @Test(.enabled(if: SharedData.isPresent)) func libraryRoundTripAndCorruption() throws {
        let library = try Self.library(["cif/common/DD_Silicon.cif", "cif/common/AMCSD_Rutile.cif"])
        let data = library.serialized()
        let back = try ReferenceLibrary(serialized: data, file: "lib.rxl")
        #expect(back.names == library.names && back.bins == library.bins && back.weights == library.weights)
        #expect(back.formulas == library.formulas && back.offsets == library.offsets)
        #expect(throws: RoentgenError.self) { try ReferenceLibrary(serialized: data.prefix(40), file: "cut.rxl") }
        #expect(throws: RoentgenError.self) { try ReferenceLibrary(serialized: Data("not a library".utf8), file: "x.rxl") }
    }

    @Test(.enabled(if: SharedData.isPresent)) func identifyCLI() async throws {
        let measured = try #require(SharedData.url("xrd/text/xrd_autoanalyzer/MnO.xy")).path
        let candidates = try #require(SharedData.url("xrd/cif/xrd_autoanalyzer_refs")).path
        let result = try await RoentgenCLI.run(["xrd", "identify", measured, "--candidates", candidates, "--top", "3", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let ranking = try #require(object["ranking"] as? [[String: Any]])
        #expect(ranking.count == 3)
        #expect((ranking[0]["candidate"] as? String)?.hasSuffix("MnO_225.cif") == true)
        #expect(ranking[0]["score"] is Double && ranking[0]["shift"] is Double)
        // `present` marks the phases judged present; they lead the ranking, the rest follow by score.
        #expect(ranking[0]["present"] as? Bool == true && ranking.dropFirst().allSatisfy { $0["present"] as? Bool == false })
        let absent = ranking.dropFirst().compactMap { $0["score"] as? Double }
        #expect(zip(absent, absent.dropFirst()).allSatisfy { $0 >= $1 })
        let phases = try #require(object["phases"] as? [[String: Any]])
        #expect((phases.first?["fraction"] as? Double) == 1)
        let none = try await RoentgenCLI.run(["xrd", "identify", measured])
        #expect(none.status != 0 && none.stderr.contains("--candidates"))
    }

    /// Measured patterns as references (opXRD-style labelled patterns): the single-phase scans of the
    /// same instrument find MnO and anatase TiO2 in the three-phase mixture.
    @Test(.enabled(if: SharedData.isPresent)) func measuredPatternsAsReferences() throws {
        var library = ReferenceLibrary()
        for name in ["MnO", "TiO2", "Mn2O3", "LiMnO2"] {
            let pattern = try Self.pattern("text/xrd_autoanalyzer/\(name).xy")
            library.append(name: name, label: name, peaks: try PeakAnalysis.analyze(pattern).peaks, wavelength: 1.5406)
        }
        let result = try PhaseIdentifier.identify(try Self.pattern("text/xrd_autoanalyzer/Li2MnO3+MnO+TiO2.xy"), library: library)
        #expect(Set(result.phases.map(\.name)) == ["MnO", "TiO2"], "\(result.phases.map(\.name))")
        #expect(result.ranking.first?.name == "MnO")
    }
}
