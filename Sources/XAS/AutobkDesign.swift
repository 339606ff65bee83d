import Foundation
import XrayNumerics

/// The linear parts of Larch's AUTOBK objective for one spectrum (`xafs/autobk.py`, `_resid`):
/// χ(k) on the output grid is χ_μ − Σⱼ cⱼ·Gⱼ, where χ_μ is the interpolant of μ (Larch's
/// `UnivariateSpline(kraw, μ − bkg, s=0)(kout)`, linear in its values) and Gⱼ that of the j-th
/// B-spline basis function; the transform of χ·kʷ·W(k) below rbkg is a − P·c.
///
/// Two ways to the same numbers:
/// - `local`: when every interior knot of the background spline is an interior node of the
///   interpolation (knots 2 … nspl−3 among nodes 2 … nraw−3, as Larch's knot placement at data
///   points gives), each basis function lies in the not-a-knot spline space on those nodes, so its
///   interpolant is the basis function itself (cubic spline interpolation reproduces every spline
///   of its space). Gⱼ is then Bⱼ on the output grid, non-zero on four knot intervals only, and
///   Pⱼ needs the transform rows over that support alone (about 4/(nspl − 1) of the grid).
/// - `general`: every basis function's values at the data points through the interpolation,
///   full-width transforms (used when the condition above fails, e.g. very sparse data).
struct AutobkDesign {
    /// Transform of W·kʷ·χ_μ (Re, Im of the first irbkg R points) and, per coefficient, of W·kʷ·Gⱼ.
    var a: [Double]
    var P: [[Double]]
    /// χ_μ on the output grid.
    var chiMu: [Double]
    /// How Gⱼ is stored: per output point, the first basis index and four values (`local`), or dense columns.
    private var firstBasis: [Int] = []
    private var basisValues: [Double] = []
    private var dense: [[Double]] = []
    let coefficientCount: Int

    /// Gⱼ at output point m.
    func g(_ j: Int, at m: Int) -> Double {
        if dense.isEmpty {
            let q = j - firstBasis[m]
            return q >= 0 && q < 4 ? basisValues[4 * m + q] : 0
        }
        return dense[j][m]
    }

    /// χ_μ − Σⱼ cⱼ·Gⱼ on the output grid, divided by `scale`.
    func chi(_ c: [Double], scale: Double) -> [Double] {
        let nk = chiMu.count
        var out = [Double](repeating: 0, count: nk)
        if dense.isEmpty {
            for m in 0..<nk {
                let l = firstBasis[m]
                var v = chiMu[m]
                for q in 0..<4 { v -= c[l + q] * basisValues[4 * m + q] }
                out[m] = v / scale
            }
        } else {
            for m in 0..<nk {
                var v = chiMu[m]
                for j in 0..<coefficientCount { v -= c[j] * dense[j][m] }
                out[m] = v / scale
            }
        }
        return out
    }

