import Foundation

/// Scherrer crystallite size τ = K λ / (β cos θ), with β the peak breadth in radians after
/// removing instrumental broadening in quadrature (β² = FWHM² − FWHM_inst²).
public enum Scherrer {
    /// Size in nm for a peak at `twoTheta` (degrees) with `fwhm` (degrees); nil if not broader than the instrument.
    public static func size(twoTheta: Double, fwhm: Double, wavelength: Double, instrumentalFWHM: Double = 0, k: Double = 0.9) -> Double? {
        let beta2 = fwhm * fwhm - instrumentalFWHM * instrumentalFWHM
        guard beta2 > 0, wavelength > 0 else { return nil }
        let beta = beta2.squareRoot() * Double.pi / 180
        let theta = twoTheta * Double.pi / 360
        return k * wavelength / (beta * cos(theta)) / 10
    }
}
