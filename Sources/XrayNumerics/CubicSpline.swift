import Foundation

/// Interpolation by the not-a-knot cubic spline through fixed nodes x, reusable for many y.
///
/// This is the same curve as FITPACK's interpolating spline (`UnivariateSpline(x, y, s=0)`,
/// `interp1d(kind="cubic")`): continuous second derivative, third derivative continuous at x₁ and
/// xₙ₋₂. The tridiagonal factorisation depends only on x and is done once; each `evaluate` is O(n + m).
/// Beyond the ends the end cubic pieces are extended. With 3 nodes the curve is the parabola
/// through them, with 2 the line.
public struct NotAKnotCubicSpline: Sendable {
    public let nodes: [Double]
    private let h: [Double]
    // Modified tridiagonal system over second derivatives M₁…Mₙ₋₂ (Thomas factors).
    private let lower: [Double]
    private let diagInv: [Double]
    private let upperPrime: [Double]

    /// Prepares interpolation on `nodes` (strictly increasing, ≥ 2); nil otherwise.
    public init?(nodes: [Double]) {
        let n = nodes.count
        guard n >= 2 else { return nil }
        for i in 1..<n where !(nodes[i] > nodes[i - 1]) { return nil }
        self.nodes = nodes
        var h = [Double](repeating: 0, count: n - 1)
        for i in 0..<(n - 1) { h[i] = nodes[i + 1] - nodes[i] }
        self.h = h
        guard n >= 4 else { lower = []; diagInv = []; upperPrime = []; return }
        let m = n - 2  // unknowns M₁ … Mₙ₋₂
        var a = [Double](repeating: 0, count: m), b = a, c = a
        for r in 0..<m {
            let i = r + 1
            a[r] = h[i - 1]; b[r] = 2 * (h[i - 1] + h[i]); c[r] = h[i]
        }
        // Not-a-knot at the left: M₀ = ((h0+h1) M₁ − h0 M₂)/h1 folded into row 1.
        let h0 = h[0], h1 = h[1]
        b[0] += h0 * (h0 + h1) / h1
        c[0] -= h0 * h0 / h1
        // And at the right: Mₙ₋₁ = ((hₙ₋₂+hₙ₋₃) Mₙ₋₂ − hₙ₋₂ Mₙ₋₃)/hₙ₋₃.
        let hl = h[n - 2], hp = h[n - 3]
        b[m - 1] += hl * (hl + hp) / hp
        a[m - 1] -= hl * hl / hp
        if m == 2 {
            // Both corrections touch the same 2×2 block; the factorisation below handles it.
        }
        var cp = [Double](repeating: 0, count: m), dinv = [Double](repeating: 0, count: m)
        var denom = b[0]
        dinv[0] = 1 / denom
        cp[0] = c[0] * dinv[0]
        for r in 1..<m {
            denom = b[r] - a[r] * cp[r - 1]
            dinv[r] = 1 / denom
            cp[r] = c[r] * dinv[r]
        }
        lower = a
        diagInv = dinv
        upperPrime = cp
    }

    /// Second derivatives at the nodes for values `y`.
    private func secondDerivatives(_ y: UnsafeBufferPointer<Double>) -> [Double] {
        let n = nodes.count
        var mAll = [Double](repeating: 0, count: n)
        guard n >= 4 else { return mAll }
        var d = [Double](repeating: 0, count: n)
        mAll.withUnsafeMutableBufferPointer { mb in
            d.withUnsafeMutableBufferPointer { secondDerivatives(y, into: mb.baseAddress!, scratch: $0.baseAddress!) }
        }
        return mAll
    }

    /// The spline through (nodes, y) as polynomial pieces, for evaluating it many times.
    public func curve(y: [Double]) -> PiecewiseCubic {
        let n = nodes.count
        precondition(y.count == n, "NotAKnotCubicSpline: y must have one value per node")
        var c0 = [Double](repeating: 0, count: n - 1), c1 = c0, c2 = c0, c3 = c0
        if n == 2 {
            c0[0] = y[0]; c1[0] = (y[1] - y[0]) / h[0]
        } else if n == 3 {
            // The parabola through three points, written about each left node.
            let d1 = (y[1] - y[0]) / h[0], d2 = (y[2] - y[1]) / h[1]
            let a2 = (d2 - d1) / (nodes[2] - nodes[0])
            for i in 0..<2 {
                let t = nodes[i] - nodes[0]
                c0[i] = y[0] + t * (d1 + a2 * (t - h[0]))
                c1[i] = d1 + a2 * (2 * t - h[0])
                c2[i] = a2
            }
        } else {
            let m2 = y.withUnsafeBufferPointer { secondDerivatives($0) }
            for i in 0..<(n - 1) {
                let hi = h[i]
                c0[i] = y[i]
                c1[i] = (y[i + 1] - y[i]) / hi - hi * (2 * m2[i] + m2[i + 1]) / 6
                c2[i] = m2[i] / 2
                c3[i] = (m2[i + 1] - m2[i]) / (6 * hi)
            }
        }
        return PiecewiseCubic(nodes: nodes, c0: c0, c1: c1, c2: c2, c3: c3)
    }

