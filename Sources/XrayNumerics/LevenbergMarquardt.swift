import Foundation

/// Options for `levenbergMarquardt`, named after MINPACK's.
public struct LevenbergMarquardtOptions: Sendable {
    /// Stop when both the actual and the predicted relative reduction of Σr² are below this.
    public var ftol: Double = 1e-10
    /// Stop when the relative change of the scaled parameters is below this.
    public var xtol: Double = 1e-10
    /// Stop when the cosine between the residual and every Jacobian column is below this.
    public var gtol: Double = 0
    /// Maximum number of residual evaluations (Jacobian evaluations not counted); 0 means 200·(n+1).
    public var maxEvaluations: Int = 0
    /// Relative step for forward-difference Jacobians (used only when no Jacobian is supplied).
    public var differenceStep: Double = 1.49e-8
    /// Box bounds per parameter (nil: unbounded). Every trial point is clamped into the box and
    /// difference steps turn inward at an upper bound; the start is clamped too.
    public var lower: [Double]?
    public var upper: [Double]?
    public init() {}
    public init(ftol: Double, xtol: Double, gtol: Double = 0, maxEvaluations: Int = 0) {
        self.ftol = ftol; self.xtol = xtol; self.gtol = gtol; self.maxEvaluations = maxEvaluations
    }
}

/// The outcome of a Levenberg–Marquardt minimisation.
public struct LevenbergMarquardtResult: Sendable {
    /// Best parameters found.
    public var parameters: [Double]
    /// Residuals at `parameters`.
    public var residuals: [Double]
    /// Σ residuals².
    public var chiSquare: Double
    /// (JᵀJ)⁻¹ at the solution (unscaled), nil if singular.
    public var inverseNormalMatrix: [[Double]]?
    /// Number of residual evaluations.
    public var evaluations: Int
    /// Why it stopped.
    public var converged: Bool
    public var message: String
}

