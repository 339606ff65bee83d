import Foundation
import Testing
import TestSupport

/// Out-of-range and non-finite XAS parameters are refused with a message naming them, a non-zero exit and
/// nothing on stdout (a sweep of the release binary found traps for inf and 1e308, gigabyte allocations,
/// and NaN ranges taken silently).
@Suite struct XASBadParameterCLITests {
    static let xaslib = "xas/xaslib"

    @Test(.enabled(if: SharedData.isPresent)) func analyzeRefusesNonsense() async throws {
        guard let cu = SharedData.url("\(Self.xaslib)/Cu_Foil_rt_2016Foils.xdi") else { return }
        let cases: [([String], String)] = [
            (["--rbkg=inf"], "rbkg = inf"), (["--rbkg=1e308"], "rbkg = 1e+308 Å is beyond the R grid"), (["--rbkg=1e6"], "is beyond the R grid"),
            (["--kmax=inf"], "k window 0.0 … inf"), (["--kmax=1e308"], "is beyond the transform's k grid"), (["--kmax=1e9"], "is beyond the transform's k grid"),
            (["--dk=inf"], "with dk inf"), (["--dk=1e308"], "is beyond the transform's k grid"),
            (["--pre1=nan"], "pre1 = nan"), (["--norm2=inf"], "norm2 = inf"), (["--pre1=nan", "--json"], "pre1 = nan"),
            (["--nnorm=-1"], "nnorm = -1; expected a post-edge polynomial degree of 0…5"), (["--nnorm=99"], "nnorm = 99"),
            (["--bkg-kmax=-1"], "AUTOBK kmax = -1.0"), (["--bkg-kmax=nan"], "AUTOBK kmax = nan"),
            (["--kweight=inf"], "kweight = inf; expected 0…10"), (["--kweight=200"], "kweight = 200.0; expected 0…10"), (["--bkg-kweight=inf"], "AUTOBK kweight = inf"),
        ]
        for (args, said) in cases {
            let r = try await RoentgenCLI.run(["xas", "analyze", cu.path] + args)
            #expect(r.status == 1 && r.stderr.contains(said) && r.stdout.isEmpty, "\(args): \(r.status) \(r.stderr)")
        }
        // Valid extremes still run: a kweight of 0 and Larch's own defaults.
        let ok = try await RoentgenCLI.run(["xas", "analyze", cu.path, "--kweight=0"])
        #expect(ok.status == 0, "\(ok.stderr)")
    }

