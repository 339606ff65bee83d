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
        let own = pattern.radiation?.kAlpha1
        guard own.map({ $0 > 0 && $0.isFinite }) ?? true else {
            throw RoentgenError(.badData, "wavelength \(own!) Å in the file is not positive", file: source)
        }
        let lambda = own ?? options.assumedWavelength
        var points: [(x: Double, y: Double)] = []
        points.reserveCapacity(pattern.twoTheta.count)
        let needsLambda = options.axis == .q || (lambda.map { abs($0 - options.wavelength) > 1e-12 } ?? false)
        if needsLambda, lambda == nil {
            throw RoentgenError(.badData, "no wavelength in the file: cannot convert to \(options.axis == .q ? "Q" : "2θ at \(options.wavelength) Å") (give --assume-wavelength for such files)", file: source)
        }
        if lambda == nil && options.axis == .twoTheta {
            throw RoentgenError(.badData, "no wavelength in the file: its 2θ cannot be put on a grid for \(options.wavelength) Å (give --assume-wavelength for such files)", file: source)
        }
        let l = lambda ?? options.wavelength
        let ratio = options.wavelength / l
        let twoPi = 2 * Double.pi
        if options.axis == .twoTheta && ratio == 1 {
            // The pattern's own wavelength is the dataset's: 2θ as measured, no sine to take.
            for (t, y) in zip(pattern.twoTheta, pattern.intensity) where t.isFinite && y.isFinite { points.append((t, y)) }
        } else {
            for (t, y) in zip(pattern.twoTheta, pattern.intensity) where t.isFinite && y.isFinite {
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
        let grid = options.grid
        let n = grid.count
        var out = [Double](repeating: 0, count: n)
        var inside = 0
        var j = 0
        let lo = points[0].x, hi = points[points.count - 1].x
        for k in 0..<n {
            let x = grid.start + Double(k) * grid.step
            guard x >= lo, x <= hi else { continue }
            while j < points.count - 2, points[j + 1].x < x { j += 1 }
            let a = points[j], b = points[j + 1]
            out[k] = b.x > a.x ? a.y + (b.y - a.y) * (x - a.x) / (b.x - a.x) : a.y
            inside += 1
        }
        guard inside > 0 else {
            throw RoentgenError(.badData, String(format: "measured range %.4g…%.4g does not reach the grid %.4g…%.4g", lo, hi, grid.start, grid.stop), file: source)
        }
        switch options.normalization {
        case .none: break
        case .max:
            let m = out.max() ?? 0
            guard m > 0 else { throw RoentgenError(.badData, "no positive intensity on the grid: cannot normalise to the maximum", file: source) }
            for k in 0..<n { out[k] /= m }
        case .area:
            var area = 0.0
            for k in 1..<max(n, 1) { area += 0.5 * (out[k - 1] + out[k]) * grid.step }
            guard area > 0 else { throw RoentgenError(.badData, "the area under the pattern on the grid is not positive: cannot normalise to unit area", file: source) }
            for k in 0..<n { out[k] /= area }
        }
        return MLResampled(values: out.map(Float.init), coverage: Double(inside) / Double(n), wavelength: own)
    }
}
