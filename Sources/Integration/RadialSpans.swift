import Foundation
import XrayNumerics

/// A 1-D split matrix in a fixed-width layout for the frame loop: every pixel contributes to
/// `width` consecutive bins starting at `firstBin[p]` (−1: the pixel contributes nothing), with
/// the fractions `weights[width·p ..< width·p + width]` (0 where a pixel covers fewer bins).
///
/// The same weights as the CSR rows of `SplitMatrix` (bounding-box splitting gives consecutive
/// bins, and at most 3 or 4 of them at the usual bin widths): the per-pixel loop then has no
/// data-dependent inner trip count, so it runs without branch mispredictions, and reads 4 bytes
/// of bin index per pixel instead of a row start and a column per entry. Bins past the last
/// (`radialBins ..< radialBins + width`) only ever receive zero weights and are dropped.
/// Without splitting (`width == 1`, every weight 1) the weights are not stored.
struct RadialSpans: Sendable {
    let firstBin: [Int32]
    let weights: [Float]
    let width: Int
    /// Bins over which the accumulators run (`radialBins + width`).
    let paddedBins: Int

    /// The widest row this layout takes (wider rows keep the CSR loop).
    static let maximumWidth = 4

    /// The layout of `matrix` (one row per pixel), or nil when a row's columns are not
    /// consecutive, a row is wider than `maximumWidth`, or the matrix has several azimuthal bins.
    init?(_ matrix: CSRMatrix, pixels n: Int, bins: Int) {
        var width = 1
        var unitWeights = true
        for p in 0..<n {
            let e0 = matrix.rowStart[p], e1 = matrix.rowStart[p + 1]
            if e1 - e0 > Self.maximumWidth { return nil }
            width = max(width, e1 - e0)
            for e in e0..<e1 {
                if e > e0 && matrix.columnIndex[e] != matrix.columnIndex[e - 1] + 1 { return nil }
                if matrix.values[e] != 1 { unitWeights = false }
            }
        }
        if width == 1 && !unitWeights { width = 2 }   // a single fraction ≠ 1 keeps its weight
        var first = [Int32](repeating: -1, count: n)
        var w = width == 1 ? [] : [Float](repeating: 0, count: width * n)
        for p in 0..<n {
            let e0 = matrix.rowStart[p], e1 = matrix.rowStart[p + 1]
            guard e1 > e0 else { continue }
            first[p] = matrix.columnIndex[e0]
            if width > 1 { for e in e0..<e1 { w[width * p + e - e0] = matrix.values[e] } }
        }
        firstBin = first
        weights = w
        self.width = width
        paddedBins = bins + width
    }
}
