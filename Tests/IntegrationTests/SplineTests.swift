import Foundation
import Testing
import TestSupport
import XrayCore
import XrayFormats
@testable import Integration
import Refinement

/// Fit2D distortion splines against pyFAI 2026.9 (Tests/Fixtures/images/make_spline_reference.py): a taper
/// distortion of up to ~3.6 px made for the Pilatus 1M frame's shape, written by pyFAI's `Spline.write`; its
/// displacements, pixel positions and solid angles, the AgBh frame integrated with it (no split, bbox with
/// polarisation in q, full, a bbox cake), and control points refined with it. Then the refusals.
@Suite struct SplineTests {
    struct Fixture: Decodable {
        struct Displacement: Decodable { var x: Double; var y: Double; var dx: Double; var dy: Double }
        struct Probe: Decodable { var row: Int; var column: Int; var tth: Double; var chi: Double; var solid_angle: Double; var corner_tth: Double }
        struct Case: Decodable {
            var name: String; var method: String; var unit: String; var npt: Int; var polarization: Double?
            var radial: [Double]; var intensity: [Double?]; var sigma: [Double?]
        }
        struct Cake: Decodable {
            var npt: Int; var npt_azim: Int; var radial: [Double]; var azimuthal: [Double]; var intensity: [Double?]; var sigma: [Double?]
        }
        struct Calibration: Decodable {
            struct Refined: Decodable {
                var dist: Double; var poni1: Double; var poni2: Double; var rot1: Double; var rot2: Double; var chi2: Double
                var fit2d_center_x: Double; var fit2d_center_y: Double; var fit2d_direct_distance_mm: Double
            }
            var points: [[Double]]; var chi2_at_poni: Double; var refined: Refined
        }
        var wavelength: Double
        var displacement: [Displacement]
        var probes: [Probe]
        var cases: [Case]
        var cake: Cake
        var calibration: Calibration
    }

