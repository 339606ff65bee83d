import Foundation

/// A start geometry found from a calibrant image alone, for `calibrate` without a beam centre or a
/// distance: the beam centre as the point the rings are most nearly concentric about, then the
/// distance from the radii of the rings about it matched to the calibrant's 2θ.
///
/// - Centre: the image is high-passed (each valid pixel minus the mean of the valid pixels in its
///   9 × 9 neighbourhood) and its brightest 2 % (at most 40,000) kept (ring pixels, weighted by the excess). For a
///   trial centre, these pixels' distances are histogrammed; rings concentric about it pile into
///   few bins, so Σ (bin weight)² / bin width is largest at the beam centre. Searched on a grid
///   over the image and half its size around it (a centre off the detector, as on a SAXS frame
///   whose rings are arcs), 32 steps across (16 over the image), then ×¼ finer to ¼ pixel, the bin width half
///   the step (at least 1 px), so that coarse trials see the rings smeared no more than the step.
/// - Distance: the mean intensity in 1-pixel rings about that centre, less its 21-bin running
///   mean, gives the ring radii (local maxima 4 robust σ above, centroids of 5 bins). Each of
///   the 5 strongest is tried as each of the calibrant's first 12 rings: D = r · pixel / tan 2θ;
///   the hypothesis whose predicted rings (within the radii seen) meet the most observed radii
///   (within 1.5 px or 1 %), less half of those that meet none, wins.
/// - Evidence: accepted when at least 3 and half of the predicted rings are met, and 4.5 standard
///   deviations more than chance would meet (a predicted ring meets one of P radii spread over the
///   span seen with probability P · 2 tol / span). On the frames here the true starts score 5.5–6.9,
///   and frames that are not of the calibrant named (a protein crystal, a sample, one tilted arc)
///   −0.5 to 4.2 or meet fewer than half.
///
/// Tilts are not estimated (the refinement releases them); a strongly tilted detector's rings are
/// ellipses and the start is rougher.
public enum CalibrationStart {
    /// A found start: beam centre (Fit2D convention: x = column, y = row, pixels), distance (m),
    /// and the evidence.
    public struct Estimate: Sendable {
        public var centreX: Double
        public var centreY: Double
        public var distance: Double
        /// The calibrant ring (0-based) the reference radius was assigned to, and that radius (px).
        public var ring: Int
        public var radius: Double
        /// Observed ring radii matched by the predicted rings, of the predicted rings inside the radii seen.
        public var matched: Int
        public var predicted: Int
        /// How far the matches exceed those expected by chance from as many radii spread over the
        /// radii seen, in standard deviations.
        public var significance: Double
    }

    /// The beam centre (x = column, y = row, pixels) about which the image's rings are most nearly
    /// concentric, or nil when the image has too few valid pixels.
    public static func beamCentre(frame: [Double], rows: Int, columns: Int, mask: [Bool]) -> (x: Double, y: Double)? {
        guard let ring = ringPixels(frame: frame, rows: rows, columns: columns, mask: mask) else { return nil }
        var step = Double(max(rows, columns)) / 16
        var ys = Array(stride(from: -0.5 * Double(rows), through: 1.5 * Double(rows), by: step))
        var xs = Array(stride(from: -0.5 * Double(columns), through: 1.5 * Double(columns), by: step))
        let diagonal = 2.5 * (Double(rows * rows + columns * columns)).squareRoot()
        var best = (y: 0.0, x: 0.0)
        var histogram = [Double](repeating: 0, count: Int(diagonal) + 2)
        while true {
            let width = max(1, step / 2)
            var bestScore = -1.0
            for y in ys {
                for x in xs {
                    let s = concentration(ring, y: y, x: x, width: width, histogram: &histogram)
                    if s > bestScore { bestScore = s; best = (y, x) }
                }
            }
            if step <= 0.25 { break }
            step /= 4
            ys = (-6...6).map { best.y + Double($0) * step }
            xs = (-6...6).map { best.x + Double($0) * step }
        }
        return (best.x, best.y)
    }