    /// The splines through (nodes, yᵢ) for several value sets `ys`, each evaluated at `points`
    /// (increasing): `result[i][j]` = spline of `ys[i]` at `points[j]`. The interval and the four
    /// weights of each point are found once for all value sets, so each costs a tridiagonal solve
    /// and four products per point.
    public func evaluate(columns ys: [[Double]], at points: [Double]) -> [[Double]] {
        let n = nodes.count
        guard n >= 4 else { return ys.map { evaluate(y: $0, at: points) } }
        let count = points.count
        // Per point: interval i and weights of M[i], M[i+1], y[i], y[i+1] (the formula of `evaluate`).
        var interval = [Int](repeating: 0, count: count)
        var weights = [Double](repeating: 0, count: 4 * count)
        var i = 0
        for (j, p) in points.enumerated() {
            if p < nodes[i] { i = 0 }
            while i < n - 2 && p >= nodes[i + 1] { i += 1 }
            let hi = h[i]
            let a = nodes[i + 1] - p, b = p - nodes[i]
            interval[j] = i
            weights[4 * j] = a * a * a / (6 * hi) - hi * a / 6
            weights[4 * j + 1] = b * b * b / (6 * hi) - hi * b / 6
            weights[4 * j + 2] = a / hi
            weights[4 * j + 3] = b / hi
        }
        // Four value sets at a time, one per SIMD lane: the same tridiagonal solve as
        // `secondDerivatives`, then the weighted sum per point.
        let m = n - 2
        var results = [[Double]](repeating: [], count: ys.count)
        var yv = [SIMD4<Double>](repeating: .zero, count: n), mv = yv, dv = yv
        var group = 0
        while group < ys.count {
            let width = min(4, ys.count - group)
            for c in 0..<width { precondition(ys[group + c].count == n, "NotAKnotCubicSpline: y must have one value per node") }
            for i in 0..<n {
                var v = SIMD4<Double>()
                for c in 0..<width { v[c] = ys[group + c][i] }
                yv[i] = v
            }
            var outs = [Double](repeating: 0, count: 4 * count)  // point-major, four lanes
            yv.withUnsafeBufferPointer { y in
            mv.withUnsafeMutableBufferPointer { mb in
            dv.withUnsafeMutableBufferPointer { d in
            h.withUnsafeBufferPointer { h in
            lower.withUnsafeBufferPointer { lower in
            diagInv.withUnsafeBufferPointer { diagInv in
            upperPrime.withUnsafeBufferPointer { upperPrime in
                var previous = (y[1] - y[0]) / h[0]
                for r in 0..<m {
                    let next = (y[r + 2] - y[r + 1]) / h[r + 1]
                    d[r] = 6 * (next - previous)
                    previous = next
                }
                d[0] *= diagInv[0]
                for r in 1..<m { d[r] = (d[r] - lower[r] * d[r - 1]) * diagInv[r] }
                for r in stride(from: m - 2, through: 0, by: -1) { d[r] -= upperPrime[r] * d[r + 1] }
                for r in 0..<m { mb[r + 1] = d[r] }
                let h0 = h[0], h1 = h[1]
                mb[0] = ((h0 + h1) * mb[1] - h0 * mb[2]) / h1
                let hl = h[n - 2], hp = h[n - 3]
                mb[n - 1] = ((hl + hp) * mb[n - 2] - hl * mb[n - 3]) / hp
                weights.withUnsafeBufferPointer { w in
                interval.withUnsafeBufferPointer { interval in
                outs.withUnsafeMutableBytes { o in
                    for j in 0..<count {
                        let k = interval[j]
                        let curvature: SIMD4<Double> = mb[k] * w[4 * j] + mb[k + 1] * w[4 * j + 1]
                        let v: SIMD4<Double> = curvature + y[k] * w[4 * j + 2] + y[k + 1] * w[4 * j + 3]
                        o.storeBytes(of: v, toByteOffset: 32 * j, as: SIMD4<Double>.self)
                    }
                }}}
            }}}}}}}
            for c in 0..<width {
                results[group + c] = outs.withUnsafeBufferPointer { o in (0..<count).map { o[4 * $0 + c] } }
            }
            group += width
        }
        return results
    }

