import CRoentgenKernels
import Foundation

/// Text and JSON forms of an integration result: `.xy` / `.xye` columns under a pyFAI-style
/// header (pyFAI's `save1D`: the PONI and Fit2D geometry, corrections, mask), and the JSON
/// object `roentgen integrate --json` prints.
public enum IntegrationOutput {
    /// What the header reports besides the geometry.
    public struct Context: Sendable {
        public var source: String
        public var frame: Int?
        public var maskApplied: Bool
        public var darkApplied: Bool
        public var flatApplied: Bool
        public var notes: [String]
        /// The sigma-clipping cut-off the pattern was made with (JSON `sigma_clip`), nil without.
        public var sigmaClip: Double?
        /// What the intensities and σ were divided by (monitor × `--normalization-factor`,
        /// pyFAI's `normalization_factor`); nil when not normalised.
        public var normalizationFactor: Double?
        /// The monitor's name and this frame's value, when the factor includes one.
        public var monitorName: String?
        public var monitorValue: Double?
        /// The distortion spline the geometry applied (JSON `spline`), nil without.
        public var splineFile: String?
        /// The parallax correction the geometry applied (JSON `parallax`, and the header's `Parallax:` line), nil without.
        public var parallax: Parallax?
        public init(source: String, frame: Int? = nil, maskApplied: Bool, darkApplied: Bool = false, flatApplied: Bool = false, notes: [String] = []) {
            self.source = source
            self.frame = frame
            self.maskApplied = maskApplied
            self.darkApplied = darkApplied
            self.flatApplied = flatApplied
            self.notes = notes
        }
    }

    static func e(_ x: Double, _ digits: Int = 6) -> String { String(format: "%.\(digits)e", x) }

    /// The header lines (each starting with `# `).
    public static func header(_ r: IntegrationResult, geometry g: PONIGeometry, options o: IntegrationOptions, context c: Context) -> String {
        let f = g.fit2d
        var h = "# == pyFAI calibration ==\n"
        h += "# Distance Sample to Detector: \(g.distance) m\n"
        h += "# PONI: \(e(g.poni1, 3)), \(e(g.poni2, 3)) m\n"
        h += "# Rotations: \(String(format: "%.6f %.6f %.6f", g.rot1, g.rot2, g.rot3)) rad\n#\n"
        h += "# == Fit2d calibration ==\n"
        h += "# Distance Sample-beamCenter: \(String(format: "%.3f", f.directDistance)) mm\n"
        h += "# Center: x=\(String(format: "%.3f", f.centerX)), y=\(String(format: "%.3f", f.centerY)) pix\n"
        h += "# Tilt: \(String(format: "%.3f", f.tilt)) deg  TiltPlanRot: \(String(format: "%.3f", f.tiltPlaneRotation)) deg\n#\n"
        // pyFAI's detector line, its spline included (`Detector.__repr__`).
        h += "# Detector \(g.detector ?? "Detector")\t PixelSize= \(e(g.pixel1, 3)), \(e(g.pixel2, 3)) m\(g.splineFile.map { "\t Spline= \($0)" } ?? "")\n"
        h += "# Wavelength: \(g.wavelength.map { "\($0) m" } ?? "none")\n"
        // pyFAI's geometry line: "Parallax: µ= … cm⁻¹" when corrected, "Parallax: off" with a sensor but no correction.
        if let sensor = g.sensor {
            if let p = c.parallax {
                h += "# Parallax: µ= \(String(format: "%.3f", p.mu * 1e-2)) cm⁻¹ (sensor \(sensor.label))\n"
            } else {
                h += "# Parallax: off (sensor \(sensor.label))\n"
            }
        }
        h += "# Mask applied: \(c.maskApplied ? "True" : "False") (\(r.maskedPixels) pixels)\n"
        h += "# Dark current applied: \(c.darkApplied ? "True" : "False")\n"
        h += "# Flat field applied: \(c.flatApplied ? "True" : "False")\n"
        h += "# Solid angle correction: \(o.correctSolidAngle ? "True" : "False")\n"
        h += "# Polarization factor: \(o.polarizationFactor.map { "\($0)" } ?? "None")\n"
        h += "# Normalization factor: \(c.normalizationFactor ?? 1.0)\n"
        if let name = c.monitorName, let value = c.monitorValue { h += "# Monitor: \(name) = \(value)\n" }
        h += "# Method: \(methodText(o)) (Roentgen)\n"
        if o.sigmaClip != nil {
            h += "# Sigma clipping: \(r.clippedPixels) pixels clipped"
            h += r.binsEmptiedByClipping > 0 ? ", \(r.binsEmptiedByClipping) bins left empty (0)\n" : "\n"
        }
        if let a = o.azimuthRange { h += "# Azimuthal range: \(a.lowerBound) to \(a.upperBound) deg\n" }
        if r.isChiProfile {
            h += "# Azimuthal profile I(chi) (pyFAI integrate_radial): summed over \(o.radialRange.map { "\($0.lowerBound) to \($0.upperBound) \(o.unit.label)" } ?? "the whole radial range")\n"
        }
        if let fiber = r.fiber {
            let g = fiber.geometry
            h += String(format: "# Grazing incidence / fiber (pyFAI FiberIntegrator): incident angle %.10g deg, tilt angle %.10g deg, sample orientation %d\n",
                        g.incidentAngle * 180 / .pi, g.tiltAngle * 180 / .pi, g.sampleOrientation)
            if let axis = r.fiberProfileAxis {
                let (along, over) = axis == .outOfPlane ? (fiber.outOfPlaneUnit, fiber.inPlaneUnit) : (fiber.inPlaneUnit, fiber.outOfPlaneUnit)
                let range = axis == .outOfPlane ? o.radialRange : fiber.outOfPlaneRange
                h += "# Profile along \(along.rawValue) (pyFAI integrate_fiber): summed over \(range.map { "\(over.rawValue) \($0.lowerBound) to \($0.upperBound)" } ?? "every \(over.rawValue)")\n"
            }
        }
        for note in c.notes { h += "# Note: \(note)\n" }
        h += "# --> \(c.source)\(c.frame.map { " frame \($0)" } ?? "")\n"
        return h
    }

