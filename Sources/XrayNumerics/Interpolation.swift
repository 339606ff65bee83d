/// Piecewise-linear interpolation of `y(x)` at `points`.
///
/// `x` must be strictly increasing and as long as `y`. Points outside `x` take the end values
/// (flat extrapolation). O(n + m) for sorted `points`, O(m log n) otherwise.
public func interpolateLinear(x: [Double], y: [Double], at points: [Double]) -> [Double] {
    precondition(x.count == y.count && !x.isEmpty, "interpolateLinear: x and y must be non-empty and equally long")
    let n = x.count
    var out = [Double](repeating: 0, count: points.count)
    x.withUnsafeBufferPointer { xb in
    y.withUnsafeBufferPointer { yb in
        // lo: the interval of the previous point, walked forward (up to 8 steps) while the points
        // increase, else found by bisection: the same interval either way (the last x[lo] ≤ p).
        var lo = 0
        for (j, p) in points.enumerated() {
            if p <= xb[0] { out[j] = yb[0]; continue }
            if p >= xb[n - 1] { out[j] = yb[n - 1]; continue }
            var steps = 0
            if p >= xb[lo] { while steps < 8 && xb[lo + 1] <= p { lo += 1; steps += 1 } }
            if p < xb[lo] || steps == 8 {
                if p < xb[lo] { lo = 0 }
                var hi = n - 1
                while hi - lo > 1 {
                    let mid = (lo + hi) / 2
                    if xb[mid] <= p { lo = mid } else { hi = mid }
                }
            }
            let t = (p - xb[lo]) / (xb[lo + 1] - xb[lo])
            out[j] = yb[lo] + t * (yb[lo + 1] - yb[lo])
        }
    }}
    return out
}
