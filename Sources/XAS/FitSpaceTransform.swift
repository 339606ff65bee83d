import Foundation
import XrayNumerics

/// The linear map from windowed χ(k) to the residual points of an R- or q-space feffit residual,
/// as dense partial-DFT matrices (Larch's `xftf_fast` / `xftr_fast` restricted to the points the
/// residual uses).
///
/// The fit residual needs χ(R) only for rmin ≤ R < rmax (R space), or the back-transform only for
/// kmin ≤ q < kmax (q space), and χ(k) is non-zero only where the k window is. Summing the DFT over
/// those points directly, χ(R_j) = (kstep/√π)·Σₘ yₘ·e^{−iθⱼm} with yₘ = χₘ·kₘʷ·W(kₘ) and
/// θⱼ = 2πj/N, is exact (the zero padding adds nothing) and, for the narrow R ranges of EXAFS fits,
/// cheaper than the N-point FFT; it is also a matrix product, so the Jacobian's columns go through
/// it together.
///
/// The input is real, so the sum is folded about a centre point c of the k range (the
/// "folded" real DFT): with eᵤ = y_{c+u} + y_{c−u}, oᵤ = y_{c+u} − y_{c−u} (e₀ = y_c, o₀ = 0),
/// Σₘ yₘe^{−iθm} = e^{−iθc}·(Σᵤ eᵤ·cos θu − i·Σᵤ oᵤ·sin θu), which takes half the multiply-adds of
/// the direct sum (same value up to rounding).
/// q space applies a second map from the R points where the R window is non-zero:
/// χ(q_i) = Re (4√π/kstep)/N·Σⱼ W(Rⱼ)·χ(Rⱼ)·e^{+2πi·ij/N} (numpy's `ifft` normalisation).
struct FitSpaceTransform: Sendable {
    /// k points read: indices `firstInput..<inputCount` (below `firstInput` the k window is zero,
    /// so those points add nothing); each input vector of `apply` holds `inputWidth` values from there.
    let inputCount: Int
    let firstInput: Int
    var inputWidth: Int { inputCount - firstInput }
    /// The k window on the points read (`inputWidth` long).
    let window: [Double]
    /// Centre of the fold (index into an input vector) and the number of folded terms u = 0…half.
    let centre: Int
    let foldedWidth: Int
    /// Per R point kept: (kstep/√π)·cos θu and (kstep/√π)·sin θu for u < `foldedWidth` (rows of the
    /// cosine and sine matrices, `foldedWidth` long), and cos θc, sin θc of the rotation back.
    let cosineRows: [Double]
    let sineRows: [Double]
    let rotation: [(cos: Double, sin: Double)]
    /// Number of forward outputs: Re and Im (rows 2j and 2j+1) of χ(R) at each R point kept.
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
        window = (first..<inputCount).map { $0 < kwin.count ? kwin[$0] : 0 }
        let c = width / 2
        centre = c
        let half = max(c, width - 1 - c) + 1
        foldedWidth = half
        var rIndices = Array(rRange)
        if qRange != nil, let rwin {
            rIndices = (0..<min(n / 2, rwin.count)).filter { rwin[$0] != 0 }
        }
        let scale = kstep / Double.pi.squareRoot()
        var cosines = [Double](repeating: 0, count: rIndices.count * half), sines = cosines
        var rotation: [(cos: Double, sin: Double)] = []
        cosines.withUnsafeMutableBufferPointer { cr in
            sines.withUnsafeMutableBufferPointer { sr in
                table.cos.withUnsafeBufferPointer { tc in
                    table.sin.withUnsafeBufferPointer { ts in
                        for (row, j) in rIndices.enumerated() {
                            var idx = 0
                            let base = row * half
                            for u in 0..<half {
                                cr[base + u] = scale * tc[idx]
                                sr[base + u] = scale * ts[idx]
                                idx = (idx + j) & mask
                            }
                            let phase = (j * ((first + c) & mask)) & mask
                            rotation.append((tc[phase], ts[phase]))
                        }
                    }
                }
            }
        }
        cosineRows = cosines
        sineRows = sines
        self.rotation = rotation
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
        let width = inputWidth, half = foldedWidth, c = centre, points = forwardRowCount / 2
        // Folded inputs (windowed): even parts of all vectors, then odd parts.
        let folded = UnsafeMutablePointer<Double>.allocate(capacity: 2 * half * count)
        defer { folded.deallocate() }
        let even = folded, odd = folded + half * count
        window.withUnsafeBufferPointer { w in
            for v in 0..<count {
                let x = inputs + v * width, e = even + v * half, o = odd + v * half
                e[0] = x[c] * w[c]; o[0] = 0
                for u in 1..<max(1, half) {
                    let up = c + u < width ? x[c + u] * w[c + u] : 0
                    let down = c - u >= 0 ? x[c - u] * w[c - u] : 0
                    e[u] = up + down; o[u] = up - down
                }
            }
        }
        // A = C·e, B = S·o per vector and R point; χ(R) = e^{−iθc}(A − iB).
        let sums = UnsafeMutablePointer<Double>.allocate(capacity: 2 * points * count)
        defer { sums.deallocate() }
        cosineRows.withUnsafeBufferPointer { rows in
            multiply(rows.baseAddress!, rowCount: points, width: half, UnsafePointer(even), count: count, into: sums)
        }
        sineRows.withUnsafeBufferPointer { rows in
            multiply(rows.baseAddress!, rowCount: points, width: half, UnsafePointer(odd), count: count, into: sums + points * count)
        }
        let forward = backRowCount == 0 ? outputs : UnsafeMutablePointer<Double>.allocate(capacity: forwardRowCount * count)
        defer { if backRowCount > 0 { forward.deallocate() } }
        for v in 0..<count {
            let a = sums + v * points, b = sums + (points * count) + v * points, out = forward + v * forwardRowCount
            for j in 0..<points {
                let (cr, sr) = rotation[j]
                out[2 * j] = cr * a[j] - sr * b[j]
                out[2 * j + 1] = -(sr * a[j] + cr * b[j])
            }
        }
        if backRowCount > 0 {
            backRows.withUnsafeBufferPointer { rows in
                multiply(rows.baseAddress!, rowCount: backRowCount, width: forwardRowCount, UnsafePointer(forward), count: count, into: outputs)
            }
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
