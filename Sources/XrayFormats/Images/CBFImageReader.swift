import Foundation
import OrderedCollections
import XrayCore

/// Crystallographic Binary Files (CBF 1.5, as DECTRIS Pilatus/Eiger write them: "miniCBF") with
/// the binary section's MIME header (`X-Binary-Size`, `X-Binary-Element-Type`,
/// `X-Binary-Size-Fastest-Dimension` …) and `x-CBF_BYTE_OFFSET` compression (CBFlib: each value
/// is the previous plus a delta stored in 1 byte, or after the escape 0x80 in 2, after 0x8000 in 4,
/// after 0x80000000 in 8 bytes, little-endian); `x-CBF_NONE` (raw) also reads. The
/// `Content-MD5` (base64 of the MD5 of the compressed bytes) is checked. The Pilatus header in
/// `_array_data.header_contents` gives the geometry (see `PilatusHeader`).
enum CBFImageReader {
    static let id = "cbf"

    static func isCBF(_ head: Data) -> Bool {
        head.prefix(16).elementsEqual("###CBF".utf8.prefix(min(6, head.count))) || PatternText.contains(head.prefix(16), "###CBF")
    }

    static func read(_ data: Data, file: String) throws -> DetectorImage {
        try data.withUnsafeBytes { try read($0, file: file, keepInt32: false).image }
    }

    /// The image and, for a byte-offset int32 frame (every Pilatus CBF), its stored int32 values,
    /// `frames` then left empty; other CBF files as `read` gives them, with nil.
    static func readStored(_ data: Data, file: String) throws -> (image: DetectorImage, stored: StoredFrames?) {
        let (image, int32) = try data.withUnsafeBytes { try read($0, file: file, keepInt32: true) }
        return (image, int32.map { StoredFrames(int32: $0) })
    }

