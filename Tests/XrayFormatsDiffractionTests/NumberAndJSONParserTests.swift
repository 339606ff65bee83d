import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

/// The shared byte-level number parser (PatternNumberParser.swift) and the JSON scanner (PatternJSON.swift).
@Suite("Number parser and JSON scanner")
struct NumberAndJSONParserTests {
    /// Every numeric token of real files of each text format parses to exactly the `Double`
    /// that `Double(String)` gives (bit for bit).
    @Test func everyNumberInTheSharedTextFilesMatchesDoubleString() throws {
        let files = ["rigaku/MB120718Si3.ras", "rigaku/2Theta.asc", "riet7_dat/D1A5.dat", "riet7_dat/PSI_DMC.dat",
                     "panalytical_xrdml/210520step1_30min.csv", "panalytical_xrdml/Panalytical.ASC",
                     "json/xrdpattern_aimat.json", "text/xrd_autoanalyzer/TiO2.xy", "gsas/x3lactos.xye",
                     "panalytical_xrdml/XRD-918-16_10.xrdml", "bruker_uxd/BT86_.UXD"]
        var checked = 0
        for file in files {
            guard let url = SharedData.url("xrd/" + file) else { print(SharedData.missing("xrd/" + file)); return }
            let bytes = try [UInt8](Data(contentsOf: url))
            let separators = Set(" \t\r\n,;:[]{}\"<>=".utf8)
            let numberBytes = Set("0123456789+-.eE".utf8)
            var s = 0
            while s < bytes.count {
                while s < bytes.count, separators.contains(bytes[s]) { s += 1 }
                var e = s
                while e < bytes.count, !separators.contains(bytes[e]) { e += 1 }
                defer { s = e }
                guard e > s, bytes[s..<e].allSatisfy({ numberBytes.contains($0) }),
                      let expected = Double(String(decoding: bytes[s..<e], as: UTF8.self)), expected.isFinite else { continue }
                let got = PatternText.number(bytes, s, e)
                #expect(got?.bitPattern == expected.bitPattern, "\(file) byte \(s): '\(String(decoding: bytes[s..<e], as: UTF8.self))'")
                checked += 1
            }
        }
        #expect(checked > 50_000 || !SharedData.isPresent, "only \(checked) numbers checked")
    }

