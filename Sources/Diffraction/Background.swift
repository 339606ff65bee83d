import Foundation

/// Background estimation by SNIP, the statistics-sensitive non-linear iterative peak clipping
/// (Ryan et al., NIM B 34 (1988) 396; Morháč et al., NIM A 401 (1997) 113) with the
/// log-log-square-root (LLS) transform and decreasing clipping windows.
public enum Background {
    /// The SNIP background of `y` with clipping half-width `width` points (about the width of the
    /// broadest peak's base). Negative values are allowed in `y` (the LLS transform is then skipped).
    public static func snip(_ y: [Double], width: Int) -> [Double] {
        let n = y.count
        guard n > 2, width >= 1 else { return y }
        let lls = y.allSatisfy { $0 >= 0 }
        var v = lls ? y.map { log(log(($0 + 1).squareRoot() + 1) + 1) } : y
        var w = v
        let m = min(width, (n - 1) / 2)
        // Decreasing windows (Morháč): clips wide features first, then smooths the estimate.
        for p in stride(from: m, through: 1, by: -1) {
            for i in p..<(n - p) {
                let mean = (v[i - p] + v[i + p]) / 2
                w[i] = min(v[i], mean)
            }
            for i in p..<(n - p) { v[i] = w[i] }
        }
        guard lls else { return v }
        return v.map { t in
            let a = exp(exp(t) - 1) - 1
            return a * a - 1
        }
    }
}
