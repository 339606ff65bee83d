import Foundation
import XrayCore

/// 2-D detector images (TIFF) found beside diffraction patterns. Roentgen reads 1-D patterns, so
/// this reader only recognises the image and rejects it with a message saying what to do.
enum DetectorImageReader: FormatReader {
    static let id = "detector-image"
    static let name = "2-D detector image (TIFF): recognised and rejected, integrate it first"
    static let kind = Scan.Kind.other
    static let suffixes = ["tif", "tiff"]

    static func sniff(head: Data, suffix: String) -> SniffConfidence {
        let b = [UInt8](head.prefix(4))
        return b == [0x49, 0x49, 0x2A, 0x00] || b == [0x4D, 0x4D, 0x00, 0x2A] ? .certain : .no
    }

    static func read(_ data: Data, file: String) throws -> DataFile {
        throw RoentgenError(.unsupportedFormat,
                            "2-D detector image (TIFF, \(data.count) bytes): Roentgen reads 1-D patterns; integrate the image azimuthally first (e.g. with pyFAI) and read the resulting .xy or .chi file",
                            file: file, byteOffset: 0)
    }
}
