import Foundation
import Testing
import XrayNumerics

/// The fast paths of the XAS chain give the numbers of the plain definitions they replace.
@Suite("XrayNumerics fast paths")
struct FastPathTests {
    /// Uneven nodes and smooth values (deterministic).
    static let nodes: [Double] = (0..<40).map { i in Double(i) * 0.5 + 0.1 * sin(Double(i)) }

    @Test func splineColumnsEqualOneAtATime() throws {
        let spline = try #require(NotAKnotCubicSpline(nodes: Self.nodes))
        let points = stride(from: -0.3, through: 20.2, by: 0.05).map { $0 }
        // Six value sets: one full group of four SIMD lanes and a partial one.
        let columns = (0..<6).map { c in Self.nodes.map { cos(0.3 * Double(c + 1) * $0) + Double(c) } }
        let together = spline.evaluate(columns: columns, at: points)
        for (c, y) in columns.enumerated() {
            let alone = spline.evaluate(y: y, at: points)
            for j in points.indices { #expect(abs(together[c][j] - alone[j]) <= 1e-12 * max(1, abs(alone[j]))) }
        }
    }

    /// The one-shot interpolation (factorisation and solve in one sweep) gives exactly the numbers of
    /// the prepared spline, for 4 nodes (both not-a-knot corrections on a 2 × 2 system) and more.
    @Test func oneShotSplineEqualsThePreparedOne() throws {
        let points = stride(from: -0.3, through: 20.2, by: 0.05).map { $0 }
        for count in [4, 5, 40] {
            let nodes = Array(Self.nodes.prefix(count))
            let y = nodes.map { cos(0.7 * $0) + 0.1 * $0 * $0 }
            let prepared = try #require(NotAKnotCubicSpline(nodes: nodes)).evaluate(y: y, at: points)
            let once = try #require(NotAKnotCubicSpline.interpolate(nodes: nodes, y: y, at: points))
            #expect(once == prepared, "\(count) nodes")
        }
        #expect(NotAKnotCubicSpline.interpolate(nodes: [0, 1, 1, 2], y: [0, 1, 2, 3], at: [0.5]) == nil)
        #expect(NotAKnotCubicSpline.interpolate(nodes: [0, 1, 2], y: [0, 1], at: [0.5]) == nil)
    }

    /// polynomialFit (coefficients only) equals the least-squares solution of the full solver
    /// (which also forms the inverse normal matrix) on the same scaled Vandermonde columns.
    @Test func polynomialFitEqualsTheFullSolver() throws {
        let x = (0..<300).map { 7000 + Double($0) * 2.5 + 0.3 * sin(Double($0)) }
        let y = x.map { 0.2 + 1e-4 * ($0 - 7000) - 3e-8 * ($0 - 7000) * ($0 - 7000) + 0.001 * cos($0) }
        for degree in 0...3 {
            let c = try #require(polynomialFit(x: x, y: y, degree: degree))
            let mid = (x[0] + x[299]) / 2, half = (x[299] - x[0]) / 2
            let u = x.map { ($0 - mid) / half }
            let columns = (0...degree).map { p in u.map { pow($0, Double(p)) } }
            let full = try #require(solveLinearLeastSquares(columns: columns, b: y))
            #expect(full.inverseNormalMatrix != nil)
            for (i, xi) in x.enumerated() {
                let mine = evaluatePolynomial(c, at: xi)
                let theirs = (0...degree).reduce(0.0) { $0 + full.coefficients[$1] * columns[$1][i] }
                #expect(abs(mine - theirs) <= 1e-11 * abs(theirs), "degree \(degree) at x = \(xi)")
            }
        }
    }

    /// The Cholesky solve gives the solution of Gaussian elimination for a symmetric positive-definite
    /// system (a normal matrix), and nil for an indefinite one.
    @Test func choleskySolveEqualsElimination() throws {
        let n = 12
        func entry(_ i: Int, _ j: Int) -> Double {
            let angle = 0.37 * Double((i + 1) * (j + 1))
            return cos(angle) + (i == j ? 2.0 : 0.0)
        }
        var normal = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n {
                var s = 0.0
                for r in 0..<40 { s += entry(r, i) * entry(r, j) }
                normal[i * n + j] = s
            }
        }
        let b = (0..<n).map { sin(Double($0)) }
        let chol = try #require(solveSymmetricPositiveDefinite(normal, b))
        let gauss = try #require(solveLinearSystem(normal, b))
        let scale = gauss.map(abs).max()!
        for (p, q) in zip(chol, gauss) { #expect(abs(p - q) <= 1e-10 * scale) }
        #expect(solveSymmetricPositiveDefinite([1, 2, 2, 1], [1, 1]) == nil)
    }

    /// The tabulated cubic basis gives the Cox–de Boor values of `BSpline.basis`, inside and beyond the knots.
    @Test func cubicBasisTableEqualsTheRecurrence() throws {
        let x = Self.nodes.enumerated().filter { $0.offset % 3 == 0 }.map { $0.element }
        let spline = try #require(BSpline.interpolating(x: x, y: x.map { sin($0) }))
        let table = CubicBSplineBasis(knots: spline.knots)
        var h = [Double](repeating: 0, count: 4)
        for p in stride(from: -0.5, through: 21.0, by: 0.037) {
            let l = spline.interval(for: p)
            spline.basis(at: p, interval: l, into: &h)
            let v = table.values(at: p, interval: l)
            for (a, b) in zip([v.0, v.1, v.2, v.3], h) { #expect(abs(a - b) <= 1e-13 * max(1, abs(b)), "x = \(p)") }
        }
    }

    @Test func linearInterpolationAnyOrder() {
        let x = Self.nodes, y = Self.nodes.map { $0 * $0 - 3 }
        func reference(_ p: Double) -> Double {
            if p <= x[0] { return y[0] }
            if p >= x[x.count - 1] { return y[y.count - 1] }
            let lo = x.lastIndex { $0 <= p }!
            return y[lo] + (p - x[lo]) / (x[lo + 1] - x[lo]) * (y[lo + 1] - y[lo])
        }
        // Increasing, decreasing, long jumps forward (past the 8-step walk) and outside the nodes.
        let points = [-1.0, 0.2, 0.3, 7.9, 19.0, 3.0, 2.9, 0.0, 25.0, 1.7, 18.5, 18.6, 5.0]
        let got = interpolateLinear(x: x, y: y, at: points)
        for (p, v) in zip(points, got) { #expect(v == reference(p)) }
    }

    /// Larch's `smooth(..., form="lorentzian")` by its definition (direct sum of the 'valid'
    /// convolution over the mirrored grid), against the FFT correlation of `lorentzianSmooth`.
    @Test func lorentzianSmoothingEqualsTheDirectSum() throws {
        let x = (0..<150).map { 7100 + Double($0) * 0.35 + 0.05 * sin(Double($0)) }
        let y = x.map { 1 / (1 + exp(-($0 - 7125) / 2)) + 0.01 * sin($0) }
        let sigma = 0.4, xstep = 0.4
        let smoothed = try #require(lorentzianSmooth(x: x, y: y, sigma: sigma, xstep: xstep))
        // The definition, step by step.
        let gridMin = xstep * ((x[0] - 5 * xstep) / xstep).rounded(.towardZero)
        let gridMax = xstep * ((x[x.count - 1] + 5 * xstep) / xstep).rounded(.towardZero)
        let npts = min(1 + Int((abs(gridMax - gridMin + xstep * 0.1) / xstep).rounded(.towardZero)), 50 * x.count)
        let x0 = (0..<npts).map { i in i == npts - 1 ? gridMax : gridMin + Double(i) * (gridMax - gridMin) / Double(npts - 1) }
        let y0 = interpolateLinear(x: x, y: y, at: x0)
        var win = (0..<(2 * npts)).map { i -> Double in
            let t = (Double(i) - Double(npts)) / (sigma / xstep)
            return 1 / (1 + t * t)
        }
        let wsum = win.reduce(0, +)
        win = win.map { $0 / wsum }
        let y1 = Array(y0[1...].reversed()) + y0 + Array(y0.reversed())
        let y2 = (0..<npts).map { i in (0..<(2 * npts)).reduce(0.0) { $0 + win[$1] * y1[i + 2 * npts - 1 - $1] } }
        let direct = interpolateLinear(x: x0, y: y2, at: x)
        let scale = y.map(abs).max()!
        for (a, b) in zip(smoothed, direct) { #expect(abs(a - b) <= 1e-13 * scale) }
    }
}
