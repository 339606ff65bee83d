import Foundation
import Integration
import Testing
import TestSupport

/// Detector orientation (PONI 2.1 `"orientation"` 1–4) against pyFAI 2026.9 (Tests/Fixtures/images/
/// make_orientation_reference.py) on `CeO2_Pilatus1M.tif`, a CeO2 frame stored upside down relative to its PONI.
@Suite struct OrientationTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var name: String; var poni_text: String; var method: String; var errors: String; var npt: Int
            var radial: [Double]; var intensity: [Double?]; var sigma: [Double?]
        }
        var image: String
        var cases: [Case]
    }

    @Test(arguments: ["orientation2_no", "orientation1_bbox_azimuthal", "orientation4_full"])
    func matchesPyFAI(_ name: String) async throws {
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: SharedData.fixture("images/pyfai_orientation.json")))
        let c = try #require(fixture.cases.first { $0.name == name })
        guard let image = SharedData.url(fixture.image) else { print(SharedData.missing(fixture.image)); return }
        let poni = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-orientation-\(UUID().uuidString).poni")
        try c.poni_text.write(to: poni, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: poni) }
        let r = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--npt", "\(c.npt)", "--method", c.method,
                                           "--errors", c.errors, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let (radial, intensity, sigma) = try patternArrays(object)
        #expect(radial.count == c.npt && intensity.count == c.npt && sigma.count == c.npt)
        guard radial.count == c.npt, intensity.count == c.npt, sigma.count == c.npt else { return }
        let off = valuesOff(radial: radial, intensity: intensity, sigma: sigma,
                            expectedRadial: c.radial, expectedIntensity: c.intensity, expectedSigma: c.sigma)
        #expect(off == 0, "\(name): \(off) values more than 1e-4 from pyFAI")
        if name == "orientation2_no" {
            // The first CeO2 ring (7.46° at 0.4066 Å) stands out of its surroundings in this orientation.
            var near = 0.0, around = 0.0
            for (x, y) in zip(radial, intensity) {
                let d: Double = abs(x - 7.46)
                if d < 0.05 { near = max(near, y) }
                if d > 0.2 && d < 0.4 { around = max(around, y) }
            }
            #expect(near > 10 * around, "\(near) vs \(around)")
        }
    }

    /// The PONI's orientation: read from Detector_config, written back (version 2.1), refused outside 1–4; and
    /// calibrate in orientation 2 (the frame re-indexed into orientation 3 and back): from the CeO2 PONI made
    /// orientation 2, the geometry of the stored image, it returns to that PONI's parameters as closely as the
    /// orientation-3 calibration returns to the flipped ones (`CalibrateCLITests.ringEvidence`), with the same
    /// beam centre in the stored image's pixels.
    @Test func poniOrientation() async throws {
        let text = "poni_version: 2.1\nDetector: Detector\nDetector_config: {\"pixel1\": 0.000172, \"pixel2\": 0.000172, \"max_shape\": [1043, 981], \"orientation\": 2}\nDistance: 0.2\nPoni1: 0.1\nPoni2: 0.1\nRot1: 0\nRot2: 0\nRot3: 0\nWavelength: 1e-10\n"
        let g = try PONIGeometry.parse(text, file: "o2.poni")
        #expect(g.orientation == 2 && g.flipsRows && !g.flipsColumns)
        let again = try PONIGeometry.parse(g.poniText(), file: "again.poni")
        #expect(again.orientation == 2 && g.poniText().contains("poni_version: 2.1") && g.poniText().contains("\"orientation\": 2"))
        #expect(try PONIGeometry.parse(text.replacingOccurrences(of: ", \"orientation\": 2", with: ""), file: "o3.poni").orientation == 3)
        #expect(throws: (any Error).self) { try PONIGeometry.parse(text.replacingOccurrences(of: "\"orientation\": 2", with: "\"orientation\": 5"), file: "o5.poni") }
        guard let image = SharedData.url("images/CeO2_Pilatus1M.tif") else { return }
        let poni = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-orientation-\(UUID().uuidString).poni")
        try text.write(to: poni, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: poni) }
        let dioptas = text.replacingOccurrences(of: "Distance: 0.2\nPoni1: 0.1\nPoni2: 0.1\nRot1: 0\nRot2: 0\nRot3: 0\nWavelength: 1e-10",
                                                with: "Distance: 0.208651380603\nPoni1: 0.0872948482846\nPoni2: 0.0799601126306\nRot1: -0.0184422457059\nRot2: 0.00413760084465\nRot3: -2.77645988275e-08\nWavelength: 4.066e-11")
        try dioptas.write(to: poni, atomically: true, encoding: .utf8)
        let r = try await RoentgenCLI.run(["calibrate", image.path, "--calibrant", "CeO2", "--poni", poni.path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let d = try #require(j["distance_m"] as? Double), p1 = try #require(j["poni1_m"] as? Double), p2 = try #require(j["poni2_m"] as? Double)
        let r1 = try #require(j["rot1"] as? Double), r2 = try #require(j["rot2"] as? Double)
        #expect(abs(d - 0.208651380603) < 5e-5 && abs(p1 - 0.0872948482846) < 5e-5 && abs(p2 - 0.0799601126306) < 1.5e-4, "\(d) \(p1) \(p2)")
        #expect(abs(r1 + 0.0184422457059) < 5e-4 && abs(r2 - 0.00413760084465) < 5e-4, "\(r1) \(r2)")
        #expect((j["warnings"] as? [String])?.isEmpty == true && (j["control_points_per_ring"] as? [String: Int])?.count == 17)
        let centre = try #require(j["beam_center_px"] as? [Double])
        #expect(centre.count == 2 && abs(centre[0] - 487.40) < 0.05 && abs(centre[1] - 530.39) < 0.05, "\(centre)")
    }

    /// pyFAI-calib2's control points of the tilted Pilatus 300K-W, flipped as the stored image of a detector of
    /// orientation 1, 2 or 4 would hold them (row → 194 − row, column → 1474 − column): from the PONI given that
    /// orientation and 30 mm off, tilts held, `calibrate --control-points` ends where pyFAI 2026.9's
    /// `GeometryRefinement.refine2` does on those points with that orientation (dist 0.4385166139, poni1
    /// 0.1057817337, poni2 0.5344189020 m, as for orientation 3; Tests/Fixtures/images/pyfai_npt_anchor.py), the
    /// beam centre in the stored image's pixels.
    @Test(arguments: [1, 2, 4])
    func controlPointsOfAFlippedDetector(_ orientation: Int) async throws {
        guard let nptURL = SharedData.url("images/b_toney_Lab6_thtth_rightside_scan2_0009.npt"),
              let poniURL = SharedData.url("images/b_toney_Lab6_thtth_rightside_scan2_0009.poni"),
              let image = SharedData.url("images/b_toney_Lab6_thtth_rightside_scan2_0009.tif") else { return }
        let rows = 195, columns = 1475
        let flipRows = orientation == 1 || orientation == 2, flipColumns = orientation == 1 || orientation == 4
        // The .npt text (CRLF lines) with every point's x (column) and y (row) flipped.
        let flipped = try String(contentsOf: nptURL, encoding: .utf8).replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.hasPrefix("point:") else { return String(line) }
            var out = "point:"
            for field in line.dropFirst(6).split(separator: " ") {
                if field.hasPrefix("x="), let x = Double(field.dropFirst(2)) { out += " x=\(flipColumns ? Double(columns - 1) - x : x)" }
                else if field.hasPrefix("y="), let y = Double(field.dropFirst(2)) { out += " y=\(flipRows ? Double(rows - 1) - y : y)" }
                else { out += " " + field }
            }
            return out
        }.joined(separator: "\n")
        #expect(flipped.components(separatedBy: "point:").count == 73)
        var start = try PONIGeometry.parse(String(contentsOf: poniURL, encoding: .utf8), file: poniURL.path)
        let target = start.fit2d
        start.orientation = orientation
        start.distance += 0.030
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-orientation-npt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let npt = folder.appendingPathComponent("flipped.npt"), poni = folder.appendingPathComponent("start.poni")
        try flipped.write(to: npt, atomically: true, encoding: .utf8)
        try start.poniText().write(to: poni, atomically: true, encoding: .utf8)
        let r = try await RoentgenCLI.run(["calibrate", image.path, "--calibrant", "LaB6", "--poni", poni.path, "--control-points", npt.path,
                                           "--fix-tilts", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        guard r.status == 0 else { return }
        let j = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let d = try #require(j["distance_m"] as? Double), p1 = try #require(j["poni1_m"] as? Double), p2 = try #require(j["poni2_m"] as? Double)
        #expect(abs(d - 0.4385166139121795) < 2e-5 && abs(p1 - 0.10578173369224968) < 2e-5 && abs(p2 - 0.5344189019729669) < 2e-5, "\(d) \(p1) \(p2)")
        let centre = try #require(j["beam_center_px"] as? [Double])
        let x = flipColumns ? Double(columns) - target.centerX : target.centerX, y = flipRows ? Double(rows) - target.centerY : target.centerY
        #expect(centre.count == 2 && abs(centre[0] - x) < 0.5 && abs(centre[1] - y) < 0.5, "\(centre) against \(x), \(y)")
    }
}
