import Foundation
import Testing
import TestSupport
import XAS
import XrayCore

private func isError(_ kind: RoentgenError.Kind) -> (any Error) -> Bool {
    { ($0 as? RoentgenError)?.kind == kind }
}

@Suite("Pre-processing and bad input")
struct PreprocessingAndBadInputTests {
    static let present = SharedData.url("xas/reference/xdi_fe_metal_rt.json") != nil

    @Test(.enabled(if: present, "../shared/data/xas/reference is absent"))
    func nonMonotonicEnergyIsSorted() throws {
        let ref = try LarchReference.load("xdi_fe_metal_rt")
        var order = Array(0..<ref.energy.count)
        order.reverse()
        order.swapAt(10, 200)
        let shuffled = try XASAnalysis.run(energy: order.map { ref.energy[$0] }, mu: order.map { ref.mu[$0] })
        let sorted = try XASAnalysis.run(energy: ref.energy, mu: ref.mu)
        #expect(shuffled.preEdge.e0 == ref.e0)
        #expect(shuffled.preEdge.edgeStep == sorted.preEdge.edgeStep)
        #expect(shuffled.autobk?.chi == sorted.autobk?.chi)
        #expect(shuffled.edge?.symbol == "Fe" && shuffled.edge?.edge == "K")
    }

    /// Larch issue 593: mn3o4.201 repeats one energy 54 times; Larch's autobk raises. We merge the repeats.
    @Test(.enabled(if: present, "../shared/data/xas/reference is absent"))
    func repeatedEnergiesDoNotCrash() throws {
        let ref = try LarchReference.load("demeter_mn3o4_mrcat")
        #expect(!ref.larchErrors.isEmpty)
        let result = try XASAnalysis.run(energy: ref.energy, mu: ref.mu)
        #expect(zip(result.energy, result.energy.dropFirst()).allSatisfy { $0 < $1 })
        #expect(result.energy.count < ref.energy.count)
        #expect(abs(result.preEdge.e0 - ref.e0) < 0.5)
        #expect(abs(result.preEdge.edgeStep - ref.edgeStep) / ref.edgeStep < 0.01)
        let chi = try #require(result.autobk?.chi)
        #expect(!chi.contains { !$0.isFinite })
        #expect(result.edge?.symbol == "Mn")
    }

    @Test func allZeroOrNaNMuIsAnError() {
        let e = (0..<100).map { 7000 + Double($0) }
        #expect(performing: { _ = try XASAnalysis.run(energy: e, mu: [Double](repeating: 0, count: 100)) }, throws: isError(.badData))
        #expect(performing: { _ = try XASAnalysis.run(energy: e, mu: [Double](repeating: .nan, count: 100)) }, throws: isError(.badData))
        #expect(performing: { _ = try XASAnalysis.run(energy: e, mu: [1, 2]) }, throws: isError(.badData))
    }

    @Test func tooFewPointsIsAnError() {
        #expect(performing: { _ = try XASAnalysis.run(energy: [1, 2, 3, 4, 5], mu: [0, 0, 1, 1, 1]) }, throws: isError(.badData))
        #expect(performing: { _ = try EnergyGrid.prepare(energy: [Double](repeating: 7000, count: 20), mu: (0..<20).map(Double.init)) },
                throws: isError(.badData))
    }

    @Test(.enabled(if: present, "../shared/data/xas/reference is absent"))
    func rangesOutsideTheDataAreErrors() throws {
        let ref = try LarchReference.load("xdi_fe_metal_rt")
        var p = XASParameters()
        p.preEdge.e0 = 20000
        #expect(performing: { _ = try XASAnalysis.run(energy: ref.energy, mu: ref.mu, parameters: p) }, throws: isError(.badParameter))
        p = XASParameters()
        p.preEdge.norm1 = 5000
        #expect(performing: { _ = try XASAnalysis.run(energy: ref.energy, mu: ref.mu, parameters: p) }, throws: isError(.badParameter))
        p = XASParameters()
        p.transform.kmin = 30
        p.transform.kmax = 40
        #expect(performing: { _ = try XASAnalysis.run(energy: ref.energy, mu: ref.mu, parameters: p) }, throws: isError(.badParameter))
        #expect(performing: { _ = try autobk(energy: ref.energy, mu: ref.mu, e0: 5000, edgeStep: 1) }, throws: isError(.badParameter))
    }

    @Test(.enabled(if: present, "../shared/data/xas/reference is absent"))
    func xanesOnlyScanSkipsEXAFS() throws {
        let ref = try LarchReference.load("larch_emg003_fe_xanes")
        let result = try XASAnalysis.run(energy: ref.energy, mu: ref.mu)
        #expect(result.autobk == nil && result.exafsSkippedReason != nil)
        #expect(result.preEdge.e0 == ref.e0)
    }

    @Test(.enabled(if: present, "../shared/data/xas/reference is absent"))
    func mergeAlignDeglitchRebin() throws {
        let ref = try LarchReference.load("xdi_fe_metal_rt")
        let scan = EnergyScan(energy: ref.energy, mu: ref.mu)
        // Merge of a scan with itself and a copy with a small offset in μ.
        let merged = try Preprocessing.merge([scan, EnergyScan(energy: ref.energy, mu: ref.mu.map { $0 + 0.02 })])
        #expect(merged.count == 2 && merged.energy == ref.energy)
        #expect(zip(merged.mu, ref.mu).allSatisfy { abs($0 - ($1 + 0.01)) < 1e-12 })
        #expect(merged.muStd.allSatisfy { abs($0 - 0.01) < 1e-12 })
        // Alignment recovers a known energy shift.
        let shifted = EnergyScan(energy: ref.energy.map { $0 + 1.3 }, mu: ref.mu)
        let shift = try Preprocessing.alignmentShift(shifted, to: scan, referenceE0: ref.e0)
        #expect(abs(shift + 1.3) < 0.05)
        // A spike is found and removed.
        var spiky = ref.mu
        spiky[250] += 0.5
        let cleaned = try Preprocessing.deglitch(EnergyScan(energy: ref.energy, mu: spiky))
        #expect(cleaned.removed == [250])
        // Rebinning onto the 3-region grid keeps E0 and the edge step.
        let grid = try Preprocessing.xafsGrid(energy: ref.energy, e0: ref.e0)
        let rebinned = try Preprocessing.rebin(scan, onto: grid)
        let pre = try XASAnalysis.run(energy: rebinned.energy, mu: rebinned.mu).preEdge
        #expect(abs(pre.e0 - ref.e0) < 1.0)
        #expect(abs(pre.edgeStep - ref.edgeStep) / ref.edgeStep < 0.02)
        #expect(performing: { _ = try Preprocessing.merge([]) }, throws: isError(.badParameter))
    }
}
