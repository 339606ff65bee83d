import Foundation
import XrayCore

/// Parameters of a powder pattern simulation. Defaults follow pymatgen's XRDCalculator
/// (no Debye–Waller, unpolarised beam, peaks closer than 1e-5° merged, peaks below
/// 1e-3 on the 0–100 scale dropped) so results can be compared line for line.
public struct SimulationOptions: Sendable, Hashable {
    /// Wavelength in Å.
    public var wavelength: Double
    /// 2θ range in degrees (within 0…180).
    public var twoThetaRange: ClosedRange<Double>
    /// Apply Debye–Waller factors exp(−B s²) from the structure's U_iso / B_iso.
    public var debyeWaller: Bool
    /// Monochromator 2θ in degrees for the polarisation factor; nil for none.
    public var monochromatorTwoTheta: Double?
    /// Use the ionic form factors where the CIF gives charges (`Fe3+`) and the table has them.
    public var ionicFormFactors: Bool
    /// Reflections within this 2θ (degrees) are merged into one peak.
    public var mergeTolerance: Double
    /// Peaks below this intensity (0–100 scale) are dropped.
    public var minimumIntensity: Double

    public init(wavelength: Double = 1.54184, twoThetaRange: ClosedRange<Double> = 5...90, debyeWaller: Bool = false,
                monochromatorTwoTheta: Double? = nil, ionicFormFactors: Bool = false,
                mergeTolerance: Double = 1e-5, minimumIntensity: Double = 1e-3) {
        self.wavelength = wavelength
        self.twoThetaRange = twoThetaRange
        self.debyeWaller = debyeWaller
        self.monochromatorTwoTheta = monochromatorTwoTheta
        self.ionicFormFactors = ionicFormFactors
        self.mergeTolerance = mergeTolerance
        self.minimumIntensity = minimumIntensity
    }

    /// Throws a `badParameter` error for a non-positive wavelength or a range outside 0…180°.
    public func validate() throws {
        guard wavelength.isFinite, wavelength > 0 else {
            throw RoentgenError.badParameter("wavelength must be positive (got \(wavelength) Å)")
        }
        guard twoThetaRange.lowerBound >= 0, twoThetaRange.upperBound <= 180,
              twoThetaRange.lowerBound < twoThetaRange.upperBound else {
            throw RoentgenError.badParameter("2θ range \(twoThetaRange.lowerBound):\(twoThetaRange.upperBound) must lie within 0:180 degrees with start < end")
        }
        if let m = monochromatorTwoTheta, !(m >= 0 && m < 180) {
            throw RoentgenError.badParameter("monochromator 2θ must be within 0…180 degrees (got \(m))")
        }
    }
}

/// One simulated powder line: all reflections with the same 2θ.
public struct SimulatedPeak: Sendable, Hashable, Codable {
    /// Peak position 2θ in degrees.
    public var twoTheta: Double
    /// Interplanar spacing in Å.
    public var d: Double
    /// Intensity scaled so the strongest peak is 100.
    public var intensity: Double
    /// Unscaled intensity (|F|² × multiplicity × Lorentz–polarisation), electrons².
    public var absoluteIntensity: Double
    /// One representative (h, k, l) per symmetry family in this peak.
    public var hkl: [[Int]]
    /// Number of reflections (h, k, l) contributing.
    public var multiplicity: Int
}

/// A simulated stick pattern.
public struct SimulatedPattern: Sendable, Hashable {
    /// Wavelength used, Å.
    public var wavelength: Double
    /// Peaks in increasing 2θ.
    public var peaks: [SimulatedPeak]
    /// Options used.
    public var options: SimulationOptions
}

/// Powder pattern simulation from a crystal structure (kinematic theory):
/// I(hkl) = |F(hkl)|² · LP(θ), F = Σⱼ occⱼ fⱼ(s) exp(−Bⱼ s²) exp(2πi h·rⱼ), summed over
/// Friedel pairs and merged by 2θ, LP = (1 + cos²2θ cos²2θₘ) / (sin²θ cos θ (1 + cos²2θₘ)).
public enum PowderSimulator {
    /// Simulates the stick pattern of `structure`.
    public static func simulate(_ structure: CrystalStructure, options: SimulationOptions = SimulationOptions()) throws -> SimulatedPattern {
        try options.validate()
        let atoms = structure.unitCellAtoms()
        guard !atoms.isEmpty else { throw RoentgenError(.badData, "structure '\(structure.name)' has no atoms") }
        let model = try ScatteringModel(atoms: atoms, options: options)
        let reflections = ReflectionList(cell: structure.cell, wavelength: options.wavelength, twoThetaRange: options.twoThetaRange)
        guard !reflections.isEmpty else {
            return SimulatedPattern(wavelength: options.wavelength, peaks: [], options: options)
        }
        let f2 = model.structureFactorSquared(reflections)
        let cosMono2 = options.monochromatorTwoTheta.map { pow(cos($0 * Double.pi / 180), 2) } ?? 1
        // Merge reflections sharing a 2θ bin.
        var bins: [Int: Int] = [:]
        var sums: [(intensity: Double, twoTheta: Double, d: Double, members: [Int])] = []
        for i in 0..<reflections.count {
            let theta = asin(min(1, options.wavelength * reflections.g[i] / 2))
            let twoTheta = 2 * theta * 180 / Double.pi
            let c2 = cos(2 * theta), s = sin(theta)
            let lp = (1 + c2 * c2 * cosMono2) / (s * s * cos(theta) * (1 + cosMono2))
            let intensity = 2 * f2[i] * lp
            let key = Int((twoTheta / options.mergeTolerance).rounded())
            if let b = bins[key] {
                sums[b].intensity += intensity
                sums[b].members.append(i)
            } else {
                bins[key] = sums.count
                sums.append((intensity, twoTheta, 1 / reflections.g[i], [i]))
            }
        }
        let maxIntensity = sums.map(\.intensity).max() ?? 0
        guard maxIntensity > 0 else { return SimulatedPattern(wavelength: options.wavelength, peaks: [], options: options) }
        let laue = LaueGroup(operations: structure.operations)
        var peaks: [SimulatedPeak] = []
        for entry in sums {
            let scaled = entry.intensity / maxIntensity * 100
            guard scaled > options.minimumIntensity else { continue }
            let hkls = entry.members.map { reflections.hkl($0) }
            peaks.append(SimulatedPeak(twoTheta: entry.twoTheta, d: entry.d, intensity: scaled, absoluteIntensity: entry.intensity,
                                       hkl: laue.families(of: hkls), multiplicity: 2 * hkls.count))
        }
        peaks.sort { $0.twoTheta < $1.twoTheta }
        return SimulatedPattern(wavelength: options.wavelength, peaks: peaks, options: options)
    }
}
