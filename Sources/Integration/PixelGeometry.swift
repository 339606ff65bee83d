import Foundation
import XrayCore

/// Per-pixel positions of a flat detector, as pyFAI's `Geometry` computes them (orientation 3).
///
/// A point at (d1, d2) pixels (pixel centres at +0.5) lies at p1 = d1·pixel1 − poni1,
/// p2 = d2·pixel2 − poni2 on the detector, L = distance; rotated into the laboratory frame
/// (pyFAI `calc_pos_zyx`, rotations rot1, rot2, rot3):
///   t1 = p1·c2·c3 + p2·(c3·s1·s2 − c1·s3) − L·(c1·c3·s2 + s1·s3)
///   t2 = p1·c2·s3 + p2·(c1·c3 + s1·s2·s3) − L·(−c3·s1 + c1·s2·s3)
///   t3 = p1·s2 − p2·c2·s1 + L·c1·c2
/// with 2θ = atan2(√(t1²+t2²), t3), χ = atan2(t1, t2), r = √(t1²+t2²).
/// The relative solid angle is (L / √(L² + p1² + p2²))³ (1 at the PONI), and the polarisation
/// factor for a fraction P (axis along dimension 2) 0.5·(1 + cos²2θ − P·cos 2χ·sin²2θ).
///
/// A geometry with a distortion spline (`PONIGeometry.spline`) moves each point by the spline's
/// displacement before the rotation: (d1, d2) → (d1 + ΔY, d2 + ΔX) with ΔX, ΔY evaluated at
/// (x = d2, y = d1) (`PixelDisplacements`), and multiplies the solid angle by pyFAI's pixel-area
/// factor. A geometry with the parallax correction (`PONIGeometry.parallax`) moves each point, after the spline,
/// along the radius from the PONI by the sensor's correction (`Parallax`); the solid angle is not corrected, as
/// pyFAI's is not.
public struct PixelGeometry: Sendable {
    public let geometry: PONIGeometry
    public let rows: Int
    public let columns: Int

    public init(_ geometry: PONIGeometry, rows: Int, columns: Int) {
        self.geometry = geometry
        self.rows = rows
        self.columns = columns
    }

    /// The rotation matrix of a geometry, and its parallax correction at its distance (nil without; the
    /// callers that can fail check `PONIGeometry.parallaxCorrection()` first, which this repeats).
    struct Rotation {
        let a11, a12, a13, a21, a22, a23, a31, a32, a33: Double
        let parallax: ParallaxCorrection?
        init(_ g: PONIGeometry) {
            parallax = (try? g.parallaxCorrection()) ?? nil
            let c1 = cos(g.rot1), c2 = cos(g.rot2), c3 = cos(g.rot3)
            let s1 = sin(g.rot1), s2 = sin(g.rot2), s3 = sin(g.rot3)
            a11 = c2 * c3; a12 = c3 * s1 * s2 - c1 * s3; a13 = -(c1 * c3 * s2 + s1 * s3)
            a21 = c2 * s3; a22 = c1 * c3 + s1 * s2 * s3; a23 = -(-c3 * s1 + c1 * s2 * s3)
            a31 = s2; a32 = -c2 * s1; a33 = c1 * c2
        }
    }

    /// 2θ (rad), χ (rad) and r (m) of the point at fractional pixel coordinates (d1, d2).
    /// `float32Positions` (with the parallax correction only): the positions as pyFAI's corner path computes them
    /// (`Geometry.calc_pos_zyx` on `Detector.get_pixel_corners`: the corner index times the pixel size in float32,
    /// and with NumPy 2 the position from the PONI, the distance and the parallax shift stay float32 up to the
    /// rotation); the corners' 2θ and χ then equal pyFAI's float32 corner array (measured on the 300K-W frame:
    /// every corner), instead of differing by an ulp in ~0.5 % of them.
    @inline(__always) static func position(_ d1: Double, _ d2: Double, _ g: PONIGeometry, _ m: Rotation, float32Positions: Bool = false) -> (tth: Double, chi: Double, r: Double) {
        let (t1, t2, t3) = labPosition(d1, d2, g, m, float32Positions: float32Positions)
        let r = (t1 * t1 + t2 * t2).squareRoot()
        return (atan2(r, t3), atan2(t1, t2), r)
    }

