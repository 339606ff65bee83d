import CRoentgenKernels
import Foundation
import XrayCore
import XrayNumerics

/// The values of a path's parameters used in the EXAFS equation (Larch's path parameters).
public struct PathParameterValues: Sendable, Codable, Hashable {
    /// Degeneracy N (the file's unless overridden).
    public var degen: Double
    /// Amplitude reduction factor S0² (multiplies N).
    public var s02: Double = 1
    /// Energy shift ΔE0 in eV.
    public var e0: Double = 0
    /// Change in half path length ΔR in Å.
    public var deltar: Double = 0
    /// Mean-square relative displacement σ² in Å².
    public var sigma2: Double = 0
    /// Third cumulant C3 in Å³.
    public var third: Double = 0
    /// Fourth cumulant C4 in Å⁴.
    public var fourth: Double = 0
    /// Imaginary energy shift Eᵢ in eV (extra broadening).
    public var ei: Double = 0

    public init(degen: Double, s02: Double = 1, e0: Double = 0, deltar: Double = 0, sigma2: Double = 0,
                third: Double = 0, fourth: Double = 0, ei: Double = 0) {
        self.degen = degen; self.s02 = s02; self.e0 = e0; self.deltar = deltar; self.sigma2 = sigma2
        self.third = third; self.fourth = fourth; self.ei = ei
    }

    /// The names of the path parameters in Larch's order (`PATH_PARS`, with `degen`).
    public static let names = ["degen", "s02", "e0", "deltar", "sigma2", "third", "fourth", "ei"]

    /// The value of the parameter with one of `names`.
    public subscript(name: String) -> Double {
        get {
            switch name {
            case "degen": return degen
            case "s02": return s02
            case "e0": return e0
            case "deltar": return deltar
            case "sigma2": return sigma2
            case "third": return third
            case "fourth": return fourth
            default: return ei
            }
        }
        set {
            switch name {
            case "degen": degen = newValue
            case "s02": s02 = newValue
            case "e0": e0 = newValue
            case "deltar": deltar = newValue
            case "sigma2": sigma2 = newValue
            case "third": third = newValue
            case "fourth": fourth = newValue
            default: ei = newValue
            }
        }
    }
}

/// χ(k) of one FEFF path, as Larch's `FeffPathGroup._calc_chi` (`xafs/feffdat.py`) computes it.
///
/// With q = sign(k² − E0·ETOK)·√|k² − E0·ETOK| (|k² − E0·ETOK| < 1.5·10⁻⁶ set to 10⁻⁶ when any
/// point is below 10⁻⁶), the amplitude A = mag[feff]·red factor, the phase Φ = real[2·phc] +
/// phase[feff], and the complex momentum p = √((real[p] + i/λ)² + i·Eᵢ·ETOK), all tables
/// interpolated at q by the not-a-knot cubic spline through the table (FITPACK's
/// `UnivariateSpline(k, y, s=0)`, extended past the table ends by its end pieces):
///
///   χ̃(k) = N·S0²·A/(q·(reff + ΔR)²) · exp(−2·reff·Im p − 2p²(σ² − p²C4/3)
///            + i·(2q·reff + Φ + 2p(ΔR − 2σ²/reff − 2p²C3/3)))
///
/// χ(k) = Im χ̃, and Larch's `chi_imag` = −Re χ̃; the first point is replaced by 2χ̃₁ − χ̃₂.
/// A reference (immutable), so that a fit's loops use it without copying its tables.
public final class FeffPathModel: Sendable {
    public let path: FeffPath
    let amplitude: PiecewiseCubic
    let phase: PiecewiseCubic
    let realP: PiecewiseCubic
    let lambda: PiecewiseCubic
    /// The four splines' nodes and coefficients side by side for `tables`: piece i holds
    /// c0…c3 of amplitude, phase, real[p] and λ at 16·i (evaluated inline, as `valueAndSlope` does).
    let nodes: [Double]
    let coefficients: [Double]

    /// Larch's SMALL_ENERGY (Å⁻²): |k² − E0·ETOK| below this is moved off zero.
    static let smallEnergy = 1e-6