    /// The method line: splitting and engine, and sigma clipping's parameters.
    public static func methodText(_ o: IntegrationOptions) -> String {
        if let clip = o.sigmaClip {
            return "no split, CSR, sigma clipping (thres \(clip.threshold), max_iter \(clip.maxIterations), error model \(o.errorModel.rawValue))"
        }
        switch o.splitting {
        case .no: return "no split, histogram"
        case .bbox: return "bbox split, CSR"
        case .full: return "full pixel split, CSR"
        }
    }

    /// `.xy` (two columns) or `.xye` (with sigma) text of a 1-D result.
    public static func columns(_ r: IntegrationResult, geometry: PONIGeometry, options: IntegrationOptions, context: Context, withSigma: Bool) -> String {
        var out = header(r, geometry: geometry, options: options, context: context)
        let sigma = withSigma && !r.sigma.isEmpty
        out += "#" + String(repeating: " ", count: 6) + r.axisLabel.padding(toLength: 14, withPad: " ", startingAt: 0) + "I" + (sigma ? String(repeating: " ", count: 13) + "sigma" : "") + "\n"
        out += rows(r.radial, r.intensity, sigma ? r.sigma : nil)
        return out
    }

    /// The data lines: "  %.6e  %.6e[  %.6e]\n" per bin, printed by the C library straight into one
    /// buffer (`roentgen_format_rows`: Foundation's `String(format:)` per number took a third of a run
    /// of 200 small files, and Swift's CVarArg lists for `vsnprintf` 6 %; the text is the same, printf's `%e`).
    static func rows(_ a: [Double], _ b: [Double], _ c: [Double]?) -> String {
        let n = min(a.count, b.count, c?.count ?? .max)
        let width = c == nil ? 30 : 45   // "  " + 12 characters per number (more for exponents beyond ±99 or NaN)
        var bytes = [CChar](repeating: 0, count: n * (width + 32) + 1)
        let used = bytes.withUnsafeMutableBufferPointer { buffer in
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    if let c {
                        return c.withUnsafeBufferPointer { c in
                            roentgen_format_rows(a.baseAddress, b.baseAddress, c.baseAddress, n, buffer.baseAddress, buffer.count)
                        }
                    }
                    return roentgen_format_rows(a.baseAddress, b.baseAddress, nil, n, buffer.baseAddress, buffer.count)
                }
            }
        }
        return bytes.withUnsafeBufferPointer { buffer in
            String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress, count: used), as: UTF8.self)
        }
    }

    static func json(_ values: [Double]) -> String {
        "[" + values.map { $0.isFinite ? "\($0)" : "null" }.joined(separator: ", ") + "]"
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out += ch.value < 0x20 ? String(format: "\\u%04x", ch.value) : String(ch)
            }
        }
        return out + "\""
    }

    /// The JSON object: `file`, `frame`, `radial`, `intensity`, `sigma`, `unit`, `method`,
    /// `masked_pixels`, with sigma clipping `sigma_clip`, `clipped_pixels` and
    /// `bins_emptied_by_clipping`, when normalised `normalization_factor` (and `monitor_name`,
    /// `monitor`), with a distortion spline `spline` (its path), with the parallax correction `parallax`
    /// (`material`, `thickness_m`, null for a thick sensor, `mu_per_m`), and for a cake `azimuthal` (degrees) with `intensity` as rows of azimuth.
    /// A fiber map's `radial` is its in-plane axis and `azimuthal` its out-of-plane one (in their units); a fiber map or
    /// profile adds `fiber` (`incident_angle_deg`, `tilt_angle_deg`, `sample_orientation`, `unit_ip`, `unit_oop`, `profile`:
    /// `oop`, `ip` or null for a map).
    public static func json(_ r: IntegrationResult, context c: Context) -> String {
        var out = "{\"file\": \(quoted(c.source)), \"frame\": \(c.frame.map(String.init) ?? "null"), "
        out += "\"unit\": \(quoted(r.axisLabel)), \"method\": \(quoted(r.splitting.rawValue)), \"masked_pixels\": \(r.maskedPixels), "
        out += "\"radial\": \(json(r.radial)), "
        if r.azimuthal.isEmpty {
            out += "\"intensity\": \(json(r.intensity)), \"sigma\": \(json(r.sigma))"
        } else {
            let n = r.radial.count
            func rows(_ v: [Double]) -> String { "[" + (0..<r.azimuthal.count).map { json(Array(v[$0 * n..<($0 + 1) * n])) }.joined(separator: ", ") + "]" }
            out += "\"azimuthal\": \(json(r.azimuthal)), \"intensity\": \(rows(r.intensity)), \"sigma\": \(r.sigma.isEmpty ? "[]" : rows(r.sigma))"
        }
        if let clip = c.sigmaClip {
            out += ", \"sigma_clip\": \(clip), \"clipped_pixels\": \(r.clippedPixels), \"bins_emptied_by_clipping\": \(r.binsEmptiedByClipping)"
        }
        if let f = c.normalizationFactor { out += ", \"normalization_factor\": \(f)" }
        if let name = c.monitorName, let value = c.monitorValue { out += ", \"monitor_name\": \(quoted(name)), \"monitor\": \(value)" }
        if let spline = c.splineFile { out += ", \"spline\": \(quoted(spline))" }
        if let p = c.parallax {
            out += ", \"parallax\": {\"material\": \(quoted(p.sensor.material.name)), \"thickness_m\": \(p.thickness.map { "\($0)" } ?? "null"), \"mu_per_m\": \(p.mu)}"
        }
        if let fiber = r.fiber {
            let g = fiber.geometry
            out += ", \"fiber\": {\"incident_angle_deg\": \(g.incidentAngle * 180 / .pi), \"tilt_angle_deg\": \(g.tiltAngle * 180 / .pi), "
            out += "\"sample_orientation\": \(g.sampleOrientation), \"unit_ip\": \(quoted(fiber.inPlaneUnit.rawValue)), "
            out += "\"unit_oop\": \(quoted(fiber.outOfPlaneUnit.rawValue)), \"profile\": \(r.fiberProfileAxis.map { quoted($0.rawValue) } ?? "null")}"
        }
        if !c.notes.isEmpty { out += ", \"notes\": [" + c.notes.map(quoted).joined(separator: ", ") + "]" }
        return out + "}"
    }
}
