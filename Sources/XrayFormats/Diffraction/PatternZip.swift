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
    /// The archive as read (not copied: entries are inflated straight from it).
    private let data: Data
    private(set) var entries: [Entry] = []

    /// Little-endian field of `width` bytes at `at`; throws with the offset if the file ends first.
    private static func field(_ data: Data, _ at: Int, _ width: Int, _ what: String, file: String) throws -> Int {
        guard at >= 0, width <= data.count, at <= data.count - width else {
            throw RoentgenError.badFile(file, byteOffset: at, "file ends after \(data.count) bytes, expected \(width) bytes of \(what) (truncated file?)")
        }
        return data.withUnsafeBytes { raw in
            var v = 0
            for k in stride(from: width - 1, through: 0, by: -1) { v = v << 8 | Int(raw[at + k]) }
            return v
        }
    }

    init(_ data: Data, file: String) throws {
        self.file = file
        self.data = data
        let data = data.startIndex == 0 ? data : Data(data)
        func field(_ at: Int, _ width: Int, _ what: String) throws -> Int { try PatternZip.field(data, at, width, what, file: file) }
        // End of central directory: signature PK\5\6, within the last 64 KiB + 22 bytes.
        let eocd: Int = data.withUnsafeBytes { raw in
            var k = raw.count - 22
            let lowest = max(0, raw.count - 22 - 65_535)
            while k >= lowest {
                if raw[k] == 0x50, raw[k + 1] == 0x4B, raw[k + 2] == 5, raw[k + 3] == 6 { return k }
                k -= 1
            }
            return -1
        }
        guard eocd >= 0 else {
            throw RoentgenError.badFile(file, byteOffset: data.count,
                                        "not a complete zip archive: no end-of-central-directory record (truncated file?); expected a zip container")
        }
        let count = try field(eocd + 10, 2, "zip entry count")
        let directorySize = try field(eocd + 12, 4, "central directory size")
        let directoryOffset = try field(eocd + 16, 4, "central directory offset")
        guard count != 0xFFFF, directoryOffset != 0xFFFF_FFFF else {
            throw RoentgenError(.unsupportedFormat, "ZIP64 container: not supported", file: file, byteOffset: eocd)
        }
        guard directoryOffset + directorySize <= eocd else {
            throw RoentgenError.badFile(file, byteOffset: eocd + 16,
                                        "zip central directory (offset \(directoryOffset), \(directorySize) bytes) lies outside the file (truncated or corrupt)")
        }
        var position = directoryOffset
        entries.reserveCapacity(count)
        for index in 0..<count {
            guard try field(position, 4, "central directory entry \(index + 1)") == 0x0201_4B50 else {
                throw RoentgenError.badFile(file, byteOffset: position, "zip central directory entry \(index + 1) has a bad signature")
            }
            let method = try field(position + 10, 2, "compression method")
            let crc = UInt32(try field(position + 16, 4, "CRC-32"))
            let compressed = try field(position + 20, 4, "compressed size")
            let uncompressed = try field(position + 24, 4, "uncompressed size")
            let nameLength = try field(position + 28, 2, "name length")
            let extraLength = try field(position + 30, 2, "extra length")
            let commentLength = try field(position + 32, 2, "comment length")
            let local = try field(position + 42, 4, "local header offset")
            _ = try field(position + 46, nameLength, "entry name")   // bounds check of the name
            let name = data.withUnsafeBytes { raw in
                PatternText.string(UnsafeBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self) + position + 46, count: nameLength))
            }
            entries.append(Entry(path: name, method: method, compressedSize: compressed, uncompressedSize: uncompressed,
                                 crc32: crc, localHeaderOffset: local))
            position += 46 + nameLength + extraLength + commentLength
        }
    }

    /// Paths of all entries, in archive order.
    var paths: [String] { entries.map(\.path) }

    /// The uncompressed bytes of `path`.
    func entry(_ path: String, limit: Int = 1 << 30) throws -> Data {
        Data(try bytes(path, limit: limit))
    }

    /// The uncompressed bytes of `path`, as an array (what the byte-level parsers take).
    func bytes(_ path: String, limit: Int = 1 << 30) throws -> [UInt8] {
        guard let entry = entries.first(where: { $0.path == path }) else {
            throw RoentgenError.badFile(file, "zip container has no entry '\(path)'")
        }
        return try extract(entry, limit: limit)
    }

    func extract(_ entry: Entry, limit: Int = 1 << 30) throws -> [UInt8] {
        let data = self.data.startIndex == 0 ? self.data : Data(self.data)
        func field(_ at: Int, _ width: Int, _ what: String) throws -> Int { try PatternZip.field(data, at, width, what, file: file) }
        let at = entry.localHeaderOffset
        guard try field(at, 4, "local header of '\(entry.path)'") == 0x0403_4B50 else {
            throw RoentgenError.badFile(file, byteOffset: at, "zip entry '\(entry.path)': bad local header signature")
        }
        let nameLength = try field(at + 26, 2, "name length"), extraLength = try field(at + 28, 2, "extra length")
        let start = at + 30 + nameLength + extraLength
        if entry.compressedSize > 0 { _ = try field(start + entry.compressedSize - 1, 1, "\(entry.compressedSize) compressed bytes of '\(entry.path)'") }
        guard entry.uncompressedSize <= limit else {
            throw RoentgenError.badFile(file, byteOffset: at, "zip entry '\(entry.path)' claims \(entry.uncompressedSize) bytes, more than the \(limit)-byte limit")
        }
        let compressed = data[start..<(start + entry.compressedSize)]
        var out: [UInt8] = []
        switch entry.method {
        case 0:
            guard entry.compressedSize == entry.uncompressedSize else {
                throw RoentgenError.badFile(file, byteOffset: at, "stored zip entry '\(entry.path)' has different compressed and uncompressed sizes")
            }
            out = [UInt8](compressed)
        case 8:
            // One provider call with the whole stream and one output buffer the declared size
            // (+1, so a stream that inflates further is seen): zlib then runs in one go.
            let declared = entry.uncompressedSize
            let bufferSize = max(declared + 1, compressed.count, 64)
            out.reserveCapacity(declared)
            do {
                _ = try Data.decompress(size: Int64(entry.compressedSize), bufferSize: bufferSize, skipCRC32: true,
                                        provider: { position, size in
                    // zlib is told `bufferSize` bytes are available: hand it a full buffer;
                    // past the compressed data the stream is corrupt: stop.
                    let p = Int(position)
                    guard p < compressed.count else { throw RoentgenError.badFile(self.file, byteOffset: start + p, "deflate stream of '\(entry.path)' does not end where its size says (corrupt zip)") }
                    var chunk = Data(count: max(size, bufferSize))
                    let n = min(chunk.count, compressed.count - p)
                    chunk.replaceSubrange(0..<n, with: compressed[(compressed.startIndex + p)..<(compressed.startIndex + p + n)])
                    return chunk
                }, consumer: { piece in
                    guard out.count + piece.count <= declared else {
                        throw RoentgenError.badFile(self.file, byteOffset: at, "zip entry '\(entry.path)' inflates beyond its declared \(declared) bytes (corrupt zip)")
                    }
                    out.append(contentsOf: piece)
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
        guard PatternCRC32.checksum(out) == entry.crc32 else {
            throw RoentgenError.badFile(file, byteOffset: at, "zip entry '\(entry.path)' fails its CRC-32 check (corrupt zip)")
        }
        return out
    }
}
