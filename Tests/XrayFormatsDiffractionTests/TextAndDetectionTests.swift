import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

@Suite("Text parsing and content detection")
struct TextAndDetectionTests {
    @Test func numbersParseLikeStrtod() {
        let samples = ["1", "-0.3", "+3", ".5", "7.", "1e3", "8E-1", "6.0461299E-03", "123456789012345678901234",
                       "0.1", "3.141592653589793238", "1e-300", "-12.5e+2", "0.000000000000000000001234"]
        for s in samples {
            #expect(PatternText.number(s) == strtod(s, nil), "\(s)")
        }
        for bad in ["", "-", "e5", "1e", "1.2.3", "nan", "inf", "1,5", "12a", "--1"] {
            #expect(PatternText.number(bad) == nil, "\(bad)")
        }
        #expect(PatternText.number("1,5", decimalComma: true) == 1.5)
        #expect(PatternText.number("-12,", decimalComma: true) == -12)
        #expect(PatternText.number(",8", decimalComma: true) == 0.8)
    }

    @Test func lineEndingsIncludingCRCRLF() {
        let lines = PatternText.Lines(Data("a\r\r\nb\r\nc\rd\ne".utf8))
        #expect((0..<lines.count).map { lines.string($0) } == ["a", "b", "c", "d", "e"])
    }

    @Test func uncertaintiesInParentheses() throws {
        let (v, su) = try #require(PatternCIF.numberWithUncertainty("5540(160)"))
        #expect(v == 5540 && su == 160)
        let (w, su2) = try #require(PatternCIF.numberWithUncertainty("1.234(5)"))
        #expect(w == 1.234 && abs(su2! - 0.005) < 1e-15)
    }

    /// text/test3.csv: ";"-separated with decimal commas ("1,6;-12,", "-3,;1,9", ",8;1,91").
    @Test func decimalCommas() throws {
        guard let data = try readShared("text/test3.csv") else { return }
        let scan = try #require(data.scans.first)
        #expect(scan.columns["two_theta"] == [1, 1.3, 1.4, 1.6, 1.7, 1.8, 1.9, 2.0, -3, 0.8])
        #expect(scan.columns["intensity"] == [2, 2.9, 18, -12, -0.0, 0, 70, 0.8, 1.9, 1.91])
    }

    /// text/test2.csv: "|"-separated, "+3" signs, comment lines holding numbers, rows with a
    /// missing field. xylib returns 9 points with NaN for the missing 2θ/intensity (" | 8",
    /// "9 |", "foo | 10"); a pattern point needs both, so Roentgen keeps the 6 complete rows and
    /// warns about the partial ones.
    @Test func barSeparatedWithComments() throws {
        guard let data = try readShared("text/test2.csv") else { return }
        let scan = try #require(data.scans.first)
        #expect(scan.columns["two_theta"] == [3, -3, 4, -4, 5, 6])
        #expect(scan.columns["intensity"] == [-0.3, 0.3, -0.4, -0.4, 0.5, -0.6])
        #expect(data.warnings.contains { $0.contains("missing or non-numeric") })
        let ref = try #require(Reference.patterns("text/test2.csv")["xylib"]?.first)
        let complete = zip(ref.x, ref.y).filter { $0.0.isFinite && $0.1.isFinite }
        #expect(complete.map(\.0) == scan.columns["two_theta"])
        #expect(complete.map(\.1) == scan.columns["intensity"])
    }

    /// text/test4.csv: a lone "3000" (the point count) between the header and the data is a
    /// numeric comment, not a data row.
    @Test func numericCommentLine() throws {
        guard let data = try readShared("text/test4.csv") else { return }
        let scan = try #require(data.scans.first)
        #expect(scan.columns["two_theta"]?.first == 6.0461299e-3)
        #expect(scan.metadata.values.contains("3000"))
    }

