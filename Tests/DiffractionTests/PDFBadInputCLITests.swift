import Foundation
import Testing
import TestSupport

/// `pdf reduce | simulate | fit` refuse options they cannot use, naming the option (or the fit file's
/// line), with a non-zero exit and nothing on stdout; before, these trapped (Double → Int of inf or 1e308),
/// hung (a grid of 10⁸ or 10¹⁰ points) or were taken silently.
@Suite(.timeLimit(.minutes(5))) struct PDFBadInputCLITests {
    static let ni = "xrd/pdf/pdfgetx3_Ni"

    /// `roentgen pdf reduce` of PDFgetX3's Ni example (data to Q = 31.107 Å⁻¹ at λ 0.142774 Å) with `extra`.
    static func reduce(_ extra: [String]) async throws -> RoentgenCLI.Result? {
        guard let sample = SharedData.url(ni + "/ni300mesh_300k_nor_1-5.chi"), let background = SharedData.url(ni + "/kapton_bgrd_300k_nor_2-3.chi") else {
            print(SharedData.missing(ni)); return nil
        }
        return try await RoentgenCLI.run(["pdf", "reduce", sample.path, "--composition", "Ni", "--background", background.path,
                                          "--wavelength", "0.142774"] + extra)
    }

    @Test func reduceRefusesOptionsItCannotUse() async throws {
        let cases: [([String], [String])] = [
            // Traps before: Int(rpoly·qmaxinst/π) of inf or 1e308.
            (["--qmax=inf"], ["--qmax inf", "finite"]),
            (["--qmax=1e308"], ["--qmax 1e+308", "at most 100"]),
            (["--qmaxinst=inf"], ["--qmaxinst inf"]),
            (["--rpoly=inf"], ["--rpoly inf"]),
            (["--rpoly=1e308"], ["--rpoly 1e+308", "degree"]),
            // Hangs before: 10⁸ … 3·10⁹ r points.
            (["--range=0:1e6"], ["--range", "1e+08 r points", "at most 100000"]),
            (["--range=0:inf"], ["--range", "finite"]),
            (["--range=0:1e308"], ["--range", "at most 100000"]),
            (["--rstep=1e-9"], ["--rstep 1e-09", "at most 100000"]),
            // Taken silently before.
            (["--range=-5:30"], ["--range -5.0:30.0", "0 Å or above"]),
            (["--rstep=inf"], ["--rstep inf"]),
            (["--rstep=1e308"], ["--rstep 1e+308", "single r point"]),
            (["--rpoly=0"], ["--rpoly 0.0"]), (["--rpoly=-1"], ["--rpoly -1.0"]), (["--rpoly=nan"], ["--rpoly nan"]),
            (["--qmin=-1"], ["--qmin -1.0"]),
            (["--bgscale=-1"], ["--bgscale -1.0"]), (["--bgscale=nan"], ["--bgscale nan"]), (["--bgscale=inf"], ["--bgscale inf"]), (["--bgscale=1e308"], ["--bgscale 1e+308", "0…100"]),
            (["--qmax=1000"], ["--qmax 1000.0", "lower --qmax"]),
            (["--qmax=35", "--qmaxinst=36"], ["--qmax 35.0", "beyond the data", "31.107"]),
            // The generic "need qmin < qmax ≤ qmaxinst …" now says which condition fails.
            (["--qmaxinst=20"], ["--qmax 26.0 is above --qmaxinst 20.0"]),
            (["--qmin=27"], ["--qmin 27.0 is not below --qmax 26.0"]),
        ]
        for (extra, words) in cases {
            guard let r = try await Self.reduce(extra) else { return }
            #expect(r.status != 0 && r.stdout.isEmpty, "\(extra): status \(r.status), stdout \(r.stdout.prefix(100))")
            for w in words { #expect(r.stderr.contains(w), "\(extra): \(r.stderr)") }
        }
        // The data's own Qmax is still accepted.
        guard let ok = try await Self.reduce(["--qmax=31", "--qmaxinst=31.5", "--range=0:5"]) else { return }
        #expect(ok.status == 0 && ok.stdout.contains("qmax 31.0"), "\(ok.stderr)")
    }

    @Test func simulateRefusesOptionsItCannotUse() async throws {
        guard let cif = SharedData.url("xrd/cif/common/DD_Copper.cif")?.path else { print(SharedData.missing("xrd/cif/common")); return }
        let cases: [([String], [String])] = [
            (["--qmax=inf"], ["--qmax inf", "finite Qmax"]),
            (["--qmax=1e-300"], ["--qmax 1e-300", "≥ 1.0"]),
            (["--range=0.01:inf"], ["--range '0.01:inf' not understood"]),
            (["--rstep=1e-9"], ["--rstep 1e-09", "at most 100000"]),
            // 46 s and ~10 GB before for 0.01:500, past 60 s for 650.
            (["--range=0.01:650"], ["--range 0.01:650.0", "atom pairs", "rmax ≤ 237 Å"]),
            (["--qdamp=inf"], ["--qdamp inf"]),
            (["--uiso=inf"], ["--uiso inf"]), (["--uiso=1e308"], ["--uiso 1e+308"]),
        ]
        for (extra, words) in cases {
            let r = try await RoentgenCLI.run(["pdf", "simulate", cif] + extra)
            #expect(r.status != 0 && r.stdout.isEmpty, "\(extra): status \(r.status)")
            for w in words { #expect(r.stderr.contains(w), "\(extra): \(r.stderr)") }
        }
        // A Qmax beyond the grid's Nyquist limit π/Δr filters nothing: G as without termination (it trapped before).
        let huge = try await RoentgenCLI.run(["pdf", "simulate", cif, "--qmax=1e308", "--json"])
        let none = try await RoentgenCLI.run(["pdf", "simulate", cif, "--qmax=0", "--json"])
        #expect(huge.status == 0 && none.status == 0, "\(huge.stderr)")
        let g = { (text: String) in ((try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any])?["g"] as? [Double] }
        #expect(g(huge.stdout) != nil && g(huge.stdout) == g(none.stdout))
    }

    /// The Ni lesson-1 fit file copied to `folder` with its relative paths made absolute and `change` applied.
    static func lessonFile(in folder: URL, name: String = "fit.yaml", _ change: (String) -> String) throws -> String {
        let example = SharedData.projectRoot.appendingPathComponent("examples/pdf-fit/ni_pdfgetx3-lesson1.yaml")
        let text = try String(contentsOf: example, encoding: .utf8).replacingOccurrences(of: "../../../shared/data/", with: SharedData.root.path + "/")
        let url = folder.appendingPathComponent(name)
        try change(text).write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func fitRefusesBadQmaxAndNegativeSettings() async throws {
        guard let gr = SharedData.url(Self.ni + "/ni300mesh_300k_nor_1-5-pdfgetx3.gr")?.path,
              let cif = SharedData.url("xrd/cif/diffpy/srreal_Ni.cif")?.path else { print(SharedData.missing(Self.ni)); return }
        // Quick form: traps before (inf, 1e-300: Int of an infinite calculation range).
        for q in ["inf", "1e-300", "nan"] {
            let r = try await RoentgenCLI.run(["pdf", "fit", gr, "--phase", cif, "--qmax=\(q)"])
            #expect(r.status != 0 && r.stdout.isEmpty && r.stderr.contains("--qmax \(q)"), "\(q): \(r.stderr)")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-pdffit-settings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // qmax: 1e308 trapped in the Qmax filter; beyond π/Δr it filters nothing, and the fit runs.
        let huge = try Self.lessonFile(in: folder, name: "huge.yaml") { $0.replacingOccurrences(of: "qmax: 26.0", with: "qmax: 1e308") }
        let fitted = try await RoentgenCLI.run(["pdf", "fit", huge])
        #expect(fitted.status == 0 && fitted.stdout.contains("Rw"), "\(fitted.stderr)")
        // Settings PDFfit2 would take as |x| or as "none", or that flip G: refused with the file and line.
        let cases: [(String, String, String)] = [
            ("qmax: 26.0", "qmax: 1e-300", "fit.yaml:7: qmax 1e-300"),
            ("pscale: 1.0", "pscale: -1", "fit.yaml:12: pscale -1.0"),
            ("qbroad: 0.0", "qbroad: -1", "fit.yaml:9: qbroad -1.0"),
            ("spdiameter: 0.0", "spdiameter: -10", "fit.yaml:17: spdiameter -10.0"),
            ("sratio: 1.0", "sratio: -1", "fit.yaml:15: sratio -1.0"),
            ("sratio: 1.0", "sratio: 0", "fit.yaml:15: sratio 0.0"),
            ("rcut: 0.0", "rcut: -1", "fit.yaml:16: rcut -1.0"),
        ]
        for (from, to, said) in cases {
            let file = try Self.lessonFile(in: folder) { $0.replacingOccurrences(of: from, with: to) }
            let r = try await RoentgenCLI.run(["pdf", "fit", file])
            #expect(r.status != 0 && r.stdout.isEmpty && r.stderr.contains(said), "\(to): \(r.stderr)")
        }
    }
}
