import Foundation
import Integration
import XrayCore
import XrayFormats

/// `roentgen calibrate` and `POST /api/calibrate`: the detector geometry refined from calibrant rings (or
/// pyFAI control points) on the shared refinement engine, from a PONI, a rough centre and distance, or a
/// start found from the rings.
public enum CalibrateOperations {
    /// The options of `roentgen calibrate` (snake_case keys in the API).
    public struct Request: OperationRequest {
        /// The calibrant image (its first frame, or `frame`).
        public var image = ""
        /// CeO2, LaB6, Si, AgBh, or a pyFAI `.D` file of d-spacings (Å).
        public var calibrant = ""
        /// Wavelength (Å); default the start PONI's or the image header's.
        public var wavelength: Double?
        /// Start distance (mm) and beam centre ("X,Y" in pixels, Fit2D convention).
        public var distance: Double?
        public var center: String?
        /// Start geometry (PONI file).
        public var poni: String?
        /// Pixel size (µm) when neither the PONI nor the header gives it.
        public var pixelSize: Double?
        /// The detector by a name pyFAI knows: its pixel size for the image's shape, its built-in mask, its name in the PONI.
        public var detector: String?
        /// Fit2D distortion spline (`none` drops the PONI's) and parallax sensor (`none` switches it off).
        public var spline: String?
        public var sensor: String?
        /// Mask image (nonzero: left out) and dummy value.
        public var mask: String?
        public var dummy: Double?
        /// HDF5 dataset of the frames.
        public var dataset: String?
        /// The frame of a stack to calibrate on (from 0; default the first).
        public var frame = 0
        /// pyFAI control points (.npt) to refine from instead of picking ring pixels.
        public var controlPoints: String?
        public var refineWavelength = false
        public var refineRot3 = false
        public var fixTilts = false
        /// Extraction–refinement passes, and the peak-picking threshold in robust standard deviations.
        public var passes = 3
        public var threshold = 5.0
        /// Write the refined geometry to this PONI file (pyFAI v2), as `-o` does.
        public var output: String?
        /// The API's: replace an existing `output` file (without it the server refuses, 409); the CLI always replaces.
        public var overwrite = false

        public init(image: String = "", calibrant: String = "") {
            self.image = image
            self.calibrant = calibrant
        }

        public static var defaults: Request { Request() }
    }

    /// A calibration: the refined geometry, the start found from the rings (when it was), and the notes
    /// (pixel size from the shape, the start found, the built-in mask applied …).
    public struct Outcome: Sendable {
        public var result: CalibrationResult
        public var start: CalibrationStart.Estimate?
        public var notes: [String]
        public var calibrant: String
        public var file: String

        /// The PONI file (version 2, as pyFAI writes it) with a comment naming the image and the fit.
        public var poniText: String {
            let comment = String(format: "Calibrated by roentgen calibrate from %@ with %@: %d control points, rms Δ2θ %.5f deg",
                                 URL(fileURLWithPath: file).lastPathComponent, calibrant, result.controlPoints.count, result.residualDegrees)
            return result.geometry.poniText(comment: comment)
        }
    }

    /// A built-in calibrant (CeO2, LaB6, Si, AgBh) by name, or the pyFAI `.D` file at `nameOrPath`; an unknown
    /// name that is no file either is a `badParameter` error naming the four.
    public static func calibrant(_ nameOrPath: String) throws -> Calibrant {
        if Calibrant.named(nameOrPath) == nil, FileManager.default.fileExists(atPath: nameOrPath) {
            let file = try CalibrantFile.read(URL(fileURLWithPath: nameOrPath))
            return Calibrant(name: file.name, dSpacings: file.dSpacings)
        }
        return try Calibrant.builtIn(nameOrPath)
    }

    /// Whether `name` is one of the built-in calibrants (CeO2, LaB6, Si, AgBh), not a file.
    public static func isBuiltInCalibrant(_ name: String) -> Bool { Calibrant.named(name) != nil }

