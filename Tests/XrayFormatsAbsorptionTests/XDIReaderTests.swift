import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

/// Reads a shared file's bytes, or nil (with a printed skip message) if ../shared is absent.
func sharedBytes(_ path: String) -> Data? {
    guard let url = SharedData.url(path), let data = FileManager.default.contents(atPath: url.path) else {
        print(SharedData.missing(path))
        return nil
    }
    return data
}

/// Reads a shared file through format detection.
func readShared(_ path: String) throws -> DataFile {
    let data = try #require(sharedBytes(path))
    return try FormatRegistry.read(data, file: path)
}

/// The files of a shared folder whose names end in one of `suffixes` (all if empty), sorted.
func sharedFiles(_ folder: String, suffixes: [String] = []) -> [String] {
    guard let url = SharedData.url(folder),
          let names = try? FileManager.default.contentsOfDirectory(atPath: url.path) else {
        print(SharedData.missing(folder))
        return []
    }
    return names.filter { name in suffixes.isEmpty || suffixes.contains { name.lowercased().hasSuffix($0) } }
        .sorted().map { "\(folder)/\($0)" }
}

@Suite struct XDIReaderTests {
    @Test(.enabled(if: SharedData.isPresent)) func everyGoodSpecFileReads() throws {
        let files = sharedFiles("xas/xdi_spec/data", suffixes: [".xdi"])
        #expect(files.count == 16)
        for path in files {
            let data = try #require(sharedBytes(path))
            let file = try XDIReader.read(data, file: path)
            #expect(file.format == "xdi")
            let scan = try #require(file.scans.first)
            let n = scan.columns.values.first?.count ?? 0
            #expect(n >= 5, "\(path)")
            for (name, column) in scan.columns { #expect(column.count == n, "\(path) \(name)") }
            if !path.contains("nonxafs") {
                #expect(scan.columns["energy"] != nil, "\(path) has an energy column")
                #expect(scan.metadata["Element.symbol"] != nil, "\(path)")
            }
            // The data rows counted independently: numeric lines not starting with '#'.
            let text = String(decoding: data, as: UTF8.self)
            let rows = text.split(whereSeparator: \.isNewline).filter { line in
                let t = line.trimmingCharacters(in: .whitespaces)
                return !t.isEmpty && !t.hasPrefix("#")
            }
            #expect(rows.count == n, "\(path): \(rows.count) rows in the file, \(n) read")
        }
    }

    @Test(.enabled(if: SharedData.isPresent)) func cuMetalFieldsUnitsAndLabels() throws {
        let path = "xas/xdi_spec/data/cu_metal_rt.xdi"
        let data = try #require(sharedBytes(path))
        let scan = try #require(try XDIReader.read(data, file: path).scans.first)
        #expect(Array(scan.columns.keys) == ["energy", "i0", "itrans", "mutrans"])
        #expect(scan.units["energy"] == "eV")
        #expect(scan.metadata["Mono.d_spacing"] == "3.13553")
        #expect(scan.metadata["Element.symbol"] == "Cu")
        #expect(scan.metadata["Element.edge"] == "K")
        #expect(scan.metadata["XDI.version"] == "1.0")
        #expect(scan.metadata["XDI.extra_version"] == "GSE/1.0")
        #expect(scan.metadata["XDI.comments"]?.contains("Cu foil Room Temperature") == true)
        #expect(scan.columns["energy"]?.first == 8779.0)
        #expect(scan.columns["mutrans"]?.first == -1.3070486)
    }

    /// Every case of the XDI authors' BadFiles.txt: "error msg" must throw a RoentgenError naming
    /// the file and a line; "file read(1)", "(2)", "(3)" and "(7)" must read with warnings.
    @Test(.enabled(if: SharedData.isPresent)) func badFilesMatchTheAuthorsTable() throws {
        let table = try #require(sharedBytes("xas/xdi_spec/baddata/BadFiles.txt"))
        var cases: [(String, String)] = []
        for line in String(decoding: table, as: UTF8.self).split(separator: "\n") {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            guard words.count > 2, words[0].hasPrefix("bad_"), words[0].hasSuffix(".xdi") else { continue }
            // bad_22 (a key with two '.') is read as Larch reads it, with a warning (issue #13, class 6).
            let status = words[0] == "bad_22.xdi" ? "read(1)" : (words[1] == "error" ? "error" : String(words[2]))
            cases.append((String(words[0]), status))
        }
        #expect(cases.count == 36)
        for (name, status) in cases {
            let path = "xas/xdi_spec/baddata/\(name)"
            let data = try #require(sharedBytes(path))
            if status == "error" {
                #expect(throws: RoentgenError.self, "\(name) must be rejected") { try XDIReader.read(data, file: path) }
                do {
                    _ = try XDIReader.read(data, file: path)
                } catch let error as RoentgenError {
                    #expect(error.file == path)
                    #expect(error.line != nil, "\(name): \(error)")
                    #expect(error.kind == .badFile)
                }
            } else {
                let file = try XDIReader.read(data, file: path)
                let needsWarning = ["read(1)", "read(2)", "read(3)", "read(7)"].contains(status)
                if needsWarning {
                    #expect(!file.warnings.isEmpty, "\(name) (\(status)) must warn")
                }
                if status == "read" {
                    #expect(file.warnings.isEmpty, "\(name) is valid: \(file.warnings)")
                }
            }
        }
    }

    @Test(.enabled(if: SharedData.isPresent)) func specificBadFileMessages() throws {
        func failure(_ name: String) throws -> RoentgenError? {
            let path = "xas/xdi_spec/baddata/\(name)"
            let data = try #require(sharedBytes(path))
            do { _ = try XDIReader.read(data, file: path); return nil } catch let e as RoentgenError { return e }
        }
        #expect(try failure("bad_01.xdi")?.line == 1)
        #expect(try failure("bad_13.xdi")?.line == 31)
        #expect(try failure("bad_15.xdi")?.line == 29)
        #expect(try failure("bad_16.xdi")?.message.contains("STRING") == true)
        #expect(try failure("bad_17.xdi")?.message.contains("1.4.9") == true)
        #expect(try failure("bad_20.xdi")?.line == 8)
        // bad_12: angle without d-spacing reads, with a warning and no energy axis.
        let path = "xas/xdi_spec/baddata/bad_12.xdi"
        let d12 = try #require(sharedBytes(path))
        let file = try XDIReader.read(d12, file: path)
        #expect(file.scans[0].columns["energy"] == nil)
        #expect(file.warnings.contains { $0.contains("d_spacing") })
        // bad_08: the missing Column.4 label is taken from the label line.
        let p8 = "xas/xdi_spec/baddata/bad_08.xdi"
        let d8 = try #require(sharedBytes(p8))
        let f8 = try XDIReader.read(d8, file: p8)
        #expect(Array(f8.scans[0].columns.keys) == ["energy", "i0", "itrans", "mutrans"])
    }

    @Test func angleColumnConvertsWithDSpacing() throws {
        let text = """
        # XDI/1.0
        # Column.1: angle degrees
        # Column.2: i0
        # Mono.d_spacing: 3.13553
        # Element.symbol: Cu
        # Element.edge: K
        #----
        # angle i0
        12.5 100
        12.4 101
        """
        let file = try XDIReader.read(Data(text.utf8), file: "mem.xdi")
        let e = try #require(file.scans[0].columns["energy"])
        let expected = 12398.419843320026 / (2 * 3.13553 * sin(12.5 * Double.pi / 180))
        #expect(abs(e[0] - expected) < 1e-9)
        #expect(file.scans[0].columns["angle"] == [12.5, 12.4])
    }

    @Test func keVEnergyConvertsToEV() throws {
        let text = "# XDI/1.0\n# Column.1: energy keV\n# Column.2: mu\n# Element.symbol: Fe\n# Element.edge: K\n#----\n7.1 1\n7.2 2\n"
        let file = try XDIReader.read(Data(text.utf8), file: "mem.xdi")
        #expect(file.scans[0].columns["energy"] == [7100, 7200])
    }
}

extension XDIReaderTests {
    /// Every XDI file elsewhere in the shared tree (XAS Data Library, Larch examples) reads
    /// with an energy axis; the typo suffixes `.xd` and `.xxdi` are detected from content.
    @Test(.enabled(if: SharedData.isPresent)) func libraryAndLarchXDIFilesRead() throws {
        var paths = sharedFiles("xas/xaslib")
        paths += ["xas/larch/xafsdata/cu_romanglass.xdi", "xas/larch/xafsdata/fe_xanes_8ch.xdi",
                  "xas/larch/xafsdata/v_foil.xdi", "xas/larch/xafsdata/fexanes_a.001",
                  "xas/larch/beamlines/APS13ID_2019.dat", "xas/larch/beamlines/NSLS6BM_2019.dat"]
        #expect(paths.count >= 37)
        for path in paths {
            let data = try #require(sharedBytes(path))
            let file = try FormatRegistry.read(data, file: path)
            #expect(file.format == "xdi", "\(path)")
            let energy = try #require(file.scans.first?.columns["energy"], "\(path)")
            #expect(energy.count > 50, "\(path)")
            #expect(energy.allSatisfy { $0 > 1000 && $0 < 40000 }, "\(path): energy in eV")
        }
    }
}

extension XDIReaderTests {
    /// Writing XDI and reading it back gives the same columns (bit for bit) and header fields.
    @Test(.enabled(if: SharedData.isPresent)) func writerRoundTrip() throws {
        let path = "xas/xaslib/SrTiO3_rt_01.xdi"
        let data = try #require(sharedBytes(path))
        let original = try #require(try XDIReader.read(data, file: path).scans.first)
        let text = XDIWriter.write(original)
        let back = try XDIReader.read(Data(text.utf8), file: "roundtrip.xdi")
        let scan = try #require(back.scans.first)
        #expect(scan.columns == original.columns)
        #expect(scan.metadata["Element.symbol"] == original.metadata["Element.symbol"])
        #expect(scan.metadata["Mono.d_spacing"] == original.metadata["Mono.d_spacing"])
        #expect(scan.metadata["XDI.comments"] == original.metadata["XDI.comments"])
    }
}

extension XDIReaderTests {
    /// XDI has no NaN: the writer leaves such rows out (and says so) so the file reads back.
    @Test func writerLeavesOutNonFiniteRows() throws {
        let scan = Scan(name: "s", kind: .absorption, columns: ["energy": [1, 2, 3], "i0": [1, .nan, 3]], metadata: ["Element.symbol": "Fe", "Element.edge": "K"])
        let back = try XDIReader.read(Data(XDIWriter.write(scan).utf8), file: "w.xdi")
        #expect(back.scans[0].columns["energy"] == [1, 3])
        #expect(back.scans[0].metadata["XDI.comments"]?.contains("1 row(s)") == true)
    }
}
