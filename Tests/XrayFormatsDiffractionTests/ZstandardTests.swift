import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

/// Roentgen's Zstandard decoder (RFC 8878), through the HDF5 fixtures hdf5plugin wrote, and
/// by hand against libzstd on random frames.
@Suite struct ZstandardTests {
    /// A differential run, by hand: `ROENTGEN_ZSTD_DIR=DIR swift test --filter ZstandardTests`
    /// decodes every DIR/NAME.zst (written by libzstd, e.g. through python-zstandard) and
    /// compares it with DIR/NAME.raw. Skipped without it.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["ROENTGEN_ZSTD_DIR"] != nil, "set ROENTGEN_ZSTD_DIR to run"))
    func differential() throws {
        let dir = URL(fileURLWithPath: try #require(ProcessInfo.processInfo.environment["ROENTGEN_ZSTD_DIR"]))
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".zst") }.sorted()
        var bytes = 0
        for name in names {
            let frame = [UInt8](try Data(contentsOf: dir.appendingPathComponent(name)))
            let raw = [UInt8](try Data(contentsOf: dir.appendingPathComponent(String(name.dropLast(4)) + ".raw")))
            do {
                let decoded = try frame.withUnsafeBufferPointer { try Zstandard.decompress($0, limit: raw.count) }
                #expect(decoded == raw, "\(name): \(decoded.count) bytes decoded, \(raw.count) expected")
            } catch {
                Issue.record("\(name): \(error)")
            }
            bytes += raw.count
        }
        print("zstd differential: \(names.count) frames, \(bytes) bytes in \(dir.path)")
    }

    static let folder = HDF5Fixtures.folder.deletingLastPathComponent().appendingPathComponent("zstd")

    /// A `.zst` file reads as its content (here an HDF5 fixture compressed by libzstd with a
    /// checksum); a `.tar.zst` as the tar of its files. A tar whose first member is an HDF5 file
    /// is a tar, not an HDF5 file with a user block.
    @Test func compressedFilesReadAsTheirContent() throws {
        let zst = try Data(contentsOf: Self.folder.appendingPathComponent("pyfai_nxdata.nxs.zst"))
        let file = try FormatRegistry.read(zst, file: "pyfai_nxdata.nxs.zst")
        let plain = try HDF5Fixtures.read("pyfai_nxdata.nxs")
        #expect(file.format == "hdf5" && file.scans.count == 1)
        #expect(file.scans.first?.columns == plain.scans.first?.columns && file.scans.first?.metadata["compression"] == "zstd")
        let tarZst = try Data(contentsOf: Self.folder.appendingPathComponent("tables.tar.zst"))
        let tables = try FormatRegistry.read(tarZst, file: "tables.tar.zst")
        let table = try HDF5Fixtures.read("table.h5"), virtual = try HDF5Fixtures.read("virtual.h5")
        #expect(tables.format == "tar" && tables.scans.map(\.columns) == (table.scans + virtual.scans).map(\.columns))
        #expect(tables.scans.map(\.name) == table.scans.map { "table.h5 [\($0.name)]" } + ["virtual.h5"])
        let tar = try tarZst.withUnsafeBytes { Data(try Zstandard.decompress($0.bindMemory(to: UInt8.self), limit: 1 << 20)) }
        #expect(try FormatRegistry.read(tar, file: "tables.tar").format == "tar")
        // Cut short: a clear error naming the file.
        #expect { _ = try FormatRegistry.read(zst.prefix(zst.count / 2), file: "cut.nxs.zst") } throws: { error in
            guard let e = error as? RoentgenError else { return false }
            return e.file == "cut.nxs.zst" && e.message.contains("Zstandard-compressed file does not decompress")
        }
    }

    /// XXH64 (the frame checksum) against the published values of the empty input and of "abc".
    @Test func xxh64KnownValues() {
        #expect([UInt8]().withUnsafeBufferPointer(Zstandard.xxh64) == 0xEF46_DB37_51D8_E999)
        #expect(Array("abc".utf8).withUnsafeBufferPointer(Zstandard.xxh64) == 0x44BC_2CF5_AD77_0999)
    }

    /// Damaged frames: an error, never a crash or a wrong length; a truncated frame fails. A
    /// seeded mutation run over the .zst fixtures and the Zstandard chunk of plugins.h5 (250
    /// mutations; `ROENTGEN_FUZZ_SECONDS=N` runs it for N seconds).
    @Test func damagedFramesFail() throws {
        let bytes = try HDF5Fixtures.bytes("plugins.h5")
        // The Zstandard dataset's chunk: a frame (magic 28 B5 2F FD) in the fixture.
        let magic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]
        let at = try #require((0..<(bytes.count - 4)).first { Array(bytes[$0..<($0 + 4)]) == magic })
        let frame = Array(bytes[at..<min(bytes.count, at + 4000)])
        for cut in [3, 5, 9, 40, 200] {
            #expect(throws: Zstandard.Failure.self) { _ = try Array(frame.prefix(cut)).withUnsafeBufferPointer { try Zstandard.decompress($0, limit: 1 << 20) } }
        }
        let seeds = [frame] + (try ["pyfai_nxdata.nxs.zst", "tables.tar.zst"].map { [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent($0))) })
        var rng = SeededRandom(seed: 8878)
        let budget = ProcessInfo.processInfo.environment["ROENTGEN_FUZZ_SECONDS"].flatMap(Double.init)
        let start = Date()
        var run = 0, failed = 0
        while budget.map({ Date().timeIntervalSince(start) < $0 }) ?? (run < 250) {
            defer { run += 1 }
            let mutated = Mutator.mutate(seeds[run % seeds.count], &rng)
            do {
                _ = try mutated.withUnsafeBufferPointer { try Zstandard.decompress($0, limit: 1 << 22) }
            } catch is Zstandard.Failure {
                failed += 1
            }
        }
        print("fuzz zstd: \(run) mutations, \(failed) rejected")
        #expect(failed > 0)
    }
}