    private static func find(_ needle: [UInt8], in p: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
        guard let first = needle.first, to - needle.count >= from else { return nil }
        var i = from
        while i <= to - needle.count {
            if p[i] == first {
                var k = 1
                while k < needle.count && p[i + k] == needle[k] { k += 1 }
                if k == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    /// `keepInt32`: a byte-offset int32 frame is decoded into the returned int32 values, not into `frames`.
    private static func read(_ p: UnsafeRawBufferPointer, file: String, keepInt32: Bool) throws -> (image: DetectorImage, int32: [Int32]?) {
        func fail(_ offset: Int, _ message: String) -> RoentgenError { .badFile(file, byteOffset: offset, message) }
        guard let section = find(Array("--CIF-BINARY-FORMAT-SECTION--".utf8), in: p, from: 0, to: p.count) else {
            throw fail(0, "CBF file has no binary section (--CIF-BINARY-FORMAT-SECTION--)")
        }
        guard let marker = find([0x0C, 0x1A, 0x04, 0xD5], in: p, from: section, to: min(p.count, section + 65_536)) else {
            throw fail(section, "CBF binary section has no start marker (0C 1A 04 D5); file truncated or corrupt")
        }
        // CIF text before the section: data names and the header text field.
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: p[0..<section]), as: UTF8.self)
        let mime = String(decoding: UnsafeRawBufferPointer(rebasing: p[section..<marker]), as: UTF8.self)
        var header: OrderedDictionary<String, String> = [:]
        // The header text field's lines as written (CRLF kept, as fabio keeps them), without its ';' delimiters.
        var contentLines: [String] = []
        var inContents = false
        let rawLines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { String(String.UnicodeScalarView($0)) }
        for raw in rawLines {
            let l = raw.hasSuffix("\r") ? raw.dropLast() : raw[...]
            if l.hasPrefix("_array_data.header_contents") { inContents = true; continue }
            if inContents {
                if l.hasPrefix("#") { contentLines.append(raw); continue }
                if l.hasPrefix(";") {
                    let rest = l.dropFirst()
                    if !rest.trimmingCharacters(in: .whitespaces).isEmpty { contentLines.append(String(raw.dropFirst())) }
                    continue
                }
                inContents = false
            }
            if l.hasPrefix("_"), let space = l.firstIndex(of: " ") {
                header[String(l[..<space])] = l[space...].trimmingCharacters(in: CharacterSet(charactersIn: " \"'"))
            }
        }
        if !contentLines.isEmpty {
            header["_array_data.header_contents"] = contentLines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var fields: [String: String] = [:]
        for line in mime.split(whereSeparator: { $0.isNewline }) {
            let l = line.trimmingCharacters(in: .whitespaces)
            if let colon = l.firstIndex(of: ":"), !l.hasPrefix("conversions") {
                let key = String(l[..<colon])
                let value = l[l.index(after: colon)...].trimmingCharacters(in: CharacterSet(charactersIn: " \";"))
                fields[key] = value
                // As written (fabio keeps "application/octet-stream;"), quotes and spaces trimmed.
                header[key] = l[l.index(after: colon)...].trimmingCharacters(in: CharacterSet(charactersIn: " \""))
            }
            if let range = l.range(of: "conversions=") {
                let value = l[range.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: " \";"))
                fields["conversions"] = value
                header["conversions"] = value
            }
        }
        func int(_ key: String) throws -> Int {
            guard let v = fields[key].flatMap({ Int($0) }), v >= 0 else { throw fail(section, "CBF binary header lacks a valid \(key)") }
            return v
        }
        let size = try int("X-Binary-Size")
        let fast = try int("X-Binary-Size-Fastest-Dimension")
        let slow = try int("X-Binary-Size-Second-Dimension")
        let elements = fields["X-Binary-Number-of-Elements"].flatMap { Int($0) } ?? fast * slow
        guard let count = ImagePixels.elementCount(fast, slow), count > 0, elements == count else {
            throw fail(section, "CBF binary header: \(elements) elements do not fill \(slow) × \(fast) pixels")
        }
        let typeText = (fields["X-Binary-Element-Type"] ?? "signed 32-bit integer").lowercased()
        let bits = typeText.contains("8-bit") ? 8 : typeText.contains("16-bit") ? 16 : typeText.contains("64-bit") ? 64 : 32
        let type: DetectorImage.PixelType
        if typeText.contains("ieee") || typeText.contains("real") { type = bits == 64 ? .float64 : .float32 } else {
            let signed = !typeText.contains("unsigned")
            type = [8: signed ? .int8 : .uint8, 16: signed ? .int16 : .uint16, 32: signed ? .int32 : .uint32, 64: signed ? .int64 : .uint64][bits]!
        }
        let start = marker + 4
        guard size <= p.count - start else {
            throw fail(start, "CBF binary section of \(size) bytes passes the end of the file (\(p.count - start) bytes left); file truncated")
        }
        let stored = UnsafeRawBufferPointer(rebasing: p[start..<start + size])
        if let md5 = fields["Content-MD5"] {
            var digest = MD5()
            digest.update(stored)
            let actual = Data(digest.finalize()).base64EncodedString()
            guard actual == md5 else { throw RoentgenError(.integrity, "CBF Content-MD5 is \(md5) but the \(size) binary bytes hash to \(actual): data corrupt", file: file, byteOffset: start) }
        }
        let conversion = (fields["conversions"] ?? "x-CBF_NONE").lowercased()
        var values: [Double]
        var int32: [Int32]?
        switch conversion {
        case "x-cbf_byte_offset":
            guard !type.isFloat else { throw fail(section, "CBF byte-offset compression of float data") }
            if type == .int32, keepInt32 {
                int32 = try byteOffset(stored, count: count, type: type, at: start, file: file) { Int32(truncatingIfNeeded: $0) }
                values = []
            } else {
                values = try byteOffset(stored, count: count, type: type, at: start, file: file) { Double($0) }
            }
        case "x-cbf_none":
            guard size >= count * type.size else { throw fail(start, "CBF binary section of \(size) bytes; \(count) \(type.rawValue) values need \(count * type.size)") }
            let bigEndian = (fields["X-Binary-Element-Byte-Order"] ?? "").uppercased().hasPrefix("BIG")
            values = ImagePixels.decode(stored, offset: 0, count: count, type: type, bigEndian: bigEndian)
        default:
            throw RoentgenError(.unsupportedFormat, "CBF compression \(conversion); byte-offset and none are read", file: file, byteOffset: section)
        }
        var image = DetectorImage(rows: slow, columns: fast, frames: values.isEmpty ? [] : [values], pixelType: type, format: id, header: header)
        if let text = header["_array_data.header_contents"] {
            PilatusHeader.applyGeometry(PilatusHeader.parse(text), to: &image)
        }
        return (image, int32)
    }

    /// CBFlib's byte-offset decompression; the running value wraps at the element type's width,
    /// as CBFlib's (a jump from −2³¹ to 2³¹−1 is stored as the wrapped 32-bit delta).
    static func byteOffset<T>(_ s: UnsafeRawBufferPointer, count: Int, type: DetectorImage.PixelType, at start: Int, file: String,
                              _ element: (Int64) -> T) throws -> [T] {
        let wrap: (Int64) -> Int64
        switch type {
        case .int8: wrap = { Int64(Int8(truncatingIfNeeded: $0)) }
        case .uint8: wrap = { Int64(UInt8(truncatingIfNeeded: $0)) }
        case .int16: wrap = { Int64(Int16(truncatingIfNeeded: $0)) }
        case .uint16: wrap = { Int64(UInt16(truncatingIfNeeded: $0)) }
        case .int32: wrap = { Int64(Int32(truncatingIfNeeded: $0)) }
        case .uint32: wrap = { Int64(UInt32(truncatingIfNeeded: $0)) }
        default: wrap = { $0 }
        }
        var failure: Int?
        let out = [T](unsafeUninitializedCapacity: count) { out, initialised in
            var value: Int64 = 0
            var i = 0
            let n = s.count
            var k = 0
            while k < count {
                guard i < n else { failure = i; break }
                let d8 = Int8(bitPattern: s[i])
                i += 1
                if d8 != Int8.min {
                    value &+= Int64(d8)
                } else {
                    guard i + 2 <= n else { failure = i; break }
                    let d16 = Int16(littleEndian: s.loadUnaligned(fromByteOffset: i, as: Int16.self))
                    i += 2
                    if d16 != Int16.min {
                        value &+= Int64(d16)
                    } else {
                        guard i + 4 <= n else { failure = i; break }
                        let d32 = Int32(littleEndian: s.loadUnaligned(fromByteOffset: i, as: Int32.self))
                        i += 4
                        if d32 != Int32.min {
                            value &+= Int64(d32)
                        } else {
                            guard i + 8 <= n else { failure = i; break }
                            value &+= Int64(littleEndian: s.loadUnaligned(fromByteOffset: i, as: Int64.self))
                            i += 8
                        }
                    }
                }
                value = wrap(value)
                out[k] = element(value)
                k += 1
            }
            for j in k..<count { out[j] = element(0) }
            initialised = count
        }
        if let failure {
            throw RoentgenError.badFile(file, byteOffset: start + failure, "CBF byte-offset data ends before all \(count) pixels are decoded (X-Binary-Size too small or file truncated)")
        }
        return out
    }
}
