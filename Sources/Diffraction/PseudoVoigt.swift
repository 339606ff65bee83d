import Foundation

/// The area-normalised pseudo-Voigt profile: η·L + (1 − η)·G with a common FWHM Γ.
///
/// G(x) = (2/Γ)·√(ln2/π)·exp(−4 ln2 x²/Γ²), L(x) = (2/(πΓ)) / (1 + 4x²/Γ²), x = 2θ − 2θ₀.
public enum PseudoVoigt {
    private static let gaussNorm = 2 * (log(2.0) / Double.pi).squareRoot()
    private static let fourLn2 = 4 * log(2.0)

    /// Profile value per unit area at offset `x` from the centre (same units as `fwhm`).
    @inline(__always)
    public static func value(_ x: Double, fwhm: Double, eta: Double) -> Double {
        let u = x / fwhm
        let g = gaussNorm / fwhm * exp(-fourLn2 * u * u)
        let l = 2 / (Double.pi * fwhm) / (1 + 4 * u * u)
        return eta * l + (1 - eta) * g
    }

    /// Peak height of a unit-area profile.
    public static func height(fwhm: Double, eta: Double) -> Double { value(0, fwhm: fwhm, eta: eta) }

    /// Caglioti FWHM² = U tan²θ + V tanθ + W (degrees², θ = 2θ/2), clamped at a small positive width.
    public static func cagliotiFWHM(twoTheta: Double, u: Double, v: Double, w: Double) -> Double {
        let t = tan(twoTheta * Double.pi / 360)
        return max(u * t * t + v * t + w, 1e-8).squareRoot()
    }
}
