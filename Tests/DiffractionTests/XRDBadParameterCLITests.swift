import Foundation
import Testing
import TestSupport
@testable import Diffraction

/// Out-of-range and non-finite diffraction parameters are refused with a message naming them, a non-zero exit
/// and nothing on stdout (a sweep of the release binary found traps for NaN/inf widths, shifts and counts, and
/// nonsense taken silently).
@Suite struct XRDBadParameterCLITests {
    @Test(.enabled(if: SharedData.isPresent)) func simulatePeaksIdentifyRefuseNonsense() async throws {
        guard let nacl = SharedData.url("xrd/cif/common/DD_NaCl.cif"), let lab6 = SharedData.url("xrd/bruker_raw/LaB6_Jan2018.raw"),
              let cifs = SharedData.url("xrd/cif/common") else { return }
        let simulate = ["xrd", "simulate", nacl.path], peaks = ["xrd", "peaks", lab6.path], identify = ["xrd", "identify", lab6.path, "--candidates", cifs.path]
        let cases: [([String], String)] = [
            (simulate + ["--caglioti=nan,0,0"], "--caglioti 'nan,0,0' must be three finite numbers"),
            (simulate + ["--caglioti=1e308,0,0"], "a FWHM of"),
            (simulate + ["--caglioti=-1,-1,-1"], "FWHM² = U·tan²θ + V·tanθ + W is negative"),
            (simulate + ["--size=1e-308"], "--size 1e-308 nm"), (simulate + ["--size=inf"], "--size inf nm"),
            (simulate + ["--size=10", "--step=1e-9"], "--step 1e-09° gives 8.5e+10 points"),
            (simulate + ["--size=10", "--step=inf"], "--step inf°"),
            (simulate + ["--wavelength=-17keV"], "the energy must be positive and finite"),
            (simulate + ["--wavelength=1e308"], "not a plausible X-ray or neutron wavelength"),
            (peaks + ["--background-width=nan"], "--background-width nan°"), (peaks + ["--background-width=1e308"], "--background-width 1e+308°"),
            (peaks + ["--background-width=0"], "--background-width 0.0°"),
            (peaks + ["--min-height=-1"], "--min-height -1.0"), (peaks + ["--min-height=2"], "--min-height 2.0"),
            (peaks + ["--instrumental-fwhm=-1"], "--instrumental-fwhm -1.0°"), (peaks + ["--instrumental-fwhm=nan"], "--instrumental-fwhm nan°"),
            (identify + ["--top=-1"], "--top -1; expected 1…1000"), (identify + ["--top=0"], "--top 0"),
            (identify + ["--max-shift=-1"], "--max-shift -1.0°"), (identify + ["--max-shift=nan"], "--max-shift nan°"),
            (identify + ["--range=-10:200"], "2θ lies within 0…180°"), (identify + ["--range=10:inf"], "--range '10:inf' not understood"),
            (identify + ["--background=-1"], "--background -1; expected 1…36"),
        ]
        for (args, said) in cases {
            let r = try await RoentgenCLI.run(args)
            #expect(r.status == 1 && r.stderr.contains(said) && r.stdout.isEmpty, "\(args.suffix(2)): \(r.status) \(r.stderr)")
        }
        // A step that does not divide the range gives no point past its end (was 5, 55, 105 for 5:90 by 50).
        let coarse = try await RoentgenCLI.run(simulate + ["--size=10", "--step=40", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(coarse.stdout.utf8)) as? [String: Any])
        #expect(((object["profile"] as? [String: Any])?["two_theta"] as? [Double]) == [5, 45, 85])
    }

    @Test(.enabled(if: SharedData.isPresent)) func refinementFileAndQuickFormRefuseNonsense() async throws {
        let dir = "xrd/rietveld/lab6_bruker"
        guard let data = SharedData.url("\(dir)/LaB6_Jan2018.raw"), let cif = SharedData.url("\(dir)/LaB6.cif"),
              let instprm = SharedData.url("\(dir)/LaB6_CuKa12_start.instprm") else { return }
        let example = SharedData.projectRoot.appendingPathComponent("examples/rietveld/lab6_bruker.yaml")
        let text = try String(contentsOf: example, encoding: .utf8).replacingOccurrences(of: "../../../shared/data/", with: SharedData.root.path + "/")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-riet-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let recipe = folder.appendingPathComponent("r.yaml")
        let edits: [(String, String, String)] = [
            ("range: [19.99, 70.01]", "range: [-10, 200]", "range: 2θ lies within 0…180°"),
            ("  polarization: 0.5", "  polarization: 5", "polarization 5.0: expected a polarisation fraction"),
            ("  goniometer_radius: 250", "  goniometer_radius: -250", "goniometer_radius -250.0: expected a radius in mm"),
            ("  lambda2: 1.54439", "  lambda2: -1", "lambda2 -1.0 Å: not a plausible X-ray or neutron wavelength"),
            ("repeat_last: true", "repeat_last: maybe", "repeat_last must be true or false"),
            ("  W: 5.0", "  W: -500", "parameter 'W' starts at -500.0, outside its bounds 0.0…inf"),
            ("  SH_L: 0.015", "  SH_L: -1", "parameter 'SH_L' starts at -1.0, outside its bounds 0.0…inf"),
        ]
        for (anchor, replacement, said) in edits {
            #expect(text.contains(anchor), "the example has no '\(anchor)'")
            try text.replacingOccurrences(of: anchor, with: replacement).write(to: recipe, atomically: true, encoding: .utf8)
            let r = try await RoentgenCLI.run(["xrd", "refine", recipe.path])
            #expect(r.status == 1 && r.stderr.contains(said) && r.stdout.isEmpty, "\(anchor): \(r.status) \(r.stderr)")
        }
        try text.write(to: recipe, atomically: true, encoding: .utf8)
        let quick = ["xrd", "refine", data.path, "--phase", cif.path, "--instrument", instprm.path]
        let cases: [([String], String)] = [
            ([ "xrd", "refine", recipe.path, "--background=5"], "--background belongs to the quick form"),
            (quick + ["--background=0"], "--background 0; expected 1…36"),
            (quick + ["--phase", cif.path], "is given twice"),
        ]
        for (args, said) in cases {
            let r = try await RoentgenCLI.run(args)
            #expect(r.status == 1 && r.stderr.contains(said) && r.stdout.isEmpty, "\(args.suffix(2)): \(r.status) \(r.stderr)")
        }
    }

    /// GSAS's Gauss–Legendre rule choice for a Lorentzian width that rounds to zero in single precision:
    /// the largest rule (was a trap converting an infinite Float to Int).
    @Test func fcjRuleForAVanishingWidth() {
        let largest = FCJQuadrature.counts[FCJQuadrature.counts.count - 1]
        #expect(FCJProfile.nodeCount(position: 30, shl: 0.02, gamma: 1e-300) == largest)
        #expect(FCJProfile.nodeCount(position: 30, shl: 0.02, gamma: .nan) <= largest)
    }
}
