import Foundation
import Testing
import Diffraction
import Refinement
import TestSupport
import XrayCore

/// The forward model against GSAS-II's calculated PbSO4 pattern, with GSAS-II's refined values plugged in.
@Suite struct RietveldForwardModelTests {
    @Test func pbso4PatternMatchesGSASII() throws {
        guard let ref = try PbSO4Reference.load(), let model = try PbSO4Reference.model() else {
            print(SharedData.missing("xrd/rietveld/pbso4_xray")); return
        }
        #expect(model.twoTheta.count == 6000)
        var set = try model.defaultParameters()
        func put(_ name: String, _ v: Double) { set[name]?.value = v }
        put("scale", ref.scale.value)
        for (n, c) in ref.backgroundCoefficients.enumerated() { put("bkg_\(n)", c) }
        put("displacement", ref.displacement.value)
        for key in ["U", "V", "W", "X", "Y"] { put(key, ref.instrument[key]!.value) }
        put("SH_L", ref.instrument["SH/L"]!.value)
        for (i, axis) in ["a", "b", "c"].enumerated() { put("PbSO4_\(axis)", ref.cell[i].value) }
        for site in ref.sites {
            for (i, axis) in ["x", "y", "z"].enumerated() where set["PbSO4_\(site.label)_\(axis)"]?.expression == nil {
                put("PbSO4_\(site.label)_\(axis)", site.xyz[i])
            }
            put("PbSO4_\(site.label)_uiso", site.uiso)
        }
        let values = try set.evaluated()
        let calc = try model.calculate(values)
        let peakMax = zip(ref.ycalc, ref.background).map { $0 - $1 }.max()!
        var maxDiff = 0.0, sumSq = 0.0
        for i in 0..<6000 {
            #expect(abs(model.twoTheta[i] - ref.twoTheta[i]) < 1e-6)
            let d = abs(calc.calculated[i] - ref.ycalc[i])
            maxDiff = max(maxDiff, d); sumSq += d * d
        }
        let rms = (sumSq / 6000).squareRoot()
        print("PbSO4 forward model vs GSAS-II: max |Δy| = \(maxDiff / peakMax) of the peak max, rms \(rms / peakMax)")
        #expect(maxDiff / peakMax < 1e-3)
        #expect(rms / peakMax < 1e-4)
        let bgDiff = zip(calc.background, ref.background).map { abs($0 - $1) }.max()!
        #expect(bgDiff < 1e-3)
        let stats = RietveldStatistics(observed: model.observed, calculated: calc.calculated, background: calc.background,
                                       weight: model.weight, included: model.included, parameterCount: 33)
        print("Rwp \(stats.rwp) (GSAS-II \(ref.rwp)), Rp \(stats.rp) (\(ref.rp)), Rexp \(stats.rexp) (\(ref.rexp))")
        #expect(abs(stats.rwp - ref.rwp) < 0.005)
        #expect(abs(stats.rp - ref.rp) < 0.005)
        #expect(abs(stats.rexp - ref.rexp) < 1e-4)
        #expect(calc.lines[0].filter { $0.twoTheta <= 159.98 }.count == ref.nReflections)
    }
}
