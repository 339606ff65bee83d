import Foundation

/// Background as a sum of Chebyshev polynomials of the first kind, b(2θ) = Σₙ cₙ Tₙ(t), with
/// t = −1 + 2 (2θ − 2θ_first)/(2θ_last − 2θ_first) spanning the first and last used points
/// (GSAS-II's `chebyschev-1`).
public enum ChebyshevBackground {
    /// Tₙ(t) for n = 0..<count at every point, laid out [n][point].
    public static func basis(twoTheta: [Double], first: Double, last: Double, count: Int) -> [[Double]] {
        let span = last - first
        var out = [[Double]](repeating: [Double](repeating: 0, count: twoTheta.count), count: count)
        for (i, x) in twoTheta.enumerated() {
            let t = span != 0 ? -1 + 2 * (x - first) / span : 0
            var tPrev = 1.0, tCur = t
            for n in 0..<count {
                if n == 0 { out[0][i] = 1 } else if n == 1 { out[1][i] = t } else {
                    let next = 2 * t * tCur - tPrev
                    tPrev = tCur; tCur = next
                    out[n][i] = next
                }
            }
        }
        return out
    }
}
