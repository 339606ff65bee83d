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
public struct FeffPathModel: Sendable {
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
        amplitude = spline.curve(y: path.amplitude)
        phase = spline.curve(y: path.phase)
        realP = spline.curve(y: path.realP)
        lambda = spline.curve(y: path.lambda)
        nodes = amplitude.nodes
        let pieces = max(0, nodes.count - 1)
        var packed = [Double](repeating: 0, count: 16 * pieces)
        for (o, c) in [amplitude, phase, realP, lambda].enumerated() {
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

    /// The shifted wavenumber q of Larch's `_calc_chi` on the grid k.
    static func shiftedWavenumbers(k: [Double], e0: Double) -> [Double] {
        let shift = e0 * XASConstants.etok
        let n = k.count
        return [Double](unsafeUninitializedCapacity: n) { q, count in
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
            count = n
        }
    }

    /// The path's tables interpolated at the shifted wavenumbers of the grid `k` for an E0 shift and
    /// Eᵢ: q, amplitude, phase, and the complex momentum p and p² (what χ̃ needs besides ΔR, σ², C3, C4).
    public struct GridTables: Sendable {
        public var e0: Double
        public var ei: Double
        var q: [Double], amp: [Double], pha: [Double]
        var pRe: [Double], pIm: [Double], ppRe: [Double], ppIm: [Double]
        /// Slopes d/dq of amplitude, phase, real[p] and λ (for the E0 derivative), and λ itself.
        var ampSlope: [Double], phaSlope: [Double], repSlope: [Double], lamSlope: [Double], rep: [Double], lam: [Double]
    }

    /// Interpolates the tables on the grid `k` for `e0` and `ei` (independent of the other path parameters).
    public func tables(k: [Double], e0: Double, ei: Double) -> GridTables {
        let n = k.count
        let q = Self.shiftedWavenumbers(k: k, e0: e0)
        // The 12 tables besides q in one buffer, then split (each n long, in the order below).
        let fields = 12
        var all = [Double](repeating: 0, count: fields * n)
        let eiShift = ei * XASConstants.etok
        let nodes = self.nodes, last = nodes.count - 2
        coefficients.withUnsafeBufferPointer { c in
        all.withUnsafeMutableBufferPointer { out in
            let amp = out.baseAddress!, ampSlope = amp + n, pha = amp + 2 * n, phaSlope = amp + 3 * n
            let rep = amp + 4 * n, repSlope = amp + 5 * n, lam = amp + 6 * n, lamSlope = amp + 7 * n
            let ppReOut = amp + 8 * n, ppImOut = amp + 9 * n, pReOut = amp + 10 * n, pImOut = amp + 11 * n
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
        func field(_ f: Int) -> [Double] { Array(all[(f * n)..<((f + 1) * n)]) }
        return GridTables(e0: e0, ei: ei, q: q, amp: field(0), pha: field(2), pRe: field(10), pIm: field(11),
                          ppRe: field(8), ppIm: field(9), ampSlope: field(1), phaSlope: field(3),
                          repSlope: field(5), lamSlope: field(7), rep: field(4), lam: field(6))
    }

    /// Real and imaginary parts of χ̃(k) into `re`, `im` (each `k.count` long).
    public func complexChi(k: [Double], _ v: PathParameterValues, re: inout [Double], im: inout [Double]) {
        precondition(k.count >= 3 && re.count == k.count && im.count == k.count, "FeffPathModel: k needs 3 points, outputs its length")
        complexChi(tables(k: k, e0: v.e0, ei: v.ei), v, count: k.count, re: &re, im: &im)
    }

    /// χ̃ on the first `count` (≥ 3) points of the grid of `t`, whose E0 and Eᵢ must be those of `v`.
    func complexChi(_ t: GridTables, _ v: PathParameterValues, count n: Int, re: inout [Double], im: inout [Double]) {
        let reff = path.reff
        let r = reff + v.deltar
        let scale = v.degen * v.s02 / (r * r)
        let c4 = v.fourth / 3, c3 = 2 * v.third / 3, s2 = v.sigma2, b0 = v.deltar - 2 * v.sigma2 / reff
        t.q.withUnsafeBufferPointer { q in
        t.amp.withUnsafeBufferPointer { amp in
        t.pha.withUnsafeBufferPointer { pha in
        t.pRe.withUnsafeBufferPointer { pRe in
        t.pIm.withUnsafeBufferPointer { pIm in
        t.ppRe.withUnsafeBufferPointer { ppReB in
        t.ppIm.withUnsafeBufferPointer { ppImB in
            for i in 0..<n {
                let ppRe = ppReB[i], ppIm = ppImB[i], pr = pRe[i], pi = pIm[i]
                // −2pp(σ² − pp·C4/3)
                let aRe = s2 - ppRe * c4, aIm = -ppIm * c4
                let t1Re = -2 * (ppRe * aRe - ppIm * aIm), t1Im = -2 * (ppRe * aIm + ppIm * aRe)
                // i·(2q·reff + Φ + 2p·B), B = ΔR − 2σ²/reff − 2pp·C3/3
                let bRe = b0 - ppRe * c3, bIm = -ppIm * c3
                let pbRe = 2 * (pr * bRe - pi * bIm), pbIm = 2 * (pr * bIm + pi * bRe)
                // i·(x + iy) = −y + ix
                let argRe = -2 * reff * pi + t1Re - pbIm
                let argIm = t1Im + 2 * q[i] * reff + pha[i] + pbRe
                let magnitude = exp(argRe) * scale * amp[i] / q[i]
                re[i] = magnitude * cos(argIm)
                im[i] = magnitude * sin(argIm)
            }
        }}}}}}}
        re[0] = 2 * re[1] - re[2]
        im[0] = 2 * im[1] - im[2]
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
        // χ̃ known and S0² ≠ 0: exp(arg) = χ̃·q/(N·S0²·amp/r²) is not needed, χ̃ itself serves.
        let known = chi.flatMap { c in v.s02 != 0 && c.re.count >= n && c.im.count >= n ? c : nil }
        let reff = path.reff
        let r = reff + v.deltar
        let c4 = v.fourth / 3, c3 = 2 * v.third / 3, s2 = v.sigma2, b0 = v.deltar - 2 * v.sigma2 / reff
        let etok = XASConstants.etok
        // The tables as local arrays and the columns in one flat buffer (column w at w·n): no
        // reference counting or uniqueness checks inside the loop.
        let qs = t.q, amps = t.amp, phas = t.pha, pRes = t.pRe, pIms = t.pIm, ppRes = t.ppRe, ppIms = t.ppIm
        let ampSlopes = t.ampSlope, phaSlopes = t.phaSlope, repSlopes = t.repSlope, lamSlopes = t.lamSlope, reps = t.rep, lams = t.lam
        let knownRe = known?.re ?? [], knownIm = known?.im ?? []
        let columns = wanted.count
        let flat = UnsafeMutablePointer<Double>.allocate(capacity: max(1, n * columns))
        defer { flat.deallocate() }
        for i in 0..<n {
            let ppRe = ppRes[i], ppIm = ppIms[i], pr = pRes[i], pi = pIms[i], q = qs[i]
            let aRe = s2 - ppRe * c4, aIm = -ppIm * c4
            let t1Re = -2 * (ppRe * aRe - ppIm * aIm), t1Im = -2 * (ppRe * aIm + ppIm * aRe)
            let bRe = b0 - ppRe * c3, bIm = -ppIm * c3
            let pbRe = 2 * (pr * bRe - pi * bIm), pbIm = 2 * (pr * bIm + pi * bRe)
            let base = v.degen / (r * r)
            // χ̃ and unitIm = Im of N/(r²)·exp(arg) (χ̃ = S0²·amp/q·unit).
            let chiRe: Double, chiIm: Double, unitIm: Double
            if known != nil, i > 0, amps[i] != 0 {
                chiRe = knownRe[i]; chiIm = knownIm[i]
                unitIm = chiIm / (v.s02 * amps[i] / q)
            } else {
                let argRe = -2 * reff * pi + t1Re - pbIm
                let argIm = t1Im + 2 * q * reff + phas[i] + pbRe
                let e = exp(argRe)
                let eRe = e * cos(argIm), eIm = e * sin(argIm)
                chiRe = v.s02 * base * amps[i] / q * eRe; chiIm = v.s02 * base * amps[i] / q * eIm
                unitIm = base * eIm
            }
            // d(arg) for a change dpp of p² (and dp = dpp/(2p)): −2·reff·Im dp − 2·dpp·(σ² − 2p²C4/3) + i(2·dp·B − (4/3)·p·dpp·C3).
            func argChange(_ dppRe: Double, _ dppIm: Double) -> (Double, Double) {
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
            for (w, index) in wanted.enumerated() {
                var dRe = 0.0, dIm = 0.0   // d(arg) multiplying χ̃, unless handled apart
                var extraIm = 0.0          // additional term of dχ (imaginary part)
                switch index {
                case 0: flat[w * n + i] = v.degen != 0 ? chiIm / v.degen : base / v.degen * 0; continue
                case 1: flat[w * n + i] = unitIm * amps[i] / q; continue
                case 2:
                    let dq = -etok / (2 * abs(q))
                    // p² = (rep + i/λ)²: dp²/dq = 2(rep + i/λ)(rep' − i·λ'/λ²)
                    let lam = lams[i], rep = reps[i]
                    let uRe = rep, uIm = 1 / lam, wRe = repSlopes[i], wIm = -lamSlopes[i] / (lam * lam)
                    let dppRe = 2 * (uRe * wRe - uIm * wIm) * dq, dppIm = 2 * (uRe * wIm + uIm * wRe) * dq
                    (dRe, dIm) = argChange(dppRe, dppIm)
                    dIm += (2 * reff + phaSlopes[i]) * dq
                    // amp/q changes too: d(amp/q) = (amp'/q − amp/q²)·dq
                    let dAmp = (ampSlopes[i] / q - amps[i] / (q * q)) * dq
                    extraIm = v.s02 * dAmp * unitIm
                case 3:
                    dRe = -2 * pi - 2 / r
                    dIm = 2 * pr
                case 4:
                    dRe = -2 * ppRe + 4 * pi / reff
                    dIm = -2 * ppIm - 4 * pr / reff
                case 5:
                    // −(4/3)·i·p·p²
                    let zRe = pr * ppRe - pi * ppIm, zIm = pr * ppIm + pi * ppRe
                    dRe = 4 * zIm / 3
                    dIm = -4 * zRe / 3
                case 6:
                    dRe = 2 * (ppRe * ppRe - ppIm * ppIm) / 3
                    dIm = 4 * ppRe * ppIm / 3
                default:
                    (dRe, dIm) = argChange(0, etok)
                }
                flat[w * n + i] = chiRe * dIm + chiIm * dRe + extraIm
            }
        }
        for w in 0..<columns {
            out[w].withUnsafeMutableBufferPointer { o in
                o.baseAddress!.update(from: flat + w * n, count: n)
                o[0] = 2 * o[1] - o[2]
            }
        }
    }
}

/// The sum of paths' χ(k) on the grid `k` (Larch's `ff2chi`).
public func sumOfPaths(_ paths: [(model: FeffPathModel, values: PathParameterValues)], k: [Double]) -> [Double] {
    var sum = [Double](repeating: 0, count: k.count)
    for (model, values) in paths { model.addChi(k: k, values, to: &sum) }
    return sum
}