    /// Prepares the splines of `path`'s tables.
    public init(path: FeffPath) throws {
        guard path.k.count >= 4, let spline = NotAKnotCubicSpline(nodes: path.k) else {
            throw RoentgenError(.badData, "FEFF path table needs at least 4 increasing k values; got \(path.k.count)")
        }
        guard path.reff >= 0.05 else { throw RoentgenError(.badData, "reff = \(path.reff) Å is too small to compute χ(k)") }
        self.path = path
        let curves = [path.amplitude, path.phase, path.realP, path.lambda].map { spline.curve(y: $0) }
        (amplitude, phase, realP, lambda) = (curves[0], curves[1], curves[2], curves[3])
        nodes = curves[0].nodes
        let pieces = max(0, curves[0].nodes.count - 1)
        var packed = [Double](repeating: 0, count: 16 * pieces)
        for (o, c) in curves.enumerated() {
            for i in 0..<pieces {
                packed[16 * i + 4 * o] = c.c0[i]; packed[16 * i + 4 * o + 1] = c.c1[i]
                packed[16 * i + 4 * o + 2] = c.c2[i]; packed[16 * i + 4 * o + 3] = c.c3[i]
            }
        }
        coefficients = packed
    }

    /// χ(k) and Larch's `chi_imag` (−Re χ̃) on the grid `k` (at least 3 points).
    public func chi(k: [Double], _ v: PathParameterValues) -> (chi: [Double], chiImag: [Double]) {
        var re = [Double](repeating: 0, count: k.count), im = re
        complexChi(k: k, v, re: &re, im: &im)
        return (im, re.map { -$0 })
    }

    /// Adds χ(k) = Im χ̃ of this path to `sum` (same length as `k`).
    public func addChi(k: [Double], _ v: PathParameterValues, to sum: inout [Double]) {
        var re = [Double](repeating: 0, count: k.count), im = re
        complexChi(k: k, v, re: &re, im: &im)
        for i in 0..<k.count { sum[i] += im[i] }
    }

    /// The shifted wavenumber q of Larch's `_calc_chi` on the grid k, into `q` (`k.count` values).
    static func shiftedWavenumbers(k: UnsafeBufferPointer<Double>, e0: Double, into q: UnsafeMutablePointer<Double>) {
        let shift = e0 * XASConstants.etok
        let n = k.count
        var smallest = Double.infinity
        for i in 0..<n {
            let e = k[i] * k[i] - shift
            q[i] = e
            if abs(e) < smallest { smallest = abs(e) }
        }
        if smallest < smallEnergy {
            for i in 0..<n where abs(q[i]) < 1.5 * smallEnergy { q[i] = smallEnergy }
        }
        for i in 0..<n { let e = q[i]; q[i] = e < 0 ? -(-e).squareRoot() : e.squareRoot() }
    }

    /// The path's tables interpolated at the shifted wavenumbers of the grid `k` for an E0 shift and
    /// Eᵢ: q, amplitude, phase, and the complex momentum p and p² (what χ̃ needs besides ΔR, σ², C3, C4).
    /// One buffer holds the 13 tables (each `count` long); a reference, so that keeping and passing
    /// it costs no copies.
    public final class GridTables: @unchecked Sendable {
        /// The E0 shift and Eᵢ the tables are for (set again only when a fit's cache refills a
        /// table set no one else holds).
        public internal(set) var e0: Double
        public internal(set) var ei: Double
        /// Number of points of each table.
        public let count: Int
        /// The tables side by side (immutable after `init`): q, amp, ampSlope, pha, phaSlope, rep,
        /// repSlope, lam, lamSlope, ppRe, ppIm, pRe, pIm.
        let storage: UnsafeMutablePointer<Double>

        init(e0: Double, ei: Double, count: Int) {
            self.e0 = e0; self.ei = ei; self.count = count
            storage = .allocate(capacity: max(1, 13 * count))
        }
        deinit { storage.deallocate() }

        @inline(__always) func field(_ f: Int) -> UnsafePointer<Double> { UnsafePointer(storage + f * count) }
        var q: UnsafePointer<Double> { field(0) }
        var amp: UnsafePointer<Double> { field(1) }
        /// Slopes d/dq of amplitude, phase, real[p] and λ (for the E0 derivative), and λ itself.
        var ampSlope: UnsafePointer<Double> { field(2) }
        var pha: UnsafePointer<Double> { field(3) }
        var phaSlope: UnsafePointer<Double> { field(4) }
        var rep: UnsafePointer<Double> { field(5) }
        var repSlope: UnsafePointer<Double> { field(6) }
        var lam: UnsafePointer<Double> { field(7) }
        var lamSlope: UnsafePointer<Double> { field(8) }
        var ppRe: UnsafePointer<Double> { field(9) }
        var ppIm: UnsafePointer<Double> { field(10) }
        var pRe: UnsafePointer<Double> { field(11) }
        var pIm: UnsafePointer<Double> { field(12) }
    }