    /// The point's position in the laboratory frame (m): t1 vertical (pyFAI's y), t2 horizontal (its x), t3 along
    /// the beam (its z), as `calc_pos_zyx` gives them.
    @inline(__always) static func labPosition(_ d1: Double, _ d2: Double, _ g: PONIGeometry, _ m: Rotation, float32Positions: Bool = false) -> (Double, Double, Double) {
        var p1: Double, p2: Double, L: Double
        if let parallax = m.parallax {
            if float32Positions {
                let z = Float(g.distance)
                let (f1, f2) = parallax.applyFloat32(Float(d1) * Float(g.pixel1) - Float(g.poni1), Float(d2) * Float(g.pixel2) - Float(g.poni2), z: z)
                (p1, p2, L) = (Double(f1), Double(f2), Double(z))
            } else {
                (p1, p2) = parallax.apply(d1 * g.pixel1 - g.poni1, d2 * g.pixel2 - g.poni2)
                L = g.distance
            }
        } else {
            (p1, p2, L) = (d1 * g.pixel1 - g.poni1, d2 * g.pixel2 - g.poni2, g.distance)
        }
        let t1 = m.a11 * p1 + m.a12 * p2 + m.a13 * L
        let t2 = m.a21 * p1 + m.a22 * p2 + m.a23 * L
        let t3 = m.a31 * p1 + m.a32 * p2 + m.a33 * L
        return (t1, t2, t3)
    }

    /// The detector coordinates (pixels) of the point at (d1, d2) of the stored image: moved by the
    /// geometry's distortion spline, if any, evaluated there.
    @inline(__always) static func distorted(_ d1: Double, _ d2: Double, _ g: PONIGeometry) -> (Double, Double) {
        guard let s = g.spline else { return (d1, d2) }
        return (d1 + s.displacement(s.y, x: d2, y: d1), d2 + s.displacement(s.x, x: d2, y: d1))
    }

    /// 2θ (rad), χ (rad), r (m) at the centre of pixel (`row`, `column`).
    public func center(row: Int, column: Int) -> (twoTheta: Double, chi: Double, r: Double) {
        let (d1, d2) = Self.distorted(Double(row) + 0.5, Double(column) + 0.5, geometry)
        let p = Self.position(d1, d2, geometry, Rotation(geometry))
        return (p.tth, p.chi, p.r)
    }

    /// q in nm⁻¹ at the centre of a pixel (nil without a wavelength).
    public func q(row: Int, column: Int) -> Double? {
        guard let w = geometry.wavelength else { return nil }
        return 4e-9 * .pi * sin(center(row: row, column: column).twoTheta / 2) / w
    }

    /// A grazing-incidence / fiber unit's value at the centre of pixel (`row`, `column`) of the stored image, in the
    /// unit (`FiberGeometry`); nil for a q unit without a wavelength.
    public func fiberValue(_ unit: FiberUnit, sample: FiberGeometry, row: Int, column: Int) -> Double? {
        guard let w = geometry.wavelength ?? (unit.needsWavelength ? nil : 1) else { return nil }
        let i = geometry.flipsRows ? rows - 1 - row : row, j = geometry.flipsColumns ? columns - 1 - column : column
        let (d1, d2) = Self.distorted(Double(i) + 0.5, Double(j) + 0.5, geometry)
        let (t1, t2, t3) = Self.labPosition(d1, d2, geometry, Rotation(geometry))
        return sample.value(unit.quantity, x: t2, y: t1, z: t3, wavelength: w) * unit.scale
    }

    /// The relative solid angle of pixel (`row`, `column`).
    public func solidAngle(row: Int, column: Int) -> Double {
        let (d1, d2) = Self.distorted(Double(row) + 0.5, Double(column) + 0.5, geometry)
        let p1 = d1 * geometry.pixel1 - geometry.poni1, p2 = d2 * geometry.pixel2 - geometry.poni2
        let L = geometry.distance
        let c = L / (L * L + p1 * p1 + p2 * p2).squareRoot()
        guard let s = geometry.spline else { return c * c * c }
        let area = PixelDisplacements(spline: s, rows: 1, columns: 1, corners: false, area: true, origin: (row, column)).area[0]
        return c * c * c * Double(area)
    }

    /// pyFAI's polarisation factor for fraction `factor` at a given 2θ and χ (rad).
    @inline(__always) public static func polarization(twoTheta: Double, chi: Double, factor: Double) -> Double {
        let c = cos(twoTheta), s = sin(twoTheta)
        return 0.5 * (1 + c * c - factor * cos(2 * chi) * s * s)
    }

