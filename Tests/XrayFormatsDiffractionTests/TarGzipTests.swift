import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats
import ZIPFoundation

/// tar archives and gzip-compressed files, built here from the real files in ../shared (a small
/// ustar writer and a gzip writer over ZIPFoundation's deflate), read through the registry.
@Suite struct TarGzipTests {
    /// A ustar archive; `longNames` entries get a GNU `L` record before their header.
    static func tar(_ entries: [(path: String, data: Data, type: UInt8)]) -> Data {
        var out = Data()
        func header(_ name: String, size: Int, type: UInt8) -> [UInt8] {
            var h = [UInt8](repeating: 0, count: 512)
            func put(_ text: String, _ at: Int, _ width: Int) {
                for (k, b) in text.utf8.prefix(width).enumerated() { h[at + k] = b }
            }
            put(name, 0, 100)
            put("0000644", 100, 8); put("0000000", 108, 8); put("0000000", 116, 8)
            put(String(format: "%011o", size), 124, 12)
            put("00000000000", 136, 12)
            h[156] = type
            put("ustar", 257, 6); put("00", 263, 2)
            for k in 148..<156 { h[k] = 0x20 }
            put(String(format: "%06o", h.reduce(0) { $0 + Int($1) }) + "\0 ", 148, 8)
            return h
        }
        func append(_ name: String, _ data: Data, _ type: UInt8) {
            out.append(contentsOf: header(name, size: data.count, type: type))
            out.append(data)
            out.append(Data(count: (512 - data.count % 512) % 512))
        }
        for (path, data, type) in entries {
            if path.utf8.count > 100 { append("././@LongLink", Data(path.utf8) + Data([0]), UInt8(ascii: "L")) }
            append(path, data, type)
        }
        out.append(Data(count: 1024))
        return out
    }

