import Foundation
import XrayCore

/// A detector's sensor material (Si, CdTe, GaAs, …) and its linear attenuation coefficient μ against the photon
/// energy, as pyFAI 2026.9 computes it (`pyFAI.detectors.sensors.SensorMaterial.mu`): the material's table of
/// NIST XCOM total attenuation μ/ρ (cm²/g, `SensorMaterialTable.swift`) interpolated linearly in energy within
/// the block between two absorption edges that holds the energy, times the density.
public struct SensorMaterial: Sendable, Equatable {
    /// pyFAI's name of the material (`Si`, `CdTe`, `BaFBr0.85I0.15`, …).
    public let name: String
    /// Density, g/cm³.
    public let density: Double
    /// (energy keV, μ/ρ cm²/g) per block between edges, energies ascending.
    let blocks: [[(energy: Double, muOverRho: Double)]]

    init(name: String, density: Double, blocks: [[(Double, Double)]]) {
        self.name = name
        self.density = density
        // Energies in keV as pyFAI converts them (MeV × 1e3).
        self.blocks = blocks.map { $0.map { (energy: $0.0 * 1e3, muOverRho: $0.1) } }
    }

    public static func == (a: SensorMaterial, b: SensorMaterial) -> Bool { a.name == b.name && a.density == b.density }

    /// The material called `name` (pyFAI's spelling, case-sensitive as pyFAI's), nil if unknown.
    public static func named(_ name: String) -> SensorMaterial? { all.first { $0.name == name } }

    /// The energies (keV) the tables cover: from the first block's first energy to below the last one's last.
    public var energyRange: ClosedRange<Double> { blocks.first!.first!.energy...blocks.last!.last!.energy }

    /// The linear attenuation coefficient μ (1/m) at `energy` keV. Between two edges the block that holds the energy
    /// is used (an energy on an edge takes the value above it); energies outside the tables are refused (pyFAI raises).
    public func mu(energy: Double) throws -> Double {
        guard let block = blocks.first(where: { energy >= $0.first!.energy && energy < $0.last!.energy }) else {
            throw RoentgenError.badParameter(String(format: "the sensor material %@ is tabulated from %.4g to %.6g keV; %.6g keV is outside", name, energyRange.lowerBound, energyRange.upperBound, energy))
        }
        return NumpyInterpolation.value(at: energy, xs: block.map(\.energy), ys: block.map(\.muOverRho)) * density * 100
    }
}