    static func fixture() throws -> Fixture {
        try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: SharedData.fixture("images/pyfai_spline.json")))
    }

    static func spline() throws -> Fit2DSpline {
        let url = SharedData.fixture("images/taper_pilatus1m.spline")
        return try Fit2DSpline.parse(String(contentsOf: url, encoding: .utf8), file: url.path)
    }

    /// Pilatus1M.poni with the spline and the wavelength the fixture used.
    static func geometry() throws -> PONIGeometry? {
        guard let url = SharedData.url("images/Pilatus1M.poni") else { print(SharedData.missing("images/Pilatus1M.poni")); return nil }
        var g = try PONIGeometry.parse(String(contentsOf: url, encoding: .utf8), file: url.path)
        g.wavelength = try fixture().wavelength
        return g.withSpline(try spline(), file: "taper_pilatus1m.spline")
    }

    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-spline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A copy of Pilatus1M.poni (v1) with a wavelength and a `SplineFile:` line naming `spline` as written.
    static func writePONI(in folder: URL, spline: String, extra: String = "") throws -> URL? {
        guard let url = SharedData.url("images/Pilatus1M.poni") else { return nil }
        let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "SplineFile: None", with: "SplineFile: \(spline)")
        let out = folder.appendingPathComponent("spline.poni")
        try (text + "Wavelength: \(try fixture().wavelength)\n" + extra).write(to: out, atomically: true, encoding: .utf8)
        return out
    }

    @Test func readsTheFileAsPyFAIWroteIt() throws {
        let s = try Self.spline()
        #expect(s.x.knotsX.count == 9 && s.x.knotsY.count == 13 && s.x.coefficients.count == 5 * 9)
        #expect(s.y.knotsX.count == 11 && s.y.knotsY.count == 9 && s.y.coefficients.count == 7 * 5)
        #expect(s.shape == (1043, 981))
        #expect(s.pixel1 == 172 * 1e-6 && s.pixel2 == 172 * 1e-6 && s.gridSpacing == 2500)   // µm × 1e-6, as pyFAI
        // Fields of 14 characters that touch ("1.8987930E+00-2.3313043E-01" in the file).
        #expect(s.x.coefficients[3] == Float(1.8987930) && s.x.coefficients[4] == Float(-0.23313043))
    }

    /// pyFAI's `splineFuncX/Y` (Float32 FITPACK) at points inside, on the knots, on the region's edge and
    /// outside it (clamped): the same Float32 values.
    @Test func displacementsArePyFAIsToTheBit() throws {
        let s = try Self.spline(), f = try Self.fixture()
        for p in f.displacement {
            #expect(Float(s.displacement(s.x, x: p.x, y: p.y)) == Float(p.dx), "ΔX at (\(p.x), \(p.y))")
            #expect(Float(s.displacement(s.y, x: p.x, y: p.y)) == Float(p.dy), "ΔY at (\(p.x), \(p.y))")
        }
        // The grid evaluation (integration's path) gives the per-point values.
        let grid = s.grid(s.x, xs: [0.5, 490.25], ys: [0.5, 521.75])
        #expect(grid[0] == Float(s.displacement(s.x, x: 0.5, y: 0.5)) && grid[3] == Float(s.displacement(s.x, x: 490.25, y: 521.75)))
    }

    /// Centre 2θ and χ, the solid angle with pyFAI's spline area factor, and the corner 2θ at probe pixels.
    @Test func pixelPositionsAndSolidAngles() throws {
        guard let g = try Self.geometry() else { return }
        let f = try Self.fixture()
        let pg = PixelGeometry(g, rows: 1043, columns: 981)
        let arrays = try pg.arrays(unit: .twoThetaDegrees, corners: false, keepCorners: true)
        var undistorted = g
        undistorted.spline = nil
        undistorted.splineFile = nil
        for p in f.probes {
            let c = pg.center(row: p.row, column: p.column)
            #expect(abs(c.twoTheta - p.tth) < 1e-12 && abs(c.chi - p.chi) < 1e-12, "pixel (\(p.row), \(p.column)): 2θ \(c.twoTheta) χ \(c.chi)")
            let k = p.row * 981 + p.column
            #expect(abs(arrays.twoTheta[k] - p.tth) < 1e-12)
            // pyFAI's solid angle is Float32 (positions and cos in single precision).
            #expect(abs(arrays.solidAngle[k] / p.solid_angle - 1) < 2e-7, "solid angle \(arrays.solidAngle[k]) against \(p.solid_angle)")
            #expect(abs(pg.solidAngle(row: p.row, column: p.column) / p.solid_angle - 1) < 2e-7)
            // Corner values are stored as Float32.
            let corner = arrays.cornerRadial[p.row * 982 + p.column]   // the unit's internal scale: radians
            #expect(abs(corner - p.corner_tth) < 2e-7 * p.corner_tth, "corner 2θ \(corner) against \(p.corner_tth)")
            // The distortion is what moves them: without it the centres are pixels away.
            #expect(abs(PixelGeometry(undistorted, rows: 1043, columns: 981).center(row: p.row, column: p.column).twoTheta - p.tth) > 1e-5)
        }
    }

    static func integrate(_ args: [String]) async throws -> [String: Any] {
        let r = try await RoentgenCLI.run(["integrate"] + args + ["--json"])
        #expect(r.status == 0, "\(r.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    /// `integrate --spline` (no split, bbox with polarisation in q, full) within 1e-4 of pyFAI in every bin; the
    /// no-split case through the PONI's `SplineFile:` line instead (a relative path found beside the PONI).
    @Test(arguments: ["no_2th", "bbox_q_polarization", "full_2th"])
    func integrationMatchesPyFAI(_ name: String) async throws {
        let c = try #require(try Self.fixture().cases.first { $0.name == name })
        guard let image = SharedData.url("images/Pilatus1M.edf") else { print(SharedData.missing("images/Pilatus1M.edf")); return }
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let splineURL = SharedData.fixture("images/taper_pilatus1m.spline")
        var args = [image.path, "--npt", "\(c.npt)", "--unit", c.unit, "--method", c.method]
        if let p = c.polarization { args += ["--polarization", "\(p)"] }
        if name == "no_2th" {
            try FileManager.default.copyItem(at: splineURL, to: folder.appendingPathComponent("taper.spline"))
            guard let poni = try Self.writePONI(in: folder, spline: "taper.spline") else { return }
            args += ["--poni", poni.path]
        } else {
            guard let poni = try Self.writePONI(in: folder, spline: "None") else { return }
            args += ["--poni", poni.path, "--spline", splineURL.path]
        }
        let object = try await Self.integrate(args)
        let (radial, intensity, sigma) = try patternArrays(object)
        let off = valuesOff(radial: radial, intensity: intensity, sigma: sigma,
                            expectedRadial: c.radial, expectedIntensity: c.intensity, expectedSigma: c.sigma)
        #expect(off == 0, "\(name): \(off) values more than 1e-4 from pyFAI")
        #expect((object["spline"] as? String)?.hasSuffix(name == "no_2th" ? "taper.spline" : "taper_pilatus1m.spline") == true)
        // Without the spline the same pattern is not pyFAI's.
        let plain = try await Self.integrate(args.filter { $0 != splineURL.path && $0 != "--spline" } + ["--spline", "none"])
        let (r0, i0, s0) = try patternArrays(plain)
        #expect(plain["spline"] == nil)
        #expect(valuesOff(radial: r0, intensity: i0, sigma: s0, expectedRadial: c.radial, expectedIntensity: c.intensity, expectedSigma: c.sigma) > 100)
    }

    /// A bbox cake (300 × 36) with the spline: every cell within the cake tolerances of the other cake fixtures
    /// (4e-5 of max(|I|, σ), σ 2e-4).
    @Test func cakeMatchesPyFAI() async throws {
        let c = try Self.fixture().cake
        guard let image = SharedData.url("images/Pilatus1M.edf") else { return }
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        guard let poni = try Self.writePONI(in: folder, spline: "None") else { return }
        let object = try await Self.integrate([image.path, "--poni", poni.path, "--spline", SharedData.fixture("images/taper_pilatus1m.spline").path,
                                               "--npt", "\(c.npt)", "--npt-azim", "\(c.npt_azim)", "--method", "bbox"])
        let chi = try #require(object["azimuthal"] as? [Double])
        #expect(chi.count == c.npt_azim)
        let (off, compared) = try cakeCellsOff(object, npt: c.npt, nptAzim: c.npt_azim, expectedRadial: c.radial,
                                               expectedIntensity: c.intensity, expectedSigma: c.sigma)
        #expect(compared > 1000 && off == 0, "\(off) of \(compared) cells off")
    }

    /// pyFAI's GeometryRefinement with the spline: the same χ² of 521 control points at the PONI, and refine2
    /// from the PONI + 5 mm (λ and rot3 held) ends where Roentgen's refinement does.
    @Test func controlPointsWithTheSpline() throws {
        guard let g = try Self.geometry() else { return }
        let f = try Self.fixture().calibration
        let points = f.points.map { ControlPoint(row: $0[0], column: $0[1], ring: Int($0[2])) }
        let agbh = try Calibrant.builtIn("AgBh")
        let model = RingGeometryModel(points: points, dSpacings: agbh.dSpacings, pixel1: g.pixel1, pixel2: g.pixel2, spline: g.spline)
        let values = try ParameterSet(zip(RingGeometryModel.names, [g.distance, g.poni1, g.poni2, g.rot1, g.rot2, g.rot3, g.wavelength! * 1e10])
            .map { Parameter($0.0, $0.1) }).evaluated()
        let chi2 = try model.residuals(values).reduce(0) { $0 + $1 * $1 }
        #expect(abs(chi2 / f.chi2_at_poni - 1) < 1e-6, "χ² \(chi2) against pyFAI's \(f.chi2_at_poni)")
        // Without the spline the same points do not fit.
        let plain = RingGeometryModel(points: points, dSpacings: agbh.dSpacings, pixel1: g.pixel1, pixel2: g.pixel2)
        #expect(try plain.residuals(values).reduce(0) { $0 + $1 * $1 } > 10 * chi2)

        var start = g
        start.distance += 0.005
        var options = CalibrationOptions()
        options.refineTilts = true
        let result = try GeometryCalibration.refine(points: points, calibrant: agbh, start: start, options: options, tilts: true)
        let r = result.geometry
        #expect(r.spline == g.spline && r.splineFile == "taper_pilatus1m.spline")
        let refinedChi2 = pow(result.residualDegrees * .pi / 180, 2) * Double(points.count)
        #expect(refinedChi2 <= f.refined.chi2 * (1 + 1e-6), "χ² \(refinedChi2) against pyFAI's \(f.refined.chi2)")
        let fit2d = r.fit2d
        print("spline refinement: χ² \(refinedChi2) (pyFAI \(f.refined.chi2)), centre (\(fit2d.centerX), \(fit2d.centerY)) (pyFAI (\(f.refined.fit2d_center_x), \(f.refined.fit2d_center_y))), direct distance \(fit2d.directDistance) mm (pyFAI \(f.refined.fit2d_direct_distance_mm)), poni1 \(r.poni1) rot2 \(r.rot2) (pyFAI \(f.refined.poni1), \(f.refined.rot2))")
        #expect(abs(fit2d.centerX - f.refined.fit2d_center_x) < 0.05 && abs(fit2d.centerY - f.refined.fit2d_center_y) < 0.05)
        #expect(abs(fit2d.directDistance - f.refined.fit2d_direct_distance_mm) < 0.05)
    }

    /// `calibrate --control-points` with the PONI's spline: the refined geometry of the test above, and the
    /// written PONI names the spline, so that `integrate` with it applies the distortion again.
    @Test func calibrateWritesTheSpline() async throws {
        guard let image = SharedData.url("images/Pilatus1M.edf") else { return }
        let f = try Self.fixture().calibration
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(at: SharedData.fixture("images/taper_pilatus1m.spline"), to: folder.appendingPathComponent("taper.spline"))
        guard let poni = try Self.writePONI(in: folder, spline: "taper.spline") else { return }
        var npt = "# control points\ncalibrant: AgBh\nwavelength: \(try Self.fixture().wavelength)\ndspacing:" + (1...6).map { " \(58.38 / Double($0))" }.joined() + "\n"
        for ring in 0..<6 {
            let points = f.points.filter { Int($0[2]) == ring }
            guard !points.isEmpty else { continue }
            npt += "\nNew group of points: \(ring)\nring: \(ring)\n" + points.map { "point: x=\($0[1]) y=\($0[0])\n" }.joined()
        }
        let nptURL = folder.appendingPathComponent("points.npt"), out = folder.appendingPathComponent("refined.poni")
        try npt.write(to: nptURL, atomically: true, encoding: .utf8)
        let r = try await RoentgenCLI.run(["calibrate", image.path, "--calibrant", "AgBh", "--poni", poni.path, "--distance", "1588.2311",
                                           "--control-points", nptURL.path, "-o", out.path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let centre = try #require(object["beam_center_px"] as? [Double])
        #expect(abs(centre[0] - f.refined.fit2d_center_x) < 0.05 && abs(centre[1] - f.refined.fit2d_center_y) < 0.05, "\(centre)")
        let written = try PONIGeometry.parse(String(contentsOf: out, encoding: .utf8), file: out.path)
        #expect(written.splineFile == folder.appendingPathComponent("taper.spline").path && written.pixel1 == 172 * 1e-6)
        // The JSON names the spline and the spline's pixel size too.
        let pixel = object["pixel_size_m"] as? [Double] ?? []
        #expect(object["spline"] as? String == written.splineFile && pixel.count == 2 && pixel.allSatisfy { abs($0 / written.pixel1 - 1) < 1e-12 }, "\(object)")
        #expect(object["parallax"] is NSNull && object["orientation"] as? Int == 3)
    }

    /// Ring picking through the spline: a CeO2 frame drawn with the spline geometry (Gaussian rings of 0.02° on a
    /// flat background, 2θ per pixel from `PixelGeometry`, which matches pyFAI above) is calibrated from a start
    /// 5 mm and (4, −3) px off. With `--spline` the geometry it was drawn with comes back; without, the rings,
    /// bent by up to 3.6 px, fit worse and the centre lands elsewhere.
    @Test func calibrateRingsDrawnThroughTheSpline() async throws {
        let s = try Self.spline()
        var truth = PONIGeometry(distance: 0.25, poni1: 0.0905, poni2: 0.0842, rot1: 0.004, rot2: -0.006, pixel1: s.pixel1, pixel2: s.pixel2, wavelength: 1.0e-10)
        truth = truth.withSpline(s, file: "taper.spline")
        let rows = 1043, columns = 981
        let arrays = try PixelGeometry(truth, rows: rows, columns: columns).arrays(unit: .twoThetaDegrees, corners: false)
        let rings = try Calibrant.builtIn("CeO2").twoTheta(wavelength: 1.0e-10).filter { $0 < 0.6 }
        let width = 0.02 * .pi / 180
        let frame = arrays.twoTheta.map { t -> Float in
            var v = 10.0
            for r in rings where abs(t - r) < 6 * width { v += 1000 * exp(-0.5 * (t - r) * (t - r) / (width * width)) }
            return Float(v)
        }
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = folder.appendingPathComponent("ceo2.edf")
        try NormalizationTests.writeEDF([frame], rows: rows, columns: columns, to: image)
        try FileManager.default.copyItem(at: SharedData.fixture("images/taper_pilatus1m.spline"), to: folder.appendingPathComponent("taper.spline"))
        let f = truth.fit2d
        func calibrate(_ spline: String) async throws -> [String: Any] {
            let r = try await RoentgenCLI.run(["calibrate", image.path, "--calibrant", "CeO2", "--wavelength", "1.0", "--distance", "\(f.directDistance + 5)",
                                               "--center", "\(f.centerX + 4),\(f.centerY - 3)", "--spline", spline, "--json"])
            #expect(r.status == 0, "\(r.stderr)")
            return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        }
        let with = try await calibrate(folder.appendingPathComponent("taper.spline").path)
        let centre = try #require(with["beam_center_px"] as? [Double]), distance = try #require(with["distance_m"] as? Double)
        let residual = try #require(with["residual_deg"] as? Double)
        #expect(abs(centre[0] - f.centerX) < 0.05 && abs(centre[1] - f.centerY) < 0.05, "centre \(centre) against (\(f.centerX), \(f.centerY))")
        #expect(abs(distance - truth.distance) < 5e-5, "distance \(distance)")
        #expect(abs((with["rot1"] as? Double ?? 0) - truth.rot1) < 5e-4 && abs((with["rot2"] as? Double ?? 0) - truth.rot2) < 5e-4)
        let without = try await calibrate("none")
        let centre0 = try #require(without["beam_center_px"] as? [Double]), residual0 = try #require(without["residual_deg"] as? Double)
        print("rings through the spline: with it centre \(centre), distance \(distance) m, rms \(residual)°; without it centre \(centre0), rms \(residual0)°; drawn (\(f.centerX), \(f.centerY)), \(truth.distance) m")
        #expect(residual0 > 3 * residual, "rms \(residual0)° without the spline, \(residual)° with")
        #expect(abs(centre0[0] - f.centerX) + abs(centre0[1] - f.centerY) > 0.5, "centre without the spline \(centre0)")
    }

    /// The PONI keeps the spline's name: parsed from v1 and v2, written back by `poniText`.
    @Test func poniRoundTrip() throws {
        let v1 = "Distance: 0.1\nPoni1: 0.01\nPoni2: 0.02\nRot1: 0\nRot2: 0\nRot3: 0\nPixelSize1: 1e-4\nPixelSize2: 1e-4\nSplineFile: /data/frelon.spline\n"
        let g = try PONIGeometry.parse(v1, file: "v1.poni")
        #expect(g.splineFile == "/data/frelon.spline" && g.spline == nil)
        let again = try PONIGeometry.parse(g.poniText(), file: "v2.poni")
        #expect(again.splineFile == "/data/frelon.spline")
        // No pixel size: the spline's will be used.
        #expect(try PONIGeometry.parse(v1.replacingOccurrences(of: "PixelSize1: 1e-4\nPixelSize2: 1e-4\n", with: ""), file: "v1.poni").splineFile != nil)
        #expect(try PONIGeometry.parse(v1.replacingOccurrences(of: "/data/frelon.spline", with: "None"), file: "v1.poni").splineFile == nil)
        let s = try Self.spline()
        let attached = g.withSpline(s, file: "/data/frelon.spline")
        #expect(attached.pixel1 == 172 * 1e-6 && attached.maxShape == [1043, 981])
        #expect(throws: RoentgenError.self) { try PixelGeometry(g, rows: 1043, columns: 981).arrays(unit: .twoThetaDegrees, corners: false) }
        #expect(throws: RoentgenError.self) { try PixelGeometry(attached, rows: 1000, columns: 981).arrays(unit: .twoThetaDegrees, corners: false) }
    }

    /// Damaged spline files: each error names the file and the line.
    @Test func damagedFilesAreRefused() throws {
        let text = try String(contentsOf: SharedData.fixture("images/taper_pilatus1m.spline"), encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        func refused(_ t: String, _ fragment: String, line: Int? = nil) {
            do {
                _ = try Fit2DSpline.parse(t, file: "bad.spline")
                Issue.record("accepted: \(fragment)")
            } catch let e as RoentgenError {
                #expect(e.file == "bad.spline" && e.message.contains(fragment), "\(e)")
                if let line { #expect(e.line == line, "\(e)") }
            } catch { Issue.record("\(error)") }
        }
        // A coefficient that is not a number (line 14: the X distortion's first coefficients).
        lines[13] = String(lines[13].prefix(14)) + "    x.xxxxE+00" + String(lines[13].dropFirst(28))
        refused(lines.joined(separator: "\n"), "is not a number", line: 14)
        lines = text.components(separatedBy: "\n")
        lines.remove(at: 15)   // one line of coefficients fewer
        refused(lines.joined(separator: "\n"), "coefficients expected")
        refused(text.replacingOccurrences(of: "  Y-DISTORTION", with: "  Z-DISTORTION"), "lacks its Y-DISTORTION")
        refused(text.replacingOccurrences(of: "  VALID REGION", with: "  REGION"), "no VALID REGION")
        refused(text.replacingOccurrences(of: "     9    13", with: "     9    3"), "knot counts", line: 10)
        refused("not a spline\n", "no VALID REGION")
        refused(String(text.prefix(text.count / 2)), "X-DISTORTION holds")
    }

    /// The command line: a missing spline names the file and where it was looked for; a spline of another
    /// detector shape, or with a flipped detector orientation, is refused; no partial output.
    @Test func commandLineRefusals() async throws {
        guard let image = SharedData.url("images/Pilatus1M.edf") else { return }
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        guard let poni = try Self.writePONI(in: folder, spline: "missing.spline") else { return }
        var r = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path])
        #expect(r.status != 0 && r.stderr.contains("missing.spline") && r.stderr.contains("beside the PONI") && r.stdout.isEmpty, "\(r.stderr)")
        // A spline for 1043 × 981 pixels and a 195 × 487 image.
        if let other = SharedData.url("images/AgBehenate_228.hdf5") {
            r = try await RoentgenCLI.run(["integrate", other.path, "--poni", poni.path, "--spline", SharedData.fixture("images/taper_pilatus1m.spline").path])
            #expect(r.status != 0 && r.stderr.contains("covers 1043 × 981 pixels") && r.stdout.isEmpty, "\(r.stderr)")
        }
        let v2 = folder.appendingPathComponent("flipped.poni")
        try """
        poni_version: 2.1
        Detector: Detector
        Detector_config: {"pixel1": 0.000172, "pixel2": 0.000172, "max_shape": [1043, 981], "orientation": 2, "splineFile": "taper.spline"}
        Distance: 1.58
        Poni1: 0.033
        Poni2: 0.041
        Rot1: 0
        Rot2: 0
        Rot3: 0
        """.write(to: v2, atomically: true, encoding: .utf8)
        r = try await RoentgenCLI.run(["integrate", image.path, "--poni", v2.path])
        #expect(r.status != 0 && r.stderr.contains("orientation 2") && r.stderr.contains("flipped.poni"), "\(r.stderr)")
    }
}
