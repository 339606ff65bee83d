import Foundation
import XrayCore

/// Raw pixel bytes → `Double` values, for every element type the image readers meet.
enum ImagePixels {
    /// Decodes `count` elements of `type` starting at `offset` of `bytes`
    /// (little-endian unless `bigEndian`). The caller has checked the bounds.
    static func decode(_ bytes: UnsafeRawBufferPointer, offset: Int, count: Int,
                       type: DetectorImage.PixelType, bigEndian: Bool) -> [Double] {
        type.decode(bytes, offset: offset, count: count, bigEndian: bigEndian)
    }

    /// `decode` over a byte array.
    static func decode(_ bytes: [UInt8], offset: Int = 0, count: Int, type: DetectorImage.PixelType, bigEndian: Bool) -> [Double] {
        bytes.withUnsafeBytes { decode($0, offset: offset, count: count, type: type, bigEndian: bigEndian) }
    }

    /// The product `a × b × c` of image dimensions, or nil when it overflows or exceeds 2^31 elements.
    static func elementCount(_ dims: Int...) -> Int? {
        var n = 1
        for d in dims {
            guard d >= 0 else { return nil }
            let (m, o) = n.multipliedReportingOverflow(by: d)
            guard !o, m <= 1 << 31 else { return nil }
            n = m
        }
        return n
    }
}