    /// Per-pixel arrays for integration: centre positions in `unit` (internal scale), χ (rad),
    /// and, when `corners`, the half-extents of each pixel's bounding box in both (the largest
    /// distance from the centre value to a corner value; for χ the shorter way round the circle).
    public struct Arrays: Sendable {
        public var radial: [Double]
        public var chi: [Double]
        public var radialDelta: [Double]
        public var chiDelta: [Double]
        public var solidAngle: [Double]
        public var twoTheta: [Double]
        /// A grazing-incidence / fiber integration's second axis per pixel (`FiberIntegration.outOfPlaneUnit`,
        /// internal units), `radial` then holding the first; empty otherwise.
        public var outOfPlane: [Double] = []
        /// With `keepCorners`: the radial value and χ (rad) at the (rows + 1) × (columns + 1) pixel
        /// corners, float32-rounded as pyFAI's corner array (corner (i, j) at `i * (columns + 1) + j`);
        /// empty otherwise.
        public var cornerRadial: [Double] = []
        public var cornerChi: [Double] = []
        /// The image's columns (the corner grid has `columns + 1`).
        public var columns: Int = 0
        /// The orientation reverses exactly one axis: a pixel's corners run the other way round.
        public var mirrored: Bool = false
    }

    /// The rows are computed on `threads` threads (each pixel's values on their own: the same on any number).
    /// With `fiber`, `radial` holds its in-plane axis and `outOfPlane` its second (internal units); corners are not
    /// computed for it (fiber integration does not split pixels).
    public func arrays(unit: RadialUnit, corners: Bool, keepCorners: Bool = false, fiber: FiberIntegration? = nil, threads: Int = 1) throws -> Arrays {
        let g = geometry
        if unit.needsWavelength && g.wavelength == nil && fiber == nil {
            throw RoentgenError.badParameter("unit \(unit.rawValue) needs the wavelength, and the geometry has none (add a Wavelength line to the PONI file, or integrate in 2th_deg or r_mm)")
        }
        if let fiber {
            guard !corners && !keepCorners else { throw RoentgenError.badParameter("grazing-incidence / fiber integration does not split pixels") }
            for u in [fiber.inPlaneUnit, fiber.outOfPlaneUnit] where u.needsWavelength && g.wavelength == nil {
                throw RoentgenError.badParameter("unit \(u.rawValue) needs the wavelength, and the geometry has none (add a Wavelength line to the PONI file, or use the exit angles)")
            }
        }
        let w = g.wavelength ?? 1
        let m = Rotation(g)
        let rows = rows, columns = columns, n = rows * columns
        try g.checkSpline(rows: rows, columns: columns)
        _ = try g.parallaxCorrection()
        let shift = g.spline.map { PixelDisplacements(spline: $0, rows: rows, columns: columns, corners: corners || keepCorners, area: true) }
        var radial = [Double](repeating: 0, count: n), chi = radial, sa = radial, tth = radial
        var oop = fiber == nil ? [] : radial
        let ipQuantity = fiber?.inPlaneUnit.quantity, oopQuantity = fiber?.outOfPlaneUnit.quantity
        let L = g.distance
        // Another detector orientation re-indexes the pixels (`PONIGeometry.orientation`): pixel (i, j)
        // of the stored image sits where orientation 3 has pixel (i', j').
        let flipRows = g.flipsRows, flipColumns = g.flipsColumns
        radial.withUnsafeMutableBufferPointer { radialOut in chi.withUnsafeMutableBufferPointer { chiOut in
        sa.withUnsafeMutableBufferPointer { saOut in tth.withUnsafeMutableBufferPointer { tthOut in oop.withUnsafeMutableBufferPointer { oopOut in
            nonisolated(unsafe) let (radialOut, chiOut, saOut, tthOut, oopOut) = (radialOut, chiOut, saOut, tthOut, oopOut)   // each row written by one thread
            forEachRange(rows, threads: threads) { rowRange in
                for i in rowRange {
                    let pi = flipRows ? rows - 1 - i : i
                    for j in 0..<columns {
                        let k = i * columns + j
                        let pj = flipColumns ? columns - 1 - j : j
                        // A spline (orientation 3 only, so k is also the re-indexed pixel) moves the centre.
                        let d1 = Double(pi) + 0.5 + Double(shift?.centreY[k] ?? 0), d2 = Double(pj) + 0.5 + Double(shift?.centreX[k] ?? 0)
                        let (t1, t2, t3) = Self.labPosition(d1, d2, g, m)
                        let r = (t1 * t1 + t2 * t2).squareRoot()
                        let tthValue = atan2(r, t3)
                        if let fiber, let ipQuantity, let oopQuantity {
                            radialOut[k] = fiber.geometry.value(ipQuantity, x: t2, y: t1, z: t3, wavelength: w)
                            oopOut[k] = fiber.geometry.value(oopQuantity, x: t2, y: t1, z: t3, wavelength: w)
                        } else {
                            radialOut[k] = unit.value(twoTheta: tthValue, r: r, wavelength: w)
                        }
                        chiOut[k] = atan2(t1, t2)
                        tthOut[k] = tthValue
                        let p1 = d1 * g.pixel1 - g.poni1, p2 = d2 * g.pixel2 - g.poni2
                        let c = L / (L * L + p1 * p1 + p2 * p2).squareRoot()
                        saOut[k] = c * c * c * Double(shift?.area[k] ?? 1)
                    }
                }
            }
        }}}}}
        var dr: [Double] = [], dc: [Double] = [], keptRadial: [Double] = [], keptChi: [Double] = []
        if corners || keepCorners {
            // Values at the (rows + 1) × (columns + 1) pixel corners, shared by neighbours.
            let cw = columns + 1
            var cr = [Double](repeating: 0, count: (rows + 1) * cw), cc = cr
            cr.withUnsafeMutableBufferPointer { crOut in cc.withUnsafeMutableBufferPointer { ccOut in
                nonisolated(unsafe) let (crOut, ccOut) = (crOut, ccOut)
                forEachRange(rows + 1, threads: threads) { rowRange in
                    for i in rowRange {
                        for j in 0...columns {
                            let q = i * cw + j
                            let d1 = Double(flipRows ? rows - i : i) + Double(shift?.cornerY[q] ?? 0)
                            let d2 = Double(flipColumns ? columns - j : j) + Double(shift?.cornerX[q] ?? 0)
                            let p = Self.position(d1, d2, g, m, float32Positions: m.parallax != nil)
                            // Rounded to Float32 as pyFAI stores its corner array (`Geometry.corner_array`,
                            // dtype float32), so that the half-extents, and the bbox range made of them,
                            // are pyFAI's to the last bit rather than to ~1e-7 relative.
                            crOut[q] = Double(Float(unit.value(twoTheta: p.tth, r: p.r, wavelength: w)))
                            ccOut[q] = Double(Float(p.chi))
                        }
                    }
                }
            }}
            // The bounding-box half-extents (bbox splitting); full splitting reads the corners themselves.
            if corners {
                dr = [Double](repeating: 0, count: n)
                dc = dr
                cr.withUnsafeBufferPointer { cr in cc.withUnsafeBufferPointer { cc in
                radial.withUnsafeBufferPointer { radial in chi.withUnsafeBufferPointer { chi in
                dr.withUnsafeMutableBufferPointer { drOut in dc.withUnsafeMutableBufferPointer { dcOut in
                    nonisolated(unsafe) let (cr, cc, radial, chi, drOut, dcOut) = (cr, cc, radial, chi, drOut, dcOut)
                    forEachRange(rows, threads: threads) { rowRange in
                        for i in rowRange {
                            for j in 0..<columns {
                                let k = i * columns + j
                                let q0 = i * cw + j
                                var a = 0.0, b = 0.0
                                @inline(__always) func corner(_ q: Int) {
                                    a = max(a, abs(cr[q] - radial[k]))
                                    let d = abs(cc[q] - chi[k])
                                    b = max(b, min(d, 2 * .pi - d))
                                }
                                corner(q0); corner(q0 + 1); corner(q0 + cw); corner(q0 + cw + 1)
                                drOut[k] = a
                                dcOut[k] = b
                            }
                        }
                    }
                }}}}}}
            }
            if keepCorners { keptRadial = cr; keptChi = cc }
        }
        return Arrays(radial: radial, chi: chi, radialDelta: dr, chiDelta: dc, solidAngle: sa, twoTheta: tth, outOfPlane: oop,
                      cornerRadial: keptRadial, cornerChi: keptChi, columns: columns, mirrored: flipRows != flipColumns)
    }
}
