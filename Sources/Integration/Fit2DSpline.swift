import Foundation
import XrayCore

/// A detector's spatial distortion as a Fit2D spline file describes it (the `.spline` files of
/// CCD and image-plate detectors with fibre-optic tapers, written by Fit2D and by pyFAI's
/// `Spline.write`).
///
/// Two bicubic B-spline surfaces give, at a point (x = column, y = row, in pixels of the stored
/// image), the displacement ΔX and ΔY in pixels from where the pixel grid puts it to where it is on
/// the detector: a pixel centre (row + 0.5, column + 0.5) lies at
/// p1 = pixel1 · (row + 0.5 + ΔY), p2 = pixel2 · (column + 0.5 + ΔX) (pyFAI
/// `Detector.calc_cartesian_positions`). Each surface is Dierckx's tensor-product B-spline
/// (FITPACK `bispev`; P. Dierckx, *Curve and surface fitting with splines*, 1993): knots tx, ty,
/// degree 3 in both directions, coefficients c[(i · (ny − 4)) + j].
///
/// Evaluation follows pyFAI 2026.9's `ext._bispev`, which evaluates in single precision: the knots,
/// coefficients and coordinates are Float32, the four non-zero B-splines come from de Boor and Cox's
/// recurrence (`fpbspl`) in Float32, and the 16 products c·wx·wy are summed with Kahan compensation
/// in Float32. Computed the same way here, the displacements equal pyFAI's bit for bit, so that a
/// pixel centre that pyFAI puts on one side of a bin edge is put there here too.
public struct Fit2DSpline: Sendable, Equatable {
    /// One displacement surface (pixels).
    public struct Surface: Sendable, Equatable {
        /// Knots along x (columns), then along y (rows).
        public var knotsX: [Float]
        public var knotsY: [Float]
        /// (knotsX.count − 4) × (knotsY.count − 4) coefficients, y fastest.
        public var coefficients: [Float]

        public init(knotsX: [Float], knotsY: [Float], coefficients: [Float]) {
            self.knotsX = knotsX
            self.knotsY = knotsY
            self.coefficients = coefficients
        }
    }

    /// The region the spline was fitted on (pixels): x from `xMin` to `xMax`, y from `yMin` to `yMax`.
    public var xMin, yMin, xMax, yMax: Double
    /// Fit2D's grid spacing (µm), kept for writing the file back.
    public var gridSpacing: Double
    /// Pixel size along x (columns) and y (rows), µm.
    public var pixelSizeX, pixelSizeY: Double
    /// ΔX(x, y) and ΔY(x, y), pixels.
    public var x: Surface
    public var y: Surface

    public init(xMin: Double, yMin: Double, xMax: Double, yMax: Double, gridSpacing: Double,
                pixelSizeX: Double, pixelSizeY: Double, x: Surface, y: Surface) {
        self.xMin = xMin; self.yMin = yMin; self.xMax = xMax; self.yMax = yMax
        self.gridSpacing = gridSpacing
        self.pixelSizeX = pixelSizeX; self.pixelSizeY = pixelSizeY
        self.x = x; self.y = y
    }

    /// Pixel size along rows (dimension 1) in metres, as pyFAI takes it from the spline.
    public var pixel1: Double { pixelSizeY * 1e-6 }
    /// Pixel size along columns (dimension 2) in metres.
    public var pixel2: Double { pixelSizeX * 1e-6 }
    /// The detector shape (rows, columns) the spline covers: pyFAI's `getDetectorSize`,
    /// int(yMax − yMin) × int(xMax − xMin).
    public var shape: (rows: Int, columns: Int) { (Int(yMax - yMin), Int(xMax - xMin)) }

    // MARK: Reading

