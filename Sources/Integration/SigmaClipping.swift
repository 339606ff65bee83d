import Foundation
import XrayNumerics

/// The pixels of each bin of a matrix without pixel splitting (every row holds at most one entry,
/// of weight 1), in increasing pixel index: the transpose of `SplitMatrix.matrix` (`BinMajorMatrix`)
/// that sigma clipping walks bin by bin, with each pixel's normalisation as pyFAI's float32 preprocessing
/// computes it.
struct BinPixels: Sendable {
    /// Bin b's pixels are `pixels[start[b]..<start[b + 1]]`.
    let start: [Int]
    let pixels: [Int32]
    /// `normalization[pixels[i]]` (float32, as pyFAI's preprocessing computes it), in the same order.
    let norms: [Double]
    /// The most pixels a bin holds.
    let largestBin: Int
    /// Pixel p's position in `pixels` (−1: in no bin).
    let slot: [Int32]

    /// `cells`: the matrix bin by bin (its single entries all of weight 1).
    init(_ cells: BinMajorMatrix, pixelCount: Int, normalization: [Float]) {
        start = cells.start
        pixels = cells.pixels
        norms = cells.pixels.map { Double(normalization[Int($0)]) }
        var slot = [Int32](repeating: -1, count: pixelCount)
        for (i, p) in cells.pixels.enumerated() { slot[Int(p)] = Int32(i) }
        self.slot = slot
        largestBin = zip(cells.start, cells.start.dropFirst()).map { $1 - $0 }.max() ?? 0
    }

    /// A frame's values in bin order (`pixels`' order) as float32, as pyFAI's preprocessing holds
    /// them, on `threads` threads: read in pixel order and written to their slots, which costs less
    /// than reading the frame at the bins' scattered pixels (the frame is streamed once, in its
    /// stored type).
    func inBinOrder<T: FramePixel>(_ frame: UnsafeBufferPointer<T>, threads: Int) -> [Float] {
        let n = slot.count
        return [Float](unsafeUninitializedCapacity: pixels.count) { out, initialized in
            nonisolated(unsafe) let out = out, frame = frame
            slot.withUnsafeBufferPointer { slot in
                nonisolated(unsafe) let slot = slot
                let workers = max(1, min(threads, 8))
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    for p in (n * w / workers)..<(n * (w + 1) / workers) {
                        let k = Int(slot[p])
                        if k >= 0 { out[k] = Float(frame[p].doubleValue) }
                    }
                }
            }
            initialized = pixels.count
        }
    }
}

extension AzimuthalIntegrator {
    /// One frame integrated with sigma clipping, as pyFAI 2026.9's `sigma_clip` (CSR engine without
    /// pixel splitting, `CsrIntegrator.sigma_clip` of its Cython extension) computes it, bin by bin:
    ///
    /// 1. accumulate the bin's valid pixels: Σ signal, Σ norm, Σ norm², count, and the variance
    ///    (Poisson: Σ var; azimuthal: the online update of `azimuthalVariance`, in pixel order);
    ///    mean x̄ = Σ signal / Σ norm, σ = √(V / Σ norm²);
    /// 2. up to `maxIterations` times: k = max(threshold, √(2 ln(n / √(2π)))) with n = max(count, 3);
    ///    drop every pixel with |signal/norm − x̄| > k·σ; stop if none was dropped; accumulate again.
    ///
    /// The result's intensity is the last x̄ and its σ the standard error √V / Σ norm (pyFAI's
    /// `sem`), 0 in bins left without pixels. A bin of a few pixels can lose them all: two pixels
    /// far apart (a spot's edge) both lie beyond k·σ of their mean when σ is Poisson; pyFAI then
    /// reports the bin empty (0), and so does Roentgen (`binsEmptiedByClipping` counts them).
    /// Pixel values and the normalisation enter as pyFAI's float32 preprocessing makes them, so that
    /// pixels on a cut's edge fall on the same side. Bins are independent and shared among `threads`.
    func sigmaClipped(_ frame: [Double], dark: [Double]?, validity: ValidityRule, clip: SigmaClip,
                      binPixels: BinPixels, threads: Int) -> IntegrationResult {
        let values = frame.withUnsafeBufferPointer { binPixels.inBinOrder($0, threads: threads) }
        return sigmaClipped(values: values, dark: dark, validity: validity, clip: clip, binPixels: binPixels, threads: threads)
    }

