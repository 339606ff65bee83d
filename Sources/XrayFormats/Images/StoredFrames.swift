import Foundation
import XrayCore

/// Frames kept as the file stores their integer pixels, in the host's byte order, so that the
/// integration reads them in place (`DetectorImageSource.stored`): a Pilatus 1M int32 EDF frame
/// takes 4 MB instead of 8 MB of doubles, a Pixium uint16 TIFF 4 MB instead of 16 MB, a Pilatus 6M
/// CBF 25 MB instead of 50 MB, and the frame loops gather that many fewer bytes.
///
/// Only 8-, 16- and 32-bit integers are kept (`keeps`): floating-point images are read as doubles,
/// where their values are checked for plausibility, and 64-bit integers are not read in place.
public struct StoredFrames: Sendable {
    /// The stored element type.
    public let type: DetectorImage.PixelType
    public let pixelsPerFrame: Int
    /// Number of frames.
    public let count: Int
    enum Storage: Sendable {
        case bytes([UInt8])
        case int32([Int32])
    }
    let storage: Storage

    /// Whether frames of `type` are kept as stored.
    public static func keeps(_ type: DetectorImage.PixelType) -> Bool { !type.isFloat && type.size <= 4 }

    /// Whether the host is big-endian (the stored values are in its order).
    public static let hostIsBigEndian = Int32(1).bigEndian == 1

    /// One frame of int32 values (a byte-offset CBF's decoded pixels).
    init(int32 values: [Int32]) {
        type = .int32
        pixelsPerFrame = values.count
        count = 1
        storage = .int32(values)
    }

    /// Frames collected from a file's bytes (`Builder`).
    init(type: DetectorImage.PixelType, pixelsPerFrame: Int, bytes: [UInt8]) {
        self.type = type
        self.pixelsPerFrame = pixelsPerFrame
        count = pixelsPerFrame == 0 ? 0 : bytes.count / (pixelsPerFrame * type.size)
        storage = .bytes(bytes)
    }

    /// Collects frames of one type and size from a file, each turned into the host's byte order.
    struct Builder {
        let type: DetectorImage.PixelType
        let pixelsPerFrame: Int
        var bytes: [UInt8] = []

        init(type: DetectorImage.PixelType, pixelsPerFrame: Int) {
            self.type = type
            self.pixelsPerFrame = pixelsPerFrame
        }

        /// Appends one frame: `pixelsPerFrame` elements at `offset` of `source`, in the file's byte order.
        mutating func append(_ source: UnsafeRawBufferPointer, offset: Int = 0, bigEndian: Bool) {
            let size = type.size, length = pixelsPerFrame * size
            let start = bytes.count
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: source[offset..<offset + length]))
            guard size > 1, bigEndian != StoredFrames.hostIsBigEndian else { return }
            bytes.withUnsafeMutableBufferPointer { b in
                var i = start
                while i < start + length {
                    var lo = i, hi = i + size - 1
                    while lo < hi { b.swapAt(lo, hi); lo += 1; hi -= 1 }
                    i += size
                }
            }
        }

        var frames: StoredFrames { StoredFrames(type: type, pixelsPerFrame: pixelsPerFrame, bytes: bytes) }
    }

    /// Calls `body` with frame `k`'s bytes (host byte order).
    public func withFrameBytes<R>(_ k: Int, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        guard k >= 0, k < count else { throw RoentgenError.badParameter("frame \(k): the image has \(count) frame\(count == 1 ? "" : "s")") }
        switch storage {
        case .int32(let values): return try values.withUnsafeBytes { try body($0) }
        case .bytes(let bytes):
            let length = pixelsPerFrame * type.size
            return try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[k * length..<(k + 1) * length])) }
        }
    }

    /// Frame `k` as doubles.
    public func frame(_ k: Int) throws -> [Double] {
        try withFrameBytes(k) { type.decode($0, count: pixelsPerFrame, bigEndian: Self.hostIsBigEndian) }
    }
}
