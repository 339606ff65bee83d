import Foundation
import Refinement
import XrayCore

/// Settings of a geometry calibration.
public struct CalibrationOptions: Sendable {
    /// Refine the wavelength too (it correlates strongly with the distance at small angles).
    public var refineWavelength = false
    /// Refine rot1 and rot2 (off: hold them at the start values, e.g. for a single ring).
    public var refineTilts = true
    /// Refine rot3 (pyFAI fixes it for powder rings, where it is nearly undetermined).
    public var refineRot3 = false
    /// Extraction–refinement passes (the first uses `initialRings` rings with wide windows).
    public var iterations = 3
    /// Rings used on the first pass (the lowest-angle rings inside the image).
    public var initialRings = 3
    /// Peak-picking threshold in robust standard deviations above the ring background.
    public var threshold = 5.0
    /// Parameters held at their start values besides those above (`dist`, `poni1`, `poni2`, `rot1`,
    /// `rot2`, `rot3`, `wavelength`), e.g. all but `wavelength` to measure λ with a known geometry.
    public var held: Set<String> = []
    /// Refine distance and PONI before releasing the tilts (a two-step refinement).
    public var staged = true
    /// Control points further than this many robust standard deviations (1.4826 × MAD of Δ2θ)
    /// from their ring are dropped and the geometry refined again (image calibration only).
    public var clip = 4.0
    public init() {}
}

/// A refined geometry with its uncertainties and the control points it was fitted to.
public struct CalibrationResult: Sendable {
    public var geometry: PONIGeometry
    /// esds of `distance`, `poni1`, `poni2` (m), `rot1`, `rot2`, `rot3` (rad), `wavelength` (m)
    /// for the refined parameters (fixed ones are absent).
    public var esd: [String: Double]
    /// The Fit2D beam centre (x = column, y = row, pixels from the detector corner) and its esd
    /// (propagated from the covariance).
    public var beamCenter: (x: Double, y: Double)
    public var beamCenterEsd: (x: Double, y: Double)
    /// Root-mean-square of 2θ(point) − 2θ(ring) over the control points, in degrees.
    public var residualDegrees: Double
    public var controlPoints: [ControlPoint]
    /// Number of control points on each ring (ring index → count), ascending ring index.
    public var pointsPerRing: [(ring: Int, count: Int)]
    public var refinement: RefinementResult
    /// One line per extraction pass: rings, points, rms residual.
    public var log: [String]
    /// Signs of a doubtful result (the rings fitted to more than a pixel rms).
    public var warnings: [String] = []
}

/// Geometry calibration from calibrant rings on the shared `Refinement` engine (pyFAI's
/// `GeometryRefinement`: least squares on Δ2θ of control points, parameters dist, poni1, poni2,
/// rot1, rot2, rot3 and optionally the wavelength; rot3 fixed by default).
public enum GeometryCalibration {
    static let parameterNames = ["dist", "poni1", "poni2", "rot1", "rot2", "rot3", "wavelength"]

    /// Refines `start` against control points whose ring indices refer to `calibrant.dSpacings`.
    /// Points are in the stored image's pixels (row, column). With a start of another detector
    /// orientation they are re-indexed into orientation 3 as pyFAI's `_reorder_indexes_from_orientation`
    /// does (row → rows − 1 − row for orientations 1 and 2, column → columns − 1 − column for 1 and 4;
    /// rows × columns from the start's `maxShape`), refined there, and the result given back in the
    /// start's orientation (measured: pyFAI 2026.9's `GeometryRefinement` on the 300K-W points so
    /// flipped, with orientations 1, 2 and 4, ends on orientation 3's parameters to the last digit).
    public static func refine(points: [ControlPoint], calibrant: Calibrant, start: PONIGeometry,
                              options: CalibrationOptions = .init()) throws -> CalibrationResult {
        guard start.orientation != 3 else { return try refine(points: points, calibrant: calibrant, start: start, options: options, tilts: true) }
        guard let shape = start.maxShape, shape.count == 2, shape[0] > 0, shape[1] > 0 else {
            throw RoentgenError.badParameter("the start geometry has detector orientation \(start.orientation) but no detector shape (max_shape): control points cannot be re-indexed")
        }
        let reindex = Reindexing(start: start, rows: shape[0], columns: shape[1])
        var start3 = start
        start3.orientation = 3
        let result = try refine(points: points.map(reindex.flipped), calibrant: calibrant, start: start3, options: options, tilts: true)
        return reindex.back(result)
    }

