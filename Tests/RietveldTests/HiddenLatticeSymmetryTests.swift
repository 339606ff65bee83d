import Foundation
import Testing
import TestSupport
import XrayCore
import XrayFormats
@testable import Diffraction

/// Structures written in P1 (pymatgen's CifWriter without symprec) get the cell rules of the crystal
/// system their atoms have. Ground truth: the 56 reference CIFs of XRD-AutoAnalyzer
/// (../shared/data/xrd/cif/xrd_autoanalyzer_refs) are named formula_spacegroup-number, the space group
/// pymatgen found before writing each one in P1.
@Suite struct HiddenLatticeSymmetryTests {
    /// The system of space group `n` in the cell `cell` (a trigonal group in rhombohedral axes, a = b = c and
    /// α = β = γ ≠ 90°, is "rhombohedral"; in hexagonal axes "hexagonal", as for the hexagonal groups).
    static func system(ofSpaceGroup n: Int, cell: UnitCell) -> String? {
        if (143...167).contains(n), cell.a == cell.b, cell.a == cell.c, cell.alpha != 90, cell.alpha == cell.beta, cell.alpha == cell.gamma {
            return "rhombohedral"
        }
        switch n {
        case 1...2: return nil
        case 3...15: return "monoclinic"
        case 16...74: return "orthorhombic"
        case 75...142: return "tetragonal"
        case 143...194: return "hexagonal"
        default: return "cubic"
        }
    }

    @Test(.enabled(if: SharedData.isPresent)) func everyP1ReferenceGetsItsSpaceGroupsSystem() throws {
        let folder = try #require(SharedData.url("xrd/cif/xrd_autoanalyzer_refs"))
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".cif") }.sorted()
        #expect(files.count == 56)
        var systems: [String: Int] = [:]
        for file in files {
            let s = try CIF.readStructure(url: folder.appendingPathComponent(file))
            #expect(s.operations.count == 1, "\(file) is not written in P1")
            let number = try #require(Int(file.dropLast(4).split(separator: "_").last ?? ""), "\(file)")
            let found = HiddenLatticeSymmetry.crystalSystem(of: s)
            #expect(found?.name == Self.system(ofSpaceGroup: number, cell: s.cell), "\(file): found \(found?.name ?? "triclinic")")
            systems[found?.name ?? "triclinic", default: 0] += 1
        }
        print("crystal systems of the 56 P1 references: \(systems.sorted { $0.key < $1.key })")
    }

    @Test(.enabled(if: SharedData.isPresent)) func cellRulesFollowTheSystemFound() throws {
        let folder = try #require(SharedData.url("xrd/cif/xrd_autoanalyzer_refs"))
        let mno = try CIF.readStructure(url: folder.appendingPathComponent("MnO_225.cif"))
        #expect(HiddenLatticeSymmetry.crystalSystem(of: mno)?.rules == [.free, .equals("a"), .equals("a"), .fixed(90), .fixed(90), .fixed(90)])
        // In the Rietveld model only a is free (was a, b, c, α, β, γ as P1).
        let model = try RietveldModel(twoTheta: [30, 40, 50], observed: [1, 1, 1], instrument: RietveldInstrument(lambda1: 1.5406),
                                      phases: [RietveldPhase(name: "MnO", structure: mno)], backgroundTerms: 0)
        #expect(model.freeCellNames(phase: 0) == ["MnO_a"])
        // Monoclinic C2/m Li2MnO3 (β = 109.46°): a, b, c and β free.
        let li2mno3 = try CIF.readStructure(url: folder.appendingPathComponent("Li2MnO3_12.cif"))
        #expect(HiddenLatticeSymmetry.crystalSystem(of: li2mno3)?.rules == [.free, .free, .free, .fixed(90), .free, .fixed(90)])
        // Monoclinic P2 Li3Ti4O8 with γ = 89.3°: the unique axis is c.
        let li3ti4o8 = try CIF.readStructure(url: folder.appendingPathComponent("Li3Ti4O8_3.cif"))
        #expect(HiddenLatticeSymmetry.crystalSystem(of: li3ti4o8)?.rules == [.free, .free, .free, .fixed(90), .fixed(90), .free])
    }

    /// The atoms decide, not the metric: one O of rock-salt MnO moved along c keeps the cubic metric but
    /// only the 4-fold axis along c through that O, so the system is tetragonal.
    @Test(.enabled(if: SharedData.isPresent)) func displacedAtomLowersTheSystem() throws {
        let url = try #require(SharedData.url("xrd/cif/xrd_autoanalyzer_refs/MnO_225.cif"))
        let mno = try CIF.readStructure(url: url)
        let index = try #require(mno.sites.firstIndex { $0.element.symbol == "O" && abs($0.fract.x) < 1e-6 && abs($0.fract.y) < 1e-6 })
        var alongC = mno
        alongC.sites[index].fract.z += 0.03
        #expect(HiddenLatticeSymmetry.crystalSystem(of: alongC)?.name == "tetragonal")
        // A structure that lists its space group's operators is left to CellConstraints.
        let quartz = try CIF.readStructure(url: try #require(SharedData.url("xrd/cif/common/AMCSD_Quartz-alpha.cif")))
        #expect(quartz.operations.count > 1)
        #expect(HiddenLatticeSymmetry.crystalSystem(of: quartz) == nil)
    }
}
