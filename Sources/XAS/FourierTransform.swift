import Foundation
import XrayCore
import XrayNumerics

/// Settings of the forward transform χ(k) → χ(R) (Larch's `xftf` defaults).
public struct ForwardTransformParameters: Sendable, Codable, Hashable {
    /// Window range in Å⁻¹.
    public var kmin: Double = 0
    public var kmax: Double = 20
    /// Ramp widths in Å⁻¹ (`dk2` defaults to `dk`).
    public var dk: Double = 1
    public var dk2: Double?
    /// k-weight applied before the transform.
    public var kweight: Double = 2
    /// Window shape.
    public var window: TaperShape = .kaiser
    /// Highest R returned, in Å.
    public var rmaxOut: Double = 10
    /// Transform length (zero padding), a power of two.
    public var nfft: Int = 2048
    public init() {}
    public init(kmin: Double = 0, kmax: Double = 20, dk: Double = 1, dk2: Double? = nil, kweight: Double = 2,
                window: TaperShape = .kaiser, rmaxOut: Double = 10, nfft: Int = 2048) {
        self.kmin = kmin; self.kmax = kmax; self.dk = dk; self.dk2 = dk2; self.kweight = kweight
        self.window = window; self.rmaxOut = rmaxOut; self.nfft = nfft
    }
}

/// χ(R) from `forwardTransform`.
public struct ForwardTransformResult: Sendable, Codable, Hashable {
    /// R grid in Å: π/(kstep·nfft)·i.
    public var r: [Double]
    public var chirRe: [Double]
    public var chirIm: [Double]
    public var chirMag: [Double]
    /// The window on the k grid of the input.
    public var kwin: [Double]
}

/// Settings of the reverse transform χ(R) → χ(q) (Larch's `xftr` defaults).
public struct ReverseTransformParameters: Sendable, Codable, Hashable {
    public var rmin: Double = 0
    public var rmax: Double = 20
    public var dr: Double = 1
    public var dr2: Double?
    /// R-weight applied before the transform.
    public var rweight: Double = 0
    public var window: TaperShape = .kaiser
    /// Highest q returned, in Å⁻¹.
    public var qmaxOut: Double = 30
    public var nfft: Int = 2048
    public init() {}
}

/// χ(q) from `reverseTransform`.
public struct ReverseTransformResult: Sendable, Codable, Hashable {
    public var q: [Double]
    public var chiqRe: [Double]
    public var chiqIm: [Double]
    public var chiqMag: [Double]
    public var rwin: [Double]
}

/// Shared FFT plans, one per length.
/// The first N/2 points of the N-point DFT X[j] = Σₘ xₘ·e^{−2πi·jm/N} of a real sequence (`x(m)`
/// for m < `count` ≤ N, zero beyond), times `scale`, into `re`, `im` (each at least N/2 long; N a
/// power of two ≥ 4). Done as an N/2-point complex FFT of the even and odd samples,
/// X[j] = E[j] + e^{−2πij/N}·O[j] (the standard real-input split), half the work of the N-point one.
/// Only the first `outputs` (≤ N/2, default all) values are formed.
func realInputSpectrum(nfft n: Int, count: Int, scale: Double, re: inout [Double], im: inout [Double],
                       outputs: Int? = nil, _ x: (Int) -> Double) {
    let half = n / 2
    guard let plan = FFTPlans.plan(half) else { return }
    let table = DFTTable.shared(n)
    var zr = [Double](repeating: 0, count: half), zi = [Double](repeating: 0, count: half)
    for i in 0..<min(count, n) {
        if i & 1 == 0 { zr[i >> 1] = x(i) } else { zi[i >> 1] = x(i) }
    }
    plan.forward(real: &zr, imag: &zi)
    for j in 0..<min(half, outputs ?? half) {
        let m = j == 0 ? 0 : half - j
        let ar = zr[j], ai = zi[j], br = zr[m], bi = zi[m]
        let er = (ar + br) / 2, ei = (ai - bi) / 2
        let or = (ai + bi) / 2, oi = -(ar - br) / 2
        let c = table.cos[j], s = table.sin[j]
        re[j] = scale * (er + c * or + s * oi)
        im[j] = scale * (ei + c * oi - s * or)
    }
}

/// kʷ for each k: products for a whole k-weight up to 10 (pow is most of the cost otherwise), pow else.
func kweightPowers(_ k: [Double], _ w: Double) -> [Double] {
    guard w == w.rounded(), w >= 0, w <= 10 else { return k.map { pow($0, w) } }
    let n = Int(w)
    // The usual weights written out (the same products: 1·x = x exactly), so that the loops vectorise.
    switch n {
    case 0: return [Double](repeating: 1, count: k.count)
    case 1: return k
    case 2: return k.map { $0 * $0 }
    case 3: return k.map { $0 * $0 * $0 }
    default:
        return k.map { x in
            var v = 1.0
            for _ in 0..<n { v *= x }
            return v
        }
    }
}

