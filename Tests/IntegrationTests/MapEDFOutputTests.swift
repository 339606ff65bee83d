import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

/// `integrate -o MAP.edf`: a cake or fiber map as pyFAI's `save2D` writes one (float32 intensities, σ as a second
/// frame, `<unit>_min`/`_max` header keys), read back by Roentgen's EDF reader and, where installed, by fabio:
/// the numbers are the JSON's rounded to float32, bit for bit.
@Suite struct MapEDFOutputTests {
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-edf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Runs `integrate … -o OUT --json` and returns the JSON object and the EDF as Roentgen reads it.
    static func written(_ arguments: [String], to out: URL) async throws -> ([String: Any], DetectorImage) {
        let r = try await RoentgenCLI.run(arguments + ["-o", out.path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        return (object, try DetectorImages.read(out))
    }

    @Test func cakeAndFiberMapAsPyFAIWritesThem() async throws {
        guard let ceo2 = SharedData.url("images/CeO2_Pilatus1M.tif"), let poni = SharedData.url("images/CeO2_Pilatus1M.poni") else {
            print(SharedData.missing("images")); return
        }
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cake = folder.appendingPathComponent("cake.edf"), map = folder.appendingPathComponent("map.edf")
        let cases: [(URL, [String], String, String)] = [
            (cake, ["--npt", "50", "--npt-azim", "36"], "2th_deg", "chi_deg"),
            (map, ["--incident-angle", "0.1", "--tilt-angle", "0.4", "--npt-ip", "40", "--npt-oop", "30", "--unit-ip", "qip_A^-1"], "qip_A^-1", "qoop_nm^-1"),
        ]
        for (out, extra, first, second) in cases {
            let (object, image) = try await Self.written(["integrate", ceo2.path, "--poni", poni.path] + extra, to: out)
            let radial = try #require(object["radial"] as? [Double]), azimuthal = try #require(object["azimuthal"] as? [Double])
            let intensity = try #require(object["intensity"] as? [[Double]]).flatMap { $0 }, sigma = try #require(object["sigma"] as? [[Double]]).flatMap { $0 }
            #expect(image.rows == azimuthal.count && image.columns == radial.count && image.frames.count == 2 && image.pixelType == .float32)
            guard image.frames.count == 2, image.frames[0].count == intensity.count else { continue }
            #expect(image.frames[0] == intensity.map { Double(Float($0)) } && image.frames[1] == sigma.map { Double(Float($0)) })
            // (JSONSerialization reads the JSON's numbers to about an ulp: compared to 1e-12.)
            func close(_ key: String, _ value: Double) -> Bool { image.header[key].flatMap(Double.init).map { abs($0 - value) <= 1e-12 * max(abs(value), 1) } ?? false }
            #expect(close("\(first)_min", radial.min()!) && close("\(first)_max", radial.max()!))
            #expect(close("\(second)_min", azimuthal.min()!) && close("\(second)_max", azimuthal.max()!))
            #expect(image.header["has_mask_applied"] == "True" && image.header["polarization_factor"] == "None")
            #expect(image.header["dist"].flatMap(Double.init) != nil && image.header["source"] == ceo2.path)
            if first == "qip_A^-1" { #expect(image.header["incident_angle_deg"] == "0.1" && image.header["sample_orientation"] == "1") }
            // fabio, where installed, reads the same two frames and keys.
            let script = """
            import sys, json, fabio
            f = fabio.open(sys.argv[1])
            print(json.dumps({'frames': f.nframes, 'first': f.data.ravel().tolist(), 'error': f.getframe(1).data.ravel().tolist(),
                              'block': f.getframe(1).header.get('EDF_DataBlockID'), 'min': float(f.header.get(sys.argv[2] + '_min'))}))
            """
            let run = IntegrateNeXusTests.python(["-c", script, out.path, first])
            guard run.status == 0, let line = run.output.split(separator: "\n").last,
                  let fabio = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                print("python3 with fabio not available (\(run.output.suffix(200))): skipping fabio's reading"); continue
            }
            func same(_ a: [Double]?, _ b: [Double]) -> Bool { a.map { $0.count == b.count && zip($0, b).allSatisfy { abs($0 - $1) <= 1e-12 * max(abs($1), 1e-300) } } ?? false }
            #expect(fabio["frames"] as? Int == 2 && fabio["block"] as? String == "1.Image.Error")
            #expect(abs((fabio["min"] as? Double ?? .nan) - radial.min()!) <= 1e-12 * max(abs(radial.min()!), 1))
            #expect(same(fabio["first"] as? [Double], image.frames[0]) && same(fabio["error"] as? [Double], image.frames[1]))
        }
    }

    /// A 1-D pattern to `.edf` is refused before anything is integrated or written (CLI and API share the check).
    @Test func patternToEDFRefused() async throws {
        guard let ceo2 = SharedData.url("images/CeO2_Pilatus1M.tif"), let poni = SharedData.url("images/CeO2_Pilatus1M.poni") else { return }
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("pattern.edf")
        for extra in [[], ["--npt-azim", "36", "--chi-profile"], ["--fiber-profile", "oop"]] {
            let r = try await RoentgenCLI.run(["integrate", ceo2.path, "--poni", poni.path, "-o", out.path] + extra)
            #expect(r.status != 0 && r.stderr.contains("an EDF file holds a 2-D cake or fiber map"), "\(extra): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out.path))
        }
    }
}