    /// The flips between a detector orientation's stored pixels and orientation 3's (each its own inverse).
    struct Reindexing {
        let orientation: Int, rows: Int, columns: Int, flipRows: Bool, flipColumns: Bool
        init(start: PONIGeometry, rows: Int, columns: Int) {
            orientation = start.orientation
            self.rows = rows
            self.columns = columns
            flipRows = start.flipsRows
            flipColumns = start.flipsColumns
        }
        /// A pixel index (row-major) of orientation 3 → the stored image's.
        func source(_ k: Int) -> Int {
            let i = k / columns, j = k % columns
            return (flipRows ? rows - 1 - i : i) * columns + (flipColumns ? columns - 1 - j : j)
        }
        func flipped(_ p: ControlPoint) -> ControlPoint {
            ControlPoint(row: flipRows ? Double(rows - 1) - p.row : p.row, column: flipColumns ? Double(columns - 1) - p.column : p.column, ring: p.ring)
        }
        /// An orientation-3 result in the start's orientation: parameters unchanged, control points
        /// and the Fit2D beam centre in the stored image's pixels.
        func back(_ r: CalibrationResult) -> CalibrationResult {
            var result = r
            result.geometry.orientation = orientation
            result.controlPoints = r.controlPoints.map(flipped)
            result.beamCenter = (flipColumns ? Double(columns) - r.beamCenter.x : r.beamCenter.x,
                                 flipRows ? Double(rows) - r.beamCenter.y : r.beamCenter.y)
            return result
        }
    }