    /// Three columns: `.xye` and labelled "Error" columns are esds; MnO2.xy's third column is not.
    @Test func thirdColumn() throws {
        guard let xye = try readShared("text/SbI3.xye"), let xy = try readShared("text/xrd_autoanalyzer/MnO2.xy") else { return }
        #expect(xye.scans[0].columns["esd"]?.first == 38.639358)
        #expect(xy.scans[0].columns["esd"] == nil)
        #expect(xy.scans[0].columns["column_3"]?.first == 2085)
    }

    /// Detection is by content: a misspelt suffix (".xd"), no suffix or an upper-case suffix reads the same.
    @Test(arguments: ["panalytical_xrdml/210520step1_30min.xy", "bruker_raw/BT86.raw", "panalytical_xrdml/empyrean.xrdml",
                      "gsas/FAP.XRA", "rigaku/RM20220915Si01.rasx", "pdcif/ALUMINA.cif", "stoe_raw/stoe.raw"])
    func detectionIgnoresSuffix(_ file: String) throws {
        guard let url = SharedData.url("xrd/" + file) else { return }
        let bytes = try Data(contentsOf: url)
        let reference = try FormatRegistry.read(bytes, file: file)
        for name in ["renamed.xd", "renamed", "RENAMED." + (file as NSString).pathExtension.uppercased(), "renamed.txt"] {
            let other = try FormatRegistry.read(bytes, file: name)
            #expect(other.format == reference.format, "\(file) as \(name)")
            #expect(other.scans.first?.columns["intensity"] == reference.scans.first?.columns["intensity"])
        }
    }

    @Test func everyReaderHasDistinctIdAndDiffractionKind() {
        let ids = FormatRegistry.readers.map { $0.id }
        #expect(Set(ids).count == ids.count)
    }
}

@Suite("xrdpattern / opXRD JSON layouts")
struct PatternJSONTests {
    /// The newer layout nests objects instead of JSON-encoded strings (`powder_experiment` or
    /// `experiment` → `xray_info`), and a database export is a list of patterns.
    @Test func nestedLayoutAndLists() throws {
        let one = """
        {"two_theta_values": [10.0, 10.5, 11.0], "intensities": [5, 7.5, 6],
         "powder_experiment": {"xray_info": {"primary_wavelength": 1.5406, "secondary_wavelength": 1.54439, "anode_material": "Cu"},
                               "is_simulated": false, "phases": []},
         "metadata": {"filename": "sample.raw", "institution": null}}
        """
        let data = try FormatRegistry.read(Data(one.utf8), file: "a.json")
        #expect(data.format == "xrdpattern-json")
        let scan = try #require(data.scans.first)
        #expect(scan.columns["two_theta"] == [10, 10.5, 11])
        #expect(scan.columns["intensity"] == [5, 7.5, 6])
        #expect(scan.radiation == Radiation(anode: "Cu", kAlpha1: 1.5406, kAlpha2: 1.54439))
        #expect(scan.name == "sample")
        #expect(scan.metadata["metadata.institution"] == "null")
        let list = try FormatRegistry.read(Data("[\(one), \(one)]".utf8), file: "db.json")
        #expect(list.scans.count == 2)
    }

    @Test func olderLayoutWithEncodedStrings() throws {
        guard let data = try readShared("json/xrdpattern_aimat.json") else { return }
        let scan = try #require(data.scans.first)
        #expect(scan.radiation?.kAlpha2 == 1.54439)
        #expect(scan.metadata["metadata.original_file_format"] == "bruker_raw (.raw)")
        #expect(scan.metadata["label.xray_info.primary_wavelength"] == "1.5406")
    }

    @Test func malformedJSON() throws {
        let error = try #require(throws: RoentgenError.self) {
            try FormatRegistry.read(Data(#"{"two_theta_values": [1, 2], "intensities": [1"#.utf8), file: "cut.json")
        }
        #expect(error.kind == .badFile)
        let mismatch = try #require(throws: RoentgenError.self) {
            try FormatRegistry.read(Data(#"{"two_theta_values": [1, 2], "intensities": [1]}"#.utf8), file: "m.json")
        }
        #expect(mismatch.message.contains("2 2θ values but 1 intensities"))
    }
}
