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
        // A row's entries need not come in column order (SplitMatrix appends both ends of a box
        // before the bins between them): the span is from its smallest to its largest column.
        var first = [Int32](repeating: -1, count: n)
        var width = 1
        var unitWeights = true
        for p in 0..<n {
            let e0 = matrix.rowStart[p], e1 = matrix.rowStart[p + 1]
            guard e1 > e0 else { continue }
            var lo = matrix.columnIndex[e0], hi = lo
            for e in e0..<e1 {
                lo = min(lo, matrix.columnIndex[e])
                hi = max(hi, matrix.columnIndex[e])
                if matrix.values[e] != 1 { unitWeights = false }
            }
            let span = Int(hi - lo) + 1
            guard span == e1 - e0, span <= Self.maximumWidth else { return nil }   // consecutive, distinct
            first[p] = lo
            width = max(width, span)
        }
        if width == 1 && !unitWeights { width = 2 }   // a single fraction ≠ 1 keeps its weight
        var w = width == 1 ? [] : [Float](repeating: 0, count: width * n)
        if width > 1 {
            for p in 0..<n where first[p] >= 0 {
                for e in matrix.rowStart[p]..<matrix.rowStart[p + 1] { w[width * p + Int(matrix.columnIndex[e] - first[p])] += matrix.values[e] }
            }
        }
        firstBin = first
        weights = w
        self.width = width
        paddedBins = bins + width
    }
}
