import Foundation

extension AzimuthalIntegrator {
    /// Frames of a stack integrated together in one pass over the split layout
    /// (`accumulate(group:…)`).
    static let frameGroup = 4

    /// The fast 1-D frame loop over the fixed-width layout (`RadialSpans`): per bin the signal
    /// Σ c·raw and the Poisson variance Σ c²·max(raw, 1) (pyFAI's definitions, as the CSR loop);
    /// the normalisation and count come from the static sums. Pixels are split into `threads`
    /// contiguous ranges, each accumulated into its own arrays, and the pixel values are read in
    /// their stored type.
    ///
    /// Returns nil when a pixel outside the static mask is invalid in this frame (NaN, negative
    /// with `maskNegative`, or the dummy value): the static sums would then be wrong, and the
    /// caller takes the general loop, which leaves such pixels out of every sum.
    func accumulate<T: FramePixel>(_ raw: UnsafeBufferPointer<T>, spans: RadialSpans, validity: ValidityRule,
                                   threads: Int) -> (signal: [Double], variance: [Double])? {
        let n = rows * columns
        guard raw.count >= n else { return nil }
        nonisolated(unsafe) let values = raw   // read-only while the workers run
        let parts = perPixelRange(n, threads: threads) { pixels in
            Self.accumulatePass((values, values, values, values), frames: 1, pixels: pixels, spans: spans, validity: validity)
        }
        guard parts.allSatisfy(\.valid[0]) else { return nil }
        let bins = split.radialBins
        var signal = [Double](repeating: 0, count: bins), variance = signal
        for part in parts {
            for b in 0..<bins {
                signal[b] += part.sums[b].x
                variance[b] += part.sums[b].y
            }
        }
        return (signal, variance)
    }

    /// The frame loop for `frameGroup` frames of a stack at once, on the calling thread: each
    /// pixel's bins and weights are read once and applied to every frame of the group, so a
    /// stack reads the layout (4 bytes of bin index and `width` weights per pixel, 16 MB for a
    /// Pilatus 1M with bounding-box splitting) once per group instead of once per frame, and
    /// converts each weight once. The sums of each frame are those of `accumulate(_:…)` with one
    /// thread, bit for bit (same order of additions). A frame's entry is nil when one of its
    /// pixels is invalid (see `accumulate(_:…)`).
    func accumulate<T: FramePixel>(group raw: [UnsafeBufferPointer<T>], spans: RadialSpans,
                                   validity: ValidityRule) -> [(signal: [Double], variance: [Double])?] {
        let n = rows * columns
        guard raw.count == Self.frameGroup, raw.allSatisfy({ $0.count >= n }) else {
            return raw.map { accumulate($0, spans: spans, validity: validity, threads: 1) }
        }
        let g = Self.frameGroup
        let part = Self.accumulatePass((raw[0], raw[1], raw[2], raw[3]), frames: g, pixels: 0..<n, spans: spans, validity: validity)
        let bins = split.radialBins
        return (0..<g).map { j in
            guard part.valid[j] else { return nil }
            var signal = [Double](repeating: 0, count: bins), variance = signal
            for b in 0..<bins {
                signal[b] = part.sums[b &* g &+ j].x
                variance[b] = part.sums[b &* g &+ j].y
            }
            return (signal, variance)
        }
    }

