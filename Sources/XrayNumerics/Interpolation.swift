/// Piecewise-linear interpolation of `y(x)` at `points`.
///
/// `x` must be strictly increasing and as long as `y`. Points outside `x` take the end values
/// (flat extrapolation). O(n + m) for sorted `points`, O(m log n) otherwise.
public func interpolateLinear(x: [Double], y: [Double], at points: [Double]) -> [Double] {
    precondition(x.count == y.count && !x.isEmpty, "interpolateLinear: x and y must be non-empty and equally long")
    return points.map { p in
        if p <= x[0] { return y[0] }
        if p >= x[x.count - 1] { return y[y.count - 1] }
        var lo = 0, hi = x.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if x[mid] <= p { lo = mid } else { hi = mid }
        }
        let t = (p - x[lo]) / (x[hi] - x[lo])
        return y[lo] + t * (y[hi] - y[lo])
    }
}