    /// `tilts: false` keeps rot1, rot2, rot3 (and λ) at their start values (the first pass from a rough start).
    static func refine(points: [ControlPoint], calibrant: Calibrant, start: PONIGeometry,
                       options: CalibrationOptions, tilts: Bool) throws -> CalibrationResult {
        guard let wavelength = start.wavelength, wavelength > 0 else {
            throw RoentgenError.badParameter("calibration needs a wavelength (--wavelength, or a Wavelength line in the start PONI)")
        }
        _ = try start.parallaxCorrection()   // a sensor whose tables miss the energy is refused here, not skipped
        for p in points where p.ring < 0 || p.ring >= calibrant.dSpacings.count {
            throw RoentgenError.badParameter("control point on ring \(p.ring), but calibrant \(calibrant.name) lists \(calibrant.dSpacings.count) rings")
        }
        for p in points where wavelength * 1e10 >= 2 * calibrant.dSpacings[p.ring] {
            throw RoentgenError.badParameter("control point on ring \(p.ring) (d = \(calibrant.dSpacings[p.ring]) Å), which cannot diffract at λ = \(wavelength * 1e10) Å")
        }
        var varied = ["dist", "poni1", "poni2"]
        if tilts && options.refineTilts {
            varied += ["rot1", "rot2"]
            if options.refineRot3 { varied.append("rot3") }
        }
        // λ with the distance free only once the tilts are released (at small angles they trade off).
        if options.refineWavelength && (tilts || options.held.contains("dist")) { varied.append("wavelength") }
        varied.removeAll { options.held.contains($0) }
        guard !varied.isEmpty else { throw RoentgenError.badParameter("every calibration parameter is held; nothing to refine") }
        guard points.count > varied.count else {
            throw RoentgenError.badParameter("\(points.count) control points for \(varied.count) refined parameters (\(varied.joined(separator: ", "))): need more points than parameters")
        }
        let model = RingGeometryModel(points: points, dSpacings: calibrant.dSpacings, pixel1: start.pixel1, pixel2: start.pixel2, spline: start.spline, parallaxSensor: start.parallaxSensor)
        let values = [start.distance, start.poni1, start.poni2, start.rot1, start.rot2, start.rot3, wavelength * 1e10]
        var set = ParameterSet()
        for (name, v) in zip(parameterNames, values) {
            try set.add(Parameter(name, v, vary: false, lower: name == "dist" || name == "wavelength" ? 0 : -.infinity))
        }
        // Staged when asked (from a rough start): distance and PONI first, then the tilts (and λ, rot3).
        let steps = options.staged && varied.count > 3
            ? [RefinementStep("distance and PONI", release: varied.filter { ["dist", "poni1", "poni2"].contains($0) }),
               RefinementStep("tilts", release: varied.filter { !["dist", "poni1", "poni2"].contains($0) })]
            : [RefinementStep("all", release: varied)]
        let result: RefinementResult
        do {
            result = try Refinement.refine(model, parameters: set, steps: steps)
        } catch let e as RefinementError {
            throw RoentgenError.badParameter("geometry refinement failed: \(e.description)")
        }
        let final = try result.parameters.evaluated()
        let (refined, _) = try model.geometry(final)
        var geometry = start.withParameters(of: refined)
        if varied.contains("wavelength") { geometry.wavelength = refined.wavelength }   // else the start's exactly, not via Å
        let r = try model.residuals(final)
        let rms = (r.reduce(0) { $0 + $1 * $1 } / Double(r.count)).squareRoot() * 180 / .pi
        var esd: [String: Double] = [:]
        for (key, name) in zip(["distance", "poni1", "poni2", "rot1", "rot2", "rot3", "wavelength"], parameterNames) {
            if let e = result.esd[name] { esd[key] = name == "wavelength" ? e * 1e-10 : e }
        }
        let centre = geometry.fit2d
        let centreEsd = beamCenterEsd(result, final, pixel1: start.pixel1, pixel2: start.pixel2)
        var counts: [Int: Int] = [:]
        for p in points { counts[p.ring, default: 0] += 1 }
        var out = CalibrationResult(geometry: geometry, esd: esd, beamCenter: (centre.centerX, centre.centerY),
                                    beamCenterEsd: centreEsd, residualDegrees: rms, controlPoints: points,
                                    pointsPerRing: counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                                    refinement: result, log: [])
        // The residual as a distance on the detector (about, for a near-normal detector): a calibrant's
        // rings fit to a fraction of a pixel; more than one means wrong rings, an unmasked edge or a
        // distorted detector, not a geometry to trust.
        let rmsPixels = rms * .pi / 180 * centre.directDistance * 1e-3 / min(start.pixel1, start.pixel2)
        if rmsPixels > 1 {
            out.warnings.append(String(format: "the rings fit to %.2f px rms (%.4f°), more than a pixel: check the start geometry, the ring assignment (points per ring) and the mask (unmasked zero pixels outside an image plate, a beam stop), or hold the tilts (--fix-tilts)", rmsPixels, rms))
        }
        // Distance and wavelength refined together: at small angles the rings fix only their ratio
        // (tan 2θ ≈ λ/d), so the pair can wander far apart along it (99.65 m and 0.0164 Å from the SAXS frame).
        if let c = result.correlations.first(where: { Set([$0.first, $0.second]) == Set(["dist", "wavelength"]) }), abs(c.value) > 0.999 {
            out.warnings.append(String(format: "distance and wavelength are correlated %.5f: the rings fix little more than their ratio, so neither is determined on its own; fix the wavelength (leave out --refine-wavelength) or use rings at larger angles", c.value))
        }
        return out
    }

