import Foundation

/// cos and sin of 2πj/N for j < N, shared per N.
final class DFTTable: @unchecked Sendable {
    let cos: [Double]
    let sin: [Double]
    private init(_ n: Int) {
        cos = (0..<n).map { Foundation.cos(2 * Double.pi * Double($0) / Double(n)) }
        sin = (0..<n).map { Foundation.sin(2 * Double.pi * Double($0) / Double(n)) }
    }
    private static let table2048 = DFTTable(2048)
    static func shared(_ n: Int) -> DFTTable { n == 2048 ? table2048 : DFTTable(n) }
}

/// Rows of the first `frequencies` points of an N-point DFT over the first `width` samples, scaled:
/// row 2j is scale·cos(2πjm/N), row 2j+1 is −scale·sin(2πjm/N) (m < width), row-major with
/// `stride` ≥ width values per row. One table per (N, scale) is kept, grown to the most frequencies
/// and the widest grid asked for so far, so spectra of any length share it.
struct PartialDFTRows: Sendable {
    let rows: [Double]
    let stride: Int
    let frequencies: Int

    private final class Cache: @unchecked Sendable {
        let lock = NSLock()
        var entries: [(key: [Double], table: PartialDFTRows)] = []
    }
    private static let cache = Cache()

    static func shared(nfft n: Int, frequencies: Int, width: Int, scale: Double) -> PartialDFTRows {
        let key = [Double(n), scale]
        cache.lock.lock()
        let cached = cache.entries.first(where: { $0.key == key })?.table
        cache.lock.unlock()
        if let cached, cached.frequencies >= frequencies, cached.stride >= width { return cached }
        let f = max(frequencies, cached?.frequencies ?? 0), w = max(width, cached?.stride ?? 0)
        let table = DFTTable.shared(n)
        let mask = n - 1
        var rows = [Double](repeating: 0, count: 2 * f * w)
        for j in 0..<f {
            var idx = 0
            for m in 0..<w {
                rows[(2 * j) * w + m] = scale * table.cos[idx]
                rows[(2 * j + 1) * w + m] = -scale * table.sin[idx]
                idx = (idx + j) & mask
            }
        }
        let built = PartialDFTRows(rows: rows, stride: w, frequencies: f)
        cache.lock.lock()
        cache.entries.removeAll { $0.key == key }
        cache.entries.insert((key, built), at: 0)
        if cache.entries.count > 8 { cache.entries.removeLast() }
        cache.lock.unlock()
        return built
    }

    /// The first `rowCount` rows over the first `width` samples, contiguous (stride = width).
    func compact(rowCount: Int, width: Int) -> [Double] {
        var out = [Double](repeating: 0, count: rowCount * width)
        for r in 0..<rowCount { for m in 0..<width { out[r * width + m] = rows[r * stride + m] } }
        return out
    }
}
