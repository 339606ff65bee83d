import Foundation

/// Conversions between the diffraction axes 2θ (degrees), Q = 4π sin θ / λ (Å⁻¹) and
/// d = λ / (2 sin θ) (Å) for a wavelength λ in Å.
public enum DiffractionAxes {
    /// Q in Å⁻¹ from 2θ in degrees.
    @inline(__always)
    public static func q(twoTheta: Double, wavelength: Double) -> Double {
        4 * Double.pi * sin(twoTheta * Double.pi / 360) / wavelength
    }

    /// 2θ in degrees from Q in Å⁻¹; NaN beyond the limiting sphere (Q > 4π/λ).
    @inline(__always)
    public static func twoTheta(q: Double, wavelength: Double) -> Double {
        let s = q * wavelength / (4 * Double.pi)
        return abs(s) <= 1 ? 360 / Double.pi * asin(s) : .nan
    }

    /// d in Å from 2θ in degrees.
    @inline(__always)
    public static func d(twoTheta: Double, wavelength: Double) -> Double {
        wavelength / (2 * sin(twoTheta * Double.pi / 360))
    }

    /// 2θ in degrees from d in Å; NaN when d < λ/2.
    @inline(__always)
    public static func twoTheta(d: Double, wavelength: Double) -> Double {
        let s = wavelength / (2 * d)
        return abs(s) <= 1 ? 360 / Double.pi * asin(s) : .nan
    }

    /// d in Å from Q in Å⁻¹.
    @inline(__always)
    public static func d(q: Double) -> Double { 2 * Double.pi / q }

    /// Q in Å⁻¹ from d in Å.
    @inline(__always)
    public static func q(d: Double) -> Double { 2 * Double.pi / d }

    /// 2θ (degrees) of the same d at another wavelength; NaN if unreachable.
    public static func convert(twoTheta: Double, from wavelength: Double, to newWavelength: Double) -> Double {
        Self.twoTheta(d: d(twoTheta: twoTheta, wavelength: wavelength), wavelength: newWavelength)
    }
}
