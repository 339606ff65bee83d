import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

/// G(r), F(Q) files (PDFgetX3, PDFgetX2, diffpy `.fgr`, RMCProfile `.fq`) read as what they are,
/// not as 2θ patterns. Expected values are parsed independently from the same files' text.
@Suite struct TotalScatteringReaderTests {
    /// Rows of numbers after the last line matching `after` (or all rows with `width` numbers).
    static func rows(_ relative: String, width: Int, after marker: String? = nil) throws -> [[Double]] {
        let text = try String(contentsOf: try #require(SharedData.url(relative)), encoding: .utf8)
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        if let marker, let k = lines.lastIndex(where: { $0.contains(marker) }) { lines = Array(lines[(k + 1)...]) }
        return lines.compactMap { line in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            let numbers = fields.compactMap { Double($0) }
            return numbers.count == width && fields.count == width ? numbers : nil
        }
    }

    /// The one scan of a shared file read through the registry.
    static func scan(_ relative: String) throws -> Scan {
        let url = try #require(SharedData.url(relative))
        return try #require(try FormatRegistry.read(url).scans.first)
    }

    @Test(.enabled(if: SharedData.isPresent)) func pdfgetx3GofR() throws {
        let path = "xrd/pdf/pdfgetx3_Ni/ni300mesh_300k_nor_1-5-pdfgetx3.gr"
        let file = try FormatRegistry.read(try #require(SharedData.url(path)))
        #expect(file.format == "pdf-data")
        let scan = try #require(file.scans.first)
        #expect(Array(scan.columns.keys) == ["r", "g_r"])
        #expect(scan.units["r"] == "Å" && scan.units["g_r"] == "Å^-2")
        let expected = try Self.rows(path, width: 2, after: "#L")
        #expect(expected.count == 3001)
        #expect(scan.columns["r"] == expected.map { $0[0] })
        #expect(scan.columns["g_r"] == expected.map { $0[1] })
        // PDFgetX3's configuration becomes metadata.
        #expect(scan.metadata["qmax"] == "26" && scan.metadata["qmaxinst"] == "26.5")
        #expect(scan.metadata["composition"] == "Ni" && scan.metadata["wavelength"] == "0.142774")
        #expect(scan.metadata["quantity"] == "G(r)")
        // Not a diffraction pattern: the pattern commands refuse it.
        #expect(scan.diffractionPattern == nil)
    }

    @Test(.enabled(if: SharedData.isPresent)) func pdfgetx2GofRWithNumericHeaderLines() throws {
        let path = "xrd/pdf/gsas2_tutorials/Ni-xray.gr"
        let scan = try Self.scan(path)
        #expect(Array(scan.columns.keys) == ["r", "g_r", "d_r", "d_gr"])
        let expected = try Self.rows(path, width: 4, after: "start data")
        #expect(expected.count == 2000)
        for (c, name) in ["r", "g_r", "d_r", "d_gr"].enumerated() {
            #expect(scan.columns[name] == expected.map { $0[c] }, "\(name)")
        }
    }

    @Test(.enabled(if: SharedData.isPresent)) func diffpyFitsAndRMCProfileFofQ() throws {
        for name in ["CdSe_cadmoselite_X", "CdSe_cadmoselite_N", "Ni-fit", "TiO2_rutile-fit"] {
            let path = "xrd/pdf/diffpy_srreal/\(name).fgr"
            let scan = try Self.scan(path)
            let expected = try Self.rows(path, width: 2)
            #expect(scan.columns["r"] == expected.map { $0[0] } && scan.columns["g_r"] == expected.map { $0[1] }, "\(name)")
        }
        let header = try Self.scan("xrd/pdf/diffpy_srreal/CdSe_cadmoselite_X.fgr")
        #expect(header.metadata["type"] == "X" && header.metadata["rmin"] == "0.10")
        let path = "xrd/pdf/gsas2_tutorials/gapo4_xray_rmc.fq"
        let fq = try Self.scan(path)
        #expect(Array(fq.columns.keys) == ["q", "f_q"])
        let expected = try Self.rows(path, width: 2)
        #expect(expected.count == 1010)   // the count on the file's first line
        #expect(fq.columns["q"] == expected.map { $0[0] } && fq.columns["f_q"] == expected.map { $0[1] })
    }

    @Test(.enabled(if: SharedData.isPresent)) func aPDFgetX3ConfigurationIsNamedNotData() throws {
        for path in ["xrd/pdf/pdfgetx3_Ni/pdfgetx3.cfg", "xrd/unseen/pdf/pdfgetx3_CeO2/pdfgetx3.cfg"] {
            let error = try #require(throws: RoentgenError.self) { try FormatRegistry.read(try Self.url(path)) }
            #expect(error.kind == .badFile && error.line == 1 && error.message.contains("PDFgetX3 configuration"), "\(error)")
        }
    }

    static func url(_ relative: String) throws -> URL { try #require(SharedData.url(relative)) }

    /// `convert --to xy` writes the r, G(r) columns as they were read.
    @Test(.enabled(if: SharedData.isPresent)) func gOfRConvertsToXY() throws {
        let path = "xrd/pdf/diffpy_srreal/Ni-fit.fgr"
        let file = try FormatRegistry.read(try Self.url(path))
        let text = try DataFileExport.convert(file, to: .xy)
        let lines = text.split(separator: "\n")
        #expect(lines.first == "# r g_r")
        let back = try #require(try FormatRegistry.read(Data(text.utf8), file: "back.gr").scans.first)
        #expect(back.columns["r"] == file.scans[0].columns["r"] && back.columns["g_r"] == file.scans[0].columns["g_r"])
    }

    @Test func quantityFromOutputTypeLabelsOrSuffix() {
        #expect(TotalScatteringReader.quantity(outputType: "fq", labels: ["r", "G"], suffix: "gr") == .fq)
        #expect(TotalScatteringReader.quantity(outputType: nil, labels: ["Q(1/A)", "S(Q)"], suffix: "dat") == .sq)
        #expect(TotalScatteringReader.quantity(outputType: nil, labels: [], suffix: "fgr") == .gr)
        #expect(TotalScatteringReader.quantity(outputType: nil, labels: [], suffix: "xy") == nil)
    }

    @Test func aGofRFileWithoutNumbersIsAClearError() throws {
        let error = try #require(throws: RoentgenError.self) {
            try TotalScatteringReader.read(Data("# r G(r)\n#### start data\n#L r G(r)\n".utf8), file: "empty.gr")
        }
        #expect(error.kind == .badFile && error.file == "empty.gr" && error.line != nil)
        #expect(error.message.contains("G(r)"))
    }

    @Test(.enabled(if: SharedData.isPresent)) func patternCommandsRefuseGofR() async throws {
        let path = try #require(SharedData.url("xrd/pdf/diffpy_srreal/Ni-fit.fgr")).path
        let peaks = try await RoentgenCLI.run(["xrd", "peaks", path])
        #expect(peaks.status != 0 && peaks.stderr.contains("no diffraction scan"), "\(peaks.stderr)")
        let read = try await RoentgenCLI.run(["read", path])
        #expect(read.status == 0 && read.stdout.contains("r 0–10 Å, G(r)"), "\(read.stdout)")
        // χ(k) files show their k range the same way.
        let chi = try await RoentgenCLI.run(["read", try #require(SharedData.url("xas/larch/xafsdata/cu_chi.dat")).path])
        #expect(chi.status == 0 && chi.stdout.contains("499 points, k 0.05–24.95 Å^-1"), "\(chi.stdout)")
    }
}
