import Foundation
import XrayCore

/// 2-D detector images found beside diffraction patterns: TIFF (and MarCCD, TIFF-based), CBF
/// (Pilatus, `###CBF`) and ESRF EDF (`{` header with `HeaderID`/`EDF_DataFormatVersion`).
/// Roentgen reads 1-D patterns, so this reader only recognises the image and rejects it with a
/// message saying what to do.
enum DetectorImageReader: FormatReader {
    static let id = "detector-image"
    static let name = "2-D detector image (TIFF, CBF, EDF): recognised and rejected, integrate it first"
    static let kind = Scan.Kind.other
    static let suffixes = ["tif", "tiff", "cbf", "edf"]

    /// The image format, if the head is one.
    static func imageFormat(_ head: Data, suffix: String) -> String? {
        let b = [UInt8](head.prefix(4))
        if b == [0x49, 0x49, 0x2A, 0x00] || b == [0x4D, 0x4D, 0x00, 0x2A] { return "TIFF" }
        let start = head.prefix(1024)
        if PatternText.contains(start.prefix(16), "###CBF") { return "CBF" }
        if PatternText.firstNonBlank(start) == 123,
           PatternText.contains(start, "HeaderID") || PatternText.contains(start, "EDF_DataFormatVersion")
            || (suffix == "edf" && PatternText.contains(start, "Dim_1")) {
            return "EDF"
        }
        return nil
    }

    static func sniff(head: Data, suffix: String) -> SniffConfidence {
        imageFormat(head, suffix: suffix) == nil ? .no : .certain
    }

    static func read(_ data: Data, file: String) throws -> DataFile {
        let format = imageFormat(data.prefix(1024), suffix: FileName.suffix(file)) ?? "image"
        throw RoentgenError(.unsupportedFormat,
                            "2-D detector image (\(format), \(data.count) bytes): Roentgen reads 1-D patterns; integrate the image azimuthally first (e.g. with pyFAI) and read the resulting .xy or .chi file",
                            file: file, byteOffset: 0)
    }
}
