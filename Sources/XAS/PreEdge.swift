import Foundation
import XrayCore
import XrayNumerics

/// Settings for pre-edge subtraction and normalisation; nil means "Larch's default rule".
public struct PreEdgeParameters: Sendable, Codable, Hashable {
    /// Edge energy in eV; found with `findE0` when nil (or outside the data).
    public var e0: Double?
    /// Edge step; taken from the fitted lines at E0 when nil.
    public var step: Double?
    /// Pre-edge fit range relative to E0, in eV (defaults: the 2nd point rounded to 5 eV, and half that).
    public var pre1: Double?
    public var pre2: Double?
    /// Post-edge (normalisation) range relative to E0, in eV (defaults: min(25, norm2/15 rounded to 5), end of data rounded to 5).
    public var norm1: Double?
    public var norm2: Double?
    /// Degree of the post-edge polynomial (default 2, 1 below 300 eV of range, 0 below 30 eV).
    public var nnorm: Int?
    /// Energy exponent for the pre-edge line (fit μ·Eⁿᵛⁱᶜᵗ), default 0.
    public var nvict: Int

    public init(e0: Double? = nil, step: Double? = nil, pre1: Double? = nil, pre2: Double? = nil,
                norm1: Double? = nil, norm2: Double? = nil, nnorm: Int? = nil, nvict: Int = 0) {
        self.e0 = e0; self.step = step; self.pre1 = pre1; self.pre2 = pre2
        self.norm1 = norm1; self.norm2 = norm2; self.nnorm = nnorm; self.nvict = nvict
    }
}

/// The result of `preEdge`: E0, edge step, the resolved ranges, baselines and normalised arrays.
public struct PreEdgeResult: Sendable, Codable, Hashable {
    /// Edge energy in eV.
    public var e0: Double
    /// Edge step (post-edge minus pre-edge line at E0), in μ units.
    public var edgeStep: Double
    /// Pre-edge line: μ_pre(E) = preOffset + preSlope·E (E in eV).
    public var preOffset: Double
    public var preSlope: Double
    /// Post-edge polynomial coefficients (absolute E in eV): post(E) = pre(E) + Σ normCoefficients[n]·Eⁿ.
    public var normCoefficients: [Double]
    /// The ranges and degree actually used (relative to E0, in eV).
    public var pre1: Double
    public var pre2: Double
    public var norm1: Double
    public var norm2: Double
    public var nnorm: Int
    public var nvict: Int
    /// (μ − pre-edge)/edgeStep on the input grid.
    public var norm: [Double]
    /// `norm` with the post-edge curvature removed above E0.
    public var flat: [Double]
    /// Pre-edge and post-edge baselines on the input grid.
    public var preEdge: [Double]
    public var postEdge: [Double]
}