enum FFTPlans {
    /// The process-wide plan of length n (built once per length).
    static func plan(_ n: Int) -> FFTPlan? { FFTPlan.shared(count: n) }
}

/// The taper windows of the forward transform on its k grid, kept per (grid, settings): they
/// depend on no data, and the Kaiser–Bessel one costs a Bessel series per point.
enum TransformWindows {
    private final class Cache: @unchecked Sendable {
        let lock = NSLock()
        var entries: [(key: [Double], window: [Double])] = []
    }
    private static let cache = Cache()

    static func window(grid: [Double], kstep: Double, kmin: Double, kmax: Double, dk: Double, dk2: Double, shape: TaperShape) -> [Double] {
        let key = [Double(grid.count), kstep, kmin, kmax, dk, dk2, Double(TaperShape.allCases.firstIndex(of: shape) ?? -1)]
        cache.lock.lock()
        if let hit = cache.entries.first(where: { $0.key == key }) { cache.lock.unlock(); return hit.window }
        cache.lock.unlock()
        let w = taperWindow(x: grid, xmin: kmin, xmax: kmax, dx: dk, dx2: dk2, shape: shape)
        cache.lock.lock()
        cache.entries.insert((key, w), at: 0)
        if cache.entries.count > 8 { cache.entries.removeLast() }
        cache.lock.unlock()
        return w
    }
}

/// Forward XAFS Fourier transform: χ̃(R) = (kstep/√π) Σ χ(k)·kʷ·W(k)·e^{2ikR}, zero-padded to `nfft`.
///
/// `k` must be uniformly spaced from 0 (the AUTOBK grid); χ is interpolated linearly onto
/// kstep·i as Larch does. Throws for a bad window range or transform length.
public func forwardTransform(k: [Double], chi: [Double], parameters p: ForwardTransformParameters = ForwardTransformParameters()) throws -> ForwardTransformResult {
    guard k.count >= 2, k.count == chi.count else {
        throw RoentgenError(.badData, "forward transform needs at least 2 k points with equal k and chi lengths; got \(k.count) and \(chi.count)")
    }
    guard let plan = FFTPlans.plan(p.nfft) else { throw RoentgenError.badParameter("nfft = \(p.nfft); expected a power of two ≥ 2") }
    guard p.kweight >= 0, p.kweight <= 10 else { throw RoentgenError.badParameter("kweight = \(p.kweight); expected 0…10") }
    guard p.rmaxOut.isFinite, p.rmaxOut > 0 else { throw RoentgenError.badParameter("rmax_out = \(p.rmaxOut) Å; expected > 0") }
    guard p.kmax > p.kmin, p.kmin >= 0, p.dk >= 0, p.kmax.isFinite, p.dk.isFinite, (p.dk2 ?? 0).isFinite, (p.dk2 ?? 0) >= 0 else {
        throw RoentgenError.badParameter("k window \(p.kmin) … \(p.kmax) Å⁻¹ with dk \(p.dk); expected 0 ≤ kmin < kmax and dk ≥ 0")
    }
    let kstep = k[1] - k[0]
    guard kstep > 0 else { throw RoentgenError(.badData, "k grid is not increasing") }
    let dk2 = p.dk2 ?? p.dk
    guard let kLast = largest(k) else { throw RoentgenError(.badData, "forward transform needs k values") }
    guard p.kmin < kLast else {
        throw RoentgenError.badParameter("kmin = \(p.kmin) Å⁻¹ is beyond the data (k ≤ \(kLast) Å⁻¹)")
    }
    let npts = Int(1.01 + kLast / kstep)
    let kExtent = max(kLast, p.kmax + dk2)
    // The window's grid ends within the transform's k span (nfft·kstep); beyond it no k point exists.
    guard kExtent / kstep < Double(p.nfft) else {
        throw RoentgenError.badParameter(String(format: "k window end kmax + dk = %g Å⁻¹ is beyond the transform's k grid (nfft·kstep = %g Å⁻¹)", p.kmax + dk2, Double(p.nfft) * kstep))
    }
    let nGrid = Int(1.01 + kExtent / kstep)
    let grid = (0..<nGrid).map { kstep * Double($0) }
    guard npts <= p.nfft else { throw RoentgenError.badParameter("\(npts) k points exceed nfft = \(p.nfft)") }
    let window = TransformWindows.window(grid: grid, kstep: kstep, kmin: p.kmin, kmax: p.kmax, dk: p.dk, dk2: dk2, shape: p.window)
    let points = Array(grid[0..<npts])
    let chiGrid = interpolateLinear(x: k, y: chi, at: points)
    let rstep = Double.pi / (kstep * Double(p.nfft))
    let nr = Int(min(Double(p.nfft / 2), 1.01 + p.rmaxOut / rstep))
    // Only the nr values up to rmaxOut are formed (all nfft for the tiny-nfft fallback).
    var re = [Double](repeating: 0, count: p.nfft >= 4 ? nr : p.nfft), im = [Double](repeating: 0, count: re.count)
    let scale = kstep / Double.pi.squareRoot()
    let power = kweightPowers(points, p.kweight)
    if p.nfft >= 4 {
        realInputSpectrum(nfft: p.nfft, count: npts, scale: 1, re: &re, im: &im, outputs: nr) { chiGrid[$0] * power[$0] * window[$0] }
    } else {
        for i in 0..<npts { re[i] = chiGrid[i] * power[i] * window[i] }
        plan.forward(real: &re, imag: &im)
    }
    func zeros() -> [Double] { [Double](repeating: 0, count: nr) }
    var r = zeros(), chirRe = zeros(), chirIm = zeros(), chirMag = zeros()
    for i in 0..<nr {
        let a = scale * re[i], b = scale * im[i]
        r[i] = rstep * Double(i); chirRe[i] = a; chirIm[i] = b; chirMag[i] = (a * a + b * b).squareRoot()
    }
    return ForwardTransformResult(r: r, chirRe: chirRe, chirIm: chirIm, chirMag: chirMag, kwin: Array(window[0..<npts]))
}

