import Foundation
import Testing
import TestSupport
import XrayCore
import XrayFormats

@Suite struct CIFReaderTests {
    /// CIFs pymatgen accepted that are malformed: a quoted value spanning lines (pymatgen warns and
    /// reads on) and an unknown space-group symbol with no operators (pymatgen silently uses P1).
    static let rejected: Set<String> = ["edge_cases/cif/diffpy_LiCl-bad.cif", "edge_cases/cif/diffpy_badspacegroup.cif"]

    /// Every structure pymatgen simulated reads, and the expanded cell has pymatgen's site count and lattice.
    @Test(.enabled(if: SharedData.isPresent)) func expandedCellsMatchPymatgen() throws {
        let reference = try #require(ReferenceData.json("xrd/reference/simulated_patterns_CuKa.json") as? [String: Any])
        let structures = try #require(reference["structures"] as? [String: [String: Any]])
        #expect(structures.count >= 60)
        for (path, entry) in structures.sorted(by: { $0.key < $1.key }) where entry["ok"] as? Bool == true && !Self.rejected.contains(path) {
            let url = try #require(SharedData.url("xrd/" + path))
            let structure = try CIF.readStructure(url: url)
            let atoms = structure.unitCellAtoms()
            let expected = try #require(entry["n_sites"] as? Int)
            // Occupancy-weighted: pymatgen merges partially occupied atoms on one site into one site.
            let sites = Set(atoms.map { "\(($0.fract.x * 1000).rounded()),\(($0.fract.y * 1000).rounded()),\(($0.fract.z * 1000).rounded())" })
            #expect(sites.count == expected, "\(path): \(sites.count) sites, pymatgen \(expected)")
            let abc = try #require(entry["lattice_abc"] as? [Double])
            #expect(abs(structure.cell.a - abc[0]) < 1e-4 && abs(structure.cell.c - abc[2]) < 1e-4, "\(path)")
        }
    }