    /// Interpolates the tables on the grid `k` for `e0` and `ei` (independent of the other path parameters).
    public func tables(k: [Double], e0: Double, ei: Double) -> GridTables {
        k.withUnsafeBufferPointer { tables(k: $0, e0: e0, ei: ei) }
    }

    /// `tables(k:e0:ei:)` written into `reusing` when given (its storage overwritten: the caller
    /// must hold the only reference) and as long as `k`.
    func tables(k: [Double], e0: Double, ei: Double, reusing old: GridTables?) -> GridTables {
        k.withUnsafeBufferPointer { tables(k: $0, e0: e0, ei: ei, reusing: old) }
    }

    /// `tables(k:e0:ei:)` on a grid given by pointer.
    func tables(k: UnsafeBufferPointer<Double>, e0: Double, ei: Double, reusing old: GridTables? = nil) -> GridTables {
        let n = k.count
        let out: GridTables
        if let old, old.count == n {
            out = old
            out.e0 = e0
            out.ei = ei
        } else {
            out = GridTables(e0: e0, ei: ei, count: n)
        }
        let base = out.storage
        let q = base, amp = base + n, ampSlope = base + 2 * n, pha = base + 3 * n, phaSlope = base + 4 * n
        let rep = base + 5 * n, repSlope = base + 6 * n, lam = base + 7 * n, lamSlope = base + 8 * n
        let ppReOut = base + 9 * n, ppImOut = base + 10 * n, pReOut = base + 11 * n, pImOut = base + 12 * n
        Self.shiftedWavenumbers(k: k, e0: e0, into: q)
        let eiShift = ei * XASConstants.etok
        nodes.withUnsafeBufferPointer { nodes in
        coefficients.withUnsafeBufferPointer { c in
            let last = nodes.count - 2
            // The four splines share their nodes (the table's k) and q increases along the grid, so
            // the piece is found once per point by walking forward (bisection when q moves left).
            var piece = 0
            for i in 0..<n {
                let qi = q[i]
                if !(qi >= nodes[piece]) {
                    var lo = 0, hi = last
                    if qi >= nodes[hi] { lo = hi } else {
                        while hi - lo > 1 { let mid = (lo + hi) >> 1; if nodes[mid] <= qi { lo = mid } else { hi = mid } }
                    }
                    piece = lo
                }
                while piece < last && qi >= nodes[piece + 1] { piece += 1 }
                let t = qi - nodes[piece], b = 16 * piece
                // value c0 + t(c1 + t(c2 + t·c3)), slope c1 + t(2c2 + 3t·c3): `PiecewiseCubic.valueAndSlope`.
                @inline(__always) func curve(_ o: Int) -> (Double, Double) {
                    let c0 = c[b + o], c1 = c[b + o + 1], c2 = c[b + o + 2], c3 = c[b + o + 3]
                    return (c0 + t * (c1 + t * (c2 + t * c3)), c1 + t * (2 * c2 + 3 * t * c3))
                }
                (amp[i], ampSlope[i]) = curve(0)
                (pha[i], phaSlope[i]) = curve(4)
                let (r, rs) = curve(8), (l, ls) = curve(12)
                rep[i] = r; repSlope[i] = rs; lam[i] = l; lamSlope[i] = ls
                // pp = (rep + i/lam)² + i·Ei·ETOK; p = √pp (principal branch, as numpy).
                let ppRe = r * r - 1 / (l * l)
                let ppIm = 2 * r / l + eiShift
                let modulus = (ppRe * ppRe + ppIm * ppIm).squareRoot()
                ppReOut[i] = ppRe; ppImOut[i] = ppIm
                pReOut[i] = ((modulus + ppRe) / 2).squareRoot()
                pImOut[i] = copysign(((modulus - ppRe) / 2).squareRoot(), ppIm)
            }
        }}
        return out
    }

