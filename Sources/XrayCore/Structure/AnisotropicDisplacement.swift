import Foundation

/// Anisotropic displacement tensors in the CIF convention U_ij (Å², [U11, U22, U33, U12, U13, U23]),
/// where the mean-square displacement along fractional axes is ⟨Δx_i Δx_j⟩ = a*_i a*_j U_ij and the
/// Debye–Waller factor of reflection h is exp(−2π² Σ h_i h_j a*_i a*_j U_ij)
/// (Trueblood et al., Acta Cryst. A52 (1996) 770).
extension UnitCell {
    /// The fractional covariance C (row-major 3×3, dimensionless) of a CIF tensor `u`: C_ij = a*_i a*_j U_ij.
    public func fractionalCovariance(uAniso u: [Double]) -> [Double] {
        let (ra, rb, rc) = reciprocalLengths
        let r = [ra, rb, rc]
        let m = [[u[0], u[3], u[4]], [u[3], u[1], u[5]], [u[4], u[5], u[2]]]
        var c = [Double](repeating: 0, count: 9)
        for i in 0..<3 { for j in 0..<3 { c[i * 3 + j] = r[i] * r[j] * m[i][j] } }
        return c
    }

    /// The CIF tensor [U11, U22, U33, U12, U13, U23] of a fractional covariance `c` (row-major 3×3).
    public func uAniso(fractionalCovariance c: [Double]) -> [Double] {
        let (ra, rb, rc) = reciprocalLengths
        let r = [ra, rb, rc]
        func u(_ i: Int, _ j: Int) -> Double { c[i * 3 + j] / (r[i] * r[j]) }
        return [u(0, 0), u(1, 1), u(2, 2), u(0, 1), u(0, 2), u(1, 2)]
    }

    /// The equivalent isotropic U_eq = ⅓ Σ_ij C_ij G_ij in Å² (Fischer & Tillmanns, Acta Cryst. C44 (1988) 775),
    /// which is not (U11 + U22 + U33)/3 in a non-orthogonal cell.
    public func equivalentIsotropicU(uAniso u: [Double]) -> Double {
        let c = fractionalCovariance(uAniso: u), g = metric
        var sum = 0.0
        for i in 0..<9 { sum += c[i] * g[i] }
        return sum / 3
    }

    /// The CIF tensor of an isotropic displacement `uIso` Å² in this cell (C = U_iso G*).
    public func isotropicUAniso(_ uIso: Double) -> [Double] {
        uAniso(fractionalCovariance: reciprocalMetric.map { $0 * uIso })
    }
}

extension SymmetryOperation {
    /// The fractional covariance seen at the image of an atom under this operation: C' = R C Rᵀ.
    public func rotate(fractionalCovariance c: [Double]) -> [Double] {
        let r = rotation.map(Double.init)
        var rc = [Double](repeating: 0, count: 9), out = rc
        for i in 0..<3 { for j in 0..<3 { for k in 0..<3 { rc[i * 3 + j] += r[i * 3 + k] * c[k * 3 + j] } } }
        for i in 0..<3 { for j in 0..<3 { for k in 0..<3 { out[i * 3 + j] += rc[i * 3 + k] * r[j * 3 + k] } } }
        return out
    }
}

extension AtomSite {
    /// Whether a tensor [U11, U22, U33, U12, U13, U23] is positive definite (all leading minors > 0),
    /// i.e. describes a real displacement ellipsoid.
    public static func isPositiveDefinite(uAniso u: [Double]) -> Bool {
        guard u.count == 6, u.allSatisfy(\.isFinite) else { return false }
        let m1 = u[0]
        let m2 = u[0] * u[1] - u[3] * u[3]
        let m3 = u[0] * (u[1] * u[2] - u[5] * u[5]) - u[3] * (u[3] * u[2] - u[5] * u[4]) + u[4] * (u[3] * u[5] - u[1] * u[4])
        return m1 > 0 && m2 > 0 && m3 > 0
    }
}

extension CrystalStructure {
    /// `unitCellAtoms` with each atom's anisotropic U transformed to its position: the mean of R C Rᵀ over
    /// every operation that maps the asymmetric-unit site onto that image (one operation for a general
    /// position; averaging enforces the site symmetry that rounded CIF values only nearly obey).
    public func unitCellAtomsRotatingDisplacements(tolerance: Double = 1e-3) -> [AtomSite] {
        unitCellAtomsWithOperations(tolerance: tolerance).map { pair in
            var atom = pair.atom
            guard let u = atom.uAniso, u.count == 6,
                  let site = sites.first(where: { $0.label == atom.label && $0.uAniso == u }) else { return atom }
            let c = cell.fractionalCovariance(uAniso: u)
            var sum = [Double](repeating: 0, count: 9), count = 0
            for op in operations where Self.samePosition(op.apply(site.fract), atom.fract, tolerance: tolerance) {
                let rotated = op.rotate(fractionalCovariance: c)
                for i in 0..<9 { sum[i] += rotated[i] }
                count += 1
            }
            let mean = count > 0 ? sum.map { $0 / Double(count) } : pair.operation.rotate(fractionalCovariance: c)
            atom.uAniso = cell.uAniso(fractionalCovariance: mean)
            return atom
        }
    }

    /// Whether two fractional positions coincide modulo lattice translations, per axis within `tolerance`.
    static func samePosition(_ p: SIMD3<Double>, _ q: SIMD3<Double>, tolerance: Double) -> Bool {
        for i in 0..<3 {
            var d = abs(p[i] - q[i])
            d -= d.rounded(.down)
            if min(d, 1 - d) > tolerance { return false }
        }
        return true
    }
}
