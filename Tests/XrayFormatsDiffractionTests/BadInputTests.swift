import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

/// What ../shared/data/xrd/edge_cases/ and the non-pattern files of the MANIFEST must give:
/// a RoentgenError naming the file and where (line or byte offset), never a crash or garbage.
struct BadCase: CustomStringConvertible, Sendable {
    var file: String
    var kind: RoentgenError.Kind
    /// Words the message must contain.
    var says: String
    var wantsByteOffset = false
    var wantsLine = false
    var description: String { file }
}

let badCases: [BadCase] = [
    // First 12000 bytes of a 24353-byte RAW v4: the intensities of the range run past the end.
    BadCase(file: "edge_cases/derived_truncated_bruker_v4.raw", kind: .badFile, says: "truncated", wantsByteOffset: true),
    // First 3000 bytes of an XRDML: XML ends inside an element.
    BadCase(file: "edge_cases/derived_truncated_empyrean.xrdml", kind: .badFile, says: "XML", wantsLine: true),
    // First 20000 bytes of a RASX zip: no central directory.
    BadCase(file: "edge_cases/derived_truncated_TwoTheta_scan_powder.rasx", kind: .badFile, says: "zip"),
    BadCase(file: "edge_cases/derived_empty.xy", kind: .badFile, says: "empty file", wantsLine: true),
    BadCase(file: "edge_cases/derived_header_only.xy", kind: .badFile, says: "no data rows", wantsLine: true),
    // GSAS instrument parameter files sit beside the data: not patterns.
    BadCase(file: "gsas/INST_XRY.PRM", kind: .unsupportedFormat, says: "instrument parameter file", wantsLine: true),
    BadCase(file: "gsas/11bmb_8716.prm", kind: .unsupportedFormat, says: "instrument parameter file", wantsLine: true),
]

@Suite("Bad input gives a RoentgenError naming file and position")
struct BadInputTests {
    @Test(arguments: badCases)
    func rejects(_ c: BadCase) throws {
        guard let url = SharedData.url("xrd/" + c.file) else { print(SharedData.missing("xrd/" + c.file)); return }
        do {
            let data = try FormatRegistry.read(url)
            Issue.record("\(c.file) read as \(data.format) with \(data.scans.count) scans; expected an error")
        } catch let error as RoentgenError {
            #expect(error.kind == c.kind, "\(error)")
            #expect(error.file?.hasSuffix((c.file as NSString).lastPathComponent) == true, "\(error)")
            #expect(error.message.lowercased().contains(c.says.lowercased()), "\(error)")
            if c.wantsByteOffset { #expect(error.byteOffset != nil, "\(error)") }
            if c.wantsLine { #expect(error.line != nil, "\(error)") }
            print(error.description)
        }
    }

    /// Truncating a RAW v3 anywhere inside a range header or its data gives an offset error.
    @Test func truncatedBrukerV3EveryWhere() throws {
        guard let url = SharedData.url("xrd/bruker_raw/format1.raw") else { return }
        let bytes = try Data(contentsOf: url)
        for cut in stride(from: 712, to: bytes.count, by: 37) {
            #expect(throws: RoentgenError.self) { try BrukerRawReader.read(bytes.prefix(cut), file: "format1.raw") }
        }
    }

    /// A RIET7 file cut short: fewer intensities than `start step end` announces.
    @Test func truncatedRIET7() throws {
        guard let url = SharedData.url("xrd/riet7_dat/D1A5.dat") else { return }
        let bytes = try Data(contentsOf: url)
        let error = try #require(throws: RoentgenError.self) { try FormatRegistry.read(bytes.prefix(8000), file: "D1A5.dat") }
        #expect(error.message.contains("intensities for the 1680 points"))
        #expect(error.line != nil)
    }

    @Test func unknownContentIsUnsupported() throws {
        let error = try #require(throws: RoentgenError.self) {
            try FormatRegistry.read(Data("just words\nand more words\n".utf8), file: "notes.foo")
        }
        #expect(error.kind == .unsupportedFormat)
    }

    /// A bank shorter than its BANK line declares is read as far as it goes, with a warning naming
    /// both counts (issue #13, class 3: GSAS-II reads such files too, padding them with zeros).
    @Test func gsasBankShortOfPoints() throws {
        let text = "title\nBANK 1 25 3 CONST 1000 2 0 0 STD\n" + String(repeating: "     100", count: 10) + "\n"
        let file = try FormatRegistry.read(Data(text.utf8), file: "short.gsa")
        #expect(file.scans.first?.columns["intensity"]?.count == 10)
        #expect(file.scans.first?.columns["two_theta"]?.last == 10.18)
        #expect(file.warnings.contains { $0.contains("declares 25 points but the file holds 10") })
    }

    @Test func gsasTimeOfFlightRejected() throws {
        let text = "title\nBANK 1 5 1 RALF 1000 2 0 0 ALT\n 1 2 3 4 5\n"
        let error = try #require(throws: RoentgenError.self) { try FormatRegistry.read(Data(text.utf8), file: "tof.gsa") }
        #expect(error.kind == .unsupportedFormat)
        #expect(error.line == 2)
    }

    @Test func xrdmlCountMismatch() throws {
        let xml = """
        <?xml version="1.0"?><xrdMeasurements xmlns="http://www.xrdml.com/XRDMeasurement/2.1"><xrdMeasurement><scan>\
        <dataPoints><positions axis="2Theta"><listPositions>10 11 12</listPositions></positions>\
        <counts unit="counts">1 2</counts></dataPoints></scan></xrdMeasurement></xrdMeasurements>
        """
        let error = try #require(throws: RoentgenError.self) { try FormatRegistry.read(Data(xml.utf8), file: "x.xrdml") }
        #expect(error.message.contains("3 list positions for 2 intensities"))
    }
}

/// Detector images are read (Tests/XrayFormatsImageTests); the heads of one, with no image data
/// after them, fail with an error naming the file and the byte where the data should be.
@Suite struct TruncatedImageHeadTests {
    @Test(arguments: [
        ("frame.cbf", Data("###CBF: VERSION 1.5\r\n# Detector: PILATUS 1M\r\n".utf8), "CBF"),
        ("frame.edf", Data("{\nHeaderID = EH:000001:000000:000000 ;\nByteOrder = LowByteFirst ;\nDim_1 = 2048 ;\n}".utf8), "EDF"),
    ])
    func truncatedHeads(_ name: String, _ data: Data, _ kind: String) throws {
        let error = try #require(throws: RoentgenError.self) { try FormatRegistry.read(data, file: name) }
        #expect(error.kind == .badFile && error.file == name && error.byteOffset != nil, "\(error)")
        #expect(error.message.contains(kind), "\(error)")
    }
}
