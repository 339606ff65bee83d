import Foundation
import XrayCore

/// The first column of an integrated 1-D pattern, as azimuthal-integration programs label it:
/// pyFAI's unit names (`2th_deg`, `2th_rad`, `q_nm^-1`, `q_A^-1`, `r_mm`, `chi_deg`, `d*2_A^-2`)
/// and the plain words (`q`, `Q(1/A)`, `d`). A column that is not 2θ in degrees must not be read
/// as 2θ: radians are converted, Q becomes 2θ when the header gives the wavelength (and stays
/// `q` otherwise), and anything else (detector radius, azimuth, d) keeps its name.
enum RadialAxis: Equatable {
    case twoThetaDegrees
    case twoThetaRadians
    /// Q with its unit's factor to Å⁻¹ (1 for Å⁻¹, 0.1 for nm⁻¹).
    case q(perAngstrom: Double)
    /// Some other abscissa; the column keeps this name.
    case other(String)

    /// The axis a column label names; 2θ in degrees when the label says nothing else.
    static func from(label: String) -> RadialAxis {
        let l = label.lowercased().replacingOccurrences(of: " ", with: "")
        if l.hasPrefix("2th_rad") || l.hasPrefix("2theta_rad") || l.hasPrefix("tth_rad") { return .twoThetaRadians }
        if l.hasPrefix("q") {
            if l.contains("nm") { return .q(perAngstrom: 0.1) }
            if l == "q" || l.contains("a^-1") || l.contains("a-1") || l.contains("å") || l.contains("1/a") || l.contains("ang") { return .q(perAngstrom: 1) }
        }
        for other in ["r_mm", "r_m", "chi_deg", "chi_rad", "d*2", "d_a", "d_nm", "d(", "d-spacing", "dspacing"] where l.hasPrefix(other) {
            return .other(label)
        }
        if l == "d" || l == "r" || l == "chi" { return .other(label) }
        return .twoThetaDegrees
    }

    /// A wavelength in Å from header metadata: `wavelength = 0.413` (Å), pyFAI's
    /// `Wavelength: 1e-10 m`, or a value in nm; nil if none or out of range.
    static func wavelength(_ metadata: Metadata) -> Double? {
        for (key, value) in metadata {
            let k = key.lowercased()
            guard k.contains("wavelength") || k == "lambda" || k.hasSuffix(" lambda") else { continue }
            let tokens = value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let first = tokens.first, let v = PatternText.number(first), v > 0 else { continue }
            let unit = tokens.count > 1 ? tokens[1].lowercased() : ""
            let angstrom: Double
            switch unit {
            case "m": angstrom = v * 1e10
            case "nm": angstrom = v * 10
            case "pm": angstrom = v / 100
            default: angstrom = v < 1e-6 ? v * 1e10 : v   // a bare value in metres (pyFAI writes SI)
            }
            // Rounded to 12 significant digits: 1.5406e-10 m is 1.5406 Å, not 1.5406000000000002.
            if angstrom > 0.01, angstrom < 20 { return Double(String(format: "%.12g", angstrom)) ?? angstrom }
        }
        return nil
    }
}
