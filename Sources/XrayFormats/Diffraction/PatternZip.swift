import Foundation
import XrayCore
import ZIPFoundation

/// Reads entries of a zip container (BRML, RASX) held in memory.
///
/// The container structure (end-of-central-directory record, central directory, local headers)
/// is parsed here with every offset and length checked against the file, so a truncated or
/// corrupt archive gives a `RoentgenError` with the byte offset. Only the raw-deflate step is
/// delegated to ZIPFoundation (zlib), fed through a bounds-checked provider; the CRC-32 and the
/// declared size of every entry are verified. (ZIPFoundation's own in-memory `Archive` crashes
/// on some corrupt inputs, which the mutation fuzz test found.)
struct PatternZip {
    struct Entry {
        var path: String
        var method: Int
        var compressedSize: Int
        var uncompressedSize: Int
        var crc32: UInt32
        var localHeaderOffset: Int
    }

    let file: String
    private let reader: PatternBinary
    private(set) var entries: [Entry] = []

    init(_ data: Data, file: String) throws {
        self.file = file
        var r = PatternBinary(data, file: file)
        // End of central directory: signature PK\5\6, within the last 64 KiB + 22 bytes.
        var eocd = -1
        var k = r.count - 22
        let lowest = max(0, r.count - 22 - 65_535)
        while k >= lowest {
            if r.peekUInt32(at: k) == 0x0605_4B50 { eocd = k; break }
            k -= 1
        }
        guard eocd >= 0 else {
            throw RoentgenError.badFile(file, byteOffset: r.count,
                                        "not a complete zip archive: no end-of-central-directory record (truncated file?); expected a zip container")
        }
        try r.seek(eocd + 10, "zip entry count")
        let count = try r.uint16("zip entry count")
        let directorySize = Int(try r.uint32("central directory size"))
        let directoryOffset = Int(try r.uint32("central directory offset"))
        guard count != 0xFFFF, directoryOffset != 0xFFFF_FFFF else {
            throw RoentgenError(.unsupportedFormat, "ZIP64 container: not supported", file: file, byteOffset: eocd)
        }
        guard directoryOffset + directorySize <= eocd else {
            throw RoentgenError.badFile(file, byteOffset: eocd + 16,
                                        "zip central directory (offset \(directoryOffset), \(directorySize) bytes) lies outside the file (truncated or corrupt)")
        }
        var position = directoryOffset
        for index in 0..<count {
            try r.seek(position, "central directory entry \(index + 1)")
            guard try r.uint32("central directory signature") == 0x0201_4B50 else {
                throw RoentgenError.badFile(file, byteOffset: position, "zip central directory entry \(index + 1) has a bad signature")
            }
            try r.seek(position + 10, "compression method")
            let method = try r.uint16("compression method")
            try r.seek(position + 16, "entry sizes")
            let crc = try r.uint32("CRC-32")
            let compressed = Int(try r.uint32("compressed size"))
            let uncompressed = Int(try r.uint32("uncompressed size"))
            let nameLength = try r.uint16("name length")
            let extraLength = try r.uint16("extra length")
            let commentLength = try r.uint16("comment length")
            try r.seek(position + 42, "local header offset")
            let local = Int(try r.uint32("local header offset"))
            try r.require(nameLength, at: position + 46, "entry name")
            let name = PatternText.string(r.bytes, (position + 46)..<(position + 46 + nameLength))
            entries.append(Entry(path: name, method: method, compressedSize: compressed, uncompressedSize: uncompressed,
                                 crc32: crc, localHeaderOffset: local))
            position += 46 + nameLength + extraLength + commentLength
        }
        reader = r
    }

    /// Paths of all entries, in archive order.
    var paths: [String] { entries.map(\.path) }

    /// The uncompressed bytes of `path`.
    func entry(_ path: String, limit: Int = 1 << 30) throws -> Data {
        guard let entry = entries.first(where: { $0.path == path }) else {
            throw RoentgenError.badFile(file, "zip container has no entry '\(path)'")
        }
        return try extract(entry, limit: limit)
    }

    func extract(_ entry: Entry, limit: Int = 1 << 30) throws -> Data {
        var r = reader
        let at = entry.localHeaderOffset
        try r.seek(at, "local header of '\(entry.path)'")
        guard try r.uint32("local header signature") == 0x0403_4B50 else {
            throw RoentgenError.badFile(file, byteOffset: at, "zip entry '\(entry.path)': bad local header signature")
        }
        try r.seek(at + 26, "local header name length")
        let nameLength = try r.uint16("name length"), extraLength = try r.uint16("extra length")
        let start = at + 30 + nameLength + extraLength
        try r.require(entry.compressedSize, at: start, "\(entry.compressedSize) compressed bytes of '\(entry.path)'")
        guard entry.uncompressedSize <= limit else {
            throw RoentgenError.badFile(file, byteOffset: at, "zip entry '\(entry.path)' claims \(entry.uncompressedSize) bytes, more than the \(limit)-byte limit")
        }
        let compressed = Data(r.bytes[start..<(start + entry.compressedSize)])
        var out = Data()
        let crc: UInt32
        switch entry.method {
        case 0:
            guard entry.compressedSize == entry.uncompressedSize else {
                throw RoentgenError.badFile(file, byteOffset: at, "stored zip entry '\(entry.path)' has different compressed and uncompressed sizes")
            }
            out = compressed
            crc = out.crc32(checksum: 0)
        case 8:
            let bufferSize = 32_768
            let declared = entry.uncompressedSize
            do {
                crc = try Data.decompress(size: Int64(entry.compressedSize), bufferSize: bufferSize, skipCRC32: false,
                                          provider: { position, size in
                    // Always hand zlib a full buffer (it is told `bufferSize` bytes are available);
                    // past the compressed data the stream is corrupt: stop.
                    let p = Int(position)
                    guard p < compressed.count else { throw RoentgenError.badFile(self.file, byteOffset: start + p, "deflate stream of '\(entry.path)' does not end where its size says (corrupt zip)") }
                    var chunk = Data(count: max(size, bufferSize))
                    let n = min(chunk.count, compressed.count - p)
                    chunk.replaceSubrange(0..<n, with: compressed[(compressed.startIndex + p)..<(compressed.startIndex + p + n)])
                    return chunk
                }, consumer: { data in
                    out.append(data)
                    guard out.count <= declared else {
                        throw RoentgenError.badFile(self.file, byteOffset: at, "zip entry '\(entry.path)' inflates beyond its declared \(declared) bytes (corrupt zip)")
                    }
                })
            } catch let error as RoentgenError {
                throw error
            } catch {
                throw RoentgenError.badFile(file, byteOffset: start, "cannot inflate zip entry '\(entry.path)' (\(error)); corrupt container")
            }
        default:
            throw RoentgenError(.unsupportedFormat, "zip entry '\(entry.path)' uses compression method \(entry.method); expected stored (0) or deflate (8)",
                                file: file, byteOffset: at)
        }
        guard out.count == entry.uncompressedSize else {
            throw RoentgenError.badFile(file, byteOffset: at, "zip entry '\(entry.path)' inflates to \(out.count) bytes, the directory says \(entry.uncompressedSize) (corrupt zip)")
        }
        guard crc == entry.crc32 else {
            throw RoentgenError.badFile(file, byteOffset: at, "zip entry '\(entry.path)' fails its CRC-32 check (corrupt zip)")
        }
        return out
    }
}