    @Test(.enabled(if: SharedData.isPresent)) func otherVerbsRefuseNonsense() async throws {
        guard let fe3o4 = SharedData.url("\(Self.xaslib)/Fe3O4_rt_01.xdi"), let feo = SharedData.url("\(Self.xaslib)/FeO_rt_01.xdi"),
              let fe2o3 = SharedData.url("\(Self.xaslib)/Fe2O3_rt_01.xdi"), let cu = SharedData.url("\(Self.xaslib)/Cu_Foil_rt_2016Foils.xdi"),
              let zn = SharedData.url("\(Self.xaslib)/Zn_foil.xdi") else { return }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: out) }
        let lcf = ["xas", "lcf", fe3o4.path, "--standard", feo.path, "--standard", fe2o3.path]
        let cases: [([String], String)] = [
            (lcf + ["--range=-20:inf"], "--range '-20:inf' not understood"),
            (lcf + ["--space=chi", "--range=-5:3"], "k starts at 0 Å⁻¹ in chi space"),
            (["xas", "merge", cu.path, zn.path, "-o", out.appendingPathComponent("m.xdi").path], "covers 5 % of"),
            (["xas", "align", cu.path, "--reference", zn.path], "align a scan to a reference of the same edge"),
            (["xas", "analyze", cu.path, "--pre1=1e308"], "pre1 = 1e+308 eV above E0 is beyond the end of the data"),
            (["xas", "merge", cu.path, cu.path, "-o", ""], "the output path is empty: give -o FILE"),
            (["xas", "deglitch", cu.path, "--threshold=inf", "-o", out.appendingPathComponent("d.xdi").path], "deglitch threshold inf"),
            (["xas", "library", fe3o4.path, "-o", out.appendingPathComponent("l.rxanes").path, "--grid=-1e308:1e308"], "grid of inf points"),
            (["xas", "library", fe3o4.path, "-o", out.appendingPathComponent("l.rxanes").path, "--grid=-inf:inf"], "--grid '-inf:inf' not understood"),
        ]
        for (args, said) in cases {
            let r = try await RoentgenCLI.run(args)
            #expect(r.status == 1 && r.stderr.contains(said) && r.stdout.isEmpty, "\(args): \(r.status) \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("m.xdi").path))
        // The chi-space range reported is the one used (the target's k range), not -inf…inf.
        let chi = try await RoentgenCLI.run(lcf + ["--space=chi"])
        #expect(chi.status == 0 && chi.stdout.contains("(chi, 0.0…") && !chi.stdout.contains("inf"), "\(chi.stdout.prefix(200))")
    }

    /// The feffit file: nfft, a negative degeneracy and taper widths beyond the grid, named by file and line.
    @Test(.enabled(if: SharedData.isPresent)) func fitFileRefusesNonsense() async throws {
        let example = SharedData.projectRoot.appendingPathComponent("examples/feffit/cu_1shell.yaml")
        let text = try String(contentsOf: example, encoding: .utf8).replacingOccurrences(of: "../../../shared/data/", with: SharedData.root.path + "/")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-feffit-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func run(_ edited: String) async throws -> RoentgenCLI.Result {
            let url = folder.appendingPathComponent("fit.yaml")
            try edited.write(to: url, atomically: true, encoding: .utf8)
            return try await RoentgenCLI.run(["xas", "fit", url.path])
        }
        #expect(text.contains("nfft: 2048") && text.contains("      dk: 4\n") && text.contains("        file: "))
        let cases: [(String, String)] = [
            (text.replacingOccurrences(of: "nfft: 2048", with: "nfft: 1e308"), "nfft 1e+308; expected a power of two from 16 to 1048576"),
            (text.replacingOccurrences(of: "      dk: 4\n", with: "      dk: 1e308\n"), "window tapers dk 1e+308"),
            (text.replacingOccurrences(of: "        file: ", with: "        degen: -12\n        file: "), "degen -12.0; a path degeneracy is ≥ 0"),
            (text.replacingOccurrences(of: "rbkg: 0.0", with: "rbkg: -1"), "rbkg = -1.0 Å; expected 0 ≤ rbkg < rmax"),
            (text.replacingOccurrences(of: "amp: {value: 1.0, vary: true}", with: "amp: {value: 1.0, vary: true, min: 0, max: -1}"), "parameter 'amp': min 0.0 is above max -1.0"),
        ]
        for (edited, said) in cases {
            let r = try await run(edited)
            #expect(r.status == 1 && r.stderr.contains(said) && r.stdout.isEmpty, "\(said): \(r.stderr)")
        }
        // A FEFF path file with a negative degeneracy is refused by its reader, naming the file and line.
        guard let feff = SharedData.url("xas/feffit/cu_1shell/feffcu01.dat") else { return }
        let bad = folder.appendingPathComponent("feff_negative.dat")
        let feffText = try String(contentsOf: feff, encoding: .utf8)
        #expect(feffText.contains("   2  12.000   2.5478"))
        try feffText.replacingOccurrences(of: "   2  12.000   2.5478", with: "   2 -12.000   2.5478").write(to: bad, atomically: true, encoding: .utf8)
        let paths = try await RoentgenCLI.run(["xas", "paths", bad.path])
        #expect(paths.status == 1 && paths.stderr.contains("feff_negative.dat") && paths.stderr.contains("degeneracy -12.0") && paths.stdout.isEmpty, "\(paths.stderr)")
    }
}
