import CRoentgenKernels
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
    /// q space only: the back-transform folded about the centre q index i_c of the q range, as the
    /// forward one: with αⱼ, βⱼ the windowed χ(Rⱼ) rotated by e^{iθⱼ·i_c} (`backRotation`: W(Rⱼ)·cos,
    /// W(Rⱼ)·sin), Pᵥ = s·Σⱼ αⱼ·cos(θⱼv), Qᵥ = s·Σⱼ βⱼ·sin(θⱼv) give χ(q) at i_c ± v as Pᵥ ∓ Qᵥ.
    /// Rows (v = 0…) of s·cos θⱼv and s·sin θⱼv, one value per R point kept.
    let backCosineRows: [Double]
    let backSineRows: [Double]
    let backRotation: [(cos: Double, sin: Double)]
    let backFoldedCount: Int
    /// Number of q points (0: R space).
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
            let points = rIndices.count
            let ic = qRange.lowerBound + qRange.count / 2
            let folded = max(qRange.count / 2, qRange.count - 1 - qRange.count / 2) + 1
            var cosines = [Double](repeating: 0, count: folded * points), sines = cosines
            for v in 0..<folded {
                for (c, j) in rIndices.enumerated() {
                    let idx = (v * j) & mask
                    cosines[v * points + c] = qScale * table.cos[idx]
                    sines[v * points + c] = qScale * table.sin[idx]
                }
            }
            backCosineRows = cosines
            backSineRows = sines
            backRotation = rIndices.map { j in
                let idx = (((ic & mask) * j) & mask)
                return (rwin[j] * table.cos[idx], rwin[j] * table.sin[idx])
            }
            backFoldedCount = folded
            backRowCount = qRange.count
        } else {
            backCosineRows = []
            backSineRows = []
            backRotation = []
            backFoldedCount = 0
            backRowCount = 0
        }
    }

    /// Working memory reused between evaluations (numbered regions, each grown when a call needs
    /// more, never shrunk), so that the fit's residual and Jacobian allocate nothing per call.
    final class Scratch {
        private var regions: [(pointer: UnsafeMutablePointer<Double>, capacity: Int)] = []
        init() {}
        deinit { for r in regions { r.pointer.deallocate() } }

        /// Region `index`, at least `count` values (contents undefined).
        func region(_ index: Int, _ count: Int) -> UnsafeMutablePointer<Double> {
            while regions.count <= index { regions.append((.allocate(capacity: 1), 1)) }
            if regions[index].capacity < count {
                regions[index].pointer.deallocate()
                regions[index] = (.allocate(capacity: count), count)
            }
            return regions[index].pointer
        }
        /// The map's input vectors (region 0) and outputs (region 1); region 2 is `apply`'s own.
        func inputs(_ count: Int) -> UnsafeMutablePointer<Double> { region(0, count) }
        func outputs(_ count: Int) -> UnsafeMutablePointer<Double> { region(1, count) }
    }

    /// Applies the map to `count` input vectors (each `inputWidth` long from k index `firstInput`,
    /// contiguous in `inputs`, already k-weighted and scaled), writing `outputCount` values per vector into `outputs`.
    func apply(_ inputs: UnsafePointer<Double>, count: Int, into outputs: UnsafeMutablePointer<Double>, scratch: Scratch? = nil) {
        let width = inputWidth, half = foldedWidth, c = centre, points = forwardRowCount / 2
        let terms = backFoldedCount
        // Working memory: folded inputs, sums, and in q space the forward outputs, α/β and P/Q.
        let need = 2 * half * count + 2 * points * count + (backRowCount > 0 ? forwardRowCount * count + 2 * points * count + 2 * terms * count : 0)
        let owner = scratch ?? Scratch()
        defer { withExtendedLifetime(owner) {} }
        let work = owner.region(2, max(1, need))
        // Folded inputs (windowed): even parts of all vectors, then odd parts.
        let folded = work
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
        let sums = folded + 2 * half * count
        cosineSineProducts(cosineRows, sineRows, rowCount: points, width: half, even, odd, count: count, into: sums)
        let forward = backRowCount == 0 ? outputs : sums + 2 * points * count
        for v in 0..<count {
            let a = sums + v * points, b = sums + (points * count) + v * points, out = forward + v * forwardRowCount
            for j in 0..<points {
                let (cr, sr) = rotation[j]
                out[2 * j] = cr * a[j] - sr * b[j]
                out[2 * j + 1] = -(sr * a[j] + cr * b[j])
            }
        }
        guard backRowCount > 0 else { return }
        // q space: α, β per vector, then P = C·α, Q = S·β, χ(q) at i_c ± v = Pᵥ ∓ Qᵥ.
        let nq = backRowCount, middle = nq / 2
        let ab = forward + forwardRowCount * count
        let alpha = ab, beta = ab + points * count
        for v in 0..<count {
            let z = forward + v * forwardRowCount
            for j in 0..<points {
                let (wc, ws) = backRotation[j], a = z[2 * j], b = z[2 * j + 1]
                alpha[v * points + j] = a * wc - b * ws
                beta[v * points + j] = a * ws + b * wc
            }
        }
        let pq = ab + 2 * points * count
        cosineSineProducts(backCosineRows, backSineRows, rowCount: terms, width: points, alpha, beta, count: count, into: pq)
        for v in 0..<count {
            let p = pq + v * terms, q = pq + terms * count + v * terms, out = outputs + v * nq
            for u in 0..<terms {
                if middle + u < nq { out[middle + u] = p[u] - q[u] }
                if u > 0 && middle - u >= 0 { out[middle - u] = p[u] + q[u] }
            }
        }
    }
}

