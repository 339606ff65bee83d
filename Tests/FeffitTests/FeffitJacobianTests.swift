import Foundation
import Refinement
import Testing
import TestSupport
@testable import XAS

@Suite("feffit Jacobian")
struct FeffitJacobianTests {
    /// The model's analytic ∂r/∂(path parameter) (k-space derivatives of the path sum taken through
    /// the same partial transforms as the residual) agree with central differences of the residual,
    /// for every parameter the paths read, at the recipe's start values: cu_1shell (R space), the 13
    /// Cu paths (R space, three k-weights, multiple scattering) and FeO in q space.
    @Test(arguments: [("cu_1shell", "main"), ("cu_13paths_ms", "main"), ("feo_2path", "q")])
    func analyticMatchesCentralDifferences(_ name: String, _ variant: String) throws {
        guard let start = try startingModel(name, variant) else { return }
        let (model, _, p) = start
        let names = model.pathParameter.keys.sorted()
        let columns = try #require(try model.derivatives(p, for: names))
        #expect(columns.count == names.count)
        for (c, name) in names.enumerated() {
            let slot = try #require(p.index(of: name))
            let kind = model.pathParameter[name]![0].2  // index in PathParameterValues.names
            let value = p.values[slot]
            let h = kind == 6 ? 1e-9 : kind == 5 ? 1e-8 : max(1e-6, 1e-5 * abs(value))
            var up = p, down = p
            up.values[slot] += h
            down.values[slot] -= h
            let ru = try model.residuals(up), rd = try model.residuals(down)
            let numeric = zip(ru, rd).map { ($0 - $1) / (2 * h) }
            let scale = numeric.map(abs).max() ?? 0
            let worst = zip(columns[c], numeric).map { abs($0 - $1) }.max() ?? .infinity
            #expect(scale > 0, "\(name): no effect on the residual")
            #expect(worst <= 1e-5 * scale, "\(name): analytic and central-difference columns differ by \(worst) (scale \(scale))")
        }
    }
}

@Suite("feffit residual map")
struct FeffitResidualMapTests {
    /// The folded partial DFT (`FitSpaceTransform`) gives the residual Larch's way computes it: the
    /// full nfft-point FFT of the windowed, k-weighted difference (and in q space the inverse FFT
    /// under the R window), at the recipe's start values, to 1e-12 of the largest residual.
    @Test(arguments: [("cu_1shell", "main"), ("cu_13paths_ms", "main"), ("feo_2path", "q"), ("feo_2path", "r")])
    func foldedMapMatchesFFT(_ name: String, _ variant: String) throws {
        guard let start = try startingModel(name, variant) else { return }
        let (model, prepared, p) = start
        let mapped = try model.residuals(p)
        // The same residual through the FFT: model χ summed path by path on the active points.
        var expected: [Double] = []
        for (d, ds) in prepared.enumerated() {
            #expect(ds.fitMap != nil)
            var diff = ds.chiData
            for j in ds.models.indices {
                let v = ds.pathValues(j, p.values, model.slots(p)[d])
                let chi = ds.models[j].chi(k: ds.activeK, v).chi
                for i in chi.indices { diff[i] -= chi[i] }
            }
            let t = ds.transform
            var re = [Double](repeating: 0, count: t.settings.nfft), im = re
            for b in ds.dataset.transform.kweights.indices {
                t.forward(Array(diff.prefix(ds.activeCount)), kweightIndex: b, re: &re, im: &im)
                let eps = ds.epsilonR[b]
                if ds.dataset.transform.fitspace == .q {
                    t.reverse(re: &re, im: &im)
                    for i in t.iqmin..<t.iqmax { expected.append(re[i] / eps) }
                } else {
                    for i in t.irmin..<t.irmax { expected.append(re[i] / eps); expected.append(im[i] / eps) }
                }
            }
        }
        #expect(mapped.count == expected.count)
        let scale = expected.map(abs).max() ?? 0
        let worst = zip(mapped, expected).map { abs($0 - $1) }.max() ?? .infinity
        #expect(scale > 0 && worst <= 1e-12 * scale, "\(name)/\(variant): folded map and FFT differ by \(worst) (scale \(scale))")
    }

    /// The Jacobian after a residual at the same point reuses that residual's χ̃ (no second exp,
    /// sin, cos): the columns equal those computed from scratch to 1e-12 of the largest.
    @Test(arguments: ["cu_1shell", "cu_3shell_c3", "cu_13paths_ms"])
    func reusedChiGivesTheSameColumns(_ name: String) throws {
        guard let loader = try RecipeLoader(name) else { return }
        let datasets = try loader.datasets(variant: loader.variants[0])
        let paths = try PathExpressions(datasets: datasets, parameters: loader.parameters(), functions: Feffit.functions)
        func model() throws -> FeffitModel {
            FeffitModel(datasets: try datasets.enumerated().map { d, ds in try PreparedDataSet(ds, parameterNames: paths.names[d]) })
        }
        let p = try paths.parameters.evaluated(functions: paths.functions)
        let names = try model().pathParameter.keys.sorted()
        let fresh = try #require(try model().modelDerivatives(p, for: names))
        let warm = try model()
        _ = try warm.residuals(p)
        #expect(warm.workspace.pathChi.allSatisfy { $0.allSatisfy { $0.values != nil } })
        let reused = try #require(try warm.modelDerivatives(p, for: names))
        for (c, name) in names.enumerated() {
            let scale = fresh[c].map(abs).max() ?? 0
            let worst = zip(fresh[c], reused[c]).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst <= 1e-12 * scale, "\(name): reused χ̃ changes the column by \(worst) (scale \(scale))")
        }
    }
}

