import Foundation
import Testing
import XrayCore
@testable import XrayFormats

/// RAW v1 (`RAW `) and v2 (`RAW2`): no real file of either version is available (every sample in
/// ../shared is v3 or v4), so these tests build files byte by byte after the layout the reader
/// documents (DIFFRAC-AT, as xylib describes it) and check that every field lands where it should,
/// that multi-range files split, and that every truncation is a RoentgenError with an offset.
@Suite struct BrukerRawV1V2Tests {
    /// Little-endian byte writer.
    struct Bytes {
        var data = Data()
        mutating func ascii(_ s: String, _ width: Int) {
            var b = Array(s.utf8.prefix(width)); b += [UInt8](repeating: 0, count: width - b.count); data.append(contentsOf: b)
        }
        mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        mutating func f32(_ v: Float) { u32(v.bitPattern) }
        mutating func zeros(_ n: Int) { data.append(contentsOf: [UInt8](repeating: 0, count: n)) }
        mutating func pad(to n: Int) { zeros(n - data.count) }
    }

    struct Range { var start: Float; var step: Float; var counts: [Float] }
    let ranges = [Range(start: 10, step: 0.02, counts: [120, 135, 410, 980, 402, 131]),
                  Range(start: 40, step: 0.05, counts: [88, 90, 95, 300])]

    /// v1: per range a 152-byte header (steps, time/step, step, mode, –, start, θ/χ/φ, sample,
    /// Kα1, Kα2, 72 bytes, "another range follows" flag), then the counts as float32.
    func version1() -> Data {
        var b = Bytes()
        b.ascii("RAW ", 4)
        for (i, range) in ranges.enumerated() {
            b.u32(UInt32(range.counts.count)); b.f32(1.5); b.f32(range.step); b.u32(0); b.zeros(4)
            b.f32(range.start); b.f32(5); b.f32(-1e6); b.f32(-1e6)
            b.ascii("quartz", 32); b.f32(1.5406); b.f32(1.54439); b.zeros(72)
            b.u32(i + 1 < ranges.count ? 1 : 0)
            for c in range.counts { b.f32(c) }
        }
        return b.data
    }

    /// v2: range count at byte 4; date, anode, λ1, λ2, ratio from byte 168; ranges from byte 256,
    /// each with a 48-byte header (length, steps, –, time/step, step, start, 26 bytes, temperature).
    func version2() -> Data {
        var b = Bytes()
        b.ascii("RAW2", 4); b.u16(UInt16(ranges.count)); b.pad(to: 168)
        b.ascii("03/14/94 10:21:07", 20); b.ascii("CO", 2); b.f32(1.78897); b.f32(1.79285); b.f32(0.5)
        b.zeros(8); b.f32(3600); b.pad(to: 256)
        for range in ranges {
            b.u16(48); b.u16(UInt16(range.counts.count)); b.zeros(4); b.f32(2); b.f32(range.step); b.f32(range.start)
            b.zeros(26); b.u16(298)
            for c in range.counts { b.f32(c) }
        }
        return b.data
    }

    func check(_ file: DataFile, kAlpha1: Double) throws {
        #expect(file.format == BrukerRawReader.id)
        try #require(file.scans.count == 2)
        for (scan, range) in zip(file.scans, ranges) {
            let pattern = try #require(scan.diffractionPattern)
            #expect(pattern.intensity == range.counts.map(Double.init))
            #expect(pattern.twoTheta.count == range.counts.count)
            #expect(abs(pattern.twoTheta[0] - Double(range.start)) < 1e-6)
            #expect(abs(pattern.twoTheta[1] - pattern.twoTheta[0] - Double(range.step)) < 1e-6)
            #expect(abs((scan.radiation?.kAlpha1 ?? 0) - kAlpha1) < 1e-6)
        }
        #expect(file.scans.map(\.name) == ["range 1", "range 2"])
    }

    @Test func version1MultiRange() throws {
        let file = try FormatRegistry.read(version1(), file: "old.RAW")
        try check(file, kAlpha1: 1.5406)
        #expect(file.scans[0].metadata["SAMPLE_NAME"] == "quartz")
        #expect(file.scans[0].metadata["THETA_START"] == "5" && file.scans[0].metadata["KHI_START"] == nil)
    }

    @Test func version2MultiRange() throws {
        let file = try FormatRegistry.read(version2(), file: "old2.raw")
        try check(file, kAlpha1: 1.78897)
        let radiation = try #require(file.scans[0].radiation)
        #expect(radiation.kAlpha2Ratio == 0.5 && abs((radiation.kAlpha2 ?? 0) - 1.79285) < 1e-6)
        #expect(file.scans[1].metadata["TEMP_IN_K"] == "298")
    }

    /// Every truncation of either version is an error naming the file and a byte offset (or a
    /// shorter, still-correct read of whole ranges), never a crash.
    @Test func truncationsAreErrorsWithOffsets() throws {
        for (name, full) in [("v1.raw", version1()), ("v2.raw", version2())] {
            for length in stride(from: 4, to: full.count, by: 3) {
                do {
                    let file = try BrukerRawReader.read(full.prefix(length), file: name)
                    // A v1 cut right after a whole range still holds that range intact.
                    for scan in file.scans { #expect(scan.columns["intensity"]?.allSatisfy { $0 >= 0 } == true) }
                } catch let error as RoentgenError {
                    #expect(error.file == name)
                    #expect(error.byteOffset != nil, "\(name) cut at \(length): \(error)")
                }
            }
        }
    }
}