/// Reverse XAFS Fourier transform χ̃(R) → χ̃(q) (Larch's `xftr`): (4√π/kstep)·IFFT(χ̃(R)·W(R)·Rʷ),
/// halved when χ̃(R) is complex. `r` must be the uniform grid of `forwardTransform`.
public func reverseTransform(r: [Double], chirRe: [Double], chirIm: [Double]?,
                             parameters p: ReverseTransformParameters = ReverseTransformParameters()) throws -> ReverseTransformResult {
    guard r.count >= 2, chirRe.count == r.count, chirIm.map({ $0.count == r.count }) ?? true else {
        throw RoentgenError(.badData, "reverse transform needs at least 2 R points with matching chi(R) arrays")
    }
    guard let plan = FFTPlans.plan(p.nfft) else { throw RoentgenError.badParameter("nfft = \(p.nfft); expected a power of two ≥ 2") }
    guard p.rmax > p.rmin, p.rmin >= 0 else { throw RoentgenError.badParameter("R window \(p.rmin) … \(p.rmax) Å; expected 0 ≤ rmin < rmax") }
    guard r.count <= p.nfft else { throw RoentgenError.badParameter("\(r.count) R points exceed nfft = \(p.nfft)") }
    let rstep = r[1] - r[0]
    guard rstep > 0 else { throw RoentgenError(.badData, "R grid is not increasing") }
    let kstep = Double.pi / (rstep * Double(p.nfft))
    let grid = (0..<p.nfft).map { rstep * Double($0) }
    let window = taperWindow(x: grid, xmin: p.rmin, xmax: p.rmax, dx: p.dr, dx2: p.dr2, shape: p.window)
    var re = [Double](repeating: 0, count: p.nfft), im = re
    for i in 0..<r.count {
        let w = window[i] * pow(grid[i], p.rweight)
        re[i] = chirRe[i] * w
        im[i] = (chirIm?[i] ?? 0) * w
    }
    plan.inverse(real: &re, imag: &im)
    let scale = (chirIm == nil ? 1.0 : 0.5) * 4 * Double.pi.squareRoot() / kstep
    let nq = Int(1.05 + p.qmaxOut / kstep)
    let qstep = nq > 1 ? p.qmaxOut / Double(nq - 1) : 0
    let count = min(nq, p.nfft / 2)
    var out = ReverseTransformResult(q: [], chiqRe: [], chiqIm: [], chiqMag: [], rwin: Array(window[0..<r.count]))
    out.q = (0..<count).map { qstep * Double($0) }
    out.chiqRe = (0..<count).map { scale * re[$0] }
    out.chiqIm = (0..<count).map { scale * im[$0] }
    out.chiqMag = (0..<count).map { (out.chiqRe[$0] * out.chiqRe[$0] + out.chiqIm[$0] * out.chiqIm[$0]).squareRoot() }
    return out
}
