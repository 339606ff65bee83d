import Foundation
import XrayCore
import XrayNumerics

/// Settings of the AUTOBK background (Larch's `autobk` defaults).
public struct AutobkParameters: Sendable, Codable, Hashable {
    /// R below which χ(R) is minimised, in Å.
    public var rbkg: Double = 1
    /// k range of the spline, in Å⁻¹ (`kmax` nil: end of data).
    public var kmin: Double = 0
    public var kmax: Double?
    /// k-weight and window of the transform inside the fit.
    public var kweight: Double = 1
    public var dk: Double = 0.1
    public var window: TaperShape = .hanning
    /// Number of spline knots (nil: 1 + int(2·rbkg·Δk/π), clamped to 5…128).
    public var nknots: Int?
    public var nfft: Int = 2048
    /// Output k grid step, in Å⁻¹.
    public var kstep: Double = 0.05
    /// Clamps: number of end points and weights at low and high k.
    public var nclamp: Int = 3
    public var clampLo: Double = 0
    public var clampHi: Double = 1
    public init() {}
}

/// The AUTOBK result: χ(k) on the uniform grid, the background μ₀(E) and the fit details.
public struct AutobkResult: Sendable, Codable, Hashable {
    /// k = kstep·i from 0 to kmax, Å⁻¹.
    public var k: [Double]
    /// χ(k) = (μ − μ₀)/edge step on `k`.
    public var chi: [Double]
    /// μ₀(E) on the input energies (equal to μ outside the spline range).
    public var bkg: [Double]
    /// E0 used (eV), rbkg used (Å), k range, knots count, number of R points fitted.
    public var ek0: Double
    public var rbkg: Double
    public var kmin: Double
    public var kmax: Double
    public var nspl: Int
    public var irbkg: Int
    public var iek0: Int
    public var iemax: Int
    /// The spline's knots (k, Å⁻¹) and fitted coefficients.
    public var knots: [Double]
    public var coefficients: [Double]
    public var chiSquare: Double
    public var reducedChiSquare: Double
    public var evaluations: Int
}

/// AUTOBK background removal (Newville, Līviņš, Yacoby, Rehr & Stern 1993) as Larch implements it.
///
/// A cubic B-spline in k with `nspl` knots is fitted so that the Fourier transform of
/// (μ − spline)·kʷ·W(k) below `rbkg` is as small as possible, with clamps pulling χ toward 0
/// at the ends. χ(k) depends linearly on the spline coefficients, so the transform is a − P·c
/// with a and P built once (`AutobkDesign`: each basis function is its own interpolant, so only its
/// four-interval support is transformed), and the minimum is found by linear solves with the
/// clamp scale iterated (`AutobkMinimum`).
/// - Parameters: `energy` strictly increasing (eV), `mu`, `e0` and `edgeStep` from `preEdge`.
public func autobk(energy: [Double], mu: [Double], e0: Double, edgeStep: Double,
                   parameters p: AutobkParameters = AutobkParameters()) throws -> AutobkResult {
    try autobk(energy: energy, mu: mu, e0: e0, edgeStep: edgeStep, parameters: p, forceGeneralDesign: false).result
}

