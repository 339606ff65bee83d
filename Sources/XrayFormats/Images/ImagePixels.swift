import Foundation
import XrayCore

/// Raw pixel bytes → `Double` values, for every element type the image readers meet.
enum ImagePixels {
    /// Decodes `count` elements of `type` starting at `offset` of `bytes`
    /// (little-endian unless `bigEndian`). The caller has checked the bounds.
    static func decode(_ bytes: UnsafeRawBufferPointer, offset: Int, count: Int,
                       type: DetectorImage.PixelType, bigEndian: Bool) -> [Double] {
        [Double](unsafeUninitializedCapacity: count) { out, initialised in
            let base = bytes.baseAddress! + offset
            func run<T: FixedWidthInteger>(_: T.Type, _ convert: (T) -> Double) {
                for i in 0..<count {
                    let raw = base.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self)
                    out[i] = convert(bigEndian ? T(bigEndian: raw) : T(littleEndian: raw))
                }
            }
            switch type {
            case .int8: run(Int8.self) { Double($0) }
            case .uint8: run(UInt8.self) { Double($0) }
            case .int16: run(Int16.self) { Double($0) }
            case .uint16: run(UInt16.self) { Double($0) }
            case .int32: run(Int32.self) { Double($0) }
            case .uint32: run(UInt32.self) { Double($0) }
            case .int64: run(Int64.self) { Double($0) }
            case .uint64: run(UInt64.self) { Double($0) }
            case .float32: run(UInt32.self) { Double(Float(bitPattern: $0)) }
            case .float64: run(UInt64.self) { Double(bitPattern: $0) }
            }
            initialised = count
        }
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
