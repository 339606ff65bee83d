import Foundation

extension DetectorImage.PixelType {
    /// Decodes `count` elements of this type starting at `offset` of `bytes` (little-endian
    /// unless `bigEndian`) into `Double` values, which hold every 8/16/32-bit integer and every
    /// float exactly. The caller has checked the bounds.
    public func decode(_ bytes: UnsafeRawBufferPointer, offset: Int = 0, count: Int, bigEndian: Bool) -> [Double] {
        [Double](unsafeUninitializedCapacity: count) { out, initialised in
            let base = bytes.baseAddress! + offset
            func run<T: FixedWidthInteger>(_: T.Type, _ convert: (T) -> Double) {
                for i in 0..<count {
                    let raw = base.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self)
                    out[i] = convert(bigEndian ? T(bigEndian: raw) : T(littleEndian: raw))
                }
            }
            switch self {
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
}
