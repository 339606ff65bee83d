import Foundation
import OrderedCollections
import XrayCore

/// TIFF detector images (TIFF 6.0, Adobe 1992): little- or big-endian, 8/16/32/64-bit unsigned
/// and signed integers and 32/64-bit floats (SampleFormat 1/2/3), one sample per pixel, strips or
/// tiles, uncompressed, PackBits, LZW or Deflate (8 and Adobe's 32946), with predictor 2.
/// Every page of the first page's shape and type is a frame. A Pilatus ASCII header in the
/// ImageDescription (`# Pixel_size …`, as fabio's PilatusImage reads it) becomes the header and
/// gives pixel size, wavelength, distance, beam centre and exposure; otherwise the header holds
/// the TIFF tags as fabio's TifImage names them (`nRows`, `nColumns`, `nBits`, `compression_type` …).
enum TIFFImageReader {
    static let id = "tiff"

    static func isTIFF(_ head: Data) -> Bool {
        let b = [UInt8](head.prefix(4))
        return b == [0x49, 0x49, 0x2A, 0x00] || b == [0x4D, 0x4D, 0x00, 0x2A]
    }

    /// One directory entry's values (numbers, or text for ASCII).
    private struct Entry {
        var numbers: [Double] = []
        var text: String?
    }

    /// As `read`, with integer pages kept as stored (`StoredFrames`) instead of decoded into `frames`.
    static func readStored(_ data: Data, file: String) throws -> (image: DetectorImage, stored: StoredFrames?) {
        try data.withUnsafeBytes { try read($0, file: file, keepStored: true) }
    }

    static func read(_ data: Data, file: String) throws -> DetectorImage {
        try data.withUnsafeBytes { try read($0, file: file, keepStored: false).image }
    }

