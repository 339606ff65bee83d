import Foundation

/// A B-spline curve: knots t, coefficients c and degree k, evaluated like FITPACK's `splev`.
///
/// Outside the base interval [t[k], t[n−k−1]] the first or last polynomial piece is extended
/// (FITPACK's `ext=0`). Only the first `knots.count − degree − 1` coefficients are used.
public struct BSpline: Sendable, Hashable {
    public var knots: [Double]
    public var coefficients: [Double]
    public var degree: Int

    public init(knots: [Double], coefficients: [Double], degree: Int) {
        self.knots = knots
        self.coefficients = coefficients
        self.degree = degree
    }

    /// Number of basis functions (usable coefficients): `knots.count − degree − 1`.
    public var basisCount: Int { knots.count - degree - 1 }

    /// The knot interval l (degree ≤ l ≤ n−degree−2) used for `x`, clamped at both ends.
    @inlinable
    public func interval(for x: Double) -> Int {
        let k = degree, n = knots.count
        var lo = k, hi = n - k - 1
        if x < knots[lo] { return lo }
        if x >= knots[hi] { return hi - 1 }
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if x < knots[mid] { hi = mid } else { lo = mid }
        }
        return lo
    }

    /// The `degree + 1` basis values that are non-zero at `x` (Cox–de Boor), for basis functions
    /// `l − degree … l` where `l = interval(for: x)`; written into `values` (length ≥ degree + 1).
    @inlinable
    public func basis(at x: Double, interval l: Int, into values: inout [Double]) {
        let k = degree
        if k == 3 {
            let (b0, b1, b2, b3) = cubicBasis(at: x, interval: l)
            values[0] = b0; values[1] = b1; values[2] = b2; values[3] = b3
            return
        }
        values[0] = 1
        guard k >= 1 else { return }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * (k + 1)) { scratch in
            let left = scratch.baseAddress!, right = scratch.baseAddress! + (k + 1)
            for j in 1...k {
                left[j] = x - knots[l + 1 - j]
                right[j] = knots[l + j] - x
                var saved = 0.0
                for r in 0..<j {
                    let denom = right[r + 1] + left[j - r]
                    let term = denom != 0 ? values[r] / denom : 0
                    values[r] = saved + right[r + 1] * term
                    saved = left[j - r] * term
                }
                values[j] = saved
            }
        }
    }

    /// The four cubic basis values at `x` in interval `l`: the Cox–de Boor recurrence of `basis`
    /// written out for degree 3 (the same operations in the same order, without scratch storage).
    @inlinable
    public func cubicBasis(at x: Double, interval l: Int) -> (Double, Double, Double, Double) {
        let left1 = x - knots[l], left2 = x - knots[l - 1], left3 = x - knots[l - 2]
        let right1 = knots[l + 1] - x, right2 = knots[l + 2] - x, right3 = knots[l + 3] - x
        @inline(__always) func ratio(_ v: Double, _ d: Double) -> Double { d != 0 ? v / d : 0 }
        // j = 1
        var t = ratio(1, right1 + left1)
        let v0a = right1 * t, v1a = left1 * t
        // j = 2
        t = ratio(v0a, right1 + left2)
        let v0b = right1 * t
        var saved = left2 * t
        t = ratio(v1a, right2 + left1)
        let v1b = saved + right2 * t
        let v2b = left1 * t
        // j = 3
        t = ratio(v0b, right1 + left3)
        let v0 = right1 * t
        saved = left3 * t
        t = ratio(v1b, right2 + left2)
        let v1 = saved + right2 * t
        saved = left2 * t
        t = ratio(v2b, right3 + left1)
        let v2 = saved + right3 * t
        let v3 = left1 * t
        return (v0, v1, v2, v3)
    }

    /// The spline's value at each of `points`.
    public func evaluate(at points: [Double]) -> [Double] {
        guard basisCount >= 1 else { return [Double](repeating: 0, count: points.count) }
        var h = [Double](repeating: 0, count: degree + 1)
        return points.map { x in
            let l = interval(for: x)
            basis(at: x, interval: l, into: &h)
            var s = 0.0
            for j in 0...degree { s += coefficients[l - degree + j] * h[j] }
            return s
        }
    }

    /// The cubic spline interpolating (x, y) with not-a-knot ends, as FITPACK's `splrep(x, y, s=0)` builds it:
    /// knots `[x₀]×4 + x[2…n−3] + [xₙ₋₁]×4`, coefficients solving the collocation equations.
    ///
    /// `x` must be strictly increasing with at least 4 points; returns nil otherwise or if singular.
    public static func interpolating(x: [Double], y: [Double]) -> BSpline? {
        let n = x.count, k = 3
        guard n >= 4, y.count == n else { return nil }
        for i in 1..<n where !(x[i] > x[i - 1]) { return nil }
        var t = [Double](repeating: x[0], count: k + 1)
        if n > 4 { t += x[2..<(n - 2)] }
        t += [Double](repeating: x[n - 1], count: k + 1)
        var spline = BSpline(knots: t, coefficients: [Double](repeating: 0, count: t.count), degree: k)
        var matrix = [Double](repeating: 0, count: n * n)
        var h = [Double](repeating: 0, count: k + 1)
        for i in 0..<n {
            let l = spline.interval(for: x[i])
            spline.basis(at: x[i], interval: l, into: &h)
            for j in 0...k { matrix[i * n + (l - k + j)] = h[j] }
        }
        guard let c = solveLinearSystem(matrix, y) else { return nil }
        for i in 0..<n { spline.coefficients[i] = c[i] }
        return spline
    }
}

