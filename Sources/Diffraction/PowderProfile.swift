import Foundation
import XrayCore

/// Renders stick patterns into continuous profiles on a 2θ grid (pseudo-Voigt lines).
public enum PowderProfile {
    /// Adds Σ Iₖ·pV(2θ − 2θₖ) to `y` on the uniform grid `x0 + i·step`, with FWHM from `fwhm(2θₖ)`
    /// and Lorentz fraction `eta`; lines are cut at ±6 FWHM.
    public static func render(into y: inout [Double], x0: Double, step: Double, positions: [Double], intensities: [Double],
                              eta: Double = 0.5, fwhm: (Double) -> Double) {
        let n = y.count
        for (center, intensity) in zip(positions, intensities) where intensity != 0 && center.isFinite {
            let w = fwhm(center)
            guard w > 0, w.isFinite, n > 0 else { continue }
            // Clamped as doubles first: a line far wider than the grid must not overflow Int.
            let lo = Int(max(0, ((center - 6 * w - x0) / step).rounded(.down)))
            let hi = Int(min(Double(n - 1), ((center + 6 * w - x0) / step).rounded(.up)))
            guard lo <= hi else { continue }
            let scale = intensity / PseudoVoigt.height(fwhm: w, eta: eta)
            for i in lo...hi {
                y[i] += scale * PseudoVoigt.value(x0 + Double(i) * step - center, fwhm: w, eta: eta)
            }
        }
    }

    /// A simulated pattern as a continuous profile: lines of peak height `intensity`, Caglioti widths
    /// (U, V, W in degrees²) plus Scherrer broadening for `crystalliteSize` nm, and an optional Kα2
    /// line (wavelength `kAlpha2`, relative intensity `kAlpha2Ratio`).
    public static func profile(_ pattern: SimulatedPattern, twoTheta grid: ClosedRange<Double>, step: Double,
                               u: Double = 0, v: Double = 0, w: Double = 0.01, eta: Double = 0.5,
                               crystalliteSize: Double? = nil, kAlpha2: Double? = nil, kAlpha2Ratio: Double = 0.5) -> (x: [Double], y: [Double]) {
        // Points from the start by `step` up to the range's end (none past it).
        let n = Int(((grid.upperBound - grid.lowerBound) / step + 1e-9).rounded(.down)) + 1
        var y = [Double](repeating: 0, count: max(n, 0))
        let lambda = pattern.wavelength
        let width: (Double) -> Double = { tth in
            var f = PseudoVoigt.cagliotiFWHM(twoTheta: tth, u: u, v: v, w: w)
            if let size = crystalliteSize, size > 0 {
                // β (degrees) = K λ / (τ cos θ), τ in Å.
                let beta = 0.9 * lambda / (size * 10 * cos(tth * Double.pi / 360)) * 180 / Double.pi
                f = (f * f + beta * beta).squareRoot()
            }
            return f
        }
        let positions = pattern.peaks.map(\.twoTheta), heights = pattern.peaks.map(\.intensity)
        render(into: &y, x0: grid.lowerBound, step: step, positions: positions, intensities: heights, eta: eta, fwhm: width)
        if let kAlpha2 {
            let shifted = pattern.peaks.map { DiffractionAxes.twoTheta(d: $0.d, wavelength: kAlpha2) }
            render(into: &y, x0: grid.lowerBound, step: step, positions: shifted, intensities: heights.map { $0 * kAlpha2Ratio },
                   eta: eta, fwhm: width)
        }
        return ((0..<y.count).map { grid.lowerBound + Double($0) * step }, y)
    }
}

