import Foundation
import XrayCore

/// One pattern on the dataset's grid.
public struct MLResampled: Sendable, Equatable {
    /// Intensities on the grid (0 outside the measured range), normalised.
    public var values: [Float]
    /// Fraction of grid points inside the measured range.
    public var coverage: Double
    /// The pattern's own wavelength used for the conversion, Å (nil: not needed, or assumed).
    public var wavelength: Double?
}

/// Puts a measured pattern on a common grid: 2θ converted to the dataset's wavelength through d
/// (Bragg's law, λ = 2d sin θ: 2θ′ = 2 asin(λ′ sin θ / λ)) or to Q = 4π sin θ / λ, linear
/// interpolation between measured points (no extrapolation: grid points outside the measured
/// range are 0 and counted out of the coverage), then scaled to a maximum of 1 (`max`) or a
/// unit trapezoidal area over the grid (`area`).
public enum MLResampling {
    public static func resample(_ pattern: DiffractionPattern, options: MLExportOptions, source: String) throws -> MLResampled {
        var values = [Float](repeating: 0, count: options.grid.count)
        let r = try values.withUnsafeMutableBufferPointer { try resample(pattern, options: options, source: source, into: $0) }
        return MLResampled(values: values, coverage: r.coverage, wavelength: r.wavelength)
    }

    /// Resamples into `out` (one value per grid point, e.g. a row of the dataset's X) and returns
    /// the coverage and the pattern's own wavelength. `out` is left undefined when this throws.
    public static func resample(_ pattern: DiffractionPattern, options: MLExportOptions, source: String,
                                into out: UnsafeMutableBufferPointer<Float>) throws -> (coverage: Double, wavelength: Double?) {
        precondition(out.count == options.grid.count, "one value per grid point")
        let own = pattern.radiation?.kAlpha1
        guard own.map({ $0 > 0 && $0.isFinite }) ?? true else {
            throw RoentgenError(.badData, "wavelength \(own!) Å in the file is not positive", file: source)
        }
        let lambda = own ?? options.assumedWavelength
        let needsLambda = options.axis == .q || (lambda.map { abs($0 - options.wavelength) > 1e-12 } ?? false)
        if needsLambda, lambda == nil {
            throw RoentgenError(.badData, "no wavelength in the file: cannot convert to \(options.axis == .q ? "Q" : "2θ at \(options.wavelength) Å") (give --assume-wavelength for such files)", file: source)
        }
        if lambda == nil && options.axis == .twoTheta {
            throw RoentgenError(.badData, "no wavelength in the file: its 2θ cannot be put on a grid for \(options.wavelength) Å (give --assume-wavelength for such files)", file: source)
        }
        let l = lambda ?? options.wavelength
        let ratio = options.wavelength / l
        let twoTheta = pattern.twoTheta, intensity = pattern.intensity
        let count = min(twoTheta.count, intensity.count)
        // The common case: the pattern's own wavelength is the dataset's, every point finite and
        // 2θ ascending: the file's arrays are interpolated as they are, no copy.
        if options.axis == .twoTheta && ratio == 1 {
            let plain = twoTheta.withUnsafeBufferPointer { t in
                intensity.withUnsafeBufferPointer { y in
                    var ok = count >= 2
                    var k = 0
                    while ok && k < count {
                        ok = t[k].isFinite && y[k].isFinite && (k == 0 || t[k - 1] <= t[k])
                        k += 1
                    }
                    return ok
                }
            }
            if plain {
                let coverage = try twoTheta.withUnsafeBufferPointer { t in
                    try intensity.withUnsafeBufferPointer { y in
                        try interpolate(UnsafeBufferPointer(rebasing: t[0..<count]), UnsafeBufferPointer(rebasing: y[0..<count]),
                                        options: options, source: source, into: out)
                    }
                }
                return (coverage, own)
            }
        }
        var points: [(x: Double, y: Double)] = []
        points.reserveCapacity(count)
        let twoPi = 2 * Double.pi
        if options.axis == .twoTheta && ratio == 1 {
            // The pattern's own wavelength is the dataset's: 2θ as measured, no sine to take.
            for (t, y) in zip(twoTheta, intensity) where t.isFinite && y.isFinite { points.append((t, y)) }
        } else {
            for (t, y) in zip(twoTheta, intensity) where t.isFinite && y.isFinite {
                let s = sin(t * Double.pi / 360)
                let x: Double
                switch options.axis {
                case .q: x = 2 * twoPi * s / l
                case .twoTheta:
                    let r = ratio * s
                    guard abs(r) <= 1 else { continue }   // beyond the limiting sphere at the new wavelength
                    x = 360 / Double.pi * asin(r)
                }
                points.append((x, y))
            }
        }
        guard points.count >= 2 else { throw RoentgenError(.badData, "fewer than two finite points to interpolate", file: source) }
        if !zip(points, points.dropFirst()).allSatisfy({ $0.x <= $1.x }) { points.sort { $0.x < $1.x } }
        let xs = points.map(\.x), ys = points.map(\.y)
        let coverage = try xs.withUnsafeBufferPointer { x in
            try ys.withUnsafeBufferPointer { y in try interpolate(x, y, options: options, source: source, into: out) }
        }
        return (coverage, own)
    }

    /// Linear interpolation of (x, y) (x ascending, at least two points) on the grid, 0 outside
    /// the measured range, then the normalisation; the values are computed in double precision
    /// and rounded to float32 last. Returns the coverage.
    static func interpolate(_ xs: UnsafeBufferPointer<Double>, _ ys: UnsafeBufferPointer<Double>, options: MLExportOptions, source: String,
                            into out: UnsafeMutableBufferPointer<Float>) throws -> Double {
        let grid = options.grid
        let n = grid.count
        return try withUnsafeTemporaryAllocation(of: Double.self, capacity: n) { values -> Double in
            let points = xs.count
            var inside = 0
            var j = 0
            let lo = xs[0], hi = xs[points - 1]
            var largest = 0.0
            for k in 0..<n {
                let x = grid.start + Double(k) * grid.step
                guard x >= lo, x <= hi else { values[k] = 0; continue }
                while j < points - 2, xs[j + 1] < x { j += 1 }
                let ax = xs[j], bx = xs[j + 1], ay = ys[j]
                let v = bx > ax ? ay + (ys[j + 1] - ay) * (x - ax) / (bx - ax) : ay
                values[k] = v
                largest = max(largest, v)
                inside += 1
            }
            guard inside > 0 else {
                throw RoentgenError(.badData, String(format: "measured range %.4g…%.4g does not reach the grid %.4g…%.4g", lo, hi, grid.start, grid.stop), file: source)
            }
            switch options.normalization {
            case .none:
                for k in 0..<n { out[k] = Float(values[k]) }
            case .max:
                guard largest > 0 else { throw RoentgenError(.badData, "no positive intensity on the grid: cannot normalise to the maximum", file: source) }
                for k in 0..<n { out[k] = Float(values[k] / largest) }
            case .area:
                var area = 0.0
                for k in 1..<max(n, 1) { area += 0.5 * (values[k - 1] + values[k]) * grid.step }
                guard area > 0 else { throw RoentgenError(.badData, "the area under the pattern on the grid is not positive: cannot normalise to unit area", file: source) }
                for k in 0..<n { out[k] = Float(values[k] / area) }
            }
            return Double(inside) / Double(n)
        }
    }
}
