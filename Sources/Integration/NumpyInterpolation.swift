/// numpy's `interp` (one-dimensional piecewise linear interpolation), whose answers pyFAI's parallax tables are
/// made of: below the first abscissa the first ordinate, above the last the last; at an abscissa its ordinate
/// (the last of equal abscissae); between two, the line through them, as slope · (x − x₀) + y₀.
/// Not `XrayNumerics.interpolateLinear`: that one needs strictly increasing abscissae (pyFAI's BaFBr table repeats
/// its edge energies) and computes y₀ + t · (y₁ − y₀), an ulp away at times, and the corner positions made with
/// these shifts are rounded to float32 where an ulp can move one.
enum NumpyInterpolation {
    static func value(at x: Double, xs: [Double], ys: [Double]) -> Double {
        let n = xs.count
        if !(x >= xs[0]) { return x < xs[0] ? ys[0] : .nan }
        if x >= xs[n - 1] { return ys[n - 1] }
        // The last j with xs[j] <= x.
        var lo = 0, hi = n - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if xs[mid] <= x { lo = mid } else { hi = mid }
        }
        if xs[lo] == x { return ys[lo] }
        let slope = (ys[lo + 1] - ys[lo]) / (xs[lo + 1] - xs[lo])
        var y = slope * (x - xs[lo]) + ys[lo]
        if y.isNaN {
            y = slope * (x - xs[lo + 1]) + ys[lo + 1]
            if y.isNaN && ys[lo] == ys[lo + 1] { y = ys[lo] }
        }
        return y
    }
}
