import Foundation
import Testing
import TestSupport
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

    /// XXH64 (the frame checksum) against the published values of the empty input and of "abc".
    @Test func xxh64KnownValues() {
        #expect([UInt8]().withUnsafeBufferPointer(Zstandard.xxh64) == 0xEF46_DB37_51D8_E999)
        #expect(Array("abc".utf8).withUnsafeBufferPointer(Zstandard.xxh64) == 0x44BC_2CF5_AD77_0999)
    }

    /// Damaged frames: an error, never a crash or a wrong length; a truncated frame fails.
    @Test func damagedFramesFail() throws {
        let bytes = try HDF5Fixtures.bytes("plugins.h5")
        // The Zstandard dataset's chunk: a frame (magic 28 B5 2F FD) in the fixture.
        let magic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]
        let at = try #require((0..<(bytes.count - 4)).first { Array(bytes[$0..<($0 + 4)]) == magic })
        let frame = Array(bytes[at..<min(bytes.count, at + 4000)])
        for cut in [3, 5, 9, 40, 200] {
            #expect(throws: Zstandard.Failure.self) { _ = try Array(frame.prefix(cut)).withUnsafeBufferPointer { try Zstandard.decompress($0, limit: 1 << 20) } }
        }
        var rng = SeededRandom(seed: 8878)
        for _ in 0..<300 {
            var damaged = frame
            for _ in 0..<3 { damaged[4 + Int(rng.next() % UInt64(damaged.count - 4))] = UInt8(truncatingIfNeeded: rng.next()) }
            _ = try? damaged.withUnsafeBufferPointer { try Zstandard.decompress($0, limit: 1 << 20) }
        }
    }
}
