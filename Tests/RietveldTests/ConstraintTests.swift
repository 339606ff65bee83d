import Foundation
import Testing
import Diffraction
import Refinement
import XrayCore

/// Special-position and cell constraints derived from the space-group operators.
@Suite struct RietveldConstraintTests {
    @Test func pnmaMirrorFixesY() throws {
        let group = try #require(SpaceGroup.named("P n m a"))
        // 4c (x, 1/4, z): y fixed at 1/4, x and z free.
        let c = SiteSymmetry(position: SIMD3(0.1882, 0.25, 0.167), operations: group.operations)
        #expect(c.free == [true, false, true])
        #expect(abs(c.dependence[1]!.constant - 0.25) < 1e-12 && c.dependence[1]!.terms.isEmpty)
        // 8d general position: all free.
        #expect(SiteSymmetry(position: SIMD3(0.085, 0.026, 0.806), operations: group.operations).free == [true, true, true])
    }

    @Test func cubicAndTrigonalSites() throws {
        let pm3m = try #require(SpaceGroup.named("P m -3 m"))
        // LaB6: La 1a (0,0,0) fixed; B 6f (x, 1/2, 1/2) only x free.
        #expect(SiteSymmetry(position: SIMD3(0, 0, 0), operations: pm3m.operations).free == [false, false, false])
        #expect(SiteSymmetry(position: SIMD3(0.19853, 0.5, 0.5), operations: pm3m.operations).free == [true, false, false])
        // Fm-3m 32f (x, x, x): y = x, z = x.
        let fm3m = try #require(SpaceGroup.named("F m -3 m"))
        let xxx = SiteSymmetry(position: SIMD3(0.3, 0.3, 0.3), operations: fm3m.operations)
        #expect(xxx.free == [true, false, false])
        #expect(xxx.dependence[1]!.terms.count == 1 && xxx.dependence[1]!.terms[0].index == 0
                && abs(xxx.dependence[1]!.terms[0].coefficient - 1) < 1e-12 && abs(xxx.dependence[1]!.constant) < 1e-12)
        // P -3 m 1 6i (x, −x, z): y = −x.
        let p3m1 = try #require(SpaceGroup.named("P -3 m 1"))
        let xmx = SiteSymmetry(position: SIMD3(0.17, -0.17, 0.3), operations: p3m1.operations)
        #expect(xmx.free == [true, false, true])
        #expect(abs(xmx.dependence[1]!.terms[0].coefficient + 1) < 1e-12)
        // P 6/m m m 6l (x, 2x, 0): y = 2x, z fixed.
        let p6mmm = try #require(SpaceGroup.named("P 6/m m m"))
        let x2x = SiteSymmetry(position: SIMD3(0.2, 0.4, 0), operations: p6mmm.operations)
        #expect(x2x.free == [true, false, false])
        #expect(abs(x2x.dependence[1]!.terms[0].coefficient - 2) < 1e-12)
    }

    @Test func cellRulesFollowTheCrystalSystem() {
        let cubic = UnitCell(a: 4, b: 4, c: 4, alpha: 90, beta: 90, gamma: 90)
        #expect(CellConstraints.rules(spaceGroupNumber: 221, symbol: nil, cell: cubic)
                == [.free, .equals("a"), .equals("a"), .fixed(90), .fixed(90), .fixed(90)])
        let mono = UnitCell(a: 4.9, b: 8.5, c: 5.0, alpha: 90, beta: 109.46, gamma: 90)
        #expect(CellConstraints.rules(spaceGroupNumber: 12, symbol: nil, cell: mono)
                == [.free, .free, .free, .fixed(90), .free, .fixed(90)])
        let hex = UnitCell(a: 3, b: 3, c: 5, alpha: 90, beta: 90, gamma: 120)
        #expect(CellConstraints.rules(spaceGroupNumber: 194, symbol: nil, cell: hex)
                == [.free, .equals("a"), .free, .fixed(90), .fixed(90), .fixed(120)])
        #expect(CellConstraints.rules(spaceGroupNumber: 141, symbol: nil, cell: hex)[1] == .equals("a"))
    }

    @Test func extinctionsFollowTheOperators() throws {
        let pnma = try #require(SpaceGroup.named("P n m a"))
        // n-glide ⊥ a: 0kl with k + l odd absent; a-glide ⊥ c: hk0 with h odd absent; 21 axes: h00 h odd.
        #expect(ReflectionFamilies.isExtinct(SIMD3(0, 1, 0), operations: pnma.operations))
        #expect(ReflectionFamilies.isExtinct(SIMD3(0, 1, 2), operations: pnma.operations))
        #expect(!ReflectionFamilies.isExtinct(SIMD3(0, 1, 1), operations: pnma.operations))
        #expect(ReflectionFamilies.isExtinct(SIMD3(1, 1, 0), operations: pnma.operations))
        #expect(!ReflectionFamilies.isExtinct(SIMD3(1, 1, 1), operations: pnma.operations))
        let fcc = try #require(SpaceGroup.named("F m -3 m"))
        #expect(ReflectionFamilies.isExtinct(SIMD3(1, 0, 0), operations: fcc.operations))
        #expect(!ReflectionFamilies.isExtinct(SIMD3(2, 0, 0), operations: fcc.operations))
        // Multiplicity of {100} in m-3m is 6, {111} 8, {123} 48.
        let pm3m = try #require(SpaceGroup.named("P m -3 m"))
        let families = ReflectionFamilies.generate(cell: UnitCell(a: 4.157, b: 4.157, c: 4.157, alpha: 90, beta: 90, gamma: 90),
                                                   operations: pm3m.operations, wavelength: 1.5406, twoThetaRange: 10...90)
        #expect(families.first { $0.hkl == SIMD3(1, 0, 0) }?.multiplicity == 6)
        #expect(families.first { $0.hkl == SIMD3(1, 1, 1) }?.multiplicity == 8)
        #expect(families.first { $0.hkl == SIMD3(3, 2, 1) }?.multiplicity == 48)
    }
}
