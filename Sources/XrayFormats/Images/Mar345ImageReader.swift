import Foundation
import OrderedCollections
import XrayCore

/// mar345 image-plate files (marXperts' `.mar2300`, `.mar3450` …, 1997 format): a 4096-byte header
/// (16 32-bit integers whose first is 1234 in the file's byte order — size, count of high pixels,
/// pixel length and height in µm, wavelength × 10⁶ Å, distance × 1000 mm — then ASCII lines such
/// as `CENTER X 1150.000 Y 1150.000`), the high-intensity pixels as (1-based address, value)
/// pairs, and the 16-bit image in CCP4 "PCK" packing (`CCP4 packed image, X: n, Y: n`), decoded
/// as CCP4's `unpack_word` (pack_c.c, J. P. Abrahams): blocks of 2^k values of one bit width
/// (0, 4–8, 16, 32), each value a difference from the mean of its left, upper-left, upper and
/// upper-right neighbours taken as signed 16-bit values (from the left neighbour in the first row). Values are `uint32`, as
/// fabio reads them.
enum Mar345ImageReader {
    static let id = "mar345"

    static func isMar345(_ head: Data) -> Bool {
        guard head.count >= 4 else { return false }
        let b = [UInt8](head.prefix(4))
        let little = Int(b[0]) | Int(b[1]) << 8 | Int(b[2]) << 16 | Int(b[3]) << 24
        let big = Int(b[3]) | Int(b[2]) << 8 | Int(b[1]) << 16 | Int(b[0]) << 24
        return (little == 1234 || big == 1234) && PatternText.contains(head.prefix(1024), "mar research")
    }

    static func read(_ data: Data, file: String) throws -> DetectorImage {
        try data.withUnsafeBytes { try read($0, file: file, keepStored: false).image }
    }

    /// As `read`, with the pixels kept as their uint32 values (`StoredFrames`) instead of doubles.
    static func readStored(_ data: Data, file: String) throws -> (image: DetectorImage, stored: StoredFrames?) {
        try data.withUnsafeBytes { try read($0, file: file, keepStored: true) }
    }

