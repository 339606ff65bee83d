import Foundation
import Testing
import TestSupport

@Suite struct SimulateCLITests {
    @Test(.enabled(if: SharedData.isPresent)) func simulateJSONHasTheContractKeys() async throws {
        let cif = try #require(SharedData.url("xrd/cif/common/DD_Silicon.cif"))
        let result = try await RoentgenCLI.run(["xrd", "simulate", cif.path, "--wavelength", "1.54184", "--range", "5:90", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["wavelength"] as? Double == 1.54184)
        let peaks = try #require(object["peaks"] as? [[String: Any]])
        // pymatgen: Si (111) at 28.467082°, the strongest line, multiplicity 8.
        let first = try #require(peaks.first)
        #expect(abs((first["two_theta"] as? Double ?? 0) - 28.467082) < 1e-4)
        #expect(first["intensity"] as? Double == 100)
        #expect(first["multiplicity"] as? Int == 8)
        #expect((first["hkl"] as? [[Int]]) == [[1, 1, 1]])
        #expect(first["d"] is Double)
    }

    @Test(.enabled(if: SharedData.isPresent)) func badParametersAndFilesExitNonZero() async throws {
        let cif = try #require(SharedData.url("xrd/cif/common/DD_Silicon.cif")).path
        let bad = try #require(SharedData.url("xrd/edge_cases/cif/diffpy_LiCl-bad.cif")).path
        let cases: [([String], String)] = [
            (["xrd", "simulate", cif, "--wavelength", "0"], "must be positive"),
            (["xrd", "simulate", cif, "--wavelength", "XxKa"], "not understood"),
            (["xrd", "simulate", cif, "--range", "5:190"], "0:180"),
            (["xrd", "simulate", cif, "--range", "90:5"], "start:end"),
            (["xrd", "simulate", bad], "diffpy_LiCl-bad.cif:14"),
            (["xrd", "simulate", "/nonexistent.cif"], "no such file"),
        ]
        for (args, words) in cases {
            let result = try await RoentgenCLI.run(args)
            #expect(result.status != 0, "\(args)")
            #expect(result.stderr.contains(words), "\(args): \(result.stderr)")
        }
    }

    @Test(.enabled(if: SharedData.isPresent)) func plotWritesSVG() async throws {
        let cif = try #require(SharedData.url("xrd/cif/common/AMCSD_Quartz-alpha.cif")).path
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-sim-\(getpid()).svg")
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try await RoentgenCLI.run(["xrd", "simulate", cif, "--plot", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        let svg = try String(contentsOf: out, encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        // One stick (a line in the first series' colour) per simulated peak.
        let json = try await RoentgenCLI.run(["xrd", "simulate", cif, "--json"])
        let peaks = try #require((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["peaks"] as? [Any])
        #expect(svg.components(separatedBy: "stroke=\"#1f77b4\"/>").count - 1 == peaks.count)
    }
}
