import Foundation
import XrayCore

/// Radiation of a PDF data set: it sets the atoms' scattering weights (PDFfit2's `stype`).
public enum PDFRadiation: String, Sendable, Codable, Hashable {
    /// X-rays: weights ∝ the atomic number Z (PDFfit2's X-ray scattering factor at Q = 0).
    case xray = "X"
    /// Neutrons: weights ∝ the bound coherent scattering length b_c.
    case neutron = "N"

    /// The scattering power of `element` for this radiation (Z, or b_c in fm).
    public func scatteringFactor(_ element: Element) throws -> Double {
        switch self {
        case .xray: return Double(element.atomicNumber)
        case .neutron:
            guard let b = NeutronScatteringLength.coherent(element.atomicNumber) else {
                throw RoentgenError.badParameter("no neutron scattering length is tabulated for \(element.symbol)")
            }
            return b
        }
    }
}

/// One atom of a PDF phase, in P1 (PDFfit2 refines every atom of the cell separately).
public struct PDFAtom: Sendable, Hashable, Codable {
    public var element: Element
    /// Fractional coordinates.
    public var fract: SIMD3<Double>
    public var occupancy: Double
    /// Anisotropic displacement [U11, U22, U33, U12, U13, U23] in Å², CIF convention U^ij.
    public var u: [Double]

    public init(element: Element, fract: SIMD3<Double>, occupancy: Double = 1, u: [Double]) {
        self.element = element
        self.fract = fract
        self.occupancy = occupancy
        self.u = u
    }

    /// An isotropic atom: U^ij of U_iso in `cell` (U11 = U22 = U33 = U_iso in an orthogonal cell).
    public init(element: Element, fract: SIMD3<Double>, occupancy: Double = 1, uIso: Double, cell: UnitCell) {
        self.init(element: element, fract: fract, occupancy: occupancy, u: cell.isotropicUAniso(uIso))
    }
}

/// One structural phase of a PDFfit2 model: cell, atoms and the phase's PDF settings.
public struct PDFPhase: Sendable, Hashable, Codable {
    public var name: String
    public var cell: UnitCell
    public var atoms: [PDFAtom]
    /// Phase scale `pscale`.
    public var scale = 1.0
    /// Correlated-motion sharpening: σ = σ′·√(1 − delta2/r² − delta1/r + qbroad²r²) (delta2 in Å², delta1 in Å).
    public var delta1 = 0.0, delta2 = 0.0
    /// Peak widths of pairs closer than `rcut` (Å) are multiplied by `sratio`.
    public var sratio = 1.0, rcut = 0.0
    /// Diameter (Å) of the spherical-particle envelope; 0 for none.
    public var spdiameter = 0.0
    /// Step cutoff (Å) of G; 0 for none.
    public var stepcut = 0.0

    public init(name: String, cell: UnitCell, atoms: [PDFAtom]) {
        self.name = name
        self.cell = cell
        self.atoms = atoms
    }

    /// A phase of every atom of `structure`'s unit cell (symmetry applied, anisotropic U rotated;
    /// isotropic sites get U^ij of their U_iso, `defaultUIso` where the file gives none).
    public init(structure: CrystalStructure, defaultUIso: Double = 0.005) {
        let cell = structure.cell
        let atoms = structure.unitCellAtomsRotatingDisplacements().map { site -> PDFAtom in
            if let u = site.uAniso, u.count == 6 {
                return PDFAtom(element: site.element, fract: site.fract, occupancy: site.occupancy, u: u)
            }
            return PDFAtom(element: site.element, fract: site.fract, occupancy: site.occupancy, uIso: site.uIso ?? defaultUIso, cell: cell)
        }
        self.init(name: structure.name, cell: cell, atoms: atoms)
    }
}

/// The experimental settings of one PDF data set (PDFfit2's data-set variables).
public struct PDFInstrument: Sendable, Hashable, Codable {
    public var radiation: PDFRadiation
    /// Qmax (Å⁻¹) of the transform: the model is convolved with its termination; 0 for none.
    public var qmax: Double
    /// Q-resolution damping: G·exp(−(qdamp·r)²/2), Å⁻¹.
    public var qdamp = 0.0
    /// Q-resolution broadening of the peak widths, Å⁻¹.
    public var qbroad = 0.0
    /// Data-set scale `dscale`.
    public var scale = 1.0

