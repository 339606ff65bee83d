import Foundation
import XrayCore

/// A detector geometry in pyFAI's PONI convention (pyFAI `Geometry`, orientation 3):
/// `distance` from the sample to the point of normal incidence (PONI) in metres, the PONI
/// (`poni1` along rows / slow axis / dimension 1, `poni2` along columns / fast axis / dimension 2,
/// in metres from the corner of the first pixel), rotations `rot1` (about dimension 1), `rot2`,
/// `rot3` (about the beam) in radians, pixel sizes in metres, and the wavelength in metres.
public struct PONIGeometry: Sendable, Equatable {
    public var distance: Double
    public var poni1: Double
    public var poni2: Double
    public var rot1: Double
    public var rot2: Double
    public var rot3: Double
    /// Pixel size along rows (dimension 1), metres.
    public var pixel1: Double
    /// Pixel size along columns (dimension 2), metres.
    public var pixel2: Double
    /// Wavelength in metres (nil: 2θ and r only; q cannot be computed).
    public var wavelength: Double?
    /// The detector named by the file (`Pilatus300kw`, …), nil for a generic `Detector`.
    public var detector: String?
    /// The detector shape (rows, columns) when the file or the detector gives it.
    public var maxShape: [Int]?
    /// pyFAI's detector orientation (PONI 2.1 `Detector_config` "orientation", 1–4; 3, the default, is
    /// the geometry above). pyFAI 2026.9 treats the others as a re-indexing of the pixels: the
    /// positions of orientation 2 are those of 3 upside down (rows reversed), 4 left to right
    /// (columns reversed), 1 both (measured: 2θ and χ arrays identical after the flip).
    public var orientation: Int = 3
    /// Whether the orientation reverses the rows / the columns of the pixel grid.
    public var flipsRows: Bool { orientation == 1 || orientation == 2 }
    public var flipsColumns: Bool { orientation == 1 || orientation == 4 }
    /// The Fit2D distortion spline file the PONI names (v1 `SplineFile:`, v2 `Detector_config`
    /// `splineFile`), as written there; nil for none.
    public var splineFile: String?
    /// That spline, once read (the caller reads the file: `RoentgenOperations.DistortionSplines`).
    /// With a spline, pixel positions move by its displacements and the pixel sizes are its own, as in
    /// pyFAI, where the spline's pixel size replaces the PONI's.
    public var spline: Fit2DSpline?
    /// The sensor the PONI's `Detector_config` names (version 3 `"sensor"`), nil for none.
    public var sensor: DetectorSensor?
    /// Whether positions are corrected for the sensor's parallax (PONI version 3 `Parallax: True`; needs a
    /// sensor and the wavelength). See `Parallax`.
    public var parallax: Bool = false

    public init(distance: Double, poni1: Double, poni2: Double, rot1: Double = 0, rot2: Double = 0, rot3: Double = 0,
                pixel1: Double, pixel2: Double, wavelength: Double? = nil, detector: String? = nil, maxShape: [Int]? = nil) {
        self.distance = distance
        self.poni1 = poni1
        self.poni2 = poni2
        self.rot1 = rot1
        self.rot2 = rot2
        self.rot3 = rot3
        self.pixel1 = pixel1
        self.pixel2 = pixel2
        self.wavelength = wavelength
        self.detector = detector
        self.maxShape = maxShape
    }

