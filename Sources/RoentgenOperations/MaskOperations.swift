import Foundation
import XrayCore
import XrayFormats

/// `POST /api/mask`: a mask drawn in the web app's Images view written as an EDF file (`EDFWriter.mask`,
/// 1 = masked) that `integrate --mask` and `calibrate --mask` (and fabio, pyFAI, Dioptas) read.
public enum MaskOperations {
    public struct Request: OperationRequest {
        /// The EDF file to write.
        public var output = ""
        /// [rows, columns] of the image the mask is for.
        public var shape: [Int] = []
        /// The masked pixels as runs of row-major indices: start, length, start, length … (ascending, not overlapping).
        public var runs: [Int] = []
        /// Replace an existing `output` file (without it the server refuses, 409).
        public var overwrite = false
        public static var defaults: Request { Request() }
    }

    /// `POST /api/mask`'s answer.
    public struct Written: Encodable, Sendable {
        public var file: String
        public var shape: [Int]
        public var masked_pixels: Int
    }

    /// The mask the request describes (each malformed field a `badParameter` error naming it).
    public static func mask(_ r: Request) throws -> [Bool] {
        guard r.shape.count == 2, r.shape[0] > 0, r.shape[1] > 0, r.shape[0] <= 100_000, r.shape[1] <= 100_000,
              r.shape[0] * r.shape[1] <= 200_000_000 else {
            throw RoentgenError.badParameter("shape \(r.shape): [rows, columns] of the image, each positive (at most 2·10⁸ pixels)")
        }
        let n = r.shape[0] * r.shape[1]
        guard r.runs.count % 2 == 0 else { throw RoentgenError.badParameter("runs: start, length pairs expected, got \(r.runs.count) numbers") }
        var mask = [Bool](repeating: false, count: n)
        var end = 0
        for k in stride(from: 0, to: r.runs.count, by: 2) {
            let start = r.runs[k], length = r.runs[k + 1]
            guard start >= end, length > 0, start <= n - length else {
                throw RoentgenError.badParameter("runs: run \(k / 2) (start \(start), length \(length)) is out of order, empty or past the \(n) pixels")
            }
            for i in start..<(start + length) { mask[i] = true }
            end = start + length
        }
        return mask
    }

    /// Writes the mask to `r.output` (the caller has checked the path).
    public static func write(_ r: Request) throws -> Written {
        guard !r.output.isEmpty else { throw RoentgenError.badParameter("output: the mask file to write is required") }
        let m = try mask(r)
        do {
            try EDFWriter.mask(m, rows: r.shape[0], columns: r.shape[1]).write(to: URL(fileURLWithPath: r.output), options: .atomic)
        } catch {
            throw RoentgenError(.io, "cannot write the mask file", file: r.output)
        }
        return Written(file: r.output, shape: r.shape, masked_pixels: m.reduce(0) { $0 + ($1 ? 1 : 0) })
    }
}
