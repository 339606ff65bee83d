import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats
import ZIPFoundation

/// Zip archives of data files, built here from the real files in ../shared (deflated and
/// stored entries), read through the registry: each entry as if read on its own.
@Suite struct ZipArchiveTests {
    /// A zip at a fresh temporary path holding `entries` (archive path → bytes).
    static func archive(_ entries: [(String, Data, CompressionMethod)]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-zip-\(UUID().uuidString).zip")
        let archive = try Archive(url: url, accessMode: .create)
        for (path, data, method) in entries {
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: method) { position, size in
                data.subdata(in: Int(position)..<(Int(position) + size))
            }
        }
        return url
    }

    static func shared(_ relative: String) throws -> Data {
        try Data(contentsOf: try url(relative))
    }

    static func url(_ relative: String) throws -> URL {
        try #require(SharedData.url(relative))
    }

    @Test(.enabled(if: SharedData.isPresent)) func everyRecognisedEntryReadsAsOnItsOwn() throws {
        let inner = try Self.archive([("x.xye", try Self.shared("xrd/text/SbI3.xye"), .none)])
        defer { try? FileManager.default.removeItem(at: inner) }
        let url = try Self.archive([
            ("data/SbI3.xye", try Self.shared("xrd/text/SbI3.xye"), .deflate),
            ("data/BT86.raw", try Self.shared("xrd/bruker_raw/BT86.raw"), .none),
            ("xas/Fe2O3_rt_01.xdi", try Self.shared("xas/xaslib/Fe2O3_rt_01.xdi"), .deflate),
            ("cif/DD_Gold.cif", try Self.shared("xrd/cif/common/DD_Gold.cif"), .deflate),
            ("bad/bad_13.xdi", try Self.shared("xas/xdi_spec/baddata/bad_13.xdi"), .deflate),
            ("MANIFEST.md", try Self.shared("xrd/MANIFEST.md"), .deflate),
            ("inner.zip", try Data(contentsOf: inner), .none),
            ("__MACOSX/data/._SbI3.xye", Data([0, 5, 22, 7]), .none),
        ])
        defer { try? FileManager.default.removeItem(at: url) }
        let file = try FormatRegistry.read(url)
        #expect(file.format == "zip")
        #expect(file.scans.map(\.name) == ["data/SbI3.xye", "data/BT86.raw", "xas/Fe2O3_rt_01.xdi"])
        #expect(file.scans.map(\.kind) == [.diffraction, .diffraction, .absorption])
        #expect(file.scans.map { $0.metadata["entry format"] } == ["xy", "bruker-raw", "xdi"])
        #expect(DataFileSummary.text(file).contains("2. data/BT86.raw [bruker-raw]: 2374 points"))
        for (scan, path) in zip(file.scans, ["xrd/text/SbI3.xye", "xrd/bruker_raw/BT86.raw", "xas/xaslib/Fe2O3_rt_01.xdi"]) {
            let directFile = try FormatRegistry.read(try Self.url(path))
            let direct = try #require(directFile.scans.first)
            #expect(scan.columns == direct.columns, "\(path)")
            #expect(scan.radiation == direct.radiation, "\(path)")
        }
        #expect(file.structures.map(\.name) == ["cif/DD_Gold.cif"])
        #expect(file.structures.first?.cellFormula == "Au4")
        // The bad entry, the unrecognised one and the nested archive are named; archiver junk is not.
        #expect(file.warnings.contains { $0.hasPrefix("bad/bad_13.xdi: not read as xdi (line 31)") }, "\(file.warnings)")
        #expect(file.warnings.contains { $0.contains("not recognised as data") && $0.contains("MANIFEST.md") })
        #expect(file.warnings.contains { $0.hasPrefix("inner.zip: archive inside the archive") })
        #expect(!file.warnings.contains { $0.contains("__MACOSX") })
        // One entry converts like the file itself.
        let xy = try DataFileExport.convert(file, to: .xy, group: "data/BT86.raw")
        let direct = try FormatRegistry.read(try Self.url("xrd/bruker_raw/BT86.raw"))
        #expect(xy == (try DataFileExport.convert(direct, to: .xy)))
    }

    @Test(.enabled(if: SharedData.isPresent)) func zipContainerFormatsKeepTheirReaders() throws {
        #expect(try FormatRegistry.read(try Self.url("xrd/bruker_brml/SbI3.brml")).format == "bruker-brml")
        #expect(try FormatRegistry.read(try Self.url("xrd/rigaku/TwoTheta_scan_powder.rasx")).format == "rigaku-rasx")
    }

    @Test func anArchiveWithoutDataIsAnError() throws {
        let url = try Self.archive([("notes.txt", Data("just words\n".utf8), .deflate)])
        defer { try? FileManager.default.removeItem(at: url) }
        let error = try #require(throws: RoentgenError.self) { try FormatRegistry.read(url) }
        #expect(error.kind == .badFile && error.file == url.path)
        #expect(error.message.contains("no readable data file"), "\(error)")
    }

    @Test(.enabled(if: SharedData.isPresent)) func aTruncatedArchiveNamesTheOffset() throws {
        let url = try Self.archive([("data/SbI3.xye", try Self.shared("xrd/text/SbI3.xye"), .deflate)])
        defer { try? FileManager.default.removeItem(at: url) }
        let cut = try Data(contentsOf: url).prefix(3000)
        let error = try #require(throws: RoentgenError.self) { try FormatRegistry.read(Data(cut), file: "cut.zip") }
        #expect(error.file == "cut.zip" && error.byteOffset != nil, "\(error)")
    }

    /// Mutated archives (the seeded mutator of FuzzTests): a result or a RoentgenError, never a
    /// crash (20,000 mutations run once by hand: 4,881 read, 15,119 rejected).
    @Test(.enabled(if: SharedData.isPresent)) func mutatedArchivesNeverCrash() throws {
        let url = try Self.archive([
            ("data/SbI3.xye", try Self.shared("xrd/text/SbI3.xye"), .deflate),
            ("data/BT86.raw", try Self.shared("xrd/bruker_raw/BT86.raw"), .none),
            ("cif/DD_Gold.cif", try Self.shared("xrd/cif/common/DD_Gold.cif"), .deflate),
        ])
        defer { try? FileManager.default.removeItem(at: url) }
        let seed = try [UInt8](Data(contentsOf: url))
        var rng = SeededRandom(seed: 0x21F0_0001)
        var read = 0, rejected = 0
        for _ in 0..<400 {
            do {
                _ = try FormatRegistry.read(Data(Mutator.mutate(seed, &rng)), file: "m.zip")
                read += 1
            } catch is RoentgenError {
                rejected += 1
            }
        }
        #expect(read + rejected == 400)
    }

    /// `xrd identify --candidates` takes an archive of CIFs: the same ranking, scores and phase
    /// fractions as the folder the CIFs came from.
    @Test(.enabled(if: SharedData.isPresent)) func identifyAgainstAnArchiveOfCIFs() async throws {
        let folder = try Self.url("xrd/cif/xrd_autoanalyzer_refs")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".cif") }.sorted()
        let url = try Self.archive(try names.map { ("refs/" + $0, try Data(contentsOf: folder.appendingPathComponent($0)), CompressionMethod.deflate) })
        defer { try? FileManager.default.removeItem(at: url) }
        let pattern = try Self.url("xrd/text/xrd_autoanalyzer/Li2MnO3+MnO+TiO2.xy").path
        func ranking(_ candidates: String) async throws -> [[String: Any]] {
            let r = try await RoentgenCLI.run(["xrd", "identify", pattern, "--candidates", candidates, "--top", "100", "--json"])
            #expect(r.status == 0, "\(r.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            return try #require(json["ranking"] as? [[String: Any]])
        }
        let fromArchive = try await ranking(url.path), fromFolder = try await ranking(folder.path)
        #expect(fromArchive.count == names.count && fromFolder.count == names.count)
        for (a, f) in zip(fromArchive, fromFolder) {
            let nameA = (a["candidate"] as? String).map { String(FileName.last($0)) }, nameF = (f["candidate"] as? String).map { String(FileName.last($0)) }
            #expect(nameA == nameF)
            #expect(a["score"] as? Double == f["score"] as? Double && a["present"] as? Bool == f["present"] as? Bool, "\(nameA ?? "?")")
        }
    }
}
