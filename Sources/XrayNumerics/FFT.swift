import Foundation

/// A radix-2 complex fast Fourier transform of one fixed power-of-two length.
///
/// Build a plan once (twiddle factors and the bit-reversal permutation are precomputed)
/// and reuse it: `forward` works in place on split real / imaginary arrays and allocates nothing.
/// The forward transform is unnormalised, `X[j] = Σ x[n]·exp(−2πi·jn/N)`; `inverse` includes the 1/N.
public struct FFTPlan: Sendable {
    /// The transform length N (a power of two, ≥ 2).
    public let count: Int
    /// Twiddles per stage, contiguous: for the stage of butterfly span h (h = 1, 2, 4, …),
    /// entries h…2h−1 hold cos and sin of −2π·j/(2h), j < h.
    private let cosTable: [Double]
    private let sinTable: [Double]
    private let bitReversed: [Int]

    /// A plan for length `count`; nil unless `count` is a power of two ≥ 2.
    public init?(count: Int) {
        guard count >= 2, count & (count - 1) == 0 else { return nil }
        self.count = count
        var c = [Double](repeating: 1, count: count), s = [Double](repeating: 0, count: count)
        var h = 1
        while h < count {
            for j in 0..<h {
                let angle = -Double.pi * Double(j) / Double(h)
                c[h + j] = cos(angle)
                s[h + j] = sin(angle)
            }
            h *= 2
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
                            // Span-1 stage: twiddle 1.
                            var k = 0
                            while k < n {
                                let xr = re[k + 1], xi = im[k + 1]
                                re[k + 1] = re[k] - xr; im[k + 1] = im[k] - xi
                                re[k] += xr; im[k] += xi
                                k += 2
                            }
                            var h = 2
                            while h < n {
                                var start = 0
                                while start < n {
                                    // h ≥ 4: four butterflies at a time (the same operations per
                                    // element as the scalar loop, so the same results).
                                    if h >= 4 {
                                        let rr = UnsafeMutableRawPointer(re.baseAddress!), ri = UnsafeMutableRawPointer(im.baseAddress!)
                                        let rc = UnsafeRawPointer(ct.baseAddress!), rs = UnsafeRawPointer(st.baseAddress!)
                                        var j = 0
                                        while j < h {
                                            let wr = rc.loadUnaligned(fromByteOffset: (h + j) * 8, as: SIMD4<Double>.self)
                                            let wi = sign * rs.loadUnaligned(fromByteOffset: (h + j) * 8, as: SIMD4<Double>.self)
                                            let oa = (start + j) * 8, ob = oa + h * 8
                                            let br = rr.loadUnaligned(fromByteOffset: ob, as: SIMD4<Double>.self)
                                            let bi = ri.loadUnaligned(fromByteOffset: ob, as: SIMD4<Double>.self)
                                            let ar = rr.loadUnaligned(fromByteOffset: oa, as: SIMD4<Double>.self)
                                            let ai = ri.loadUnaligned(fromByteOffset: oa, as: SIMD4<Double>.self)
                                            let xr = br * wr - bi * wi
                                            let xi = br * wi + bi * wr
                                            rr.storeBytes(of: ar - xr, toByteOffset: ob, as: SIMD4<Double>.self)
                                            ri.storeBytes(of: ai - xi, toByteOffset: ob, as: SIMD4<Double>.self)
                                            rr.storeBytes(of: ar + xr, toByteOffset: oa, as: SIMD4<Double>.self)
                                            ri.storeBytes(of: ai + xi, toByteOffset: oa, as: SIMD4<Double>.self)
                                            j += 4
                                        }
                                        start += 2 * h
                                        continue
                                    }
                                    for j in 0..<h {
                                        let wr = ct[h + j], wi = sign * st[h + j]
                                        let a = start + j, b = a + h
                                        let xr = re[b] * wr - im[b] * wi
                                        let xi = re[b] * wi + im[b] * wr
                                        re[b] = re[a] - xr
                                        im[b] = im[a] - xi
                                        re[a] += xr
                                        im[a] += xi
                                    }
                                    start += 2 * h
                                }
                                h *= 2
                            }
                        }
                    }
                }
            }
        }
    }
}

extension FFTPlan {
    /// The plan of length `count` (a power of two ≥ 2), built once per length and kept for the
    /// process (building one costs a sine and cosine per point); nil for other lengths.
    public static func shared(count: Int) -> FFTPlan? {
        guard count >= 2, count & (count - 1) == 0 else { return nil }
        return SharedPlans.instance.plan(count)
    }
}

/// Process-wide FFT plans by length, behind a lock.
private final class SharedPlans: @unchecked Sendable {
    static let instance = SharedPlans()
    private let lock = NSLock()
    private var plans: [Int: FFTPlan] = [:]
    func plan(_ count: Int) -> FFTPlan? {
        lock.lock()
        defer { lock.unlock() }
        if let p = plans[count] { return p }
        let p = FFTPlan(count: count)
        plans[count] = p
        return p
    }
}
