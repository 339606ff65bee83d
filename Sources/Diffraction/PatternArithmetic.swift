import Foundation
import XrayCore

/// Operations between measured patterns and on their radiation.
public enum PatternArithmetic {
    /// `pattern` minus `scale` × `background`, the background linearly interpolated onto the pattern's 2θ
    /// (held constant beyond its ends).
    public static func subtract(_ background: DiffractionPattern, scale: Double = 1, from pattern: DiffractionPattern) throws -> [Double] {
        try subtract(backgroundX: background.twoTheta, backgroundY: background.intensity, scale: scale,
                     fromX: pattern.twoTheta, fromY: pattern.intensity, name: background.name)
    }

    /// `y` minus `scale` × the background on any increasing abscissa (2θ, or Q for Q-axis data),
    /// the background linearly interpolated onto `x` (held constant beyond its ends).
    public static func subtract(backgroundX bx: [Double], backgroundY by: [Double], scale: Double = 1,
                                fromX x: [Double], fromY y: [Double], name: String = "background") throws -> [Double] {
        guard bx.count >= 2, by.count == bx.count else {
            throw RoentgenError(.badData, "background '\(name)' has fewer than 2 points")
        }
        var out = y
        var j = 0
        for (i, t) in x.enumerated() {
            while j + 2 < bx.count, bx[j + 1] < t { j += 1 }
            let f = min(max((t - bx[j]) / (bx[j + 1] - bx[j]), 0), 1)
            out[i] -= scale * (by[j] + f * (by[j + 1] - by[j]))
        }
        return out
    }

    /// Rachinger Kα2 stripping: I₁(2θ) = I(2θ) − R·I₁(2θ − Δ), with Δ the Kα1–Kα2 separation at 2θ
    /// (2 tan θ · (λ₂ − λ₁)/λ₁ radians), applied from low to high angle on the measured grid.
    public static func stripKAlpha2(_ pattern: DiffractionPattern, kAlpha1: Double, kAlpha2: Double, ratio: Double = 0.5) throws -> [Double] {
        guard kAlpha1 > 0, kAlpha2 > kAlpha1, ratio >= 0, ratio < 1 else {
            throw RoentgenError.badParameter("Kα2 stripping needs 0 < Kα1 < Kα2 and 0 ≤ ratio < 1 (got \(kAlpha1), \(kAlpha2), \(ratio))")
        }
        let x = pattern.twoTheta, y = pattern.intensity
        var stripped = y
        var j = 0
        for i in 0..<x.count {
            // Kα2 of the line at 2θ₁ appears at 2θ; find 2θ₁ = 2θ − Δ(2θ).
            let delta = 2 * tan(x[i] * Double.pi / 360) * (kAlpha2 - kAlpha1) / kAlpha1 * 180 / Double.pi
            let source = x[i] - delta
            guard source >= x[0] else { continue }
            while j + 1 < i, x[j + 1] <= source { j += 1 }
            let k = min(j, max(i - 1, 0))
            let next = min(k + 1, i)
            let f = next > k ? (source - x[k]) / (x[next] - x[k]) : 0
            let earlier = stripped[k] + min(max(f, 0), 1) * (stripped[next] - stripped[k])
            stripped[i] = y[i] - ratio * earlier
        }
        return stripped
    }
}
