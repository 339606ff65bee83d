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
        var energy = k.map { $0 * $0 - shift }
        if let smallest = energy.map({ abs($0) }).min(), smallest < smallEnergy {
            for i in energy.indices where abs(energy[i]) < 1.5 * smallEnergy { energy[i] = smallEnergy }
        }
        return energy.map { $0 < 0 ? -(-$0).squareRoot() : $0.squareRoot() }
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
        var t = GridTables(e0: e0, ei: ei, q: q, amp: [Double](repeating: 0, count: n), pha: [Double](repeating: 0, count: n),
                           pRe: [Double](repeating: 0, count: n), pIm: [Double](repeating: 0, count: n),
                           ppRe: [Double](repeating: 0, count: n), ppIm: [Double](repeating: 0, count: n),
                           ampSlope: [Double](repeating: 0, count: n), phaSlope: [Double](repeating: 0, count: n),
                           repSlope: [Double](repeating: 0, count: n), lamSlope: [Double](repeating: 0, count: n),
                           rep: [Double](repeating: 0, count: n), lam: [Double](repeating: 0, count: n))
        let eiShift = ei * XASConstants.etok
        // The four splines share their nodes (the table's k) and q increases along the grid, so the
        // piece is found once per point by walking forward.
        var piece = 0
        for i in 0..<n {
            let qi = q[i]
            piece = amplitude.piece(qi, from: piece)
            (t.amp[i], t.ampSlope[i]) = amplitude.valueAndSlope(qi, piece: piece)
            (t.pha[i], t.phaSlope[i]) = phase.valueAndSlope(qi, piece: piece)
            let (rep, repSlope) = realP.valueAndSlope(qi, piece: piece), (lam, lamSlope) = lambda.valueAndSlope(qi, piece: piece)
            t.rep[i] = rep; t.lam[i] = lam; t.repSlope[i] = repSlope; t.lamSlope[i] = lamSlope
            // pp = (rep + i/lam)² + i·Ei·ETOK; p = √pp (principal branch, as numpy).
            let ppRe = rep * rep - 1 / (lam * lam)
            let ppIm = 2 * rep / lam + eiShift
            let modulus = (ppRe * ppRe + ppIm * ppIm).squareRoot()
            t.ppRe[i] = ppRe; t.ppIm[i] = ppIm
            t.pRe[i] = ((modulus + ppRe) / 2).squareRoot()
            t.pIm[i] = copysign(((modulus - ppRe) / 2).squareRoot(), ppIm)
        }
        return t
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
    public func chiDerivatives(_ t: GridTables, _ v: PathParameterValues, count n: Int, wanted: [Int], out: inout [[Double]]) {
        let reff = path.reff
        let r = reff + v.deltar
        let c4 = v.fourth / 3, c3 = 2 * v.third / 3, s2 = v.sigma2, b0 = v.deltar - 2 * v.sigma2 / reff
        let etok = XASConstants.etok
        for i in 0..<n {
            let ppRe = t.ppRe[i], ppIm = t.ppIm[i], pr = t.pRe[i], pi = t.pIm[i], q = t.q[i]
            let aRe = s2 - ppRe * c4, aIm = -ppIm * c4
            let t1Re = -2 * (ppRe * aRe - ppIm * aIm), t1Im = -2 * (ppRe * aIm + ppIm * aRe)
            let bRe = b0 - ppRe * c3, bIm = -ppIm * c3
            let pbRe = 2 * (pr * bRe - pi * bIm), pbIm = 2 * (pr * bIm + pi * bRe)
            let argRe = -2 * reff * pi + t1Re - pbIm
            let argIm = t1Im + 2 * q * reff + t.pha[i] + pbRe
            // E = exp(arg); unit = N/(r²)·E (χ̃ = S0²·amp/q·unit).
            let e = exp(argRe)
            let eRe = e * cos(argIm), eIm = e * sin(argIm)
            let base = v.degen / (r * r)
            let chiRe = v.s02 * base * t.amp[i] / q * eRe, chiIm = v.s02 * base * t.amp[i] / q * eIm
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
                case 0: out[w][i] = v.degen != 0 ? chiIm / v.degen : base / v.degen * 0; continue
                case 1: out[w][i] = base * t.amp[i] / q * eIm; continue
                case 2:
                    let dq = -etok / (2 * abs(q))
                    // p² = (rep + i/λ)²: dp²/dq = 2(rep + i/λ)(rep' − i·λ'/λ²)
                    let lam = t.lam[i], rep = t.rep[i]
                    let uRe = rep, uIm = 1 / lam, wRe = t.repSlope[i], wIm = -t.lamSlope[i] / (lam * lam)
                    let dppRe = 2 * (uRe * wRe - uIm * wIm) * dq, dppIm = 2 * (uRe * wIm + uIm * wRe) * dq
                    (dRe, dIm) = argChange(dppRe, dppIm)
                    dIm += (2 * reff + t.phaSlope[i]) * dq
                    // amp/q changes too: d(amp/q) = (amp'/q − amp/q²)·dq
                    let dAmp = (t.ampSlope[i] / q - t.amp[i] / (q * q)) * dq
                    extraIm = v.s02 * base * dAmp * eIm
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
                out[w][i] = chiRe * dIm + chiIm * dRe + extraIm
            }
        }
        for w in wanted.indices { out[w][0] = 2 * out[w][1] - out[w][2] }
    }
}

/// The sum of paths' χ(k) on the grid `k` (Larch's `ff2chi`).
public func sumOfPaths(_ paths: [(model: FeffPathModel, values: PathParameterValues)], k: [Double]) -> [Double] {
    var sum = [Double](repeating: 0, count: k.count)
    for (model, values) in paths { model.addChi(k: k, values, to: &sum) }
    return sum
}
