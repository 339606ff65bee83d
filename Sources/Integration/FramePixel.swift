import Foundation
import XrayCore

/// A detector pixel value type the frame loop reads in place (the file's own element type, so a
/// stack frame is integrated without first being converted to `Double`). Every conforming value
/// converts to `Double` exactly.
protocol FramePixel: SendableMetatype {
    var doubleValue: Double { get }
    /// Whether values of this type can be NaN (floating point).
    static var canBeNaN: Bool { get }
}

extension Int8: FramePixel { var doubleValue: Double { Double(self) }; static var canBeNaN: Bool { false } }
extension UInt8: FramePixel { var doubleValue: Double { Double(self) }; static var canBeNaN: Bool { false } }
extension Int16: FramePixel { var doubleValue: Double { Double(self) }; static var canBeNaN: Bool { false } }
extension UInt16: FramePixel { var doubleValue: Double { Double(self) }; static var canBeNaN: Bool { false } }
extension Int32: FramePixel { var doubleValue: Double { Double(self) }; static var canBeNaN: Bool { false } }
extension UInt32: FramePixel { var doubleValue: Double { Double(self) }; static var canBeNaN: Bool { false } }
extension Float: FramePixel { var doubleValue: Double { Double(self) }; static var canBeNaN: Bool { true } }
extension Double: FramePixel { var doubleValue: Double { self }; static var canBeNaN: Bool { true } }

/// One frame's pixels as the file stores them: `count` elements of `type`, in `bytes`
/// (borrowed: valid only inside the call that hands it over), little-endian unless `bigEndian`.
public struct RawFrame {
    public let bytes: UnsafeRawBufferPointer
    public let type: DetectorImage.PixelType
    public let bigEndian: Bool

    public init(bytes: UnsafeRawBufferPointer, type: DetectorImage.PixelType, bigEndian: Bool) {
        self.bytes = bytes
        self.type = type
        self.bigEndian = bigEndian
    }

    /// The values as `Double` (the general path: dark frames, cakes, the azimuthal error model).
    func doubles(count: Int) -> [Double] { type.decode(bytes, count: count, bigEndian: bigEndian) }
}

/// A computation over pixels of one stored type, written once and specialised for each type:
/// `DetectorImage.PixelType.dispatch` calls `run` with the type's `FramePixel` type statically,
/// so each type gets its own compiled loop.
protocol PixelTypeDispatch {
    associatedtype Result
    func run<T: FramePixel>(_ type: T.Type) -> Result?
}

extension DetectorImage.PixelType {
    /// `body.run(T.self)` for this stored type; nil for 64-bit integers (not read in place).
    func dispatch<D: PixelTypeDispatch>(_ body: D) -> D.Result? {
        switch self {
        case .int8: return body.run(Int8.self)
        case .uint8: return body.run(UInt8.self)
        case .int16: return body.run(Int16.self)
        case .uint16: return body.run(UInt16.self)
        case .int32: return body.run(Int32.self)
        case .uint32: return body.run(UInt32.self)
        case .float32: return body.run(Float.self)
        case .float64: return body.run(Double.self)
        case .int64, .uint64: return nil
        }
    }
}

extension RawFrame {
    /// The frame's `count` pixels read in place as `T`, or nil when the bytes are big-endian or
    /// not aligned for `T` (the caller dispatches on `type`, so `T` is the stored type).
    func pixels<T: FramePixel>(as _: T.Type, count: Int) -> UnsafeBufferPointer<T>? {
        guard !bigEndian, let base = bytes.baseAddress, Int(bitPattern: base) % MemoryLayout<T>.alignment == 0 else { return nil }
        return UnsafeBufferPointer(start: base.assumingMemoryBound(to: T.self), count: count)
    }
}
