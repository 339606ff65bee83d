import Foundation
import XrayCore

/// The constraints a site's symmetry puts on its anisotropic displacement tensor, derived from the
/// space-group operators: every operation (R, t) of the site-symmetry group must leave the fractional
/// covariance C (C_ij = a*_i a*_j U_ij) unchanged, R C Rᵀ = C (Trueblood et al., Acta Cryst. A52 (1996)
/// 770; the tables of Peterse & Palm, Acta Cryst. 20 (1966) 147, follow from it). The null space of
/// the stacked (R ⊗ R − I) on the six components, in reduced row-echelon form pivoting on U23, U13,
/// U12, U33, U22, U11 in that order (so U11 stays free, as the tables write it), says which components
/// are free and how the others follow (U22 = U11, U12 = U22/2, U13 = 0, …).
public struct DisplacementSymmetry: Sendable {
    /// Component order: U11, U22, U33, U12, U13, U23.
    public static let names = ["u11", "u22", "u33", "u12", "u13", "u23"]
    /// For each component: nil when free, or U_p = Σ coefficient·U_q over free components q.
    public var dependence: [[(index: Int, coefficient: Double)]?]

    /// Which components are free.
    public var free: [Bool] { dependence.map { $0 == nil } }

    /// The constraints at position `x` under `operations` in `cell` (tolerance in fractional units).
    public init(position x: SIMD3<Double>, operations: [SymmetryOperation], cell: UnitCell, tolerance: Double = 1e-3) {
        let pairs = [(0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2)]
        var rows: [[Double]] = []
        for op in operations {
            var d = op.apply(x) - x
            for i in 0..<3 { d[i] -= d[i].rounded() }
            guard abs(d.x) < tolerance, abs(d.y) < tolerance, abs(d.z) < tolerance else { continue }
            let r = op.rotation.map(Double.init)
            // (R C Rᵀ)_ij = Σ_kl R_ik R_jl C_kl, C symmetric: the coefficient of component (k, l).
            for (p, (i, j)) in pairs.enumerated() {
                var row = [Double](repeating: 0, count: 6)
                for (q, (k, l)) in pairs.enumerated() {
                    row[q] = r[i * 3 + k] * r[j * 3 + l] + (k != l ? r[i * 3 + l] * r[j * 3 + k] : 0)
                }
                row[p] -= 1
                if row.contains(where: { abs($0) > 1e-12 }) { rows.append(row) }
            }
        }
        let (m, pivots) = reducedRowEchelon(rows, pivotingOn: [5, 4, 3, 2, 1, 0])
        // C_p = Σ_q k_q C_q becomes U_p = Σ_q k_q (s_q / s_p) U_q with s = (a*², b*², c*², a*b*, a*c*, b*c*).
        let (ra, rb, rc) = cell.reciprocalLengths
        let s = [ra * ra, rb * rb, rc * rc, ra * rb, ra * rc, rb * rc]
        var dependence: [[(index: Int, coefficient: Double)]?] = Array(repeating: nil, count: 6)
        let pivotColumns = Set(pivots.map(\.column))
        for (row, column) in pivots {
            var terms: [(index: Int, coefficient: Double)] = []
            for q in 0..<6 where !pivotColumns.contains(q) && abs(m[row][q]) > 1e-9 {
                terms.append((q, -m[row][q] * s[q] / s[column]))
            }
            dependence[column] = terms
        }
        self.dependence = dependence
    }
}