    /// Calibrates as the request says (errors name the option or the file).
    public static func run(_ r: Request) throws -> Outcome {
        var notes: [String] = []
        let image = r.image, mask = r.mask, dummy = r.dummy, passes = r.passes, threshold = r.threshold, pixelSize = r.pixelSize
        let calibrant = r.calibrant, dataset = r.dataset, controlPoints = r.controlPoints
        guard passes >= 1, passes <= 20 else { throw RoentgenError.badParameter("--passes \(passes): 1 to 20 extraction–refinement passes") }
        guard threshold > 0, threshold.isFinite else { throw RoentgenError.badParameter("--threshold \(threshold): a positive number of robust standard deviations") }
        if let p = pixelSize, !(p > 0 && p.isFinite) { throw RoentgenError.badParameter("--pixel-size \(p) µm must be positive") }
        let cal = try Self.calibrant(calibrant)
        let source = try DetectorImages.open(URL(fileURLWithPath: image), dataset: dataset)
        let template = source.template
        guard r.frame >= 0, r.frame < source.frameCount else {
            throw RoentgenError(.badParameter, "--frame \(r.frame): the image has \(source.frameCount) frame\(source.frameCount == 1 ? "" : "s") (0 to \(source.frameCount - 1))", file: image)
        }
        let frame = try source.frame(r.frame)
        // Pixels left out: the mask file, invalid values (NaN, negative Pilatus/Eiger gaps, the dummy) and
        // --detector's built-in mask; the start PONI's detector adds its own below.
        var m = [Bool](repeating: false, count: frame.count)
        if let mask {
            let mi = try DetectorImages.readMask(URL(fileURLWithPath: mask))
            guard mi.rows == template.rows, mi.columns == template.columns, let values = mi.frames.first else {
                throw RoentgenError(.badParameter, "--mask is \(mi.rows) × \(mi.columns), the image \(template.rows) × \(template.columns)", file: mask)
            }
            for i in m.indices where values[i] != 0 { m[i] = true }
        }
        for i in m.indices where frame[i].isNaN || (template.pixelType.isSignedInteger && frame[i] < 0) || frame[i] == dummy { m[i] = true }
        let named = try detectorBinning(template, r)
        if let named, let built = named.model.builtInMask(pixel1: named.binning.pixel1, pixel2: named.binning.pixel2,
                                                          rows: template.rows, columns: template.columns) {
            for i in m.indices where built[i] { m[i] = true }
        }
        let (start, found) = try startGeometry(template, r, named: named, frame: frame, mask: m, calibrant: cal, notes: &notes)
        var options = CalibrationOptions()
        options.refineWavelength = r.refineWavelength
        options.refineRot3 = r.refineRot3
        options.refineTilts = !r.fixTilts
        options.iterations = passes
        options.threshold = threshold
        let result: CalibrationResult
        if let controlPoints {
            let npt = try ControlPointFile.read(URL(fileURLWithPath: controlPoints))
            result = try GeometryCalibration.refine(points: npt.points.map { ControlPoint(row: $0.row, column: $0.column, ring: $0.ring) }, calibrant: cal, start: start, options: options)
        } else {
            if let name = start.detector {
                let built = DetectorModel.builtIn(name, geometry: start, rows: template.rows, columns: template.columns)
                if let mask = built.mask { for i in m.indices where mask[i] { m[i] = true } }
                if let note = built.note { notes.append(note) }
                // The detector's dummy, as integrate takes it (pyFAI's `get_dummies`): an Eiger's uint32 gaps and dead pixels.
                if dummy == nil, let d = DetectorModel.named(name)?.dummies(for: template.pixelType) {
                    let rule = AzimuthalIntegrator.ValidityRule(dummy: d.dummy, deltaDummy: d.delta)
                    for i in m.indices where rule.isDummy(frame[i]) { m[i] = true }
                }
            }
            do {
                result = try GeometryCalibration.calibrate(frame: frame, rows: template.rows, columns: template.columns, mask: m,
                                                           calibrant: cal, start: start, options: options)
            } catch let e as RoentgenError where e.file == nil {
                throw RoentgenError(e.kind, e.message, file: image)
            }
        }
        let outcome = Outcome(result: result, start: found, notes: notes, calibrant: cal.name, file: image)
        if let output = r.output {
            do {
                try outcome.poniText.write(toFile: output, atomically: true, encoding: .utf8)
            } catch {
                throw RoentgenError(.io, "cannot write the PONI file", file: output)
            }
        }
        return outcome
    }

    /// The outcome as `roentgen calibrate --json` prints it (`CalibrationJSON`).
    public static func json(_ o: Outcome) throws -> Data {
        var object = CalibrationJSON(o.result, file: o.file, calibrant: o.calibrant)
        object.start = o.start
        object.notes = o.notes
        object.poni_text = o.poniText
        return try JSONDocument.encode(object)
    }

