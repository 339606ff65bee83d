import Foundation
import XrayCore
import ZIPFoundation

/// Reads entries of a zip container (BRML, RASX) from memory, with clear errors on bad archives.
struct PatternZip {
    let archive: Archive
    let file: String

    init(_ data: Data, file: String) throws {
        self.file = file
        do {
            archive = try Archive(data: data, accessMode: .read)
        } catch {
            throw RoentgenError.badFile(file, byteOffset: Self.endOfCentralDirectoryOffset(data),
                                        "not a readable zip archive (\(error)); truncated or corrupt container, expected a complete zip file")
        }
    }

    /// Offset where the end-of-central-directory record was looked for (the end of the data).
    private static func endOfCentralDirectoryOffset(_ data: Data) -> Int { data.count }

    /// Paths of all entries, in archive order.
    var paths: [String] { archive.map(\.path) }

    /// The uncompressed bytes of `path` (a checksum or inflate failure throws).
    func entry(_ path: String, limit: Int = 1 << 30) throws -> Data {
        guard let entry = archive[path] else {
            throw RoentgenError.badFile(file, "zip container has no entry '\(path)'")
        }
        return try extract(entry, limit: limit)
    }

    func extract(_ entry: Entry, limit: Int = 1 << 30) throws -> Data {
        guard entry.type == .file else {
            throw RoentgenError.badFile(file, "zip entry '\(entry.path)' is not a file")
        }
        guard entry.uncompressedSize <= UInt64(limit) else {
            throw RoentgenError.badFile(file, "zip entry '\(entry.path)' claims \(entry.uncompressedSize) bytes, more than the \(limit)-byte limit")
        }
        var out = Data()
        do {
            _ = try archive.extract(entry, skipCRC32: false) { chunk in out.append(chunk) }
        } catch {
            throw RoentgenError.badFile(file, "cannot extract zip entry '\(entry.path)' (\(error)); truncated or corrupt container")
        }
        return out
    }
}