    /// Parses a PONI file (version 1: `PixelSize1/2` lines; version 2: `Detector_config` JSON with
    /// `pixel1`, `pixel2`, `max_shape`). A `Detector:` name of a known detector gives its pixel
    /// size and shape (see `DetectorModel`). `file` names the file in errors.
    public static func parse(_ text: String, file: String) throws -> PONIGeometry {
        var values: [String: (String, Int)] = [:]
        for (n, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0.isNewline }).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#"), let colon = line.firstIndex(of: ":") else { continue }
            values[line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()] = (line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces), n + 1)
        }
        func number(_ key: String, required: Bool = true) throws -> Double? {
            guard let (text, line) = values[key.lowercased()] else {
                if required { throw RoentgenError.badFile(file, "PONI file lacks '\(key):'") }
                return nil
            }
            guard let v = Double(text), v.isFinite else { throw RoentgenError.badFile(file, line: line, "PONI \(key) '\(text)' is not a number") }
            return v
        }
        // A Fit2D spline file (v1 `SplineFile:`, v2 Detector_config `splineFile`): kept by name, read by the caller.
        var splineFile: (String, Int)?
        func spline(_ path: String, line: Int) {
            let trimmed = path.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
            guard !trimmed.isEmpty, trimmed.lowercased() != "none", trimmed.lowercased() != "null" else { return }
            splineFile = (trimmed, line)
        }
        // pyFAI reads `SplineFile:` in version 1 files only; version 2 names the spline in Detector_config.
        let version = values["poni_version"].flatMap { Double($0.0) } ?? 1
        if version < 2, let (path, line) = values["splinefile"] { spline(path, line: line) }
        var detector: String? = values["detector"]?.0
        if detector == "Detector" || detector?.isEmpty == true { detector = nil }
        var pixel1 = try number("PixelSize1", required: false)
        var pixel2 = try number("PixelSize2", required: false)
        var maxShape: [Int]?
        var orientation = 3
        var sensor: DetectorSensor?
        if let (config, line) = values["detector_config"] {
            guard let data = config.data(using: .utf8), let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw RoentgenError.badFile(file, line: line, "PONI Detector_config is not a JSON object")
            }
            if let path = (json["splineFile"] ?? json["splinefile"]) as? String { spline(path, line: line) }
            if let p = json["pixel1"] as? Double { pixel1 = p }
            if let p = json["pixel2"] as? Double { pixel2 = p }
            if let s = json["max_shape"] as? [Int], s.count == 2 { maxShape = s }
            if let o = json["orientation"] {
                guard let k = o as? Int, (1...4).contains(k) else {
                    throw RoentgenError.badFile(file, line: line, "PONI Detector_config orientation \(o): expected 1 to 4 (pyFAI's detector orientation; 3 is the default)")
                }
                orientation = k
            }
            if let s = json["sensor"] { sensor = try DetectorSensor.parse(json: s, file: file, line: line) }
        }
        // pyFAI reads `Parallax:` in version 3 files only (`True`/`False`, case-insensitive).
        var parallax = false
        if version >= 3, let (text, line) = values["parallax"] {
            parallax = text.lowercased() == "true"
            if parallax && sensor == nil {
                throw RoentgenError.badFile(file, line: line, "PONI asks for the parallax correction (Parallax: True) but its Detector_config names no sensor (\"sensor\": {\"material\": \"Si\", \"thickness\": 0.001}); pyFAI would skip the correction with an error in its log")
            }
        }
        if let name = detector {
            guard let model = DetectorModel.named(name) else {
                if pixel1 == nil && splineFile == nil { throw RoentgenError.badFile(file, line: values["detector"]?.1, "PONI names detector '\(name)', which Roentgen does not know, and gives no pixel size; known: \(DetectorModel.all.map(\.name).joined(separator: ", "))") }
                return try finish()
            }
            guard let standard = model.standard else {
                throw RoentgenError.badFile(file, line: values["detector"]?.1, "PONI names detector '\(name)' (pyFAI's \(model.name)): \(model.irregular ?? "no regular pixel grid"); pyFAI places its pixels with its own model of the detector, and Roentgen integrates regular pixel grids only")
            }
            // The pixel size pyFAI builds the detector with (the PONI's, else the detector's default), and the
            // shape it then has (a binned Rayonix, a 150 µm mar345 plate …); another pixel size keeps no shape.
            pixel1 = pixel1 ?? standard.pixel1
            pixel2 = pixel2 ?? standard.pixel2
            if let b = model.binning(pixel1: pixel1!, pixel2: pixel2!) { maxShape = maxShape ?? [b.rows, b.columns] }
        }
        return try finish()

        func finish() throws -> PONIGeometry {
            // With a spline and no pixel size, a placeholder: the spline's own replaces it when it is read
            // (`PixelGeometry` refuses a geometry whose spline was not read).
            let placeholder: Double? = splineFile != nil ? 1e-4 : nil
            guard let p1 = pixel1 ?? placeholder, let p2 = pixel2 ?? placeholder else {
                throw RoentgenError.badFile(file, "PONI file gives no pixel size (PixelSize1/2, Detector_config or a known Detector)")
            }
            // Plausible values only: a pixel of 0.1 µm to 10 mm, a distance up to 100 m, a wavelength of
            // 0.001–100 Å (0 or absent: none). Beyond these the geometry overflows (a distance of 1e308 m
            // put every pixel at 2θ = 90°).
            for (key, p) in [("PixelSize1", p1), ("PixelSize2", p2)] where !(p >= 1e-7 && p <= 1e-2) {
                throw RoentgenError.badFile(file, line: values[key.lowercased()]?.1 ?? values["detector_config"]?.1, "PONI \(key) \(p) m: expected a pixel size of 1e-7 to 0.01 m")
            }
            let distance = try number("Distance")!
            guard distance > 0, distance <= 100 else { throw RoentgenError.badFile(file, line: values["distance"]?.1, "PONI Distance \(distance) m: expected a positive distance of at most 100 m") }
            for key in ["Poni1", "Poni2"] {
                if let v = try number(key), abs(v) > 10 { throw RoentgenError.badFile(file, line: values[key.lowercased()]?.1, "PONI \(key) \(v) m: expected at most 10 m from the detector's corner") }
            }
            var wavelength = try number("Wavelength", required: false)
            if let w = wavelength {
                if w == 0 { wavelength = nil } else if !(w >= 1e-13 && w <= 1e-8) {
                    throw RoentgenError.badFile(file, line: values["wavelength"]?.1, "PONI Wavelength \(w) m: expected 1e-13 to 1e-8 m (0.001–100 Å), or 0 for none")
                }
            }
            var g = PONIGeometry(distance: distance, poni1: try number("Poni1")!, poni2: try number("Poni2")!,
                                 rot1: try number("Rot1")!, rot2: try number("Rot2")!, rot3: try number("Rot3")!,
                                 pixel1: p1, pixel2: p2, wavelength: wavelength, detector: detector, maxShape: maxShape)
            g.orientation = orientation
            g.sensor = sensor
            g.parallax = parallax
            if let (path, line) = splineFile {
                // pyFAI evaluates the spline at the re-indexed pixel coordinates but its solid-angle area
                // factor at the stored ones; rather than copy that mixture, the pair is refused.
                guard orientation == 3 else {
                    throw RoentgenError.badFile(file, line: line, "PONI names a distortion spline ('\(path)') with detector orientation \(orientation); Roentgen applies a spline in orientation 3 only")
                }
                g.splineFile = path
            }
            return g
        }
    }

    /// The geometry with its distortion spline read: pixel sizes become the spline's (pyFAI's detector
    /// takes them from the spline), and the shape the spline's when the PONI gave none. `file` is
    /// the spline's path as it is to be written back into a PONI.
    public func withSpline(_ spline: Fit2DSpline, file: String) -> PONIGeometry {
        var g = self
        g.spline = spline
        g.splineFile = file
        g.pixel1 = spline.pixel1
        g.pixel2 = spline.pixel2
        if g.maxShape == nil { g.maxShape = [spline.shape.rows, spline.shape.columns] }
        return g
    }

    /// Checks that a spline named by the geometry was read and covers a `rows` × `columns` image.
    public func checkSpline(rows: Int, columns: Int) throws {
        guard let file = splineFile else { return }
        guard let spline else {
            throw RoentgenError.badParameter("the geometry names the distortion spline '\(file)', which was not read")
        }
        guard spline.shape == (rows, columns) else {
            throw RoentgenError.badParameter("the distortion spline '\(file)' covers \(spline.shape.rows) × \(spline.shape.columns) pixels (its VALID REGION); the image has \(rows) × \(columns): a spline is made for one detector and binning")
        }
    }

    /// The parallax correction this geometry asks for at its distance (nil when it asks for none). Throws when it
    /// cannot be made: no wavelength, or an energy outside the sensor material's tables.
    public func parallaxCorrection() throws -> ParallaxCorrection? {
        try parallaxModel()?.correction(distance: distance)
    }

    /// The sensor's parallax at this geometry's energy (nil when the correction is off); throws as `parallaxCorrection`,
    /// and for a geometry that also has a distortion spline.
    public func parallaxModel() throws -> Parallax? {
        guard parallax, let sensor else { return nil }
        // pyFAI 2026.9 cannot compute this pair (its centre positions evaluate the spline on the outer product of
        // every pixel's coordinates: terabytes), so there is no reference to hold the numbers to; refused.
        if let file = splineFile {
            throw RoentgenError.badParameter("the parallax correction (sensor \(sensor.label)) with the distortion spline '\(file)': Roentgen applies one or the other (pyFAI 2026.9 cannot compute the pair)")
        }
        guard let wavelength else {
            throw RoentgenError.badParameter("the parallax correction (sensor \(sensor.label)) needs the wavelength, and the geometry has none (add a Wavelength line to the PONI file)")
        }
        // pyFAI's energy: 1e-10 · hc / λ, in keV.
        return try Parallax(sensor: sensor, energy: 1e-10 * Self.hcKeVAngstrom / wavelength)
    }

    /// The geometry with the sensor `spec` (pyFAI's short form, `Si,1000um`; `DetectorSensor.parse`) and the
    /// parallax correction on, or with `none` off (the PONI's sensor dropped). `what` names the option in errors.
    public func withSensor(_ spec: String, what: String = "--sensor") throws -> PONIGeometry {
        var g = self
        if spec.lowercased() == "none" {
            g.sensor = nil
            g.parallax = false
        } else {
            g.sensor = try DetectorSensor.parse(spec, what: what)
            g.parallax = true
        }
        return g
    }

    /// This geometry with the six parameters of `p` (distance, PONI, rotations); everything else (pixel sizes,
    /// wavelength, detector, shape, orientation, spline, sensor) kept: a refined or re-centred geometry put back
    /// on the detector it was made for.
    public func withParameters(of p: PONIGeometry) -> PONIGeometry {
        var g = self
        (g.distance, g.poni1, g.poni2, g.rot1, g.rot2, g.rot3) = (p.distance, p.poni1, p.poni2, p.rot1, p.rot2, p.rot3)
        return g
    }

    /// The sensor whose parallax is corrected, nil when the correction is off.
    public var parallaxSensor: DetectorSensor? { parallax ? sensor : nil }

    /// h·c in keV·Å (CODATA 2018, as scipy's constants, which pyFAI converts wavelengths to energies with).
    public static let hcKeVAngstrom = 12.398419843320026

    /// The geometry as a PONI file (version 2; 2.1 with an orientation other than 3; 3 with a sensor), as pyFAI
    /// writes it.
    public func poniText(comment: String? = nil) -> String {
        var out = "# Nota: C-Order, 1 refers to the Y axis, 2 to the X axis\n"
        if let comment { out += comment.split(separator: "\n").map { "# " + $0 }.joined(separator: "\n") + "\n" }
        // Orientation 3 is the default of every version; another needs version 2.1, which carries it, and a
        // sensor (and the parallax switch) version 3, which writes the orientation always.
        let version = sensor != nil ? "3" : orientation == 3 ? "2" : "2.1"
        out += "poni_version: \(version)\n"
        out += "Detector: \(detector ?? "Detector")\n"
        // pyFAI writes no max_shape for a detector it knows by name (its class sets the shape from the pixel
        // size; a mar345 given one would even scale it).
        let shape = detector != nil ? "" : ", \"max_shape\": " + (maxShape.map { "[\($0[0]), \($0[1])]" } ?? "null")
        let oriented = orientation == 3 && sensor == nil ? "" : ", \"orientation\": \(orientation)"
        let splined = splineFile.map { ", \"splineFile\": \(IntegrationOutput.quoted($0))" } ?? ""
        let sensed = sensor.map { ", \"sensor\": {\"material\": \(IntegrationOutput.quoted($0.material.name))" + ($0.thickness.map { ", \"thickness\": \($0)" } ?? "") + "}" } ?? ""
        out += "Detector_config: {\"pixel1\": \(pixel1), \"pixel2\": \(pixel2)\(shape)\(oriented)\(splined)\(sensed)}\n"
        out += "Distance: \(distance)\nPoni1: \(poni1)\nPoni2: \(poni2)\nRot1: \(rot1)\nRot2: \(rot2)\nRot3: \(rot3)\n"
        if let wavelength { out += "Wavelength: \(wavelength)\n" }
        if sensor != nil { out += "Parallax: \(parallax ? "True" : "False")\n" }
        return out
    }
}