    @Test(.enabled(if: SharedData.isPresent)) func everyCIFInTheCollectionReads() throws {
        let root = try #require(SharedData.url("xrd/cif"))
        let files = FileManager.default.enumerator(atPath: root.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".cif") }
        #expect(files.count > 80)
        for file in files {
            let s = try CIF.readStructure(url: root.appendingPathComponent(file))
            #expect(!s.sites.isEmpty && s.cell.isValid, "\(file)")
        }
    }

    @Test(.enabled(if: SharedData.isPresent)) func corundumWithoutOperatorsUsesTheSpaceGroupTable() throws {
        let s = try CIF.readStructure(url: try #require(SharedData.url("xrd/cif/common/ciftools_corundum.cif")))
        #expect(s.operationsSource == "table")
        #expect(s.spaceGroupNumber == 167)
        #expect(s.operations.count == 36) // R -3 c, hexagonal axes: 12 × 3 centring
        #expect(s.sites[0].element.symbol == "Al") // written "AL"
        #expect(s.unitCellAtoms().count == 30)
    }

    @Test(.enabled(if: SharedData.isPresent)) func badCIFsGiveErrorsWithLineNumbers() throws {
        let cases: [(String, Int, String)] = [
            ("diffpy_LiCl-bad.cif", 14, "quoted string"),
            ("diffpy_badspacegroup.cif", 17, "C2:b1"),
            ("diffpy_nosites.cif", 39, "no site"),
        ]
        for (name, line, words) in cases {
            let url = try #require(SharedData.url("xrd/edge_cases/cif/" + name))
            do {
                _ = try CIF.readStructure(url: url)
                Issue.record("\(name) read without error")
            } catch let error as RoentgenError {
                #expect(error.kind == .badFile, "\(name)")
                #expect(error.line == line, "\(name): \(error)")
                #expect(error.file == url.path)
                #expect(error.description.contains(words), "\(name): \(error)")
            }
        }
    }

    @Test(.enabled(if: SharedData.isPresent)) func oddButValidCIFsRead() throws {
        let dir = "xrd/edge_cases/cif/"
        let curly = try CIF.readStructure(url: try #require(SharedData.url(dir + "diffpy_curlybrackets.cif")))
        #expect(curly.sites.count == 4 && curly.unitCellAtoms().count == 20) // NaFeF3, Cmcm, Z = 4
        let custom = try CIF.readStructure(url: try #require(SharedData.url(dir + "diffpy_customsg.cif")))
        #expect(custom.operations.count == 6 && custom.operationsSource == "cif")
        let tei = try CIF.readStructure(url: try #require(SharedData.url(dir + "diffpy_TeI-unkocc.cif")))
        #expect(tei.sites.allSatisfy { $0.occupancy == 1 && $0.uAniso?.count == 6 })
        #expect(tei.warnings.contains { $0.contains("unknown occupancy") })
        #expect(tei.sites[2].element.symbol == "I" && tei.sites[2].charge == -1)
        let ni = try CIF.readStructure(url: try #require(SharedData.url(dir + "G2_fullrmc_Ni_no_data_block.cif")))
        #expect(ni.unitCellAtoms().count == 4)
        #expect(ni.warnings.contains { $0.contains("no data_ block") })
    }

    @Test func malformedTextGivesClearErrors() throws {
        func error(_ text: String) -> RoentgenError? {
            do { _ = try CIF.readStructure(data: Data(text.utf8), file: "t.cif"); return nil } catch let e as RoentgenError { return e } catch { return nil }
        }
        let cell = "data_x\n_cell_length_a 4\n_cell_length_b 4\n_cell_length_c 4\n"
        #expect(error("")?.line == 1)
        #expect(error("data_x\n_cell_length_b 4\n")?.description.contains("_cell_length_a") == true)
        #expect(error(cell + "_cell_angle_alpha abc\n")?.line == 5)
        #expect(error(cell + "loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nA 0 0\n")?.description.contains("multiple of 4") == true)
        #expect(error(cell + ";\nnever closed\n")?.line == 5)
        #expect(error(cell + "loop_\n_symmetry_equiv_pos_as_xyz\n'x,y,q'\nloop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nC 0 0 0\n")?.line == 7)
        #expect(error(cell + "loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nXx1 0 0 0\n")?.description.contains("element") == true)
        #expect(error(cell + "_cell_angle_gamma 200\nloop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nC 0 0 0\n")?.description.contains("valid lattice") == true)
    }

    @Test func spaceGroupTableHasAll230Groups() throws {
        let numbers = Set(SpaceGroup.table.map(\.number))
        #expect(numbers == Set(1...230))
        #expect(SpaceGroup.named("F d -3 m")?.symbol == "F d -3 m:2")
        #expect(SpaceGroup.named("Fd-3m:1")?.operations.count == 192)
        #expect(SpaceGroup.named("P21/c")?.symbol == "P 1 21/c 1")
        #expect(SpaceGroup.named("P 42/m n m")?.number == 136)
        #expect(SpaceGroup.named("R-3m")?.symbol == "R -3 m:H")
        #expect(SpaceGroup.number(227)?.symbol == "F d -3 m:2")
        #expect(SpaceGroup.hall("-P 2ybc")?.number == 14)
        #expect(SpaceGroup.named("C2:b1") == nil)
        #expect(SpaceGroup.named("Fm3m")?.number == 225)
        #expect(SpaceGroup.named("P3")?.number == 143)
        // Each setting's operations form a group: closed under composition (mod lattice translations).
        for group in SpaceGroup.table where [1, 14, 62, 167, 191, 227, 230].contains(group.number) {
            let keys = Set(group.operations.map { $0.normalized.xyz })
            #expect(keys.count == group.operations.count, "\(group.symbol)")
        }
    }

    @Test func symmetryOperationParsing() throws {
        let op = try #require(SymmetryOperation(xyz: "-x+1/2, y-x, 0.25+z"))
        #expect(op.rotation == [-1, 0, 0, -1, 1, 0, 0, 0, 1])
        #expect(op.translation == SIMD3(0.5, 0, 0.25))
        #expect(op.xyz == "-x+1/2,-x+y,z+1/4")
        #expect(SymmetryOperation(xyz: "x,y") == nil)
        #expect(SymmetryOperation(xyz: "x,y,w") == nil)
    }
}