    /// Real and imaginary parts of χ̃(k) into `re`, `im` (each `k.count` long).
    public func complexChi(k: [Double], _ v: PathParameterValues, re: inout [Double], im: inout [Double]) {
        precondition(k.count >= 3 && re.count == k.count && im.count == k.count, "FeffPathModel: k needs 3 points, outputs its length")
        let t = tables(k: k, e0: v.e0, ei: v.ei)
        re.withUnsafeMutableBufferPointer { r in
            im.withUnsafeMutableBufferPointer { i in complexChi(t, v, count: k.count, re: r.baseAddress!, im: i.baseAddress!) }
        }
    }

    /// χ̃ on the first `count` (≥ 3) points of the grid of `t`, whose E0 and Eᵢ must be those of `v`,
    /// on `kernel` (the AVX2/FMA loop evaluates eˣ, sin and cos by polynomials, to a few units in the
    /// last place of libm's).
    func complexChi(_ t: GridTables, _ v: PathParameterValues, count n: Int, re: UnsafeMutablePointer<Double>, im: UnsafeMutablePointer<Double>,
                    kernel: FeffitKernel = .best) {
        let reff = path.reff
        let r = reff + v.deltar
        let scale = v.degen * v.s02 / (r * r)
        let exponent = Exponent(t, reff: reff, v)
        let q = t.q, amp = t.amp
        if kernel == .avx2 {
            roentgen_path_chi_avx2(n, q, amp, t.pha, t.pRe, t.pIm, t.ppRe, t.ppIm, reff, exponent.c4, exponent.c3, exponent.s2,
                                   exponent.b0, scale, re, im)
            re[0] = 2 * re[1] - re[2]
            im[0] = 2 * im[1] - im[2]
            return
        }
        for i in 0..<n {
            let (argRe, argIm) = exponent(i)
            let magnitude = exp(argRe) * scale * amp[i] / q[i]
            re[i] = magnitude * cos(argIm)
            im[i] = magnitude * sin(argIm)
        }
        re[0] = 2 * re[1] - re[2]
        im[0] = 2 * im[1] - im[2]
    }

    /// The exponent of χ̃ at point i of the tables `t` for the values `v` (`complexChi`):
    /// −2·reff·Im p − 2p²(σ² − p²C4/3) + i·(2q·reff + Φ + 2p(ΔR − 2σ²/reff − 2p²C3/3)).
    struct Exponent {
        let q, pha, pRe, pIm, ppRe, ppIm: UnsafePointer<Double>
        let reff, c4, c3, s2, b0: Double
        init(_ t: GridTables, reff: Double, _ v: PathParameterValues) {
            q = t.q; pha = t.pha; pRe = t.pRe; pIm = t.pIm; ppRe = t.ppRe; ppIm = t.ppIm
            self.reff = reff
            c4 = v.fourth / 3; c3 = 2 * v.third / 3; s2 = v.sigma2; b0 = v.deltar - 2 * v.sigma2 / reff
        }
        @inline(__always) func callAsFunction(_ i: Int) -> (Double, Double) {
            let ppRe = ppRe[i], ppIm = ppIm[i], pr = pRe[i], pi = pIm[i]
            // −2pp(σ² − pp·C4/3)
            let aRe = s2 - ppRe * c4, aIm = -ppIm * c4
            let t1Re = -2 * (ppRe * aRe - ppIm * aIm), t1Im = -2 * (ppRe * aIm + ppIm * aRe)
            // i·(2q·reff + Φ + 2p·B), B = ΔR − 2σ²/reff − 2pp·C3/3
            let bRe = b0 - ppRe * c3, bIm = -ppIm * c3
            let pbRe = 2 * (pr * bRe - pi * bIm), pbIm = 2 * (pr * bIm + pi * bRe)
            // i·(x + iy) = −y + ix
            return (-2 * reff * pi + t1Re - pbIm, t1Im + 2 * q[i] * reff + pha[i] + pbRe)
        }
    }

