import Foundation
import XrayCore
import XrayFormats

/// One frame of a detector image for a viewer (`GET /api/image` and `GET /api/image/pixels`, the web
/// app's Images view): what the frame is (shape, type, statistics, a display range, the header's
/// geometry) and its pixels at full resolution, every value exact.
public enum ImageDisplay {
    /// How the pixels travel: little-endian IEEE floats of 4 bytes where every value of the frame is
    /// exactly a float32 (8/16-bit integers, float32, 32-bit integers up to 2^24 in magnitude), else 8.
    public enum Encoding: String, Sendable, Codable {
        case float32, float64
    }

    /// One frame, read once and kept for the two requests a viewer makes of it.
    public struct Frame: Sendable {
        public var file: String
        public var template: DetectorImage
        public var frameCount: Int
        public var index: Int
        public var values: [Double]
        public var encoding: Encoding
        /// An HDF5 file's datasets of frames (what `dataset` may name); nil for other formats.
        public var datasets: [String]?
    }

    /// `GET /api/image`'s document.
    public struct Description: Encodable, Sendable {
        public var file: String
        public var format: String
        /// [rows, columns]: rows are the slow axis (pyFAI's dimension 1).
        public var shape: [Int]
        public var dtype: String
        public var frames: Int
        public var frame: Int
        /// How `/api/image/pixels` sends this frame (`float32` or `float64`, little-endian, row-major).
        public var encoding: String
        public var min: Double?
        public var max: Double?
        public var sum: Double
        public var nan: Int
        public var negative: Int
        /// Pixels a viewer leaves out by the file's own convention: NaN, and negative values of a signed-integer
        /// image (Pilatus/Eiger gaps −1 and bad pixels −2), as `integrate` masks them by default.
        public var invalid: Int
        /// A display range: the 0.5th and 99.8th percentiles of the valid pixels (nil when none is valid).
        public var display_range: [Double]?
        public var pixel_size_m: [Double]?
        public var wavelength_m: Double?
        public var distance_m: Double?
        public var beam_center_px: [Double]?
        public var exposure_s: Double?
        /// An HDF5 file's datasets of frames, any of which `dataset` may name (nil for other formats).
        public var datasets: [String]?
        /// Implausible values of a floating-point frame (denormal-size, beyond 1e30, infinite, all NaN), as `read` says them.
        public var warnings: [String]
    }

    /// The last frames read, so that a viewer's description and pixel requests decode the file once.
    final class Recent: @unchecked Sendable {
        private let lock = NSLock()
        private var entries: [(key: String, frame: Frame)] = []
        func frame(_ key: String, _ make: () throws -> Frame) rethrows -> Frame {
            lock.lock()
            if let hit = entries.first(where: { $0.key == key }) { lock.unlock(); return hit.frame }
            lock.unlock()
            let made = try make()
            lock.lock()
            entries.removeAll { $0.key == key }
            entries.insert((key, made), at: 0)
            if entries.count > 2 { entries.removeLast() }
            lock.unlock()
            return made
        }
    }
    static let recent = Recent()

    /// Frame `frame` (from 0) of the image at `path` (HDF5: of `dataset`, default its NXdata signal or
    /// only image dataset). A frame outside the file is a `badParameter` error naming it.
    /// `asMask`: the file read as `--mask` reads it (`DetectorImages.readMask`: an HDF5/NeXus file's
    /// NXdetector `pixel_mask`), so that a viewer shows the pixels integration will leave out.
    public static func frame(_ path: String, dataset: String? = nil, frame k: Int = 0, asMask: Bool = false) throws -> Frame {
        let url = URL(fileURLWithPath: path)
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let stamp = "\((attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)/\((attributes?[.size] as? NSNumber)?.intValue ?? -1)"
        if asMask {
            let mask = try DetectorImages.readMask(url)
            guard let values = mask.frames.first else { throw RoentgenError(.badFile, "the mask file holds no frame", file: path) }
            return Frame(file: path, template: mask, frameCount: 1, index: 0, values: values, encoding: encoding(values, type: mask.pixelType))
        }
        return try recent.frame("\(path)\u{0}\(dataset ?? "")\u{0}\(k)\u{0}\(stamp)") {
            let source = try DetectorImages.open(url, dataset: dataset)
            guard k >= 0, k < source.frameCount else {
                throw RoentgenError(.badParameter, "frame \(k): the image has \(source.frameCount) frame\(source.frameCount == 1 ? "" : "s") (0 to \(source.frameCount - 1))", file: path)
            }
            let template = source.template
            let values = try source.frame(k)
            var datasets: [String]?
            if case .stack(let stack) = source { datasets = try stack.imageDatasets() }
            return Frame(file: path, template: template, frameCount: source.frameCount, index: k, values: values,
                         encoding: encoding(values, type: template.pixelType), datasets: datasets)
        }
    }