    /// esd of the Fit2D beam centre: J·C·Jᵀ with J the centre's derivatives (central differences)
    /// with respect to the varied parameters and C their covariance.
    static func beamCenterEsd(_ result: RefinementResult, _ values: ParameterValues, pixel1: Double, pixel2: Double) -> (x: Double, y: Double) {
        guard let cov = result.covariance else { return (.nan, .nan) }
        func centre(_ v: [Double]) -> (Double, Double) {
            let g = PONIGeometry(distance: v[0], poni1: v[1], poni2: v[2], rot1: v[3], rot2: v[4], rot3: v[5], pixel1: pixel1, pixel2: pixel2)
            let f = g.fit2d
            return (f.centerX, f.centerY)
        }
        let base = parameterNames.map { values[$0] ?? 0 }
        var jx: [Double] = [], jy: [Double] = []
        for name in result.variedNames {
            guard let k = parameterNames.firstIndex(of: name) else { return (.nan, .nan) }
            let h = 1e-7 * max(abs(base[k]), 1e-3)
            var up = base, down = base
            up[k] += h
            down[k] -= h
            let a = centre(up), b = centre(down)
            jx.append((a.0 - b.0) / (2 * h))
            jy.append((a.1 - b.1) / (2 * h))
        }
        var vx = 0.0, vy = 0.0
        for a in jx.indices {
            for b in jx.indices {
                vx += jx[a] * cov[a][b] * jx[b]
                vy += jy[a] * cov[a][b] * jy[b]
            }
        }
        return (vx.squareRoot(), vy.squareRoot())
    }
}

extension GeometryCalibration {
    /// Calibrates from an image: picks ring pixels near the rings the current geometry predicts
    /// (`RingPicker`), assigns each to the nearest ring, refines, and repeats `options.iterations`
    /// times with the refined geometry — the first pass on the `initialRings` lowest visible rings
    /// with windows of half the ring spacing, later passes on every ring inside the image with
    /// windows of max(4 pixels, 6 × the rms residual).
    /// `mask`: true = pixel left out (gaps, beam stop, negative Pilatus pixels).
    public static func calibrate(frame: [Double], rows: Int, columns: Int, mask: [Bool], calibrant: Calibrant,
                                 start: PONIGeometry, options: CalibrationOptions = .init()) throws -> CalibrationResult {
        guard frame.count == rows * columns, mask.count == frame.count else {
            throw RoentgenError.badParameter("frame of \(frame.count) pixels, mask of \(mask.count), shape \(rows) × \(columns)")
        }
        if start.orientation != 3 {
            return try calibrateReindexed(frame: frame, rows: rows, columns: columns, mask: mask, calibrant: calibrant,
                                          start: start, options: options)
        }
        guard let wavelength = start.wavelength, wavelength > 0 else {
            throw RoentgenError.badParameter("calibration needs a wavelength (--wavelength, or a Wavelength line in the start PONI)")
        }
        let picker = RingPicker(frame: frame, rows: rows, columns: columns, mask: mask, threshold: options.threshold)
        var geometry = start
        var rms: Double?
        var last: CalibrationResult?
        var log: [String] = []
        for pass in 0..<max(1, options.iterations) {
            let ringTwoTheta = calibrant.twoTheta(wavelength: geometry.wavelength ?? wavelength)
            let range = twoThetaRange(geometry, rows: rows, columns: columns, mask: mask)
            var visible = ringTwoTheta.indices.filter { ringTwoTheta[$0] > range.lowerBound && ringTwoTheta[$0] < range.upperBound }
            if pass == 0 { visible = Array(visible.prefix(options.initialRings)) }
            guard !visible.isEmpty else {
                throw RoentgenError.badParameter("no ring of \(calibrant.name) falls on the detector with the start geometry (2θ \(String(format: "%.3f–%.3f", range.lowerBound * 180 / .pi, range.upperBound * 180 / .pi))°)")
            }
            let pixelAngle = min(geometry.pixel1, geometry.pixel2) / geometry.distance
            let spacing = visible.map { k -> Double in
                let below = k > 0 ? ringTwoTheta[k] - ringTwoTheta[k - 1] : ringTwoTheta[k]
                let above = k + 1 < ringTwoTheta.count ? ringTwoTheta[k + 1] - ringTwoTheta[k] : below
                return 0.5 * min(below, above)
            }
            let halfWidth = spacing.map { s in rms.map { min(s, max(4 * pixelAngle, 6 * $0 * .pi / 180)) } ?? s }
            let points = picker.pick(geometry: geometry, rings: visible, ringTwoTheta: ringTwoTheta, halfWidth: halfWidth, backgroundHalfWidth: spacing)
            let needed = 3 + (options.refineTilts ? 2 : 0) + (options.refineRot3 ? 1 : 0) + (options.refineWavelength ? 1 : 0)
            guard points.count > needed else {
                throw RoentgenError.badParameter("no rings found: \(points.count) ring pixels above the threshold near the expected \(calibrant.name) rings \(visible.map { String($0) }.joined(separator: ", ")) (pass \(pass + 1)\(log.isEmpty ? "" : "; " + log.joined(separator: "; "))); check the start geometry, the wavelength and the calibrant")
            }
            var result = try refine(points: points, calibrant: calibrant, start: geometry, options: options, tilts: pass > 0)
            // Outliers (spots, diffuse scattering, a neighbouring ring): sigma-clip on Δ2θ and refine again.
            for _ in 0..<3 {
                let model = RingGeometryModel(points: result.controlPoints, dSpacings: calibrant.dSpacings, pixel1: start.pixel1, pixel2: start.pixel2, spline: start.spline, parallaxSensor: start.parallaxSensor)
                let r = try model.residuals(try result.refinement.parameters.evaluated())
                var deviations = r.map(abs)
                deviations.sort()
                let limit = max(options.clip * 1.4826 * deviations[deviations.count / 2], 0.05 * pixelAngle)
                let kept = zip(result.controlPoints, r).filter { abs($0.1) <= limit }.map(\.0)
                if kept.count == result.controlPoints.count || kept.count <= needed { break }
                result = try refine(points: kept, calibrant: calibrant, start: result.geometry, options: options, tilts: pass > 0)
            }
            geometry = result.geometry
            rms = result.residualDegrees
            log.append(String(format: "pass %d: %d rings, %d ring pixels, %d kept, rms Δ2θ %.5f°", pass + 1, Set(points.map(\.ring)).count, points.count, result.controlPoints.count, result.residualDegrees))
            result.log = log
            last = result
        }
        guard var last else { throw RoentgenError.badParameter("calibration made no pass") }
        if let warning = try ringEvidenceWarning(last, frame: frame, rows: rows, columns: columns, mask: mask, calibrant: calibrant) {
            last.warnings.append(warning)
        }
        return last
    }

