import Foundation
import XrayCore

/// Finds calibrant-ring pixels in a detector frame, given an approximate geometry.
///
/// A radial peak picker in the spirit of pyFAI's calibration (which climbs from seed pixels to the
/// local maximum of the blurred image and keeps the maxima above a threshold, `massif`/
/// `peak_picker`): every unmasked pixel within `halfWidth[k]` of the expected 2θ of ring k is
/// assigned to that ring (the nearest ring in 2θ) and to one of the ring's azimuthal sectors (χ
/// sectors about 4 pixels of arc wide). In each sector the brightest pixel is kept when it is a
/// local maximum of its 3 × 3 neighbourhood and stands above the ring's background (the median
/// over the wider annulus of half the ring spacing) by more than `threshold` robust standard deviations (1.4826 × median absolute
/// deviation, at least √median, Poisson) and by half the ring's typical height (the median over
/// sectors of their brightest pixel above the background). Its position is then refined to the intensity
/// centroid (above the background) of its 5 × 5 neighbourhood, which is sub-pixel across the ring.
struct RingPicker {
    let frame: [Double]
    let rows: Int
    let columns: Int
    let mask: [Bool]
    var threshold: Double = 5

    /// `halfWidth`: the window (rad) in which ring pixels are picked; `backgroundHalfWidth`: the wider
    /// window whose pixels give the ring's background statistics.
    func pick(geometry g: PONIGeometry, rings: [Int], ringTwoTheta: [Double], halfWidth: [Double], backgroundHalfWidth: [Double]) -> [ControlPoint] {
        guard !rings.isEmpty else { return [] }
        let m = PixelGeometry.Rotation(g)
        let shift = g.spline.map { PixelDisplacements(spline: $0, rows: rows, columns: columns, corners: false, area: false) }
        let centres = rings.map { ringTwoTheta[$0] }
        // Sectors: ~4 px of arc, between 36 and 720 per ring.
        let sectors = rings.map { k -> Int in
            let radius = g.distance * tan(ringTwoTheta[k]) / min(g.pixel1, g.pixel2)
            return min(720, max(36, Int(2 * .pi * radius / 4)))
        }
        var best = [[Int]](repeating: [], count: rings.count)
        for a in rings.indices { best[a] = [Int](repeating: -1, count: sectors[a]) }
        var annulus = [[Double]](repeating: [], count: rings.count)
        for i in 0..<rows {
            for j in 0..<columns {
                let idx = i * columns + j
                if mask[idx] { continue }
                let v = frame[idx]
                guard v.isFinite else { continue }
                let p = PixelGeometry.position(Double(i) + 0.5 + Double(shift?.centreY[idx] ?? 0), Double(j) + 0.5 + Double(shift?.centreX[idx] ?? 0), g, m)
                // Nearest expected ring (centres ascend).
                var lo = 0, hi = centres.count - 1
                while hi - lo > 1 { let mid = (lo + hi) / 2; if centres[mid] < p.tth { lo = mid } else { hi = mid } }
                let a = abs(centres[lo] - p.tth) <= abs(centres[hi] - p.tth) ? lo : hi
                let offset = abs(centres[a] - p.tth)
                guard offset <= max(halfWidth[a], backgroundHalfWidth[a]) else { continue }
                annulus[a].append(v)
                guard offset <= halfWidth[a] else { continue }
                let s = min(sectors[a] - 1, max(0, Int((p.chi + .pi) / (2 * .pi) * Double(sectors[a]))))
                let b = best[a][s]
                if b < 0 || frame[b] < v { best[a][s] = idx }
            }
        }
        var points: [ControlPoint] = []
        for a in rings.indices where annulus[a].count > 8 {
            var values = annulus[a]
            values.sort()
            let median = values[values.count / 2]
            var deviations = values.map { abs($0 - median) }
            deviations.sort()
            let sigma = max(1.4826 * deviations[deviations.count / 2], max(median, 1).squareRoot())
            // The ring's typical peak height: the median over sectors of the brightest pixel; a pick
            // must reach half of it above the background (keeps diffuse scattering and noise out).
            var heights = best[a].filter { $0 >= 0 }.map { frame[$0] - median }
            heights.sort()
            let typical = heights.isEmpty ? 0 : heights[heights.count / 2]
            let floor = median + max(threshold * sigma, 0.5 * typical)
            for idx in best[a] where idx >= 0 && frame[idx] > floor {
                let i = idx / columns, j = idx % columns
                if !isLocalMaximum(i, j) { continue }
                var sw = 0.0, si = 0.0, sj = 0.0
                for di in -2...2 {
                    for dj in -2...2 {
                        let ii = i + di, jj = j + dj
                        guard ii >= 0, ii < rows, jj >= 0, jj < columns else { continue }
                        let k = ii * columns + jj
                        guard !mask[k], frame[k].isFinite else { continue }
                        let w = frame[k] - median
                        if w > 0 { sw += w; si += w * Double(ii); sj += w * Double(jj) }
                    }
                }
                guard sw > 0 else { continue }
                points.append(ControlPoint(row: si / sw, column: sj / sw, ring: rings[a]))
            }
        }
        return points
    }

    private func isLocalMaximum(_ i: Int, _ j: Int) -> Bool {
        let v = frame[i * columns + j]
        for di in -1...1 {
            for dj in -1...1 where di != 0 || dj != 0 {
                let ii = i + di, jj = j + dj
                guard ii >= 0, ii < rows, jj >= 0, jj < columns else { continue }
                let k = ii * columns + jj
                if !mask[k] && frame[k] > v { return false }
            }
        }
        return true
    }
}
