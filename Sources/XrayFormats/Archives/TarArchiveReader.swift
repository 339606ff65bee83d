import Foundation
import XrayCore

/// A tar archive of data files (POSIX ustar, GNU long names, pax `path` records), read entry by
/// entry like a zip (`ArchiveContents`); `.tar.gz` / `.tgz` reach it through `GzipReader`.
/// Every header's checksum and size is checked against the file, so a truncated or corrupt
/// archive gives a `RoentgenError` with the byte offset of the header at fault.
enum TarArchiveReader: FormatReader {
    static let id = "tar"
    static let name = "tar archive of data files (ustar, GNU, pax; every recognised entry is read)"
    static let kind = Scan.Kind.other
    static let suffixes = ["tar"]

    static func sniff(head: Data, suffix: String) -> SniffConfidence {
        guard head.count >= 263 else { return .no }
        let magic = Array(head[head.startIndex + 257..<head.startIndex + 262])
        return magic == Array("ustar".utf8) ? .certain : .no
    }

    static func read(_ data: Data, file: String) throws -> DataFile {
        let bytes = [UInt8](data)
        let entries = try files(bytes, file: file).map { entry in
            ArchiveContents.Entry(path: entry.path) { Data(bytes[entry.range]) }
        }
        return try ArchiveContents.read(entries, file: file, format: id, kind: "tar")
    }

    /// The regular-file entries: path and byte range of the contents.
    static func files(_ bytes: [UInt8], file: String) throws -> [(path: String, range: Range<Int>)] {
        var out: [(path: String, range: Range<Int>)] = []
        var offset = 0
        var longName: String?, paxPath: String?
        while offset + 512 <= bytes.count {
            let header = bytes[offset..<(offset + 512)]
            if header.allSatisfy({ $0 == 0 }) { return out }   // end-of-archive blocks
            guard let stored = octal(bytes, offset + 148, 8) else {
                throw RoentgenError.badFile(file, byteOffset: offset + 148, "tar header checksum field is not an octal number; expected a tar header here")
            }
            var sum = 0
            for (k, b) in header.enumerated() { sum += (148..<156).contains(k) ? 0x20 : Int(b) }
            guard sum == stored else {
                throw RoentgenError.badFile(file, byteOffset: offset, "tar header checksum \(stored) does not match the header (\(sum)); archive corrupt")
            }
            guard let size = sizeField(bytes, offset + 124), size >= 0, size <= ArchiveContents.entryLimit else {
                throw RoentgenError.badFile(file, byteOffset: offset + 124, "tar entry size field is not a size up to \(ArchiveContents.entryLimit) bytes")
            }
            let start = offset + 512
            guard start + size <= bytes.count else {
                throw RoentgenError.badFile(file, byteOffset: offset, "tar entry of \(size) bytes runs past the end of the file (\(bytes.count) bytes); archive truncated")
            }
            let type = bytes[offset + 156]
            let contents = start..<(start + size)
            switch type {
            case UInt8(ascii: "L"):   // GNU: the next entry's long name
                longName = cString(bytes, contents)
            case UInt8(ascii: "x"):   // pax extended header: `len key=value\n` records
                paxPath = paxRecords(bytes, contents)["path"]
            case UInt8(ascii: "g"):
                break
            default:
                let name = cString(bytes, offset..<(offset + 100))
                let prefix = cString(bytes, (offset + 345)..<(offset + 500))
                let path = paxPath ?? longName ?? (prefix.isEmpty ? name : prefix + "/" + name)
                if type == UInt8(ascii: "0") || type == 0 || type == UInt8(ascii: "7") { out.append((path, contents)) }
                longName = nil
                paxPath = nil
            }
            offset = start + (size + 511) / 512 * 512
        }
        guard bytes[min(offset, bytes.count)...].allSatisfy({ $0 == 0 }) else {
            throw RoentgenError.badFile(file, byteOffset: offset, "tar archive ends inside a 512-byte header block; archive truncated")
        }
        return out
    }

    /// A NUL- or space-terminated octal field; nil if it holds anything else.
    static func octal(_ bytes: [UInt8], _ at: Int, _ width: Int) -> Int? {
        var value = 0, digits = 0
        for b in bytes[at..<(at + width)] {
            if b == 0 || b == 0x20 { if digits > 0 { break } else { continue } }
            guard b >= 0x30, b <= 0x37, value < 1 << 50 else { return nil }
            value = value * 8 + Int(b - 0x30)
            digits += 1
        }
        return digits > 0 ? value : nil
    }

    /// The 12-byte size field: octal, or GNU base-256 when the first byte's high bit is set.
    static func sizeField(_ bytes: [UInt8], _ at: Int) -> Int? {
        guard bytes[at] & 0x80 != 0 else { return octal(bytes, at, 12) }
        var value = 0
        for (k, b) in bytes[at..<(at + 12)].enumerated() {
            let v = k == 0 ? Int(b & 0x7F) : Int(b)
            guard value < 1 << 50 else { return nil }
            value = value << 8 | v
        }
        return value
    }

    static func cString(_ bytes: [UInt8], _ range: Range<Int>) -> String {
        let field = bytes[range]
        let end = field.firstIndex(of: 0) ?? field.endIndex
        return String(decoding: field[field.startIndex..<end], as: UTF8.self)
    }

    /// pax records `LEN KEY=VALUE\n`.
    static func paxRecords(_ bytes: [UInt8], _ range: Range<Int>) -> [String: String] {
        var out: [String: String] = [:]
        for line in String(decoding: bytes[range], as: UTF8.self).split(separator: "\n") {
            guard let space = line.firstIndex(of: " "), let eq = line[space...].firstIndex(of: "=") else { continue }
            out[String(line[line.index(after: space)..<eq])] = String(line[line.index(after: eq)...])
        }
        return out
    }
}
