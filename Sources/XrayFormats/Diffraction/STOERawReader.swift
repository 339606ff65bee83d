import Foundation
import XrayCore

/// STOE WinXPOW binary RAW (`RAW_1.06Powdat`, little-endian). A 2048-byte file header (title,
/// dates, wavelengths at bytes 322/326, Kα2/Kα1 ratio at 384), then per range a 512-byte header
/// (point count int32 at +34, 2θ start/end float32 at +44/+52, 2θ step at +60) and the counts
/// as int32, padded to 512-byte blocks. 2θ is `start + i·step` from the range header (not the
/// planned scan range at bytes 572/576, which xrdpattern uses and which gives the wrong step).
enum STOERawReader: FormatReader {
    static let id = "stoe-raw"
    static let name = "STOE WinXPOW RAW (binary .raw)"
    static let kind = Scan.Kind.diffraction
    static let suffixes = ["raw"]

    static let magic = Array("RAW_1".utf8)

    static func sniff(head: Data, suffix: String) -> SniffConfidence {
        head.count >= 5 && Array(head.prefix(5)) == magic ? .certain : .no
    }

    static func read(_ data: Data, file: String) throws -> DataFile {
        var r = PatternBinary(data, file: file)
        guard r.count >= 5, Array(r.bytes.prefix(5)) == magic else {
            throw RoentgenError.badFile(file, byteOffset: 0, "not a STOE RAW file: expected 'RAW_1' at the start")
        }
        try r.require(2048 + 512, at: 0, "the 2048-byte file header and a 512-byte range header")
        var metadata = Metadata()
        metadata["format"] = try r.string(16, "format tag")
        // Printable text fields of the file header, by offset.
        var k = 16
        while k < 2048 {
            var e = k
            while e < 2048, r.bytes[e] >= 32, r.bytes[e] < 127 { e += 1 }
            if e - k >= 4 { metadata["text@\(k)"] = PatternText.string(r.bytes, k..<e).trimmingCharacters(in: .whitespaces) }
            k = e + 1
        }
        try r.seek(322, "wavelengths")
        let w1 = try r.float32("wavelength 1"), w2 = try r.float32("wavelength 2")
        try r.seek(384, "ratio")
        let ratio = try r.float32("Kα2/Kα1 ratio")
        metadata["wavelength@322"] = String(Float(w1)); metadata["wavelength@326"] = String(Float(w2))
        metadata["ratio@384"] = String(Float(ratio))
        try r.seek(572, "planned scan range")
        metadata["planned 2theta start"] = String(Float(try r.float32("planned start")))
        metadata["planned 2theta end"] = String(Float(try r.float32("planned end")))
        // Kα1 is the shorter of the two wavelengths.
        let positive = [w1, w2].filter { $0 > 0 && $0.isFinite }
        let radiation = DiffractionScan.radiation(anode: nil, kAlpha1: positive.min(),
                                                  kAlpha2: positive.count == 2 && w1 != w2 ? positive.max() : nil,
                                                  ratio: ratio, kBeta: nil)
        var scans: [Scan] = []
        var rangeStart = 2048
        while rangeStart + 512 <= r.count {
            try r.seek(rangeStart + 34, "range point count")
            let n = try r.int32("range point count")
            if !scans.isEmpty && n <= 0 { break }
            guard n > 0, n <= (r.count - rangeStart - 512) / 4 else {
                throw RoentgenError.badFile(file, byteOffset: rangeStart + 34,
                                            "range \(scans.count + 1) claims \(n) points but \(r.count - rangeStart - 512) bytes follow its header (truncated file?)")
            }
            try r.seek(rangeStart + 44, "range 2θ start")
            let start = try r.float32("2θ start")
            try r.seek(rangeStart + 52, "range 2θ end")
            let end = try r.float32("2θ end")
            try r.seek(rangeStart + 60, "range 2θ step")
            var step = try r.float32("2θ step")
            if !(step > 0) && n > 1 { step = (end - start) / Double(n - 1) }
            var m = metadata
            m["points"] = String(n); m["2theta start"] = String(Float(start))
            m["2theta end"] = String(Float(end)); m["2theta step"] = String(Float(step))
            try r.seek(rangeStart + 512, "range \(scans.count + 1) counts")
            var y: [Double] = []
            y.reserveCapacity(n)
            for _ in 0..<n { y.append(Double(try r.int32("count"))) }
            // The step is stored as float32: rebuild it from start/end when they agree with n.
            let fromEnd = n > 1 ? (end - start) / Double(n - 1) : step
            let exactStep = abs(fromEnd - step) < 1e-6 ? (Double(Float(step).description) ?? step) : step
            let x = DiffractionScan.steps(start: Double(String(Float(start))) ?? start, step: exactStep, count: n)
            scans.append(DiffractionScan.make(name: "range \(scans.count + 1)", twoTheta: x, intensity: y,
                                              radiation: radiation, metadata: m))
            let blocks = (n * 4 + 511) / 512
            rangeStart += 512 + blocks * 512
        }
        guard !scans.isEmpty else { throw RoentgenError.badFile(file, byteOffset: 2048, "STOE RAW file holds no range") }
        if scans.count == 1 { scans[0].name = DiffractionScan.stem(file) }
        return DataFile(format: id, file: file, scans: scans)
    }
}
