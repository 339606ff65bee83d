/// Index of the last element of the increasing array `a` at or below `value`; 0 if `value` is below all.
@inlinable
func indexOf(_ a: [Double], _ value: Double) -> Int {
    guard !a.isEmpty, value >= a[0] else { return 0 }
    var lo = 0, hi = a.count  // a[lo] <= value, a[hi] > value (virtual)
    while hi - lo > 1 {
        let mid = (lo + hi) / 2
        if a[mid] <= value { lo = mid } else { hi = mid }
    }
    return lo
}

/// `indexOf(a.map { $0 − shift }, value)` without the shifted copy (the same comparisons).
@inlinable
func indexOf(_ a: [Double], _ value: Double, shiftedBy shift: Double) -> Int {
    guard !a.isEmpty, value >= a[0] - shift else { return 0 }
    var lo = 0, hi = a.count
    while hi - lo > 1 {
        let mid = (lo + hi) / 2
        if a[mid] - shift <= value { lo = mid } else { hi = mid }
    }
    return lo
}

/// `a.max()` (nil when empty), with four running maxima (the largest value does not depend on the
/// order of comparison; all start from a[0], so a NaN first value gives NaN and other NaNs are
/// skipped, as in `max()`).
func largest(_ a: [Double]) -> Double? {
    guard let first = a.first else { return nil }
    return a.withUnsafeBufferPointer { v in
        var m0 = first, m1 = first, m2 = first, m3 = first
        var i = 1
        while i + 4 <= v.count {
            if m0 < v[i] { m0 = v[i] }
            if m1 < v[i + 1] { m1 = v[i + 1] }
            if m2 < v[i + 2] { m2 = v[i + 2] }
            if m3 < v[i + 3] { m3 = v[i + 3] }
            i += 4
        }
        while i < v.count { if m0 < v[i] { m0 = v[i] }; i += 1 }
        if m0 < m1 { m0 = m1 }
        if m0 < m2 { m0 = m2 }
        if m0 < m3 { m0 = m3 }
        return m0
    }
}

/// Index of the element of `a` nearest to `value` (the first one on ties).
@inlinable
func indexNearest(_ a: [Double], _ value: Double) -> Int {
    var best = 0, bestDistance = Double.infinity
    for (i, v) in a.enumerated() {
        let d = abs(v - value)
        if d < bestDistance { best = i; bestDistance = d }
    }
    return best
}

/// Central-difference derivative dy/dx with one-sided ends (numpy's `gradient(y)/gradient(x)`),
/// over the first `count` values (default all of y).
func derivative(_ y: [Double], _ x: [Double], count: Int? = nil) -> [Double] {
    let n = count ?? y.count
    guard n >= 2 else { return [Double](repeating: 0, count: n) }
    var d = [Double](repeating: 0, count: n)
    d[0] = (y[1] - y[0]) / (x[1] - x[0])
    d[n - 1] = (y[n - 1] - y[n - 2]) / (x[n - 1] - x[n - 2])
    if n > 2 { for i in 1..<(n - 1) { d[i] = (y[i + 1] - y[i - 1]) / (x[i + 1] - x[i - 1]) } }
    return d
}

/// Python's `round()` (half to even) for the 5-eV rounding rules of the pre-edge defaults.
@inlinable
func roundHalfEven(_ x: Double) -> Double { x.rounded(.toNearestOrEven) }

/// `indexNearest` for a strictly increasing `a`, by bisection: the same index (the first one on ties).
@inlinable
func indexNearestSorted(_ a: [Double], _ value: Double) -> Int {
    guard a.count > 1, value > a[0] else { return 0 }
    let lo = indexOf(a, value)
    guard lo + 1 < a.count else { return lo }
    return value - a[lo] <= a[lo + 1] - value ? lo : lo + 1
}
