import Foundation
import Testing
import TestSupport

/// `roentgen pdf fit` end to end: the example fit files (YAML), the JSON contract, the quick form, bad input.
@Suite struct PDFFitCLITests {
    static let examples = SharedData.projectRoot.appendingPathComponent("examples/pdf-fit")

    /// Every recipe fit has its example file, and the Ni lesson-1 example gives PDFfit2's Rw with the JSON keys
    /// the issue lists.
    @Test(.enabled(if: SharedData.isPresent)) func exampleFitJSON() async throws {
        for name in ["ni_pdfgetx3-lesson1", "ni_pdfgetx3-lesson4_delta2", "ni_pdfgetx3-delta2_qbroad", "ni_pdfgetx3-delta1_qbroad",
                     "lcmo_x000_10k-x000_10k", "cdse_wurtzite-bulk", "cdse_wurtzite-nano_3nm", "cdse_wurtzite-bulk_aniso"] {
            #expect(FileManager.default.fileExists(atPath: Self.examples.appendingPathComponent("\(name).yaml").path), "\(name)")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-pdffit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let svg = dir.appendingPathComponent("fit.svg").path
        let result = try await RoentgenCLI.run(["pdf", "fit", Self.examples.appendingPathComponent("ni_pdfgetx3-lesson1.yaml").path, "--json",
                                          "--plot", svg, "--cif-out", dir.appendingPathComponent("cif").path])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        // PDFfit2 1.5.2: Rw 0.14946937660805784, @3 = 3.52423109942411 (esd 0.00036).
        #expect(abs((object["rw"] as? Double ?? 0) - 0.14946937660805784) < 1e-6)
        let params = try #require(object["params"] as? [String: [String: Any]])
        let a = try #require(params["@3"])
        #expect(abs((a["value"] as? Double ?? 0) - 3.52423109942411) < 1e-5)
        #expect(a["esd"] is Double && a["esd_pdffit2"] is Double)
        let phase = try #require((object["phases"] as? [[String: Any]])?.first)
        for key in ["name", "cell", "cell_esd", "sites"] { #expect(phase[key] != nil, "phases[0].\(key)") }
        #expect(((phase["cell"] as? [String: Double])?["a"] ?? 0) - 3.52423109942411 < 1e-5)
        #expect(((phase["cell_esd"] as? [String: Any])?["a"] as? Double ?? 0) > 0)
        #expect((phase["sites"] as? [Any])?.count == 4)
        let pattern = try #require(object["pattern"] as? [String: [Double]])
        for key in ["r", "g_observed", "g_calculated", "difference"] { #expect(pattern[key]?.count == 2831, "pattern.\(key)") }
        #expect(object["provenance"] is [String: Any])
        #expect(try String(contentsOfFile: svg, encoding: .utf8).contains("<svg"))
        let cif = try String(contentsOf: dir.appendingPathComponent("cif/9008476.cif"), encoding: .utf8)
        #expect(cif.contains("_cell_length_a") && cif.contains("3.52423"))
    }

    /// The quick form refines the default set (dscale, lattice, Uiso per element, qdamp, delta2).
    @Test(.enabled(if: SharedData.isPresent)) func quickForm() async throws {
        let gr = try #require(SharedData.url("xrd/pdf/pdfgetx3_Ni/ni300mesh_300k_nor_1-5-pdfgetx3.gr")).path
        let cif = try #require(SharedData.url("xrd/cif/diffpy/srreal_Ni.cif")).path
        let result = try await RoentgenCLI.run(["pdf", "fit", gr, "--phase", cif, "--qmax", "26", "--range", "1.7:30", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let params = try #require(object["params"] as? [String: Any])
        #expect(Set(params.keys) == ["scale", "a", "Uiso_Ni", "qdamp", "delta2"])
        // The same model as PDFgui lesson 4 (delta2 free): PDFfit2's Rw there is 0.11616366.
        #expect(abs((object["rw"] as? Double ?? 0) - 0.11616366033650025) < 1e-5)
    }

    /// Bad input names the file, line or parameter.
    @Test(.enabled(if: SharedData.isPresent)) func badInput() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-pdffit-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let fq = dir.appendingPathComponent("fq.gr")
        try "#L q F(Q)\n1 2\n2 3\n3 4\n".write(to: fq, atomically: true, encoding: .utf8)
        let empty = dir.appendingPathComponent("empty.stru")
        try "title x\nformat pdffit\ncell 4, 4, 4, 90, 90, 90\natoms\n".write(to: empty, atomically: true, encoding: .utf8)
        let stru = try #require(SharedData.url("xrd/pdf-fit/cdse_wurtzite/CdSe-wurtzite.stru")).path
        let bulk = try #require(SharedData.url("xrd/pdf-fit/cdse_wurtzite/CdSe-bulk.gr")).path
        // A fit file whose constraint names an unknown variable (@7), line 7.
        let yaml = dir.appendingPathComponent("bad.yaml")
        try """
        data: {file: \(bulk), radiation: X, qmax: 14, fit_range: [1.7, 19.8]}
        phases:
          - structure: \(stru)
        parameters:
          "@1": 4.3
        constraints:
          lat(1): "@7"
        """.write(to: yaml, atomically: true, encoding: .utf8)
        let range = dir.appendingPathComponent("range.yaml")
        try "data: {file: \(bulk), radiation: X, qmax: 14, fit_range: [1.7, 60]}\nphases:\n  - structure: \(stru)\n".write(to: range, atomically: true, encoding: .utf8)
        let cases: [([String], [String])] = [
            (["pdf", "fit", fq.path, "--phase", stru, "--qmax", "14"], ["fq.gr", "no r column"]),
            (["pdf", "fit", bulk, "--phase", empty.path, "--qmax", "14"], ["empty.stru", "no atoms"]),
            (["pdf", "fit", bulk, "--phase", stru, "--qmax", "14", "--range", "1:60"], ["CdSe-bulk.gr", "outside the data"]),
            (["pdf", "fit", range.path], ["range.yaml:1", "outside the data"]),
            (["pdf", "fit", yaml.path], ["bad.yaml:7", "unknown variable '@7'", "lat(1)"]),
        ]
        for (args, words) in cases {
            let result = try await RoentgenCLI.run(args)
            #expect(result.status != 0, "\(args)")
            for w in words { #expect(result.stderr.contains(w), "\(args): \(result.stderr)") }
        }
    }
}