/// Minimises Σ rᵢ(p)² by Levenberg–Marquardt with MINPACK-style diagonal scaling
/// (the running maximum of the Jacobian column norms) and a gain-ratio damping update
/// (Nielsen's). Optional box bounds (`options.lower`, `options.upper`): parameters on a bound with
/// the descent direction pointing outward are held for the step (active set), the step of the
/// others is projected into the box, and the gain ratio uses the projected step.
///
/// - Parameters:
///   - initial: starting parameters.
///   - residuals: r(p), always the same length.
///   - jacobian: J(p) as columns (∂r/∂pⱼ, one array per parameter); if nil, forward differences are used.
public func levenbergMarquardt(initial: [Double],
                               options: LevenbergMarquardtOptions = LevenbergMarquardtOptions(),
                               residuals: ([Double]) -> [Double],
                               jacobian: (([Double]) -> [[Double]])? = nil) -> LevenbergMarquardtResult {
    let n = initial.count
    let lower = options.lower ?? [], upper = options.upper ?? []
    let bounded = lower.count == n || upper.count == n
    func clamp(_ q: [Double]) -> [Double] {
        guard bounded else { return q }
        return (0..<n).map { j in
            var v = q[j]
            if lower.count == n { v = max(v, lower[j]) }
            if upper.count == n { v = min(v, upper[j]) }
            return v
        }
    }
    var p = clamp(initial)
    var r = residuals(p)
    var nfev = 1
    let m = r.count
    func sumsq(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 } }
    var f = sumsq(r)
    let maxfev = options.maxEvaluations > 0 ? options.maxEvaluations : 200 * (n + 1)
    func numericJacobian(_ p: [Double], _ r: [Double]) -> [[Double]] {
        var cols: [[Double]] = []
        cols.reserveCapacity(n)
        for j in 0..<n {
            var q = p
            var step = options.differenceStep * abs(p[j])
            if step == 0 { step = options.differenceStep }
            if upper.count == n && q[j] + step > upper[j] { step = -step }
            q[j] += step
            let rq = residuals(q)
            nfev += 1
            var col = [Double](repeating: 0, count: m)
            for i in 0..<m { col[i] = (rq[i] - r[i]) / step }
            cols.append(col)
        }
        return cols
    }
    /// JᵀJ and Jᵀr by SIMD dot products (`dotProduct`), the rows shared among the cores when the
    /// matrix is large enough to pay for it.
    func normal(_ J: [[Double]], _ r: [Double]) -> ([Double], [Double]) {
        var a = [Double](repeating: 0, count: n * n), g = [Double](repeating: 0, count: n)
        // No parameters or no residuals: nothing to sum (and no buffers to point into).
        guard n > 0, m > 0, J.allSatisfy({ !$0.isEmpty }) else { return (a, g) }
        a.withUnsafeMutableBufferPointer { aBuffer in
            g.withUnsafeMutableBufferPointer { gBuffer in
                let ap = aBuffer.baseAddress!, gp = gBuffer.baseAddress!
                func row(_ i: Int) {
                    J[i].withUnsafeBufferPointer { ci in
                        r.withUnsafeBufferPointer { gp[i] = dotProduct(ci.baseAddress!, $0.baseAddress!, min(ci.count, m)) }
                        for j in i..<n {
                            J[j].withUnsafeBufferPointer { cj in
                                let t = dotProduct(ci.baseAddress!, cj.baseAddress!, min(ci.count, cj.count, m))
                                ap[i * n + j] = t; ap[j * n + i] = t
                            }
                        }
                    }
                }
                if n > 1, m * n * n >= 4_000_000 {
                    DispatchQueue.concurrentPerform(iterations: n) { row($0) }
                } else {
                    for i in 0..<n { row(i) }
                }
            }
        }
        return (a, g)
    }
    guard n > 0, m >= 1, f.isFinite else {
        return LevenbergMarquardtResult(parameters: p, residuals: r, chiSquare: f, inverseNormalMatrix: nil,
                                        evaluations: nfev, converged: false,
                                        message: f.isFinite ? "nothing to fit" : "residuals not finite at the start")
    }
    var J = jacobian?(p) ?? numericJacobian(p, r)
    var (A, g) = normal(J, r)
    var diag = (0..<n).map { max(A[$0 * n + $0].squareRoot(), 1e-300) }
    // Damping is relative to the scaled normal matrix (λ·D², D² ≈ diag JᵀJ), so it is dimensionless.
    var lambda = 1e-3
    var nu = 2.0
    var converged = false
    var message = "maximum number of evaluations reached"
    outer: while nfev < maxfev {
        // gtol test
        if options.gtol > 0, f > 0 {
            var gmax = 0.0
            for j in 0..<n where A[j * n + j] > 0 { gmax = max(gmax, abs(g[j]) / (A[j * n + j] * f).squareRoot()) }
            if gmax <= options.gtol { converged = true; message = "gradient orthogonal to residuals (gtol)"; break }
        }
        // Solve (A + λ D²) δ = −g
        var M = A
        for j in 0..<n { M[j * n + j] += lambda * diag[j] * diag[j] }
        var rhs = g.map { -$0 }
        if bounded {
            // Active set: a parameter on a bound whose descent direction points out of the box is
            // held there for this step (its row and column decoupled), so the free parameters get
            // the step that is best given it, not a projection of a step that assumed it moves.
            for j in 0..<n {
                let atLower = lower.count == n && p[j] <= lower[j] && g[j] > 0
                let atUpper = upper.count == n && p[j] >= upper[j] && g[j] < 0
                guard atLower || atUpper else { continue }
                for k in 0..<n { M[j * n + k] = 0; M[k * n + j] = 0 }
                M[j * n + j] = 1
                rhs[j] = 0
            }
        }
        guard let solved = solveLinearSystem(M, rhs) else {
            lambda *= nu; nu *= 2
            if lambda > 1e300 { message = "singular normal matrix"; break }
            continue
        }
        let trial = clamp(zip(p, solved).map { $0 + $1 })
        let delta = bounded ? zip(trial, p).map { $0 - $1 } : solved
        let rt = residuals(trial)
        nfev += 1
        let ft = sumsq(rt)
        // Predicted reduction: −(2 δᵀg + δᵀAδ)
        var dAd = 0.0, dg = 0.0
        for i in 0..<n {
            dg += delta[i] * g[i]
            var s = 0.0
            for j in 0..<n { s += A[i * n + j] * delta[j] }
            dAd += delta[i] * s
        }
        let predicted = -(2 * dg + dAd)
        let actual = f - ft
        let rho = predicted > 0 ? actual / predicted : -1
        var dxNorm = 0.0, xNorm = 0.0
        for j in 0..<n { dxNorm += (diag[j] * delta[j]) * (diag[j] * delta[j]); xNorm += (diag[j] * p[j]) * (diag[j] * p[j]) }
        dxNorm = dxNorm.squareRoot(); xNorm = xNorm.squareRoot()
        if ft.isFinite && rho > 1e-4 {
            p = trial; r = rt
            let fOld = f
            f = ft
            let relActual = fOld > 0 ? actual / fOld : 0
            let relPredicted = fOld > 0 ? predicted / fOld : 0
            if abs(relActual) <= options.ftol && relPredicted <= options.ftol {
                converged = true; message = "relative reduction of chi-square below ftol"; break outer
            }
            if dxNorm <= options.xtol * xNorm { converged = true; message = "relative step below xtol"; break outer }
            if f == 0 { converged = true; message = "exact fit"; break outer }
            J = jacobian?(p) ?? numericJacobian(p, r)
            (A, g) = normal(J, r)
            for j in 0..<n { diag[j] = max(diag[j], A[j * n + j].squareRoot()) }
            lambda *= max(1.0 / 3.0, 1 - pow(2 * rho - 1, 3))
            nu = 2
        } else {
            if dxNorm <= options.xtol * xNorm {
                converged = true; message = "no further improvement possible (xtol)"; break
            }
            lambda *= nu; nu *= 2
            if !lambda.isFinite || lambda > 1e300 { message = "damping diverged"; break }
        }
    }
    // Covariance from the Jacobian at the solution.
    let (Af, _) = normal(J, r)
    var inverse: [[Double]]? = nil
    var cols = [[Double]]()
    for j in 0..<n {
        var e = [Double](repeating: 0, count: n); e[j] = 1
        guard let c = solveLinearSystem(Af, e) else { cols = []; break }
        cols.append(c)
    }
    if cols.count == n { inverse = (0..<n).map { i in (0..<n).map { j in cols[j][i] } } }
    return LevenbergMarquardtResult(parameters: p, residuals: r, chiSquare: f, inverseNormalMatrix: inverse,
                                    evaluations: nfev, converged: converged, message: message)
}
