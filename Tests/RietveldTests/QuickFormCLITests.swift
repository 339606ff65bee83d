import Foundation
import Testing
import TestSupport

/// The quick form `roentgen xrd refine DATA --phase CIF [--instrument PRM] [--background N]` on the
/// measured LaB6 scan of ../shared/data/xrd/rietveld/lab6_bruker (Bruker RAW, its CIF and starting
/// instrument file): it prints its default strategy and converges to a cell near the CIF's.
@Suite struct QuickFormCLITests {
    @Test(.enabled(if: SharedData.isPresent)) func lab6QuickFormPrintsStrategyAndConverges() throws {
        let dir = try #require(SharedData.url("xrd/rietveld/lab6_bruker"))
        let args = ["xrd", "refine", dir.appendingPathComponent("LaB6_Jan2018.raw").path,
                    "--phase", dir.appendingPathComponent("LaB6.cif").path,
                    "--instrument", dir.appendingPathComponent("LaB6_CuKa12_start.instprm").path, "--background", "6"]
        let text = try RoentgenCLI.run(args)
        #expect(text.status == 0, "\(text.stderr)")
        print(text.stdout.split(separator: "\n").prefix(8).joined(separator: "\n"))
        let lines = text.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "Strategy (released in order, then repeated to convergence):")
        #expect(Array(lines.dropFirst().prefix(5)) == [
            "  1. scale+background: 7 parameters", "  2. cell+zero+displacement: 3 parameters",
            "  3. profile W,X,Y: 3 parameters", "  4. profile U,V,SH/L: 3 parameters", "  5. atoms xyz+Uiso: 3 parameters",
        ])
        #expect(lines.contains { $0.hasPrefix("Rwp ") && $0.contains("(converged,") }, "\(lines.dropFirst(6).prefix(2))")

        let r = try RoentgenCLI.run(args + ["--json"])
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
}
