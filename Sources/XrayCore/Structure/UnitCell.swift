import Foundation

/// A crystal lattice: cell edges in Å and angles in degrees.
///
/// Provides the metric tensors used to turn fractional coordinates and Miller indices into
/// distances: `dSpacing(h,k,l)` in Å and Cartesian coordinates in Å.
public struct UnitCell: Sendable, Hashable, Codable {
    /// Edge lengths a, b, c in Å.
    public var a: Double, b: Double, c: Double
    /// Angles α, β, γ in degrees.
    public var alpha: Double, beta: Double, gamma: Double

    public init(a: Double, b: Double, c: Double, alpha: Double, beta: Double, gamma: Double) {
        self.a = a; self.b = b; self.c = c
        self.alpha = alpha; self.beta = beta; self.gamma = gamma
    }

    private static let degree = Double.pi / 180

    /// Cell volume in Å³ (zero or NaN for a degenerate cell).
    public var volume: Double {
        let ca = cos(alpha * Self.degree), cb = cos(beta * Self.degree), cg = cos(gamma * Self.degree)
        let radicand = 1 - ca * ca - cb * cb - cg * cg + 2 * ca * cb * cg
        return a * b * c * (radicand > 0 ? radicand.squareRoot() : .nan)
    }

    /// Whether the edges are positive and the angles make a real cell.
    public var isValid: Bool {
        a > 0 && b > 0 && c > 0 && alpha > 0 && beta > 0 && gamma > 0
            && alpha < 180 && beta < 180 && gamma < 180 && volume.isFinite && volume > 0
    }

    /// Direct metric tensor G (row-major 3×3), G_ij = a_i · a_j in Å².
    public var metric: [Double] {
        let ca = cos(alpha * Self.degree), cb = cos(beta * Self.degree), cg = cos(gamma * Self.degree)
        return [a * a, a * b * cg, a * c * cb,
                a * b * cg, b * b, b * c * ca,
                a * c * cb, b * c * ca, c * c]
    }

    /// Reciprocal metric tensor G* = G⁻¹ (row-major 3×3) in Å⁻², so 1/d² = hᵀ G* h.
    public var reciprocalMetric: [Double] {
        let g = metric
        let det = g[0] * (g[4] * g[8] - g[5] * g[7]) - g[1] * (g[3] * g[8] - g[5] * g[6]) + g[2] * (g[3] * g[7] - g[4] * g[6])
        return [(g[4] * g[8] - g[5] * g[7]) / det, (g[2] * g[7] - g[1] * g[8]) / det, (g[1] * g[5] - g[2] * g[4]) / det,
                (g[5] * g[6] - g[3] * g[8]) / det, (g[0] * g[8] - g[2] * g[6]) / det, (g[2] * g[3] - g[0] * g[5]) / det,
                (g[3] * g[7] - g[4] * g[6]) / det, (g[1] * g[6] - g[0] * g[7]) / det, (g[0] * g[4] - g[1] * g[3]) / det]
    }

    /// Reciprocal cell lengths a*, b*, c* in Å⁻¹ (without the 2π factor).
    public var reciprocalLengths: (Double, Double, Double) {
        let r = reciprocalMetric
        return (r[0].squareRoot(), r[4].squareRoot(), r[8].squareRoot())
    }

    /// Interplanar spacing d(hkl) in Å.
    public func dSpacing(_ h: Int, _ k: Int, _ l: Int) -> Double {
        let r = reciprocalMetric
        let x = Double(h), y = Double(k), z = Double(l)
        let s2 = r[0] * x * x + r[4] * y * y + r[8] * z * z + 2 * (r[1] * x * y + r[2] * x * z + r[5] * y * z)
        return 1 / s2.squareRoot()
    }

    /// Rows are the Cartesian lattice vectors a, b, c in Å (a along x, b in the xy plane).
    public var cartesianBasis: [[Double]] {
        let ca = cos(alpha * Self.degree), cb = cos(beta * Self.degree)
        let cg = cos(gamma * Self.degree), sg = sin(gamma * Self.degree)
        let cx = c * cb
        let cy = c * (ca - cb * cg) / sg
        let cz2 = c * c - cx * cx - cy * cy
        return [[a, 0, 0], [b * cg, b * sg, 0], [cx, cy, cz2 > 0 ? cz2.squareRoot() : 0]]
    }

    /// Cartesian position (Å) of a fractional coordinate triple.
    public func cartesian(_ f: SIMD3<Double>) -> SIMD3<Double> {
        let m = cartesianBasis
        return SIMD3(f.x * m[0][0] + f.y * m[1][0] + f.z * m[2][0],
                     f.x * m[0][1] + f.y * m[1][1] + f.z * m[2][1],
                     f.x * m[0][2] + f.y * m[1][2] + f.z * m[2][2])
    }
}
