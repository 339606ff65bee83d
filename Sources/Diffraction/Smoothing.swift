import Foundation

/// Savitzky–Golay smoothing (quadratic/cubic, i.e. the same coefficients) over 2m+1 points.
public enum Smoothing {
    /// Smooths `y` with half-width `m` points; the ends use the shrinking symmetric window.
    public static func savitzkyGolay(_ y: [Double], halfWidth m: Int) -> [Double] {
        let n = y.count
        guard m >= 1, n >= 2 * m + 1 else { return y }
        func coefficients(_ m: Int) -> [Double] {
            let mm = Double(m)
            let norm = (2 * mm - 1) * (2 * mm + 1) * (2 * mm + 3)
            return (-m...m).map { i in (3 * (3 * mm * mm + 3 * mm - 1) - 15 * Double(i * i)) / norm }
        }
        let c = coefficients(m)
        var out = y
        y.withUnsafeBufferPointer { src in
            for i in m..<(n - m) {
                var s = 0.0
                for j in 0..<(2 * m + 1) { s += c[j] * src[i - m + j] }
                out[i] = s
            }
        }
        // Edges: smaller windows centred on the point.
        for i in 0..<m {
            for (index, k) in [i, n - 1 - i].enumerated() where index == 0 || n - 1 - i != i {
                let half = min(k, n - 1 - k)
                guard half >= 1 else { continue }
                let ck = coefficients(half)
                var s = 0.0
                for j in 0..<(2 * half + 1) { s += ck[j] * y[k - half + j] }
                out[k] = s
            }
        }
        return out
    }

    /// Boxcar mean over 2m+1 points (shrinking symmetric window at the ends); O(n).
    public static func movingAverage(_ y: [Double], halfWidth m: Int) -> [Double] {
        let n = y.count
        guard m >= 1, n > 2 else { return y }
        var prefix = [Double](repeating: 0, count: n + 1)
        for i in 0..<n { prefix[i + 1] = prefix[i] + y[i] }
        var out = y
        for i in 0..<n {
            let half = min(m, i, n - 1 - i)
            out[i] = (prefix[i + half + 1] - prefix[i - half]) / Double(2 * half + 1)
        }
        return out
    }
}