    /// Seeded random decimal strings: 1–22 digits, any decimal-point position, exponents over the
    /// whole double range (fast path and `strtod` path alike).
    @Test func randomDecimalStringsMatchDoubleString() {
        // Known hard cases first: exact halfway points (round to even), the table's ends, limits.
        let hard = ["9007199254740993.0", "9007199254740995.0", "900719925474099.35", "0.1", "0.3", "7.038531e-26",
                    "1.7976931348623157e308", "2.2250738585072014e-308", "4.9406564584124654e-324", "8.98846567431158e307",
                    "1.00000000000000011102230246251565404236316680908203125", "1e-64", "9999999999999999999e-64",
                    "1e-65", "18446744073709551615e-20", "4503599627370496.5", "4503599627370497.5", "0.000001"]
        for text in hard {
            #expect(PatternText.number(text)?.bitPattern == Double(text)?.bitPattern, "\(text)")
        }
        var rng = SeededRandom(seed: 0x5EED_1234)
        for _ in 0..<50_000 {
            let count = Int.random(in: 1...22, using: &rng)
            var digits = String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &rng))) })
            if Bool.random(using: &rng) { digits.insert(".", at: digits.index(digits.startIndex, offsetBy: Int.random(in: 0...count, using: &rng))) }
            var text = (Bool.random(using: &rng) ? "-" : "") + digits
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: text += "e\(Int.random(in: -25...25, using: &rng))"
            case 1: text += "E+\(Int.random(in: 0...330, using: &rng))"
            case 2: text += "e-\(Int.random(in: 0...340, using: &rng))"
            default: break
            }
            let expected = Double(text).flatMap { $0.isFinite ? $0 : nil }
            #expect(PatternText.number(text)?.bitPattern == expected?.bitPattern, "\(text)")
        }
        // Python-repr-like 16–19 digit decimals (the Eisel–Lemire path).
        for _ in 0..<20_000 {
            let digits = Int.random(in: 16...19, using: &rng)
            var text = String(UInt64.random(in: 1...9, using: &rng)) + String((1..<digits).map { _ in Character(String(Int.random(in: 0...9, using: &rng))) })
            text.insert(".", at: text.index(text.startIndex, offsetBy: Int.random(in: 1..<digits, using: &rng)))
            #expect(PatternText.number(text)?.bitPattern == Double(text)?.bitPattern, "\(text)")
        }
    }

    @Test func scanNumberStopsAtTheFirstByteAfterTheNumber() {
        let bytes = Array("12.5,3 -7e2]x 1e+".utf8)
        bytes.withUnsafeBufferPointer { b in
            let p = b.baseAddress!
            #expect(PatternText.scanNumber(p, 0, b.count).map { [$0.value, Double($0.end)] } == [12.5, 4])
            #expect(PatternText.scanNumber(p, 5, b.count).map { [$0.value, Double($0.end)] } == [3, 6])
            #expect(PatternText.scanNumber(p, 7, b.count).map { [$0.value, Double($0.end)] } == [-700, 11])
            #expect(PatternText.scanNumber(p, 12, b.count) == nil)            // "x"
            #expect(PatternText.scanNumber(p, 14, b.count) == nil)            // "1e+" ends the buffer: exponent without digits
            #expect(PatternText.scanNumber(p, 0, 2).map { $0.value } == 12)   // never reads past `end`
        }
        // A number cut at every possible end: digits past `end` never count.
        let digits = Array("1234567890123.4567890123456789 ".utf8)
        digits.withUnsafeBufferPointer { b in
            let p = b.baseAddress!
            for end in 1...(b.count - 1) {
                let text = String(decoding: digits[0..<end], as: UTF8.self)
                let r = PatternText.scanNumber(p, 0, end)
                #expect(r?.value.bitPattern == Double(text)?.bitPattern && r?.end == end, "\(text)")
            }
        }
    }

    @Test func jsonStringsEscapesAndScalarsBecomeMetadata() throws {
        let text = #"""
        {"two_theta_values": [1, 2.5e1, -0.125], "intensities": ["3", 4, 5E0],
         "meta": {"name": "a\"b\\c\/d\u00e9\ud83d\ude00\n", "n": 1.50, "ok": true, "no": false, "none": null,
                  "list": [1, "x", null], "nested": [{"k": 1}, {"k": 2}], "empty": {}}}
        """#
        let data = try FormatRegistry.read(Data(text.utf8), file: "escapes.json")
        let scan = try #require(data.scans.first)
        #expect(scan.columns["two_theta"] == [1, 25, -0.125])
        #expect(scan.columns["intensity"] == [3, 4, 5])
        #expect(scan.metadata["meta.name"] == "a\"b\\c/d\u{e9}\u{1F600}\n")
        #expect(scan.metadata["meta.n"] == "1.50")
        #expect(scan.metadata["meta.ok"] == "true")
        #expect(scan.metadata["meta.no"] == "false")
        #expect(scan.metadata["meta.none"] == "null")
        #expect(scan.metadata["meta.list"] == "1, x, null")
        #expect(scan.metadata["meta.nested[2].k"] == "2")
        #expect(scan.metadata["meta.empty"] == "{}")
    }

    /// Malformed JSON: a `.badFile` error naming the file and the byte offset of the problem.
    @Test(arguments: [
        (#"{"two_theta_values": [1, 2], "intensities": [1, 2"#, 49),
        (#"{"two_theta_values": [1, 2], "intensities": [1, 2], "x": "abc"#, 57),
        (#"{"two_theta_values": [1, 2], "intensities": [1, 2], "x": tru}"#, 57),
        (#"{"two_theta_values": [1, 2], "intensities": [1, 2], "x": "a\qb"}"#, 59),
        (#"{"two_theta_values": [1, 2], "intensities": [1, 2], "x" 1}"#, 56),
        (#"{"two_theta_values": [1, 2], "intensities": [1, 2]} x"#, 52),
        (#"{"two_theta_values": [1, 2], "intensities": [1, 2], "x": [1 2]}"#, 60),
        (#"{"two_theta_values": [1, 2], "intensities": [1, 2], "x": -}"#, 57),
    ])
    func malformedJSONNamesTheByteOffset(_ text: String, _ offset: Int) throws {
        let error = try #require(throws: RoentgenError.self) {
            try FormatRegistry.read(Data(text.utf8), file: "bad.json")
        }
        #expect(error.kind == .badFile)
        #expect(error.file == "bad.json")
        #expect(error.byteOffset == offset, "\(error)")
    }

    /// A JSON document that is no pattern (e.g. an analysis-input file) names the members it has.
    @Test func jsonWithoutPatternArraysNamesItsMembers() throws {
        let error = try #require(throws: RoentgenError.self) {
            try FormatRegistry.read(Data(#"{"schema": "xas-lcf-inputs/1", "standards": [{"x": [1, 2]}]}"#.utf8), file: "inputs.json")
        }
        #expect(error.kind == .badFile && error.file == "inputs.json")
        #expect(error.message.contains("two_theta_values") && error.message.contains("members schema, standards"), "\(error)")
    }

    @Test func deeplyNestedJSONIsAnErrorNotACrash() throws {
        let deep = #"{"two_theta_values": [1], "intensities": [1], "x": "# + String(repeating: "[", count: 5_000)
            + String(repeating: "]", count: 5_000) + "}"
        let error = try #require(throws: RoentgenError.self) {
            try FormatRegistry.read(Data(deep.utf8), file: "deep.json")
        }
        #expect(error.message.contains("nested deeper"))
    }

    /// The JSON reader under the seeded mutation fuzzer: a result or a RoentgenError, never a crash.
    @Test func mutatedJSONNeverCrashes() throws {
        guard let url = SharedData.url("xrd/json/xrdpattern_aimat.json") else { print(SharedData.missing("xrd/json/xrdpattern_aimat.json")); return }
        let seed = try [UInt8](Data(contentsOf: url))
        var rng = SeededRandom(seed: 0x7A50_0001)
        for _ in 0..<300 {
            let bytes = Mutator.mutate(seed, &rng)
            do { _ = try XRDPatternJSONReader.read(Data(bytes), file: "m.json") } catch is RoentgenError {}
        }
    }
}

/// The BRML reader keeps `<Datum>` points as byte ranges (no node each): the same values and
/// metadata as the full XML tree on every BRML file in ../shared.
@Suite("BRML bulk <Datum> parsing")
struct BRMLBulkTests {
    @Test(arguments: ["bruker_brml/SbI3.brml", "bruker_brml/standard.brml", "bruker_brml/23-012-AG_2thomegascan_long.brml",
                      "unseen/bruker_brml/BaZrS3.brml"])
    func bulkReaderEqualsTheFullTree(_ file: String) throws {
        guard let url = SharedData.url("xrd/" + file) else { print(SharedData.missing("xrd/" + file)); return }
        let data = try Data(contentsOf: url)
        let read = try BrukerBRMLReader.read(data, file: file)
        let container = try PatternZip(data, file: file)
        let path = try #require(container.paths.first { ($0 as NSString).lastPathComponent.hasPrefix("RawData") })
        let tree = try PatternXML.parse(bytes: try container.bytes(path), file: path)
        // Every Datum of the full tree as a row of numbers; the scan's columns must be columns of it.
        let routes = tree.all("DataRoute").filter { !$0.children("Datum").isEmpty }
        #expect(routes.count == read.scans.count)
        for (route, scan) in zip(routes, read.scans) {
            var rows: [[Double]] = []
            for datum in route.children("Datum") {
                var fields: [Double] = []
                #expect(datum.numbers(separatedBy: 44, into: &fields))
                rows.append(fields)
            }
            for name in ["two_theta", "intensity"] {
                let column = try #require(scan.columns[name])
                #expect(column.count == rows.count)
                let matching = (0..<(rows.first?.count ?? 0)).filter { c in rows.indices.allSatisfy { rows[$0][c] == column[$0] } }
                #expect(!matching.isEmpty, "\(file): \(name) is no Datum column")
            }
            // Metadata: the tree flattened the same way, Datum left out.
            var expected = Metadata()
            expected["entry"] = path
            for c in tree.children where c.name != "DataRoutes" { c.flatten(into: &expected, prefix: c.name, skip: ["Datum"]) }
            route.flatten(into: &expected, prefix: "DataRoute", skip: ["Datum", "DataViews"])
            #expect(Array(scan.metadata.keys) == Array(expected.keys))
            #expect(Array(scan.metadata.values) == Array(expected.values))
        }
    }

    @Test func datumWithMarkupIsAnErrorWithTheLine() throws {
        let xml = "<RawData>\n<DataRoutes><DataRoute>\n<Datum>1,2,3</Datum>\n<Datum>1,<b/>2</Datum>\n</DataRoute></DataRoutes></RawData>"
        let error = try #require(throws: RoentgenError.self) {
            try PatternXML.parse(bytes: Array(xml.utf8), file: "r.xml", bulk: "Datum")
        }
        #expect(error.line == 4)
        #expect(error.message.contains("<Datum> holds markup"))
        let tree = try PatternXML.parse(bytes: Array("<a><Datum>1, 2</Datum><Datum/><Datum>3</Datum ></a>".utf8), file: "ok.xml", bulk: "Datum")
        #expect(tree.bulkCount == 3)
        #expect(tree.bulkText(0) == "1, 2" && tree.bulkText(1) == "" && tree.bulkText(2) == "3")
    }
}

/// The Rigaku RAS reader walks lines with `PatternText.LineCursor` and parses rows in place.
@Suite("RAS byte scanner")
struct RASScannerTests {
    @Test func lineCursorSplitsLikeLines() {
        let cases: [(String, [String])] = [
            ("a\r\r\nb\r\nc\rd\ne", ["a", "b", "c", "d", "e"]),
            ("a\nb\n", ["a", "b"]),
            ("a\r\rb\r", ["a", "", "b"]),          // no LF at all: every CR ends a line
            ("\n\nx", ["", "", "x"]),
            ("", []),
        ]
        for (text, expected) in cases {
            let lines = PatternText.Lines(bytes: Array(text.utf8))
            #expect((0..<lines.count).map { lines.string($0) } == expected, "\(text.debugDescription)")
        }
    }

    @Test func badRowAndMissingEndNameTheLine() throws {
        let head = "*RAS_DATA_START\r\n*RAS_HEADER_START\r\n*HW_XG_TARGET_NAME \"Cu\"\r\n*RAS_HEADER_END\r\n*RAS_INT_START\r\n"
        let ok = try RigakuRASReader.read(Data((head + "10.0 5 1\r\n10.5 7 2.0\r\n\r\n11 9\r\n*RAS_INT_END\r\n").utf8), file: "ok.ras")
        #expect(ok.scans.first?.columns["intensity"] == [5, 14, 9])
        #expect(ok.scans.first?.metadata["HW_XG_TARGET_NAME"] == "Cu")
        let bad = try #require(throws: RoentgenError.self) {
            try RigakuRASReader.read(Data((head + "10.0 5 1\r\n10.5 x 1\r\n*RAS_INT_END\r\n").utf8), file: "bad.ras")
        }
        #expect(bad.line == 7 && bad.message.contains("10.5 x 1"))
        let cut = try #require(throws: RoentgenError.self) {
            try RigakuRASReader.read(Data((head + "10.0 5 1\r\n10.5 6").utf8), file: "cut.ras")
        }
        #expect(cut.line == 7 && cut.message.contains("line 5 has no *RAS_INT_END"))
    }

    @Test func mutatedRASNeverCrashes() throws {
        guard let url = SharedData.url("xrd/rigaku/MB120718Si3.ras") else { print(SharedData.missing("xrd/rigaku/MB120718Si3.ras")); return }
        let seed = try [UInt8](Data(contentsOf: url))
        var rng = SeededRandom(seed: 0x7A50_0002)
        for _ in 0..<200 {
            do { _ = try RigakuRASReader.read(Data(Mutator.mutate(seed, &rng)), file: "m.ras") } catch is RoentgenError {}
        }
    }
}