    /// `secondDerivatives` into `m` (n long) with `scratch` (n long) for the solve; n ≥ 4.
    private func secondDerivatives(_ y: UnsafeBufferPointer<Double>, into mAll: UnsafeMutablePointer<Double>,
                                   scratch d: UnsafeMutablePointer<Double>) {
        let n = nodes.count
        let m = n - 2
        h.withUnsafeBufferPointer { h in
        lower.withUnsafeBufferPointer { lower in
        diagInv.withUnsafeBufferPointer { diagInv in
        upperPrime.withUnsafeBufferPointer { upperPrime in
            var previous = (y[1] - y[0]) / h[0]
            for r in 0..<m {
                let i = r + 1
                let next = (y[i + 1] - y[i]) / h[i]
                d[r] = 6 * (next - previous)
                previous = next
            }
            d[0] *= diagInv[0]
            for r in 1..<m { d[r] = (d[r] - lower[r] * d[r - 1]) * diagInv[r] }
            for r in stride(from: m - 2, through: 0, by: -1) { d[r] -= upperPrime[r] * d[r + 1] }
            for r in 0..<m { mAll[r + 1] = d[r] }
            let h0 = h[0], h1 = h[1]
            mAll[0] = ((h0 + h1) * mAll[1] - h0 * mAll[2]) / h1
            let hl = h[n - 2], hp = h[n - 3]
            mAll[n - 1] = ((hl + hp) * mAll[n - 2] - hl * mAll[n - 3]) / hp
        }}}}
    }

    /// The spline through (nodes, y) evaluated at `points` (any order; fastest when increasing).
    public func evaluate(y: [Double], at points: [Double]) -> [Double] {
        let n = nodes.count
        precondition(y.count == n, "NotAKnotCubicSpline: y must have one value per node")
        var out = [Double](repeating: 0, count: points.count)
        y.withUnsafeBufferPointer { yb in
            if n == 2 {
                for (j, p) in points.enumerated() { out[j] = yb[0] + (yb[1] - yb[0]) * (p - nodes[0]) / h[0] }
                return
            }
            if n == 3 {
                // Parabola through three points (Newton form).
                let d1 = (yb[1] - yb[0]) / h[0], d2 = (yb[2] - yb[1]) / h[1]
                let c2 = (d2 - d1) / (nodes[2] - nodes[0])
                for (j, p) in points.enumerated() { out[j] = yb[0] + (p - nodes[0]) * (d1 + c2 * (p - nodes[1])) }
                return
            }
            let m2 = secondDerivatives(yb)
            nodes.withUnsafeBufferPointer { nb in
                m2.withUnsafeBufferPointer { mb in
                    out.withUnsafeMutableBufferPointer { ob in Self.evaluatePieces(nodes: nb, y: yb, m: mb, at: points, into: ob) }
                }
            }
        }
        return out
    }

    /// The spline through (nodes, y) with second derivatives `m` at the nodes, at `points` (any
    /// order; fastest when increasing), written into `out`; n ≥ 4.
    @inline(__always)
    private static func evaluatePieces(nodes: UnsafeBufferPointer<Double>, y yb: UnsafeBufferPointer<Double>, m m2: UnsafeBufferPointer<Double>,
                                       at points: [Double], into out: UnsafeMutableBufferPointer<Double>) {
        let n = nodes.count
        var i = 0
        for (j, p) in points.enumerated() {
            // Locate interval i with nodes[i] ≤ p < nodes[i+1], clamped to [0, n−2].
            if p < nodes[i] || (i < n - 2 && p >= nodes[i + 1]) {
                if p < nodes[i] { i = 0 }
                while i < n - 2 && p >= nodes[i + 1] { i += 1 }
            }
            let hi = nodes[i + 1] - nodes[i]
            let a = nodes[i + 1] - p, b = p - nodes[i]
            out[j] = (m2[i] * a * a * a + m2[i + 1] * b * b * b) / (6 * hi)
                + (yb[i] / hi - m2[i] * hi / 6) * a + (yb[i + 1] / hi - m2[i + 1] * hi / 6) * b
        }
    }