/// The folded transform's two products: `cosine`·`c` into `out`, then `sine`·`s` right after it
/// (`rowCount·count` values each; `multiply` below).
func cosineSineProducts(_ cosine: [Double], _ sine: [Double], rowCount: Int, width: Int,
                        _ c: UnsafePointer<Double>, _ s: UnsafePointer<Double>, count: Int, into out: UnsafeMutablePointer<Double>) {
    guard rowCount > 0, count > 0 else { return }
    func product(_ rows: [Double], _ x: UnsafePointer<Double>, into at: UnsafeMutablePointer<Double>) {
        rows.withUnsafeBufferPointer { r in
            // No stored rows (zero width): every sum is empty.
            guard let base = r.baseAddress, width > 0 else { at.update(repeating: 0, count: rowCount * count); return }
            multiply(base, rowCount: rowCount, width: width, x, count: count, into: at, kernel: .best)
        }
    }
    product(cosine, c, into: out)
    product(sine, s, into: out + rowCount * count)
}

/// The loops feffit's inner products (`multiply`) and path sums (`FeffPathModel.complexChi`) run:
/// the AVX2/FMA kernels of CRoentgenKernels where the CPU has them, else the Swift loops (SSE2
/// width on the default x86-64 target).
enum FeffitKernel: Sendable {
    case avx2, swift
    /// The fastest kernel this machine runs (checked once).
    static let best: FeffitKernel = roentgen_avx2_fma_available() != 0 ? .avx2 : .swift
}

/// out[v·rowCount + r] = Σₘ rows[r·width + m]·x[v·width + m] for `count` vectors x: each matrix
/// row is read once per four vectors (SIMD accumulators, one per vector), on `kernel` (the Swift
/// loop unless asked: the partial transforms of `FitSpaceTransform` ask for `.best`).
func multiply(_ rows: UnsafePointer<Double>, rowCount: Int, width: Int, _ x: UnsafePointer<Double>, count: Int,
              into out: UnsafeMutablePointer<Double>, kernel: FeffitKernel = .swift) {
    if kernel == .avx2 {
        roentgen_row_products_avx2(rows, rowCount, width, x, count, out)
        return
    }
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
    // Vectors left over (a single residual): four rows per pass, each x value loaded once for them.
    while v < count {
        let xv = v * stride
        var r = 0
        while r + 4 <= rowCount {
            let b0 = r * stride, b1 = b0 + stride, b2 = b1 + stride, b3 = b2 + stride
            var a0 = SIMD4<Double>(), a1 = SIMD4<Double>(), a2 = SIMD4<Double>(), a3 = SIMD4<Double>()
            var m = 0
            while m + 4 <= width {
                let o = m * 8
                let xs = xr.loadUnaligned(fromByteOffset: xv + o, as: SIMD4<Double>.self)
                a0 += raw.loadUnaligned(fromByteOffset: b0 + o, as: SIMD4<Double>.self) * xs
                a1 += raw.loadUnaligned(fromByteOffset: b1 + o, as: SIMD4<Double>.self) * xs
                a2 += raw.loadUnaligned(fromByteOffset: b2 + o, as: SIMD4<Double>.self) * xs
                a3 += raw.loadUnaligned(fromByteOffset: b3 + o, as: SIMD4<Double>.self) * xs
                m += 4
            }
            var s0 = a0.sum(), s1 = a1.sum(), s2 = a2.sum(), s3 = a3.sum()
            while m < width {
                let e = x[v * width + m]
                s0 += rows[r * width + m] * e; s1 += rows[(r + 1) * width + m] * e
                s2 += rows[(r + 2) * width + m] * e; s3 += rows[(r + 3) * width + m] * e
                m += 1
            }
            out[v * rowCount + r] = s0; out[v * rowCount + r + 1] = s1
            out[v * rowCount + r + 2] = s2; out[v * rowCount + r + 3] = s3
            r += 4
        }
        while r < rowCount {
            out[v * rowCount + r] = dotProduct(rows + r * width, x + v * width, width)
            r += 1
        }
        v += 1
    }
}
