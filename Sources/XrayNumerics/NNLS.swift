import Foundation

/// Non-negative least squares: min ‖A·x − b‖₂ subject to x ≥ 0 (Lawson & Hanson, 1974, ch. 23).
///
/// `columns[j]` is column j of A. The active-set loop adds the variable with the largest positive
/// gradient, solves the unconstrained problem on the passive set, and steps back to the feasible
/// boundary when a passive variable would turn negative. Returns nil for inconsistent sizes.
public func nonNegativeLeastSquares(columns: [[Double]], b: [Double], maxIterations: Int = 0) -> [Double]? {
    let n = columns.count, m = b.count
    guard n >= 1, columns.allSatisfy({ $0.count == m }) else { return nil }
    var x = [Double](repeating: 0, count: n)
    var passive = [Bool](repeating: false, count: n)
    let limit = maxIterations > 0 ? maxIterations : 3 * n + 30
    let scale = columns.map { c in c.reduce(0) { $0 + abs($1) } }.max() ?? 1
    let tol = 1e-12 * max(scale, 1) * max(b.reduce(0) { $0 + abs($1) }, 1)
    func gradient() -> [Double] {
        var r = b
        for j in 0..<n where x[j] != 0 { for i in 0..<m { r[i] -= columns[j][i] * x[j] } }
        return (0..<n).map { j in zip(columns[j], r).reduce(0) { $0 + $1.0 * $1.1 } }
    }
    var iterations = 0
    while iterations < limit {
        iterations += 1
        let w = gradient()
        var best = -1, bestW = tol
        for j in 0..<n where !passive[j] && w[j] > bestW { best = j; bestW = w[j] }
        if best < 0 { break }
        passive[best] = true
        // Inner loop: keep the passive solution feasible.
        while true {
            let idx = (0..<n).filter { passive[$0] }
            guard let sol = solveLinearLeastSquares(columns: idx.map { columns[$0] }, b: b) else {
                passive[best] = false
                return x
            }
            var z = [Double](repeating: 0, count: n)
            for (k, j) in idx.enumerated() { z[j] = sol.coefficients[k] }
            if idx.allSatisfy({ z[$0] > 0 }) { x = z; break }
            var alpha = 1.0
            for j in idx where z[j] <= 0 {
                let denom = x[j] - z[j]
                if denom > 0 { alpha = min(alpha, x[j] / denom) }
            }
            for j in 0..<n { x[j] += alpha * (z[j] - x[j]) }
            for j in idx where x[j] <= 1e-15 * max(1, abs(z[j])) { passive[j] = false; x[j] = 0 }
            if !passive.contains(true) { break }
        }
    }
    return x
}
