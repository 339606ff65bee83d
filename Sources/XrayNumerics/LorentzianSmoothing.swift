import Foundation

/// Smooths y(x) by convolution with a Lorentzian of half-width `sigma` (in units of x).
///
/// The data are first interpolated linearly onto a uniform grid of spacing `xstep` padded by five
/// steps at each end (at most 50·n points), mirrored at both ends, convolved with the normalised
/// Lorentzian 1/(1 + ((i − c)/σ)²) sampled over twice the grid length, and interpolated back onto x.
/// These are the conventions of Larch's `smooth(..., form="lorentzian")`.
/// Returns nil when `xstep` is not positive or x has fewer than two points.
public func lorentzianSmooth(x: [Double], y: [Double], sigma: Double, xstep: Double) -> [Double]? {
    guard x.count >= 2, x.count == y.count, xstep > 1e-12, sigma > 0,
          let xlo = x.min(), let xhi = x.max() else { return nil }
    let npad = 5.0
    let gridMin = xstep * ((xlo - npad * xstep) / xstep).rounded(.towardZero)
    let gridMax = xstep * ((xhi + npad * xstep) / xstep).rounded(.towardZero)
    let npts1 = 1 + Int((abs(gridMax - gridMin + xstep * 0.1) / xstep).rounded(.towardZero))
    let npts = min(npts1, 50 * x.count)
    guard npts >= 2 else { return nil }
    var x0 = [Double](repeating: 0, count: npts)
    let dx0 = (gridMax - gridMin) / Double(npts - 1)
    for i in 0..<npts { x0[i] = gridMin + Double(i) * dx0 }
    x0[npts - 1] = gridMax
    let y0 = interpolateLinear(x: x, y: y, at: x0)
    let s = sigma / xstep
    let wlen = 2 * npts
    var win = [Double](repeating: 0, count: wlen)
    var wsum = 0.0
    let inverseWidth = 1 / s
    for i in 0..<wlen {
        let t = (Double(i) - Double(npts)) * inverseWidth
        win[i] = 1 / (1 + t * t)
        wsum += win[i]
    }
    let norm = 1 / wsum
    // Mirrored extension: y0[npts-1 … 1], y0, y0[npts-1 … 0]
    var y1 = [Double](repeating: 0, count: 3 * npts - 1)
    var k = 0
    for i in stride(from: npts - 1, through: 1, by: -1) { y1[k] = y0[i]; k += 1 }
    for i in 0..<npts { y1[k] = y0[i]; k += 1 }
    for i in stride(from: npts - 1, through: 0, by: -1) { y1[k] = y0[i]; k += 1 }
    // 'valid' convolution out[i] = Σ_j win[j]·y1[i + wlen − 1 − j] = Σ_j rwin[j]·y1[i + j] (window
    // reversed), i < npts: a cross-correlation, done as one FFT of y1 + i·rwin (zero-padded to
    // N ≥ 3·npts − 1, so that nothing wraps round), the product conj(RWIN)·Y1 and one inverse FFT.
    // Equal to the direct sum to rounding (≈ 1e-16 of the largest |y|).
    var y2 = [Double](repeating: 0, count: npts)
    var nfft = 4
    while nfft < y1.count { nfft *= 2 }
    if let plan = FFTPlan.shared(count: nfft), let halfPlan = FFTPlan.shared(count: nfft / 2) {
        var re = [Double](repeating: 0, count: nfft), im = re
        for i in 0..<y1.count { re[i] = y1[i] }
        for j in 0..<wlen { im[j] = win[wlen - 1 - j] * norm }
        plan.forward(real: &re, imag: &im)
        // Z = A + iB with A, B the spectra of the real sequences y1 and rwin:
        // A[k] = (Z[k] + conj Z[−k])/2, B[k] = (Z[k] − conj Z[−k])/(2i); C[k] = conj(B[k])·A[k].
        // C is Hermitian (its inverse is real): C[N−k] = conj C[k], so k ≤ N/2 suffice.
        let half = nfft / 2
        var cr = [Double](repeating: 0, count: half + 1), ci = cr
        for k in 0...half {
            let m = (nfft - k) & (nfft - 1)
            let ar = (re[k] + re[m]) / 2, ai = (im[k] - im[m]) / 2
            let br = (im[k] + im[m]) / 2, bi = -(re[k] - re[m]) / 2
            cr[k] = br * ar + bi * ai
            ci[k] = br * ai - bi * ar
        }
        // The inverse is real, so it is one half-length complex inverse of the even samples plus
        // i·the odd ones: z[m] = c[2m] + i·c[2m+1] = IFFT_M(E + iO), M = N/2, with
        // E[k] = (C[k] + C[k+M])/2 and O[k] = (C[k] − C[k+M])·e^{2πik/N}/2, C[k+M] = conj C[M−k].
        var zr = [Double](repeating: 0, count: half), zi = zr
        for k in 0..<half {
            let ur = cr[half - k], ui = -ci[half - k]  // C[k + M]
            let er = (cr[k] + ur) / 2, ei = (ci[k] + ui) / 2
            let dr = (cr[k] - ur) / 2, di = (ci[k] - ui) / 2
            let w = plan.rootOfUnity(k)  // e^{−2πik/N}; its conjugate is used
            let or = dr * w.re + di * w.im, oi = di * w.re - dr * w.im
            zr[k] = er - oi
            zi[k] = ei + or
        }
        halfPlan.inverse(real: &zr, imag: &zi)
        for i in 0..<npts { y2[i] = i & 1 == 0 ? zr[i >> 1] : zi[i >> 1] }
    }
    return interpolateLinear(x: x0, y: y2, at: x)
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
