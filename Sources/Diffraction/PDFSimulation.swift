import Foundation
import XrayCore

/// Parameters of a pair distribution function calculation from a structure (PDFfit2 conventions).
public struct PDFSimulationOptions: Sendable, Hashable {
    /// r grid in Å.
    public var rMin = 0.01, rMax = 20.0, rStep = 0.01
    /// Qmax in Å⁻¹ for termination ripples (0: none).
    public var qMax = 25.0
    /// Q-resolution damping: G is multiplied by exp(−(qdamp·r)²/2).
    public var qDamp = 0.0
    /// U_iso in Å² applied to every site (nil: each site's own U_iso, else 0.005).
    public var uIso: Double?
    public init() {}

    /// Refuses options a simulation cannot use, naming the option; returns the number of r points.
    @discardableResult
    public func validate() throws -> Double {
        let options = self, maxPoints = PDFSimulator.maxPoints
        let rangeText = "\(options.rMin):\(options.rMax)"
        guard options.rMin.isFinite, options.rMax.isFinite, options.rMax > options.rMin, options.rMin >= 0 else {
            throw RoentgenError.badParameter("--range \(rangeText): expected finite 0 ≤ rmin < rmax in Å")
        }
        guard options.rStep.isFinite, options.rStep > 0 else {
            throw RoentgenError.badParameter("--rstep \(options.rStep): expected a finite step > 0 Å")
        }
        if let why = PDFInstrument.qmaxProblem(options.qMax) { throw RoentgenError.badParameter("--qmax \(options.qMax): \(why)") }
        guard options.qDamp.isFinite, options.qDamp >= 0 else {
            throw RoentgenError.badParameter("--qdamp \(options.qDamp): expected a finite damping ≥ 0 Å⁻¹")
        }
        if let u = options.uIso, !(u > 0 && u <= 1) {
            throw RoentgenError.badParameter("--uiso \(u): expected 0 < Uiso ≤ 1 Å² (1 Å² is an rms displacement of 1 Å, beyond any crystal)")
        }
        // The number of points, in Double before any conversion to Int.
        let span = ((options.rMax - options.rMin) / options.rStep + 1e-9).rounded(.down) + 1
        guard span >= 2 else { throw RoentgenError.badParameter("--range \(rangeText) with --rstep \(options.rStep) has fewer than two points") }
        guard span <= Double(maxPoints) else {
            throw RoentgenError.badParameter("--range \(rangeText) with --rstep \(options.rStep) gives \(String(format: "%.3g", span)) r points; at most \(maxPoints) (e.g. 0:1000 at 0.01 Å)")
        }
        return span
    }
}

/// G(r) of a structure exactly as PDFfit2 computes it (`PDFfitCalculator`: X-ray weights Z, every atom of
/// the unit cell with its anisotropic U, Gaussian pair peaks of the mean-square displacement along each
/// pair, damped by exp(−(qdamp r)²/2) and Fourier filtered at Qmax as PDFfit2 filters it), on the grid
/// rMin, rMin + rStep, … ≤ rMax. Sites without displacements get U_iso 0.005 Å²; `uIso` replaces every one.
public enum PDFSimulator {
    /// Most r points of a simulated G(r): 100,000 (e.g. 0…1000 Å at 0.01 Å, or 0…100 Å at 0.001 Å).
    public static let maxPoints = 100_000
    /// Most atom pairs (about) a simulation may sum: 10⁷, a few seconds and about 1.5 GB for the pair
    /// list (≈ 140 bytes a pair). Copper (4 atoms in 47 Å³) reaches it near r = 240 Å, forsterite
    /// (28 atoms in 290 Å³) near 120 Å.
    public static let maxPairs = 1e7

    /// About how many atom pairs (i ≤ j, lattice translations included) of `atoms` atoms in a cell of
    /// `volume` Å³ lie within `reach` Å: N²/(2V)·(4π/3)·reach³.
    public static func estimatedPairs(atoms: Int, volume: Double, reach: Double) -> Double {
        Double(atoms) * Double(atoms) / (2 * volume) * 4 * Double.pi / 3 * reach * reach * reach
    }

    public static func simulate(_ structure: CrystalStructure, options: PDFSimulationOptions = PDFSimulationOptions()) throws -> (r: [Double], g: [Double]) {
        let span = try options.validate()
        let rangeText = "\(options.rMin):\(options.rMax)"
        var phase = PDFPhase(structure: structure)
        guard !phase.atoms.isEmpty else { throw RoentgenError(.badData, "structure '\(structure.name)' has no atoms") }
        // The calculation reaches 6·2π/Qmax beyond rmax (termination margin) and its pairs 2.5 Å more.
        let ripples = options.qMax > 0 ? 6 * 2 * Double.pi / options.qMax : 0
        let volume = structure.cell.volume
        let pairs = estimatedPairs(atoms: phase.atoms.count, volume: volume, reach: options.rMax + ripples + 2.5)
        guard !(pairs > maxPairs) else {  // NaN (a degenerate cell) goes on to the cell check
            // The largest rmax within the limit for this structure.
            let largest = pow(maxPairs / estimatedPairs(atoms: phase.atoms.count, volume: volume, reach: 1), 1.0 / 3) - ripples - 2.5
            throw RoentgenError.badParameter("--range \(rangeText): G(r) of '\(structure.name)' to \(options.rMax) Å sums about \(String(format: "%.2g", pairs)) atom pairs (\(phase.atoms.count) atoms in a \(String(format: "%.1f", volume)) Å³ cell); at most 10⁷ (a pair list of about 1.5 GB; beyond, minutes and gigabytes)"
                + (largest > options.rMin ? ": for this structure rmax ≤ \(String(format: "%.0f", largest.rounded(.down))) Å" : ""))
        }
        let count = Int(span)
        if let u = options.uIso {
            let tensor = structure.cell.isotropicUAniso(u)
            for k in phase.atoms.indices { phase.atoms[k].u = tensor }
        }
        let grid = try PDFGrid(r0: options.rMin, step: options.rStep, count: count, fitMin: options.rMin,
                               fitMax: options.rMin + Double(count - 1) * options.rStep)
        let instrument = PDFInstrument(radiation: .xray, qmax: options.qMax, qdamp: options.qDamp)
        let g = try PDFfitCalculator(grid: grid, qmax: options.qMax).fitPointsG(phases: [phase], instrument: instrument)
        return ((0..<count).map { grid.r($0) }, g)
    }
}
