import Foundation
import Testing
@testable import Diffraction
import Refinement
import TestSupport
import XrayCore

/// The analytic Jacobian (`RietveldModel.derivatives`) against central finite differences of the
/// calculated pattern on the PbSO4 case, for every kind of parameter. The differences hold every
/// line's quadrature rule and window fixed (GSAS-II's choices of both are discontinuous).
@Suite struct RietveldDerivativeTests {
    /// A PbSO4 model with a March–Dollase axis (so that r and its cell dependence are exercised) at
    /// values near GSAS-II's answer, with r ≠ 1, a size term, an occupancy below 1 and Pb anisotropic.
    static func setUp() throws -> (RietveldModel, ParameterValues)? {
        guard let ref = try PbSO4Reference.load(), let base = try PbSO4Reference.model() else { return nil }
        var phase = base.phases[0]
        phase.preferredOrientationAxis = SIMD3(1, 1, 1)
        phase.anisotropicSites = ["Pb"]
        let model = try RietveldModel(twoTheta: base.twoTheta, observed: base.observed, range: 9.99...159.98,
                                      instrument: base.instrument, phases: [phase], backgroundTerms: 6)
        var set = try model.defaultParameters()
        func put(_ name: String, _ v: Double) { set[name]?.value = v }
        put("scale", ref.scale.value)
        for (n, c) in ref.backgroundCoefficients.enumerated() { put("bkg_\(n)", c) }
        put("displacement", ref.displacement.value)
        put("zero", 0.013)
        for key in ["U", "V", "W", "X", "Y"] { put(key, ref.instrument[key]!.value) }
        put("SH_L", ref.instrument["SH/L"]!.value)
        for (i, axis) in ["a", "b", "c"].enumerated() { put("PbSO4_\(axis)", ref.cell[i].value) }
        for site in ref.sites {
            for (i, axis) in ["x", "y", "z"].enumerated() where set["PbSO4_\(site.label)_\(axis)"]?.expression == nil {
                put("PbSO4_\(site.label)_\(axis)", site.xyz[i])
            }
            put("PbSO4_\(site.label)_uiso", site.uiso)
        }
        put("PbSO4_md_r", 0.93)
        put("PbSO4_size_X", 1.2)
        put("PbSO4_fraction", 0.8)
        put("PbSO4_O2_occ", 0.95)
        put("PbSO4_Pb_u11", 0.012); put("PbSO4_Pb_u22", 0.02); put("PbSO4_Pb_u33", 0.015); put("PbSO4_Pb_u13", 0.003)
        return (model, try set.evaluated())
    }

    @Test func analyticMatchesCentralDifferences() throws {
        guard let (model, values) = try Self.setUp() else {
            print(SharedData.missing("xrd/rietveld/pbso4_xray")); return
        }
        // Every kind: histogram scale, background, zero, displacement, U V W X Y, SH/L, Kα2 ratio; phase
        // fraction, the six cell parameters, size, March–Dollase r; x y z, U_iso, U_ij, occupancy.
        let names: [(String, Double)] = [
            ("scale", 1e-3), ("bkg_0", 1e-2), ("bkg_3", 1e-2), ("zero", 1e-5), ("displacement", 1e-3),
            ("U", 1e-4), ("V", 1e-4), ("W", 1e-4), ("X", 1e-4), ("Y", 1e-4), ("SH_L", 1e-6), ("ka2_ratio", 1e-5),
            ("PbSO4_fraction", 1e-5), ("PbSO4_a", 1e-6), ("PbSO4_b", 1e-6), ("PbSO4_c", 1e-6),
            ("PbSO4_alpha", 1e-5), ("PbSO4_beta", 1e-5), ("PbSO4_gamma", 1e-5),
            ("PbSO4_size_X", 1e-4), ("PbSO4_md_r", 1e-6),
            ("PbSO4_Pb_x", 1e-6), ("PbSO4_Pb_z", 1e-6), ("PbSO4_O3_x", 1e-6), ("PbSO4_O3_y", 1e-6),
            ("PbSO4_O3_z", 1e-6), ("PbSO4_S_uiso", 1e-6), ("PbSO4_O1_uiso", 1e-6),
            ("PbSO4_Pb_u11", 1e-6), ("PbSO4_Pb_u22", 1e-6), ("PbSO4_Pb_u33", 1e-6), ("PbSO4_Pb_u13", 1e-6), ("PbSO4_O2_occ", 1e-6),
            ("PbSO4_Pb_occ", 1e-6),
        ]
        let jacobian = try #require(try model.derivatives(values, for: names.map(\.0)))
        let layout = try model.lineLayout(values)
        let used = model.usedIndices
        var worst = 0.0
        for (k, (name, step)) in names.enumerated() {
            var up = values, down = values
            let index = try #require(values.index(of: name))
            up.values[index] += step
            down.values[index] -= step
            let yUp = try model.calculatedPattern(up, frozen: layout), yDown = try model.calculatedPattern(down, frozen: layout)
            var diff = 0.0, norm = 0.0
            for (j, i) in used.enumerated() {
                let numeric = -(yUp[i] - yDown[i]) / (2 * step) * model.sqrtWeight[i]
                diff += (jacobian[k][j] - numeric) * (jacobian[k][j] - numeric)
                norm += numeric * numeric
            }
            let relative = (diff / max(norm, 1e-300)).squareRoot()
            worst = max(worst, relative)
            print("∂r/∂\(name): |analytic − central difference| / |central difference| = \(relative)  (|column| \(norm.squareRoot()))")
            #expect(norm > 0, "\(name): the column is zero")
            #expect(relative < 1e-5, "\(name)")
        }
        print("worst relative difference: \(worst)")
    }

    /// The fast residual path and the recorded path give the same pattern.
    @Test func fastPatternEqualsRecordedPattern() throws {
        guard let (model, values) = try Self.setUp() else {
            print(SharedData.missing("xrd/rietveld/pbso4_xray")); return
        }
        let fast = try model.calculatedPattern(values), recorded = try model.calculate(values).calculated
        let peak = recorded.max() ?? 1
        #expect(zip(fast, recorded).allSatisfy { abs($0 - $1) <= 1e-12 * peak })
    }
}
