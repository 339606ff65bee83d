import Foundation
import Testing
import TestSupport
import XrayCore
import XrayFormats
@testable import Integration

/// `roentgen calibrate` end to end: the JSON keys the issue names, the PONI file it writes, and
/// clean failures for bad input.
@Suite struct CalibrateCLITests {
    static func temporary(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-calibrate-\(UUID().uuidString)-\(name)")
    }

    /// The AgBh Pilatus 1M frame from a start PONI 30 mm and 4 mrad off: JSON keys with esds, a PONI
    /// v2 file that reads back, and the beam centre of Pilatus1M.poni within 0.2 px.
    @Test func agbhJSONAndPONI() async throws {
        guard let image = SharedData.url("images/Pilatus1M.edf"), let poniURL = SharedData.url("images/Pilatus1M.poni") else { return }
        var start = try PONIGeometry.parse(String(contentsOf: poniURL, encoding: .utf8), file: poniURL.path)
        let target = start.fit2d
        start.distance += 0.030
        start.rot1 += 0.004
        start.rot2 += 0.004
        let startFile = Self.temporary("start.poni"), out = Self.temporary("out.poni")
        defer { try? FileManager.default.removeItem(at: startFile); try? FileManager.default.removeItem(at: out) }
        try start.poniText().write(to: startFile, atomically: true, encoding: .utf8)
        let r = try await RoentgenCLI.run(["calibrate", image.path, "--calibrant", "AgBh", "--poni", startFile.path, "--wavelength", "1.03264",
                                     "-o", out.path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        for key in ["distance_m", "poni1_m", "poni2_m", "rot1", "rot2", "rot3", "wavelength_m", "beam_center_px", "residual_deg"] {
            #expect(o[key] != nil, "\(key)")
        }
        for key in ["distance_m_esd", "poni1_m_esd", "poni2_m_esd", "rot1_esd", "rot2_esd"] { #expect(o[key] is Double, "\(key)") }
        #expect(o["rot3_esd"] is NSNull && o["wavelength_m_esd"] is NSNull)
        let centre = try #require(o["beam_center_px"] as? [Double])
        #expect(abs(centre[0] - target.centerX) < 0.2 && abs(centre[1] - target.centerY) < 0.2)
        let residual = try #require(o["residual_deg"] as? Double)
        #expect(residual > 0 && residual < 0.005)
        let written = try PONIGeometry.parse(String(contentsOf: out, encoding: .utf8), file: out.path)
        // The control points themselves ([row, column, ring]): as many as counted, per ring as counted, and their
        // rms Δ2θ under the written geometry is the reported residual.
        let points = try #require(o["control_points_px"] as? [[Double]])
        #expect(points.count == o["control_points"] as? Int && points.allSatisfy { $0.count == 3 })
        var perRing: [String: Int] = [:]
        for p in points { perRing[String(Int(p[2])), default: 0] += 1 }
        #expect(perRing == o["control_points_per_ring"] as? [String: Int])
        let agbh = try #require(Calibrant.named("AgBh")), lambda = try #require(written.wavelength)
        let squares = points.map { p -> Double in
            let ring = 2 * asin(lambda * 1e10 / (2 * agbh.dSpacings[Int(p[2])]))
            let at = PixelGeometry.position(p[0] + 0.5, p[1] + 0.5, written, PixelGeometry.Rotation(written))
            return (at.tth - ring) * (at.tth - ring)
        }
        let rms = (squares.reduce(0, +) / Double(squares.count)).squareRoot() * 180 / .pi
        #expect(abs(rms / residual - 1) < 1e-9, "rms Δ2θ of the points \(rms)° vs residual_deg \(residual)")
        #expect(abs(written.distance - (o["distance_m"] as? Double ?? 0)) < 1e-12 && abs((written.wavelength ?? 0) / 1.03264e-10 - 1) < 1e-12)
        #expect(try String(contentsOf: out, encoding: .utf8).contains("poni_version: 2"))
    }

    /// `--frame K` calibrates a stack's frame K: a two-frame EDF whose frame 1 is the AgBh frame (frame 0 blank)
    /// gives the single file's calibration from frame 1, and no rings from frame 0; a frame past the end is refused.
    @Test func frameOfAStack() async throws {
        guard let image = SharedData.url("images/Pilatus1M.edf"), let poni = SharedData.url("images/Pilatus1M.poni") else { return }
        let agbh = try DetectorImages.read(image)
        let stack = Self.temporary("two_frames.edf")
        defer { try? FileManager.default.removeItem(at: stack) }
        try EDFWriter.data([[Double](repeating: 0, count: agbh.pixelCount), agbh.frames[0]], rows: agbh.rows, columns: agbh.columns, type: .int32)
            .write(to: stack)
        let base = ["--calibrant", "AgBh", "--poni", poni.path, "--wavelength", "1.0326375318602659", "--json"]
        let single = try await RoentgenCLI.run(["calibrate", image.path] + base)
        let second = try await RoentgenCLI.run(["calibrate", stack.path] + base + ["--frame", "1"])
        #expect(single.status == 0 && second.status == 0, "\(second.stderr)")
        let a = try #require(try JSONSerialization.jsonObject(with: Data(single.stdout.utf8)) as? [String: Any])
        let b = try #require(try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])
        for key in ["distance_m", "poni1_m", "poni2_m", "rot1", "rot2", "residual_deg", "control_points"] {
            #expect("\(a[key] ?? "")" == "\(b[key] ?? "")", "\(key): \(a[key] ?? "") vs \(b[key] ?? "")")
        }
        let blank = try await RoentgenCLI.run(["calibrate", stack.path] + base)
        #expect(blank.status != 0 && blank.stdout.isEmpty, "frame 0 is blank: \(blank.stderr)")
        let past = try await RoentgenCLI.run(["calibrate", stack.path] + base + ["--frame", "2"])
        #expect(past.status != 0 && past.stderr.contains("--frame 2: the image has 2 frames (0 to 1)") && past.stderr.contains("two_frames.edf"), "\(past.stderr)")
    }

    @Test func badInput() async throws {
        guard let image = SharedData.url("images/Pilatus1M.edf"), let poni = SharedData.url("images/Pilatus1M.poni"),
              let tilted = SharedData.url("images/b_toney_Lab6_thtth_rightside_scan2_0009.tif"),
              let tiltedPoni = SharedData.url("images/b_toney_Lab6_thtth_rightside_scan2_0009.poni") else { return }
        // A calibrant file that cannot be read: names the file and line.
        let bad = Self.temporary("bad.D"), npt = Self.temporary("few.npt")
        defer { try? FileManager.default.removeItem(at: bad); try? FileManager.default.removeItem(at: npt) }
        try "# d-spacings\n 3.1 # (1 1 1)\n three # (2 0 0)\n".write(to: bad, atomically: true, encoding: .utf8)
        let r1 = try await RoentgenCLI.run(["calibrate", image.path, "--calibrant", bad.path, "--poni", poni.path, "--wavelength", "1.0326"])
        #expect(r1.status != 0 && r1.stderr.contains("bad.D") && r1.stderr.contains("bad.D:3") && r1.stdout.isEmpty, "\(r1.stderr)")
        let r2 = try await RoentgenCLI.run(["calibrate", image.path, "--calibrant", "Unobtainium", "--poni", poni.path, "--wavelength", "1.0326"])
        #expect(r2.status != 0 && r2.stderr.contains("not a built-in calibrant"))
        // No ring on the detector (CeO2's first ring at 19° lies far outside a 1.58 m SAXS frame).
        let r3 = try await RoentgenCLI.run(["calibrate", image.path, "--calibrant", "CeO2", "--poni", poni.path, "--wavelength", "1.0326"])
        #expect(r3.status != 0 && r3.stderr.contains("no ring of CeO2"), "\(r3.stderr)")
        // No wavelength anywhere.
        let r4 = try await RoentgenCLI.run(["calibrate", image.path, "--calibrant", "AgBh", "--poni", poni.path])
        #expect(r4.status != 0 && r4.stderr.contains("no wavelength"))
        // Fewer control points than parameters.
        try "wavelength: 8.856e-11\nring: 0\npoint: x=1402.05 y=91.81\npoint: x=1422.91 y=99.99\npoint: x=1123.88 y=4.02\n".write(to: npt, atomically: true, encoding: .utf8)
        let r5 = try await RoentgenCLI.run(["calibrate", tilted.path, "--calibrant", "LaB6", "--poni", tiltedPoni.path, "--control-points", npt.path])
        #expect(r5.status != 0 && r5.stderr.contains("3 control points for 5 refined parameters"), "\(r5.stderr)")
        // Parameters out of range are refused before the image is read (they ran 1 pass, or took -1 σ, before).
        for (option, said) in [(["--passes", "0"], "--passes 0: 1 to 20"), (["--passes=-2"], "--passes -2: 1 to 20"),
                                (["--threshold=-1"], "--threshold -1.0: a positive number"), (["--threshold", "nan"], "--threshold nan: a positive number"),
                                (["--pixel-size", "0"], "--pixel-size 0.0 µm must be positive"),
                                (["--distance=inf"], "--distance inf mm must be positive and at most 100 m"),
                                (["--center=inf,5"], "--center 'inf,5': expected finite X,Y"), (["--center=nan,nan"], "--center 'nan,nan'"),
                                (["--wavelength=inf"], "--wavelength inf Å: not a plausible")] {
            let r = try await RoentgenCLI.run(["calibrate", image.path, "--calibrant", "AgBh", "--poni", poni.path, "--wavelength", "1.0326"] + option)
            #expect(r.status != 0 && r.stderr.contains(said) && r.stdout.isEmpty, "\(option): \(r.stderr)")
        }
        // Distance and wavelength refined together on small-angle rings: a result, with a warning that the pair
        // is not determined (they drift to about 100 m and 0.016 Å along their ratio).
        let both = try await RoentgenCLI.run(["calibrate", image.path, "--calibrant", "AgBh", "--poni", poni.path, "--wavelength", "1.0327", "--refine-wavelength", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(both.stdout.utf8)) as? [String: Any])
        let warnings = try #require(object["warnings"] as? [String])
        #expect(both.status == 0 && warnings.contains { $0.hasPrefix("distance and wavelength are correlated -0.999") }, "\(warnings)")
    }

    /// No PONI: the EDF carries no pixel size, but its 1043 × 981 shape is the Pilatus 1M's (and the Pilatus CdTe
    /// 1M's, same pixels): 172 µm, said on stderr. From 30 mm and 6 px off it lands where the PONI start does (the
    /// free-tilt minimum, 0.99 mm from the PONI's distance: CalibrationTests.agbhFromRoughStart), beam centre within
    /// 0.2 px of the PONI's. A shape no detector has (the Pixium frame) still asks for --pixel-size.
    @Test func pixelSizeFromTheImageShape() async throws {
        guard let image = SharedData.url("images/Pilatus1M.edf"), let pixium = SharedData.url("images/pixium_03150.tif") else { return }
        let r = try await RoentgenCLI.run(["calibrate", image.path, "--calibrant", "AgBh", "--wavelength", "1.0326375318602659",
                                     "--distance", "1613.2", "--center", "175,270", "--json"])
        #expect(r.status == 0 && r.stderr.contains("pixel size 172 × 172 µm from the image's shape (1043 × 981: Pilatus1M, PilatusCdTe1M)"), "\(r.stderr)")
        let j = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let centre = try #require(j["beam_center_px"] as? [Double])
        #expect(abs(centre[0] - 179.98053034900167) < 0.2 && abs(centre[1] - 263.85882981105306) < 0.2, "\(centre)")
        let d = try #require(j["distance_m"] as? Double)
        #expect(abs(d - 1.58323111834) < 1.2e-3, "\(d)")
        let p = try await RoentgenCLI.run(["calibrate", pixium.path, "--calibrant", "CeO2", "--wavelength", "0.1393", "--distance", "1194", "--center", "712,725"])
        #expect(p.status != 0 && p.stderr.contains("no pixel size") && p.stderr.contains("1441 × 1440"), "\(p.stderr)")
    }

    /// A fit that converges to a doubtful geometry says so: the GSAS-II tutorial's MarCCD AgBh frame from a rough
    /// start, with the zero pixels outside the round detector unmasked, fits its rings to several pixels rms (a
    /// warning on stderr and in the JSON); the Pilatus 1M AgBh frame fits to a quarter of a pixel (no warning).
    @Test func doubtfulFitWarns() async throws {
        guard let marccd = SharedData.url("xrd/images/AgBehenate_003.tif"), let image = SharedData.url("images/Pilatus1M.edf"),
              let poni = SharedData.url("images/Pilatus1M.poni") else { return }
        let r = try await RoentgenCLI.run(["calibrate", marccd.path, "--calibrant", "AgBh", "--wavelength", "1.0332", "--distance", "570",
                                     "--center", "480,570", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("warning: the rings fit to") && r.stderr.contains("more than a pixel"), "\(r.stderr)")
        let j = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        // Two signs: more than a pixel rms, and the azimuthal average peaking at few of the AgBh ring positions.
        let warnings = try #require(j["warnings"] as? [String])
        #expect(warnings.count == 2 && warnings[1].hasPrefix("the image's azimuthal average peaks at only 2 of the 7 AgBh ring positions"), "\(warnings)")
        // The edge of the round detector (zeros outside) was taken for AgBh ring 8; `--dummy 0` leaves it out.
        #expect((j["control_points_per_ring"] as? [String: Int])?["8"] ?? 0 > 50)
        let d = try await RoentgenCLI.run(["calibrate", marccd.path, "--calibrant", "AgBh", "--wavelength", "1.0332", "--distance", "570",
                                     "--center", "480,570", "--dummy", "0", "--json"])
        let dj = try #require(try JSONSerialization.jsonObject(with: Data(d.stdout.utf8)) as? [String: Any])
        #expect((dj["control_points_per_ring"] as? [String: Int])?["8"] == nil, "\(d.stdout.prefix(400))")
        // `--detector MAR165` (the MarCCD 165 is pyFAI's RayonixSx165; 1024 × 1024 is its 4 × 4 binning, 158 µm): its round
        // mask leaves the outside out as `--dummy 0` does, and the output PONI names the detector.
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-mar165-\(UUID().uuidString).poni")
        defer { try? FileManager.default.removeItem(at: out) }
        let m = try await RoentgenCLI.run(["calibrate", marccd.path, "--calibrant", "AgBh", "--wavelength", "1.0332", "--distance", "570",
                                           "--center", "480,570", "--detector", "MAR165", "-o", out.path, "--json"])
        #expect(m.stderr.contains("note: RayonixSx165 pixels outside its round sensitive area masked (224984 pixels)"), "\(m.stderr)")
        let mj = try #require(try JSONSerialization.jsonObject(with: Data(m.stdout.utf8)) as? [String: Any])
        #expect(mj["detector"] as? String == "RayonixSx165" && mj["pixel_size_m"] as? [Double] == [0.000158, 0.000158])
        #expect((mj["control_points_per_ring"] as? [String: Int]) == (dj["control_points_per_ring"] as? [String: Int]), "\(m.stdout.prefix(400))")
        let written = try String(contentsOf: out, encoding: .utf8)
        #expect(written.contains("Detector: RayonixSx165\nDetector_config: {\"pixel1\": 0.000158, \"pixel2\": 0.000158}"), "\(written)")
        #expect(try PONIGeometry.parse(written, file: out.path).maxShape == [1024, 1024])
        for (name, message) in [("Pilatus1M", "none of its shapes (1043 × 981)"), ("Pixirad-1", "hexagonal pixels"), ("Nope", "not a detector pyFAI knows")] {
            let bad = try await RoentgenCLI.run(["calibrate", marccd.path, "--calibrant", "AgBh", "--wavelength", "1.0332", "--distance", "570",
                                                 "--center", "480,570", "--detector", name])
            #expect(bad.status != 0 && bad.stderr.contains("--detector") && bad.stderr.contains(message) && bad.stdout.isEmpty, "\(bad.stderr)")
        }
        let good = try await RoentgenCLI.run(["calibrate", image.path, "--calibrant", "AgBh", "--poni", poni.path, "--wavelength", "1.0326375318602659", "--json"])
        let g = try #require(try JSONSerialization.jsonObject(with: Data(good.stdout.utf8)) as? [String: Any])
        #expect((g["warnings"] as? [String])?.isEmpty == true && !good.stderr.contains("warning"), "\(good.stderr)")
    }

    /// The ring-evidence check. `CeO2_Pilatus1M.tif` (the MANIFEST calls it "not a CeO2 pattern") is a CeO2 frame
    /// stored upside down relative to its PONI (Dioptas flipped images on loading): integrated with the PONI it shows no
    /// CeO2 ring, flipped it shows all of them (pyFAI 2026.9: 6669 counts at 7.46° over a background of 160). Calibrated
    /// from that PONI, Roentgen lands on the flipped PONI's geometry (poni1 = detector height − PONI poni1, rot2 negated),
    /// and every one of the 17 rings stands out: no warning. The Pixium sample frame taken for CeO2 warns.
    @Test func ringEvidence() async throws {
        guard let ceo2 = SharedData.url("images/CeO2_Pilatus1M.tif"), let ceo2Poni = SharedData.url("images/CeO2_Pilatus1M.poni"),
              let pixium = SharedData.url("images/pixium_03150.tif"), let pixiumPoni = SharedData.url("images/DLS_CeO2_1200mm_pyFAI.poni"),
              let mask = SharedData.url("images/DLS_CeO2_1200mm.mask") else { return }
        let r = try await RoentgenCLI.run(["calibrate", ceo2.path, "--calibrant", "CeO2", "--poni", ceo2Poni.path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect((j["warnings"] as? [String])?.isEmpty == true, "\(r.stderr)")
        #expect((j["control_points_per_ring"] as? [String: Int])?.count == 17)
        let start = try PONIGeometry.parse(String(contentsOf: ceo2Poni, encoding: .utf8), file: ceo2Poni.path)
        let height = 1043 * start.pixel1
        let d = try #require(j["distance_m"] as? Double), p1 = try #require(j["poni1_m"] as? Double), p2 = try #require(j["poni2_m"] as? Double)
        let r1 = try #require(j["rot1"] as? Double), r2 = try #require(j["rot2"] as? Double)
        // Two calibrations of one frame (Dioptas' then, Roentgen's now): 0.02 mm in distance and poni1, 0.11 mm in
        // poni2, which follows rot1 (0.42 mrad apart).
        #expect(abs(d - start.distance) < 5e-5 && abs(p1 - (height - start.poni1)) < 5e-5 && abs(p2 - start.poni2) < 1.5e-4, "\(d) \(p1) \(p2)")
        #expect(abs(r1 - start.rot1) < 5e-4 && abs(r2 + start.rot2) < 5e-4, "\(r1) \(r2)")
        let sample = try await RoentgenCLI.run(["calibrate", pixium.path, "--calibrant", "CeO2", "--poni", pixiumPoni.path, "--mask", mask.path, "--json"])
        let sj = try #require(try JSONSerialization.jsonObject(with: Data(sample.stdout.utf8)) as? [String: Any])
        let warnings = try #require(sj["warnings"] as? [String])
        #expect(warnings.contains { $0.hasPrefix("the image's azimuthal average peaks at only 3 of the 27 CeO2 ring positions") }, "\(warnings)")
    }

    /// A frame without rings (all zero): "no rings found", not a geometry.
    @Test func blankFrameFindsNoRings() throws {
        let g = PONIGeometry(distance: 0.2, poni1: 0.01, poni2: 0.01, pixel1: 1e-4, pixel2: 1e-4, wavelength: 1e-10)
        let agbh = try #require(Calibrant.named("AgBh"))
        #expect(throws: RoentgenError.self) {
            try GeometryCalibration.calibrate(frame: [Double](repeating: 0, count: 200 * 200), rows: 200, columns: 200,
                                              mask: [Bool](repeating: false, count: 200 * 200), calibrant: agbh, start: g)
        }
        do {
            _ = try GeometryCalibration.calibrate(frame: [Double](repeating: 0, count: 200 * 200), rows: 200, columns: 200,
                                                  mask: [Bool](repeating: false, count: 200 * 200), calibrant: agbh, start: g)
        } catch let e as RoentgenError {
            #expect(e.message.contains("no rings found"))
        }
    }
    /// A start is not invented: a blank frame, a frame of Poisson-like noise, one masked whole, and one too small give
    /// no start; rings drawn about a known centre (a synthetic LaB6 frame, 400 × 300, centre off the middle at
    /// (131.3, 172.8), 80 mm, 0.5 Å, 100 µm pixels) give that centre within 0.3 px and the distance within 1 %.
    @Test func startFromRingsOrNone() throws {
        let lab6 = try #require(Calibrant.named("LaB6"))
        let (rows, columns) = (300, 400)
        let free = [Bool](repeating: false, count: rows * columns)
        func start(_ frame: [Double], mask: [Bool]? = nil, rows: Int = 300, columns: Int = 400) -> CalibrationStart.Estimate? {
            let m = mask ?? [Bool](repeating: false, count: rows * columns)
            guard let c = CalibrationStart.beamCentre(frame: frame, rows: rows, columns: columns, mask: m) else { return nil }
            return CalibrationStart.distance(frame: frame, rows: rows, columns: columns, mask: m, centre: c, pixel: 1e-4, wavelength: 0.5e-10, calibrant: lab6)
        }
        let blank = start([Double](repeating: 0, count: rows * columns)) == nil
        #expect(blank)
        var state: UInt64 = 42
        let noise = (0..<rows * columns).map { _ -> Double in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return 100 + Double(state >> 54)   // 100 + 0…1023, flat
        }
        let noisy = start(noise) == nil, masked = start(noise, mask: [Bool](repeating: true, count: rows * columns)) == nil
        let small = start([Double](repeating: 1, count: 100), rows: 10, columns: 10) == nil
        #expect(noisy && masked && small)
        // Gaussian rings (σ 0.8 px) at the LaB6 2θ on a flat 10-count background.
        let (cx, cy, distance) = (131.3, 172.8, 0.080)
        let radii = lab6.dSpacings.compactMap { d -> Double? in
            let s = 0.5 / (2 * d)
            return s < 1 ? distance * tan(2 * asin(s)) / 1e-4 : nil
        }.filter { $0 < 500 }
        var rings = [Double](repeating: 10, count: rows * columns)
        for i in 0..<rows {
            for j in 0..<columns {
                let r = ((Double(j) + 0.5 - cx) * (Double(j) + 0.5 - cx) + (Double(i) + 0.5 - cy) * (Double(i) + 0.5 - cy)).squareRoot()
                for ring in radii where abs(r - ring) < 5 { rings[i * columns + j] += 1000 * exp(-0.5 * (r - ring) * (r - ring) / 0.64) }
            }
        }
        let centre = CalibrationStart.beamCentre(frame: rings, rows: rows, columns: columns, mask: free)
        let foundCentre = centre.map { "\($0.x), \($0.y)" } ?? "none"
        #expect(centre.map { abs($0.x - cx) < 0.3 && abs($0.y - cy) < 0.3 } == true, "centre \(foundCentre)")
        let found = centre.flatMap { CalibrationStart.distance(frame: rings, rows: rows, columns: columns, mask: free, centre: $0, pixel: 1e-4,
                                                               wavelength: 0.5e-10, calibrant: lab6) }
        let summary = found.map { "\($0.distance) m, \($0.matched) of \($0.predicted), \($0.significance) σ" } ?? "none"
        #expect(found.map { abs($0.distance / distance - 1) < 0.01 && $0.significance > 4.5 } == true, "\(summary)")
    }


    /// Without a PONI, a centre or a distance (none in the header either), the start is found from the rings
    /// (`CalibrationStart`): on the Pilatus 1M AgBh frame the found start is within 0.3 px and 0.3 % of the PONI's
    /// geometry, and the calibration from it lands on the geometry calibrated from the PONI (to 1 µm and 0.001 px);
    /// on the APS Pilatus 100K AgBh arcs (beam centre off the detector, at column −4.7) the start is within 0.3 px of
    /// the centre pyFAI's own control points give (−4.700, 86.380); the MarCCD frame lands where its rough start
    /// (480, 570) lands, within a tenth of its esds. Frames whose rings are not the calibrant's (the tilted single LaB6 arc, the Pixium sample
    /// pattern) are refused, naming what to give.
    @Test func startFoundFromTheRings() async throws {
        guard let image = SharedData.url("images/Pilatus1M.edf"), let poni = SharedData.url("images/Pilatus1M.poni"),
              let arcs = SharedData.url("images/AgBehenate_228.hdf5"), let marccd = SharedData.url("xrd/images/AgBehenate_003.tif"),
              let arc = SharedData.url("images/b_toney_Lab6_thtth_rightside_scan2_0009.tif"), let pixium = SharedData.url("images/pixium_03150.tif") else { return }
        func calibrate(_ args: [String]) async throws -> (object: [String: Any], stderr: String) {
            let r = try await RoentgenCLI.run(["calibrate"] + args + ["--json"])
            #expect(r.status == 0, "\(r.stderr)")
            return (try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stderr)"), r.stderr)
        }
        let lambda = "1.0326375318602659"
        let (found, note) = try await calibrate([image.path, "--calibrant", "AgBh", "--wavelength", lambda])
        let (fromPONI, _) = try await calibrate([image.path, "--calibrant", "AgBh", "--wavelength", lambda, "--poni", poni.path])
        #expect(note.contains("note: start found from the rings: beam centre x 179.77, y 264.06 px"), "\(note)")
        let start = try #require(found["start"] as? [String: Any])
        let startCentre = try #require(start["beam_center_px"] as? [Double]), startDistance = try #require(start["distance_m"] as? Double)
        let target = try PONIGeometry.parse(String(contentsOf: poni, encoding: .utf8), file: poni.path).fit2d
        #expect(abs(startCentre[0] - target.centerX) < 0.3 && abs(startCentre[1] - target.centerY) < 0.3, "\(startCentre)")
        #expect(abs(startDistance / 1.58323111834 - 1) < 3e-3 && start["rings_matched"] as? Int == 5 && (start["significance_sigma"] as? Double ?? 0) > 4.5)
        let centre = try #require(found["beam_center_px"] as? [Double]), reference = try #require(fromPONI["beam_center_px"] as? [Double])
        #expect(abs((found["distance_m"] as? Double ?? 0) - (fromPONI["distance_m"] as? Double ?? 1)) < 1e-6)
        #expect(abs(centre[0] - reference[0]) < 1e-3 && abs(centre[1] - reference[1]) < 1e-3, "\(centre) \(reference)")
        #expect(fromPONI["start"] == nil)

        let (offDetector, _) = try await calibrate([arcs.path, "--calibrant", "AgBh", "--wavelength", "0.73362836", "--pixel-size", "172"])
        let arcStart = try #require((offDetector["start"] as? [String: Any])?["beam_center_px"] as? [Double])
        #expect(abs(arcStart[0] - (-4.7003)) < 0.3 && abs(arcStart[1] - 86.3800) < 0.3, "\(arcStart)")

        let (auto, _) = try await calibrate([marccd.path, "--calibrant", "AgBh", "--wavelength", "1.0332", "--dummy", "0"])
        let (rough, _) = try await calibrate([marccd.path, "--calibrant", "AgBh", "--wavelength", "1.0332", "--dummy", "0", "--distance", "570", "--center", "480,570"])
        let a = try #require(auto["beam_center_px"] as? [Double]), b = try #require(rough["beam_center_px"] as? [Double])
        // This frame's rings fit to 1.6 px rms and the two starts pick 480 and 481 points: the answers differ by 0.013 px and
        // 0.03 mm, a tenth of its esds (0.16 px, 0.44 mm); tolerance chosen 0.05 px and 0.1 mm.
        #expect(abs(a[0] - b[0]) < 0.05 && abs(a[1] - b[1]) < 0.05 && abs((auto["distance_m"] as? Double ?? 0) - (rough["distance_m"] as? Double ?? 1)) < 1e-4, "\(a) \(b)")

        for (file, args) in [(arc, ["--calibrant", "LaB6", "--wavelength", "0.8856", "--pixel-size", "172"]),
                             (pixium, ["--calibrant", "CeO2", "--wavelength", "0.1393", "--pixel-size", "296"])] {
            let r = try await RoentgenCLI.run(["calibrate", file.path] + args)
            #expect(r.status != 0 && r.stderr.contains("no start geometry: the image's rings do not show a beam centre") && r.stderr.contains("--center X,Y and --distance")
                    && r.stdout.isEmpty, "\(file.lastPathComponent): \(r.stderr)")
        }
    }
}
