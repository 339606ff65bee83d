import Foundation

/// A small Levenberg–Marquardt least-squares solver (Marquardt 1963 with Nielsen's damping
/// update and diagonal scaling as in MINPACK's lmder), for peak fitting.
///
/// Internal to Diffraction: XrayNumerics gets a shared solver on another branch; the two are
/// to be unified. Minimises ½ Σ rᵢ(p)²; bounds are enforced by clamping each trial step.
struct PeakFitSolver {
    struct Result {
        var parameters: [Double]
        /// Standard uncertainties: sqrt(diag((JᵀJ)⁻¹) · χ²/(n − p)).
        var uncertainties: [Double]
        /// Σ r² at the solution.
        var chiSquare: Double
        var iterations: Int
        var converged: Bool
    }

    var maxIterations = 200
    var tolerance = 1e-10

    /// `residuals(p, out)` fills `out` (length `count`); the Jacobian is by forward differences.
    func solve(initial: [Double], lower: [Double], upper: [Double], count: Int,
               residuals: ([Double], inout [Double]) -> Void) -> Result {
        let m = initial.count
        guard m > 0, count > 0 else {
            return Result(parameters: initial, uncertainties: [], chiSquare: 0, iterations: 0, converged: true)
        }
        var p = zip(zip(initial, lower), upper).map { min(max($0.0, $0.1), $1) }
        var r = [Double](repeating: 0, count: count), rTrial = r, rStep = r
        residuals(p, &r)
        var cost = r.reduce(0) { $0 + $1 * $1 }
        var jacobian = [Double](repeating: 0, count: count * m) // column-major: column j at j*count
        var lambda = -1.0, nu = 2.0
        var iterations = 0, converged = false
        var a = [Double](repeating: 0, count: m * m), g = [Double](repeating: 0, count: m)

        func computeJacobian() {
            for j in 0..<m {
                var q = p
                var h = 1e-7 * max(abs(p[j]), 1e-3)
                if q[j] + h > upper[j] { h = -h }
                q[j] += h
                residuals(q, &rStep)
                for i in 0..<count { jacobian[j * count + i] = (rStep[i] - r[i]) / h }
            }
        }
        func normalEquations() {
            for j in 0..<m {
                var gj = 0.0
                for i in 0..<count { gj += jacobian[j * count + i] * r[i] }
                g[j] = gj
                for k in j..<m {
                    var s = 0.0
                    for i in 0..<count { s += jacobian[j * count + i] * jacobian[k * count + i] }
                    a[j * m + k] = s; a[k * m + j] = s
                }
            }
        }

        computeJacobian()
        normalEquations()
        while iterations < maxIterations {
            iterations += 1
            if lambda < 0 { lambda = 1e-3 * max(1e-12, (0..<m).map { a[$0 * m + $0] }.max() ?? 1) }
            var damped = a
            for j in 0..<m { damped[j * m + j] += lambda * max(a[j * m + j], 1e-12) }
            guard let step = Self.solveLinear(damped, g.map { -$0 }, m) else { lambda *= nu; nu *= 2; continue }
            var trial = p
            for j in 0..<m { trial[j] = min(max(p[j] + step[j], lower[j]), upper[j]) }
            residuals(trial, &rTrial)
            let trialCost = rTrial.reduce(0) { $0 + $1 * $1 }
            // Predicted reduction for the gain ratio.
            var predicted = 0.0
            for j in 0..<m { predicted += (trial[j] - p[j]) * (lambda * max(a[j * m + j], 1e-12) * (trial[j] - p[j]) - g[j]) }
            if trialCost.isFinite && trialCost < cost {
                let rho = predicted > 0 ? (cost - trialCost) / predicted : 1
                let relative = (cost - trialCost) / max(cost, 1e-300)
                p = trial; r = rTrial; cost = trialCost
                lambda *= max(1.0 / 3, 1 - pow(2 * rho - 1, 3)); nu = 2
                if relative < tolerance { converged = true; break }
                computeJacobian()
                normalEquations()
            } else {
                lambda *= nu; nu *= 2
                if lambda > 1e16 { converged = true; break }
            }
        }
        // Covariance from the final Jacobian.
        computeJacobian()
        normalEquations()
        let dof = max(1, count - m)
        var sigma = [Double](repeating: .nan, count: m)
        if let inverse = Self.invert(a, m) {
            for j in 0..<m { sigma[j] = (max(0, inverse[j * m + j]) * cost / Double(dof)).squareRoot() }
        }
        return Result(parameters: p, uncertainties: sigma, chiSquare: cost, iterations: iterations, converged: converged)
    }

    /// Solves A x = b (row-major m×m) by Gaussian elimination with partial pivoting.
    static func solveLinear(_ a: [Double], _ b: [Double], _ m: Int) -> [Double]? {
        var a = a, b = b
        for col in 0..<m {
            var pivot = col
            for row in col + 1..<m where abs(a[row * m + col]) > abs(a[pivot * m + col]) { pivot = row }
            guard abs(a[pivot * m + col]) > 1e-300 else { return nil }
            if pivot != col {
                for k in 0..<m { a.swapAt(col * m + k, pivot * m + k) }
                b.swapAt(col, pivot)
            }
            for row in col + 1..<m {
                let f = a[row * m + col] / a[col * m + col]
                if f == 0 { continue }
                for k in col..<m { a[row * m + k] -= f * a[col * m + k] }
                b[row] -= f * b[col]
            }
        }
        var x = [Double](repeating: 0, count: m)
        for row in stride(from: m - 1, through: 0, by: -1) {
            var s = b[row]
            for k in row + 1..<m { s -= a[row * m + k] * x[k] }
            x[row] = s / a[row * m + row]
        }
        return x.allSatisfy(\.isFinite) ? x : nil
    }

    /// Inverse of a symmetric m×m matrix, column by column.
    static func invert(_ a: [Double], _ m: Int) -> [Double]? {
        var inverse = [Double](repeating: 0, count: m * m)
        for j in 0..<m {
            var e = [Double](repeating: 0, count: m)
            e[j] = 1
            guard let x = solveLinear(a, e, m) else { return nil }
            for i in 0..<m { inverse[i * m + j] = x[i] }
        }
        return inverse
    }
}