    /// The start geometry: the PONI file, else pixel size, distance and beam centre from the options
    /// or the image header (no tilt), else found from the rings (returned too); --distance / --center /
    /// --wavelength override; `named`: --detector's model and binning.
    static func startGeometry(_ template: DetectorImage, _ r: Request, named: (model: DetectorModel, binning: DetectorModel.Binning)?, frame: [Double], mask: [Bool],
                       calibrant: Calibrant, notes: inout [String]) throws -> (PONIGeometry, CalibrationStart.Estimate?) {
        let poni = r.poni, spline = r.spline, pixelSize = r.pixelSize, distance = r.distance, center = r.center, wavelength = r.wavelength, sensor = r.sensor
        var g: PONIGeometry
        var found: CalibrationStart.Estimate?
        if let poni {
            guard let text = try? String(contentsOf: URL(fileURLWithPath: poni), encoding: .utf8) else { throw RoentgenError(.io, "cannot read the PONI file", file: poni) }
            g = try DistortionSplines.attach(try PONIGeometry.parse(text, file: poni), poni: poni, override: spline)
            if g.maxShape == nil { g.maxShape = [template.rows, template.columns] }
        } else {
            // A spline brings its own pixel size (pyFAI's detector takes it from the spline).
            let splined = try spline.flatMap { $0.lowercased() == "none" ? nil : (file: $0, spline: try DistortionSplines.read($0)) }
            let splinePixel = splined.map { ($0.spline.pixel1, $0.spline.pixel2) }
            guard let pixel = splinePixel ?? pixelSize.map({ ($0 * 1e-6, $0 * 1e-6) }) ?? named.map({ ($0.binning.pixel1, $0.binning.pixel2) })
                    ?? template.pixelSize.map({ ($0.pixel1, $0.pixel2) })
                    ?? pixelSizeFromShape(template, notes: &notes) else {
                throw RoentgenError.badParameter("no pixel size: give --poni or --pixel-size (the image header has none, and its \(template.rows) × \(template.columns) shape is no known detector's)")
            }
            // Without a centre or a distance (options, header), both are found from the rings.
            var c = try center.map(parseCenter) ?? template.beamCenter.map({ ($0.x, $0.y) })
            var d = distance.map({ $0 * 1e-3 }) ?? template.distance
            if c == nil || d == nil {
                let estimate = try findStart(template, wavelength: wavelength, frame: frame, mask: mask, calibrant: calibrant, pixel: pixel, centre: c, notes: &notes)
                found = estimate
                c = c ?? (estimate.centreX, estimate.centreY)
                d = d ?? estimate.distance
            }
            guard let c, let d else { throw RoentgenError.badParameter("no start geometry: give --poni, or --center and --distance") }
            // pixel = (pixel1, pixel2): rows (y), columns (x); the centre is (x, y).
            g = PONIGeometry(distance: d, poni1: c.1 * pixel.0, poni2: c.0 * pixel.1, pixel1: pixel.0, pixel2: pixel.1, wavelength: template.wavelength)
            g.maxShape = [template.rows, template.columns]
            if let splined { g = g.withSpline(splined.spline, file: splined.file) }
        }
        if let named {
            // The PONI's centre and distance are in metres and stay; the pixel is the detector's (a spline's wins).
            g.detector = named.model.name
            if g.spline == nil {
                g.pixel1 = pixelSize.map { $0 * 1e-6 } ?? named.binning.pixel1
                g.pixel2 = pixelSize.map { $0 * 1e-6 } ?? named.binning.pixel2
            }
            g.maxShape = [template.rows, template.columns]
        }
        if let distance {
            guard distance > 0, distance <= 100_000 else { throw RoentgenError.badParameter("--distance \(distance) mm must be positive and at most 100 m") }
            if poni != nil { g.distance = distance * 1e-3 }
        }
        if let center, poni != nil {
            let c = try parseCenter(center)
            var f = g.fit2d
            // The centre is given in the stored image's pixels; the Fit2D numbers are orientation 3's.
            f.centerX = g.flipsColumns ? Double(template.columns) - c.0 : c.0
            f.centerY = g.flipsRows ? Double(template.rows) - c.1 : c.1
            g = g.withParameters(of: PONIGeometry(fit2d: f, pixel1: g.pixel1, pixel2: g.pixel2))
        }
        if let wavelength {
            guard wavelength > 0 else { throw RoentgenError.badParameter("--wavelength \(wavelength) Å must be positive") }
            guard WavelengthSpec.plausible.contains(wavelength) else {
                throw RoentgenError.badParameter("--wavelength \(wavelength) Å: not a plausible X-ray or neutron wavelength (\(WavelengthSpec.plausible.lowerBound)–\(WavelengthSpec.plausible.upperBound) Å)")
            }
            g.wavelength = wavelength * 1e-10
        }
        if g.wavelength == nil { g.wavelength = template.wavelength }
        if let sensor { g = try g.withSensor(sensor) }
        guard g.wavelength != nil else {
            throw RoentgenError.badParameter("no wavelength: give --wavelength (Å); neither the start PONI nor the image header has one")
        }
        return (g, found)
    }