    public init(radiation: PDFRadiation, qmax: Double, qdamp: Double = 0, qbroad: Double = 0, scale: Double = 1) {
        self.radiation = radiation
        self.qmax = qmax
        self.qdamp = qdamp
        self.qbroad = qbroad
        self.scale = scale
    }

    /// The smallest non-zero Qmax accepted, Å⁻¹. The model is computed 6·2π/Qmax beyond the fit range
    /// (PDFfit2's termination margin): 38 Å more at 1 Å⁻¹, and without bound as Qmax → 0. Measured PDFs
    /// have Qmax well above it (lab Cu Kα reaches 8 Å⁻¹).
    public static let smallestQmax = 1.0

    /// Why `qmax` cannot be the Qmax of a PDF model, or nil: it must be 0 (no termination) or a finite
    /// value ≥ `smallestQmax`. Above the r grid's Nyquist limit π/Δr the filter leaves G as it is.
    public static func qmaxProblem(_ qmax: Double) -> String? {
        if qmax == 0 || (qmax.isFinite && qmax >= smallestQmax) { return nil }
        return "expected 0 (no termination ripples) or a finite Qmax ≥ \(smallestQmax) Å⁻¹"
    }
}

/// The r grid of a PDFfit2 calculation: the data's grid (first r, step, number of points) and the
/// fit range within it. Points `fitIndices` = nint((rmin − r₀)/Δr) … nint((rmax − r₀)/Δr), as PDFfit2 counts.
public struct PDFGrid: Sendable, Hashable, Codable {
    /// First r of the data (Å), the step (Å) and the number of data points.
    public var r0: Double, step: Double, count: Int
    /// Fit range (Å).
    public var fitMin: Double, fitMax: Double

    public init(r0: Double, step: Double, count: Int, fitMin: Double, fitMax: Double) throws {
        guard step > 0, count >= 2, r0 >= 0 else {
            throw RoentgenError.badParameter("the r grid needs at least two points, r₀ ≥ 0 and a positive step (got r₀ \(r0), step \(step), \(count) points)")
        }
        let last = r0 + Double(count - 1) * step
        guard fitMin < fitMax, fitMin >= r0 - 1e-9, fitMax <= last + 1e-9 else {
            throw RoentgenError.badParameter("fit range \(fitMin)…\(fitMax) Å is outside the data (r = \(r0)…\(last) Å) or empty")
        }
        self.r0 = r0; self.step = step; self.count = count
        self.fitMin = fitMin; self.fitMax = fitMax
    }

    /// The grid of an r array (equally spaced) with a fit range (default: all of it).
    public init(r: [Double], fitMin: Double? = nil, fitMax: Double? = nil) throws {
        guard r.count >= 2, let first = r.first, let last = r.last, last > first else {
            throw RoentgenError.badParameter("the r axis needs at least two increasing values")
        }
        let step = (last - first) / Double(r.count - 1)
        for k in 1..<r.count where abs(r[k] - r[k - 1] - step) > 1e-6 * max(step, 1) + 1e-9 {
            throw RoentgenError.badParameter("r is not equally spaced near r = \(r[k]) Å (PDFfit2 needs a regular grid)")
        }
        try self.init(r0: first, step: step, count: r.count, fitMin: fitMin ?? first, fitMax: fitMax ?? last)
    }

    /// PDFfit2's nint: the nearest integer, halves away from zero.
    static func nint(_ x: Double) -> Int { Int(x.rounded(.toNearestOrAwayFromZero)) }

    /// Indices of the fit points in the data.
    public var fitIndices: ClosedRange<Int> { Self.nint((fitMin - r0) / step)...Self.nint((fitMax - r0) / step) }

    /// r (Å) of data point `i`.
    public func r(_ i: Int) -> Double { r0 + Double(i) * step }
}