    /// float32 where it is exact for every value of the frame, else float64.
    static func encoding(_ values: [Double], type: DetectorImage.PixelType) -> Encoding {
        switch type {
        case .int8, .uint8, .int16, .uint16, .float32: return .float32
        case .int32, .uint32:
            let limit = 16_777_216.0
            return values.allSatisfy { $0.magnitude <= limit } ? .float32 : .float64
        case .int64, .uint64, .float64:
            return values.allSatisfy { $0.isNaN || Double(Float($0)) == $0 } ? .float32 : .float64
        }
    }

    /// The description of a frame (statistics over every pixel; the display range over the valid ones).
    public static func describe(_ f: Frame) -> Description {
        let t = f.template
        let signed = t.pixelType.isSignedInteger
        let s = DetectorImage.statistics(of: f.values)
        return Description(file: f.file, format: t.format, shape: [t.rows, t.columns], dtype: t.pixelType.rawValue,
                           frames: f.frameCount, frame: f.index, encoding: f.encoding.rawValue,
                           min: s.minimum.isFinite ? s.minimum : nil, max: s.maximum.isFinite ? s.maximum : nil, sum: s.sum,
                           nan: s.nanCount, negative: s.negativeCount, invalid: s.nanCount + (signed ? s.negativeCount : 0),
                           display_range: displayRange(f.values, signed: signed),
                           pixel_size_m: t.pixelSize.map { [$0.pixel1, $0.pixel2] }, wavelength_m: t.wavelength, distance_m: t.distance,
                           beam_center_px: t.beamCenter.map { [$0.x, $0.y] }, exposure_s: t.exposureTime, datasets: f.datasets,
                           warnings: ValuePlausibility.warnings(forFrame: f.values, pixelType: t.pixelType, label: f.frameCount > 1 ? "frame \(f.index)" : "the image"))
    }

    /// The 0.5th and 99.8th percentiles of the valid pixels (not NaN; not negative in a signed-integer
    /// image), from at most about 500,000 of them taken at a regular stride (nearest rank).
    static func displayRange(_ values: [Double], signed: Bool) -> [Double]? {
        let stride = max(1, values.count / 500_000)
        var sample: [Double] = []
        sample.reserveCapacity(values.count / stride + 1)
        var i = 0
        while i < values.count {
            let v = values[i]
            if !v.isNaN && !(signed && v < 0) { sample.append(v) }
            i += stride
        }
        guard !sample.isEmpty else { return nil }
        sample.sort()
        let rank = { (p: Double) in sample[Swift.min(sample.count - 1, Swift.max(0, Int((p * Double(sample.count - 1)).rounded())))] }
        return [rank(0.005), rank(0.998)]
    }

    /// The frame's pixels, row-major, as little-endian floats of the frame's encoding (NaN kept).
    public static func pixels(_ f: Frame) -> Data {
        switch f.encoding {
        case .float32:
            var out = [UInt32](repeating: 0, count: f.values.count)
            for (i, v) in f.values.enumerated() { out[i] = Float(v).bitPattern.littleEndian }
            return out.withUnsafeBytes { Data($0) }
        case .float64:
            let out = f.values.map { $0.bitPattern.littleEndian }
            return out.withUnsafeBytes { Data($0) }
        }
    }
}
