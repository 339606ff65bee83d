import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

/// Issue #13, class 12: magnetic CIFs and degenerate cells (this file also holds the class 3 and
/// 13 suites of the diffraction readers: GSAS banks, GSAS instrument files, RASX maps).
@Suite struct FidelityCIFTests {
    /// MAGNDATA HoNiO3: two magnetic operations (`x,y,z,+1`, `-x+3/4,y+1/2,-z+1/4,+1`) and two
    /// centrings (`x,y,z,+1`, `x+1/2,y,z+1/2,+1`) over 20 sites. pymatgen, which applies the
    /// magnetic operators, finds 80 sites in the cell (the reference); gemmi ignores them (20).
    @Test func magneticOperationsAndCentringsAreApplied() throws {
        let path = "wide/cif/crysfml_HoNiO3.mcif"
        guard let url = SharedData.url(path) else { print(SharedData.missing(path)); return }
        let structure = try CIF.readStructure(url: url)
        #expect(structure.operations.count == 4)
        #expect(structure.operations.contains { $0.xyz == SymmetryOperation(xyz: "-x+1/4,y+1/2,-z+3/4")!.normalized.xyz })
        #expect(structure.sites.count == 20)
        #expect(structure.unitCellAtoms().count == 80)
        #expect(!structure.warnings.contains { $0.contains("P 1 assumed") })
        #expect(structure.warnings.contains { $0.contains("magnetic CIF") && $0.contains("4 magnetic operations") })
        let c = structure.cell
        #expect(c.a == 10.364 && c.b == 5.5105 && c.c == 14.8467 && c.beta == 90.084)
    }

    @Test func nearZeroVolumeIsAnError() throws {
        let text = """
        data_flat
        _cell_length_a 5.0
        _cell_length_b 5.0
        _cell_length_c 5.0
        _cell_angle_alpha 90
        _cell_angle_beta 90
        _cell_angle_gamma 179.99
        loop_
        _atom_site_label
        _atom_site_fract_x
        _atom_site_fract_y
        _atom_site_fract_z
        Si1 0 0 0

        """
        #expect(throws: RoentgenError.self) { try CIF.readStructure(data: Data(text.utf8), file: "flat.cif") }
        do { _ = try CIF.readStructure(data: Data(text.utf8), file: "flat.cif") } catch let e as RoentgenError {
            #expect(e.message.contains("not a valid lattice") && e.line == 2, "\(e)")
        }
    }
}

/// Issue #13, class 13: a RASX of many profiles keeps its shared metadata once.
@Suite struct FidelityRASXTests {
    /// `rasx_map_3_profiles.rasx` (`make_rasx_map.py`): three profiles of 10 points (counts
    /// 100·(k+1) + i) whose conditions differ only in `StageX` (0, 2.5, 5).
    @Test func sharedMetadataIsKeptOnce() throws {
        let file = try FormatRegistry.read(SharedData.fixture("fidelity/rasx_map_3_profiles.rasx"))
        #expect(file.scans.count == 3)
        let first = file.scans[0].metadata
        #expect(first["root.Comment"]?.count == 2000 || first.values.contains { $0.count == 2000 })
        for (k, scan) in file.scans.enumerated() {
            #expect(scan.columns["intensity"]?.reduce(0, +) == Double(1000 * (k + 1) + 45))
            #expect(scan.radiation?.kAlpha1 == 1.540593)
            if k > 0 {
                #expect(scan.metadata["metadata.shared_with"]?.contains(file.scans[0].name) == true)
                #expect(!scan.metadata.values.contains { $0.count >= 2000 }, "scan \(k) repeats the file's metadata")
                #expect(scan.metadata.contains { $0.key.hasSuffix("StageX") && $0.value == String(Double(k) * 2.5) })
            }
        }
    }
}

/// Issue #13, class 13: the instrument file of the data's own instrument is preferred.
@Suite struct FidelityGSASInstrumentTests {
    @Test func instrumentFileNamedLikeTheDataIsPreferred() {
        let names = ["11bmb_8716.fxye", "11bmb.prm", "polaris_bank2.prm", "notes.txt"]
        guard case .found(let name, let reason) = GSASInstrumentParameters.companion(named: "11bmb_8716.fxye", among: names) else {
            Issue.record("no instrument file chosen"); return
        }
        #expect(name == "11bmb.prm")
        #expect(reason.contains("'11bmb'") && reason.contains("polaris_bank2.prm"))
        // Nothing to tell them apart: still ambiguous, never a guess.
        #expect(GSASInstrumentParameters.companion(named: "run1.gsa", among: ["run1.gsa", "a.prm", "b.prm"]) == .ambiguous(["a.prm", "b.prm"]))
    }
}

/// Issue #13, class 3 on real GSAS files: a bank shorter than declared is read with a warning; a
/// title line of non-text bytes does not hide the format.
@Suite struct FidelityGSASBankTests {
    /// GSAS-II tutorials' PrSrMnO.gda: `BANK 1 2415 242 CONST 600 5`, 2395 values in the file
    /// (GSAS-II's y sum over its zero-padded 2410 points is 94285, the same as these 2395).
    @Test func shortBankIsReadWithAWarning() throws {
        let path = "wide/xrd/g2t_PrSrMnO.gda"
        guard let url = SharedData.url(path) else { print(SharedData.missing(path)); return }
        let file = try FormatRegistry.read(url)
        let scan = try #require(file.scans.first)
        let y = try #require(scan.columns["intensity"]), x = try #require(scan.columns["two_theta"])
        #expect(y.count == 2395 && y.reduce(0, +) == 94285 && y.first == 29 && y.last == 15)
        #expect(x.first == 6 && abs(x.last! - 125.7) < 1e-9)
        #expect(file.warnings.contains { $0.contains("declares 2415 points") && $0.contains("holds 2395") })
    }

    /// LaMnO3_50k.gsas: the title line holds bytes that are not text; BANK 1 3296 points, y sum
    /// 1410261 (GSAS-II's, over its 3300 zero-padded points).
    @Test func binaryTitleLineIsStillGSAS() throws {
        let path = "wide/xrd/g2t_LaMnO3_50k.gsas"
        guard let url = SharedData.url(path) else { print(SharedData.missing(path)); return }
        let file = try FormatRegistry.read(url)
        #expect(file.format == "gsas")
        let y = try #require(file.scans.first?.columns["intensity"])
        #expect(y.count == 3296 && y.reduce(0, +) == 1_410_261 && y.first == 523)
    }
}