    /// gzip (RFC 1952) around ZIPFoundation's raw deflate.
    static func gzip(_ data: Data) throws -> Data {
        var body = Data()
        let crc = try Data.compress(size: Int64(data.count), bufferSize: 1 << 16, provider: { position, size in
            data.subdata(in: Int(position)..<(Int(position) + size))
        }, consumer: { body.append($0) })
        var out = Data([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF])
        out.append(body)
        for v in [crc, UInt32(truncatingIfNeeded: data.count)] {
            for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(k)))) }
        }
        return out
    }

    static func shared(_ relative: String) throws -> Data { try Data(contentsOf: try url(relative)) }
    static func url(_ relative: String) throws -> URL { try #require(SharedData.url(relative)) }

    static func directScan(_ relative: String) throws -> Scan {
        try #require(try FormatRegistry.read(try url(relative)).scans.first)
    }

    @Test(.enabled(if: SharedData.isPresent)) func tarEntriesReadAsOnTheirOwn() throws {
        let deep = String(repeating: "long_folder_name/", count: 8) + "SbI3.xye"   // > 100 bytes: a GNU long name
        let tar = Self.tar([
            ("data/", Data(), UInt8(ascii: "5")),
            (deep, try Self.shared("xrd/text/SbI3.xye"), UInt8(ascii: "0")),
            ("data/BT86.raw", try Self.shared("xrd/bruker_raw/BT86.raw"), UInt8(ascii: "0")),
            ("data/bad_13.xdi", try Self.shared("xas/xdi_spec/baddata/bad_13.xdi"), UInt8(ascii: "0")),
            ("README.md", Data("notes\n".utf8), UInt8(ascii: "0")),
        ])
        for (data, name) in [(tar, "set.tar"), (try Self.gzip(tar), "set.tar.gz"), (try Self.gzip(tar), "set.tgz")] {
            let file = try FormatRegistry.read(data, file: name)
            #expect(file.format == "tar", "\(name)")
            #expect(file.scans.map(\.name) == [deep, "data/BT86.raw"], "\(name)")
            #expect(file.scans[0].columns == (try Self.directScan("xrd/text/SbI3.xye")).columns)
            #expect(file.scans[1].columns == (try Self.directScan("xrd/bruker_raw/BT86.raw")).columns)
            #expect(file.warnings.contains { $0.hasPrefix("data/bad_13.xdi: not read as xdi (line 31)") }, "\(file.warnings)")
            #expect(file.warnings.contains { $0.contains("not recognised") && $0.contains("README.md") })
        }
    }

    @Test(.enabled(if: SharedData.isPresent)) func gzippedFilesReadAsTheirContent() throws {
        for (path, format) in [("xrd/text/SbI3.xye", "xy"), ("xas/xaslib/Fe2O3_rt_01.xdi", "xdi"), ("xrd/bruker_raw/BT86.raw", "bruker-raw")] {
            let name = FileName.last(path) + ".gz"
            let file = try FormatRegistry.read(try Self.gzip(try Self.shared(path)), file: String(name))
            #expect(file.format == format, "\(path)")
            let scan = try #require(file.scans.first)
            let direct = try Self.directScan(path)
            #expect(scan.columns == direct.columns && scan.name == direct.name, "\(path)")
            #expect(scan.metadata["compression"] == "gzip")
        }
        // Athena projects, gzipped by design, keep their reader.
        #expect(try FormatRegistry.read(try Self.url("xas/larch/athena_prj/cu.prj")).format == "athena")
    }

    @Test(.enabled(if: SharedData.isPresent)) func damagedArchivesNameTheOffset() throws {
        let tar = Self.tar([("data/SbI3.xye", try Self.shared("xrd/text/SbI3.xye"), UInt8(ascii: "0"))])
        // A flipped byte in the header: checksum mismatch at the header's offset.
        var flipped = tar
        flipped[10] ^= 0x01
        let checksum = try #require(throws: RoentgenError.self) { try TarArchiveReader.read(flipped, file: "f.tar") }
        #expect(checksum.byteOffset == 0 && checksum.message.contains("checksum"), "\(checksum)")
        // Cut inside the entry's data.
        let cut = try #require(throws: RoentgenError.self) { try FormatRegistry.read(tar.prefix(2000), file: "c.tar") }
        #expect(cut.byteOffset == 0 && cut.message.contains("truncated"), "\(cut)")
        // A gzip whose CRC does not match.
        var gz = try Self.gzip(try Self.shared("xrd/text/SbI3.xye"))
        gz[gz.count - 6] ^= 0xFF
        let crc = try #require(throws: RoentgenError.self) { try FormatRegistry.read(gz, file: "b.xye.gz") }
        #expect(crc.file == "b.xye.gz" && crc.message.contains("CRC"), "\(crc)")
        // gzip of something no reader knows.
        let unknown = try #require(throws: RoentgenError.self) { try FormatRegistry.read(try Self.gzip(Data("hello\n".utf8)), file: "h.gz") }
        #expect(unknown.kind == .unsupportedFormat && unknown.file == "h.gz")
    }

    @Test(.enabled(if: SharedData.isPresent)) func mutatedTarsNeverCrash() throws {
        let seed = [UInt8](Self.tar([("a/SbI3.xye", try Self.shared("xrd/text/SbI3.xye"), UInt8(ascii: "0")),
                                     ("a/stoe.raw", try Self.shared("xrd/stoe_raw/stoe.raw"), UInt8(ascii: "0"))]))
        var rng = SeededRandom(seed: 0x7A40_0001)
        for _ in 0..<300 {
            do { _ = try FormatRegistry.read(Data(Mutator.mutate(seed, &rng)), file: "m.tar") } catch is RoentgenError {}
        }
    }

    /// A gzipped GSAS file finds its instrument file like the plain one (FAP.XRA.gz beside INST_XRY.PRM).
    @Test(.enabled(if: SharedData.isPresent)) func gzippedGSASFindsItsInstrumentFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-gsas-gz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.gzip(try Self.shared("xrd/gsas/FAP.XRA")).write(to: folder.appendingPathComponent("FAP.XRA.gz"))
        try Self.shared("xrd/gsas/INST_XRY.PRM").write(to: folder.appendingPathComponent("INST_XRY.PRM"))
        let file = try FormatRegistry.read(folder.appendingPathComponent("FAP.XRA.gz"))
        let plain = try FormatRegistry.read(try Self.url("xrd/gsas/FAP.XRA"))
        #expect(file.format == "gsas")
        #expect(file.scans.first?.radiation == plain.scans.first?.radiation && plain.scans.first?.radiation?.kAlpha1 == 1.5405)
        #expect(file.scans.first?.columns == plain.scans.first?.columns)
    }

    /// Inside an archive, a GSAS file finds its instrument file in the same folder, as on disk.
    @Test(.enabled(if: SharedData.isPresent)) func gsasInAnArchiveFindsItsInstrumentFile() throws {
        let tar = Self.tar([
            ("tutorial/FAP.XRA", try Self.shared("xrd/gsas/FAP.XRA"), UInt8(ascii: "0")),
            ("tutorial/INST_XRY.PRM", try Self.shared("xrd/gsas/INST_XRY.PRM"), UInt8(ascii: "0")),
            ("other/NIST660CBI.gsas", try Self.shared("xrd/gsas/NIST660CBI.gsas"), UInt8(ascii: "0")),
        ])
        let file = try FormatRegistry.read(tar, file: "gsas.tar")
        let plain = try FormatRegistry.read(try Self.url("xrd/gsas/FAP.XRA"))
        let fap = try #require(file.scans.first { $0.name == "tutorial/FAP.XRA" })
        #expect(fap.radiation == plain.scans.first?.radiation && fap.radiation?.kAlpha1 == 1.5405)
        // The other folder has no instrument file: no wavelength, and the warning says so.
        let nist = try #require(file.scans.first { $0.name == "other/NIST660CBI.gsas" })
        #expect(nist.radiation == nil)
        #expect(file.warnings.contains { $0.hasPrefix("other/NIST660CBI.gsas: no wavelength in the file") }, "\(file.warnings)")
        #expect(!file.warnings.contains { $0.contains("INST_XRY.PRM: not read") }, "\(file.warnings)")
        #expect(file.warnings.contains { $0.hasPrefix("tutorial/FAP.XRA: instrument parameters from INST_XRY.PRM") }, "\(file.warnings)")
    }
}
