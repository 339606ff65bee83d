import Foundation
import OrderedCollections

/// A 2-D area-detector image: one or more frames of `rows × columns` pixels (row-major, C order,
/// as fabio and pyFAI index them: `[row, column]`, row = slow axis = pyFAI dimension 1,
/// column = fast axis = pyFAI dimension 2), with what the file says about the detector.
///
/// Pixel values are held as `Double`, which represents every 8/16/32-bit integer and every
/// float32 exactly; `pixelType` keeps the type the file stored (it decides, for example, whether
/// negative values are Pilatus/Eiger gap markers).
public struct DetectorImage: Sendable {
    /// The element type as stored in the file.
    public enum PixelType: String, Sendable, Codable {
        case int8, uint8, int16, uint16, int32, uint32, int64, uint64, float32, float64

        /// Whether the type is a signed integer (whose negative values mark gaps and bad pixels
        /// on Pilatus and Eiger detectors).
        public var isSignedInteger: Bool { self == .int8 || self == .int16 || self == .int32 || self == .int64 }
        /// Whether the type is floating point.
        public var isFloat: Bool { self == .float32 || self == .float64 }
        /// Bytes per element.
        public var size: Int {
            switch self {
            case .int8, .uint8: return 1
            case .int16, .uint16: return 2
            case .int32, .uint32, .float32: return 4
            case .int64, .uint64, .float64: return 8
            }
        }
    }

    /// Number of rows (slow axis, pyFAI dimension 1).
    public var rows: Int
    /// Number of columns (fast axis, pyFAI dimension 2).
    public var columns: Int
    /// The frames, each `rows × columns` values in row-major order.
    public var frames: [[Double]]
    /// The element type stored in the file.
    public var pixelType: PixelType
    /// Pixel size along rows and columns in metres (`pixel1`, `pixel2` in pyFAI), when the file says.
    public var pixelSize: (pixel1: Double, pixel2: Double)?
    /// Pixels the file itself marks as invalid (true = masked), `rows × columns`; nil when none.
    public var mask: [Bool]?
    /// The file's header as key → value text, in file order (a multi-frame EDF's first frame's).
    public var header: OrderedDictionary<String, String>
    /// Each frame's own header where the file has one per frame (a multi-frame EDF file), in
    /// frame order; empty otherwise (then `header` holds for every frame).
    public var frameHeaders: [OrderedDictionary<String, String>] = []
    /// Wavelength in metres, from the header.
    public var wavelength: Double?
    /// Sample–detector distance in metres, from the header.
    public var distance: Double?
    /// Beam centre in pixels (x = column, y = row) as the header gives it.
    public var beamCenter: (x: Double, y: Double)?
    /// Exposure time per frame in seconds, from the header.
    public var exposureTime: Double?
    /// Reader id (e.g. `"tiff"`, `"cbf"`, `"edf"`, `"mar345"`, `"hdf5"`).
    public var format: String

    public init(rows: Int, columns: Int, frames: [[Double]], pixelType: PixelType, format: String,
                header: OrderedDictionary<String, String> = [:]) {
        self.rows = rows
        self.columns = columns
        self.frames = frames
        self.pixelType = pixelType
        self.format = format
        self.header = header
    }

    /// Number of pixels per frame.
    public var pixelCount: Int { rows * columns }

    /// The value of pixel (`row`, `column`) in frame `frame`.
    public func value(row: Int, column: Int, frame: Int = 0) -> Double { frames[frame][row * columns + column] }

    /// Statistics of one frame: minimum, maximum, sum (exact for integer types below 2^53),
    /// and the counts of NaN and negative pixels.
    public struct Statistics: Sendable, Equatable {
        public var minimum: Double
        public var maximum: Double
        public var sum: Double
        public var nanCount: Int
        public var negativeCount: Int
    }

    /// Statistics of frame `k` (NaN pixels are skipped in the minimum, maximum and sum).
    public func statistics(frame k: Int = 0) -> Statistics { Self.statistics(of: frames[k]) }

    /// Statistics of one frame's `values` (NaN pixels are skipped in the minimum, maximum and sum).
    public static func statistics(of values: [Double]) -> Statistics {
        var lo = Double.infinity, hi = -Double.infinity, sum = 0.0
        var nan = 0, negative = 0
        values.withUnsafeBufferPointer { p in
            for v in p {
                if v.isNaN { nan += 1; continue }
                if v < lo { lo = v }
                if v > hi { hi = v }
                if v < 0 { negative += 1 }
                sum += v
            }
        }
        return Statistics(minimum: lo, maximum: hi, sum: sum, nanCount: nan, negativeCount: negative)
    }
}
