import Foundation
import XrayCore
import XrayNumerics

/// The transform and fit ranges of one feffit data set (Larch's `TransformGroup`, `xafs/feffit.py`).
public struct FeffitTransform: Sendable, Codable, Hashable {
    /// Where the residual is formed: χ(R) (real and imaginary parts), χ(q) (real part of the
    /// back-transform) or k-weighted χ(k).
    public enum FitSpace: String, Sendable, Codable, CaseIterable { case r, q, k }

    public var fitspace: FitSpace = .r
    /// k window range and tapers in Å⁻¹ (`dk2` nil: equal to `dk`).
    public var kmin: Double = 0
    public var kmax: Double = 20
    public var dk: Double = 4
    public var dk2: Double?
    public var window: TaperShape = .kaiser
    /// One or more k-weights; several are fitted together (one residual block each).
    public var kweights: [Double] = [2]
    /// R range of the fit (and of the back-transform window for q space) in Å; `dr`, `dr2` its tapers.
    public var rmin: Double = 0
    public var rmax: Double = 10
    public var dr: Double = 0
    public var dr2: Double?
    public var rwindow: TaperShape = .hanning
    /// Lower limit of the R window of the back-transform (the window starts at max(rbkg, rmin)).
    public var rbkg: Double = 0
    /// FFT length and k grid step.
    public var nfft: Int = 2048
    public var kstep: Double = 0.05

    public init() {}

    /// R grid step π/(kstep·nfft) in Å.
    public var rstep: Double { Double.pi / (kstep * Double(nfft)) }

    /// Number of independent points 1 + 2·ΔR·Δk/π (Larch's `n_idp`).
    public var independentPoints: Double { 1 + 2 * (rmax - rmin) * (kmax - kmin) / Double.pi }

    /// Checks the ranges against the data's last k (Å⁻¹).
    public func validate(kmaxData: Double) throws {
        guard nfft >= 16, nfft & (nfft - 1) == 0 else { throw RoentgenError.badParameter("nfft = \(nfft); expected a power of two ≥ 16") }
        guard kstep > 0, kstep.isFinite else { throw RoentgenError.badParameter("kstep = \(kstep); expected > 0") }
        guard !kweights.isEmpty, kweights.allSatisfy({ $0 >= 0 && $0 <= 10 }) else {
            throw RoentgenError.badParameter("kweight \(kweights.map { String(format: "%g", $0) }.joined(separator: ", ")); expected one or more values in 0…10")
        }
        guard kmin >= 0, kmax > kmin else { throw RoentgenError.badParameter("k range \(kmin)…\(kmax) Å⁻¹; expected 0 ≤ kmin < kmax") }
        guard kmax <= kmaxData + kstep / 2 else {
            throw RoentgenError.badParameter(String(format: "k range %g…%g Å⁻¹ is outside the data, which end at k = %.3f Å⁻¹", kmin, kmax, kmaxData))
        }
        let rlimit = rstep * Double(nfft / 2)
        guard rmin >= 0, rmax > rmin else { throw RoentgenError.badParameter("R range \(rmin)…\(rmax) Å; expected 0 ≤ rmin < rmax") }
        guard rmax <= rlimit else {
            throw RoentgenError.badParameter(String(format: "R range %g…%g Å is outside χ(R), which ends at π/(2·kstep) = %.2f Å", rmin, rmax, rlimit))
        }
        guard dk >= 0, (dk2 ?? dk) >= 0, dr >= 0, (dr2 ?? dr) >= 0 else { throw RoentgenError.badParameter("window tapers dk, dk2, dr, dr2 must be ≥ 0") }
        guard rbkg >= 0, rbkg < rmax else { throw RoentgenError.badParameter("rbkg = \(rbkg) Å; expected 0 ≤ rbkg < rmax = \(rmax) Å (the R window starts at max(rbkg, rmin))") }
        // A taper wider than the whole grid leaves no window (the noise estimate then fails obscurely).
        let kGrid = kstep * Double(nfft / 2)
        guard max(dk, dk2 ?? dk) <= kGrid, max(dr, dr2 ?? dr) <= rlimit else {
            throw RoentgenError.badParameter(String(format: "window tapers dk %g, dk2 %g Å⁻¹, dr %g, dr2 %g Å; expected at most the k grid (%g Å⁻¹) and the R grid (%.2f Å)",
                                                    dk, dk2 ?? dk, dr, dr2 ?? dr, kGrid, rlimit))
        }
    }
}

/// A transform with its windows and FFT plan computed once, as Larch's `TransformGroup` caches them.
struct PreparedTransform: Sendable {
    let settings: FeffitTransform
    let plan: FFTPlan
    /// k window on k = kstep·i, i < nfft (Larch's `kwin` on `k_`).
    let kwin: [Double]
    /// R window on r = rstep·i, i < nfft, from max(rbkg, rmin) to rmax.
    let rwin: [Double]
    /// kᵂ on the same grid up to the data's last point (`points`), one array per k-weight.
    let kpowers: [[Double]]
    /// Index ranges of the residual: R points [irmin, irmax) and k/q points [iqmin, iqmax).
    let irmin: Int, irmax: Int, iqmin: Int, iqmax: Int