/// Pre-edge subtraction, normalisation and flattening with Larch's `pre_edge` definitions.
///
/// Fit windows are half-open index ranges [index_of(E0+pre1), index_nearest(E0+pre2)) and
/// [index_of(E0+norm1), index_nearest(E0+norm2)), as in Larch's code.
/// - Parameters: `energy` strictly increasing (see `EnergyGrid.prepare`), `mu` the same length.
/// - Throws: `RoentgenError.badParameter` for ranges outside the data, `.badData` when a fit is impossible.
public func preEdge(energy: [Double], mu: [Double], parameters p: PreEdgeParameters = PreEdgeParameters()) throws -> PreEdgeResult {
    let n = energy.count
    guard n >= 5, mu.count == n else {
        throw RoentgenError(.badData, "pre-edge needs at least 5 points with equal energy and mu lengths; got \(n) and \(mu.count)")
    }
    for (name, value) in [("e0", p.e0), ("step", p.step), ("pre1", p.pre1), ("pre2", p.pre2), ("norm1", p.norm1), ("norm2", p.norm2)] {
        if let v = value, !v.isFinite { throw RoentgenError.badParameter("\(name) = \(v); expected a finite energy (eV)") }
    }
    if let given = p.nnorm, !(0...5).contains(given) {
        throw RoentgenError.badParameter("nnorm = \(given); expected a post-edge polynomial degree of 0…5")
    }
    let emin = energy[0], emax = energy[n - 1]
    var e0: Double
    if let given = p.e0 {
        guard given >= emin, given <= emax else {
            throw RoentgenError.badParameter("e0 = \(given) eV is outside the data (\(emin) … \(emax) eV)")
        }
        e0 = given
        if given < energy[1] || given > energy[n - 2] { e0 = findE0(energy: energy, mu: mu) }
    } else {
        e0 = findE0(energy: energy, mu: mu)
    }
    let ie0 = indexNearestSorted(energy, e0)
    var pre1 = p.pre1 ?? (ie0 > 20 ? 5 * roundHalfEven((energy[1] - e0) / 5) : 2 * roundHalfEven((energy[1] - e0) / 2))
    pre1 = max(pre1, emin - e0)
    var pre2 = p.pre2 ?? 0.5 * pre1
    if pre1 > pre2 { swap(&pre1, &pre2) }
    var nvict = p.nvict
    var npre = 1
    // Larch's index_of(energy − e0, pre2) − index_of(energy − e0, pre1), without the shifted copy.
    if indexOf(energy, pre2, shiftedBy: e0) - indexOf(energy, pre1, shiftedBy: e0) < 3 { nvict = 0; npre = 0 }
    var norm2 = p.norm2 ?? 5 * roundHalfEven((emax - e0) / 5)
    if norm2 < 0 { norm2 = emax - e0 - norm2 }
    norm2 = min(norm2, emax - e0)
    var norm1 = p.norm1 ?? min(25, 5 * roundHalfEven(norm2 / 15))
    if norm1 > norm2 { swap(&norm1, &norm2) }
    norm1 = min(norm1, norm2 - 2)
    if let given = p.norm1, given > emax - e0 {
        throw RoentgenError.badParameter("norm1 = \(given) eV above E0 is beyond the end of the data (\(emax - e0) eV above E0)")
    }
    for (name, value) in [("pre1", p.pre1), ("pre2", p.pre2)] {
        if let given = value, given > emax - e0 {
            throw RoentgenError.badParameter("\(name) = \(given) eV above E0 is beyond the end of the data (\(emax - e0) eV above E0)")
        }
    }
    if let given = p.pre2, given + e0 < emin {
        throw RoentgenError.badParameter("pre2 = \(given) eV below E0 is before the start of the data (\(emin - e0) eV)")
    }
    var nnorm = p.nnorm ?? (norm2 - norm1 < 30 ? 0 : (norm2 - norm1 < 300 ? 1 : 2))
    nnorm = max(0, min(5, nnorm))

    // Pre-edge line.
    var p1 = indexOf(energy, pre1 + e0)
    var p2 = indexNearestSorted(energy, pre2 + e0)
    var preOffset = 0.0, preSlope = 0.0
    var preLine = [Double](repeating: 0, count: n)
    if npre == 0 {
        if p2 == p1 { p2 += 1 }
        p2 = min(p2, n)
        let lo = min(p1, p2), hi = max(p1, p2)
        let slice = mu[lo..<max(hi, lo + 1)]
        preOffset = slice.reduce(0, +) / Double(slice.count)
        for i in 0..<n { preLine[i] = preOffset }
    } else {
        if p2 - p1 < 2 { p2 = min(n, p1 + 2) }
        let ex = Array(energy[p1..<p2])
        // Eⁿᵛⁱᶜᵗ only when nvict ≠ 0 (pow per point is most of pre_edge's time otherwise; x·E⁰ = x exactly).
        let mx = nvict == 0 ? Array(mu[p1..<p2]) : (p1..<p2).map { mu[$0] * pow(energy[$0], Double(nvict)) }
        guard let c = polynomialFit(x: ex, y: mx, degree: 1) else {
            throw RoentgenError(.badData, "pre-edge line fit failed over \(ex.count) points (E0 \(pre1) … \(pre2) eV)")
        }
        preOffset = c[0]; preSlope = c.count > 1 ? c[1] : 0
        if nvict == 0 {
            for i in 0..<n { preLine[i] = preOffset + energy[i] * preSlope }
        } else {
            for i in 0..<n { preLine[i] = (preOffset + energy[i] * preSlope) * pow(energy[i], Double(-nvict)) }
        }
    }
    // Post-edge polynomial.
    p1 = indexOf(energy, norm1 + e0)
    p2 = indexNearestSorted(energy, norm2 + e0)
    if p1 > n - 3 { p1 = n - 3 }
    if p2 - p1 < 2 { p1 -= 2; nnorm = 0 } else if p2 - p1 < 5 { nnorm = min(1, nnorm) }
    p1 = max(0, p1)
    if p2 <= p1 { p2 = min(n, p1 + 2) }
    let px = Array(energy[p1..<p2])
    let py = (p1..<p2).map { mu[$0] - preLine[$0] }
    guard let coefs = polynomialFit(x: px, y: py, degree: min(nnorm, max(0, px.count - 1))) else {
        throw RoentgenError(.badData, "post-edge fit failed over \(px.count) points (E0+\(norm1) … E0+\(norm2) eV)")
    }
    var postLine = preLine
    for i in 0..<n { postLine[i] += evaluatePolynomial(coefs, at: energy[i]) }
    var step = p.step ?? (postLine[ie0] - preLine[ie0])
    step = max(1e-12, abs(step))
    var norm = [Double](repeating: 0, count: n)
    var flat = [Double](repeating: 0, count: n)
    let residueAtE0 = (postLine[ie0] - preLine[ie0]) / step
    norm.withUnsafeMutableBufferPointer { normb in
    flat.withUnsafeMutableBufferPointer { flatb in
    mu.withUnsafeBufferPointer { mub in
    preLine.withUnsafeBufferPointer { pre in
    postLine.withUnsafeBufferPointer { post in
        for i in 0..<n { normb[i] = (mub[i] - pre[i]) / step }
        for i in 0..<min(ie0, n) { flatb[i] = normb[i] }
        for i in min(ie0, n)..<n { flatb[i] = normb[i] - (post[i] - pre[i]) / step + residueAtE0 }
    }}}}}
    return PreEdgeResult(e0: e0, edgeStep: step, preOffset: preOffset, preSlope: preSlope, normCoefficients: coefs,
                         pre1: pre1, pre2: pre2, norm1: norm1, norm2: norm2, nnorm: nnorm, nvict: nvict,
                         norm: norm, flat: flat, preEdge: preLine, postEdge: postLine)
}