    /// The `local` construction; nil when a knot is not an interior interpolation node.
    /// `knotNodes[i]`: index in `nodes` of the i-th knot of `spline` (its `splK`); `ftwin`: kʷ·W(k) on `kout`;
    /// `rows`: the partial DFT rows (`PartialDFTRows`, nOut × kout.count).
    static func local(spline: BSpline, knotNodes: [Int], interpolator: NotAKnotCubicSpline, mu: [Double],
                      kout: [Double], ftwin: [Double], rows: [Double], nOut: Int) -> AutobkDesign? {
        let nspl = spline.basisCount, nraw = interpolator.nodes.count, nk = kout.count
        guard spline.degree == 3, nspl >= 4, nraw >= 6, knotNodes.count == nspl else { return nil }
        for i in 2..<(nspl - 2) where !(knotNodes[i] >= 2 && knotNodes[i] <= nraw - 3) { return nil }
        var design = AutobkDesign(a: [], P: [], chiMu: interpolator.evaluate(y: mu, at: kout), coefficientCount: nspl)
        design.firstBasis = [Int](repeating: 0, count: nk)
        design.basisValues = [Double](repeating: 0, count: 4 * nk)
        var h = [Double](repeating: 0, count: 4)
        // Support of each basis function on the output grid: [start, end) (kout increasing, so the
        // interval index never decreases and each support is contiguous).
        var start = [Int](repeating: nk, count: nspl), end = [Int](repeating: 0, count: nspl)
        for m in 0..<nk {
            let l = spline.interval(for: kout[m])
            spline.basis(at: kout[m], interval: l, into: &h)
            design.firstBasis[m] = l - 3
            for q in 0..<4 {
                design.basisValues[4 * m + q] = h[q]
                start[l - 3 + q] = min(start[l - 3 + q], m)
                end[l - 3 + q] = max(end[l - 3 + q], m + 1)
            }
        }
        var weighted = [Double](repeating: 0, count: nk)
        for m in 0..<nk { weighted[m] = design.chiMu[m] * ftwin[m] }
        design.a = [Double](repeating: 0, count: nOut)
        design.P = [[Double]](repeating: [Double](repeating: 0, count: nOut), count: nspl)
        rows.withUnsafeBufferPointer { rb in
            weighted.withUnsafeMutableBufferPointer { wb in
                for r in 0..<nOut { design.a[r] = dotProduct(rb.baseAddress! + r * nk, wb.baseAddress!, nk) }
                for j in 0..<nspl where start[j] < end[j] {
                    // W·kʷ·Bⱼ over its support, then the rows over that support only.
                    for m in start[j]..<end[j] { wb[m - start[j]] = ftwin[m] * design.basisValues[4 * m + j - design.firstBasis[m]] }
                    let width = end[j] - start[j]
                    for r in 0..<nOut { design.P[j][r] = dotProduct(rb.baseAddress! + r * nk + start[j], wb.baseAddress!, width) }
                }
            }
        }
        return design
    }

    /// The `general` construction: basis values at the data points `nodes`, their interpolants on
    /// `kout` and full-width transforms (one blocked product).
    static func general(spline: BSpline, interpolator: NotAKnotCubicSpline, mu: [Double],
                        kout: [Double], ftwin: [Double], rows: [Double], nOut: Int) -> AutobkDesign {
        let nspl = spline.basisCount, kr = interpolator.nodes, nraw = kr.count, nk = kout.count
        var basisRows = [[Double]](repeating: [Double](repeating: 0, count: nraw), count: nspl + 1)
        basisRows[0] = mu
        var h = [Double](repeating: 0, count: 4)
        for i in 0..<nraw {
            let l = spline.interval(for: kr[i])
            spline.basis(at: kr[i], interval: l, into: &h)
            for j in 0...3 { basisRows[l - 2 + j][i] = h[j] }  // basis l − 3 + j, after χ_μ's row
        }
        let interpolated = interpolator.evaluate(columns: basisRows, at: kout)
        var stacked = [Double](repeating: 0, count: (nspl + 1) * nk)
        for (v, column) in interpolated.enumerated() {
            for m in 0..<nk { stacked[v * nk + m] = column[m] * ftwin[m] }
        }
        var products = [Double](repeating: 0, count: (nspl + 1) * nOut)
        rows.withUnsafeBufferPointer { rb in
            stacked.withUnsafeBufferPointer { xb in
                products.withUnsafeMutableBufferPointer { pb in
                    multiply(rb.baseAddress!, rowCount: nOut, width: nk, xb.baseAddress!, count: nspl + 1, into: pb.baseAddress!)
                }
            }
        }
        var design = AutobkDesign(a: Array(products[0..<nOut]),
                                  P: (0..<nspl).map { j in Array(products[((j + 1) * nOut)..<((j + 2) * nOut)]) },
                                  chiMu: interpolated[0], coefficientCount: nspl)
        design.dense = Array(interpolated[1...])
        return design
    }
}
