import Foundation
import Testing
import Diffraction
import Refinement
import TestSupport
import XrayCore

/// Anisotropic displacements: site-symmetry constraints on U_ij derived from the operators, and PbSO4
/// refined with Pb and S anisotropic, started from the isotropic answer with U_ij pushed off it.
@Suite struct RietveldAnisotropicTests {
    @Test func siteSymmetryConstrainsUij() throws {
        // Pnma 4c (x, 1/4, z), mirror ⊥ b: U12 = U23 = 0; U11, U22, U33, U13 free.
        let pnma = try #require(SpaceGroup.named("P n m a"))
        let cell = UnitCell(a: 8.48, b: 5.40, c: 6.96, alpha: 90, beta: 90, gamma: 90)
        let c = DisplacementSymmetry(position: SIMD3(0.1879, 0.25, 0.1673), operations: pnma.operations, cell: cell)
        #expect(c.free == [true, true, true, false, true, false])
        #expect(c.dependence[3]!.isEmpty && c.dependence[5]!.isEmpty)
        // General position 8d: all six free.
        #expect(DisplacementSymmetry(position: SIMD3(0.08, 0.03, 0.81), operations: pnma.operations, cell: cell).free
                == [Bool](repeating: true, count: 6))
        // Pm-3m 1a: U22 = U33 = U11, off-diagonal zero.
        let pm3m = try #require(SpaceGroup.named("P m -3 m"))
        let cubic = UnitCell(a: 4.157, b: 4.157, c: 4.157, alpha: 90, beta: 90, gamma: 90)
        let o = DisplacementSymmetry(position: SIMD3(0, 0, 0), operations: pm3m.operations, cell: cubic)
        #expect(o.free == [true, false, false, false, false, false])
        for q in [1, 2] { #expect(o.dependence[q]!.count == 1 && o.dependence[q]![0].index == 0 && abs(o.dependence[q]![0].coefficient - 1) < 1e-12) }
        // P6/mmm 1a: U22 = U11, U12 = U11/2, U13 = U23 = 0 (Peterse & Palm 1966).
        let p6 = try #require(SpaceGroup.named("P 6/m m m"))
        let hex = UnitCell(a: 3, b: 3, c: 5, alpha: 90, beta: 90, gamma: 120)
        let h = DisplacementSymmetry(position: SIMD3(0, 0, 0), operations: p6.operations, cell: hex)
        #expect(h.free == [true, false, true, false, false, false])
        #expect(abs(h.dependence[1]![0].coefficient - 1) < 1e-9)
        #expect(h.dependence[3]!.count == 1 && abs(h.dependence[3]![0].coefficient - 0.5) < 1e-9)
        #expect(h.dependence[4]!.isEmpty && h.dependence[5]!.isEmpty)
    }

    @Test func pbso4WithAnisotropicPbAndS() throws {
        guard try PbSO4Reference.load() != nil, let isoModel = try PbSO4Reference.model() else {
            print(SharedData.missing("xrd/rietveld/pbso4_xray")); return
        }
        var options = RefinementOptions()
        options.ftol = 1e-8
        let iso = try RietveldRefinement.run(isoModel, parameters: try isoModel.defaultParameters(),
                                             steps: PbSO4RefinementTests.steps(isoModel), options: options)
        // The same phase with Pb and S anisotropic, every value started from the isotropic answer.
        var phase = isoModel.phases[0]
        phase.anisotropicSites = ["Pb", "S"]
        for i in phase.structure.sites.indices {
            phase.structure.sites[i].uIso = iso.refinement.value("PbSO4_\(phase.structure.sites[i].label)_uiso")
        }
        let model = try RietveldModel(twoTheta: isoModel.twoTheta, observed: isoModel.observed, range: 9.99...159.98,
                                      instrument: isoModel.instrument, phases: [phase], backgroundTerms: 6)
        var set = try model.defaultParameters()
        for p in iso.refinement.parameters.all where set[p.name] != nil && set[p.name]!.expression == nil {
            set[p.name]!.value = p.value
            set[p.name]!.vary = p.vary
        }
        let uij = model.freeAnisotropicNames(phase: 0)
        // Started off the isotropic point (U11 1.5×, U22 0.7× U_iso, U13 0.002 Å²), so that the refinement has to move.
        for site in ["Pb", "S"] {
            let u = try #require(iso.refinement.value("PbSO4_\(site)_uiso"))
            set["PbSO4_\(site)_u11"]!.value = 1.5 * u
            set["PbSO4_\(site)_u22"]!.value = 0.7 * u
            set["PbSO4_\(site)_u13"]!.value = 0.002
        }
        #expect(Set(uij) == Set(["Pb", "S"].flatMap { s in ["u11", "u22", "u33", "u13"].map { "PbSO4_\(s)_\($0)" } }))
        let result = try RietveldRefinement.run(model, parameters: set, steps: [RefinementStep("uij", release: uij)],
                                                options: options, repeatLast: false)
        let r = result.refinement
        print("iso Rwp \(iso.statistics.rwp), aniso Rwp \(result.statistics.rwp), \(r.message), \(r.evaluations) evaluations")
        #expect(r.converged)
        #expect(result.statistics.rwp <= iso.statistics.rwp + 1e-9)
        for s in ["Pb", "S"] {
            // U12 and U23 stay zero by symmetry; the tensor is positive definite.
            #expect(r.value("PbSO4_\(s)_u12") == 0 && r.value("PbSO4_\(s)_u23") == 0)
            let u = try #require(result.structures[0].sites.first { $0.label == s }?.uAniso)
            print("\(s): U11 \(u[0]) U22 \(u[1]) U33 \(u[2]) U13 \(u[4])  (esd \(r.esd["PbSO4_\(s)_u11"] ?? 0))")
            #expect(AtomSite.isPositiveDefinite(uAniso: u))
            #expect(!result.warnings.contains { $0.hasPrefix("PbSO4 \(s):") }, "\(result.warnings)")
        }
    }
}
