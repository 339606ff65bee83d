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
    /// The corners' χ made continuous for a pixel across χ = ±π (pyFAI `_recenter`, discontinuity at
    /// π): crossed when 0.5·(C−A)₀(D−B)₁ − (C−A)₁(D−B)₀ > 0 (pyFAI's approximate area, as written);
    /// then the negative χ move up by 2π, and all down by 2π if their mean is beyond π.
    /// `mirrored`: the orientation reverses one axis (2 or 4), so the corners run the other way round
    /// and the test's sign is reversed (pyFAI `_corner_sign`).
    static func recentred(radial: (Double, Double, Double, Double), chi: (Double, Double, Double, Double),
                          mirrored: Bool = false) -> (Double, Double, Double, Double) {
        var (a1, b1, c1, d1) = chi
        let (a0, b0, c0, d0) = radial
        let area = 0.5 * ((c0 - a0) * (d1 - b1)) - ((c1 - a1) * (d0 - b0))
        guard (mirrored ? -area : area) > 0 else { return chi }
        let period = 2 * Double.pi
        func up(_ x: Double) -> Double { x < 0 ? x + period : x }
        a1 = up(a1); b1 = up(b1); c1 = up(c1); d1 = up(d1)
        if 0.25 * (a1 + b1 + c1 + d1) > Double.pi {
            a1 -= period; b1 -= period; c1 -= period; d1 -= period
        }
        return (a1, b1, c1, d1)
    }

    /// The bins and weights of one pixel, in increasing bin order (zero weights included, as
    /// pyFAI's matrix holds them), or nothing when the pixel lies outside the bins or the χ sector.
    /// - Parameters:
    ///   - radial: the corners' radial values (internal units), A, B, C, D.
    ///   - chi: the corners' χ (rad), A, B, C, D.
    ///   - lo, step, bins: the radial binning.
    ///   - sector: a χ sector (rad): a pixel wholly outside it is left out, otherwise kept whole.
    ///   - buffer: scratch of `bins` zeros (left zeroed).
    static func spread(radial: (Double, Double, Double, Double), chi: (Double, Double, Double, Double),
                       lo: Double, step: Double, bins: Int, sector: (Double, Double)?, mirrored: Bool = false,
                       buffer: inout [Float], into out: inout [(Int, Double)]) {
        out.removeAll(keepingCapacity: true)
        let (a1, b1, c1, d1) = recentred(radial: radial, chi: chi, mirrored: mirrored)
        let (ra, rb, rc, rd) = radial
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

extension FullPixelSplit {
    /// The cake bins and weights of one pixel for full splitting in 2-D, as pyFAI 2026.9's
    /// `FullSplitIntegrator.calc_lut_2d` makes them: after the same recentring across χ = ±π, a
    /// pixel wholly outside [radialLow, radialHigh] × [chiLow, chiEnd) is left out; otherwise its
    /// corners are clamped into the range and taken to bin coordinates, and each edge's signed
    /// area in every radial bin is laid into a box of cells column by column, from the box's lowest
    /// χ row up, one row height at a time (pyFAI's `_integrate2d`, in float32 as it computes; exact
    /// where an edge is flat within a radial bin, and what pyFAI's matrix holds). Weights are the
    /// cells over the box's total. Entries are `(chiBin * radialBins + radialBin, weight)`.
    /// - Parameters:
    ///   - radialHigh, chiHigh: the largest positions in range (pyFAI's `pos0_maxin`, `pos1_maxin`);
    ///     `chiEnd` the χ bins' upper edge (`pos1_max`).
    ///   - box: scratch cells (grown as needed, left zeroed).
    static func spread2D(radial: (Double, Double, Double, Double), chi: (Double, Double, Double, Double),
                         radialLow: Double, radialHigh: Double, radialStep: Double, radialBins: Int,
                         chiLow: Double, chiHigh: Double, chiEnd: Double, chiStep: Double, chiBins: Int, mirrored: Bool = false,
                         box: inout [Float], into out: inout [(Int, Double)]) {
        out.removeAll(keepingCapacity: true)
        var (a1, b1, c1, d1) = recentred(radial: radial, chi: chi, mirrored: mirrored)
        var (a0, b0, c0, d0) = radial
        guard max(a0, b0, c0, d0) >= radialLow, min(a0, b0, c0, d0) <= radialHigh,
              max(a1, b1, c1, d1) >= chiLow, min(a1, b1, c1, d1) < chiEnd else { return }
        func radialBin(_ x: Double) -> Double { (min(max(x, radialLow), radialHigh) - radialLow) / radialStep }
        func chiBin(_ x: Double) -> Double { (min(max(x, chiLow), chiHigh) - chiLow) / chiStep }
        a0 = radialBin(a0); b0 = radialBin(b0); c0 = radialBin(c0); d0 = radialBin(d0)
        a1 = chiBin(a1); b1 = chiBin(b1); c1 = chiBin(c1); d1 = chiBin(d1)
        let min0 = min(a0, b0, c0, d0), max0 = max(a0, b0, c0, d0)
        let min1 = min(a1, b1, c1, d1), max1 = max(a1, b1, c1, d1)
        guard min0.isFinite, max0.isFinite, min1.isFinite, max1.isFinite else { return }
        let offset0 = min0.rounded(.down), offset1 = min1.rounded(.down)
        let w0 = Int(max0.rounded(.up) - offset0), w1 = Int(max1.rounded(.up) - offset1)
        guard w0 >= 0, w1 >= 0 else { return }
        let rows = w1 + 1
        let cells = (w0 + 1) * rows
        if box.count < cells { box = [Float](repeating: 0, count: cells) }
        a0 -= offset0; b0 -= offset0; c0 -= offset0; d0 -= offset0
        a1 -= offset1; b1 -= offset1; c1 -= offset1; d1 -= offset1
        box.withUnsafeMutableBufferPointer { cell in
            edge2D(a0, a1, b0, b1, cell, rows: rows)
            edge2D(b0, b1, c0, c1, cell, rows: rows)
            edge2D(c0, c1, d0, d1, cell, rows: rows)
            edge2D(d0, d1, a0, a1, cell, rows: rows)
            var sum = 0.0
            for i in 0..<w0 { for j in 0..<w1 { sum += Double(cell[i * rows + j]) } }
            let inverse = 1 / sum
            let r0 = Int(offset0), c0 = Int(offset1)
            for i in 0..<w0 {
                for j in 0..<w1 {
                    let r = r0 + i, a = c0 + j
                    if r >= 0, r < radialBins, a >= 0, a < chiBins { out.append((a * radialBins + r, Double(cell[i * rows + j]) * inverse)) }
                }
            }
            for k in 0..<cells { cell[k] = 0 }
        }
    }

    /// One edge (x0, y0) → (x1, y1) of a pixel in box coordinates (x: radial bins, y: χ bins from
    /// the box's bottom) laid into the box (`rows` cells per radial column) as pyFAI's `_integrate2d`
    /// does: in each radial column the edge's signed area ∫ y dx over the column's part of the edge
    /// is filled into the column's cells from row 0 up, each taking at most the part's width (a
    /// full row of it), the last the rest. Slope, intercept and areas are float32, as pyFAI's are.
    static func edge2D(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, _ cell: UnsafeMutableBufferPointer<Float>, rows: Int) {
        if x0 == x1 { return }
        let slope = Float((y1 - y0) / (x1 - x0))
        let intercept = Float(y1 - Double(slope) * x1)
        func area(_ from: Double, _ to: Double) -> Float {
            // In float32 throughout, as pyFAI's `_calc_area` is evaluated here (measured: a double
            // evaluation, or one with the 0.5 in double, moves single cells by up to 10 %).
            let f = Float(from), t = Float(to)
            return (t - f) * (0.5 * slope * (t + f) + intercept)
        }
        /// Lays `segmentArea` into column `column` in steps of `width`.
        func fill(_ column: Int, _ segmentArea: Float, _ width: Float) {
            if segmentArea == 0 { return }
            var remaining = abs(segmentArea)
            var dA = width
            var h = 0
            while remaining > 0 && h < rows {
                if dA > remaining {
                    dA = remaining
                    remaining = -1
                }
                let k = column * rows + h
                cell[k] = cell[k] + Float(copysign(Double(dA), Double(segmentArea)))
                remaining -= dA
                h += 1
            }
        }
        if x0 < x1 {
            var p = Float(x0.rounded(.up))
            var dP = Float(Double(p) - x0)
            if Double(p) > x1 {
                fill(Int(x0), area(x0, x1), Float(x1 - x0))
            } else {
                if dP > 0 { fill(Int(p) - 1, area(x0, Double(p)), dP) }
                var i = Int(Double(p).rounded(.down))
                while i < Int(x1.rounded(.down)) {
                    fill(i, area(Double(i), Double(i + 1)), 1)
                    i += 1
                }
                p = Float(x1.rounded(.down))
                dP = Float(x1 - Double(p))
                if dP > 0 { fill(Int(p), area(Double(p), x1), abs(dP)) }
            }
        } else {
            var p = Float(x0.rounded(.down))
            if x1 > Double(p) {
                fill(Int(x0), area(x0, x1), Float(x0 - x1))
            } else {
                var dP = Float(Double(p) - x0)
                if dP < 0 { fill(Int(p), area(x0, Double(p)), abs(dP)) }
                var i = Int(x0)
                while i > Int(x1.rounded(.up)) {
                    fill(i - 1, area(Double(i), Double(i - 1)), 1)
                    i -= 1
                }
                p = Float(x1.rounded(.up))
                dP = Float(x1 - Double(p))
                if dP < 0 { fill(Int(x1), area(Double(p), x1), abs(dP)) }
            }
        }
    }
}
