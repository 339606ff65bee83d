import Foundation
import Testing
import TestSupport
import XAS
import XrayCore

/// XANES reference libraries and matching: the library is built from ../shared/data/xas/xaslib
/// (31 XAS Data Library spectra); the unknowns are the same compounds stored elsewhere in
/// ../shared (other beamlines, other files, other formats).
@Suite("XANES library and matching")
struct XANESMatchTests {
    static let present = SharedData.url("xas/xaslib/Fe_metal_rt_01.xdi") != nil
    static var xas: String { SharedData.root.appendingPathComponent("xas").path }

    /// Builds the xaslib library once per test into a temporary file.
    func buildLibrary() async throws -> String {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-xaslib-\(UUID().uuidString).rxanes").path
        let run = try await RoentgenCLI.run(["xas", "library", "\(Self.xas)/xaslib", "-o", out, "--licence", "CC0-1.0", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(json["entries"] as? Int == 31)
        #expect((json["edges"] as? [String: Int])?["Fe K"] == 8)
        return out
    }

    func match(_ args: [String]) async throws -> [String: Any] {
        let run = try await RoentgenCLI.run(["xas", "match"] + args + ["--json"])
        #expect(run.status == 0, "\(run.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    }

    @Test(.enabled(if: present, "../shared/data/xas is absent"))
    func sameCompoundsMeasuredElsewhereComeFirst() async throws {
        let lib = try await buildLibrary()
        defer { try? FileManager.default.removeItem(atPath: lib) }
        // (unknown, element, expected first reference). Different measurements: fe.060 (Fe foil, NSLS X-11A
        // XDAC), cu_metal_rt.xdi (XDI spec Cu foil) and cu.xmu / cu.prj (Cu foil at 10 K and 150 K) against the
        // XAS Data Library's foils. Same data in other files and formats: fe2o3_rt1.xmu, feo_xafs.dat, the APS
        // 20-BM raw FeO file, FeS2.prj (Athena) and fe_metal_rt.xdi.
        let cases: [(String, String, String)] = [
            ("larch/xafsdata/fe.060", "Fe", "Fe_metal_rt_01.xdi"),
            ("xdi_spec/data/cu_metal_rt.xdi", "Cu", "Cu_Foil_rt_2016Foils.xdi"),
            ("larch/xafsdata/cu.xmu", "Cu", "Cu_Foil_rt_2016Foils.xdi"),
            ("larch/athena_prj/cu.prj:cu150k.dat", "Cu", "Cu_Foil_rt_2016Foils.xdi"),
            ("larch/xafsdata/fe2o3_rt1.xmu", "Fe", "Fe2O3_rt_01.xdi"),
            ("larch/xafsdata/feo_xafs.dat", "Fe", "FeO_rt_01.xdi"),
            ("larch/xafsdata/feo_exafs_pnccat2001.dat", "Fe", "FeO_rt_01.xdi"),
            ("larch/athena_prj/FeS2.prj", "Fe", "FeS2_rt_01.xdi"),
            ("xdi_spec/data/fe_metal_rt.xdi", "Fe", "Fe_metal_rt_01.xdi"),
        ]
        for (file, element, expected) in cases {
            let json = try await match(["\(Self.xas)/\(file)", "--library", lib, "--element", element, "--top", "3"])
            let matches = try #require(json["matches"] as? [[String: Any]])
            let first = try #require(matches.first)
            let entry = try #require(first["entry"] as? [String: Any])
            #expect(entry["name"] as? String == expected, "\(file): first match \(entry["name"] ?? "none")")
            #expect(entry["licence"] as? String == "CC0-1.0")
            // Clearly ahead of the runner-up.
            let score = try #require(first["score"] as? Double), second = try #require(matches[1]["score"] as? Double)
            #expect(score > 0.99 && score - second > 0.02, "\(file): \(score) vs \(second)")
            #expect(abs(try #require(first["shift"] as? Double)) < 1, "\(file)")
        }
    }

    @Test(.enabled(if: SharedData.url("xas/lcf/fe_mixture_synthetic.dat") != nil, "../shared/data/xas/lcf is absent"))
    func syntheticMixtureComesBackAsItsThreeComponents() async throws {
        let lib = try await buildLibrary()
        defer { try? FileManager.default.removeItem(atPath: lib) }
        let json = try await match(["\(Self.xas)/lcf/fe_mixture_synthetic.dat", "--library", lib, "--element", "Fe", "--lcf", "3"])
        let best = try #require((json["lcf"] as? [[String: Any]])?.first)
        let names = try #require(best["standards"] as? [String]), weights = try #require(best["weights"] as? [Double])
        let errors = try #require(best["weight_errors"] as? [Double])
        // The mixture is 0.2 Fe metal + 0.3 FeO + 0.5 Fe2O3 (reference/README.md, and the Larch LCF of the same file).
        let truth = ["Fe_metal_rt_01.xdi": 0.2, "FeO_rt_01.xdi": 0.3, "Fe2O3_rt_01.xdi": 0.5]
        #expect(Set(names) == Set(truth.keys))
        for (name, (w, e)) in zip(names, zip(weights, errors)) {
            #expect(abs(w - truth[name]!) < 0.01, "\(name): \(w)")
            #expect(e > 0 && e < 0.01, "\(name) ± \(e)")
        }
        #expect(try #require(best["r_factor"] as? Double) < 1e-4)
    }

    @Test(.enabled(if: present, "../shared/data/xas is absent"))
    func badInputsSayWhatIsWrong() async throws {
        let lib = try await buildLibrary()
        defer { try? FileManager.default.removeItem(atPath: lib) }
        let mixed = try await RoentgenCLI.run(["xas", "match", "\(Self.xas)/xdi_spec/data/fe_metal_rt.xdi", "--library", lib])
        #expect(mixed.status != 0 && mixed.stderr.contains("several edges") && mixed.stderr.contains("Fe K (8)") && mixed.stderr.contains("--element"))
        // A scan that stops below the Fe K edge (7108.6 eV < 7112 eV).
        let noEdge = try await RoentgenCLI.run(["xas", "match", "\(Self.xas)/larch/xafsdata/fe_xanes_8ch.xdi", "--library", lib, "--element", "Fe"])
        #expect(noEdge.status != 0 && noEdge.stderr.contains("no Fe K edge in range"), "\(noEdge.stderr)")
        let absent = try await RoentgenCLI.run(["xas", "match", "\(Self.xas)/xdi_spec/data/fe_metal_rt.xdi", "--library", lib, "--element", "U"])
        #expect(absent.status != 0 && absent.stderr.contains("no U spectra"))
        let truncated = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-cut-\(UUID().uuidString).rxanes").path
        defer { try? FileManager.default.removeItem(atPath: truncated) }
        try Data(try Data(contentsOf: URL(fileURLWithPath: lib)).prefix(5000)).write(to: URL(fileURLWithPath: truncated))
        let cut = try await RoentgenCLI.run(["xas", "match", "\(Self.xas)/xdi_spec/data/fe_metal_rt.xdi", "--library", truncated, "--element", "Fe"])
        #expect(cut.status != 0 && cut.stderr.contains(truncated))
    }

    /// A synthetic edge (arctan step plus a white line) matched against itself with E0 moved by 1.5 eV:
    /// the shift search finds +1.5 eV (the parabola refines between grid steps of 0.5 eV).
    @Test func shiftSearchRecoversAnE0Offset() throws {
        let energy = (0..<600).map { 7000 + 0.5 * Double($0) }
        func mu(_ e: Double, peak: Double) -> Double { 0.5 + atan((e - 7112) / 2) / .pi + 0.6 * exp(-pow((e - peak) / 4, 2)) }
        var builder = XANESLibrary.Builder()
        try builder.append(name: "white line at +8", energy: energy, mu: energy.map { mu($0, peak: 7120) }, element: "Fe", edge: "K", source: "synthetic", licence: "CC0-1.0")
        try builder.append(name: "white line at +20", energy: energy, mu: energy.map { mu($0, peak: 7132) }, element: "Fe", edge: "K", source: "synthetic", licence: "CC0-1.0")
        let library = try XANESLibrary(serialized: builder.serialized(), file: "memory")
        #expect(library.count == 2 && library.edges().map(\.label) == ["Fe K"])
        var (query, candidates) = try XANESMatcher.prepare(energy: energy, mu: energy.map { mu($0, peak: 7120) }, library: library, element: nil)
        query.e0 += 1.3
        let ranked = try XANESMatcher.match(query, library: library, candidates: candidates)
        #expect(ranked.first?.entry.name == "white line at +8")
        #expect(abs((ranked.first?.shift ?? 0) - 1.3) < 0.15, "shift \(ranked.first?.shift ?? .nan)")
        #expect((ranked.first?.score ?? 0) > 0.99)
        // Bytes that are not a library, or cut short, are refused with the byte offset.
        #expect(throws: RoentgenError.self) { try XANESLibrary(serialized: Data("not a library".utf8), file: "x.rxanes") }
        #expect(throws: RoentgenError.self) { try XANESLibrary(serialized: builder.serialized().prefix(200), file: "cut.rxanes") }
    }
}
