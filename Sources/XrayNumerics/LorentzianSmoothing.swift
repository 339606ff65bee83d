import Foundation

/// Smooths y(x) by convolution with a Lorentzian of half-width `sigma` (in units of x).
///
/// The data are first interpolated linearly onto a uniform grid of spacing `xstep` padded by five
/// steps at each end (at most 50·n points), mirrored at both ends, convolved with the normalised
/// Lorentzian 1/(1 + ((i − c)/σ)²) sampled over twice the grid length, and interpolated back onto x.
/// These are the conventions of Larch's `smooth(..., form="lorentzian")` (`larch/math/utils.py`).
/// `x` must be increasing. Returns nil when `xstep` is not positive or x has fewer than two points.
///
/// The 'valid' convolution is computed as a cross-correlation by FFT (see docs/xas-chain.md):
/// one complex FFT of the mirrored data + i·(kernel), the product spectrum, and a half-length
/// inverse; equal to the direct sum to rounding. Nothing is stored on the uniform grid but the
/// FFT buffers: the grid is a formula, the data are interpolated straight into the FFT input, the
/// kernel is computed over its half (it is symmetric) and normalised on the output.
public func lorentzianSmooth(x: [Double], y: [Double], sigma: Double, xstep: Double) -> [Double]? {
    guard x.count >= 2, x.count == y.count, xstep > 1e-12, sigma > 0,
          let xlo = x.min(), let xhi = x.max() else { return nil }
    let npad = 5.0
    let gridMin = xstep * ((xlo - npad * xstep) / xstep).rounded(.towardZero)
    let gridMax = xstep * ((xhi + npad * xstep) / xstep).rounded(.towardZero)
    let npts1 = 1 + Int((abs(gridMax - gridMin + xstep * 0.1) / xstep).rounded(.towardZero))
    let npts = min(npts1, 50 * x.count)
    guard npts >= 2 else { return nil }
    let dx0 = (gridMax - gridMin) / Double(npts - 1)
    /// The uniform grid x0 (numpy's linspace: the last point exactly gridMax).
    @inline(__always) func gridPoint(_ i: Int) -> Double { i == npts - 1 ? gridMax : gridMin + Double(i) * dx0 }
    // 'valid' convolution y2[i] = Σ_j win[j]·y1[i + wlen − 1 − j] (wlen = 2·npts, i < npts) =
    // Σ_j rwin[j]·y1[i + j] (window reversed): a cross-correlation, done as one FFT of y1 + i·rwin
    // zero-padded to N ≥ 3·npts − 1 (so that nothing wraps round), the product conj(RWIN)·Y1 and
    // one inverse FFT.
    var nfft = 4
    while nfft < 3 * npts - 1 { nfft *= 2 }
    guard let plan = FFTPlan.shared(count: nfft), let halfPlan = FFTPlan.shared(count: nfft / 2) else { return nil }
    var re = [Double](repeating: 0, count: nfft), im = [Double](repeating: 0, count: nfft)  // two buffers (no copy on write)
    var wsum = 0.0
    x.withUnsafeBufferPointer { xb in
    y.withUnsafeBufferPointer { yb in
    re.withUnsafeMutableBufferPointer { rb in
    im.withUnsafeMutableBufferPointer { ib in
        // y1 = y0[npts−1 … 1], y0, y0[npts−1 … 0] with y0 the data on the grid (Larch's mirroring):
        // y0 goes to re[npts−1 ..< 2·npts−1], the two mirrored copies around it.
        // Linear interpolation (np.interp) data interval by data interval: the grid points of each
        // are consecutive, so the slope is divided once per interval instead of once per point.
        let y0 = rb.baseAddress! + (npts - 1)
        let n = xb.count
        var i = 0
        while i < npts && gridPoint(i) <= xb[0] { y0[i] = yb[0]; i += 1 }
        for j in 0..<(n - 1) where i < npts {
            let xa = xb[j], xe = xb[j + 1], ya = yb[j]
            let slope = (yb[j + 1] - ya) / (xe - xa)
            while i < npts {
                let p = gridPoint(i)
                if !(p < xe) { break }
                y0[i] = ya + (p - xa) * slope
                i += 1
            }
        }
        while i < npts { y0[i] = yb[n - 1]; i += 1 }
        for k in 0..<(npts - 1) { rb[k] = rb[2 * npts - 2 - k] }
        for r in 0..<npts { rb[2 * npts - 1 + r] = rb[2 * npts - 2 - r] }
        // rwin[j] = win[wlen − 1 − j] = L(npts − 1 − j), L(d) = 1/(1 + (d/s)²), d = −npts … npts − 1:
        // L depends on |d| only, so L(0 … npts) is computed at rwin[npts − 1 …] and mirrored.
        let inverseWidth = 1 / (sigma / xstep)
        let center = ib.baseAddress! + (npts - 1)
        for a in 0...npts {
            let t = Double(a) * inverseWidth
            center[a] = 1 / (1 + t * t)
        }
        for j in 0..<(npts - 1) { ib[j] = ib[2 * npts - 2 - j] }
        // Σ of the window: L(0) + L(−npts) + 2·Σ L(1 … npts − 1) (two-lane partial sums).
        let inner = UnsafeRawPointer(center + 1)
        var s0 = SIMD2<Double>(), s1 = SIMD2<Double>()
        var a = 0
        while a + 4 <= npts - 1 {
            s0 += inner.loadUnaligned(fromByteOffset: 8 * a, as: SIMD2<Double>.self)
            s1 += inner.loadUnaligned(fromByteOffset: 8 * a + 16, as: SIMD2<Double>.self)
            a += 4
        }
        var twice = (s0 + s1).sum()
        while a < npts - 1 { twice += center[1 + a]; a += 1 }
        wsum = center[0] + center[npts] + 2 * twice
    }}}}
    plan.forward(real: &re, imag: &im)
    // Z = A + iB with A, B the spectra of the real sequences y1 and rwin:
    // A[k] = (Z[k] + conj Z[−k])/2, B[k] = (Z[k] − conj Z[−k])/(2i); C[k] = conj(B[k])·A[k].
    // C is Hermitian (its inverse is real). The inverse is one half-length complex inverse of the
    // even samples plus i·the odd ones: z[m] = c[2m] + i·c[2m+1] = IFFT_M(E + iO), M = N/2, with
    // E[k] = (C[k] + C[k+M])/2 and O[k] = (C[k] − C[k+M])·e^{2πik/N}/2, C[k+M] = conj C[M−k].
    // z[k] and z[M−k] need the same two values C[k], C[M−k], so they are formed in pairs.
    let half = nfft / 2
    var zr = [Double](repeating: 0, count: half), zi = [Double](repeating: 0, count: half)
    re.withUnsafeBufferPointer { rb in
    im.withUnsafeBufferPointer { ib in
    zr.withUnsafeMutableBufferPointer { zrb in
    zi.withUnsafeMutableBufferPointer { zib in
    plan.withRootsOfUnity { rootRe, rootIm in
        @inline(__always) func product(_ k: Int) -> (re: Double, im: Double) {
            let m = (nfft - k) & (nfft - 1)
            let ar = (rb[k] + rb[m]) / 2, ai = (ib[k] - ib[m]) / 2
            let br = (ib[k] + ib[m]) / 2, bi = -(rb[k] - rb[m]) / 2
            return (br * ar + bi * ai, br * ai - bi * ar)
        }
        @inline(__always) func store(_ k: Int, _ c: (re: Double, im: Double), _ mirror: (re: Double, im: Double)) {
            let ur = mirror.re, ui = -mirror.im  // C[k + M]
            let er = (c.re + ur) / 2, ei = (c.im + ui) / 2
            let dr = (c.re - ur) / 2, di = (c.im - ui) / 2
            let wr = rootRe[k], wi = rootIm[k]  // e^{−2πik/N}; its conjugate is used
            let or = dr * wr + di * wi, oi = di * wr - dr * wi
            zrb[k] = er - oi
            zib[k] = ei + or
        }
        for k in 0...(half / 2) {
            let ck = product(k), cm = product(half - k)
            store(k, ck, cm)
            if k != 0 && half - k != k { store(half - k, cm, ck) }
        }
    }}}}}
    halfPlan.inverse(real: &zr, imag: &zi)
    // y2[i] = zr[i/2] (i even) or zi[i/2] (i odd), normalised by the kernel's sum, back onto x.
    let norm = 1 / wsum
    var out = [Double](repeating: 0, count: x.count)
    x.withUnsafeBufferPointer { xb in
    zr.withUnsafeBufferPointer { zrb in
    zi.withUnsafeBufferPointer { zib in
    out.withUnsafeMutableBufferPointer { ob in
        interpolateLinear(count: npts, x: gridPoint, y: { $0 & 1 == 0 ? zrb[$0 >> 1] : zib[$0 >> 1] },
                          points: xb.count, at: { xb[$0] }) { ob[$0] = $1 * norm }
    }}}}
    return out
}

/// Σ a[i]·b[i] for i < n, with SIMD accumulators.
@inlinable
public func dotProduct(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int) -> Double {
    var acc0 = SIMD4<Double>(), acc1 = SIMD4<Double>()
    var i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    while i + 8 <= n {
        acc0 += ra.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self) * rb.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self)
        acc1 += ra.loadUnaligned(fromByteOffset: (i + 4) * 8, as: SIMD4<Double>.self) * rb.loadUnaligned(fromByteOffset: (i + 4) * 8, as: SIMD4<Double>.self)
        i += 8
    }
    var s = (acc0 + acc1).sum()
    while i < n { s += a[i] * b[i]; i += 1 }
    return s
}
