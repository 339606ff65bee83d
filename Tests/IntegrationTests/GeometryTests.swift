import Foundation
import Testing
import TestSupport
import XrayCore
import XrayFormats
@testable import Integration

/// Per-pixel geometry against pyFAI 2026.9 (geometry_probe.json, 7 significant digits).
@Suite struct GeometryTests {
    static let shapes: [String: (Int, Int)] = [
        "CeO2_Pilatus1M": (1043, 981), "Pilatus1M_AgBh_BM26": (1043, 981), "pixium_03150": (1441, 1440),
        "run2_1_00148": (2527, 2463), "example_mar2300": (2300, 2300), "AgBehenate_228": (195, 487), "ssrl_LaB6_tth_0009": (195, 1475),
    ]

    @Test func probePixels() throws {
        guard let probe = try Reference.load("images/reference/geometry_probe.json", as: GeometryProbe.self) else { return }
        #expect(probe.images.count == 7)
        for image in probe.images {
            let url = try #require(SharedData.url(image.poni_file))
            let poni = try PONIGeometry.parse(String(contentsOf: url, encoding: .utf8), file: url.path)
            let (rows, columns) = try #require(Self.shapes[image.image_id])
            let g = PixelGeometry(poni, rows: rows, columns: columns)
            for p in image.pixels {
                let c = g.center(row: p.row, column: p.col)
                #expect(abs(c.twoTheta / p.tth_rad - 1) < 1e-6, "\(image.image_id) \(p.row),\(p.col) 2θ")
                #expect(abs(c.chi - p.chi_rad) < 2e-6, "\(image.image_id) χ")
                // pyFAI's r comes from float32 positions: near the PONI (r of 0.1–3 mm) its last digits
                // carry ~2e-8 m of float32 rounding, hence the absolute allowance.
                #expect(abs(c.r - p.r_m) < 1e-6 * p.r_m + 5e-8, "\(image.image_id) r")
                #expect(abs(g.solidAngle(row: p.row, column: p.col) / p.solid_angle_rel - 1) < 1e-6, "\(image.image_id) solid angle")
                let pol = PixelGeometry.polarization(twoTheta: c.twoTheta, chi: c.chi, factor: 0.99)
                #expect(abs(pol / p.polarization - 1) < 1e-6, "\(image.image_id) polarisation")
                if let q = p.q { #expect(abs(try #require(g.q(row: p.row, column: p.col)) / q - 1) < 1e-6, "\(image.image_id) q") }
                else { #expect(g.q(row: p.row, column: p.col) == nil, "Pilatus1M.poni has no wavelength") }
            }
            // Whole-image sums and extremes.
            let a = try g.arrays(unit: .twoThetaDegrees, corners: false)
            #expect(abs(a.radial.min()! / image.tth_min_rad - 1) < 1e-6, "\(image.image_id) min 2θ")
            #expect(abs(a.radial.max()! / image.tth_max_rad - 1) < 1e-6, "\(image.image_id) max 2θ")
            #expect(abs(a.solidAngle.reduce(0, +) / image.solid_angle_sum - 1) < 1e-6, "\(image.image_id) Σ solid angle")
            var pol = 0.0
            for k in a.chi.indices { pol += PixelGeometry.polarization(twoTheta: a.twoTheta[k], chi: a.chi[k], factor: 0.99) }
            #expect(abs(pol / image.polarization - 1) < 1e-6, "\(image.image_id) Σ polarisation")
        }
    }

    /// q without a wavelength fails cleanly (Pilatus1M.poni has none).
    @Test func qWithoutWavelength() throws {
        guard let url = SharedData.url("images/Pilatus1M.poni") else { return }
        let poni = try PONIGeometry.parse(String(contentsOf: url, encoding: .utf8), file: url.path)
        #expect(poni.wavelength == nil)
        var options = IntegrationOptions()
        options.unit = .qInverseAngstrom
        #expect(throws: RoentgenError.self) { _ = try AzimuthalIntegrator(geometry: poni, rows: 10, columns: 10, options: options) }
    }

    /// PONI v1/v2 parsing, the Pilatus300kw gap mask (pyFAI: 2730 pixels), Fit2D conversion
    /// (pyFAI's getFit2D of the pixium PONI, from the reference JSON) and its inverse.
    @Test func poniAndFit2D() throws {
        if let url = SharedData.url("images/b_toney_Lab6_thtth_rightside_scan2_0009.poni") {
            let poni = try PONIGeometry.parse(String(contentsOf: url, encoding: .utf8), file: url.path)
            #expect(poni.detector == "Pilatus300kw" && poni.pixel1 == 172e-6)
            let model = try #require(DetectorModel.named(poni.detector!))
            let gaps = try #require(model.builtInMask(pixel1: poni.pixel1, pixel2: poni.pixel2, rows: 195, columns: 1475))
            #expect(gaps.filter { $0 }.count == 2730)
        }
        guard let url = SharedData.url("images/DLS_CeO2_1200mm_pyFAI.poni") else { return }
        let poni = try PONIGeometry.parse(String(contentsOf: url, encoding: .utf8), file: url.path)
        #expect(poni.pixel1 == 0.000296 && poni.distance == 1.1938977457995166 && poni.wavelength == 1.393e-11)
        let f = poni.fit2d
        #expect(abs(f.directDistance - 1193.9430394394783) < 1e-9)
        #expect(abs(f.centerX - 712.1608491671109) < 1e-9)
        #expect(abs(f.centerY - 724.6454947591276) < 1e-9)
        #expect(abs(f.tilt - 0.49907499489270457) < 1e-9)
        #expect(abs(f.tiltPlaneRotation - 70.44886467444806) < 1e-7)
        let back = PONIGeometry(fit2d: f, pixel1: poni.pixel1, pixel2: poni.pixel2, wavelength: poni.wavelength)
        #expect(abs(back.distance - poni.distance) < 1e-12 && abs(back.poni1 - poni.poni1) < 1e-12 && abs(back.poni2 - poni.poni2) < 1e-12)
        #expect(abs(back.rot1 - poni.rot1) < 1e-12 && abs(back.rot2 - poni.rot2) < 1e-12)
        // Written and read back.
        let again = try PONIGeometry.parse(poni.poniText(), file: "written.poni")
        #expect(again == poni)
        // Damaged PONI files name the file and line.
        let bad = "Distance: 1.2\nPoni1: x\nPoni2: 0\nRot1: 0\nRot2: 0\nRot3: 0\nPixelSize1: 1e-4\nPixelSize2: 1e-4\n"
        #expect(throws: RoentgenError.badFile("bad.poni", line: 2, "PONI Poni1 'x' is not a number")) { _ = try PONIGeometry.parse(bad, file: "bad.poni") }
    }

    /// A PONI with a Fit2D distortion spline (FReLoN and image-plate geometries) keeps its name, v1 and v2, for the
    /// caller to read (SplineTests integrate with one); "None"/null (the Dioptas CeO2 PONI) is no spline. A geometry
    /// whose spline was not read is refused where pixel positions are made, not integrated as undistorted.
    @Test func splineFileKept() throws {
        let v1 = "PixelSize1: 5e-05\nPixelSize2: 5e-05\nDistance: 0.1\nPoni1: 0.05\nPoni2: 0.05\nRot1: 0\nRot2: 0\nRot3: 0\nSplineFile: /data/id11/frelon_spline_2012.spline\n"
        let g = try PONIGeometry.parse(v1, file: "frelon.poni")
        #expect(g.splineFile == "/data/id11/frelon_spline_2012.spline")
        do {
            _ = try PixelGeometry(g, rows: 10, columns: 10).arrays(unit: .twoThetaDegrees, corners: false)
            Issue.record("a geometry whose spline was not read was integrated")
        } catch let e as RoentgenError {
            #expect(e.description.contains("frelon_spline_2012.spline") && e.description.contains("not read"), "\(e.description)")
        }
        #expect(try PONIGeometry.parse(v1.replacingOccurrences(of: "/data/id11/frelon_spline_2012.spline", with: "None"), file: "none.poni").splineFile == nil)
        let v2 = "poni_version: 2\nDetector: FReLoN\nDetector_config: {\"splineFile\": \"/data/frelon.spline\", \"binning\": [1, 1]}\nDistance: 0.1\nPoni1: 0.05\nPoni2: 0.05\nRot1: 0\nRot2: 0\nRot3: 0\n"
        #expect(try PONIGeometry.parse(v2, file: "frelon2.poni").splineFile == "/data/frelon.spline")
        let none = v2.replacingOccurrences(of: "\"/data/frelon.spline\"", with: "null").replacingOccurrences(of: "\"binning\": [1, 1]", with: "\"pixel1\": 5e-05, \"pixel2\": 5e-05")
        let parsed = try PONIGeometry.parse(none, file: "null.poni")
        #expect(parsed.pixel2 == 5e-05 && parsed.splineFile == nil)
        if let url = SharedData.url("images/CeO2_Pilatus1M.poni") {   // SplineFile: None
            let ceo2 = try PONIGeometry.parse(String(contentsOf: url, encoding: .utf8), file: url.path)
            #expect(ceo2.pixel1 == 172e-6 && ceo2.splineFile == nil)
        }
    }

    /// Fit2D's direct distance (mm), beam centre (px), tilt and tilt-plane rotation (°) of every PONI in the test
    /// material, against pyFAI 2026.9's `getFit2D()` (the 38.7° tilted Pilatus 300K-W among them), and back.
    @Test func fit2dOfEveryPONI() throws {
        let pyFAI: [(String, [Double])] = [
            ("CeO2_Pilatus1M.poni", [208.68865485844012, 487.2590056623346, 512.5483498574525, 1.0829269537346373, 12.645940035040315]),
            ("DLS_CeO2_1200mm.poni", [1194.0531251275524, 712.1360367570028, 716.1841298104573, 0.19450235519768955, 7.429955456025041]),
            ("DLS_CeO2_1200mm_pyFAI.poni", [1193.9430394394783, 712.1608491671109, 724.6454947591276, 0.49907499489270457, 70.44886467444806]),
            ("Pilatus1M.poni", [1583.3096576843056, 179.98053034900167, 263.85882981105306, 0.570689826622454, 130.6397915530277]),
            ("b_toney_Lab6_thtth_rightside_scan2_0009.poni", [561.8076211212897, 1066.1735269715207, 701.654740745189, 38.702464616731234, 177.56500633371834]),
            ("derived_poni/AgBehenate_228_nexus.poni", [513.8, -5.42, 85.86, 0, 0]),
            ("derived_poni/example_mar2300_header.poni", [240, 1150, 1150, 0, 0]),
            ("derived_poni/run2_1_00148_header.poni", [300, 1230.1, 1310.5, 0, 0]),
        ]
        for (name, ref) in pyFAI {
            guard let url = SharedData.url("images/" + name) else { print(SharedData.missing("images/" + name)); return }
            let poni = try PONIGeometry.parse(String(contentsOf: url, encoding: .utf8), file: url.path)
            let f = poni.fit2d
            #expect(abs(f.directDistance - ref[0]) < 1e-8 && abs(f.centerX - ref[1]) < 1e-8 && abs(f.centerY - ref[2]) < 1e-8, "\(name): \(f)")
            #expect(abs(f.tilt - ref[3]) < 1e-8 && (ref[3] == 0 || abs(f.tiltPlaneRotation - ref[4]) < 1e-6), "\(name): \(f)")
            let back = PONIGeometry(fit2d: f, pixel1: poni.pixel1, pixel2: poni.pixel2, wavelength: poni.wavelength)
            #expect(abs(back.distance - poni.distance) < 1e-11 && abs(back.poni1 - poni.poni1) < 1e-11 && abs(back.poni2 - poni.poni2) < 1e-11, "\(name)")
            #expect(abs(back.rot1 - poni.rot1) < 1e-10 && abs(back.rot2 - poni.rot2) < 1e-10, "\(name)")
        }
    }
}
