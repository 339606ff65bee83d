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
/// row 2j is scale·cos(2πjm/N), row 2j+1 is −scale·sin(2πjm/N) (m < width), row-major. The few
/// most recent (N, frequencies, width, scale) are kept, since spectra of one beamline share them.
enum PartialDFTRows {
    private final class Cache: @unchecked Sendable {
        let lock = NSLock()
        var entries: [(key: [Double], rows: [Double])] = []
    }
    private static let cache = Cache()

    static func shared(nfft n: Int, frequencies: Int, width: Int, scale: Double) -> [Double] {
        let key = [Double(n), Double(frequencies), Double(width), scale]
        cache.lock.lock()
        if let hit = cache.entries.first(where: { $0.key == key }) { cache.lock.unlock(); return hit.rows }
        cache.lock.unlock()
        let table = DFTTable.shared(n)
        let mask = n - 1
        var rows = [Double](repeating: 0, count: 2 * frequencies * width)
        for j in 0..<frequencies {
            var idx = 0
            for m in 0..<width {
                rows[(2 * j) * width + m] = scale * table.cos[idx]
                rows[(2 * j + 1) * width + m] = -scale * table.sin[idx]
                idx = (idx + j) & mask
            }
        }
        cache.lock.lock()
        cache.entries.insert((key, rows), at: 0)
        if cache.entries.count > 8 { cache.entries.removeLast() }
        cache.lock.unlock()
        return rows
    }
}