@Suite("folded partial DFT")
struct FoldedTransformTests {
    /// `FitSpaceTransform.apply` against the direct sums of its definition, for odd and even k
    /// widths and q counts and several vectors at once: χ(R_j) = (kstep/√π)·Σₘ xₘ·W(kₘ)·e^{−2πijm/N},
    /// χ(q_i) = Re (4√π/kstep)/N·Σⱼ W(Rⱼ)·χ(Rⱼ)·e^{+2πiij/N}; to 1e-12 of the largest value.
    @Test(arguments: [(60, 7, 5), (61, 8, 6), (97, 3, 1), (96, 10, 9)])
    func matchesDirectSums(_ inputCount: Int, _ firstNonZero: Int, _ vectors: Int) {
        let n: Int = 256, kstep: Double = 0.05
        let kwin: [Double] = (0..<n).map { (i: Int) -> Double in
            if i < firstNonZero || i >= inputCount - 2 { return 0 }
            return 0.5 + 0.5 * sin(Double(i) * 0.37)
        }
        let rwin: [Double] = (0..<n).map { (j: Int) -> Double in
            if j < 9 || j >= 30 { return 0 }
            return 0.3 + Double(j % 5) * 0.1
        }
        for qRange in [nil, 20..<57, 20..<58] as [Range<Int>?] {
            let map = FitSpaceTransform(nfft: n, kstep: kstep, kwin: kwin, inputCount: inputCount, rRange: 12..<25,
                                        rwin: qRange == nil ? nil : rwin, qRange: qRange)
            let width = map.inputWidth, first = map.firstInput
            let x: [Double] = (0..<(width * vectors)).map { (i: Int) -> Double in sin(1.7 * Double(i)) + 0.2 * cos(0.11 * Double(i * i)) }
            var out = [Double](repeating: .nan, count: map.outputCount * vectors)
            x.withUnsafeBufferPointer { xb in out.withUnsafeMutableBufferPointer { map.apply(xb.baseAddress!, count: vectors, into: $0.baseAddress!) } }
            let rIndices: [Int] = qRange == nil ? Array(12..<25) : (0..<(n / 2)).filter { rwin[$0] != 0 }
            var expected: [Double] = []
            for v in 0..<vectors {
                var chiR: [(Double, Double)] = []
                for j in rIndices {
                    var re = 0.0, im = 0.0
                    for m in first..<inputCount {
                        let y: Double = kstep / Double.pi.squareRoot() * x[v * width + m - first] * kwin[m]
                        let jm: Int = j * m
                        let angle: Double = 2 * Double.pi * Double(jm) / Double(n)
                        re += y * cos(angle); im -= y * sin(angle)
                    }
                    chiR.append((re, im))
                }
                if let qRange {
                    for i in qRange {
                        var s = 0.0
                        for (c, j) in rIndices.enumerated() {
                            let ij: Int = i * j
                            let angle: Double = 2 * Double.pi * Double(ij) / Double(n)
                            let term: Double = chiR[c].0 * cos(angle) - chiR[c].1 * sin(angle)
                            s += rwin[j] * term
                        }
                        expected.append(4 * Double.pi.squareRoot() / kstep / Double(n) * s)
                    }
                } else {
                    for (re, im) in chiR { expected.append(re); expected.append(im) }
                }
            }
            #expect(out.count == expected.count)
            let scale = expected.map(abs).max() ?? 0
            let worst = zip(out, expected).map { abs($0 - $1) }.max() ?? .infinity
            #expect(scale > 0 && worst <= 1e-12 * scale, "width \(width), q \(String(describing: qRange)): differ by \(worst) (scale \(scale))")
        }
    }
}

/// The feffit model of a shared recipe (`variant`, or its first one) at the recipe's start values: the
/// model, its prepared data sets and the parameter values; nil (skipped) where ../shared is absent.
private func startingModel(_ name: String, _ variant: String) throws -> (FeffitModel, [PreparedDataSet], ParameterValues)? {
    guard let loader = try RecipeLoader(name) else { return nil }
    let datasets = try loader.datasets(variant: loader.variants.contains(variant) ? variant : loader.variants[0])
    let paths = try PathExpressions(datasets: datasets, parameters: loader.parameters(), functions: Feffit.functions)
    let prepared = try datasets.enumerated().map { d, ds in try PreparedDataSet(ds, parameterNames: paths.names[d]) }
    return (FeffitModel(datasets: prepared), prepared, try paths.parameters.evaluated(functions: paths.functions))
}
