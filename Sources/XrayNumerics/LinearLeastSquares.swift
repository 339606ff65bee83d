import Foundation

/// The solution of a dense linear least-squares problem min ‖A·x − b‖₂.
public struct LinearLeastSquaresSolution: Sendable {
    /// The minimiser x (one value per column of A).
    public var coefficients: [Double]
    /// Σ (A·x − b)².
    public var residualSumOfSquares: Double
    /// (AᵀA)⁻¹, unscaled; multiply by the reduced χ² for parameter covariances. Nil if A is rank deficient.
    public var inverseNormalMatrix: [[Double]]?
}

/// Solves min ‖A·x − b‖₂ by Householder QR with column norms checked for rank deficiency.
///
/// `columns[j]` is column j of A (all `b.count` long). Returns nil when there are fewer rows than
/// columns or A is numerically rank deficient (a column dependent on the others to 1e-12 relative).
public func solveLinearLeastSquares(columns: [[Double]], b: [Double]) -> LinearLeastSquaresSolution? {
    let m = b.count, n = columns.count
    guard n >= 1, m >= n, columns.allSatisfy({ $0.count == m }) else { return nil }
    // Column-major working copy.
    var a = [Double](repeating: 0, count: m * n)
    for j in 0..<n { for i in 0..<m { a[j * m + i] = columns[j][i] } }
    var rhs = b
    var rdiag = [Double](repeating: 0, count: n)
    let colNorms = columns.map { c in c.reduce(0) { $0 + $1 * $1 }.squareRoot() }
    for k in 0..<n {
        var norm = 0.0
        for i in k..<m { norm += a[k * m + i] * a[k * m + i] }
        norm = norm.squareRoot()
        if norm <= 1e-12 * max(colNorms[k], Double.leastNormalMagnitude) { return nil }
        if a[k * m + k] > 0 { norm = -norm }
        // v = a[k..] - norm e_k, stored in place.
        a[k * m + k] -= norm
        let vnorm2 = (k..<m).reduce(0.0) { $0 + a[k * m + $1] * a[k * m + $1] }
        if vnorm2 > 0 {
            for j in (k + 1)..<max(k + 1, n) {
                var dot = 0.0
                for i in k..<m { dot += a[k * m + i] * a[j * m + i] }
                let f = 2 * dot / vnorm2
                for i in k..<m { a[j * m + i] -= f * a[k * m + i] }
            }
            var dot = 0.0
            for i in k..<m { dot += a[k * m + i] * rhs[i] }
            let f = 2 * dot / vnorm2
            for i in k..<m { rhs[i] -= f * a[k * m + i] }
        }
        rdiag[k] = norm
    }
    // Back substitution R x = Qᵀb (R's diagonal in rdiag, above-diagonal in a).
    var x = [Double](repeating: 0, count: n)
    for k in stride(from: n - 1, through: 0, by: -1) {
        var s = rhs[k]
        for j in (k + 1)..<max(k + 1, n) { s -= a[j * m + k] * x[j] }
        x[k] = s / rdiag[k]
    }
    var rss = 0.0
    for i in n..<m { rss += rhs[i] * rhs[i] }
    // (AᵀA)⁻¹ = R⁻¹ R⁻ᵀ.
    var rinv = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
    for col in 0..<n {
        for row in stride(from: col, through: 0, by: -1) {
            var s = row == col ? 1.0 : 0.0
            for j in (row + 1)..<max(row + 1, col + 1) { s -= a[j * m + row] * rinv[j][col] }
            rinv[row][col] = s / rdiag[row]
        }
    }
    var inv = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
    for i in 0..<n { for j in 0..<n {
        var s = 0.0
        for k in max(i, j)..<n { s += rinv[i][k] * rinv[j][k] }
        inv[i][j] = s
    } }
    return LinearLeastSquaresSolution(coefficients: x, residualSumOfSquares: rss, inverseNormalMatrix: inv)
}

/// Least-squares polynomial of degree `degree` through (x, y), as monomial coefficients c₀ + c₁x + c₂x² + …
///
/// Fits in a scaled variable (x mapped onto [−1, 1]) for conditioning and converts back, so
/// coefficients are in the units of `x`. Returns nil if there are fewer distinct points than coefficients.
public func polynomialFit(x: [Double], y: [Double], degree: Int) -> [Double]? {
    guard degree >= 0, x.count == y.count, x.count > degree else { return nil }
    guard let lo = x.min(), let hi = x.max() else { return nil }
    let mid = (lo + hi) / 2
    let half = hi > lo ? (hi - lo) / 2 : 1
    var columns: [[Double]] = []
    for p in 0...degree { columns.append(x.map { pow(($0 - mid) / half, Double(p)) }) }
    guard let fit = solveLinearLeastSquares(columns: columns, b: y) else { return nil }
    // p(u), u = (x − mid)/half = a·x + b0 with a = 1/half, b0 = −mid/half. Expand Σ q_p u^p.
    let a = 1 / half, b0 = -mid / half
    var result = [Double](repeating: 0, count: degree + 1)
    var power = [1.0]  // coefficients of u^p in x
    for p in 0...degree {
        for (i, c) in power.enumerated() { result[i] += fit.coefficients[p] * c }
        var next = [Double](repeating: 0, count: power.count + 1)
        for (i, c) in power.enumerated() { next[i] += c * b0; next[i + 1] += c * a }
        power = next
    }
    return result
}

/// Evaluates c₀ + c₁x + c₂x² + … at x (Horner).
@inlinable
public func evaluatePolynomial(_ coefficients: [Double], at x: Double) -> Double {
    var v = 0.0
    for c in coefficients.reversed() { v = v * x + c }
    return v
}

/// Solves the square system A·x = b by Gaussian elimination with partial pivoting; nil if singular.
/// `a` is row-major n×n.
public func solveLinearSystem(_ a: [Double], _ b: [Double]) -> [Double]? {
    let n = b.count
    guard a.count == n * n, n > 0 else { return nil }
    var m = a, x = b
    for k in 0..<n {
        var piv = k
        var best = abs(m[k * n + k])
        for i in (k + 1)..<max(k + 1, n) where abs(m[i * n + k]) > best { best = abs(m[i * n + k]); piv = i }
        if best == 0 || !best.isFinite { return nil }
        if piv != k {
            for j in 0..<n { m.swapAt(k * n + j, piv * n + j) }
            x.swapAt(k, piv)
        }
        let d = m[k * n + k]
        for i in (k + 1)..<max(k + 1, n) {
            let f = m[i * n + k] / d
            if f == 0 { continue }
            for j in k..<n { m[i * n + j] -= f * m[k * n + j] }
            x[i] -= f * x[k]
        }
    }
    for k in stride(from: n - 1, through: 0, by: -1) {
        var s = x[k]
        for j in (k + 1)..<max(k + 1, n) { s -= m[k * n + j] * x[j] }
        x[k] = s / m[k * n + k]
    }
    return x
}