    /// Whether the image's azimuthal average shows the calibrant's rings where the refined geometry
    /// puts them. The picker takes the brightest pixels near each predicted ring, so a frame of some
    /// other sample (or a wrong wavelength) still yields points that fit their rings: the Pixium
    /// sample frame taken for CeO2 gives 2,701 points. Here each ring with control points is checked
    /// in the 1-D pattern (no splitting, bins of half a pixel's angle): its contrast is (the highest
    /// bin within 1.5 pixels of the ring − the higher of the bins half-way to the neighbouring rings,
    /// at least 4 pixels away) over that side value. Calibrant rings stand out (all 17 CeO2 rings of
    /// `CeO2_Pilatus1M.tif`, 5 of 6 AgBh rings of the Pilatus 1M frame); of the Pixium frame's 27
    /// CeO2 positions 3 do. A warning when fewer than half of at least two such rings reach 0.3.
    static func ringEvidenceWarning(_ result: CalibrationResult, frame: [Double], rows: Int, columns: Int, mask: [Bool],
                                    calibrant: Calibrant) throws -> String? {
        let g = result.geometry
        guard let wavelength = g.wavelength else { return nil }
        let pixelAngle = min(g.pixel1, g.pixel2) / g.distance
        let range = twoThetaRange(g, rows: rows, columns: columns, mask: mask)
        let ringTwoTheta = calibrant.twoTheta(wavelength: wavelength)
        let rings = Set(result.controlPoints.map(\.ring)).sorted().filter {
            $0 < ringTwoTheta.count && ringTwoTheta[$0] > range.lowerBound + 6 * pixelAngle && ringTwoTheta[$0] < range.upperBound - 6 * pixelAngle
        }
        guard rings.count >= 2 else { return nil }
        var options = IntegrationOptions()
        options.npt = max(16, min(20_000, Int((range.upperBound - range.lowerBound) / (pixelAngle / 2))))
        options.radialRange = (range.lowerBound * 180 / .pi)...(range.upperBound * 180 / .pi)
        options.errorModel = .none
        options.threads = 1
        let pattern = try AzimuthalIntegrator(geometry: g, rows: rows, columns: columns, mask: mask, options: options)
            .integrate(frame)   // the mask holds the invalid pixels, as for the picker
        let x = pattern.radial.map { $0 * .pi / 180 }, y = pattern.intensity
        func nearest(_ t: Double) -> Double {
            let step = x.count > 1 ? x[1] - x[0] : 1
            let k = min(max(Int(((t - x[0]) / step).rounded()), 0), x.count - 1)
            return y[k]
        }
        var standing = 0
        for r in rings {
            let t = ringTwoTheta[r]
            let peak = zip(x, y).filter { abs($0.0 - t) <= 1.5 * pixelAngle }.map(\.1).max() ?? 0
            // Half-way to the neighbouring rings (at least 4 pixels): between rings, wherever a broad ring ends.
            let below = r > 0 ? t - ringTwoTheta[r - 1] : t, above = r + 1 < ringTwoTheta.count ? ringTwoTheta[r + 1] - t : below
            let reach = max(4 * pixelAngle, 0.5 * min(below, above))
            let side = max(nearest(t - reach), nearest(t + reach))
            if side != 0, (peak - side) / abs(side) > 0.3 { standing += 1 }
        }
        guard 2 * standing < rings.count else { return nil }
        return String(format: "the image's azimuthal average peaks at only %d of the %d %@ ring positions the geometry predicts (contrast above 0.3): the rings fitted may not be %@ rings (another sample, a wrong wavelength or a start far off); the control points are picked near the predicted rings, so a small rms alone does not show they are right",
                      standing, rings.count, calibrant.name, calibrant.name)
    }