    /// The spline through (nodes, y) at `points`, for one set of values: the same numbers as
    /// `NotAKnotCubicSpline(nodes:)?.evaluate(y:at:)` (the same operations in the same order),
    /// with the factorisation of the tridiagonal system and the forward sweep of its solve done in
    /// one pass (the two dependency chains overlap) and no factors stored.
    /// Nil unless `nodes` is strictly increasing with at least 2 points and `y` as long.
    public static func interpolate(nodes: [Double], y: [Double], at points: [Double]) -> [Double]? {
        let n = nodes.count
        guard n >= 2, y.count == n else { return nil }
        for i in 1..<n where !(nodes[i] > nodes[i - 1]) { return nil }
        guard n >= 4 else { return NotAKnotCubicSpline(nodes: nodes)?.evaluate(y: y, at: points) }
        var out = [Double](repeating: 0, count: points.count)
        var m2 = [Double](repeating: 0, count: n), upper = [Double](repeating: 0, count: n)
        nodes.withUnsafeBufferPointer { x in
        y.withUnsafeBufferPointer { yb in
        m2.withUnsafeMutableBufferPointer { mb in
        upper.withUnsafeMutableBufferPointer { cp in
            let m = n - 2
            let h0 = x[1] - x[0], h1 = x[2] - x[1]
            let hl = x[n - 1] - x[n - 2], hp = x[n - 2] - x[n - 3]
            // Row r (node i = r + 1) of the system of `init`, with its not-a-knot corrections;
            // d (the right-hand side, eliminated) goes into mb[r + 1].
            var previous = (yb[1] - yb[0]) / h0
            var cpPrevious = 0.0, dPrevious = 0.0
            for r in 0..<m {
                let i = r + 1
                let hm = x[i] - x[i - 1], hi = x[i + 1] - x[i]
                var a = hm, b = 2 * (hm + hi), c = hi
                if r == 0 { b += h0 * (h0 + h1) / h1; c -= h0 * h0 / h1 }
                if r == m - 1 { b += hl * (hl + hp) / hp; a -= hl * hl / hp }
                let next = (yb[i + 1] - yb[i]) / hi
                var d = 6 * (next - previous)
                previous = next
                if r == 0 {
                    let dinv = 1 / b
                    cp[0] = c * dinv
                    d *= dinv
                } else {
                    let dinv = 1 / (b - a * cpPrevious)
                    cp[r] = c * dinv
                    d = (d - a * dPrevious) * dinv
                }
                cpPrevious = cp[r]; dPrevious = d
                mb[r + 1] = d
            }
            for r in stride(from: m - 2, through: 0, by: -1) { mb[r + 1] -= cp[r] * mb[r + 2] }
            mb[0] = ((h0 + h1) * mb[1] - h0 * mb[2]) / h1
            mb[n - 1] = ((hl + hp) * mb[n - 2] - hl * mb[n - 3]) / hp
            out.withUnsafeMutableBufferPointer { ob in evaluatePieces(nodes: x, y: yb, m: UnsafeBufferPointer(mb), at: points, into: ob) }
        }}}}
        return out
    }
}

/// A piecewise cubic: on [xᵢ, xᵢ₊₁] the value is c0ᵢ + c1ᵢ·t + c2ᵢ·t² + c3ᵢ·t³ with t = x − xᵢ;
/// the end pieces extend beyond the nodes (as FITPACK's `splev` with `ext=0` does).
public struct PiecewiseCubic: Sendable {
    public let nodes: [Double]
    public let c0: [Double], c1: [Double], c2: [Double], c3: [Double]

    /// Index of the piece holding x (clamped to the end pieces), by bisection.
    @inline(__always)
    public func piece(_ x: Double) -> Int {
        var lo = 0, hi = nodes.count - 2
        if x >= nodes[hi] { return hi }
        while hi - lo > 1 {
            let mid = (lo + hi) >> 1
            if nodes[mid] <= x { lo = mid } else { hi = mid }
        }
        return lo
    }

    /// Index of the piece holding x, walking forward from `hint` (fast for increasing x; falls back
    /// to bisection when x is left of the hint's piece).
    @inline(__always)
    public func piece(_ x: Double, from hint: Int) -> Int {
        let last = nodes.count - 2
        guard hint <= last, x >= nodes[hint] else { return piece(x) }
        var i = hint
        while i < last && x >= nodes[i + 1] { i += 1 }
        return i
    }

    /// The value and first derivative at x on piece `i` (as returned by `piece`).
    @inline(__always)
    public func valueAndSlope(_ x: Double, piece i: Int) -> (Double, Double) {
        let t = x - nodes[i]
        return (c0[i] + t * (c1[i] + t * (c2[i] + t * c3[i])), c1[i] + t * (2 * c2[i] + 3 * t * c3[i]))
    }

    /// The value at x.
    @inline(__always)
    public func value(_ x: Double) -> Double {
        let i = piece(x)
        let t = x - nodes[i]
        return c0[i] + t * (c1[i] + t * (c2[i] + t * c3[i]))
    }

    /// The value and first derivative at x.
    @inline(__always)
    public func valueAndSlope(_ x: Double) -> (Double, Double) {
        let i = piece(x)
        let t = x - nodes[i]
        return (c0[i] + t * (c1[i] + t * (c2[i] + t * c3[i])), c1[i] + t * (2 * c2[i] + 3 * t * c3[i]))
    }
}
