import Foundation
import OrderedCollections
import XrayCore

/// Fit2D mask files (`.msk`, A. Hammersley's Fit2D; what Fit2D, and pyFAI/Dioptas through fabio, read
/// as a mask): a 1024-byte header of little-endian 32-bit integers, the first four 77, 65, 83, 75
/// ("M", "A", "S", "K"), the fifth the number of columns and the sixth the number of rows; then
/// every row as ⌈columns / 32⌉ little-endian 32-bit words, bit k of word w the pixel in column
/// 32 w + k (1 = masked). Rows are stored in the order fabio's `Fit2dMaskImage` reads them (the
/// file's first row is the image's row 0, as pyFAI and Dioptas use it); values are `uint8` 0/1 as
/// fabio gives them.
enum Fit2DMaskReader {
    static let id = "fit2d-mask"
    static let headerSize = 1024

    /// The header's "M", "A", "S", "K" as the 32-bit integers Fit2D writes.
    static func isFit2DMask(_ head: Data) -> Bool {
        guard head.count >= 24 else { return false }
        let b = [UInt8](head.prefix(16))
        let letters: [UInt8] = [77, 65, 83, 75]
        for (k, letter) in letters.enumerated() where b[4 * k] != letter || b[4 * k + 1] != 0 || b[4 * k + 2] != 0 || b[4 * k + 3] != 0 {
            return false
        }
        return true
    }

    static func read(_ data: Data, file: String) throws -> DetectorImage {
        try data.withUnsafeBytes { p in
            func fail(_ offset: Int, _ message: String) -> RoentgenError { .badFile(file, byteOffset: offset, message) }
            guard p.count >= headerSize else { throw fail(0, "Fit2D mask file of \(p.count) bytes is shorter than its 1024-byte header") }
            guard isFit2DMask(Data(p.prefix(24))) else { throw fail(0, "not a Fit2D mask: the header does not start with M, A, S, K") }
            let columns = Int(Int32(bitPattern: p.loadUnaligned(fromByteOffset: 16, as: UInt32.self).littleEndian))
            let rows = Int(Int32(bitPattern: p.loadUnaligned(fromByteOffset: 20, as: UInt32.self).littleEndian))
            guard columns > 0, columns <= 1 << 16 else { throw fail(16, "Fit2D mask with \(columns) columns; 1 to 65536 expected") }
            guard rows > 0, rows <= 1 << 16 else { throw fail(20, "Fit2D mask with \(rows) rows; 1 to 65536 expected") }
            let words = (columns + 31) / 32
            let needed = headerSize + rows * words * 4
            guard p.count >= needed else {
                throw fail(p.count, "Fit2D mask of \(rows) × \(columns) pixels needs \(needed) bytes; the file has \(p.count) (truncated)")
            }
            var values = [Double](repeating: 0, count: rows * columns)
            for i in 0..<rows {
                let rowStart = headerSize + i * words * 4
                for w in 0..<words {
                    var bits = p.loadUnaligned(fromByteOffset: rowStart + 4 * w, as: UInt32.self).littleEndian
                    // Bits past the last column (the row's padding) are not pixels.
                    let width = min(32, columns - 32 * w)
                    if width < 32 { bits &= (1 << UInt32(width)) - 1 }
                    while bits != 0 {
                        let k = bits.trailingZeroBitCount
                        values[i * columns + 32 * w + k] = 1
                        bits &= bits - 1
                    }
                }
            }
            var header: OrderedDictionary<String, String> = [:]
            header["Dim_1"] = String(columns)
            header["Dim_2"] = String(rows)
            return DetectorImage(rows: rows, columns: columns, frames: [values], pixelType: .uint8, format: id, header: header)
        }
    }
}
