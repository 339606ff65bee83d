import Foundation
import XrayCore

/// One crystalline phase of a Rietveld model: its structure (cell, symmetry, sites) and the options
/// the refinement file gives it.
public struct RietveldPhase: Sendable {
    /// Phase name (the CIF's data block name unless the refinement file names the phase).
    public var name: String
    /// Starting structure; every symmetry operation (centring included) must be in `operations`.
    public var structure: CrystalStructure
    /// March–Dollase axis as a reciprocal-lattice direction (h, k, l), nil for no preferred orientation.
    public var preferredOrientationAxis: SIMD3<Int>?
    /// Anomalous f′, f″ per element symbol (electrons); elements not listed take the Chantler values at λ1.
    public var anomalous: [String: AnomalousScatteringFactor]
    /// Labels of the sites refined with anisotropic displacements (U11 … U23, constrained by their site
    /// symmetry); the others keep U_iso.
    public var anisotropicSites: Set<String>

    public init(name: String? = nil, structure: CrystalStructure, preferredOrientationAxis: SIMD3<Int>? = nil,
                anomalous: [String: AnomalousScatteringFactor] = [:], anisotropicSites: Set<String> = []) {
        self.name = name ?? structure.name
        self.structure = structure
        self.preferredOrientationAxis = preferredOrientationAxis
        self.anomalous = anomalous
        self.anisotropicSites = anisotropicSites
    }

    /// The identifier that prefixes this phase's parameter names (`PbSO4_a`, `PbSO4_O3_x`):
    /// the name with every character that is not a letter, digit or `_` replaced by `_`.
    public var key: String { Self.identifier(name) }

    /// `text` made into an expression identifier (letters, digits, `_`; not starting with a digit).
    public static func identifier(_ text: String) -> String {
        var s = String(text.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
        if s.isEmpty || s.first!.isNumber { s = "p" + s }
        return s
    }

    /// Mass of the unit-cell contents in atomic mass units (Σ occupancy × atomic weight over every
    /// atom of the cell), the Z·M of the Hill–Howard weight fractions.
    public func cellMass(occupancies: [Double]? = nil) -> Double {
        var mass = 0.0
        for (i, site) in structure.sites.enumerated() {
            let single = CrystalStructure(name: "", cell: structure.cell, operations: structure.operations, sites: [site])
            let count = Double(single.unitCellAtoms().count)
            mass += count * (occupancies?[i] ?? site.occupancy) * site.element.molarMass
        }
        return mass
    }
}