    private static func read(_ p: UnsafeRawBufferPointer, file: String, keepStored: Bool) throws -> (image: DetectorImage, stored: StoredFrames?) {
        func fail(_ offset: Int, _ message: String) -> RoentgenError { .badFile(file, byteOffset: offset, message) }
        guard p.count >= 8 else { throw fail(0, "TIFF file of \(p.count) bytes has no header (8 bytes expected)") }
        let bigEndian = p[0] == 0x4D
        guard (p[0] == 0x49 && p[1] == 0x49) || (p[0] == 0x4D && p[1] == 0x4D) else { throw fail(0, "not a TIFF file: byte order mark is not II or MM") }
        func u16(_ at: Int) throws -> Int {
            guard at >= 0, at + 2 <= p.count else { throw fail(at, "TIFF structure passes the end of the file (\(p.count) bytes); file truncated") }
            let v = p.loadUnaligned(fromByteOffset: at, as: UInt16.self)
            return Int(bigEndian ? UInt16(bigEndian: v) : UInt16(littleEndian: v))
        }
        func u32(_ at: Int) throws -> Int {
            guard at >= 0, at + 4 <= p.count else { throw fail(at, "TIFF structure passes the end of the file (\(p.count) bytes); file truncated") }
            let v = p.loadUnaligned(fromByteOffset: at, as: UInt32.self)
            return Int(bigEndian ? UInt32(bigEndian: v) : UInt32(littleEndian: v))
        }
        let magic = try u16(2)
        guard magic == 42 else {
            if magic == 43 { throw RoentgenError(.unsupportedFormat, "BigTIFF (version 43) is not read; write the image as classic TIFF", file: file, byteOffset: 2) }
            throw fail(2, "TIFF version \(magic); 42 expected")
        }

        // Walks the directories (pages).
        var pages: [(offset: Int, entries: [Int: Entry])] = []
        var ifd = try u32(4)
        var seen = Set<Int>()
        while ifd != 0, pages.count < 100_000 {
            guard seen.insert(ifd).inserted else { throw fail(ifd, "TIFF directory chain loops back to byte \(ifd)") }
            let n = try u16(ifd)
            var entries: [Int: Entry] = [:]
            for k in 0..<n {
                let at = ifd + 2 + 12 * k
                let tag = try u16(at), type = try u16(at + 2), count = try u32(at + 4)
                let size = [1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4][type] ?? 0
                guard size > 0 else { continue }   // unknown types are skipped, as TIFF 6.0 says
                guard count <= p.count else { throw fail(at, "TIFF tag \(tag) claims \(count) values in a \(p.count)-byte file") }
                let bytes = size * count
                let valueAt = bytes <= 4 ? at + 8 : try u32(at + 8)
                guard valueAt + bytes <= p.count else { throw fail(at, "TIFF tag \(tag): its \(bytes) bytes at \(valueAt) pass the end of the file (\(p.count) bytes)") }
                var e = Entry()
                if type == 2 {
                    let raw = UnsafeRawBufferPointer(rebasing: p[valueAt..<valueAt + bytes])
                    e.text = String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                } else if [270, 305, 306, 272].contains(tag) || count <= 1 << 20 {
                    e.numbers.reserveCapacity(count)
                    for i in 0..<count {
                        let a = valueAt + i * size
                        switch type {
                        case 1, 7: e.numbers.append(Double(p[a]))
                        case 6: e.numbers.append(Double(Int8(bitPattern: p[a])))
                        case 3: e.numbers.append(Double(try u16(a)))
                        case 8: e.numbers.append(Double(Int16(truncatingIfNeeded: try u16(a))))
                        case 4, 13: e.numbers.append(Double(try u32(a)))
                        case 9: e.numbers.append(Double(Int32(truncatingIfNeeded: try u32(a))))
                        case 5, 10:
                            let num = try u32(a), den = try u32(a + 4)
                            e.numbers.append(den == 0 ? .nan : Double(type == 10 ? Int(Int32(truncatingIfNeeded: num)) : num) / Double(type == 10 ? Int(Int32(truncatingIfNeeded: den)) : den))
                        case 11: e.numbers.append(Double(Float(bitPattern: UInt32(try u32(a)))))
                        default:
                            let hi = try u32(a + (bigEndian ? 0 : 4)), lo = try u32(a + (bigEndian ? 4 : 0))
                            e.numbers.append(Double(bitPattern: UInt64(hi) << 32 | UInt64(lo)))
                        }
                    }
                }
                entries[tag] = e
            }
            pages.append((ifd, entries))
            ifd = try u32(ifd + 2 + 12 * n)
        }
        guard let first = pages.first else { throw fail(4, "TIFF file has no image directory") }

        func int(_ e: [Int: Entry], _ tag: Int) -> Int? { e[tag]?.numbers.first.flatMap { $0.isFinite ? Int(exactly: $0.rounded()) : nil } }
        struct Layout: Equatable { var width, height: Int; var type: DetectorImage.PixelType }
        func layout(_ e: [Int: Entry], at offset: Int) throws -> Layout {
            guard let width = int(e, 256), let height = int(e, 257), width > 0, height > 0 else {
                throw fail(offset, "TIFF directory lacks ImageWidth/ImageLength (tags 256/257)")
            }
            let samples = int(e, 277) ?? 1
            guard samples == 1 else {
                throw RoentgenError(.unsupportedFormat, "TIFF with \(samples) samples per pixel (colour); detector images have one", file: file, byteOffset: offset)
            }
            let bits = int(e, 258) ?? 1
            let format = int(e, 339) ?? 1
            let type: DetectorImage.PixelType
            switch (format, bits) {
            case (1, 8): type = .uint8
            case (1, 16): type = .uint16
            case (1, 32): type = .uint32
            case (1, 64): type = .uint64
            case (2, 8): type = .int8
            case (2, 16): type = .int16
            case (2, 32): type = .int32
            case (2, 64): type = .int64
            case (3, 32): type = .float32
            case (3, 64): type = .float64
            default:
                throw RoentgenError(.unsupportedFormat, "TIFF sample format \(format) with \(bits) bits per sample; 8/16/32/64-bit integers and 32/64-bit floats are read", file: file, byteOffset: offset)
            }
            guard ImagePixels.elementCount(width, height, type.size) != nil else { throw fail(offset, "TIFF image of \(width) × \(height) pixels is too large") }
            return Layout(width: width, height: height, type: type)
        }

        let shape = try layout(first.entries, at: first.offset)
        var frames: [[Double]] = []
        var stored = keepStored && StoredFrames.keeps(shape.type) ? StoredFrames.Builder(type: shape.type, pixelsPerFrame: shape.width * shape.height) : nil
        for page in pages {
            guard let l = try? layout(page.entries, at: page.offset), l == shape else { break }
            let raw = try rawPixels(page.entries, layout: (l.width, l.height, l.type), at: page.offset, p, bigEndian: bigEndian, file: file)
            if stored != nil {
                raw.withUnsafeBytes { stored?.append($0, bigEndian: bigEndian) }
            } else {
                frames.append(ImagePixels.decode(raw, count: l.width * l.height, type: l.type, bigEndian: bigEndian))
            }
        }

        var image = DetectorImage(rows: shape.height, columns: shape.width, frames: frames, pixelType: shape.type, format: id)
        let e = first.entries
        let description = e[270]?.text ?? ""
        if PilatusHeader.isPilatus(description) {
            image.header = PilatusHeader.parse(description)
            PilatusHeader.applyGeometry(image.header, to: &image)
        } else {
            var h: OrderedDictionary<String, String> = [:]
            h["nRows"] = String(shape.height)
            h["nColumns"] = String(shape.width)
            h["nBits"] = String(shape.type.size * 8)
            let compression = int(e, 259) ?? 1
            h["compression"] = compression == 1 ? "False" : "True"
            h["compression_type"] = String(compression)
            // The keys fabio's TifImage (TiffIO) gives, with its stand-ins where a tag is absent
            // ("1/1" for a missing description, "Unknown Software", "Unknown Date", colormap None,
            // info {}), so that a header reads key for key as fabio's does.
            func list(_ tag: Int) -> String? { e[tag].map { "[" + $0.numbers.map { String(Int($0)) }.joined(separator: ", ") + "]" } }
            h["imageDescription"] = description.isEmpty ? "1/\(max(pages.count, 1))" : description
            if let offsets = list(273) { h["stripOffsets"] = offsets }
            if let rows = int(e, 278) { h["rowsPerStrip"] = String(rows) } else if e[273] != nil { h["rowsPerStrip"] = String(shape.height) }
            if let counts = list(279) { h["stripByteCounts"] = counts }
            // Without a Software tag, an ImageJ description ("ImageJ=1.50e …") names ImageJ, as fabio reads it.
            h["software"] = e[305]?.text ?? (description.uppercased().hasPrefix("IMAGEJ") ? String(description.split(separator: "=").first ?? "") : "Unknown Software")
            h["date"] = e[306]?.text ?? "Unknown Date"
            h["colormap"] = "None"
            h["sampleFormat"] = String(int(e, 339) ?? 1)
            h["photometricInterpretation"] = String(int(e, 262) ?? 1)
            if let m = e[272]?.text { h["model"] = m }
            h["info"] = "{}"
            image.header = h
            // Resolution tags in pixels per centimetre give a pixel size (MarCCD, some flat panels).
            if int(e, 296) == 3, let x = e[282]?.numbers.first, let y = e[283]?.numbers.first, x > 0, y > 0, x.isFinite, y.isFinite {
                image.pixelSize = (pixel1: 0.01 / y, pixel2: 0.01 / x)
            }
        }
        return (image, stored?.frames)
    }

