import Foundation
import XrayCore

/// A gzip-compressed data file (`pattern.xye.gz`, `scan.xdi.gz`, `data.tar.gz`), as repositories
/// often publish them: decompressed (CRC-32 and length checked, output capped), the content's
/// format detected from its bytes and its name without `.gz`, and read by that reader. The
/// result carries the content's format id; scans note `compression: gzip`. Line numbers in
/// errors count lines of the decompressed content. Athena projects, gzipped by design, keep
/// their own reader.
enum GzipReader: FormatReader {
    static let id = "gzip"
    static let name = "gzip-compressed data file (.gz, .tgz: the content's format is read)"
    static let kind = Scan.Kind.other
    static let suffixes = ["gz", "tgz"]

    static func sniff(head: Data, suffix: String) -> SniffConfidence {
        guard XASGzip.isGzip(head) else { return .no }
        return suffix == "prj" ? .no : .certain
    }

    /// The name of the content: `a.xye.gz` → `a.xye`, `a.tgz` → `a.tar`.
    static func contentName(_ file: String) -> String {
        switch FileName.suffix(file) {
        case "gz", "gzip": return FileName.deletingSuffix(file)
        case "tgz": return FileName.deletingSuffix(file) + ".tar"
        default: return file
        }
    }

    /// The decompressed content and the reader that takes it.
    static func inner(_ data: Data, file: String) throws -> (data: Data, reader: any FormatReader.Type) {
        let content = try XASGzip.decompress(data, file: file)
        guard let reader = FormatRegistry.detect(content, file: contentName(file)) else {
            throw RoentgenError(.unsupportedFormat, "gzip-compressed file whose content (\(content.count) bytes) no reader recognises (see `roentgen formats`)", file: file)
        }
        guard reader.id != id else {
            throw RoentgenError.badFile(file, "gzip inside gzip: decompress the outer layer first")
        }
        return (content, reader)
    }

    static func read(_ data: Data, file: String) throws -> DataFile {
        let (content, reader) = try inner(data, file: file)
        return try CompressedFile.read(content, with: reader, file: file, contentName: contentName(file), compression: "gzip")
    }
}