    /// ∂χ/∂θ (χ = Im χ̃) on the first `count` points for the path parameters `wanted` (indices into
    /// `PathParameterValues.names`: degen, s02, e0, deltar, sigma2, third, fourth, ei), each into
    /// `out[w]`, differentiating the equation of `complexChi` analytically: E0 through q
    /// (dq/dE0 = −ETOK/(2|q|)) and the splines' slopes, Eᵢ through p² (dp²/dEᵢ = i·ETOK).
    ///
    /// `chi`, when given, is χ̃ = (re, im) of `complexChi` for the same `t` and `v` (only points
    /// 1..<count read): the derivatives then reuse it instead of evaluating exp, sin and cos again.
    public func chiDerivatives(_ t: GridTables, _ v: PathParameterValues, count n: Int, wanted: [Int], out: inout [[Double]],
                               chi: (re: [Double], im: [Double])? = nil) {
        let flat = UnsafeMutablePointer<Double>.allocate(capacity: max(1, n * (wanted.count + 3)))
        defer { flat.deallocate() }
        if let chi, chi.re.count >= n, chi.im.count >= n {
            chi.re.withUnsafeBufferPointer { re in
                chi.im.withUnsafeBufferPointer { im in
                    chiDerivatives(t, v, count: n, wanted: wanted, into: flat, stride: n, chi: (re.baseAddress!, im.baseAddress!),
                                   scratch: flat + n * wanted.count)
                }
            }
        } else {
            chiDerivatives(t, v, count: n, wanted: wanted, into: flat, stride: n, chi: nil, scratch: flat + n * wanted.count)
        }
        for w in wanted.indices {
            out[w].withUnsafeMutableBufferPointer { o in o.baseAddress!.update(from: flat + w * n, count: n) }
        }
    }

