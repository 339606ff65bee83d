import Foundation
import Testing
import TestSupport

@Suite("roentgen xas CLI")
struct XASCommandTests {
    static let present = SharedData.url("xas/xdi_spec/data/fe_metal_rt.xdi") != nil
    var fe: String { SharedData.url("xas/xdi_spec/data/fe_metal_rt.xdi")!.path }

    @Test(.enabled(if: present, "../shared/data/xas is absent"))
    func jsonHasTheContractKeys() async throws {
        let svg = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-xas-\(UUID().uuidString).svg").path
        defer { try? FileManager.default.removeItem(atPath: svg) }
        let out = try await RoentgenCLI.run(["xas", fe, "--json", "--plot", svg])
        #expect(out.status == 0, "\(out.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
        let contract: Set<String> = ["e0", "edge_step", "pre_slope", "pre_offset", "energy", "mu", "norm", "flat", "k", "chi", "bkg", "r",
                                     "chir_mag", "chir_re", "chir_im", "element", "edge", "parameters", "provenance"]
        #expect(contract.isSubset(of: Set(json.keys)))
        #expect(json["e0"] as? Double == 7111.0)  // Larch's reference value
        #expect(json["element"] as? String == "Fe" && json["edge"] as? String == "K")
        let provenance = try #require(json["provenance"] as? [String: Any])
        #expect((provenance["sha256"] as? String)?.count == 64 && provenance["reader"] as? String == "xdi")
        let parameters = try #require(json["parameters"] as? [String: Any])
        for key in ["pre1", "pre2", "norm1", "norm2", "nnorm", "rbkg", "bkg_kweight", "kmin", "kmax", "dk", "window", "kweight", "nknots"] {
            #expect(parameters[key] != nil, "parameters.\(key)")
        }
        #expect((json["chi"] as? [Double])?.count == 301)
        let plot = try String(contentsOfFile: svg, encoding: .utf8)
        #expect(plot.hasPrefix("<svg") && plot.contains("polyline") && plot.contains("χ(k)·k²"))
    }

    @Test(.enabled(if: present, "../shared/data/xas is absent"))
    func badInputGivesAnErrorAndNonZeroExit() async throws {
        let missing = try await RoentgenCLI.run(["xas", "/nonexistent/file.xdi"])
        #expect(missing.status != 0 && missing.stderr.contains("/nonexistent/file.xdi"))
        let badWindow = try await RoentgenCLI.run(["xas", fe, "--window", "boxcar"])
        #expect(badWindow.status != 0 && badWindow.stderr.contains("boxcar"))
        let outside = try await RoentgenCLI.run(["xas", fe, "--e0", "20000"])
        #expect(outside.status != 0 && outside.stderr.contains("e0"))
    }

    @Test(.enabled(if: SharedData.url("xas/lcf/fe_mixture_synthetic.dat") != nil, "../shared/data/xas/lcf is absent"))
    func lcfFromRawFiles() async throws {
        let x = SharedData.root.appendingPathComponent("xas").path
        let out = try await RoentgenCLI.run(["xas", "lcf", "\(x)/lcf/fe_mixture_synthetic.dat",
                                       "--standard", "\(x)/xaslib/Fe_metal_rt_01.xdi", "--standard", "\(x)/xaslib/FeO_rt_01.xdi",
                                       "--standard", "\(x)/xaslib/Fe2O3_rt_01.xdi", "--sum-to-one", "--range", "-40:100", "--json"])
        #expect(out.status == 0, "\(out.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
        let fit = try #require((json["fits"] as? [[String: Any]])?.first)
        let weights = try #require(fit["weights"] as? [Double])
        for (w, truth) in zip(weights, [0.2, 0.3, 0.5]) { #expect(abs(w - truth) < 0.01) }
        // χ(k) space runs on the same files (weights non-negative, summing to one).
        let chi = try await RoentgenCLI.run(["xas", "lcf", "\(x)/lcf/fe_mixture_synthetic.dat",
                                       "--standard", "\(x)/xaslib/Fe_metal_rt_01.xdi", "--standard", "\(x)/xaslib/FeO_rt_01.xdi",
                                       "--standard", "\(x)/xaslib/Fe2O3_rt_01.xdi", "--space", "chi", "--range", "3:12", "--sum-to-one", "--json"])
        #expect(chi.status == 0, "\(chi.stderr)")
        let chiJSON = try #require(try JSONSerialization.jsonObject(with: Data(chi.stdout.utf8)) as? [String: Any])
        let chiWeights = try #require(((chiJSON["fits"] as? [[String: Any]])?.first?["weights"]) as? [Double])
        #expect(abs(chiWeights.reduce(0, +) - 1) < 1e-9 && chiWeights.allSatisfy { $0 >= 0 })
        // With every χ(k) on the target's E0 and k²-weighting (the defaults), the mixture made in
        // μ(E) is recovered within two standard errors (AUTOBK backgrounds differ per spectrum,
        // so χ space cannot be as exact as norm space).
        let chiFit = try #require((chiJSON["fits"] as? [[String: Any]])?.first)
        let chiErrors = try #require(chiFit["weight_errors"] as? [Double])
        #expect(chiJSON["kweight"] as? Double == 2)
        for (i, truth) in [0.2, 0.3, 0.5].enumerated() {
            #expect(abs(chiWeights[i] - truth) < 2 * chiErrors[i], "χ-space weight \(i): \(chiWeights[i]) ± \(chiErrors[i])")
        }
        let badSpace = try await RoentgenCLI.run(["xas", "lcf", "\(x)/lcf/fe_mixture_synthetic.dat", "--standard", "\(x)/xaslib/FeO_rt_01.xdi", "--space", "mu"])
        #expect(badSpace.status != 0 && badSpace.stderr.contains("--space"))
    }

    @Test(.enabled(if: present, "../shared/data/xas is absent"))
    func mergeThenAnalyseTheOutput() async throws {
        let cu = SharedData.url("xas/xdi_spec/data/cu_metal_rt.xdi")!.path
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-merge-\(UUID().uuidString).xdi").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let merge = try await RoentgenCLI.run(["xas", "merge", cu, cu, "-o", out])
        #expect(merge.status == 0, "\(merge.stderr)")
        let again = try await RoentgenCLI.run(["xas", out, "--json"])
        #expect(again.status == 0, "\(again.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
        #expect(json["element"] as? String == "Cu")
        let deglitch = try await RoentgenCLI.run(["xas", "deglitch", cu, "--json"])
        #expect(deglitch.status == 0)
        let align = try await RoentgenCLI.run(["xas", "align", cu, "--reference", cu, "--json"])
        let shift = try #require((try JSONSerialization.jsonObject(with: Data(align.stdout.utf8)) as? [String: Double])?["shift"])
        #expect(abs(shift) < 1e-3)
    }
}
