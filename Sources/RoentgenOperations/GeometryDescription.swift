import Foundation
import Integration
import XrayCore
import XrayFormats

/// A PONI file and a calibrant as a viewer needs them (`GET /api/geometry`, `GET /api/calibrant`; the
/// web app's Images view draws the calibrant's rings and reads 2θ, χ and q under the cursor from them).
public enum GeometryDescription {
    /// `GET /api/geometry`'s document: the PONI's parameters (SI units, radians), the same geometry in
    /// Fit2D's terms, and what the viewer's own per-pixel formula leaves out (a spline, the parallax).
    public struct Geometry: Encodable, Sendable {
        public var file: String
        public var distance_m: Double
        public var poni1_m: Double
        public var poni2_m: Double
        public var rot1: Double
        public var rot2: Double
        public var rot3: Double
        public var wavelength_m: Double?
        public var pixel_size_m: [Double]
        public var detector: String?
        public var max_shape: [Int]?
        /// pyFAI's detector orientation (3: the default, no flip; 1, 2, 4 flip rows and/or columns).
        public var orientation: Int
        public var spline: String?
        public var parallax_sensor: String?
        /// Fit2D's direct distance (mm), beam centre (pixels: x = column, y = row), tilt and tilt-plane rotation (°).
        public var fit2d: Fit2D

        public struct Fit2D: Encodable, Sendable {
            public var direct_distance_mm: Double
            public var center_x_px: Double
            public var center_y_px: Double
            public var tilt_deg: Double
            public var tilt_plane_rotation_deg: Double
        }
    }

    /// The PONI file at `path`.
    public static func geometry(_ path: String) throws -> Geometry {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw RoentgenError(.io, "cannot read the PONI file", file: path)
        }
        let g = try PONIGeometry.parse(text, file: path)
        let f = g.fit2d
        return Geometry(file: path, distance_m: g.distance, poni1_m: g.poni1, poni2_m: g.poni2, rot1: g.rot1, rot2: g.rot2, rot3: g.rot3,
                        wavelength_m: g.wavelength, pixel_size_m: [g.pixel1, g.pixel2], detector: g.detector, max_shape: g.maxShape,
                        orientation: g.orientation, spline: g.splineFile, parallax_sensor: g.parallaxSensor?.label,
                        fit2d: .init(direct_distance_mm: f.directDistance, center_x_px: f.centerX, center_y_px: f.centerY,
                                     tilt_deg: f.tilt, tilt_plane_rotation_deg: f.tiltPlaneRotation))
    }

    /// `GET /api/calibrant`'s document: a calibrant's ring d-spacings (Å, largest first).
    public struct CalibrantRings: Encodable, Sendable {
        public var name: String
        public var d_spacings_angstrom: [Double]
    }

    /// A built-in calibrant (CeO2, LaB6, Si, AgBh) by name, or a pyFAI `.D` file at `nameOrPath` (`CalibrateOperations.calibrant`).
    public static func calibrant(_ nameOrPath: String) throws -> CalibrantRings {
        let c = try CalibrateOperations.calibrant(nameOrPath)
        return CalibrantRings(name: c.name, d_spacings_angstrom: c.dSpacings)
    }
}
