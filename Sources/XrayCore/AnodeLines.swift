import Foundation

/// Characteristic lines of laboratory X-ray tube anodes, wavelengths in Å.
///
/// Kα1, Kα2 and Kβ1 from Hölzer et al., Phys. Rev. A 56 (1997) 4554 (Cu, Co, Cr, Fe) and
/// Deslattes et al., Rev. Mod. Phys. 75 (2003) 35 (Mo, Ag); the same values pymatgen uses.
/// "Kα" is the weighted mean (2·Kα1 + Kα2)/3, e.g. Cu Kα = 1.54184 Å.
public struct AnodeLines: Sendable, Hashable {
    /// Anode element symbol.
    public let anode: String
    public let kAlpha1: Double
    public let kAlpha2: Double
    public let kBeta1: Double

    /// Intensity ratio I(Kα2)/I(Kα1) used for the doublet and for stripping.
    public static let kAlpha2Ratio = 0.5

    /// The weighted mean Kα wavelength (2·Kα1 + Kα2)/3 in Å, rounded as tables print it.
    public let kAlpha: Double

    /// The tube anodes in common use.
    public static let all: [AnodeLines] = [
        AnodeLines(anode: "Cu", kAlpha: 1.54184, kAlpha1: 1.54056, kAlpha2: 1.54439, kBeta1: 1.39222),
        AnodeLines(anode: "Mo", kAlpha: 0.71073, kAlpha1: 0.70930, kAlpha2: 0.71359, kBeta1: 0.63229),
        AnodeLines(anode: "Cr", kAlpha: 2.29100, kAlpha1: 2.28970, kAlpha2: 2.29361, kBeta1: 2.08487),
        AnodeLines(anode: "Fe", kAlpha: 1.93735, kAlpha1: 1.93604, kAlpha2: 1.93998, kBeta1: 1.75661),
        AnodeLines(anode: "Co", kAlpha: 1.79026, kAlpha1: 1.78896, kAlpha2: 1.79285, kBeta1: 1.63079),
        AnodeLines(anode: "Ag", kAlpha: 0.560885, kAlpha1: 0.559421, kAlpha2: 0.563813, kBeta1: 0.497082),
    ]

    private init(anode: String, kAlpha: Double, kAlpha1: Double, kAlpha2: Double, kBeta1: Double) {
        self.anode = anode
        self.kAlpha = kAlpha
        self.kAlpha1 = kAlpha1
        self.kAlpha2 = kAlpha2
        self.kBeta1 = kBeta1
    }

    /// The lines of anode `symbol` (case-insensitive), or nil.
    public static func anode(_ symbol: String) -> AnodeLines? {
        all.first { $0.anode.lowercased() == symbol.lowercased() }
    }

    /// The doublet as a `Radiation` value (Kα1, Kα2, ratio 0.5, Kβ).
    public var radiation: Radiation {
        Radiation(anode: anode, kAlpha1: kAlpha1, kAlpha2: kAlpha2, kAlpha2Ratio: Self.kAlpha2Ratio, kBeta: kBeta1)
    }
}

/// A wavelength given by number (Å), line name (`CuKa`, `CuKa1`, `MoKa2`, `CoKb`, `Cu`) or
/// synchrotron energy (`"17keV"`, `"12400eV"`).
public enum WavelengthSpec {
    /// hc in eV·Å (CODATA 2018).
    public static let hcEVAngstrom = 12398.419843

    /// Wavelengths accepted, Å: from hard X-rays of 12 MeV to cold neutrons.
    public static let plausible: ClosedRange<Double> = 0.001...100

    /// Parses `text` to a wavelength in Å, or throws a `badParameter` error saying what is accepted.
    public static func parse(_ text: String) throws -> Double {
        let t = text.trimmingCharacters(in: .whitespaces)
        let lower = t.lowercased()
        var value: Double?
        if let x = Double(t) {
            value = x
        } else if lower.hasSuffix("kev"), let e = Double(lower.dropLast(3)) {
            guard e > 0, e.isFinite else { throw RoentgenError.badParameter("wavelength '\(text)': the energy must be positive and finite") }
            value = hcEVAngstrom / (e * 1000)
            if value == 0 { throw RoentgenError.badParameter("wavelength '\(text)': an energy that large is not a plausible X-ray (\(plausible.lowerBound)–\(plausible.upperBound) Å)") }
        } else if lower.hasSuffix("ev"), let e = Double(lower.dropLast(2)) {
            guard e > 0, e.isFinite else { throw RoentgenError.badParameter("wavelength '\(text)': the energy must be positive and finite") }
            value = hcEVAngstrom / e
            if value == 0 { throw RoentgenError.badParameter("wavelength '\(text)': an energy that large is not a plausible X-ray (\(plausible.lowerBound)–\(plausible.upperBound) Å)") }
        } else if lower.count >= 2, let lines = AnodeLines.anode(String(lower.prefix(2))) {
            switch lower.dropFirst(2) {
            case "", "ka", "kα": value = lines.kAlpha
            case "ka1", "kα1": value = lines.kAlpha1
            case "ka2", "kα2": value = lines.kAlpha2
            case "kb", "kb1", "kβ", "kβ1": value = lines.kBeta1
            default: value = nil
            }
        }
        guard let value else {
            throw RoentgenError.badParameter("wavelength '\(text)' not understood (expected Å as a number, a line such as CuKa, CuKa1, MoKa2, CoKb, or an energy such as 17keV)")
        }
        guard value.isFinite, value > 0 else {
            throw RoentgenError.badParameter("wavelength '\(text)' must be positive (got \(value) Å)")
        }
        guard value >= plausible.lowerBound, value <= plausible.upperBound else {
            throw RoentgenError.badParameter(String(format: "wavelength '%@' = %g Å is not a plausible X-ray or neutron wavelength (%g–%g Å)", text, value, plausible.lowerBound, plausible.upperBound))
        }
        return value
    }
}
