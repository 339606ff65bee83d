import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

/// PDFfit `.stru` files of the shared PDF-fit cases (`xrd/pdf-fit/`, PDFgui tutorial files).
@Suite struct PDFfitStructureReaderTests {
    @Test(.enabled(if: SharedData.isPresent)) func laMnO3TemplateReadsAsPDFfit2ReadsIt() throws {
        let path = "xrd/pdf-fit/lcmo_x000_10k/lcmo-template_LaMnO3-PBNM_initial.stru"
        let url = try #require(SharedData.url(path), Comment(rawValue: SharedData.missing(path)))
        let s = try PDFfitStructure.read(url: url)
        #expect(s.structure.sites.count == 24)
        #expect(s.structure.cell == UnitCell(a: 5.539959, b: 5.744807, c: 7.705108, alpha: 90, beta: 90, gamma: 90))
        // sharp delta2, delta1, sratio, rcut
        #expect(s.delta2 == 2.398427 && s.delta1 == 0 && s.sratio == 1 && s.rcut == 3.5 && s.scale == 1)
        #expect(s.spaceGroup == "Pbnm" && s.ncell == [1, 1, 1])
        let la = s.structure.sites[0]
        #expect(la.element.symbol == "La" && la.fract == SIMD3(0.99246152, 0.04832840, 0.25) && la.occupancy == 1)
        #expect(la.uAniso == [0.00500989, 0.00500989, 0.00500989, 0, 0, 0])
        // Ca sites 5-8 with occupancy 0, Mn 9-12, O 13-24.
        #expect(s.structure.sites[4...7].allSatisfy { $0.element.symbol == "Ca" && $0.occupancy == 0 })
        #expect(s.structure.sites[8...11].allSatisfy { $0.element.symbol == "Mn" })
        #expect(s.structure.sites[12...].allSatisfy { $0.element.symbol == "O" })
        // The registry finds it by content.
        let file = try FormatRegistry.read(url)
        #expect(file.format == "pdffit-stru" && file.structures.first == s.structure)
    }

    @Test(.enabled(if: SharedData.isPresent)) func cdSeWurtzite() throws {
        let path = "xrd/pdf-fit/cdse_wurtzite/CdSe-wurtzite.stru"
        let url = try #require(SharedData.url(path), Comment(rawValue: SharedData.missing(path)))
        let s = try PDFfitStructure.read(url: url)
        #expect(s.structure.cell.gamma == 120 && s.structure.cell.c == 7.01)
        #expect(s.structure.sites.map(\.element.symbol) == ["Cd", "Cd", "Se", "Se"])
        #expect(s.structure.sites[3].fract == SIMD3(0.66659999, 0.33329999, 0.875))
        #expect(s.structure.sites[2].uAniso == [0.015, 0.015, 0.015, 0, 0, 0])
        #expect(s.delta2 == 0 && s.sratio == 1 && s.rcut == 0 && s.spdiameter == 0)
        #expect(s.cellEsd == [0.000493, 0.000493, 0.001368, 0, 0, 0])
    }

    @Test func shapeAndOldSharpForms() throws {
        let text = """
        title  test
        format pdffit
        sharp   0.5, 1.0, 2.0
        shape   sphere, 25.0
        cell    4, 4, 4, 90, 90, 90
        ncell   1, 1, 1, 1
        atoms
        NI  0 0 0 1
            0 0 0 0
            0.005 0.005 0.005
            0 0 0
            0 0 0
            0 0 0
        """
        let s = try PDFfitStructure.read(data: Data(text.utf8), file: "t.stru")
        #expect(s.delta2 == 0.5 && s.delta1 == 0 && s.sratio == 1 && s.rcut == 2)
        #expect(s.spdiameter == 25 && s.structure.sites.count == 1)
    }

    @Test func badFilesNameTheLine() throws {
        let noAtoms = "format pdffit\ncell 4, 4, 4, 90, 90, 90\natoms\n"
        #expect { try PDFfitStructure.read(data: Data(noAtoms.utf8), file: "e.stru") } throws: { e in
            (e as? RoentgenError).map { $0.file == "e.stru" && $0.message.contains("no atoms") } ?? false
        }
        let truncated = "format pdffit\ncell 4, 4, 4, 90, 90, 90\natoms\nNI 0 0 0 1\n0 0 0 0\n0.005 0.005\n"
        #expect { try PDFfitStructure.read(data: Data(truncated.utf8), file: "t.stru") } throws: { e in
            (e as? RoentgenError).map { $0.line == 6 && $0.message.contains("incomplete") } ?? false
        }
        let badNumber = "format pdffit\ncell 4, 4, x, 90, 90, 90\natoms\n"
        #expect { try PDFfitStructure.read(data: Data(badNumber.utf8), file: "b.stru") } throws: { e in
            (e as? RoentgenError).map { $0.line == 2 } ?? false
        }
        let noCell = "format pdffit\natoms\nNI 0 0 0 1\n"
        #expect(throws: RoentgenError.self) { try PDFfitStructure.read(data: Data(noCell.utf8), file: "n.stru") }
    }
}
