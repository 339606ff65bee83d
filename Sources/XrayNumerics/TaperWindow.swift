import Foundation

/// The taper shapes of a Fourier-transform window (the classic EXAFS set).
public enum TaperShape: String, Sendable, Codable, CaseIterable {
    /// cos² taper over each ramp, 1 in between.
    case hanning
    /// Linear ramps.
    case parzen
    /// Quadratic (1 − t²) ramps.
    case welch
    /// Gaussian centred between the outer ramp ends, with width `dx`.
    case gaussian
    /// One sine arch over the whole window.
    case sine
    /// Kaiser–Bessel: (I₀(dx·√(1−t²)) − 1)/(I₀(dx) − 1) over the window.
    case kaiser

    /// Parses a window name by its first three letters, case-insensitively (`"Hanning"`, `"kai"`, `"kaiser-bessel"`).
    public init?(name: String) {
        let key = String(name.trimmingCharacters(in: .whitespaces).lowercased().prefix(3))
        switch key {
        case "han": self = .hanning
        case "par": self = .parzen
        case "wel": self = .welch
        case "gau": self = .gaussian
        case "sin": self = .sine
        case "kai", "bes": self = .kaiser
        default: return nil
        }
    }
}

/// Modified Bessel function of the first kind, order 0 (power series; |x| ≲ 700).
public func besselI0(_ x: Double) -> Double {
    let q = 0.25 * x * x
    var term = 1.0, sum = 1.0
    var k = 1.0
    while term > 1e-17 * sum {
        term *= q / (k * k)
        sum += term
        k += 1
    }
    return sum
}

/// A tapered window on the uniform grid `x` for the range [`xmin`, `xmax`] with ramp widths `dx` (lower) and `dx2` (upper).
///
/// The ramps run from `xmin − dx/2` to `xmin + dx/2` and from `xmax − dx2/2` to `xmax + dx2/2`,
/// snapped to grid points, following the conventions of Larch's `ftwindow` (its code, which is
/// what produces published EXAFS transforms). `x` must be uniformly spaced and increasing.
public func taperWindow(x: [Double], xmin: Double, xmax: Double, dx: Double, dx2: Double? = nil,
                        shape: TaperShape) -> [Double] {
    let n = x.count
    guard n >= 2 else { return [Double](repeating: 1, count: n) }
    var dx1 = dx
    let dx2v = dx2 ?? dx
    var xstep = (x[n - 1] - x[0]) / Double(n - 1)
    if xstep < 0 || xstep.isNaN { xstep = 1e-3 }
    let xeps = 1e-4 * xstep
    let xlo = x.min() ?? x[0], xhi = x.max() ?? x[n - 1]
    var x1 = max(xlo, xmin - dx1 / 2)
    var x2 = xmin + dx1 / 2 + xeps
    var x3 = xmax - dx2v / 2 - xeps
    var x4 = min(xhi, xmax + dx2v / 2)
    if shape == .gaussian { dx1 = max(dx1, xeps) }
    func asint(_ v: Double) -> Int {
        let q = ((v + xeps) / xstep).rounded(.towardZero)
        return q.isFinite ? Int(max(-1e9, min(1e9, q))) : 0
    }
    var i1 = max(0, asint(x1)), i2 = max(0, asint(x2))
    var i3 = min(n - 1, asint(x3)), i4 = min(n - 1, asint(x4))
    i1 = min(i1, n - 1); i2 = min(i2, n - 1); i3 = max(i3, 0); i4 = max(i4, 0)
    if i2 == i1 { i1 = max(0, i2 - 1) }
    if i4 == i3 { i3 = max(i2, i4 - 1) }
    x1 = x[i1]; x2 = x[i2]; x3 = x[i3]; x4 = x[i4]
    if x1 == x2 { x2 += xeps }
    if x3 == x4 { x4 += xeps }
    var w = [Double](repeating: 0, count: n)
    if i3 > i2 { for i in i2..<i3 { w[i] = 1 } }
    switch shape {
    case .hanning:
        if i1 <= i2 { for i in i1...i2 { let s = sin(Double.pi / 2 * (x[i] - x1) / (x2 - x1)); w[i] = s * s } }
        if i3 <= i4 { for i in i3...i4 { let c = cos(Double.pi / 2 * (x[i] - x3) / (x4 - x3)); w[i] = c * c } }
    case .parzen:
        if i1 <= i2 { for i in i1...i2 { w[i] = (x[i] - x1) / (x2 - x1) } }
        if i3 <= i4 { for i in i3...i4 { w[i] = 1 - (x[i] - x3) / (x4 - x3) } }
    case .welch:
        if i1 <= i2 { for i in i1...i2 { let t = (x[i] - x2) / (x2 - x1); w[i] = 1 - t * t } }
        if i3 <= i4 { for i in i3...i4 { let t = (x[i] - x3) / (x4 - x3); w[i] = 1 - t * t } }
    case .kaiser:
        let cen = (x4 + x1) / 2, wid = (x4 - x1) / 2
        let scale = max(1e-10, besselI0(dx) - 1)
        for i in 0..<n {
            let d = x[i] - cen
            let arg = max(0, 1 - d * d / (wid * wid))
            w[i] = (besselI0(dx * arg.squareRoot()) - 1) / scale
        }
    case .sine:
        for i in 0..<n { w[i] = 0 }
        if i1 <= i4 { for i in i1...i4 { w[i] = sin(Double.pi * (x4 - x[i]) / (x4 - x1)) } }
    case .gaussian:
        let cen = (x4 + x1) / 2
        for i in 0..<n { let d = x[i] - cen; w[i] = exp(-(d * d) / (2 * dx1 * dx1)) }
    }
    return w
}