    /// The beam centre (unless given) and distance found from the image's rings (`CalibrationStart`), in the
    /// notes; refused, naming what to give, when the rings do not show them.
    static func findStart(_ template: DetectorImage, wavelength: Double?, frame: [Double], mask: [Bool], calibrant: Calibrant, pixel: (Double, Double),
                   centre given: (Double, Double)?, notes: inout [String]) throws -> CalibrationStart.Estimate {
        guard let lambda = wavelength.map({ $0 * 1e-10 }) ?? template.wavelength else {
            throw RoentgenError.badParameter("no wavelength: give --wavelength (Å); neither the start PONI nor the image header has one")
        }
        let centre = given ?? CalibrationStart.beamCentre(frame: frame, rows: template.rows, columns: template.columns, mask: mask)
        guard let centre, let found = CalibrationStart.distance(frame: frame, rows: template.rows, columns: template.columns, mask: mask,
                                                               centre: (centre.0, centre.1), pixel: (pixel.0 * pixel.1).squareRoot(),
                                                               wavelength: lambda, calibrant: calibrant) else {
            throw RoentgenError.badParameter("no start geometry: the image's rings do not show a beam centre and \(calibrant.name) rings about it (at least 3 and half of the rings predicted, well above chance); give --center X,Y and --distance (mm), or --poni")
        }
        notes.append(String(format: "start found from the rings: beam centre x %.2f, y %.2f px%@, distance %.1f mm (%d of %d predicted %@ rings seen, %.1f σ above chance; ring %d at %.1f px)",
                                                   found.centreX, found.centreY, given == nil ? "" : " (given)", found.distance * 1e3,
                                                   found.matched, found.predicted, calibrant.name, found.significance, found.ring + 1, found.radius))
        return found
    }

    /// `--detector`: the model, and its binning whose shape is the image's (as pyFAI-calib2 guesses the
    /// binning from the image); refused for a name pyFAI does not know, a detector Roentgen cannot
    /// integrate, or an image of none of its shapes (without --pixel-size).
    static func detectorBinning(_ image: DetectorImage, _ r: Request) throws -> (model: DetectorModel, binning: DetectorModel.Binning)? {
        guard let detector = r.detector else { return nil }
        let model = try DetectorModel.option(detector)
        if let match = model.binnings.first(where: { $0.rows == image.rows && $0.columns == image.columns }) { return (model, match) }
        guard r.pixelSize != nil, let standard = model.standard else {
            let shapes = model.binnings.map { "\($0.rows) × \($0.columns)" }.joined(separator: ", ")
            throw RoentgenError.badParameter("--detector \(model.name): the image is \(image.rows) × \(image.columns), none of its shapes (\(shapes)); give --pixel-size for a region of interest")
        }
        return (model, standard)
    }

    /// The pixel size of the known detectors whose full frame has the image's shape (an ESRF EDF of a
    /// Pilatus 1M carries no pixel size, but 1043 × 981 is that detector's), when they all agree; said in the notes.
    static func pixelSizeFromShape(_ image: DetectorImage, notes: inout [String]) -> (Double, Double)? {
        let matches = DetectorModel.all.compactMap { model in model.standard.map { (model.name, $0) } }
            .filter { $0.1.rows == image.rows && $0.1.columns == image.columns }
        guard let first = matches.first?.1, matches.allSatisfy({ $0.1.pixel1 == first.pixel1 && $0.1.pixel2 == first.pixel2 }) else { return nil }
        let names = matches.map(\.0).joined(separator: ", ")
        notes.append(String(format: "pixel size %g × %g µm from the image's shape (%d × %d: %@); give --pixel-size or --poni to set it",
                            first.pixel1 * 1e6, first.pixel2 * 1e6, image.rows, image.columns, names))
        return (first.pixel1, first.pixel2)
    }

    static func parseCenter(_ text: String) throws -> (Double, Double) {
        let parts = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let x = parts[0], let y = parts[1], x.isFinite, y.isFinite, abs(x) < 1e6, abs(y) < 1e6 else {
            throw RoentgenError.badParameter("--center '\(text)': expected finite X,Y in pixels")
        }
        return (x, y)
    }

