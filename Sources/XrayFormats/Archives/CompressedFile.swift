import Foundation
import XrayCore

/// What the single-file decompressors (`GzipReader`, `ZstandardReader`) share: the content is
/// read by its own reader, and a scan named after the file's stem is named after the content's
/// (`a.xye`, not `a.xye.gz` → `a`); every scan notes the compression.
enum CompressedFile {
    static func read(_ content: Data, with reader: any FormatReader.Type, file: String, contentName: String, compression: String) throws -> DataFile {
        var result = try reader.read(content, file: file)
        let stem = FileName.stem(file), contentStem = FileName.stem(contentName)
        for k in result.scans.indices {
            result.scans[k].metadata["compression"] = compression
            if result.scans[k].name == stem { result.scans[k].name = contentStem }
        }
        return result
    }
}
