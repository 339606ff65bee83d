import Foundation
import Testing
import XrayNumerics

@Suite("XrayNumerics building blocks")
struct NumericsTests {
    @Test func fftMatchesDirectDFT() throws {
        let n = 64
        let plan = try #require(FFTPlan(count: n))
        let x = (0..<n).map { sin(0.3 * Double($0)) + 0.1 * Double($0 % 7) }
        var re = x, im = [Double](repeating: 0, count: n)
        plan.forward(real: &re, imag: &im)
        for j in [0, 1, 5, 31, 63] {
            var sr = 0.0, si = 0.0
            for m in 0..<n {
                let a = -2 * Double.pi * Double(j * m) / Double(n)
                sr += x[m] * cos(a); si += x[m] * sin(a)
            }
            #expect(abs(re[j] - sr) < 1e-10 && abs(im[j] - si) < 1e-10)
        }
        plan.inverse(real: &re, imag: &im)
        #expect(zip(re, x).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(FFTPlan(count: 100) == nil)
    }

    /// Lengths whose span ≥ 4 stages pair up evenly (1024) or leave one single stage (512, 2048),
    /// complex input, against the direct DFT.
    @Test(arguments: [8, 16, 512, 1024, 2048])
    func fftMatchesDirectDFTAtLength(n: Int) throws {
        let plan = try #require(FFTPlan(count: n))
        let xr = (0..<n).map { sin(0.37 * Double($0)) + 0.2 * Double($0 % 5) }
        let xi = (0..<n).map { cos(0.11 * Double($0 * $0 % 97)) }
        var re = xr, im = xi
        plan.forward(real: &re, imag: &im)
        let scale = xr.reduce(0) { $0 + abs($1) } + xi.reduce(0) { $0 + abs($1) }
        for j in [0, 1, 3, n / 4 + 1, n / 2, n - 1] {
            var sr = 0.0, si = 0.0
            for m in 0..<n {
                let a = -2 * Double.pi * Double((j * m) % n) / Double(n)
                sr += xr[m] * cos(a) - xi[m] * sin(a); si += xr[m] * sin(a) + xi[m] * cos(a)
            }
            #expect(abs(re[j] - sr) <= 1e-13 * scale && abs(im[j] - si) <= 1e-13 * scale, "n = \(n), j = \(j)")
        }
        plan.inverse(real: &re, imag: &im)
        #expect(zip(re, xr).allSatisfy { abs($0 - $1) < 1e-12 } && zip(im, xi).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    @Test func notAKnotSplineReproducesCubics() throws {
        // A cubic is reproduced exactly by the not-a-knot interpolant, on an irregular grid.
        let x = [0.0, 0.3, 1.1, 1.5, 2.6, 3.0, 4.4, 5.0]
        let f = { (t: Double) in 1 - 2 * t + 0.5 * t * t - 0.1 * t * t * t }
        let spline = try #require(NotAKnotCubicSpline(nodes: x))
        let pts = [0.1, 0.9, 2.0, 3.7, 4.9, 5.5, -0.5]
        let v = spline.evaluate(y: x.map(f), at: pts)
        for (p, value) in zip(pts, v) { #expect(abs(value - f(p)) < 1e-10) }
        #expect(NotAKnotCubicSpline(nodes: [0, 1, 1, 2]) == nil)
    }

    @Test func bsplineInterpolantMatchesNotAKnot() throws {
        let x = [0.0, 0.5, 1.2, 2.0, 2.7, 3.1, 4.0]
        let y = x.map { sin($0) }
        let b = try #require(BSpline.interpolating(x: x, y: y))
        #expect(b.knots.count == x.count + 4)
        let pts = stride(from: -0.2, through: 4.2, by: 0.1).map { $0 }
        let a = b.evaluate(at: pts)
        let c = try #require(NotAKnotCubicSpline(nodes: x)).evaluate(y: y, at: pts)
        for i in 0..<pts.count { #expect(abs(a[i] - c[i]) < 1e-10) }
        let atNodes = b.evaluate(at: x)
        for i in 0..<x.count { #expect(abs(atNodes[i] - y[i]) < 1e-12) }
    }

    @Test func polynomialFitRecoversCoefficients() throws {
        let x = stride(from: 7000.0, through: 7800, by: 10).map { $0 }
        let y = x.map { 3 - 0.002 * $0 + 1e-7 * $0 * $0 }
        let c = try #require(polynomialFit(x: x, y: y, degree: 2))
        for (xi, yi) in zip(x, y) { #expect(abs(evaluatePolynomial(c, at: xi) - yi) < 1e-9) }
        #expect(polynomialFit(x: [1, 2], y: [1, 2], degree: 2) == nil)
    }

    @Test func levenbergMarquardtFitsExponential() {
        let t = (0..<40).map { Double($0) * 0.25 }
        let y = t.map { 2.5 * exp(-0.7 * $0) + 0.3 }
        let result = levenbergMarquardt(initial: [1, -0.1, 0], residuals: { p in zip(t, y).map { p[0] * exp(p[1] * $0.0) + p[2] - $0.1 } })
        #expect(result.converged)
        #expect(abs(result.parameters[0] - 2.5) < 1e-6 && abs(result.parameters[1] + 0.7) < 1e-6 && abs(result.parameters[2] - 0.3) < 1e-6)
    }

    /// With the offset bounded to ≤ 0.1 (true value 0.3), the fit stops on the bound and the other
    /// parameters take the best values given it; the same fit with a box that holds the optimum
    /// agrees with the unbounded one.
    @Test func boundedLevenbergMarquardtStaysInTheBox() {
        let t = (0..<40).map { Double($0) * 0.25 }
        let y = t.map { 2.5 * exp(-0.7 * $0) + 0.3 }
        let model = { (p: [Double]) in zip(t, y).map { p[0] * exp(p[1] * $0.0) + p[2] - $0.1 } }
        var options = LevenbergMarquardtOptions(ftol: 1e-12, xtol: 1e-12)
        options.lower = [0, -5, -1]
        options.upper = [10, 0, 0.1]
        let bounded = levenbergMarquardt(initial: [1, -0.1, 0], options: options, residuals: model)
        #expect(bounded.parameters[2] == 0.1)
        #expect(bounded.chiSquare > 1e-3)
        // Optimality on the face p2 = 0.1: the gradient in p0 and p1 vanishes.
        let best = levenbergMarquardt(initial: [bounded.parameters[0], bounded.parameters[1]],
                                      options: LevenbergMarquardtOptions(ftol: 1e-14, xtol: 1e-14)) { q in model([q[0], q[1], 0.1]) }
        #expect(abs(best.chiSquare - bounded.chiSquare) / best.chiSquare < 1e-6)
        options.upper = [10, 0, 1]
        let roomy = levenbergMarquardt(initial: [1, -0.1, 0], options: options, residuals: model)
        #expect(abs(roomy.parameters[2] - 0.3) < 1e-6 && abs(roomy.parameters[1] + 0.7) < 1e-6)
    }

    @Test func nnlsKeepsWeightsNonNegative() throws {
        // b = 2·a0 − 1·a1 + noise-free: the unconstrained solution has a negative weight.
        let a0 = [1.0, 2, 3, 4, 5], a1 = [1.0, 1, 1, 1, 1], a2 = [0.0, 1, 0, 1, 0]
        let b = zip(a0, a1).map { 2 * $0 - $1 }
        let x = try #require(nonNegativeLeastSquares(columns: [a0, a1, a2], b: b))
        #expect(x.allSatisfy { $0 >= 0 })
        // Check KKT: gradient ≤ 0 for zero weights.
        var r = b
        for j in 0..<3 { for i in 0..<5 { r[i] -= [a0, a1, a2][j][i] * x[j] } }
        for j in 0..<3 {
            let g = zip([a0, a1, a2][j], r).reduce(0) { $0 + $1.0 * $1.1 }
            if x[j] == 0 { #expect(g <= 1e-9) } else { #expect(abs(g) < 1e-9) }
        }
        let exact = try #require(nonNegativeLeastSquares(columns: [a0, a2], b: a0.map { 0.5 * $0 }))
        #expect(abs(exact[0] - 0.5) < 1e-12 && exact[1] == 0)
    }

    @Test func windowsHaveUnitPlateau() {
        let k = (0..<400).map { 0.05 * Double($0) }
        for shape in TaperShape.allCases where shape != .gaussian {
            let w = taperWindow(x: k, xmin: 3, xmax: 12, dx: 1, shape: shape)
            #expect(w[0] == 0 || shape == .kaiser, "\(shape)")
            #expect(w.allSatisfy { $0 >= -1e-12 && $0 <= 1 + 1e-12 }, "\(shape)")
            #expect(w[150] > 0.5, "\(shape)")  // k = 7.5 is inside the window
        }
        #expect(TaperShape(name: "Kaiser-Bessel") == .kaiser && TaperShape(name: "hann") == .hanning && TaperShape(name: "box") == nil)
        #expect(abs(besselI0(1) - 1.2660658777520082) < 1e-14)
    }
}
