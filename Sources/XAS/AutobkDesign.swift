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
    /// `rows`: the partial DFT rows (`PartialDFTRows`, at least nOut rows over kout.count samples);
    /// `nodes`: the interpolation nodes (kraw), strictly increasing.
    static func local(spline: BSpline, basis: CubicBSplineBasis, knotNodes: [Int], nodes: [Double], mu: [Double],
                      kout: [Double], ftwin: [Double], rows: PartialDFTRows, nOut: Int) -> AutobkDesign? {
        let nspl = spline.basisCount, nraw = nodes.count, nk = kout.count
        guard spline.degree == 3, nspl >= 4, nraw >= 6, knotNodes.count == nspl else { return nil }
        for i in 2..<(nspl - 2) where !(knotNodes[i] >= 2 && knotNodes[i] <= nraw - 3) { return nil }
        guard rows.frequencies * 2 >= nOut, rows.stride >= nk,
              let chiMu = NotAKnotCubicSpline.interpolate(nodes: nodes, y: mu, at: kout) else { return nil }
        var design = AutobkDesign(a: [], P: [], chiMu: chiMu, coefficientCount: nspl)
        design.firstBasis = [Int](repeating: 0, count: nk)
        design.basisValues = [Double](repeating: 0, count: 4 * nk)
        // Runs of output points in one knot interval (kout increases, so the interval index never
        // decreases): run r is [runStart[r], runStart[r + 1]), where basis functions
        // runBasis[r] … runBasis[r] + 3 are the non-zero ones.
        var runStart: [Int] = [], runBasis: [Int] = []
        runStart.reserveCapacity(nspl + 1); runBasis.reserveCapacity(nspl)
        var l = spline.interval(for: kout[0])
        let lastInterval = spline.interval(for: kout[nk - 1])
        for m in 0..<nk {
            while l < lastInterval && kout[m] >= spline.knots[l + 1] { l += 1 }  // kout increases
            let (b0, b1, b2, b3) = basis.values(at: kout[m], interval: l)
            design.firstBasis[m] = l - 3
            design.basisValues[4 * m] = b0; design.basisValues[4 * m + 1] = b1
            design.basisValues[4 * m + 2] = b2; design.basisValues[4 * m + 3] = b3
            if runBasis.last != l - 3 { runStart.append(m); runBasis.append(l - 3) }
        }
        runStart.append(nk)
        // Five vectors over the grid, one after the other: W·kʷ·χ_μ, then W·kʷ times the first …
        // fourth non-zero basis value at each point (so over a run, vector 1 + q is W·kʷ·B of basis
        // runBasis + q).
        var vectors = [Double](repeating: 0, count: 5 * nk)
        for m in 0..<nk {
            vectors[m] = design.chiMu[m] * ftwin[m]
            for q in 0..<4 { vectors[(1 + q) * nk + m] = ftwin[m] * design.basisValues[4 * m + q] }
        }
        // Each row pair (cos, sin) of a frequency against the five vectors run by run: the ten
        // products of a run in one pass (each row value loaded once for five vectors), added to
        // χ_μ's and the four basis functions' sums. Each row pair is read from memory once and
        // stays in cache while the runs pass.
        var products = [Double](repeating: 0, count: (nspl + 1) * nOut)  // vector v at v·nOut
        let stride = rows.stride
        rows.rows.withUnsafeBufferPointer { rb in
            vectors.withUnsafeBufferPointer { vb in
            runStart.withUnsafeBufferPointer { runStart in
            runBasis.withUnsafeBufferPointer { runBasis in
                products.withUnsafeMutableBufferPointer { pb in
                    var sums = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
                    for f in 0..<(nOut / 2) {
                        let cosRow = rb.baseAddress! + 2 * f * stride, sinRow = cosRow + stride
                        for r in runBasis.indices {
                            let s = runStart[r]
                            sums = runProducts(cosRow + s, sinRow + s, vb.baseAddress! + s, vectorStride: nk, runStart[r + 1] - s)
                            let j = runBasis[r]
                            pb[2 * f] += sums.0; pb[2 * f + 1] += sums.1
                            pb[(j + 1) * nOut + 2 * f] += sums.2; pb[(j + 1) * nOut + 2 * f + 1] += sums.3
                            pb[(j + 2) * nOut + 2 * f] += sums.4; pb[(j + 2) * nOut + 2 * f + 1] += sums.5
                            pb[(j + 3) * nOut + 2 * f] += sums.6; pb[(j + 3) * nOut + 2 * f + 1] += sums.7
                            pb[(j + 4) * nOut + 2 * f] += sums.8; pb[(j + 4) * nOut + 2 * f + 1] += sums.9
                        }
                    }
                }
            }}
            }
        }
        design.a = Array(products[0..<nOut])
        design.P = (0..<nspl).map { j in Array(products[((j + 1) * nOut)..<((j + 2) * nOut)]) }
        return design
    }

    /// The `general` construction: basis values at the data points `nodes`, their interpolants on
    /// `kout` and full-width transforms (one blocked product).
    static func general(spline: BSpline, interpolator: NotAKnotCubicSpline, mu: [Double],
                        kout: [Double], ftwin: [Double], rows table: PartialDFTRows, nOut: Int) -> AutobkDesign {
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
        let rows = table.compact(rowCount: nOut, width: nk)
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

/// Two rows (c, s) against five vectors x + p·vectorStride (p < 5) over n samples:
/// (Σc·x₀, Σs·x₀, Σc·x₁, Σs·x₁, …), each row value loaded once for all five. Ten two-lane
/// accumulators: with the row pair and one vector they fit the sixteen SSE registers of the
/// baseline x86-64 target (four-lane ones would spill to the stack).
@inline(__always)
func runProducts(_ c: UnsafePointer<Double>, _ s: UnsafePointer<Double>, _ x: UnsafePointer<Double>, vectorStride: Int, _ n: Int)
    -> (Double, Double, Double, Double, Double, Double, Double, Double, Double, Double) {
    var c0 = SIMD2<Double>(), s0 = c0, c1 = c0, s1 = c0, c2 = c0, s2 = c0, c3 = c0, s3 = c0, c4 = c0, s4 = c0
    let rc = UnsafeRawPointer(c), rs = UnsafeRawPointer(s)
    let x0 = UnsafeRawPointer(x), x1 = UnsafeRawPointer(x + vectorStride), x2 = UnsafeRawPointer(x + 2 * vectorStride)
    let x3 = UnsafeRawPointer(x + 3 * vectorStride), x4 = UnsafeRawPointer(x + 4 * vectorStride)
    var i = 0
    while i + 2 <= n {
        let o = i * 8
        let cv = rc.loadUnaligned(fromByteOffset: o, as: SIMD2<Double>.self)
        let sv = rs.loadUnaligned(fromByteOffset: o, as: SIMD2<Double>.self)
        var v = x0.loadUnaligned(fromByteOffset: o, as: SIMD2<Double>.self)
        c0 += cv * v; s0 += sv * v
        v = x1.loadUnaligned(fromByteOffset: o, as: SIMD2<Double>.self)
        c1 += cv * v; s1 += sv * v
        v = x2.loadUnaligned(fromByteOffset: o, as: SIMD2<Double>.self)
        c2 += cv * v; s2 += sv * v
        v = x3.loadUnaligned(fromByteOffset: o, as: SIMD2<Double>.self)
        c3 += cv * v; s3 += sv * v
        v = x4.loadUnaligned(fromByteOffset: o, as: SIMD2<Double>.self)
        c4 += cv * v; s4 += sv * v
        i += 2
    }
    var r = (c0.sum(), s0.sum(), c1.sum(), s1.sum(), c2.sum(), s2.sum(), c3.sum(), s3.sum(), c4.sum(), s4.sum())
    if i < n {
        let cv = c[i], sv = s[i]
        var v = x[i]; r.0 += cv * v; r.1 += sv * v
        v = x[vectorStride + i]; r.2 += cv * v; r.3 += sv * v
        v = x[2 * vectorStride + i]; r.4 += cv * v; r.5 += sv * v
        v = x[3 * vectorStride + i]; r.6 += cv * v; r.7 += sv * v
        v = x[4 * vectorStride + i]; r.8 += cv * v; r.9 += sv * v
    }
    return r
}