    /// A start geometry of another detector orientation: its pixels are orientation 3's re-indexed
    /// (`PONIGeometry.orientation`), so the frame and mask are re-indexed into orientation 3, calibrated
    /// there with the same parameters, and the result given back in the start's orientation: the
    /// parameters unchanged, the control points and the Fit2D beam centre in the stored image's pixels.
    static func calibrateReindexed(frame: [Double], rows: Int, columns: Int, mask: [Bool], calibrant: Calibrant,
                                   start: PONIGeometry, options: CalibrationOptions) throws -> CalibrationResult {
        let reindex = Reindexing(start: start, rows: rows, columns: columns)
        let n = rows * columns
        let frame3 = (0..<n).map { frame[reindex.source($0)] }, mask3 = (0..<n).map { mask[reindex.source($0)] }
        var start3 = start
        start3.orientation = 3
        return reindex.back(try calibrate(frame: frame3, rows: rows, columns: columns, mask: mask3, calibrant: calibrant, start: start3, options: options))
    }

    /// The 2θ range (rad) of the unmasked pixel centres, sampled on every 4th row and column plus the edges.
    static func twoThetaRange(_ g: PONIGeometry, rows: Int, columns: Int, mask: [Bool]) -> ClosedRange<Double> {
        let m = PixelGeometry.Rotation(g)
        var lo = Double.infinity, hi = -Double.infinity
        var rowSet = Array(stride(from: 0, to: rows, by: 4)); rowSet.append(rows - 1)
        var colSet = Array(stride(from: 0, to: columns, by: 4)); colSet.append(columns - 1)
        for i in rowSet {
            for j in colSet where !mask[i * columns + j] {
                let (d1, d2) = PixelGeometry.distorted(Double(i) + 0.5, Double(j) + 0.5, g)
                let t = PixelGeometry.position(d1, d2, g, m).tth
                lo = min(lo, t)
                hi = max(hi, t)
            }
        }
        return lo <= hi ? lo...hi : 0...0
    }
}
