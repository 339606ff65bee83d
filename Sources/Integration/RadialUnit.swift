import Foundation

/// The radial units of azimuthal integration, as pyFAI names them. Positions are computed in
/// the unit's internal scale (2θ in radians, q in nm⁻¹, r in metres, as pyFAI's engines do) and
/// multiplied by `scale` for output; a user's range is multiplied by `inverseScale`.
public enum RadialUnit: String, Sendable, CaseIterable {
    case twoThetaDegrees = "2th_deg"
    case qInverseAngstrom = "q_A^-1"
    case qInverseNanometre = "q_nm^-1"
    case rMillimetre = "r_mm"

    /// Internal value → output unit.
    public var scale: Double {
        switch self {
        case .twoThetaDegrees: return 180 / .pi
        case .qInverseAngstrom: return 0.1
        case .qInverseNanometre: return 1
        case .rMillimetre: return 1000
        }
    }

    /// Output unit → internal value (π/180 rather than 1/scale for 2θ, as numpy's `deg2rad`).
    public var inverseScale: Double {
        switch self {
        case .twoThetaDegrees: return .pi / 180
        case .qInverseAngstrom: return 10
        case .qInverseNanometre: return 1
        case .rMillimetre: return 1e-3
        }
    }

    /// Whether the unit needs the wavelength.
    public var needsWavelength: Bool { self == .qInverseAngstrom || self == .qInverseNanometre }

    /// The axis label pyFAI writes (`2th_deg`, `q_A^-1`, …).
    public var label: String { rawValue }

    /// The NeXus axis name and units of the unit (`2th` degree, `q` 1/angstrom or 1/nm, `r` mm).
    public var nexusAxis: (name: String, units: String) {
        switch self {
        case .twoThetaDegrees: return ("2th", "degree")
        case .qInverseAngstrom: return ("q", "1/angstrom")
        case .qInverseNanometre: return ("q", "1/nm")
        case .rMillimetre: return ("r", "mm")
        }
    }

    /// The internal value for a pixel ray at scattering angle `twoTheta` (rad) and in-plane
    /// distance `r` (m); `wavelength` in metres.
    @inline(__always) func value(twoTheta: Double, r: Double, wavelength: Double) -> Double {
        switch self {
        case .twoThetaDegrees: return twoTheta
        case .qInverseAngstrom, .qInverseNanometre: return 4e-9 * .pi * sin(twoTheta / 2) / wavelength
        case .rMillimetre: return r
        }
    }
}
