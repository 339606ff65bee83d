import Foundation
import Testing
import TestSupport
import XAS

/// The acceptance thresholds against Larch.
enum Acceptance {
    static let edgeStepRelative = 0.01
    static let normRMS = 0.005
    static let chiK2Relative = 0.05
    static let chirMagRelative = 0.03
}

/// Cases that miss a threshold, with the reason; the test asserts that exactly these miss.
///
/// Both are μ in raw detector counts (edge step ≈ 1521 and ≈ 786). AUTOBK's clamp scale
/// 0.1 + 10·mean(|χ(R<rbkg)|²) is not divided by the edge step, so it is ~10⁹ here and the
/// objective is steeply non-linear. Larch's MINPACK `leastsq` (forward differences, ftol = 1e-6)
/// stops far from the minimum: χ² = 8.0e10 / 1.3e14 (auo defaults / kw2) and 1.4e20 (nsls6bm kw2),
/// where Roentgen's Levenberg–Marquardt with the analytic Jacobian reaches 3.4e10 / 1.7e12 / 8.4e13.
/// The test asserts that our χ² is the lower one. E0, edge step and norm agree exactly.
let knownMisses: [String: String] = [
    "demeter_auo_noisy/defaults": "raw counts: Larch's leastsq stops early; our AUTOBK chi-square is lower",
    "demeter_auo_noisy/kw2": "raw counts: Larch's leastsq stops early; our AUTOBK chi-square is lower",
    "larch_nsls6bm_xmu/kw2": "raw counts: Larch's leastsq stops early; our AUTOBK chi-square is lower",
]

struct CaseOutcome {
    var id: String
    var profile: String
    var e0Diff: Double, e0Step: Double
    var stepRel: Double, normRMS: Double
    var chiRel: Double?, chirRel: Double?
    var misses: [String]
}

@Suite("Larch conformance over every reference spectrum")
struct LarchConformanceTests {
    @Test(.enabled(if: SharedData.url("xas/reference/index.json") != nil, "../shared/data/xas/reference is absent"))
    func everySpectrumBothProfiles() throws {
        var outcomes: [CaseOutcome] = []
        for id in LarchReference.ids {
            let ref = try LarchReference.load(id)
            outcomes += try evaluate(ref)
        }
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
        print(pad("id", 28) + pad("profile", 9) + ["|dE0| eV", "grid eV", "step %", "rms norm", "chi.k2 %", "|chiR| %"].map { lpad($0, 10) }.joined() + "  misses")
        for o in outcomes {
            let cols = [String(format: "%.4f", o.e0Diff), String(format: "%.4f", o.e0Step), String(format: "%.5f", 100 * o.stepRel),
                        String(format: "%.2e", o.normRMS), o.chiRel.map { String(format: "%.4f", 100 * $0) } ?? "-",
                        o.chirRel.map { String(format: "%.4f", 100 * $0) } ?? "-"]
            print(pad(o.id, 28) + pad(o.profile, 9) + cols.map { lpad($0, 10) }.joined() + "  " + o.misses.joined(separator: ","))
        }
        var missed: [String: String] = [:]
        for o in outcomes where !o.misses.isEmpty { missed["\(o.id)/\(o.profile)"] = o.misses.joined(separator: ",") }
        #expect(Set(missed.keys) == Set(knownMisses.keys), "cases missing a threshold: \(missed)")
        #expect(outcomes.count >= 2 * LarchReference.ids.count - 12)
    }

    func evaluate(_ ref: LarchReference) throws -> [CaseOutcome] {
        var results: [CaseOutcome] = []
        let grid = try EnergyGrid.prepare(energy: ref.energy, mu: ref.mu)
        let pre = try preEdge(energy: grid.energy, mu: grid.mu)
        let i0 = ref.energy.firstIndex { $0 >= ref.e0 } ?? 0
        let e0Step = max(i0 > 0 ? ref.energy[i0] - ref.energy[i0 - 1] : 0, i0 + 1 < ref.energy.count ? ref.energy[i0 + 1] - ref.energy[i0] : 0)
        let e0Diff = abs(pre.e0 - ref.e0)
        let stepRel = abs(pre.edgeStep - ref.edgeStep) / ref.edgeStep
        var normRMS = Double.infinity
        // Our norm on our grid; where repeated energies were merged (grid shorter than Larch's),
        // our pre-edge line and step applied to Larch's input points.
        let norm = pre.norm.count == ref.norm.count ? pre.norm
            : zip(ref.energy, ref.mu).map { ($1 - (pre.preOffset + pre.preSlope * $0)) / pre.edgeStep }
        normRMS = (zip(norm, ref.norm).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(ref.norm.count)).squareRoot()
        var baseMisses: [String] = []
        if e0Diff > e0Step + 1e-9 { baseMisses.append("e0") }
        if stepRel > Acceptance.edgeStepRelative { baseMisses.append("edge_step") }
        if !(normRMS < Acceptance.normRMS) { baseMisses.append("norm") }
        if ref.profiles.isEmpty {
            results.append(CaseOutcome(id: ref.id, profile: ref.larchErrors.isEmpty ? "xanes" : "pre", e0Diff: e0Diff, e0Step: e0Step,
                                       stepRel: stepRel, normRMS: normRMS, chiRel: nil, chirRel: nil, misses: baseMisses))
        }
        for prof in ref.profiles {
            var misses = baseMisses
            // EXAFS from Larch's own E0 and edge step, as the reference does.
            let bkg = try autobk(energy: grid.energy, mu: grid.mu, e0: ref.e0, edgeStep: ref.edgeStep, parameters: prof.autobk)
            let ft = try forwardTransform(k: bkg.k, chi: bkg.chi, parameters: prof.transform)
            let kmax = ref.kmaxData ?? (prof.k.last ?? 0)
            let chiRel = relativeRMS(bkg.chi, prof.chi, x: prof.k, weight: { $0 * $0 }) { $0 >= 2 && $0 <= kmax - 1 }
            let chirRel = relativeRMS(ft.chirMag, prof.chirMag, x: prof.r) { $0 >= 1 && $0 <= 6 }
            if bkg.nspl != prof.nspl { misses.append("nspl \(bkg.nspl)≠\(prof.nspl)") }
            if !(chiRel < Acceptance.chiK2Relative) { misses.append("chi") }
            if !(chirRel < Acceptance.chirMagRelative) { misses.append("chir") }
            if knownMisses["\(ref.id)/\(prof.name)"] != nil {
                #expect(bkg.chiSquare < prof.larchChiSquare, "\(ref.id)/\(prof.name): expected a lower AUTOBK chi-square than Larch's")
            }
            results.append(CaseOutcome(id: ref.id, profile: prof.name, e0Diff: e0Diff, e0Step: e0Step, stepRel: stepRel,
                                       normRMS: normRMS, chiRel: chiRel, chirRel: chirRel, misses: misses))
        }
        return results
    }
}
