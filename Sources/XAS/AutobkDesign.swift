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
        // Support of each basis function on the output grid: [start, end) (kout increasing, so the
        // interval index never decreases and each support is contiguous).
        var start = [Int](repeating: nk, count: nspl), end = [Int](repeating: 0, count: nspl)
        var l = spline.interval(for: kout[0])
        let lastInterval = spline.interval(for: kout[nk - 1])
        for m in 0..<nk {
            while l < lastInterval && kout[m] >= spline.knots[l + 1] { l += 1 }  // kout increases
            let (b0, b1, b2, b3) = basis.values(at: kout[m], interval: l)
            design.firstBasis[m] = l - 3
            design.basisValues[4 * m] = b0; design.basisValues[4 * m + 1] = b1
            design.basisValues[4 * m + 2] = b2; design.basisValues[4 * m + 3] = b3
            for q in 0..<4 {
                start[l - 3 + q] = min(start[l - 3 + q], m)
                end[l - 3 + q] = max(end[l - 3 + q], m + 1)
            }
        }
        // W·kʷ·χ_μ over the whole grid, then W·kʷ·Bⱼ over each support, in one buffer.
        var offset = [Int](repeating: 0, count: nspl + 1)
        offset[0] = nk
        for j in 0..<nspl { offset[j + 1] = offset[j] + max(0, end[j] - start[j]) }
        var vectors = [Double](repeating: 0, count: offset[nspl])
        for m in 0..<nk { vectors[m] = design.chiMu[m] * ftwin[m] }
        for j in 0..<nspl where start[j] < end[j] {
            for m in start[j]..<end[j] { vectors[offset[j] + m - start[j]] = ftwin[m] * design.basisValues[4 * m + j - design.firstBasis[m]] }
        }
        // Row pairs (cos, sin) of each frequency against every vector: each row pair is read from
        // memory once and stays in cache while the vectors pass.
        var products = [Double](repeating: 0, count: (nspl + 1) * nOut)  // vector v at v·nOut
        let stride = rows.stride
        rows.rows.withUnsafeBufferPointer { rb in
            vectors.withUnsafeBufferPointer { vb in
                products.withUnsafeMutableBufferPointer { pb in
                    for f in 0..<(nOut / 2) {
                        let cosRow = rb.baseAddress! + 2 * f * stride, sinRow = cosRow + stride
                        (pb[2 * f], pb[2 * f + 1]) = dotProductPair(cosRow, sinRow, vb.baseAddress!, nk)
                        for j in 0..<nspl where start[j] < end[j] {
                            let s = start[j]
                            (pb[(j + 1) * nOut + 2 * f], pb[(j + 1) * nOut + 2 * f + 1]) =
                                dotProductPair(cosRow + s, sinRow + s, vb.baseAddress! + offset[j], end[j] - s)
                        }
                    }
                }
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

/// (Σ a[i]·x[i], Σ b[i]·x[i]) for i < n: two rows against one vector, each x loaded once.
@inline(__always)
func dotProductPair(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ x: UnsafePointer<Double>, _ n: Int) -> (Double, Double) {
    var a0 = SIMD4<Double>(), a1 = SIMD4<Double>(), b0 = SIMD4<Double>(), b1 = SIMD4<Double>()
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b), rx = UnsafeRawPointer(x)
    var i = 0
    while i + 8 <= n {
        let x0 = rx.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self)
        let x1 = rx.loadUnaligned(fromByteOffset: i * 8 + 32, as: SIMD4<Double>.self)
        a0 += ra.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self) * x0
        a1 += ra.loadUnaligned(fromByteOffset: i * 8 + 32, as: SIMD4<Double>.self) * x1
        b0 += rb.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self) * x0
        b1 += rb.loadUnaligned(fromByteOffset: i * 8 + 32, as: SIMD4<Double>.self) * x1
        i += 8
    }
    var sa = (a0 + a1).sum(), sb = (b0 + b1).sum()
    while i < n { sa += a[i] * x[i]; sb += b[i] * x[i]; i += 1 }
    return (sa, sb)
}
