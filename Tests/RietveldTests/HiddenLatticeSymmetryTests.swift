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

    /// Symmetrized P1 references: the operations found are the space group's (192 for Fm-3m MnO with its
    /// F centring, 48 for Ia-3 Mn2O3, 32 for I41/amd anatase), one site per Wyckoff orbit (Mn2O3: Mn 8b,
    /// Mn 24d, O 48e), the unit cell they generate is the P1 atom list, and the calculated pattern is the
    /// P1 model's to 1e-9 of its largest value (measured: 5e-14), with a third of the lines or fewer: Friedel
    /// pairs merged into Laue families and extinct ones dropped (Mn2O3: 1102 → 46).
    @Test(.enabled(if: SharedData.isPresent)) func symmetrizedReferencesKeepTheirPattern() throws {
        let folder = try #require(SharedData.url("xrd/cif/xrd_autoanalyzer_refs"))
        for (file, operations, sites) in [("MnO_225", 192, 2), ("Mn2O3_206", 48, 3), ("TiO2_141", 32, 2), ("Li2MnO3_12", 8, 6)] {
            let p1 = try CIF.readStructure(url: folder.appendingPathComponent("\(file).cif"))
            let s = try #require(HiddenLatticeSymmetry.symmetrized(p1))
            #expect(s.operations.count == operations, "\(file): \(s.operations.count) operations")
            #expect(s.sites.count == sites, "\(file): \(s.sites.count) sites")
            let cellAtoms = s.unitCellAtoms()
            #expect(cellAtoms.count == p1.sites.count)
            #expect(p1.sites.allSatisfy { a in cellAtoms.contains { $0.element == a.element && HiddenLatticeSymmetry.close($0.fract, a.fract) } })
            let x = (0...3500).map { 10 + 0.02 * Double($0) }
            func pattern(_ structure: CrystalStructure) throws -> (y: [Double], lines: Int) {
                let model = try RietveldModel(twoTheta: x, observed: x.map { _ in 1 }, instrument: RietveldInstrument(lambda1: 1.5406),
                                              phases: [RietveldPhase(name: "P", structure: structure)], backgroundTerms: 0)
                let c = try model.calculate(try model.defaultParameters().evaluated())
                return (c.calculated, c.lines[0].count)
            }
            let (a, b) = (try pattern(p1), try pattern(s))
            let top = try #require(a.y.max())
            let worst = zip(a.y, b.y).map { abs($0 - $1) }.max() ?? 0
            print("\(file): \(operations) operations, \(sites) sites, lines \(a.lines) (P1) → \(b.lines), max difference \(worst / top) of the peak")
            #expect(worst <= 1e-9 * top)
            #expect(b.lines * 3 <= a.lines)
        }
    }
}
