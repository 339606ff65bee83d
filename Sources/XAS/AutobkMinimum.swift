import Foundation
import XrayNumerics

/// The minimum of Larch's AUTOBK objective over the spline coefficients c (`xafs/autobk.py`, `_resid`):
///
///   f(c) = ‖o‖² + s²·Σₜ wₜ²·qₜ²,  o = a − P·c,  qₜ = χₜ − gₜ·c,  s = 0.1 + 10·‖o‖²/N,
///
/// where o is the transform of (μ − spline)·kʷ·W(k) at the N values (Re, Im) below rbkg, qₜ is χ at
/// the clamp points and wₜ their weights. Both o and q are linear in c; only the clamp scale s
/// depends on the residual. Setting ∇f = 0 gives Pᵀo·(1 + 20·s·Σw²q²/N) + s²·Σ wₜ²qₜgₜ = 0, the
/// normal equations of the linear least-squares problem ‖a − Pc‖² + λ·Σ wₜ²(χₜ − gₜ·c)² with
/// λ = s²/(1 + 20·s·Σw²q²/N). So the minimum is found by solving that problem for λ taken at the
/// current c and updating λ until it no longer changes (a few solves of an nspl × nspl system whose
/// products PᵀP, Pᵀa, Σw²ggᵀ, Σw²χg are formed once). Larch minimises the same f with MINPACK's
/// `leastsq` (ftol = xtol = 1e-6) from the same start; where λ does not settle, Levenberg–Marquardt
/// on f's residuals finishes from the last point.
struct AutobkMinimum {
    /// a (N values), P[j] (N values per coefficient), and per clamp point χₜ, gₜ (nspl values), wₜ.
    let a: [Double]
    let P: [[Double]]
    let clampChi: [Double]
    let clampG: [[Double]]
    let clampWeights: [Double]

    /// ‖o‖² and Σw²q² at c.
    func parts(_ c: [Double]) -> (o2: Double, q2: Double) {
        // o = a − Σⱼ cⱼPⱼ, subtracted column by column (the same order per element as row by row).
        var o = a
        o.withUnsafeMutableBufferPointer { ob in
            for j in P.indices {
                let cj = c[j]
                P[j].withUnsafeBufferPointer { pj in for i in 0..<ob.count { ob[i] -= cj * pj[i] } }
            }
        }
        var o2 = 0.0
        for v in o { o2 += v * v }
        var q2 = 0.0
        for t in clampChi.indices where clampWeights[t] != 0 {
            var q = clampChi[t]
            for j in c.indices { q -= c[j] * clampG[t][j] }
            q2 += clampWeights[t] * clampWeights[t] * q * q
        }
        return (o2, q2)
    }

    func objective(_ c: [Double]) -> Double {
        let (o2, q2) = parts(c)
        let s = 0.1 + 10 * o2 / Double(a.count)
        return o2 + s * s * q2
    }

    /// The coefficients at the minimum, f there, and the number of linear solves (or LM evaluations).
    func solve(start: [Double]) -> (c: [Double], chiSquare: Double, evaluations: Int) {
        let n = P.count, nOut = Double(a.count)
        var normal = [Double](repeating: 0, count: n * n), rhs = [Double](repeating: 0, count: n)
        for j in 0..<n {
            P[j].withUnsafeBufferPointer { pj in
                for l in j..<n {
                    let v = P[l].withUnsafeBufferPointer { dotProduct(pj.baseAddress!, $0.baseAddress!, a.count) }
                    normal[j * n + l] = v; normal[l * n + j] = v
                }
                rhs[j] = a.withUnsafeBufferPointer { dotProduct(pj.baseAddress!, $0.baseAddress!, a.count) }
            }
        }
        var clampNormal = [Double](repeating: 0, count: n * n), clampRhs = [Double](repeating: 0, count: n)
        var clamped = false
        for t in clampChi.indices where clampWeights[t] != 0 {
            clamped = true
            let w2 = clampWeights[t] * clampWeights[t], g = clampG[t]
            for j in 0..<n {
                clampRhs[j] += w2 * clampChi[t] * g[j]
                for l in 0..<n { clampNormal[j * n + l] += w2 * g[j] * g[l] }
            }
        }
        func lambda(_ c: [Double]) -> Double {
            let (o2, q2) = parts(c)
            let s = 0.1 + 10 * o2 / nOut
            return s * s / (1 + 20 * s * q2 / nOut)
        }
        func minimum(_ lambda: Double) -> [Double]? {
            var m = normal, r = rhs
            for i in 0..<(n * n) { m[i] += lambda * clampNormal[i] }
            for j in 0..<n { r[j] += lambda * clampRhs[j] }
            // The matrix is PᵀP + λ·Σw²ggᵀ, symmetric and positive definite when P has full rank.
            return solveSymmetricPositiveDefinite(m, r) ?? solveLinearSystem(m, r)
        }
        guard clamped else {
            if let c = minimum(0) { return (c, objective(c), 1) }
            return levenbergMarquardtMinimum(start: start)
        }
        var current = start
        var lam = lambda(start)
        for solves in 1...100 {
            guard let c = minimum(lam) else { break }
            current = c
            let next = lambda(c)
            if abs(next - lam) <= 1e-13 * lam { return (c, objective(c), solves) }
            lam = next
        }
        return levenbergMarquardtMinimum(start: current)
    }

    /// f minimised by Levenberg–Marquardt on its residuals (o, s·w·q) with their analytic Jacobian.
    func levenbergMarquardtMinimum(start: [Double]) -> (c: [Double], chiSquare: Double, evaluations: Int) {
        let n = P.count, nOut = Double(a.count)
        func clampValues(_ c: [Double]) -> [Double] {
            clampChi.indices.map { t in
                var q = clampChi[t]
                for j in 0..<n { q -= c[j] * clampG[t][j] }
                return q
            }
        }
        func transformPart(_ c: [Double]) -> [Double] {
            var o = a
            for j in 0..<n { for i in o.indices { o[i] -= c[j] * P[j][i] } }
            return o
        }
        func residuals(_ c: [Double]) -> [Double] {
            let o = transformPart(c)
            let s = 0.1 + 10 * o.reduce(0) { $0 + $1 * $1 } / nOut
            return o + zip(clampWeights, clampValues(c)).map { $0 * s * $1 }
        }
        func jacobian(_ c: [Double]) -> [[Double]] {
            let o = transformPart(c), q = clampValues(c)
            let s = 0.1 + 10 * o.reduce(0) { $0 + $1 * $1 } / nOut
            return (0..<n).map { j in
                var col = P[j].map { -$0 }
                var dsdc = 0.0
                for i in o.indices { dsdc += o[i] * col[i] }
                dsdc *= 20 / nOut
                for t in clampChi.indices { col.append(clampWeights[t] * (s * -clampG[t][j] + q[t] * dsdc)) }
                return col
            }
        }
        let fit = levenbergMarquardt(initial: start, options: LevenbergMarquardtOptions(ftol: 1e-12, xtol: 1e-12, maxEvaluations: 2000 * (n + 1)),
                                     residuals: residuals, jacobian: jacobian)
        return (fit.parameters, fit.chiSquare, fit.evaluations)
    }
}
