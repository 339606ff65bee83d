import Foundation
import Testing
import TestSupport
@testable import XAS

/// AUTOBK's `local` design (each basis function's interpolant is the basis function itself, so
/// only its four-interval support is transformed) gives the numbers of the `general` one (every
/// basis function through the not-a-knot interpolation and full-width transforms).
@Suite("AUTOBK design: local support equals the full interpolation")
struct AutobkDesignTests {
    @Test(.enabled(if: SharedData.url("xas/reference/index.json") != nil, "../shared/data/xas/reference is absent"))
    func localEqualsGeneralOnEveryReferenceSpectrum() throws {
        var compared = 0, localCount = 0
        for id in LarchReference.ids {
            let ref = try LarchReference.load(id)
            let grid = try EnergyGrid.prepare(energy: ref.energy, mu: ref.mu)
            for prof in ref.profiles {
                let (fast, usedLocal, local) = try autobk(energy: grid.energy, mu: grid.mu, e0: ref.e0, edgeStep: ref.edgeStep,
                                                          parameters: prof.autobk, forceGeneralDesign: false)
                if usedLocal { localCount += 1 }
                let (full, _, general) = try autobk(energy: grid.energy, mu: grid.mu, e0: ref.e0, edgeStep: ref.edgeStep,
                                                    parameters: prof.autobk, forceGeneralDesign: true)
                // The same transform a, columns P, χ_μ and Gⱼ (to rounding, relative to the largest entry).
                func check(_ x: [Double], _ y: [Double], _ what: String) {
                    let scale = max(y.map { abs($0) }.max() ?? 0, .leastNormalMagnitude)
                    let worst = zip(x, y).map { abs($0 - $1) }.max() ?? 0
                    #expect(x.count == y.count && worst <= 1e-10 * scale, "\(id)/\(prof.name): \(what) differs by \(worst) (largest \(scale))")
                }
                check(local.a, general.a, "a")
                check(local.P.flatMap { $0 }, general.P.flatMap { $0 }, "P")
                check(local.chiMu, general.chiMu, "chi_mu")
                let nk = general.chiMu.count, nspl = general.P.count
                check((0..<nspl).flatMap { j in (0..<nk).map { local.g(j, at: $0) } },
                      (0..<nspl).flatMap { j in (0..<nk).map { general.g(j, at: $0) } }, "G")
                // Hence the same minimum (χ² to 1e-8; the noisiest raw-count cases end in
                // Levenberg–Marquardt, whose flat directions leave χ itself less settled).
                #expect(abs(fast.chiSquare - full.chiSquare) <= 1e-8 * full.chiSquare, "\(id)/\(prof.name): chi-square \(fast.chiSquare) vs \(full.chiSquare)")
                compared += 1
            }
        }
        #expect(compared >= 40)
        // The local construction is the one taken on real data (knots fall on interior data points).
        #expect(localCount == compared, "local design used for \(localCount) of \(compared) cases")
    }
}
