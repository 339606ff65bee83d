import Foundation
import Testing
import TestSupport
@testable import XrayFormats

/// End-to-end tests of `roentgen read`, `convert` and `formats` through the built binary.
@Suite struct CLITests {
    func path(_ relative: String) throws -> String {
        try #require(SharedData.url(relative)).path
    }

    @Test(.enabled(if: SharedData.isPresent)) func readPrintsASummary() async throws {
        let r = try await RoentgenCLI.run(["read", try path("xas/xdi_spec/data/cu_metal_rt.xdi")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("[xdi]"))
        #expect(r.stdout.contains("408 points"))
        #expect(r.stdout.contains("μ(E) = mutrans"))
    }

    @Test(.enabled(if: SharedData.isPresent)) func badFileExitsNonZeroNamingFileAndLine() async throws {
        let file = try path("xas/xdi_spec/baddata/bad_13.xdi")
        let r = try await RoentgenCLI.run(["read", file])
        #expect(r.status != 0)
        #expect(r.stderr.contains("\(file):31"), "\(r.stderr)")
        let missing = try await RoentgenCLI.run(["read", "/nonexistent/file.xdi"])
        #expect(missing.status != 0 && missing.stderr.contains("no such file"))
    }

    @Test(.enabled(if: SharedData.isPresent)) func jsonHasTheIssueShape() async throws {
        let r = try await RoentgenCLI.run(["read", try path("xas/larch/athena_prj/MoO3-tutorial.prj"), "--json", "--group", "moo3_defaults", "--mu", "mu"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(json["format"] as? String == "athena")
        #expect(json["warnings"] is [Any])
        let scans = try #require(json["scans"] as? [[String: Any]])
        #expect(scans.count == 1)
        let scan = scans[0]
        #expect(scan["name"] as? String == "moo3-defaults")
        let columns = try #require(scan["columns"] as? [String: [Double]])
        #expect((columns["energy"]?.count ?? 0) > 100)
        #expect(columns["energy"]?.count == columns["mu"]?.count)
        #expect((scan["units"] as? [String: String])?["energy"] == "eV")
        #expect(scan.keys.contains("radiation"))
        let metadata = try #require(scan["metadata"] as? [String: String])
        #expect(metadata["mu_expression"] == "mu")
        #expect(metadata["bkg_e0"] != nil)
    }

    @Test(.enabled(if: SharedData.isPresent)) func convertToXDIReadsBack() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-cli-\(UUID().uuidString).xdi").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let source = try path("xas/larch/xafsdata/fe.060")
        let r = try await RoentgenCLI.run(["convert", source, "--to", "xdi", "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        let back = try FormatRegistry.read(URL(fileURLWithPath: out))
        let original = try FormatRegistry.read(URL(fileURLWithPath: source))
        #expect(back.format == "xdi")
        #expect(back.scans[0].columns["energy"] == original.scans[0].columns["energy"])
        #expect(back.scans[0].columns["it"] == original.scans[0].columns["it"])
        let csv = try await RoentgenCLI.run(["convert", source, "--to", "csv"])
        #expect(csv.stdout.hasPrefix("energy,i0,it\n6911.98862,41410.4,39622.2\n"))
        let many = try await RoentgenCLI.run(["convert", try path("xas/larch/athena_prj/cu.prj"), "--to", "xy"])
        #expect(many.status != 0 && many.stderr.contains("--group"))
    }

    @Test func formatsListsTheReaders() async throws {
        let r = try await RoentgenCLI.run(["formats"])
        #expect(r.status == 0)
        for id in ["xdi", "athena", "xas-columns"] { #expect(r.stdout.contains(id)) }
    }
}

extension CLITests {
    @Test(.enabled(if: SharedData.isPresent)) func badMuExpressionFails() async throws {
        let r = try await RoentgenCLI.run(["read", try path("xas/larch/xafsdata/fe.060"), "--mu", "ln(i0/nosuch)"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("nosuch") && r.stderr.contains("i0, it"), "\(r.stderr)")
    }
}

extension CLITests {
    /// `convert --to xy` writes energy and the chosen μ; `--to json` keeps every group.
    @Test(.enabled(if: SharedData.isPresent)) func convertToXYAndJSON() async throws {
        let source = try path("xas/larch/xafsdata/fe.060")
        let xy = try await RoentgenCLI.run(["convert", source, "--to", "xy"])
        #expect(xy.status == 0, "\(xy.stderr)")
        let lines = xy.stdout.split(separator: "\n")
        #expect(lines.first?.contains("ln(i0/it)") == true)
        let first = lines[1].split(separator: " ").compactMap { Double($0) }
        #expect(first.count == 2 && first[0] == 6911.98862)
        #expect(abs(first[1] - log(41410.4 / 39622.2)) < 1e-12)
        let json = try await RoentgenCLI.run(["convert", try path("xas/larch/athena_prj/cu.prj"), "--to", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((object["scans"] as? [Any])?.count == 3)
    }

    /// XDI's required Element.symbol/edge: kept where the file gives them, else guessed from E0
    /// (and said); the d-spacing used for angle-to-energy conversion is written as Mono.d_spacing.
    @Test(.enabled(if: SharedData.isPresent)) func convertToXDIFillsTheRequiredFields() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-lytle-\(getpid()).xdi").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        // Lytle's 1983 file: "5% CU/CAB", DSPACE 1.92017 in its header.
        let lytle = try await RoentgenCLI.run(["convert", try path("xas/demeter/filetypes/lytle.dat"), "--to", "xdi", "-o", out])
        #expect(lytle.status == 0, "\(lytle.stderr)")
        #expect(lytle.stderr.contains("Cu K guessed from E0"), "\(lytle.stderr)")
        let written = try String(contentsOfFile: out, encoding: .utf8)
        #expect(written.contains("# Element.symbol: Cu") && written.contains("# Element.edge: K"))
        #expect(written.contains("# Mono.d_spacing: 1.92017"))
        let back = try await RoentgenCLI.run(["read", out])
        #expect(back.status == 0 && !back.stdout.contains("required field"), "\(back.stdout)")
        // Photon Factory: energies from the mono angle with d = 3.13551 Å.
        let pf = try await RoentgenCLI.run(["convert", try path("xas/larch/beamlines/PF9A_2022.dat"), "--to", "xdi"])
        #expect(pf.stdout.contains("# Mono.d_spacing: 3.13551"))
        // A file that names its element keeps it, with no guess.
        let named = try await RoentgenCLI.run(["convert", try path("xas/xaslib/Fe2O3_rt_01.xdi"), "--to", "xdi"])
        #expect(named.stdout.contains("# Element.symbol: Fe") && !named.stdout.contains("element_guess") && !named.stderr.contains("guessed"))
    }

    /// Several files into a folder: one output per scan, the same text as one-file conversions;
    /// a bad file is reported with its line and the others still convert (exit status 1).
    @Test(.enabled(if: SharedData.isPresent)) func convertSeveralFilesIntoAFolder() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-batch-\(getpid())-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let inputs = [try path("xrd/text/SbI3.xye"), try path("xrd/bruker_raw/Cu3Au-1.raw"),
                      try path("xas/xdi_spec/baddata/bad_13.xdi"), try path("xas/larch/athena_prj/cu.prj")]
        let r = try await RoentgenCLI.run(["convert"] + inputs + ["--to", "xy", "-o", folder.path])
        #expect(r.status != 0)
        #expect(r.stdout.contains("converted 3 of 4 files") && r.stdout.contains("(5 outputs)"), "\(r.stdout)")
        #expect(r.stderr.contains("bad_13.xdi:31"), "\(r.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(names == ["Cu3Au-1.xy", "SbI3.xy", "cu_cu010k.dat.xy", "cu_cu050k.dat.xy", "cu_cu150k.dat.xy"], "\(names)")
        let single = try await RoentgenCLI.run(["convert", inputs[0], "--to", "xy"])
        #expect(try String(contentsOf: folder.appendingPathComponent("SbI3.xy"), encoding: .utf8) == single.stdout)
        let group = try await RoentgenCLI.run(["convert", inputs[3], "--to", "xy", "--group", "cu050k.dat"])
        #expect(try String(contentsOf: folder.appendingPathComponent("cu_cu050k.dat.xy"), encoding: .utf8) == group.stdout)
        // Several files need a folder.
        let noFolder = try await RoentgenCLI.run(["convert", inputs[0], inputs[1], "--to", "xy"])
        #expect(noFolder.status != 0 && noFolder.stderr.contains("-o DIR"))
        // A folder stands for its files (RIET7: D1A5.dat, PSI_DMC.dat).
        let riet7 = try path("xrd/riet7_dat")
        let fromFolder = folder.appendingPathComponent("riet7")
        let converted = try await RoentgenCLI.run(["convert", riet7, "--to", "csv", "-o", fromFolder.path])
        #expect(converted.status == 0 && converted.stdout.contains("converted 2 of 2 files"), "\(converted.stdout)\(converted.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: fromFolder.path).sorted() == ["D1A5.csv", "PSI_DMC.csv"])
        let read = try await RoentgenCLI.run(["read", riet7, "--json"])
        #expect(read.status == 0 && read.stdout.split(separator: "\n").count == 2)
    }

    /// Several files: JSON Lines in argument order; a bad file is reported and the rest still read.
    @Test(.enabled(if: SharedData.isPresent)) func readSeveralFilesAsJSONLines() async throws {
        let inputs = [try path("xrd/text/SbI3.xye"), try path("xrd/edge_cases/derived_empty.xy"), try path("xas/xaslib/Fe2O3_rt_01.xdi")]
        let r = try await RoentgenCLI.run(["read"] + inputs + ["--json"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("derived_empty.xy:1") && r.stderr.contains("1 of 3 files not read"), "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        let formats = try lines.map { line -> String? in
            (try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["format"] as? String
        }
        #expect(formats == ["xy", "xdi"])
        let one = try await RoentgenCLI.run(["read", inputs[0], "--json"])
        #expect(String(lines[0]) + "\n" == one.stdout)
    }
}
