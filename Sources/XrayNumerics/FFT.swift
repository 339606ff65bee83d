import Foundation

/// A radix-2 complex fast Fourier transform of one fixed power-of-two length (stages of span ≥ 4
/// done two at a time, as radix-4 passes over memory).
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

    /// `body` with the real and imaginary parts of e^{−2πi·j/N} for 0 ≤ j < N/2 (the last stage's
    /// twiddles) as pointers, for loops over j.
    func withRootsOfUnity<R>(_ body: (UnsafePointer<Double>, UnsafePointer<Double>) -> R) -> R {
        cosTable.withUnsafeBufferPointer { c in
            sinTable.withUnsafeBufferPointer { s in body(c.baseAddress! + count / 2, s.baseAddress! + count / 2) }
        }
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
                            if n < 4 {
                                // n = 2: one butterfly.
                                let xr = re[1], xi = im[1]
                                re[1] = re[0] - xr; im[1] = im[0] - xi
                                re[0] += xr; im[0] += xi
                                return
                            }
                            // Bit-reversal permutation fused with the span-1 and span-2 stages: the
                            // input is copied aside, and each group of four outputs is read from its
                            // bit-reversed places (rev[q] + 0, n/2, n/4, 3n/4) and put through both
                            // stages in registers (the same operations and twiddles as separate
                            // passes, so the same results, with one pass over memory instead of three).
                            withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * n) { scratch in
                                let sr = scratch.baseAddress!, si = sr + n
                                let pr = re.baseAddress!, pi = im.baseAddress!
                                sr.initialize(from: pr, count: n)
                                si.initialize(from: pi, count: n)
                                let w0r = ct[2], w0i = sign * st[2], w1r = ct[3], w1i = sign * st[3]
                                let half = n / 2, quarter = n / 4
                                var q = 0
                                while q < n {
                                    let i0 = rev[q]
                                    let i1 = i0 + half, i2 = i0 + quarter, i3 = i2 + half
                                    // Span 1: (0, 1) and (2, 3).
                                    let a0r = sr[i0] + sr[i1], a0i = si[i0] + si[i1]
                                    let a1r = sr[i0] - sr[i1], a1i = si[i0] - si[i1]
                                    let a2r = sr[i2] + sr[i3], a2i = si[i2] + si[i3]
                                    let a3r = sr[i2] - sr[i3], a3i = si[i2] - si[i3]
                                    // Span 2: (0, 2) with twiddle 0, (1, 3) with twiddle 1.
                                    let xr = a2r * w0r - a2i * w0i, xi = a2r * w0i + a2i * w0r
                                    let yr = a3r * w1r - a3i * w1i, yi = a3r * w1i + a3i * w1r
                                    pr[q] = a0r + xr; pi[q] = a0i + xi
                                    pr[q + 2] = a0r - xr; pi[q + 2] = a0i - xi
                                    pr[q + 1] = a1r + yr; pi[q + 1] = a1i + yi
                                    pr[q + 3] = a1r - yr; pi[q + 3] = a1i - yi
                                    q += 4
                                }
                            }
                            // Spans h ≥ 4, four butterflies per SIMD step. Stages go in pairs (h, 2h):
                            // the four elements at j, j+h, j+2h, j+3h of a block of 4h go through both
                            // radix-2 stages in registers (the same operations and twiddles as two
                            // separate passes, so the same results, with half the memory traffic).
                            let rr = UnsafeMutableRawPointer(re.baseAddress!), ri = UnsafeMutableRawPointer(im.baseAddress!)
                            let rc = UnsafeRawPointer(ct.baseAddress!), rs = UnsafeRawPointer(st.baseAddress!)
                            @inline(__always) func twiddle(_ index: Int) -> (SIMD4<Double>, SIMD4<Double>) {
                                (rc.loadUnaligned(fromByteOffset: index * 8, as: SIMD4<Double>.self),
                                 sign * rs.loadUnaligned(fromByteOffset: index * 8, as: SIMD4<Double>.self))
                            }
                            @inline(__always) func load(_ index: Int) -> (SIMD4<Double>, SIMD4<Double>) {
                                (rr.loadUnaligned(fromByteOffset: index * 8, as: SIMD4<Double>.self),
                                 ri.loadUnaligned(fromByteOffset: index * 8, as: SIMD4<Double>.self))
                            }
                            @inline(__always) func store(_ index: Int, _ v: (SIMD4<Double>, SIMD4<Double>)) {
                                rr.storeBytes(of: v.0, toByteOffset: index * 8, as: SIMD4<Double>.self)
                                ri.storeBytes(of: v.1, toByteOffset: index * 8, as: SIMD4<Double>.self)
                            }
                            /// (a + w·b, a − w·b)
                            @inline(__always) func butterfly(_ a: (SIMD4<Double>, SIMD4<Double>), _ b: (SIMD4<Double>, SIMD4<Double>),
                                                             _ w: (SIMD4<Double>, SIMD4<Double>)) -> ((SIMD4<Double>, SIMD4<Double>), (SIMD4<Double>, SIMD4<Double>)) {
                                let xr = b.0 * w.0 - b.1 * w.1
                                let xi = b.0 * w.1 + b.1 * w.0
                                return ((a.0 + xr, a.1 + xi), (a.0 - xr, a.1 - xi))
                            }
                            var h = 4
                            var stages = 0
                            while (4 << stages) < n { stages += 1 }
                            if stages % 2 == 1 {
                                // One single stage first, so that the rest pair up.
                                var start = 0
                                while start < n {
                                    var j = 0
                                    while j < h {
                                        let (x, y) = butterfly(load(start + j), load(start + j + h), twiddle(h + j))
                                        store(start + j, x); store(start + j + h, y)
                                        j += 4
                                    }
                                    start += 2 * h
                                }
                                h *= 2
                            }
                            while 2 * h < n {
                                var start = 0
                                while start < n {
                                    var j = 0
                                    while j < h {
                                        let a = start + j
                                        let w1 = twiddle(h + j)
                                        let (a1, b1) = butterfly(load(a), load(a + h), w1)
                                        let (c1, d1) = butterfly(load(a + 2 * h), load(a + 3 * h), w1)
                                        let (a2, c2) = butterfly(a1, c1, twiddle(2 * h + j))
                                        let (b2, d2) = butterfly(b1, d1, twiddle(3 * h + j))
                                        store(a, a2); store(a + h, b2); store(a + 2 * h, c2); store(a + 3 * h, d2)
                                        j += 4
                                    }
                                    start += 4 * h
                                }
                                h *= 4
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