    /// The transform `t` for χ(k) given on its first `points` grid points.
    init(_ t: FeffitTransform, points: Int) throws {
        guard let plan = FFTPlans.plan(t.nfft) else { throw RoentgenError.badParameter("nfft = \(t.nfft); expected a power of two") }
        guard t.nfft >= 4 else { throw RoentgenError.badParameter("nfft = \(t.nfft); expected a power of two ≥ 4") }
        settings = t
        self.plan = plan
        kwin = Self.window(count: t.nfft, step: t.kstep, xmin: t.kmin, xmax: t.kmax, dx: t.dk, dx2: t.dk2 ?? t.dk, shape: t.window)
        rwin = Self.window(count: t.nfft, step: t.rstep, xmin: max(t.rbkg, t.rmin), xmax: t.rmax, dx: t.dr, dx2: t.dr2 ?? t.dr, shape: t.rwindow)
        let k = (0..<min(t.nfft, max(0, points))).map { t.kstep * Double($0) }
        kpowers = t.kweights.map { kweightPowers(k, $0) }
        let half = Double(t.nfft / 2)
        irmin = Int(max(0, 0.01 + t.rmin / t.rstep))
        irmax = Int(min(half, 0.01 + t.rmax / t.rstep))
        iqmin = Int(max(0, 0.01 + t.kmin / t.kstep))
        iqmax = Int(min(half, 0.01 + t.kmax / t.kstep))
    }

    /// `taperWindow` on x = step·i, i < `count`, computed only up to a few points past the end of
    /// its upper ramp (xmax + dx2/2), where every shape but the Gaussian is zero, and zero beyond:
    /// the same values as on the whole grid (the ramps snap to the same grid points), for a
    /// fraction of the points (a Kaiser–Bessel window costs a Bessel series per point).
    static func window(count n: Int, step: Double, xmin: Double, xmax: Double, dx: Double, dx2: Double, shape: TaperShape) -> [Double] {
        var m = n
        if shape != .gaussian {
            let end = ((xmax + dx2 / 2) / step).rounded(.up) + 3
            if end.isFinite, end < Double(n) { m = max(2, Int(end)) }
        }
        var w = taperWindow(x: (0..<m).map { step * Double($0) }, xmin: xmin, xmax: xmax, dx: dx, dx2: dx2, shape: shape)
        if m < n { w.append(contentsOf: repeatElement(0, count: n - m)) }
        return w
    }

    /// χ(R) = (kstep/√π)·FFT(χ·W(k)·kʷ) zero-padded to nfft, the first nfft/2 points (Larch's `fftf` +
    /// `xftf_fast`), into `re`, `im` (each nfft long; only the first half is meaningful).
    ///
    /// The input is real: `realInputSpectrum` (an N/2-point complex FFT).
    func forward(_ chi: [Double], kweightIndex: Int, re: inout [Double], im: inout [Double]) {
        let n = settings.nfft
        let power = kpowers[kweightIndex]
        realInputSpectrum(nfft: n, count: min(chi.count, n), scale: settings.kstep / Double.pi.squareRoot(), re: &re, im: &im) {
            chi[$0] * kwin[$0] * power[$0]
        }
        for j in (n / 2)..<n { re[j] = 0; im[j] = 0 }
    }

    /// χ(q) = (4√π/kstep)·IFFT(χ(R)·W(R)) from the first nfft/2 points of χ(R) (Larch's `fftr` +
    /// `xftr_fast`), in place.
    func reverse(re: inout [Double], im: inout [Double]) {
        let n = settings.nfft
        for i in 0..<(n / 2) { re[i] *= rwin[i]; im[i] *= rwin[i] }
        for i in (n / 2)..<n { re[i] = 0; im[i] = 0 }
        plan.inverse(real: &re, imag: &im)
        let scale = 4 * Double.pi.squareRoot() / settings.kstep
        for i in 0..<(n / 2) { re[i] *= scale; im[i] *= scale }
    }

    /// Larch's `estimate_noise`: ε_R from the RMS of χ(R) between 15 and 30 Å divided by the mean
    /// k window, and ε_k from it by Parseval's theorem, one pair per k-weight.
    /// Also gives χ(R) of the first k-weight (`forward`), which the fit's output arrays show.
    func estimateNoise(chi: [Double]) -> (epsilonK: [Double], epsilonR: [Double], chiR: (re: [Double], im: [Double])) {
        let t = settings
        let n = t.nfft
        var re = [Double](repeating: 0, count: n), im = re
        let irmin = Int(0.01 + 15 / t.rstep)
        let irmax = Int(min(Double(n / 2), 1.01 + 30 / t.rstep))
        let kwinAverage = kwin.reduce(0, +) * t.kstep / (t.kmax - t.kmin)
        var epsK: [Double] = [], epsR: [Double] = []
        var first: (re: [Double], im: [Double]) = ([], [])
        for (i, w) in t.kweights.enumerated() {
            forward(chi, kweightIndex: i, re: &re, im: &im)
            if i == 0 { first = (re, im) }
            var sum = 0.0
            for j in irmin..<max(irmin, irmax) { sum += re[j] * re[j] + im[j] * im[j] }
            let count = Double(2 * max(0, irmax - irmin))
            let er = count > 0 ? (sum / count).squareRoot() / kwinAverage : 0
            let ww = 2 * w + 1
            let scale = (2 * Double.pi * ww / (t.kstep * (pow(t.kmax, ww) - pow(t.kmin, ww)))).squareRoot()
            epsR.append(er)
            epsK.append(scale * er)
        }
        return (epsK, epsR, first)
    }

    /// ε_R from a given ε_k (Larch's `set_epsilon_k`: ε_R = ε_k / (2·√(π·w/(kstep·(kmaxʷ − kminʷ))))).
    func epsilonR(fromEpsilonK eps: Double, kweight w: Double) -> Double {
        let t = settings, ww = 2 * w + 1
        return eps / (2 * (Double.pi * ww / (t.kstep * (pow(t.kmax, ww) - pow(t.kmin, ww)))).squareRoot())
    }
}