    /// One pass over `pixels` of the layout for `frames` (1 or `frameGroup`) frames, the first
    /// `frames` of `values`: sums[b·frames + j] = (Σ c·signal, Σ c²·variance) of frame j in bin b
    /// (one 16-byte add per bin, pixel and frame), and whether each frame had no invalid pixel.
    ///
    /// The loop is bound by instructions per pixel. There is one loop per span width, frame
    /// count and validity test (constants, so the inner loops unroll and hold only the tests
    /// this call needs), and the tests do not branch: they are or-ed into a flag per frame,
    /// checked by the caller (an invalid frame's sums are thrown away, so adding its pixels is
    /// harmless). Pilatus 1M without splitting, one thread: 2.4 ms per frame with the tests as
    /// early-exit branches, 1.0 ms like this. The index arithmetic wraps (`&*`, `&+`): p < n,
    /// i < width and j < frames by construction.
    private static func accumulatePass<T: FramePixel>(
        _ values: (UnsafeBufferPointer<T>, UnsafeBufferPointer<T>, UnsafeBufferPointer<T>, UnsafeBufferPointer<T>),
        frames: Int, pixels: Range<Int>, spans: RadialSpans, validity: ValidityRule
    ) -> (sums: [SIMD2<Double>], valid: [Bool]) {
        let first = pixels.lowerBound, last = pixels.upperBound
        let maskNegative = validity.maskNegative
        // The dummy test in float32, as pyFAI's preprocessing makes it (`ValidityRule.isDummy`).
        let hasDummy = validity.dummy != nil, dummy = Float(validity.dummy ?? 0), delta = Float(validity.deltaDummy)
        var acc = [SIMD2<Double>](repeating: .zero, count: spans.paddedBins &* frames)
        var valid = [Bool](repeating: true, count: frames)
        acc.withUnsafeMutableBufferPointer { a in
            spans.firstBin.withUnsafeBufferPointer { bin in
                spans.weights.withUnsafeBufferPointer { w in
                    let (v0, v1, v2, v3) = values
                    @inline(__always) func run(_ k: Int, _ g: Int, _ testNegative: Bool, _ testDummy: Bool) {
                        var bad0: UInt8 = 0, bad1: UInt8 = 0, bad2: UInt8 = 0, bad3: UInt8 = 0   // or-ed bits: no branch
                        @inline(__always) func invalid(_ x: Double) -> UInt8 {
                            // !(x >= 0) is true for negatives and NaN: one comparison for both.
                            var invalid: UInt8 = testNegative ? (!(x >= 0) ? 1 : 0) : T.canBeNaN && x.isNaN ? 1 : 0
                            if testDummy { invalid |= AzimuthalIntegrator.ValidityRule.isDummy(Float(x), dummy: dummy, delta: delta) ? 1 : 0 }
                            return invalid
                        }
                        for p in first..<last {
                            let f = bin[p]
                            if f < 0 { continue }
                            let x0 = v0[p].doubleValue
                            bad0 |= invalid(x0)
                            let p0 = SIMD2(x0, max(x0, 1))
                            var p1 = SIMD2<Double>.zero, p2 = p1, p3 = p1
                            if g > 1 {
                                let x1 = v1[p].doubleValue, x2 = v2[p].doubleValue, x3 = v3[p].doubleValue
                                bad1 |= invalid(x1)
                                bad2 |= invalid(x2)
                                bad3 |= invalid(x3)
                                p1 = SIMD2(x1, max(x1, 1))
                                p2 = SIMD2(x2, max(x2, 1))
                                p3 = SIMD2(x3, max(x3, 1))
                            }
                            let b = Int(f) &* g
                            if k == 1 {
                                a[b] += p0
                                if g > 1 { a[b &+ 1] += p1; a[b &+ 2] += p2; a[b &+ 3] += p3 }
                            } else {
                                let row = k &* p
                                for i in 0..<k {
                                    let c = Double(w[row &+ i])
                                    let weight = SIMD2(c, c * c)
                                    let o = b &+ i &* g
                                    a[o] += weight * p0
                                    if g > 1 { a[o &+ 1] += weight * p1; a[o &+ 2] += weight * p2; a[o &+ 3] += weight * p3 }
                                }
                            }
                        }
                        for (j, bad) in [bad0, bad1, bad2, bad3].prefix(g).enumerated() { valid[j] = bad == 0 }
                    }
                    @inline(__always) func run(_ k: Int, _ g: Int) {
                        switch (maskNegative, hasDummy) {
                        case (false, false): run(k, g, false, false)
                        case (true, false): run(k, g, true, false)
                        case (false, true): run(k, g, false, true)
                        case (true, true): run(k, g, true, true)
                        }
                    }
                    @inline(__always) func run(_ k: Int) {
                        if frames == 1 { run(k, 1) } else { run(k, 4) }   // 4 = frameGroup, a literal so the loop unrolls
                    }
                    switch spans.width {
                    case 1: run(1)
                    case 2: run(2)
                    case 3: run(3)
                    default: run(4)
                    }
                }
            }
        }
        return (acc, valid)
    }
}