    private static func read(_ p: UnsafeRawBufferPointer, file: String, keepStored: Bool) throws -> (image: DetectorImage, stored: StoredFrames?) {
        func fail(_ offset: Int, _ message: String) -> RoentgenError { .badFile(file, byteOffset: offset, message) }
        guard p.count >= 4096 else { throw fail(0, "mar345 file of \(p.count) bytes is shorter than its 4096-byte header") }
        let swapped = p.loadUnaligned(as: UInt32.self).littleEndian != 1234
        func int(_ at: Int) -> Int {
            let v = p.loadUnaligned(fromByteOffset: at, as: UInt32.self)
            return Int(Int32(bitPattern: swapped ? v.byteSwapped : v))
        }
        guard int(0) == 1234 else { throw fail(0, "mar345 header does not start with 1234") }
        let size = int(4), high = int(8)
        guard size > 0, size <= 8192 else { throw fail(4, "mar345 image size \(size); 1 to 8192 expected") }
        guard high >= 0, high <= size * size, 4096 + high * 8 <= p.count else { throw fail(8, "mar345 header gives \(high) high-intensity pixels, more than the file holds") }

        // The binary header's first 16 words (marXperts' mar345 format: high pixels, format, mode,
        // pixel count, pixel size µm, λ × 10⁶ Å, distance µm, φ/ω start and end, χ, 2θ × 1000 °),
        // under the names and in the units fabio gives them.
        var header: OrderedDictionary<String, String> = [:]
        header["NumHigh"] = String(high)
        header["Format"] = int(12) == 2 ? "spiral" : "compressed"
        if let mode = [0: "Dose", 1: "Time"][int(16)] { header["Mode"] = mode }
        header["NumPixels"] = String(int(20))
        for (name, word, scale) in [("PixelLength", 6, 1e3), ("PixelHeight", 7, 1e3), ("Wavelength", 8, 1e6), ("Distance", 9, 1e3),
                                    ("StartPhi", 10, 1e3), ("EndPhi", 11, 1e3), ("StartOmega", 12, 1e3), ("EndOmega", 13, 1e3),
                                    ("Chi", 14, 1e3), ("TwoTheta", 15, 1e3)] as [(String, Int, Double)] {
            header[name] = "\(Double(int(4 * word)) / scale)"
        }
        // ASCII header lines.
        // A line ends at its newline or at its first byte that is not printable ASCII: writers left
        // uninitialised bytes after some values (this DATE: "… 1997\u{b4}#\u{5} \u{1}"), which fabio
        // drops as well.
        let lines = UnsafeRawBufferPointer(rebasing: p[128..<4096]).split(separator: 0x0A).map { bytes -> String in
            let end = bytes.firstIndex { !(0x20...0x7E).contains($0) && $0 != 0x09 } ?? bytes.endIndex
            return String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self)
        }
        for line in lines {
            let words = line.split(separator: " ")
            guard let key = words.first, key.allSatisfy({ $0.isUppercase || $0 == "_" }), key != "END" else { continue }
            let rest = Array(words.dropFirst())
            if key == "FORMAT", rest.count >= 3 {
                header["DIM"] = String(rest[0]); header["FORMAT_TYPE"] = String(rest[1]); header["NO_PIXELS"] = String(rest[2])
            } else if rest.count >= 2, rest.count % 2 == 0, stride(from: 0, to: rest.count, by: 2).allSatisfy({ Double(rest[$0]) == nil && Double(rest[$0 + 1]) != nil }) {
                for k in stride(from: 0, to: rest.count, by: 2) { header["\(key)_\(rest[k])"] = String(rest[k + 1]) }
            } else {
                // The value as written (fabio keeps "ROTATINGANODE  kV 10.0  mA 20.0" with its double spaces).
                header[String(key)] = line.drop { $0 == " " }.dropFirst(key.count).trimmingCharacters(in: .whitespaces)
            }
        }
        // The packed image.
        let marker = Array("CCP4 packed image".utf8)
        var start: Int?
        var i = 4096 + high * 8
        while i + marker.count <= min(p.count, 4096 + high * 8 + 65_536) {
            if p[i] == marker[0], (0..<marker.count).allSatisfy({ p[i + $0] == marker[$0] }) { start = i; break }
            i += 1
        }
        guard let start else { throw RoentgenError(.unsupportedFormat, "mar345 file without a 'CCP4 packed image' section (only PCK-packed mar345 files are read)", file: file, byteOffset: 4096) }
        guard let newline = (start..<min(p.count, start + 128)).first(where: { p[$0] == 0x0A }) else { throw fail(start, "mar345 packed-image line is not terminated") }
        let line = String(decoding: UnsafeRawBufferPointer(rebasing: p[start..<newline]), as: UTF8.self)
        let dims = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }.suffix(2)
        guard dims.count == 2, let x = dims.first, let y = dims.last, x > 0, y > 0, let count = ImagePixels.elementCount(x, y) else {
            throw fail(start, "mar345 packed-image line '\(line)' does not give X and Y")
        }
        var words = [UInt16](repeating: 0, count: count)
        let ended = words.withUnsafeMutableBufferPointer { unpack(UnsafeRawBufferPointer(rebasing: p[(newline + 1)...]), width: x, into: $0) }
        guard ended else { throw fail(newline + 1, "mar345 packed data ends before all \(x) × \(y) pixels are decoded (file truncated)") }
        var values = words.map { UInt32($0) }
        for k in 0..<high {
            let address = int(4096 + 8 * k), value = int(4096 + 8 * k + 4)
            guard address >= 1, address <= count else { throw fail(4096 + 8 * k, "mar345 high-intensity pixel address \(address) outside the \(count)-pixel image") }
            values[address - 1] = UInt32(bitPattern: Int32(truncatingIfNeeded: value))
        }
        var stored: StoredFrames?
        if keepStored {
            var builder = StoredFrames.Builder(type: .uint32, pixelsPerFrame: count)
            values.withUnsafeBytes { builder.append($0, bigEndian: StoredFrames.hostIsBigEndian) }
            stored = builder.frames
        }
        var image = DetectorImage(rows: y, columns: x, frames: keepStored ? [] : [values.map { Double($0) }], pixelType: .uint32, format: id, header: header)
        let pixelLength = int(24), pixelHeight = int(28)
        if pixelLength > 0, pixelHeight > 0 { image.pixelSize = (pixel1: Double(pixelHeight) * 1e-6, pixel2: Double(pixelLength) * 1e-6) }
        if int(32) > 0 { image.wavelength = Double(int(32)) * 1e-6 * 1e-10 }
        if int(36) > 0 { image.distance = Double(int(36)) * 1e-3 * 1e-3 }
        if let cx = header["CENTER_X"].flatMap(Double.init), let cy = header["CENTER_Y"].flatMap(Double.init) { image.beamCenter = (x: cx, y: cy) }
        if let t = header["TIME"].flatMap(Double.init) { image.exposureTime = t }
        return (image, stored)
    }

    /// CCP4 `unpack_word`: false when the input ends first.
    static func unpack(_ s: UnsafeRawBufferPointer, width x: Int, into img: UnsafeMutableBufferPointer<UInt16>) -> Bool {
        let bitDecode = [0, 4, 5, 6, 7, 8, 16, 32]
        let total = img.count
        var valids = 0, spillBits = 0
        var window: UInt64 = 0, spill: UInt64 = 0
        var pixel = 0, at = 0
        func mask(_ n: Int) -> UInt64 { n >= 64 ? ~0 : (1 << UInt64(n)) - 1 }
        while pixel < total {
            if valids < 6 {
                if spillBits > 0 {
                    window |= spill << UInt64(valids)
                    valids += spillBits
                    spillBits = 0
                } else {
                    guard at < s.count else { return false }
                    spill = UInt64(s[at]); at += 1
                    spillBits = 8
                }
            } else {
                var pixnum = 1 << Int(window & 7)
                window >>= 3
                let bitnum = bitDecode[Int(window & 7)]
                window >>= 3
                valids -= 6
                while pixnum > 0, pixel < total {
                    if valids < bitnum {
                        if spillBits > 0 {
                            window |= spill << UInt64(valids)
                            if 32 - valids > spillBits {
                                valids += spillBits
                                spillBits = 0
                            } else {
                                let used = 32 - valids
                                spill >>= UInt64(used)
                                spillBits -= used
                                valids = 32
                            }
                            window &= 0xFFFF_FFFF
                        } else {
                            guard at < s.count else { return false }
                            spill = UInt64(s[at]); at += 1
                            spillBits = 8
                        }
                    } else {
                        pixnum -= 1
                        var next = 0
                        if bitnum > 0 {
                            next = Int(window & mask(bitnum))
                            valids -= bitnum
                            window >>= UInt64(bitnum)
                            if next & (1 << (bitnum - 1)) != 0 { next -= 1 << bitnum }
                        }
                        if pixel > x {
                            // The mean is taken in 16-bit two's complement (as CCP4's and fabio's
                            // decoders do), truncated towards zero.
                            func signed(_ k: Int) -> Int { Int(Int16(bitPattern: img[k])) }
                            let mean = (signed(pixel - 1) + signed(pixel - x + 1) + signed(pixel - x) + signed(pixel - x - 1) + 2) / 4
                            img[pixel] = UInt16(truncatingIfNeeded: next + mean)
                        } else if pixel != 0 {
                            img[pixel] = UInt16(truncatingIfNeeded: Int(img[pixel - 1]) + next)
                        } else {
                            img[pixel] = UInt16(truncatingIfNeeded: next)
                        }
                        pixel += 1
                    }
                }
            }
        }
        return true
    }
}
