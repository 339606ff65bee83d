import Foundation

/// Conversions of an absorption scan's abscissa to energy in eV.
enum XASEnergyAxis {
    /// hc in eV·Å (CODATA 2018, as Larch uses).
    static let hcEVAngstrom = 12398.419843320026

    /// The energy (eV) of a Bragg angle θ (degrees) for lattice spacing `dSpacing` (Å): E = hc / (2 d sin θ).
    static func energy(fromAngleDegrees theta: Double, dSpacing: Double) -> Double {
        hcEVAngstrom / (2 * dSpacing * sin(theta * .pi / 180))
    }

    /// Converts a column of angles (degrees, or radians if `radians`) to eV.
    static func energies(fromAngles angles: [Double], dSpacing: Double, radians: Bool = false) -> [Double] {
        let scale = radians ? 180 / Double.pi : 1
        return angles.map { energy(fromAngleDegrees: $0 * scale, dSpacing: dSpacing) }
    }

    /// What a unit string says about an energy-like column.
    enum Unit: Equatable {
        case eV, keV, degrees, radians, unknown
        init(_ text: String) {
            switch text.lowercased().trimmingCharacters(in: .whitespaces) {
            case "ev": self = .eV
            case "kev": self = .keV
            case "deg", "degree", "degrees", "°": self = .degrees
            case "rad", "radian", "radians": self = .radians
            default: self = .unknown
            }
        }
    }

    /// Heuristic used for files that do not say: an energy column whose values are all below
    /// 200 and span less than 100 is taken as keV (X-ray edges lie above ~0.2 keV).
    static func looksLikeKeV(_ values: [Double]) -> Bool {
        guard let lo = values.min(), let hi = values.max(), values.count > 1 else { return false }
        return lo > 0.1 && hi < 200 && hi - lo < 100
    }
}
