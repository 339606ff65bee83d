import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

/// Failure class 11 of issue #13: implausible numbers. The Bruker RAW v4 file written by
/// DIFFRAC.EVA with 8-byte data records, read by its real values; and every binary reader fed a
/// file whose values are garbage must say so in a warning.
@Suite struct PlausibilityTests {
    /// `TwoTheta_scan_scrambled.raw`: one range of 7134 records of 8 bytes (a float32 intensity,
    /// then an int32 that is 1 in every record). Values checked by hand with Python's struct:
    /// the leading float32 of each record sums to 2 107 237.94, the largest is 11 330.587 at
    /// record 6354 (2θ = 10 + 6354 × 0.0105203 = 76.846°).
    ///
    /// The figures (sum ≈ 1.06e6, maximum 10974 at 42.13°) are what xylib and xrdpattern
    /// return, and they are those of the first 7134 float32 words read as packed values: 3567 real
    /// intensities interleaved with 3567 copies of the int32 1 as a denormal (1.4e-45). That reading
    /// is checked here too, to show where the anchors' numbers come from; it is not the pattern.
    @Test func brukerRawV4EightByteRecords() throws {
        let path = "xrd/bruker_raw/TwoTheta_scan_scrambled.raw"
        guard let url = SharedData.url(path) else { print(SharedData.missing(path)); return }
        let file = try FormatRegistry.read(url)
        try #require(file.scans.count == 1)
        let scan = file.scans[0]
        let x = try #require(scan.columns["two_theta"]), y = try #require(scan.columns["intensity"])
        #expect(y.count == 7134)
        #expect(abs(y.reduce(0, +) - 2_107_237.94) < 0.1)
        let peak = try #require(y.indices.max { y[$0] < y[$1] })
        #expect(peak == 6354)
        #expect(abs(y[peak] - 11_330.587) < 1e-3)
        #expect(abs(x[peak] - 76.846) < 1e-3)
        #expect(abs(x[0] - 10) < 1e-12 && abs(x.last! - (10 + 7133 * 0.010520299896597862)) < 1e-9)
        #expect(abs(y[0] - 283.769) < 1e-3 && abs(y[1] + 164.534) < 1e-3 && abs(y[3] - 3158.152) < 1e-3)
        #expect(!y.contains { $0 != 0 && abs($0) < 1e-30 })
        #expect(scan.metadata["DATUM_SIZE"] == "8")
        #expect(!file.warnings.contains { $0.contains("denormal") })

        // The anchors' reading: 7134 packed float32 from the start of the data.
        let bytes = try [UInt8](Data(contentsOf: url))
        let dataStart = bytes.count - 7134 * 8
        var packed: [Double] = []
        for k in 0..<7134 {
            let q = dataStart + 4 * k
            packed.append(Double(Float(bitPattern: UInt32(bytes[q]) | UInt32(bytes[q + 1]) << 8 | UInt32(bytes[q + 2]) << 16 | UInt32(bytes[q + 3]) << 24)))
        }
        let packedPeak = try #require(packed.indices.max { packed[$0] < packed[$1] })
        #expect(abs(packed.reduce(0, +) - 1.0593e6) < 100)
        #expect(abs(packed[packedPeak] - 10974) < 0.01)
        #expect(abs(x[packedPeak] - 42.13) < 0.005)
        #expect(packed[1] == Double(Float(bitPattern: 1)))   // the int32 1 of record 0, read as a float
        #expect(packed[0] == y[0] && packed[2] == y[1])       // the packed reading skips every other value
    }

    // MARK: garbage-valued files, one per binary reader

    /// Reads `data` as `file` through the registry and returns the warnings.
    func warnings(_ data: Data, _ file: String, format: String) throws -> [String] {
        let read = try FormatRegistry.read(data, file: file)
        #expect(read.format == format)
        return read.warnings
    }

    /// Overwrites `count` 4-byte words from `offset` with `word` (little-endian).
    func fill(_ data: inout Data, from offset: Int, words count: Int, with word: UInt32) {
        for k in 0..<count {
            withUnsafeBytes(of: word.littleEndian) { data.replaceSubrange((offset + 4 * k)..<(offset + 4 * k + 4), with: $0) }
        }
    }

    static let denormal: UInt32 = 1              // float32 1.4e-45
    static let huge: UInt32 = 0x7F7F_FFFF        // float32 3.4e38

    @Test func brukerRawV4Garbage() throws {
        let path = "xrd/bruker_raw/xrdpattern_bruker_v4.raw"
        guard let url = SharedData.url(path) else { print(SharedData.missing(path)); return }
        var data = try Data(contentsOf: url)
        #expect(try warnings(data, url.path, format: "bruker-raw").isEmpty)
        fill(&data, from: data.count - 4059 * 4, words: 4059, with: Self.denormal)
        let w = try warnings(data, url.path, format: "bruker-raw")
        #expect(w.contains { $0.contains("intensity") && $0.contains("4059 of 4059") && $0.contains("denormal") })
    }

