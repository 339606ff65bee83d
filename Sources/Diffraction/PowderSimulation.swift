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
    /// Add the anomalous terms f′(E) + i f″(E) (Chantler) at E = hc/λ to every atom's f0(s).
    public var anomalous = false
    /// With `debyeWaller`, use a site's anisotropic U (rotated to each symmetry image) where the CIF
    /// gives one; false uses U_iso (or U_eq) everywhere.
    public var anisotropicDisplacement = true

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
    /// One representative (h, k, l) per symmetry family in this peak: the family's lexicographically
    /// largest member. (A `SIMD3` rather than an `[Int]`: no allocation per family, and the same
    /// `Codable` form, [h, k, l].)
    public var hkl: [SIMD3<Int>]
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
    /// Things noticed while simulating (e.g. a site whose anisotropic U is not positive definite).
    public var warnings: [String] = []
}

/// Powder pattern simulation from a crystal structure (kinematic theory):
/// I(hkl) = |F(hkl)|² · LP(θ), F = Σⱼ occⱼ (f0ⱼ(s) [+ f′ⱼ + i f″ⱼ]) Tⱼ(h) exp(2πi h·rⱼ) with
/// Tⱼ = exp(−2π² hᵀ Cⱼ h) (Cⱼ the fractional displacement covariance, = U G* when isotropic: exp(−B s²)),
/// summed over Friedel pairs and merged by 2θ, LP = (1 + cos²2θ cos²2θₘ) / (sin²θ cos θ (1 + cos²2θₘ)).
/// |F|² is computed once per symmetry family (`PowderFamilies`: one entry per Laue orbit, multiplicity from
/// the orbit), at the member that comes first in |g| order; see docs/matching.md.
public enum PowderSimulator {
    /// Simulates the stick pattern of `structure`.
    public static func simulate(_ structure: CrystalStructure, options: SimulationOptions = SimulationOptions()) throws -> SimulatedPattern {
        try options.validate()
        let model: ScatteringModel
        if options.debyeWaller && options.anisotropicDisplacement {
            let atoms = structure.unitCellAtomsRotatingDisplacements()
            guard !atoms.isEmpty else { throw RoentgenError(.badData, "structure '\(structure.name)' has no atoms") }
            model = try ScatteringModel(atoms: atoms, cell: structure.cell, options: options)
        } else {
            // Every image of a site scatters as the site: no copies of the sites.
            let images = structure.unitCellImages()
            guard !images.isEmpty else { throw RoentgenError(.badData, "structure '\(structure.name)' has no atoms") }
            model = try ScatteringModel(sites: structure.sites, images: images, cell: structure.cell, options: options)
        }
        let warnings = model.nonPositiveDefinite.map {
            "site \($0): anisotropic U is not positive definite (check the CIF's U_ij order); U_iso used"
        }
        // Reciprocal-lattice points inside the limiting sphere ≈ (4/3)π g³ V: refuse absurd requests instead of hanging.
        let gMax = 2 * sin(options.twoThetaRange.upperBound * Double.pi / 360) / options.wavelength
        let expected = 4 / 3 * Double.pi * pow(gMax, 3) * structure.cell.volume
        guard expected.isFinite, expected < 2e7 else {
            throw RoentgenError.badParameter("about \(String(format: "%.3g", expected)) reflections for a \(String(format: "%.4g", structure.cell.volume)) Å³ cell at λ = \(options.wavelength) Å (limit 2e7): use a longer wavelength or a smaller 2θ range")
        }
        let laue = LaueGroup(operations: structure.operations)
        // One entry per symmetry family (|F|² is the same for all its members), in |g| order.
        let list = PowderFamilies(cell: structure.cell, wavelength: options.wavelength,
                                  twoThetaRange: options.twoThetaRange, laue: laue)
        let families = list.families
        guard !families.isEmpty else {
            return SimulatedPattern(wavelength: options.wavelength, peaks: [], options: options, warnings: warnings)
        }
        let tables = model.phases(bounds: list.bounds)
        var f = [Double](repeating: 0, count: model.factors.count)
        let cosMono2 = options.monochromatorTwoTheta.map { pow(cos($0 * Double.pi / 180), 2) } ?? 1
        // Lines: families whose 2θ agree to `mergeTolerance` (the same bins as merging every reflection).
        var lines: [(intensity: Double, twoTheta: Double, d: Double, families: Range<Int>, count: Int)] = []
        var start = 0
        while start < families.count {
            let g = families[start].g
            let theta = asin(min(1, options.wavelength * g / 2))
            let twoTheta = 2 * theta * 180 / Double.pi
            let key = (twoTheta / options.mergeTolerance).rounded()
            var end = start + 1
            while end < families.count {
                let t = 360 / Double.pi * asin(min(1, options.wavelength * families[end].g / 2))
                if (t / options.mergeTolerance).rounded() != key { break }
                end += 1
            }
            // Families extinguished by a centring add nothing (F = 0 exactly); f0(s) only when some family is not.
            var sum = 0.0, count = 0, needFactors = true
            for family in families[start..<end] {
                count += family.count
                guard !laue.isCentringExtinct(family.representative) else { continue }
                if needFactors { model.formFactors(s2: g * g / 4, into: &f); needFactors = false }
                sum += Double(family.count) * model.structureFactorSquared(family.representative, formFactors: f, tables: tables)
            }
            let c2 = cos(2 * theta), s = sin(theta)
            let lp = (1 + c2 * c2 * cosMono2) / (s * s * cos(theta) * (1 + cosMono2))
            lines.append((2 * sum * lp, twoTheta, 1 / g, start..<end, count))
            start = end
        }
        let maxIntensity = lines.map(\.intensity).max() ?? 0
        guard maxIntensity > 0 else { return SimulatedPattern(wavelength: options.wavelength, peaks: [], options: options, warnings: warnings) }
        var peaks: [SimulatedPeak] = []
        for line in lines {
            let scaled = line.intensity / maxIntensity * 100
            guard scaled > options.minimumIntensity else { continue }
            let labels = families[line.families].map { SIMD3<Int>(truncatingIfNeeded: $0.label) }
            peaks.append(SimulatedPeak(twoTheta: line.twoTheta, d: line.d, intensity: scaled, absoluteIntensity: line.intensity,
                                       hkl: labels, multiplicity: 2 * line.count))
        }
        peaks.sort { $0.twoTheta < $1.twoTheta }
        return SimulatedPattern(wavelength: options.wavelength, peaks: peaks, options: options, warnings: warnings)
    }
}
