/// Piecewise-linear interpolation of `y(x)` at `points`.
///
/// `x` must be strictly increasing and as long as `y`. Points outside `x` take the end values
/// (flat extrapolation). O(n + m) for sorted `points`, O(m log n) otherwise.
public func interpolateLinear(x: [Double], y: [Double], at points: [Double]) -> [Double] {
    precondition(x.count == y.count && !x.isEmpty, "interpolateLinear: x and y must be non-empty and equally long")
    var out = [Double](repeating: 0, count: points.count)
    x.withUnsafeBufferPointer { xb in
    y.withUnsafeBufferPointer { yb in
    points.withUnsafeBufferPointer { pb in
    out.withUnsafeMutableBufferPointer { ob in
        interpolateLinear(count: xb.count, x: { xb[$0] }, y: { yb[$0] }, points: pb.count, at: { pb[$0] }) { ob[$0] = $1 }
    }}}}
    return out
}

/// `interpolateLinear` with the nodes x (`count`, strictly increasing), the values y and the
/// points given by index, each result j passed to `store`: for grids that are formulas or parts of
/// larger buffers (no arrays built for them). The same interval and arithmetic as the array form.
@inline(__always)
func interpolateLinear(count n: Int, x: (Int) -> Double, y: (Int) -> Double, points: Int, at point: (Int) -> Double,
                       store: (Int, Double) -> Void) {
    let first = x(0), last = x(n - 1)
    // lo: the interval of the previous point, walked forward (up to 8 steps) while the points
    // increase, else found by bisection: the same interval either way (the last x[lo] ≤ p).
    var lo = 0
    for j in 0..<points {
        let p = point(j)
        if p <= first { store(j, y(0)); continue }
        if p >= last { store(j, y(n - 1)); continue }
        var steps = 0
        if p >= x(lo) { while steps < 8 && x(lo + 1) <= p { lo += 1; steps += 1 } }
        if p < x(lo) || steps == 8 {
            if p < x(lo) { lo = 0 }
            var hi = n - 1
            while hi - lo > 1 {
                let mid = (lo + hi) / 2
                if x(mid) <= p { lo = mid } else { hi = mid }
            }
        }
        let xa = x(lo), ya = y(lo)
        let t = (p - xa) / (x(lo + 1) - xa)
        store(j, ya + t * (y(lo + 1) - ya))
    }
}
