import Foundation
import XrayCore

/// A Zstandard-compressed data file (`pattern.xy.zst`, `data.tar.zst`, as some repositories now
/// publish them): decompressed by Roentgen's own decoder (`Zstandard`: checksum checked when
/// the frame has one, output capped at 1 GiB), the content's format detected from its bytes and
/// its name without `.zst`, and read by that reader. Scans note `compression: zstd`.
enum ZstandardReader: FormatReader {
    static let id = "zstd"
    static let name = "Zstandard-compressed data file (.zst, .tzst: the content's format is read)"
    static let kind = Scan.Kind.other
    static let suffixes = ["zst", "tzst"]

    /// Decompressed content larger than this is refused.
    static let maximumOutput = 1 << 30

    static func sniff(head: Data, suffix: String) -> SniffConfidence {
        head.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) ? .certain : .no
    }

    /// The name of the content: `a.xy.zst` → `a.xy`, `a.tzst` → `a.tar`.
    static func contentName(_ file: String) -> String {
        switch FileName.suffix(file) {
        case "zst": return FileName.deletingSuffix(file)
        case "tzst": return FileName.deletingSuffix(file) + ".tar"
        default: return file
        }
    }

    /// The decompressed content and the reader that takes it.
    static func inner(_ data: Data, file: String) throws -> (data: Data, reader: any FormatReader.Type) {
        let content: [UInt8]
        do {
            content = try data.withUnsafeBytes { try Zstandard.decompress($0.bindMemory(to: UInt8.self), limit: maximumOutput) }
        } catch let failure as Zstandard.Failure {
            throw RoentgenError.badFile(file, "Zstandard-compressed file does not decompress: \(failure.what)")
        }
        let bytes = Data(content)
        guard let reader = FormatRegistry.detect(bytes, file: contentName(file)) else {
            throw RoentgenError(.unsupportedFormat, "Zstandard-compressed file whose content (\(bytes.count) bytes) no reader recognises (see `roentgen formats`)", file: file)
        }
        guard reader.id != id && reader.id != GzipReader.id else {
            throw RoentgenError.badFile(file, "compressed file inside a Zstandard file: decompress the outer layer first")
        }
        return (bytes, reader)
    }

    static func read(_ data: Data, file: String) throws -> DataFile {
        let (content, reader) = try inner(data, file: file)
        return try CompressedFile.read(content, with: reader, file: file, contentName: contentName(file), compression: "zstd")
    }
}
