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
}

/// G(r) of a structure exactly as PDFfit2 computes it (`PDFfitCalculator`: X-ray weights Z, every atom of
/// the unit cell with its anisotropic U, Gaussian pair peaks of the mean-square displacement along each
/// pair, damped by exp(−(qdamp r)²/2) and Fourier filtered at Qmax as PDFfit2 filters it), on the grid
/// rMin, rMin + rStep, … ≤ rMax. Sites without displacements get U_iso 0.005 Å²; `uIso` replaces every one.
public enum PDFSimulator {
    public static func simulate(_ structure: CrystalStructure, options: PDFSimulationOptions = PDFSimulationOptions()) throws -> (r: [Double], g: [Double]) {
        guard options.rStep > 0, options.rMax > options.rMin, options.rMin >= 0 else {
            throw RoentgenError.badParameter("r grid \(options.rMin):\(options.rMax) step \(options.rStep) is not valid (expected 0 ≤ rmin < rmax, step > 0)")
        }
        guard options.qMax >= 0, options.qDamp >= 0 else { throw RoentgenError.badParameter("qmax and qdamp must be non-negative") }
        if let u = options.uIso, !(u > 0) { throw RoentgenError.badParameter("uiso must be positive (got \(u) Å²)") }
        var phase = PDFPhase(structure: structure)
        guard !phase.atoms.isEmpty else { throw RoentgenError(.badData, "structure '\(structure.name)' has no atoms") }
        if let u = options.uIso {
            let tensor = structure.cell.isotropicUAniso(u)
            for k in phase.atoms.indices { phase.atoms[k].u = tensor }
        }
        let count = Int(((options.rMax - options.rMin) / options.rStep + 1e-9).rounded(.down)) + 1
        guard count >= 2 else { throw RoentgenError.badParameter("r grid \(options.rMin):\(options.rMax) step \(options.rStep) has fewer than two points") }
        let grid = try PDFGrid(r0: options.rMin, step: options.rStep, count: count, fitMin: options.rMin,
                               fitMax: options.rMin + Double(count - 1) * options.rStep)
        let instrument = PDFInstrument(radiation: .xray, qmax: options.qMax, qdamp: options.qDamp)
        let g = try PDFfitCalculator(grid: grid, qmax: options.qMax).fitPointsG(phases: [phase], instrument: instrument)
        return ((0..<count).map { grid.r($0) }, g)
    }
}