    /// The text report `roentgen calibrate` prints: values ± esd, Fit2D centre, rms Δ2θ, points per ring, passes.
    public static func report(_ r: CalibrationResult, calibrant: String) -> String {
        let g = r.geometry
        func row(_ name: String, _ value: Double, _ key: String, _ unit: String, scale: Double = 1) -> String {
            let esd = r.esd[key].map { String(format: "± %.6g", $0 * scale) } ?? "(fixed)"
            return "  " + name.padded(to: 11) + String(format: "%.8g", value * scale).padded(to: 16) + esd.padded(to: 16) + unit
        }
        var lines = ["Geometry from \(calibrant) rings (\(r.controlPoints.count) control points):"]
        lines.append(row("distance", g.distance, "distance", "mm", scale: 1e3))
        lines.append(row("poni1", g.poni1, "poni1", "mm", scale: 1e3))
        lines.append(row("poni2", g.poni2, "poni2", "mm", scale: 1e3))
        lines.append(row("rot1", g.rot1, "rot1", "rad"))
        lines.append(row("rot2", g.rot2, "rot2", "rad"))
        lines.append(row("rot3", g.rot3, "rot3", "rad"))
        lines.append(row("wavelength", g.wavelength ?? .nan, "wavelength", "Å", scale: 1e10))
        let f = g.fit2d
        lines.append(String(format: "  beam centre (Fit2D) x %.3f ± %.3f, y %.3f ± %.3f px; direct distance %.3f mm; tilt %.4f°, tilt plane %.2f°",
                            r.beamCenter.x, r.beamCenterEsd.x, r.beamCenter.y, r.beamCenterEsd.y, f.directDistance, f.tilt, f.tiltPlaneRotation)
                     + (g.orientation == 3 ? "" : " (detector orientation \(g.orientation): x, y in the stored image's pixels, the tilt plane in orientation 3's)"))
        lines.append(String(format: "  residual: rms Δ2θ %.5f° (%d points)", r.residualDegrees, r.controlPoints.count))
        lines.append("  points per ring: " + r.pointsPerRing.map { "\($0.ring): \($0.count)" }.joined(separator: ", "))
        lines += r.log.map { "  " + $0 }
        return lines.joined(separator: "\n")
    }
}

/// `roentgen calibrate --json`: the geometry (SI units, radians), the Fit2D beam centre [x, y] in
/// pixels and the rms residual in degrees; every geometry value has a `<key>_esd` twin
/// (null when held fixed); `residual_deg` is itself the fit's spread and has none.
struct CalibrationJSON: Encodable {
    var file: String
    var calibrant: String
    var distance_m: Double, distance_m_esd: Double?
    var poni1_m: Double, poni1_m_esd: Double?
    var poni2_m: Double, poni2_m_esd: Double?
    var rot1: Double, rot1_esd: Double?
    var rot2: Double, rot2_esd: Double?
    var rot3: Double, rot3_esd: Double?
    var wavelength_m: Double?, wavelength_m_esd: Double?
    var beam_center_px: [Double], beam_center_px_esd: [Double]
    var residual_deg: Double
    var control_points: Int
    var control_points_per_ring: [String: Int]
    /// Every control point as [row, column, ring]: pixel coordinates as pyFAI's `.npt` gives them (the pixel's
    /// centre at +0.5), the ring an index into the calibrant's d-spacings (largest d first, from 0).
    var control_points_px: [[Double]]
    var passes: [String]
    var warnings: [String]
    /// The detector the geometry is for: pyFAI's name (nil: a generic one), pixel size, orientation, the
    /// distortion spline and the parallax model (as `integrate --json` gives them).
    var detector: String?
    var pixel_size_m: [Double]
    var orientation: Int
    var spline: String?
    var parallax: Parallax?
    /// The start found from the rings (`calibrate` without a centre or distance), nil otherwise.
    var start: CalibrationStart.Estimate?
    /// What was said on the way (pixel size from the image's shape, the start found, the built-in mask).
    var notes: [String] = []
    /// The refined geometry as the PONI file `-o` writes.
    var poni_text = ""