    /// Parses a Fit2D spline file ("SPATIAL DISTORTION SPLINE INTERPOLATION COEFFICIENTS"): the
    /// sections `VALID REGION`, `GRID SPACING, X-PIXEL SIZE, Y-PIXEL SIZE`, `X-DISTORTION` and
    /// `Y-DISTORTION`, numbers in fixed fields of 14 characters (Fortran `5E14.7`, so that a negative
    /// number may touch the one before it), each distortion a line with the two knot counts, then the
    /// knots along x, along y and the coefficients up to the next empty line. `file` names the file
    /// in errors, which give the line.
    public static func parse(_ text: String, file: String) throws -> Fit2DSpline {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: "\r")) }
        func fields(_ index: Int, count: Int? = nil) throws -> [Double] {
            guard index < lines.count else { throw RoentgenError.badFile(file, line: index, "spline file ends where numbers were expected") }
            let chars = Array(lines[index])
            var out: [Double] = []
            var start = 0
            while start + 14 <= chars.count {
                let field = String(chars[start..<start + 14]).trimmingCharacters(in: .whitespaces)
                guard let v = Double(field), v.isFinite else {
                    throw RoentgenError.badFile(file, line: index + 1, "spline field \(out.count + 1) '\(field)' is not a number (Fit2D spline files hold numbers in fields of 14 characters)")
                }
                out.append(v)
                start += 14
            }
            if let count, out.count < count {
                throw RoentgenError.badFile(file, line: index + 1, "spline line holds \(out.count) numbers of 14 characters, \(count) expected")
            }
            return out
        }
        var region: [Double]?, grid: [Double]?
        var surfaces: [String: Surface] = [:]
        var i = 0
        while i < lines.count {
            let heading = lines[i].trimmingCharacters(in: .whitespaces).uppercased()
            switch heading {
            case "VALID REGION":
                region = try fields(i + 1, count: 4); i += 2
            case "GRID SPACING, X-PIXEL SIZE, Y-PIXEL SIZE":
                grid = try fields(i + 1, count: 3); i += 2
            case "X-DISTORTION", "Y-DISTORTION":
                guard i + 1 < lines.count else { throw RoentgenError.badFile(file, line: i + 1, "spline \(heading) has no knot counts") }
                let counts = lines[i + 1].split(separator: " ").compactMap { Int($0) }
                guard counts.count == 2, counts.allSatisfy({ $0 >= 8 && $0 <= 10_000 }) else {
                    throw RoentgenError.badFile(file, line: i + 2, "spline \(heading): expected two knot counts of at least 8 (a bicubic spline), found '\(lines[i + 1])'")
                }
                var values: [Double] = []
                var j = i + 2
                while j < lines.count, !lines[j].trimmingCharacters(in: .whitespaces).isEmpty {
                    values += try fields(j)
                    j += 1
                }
                let (nx, ny) = (counts[0], counts[1])
                let nc = (nx - 4) * (ny - 4)
                guard values.count == nx + ny + nc else {
                    throw RoentgenError.badFile(file, line: i + 1, "spline \(heading) holds \(values.count) numbers; \(nx) + \(ny) knots and \(nc) coefficients expected")
                }
                let f = values.map { Float($0) }
                let s = Surface(knotsX: Array(f[0..<nx]), knotsY: Array(f[nx..<nx + ny]), coefficients: Array(f[(nx + ny)...]))
                for (name, knots) in [("x", s.knotsX), ("y", s.knotsY)] where zip(knots, knots.dropFirst()).contains(where: { $0 > $1 }) {
                    throw RoentgenError.badFile(file, line: i + 1, "spline \(heading): its knots along \(name) are not in increasing order")
                }
                surfaces[heading] = s
                i = j
            default:
                i += 1
            }
        }
        guard let region else { throw RoentgenError.badFile(file, "not a Fit2D spline file: no VALID REGION section") }
        guard let grid else { throw RoentgenError.badFile(file, "spline file has no 'GRID SPACING, X-PIXEL SIZE, Y-PIXEL SIZE' section") }
        guard let sx = surfaces["X-DISTORTION"], let sy = surfaces["Y-DISTORTION"] else {
            throw RoentgenError.badFile(file, "spline file lacks its \(surfaces["X-DISTORTION"] == nil ? "X" : "Y")-DISTORTION section")
        }
        guard grid[1] > 0.1, grid[1] < 1e4, grid[2] > 0.1, grid[2] < 1e4 else {
            throw RoentgenError.badFile(file, "spline pixel size \(grid[1]) × \(grid[2]) µm: expected 0.1 µm to 10 mm")
        }
        let spline = Fit2DSpline(xMin: region[0], yMin: region[1], xMax: region[2], yMax: region[3], gridSpacing: grid[0],
                                 pixelSizeX: grid[1], pixelSizeY: grid[2], x: sx, y: sy)
        guard spline.shape.rows >= 1, spline.shape.columns >= 1, spline.shape.rows <= 100_000, spline.shape.columns <= 100_000 else {
            throw RoentgenError.badFile(file, "spline valid region \(region[0])…\(region[2]) × \(region[1])…\(region[3]) pixels is empty or implausible")
        }
        return spline
    }

    // MARK: Evaluation (FITPACK bispev in Float32, as pyFAI)

    /// The knot interval and the four non-zero cubic B-splines at `arg` (clamped into the knots'
    /// span): `first` is the index of the first coefficient they multiply.
    @inline(__always) static func basis(_ t: [Float], _ arg0: Float) -> (first: Int, w: SIMD4<Float>) {
        let k = 3, n = t.count
        var arg = arg0
        if arg < t[k] { arg = t[k] }
        if arg > t[n - k - 1] { arg = t[n - k - 1] }
        // The smallest l ≥ k + 1 with arg < t[l], at most n − k − 1 (bispev's search, by bisection).
        var lo = k + 1, hi = n - k - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if arg < t[mid] { hi = mid } else { lo = mid + 1 }
        }
        let l = lo
        // de Boor–Cox recurrence (fpbspl): h[0...3] are the B-splines of degree 3 non-zero on [t[l−1], t[l]).
        var h = SIMD4<Float>(1, 0, 0, 0)
        for j in 1...k {
            let hh = h
            h[0] = 0
            for i in 0..<j {
                let f = hh[i] / (t[l + i] - t[l + i - j])
                h[i] = h[i] + f * (t[l + i] - arg)
                h[i + 1] = f * (arg - t[l + i - j])
            }
        }
        return (l - k - 1, h)
    }

    /// Σ c·wx·wy over the 4 × 4 coefficients, Kahan-compensated in Float32 (pyFAI's order: x outer).
    @inline(__always) static func combine(_ c: UnsafeBufferPointer<Float>, _ nky1: Int, _ bx: (first: Int, w: SIMD4<Float>),
                                          _ by: (first: Int, w: SIMD4<Float>)) -> Float {
        var sp: Float = 0, err: Float = 0
        for i1 in 0..<4 {
            let row = (bx.first + i1) * nky1 + by.first
            for j1 in 0..<4 {
                let a = c[row + j1] * bx.w[i1] * by.w[j1] - err
                let tmp = sp + a
                err = (tmp - sp) - a
                sp = tmp
            }
        }
        return sp
    }

    /// The surface at one point (x = column, y = row, pixels; Float32 as pyFAI passes them).
    public func displacement(_ surface: Surface, x: Double, y: Double) -> Double {
        let bx = Self.basis(surface.knotsX, Float(x)), by = Self.basis(surface.knotsY, Float(y))
        return surface.coefficients.withUnsafeBufferPointer { Double(Self.combine($0, surface.knotsY.count - 4, bx, by)) }
    }

    /// The surface on the grid xs × ys: element [iy · xs.count + ix] is the value at (xs[ix], ys[iy]).
    public func grid(_ surface: Surface, xs: [Double], ys: [Double]) -> [Float] {
        let bx = xs.map { Self.basis(surface.knotsX, Float($0)) }
        let by = ys.map { Self.basis(surface.knotsY, Float($0)) }
        var out = [Float](repeating: 0, count: xs.count * ys.count)
        let width = xs.count
        let nky1 = surface.knotsY.count - 4
        surface.coefficients.withUnsafeBufferPointer { coefficients in
            out.withUnsafeMutableBufferPointer { buffer in
                // Each row is written by one worker; the coefficients are only read.
                nonisolated(unsafe) let base = buffer.baseAddress!, c = coefficients
                DispatchQueue.concurrentPerform(iterations: ys.count) { iy in
                    let row = base + iy * width
                    let b = by[iy]
                    for ix in 0..<width { row[ix] = Self.combine(c, nky1, bx[ix], b) }
                }
            }
        }
        return out
    }
}
