import Foundation
import Testing
import TestSupport

/// The quick form `roentgen xrd refine DATA --phase CIF [--instrument PRM] [--background N]` on the
/// measured LaB6 scan of ../shared/data/xrd/rietveld/lab6_bruker (Bruker RAW, its CIF and starting
/// instrument file): it prints its default strategy and converges to a cell near the CIF's.
@Suite struct QuickFormCLITests {
    @Test(.enabled(if: SharedData.isPresent)) func lab6QuickFormPrintsStrategyAndConverges() async throws {
        let dir = try #require(SharedData.url("xrd/rietveld/lab6_bruker"))
        let args = ["xrd", "refine", dir.appendingPathComponent("LaB6_Jan2018.raw").path,
                    "--phase", dir.appendingPathComponent("LaB6.cif").path,
                    "--instrument", dir.appendingPathComponent("LaB6_CuKa12_start.instprm").path, "--background", "6"]
        let text = try await RoentgenCLI.run(args)
        #expect(text.status == 0, "\(text.stderr)")
        print(text.stdout.split(separator: "\n").prefix(8).joined(separator: "\n"))
        let lines = text.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "Strategy (released in order, then repeated to convergence):")
        #expect(Array(lines.dropFirst().prefix(5)) == [
            "  1. scale+background: 7 parameters", "  2. cell+zero+displacement: 3 parameters",
            "  3. profile W,X,Y: 3 parameters", "  4. profile U,V,SH/L: 3 parameters", "  5. atoms xyz+Uiso: 3 parameters",
        ])
        #expect(lines.contains { $0.hasPrefix("Rwp ") && $0.contains("(converged,") }, "\(lines.dropFirst(6).prefix(2))")

        let r = try await RoentgenCLI.run(args + ["--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(o["converged"] as? Bool == true)
        // 1 scale + 6 background + a + zero + displacement + U V W X Y SH/L + B x + 2 U_iso.
        #expect(o["n_parameters"] as? Int == 19)
        #expect(o["n_points"] as? Int == 3040)
        let rwp = try #require(o["rwp"] as? Double), rexp = try #require(o["rexp"] as? Double)
        print("LaB6 quick form: Rwp \(rwp) Rexp \(rexp) GoF \(o["gof"] ?? "")")
        #expect(rwp > rexp && rwp < 20)
        let steps = try #require((o["provenance"] as? [String: Any])?["steps"] as? [[String: Any]])
        #expect(steps.compactMap { $0["name"] as? String } == ["scale+background", "cell+zero+displacement", "profile W,X,Y",
                                                                "profile U,V,SH/L", "atoms xyz+Uiso", "final"])
        // χ² falls (or stays) from step to step.
        let chi2 = steps.compactMap { $0["chi2"] as? Double }
        #expect(zip(chi2, chi2.dropFirst()).allSatisfy { $1 <= $0 * (1 + 1e-9) })
        let phase = try #require((o["phases"] as? [[String: Any]])?.first)
        let a = try #require((phase["cell"] as? [String: Double])?["a"])
        print("LaB6 quick form a = \(a)")
        // The CIF's 4.15706 Å; the yaml example (which also refines the Kα2 ratio) lands within 0.05 %.
        #expect(abs(a - 4.15706) / 4.15706 < 5e-4)
        #expect(abs((phase["weight_fraction"] as? Double ?? 0) - 1) < 1e-12)
    }

    /// Three pymatgen P1 CIFs (../shared/data/xrd/cif/xrd_autoanalyzer_refs) on XRD-AutoAnalyzer's measured
    /// TiO2 + MnO mixture: anatase and rutile both have the data block `data_TiO2` and become TiO2 and
    /// TiO2_2; each is refined with the symmetry its atoms have (`HiddenLatticeSymmetry.symmetrized`: MnO
    /// Fm-3m, anatase I41/amd, rutile P42/mnm in their operations), so the cells follow their systems and
    /// atoms their site symmetries (before: two phases shared one name, and with names apart the 104 P1
    /// coordinates made the normal matrix singular).
    @Test(.enabled(if: SharedData.isPresent)) func p1CIFsWithTheSameBlockName() async throws {
        let refs = try #require(SharedData.url("xrd/cif/xrd_autoanalyzer_refs"))
        let data = try #require(SharedData.url("xrd/unseen/text/xrd_autoanalyzer/TiO2+MnO.xy"))
        let instrument = try #require(SharedData.url("xrd/rietveld/lab6_bruker/LaB6_CuKa12_start.instprm"))
        let r = try await RoentgenCLI.run(["xrd", "refine", data.path, "--instrument", instrument.path] +
                                    ["MnO_225", "TiO2_141", "TiO2_136"].flatMap { ["--phase", refs.appendingPathComponent("\($0).cif").path] })
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        print(lines.prefix(16).joined(separator: "\n"))
        #expect(lines.contains("  2. cell+zero+displacement: 7 parameters"))  // MnO a; TiO2 a, c; TiO2_2 a, c; zero; displacement
        // Symmetrized: MnO's atoms sit on special positions (U_iso of Mn and O), anatase and rutile each free
        // one O coordinate and two U_iso.
        #expect(lines.contains("  5. atoms xyz+Uiso: 8 parameters"))
        #expect(lines.contains { $0.hasPrefix("Phase MnO: a ") } && lines.contains { $0.hasPrefix("Phase TiO2: a ") }
                && lines.contains { $0.hasPrefix("Phase TiO2_2: a ") })
        let rwp = try #require(lines.first { $0.hasPrefix("Rwp ") })
        #expect(rwp.contains("(converged,"), "\(rwp)")
        // Refined cells near the CIFs': MnO a 4.444, anatase a 3.783 c 9.59, rutile a 4.6092 c 2.9673 Å (within 1.2 %).
        for (prefix, a) in [("Phase MnO: a ", 4.444), ("Phase TiO2: a ", 3.783), ("Phase TiO2_2: a ", 4.6092)] {
            let line = try #require(lines.first { $0.hasPrefix(prefix) })
            let value = try #require(Double(line.dropFirst(prefix.count).prefix { $0 != "(" }))
            #expect(abs(value / a - 1) < 0.012, "\(line)")
        }
    }
}
