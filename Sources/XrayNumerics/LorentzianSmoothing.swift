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
    for i in 0..<wlen {
        let t = (Double(i) - Double(npts)) / s
        win[i] = 1 / (1 + t * t)
        wsum += win[i]
    }
    for i in 0..<wlen { win[i] /= wsum }
    // Mirrored extension: y0[npts-1 … 1], y0, y0[npts-1 … 0]
    var y1 = [Double](repeating: 0, count: 3 * npts - 1)
    var k = 0
    for i in stride(from: npts - 1, through: 1, by: -1) { y1[k] = y0[i]; k += 1 }
    for i in 0..<npts { y1[k] = y0[i]; k += 1 }
    for i in stride(from: npts - 1, through: 0, by: -1) { y1[k] = y0[i]; k += 1 }
    // 'valid' convolution: out[i] = Σ_j win[j]·y1[i + wlen − 1 − j]
    var y2 = [Double](repeating: 0, count: npts)
    win.withUnsafeBufferPointer { w in
        y1.withUnsafeBufferPointer { yy in
            for i in 0..<npts {
                var acc = 0.0
                let base = i + wlen - 1
                for j in 0..<wlen { acc += w[j] * yy[base - j] }
                y2[i] = acc
            }
        }
    }
    return interpolateLinear(x: x0, y: y2, at: x)
}
