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
