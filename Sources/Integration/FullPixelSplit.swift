import Foundation

/// Full pixel splitting for 1-D patterns, as pyFAI 2026.9 builds its `("full", "csr", "cython")`
/// matrix (`FullSplitIntegrator.calc_lut_1d`): a pixel is the quadrilateral of its four corners
/// A (i, j), B (i + 1, j), C (i + 1, j + 1), D (i, j + 1) in (radial, χ), corners rounded to float32
/// as pyFAI's corner array holds them; its weight in a radial bin is the part of its area that lies
/// in the bin's strip, over the part within the bins.
///
/// The area per bin is the signed integral of χ along each edge A→B→C→D→A over the bin's x
/// interval (x in bins), accumulated in float32 as pyFAI's buffer is; the sum of the four edges
/// is the polygon's area in the strip. A pixel whose x lies within one bin gets weight 1 there.
/// A pixel across the χ = ±π cut would have a corner on each side; pyFAI detects it by the sign of
/// an approximate area, 0.5·(C−A)₀(D−B)₁ − (C−A)₁(D−B)₀ (its formula, kept as it is: positive means
/// crossed for this corner order), moves the negative χ up by 2π and, if the centre is then beyond
/// π, every χ down by 2π.
enum FullPixelSplit {
    /// The bins and weights of one pixel, in increasing bin order (zero weights included, as
    /// pyFAI's matrix holds them), or nothing when the pixel lies outside the bins or the χ sector.
    /// - Parameters:
    ///   - radial: the corners' radial values (internal units), A, B, C, D.
    ///   - chi: the corners' χ (rad), A, B, C, D.
    ///   - lo, step, bins: the radial binning.
    ///   - sector: a χ sector (rad): a pixel wholly outside it is left out, otherwise kept whole.
    ///   - buffer: scratch of `bins` zeros (left zeroed).
    static func spread(radial: (Double, Double, Double, Double), chi: (Double, Double, Double, Double),
                       lo: Double, step: Double, bins: Int, sector: (Double, Double)?,
                       buffer: inout [Float], into out: inout [(Int, Double)]) {
        out.removeAll(keepingCapacity: true)
        var (a1, b1, c1, d1) = chi
        let (ra, rb, rc, rd) = radial
        // Recentre a pixel across the azimuthal discontinuity (pyFAI `_recenter`, chi discontinuity at π).
        let crossed = 0.5 * ((rc - ra) * (d1 - b1)) - ((c1 - a1) * (rd - rb))
        if crossed > 0 {
            let period = 2 * Double.pi
            func up(_ x: Double) -> Double { x < 0 ? x + period : x }
            a1 = up(a1); b1 = up(b1); c1 = up(c1); d1 = up(d1)
            if 0.25 * (a1 + b1 + c1 + d1) > Double.pi {
                a1 -= period; b1 -= period; c1 -= period; d1 -= period
            }
        }
        let a0 = (ra - lo) / step, b0 = (rb - lo) / step, c0 = (rc - lo) / step, d0 = (rd - lo) / step
        let min0 = min(a0, b0, c0, d0), max0 = max(a0, b0, c0, d0)
        guard min0.isFinite, max0.isFinite, max0 >= 0, min0 < Double(bins) else { return }
        if let (s0, s1) = sector {
            let min1 = min(a1, b1, c1, d1), max1 = max(a1, b1, c1, d1)
            if max1 < s0 || min1 > s1 { return }
        }
        let first = Int(min0.rounded(.down)), last = Int(max0.rounded(.down))
        if first == last {
            out.append((first, 1))
            return
        }
        let lowBin = max(0, first), highBin = min(bins, last + 1)
        buffer.withUnsafeMutableBufferPointer { buf in
            edge(a0, a1, b0, b1, buf)
            edge(b0, b1, c0, c1, buf)
            edge(c0, c1, d0, d1, buf)
            edge(d0, d1, a0, a1, buf)
            var sum = 0.0
            for b in lowBin..<highBin { sum += Double(buf[b]) }
            let inverse = 1 / sum
            for b in lowBin..<highBin {
                out.append((b, Double(buf[b]) * inverse))
                buf[b] = 0
            }
        }
    }

    /// Adds to each bin of [0, bins) the signed area under the segment (x0, y0) → (x1, y1) over
    /// the bin's part of [x0, x1] (x in bins): ∫ y dx, negative when x decreases. Each bin's
    /// addition is rounded into the float32 buffer.
    @inline(__always)
    static func edge(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, _ buf: UnsafeMutableBufferPointer<Float>) {
        if x1 == x0 { return }
        let slope = (y1 - y0) / (x1 - x0)
        let intercept = y0 - slope * x0
        @inline(__always) func area(_ from: Double, _ to: Double) -> Double { (to - from) * (0.5 * slope * (to + from) + intercept) }
        @inline(__always) func add(_ b: Int, _ v: Double) { buf[b] = Float(Double(buf[b]) + v) }
        let size = buf.count
        let i0 = Int(x0.rounded(.down)), i1 = Int(x1.rounded(.down))
        if i0 == i1 {
            if i0 >= 0 && i0 < size { add(i0, area(x0, x1)) }
            return
        }
        if x1 > x0 {
            if x0 >= 0 && x0 < Double(size) { add(i0, area(x0, (x0 + 1).rounded(.down))) }
            var i = max(i0 + 1, 0)
            while i < min(i1, size) { add(i, area(Double(i), Double(i + 1))); i += 1 }
            if x1 >= 0 && x1 < Double(size) { add(i1, area(Double(i1), x1)) }
        } else {
            if x0 >= 0 && x0 < Double(size) { add(i0, area(x0, Double(i0))) }
            var i = min(i0, size) - 1
            while i > max(i1, -1) { add(i, area(Double(i + 1), Double(i))); i -= 1 }
            if x1 >= 0 && x1 < Double(size) { add(i1, area((x1 + 1).rounded(.down), x1)) }
        }
    }
}