    init(_ r: CalibrationResult, file: String, calibrant: String) {
        let g = r.geometry
        self.file = file
        self.calibrant = calibrant
        distance_m = g.distance; distance_m_esd = r.esd["distance"]
        poni1_m = g.poni1; poni1_m_esd = r.esd["poni1"]
        poni2_m = g.poni2; poni2_m_esd = r.esd["poni2"]
        rot1 = g.rot1; rot1_esd = r.esd["rot1"]
        rot2 = g.rot2; rot2_esd = r.esd["rot2"]
        rot3 = g.rot3; rot3_esd = r.esd["rot3"]
        wavelength_m = g.wavelength; wavelength_m_esd = r.esd["wavelength"]
        beam_center_px = [r.beamCenter.x, r.beamCenter.y]
        beam_center_px_esd = [r.beamCenterEsd.x, r.beamCenterEsd.y]
        residual_deg = r.residualDegrees
        control_points = r.controlPoints.count
        control_points_per_ring = Dictionary(uniqueKeysWithValues: r.pointsPerRing.map { (String($0.ring), $0.count) })
        control_points_px = r.controlPoints.map { [$0.row, $0.column, Double($0.ring)] }
        passes = r.log
        warnings = r.warnings
        detector = g.detector
        pixel_size_m = [g.pixel1, g.pixel2]
        orientation = g.orientation
        spline = g.splineFile
        parallax = try? g.parallaxModel()
    }

    enum CodingKeys: String, CodingKey {
        case file, calibrant, distance_m, distance_m_esd, poni1_m, poni1_m_esd, poni2_m, poni2_m_esd, rot1, rot1_esd, rot2, rot2_esd,
             rot3, rot3_esd, wavelength_m, wavelength_m_esd, beam_center_px, beam_center_px_esd, residual_deg,
             control_points, control_points_per_ring, control_points_px, passes, warnings, detector, pixel_size_m, orientation, spline, parallax
        case start, notes, poni_text
    }

    enum ParallaxKeys: String, CodingKey {
        case material, thickness_m, mu_per_m
    }

    enum StartKeys: String, CodingKey {
        case beam_center_px, distance_m, rings_matched, rings_predicted, significance_sigma
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(file, forKey: .file)
        try c.encode(calibrant, forKey: .calibrant)
        for (k, v, ek, e) in [(CodingKeys.distance_m, distance_m, CodingKeys.distance_m_esd, distance_m_esd), (.poni1_m, poni1_m, .poni1_m_esd, poni1_m_esd),
                              (.poni2_m, poni2_m, .poni2_m_esd, poni2_m_esd), (.rot1, rot1, .rot1_esd, rot1_esd), (.rot2, rot2, .rot2_esd, rot2_esd),
                              (.rot3, rot3, .rot3_esd, rot3_esd)] as [(CodingKeys, Double, CodingKeys, Double?)] {
            try c.encode(v, forKey: k)
            try c.encode(e, forKey: ek)   // null when held fixed
        }
        try c.encode(wavelength_m, forKey: .wavelength_m)
        try c.encode(wavelength_m_esd, forKey: .wavelength_m_esd)
        try c.encode(beam_center_px, forKey: .beam_center_px)
        try c.encode(beam_center_px_esd, forKey: .beam_center_px_esd)
        try c.encode(residual_deg, forKey: .residual_deg)
        try c.encode(control_points, forKey: .control_points)
        try c.encode(control_points_per_ring, forKey: .control_points_per_ring)
        try c.encode(control_points_px, forKey: .control_points_px)
        try c.encode(passes, forKey: .passes)
        try c.encode(warnings, forKey: .warnings)
        try c.encode(detector, forKey: .detector)
        try c.encode(pixel_size_m, forKey: .pixel_size_m)
        try c.encode(orientation, forKey: .orientation)
        try c.encode(spline, forKey: .spline)
        if let parallax {
            var p = c.nestedContainer(keyedBy: ParallaxKeys.self, forKey: .parallax)
            try p.encode(parallax.sensor.material.name, forKey: .material)
            try p.encode(parallax.thickness, forKey: .thickness_m)
            try p.encode(parallax.mu, forKey: .mu_per_m)
        } else {
            try c.encodeNil(forKey: .parallax)
        }
        try c.encode(notes, forKey: .notes)
        try c.encode(poni_text, forKey: .poni_text)
        if let start {
            var p = c.nestedContainer(keyedBy: StartKeys.self, forKey: .start)
            try p.encode([start.centreX, start.centreY], forKey: .beam_center_px)
            try p.encode(start.distance, forKey: .distance_m)
            try p.encode(start.matched, forKey: .rings_matched)
            try p.encode(start.predicted, forKey: .rings_predicted)
            try p.encode(start.significance, forKey: .significance_sigma)
        }
    }
}
