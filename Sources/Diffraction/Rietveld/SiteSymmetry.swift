import Foundation
import XrayCore

/// The constraints a special position puts on an atom's coordinates, derived from the space-group
/// operators: the site-symmetry group is every operation (R, t) that maps the site onto itself
/// modulo lattice translations, and an allowed shift Δx must satisfy (R − I)·Δx = 0 for each of them.
/// The null space of the stacked (R − I), in reduced row-echelon form, says which coordinates are
/// free and how the others follow (x, x, z → y = x; x, 1/4, z → y fixed; x, 2x, z → y = 2x).
public struct SiteSymmetry: Sendable, Equatable {
    /// For each coordinate 0…2: nil when free, or the dependence xᵢ = constant + Σⱼ coefficient·xⱼ on free coordinates.
    public var dependence: [(constant: Double, terms: [(index: Int, coefficient: Double)])?]

    public static func == (l: SiteSymmetry, r: SiteSymmetry) -> Bool {
        zip(l.dependence, r.dependence).allSatisfy { a, b in
            switch (a, b) {
            case (nil, nil): return true
            case let (x?, y?):
                return abs(x.constant - y.constant) < 1e-9 && x.terms.count == y.terms.count
                    && zip(x.terms, y.terms).allSatisfy { $0.index == $1.index && abs($0.coefficient - $1.coefficient) < 1e-9 }
            default: return false
            }
        }
    }

    /// Which coordinates are free (refinable on their own).
    public var free: [Bool] { dependence.map { $0 == nil } }

    /// The site symmetry of position `x` under `operations` (tolerance in fractional units).
    public init(position x: SIMD3<Double>, operations: [SymmetryOperation], tolerance: Double = 1e-3) {
        var rows: [[Double]] = []
        for op in operations {
            let y = op.apply(x)
            var d = y - x
            for i in 0..<3 { d[i] -= d[i].rounded() }
            guard abs(d.x) < tolerance, abs(d.y) < tolerance, abs(d.z) < tolerance else { continue }
            let r = op.rotation
            for i in 0..<3 {
                let row = (0..<3).map { Double(r[i * 3 + $0]) - ($0 == i ? 1 : 0) }
                if row.contains(where: { $0 != 0 }) { rows.append(row) }
            }
        }
        // Reduced row-echelon form of the stacked (R − I), pivoting on z, then y, then x, so that the
        // earlier coordinates stay free (x, x, x → x free, y = x, z = x, as International Tables writes it).
        let (m, pivots) = reducedRowEchelon(rows, pivotingOn: [2, 1, 0])
        var dependence: [(constant: Double, terms: [(index: Int, coefficient: Double)])?] = [nil, nil, nil]
        let pivotColumns = Set(pivots.map(\.column))
        for (row, column) in pivots {
            // x_c + Σ_free m[row][f]·x_f = const, with const fixed by the current position.
            var terms: [(index: Int, coefficient: Double)] = []
            var constant = x[column]
            for f in 0..<3 where !pivotColumns.contains(f) && abs(m[row][f]) > 1e-9 {
                terms.append((f, -m[row][f]))
                constant += m[row][f] * x[f]
            }
            dependence[column] = (constant, terms)
        }
        self.dependence = dependence
    }
}
