import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

/// Crystal-structure CIFs through the format registry (`roentgen read`, `convert --to json`):
/// checked against pymatgen's reading of the same files
/// (`../shared/data/xrd/reference/simulated_patterns_CuKa.json`).
@Suite struct CIFStructureReadTests {
    /// Element → count of a formula written either way: pymatgen's `CaCO3` or ours `Ca6 C6 O18`.
    static func counts(_ formula: String) -> [String: Double] {
        var out: [String: Double] = [:]
        var i = formula.startIndex
        while i < formula.endIndex {
            guard formula[i].isUppercase else { i = formula.index(after: i); continue }
            var j = formula.index(after: i)
            while j < formula.endIndex, formula[j].isLowercase { j = formula.index(after: j) }
            var k = j
            while k < formula.endIndex, formula[k].isNumber || formula[k] == "." { k = formula.index(after: k) }
            out[String(formula[i..<j]), default: 0] += Double(formula[j..<k]) ?? 1
            i = k
        }
        return out
    }

    /// The counts divided by their smallest member (a reduced formula, as ratios).
    static func ratios(_ counts: [String: Double]) -> [String: Double] {
        let least = counts.values.min() ?? 1
        return counts.mapValues { $0 / least }
    }

    @Test(.enabled(if: SharedData.isPresent)) func everyReferenceStructureReadsThroughTheRegistryAsPymatgenReadsIt() throws {
        let reference = try #require(Reference.json("xrd/reference/simulated_patterns_CuKa.json"))
        let structures = try #require(reference["structures"] as? [String: [String: Any]])
        var checked = 0
        for (path, entry) in structures.sorted(by: { $0.key < $1.key })
        where entry["ok"] as? Bool == true && path.hasPrefix("cif/") {
            let url = try #require(SharedData.url("xrd/" + path))
            let file = try FormatRegistry.read(url)
            #expect(file.format == "cif", "\(path): read as \(file.format)")
            #expect(file.scans.isEmpty)
            let s = try #require(file.structures.first, "\(path)")
            // The registry gives the structure the simulator uses.
            #expect(s == (try CIF.readStructure(url: url)), "\(path)")
            // Cell and unit-cell formula as pymatgen has them, through the JSON output.
            let json = try #require(try JSONSerialization.jsonObject(with: Data(DataFileJSON.encode(file).utf8)) as? [String: Any])
            let first = try #require((json["structures"] as? [[String: Any]])?.first)
            let cell = try #require(first["cell"] as? [String: Double])
            let abc = try #require(entry["lattice_abc"] as? [Double])
            let angles = try #require(entry["lattice_angles"] as? [Double])
            for (key, expected) in zip(["a", "b", "c", "alpha", "beta", "gamma"], abc + angles) {
                #expect(abs((cell[key] ?? .nan) - expected) < 1e-3, "\(path): \(key) \(cell[key] ?? .nan), pymatgen \(expected)")
            }
            let ours = Self.ratios(Self.counts(try #require(first["formula"] as? String)))
            let theirs = Self.ratios(Self.counts(try #require(entry["formula"] as? String)))
            #expect(Set(ours.keys) == Set(theirs.keys), "\(path): \(ours) vs pymatgen \(theirs)")
            for (element, r) in theirs { #expect(abs((ours[element] ?? .nan) - r) < 1e-6, "\(path): \(element)") }
            #expect((first["sites"] as? [Any])?.count == s.sites.count)
            #expect((first["operations"] as? [String])?.count == s.operations.count)
            checked += 1
        }
        #expect(checked >= 60, "only \(checked) structures checked")
    }

    /// Powder CIFs stay powder data, and their phase block comes along as a structure (values as
    /// the files write them: `_cell_length_a 4.760773(25)` …).
    @Test(.enabled(if: SharedData.isPresent)) func powderCIFsStayPowderDataWithTheirPhase() async throws {
        for (name, a, c, group) in [("pdcif/1517474.cif", 25.9292, 6.7962, 148), ("pdcif/ALUMINA.cif", 4.760773, 12.99719, 167)] {
            let file = try FormatRegistry.read(try #require(SharedData.url("xrd/" + name)))
            #expect(file.format == "pdcif", "\(name)")
            #expect(!file.scans.isEmpty)
            let phase = try #require(file.structures.first, "\(name)")
            #expect(file.structures.count == 1)
            #expect(phase.cell.a == a && phase.cell.c == c && phase.spaceGroupNumber == group, "\(name)")
            #expect(DataFileJSON.encode(file).contains("\"structures\": [{"))
            // Built from the pdCIF parse; the same structure as the structure CIF reader's full parse.
            let url = try #require(SharedData.url("xrd/" + name))
            #expect(file.structures == (try CIF.readStructures(data: try Data(contentsOf: url), file: url.path)), "\(name)")
        }
        let alumina = try FormatRegistry.read(try #require(SharedData.url("xrd/pdcif/ALUMINA.cif")))
        #expect(alumina.structures[0].cellFormula == "Al12 O18")
    }

    /// The malformed CIFs of `edge_cases/cif/` fail through `read` with the line, as through `xrd simulate`;
    /// the odd but readable ones read with a warning.
    @Test(.enabled(if: SharedData.isPresent)) func edgeCaseCIFsThroughTheRegistry() throws {
        for (name, line, words) in [("diffpy_LiCl-bad.cif", 14, "quoted string"), ("diffpy_badspacegroup.cif", 17, "C2:b1"),
                                    ("diffpy_nosites.cif", 39, "no site")] {
            let url = try #require(SharedData.url("xrd/edge_cases/cif/" + name))
            let error = try #require(throws: RoentgenError.self) { try FormatRegistry.read(url) }
            #expect(error.kind == .badFile && error.line == line && error.message.contains(words), "\(name): \(error)")
        }
        let implicit = try FormatRegistry.read(try #require(SharedData.url("xrd/edge_cases/cif/G2_fullrmc_Ni_no_data_block.cif")))
        #expect(implicit.format == "cif" && implicit.structures.count == 1)
        #expect(implicit.warnings.contains { $0.contains("no data_ block") })
        let unknown = try FormatRegistry.read(try #require(SharedData.url("xrd/edge_cases/cif/diffpy_TeI-unkocc.cif")))
        #expect(unknown.warnings.contains { $0.contains("unknown occupancy") })
    }

    static let twoPhases = """
        data_global
        _publ_section_title 'Two phases'
        data_rocksalt
        _cell_length_a 5.6401
        _cell_length_b 5.6401
        _cell_length_c 5.6401
        _cell_angle_alpha 90
        _cell_angle_beta 90
        _cell_angle_gamma 90
        _symmetry_space_group_name_H-M 'F m -3 m'
        loop_
        _atom_site_label
        _atom_site_fract_x
        _atom_site_fract_y
        _atom_site_fract_z
        Na1 0 0 0
        Cl1 0.5 0.5 0.5
        data_silicon
        _cell_length_a 5.4307
        _cell_length_b 5.4307
        _cell_length_c 5.4307
        _cell_angle_alpha 90
        _cell_angle_beta 90
        _cell_angle_gamma 90
        _symmetry_space_group_name_H-M 'F d -3 m'
        loop_
        _atom_site_label
        _atom_site_fract_x
        _atom_site_fract_y
        _atom_site_fract_z
        Si1 0.125 0.125 0.125
        """

    @Test func everyBlockWithSitesIsAStructure() throws {
        let file = try FormatRegistry.read(Data(Self.twoPhases.utf8), file: "two.cif")
        #expect(file.format == "cif")
        #expect(file.structures.map(\.name) == ["rocksalt", "silicon"])
        #expect(file.structures.map(\.cellFormula) == ["Na4 Cl4", "Si8"])
        #expect(file.structures[1].spaceGroupNumber == 227)
        // Origin choice 2 assumed for F d -3 m: one warning, prefixed with its structure.
        #expect(file.warnings.allSatisfy { $0.hasPrefix("silicon: ") }, "\(file.warnings)")
        let one = try DataFileExport.convert(file, to: .json, group: "SILICON")
        #expect(one.contains("\"name\": \"silicon\"") && !one.contains("rocksalt"))
        #expect(throws: RoentgenError.self) { try DataFileExport.convert(file, to: .json, group: "quartz") }
        let error = try #require(throws: RoentgenError.self) { try DataFileExport.convert(file, to: .xy) }
        #expect(error.message.contains("xrd simulate"))
    }

    @Test func aCIFWithoutACellNamesTheMissingItem() throws {
        let error = try #require(throws: RoentgenError.self) {
            try FormatRegistry.read(Data("data_x\n_chemical_name_common 'nothing'\n".utf8), file: "empty.cif")
        }
        #expect(error.message.contains("_cell_length_a"), "\(error)")
    }

    @Test(.enabled(if: SharedData.isPresent)) func readAndConvertOnTheCommandLine() async throws {
        let path = try #require(SharedData.url("xrd/cif/common/AMCSD_Rutile.cif")).path
        let summary = try await RoentgenCLI.run(["read", path])
        #expect(summary.status == 0, "\(summary.stderr)")
        #expect(summary.stdout.contains("[cif], 1 structure"))
        #expect(summary.stdout.contains("Ti2 O4"))
        #expect(summary.stdout.contains("a 4.5937"))
        let json = try await RoentgenCLI.run(["convert", path, "--to", "json"])
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["format"] as? String == "cif")
        #expect((object["structures"] as? [Any])?.count == 1)
        let xy = try await RoentgenCLI.run(["convert", path, "--to", "xy"])
        #expect(xy.status != 0 && xy.stderr.contains("xrd simulate"), "\(xy.stderr)")
        let peaks = try await RoentgenCLI.run(["xrd", "peaks", path])
        #expect(peaks.status != 0 && peaks.stderr.contains("crystal structure"), "\(peaks.stderr)")
    }
}
