import Foundation
import Refinement
import XrayCore

/// The least-squares model of a geometry calibration (pyFAI `GeometryRefinement.residu2`): one
/// residual per control point, r = 2θ(point; dist, poni1, poni2, rot1, rot2, rot3) − 2θ_ring,
/// in radians, with 2θ(point) from `PixelGeometry` (orientation 3, pixel centre +0.5) and
/// 2θ_ring = 2·asin(λ / 2d) from the calibrant d-spacing and the wavelength.
///
/// With a distortion spline each point's centre (row + 0.5, column + 0.5) is first moved by the
/// spline's displacement there, once (pyFAI evaluates the spline at the control points the same way,
/// in Float32, `Detector.calc_cartesian_positions`).
///
/// With the parallax correction (`parallaxSensor`) each point moves as in `PixelGeometry`, by the correction of the
/// trial geometry (its distance and λ). pyFAI's `GeometryRefinement` corrects with the geometry it started from
/// (`Geometry._correct_parallax` reads `self.dist`, not the trial's); the two agree at that geometry.
///
/// Parameter names: `dist`, `poni1`, `poni2` (m), `rot1`, `rot2`, `rot3` (rad), `wavelength` (Å).
struct RingGeometryModel: RefinementModel {
    let points: [ControlPoint]
    let dSpacings: [Double]
    let pixel1: Double
    let pixel2: Double
    /// Each point's detector coordinates (d1, d2) in pixels: its centre, moved by the spline.
    let coordinates: [(d1: Double, d2: Double)]
    /// The sensor whose parallax is corrected, nil for none.
    let parallaxSensor: DetectorSensor?
    static let names = ["dist", "poni1", "poni2", "rot1", "rot2", "rot3", "wavelength"]

    init(points: [ControlPoint], dSpacings: [Double], pixel1: Double, pixel2: Double, spline: Fit2DSpline? = nil, parallaxSensor: DetectorSensor? = nil) {
        self.points = points
        self.parallaxSensor = parallaxSensor
        self.dSpacings = dSpacings
        self.pixel1 = pixel1
        self.pixel2 = pixel2
        var g = PONIGeometry(distance: 1, poni1: 0, poni2: 0, pixel1: pixel1, pixel2: pixel2)
        g.spline = spline
        coordinates = points.map { PixelGeometry.distorted($0.row + 0.5, $0.column + 0.5, g) }
    }

    func geometry(_ p: ParameterValues) throws -> (PONIGeometry, Double) {
        var v: [Double] = []
        for name in Self.names {
            guard let x = p[name] else { throw RoentgenError.badParameter("calibration parameter \(name) missing") }
            v.append(x)
        }
        var g = PONIGeometry(distance: v[0], poni1: v[1], poni2: v[2], rot1: v[3], rot2: v[4], rot3: v[5],
                             pixel1: pixel1, pixel2: pixel2, wavelength: v[6] * 1e-10)
        g.sensor = parallaxSensor
        g.parallax = parallaxSensor != nil
        return (g, v[6])
    }

    func residuals(_ p: ParameterValues) throws -> [Double] {
        let (g, lambda) = try geometry(p)
        let m = PixelGeometry.Rotation(g)
        return zip(points, coordinates).map { point, d in
            let s = lambda / (2 * dSpacings[point.ring])
            let ring = s < 1 ? 2 * asin(s) : .pi
            return PixelGeometry.position(d.d1, d.d2, g, m).tth - ring
        }
    }
}