    /// The pixel bytes of one page (in the file's byte order), from its strips or tiles.
    private static func rawPixels(_ e: [Int: Entry], layout: (width: Int, height: Int, type: DetectorImage.PixelType), at offset: Int,
                                  _ p: UnsafeRawBufferPointer, bigEndian: Bool, file: String) throws -> [UInt8] {
        func fail(_ at: Int, _ message: String) -> RoentgenError { .badFile(file, byteOffset: at, message) }
        let (width, height, type) = layout
        let size = type.size
        let compression = e[259]?.numbers.first.map { Int($0) } ?? 1
        let predictor = e[317]?.numbers.first.map { Int($0) } ?? 1
        guard [1, 5, 8, 32946, 32773].contains(compression) else {
            let names = [2: "CCITT", 3: "CCITT T.4", 4: "CCITT T.6", 6: "old JPEG", 7: "JPEG", 34712: "JPEG 2000", 50000: "Zstandard", 34887: "LERC"]
            throw RoentgenError(.unsupportedFormat, "TIFF compression \(compression)\(names[compression].map { " (\($0))" } ?? ""); uncompressed, PackBits, LZW and Deflate are read", file: file, byteOffset: offset)
        }
        guard predictor == 1 || (predictor == 2 && !type.isFloat) else {
            throw RoentgenError(.unsupportedFormat, "TIFF predictor \(predictor)\(predictor == 3 ? " (floating point)" : ""); only horizontal differencing of integers (2) is undone", file: file, byteOffset: offset)
        }
        func decode(_ at: Int, _ count: Int, expected: Int) throws -> [UInt8] {
            guard at >= 0, count >= 0, at <= p.count, count <= p.count - at else {
                throw fail(at, "TIFF image data of \(count) bytes at byte \(at) passes the end of the file (\(p.count) bytes); file truncated")
            }
            let stored = Array(UnsafeRawBufferPointer(rebasing: p[at..<at + count]))[...]
            var out: [UInt8]
            do {
                switch compression {
                case 1: out = Array(stored.prefix(expected))
                case 5: out = try TIFFDecompression.lzw(stored, expected: expected)
                case 32773: out = try TIFFDecompression.packBits(stored, expected: expected)
                default: out = try TIFFDecompression.deflate(stored, expected: expected)
                }
            } catch let c as TIFFDecompression.Corrupt {
                throw fail(at, "TIFF image data is corrupt: \(c.what)")
            }
            return out
        }
        var raw = [UInt8](repeating: 0, count: width * height * size)
        if let tileWidth = e[322]?.numbers.first.map({ Int($0) }), let tileLength = e[323]?.numbers.first.map({ Int($0) }) {
            guard tileWidth > 0, tileLength > 0, tileWidth <= 1 << 16, tileLength <= 1 << 16 else { throw fail(offset, "TIFF tile size \(tileWidth) × \(tileLength) is not valid") }
            let offsets = e[324]?.numbers ?? [], counts = e[325]?.numbers ?? []
            let across = (width + tileWidth - 1) / tileWidth, down = (height + tileLength - 1) / tileLength
            guard offsets.count >= across * down, counts.count >= across * down else {
                throw fail(offset, "TIFF has \(offsets.count) tile offsets and \(counts.count) byte counts; \(across * down) tiles expected")
            }
            let tileBytes = tileWidth * tileLength * size
            for t in 0..<across * down {
                var bytes = try decode(Int(offsets[t]), Int(counts[t]), expected: tileBytes)
                guard bytes.count == tileBytes else { throw fail(Int(offsets[t]), "TIFF tile \(t) decodes to \(bytes.count) bytes; \(tileBytes) expected") }
                if predictor == 2 { TIFFDecompression.undoHorizontalPredictor(&bytes, width: tileWidth, rows: tileLength, sampleSize: size, bigEndian: bigEndian) }
                let r0 = (t / across) * tileLength, c0 = (t % across) * tileWidth
                let w = min(tileWidth, width - c0)
                for r in 0..<min(tileLength, height - r0) {
                    let to = ((r0 + r) * width + c0) * size
                    raw.replaceSubrange(to..<to + w * size, with: bytes[r * tileWidth * size..<(r * tileWidth + w) * size])
                }
            }
        } else {
            let offsets = e[273]?.numbers ?? []
            let rowsPerStrip = min(height, e[278]?.numbers.first.map { $0 >= Double(Int32.max) ? height : Int($0) } ?? height)
            guard rowsPerStrip > 0 else { throw fail(offset, "TIFF RowsPerStrip is 0") }
            let strips = (height + rowsPerStrip - 1) / rowsPerStrip
            guard offsets.count >= strips else { throw fail(offset, "TIFF has \(offsets.count) strip offsets; \(strips) strips expected") }
            var counts = e[279]?.numbers ?? []
            if counts.count < strips {
                guard compression == 1 else { throw fail(offset, "TIFF lacks StripByteCounts (tag 279), which compressed strips need") }
                counts = (0..<strips).map { Double(min(rowsPerStrip, height - $0 * rowsPerStrip) * width * size) }
            }
            for s in 0..<strips {
                let rows = min(rowsPerStrip, height - s * rowsPerStrip)
                let expected = rows * width * size
                var bytes = try decode(Int(offsets[s]), Int(counts[s]), expected: expected)
                guard bytes.count == expected else {
                    throw fail(Int(offsets[s]), "TIFF strip \(s) holds \(bytes.count) bytes; \(rows) rows of \(width) \(type.rawValue) pixels need \(expected) (file truncated or corrupt)")
                }
                if predictor == 2 { TIFFDecompression.undoHorizontalPredictor(&bytes, width: width, rows: rows, sampleSize: size, bigEndian: bigEndian) }
                let to = s * rowsPerStrip * width * size
                raw.replaceSubrange(to..<to + expected, with: bytes)
            }
        }
        return raw
    }
}
