import Foundation
import XrayNumerics

/// The split matrix bin by bin (its transpose; pyFAI's own CSR layout): bin b's entries are
/// `start[b] ..< start[b + 1]` of `pixels` and `weights`, in pixel order.
///
/// The cake frame loop reads it, and sigma clipping's `BinPixels` is made from it. A cake has many bins (500 × 360 = 180,000), so the pixel-major
/// loop's per-thread accumulators over every bin (4 sums each, 5.8 MB per thread) cost more to
/// clear, fill at scattered places and merge than the pixels themselves; bin by bin, each worker
/// takes a contiguous run of bins, gathers their pixels' values and writes each bin's sums once.
struct BinMajorMatrix: Sendable {
    let start: [Int]
    let pixels: [Int32]
    let weights: [Float]
    /// Every weight is 1 (no splitting): the weights are not read.
    let unitWeights: Bool

    init(_ matrix: CSRMatrix, bins: Int) {
        var start = [Int](repeating: 0, count: bins + 1)
        for c in matrix.columnIndex { start[Int(c) + 1] += 1 }
        for b in 0..<bins { start[b + 1] += start[b] }
        var next = start
        var pixels = [Int32](repeating: 0, count: start[bins]), weights = [Float](repeating: 0, count: start[bins])
        var unit = true
        for p in 0..<(matrix.rowStart.count - 1) {
            for e in matrix.rowStart[p]..<matrix.rowStart[p + 1] {
                let b = Int(matrix.columnIndex[e])
                pixels[next[b]] = Int32(p)
                weights[next[b]] = matrix.values[e]
                if matrix.values[e] != 1 { unit = false }
                next[b] += 1
            }
        }
        self.start = start
        self.pixels = pixels
        self.weights = unit ? [] : weights
        unitWeights = unit
    }

    /// `parts` contiguous runs of bins holding about the same number of entries each.
    func binRanges(_ parts: Int) -> [Range<Int>] {
        let bins = start.count - 1, total = start[bins]
        guard parts > 1, total > 0 else { return [0..<bins] }
        var ranges: [Range<Int>] = []
        var lower = 0
        for k in 1..<parts {
            let target = total * k / parts
            var lo = lower, hi = bins
            while lo < hi {   // the first bin whose entries start at or after the target
                let mid = (lo + hi) / 2
                if start[mid] < target { lo = mid + 1 } else { hi = mid }
            }
            ranges.append(lower..<lo)
            lower = lo
        }
        ranges.append(lower..<bins)
        return ranges
    }
}

extension AzimuthalIntegrator {
    /// The cake frame loop over the bin-major matrix: per bin the signal Σ c·raw and the Poisson
    /// variance Σ c²·max(raw, 1) (pyFAI's definitions, as the other loops), the normalisation and
    /// count from the static sums; each of `threads` workers fills its own run of bins, reading
    /// the pixel values in their stored type.
    ///
    /// Returns nil when a pixel outside the static mask is invalid in this frame (NaN, negative
    /// with `maskNegative`, the dummy): the static sums would then be wrong and the caller takes
    /// the general loop. The validity tests do not branch (or-ed into a flag, as in the 1-D pass).
    func accumulateCells<T: FramePixel>(_ raw: UnsafeBufferPointer<T>, cells: BinMajorMatrix, validity: ValidityRule,
                                        threads: Int) -> (signal: [Double], variance: [Double])? {
        let n = rows * columns
        guard raw.count >= n else { return nil }
        let bins = cells.start.count - 1
        var signal = [Double](repeating: 0, count: bins), variance = signal
        let ranges = cells.binRanges(max(1, threads))
        var valid = [Bool](repeating: true, count: ranges.count)
        signal.withUnsafeMutableBufferPointer { sig in
        variance.withUnsafeMutableBufferPointer { vr in
        valid.withUnsafeMutableBufferPointer { ok in
            // Each worker writes only its own bins and its own flag; the inputs are only read.
            nonisolated(unsafe) let sig = sig, vr = vr, ok = ok, values = raw
            if ranges.count == 1 {
                ok[0] = Self.cellPass(values, cells: cells, bins: ranges[0], validity: validity, signal: sig, variance: vr)
            } else {
                DispatchQueue.concurrentPerform(iterations: ranges.count) { k in
                    ok[k] = Self.cellPass(values, cells: cells, bins: ranges[k], validity: validity, signal: sig, variance: vr)
                }
            }
        }}}
        guard valid.allSatisfy({ $0 }) else { return nil }
        return (signal, variance)
    }

    /// One worker's run of bins: their sums written to `signal` and `variance`; false when a pixel
    /// read was invalid. One loop per weight kind and validity test (constants, so each loop holds
    /// only the tests this call needs).
    private static func cellPass<T: FramePixel>(_ values: UnsafeBufferPointer<T>, cells: BinMajorMatrix, bins: Range<Int>,
                                                validity: ValidityRule, signal: UnsafeMutableBufferPointer<Double>,
                                                variance: UnsafeMutableBufferPointer<Double>) -> Bool {
        let hasDummy = validity.dummy != nil, dummy = Float(validity.dummy ?? 0), delta = Float(validity.deltaDummy)
        return cells.start.withUnsafeBufferPointer { start in
        cells.pixels.withUnsafeBufferPointer { pixels in
        cells.weights.withUnsafeBufferPointer { weights in
            @inline(__always) func run(_ unit: Bool, _ testNegative: Bool, _ testDummy: Bool) -> Bool {
                var bad: UInt8 = 0
                for b in bins {
                    var s = 0.0, v = 0.0
                    for e in start[b]..<start[b &+ 1] {
                        let x = values[Int(pixels[e])].doubleValue
                        // !(x >= 0) is true for negatives and NaN: one comparison for both.
                        bad |= testNegative ? (!(x >= 0) ? 1 : 0) : (T.canBeNaN && x.isNaN ? 1 : 0)
                        if testDummy { bad |= AzimuthalIntegrator.ValidityRule.isDummy(Float(x), dummy: dummy, delta: delta) ? 1 : 0 }
                        if unit {
                            s += x
                            v += max(x, 1)
                        } else {
                            let c = Double(weights[e])
                            s += c * x
                            v += c * c * max(x, 1)
                        }
                    }
                    signal[b] = s
                    variance[b] = v
                }
                return bad == 0
            }
            @inline(__always) func run(_ unit: Bool) -> Bool {
                switch (validity.maskNegative, hasDummy) {
                case (false, false): return run(unit, false, false)
                case (true, false): return run(unit, true, false)
                case (false, true): return run(unit, false, true)
                case (true, true): return run(unit, true, true)
                }
            }
            return cells.unitWeights ? run(true) : run(false)
        }}}
    }
}
