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
    return householderLeastSquares(columnMajor: &a, rows: m, columns: n, b: b, inverse: true)
}

/// min ‖A·x − b‖₂ for the m × n matrix A stored column by column in `a` (overwritten by the
/// factorisation): Householder QR (Golub & Van Loan, Matrix Computations, §5.3), nil when a
/// column's remaining norm is below 1e-12 of its original norm. (AᵀA)⁻¹ = R⁻¹R⁻ᵀ only when
/// `inverse` is true. Sums and updates run over contiguous columns (SIMD dot products).
private func householderLeastSquares(columnMajor a: inout [Double], rows m: Int, columns n: Int, b: [Double],
                                     inverse: Bool) -> LinearLeastSquaresSolution? {
    var rhs = b
    var rdiag = [Double](repeating: 0, count: n)
    var x = [Double](repeating: 0, count: n)
    var rss = 0.0
    let ok = a.withUnsafeMutableBufferPointer { ab -> Bool in
        rhs.withUnsafeMutableBufferPointer { rb -> Bool in
            let base = ab.baseAddress!, r = rb.baseAddress!
            var colNorms = [Double](repeating: 0, count: n)
            for j in 0..<n { colNorms[j] = dotProduct(base + j * m, base + j * m, m).squareRoot() }
            for k in 0..<n {
                let v = base + k * m  // column k; its rows k… become the Householder vector
                var norm = dotProduct(v + k, v + k, m - k).squareRoot()
                if norm <= 1e-12 * max(colNorms[k], Double.leastNormalMagnitude) { return false }
                if v[k] > 0 { norm = -norm }
                v[k] -= norm
                let vnorm2 = dotProduct(v + k, v + k, m - k)
                if vnorm2 > 0 {
                    for j in (k + 1)..<max(k + 1, n) {
                        let c = base + j * m
                        let f = 2 * dotProduct(v + k, c + k, m - k) / vnorm2
                        for i in k..<m { c[i] -= f * v[i] }
                    }
                    let f = 2 * dotProduct(v + k, r + k, m - k) / vnorm2
                    for i in k..<m { r[i] -= f * v[i] }
                }
                rdiag[k] = norm
            }
            // Back substitution R x = Qᵀb (R's diagonal in rdiag, above-diagonal in a).
            for k in stride(from: n - 1, through: 0, by: -1) {
                var s = r[k]
                for j in (k + 1)..<max(k + 1, n) { s -= base[j * m + k] * x[j] }
                x[k] = s / rdiag[k]
            }
            rss = dotProduct(r + n, r + n, m - n)
            return true
        }
    }
    guard ok else { return nil }
    guard inverse else { return LinearLeastSquaresSolution(coefficients: x, residualSumOfSquares: rss, inverseNormalMatrix: nil) }
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
/// Only the coefficients are formed (no covariance matrix).
public func polynomialFit(x: [Double], y: [Double], degree: Int) -> [Double]? {
    guard degree >= 0, x.count == y.count, x.count > degree else { return nil }
    var lo = x[0], hi = x[0]
    for v in x { if v < lo { lo = v }; if v > hi { hi = v } }
    guard lo.isFinite, hi.isFinite else { return nil }
    let mid = (lo + hi) / 2
    let half = hi > lo ? (hi - lo) / 2 : 1
    let m = x.count, n = degree + 1
    // Columns uᵖ, u = (x − mid)/half, column-major.
    var vandermonde = [Double](repeating: 1, count: m * n)
    vandermonde.withUnsafeMutableBufferPointer { v in
        guard n > 1 else { return }
        for i in 0..<m { v[m + i] = (x[i] - mid) / half }  // u once, then uᵖ = uᵖ⁻¹·u
        for p in 2..<max(2, n) {
            for i in 0..<m { v[p * m + i] = v[(p - 1) * m + i] * v[m + i] }
        }
    }
    guard let fit = householderLeastSquares(columnMajor: &vandermonde, rows: m, columns: n, b: y, inverse: false) else { return nil }
    // p(u), u = (x − mid)/half = a·x + b0 with a = 1/half, b0 = −mid/half. Expand Σ q_p u^p.
    let a = 1 / half, b0 = -mid / half
    var result = [Double](repeating: 0, count: degree + 1)
    var expansion = [1.0]  // coefficients of u^p in x
    for p in 0...degree {
        for (i, c) in expansion.enumerated() { result[i] += fit.coefficients[p] * c }
        var next = [Double](repeating: 0, count: expansion.count + 1)
        for (i, c) in expansion.enumerated() { next[i] += c * b0; next[i + 1] += c * a }
        expansion = next
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
    solveInPlace(a, b) { m, x, n in
        for k in 0..<n {
            var piv = k
            var best = abs(m[k * n + k])
            for i in (k + 1)..<max(k + 1, n) where abs(m[i * n + k]) > best { best = abs(m[i * n + k]); piv = i }
            if best == 0 || !best.isFinite { return false }
            if piv != k {
                for j in 0..<n { let t = m[k * n + j]; m[k * n + j] = m[piv * n + j]; m[piv * n + j] = t }
                let t = x[k]; x[k] = x[piv]; x[piv] = t
            }
            let d = m[k * n + k]
            let pivotRow = m + k * n
            for i in (k + 1)..<max(k + 1, n) {
                let row = m + i * n
                let f = row[k] / d
                if f == 0 { continue }
                for j in k..<n { row[j] -= f * pivotRow[j] }
                x[i] -= f * x[k]
            }
        }
        backSubstitute(x, count: n) { m[$0 * n + $1] }
        return true
    }
}

/// Solves A·x = b for a symmetric positive-definite A (row-major n×n; only its lower triangle is
/// read) by the Cholesky factorisation A = L·Lᵀ (Golub & Van Loan, Matrix Computations, §4.2):
/// half the operations of `solveLinearSystem` and no pivoting. Nil when a pivot is not positive
/// (A not positive definite to rounding), so callers can fall back to `solveLinearSystem`.
public func solveSymmetricPositiveDefinite(_ a: [Double], _ b: [Double]) -> [Double]? {
    solveInPlace(a, b) { l, x, n in
        for j in 0..<n {
            let rowJ = l + j * n
            var s = rowJ[j]
            for k in 0..<j { s -= rowJ[k] * rowJ[k] }
            guard s > 0, s.isFinite else { return false }
            let d = s.squareRoot()
            rowJ[j] = d
            for i in (j + 1)..<max(j + 1, n) {
                let rowI = l + i * n
                var t = rowI[j]
                for k in 0..<j { t -= rowI[k] * rowJ[k] }
                rowI[j] = t / d
            }
        }
        // L·y = b, then Lᵀ·x = y (x overwrites b).
        for i in 0..<n {
            let rowI = l + i * n
            var t = x[i]
            for k in 0..<i { t -= rowI[k] * x[k] }
            x[i] = t / rowI[i]
        }
        backSubstitute(x, count: n) { l[$1 * n + $0] }  // Lᵀ
        return true
    }
}

/// Runs `factorAndSolve(matrix, x, n)` on copies of the row-major n×n `a` and of `b` (which becomes
/// x in place); x when it returns true, nil when it returns false or the sizes do not fit.
@inline(__always)
private func solveInPlace(_ a: [Double], _ b: [Double],
                          _ factorAndSolve: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, Int) -> Bool) -> [Double]? {
    let n = b.count
    guard a.count == n * n, n > 0 else { return nil }
    var m = a, x = b
    let solved = m.withUnsafeMutableBufferPointer { mb in
        x.withUnsafeMutableBufferPointer { xb in factorAndSolve(mb.baseAddress!, xb.baseAddress!, n) }
    }
    return solved ? x : nil
}

/// Solves U·x = y in place (`x` holds y on entry) for the upper-triangular U given by `upper(row, column)`.
@inline(__always)
private func backSubstitute(_ x: UnsafeMutablePointer<Double>, count n: Int, upper: (Int, Int) -> Double) {
    for k in stride(from: n - 1, through: 0, by: -1) {
        var s = x[k]
        for j in (k + 1)..<max(k + 1, n) { s -= upper(k, j) * x[j] }
        x[k] = s / upper(k, k)
    }
}
