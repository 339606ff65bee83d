import Foundation

/// Snedecor's F distribution with `d1` and `d2` degrees of freedom: its cumulative distribution and
/// quantile, for significance tests of nested least-squares models (the F-test, Hamilton's R-factor
/// ratio test).
public enum FDistribution {
    /// P(F ≤ f) = I_x(d1/2, d2/2) with x = d1·f / (d1·f + d2) (Abramowitz & Stegun 26.6.2).
    public static func cdf(_ f: Double, d1: Double, d2: Double) -> Double {
        guard f > 0, d1 > 0, d2 > 0 else { return 0 }
        guard f.isFinite else { return 1 }
        return regularizedIncompleteBeta(a: d1 / 2, b: d2 / 2, x: d1 * f / (d1 * f + d2))
    }

    /// The f with P(F ≤ f) = p (0 < p < 1), by bisection on x = d1·f / (d1·f + d2) ∈ (0, 1)
    /// (the regularised incomplete beta is monotonic in x), to 1e-12 in x.
    public static func quantile(_ p: Double, d1: Double, d2: Double) -> Double {
        guard p > 0, p < 1, d1 > 0, d2 > 0 else { return .nan }
        var lo = 0.0, hi = 1.0
        for _ in 0..<200 where hi - lo > 1e-14 {
            let mid = (lo + hi) / 2
            if regularizedIncompleteBeta(a: d1 / 2, b: d2 / 2, x: mid) < p { lo = mid } else { hi = mid }
        }
        let x = (lo + hi) / 2
        return d2 * x / (d1 * (1 - x))
    }

    /// The regularised incomplete beta function I_x(a, b), by its continued fraction evaluated with the
    /// modified Lentz method (Press et al., Numerical Recipes, 3rd ed., §6.4), using the symmetry
    /// I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges faster.
    public static func regularizedIncompleteBeta(a: Double, b: Double, x: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let lnBeta: Double = lgamma(a) + lgamma(b) - lgamma(a + b)
        let lnPowers: Double = a * log(x) + b * log(1 - x)
        let lnFront = lnPowers - lnBeta
        if x < (a + 1) / (a + b + 2) {
            return exp(lnFront) * continuedFraction(a: a, b: b, x: x) / a
        }
        return 1 - exp(lnFront) * continuedFraction(a: b, b: a, x: 1 - x) / b
    }

    /// The continued fraction of I_x(a, b) (Numerical Recipes `betacf`).
    static func continuedFraction(a: Double, b: Double, x: Double) -> Double {
        let tiny = 1e-300, eps = 1e-15
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0, d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...10_000 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < eps { break }
        }
        return h
    }
}