/// The cubic B-spline basis of fixed knots for many points: the six knot differences that divide
/// in the Cox–de Boor recurrence are inverted once per interval, so each point costs products
/// only (the same recurrence as `BSpline.cubicBasis`; equal to rounding).
public struct CubicBSplineBasis: Sendable {
    public let knots: [Double]
    /// Per interval l: 1/(t[l+1]−t[l]), 1/(t[l+1]−t[l−1]), 1/(t[l+2]−t[l]), 1/(t[l+1]−t[l−2]),
    /// 1/(t[l+2]−t[l−1]), 1/(t[l+3]−t[l]) (0 for a zero difference, as the recurrence takes 0/0 as 0).
    @usableFromInline let inverses: [Double]

    public init(knots: [Double]) {
        self.knots = knots
        let n = knots.count
        var inv = [Double](repeating: 0, count: 6 * n)
        func r(_ d: Double) -> Double { d != 0 ? 1 / d : 0 }
        if n >= 8 {
            for l in 3...(n - 5) {
                inv[6 * l] = r(knots[l + 1] - knots[l])
                inv[6 * l + 1] = r(knots[l + 1] - knots[l - 1])
                inv[6 * l + 2] = r(knots[l + 2] - knots[l])
                inv[6 * l + 3] = r(knots[l + 1] - knots[l - 2])
                inv[6 * l + 4] = r(knots[l + 2] - knots[l - 1])
                inv[6 * l + 5] = r(knots[l + 3] - knots[l])
            }
        }
        inverses = inv
    }

    /// The four basis values non-zero at `x` (basis functions l−3 … l), `l` from `BSpline.interval(for:)`
    /// of a cubic spline with these knots.
    @inlinable
    public func values(at x: Double, interval l: Int) -> (Double, Double, Double, Double) {
        knots.withUnsafeBufferPointer { t in
            inverses.withUnsafeBufferPointer { d in
                let d = d.baseAddress! + 6 * l
                let left1 = x - t[l], left2 = x - t[l - 1], left3 = x - t[l - 2]
                let right1 = t[l + 1] - x, right2 = t[l + 2] - x, right3 = t[l + 3] - x
                let v0a = right1 * d[0], v1a = left1 * d[0]
                var u = v0a * d[1]
                let v0b = right1 * u
                var saved = left2 * u
                u = v1a * d[2]
                let v1b = saved + right2 * u, v2b = left1 * u
                u = v0b * d[3]
                let v0 = right1 * u
                saved = left3 * u
                u = v1b * d[4]
                let v1 = saved + right2 * u
                saved = left2 * u
                u = v2b * d[5]
                return (v0, v1, saved + right3 * u, left1 * u)
            }
        }
    }
}