/// `autobk` with the choice of `AutobkDesign` construction, and whether the local one was used
/// (tests compare the two).
func autobk(energy: [Double], mu: [Double], e0: Double, edgeStep: Double,
            parameters p: AutobkParameters, forceGeneralDesign: Bool) throws -> (result: AutobkResult, local: Bool, design: AutobkDesign) {
    let n = energy.count
    guard n == mu.count, n >= 10 else {
        throw RoentgenError(.badData, "autobk needs at least 10 points with equal energy and mu lengths; got \(n) and \(mu.count)")
    }
    guard e0 >= energy[0], e0 <= energy[n - 1] else {
        throw RoentgenError.badParameter("E0 = \(e0) eV is outside the data (\(energy[0]) … \(energy[n - 1]) eV)")
    }
    guard edgeStep.isFinite, edgeStep > 0 else { throw RoentgenError(.badData, "edge step \(edgeStep) is not positive") }
    guard p.nfft >= 64, p.nfft & (p.nfft - 1) == 0, p.kweight >= 0, p.dk >= 0 else {
        throw RoentgenError.badParameter("AUTOBK nfft = \(p.nfft), kweight = \(p.kweight), dk = \(p.dk); expected a power-of-two nfft ≥ 64 and non-negative kweight and dk")
    }
    guard p.rbkg > 0, p.kstep > 0, p.nclamp >= 0, p.kmin >= 0, p.rbkg.isFinite, p.kstep.isFinite, p.kmin.isFinite else {
        throw RoentgenError.badParameter("rbkg = \(p.rbkg) Å, kstep = \(p.kstep), kmin = \(p.kmin); expected positive values")
    }
    guard p.kweight.isFinite, p.kweight <= 10, p.dk.isFinite else {
        throw RoentgenError.badParameter("AUTOBK kweight = \(p.kweight), dk = \(p.dk); expected a kweight of 0…10 and a finite dk")
    }
    // The background's cut-off must lie on the R grid of the transform (Larch would index past it).
    let rGridEnd = Double.pi / (2 * p.kstep)
    guard p.rbkg <= rGridEnd else {
        throw RoentgenError.badParameter(String(format: "rbkg = %g Å is beyond the R grid of the background's transform (π/(2·kstep) = %.2f Å)", p.rbkg, rGridEnd))
    }
    if let given = p.kmax, !(given.isFinite && given > p.kmin) {
        throw RoentgenError.badParameter("AUTOBK kmax = \(given) Å⁻¹; expected a finite value above kmin = \(p.kmin) Å⁻¹")
    }
    let energy = EnergyGrid.removeDuplicates(energy, tiny: XASConstants.tinyEnergy)
    let iek0 = indexOf(energy, e0)
    let rgrid = Double.pi / (p.kstep * Double(p.nfft))
    let rbkg = max(p.rbkg, 2 * rgrid)
    let kraw = energy[iek0...].map { e -> Double in
        let d = e - e0
        return (d < 0 ? -1 : 1) * (XASConstants.etok * abs(d)).squareRoot()
    }
    let kLast = largest(kraw) ?? 0
    var kmax = kLast
    if let given = p.kmax, given >= 0 { kmax = max(0, min(kLast, given)) }
    guard kmax - p.kmin > 2 * p.kstep else {
        throw RoentgenError(.badData, "the data reach only k = \(String(format: "%.2f", kLast)) Å⁻¹ above E0 = \(e0) eV; AUTOBK needs a k range above kmin = \(p.kmin)")
    }
    let nk = Int(1.01 + kmax / p.kstep)
    guard nk <= p.nfft else { throw RoentgenError.badParameter("\(nk) k points exceed nfft = \(p.nfft)") }
    let kout = (0..<nk).map { p.kstep * Double($0) }
    let iemax = min(n, 2 + indexOf(energy, e0 + kmax * kmax / XASConstants.etok)) - 1
    let win = taperWindow(x: kout, xmin: p.kmin, xmax: kmax, dx: p.dk, dx2: p.dk, shape: p.window)
    var ftwin = [Double](repeating: 0, count: nk)
    let kpower = kweightPowers(kout, p.kweight)
    for i in 0..<nk { ftwin[i] = kpower[i] * win[i] }
    var nspl = 1 + Int(2 * rbkg * (kmax - p.kmin) / Double.pi)
    let irbkg = Int(1 + Double(nspl - 1) * Double.pi / (2 * rgrid * (kmax - p.kmin)))
    if let given = p.nknots { nspl = given }
    nspl = max(5, min(128, nspl))
    // Initial knots and values.
    var splK = [Double](repeating: 0, count: nspl), splY = splK
    var knotNodes = [Int](repeating: 0, count: nspl)
    for i in 0..<nspl {
        let q = p.kmin + Double(i) * (kmax - p.kmin) / Double(nspl - 1)
        let ik = indexNearestSorted(kraw, q)  // kraw increases (energies strictly increasing)
        let i1 = min(kraw.count - 1, ik + 5), i2 = max(0, ik - 5)
        splK[i] = kraw[ik]
        knotNodes[i] = ik
        splY[i] = (2 * mu[ik + iek0] + mu[i1 + iek0] + mu[i2 + iek0]) / 4
    }
    guard let initial = BSpline.interpolating(x: splK, y: splY) else {
        throw RoentgenError(.badData, "too few energy points above E0 for \(nspl) background knots (k up to \(String(format: "%.2f", kmax)) Å⁻¹)")
    }
    let nraw = iemax - iek0 + 1
    let kr = Array(kraw[0..<nraw])
    let mur = Array(mu[iek0...iemax])
    let unsortedOrFew = RoentgenError(.badData, "energies above E0 are not strictly increasing or too few (\(nraw)); expected a sorted scan")
    guard nraw >= 4 else { throw unsortedOrFew }
    for i in 1..<nraw where !(kr[i] > kr[i - 1]) { throw unsortedOrFew }
    // Rows of the partial DFT for the first irbkg R points (row 2j Re, 2j+1 Im; kstep/√π folded
    // in), shared per (nfft, irbkg, nk); the window and k-weight go onto the vectors instead.
    let nOut = 2 * irbkg
    let rows = PartialDFTRows.shared(nfft: p.nfft, frequencies: irbkg, width: nk, scale: p.kstep / Double.pi.squareRoot())
    // χ = χ_μ − Σ cⱼGⱼ and the transform a − P·c (see `AutobkDesign`).
    let basis = CubicBSplineBasis(knots: initial.knots)
    let localDesign = forceGeneralDesign ? nil : AutobkDesign.local(spline: initial, basis: basis, knotNodes: knotNodes, nodes: kr,
                                                                    mu: mur, kout: kout, ftwin: ftwin, rows: rows, nOut: nOut)
    let design: AutobkDesign
    if let localDesign {
        design = localDesign
    } else {
        guard let interpolator = NotAKnotCubicSpline(nodes: kr) else { throw unsortedOrFew }
        design = AutobkDesign.general(spline: initial, interpolator: interpolator, mu: mur, kout: kout, ftwin: ftwin, rows: rows, nOut: nOut)
    }
    let nclamp = min(p.nclamp, nk / 2)
    let clampIdx = Array(0..<nclamp) + Array((nk - nclamp)..<nk)
    let clampW = [Double](repeating: abs(p.clampLo), count: nclamp) + [Double](repeating: abs(p.clampHi), count: nclamp)
    // Rows of G at the clamp points, contiguous per clamp point.
    let clampG = clampIdx.map { m in (0..<nspl).map { design.g($0, at: m) } }
    let start = Array(initial.coefficients[0..<nspl])
    let minimum = AutobkMinimum(a: design.a, P: design.P, clampChi: clampIdx.map { design.chiMu[$0] }, clampG: clampG, clampWeights: clampW)
    let (c, chiSquare, evaluations) = minimum.solve(start: start)
    let chi = design.chi(c, scale: edgeStep)
    var spline = initial
    for j in 0..<nspl { spline.coefficients[j] = c[j] }
    for j in nspl..<spline.coefficients.count { spline.coefficients[j] = c[nspl - 1] }
    // μ₀ at the data points: kr increases, so the knot interval is walked forward.
    var bkg = mu
    var l = initial.interval(for: kr[0])
    let lastInterval = initial.interval(for: kr[nraw - 1])
    bkg.withUnsafeMutableBufferPointer { out in
    spline.knots.withUnsafeBufferPointer { knots in
    spline.coefficients.withUnsafeBufferPointer { c in
        for i in 0..<nraw {
            while l < lastInterval && kr[i] >= knots[l + 1] { l += 1 }
            let (b0, b1, b2, b3) = basis.values(at: kr[i], interval: l)
            out[iek0 + i] = c[l - 3] * b0 + c[l - 2] * b1 + c[l - 1] * b2 + c[l] * b3
        }
    }}}
    let dof = Double(2 * irbkg + 2 * nclamp - nspl)
    let result = AutobkResult(k: kout, chi: chi, bkg: bkg, ek0: e0, rbkg: rbkg, kmin: p.kmin, kmax: kmax, nspl: nspl,
                              irbkg: irbkg, iek0: iek0, iemax: iemax, knots: spline.knots, coefficients: spline.coefficients,
                              chiSquare: chiSquare, reducedChiSquare: dof > 0 ? chiSquare / dof : .nan,
                              evaluations: evaluations)
    return (result, localDesign != nil, design)
}
