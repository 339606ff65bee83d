import Foundation
import Testing
import TestSupport

/// `roentgen xas fit` and `roentgen xas paths` end to end.
@Suite("roentgen xas fit / paths")
struct FeffitCLITests {
    static let examples = SharedData.projectRoot.appendingPathComponent("examples/feffit")

    @Test func cu1shellJSONHasTheIssueKeysAndLarchNumbers() async throws {
        guard let ref = try FeffitReference.json("reference/cu_1shell.json") else { return }
        let svg = FileManager.default.temporaryDirectory.appendingPathComponent("feffit-\(UUID().uuidString).svg")
        defer { try? FileManager.default.removeItem(at: svg) }
        let run = try await RoentgenCLI.run(["xas", "fit", Self.examples.appendingPathComponent("cu_1shell.yaml").path, "--json", "--plot", svg.path])
        #expect(run.status == 0, "\(run.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        for key in ["params", "chi_square", "chi2_reduced", "rfactor", "n_independent", "nvarys", "correlations", "datasets"] {
            #expect(doc[key] != nil, "missing key \(key)")
        }
        let main = (ref["results"] as! [String: Any])["main"] as! [String: Any]
        let stats = main["statistics"] as! [String: Any]
        #expect(abs((doc["chi_square"] as! Double) / (stats["chi_square"] as! Double) - 1) < 0.01)
        #expect(abs((doc["rfactor"] as! Double) / (stats["rfactor"] as! Double) - 1) < 0.01)
        #expect(doc["nvarys"] as? Int == 4)
        let params = doc["params"] as! [String: [String: Any]]
        let refParams = main["params"] as! [String: [String: Any]]
        for (name, p) in refParams {
            let got = try #require(params[name])
            #expect(abs((got["value"] as! Double) - (p["value"] as! Double)) <= 0.1 * (p["stderr"] as! Double))
            #expect(abs((got["stderr"] as! Double) / (p["stderr"] as! Double) - 1) <= 0.05)
        }
        let ds = try #require((doc["datasets"] as? [[String: Any]])?.first)
        for key in ["id", "k", "chi_model", "r", "chir_mag_model", "paths"] { #expect(ds[key] != nil, "missing datasets key \(key)") }
        let path = try #require((ds["paths"] as? [String: [String: Any]])?["cu1"])
        for key in ["reff", "r", "degen", "s02", "e0", "deltar", "sigma2"] { #expect(path[key] is Double, "missing path key \(key)") }
        #expect(path["reff"] as? Double == 2.5478 && path["degen"] as? Double == 12)
        // The model χ(k) on Larch's grid agrees with Larch's best-fit model.
        let refModel = FeffitReference.doubles(((main["datasets"] as! [[String: Any]])[0]["model"] as! [String: Any])["chi"])
        let model = FeffitReference.doubles(ds["chi_model"])
        #expect(model.count == refModel.count)
        let scale = refModel.map(abs).max() ?? 1
        let worst = zip(model, refModel).map { abs($0 - $1) }.max() ?? 1
        #expect(worst < 1e-4 * scale, "model χ(k) differs from Larch's by \(worst)")
        let svgText = try String(contentsOf: svg, encoding: .utf8)
        #expect(svgText.hasPrefix("<svg") || svgText.contains("<svg"))
        #expect(svgText.contains("fit range") && svgText.contains("k window"))
    }

    @Test func textReportLooksLikeFeffitReport() async throws {
        guard SharedData.url("xas/feffit/feo_2path") != nil else { print(SharedData.missing("xas/feffit")); return }
        let run = try await RoentgenCLI.run(["xas", "fit", Self.examples.appendingPathComponent("feo_2path-q.yaml").path])
        #expect(run.status == 0, "\(run.stderr)")
        for piece in ["=================== FEFFIT RESULTS", "[[Statistics]]", "n_independent        = 17.10648", "[[Variables]]",
                      "s02                  = 0.7 (fixed)", "[[Correlations]]", "fit space            = 'q'", "[[Paths]]", "n*s02  ="] {
            #expect(run.stdout.contains(piece), "missing '\(piece)'")
        }
    }

    /// A fit file for cu_1shell with the given k and R ranges, path file and σ² expression.
    static func recipe(kmax: Double = 17, rmin: Double = 1.4, rmax: Double = 3.0, kmin: Double = 3, path: String? = nil, sigma2: String = "sig2") -> String {
        let folder = SharedData.root.appendingPathComponent("xas/feffit/cu_1shell").path
        return """
        parameters:
          amp: {value: 1.0, vary: true}
          del_e0: {value: 0.0, vary: true}
          sig2: {value: 0.0, vary: true}
          del_r: {value: 0.0, vary: true}
        datasets:
          - id: cu_rt
            data: \(folder)/chi_cu_rt.dat
            transform: {fitspace: r, kmin: \(kmin), kmax: \(kmax), kweight: 2, dk: 4, window: kaiser, rmin: \(rmin), rmax: \(rmax)}
            paths:
              cu1:
                file: \(path ?? folder + "/feffcu01.dat")
                s02: amp
                e0: del_e0
                deltar: del_r
                sigma2: '\(sigma2)'

        """
    }

    func fails(_ text: String, _ pieces: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("feffit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("fit.yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let run = try await RoentgenCLI.run(["xas", "fit", file.path])
        #expect(run.status != 0, sourceLocation: sourceLocation)
        #expect(run.stdout.isEmpty, "no partial output", sourceLocation: sourceLocation)
        for piece in pieces { #expect(run.stderr.contains(piece), "stderr lacks '\(piece)': \(run.stderr)", sourceLocation: sourceLocation) }
    }

    @Test func badInputGivesClearErrors() async throws {
        guard let feff = SharedData.url("xas/feffit/cu_1shell/feffcu01.dat") else { print(SharedData.missing("xas/feffit")); return }
        try await fails(Self.recipe(path: "/nonexistent/feff0001.dat"), ["/nonexistent/feff0001.dat", "no such file", "path 'cu1' at", "fit.yaml:12"])
        let truncated = FileManager.default.temporaryDirectory.appendingPathComponent("feffit-trunc-\(UUID().uuidString).dat")
        defer { try? FileManager.default.removeItem(at: truncated) }
        try Data(try Data(contentsOf: feff).prefix(3000)).write(to: truncated)
        try await fails(Self.recipe(path: truncated.path), [truncated.path + ":42", "expected 7", "truncated"])
        try await fails(Self.recipe(sigma2: "sig2 * (1 +"), ["fit.yaml:16", "parameter 'cu1.sigma2', column 12", "syntax error"])
        try await fails(Self.recipe(sigma2: "sig3 + 0.001"), ["fit.yaml:16", "parameter 'cu1.sigma2', column 1", "unknown name 'sig3'"])
        try await fails(Self.recipe(kmax: 30), ["fit.yaml:9", "k range 3…30", "outside the data", "17.450"])
        try await fails(Self.recipe(rmax: 40), ["fit.yaml:9", "R range 1.4…40", "outside"])
        try await fails(Self.recipe(kmax: 4, rmax: 2.0), ["4 variables but only 1.382 independent points"])
        try await fails(Self.recipe().replacingOccurrences(of: "window: kaiser", with: "window: boxcar"), ["fit.yaml:9", "window 'boxcar'"])
        try await fails(Self.recipe().replacingOccurrences(of: "deltar: del_r", with: "deltar: del_r\n        sigma3: x"), ["fit.yaml:16", "unknown key 'sigma3'"])
        // Options out of range name the option and its line (a negative rmax_out or a NaN
        // max_evaluations used to reach an array size or an Int conversion and crash).
        try await fails(Self.recipe() + "options: {rmax_out: -2}\n", ["fit.yaml:17", "rmax_out must be a positive distance"])
        try await fails(Self.recipe() + "options: {max_evaluations: 1e300}\n", ["fit.yaml:17", "max_evaluations must be a whole number"])
        try await fails(Self.recipe() + "options: {ftol: -1}\n", ["fit.yaml:17", "ftol must be a number ≥ 0"])
    }

    @Test func pathsSummarisesAFolder() async throws {
        guard let folder = SharedData.url("xas/feffit/cu_13paths_ms/Feff_Cu") else { print(SharedData.missing("xas/feffit")); return }
        let run = try await RoentgenCLI.run(["xas", "paths", folder.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("feff0001.dat: Cu-Cu (Cu K edge), nleg 2, degen 12, reff 2.5478 Å"))
        #expect(run.stdout.contains("feff0011.dat: Cu-Cu-Cu-Cu (Cu K edge), nleg 4, degen 12, reff 5.0957 Å"))
        #expect(run.stdout.components(separatedBy: "feff00").count - 1 == 13)
        let json = try await RoentgenCLI.run(["xas", "paths", folder.appendingPathComponent("feff0003.dat").path, "--json"])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(doc.first?["degen"] as? Double == 48 && doc.first?["nleg"] as? Int == 3)
    }
}