    /// `chiDerivatives` into `out` (column w at `out + w·stride`, `count` values each), with
    /// `scratch` for 3·`count` values.
    func chiDerivatives(_ t: GridTables, _ v: PathParameterValues, count n: Int, wanted: [Int], into out: UnsafeMutablePointer<Double>,
                        stride: Int, chi known: (re: UnsafePointer<Double>, im: UnsafePointer<Double>)?, scratch: UnsafeMutablePointer<Double>) {
        let reff = path.reff
        let r = reff + v.deltar
        let c4 = v.fourth / 3, c3 = 2 * v.third / 3, s2 = v.sigma2, b0 = v.deltar - 2 * v.sigma2 / reff
        let etok = XASConstants.etok
        let qs = t.q, amps = t.amp, pRes = t.pRe, pIms = t.pIm, ppRes = t.ppRe, ppIms = t.ppIm
        let base = v.degen / (r * r)
        // χ̃ and unitIm = Im of N/r²·exp(arg) (χ̃ = S0²·amp/q·unit) per point; χ̃ known and S0² ≠ 0:
        // exp(arg) = χ̃·q/(N·S0²·amp/r²) is not needed, χ̃ itself serves.
        let chiRe = scratch, chiIm = scratch + n, unitIm = scratch + 2 * n
        let reuse = known != nil && v.s02 != 0
        let exponent = Exponent(t, reff: reff, v)
        for i in 0..<n {
            let q = qs[i]
            if reuse, i > 0, amps[i] != 0, let known {
                chiRe[i] = known.re[i]; chiIm[i] = known.im[i]
                unitIm[i] = chiIm[i] / (v.s02 * amps[i] / q)
            } else {
                let (argRe, argIm) = exponent(i)
                let e = exp(argRe)
                let eRe = e * cos(argIm), eIm = e * sin(argIm)
                chiRe[i] = v.s02 * base * amps[i] / q * eRe; chiIm[i] = v.s02 * base * amps[i] / q * eIm
                unitIm[i] = base * eIm
            }
        }
        // d(arg) for a change dpp of p² (and dp = dpp/(2p)): −2·reff·Im dp − 2·dpp·(σ² − 2p²C4/3) + i(2·dp·B − (4/3)·p·dpp·C3).
        @inline(__always) func argChange(_ i: Int, _ dppRe: Double, _ dppIm: Double) -> (Double, Double) {
            let ppRe = ppRes[i], ppIm = ppIms[i], pr = pRes[i], pi = pIms[i]
            let bRe = b0 - ppRe * c3, bIm = -ppIm * c3
            // dp = dpp / (2p)
            let den = 2 * (pr * pr + pi * pi)
            let dpRe = (dppRe * pr + dppIm * pi) / den, dpIm = (dppIm * pr - dppRe * pi) / den
            let fRe = s2 - 2 * ppRe * c4, fIm = -2 * ppIm * c4
            let xRe = -2 * reff * dpIm - 2 * (dppRe * fRe - dppIm * fIm)
            let xIm = -2 * (dppRe * fIm + dppIm * fRe)
            // i·(2·dp·B − 2·p·dpp·C3') with C3' = 2C3/3 ⇒ −(4/3)pC3 dpp = −2·c3·p·dpp
            let yRe = 2 * (dpRe * bRe - dpIm * bIm) - 2 * c3 * (pr * dppRe - pi * dppIm)
            let yIm = 2 * (dpRe * bIm + dpIm * bRe) - 2 * c3 * (pr * dppIm + pi * dppRe)
            return (xRe - yIm, xIm + yRe)
        }
        // One loop per column: dχ = Im(χ̃·d(arg)) = chiRe·dIm + chiIm·dRe (+ the amplitude's change for E0).
        for (w, index) in wanted.enumerated() {
            let o = out + w * stride
            switch index {
            case 0:
                for i in 0..<n { o[i] = v.degen != 0 ? chiIm[i] / v.degen : base / v.degen * 0 }
            case 1:
                for i in 0..<n { o[i] = unitIm[i] * amps[i] / qs[i] }
            case 2:
                let ampSlopes = t.ampSlope, phaSlopes = t.phaSlope, repSlopes = t.repSlope, lamSlopes = t.lamSlope, reps = t.rep, lams = t.lam
                for i in 0..<n {
                    let q = qs[i]
                    let dq = -etok / (2 * abs(q))
                    // p² = (rep + i/λ)²: dp²/dq = 2(rep + i/λ)(rep' − i·λ'/λ²)
                    let lam = lams[i], rep = reps[i]
                    let uRe = rep, uIm = 1 / lam, wRe = repSlopes[i], wIm = -lamSlopes[i] / (lam * lam)
                    let dppRe = 2 * (uRe * wRe - uIm * wIm) * dq, dppIm = 2 * (uRe * wIm + uIm * wRe) * dq
                    var (dRe, dIm) = argChange(i, dppRe, dppIm)
                    dIm += (2 * reff + phaSlopes[i]) * dq
                    // amp/q changes too: d(amp/q) = (amp'/q − amp/q²)·dq
                    let dAmp = (ampSlopes[i] / q - amps[i] / (q * q)) * dq
                    o[i] = chiRe[i] * dIm + chiIm[i] * dRe + v.s02 * dAmp * unitIm[i]
                }
            case 3:
                for i in 0..<n {
                    let dRe = -2 * pIms[i] - 2 / r, dIm = 2 * pRes[i]
                    o[i] = chiRe[i] * dIm + chiIm[i] * dRe
                }
            case 4:
                for i in 0..<n {
                    let dRe = -2 * ppRes[i] + 4 * pIms[i] / reff
                    let dIm = -2 * ppIms[i] - 4 * pRes[i] / reff
                    o[i] = chiRe[i] * dIm + chiIm[i] * dRe
                }
            case 5:
                for i in 0..<n {
                    // −(4/3)·i·p·p²
                    let pr = pRes[i], pi = pIms[i], ppRe = ppRes[i], ppIm = ppIms[i]
                    let zRe = pr * ppRe - pi * ppIm, zIm = pr * ppIm + pi * ppRe
                    let dRe = 4 * zIm / 3, dIm = -4 * zRe / 3
                    o[i] = chiRe[i] * dIm + chiIm[i] * dRe
                }
            case 6:
                for i in 0..<n {
                    let ppRe = ppRes[i], ppIm = ppIms[i]
                    let dRe = 2 * (ppRe * ppRe - ppIm * ppIm) / 3, dIm = 4 * ppRe * ppIm / 3
                    o[i] = chiRe[i] * dIm + chiIm[i] * dRe
                }
            default:
                for i in 0..<n {
                    let (dRe, dIm) = argChange(i, 0, etok)
                    o[i] = chiRe[i] * dIm + chiIm[i] * dRe
                }
            }
            o[0] = 2 * o[1] - o[2]
        }
    }
}

/// The sum of paths' χ(k) on the grid `k` (Larch's `ff2chi`).
public func sumOfPaths(_ paths: [(model: FeffPathModel, values: PathParameterValues)], k: [Double]) -> [Double] {
    var sum = [Double](repeating: 0, count: k.count)
    for (model, values) in paths { model.addChi(k: k, values, to: &sum) }
    return sum
}
