import Foundation
import OrderedCollections

/// Column helpers shared by the absorption readers.
enum XASColumns {
    /// Splits row-major `values` (`rows` × `columns`) into named columns.
    static func split(_ values: [Double], rows: Int, columns: Int, names: [String]) -> OrderedDictionary<String, [Double]> {
        var out = OrderedDictionary<String, [Double]>()
        out.reserveCapacity(columns)
        values.withUnsafeBufferPointer { p in
            for c in 0..<columns {
                var col = [Double](repeating: 0, count: rows)
                col.withUnsafeMutableBufferPointer { q in
                    var k = c
                    for r in 0..<rows {
                        q[r] = p[k]
                        k += columns
                    }
                }
                out[names[c]] = col
            }
        }
        return out
    }

    /// Makes names unique the way Larch does: a repeated name gets `_col<N>` (1-based column).
    static func uniqued(_ names: [String]) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        out.reserveCapacity(names.count)
        for (i, name) in names.enumerated() {
            var n = name.isEmpty ? "col\(i + 1)" : name
            if seen.contains(n) { n = "\(n)_col\(i + 1)" }
            var k = 2
            while seen.contains(n) { n = "\(name)_col\(i + 1)_\(k)"; k += 1 }
            seen.insert(n)
            out.append(n)
        }
        return out
    }
}
