import Foundation

extension AzimuthalIntegrator {
    /// The fast 1-D frame loop over the fixed-width layout (`RadialSpans`): per bin the signal
    /// Σ c·raw and the Poisson variance Σ c²·max(raw, 1) (pyFAI's definitions, as the CSR loop);
    /// the normalisation and count come from the static sums. Pixels are split into `threads`
    /// contiguous ranges, each accumulated into its own arrays, and the pixel values are read in
    /// their stored type.
    ///
    /// The loop is bound by instructions per pixel (about seven cycles per pixel with the
    /// validity tests as early-exit branches on `Double`s, three with them as or-ed flags in
    /// loops specialised per test: Pilatus 1M, one thread, 2.4 → 1.0 ms per frame).
    ///
    /// Returns nil when a pixel outside the static mask is invalid in this frame (NaN, negative
    /// with `maskNegative`, or the dummy value): the static sums would then be wrong, and the
    /// caller takes the general loop, which leaves such pixels out of every sum.
    func accumulate<T: FramePixel>(_ raw: UnsafeBufferPointer<T>, spans: RadialSpans, validity: ValidityRule,
                                   threads: Int) -> (signal: [Double], variance: [Double])? {
        let n = rows * columns
        guard raw.count >= n else { return nil }
        let padded = spans.paddedBins, width = spans.width
        let maskNegative = validity.maskNegative
        let hasDummy = validity.dummy != nil, dummy = validity.dummy ?? 0
        nonisolated(unsafe) let values = raw   // read-only while the workers run
        let parts = perPixelRange(n, threads: threads) { pixels -> (sums: [SIMD2<Double>], valid: Bool) in
            let first = pixels.lowerBound, last = pixels.upperBound
            // a[b] = (Σ c·signal, Σ c²·variance): one 16-byte add per bin and pixel. The
            // index arithmetic wraps (`&*`, `&+`): p < n and i < width by construction.
            var acc = [SIMD2<Double>](repeating: .zero, count: padded)
            var valid = true
            acc.withUnsafeMutableBufferPointer { a in
                spans.firstBin.withUnsafeBufferPointer { bin in
                    spans.weights.withUnsafeBufferPointer { w in
                        /// One loop per span width and per validity test, so that the inner loop
                        /// is unrolled and holds only the tests this frame needs. The tests do not
                        /// branch: they are or-ed into `invalid`, checked once after the loop (an
                        /// invalid frame's sums are thrown away, so adding its pixels is harmless).
                        @inline(__always) func run(_ k: Int, _ testNegative: Bool, _ testDummy: Bool) -> Bool {
                            var invalid = false
                            for p in first..<last {
                                let f = bin[p]
                                if f < 0 { continue }
                                let v = values[p].doubleValue
                                if T.canBeNaN { invalid = invalid || v.isNaN }
                                if testNegative { invalid = invalid || v < 0 }
                                if testDummy { invalid = invalid || v == dummy }
                                let pair = SIMD2(v, max(v, 1))
                                let b = Int(f)
                                if k == 1 {
                                    a[b] += pair
                                } else {
                                    let row = k &* p
                                    for i in 0..<k {
                                        let c = Double(w[row &+ i])
                                        a[b &+ i] += SIMD2(c, c * c) * pair
                                    }
                                }
                            }
                            return !invalid
                        }
                        @inline(__always) func run(_ k: Int) -> Bool {
                            switch (maskNegative, hasDummy) {
                            case (false, false): return run(k, false, false)
                            case (true, false): return run(k, true, false)
                            case (false, true): return run(k, false, true)
                            case (true, true): return run(k, true, true)
                            }
                        }
                        switch width {
                        case 1: valid = run(1)
                        case 2: valid = run(2)
                        case 3: valid = run(3)
                        default: valid = run(4)
                        }
                    }
                }
            }
            return (acc, valid)
        }
        guard parts.allSatisfy(\.valid) else { return nil }
        let bins = split.radialBins
        var signal = [Double](repeating: 0, count: bins), variance = signal
        for (acc, _) in parts {
            for b in 0..<bins {
                signal[b] += acc[b].x
                variance[b] += acc[b].y
            }
        }
        return (signal, variance)
    }
}
