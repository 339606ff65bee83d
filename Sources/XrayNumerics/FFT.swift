import Foundation

/// A radix-2 complex fast Fourier transform of one fixed power-of-two length.
///
/// Build a plan once (twiddle factors and the bit-reversal permutation are precomputed)
/// and reuse it: `forward` works in place on split real / imaginary arrays and allocates nothing.
/// The forward transform is unnormalised, `X[j] = Σ x[n]·exp(−2πi·jn/N)`; `inverse` includes the 1/N.
public struct FFTPlan: Sendable {
    /// The transform length N (a power of two, ≥ 2).
    public let count: Int
    private let cosTable: [Double]
    private let sinTable: [Double]
    private let bitReversed: [Int]

    /// A plan for length `count`; nil unless `count` is a power of two ≥ 2.
    public init?(count: Int) {
        guard count >= 2, count & (count - 1) == 0 else { return nil }
        self.count = count
        let half = count / 2
        var c = [Double](repeating: 0, count: half), s = [Double](repeating: 0, count: half)
        for j in 0..<half {
            let angle = -2.0 * Double.pi * Double(j) / Double(count)
            c[j] = cos(angle)
            s[j] = sin(angle)
        }
        cosTable = c
        sinTable = s
        var bits = 0
        while (1 << bits) < count { bits += 1 }
        var rev = [Int](repeating: 0, count: count)
        for i in 0..<count {
            var r = 0, v = i
            for _ in 0..<bits { r = (r << 1) | (v & 1); v >>= 1 }
            rev[i] = r
        }
        bitReversed = rev
    }

    /// In-place forward transform of `real` + i·`imag` (both `count` long).
    public func forward(real: inout [Double], imag: inout [Double]) {
        transform(real: &real, imag: &imag, sign: 1)
    }

    /// In-place inverse transform, scaled by 1/N so that `inverse(forward(x)) == x`.
    public func inverse(real: inout [Double], imag: inout [Double]) {
        transform(real: &real, imag: &imag, sign: -1)
        let scale = 1.0 / Double(count)
        for i in 0..<count { real[i] *= scale; imag[i] *= scale }
    }

    private func transform(real: inout [Double], imag: inout [Double], sign: Double) {
        let n = count
        precondition(real.count == n && imag.count == n, "FFTPlan: arrays must have the plan's length")
        real.withUnsafeMutableBufferPointer { re in
            imag.withUnsafeMutableBufferPointer { im in
                cosTable.withUnsafeBufferPointer { ct in
                    sinTable.withUnsafeBufferPointer { st in
                        bitReversed.withUnsafeBufferPointer { rev in
                            for i in 0..<n {
                                let j = rev[i]
                                if j > i {
                                    let tr = re[i]; re[i] = re[j]; re[j] = tr
                                    let ti = im[i]; im[i] = im[j]; im[j] = ti
                                }
                            }
                            var size = 2
                            while size <= n {
                                let halfSize = size / 2
                                let stride = n / size
                                var start = 0
                                while start < n {
                                    var t = 0
                                    for k in start..<(start + halfSize) {
                                        let wr = ct[t], wi = sign * st[t]
                                        let l = k + halfSize
                                        let xr = re[l] * wr - im[l] * wi
                                        let xi = re[l] * wi + im[l] * wr
                                        re[l] = re[k] - xr
                                        im[l] = im[k] - xi
                                        re[k] += xr
                                        im[k] += xi
                                        t += stride
                                    }
                                    start += size
                                }
                                size *= 2
                            }
                        }
                    }
                }
            }
        }
    }
}