    /// The distance (m) that puts the calibrant's rings on the rings seen about `centre`, or nil.
    public static func distance(frame: [Double], rows: Int, columns: Int, mask: [Bool], centre: (x: Double, y: Double),
                                pixel: Double, wavelength: Double, calibrant: Calibrant) -> Estimate? {
        // Mean intensity in 1-pixel rings about the centre.
        let maxRadius = Int((Double(rows * rows + columns * columns)).squareRoot() + abs(centre.x) + abs(centre.y)) + 2
        var sum = [Double](repeating: 0, count: maxRadius), count = [Int](repeating: 0, count: maxRadius)
        for i in 0..<rows {
            let dy = Double(i) + 0.5 - centre.y
            for j in 0..<columns where !mask[i * columns + j] {
                let dx = Double(j) + 0.5 - centre.x
                let b = Int((dx * dx + dy * dy).squareRoot())
                if b < maxRadius { sum[b] += frame[i * columns + j]; count[b] += 1 }
            }
        }
        let n = maxRadius
        let profile = (0..<n).map { count[$0] > 0 ? sum[$0] / Double(count[$0]) : 0 }
        let usable = (0..<n).map { count[$0] >= 20 }
        // Less its 21-bin running mean.
        var high = [Double](repeating: 0, count: n)
        for b in 0..<n {
            let lo = max(0, b - 10), hi = min(n - 1, b + 10)
            var s = 0.0
            for k in lo...hi { s += profile[k] }
            high[b] = profile[b] - s / Double(hi - lo + 1)
        }
        let deviations = (0..<n).filter { usable[$0] }.map { abs(high[$0]) }.sorted()
        guard deviations.count > 20 else { return nil }
        let noise = 1.4826 * deviations[deviations.count / 2] + 1e-12
        var peaks: [(radius: Double, strength: Double)] = []
        for b in 2..<max(2, n - 2) where usable[b] && high[b] > 4 * noise && high[b] == high[(b - 2)...(b + 2)].max() {
            var w = 0.0, r = 0.0
            for k in (b - 2)...(b + 2) { let h = max(0, high[k]); w += h; r += h * (Double(k) + 0.5) }
            peaks.append((r / w, high[b] / noise))
        }
        guard peaks.count >= 3, let seenMax = (0..<n).last(where: { usable[$0] }) else { return nil }
        let radii = peaks.map(\.radius), smallest = radii.min()!
        let angles = calibrant.dSpacings.compactMap { d -> Double? in
            let s = wavelength * 1e10 / (2 * d)
            return s < 1 ? 2 * asin(s) : nil
        }.filter { $0 < .pi / 2 }.sorted()
        var best: (score: Double, estimate: Estimate)?
        for reference in peaks.sorted(by: { $0.strength > $1.strength }).prefix(5) {
            for (j, angle) in angles.prefix(12).enumerated() {
                let d = reference.radius * pixel / tan(angle)
                let predicted = angles.map { d * tan($0) / pixel }.filter { $0 > 0.8 * smallest && $0 < Double(seenMax) }
                let matched = predicted.filter { p in radii.contains { abs($0 - p) < max(1.5, 0.01 * p) } }.count
                let score = Double(matched) - 0.5 * Double(predicted.count - matched)
                if best == nil || score > best!.score {
                    // Chance: a predicted ring meets one of the P radii seen with probability P · 2 tol / span.
                    let span = Double(seenMax) - 0.8 * smallest
                    let chances = predicted.map { min(1, Double(radii.count) * 2 * max(1.5, 0.01 * $0) / span) }
                    let expected = chances.reduce(0, +), spread = chances.reduce(0) { $0 + $1 * (1 - $1) }.squareRoot()
                    best = (score, Estimate(centreX: centre.x, centreY: centre.y, distance: d, ring: j, radius: reference.radius,
                                            matched: matched, predicted: predicted.count,
                                            significance: (Double(matched) - expected) / max(spread, 0.3)))
                }
            }
        }
        guard let found = best?.estimate, found.matched >= 3, 2 * found.matched >= found.predicted, found.significance >= 4.5 else { return nil }
        return found
    }

    /// The bright ring pixels: (row, column) centres and their excess over the 9 × 9 mean.
    struct RingPixels {
        var y: [Double]
        var x: [Double]
        var weight: [Double]
    }

    static func ringPixels(frame: [Double], rows: Int, columns: Int, mask: [Bool]) -> RingPixels? {
        // Integral images of the valid values and of the valid count.
        let w = columns + 1
        var s = [Double](repeating: 0, count: (rows + 1) * w), c = [Double](repeating: 0, count: (rows + 1) * w)
        for i in 0..<rows {
            var rowSum = 0.0, rowCount = 0.0
            for j in 0..<columns {
                if !mask[i * columns + j], frame[i * columns + j].isFinite { rowSum += frame[i * columns + j]; rowCount += 1 }
                s[(i + 1) * w + j + 1] = s[i * w + j + 1] + rowSum
                c[(i + 1) * w + j + 1] = c[i * w + j + 1] + rowCount
            }
        }
        var excess = [Double](repeating: -.infinity, count: rows * columns)
        var values: [Double] = []
        values.reserveCapacity(rows * columns)
        for i in 0..<rows {
            let i0 = max(0, i - 4), i1 = min(rows, i + 5)
            for j in 0..<columns where !mask[i * columns + j] && frame[i * columns + j].isFinite {
                let j0 = max(0, j - 4), j1 = min(columns, j + 5)
                let total = s[i1 * w + j1] - s[i0 * w + j1] - s[i1 * w + j0] + s[i0 * w + j0]
                let n = c[i1 * w + j1] - c[i0 * w + j1] - c[i1 * w + j0] + c[i0 * w + j0]
                let e = frame[i * columns + j] - total / n
                excess[i * columns + j] = e
                values.append(e)
            }
        }
        guard values.count >= 1000 else { return nil }
        // The brightest 2 %, at most 40,000 pixels (a Pilatus 6M frame: its brightest 0.7 %).
        let k = values.count - min(values.count / 50, 40_000)
        values.sort()
        let threshold = values[min(k, values.count - 1)]
        var ring = RingPixels(y: [], x: [], weight: [])
        for i in 0..<rows {
            for j in 0..<columns where excess[i * columns + j] > threshold {
                ring.y.append(Double(i) + 0.5)
                ring.x.append(Double(j) + 0.5)
                ring.weight.append(excess[i * columns + j])
            }
        }
        return ring.weight.count >= 50 ? ring : nil
    }

    /// Σ (histogram bin weight)² / bin width of the ring pixels' distances from (x, y).
    static func concentration(_ ring: RingPixels, y: Double, x: Double, width: Double, histogram: inout [Double]) -> Double {
        let inverse = 1 / width
        var top = 0
        ring.y.withUnsafeBufferPointer { ys in
            ring.x.withUnsafeBufferPointer { xs in
                ring.weight.withUnsafeBufferPointer { ws in
                    histogram.withUnsafeMutableBufferPointer { h in
                        for k in 0..<ws.count {
                            let dy = ys[k] - y, dx = xs[k] - x
                            let b = min(Int((dx * dx + dy * dy).squareRoot() * inverse), h.count - 1)
                            h[b] += ws[k]
                            if b > top { top = b }
                        }
                    }
                }
            }
        }
        var score = 0.0
        for b in 0...top { score += histogram[b] * histogram[b]; histogram[b] = 0 }
        return score / width
    }
}