    /// As `sigmaClipped(_:…)` for a frame as the file stores it; nil when its stored type or
    /// alignment cannot be read in place.
    func sigmaClipped(_ frame: RawFrame, dark: [Double]?, validity: ValidityRule, clip: SigmaClip,
                      binPixels: BinPixels, threads: Int) -> IntegrationResult? {
        struct Clip: PixelTypeDispatch {
            let integrator: AzimuthalIntegrator, frame: RawFrame, dark: [Double]?, validity: ValidityRule, clip: SigmaClip
            let binPixels: BinPixels, threads: Int
            func run<T: FramePixel>(_ type: T.Type) -> IntegrationResult? {
                guard let pixels = frame.pixels(as: T.self, count: integrator.rows * integrator.columns) else { return nil }
                return integrator.sigmaClipped(values: binPixels.inBinOrder(pixels, threads: threads), dark: dark, validity: validity,
                                               clip: clip, binPixels: binPixels, threads: threads)
            }
        }
        return frame.type.dispatch(Clip(integrator: self, frame: frame, dark: dark, validity: validity, clip: clip,
                                        binPixels: binPixels, threads: threads)) ?? nil
    }

    /// The clipping itself, on the frame's values in bin order (`BinPixels.inBinOrder`).
    func sigmaClipped(values: [Float], dark: [Double]?, validity: ValidityRule, clip: SigmaClip,
                      binPixels: BinPixels, threads: Int) -> IntegrationResult {
        let bins = split.radialBins
        // The cut on the azimuthal spread (azimuthal and hybrid); hybrid reports Poisson's σ of the kept pixels.
        let azimuthalModel = options.errorModel == .azimuthal || options.errorModel == .hybrid
        let hybrid = options.errorModel == .hybrid
        // The dummy value is compared in float32, as pyFAI's preprocessing compares it.
        let dummy = validity.dummy.map { Float($0) }, delta = Float(validity.deltaDummy), maskNegative = validity.maskNegative
        var signal = [Double](repeating: 0, count: bins), normSum = signal, count = signal, variance = signal
        let workers = max(1, min(threads, 8, bins))
        // Per worker: its bins' sums are written in place (disjoint bins), its invalid and clipped pixel counts returned.
        var tallies = [(invalid: Int, clipped: Int, emptied: Int)](repeating: (0, 0, 0), count: workers)
        signal.withUnsafeMutableBufferPointer { sig in
        normSum.withUnsafeMutableBufferPointer { nrm in
        count.withUnsafeMutableBufferPointer { cnt in
        variance.withUnsafeMutableBufferPointer { vr in
        tallies.withUnsafeMutableBufferPointer { tally in
        values.withUnsafeBufferPointer { raw in
        binPixels.pixels.withUnsafeBufferPointer { pixels in
        binPixels.norms.withUnsafeBufferPointer { norms in
            nonisolated(unsafe) let sig = sig, nrm = nrm, cnt = cnt, vr = vr, tally = tally, raw = raw, pixels = pixels, norms = norms
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                // One bin's valid pixels, in pixel order: signal, normalisation and variance (float32
                // values, as pyFAI's preprocessing holds them) and x = signal / normalisation.
                let capacity = max(binPixels.largestBin, 1)
                let s = UnsafeMutablePointer<Double>.allocate(capacity: capacity)
                let wt = UnsafeMutablePointer<Double>.allocate(capacity: capacity)
                let va = UnsafeMutablePointer<Double>.allocate(capacity: capacity)
                let x = UnsafeMutablePointer<Double>.allocate(capacity: capacity)
                defer { s.deallocate(); wt.deallocate(); va.deallocate(); x.deallocate() }
                var invalidHere = 0, clippedHere = 0, emptiedHere = 0
                for b in stride(from: w, to: bins, by: workers) {
                    var m = 0
                    for i in binPixels.start[b]..<binPixels.start[b + 1] {
                        let v = raw[i]
                        if v.isNaN || (maskNegative && v < 0) || (dummy != nil && ValidityRule.isDummy(v, dummy: dummy!, delta: delta)) { invalidHere += 1; continue }
                        let np = norms[i]
                        if np == 0 { continue }
                        let signal = dark.map { Double(v - Float($0[Int(pixels[i])])) } ?? Double(v)
                        s[m] = signal
                        wt[m] = np
                        va[m] = Double(max(v, 1))
                        x[m] = signal / np
                        m += 1
                    }
                    var sums = Self.clipSums(s, wt, va, x, m, azimuthal: azimuthalModel)
                    for _ in 0..<clip.maxIterations {
                        if m == 0 || sums.norm == 0 { break }
                        let cut = max(clip.threshold, (2 * log(max(3, sums.count) / (2 * Double.pi).squareRoot())).squareRoot())
                        let mean = sums.signal / sums.norm
                        let limit = cut * (sums.variance / sums.norm2).squareRoot()
                        // Keep the pixels within the cut, in order (the azimuthal update depends on it):
                        // find the first outside; none, and the bin is done.
                        var first = 0
                        while first < m && !(abs(x[first] - mean) > limit) { first += 1 }
                        if first == m { break }
                        var kept = first
                        for k in first + 1..<m where !(abs(x[k] - mean) > limit) {
                            s[kept] = s[k]; wt[kept] = wt[k]; va[kept] = va[k]; x[kept] = x[k]
                            kept += 1
                        }
                        clippedHere += m - kept
                        if kept == 0 { emptiedHere += 1 }
                        m = kept
                        sums = Self.clipSums(s, wt, va, x, m, azimuthal: azimuthalModel)
                    }
                    if hybrid { sums.variance = (0..<m).reduce(0) { $0 + va[$1] } }
                    sig[b] = sums.signal; nrm[b] = sums.norm; cnt[b] = sums.count; vr[b] = sums.variance
                }
                tally[w] = (invalidHere, clippedHere, emptiedHere)
            }
        }}}}}}}}
        let invalid = tallies.reduce(0) { $0 + $1.invalid }
        var r = result(signal: signal, normalization: normSum, count: count, variance: variance, masked: staticMasked + invalid)
        r.clippedPixels = tallies.reduce(0) { $0 + $1.clipped }
        r.binsEmptiedByClipping = tallies.reduce(0) { $0 + $1.emptied }
        return r
    }

    /// One bin's sums over its first `m` kept pixels (weights 1: no splitting): Σ signal, Σ norm, Σ norm²,
    /// count, and the variance V, Σ var (Poisson) or pyFAI's online azimuthal update in pixel order
    /// (`xs`: each pixel's signal / norm).
    @inline(__always)
    static func clipSums(_ s: UnsafeMutablePointer<Double>, _ wt: UnsafeMutablePointer<Double>, _ va: UnsafeMutablePointer<Double>,
                         _ xs: UnsafeMutablePointer<Double>, _ m: Int, azimuthal: Bool) -> (signal: Double, norm: Double, norm2: Double, count: Double, variance: Double) {
        var signal = 0.0, norm = 0.0, norm2 = 0.0, variance = 0.0
        if azimuthal {
            for k in 0..<m {
                let w = wt[k]
                if k > 0 {
                    let x = xs[k]   // s[k] / w, computed once when the bin was gathered
                    let before = signal / norm - x
                    signal += s[k]
                    norm += w
                    norm2 += w * w
                    variance += w * w * before * (signal / norm - x)
                } else {
                    signal = s[k]; norm = w; norm2 = w * w
                }
            }
        } else {
            for k in 0..<m {
                let w = wt[k]
                signal += s[k]
                norm += w
                norm2 += w * w
                variance += va[k]
            }
        }
        return (signal, norm, norm2, Double(m), variance)
    }
}
