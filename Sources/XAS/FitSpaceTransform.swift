import Foundation
import XrayNumerics

/// The linear map from windowed χ(k) to the residual points of an R- or q-space feffit residual,
/// as dense partial-DFT matrices (Larch's `xftf_fast` / `xftr_fast` restricted to the points the
/// residual uses).
///
/// The fit residual needs χ(R) only for rmin ≤ R < rmax (R space), or the back-transform only for
/// kmin ≤ q < kmax (q space), and χ(k) is non-zero only where the k window is. Summing the DFT over
/// those points directly, χ(R_j) = (kstep/√π)·Σₘ χₘ·kₘʷ·W(kₘ)·e^{−2πi·jm/N}, is exact (the zero
/// padding adds nothing) and, for the narrow R ranges of EXAFS fits, cheaper than the N-point FFT;
/// it is also a matrix product, so the Jacobian's columns go through it together.
/// q space applies a second map from the R points where the R window is non-zero:
/// χ(q_i) = Re (4√π/kstep)/N·Σⱼ W(Rⱼ)·χ(Rⱼ)·e^{+2πi·ij/N} (numpy's `ifft` normalisation).
struct FitSpaceTransform: Sendable {
    /// k points read: indices `firstInput..<inputCount` (below `firstInput` the k window is zero,
    /// so those points add nothing); each input vector of `apply` holds `inputWidth` values from there.
    let inputCount: Int
    let firstInput: Int
    var inputWidth: Int { inputCount - firstInput }
    /// Rows of the forward map, row-major, `inputWidth` long (k indices from `firstInput`): rows 2j and 2j+1 give Re and Im of
    /// χ(R) at the j-th R point kept (the k window and kstep/√π folded in, not the k-weight).
    let forwardRows: [Double]
    let forwardRowCount: Int
    /// q space only: rows of the back-transform from the interleaved χ(R) values to χ(q) (R window
    /// and scale folded in), each `forwardRowCount` long.
    let backRows: [Double]
    let backRowCount: Int

    /// Number of values `apply` writes per input vector.
    var outputCount: Int { backRowCount > 0 ? backRowCount : forwardRowCount }

    /// R space: χ(R) for R indices `rRange`; q space (`qRange` given): Re χ(q) for q indices
    /// `qRange`, through the R points where `rwin` is non-zero. `kwin` on k = kstep·i.
    init(nfft n: Int, kstep: Double, kwin: [Double], inputCount: Int, rRange: Range<Int>,
         rwin: [Double]? = nil, qRange: Range<Int>? = nil) {
        let table = DFTTable.shared(n)
        let mask = n - 1
        self.inputCount = inputCount
        let first = min(inputCount - 1, kwin.prefix(inputCount).firstIndex { $0 != 0 } ?? 0)
        firstInput = first
        let width = inputCount - first
        var rIndices = Array(rRange)
        if qRange != nil, let rwin {
            rIndices = (0..<min(n / 2, rwin.count)).filter { rwin[$0] != 0 }
        }
        let scale = kstep / Double.pi.squareRoot()
        var rows = [Double](repeating: 0, count: 2 * rIndices.count * width)
        for (row, j) in rIndices.enumerated() {
            var idx = (first * j) & mask
            let re = 2 * row * width, im = re + width
            for m in first..<inputCount {
                let v = scale * kwin[m]
                rows[re + m - first] = v * table.cos[idx]
                rows[im + m - first] = -v * table.sin[idx]
                idx = (idx + j) & mask
            }
        }
        forwardRows = rows
        forwardRowCount = 2 * rIndices.count
        if let qRange, let rwin {
            let qScale = 4 * Double.pi.squareRoot() / kstep / Double(n)
            let width = forwardRowCount
            var back = [Double](repeating: 0, count: qRange.count * width)
            for (row, i) in qRange.enumerated() {
                for (c, j) in rIndices.enumerated() {
                    let idx = (i * j) & mask
                    let w = qScale * rwin[j]
                    back[row * width + 2 * c] = w * table.cos[idx]
                    back[row * width + 2 * c + 1] = -w * table.sin[idx]
                }
            }
            backRows = back
            backRowCount = qRange.count
        } else {
            backRows = []
            backRowCount = 0
        }
    }

    /// Applies the map to `count` input vectors (each `inputWidth` long from k index `firstInput`,
    /// contiguous in `inputs`, already k-weighted and scaled), writing `outputCount` values per vector into `outputs`.
    func apply(_ inputs: UnsafePointer<Double>, count: Int, into outputs: UnsafeMutablePointer<Double>) {
        if backRowCount == 0 {
            forwardRows.withUnsafeBufferPointer { rows in
                multiply(rows.baseAddress!, rowCount: forwardRowCount, width: inputWidth, inputs, count: count, into: outputs)
            }
            return
        }
        let middle = UnsafeMutablePointer<Double>.allocate(capacity: forwardRowCount * count)
        defer { middle.deallocate() }
        forwardRows.withUnsafeBufferPointer { rows in
            multiply(rows.baseAddress!, rowCount: forwardRowCount, width: inputWidth, inputs, count: count, into: middle)
        }
        backRows.withUnsafeBufferPointer { rows in
            multiply(rows.baseAddress!, rowCount: backRowCount, width: forwardRowCount, UnsafePointer(middle), count: count, into: outputs)
        }
    }
}

/// out[v·rowCount + r] = Σₘ rows[r·width + m]·x[v·width + m] for `count` vectors x: each matrix
/// row is read once per four vectors (SIMD accumulators, one per vector).
func multiply(_ rows: UnsafePointer<Double>, rowCount: Int, width: Int, _ x: UnsafePointer<Double>, count: Int,
              into out: UnsafeMutablePointer<Double>) {
    let raw = UnsafeRawPointer(rows), xr = UnsafeRawPointer(x)
    let stride = width * 8
    var v = 0
    while v + 4 <= count {
        let x0 = v * stride, x1 = x0 + stride, x2 = x1 + stride, x3 = x2 + stride
        for r in 0..<rowCount {
            let base = r * stride
            var a0 = SIMD4<Double>(), a1 = SIMD4<Double>(), a2 = SIMD4<Double>(), a3 = SIMD4<Double>()
            var m = 0
            while m + 4 <= width {
                let o = m * 8
                let row = raw.loadUnaligned(fromByteOffset: base + o, as: SIMD4<Double>.self)
                a0 += row * xr.loadUnaligned(fromByteOffset: x0 + o, as: SIMD4<Double>.self)
                a1 += row * xr.loadUnaligned(fromByteOffset: x1 + o, as: SIMD4<Double>.self)
                a2 += row * xr.loadUnaligned(fromByteOffset: x2 + o, as: SIMD4<Double>.self)
                a3 += row * xr.loadUnaligned(fromByteOffset: x3 + o, as: SIMD4<Double>.self)
                m += 4
            }
            var s0 = a0.sum(), s1 = a1.sum(), s2 = a2.sum(), s3 = a3.sum()
            while m < width {
                let e = rows[r * width + m]
                s0 += e * x[v * width + m]; s1 += e * x[(v + 1) * width + m]
                s2 += e * x[(v + 2) * width + m]; s3 += e * x[(v + 3) * width + m]
                m += 1
            }
            out[v * rowCount + r] = s0; out[(v + 1) * rowCount + r] = s1
            out[(v + 2) * rowCount + r] = s2; out[(v + 3) * rowCount + r] = s3
        }
        v += 4
    }
    while v < count {
        for r in 0..<rowCount { out[v * rowCount + r] = dotProduct(rows + r * width, x + v * width, width) }
        v += 1
    }
}