    @Test func brukerRawV3Garbage() throws {
        let path = "xrd/bruker_raw/LaB6_Jan2018.raw"
        guard let url = SharedData.url(path) else { print(SharedData.missing(path)); return }
        var data = try Data(contentsOf: url)
        let clean = try FormatRegistry.read(data, file: url.path)
        #expect(clean.warnings.isEmpty)
        try #require(clean.scans.count == 1)
        let n = clean.scans[0].columns["intensity"]!.count
        fill(&data, from: data.count - n * 4, words: n, with: Self.huge)
        let w = try warnings(data, url.path, format: "bruker-raw")
        #expect(w.contains { $0.contains("intensity") && $0.contains("\(n) of \(n)") && $0.contains("exceed") })
    }

    @Test func brukerRawV1V2Garbage() throws {
        let synthetic = BrukerRawV1V2Tests()
        for (name, var data) in [("v1.raw", synthetic.version1()), ("v2.raw", synthetic.version2())] {
            #expect(try warnings(data, name, format: "bruker-raw").isEmpty)
            fill(&data, from: data.count - 16, words: 4, with: 0)           // last range: all zero
            let w = try warnings(data, name, format: "bruker-raw")
            #expect(w.contains { $0.contains("scan 'range 2'") && $0.contains("zero at all 4 points") }, "\(name): \(w)")
        }
    }

    @Test func stoeRawGarbage() throws {
        let path = "xrd/stoe_raw/stoe.raw"
        guard let url = SharedData.url(path) else { print(SharedData.missing(path)); return }
        var data = try Data(contentsOf: url)
        let clean = try FormatRegistry.read(data, file: url.path)
        #expect(clean.warnings.isEmpty)
        let n = clean.scans[0].columns["intensity"]!.count
        fill(&data, from: 2048 + 512, words: n, with: 0)                  // int32 counts: all zero
        let w = try warnings(data, url.path, format: "stoe-raw")
        #expect(w.contains { $0.contains("'intensity' is zero at all \(n) points") }, "\(w)")
    }

    @Test func ssrlBinaryGarbage() throws {
        let path = "xas/demeter/filetypes/ssrlb.dat"
        guard let url = SharedData.url(path) else { print(SharedData.missing(path)); return }
        var data = try Data(contentsOf: url)
        let clean = try FormatRegistry.read(data, file: url.path)
        #expect(!clean.warnings.contains { $0.contains("denormal") || $0.contains("exceed") })
        // The third header record says `PTS: 635 COLS: 6`.
        let info = String(decoding: data[80..<120], as: UTF8.self).split(separator: " ")
        let points = try #require(Int(info[1])), columns = try #require(Int(info[3]))
        #expect(points == 635 && columns == 6)
        let dataStart = 800 + columns * (4 + 4 + 20) + 16
        fill(&data, from: dataStart, words: points * columns, with: 0x0000_0100)   // VAX order: a tiny value
        let w = try warnings(data, url.path, format: "ssrl-binary")
        #expect(w.contains { $0.contains("energy") && $0.contains("denormal") }, "\(w)")
    }

    @Test func x15bGarbage() throws {
        let path = "xas/demeter/filetypes/x15b.dat"
        guard let url = SharedData.url(path) else { print(SharedData.missing(path)); return }
        var data = try Data(contentsOf: url)
        #expect(!(try warnings(data, url.path, format: "x15b")).contains { $0.contains("denormal") || $0.contains("exceed") })
        fill(&data, from: 212, words: (data.count - 212) / 4, with: Self.huge)
        let w = try warnings(data, url.path, format: "x15b")
        #expect(w.contains { $0.contains("'energy'") && $0.contains("exceed") }, "\(w)")
    }

    @Test func hdf5Garbage() throws {
        let url = SharedData.fixture("fidelity/garbage_values.h5")
        let file = try FormatRegistry.read(url)
        let w = file.warnings
        #expect(w.contains { $0.contains("intensity") && $0.contains("23 of 40") && $0.contains("denormal") }, "\(w)")
        #expect(w.contains { $0.contains("intensity") && $0.contains("5 of 40") && $0.contains("exceed") }, "\(w)")
        #expect(w.contains { $0.contains("intensity") && $0.contains("12 of 40") && $0.contains("longest run 12") }, "\(w)")
    }

    /// A file whose values are all plausible gets none of these warnings (the check is not noise).
    @Test func plausibleValuesGiveNoWarning() {
        let scan = Scan(name: "s", kind: .diffraction, columns: ["two_theta": [10, 11, 12], "intensity": [0, 5, 1e6]])
        #expect(ValuePlausibility.warnings(for: scan).isEmpty)
        let nan = Scan(name: "s", kind: .diffraction, columns: ["two_theta": [10, 11, 12, 13], "intensity": [1, .nan, 3, 4]])
        #expect(ValuePlausibility.warnings(for: nan).isEmpty)
    }
}
