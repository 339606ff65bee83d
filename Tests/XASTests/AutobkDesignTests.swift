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
        var compared = 0, local = 0
        for id in LarchReference.ids {
            let ref = try LarchReference.load(id)
            let grid = try EnergyGrid.prepare(energy: ref.energy, mu: ref.mu)
            for prof in ref.profiles {
                let (fast, usedLocal) = try autobk(energy: grid.energy, mu: grid.mu, e0: ref.e0, edgeStep: ref.edgeStep,
                                      parameters: prof.autobk, forceGeneralDesign: false)
                if usedLocal { local += 1 }
                let full = try autobk(energy: grid.energy, mu: grid.mu, e0: ref.e0, edgeStep: ref.edgeStep,
                                      parameters: prof.autobk, forceGeneralDesign: true).result
                let scale = full.chi.map { abs($0) }.max() ?? 1
                let worst = zip(fast.chi, full.chi).map { abs($0 - $1) }.max() ?? 0
                #expect(worst <= 1e-9 * scale, "\(id)/\(prof.name): chi differs by \(worst) (largest |chi| \(scale))")
                #expect(abs(fast.chiSquare - full.chiSquare) <= 1e-8 * full.chiSquare, "\(id)/\(prof.name): chi-square \(fast.chiSquare) vs \(full.chiSquare)")
                compared += 1
            }
        }
        #expect(compared >= 40)
        // The local construction is the one taken on real data (knots fall on interior data points).
        #expect(local == compared, "local design used for \(local) of \(compared) cases")
    }
}
