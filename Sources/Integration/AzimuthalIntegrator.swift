import Foundation
import XrayCore
import XrayNumerics

/// A 1-D or 2-D azimuthal integration result (pyFAI's `Integrate1dResult`/`Integrate2dResult`).
public struct IntegrationResult: Sendable {
    /// Bin centres in the radial unit.
    public var radial: [Double]
    /// Bin centres in degrees (2-D only; empty for 1-D).
    public var azimuthal: [Double]
    /// Σ signal / Σ normalisation per bin (0 for empty bins, as pyFAI's `empty`); 2-D results
    /// are azimuth-major: `intensity[a * radial.count + r]`.
    public var intensity: [Double]
    /// Standard error per bin (empty with `ErrorModel.none`).
    public var sigma: [Double]
    /// Σ c (pixel fractions) per bin.
    public var count: [Double]
    public var sumSignal: [Double]
    public var sumNormalization: [Double]
    public var sumVariance: [Double]
    public var unit: RadialUnit
    public var splitting: PixelSplitting
    /// Pixels left out: the mask given when the integrator was built plus this frame's invalid pixels.
    public var maskedPixels: Int
    /// Pixels sigma clipping left out of their bins (0 without `IntegrationOptions.sigmaClip`).
    public var clippedPixels: Int = 0
    /// Bins sigma clipping left without any pixel (reported as 0, as pyFAI does).
    public var binsEmptiedByClipping: Int = 0
    /// An I(χ) profile (`chiProfile()`): `radial` holds χ bin centres in degrees, `unit` is the unit
    /// of the radial range it was summed over.
    public var isChiProfile = false
    /// A grazing-incidence / fiber map (`radial` the in-plane axis, `azimuthal` the out-of-plane one, in their units)
    /// or profile (`fiberProfile`); nil for azimuthal integration.
    public var fiber: FiberIntegration?
    /// A fiber profile (`fiberProfile(along:)`): the axis `radial` runs along.
    public var fiberProfileAxis: FiberProfileAxis?
}

/// Integrates detector frames azimuthally with one precomputed geometry: per-pixel
/// normalisation (relative solid angle × polarisation × flat) and the pixel → bin matrix
/// (`SplitMatrix`) are built once; each frame is then one pass of sparse products.
///
/// Per bin: signal = Σ c·(raw − dark), normalisation = Σ c·norm, count = Σ c, variance = Σ c²·var
/// over the unmasked pixels, intensity = signal / normalisation, σ by the error model (pyFAI's
/// definitions; see ../shared/data/images/reference/README.md).
public struct AzimuthalIntegrator: Sendable {
    public let geometry: PONIGeometry
    public let rows: Int
    public let columns: Int
    public let options: IntegrationOptions
    public let split: SplitMatrix
    /// Per-pixel normalisation (solid angle × polarisation × flat), used where unmasked.
    public let normalization: [Double]
    /// The static mask the matrix was built with (true = excluded).
    public let mask: [Bool]
    public let staticMasked: Int
    /// The 1-D matrix in the fixed-width layout of the fast frame loop (nil for cakes and for
    /// rows the layout cannot hold; those frames take the CSR loop).
    let spans: RadialSpans?
    /// A cake's matrix bin by bin, for its frame loop (nil for 1-D patterns, sigma clipping and the
    /// azimuthal error model).
    let cells: BinMajorMatrix?
    /// Σ c·norm and Σ c per bin over the pixels of the static mask's complement: a frame without
    /// invalid pixels of its own only accumulates signal and variance.
    let staticNormalization: [Double]
    let staticCount: [Double]
    let azimuthal: Bool
    /// Each bin's pixels, for sigma clipping (nil without it).
    let binPixels: BinPixels?

    /// - Parameters:
    ///   - mask: true = excluded (a mask file, detector gaps, negative Pilatus pixels …), `rows × columns`.
    ///   - flat: flat field (divides), `rows × columns`; pixels whose flat is not positive are masked.
    ///   - azimuthal: build the 2-D (cake) matrix.
    public init(geometry: PONIGeometry, rows: Int, columns: Int, mask: [Bool]? = nil, flat: [Double]? = nil,
                options: IntegrationOptions, azimuthal: Bool = false, arrays given: PixelGeometry.Arrays? = nil) throws {
        guard rows > 0, columns > 0 else { throw RoentgenError.badParameter("image of \(rows) × \(columns) pixels") }
        guard options.npt > 0, options.npt <= 1 << 20 else { throw RoentgenError.badParameter("--npt \(options.npt): 1 to 1048576 bins") }
        guard !azimuthal || (options.nptAzimuthal > 0 && options.nptAzimuthal <= 1 << 16) else {
            throw RoentgenError.badParameter("azimuthal bins \(options.nptAzimuthal): 1 to 65536")
        }
        // A cake's accumulators (sums, counts, variances per bin) for 2²⁴ bins already take about 0.5 GB.
        guard !azimuthal || options.npt * options.nptAzimuthal <= 1 << 24 else {
            throw RoentgenError.badParameter("--npt \(options.npt) × --npt-azim \(options.nptAzimuthal) = \(options.npt * options.nptAzimuthal) cake bins; at most \(1 << 24)")
        }
        if options.fiber != nil {
            guard azimuthal else { throw RoentgenError.badParameter("a grazing-incidence / fiber integration is a 2-D map (profiles are sums of it)") }
            guard options.splitting == .no else {
                throw RoentgenError.badParameter("grazing-incidence / fiber integration works without pixel splitting (pyFAI: split pixels give wrong maps where the missing wedge is); use --method no")
            }
            guard options.sigmaClip == nil else { throw RoentgenError.badParameter("--sigma-clip gives 1-D radial patterns; not with a fiber map") }
            guard options.azimuthRange == nil else { throw RoentgenError.badParameter("--azimuth-range is χ's; a fiber map takes --oop-range") }
        }
        if let range = options.radialRange, !(range.upperBound > range.lowerBound) {
            throw RoentgenError.badParameter("--radial-range \(range.lowerBound):\(range.upperBound) is empty")
        }
        if let p = options.polarizationFactor, !(p >= -1 && p <= 1) {
            throw RoentgenError.badParameter("--polarization \(p): the polarisation fraction lies in [-1, 1]")
        }
        if let clip = options.sigmaClip {
            guard clip.threshold.isFinite, clip.threshold >= 0, clip.threshold <= 1000 else {
                throw RoentgenError.badParameter("--sigma-clip \(clip.threshold): a cut-off of 0 to 1000 standard deviations")
            }
            guard clip.maxIterations >= 1, clip.maxIterations <= 100 else {
                throw RoentgenError.badParameter("--clip-iterations \(clip.maxIterations): 1 to 100 passes")
            }
            guard options.splitting == .no else {
                throw RoentgenError.badParameter("--sigma-clip works without pixel splitting (pyFAI's sigma_clip: a split pixel would be clipped in part); use --method no")
            }
            guard !azimuthal else { throw RoentgenError.badParameter("--sigma-clip gives a 1-D pattern; it does not combine with --npt-azim") }
            guard options.errorModel != .none else {
                throw RoentgenError.badParameter("--sigma-clip needs a standard deviation per bin: use --errors poisson or --errors azimuthal, not none")
            }
        }
        let n = rows * columns
        if let mask, mask.count != n { throw RoentgenError.badParameter("mask of \(mask.count) pixels for a \(rows) × \(columns) image") }
        if let flat, flat.count != n { throw RoentgenError.badParameter("flat field of \(flat.count) pixels for a \(rows) × \(columns) image") }
        self.geometry = geometry
        self.rows = rows
        self.columns = columns
        self.options = options
        self.azimuthal = azimuthal
        let arrays = try given ?? Self.arrays(geometry, rows: rows, columns: columns, options: options)
        guard arrays.radial.count == n else { throw RoentgenError.badParameter("pixel arrays of \(arrays.radial.count) pixels for a \(rows) × \(columns) image") }
        var m = mask ?? [Bool](repeating: false, count: n)
        var norm = [Double](repeating: 1, count: n)
        // Sigma clipping also keeps the normalisation as pyFAI's preprocessing makes it: float32
        // factors multiplied in float32, so that x = signal/norm, and a pixel on a cut's edge, come
        // out as in pyFAI (a double product rounded once moved one pixel across a cut on the mar345 plate).
        var norm32 = options.sigmaClip != nil ? [Float](repeating: 1, count: n) : []
        for k in 0..<n {
            var v = options.correctSolidAngle ? arrays.solidAngle[k] : 1
            var v32: Float = options.correctSolidAngle ? Float(arrays.solidAngle[k]) : 1
            if let p = options.polarizationFactor {
                let pk = PixelGeometry.polarization(twoTheta: arrays.twoTheta[k], chi: arrays.chi[k], factor: p)
                v *= pk
                v32 *= Float(pk)
            }
            if let flat {
                if !(flat[k] > 0) { m[k] = true }
                v *= flat[k]
                v32 *= Float(flat[k])
            }
            norm[k] = v
            if !norm32.isEmpty { norm32[k] = v32 }
        }
        self.mask = m
        staticMasked = m.reduce(0) { $0 + ($1 ? 1 : 0) }
        normalization = norm
        let split = try SplitMatrix(arrays: arrays, mask: m, options: options, azimuthal: azimuthal)
        self.split = split
        let bins = split.radialBins * split.azimuthBins
        var staticNorm = [Double](repeating: 0, count: bins), staticCount = staticNorm
        let matrix = split.matrix
        for p in 0..<n {
            for e in matrix.rowStart[p]..<matrix.rowStart[p + 1] {
                let b = Int(matrix.columnIndex[e]), c = Double(matrix.values[e])
                staticNorm[b] += c * norm[p]
                staticCount[b] += c
            }
        }
        staticNormalization = staticNorm
        self.staticCount = staticCount
        // Sigma clipping goes bin by bin (`sigmaClipped`), never through the fast frame loop.
        spans = azimuthal || options.sigmaClip != nil ? nil : RadialSpans(matrix, pixels: n, bins: bins)
        // (A second copy of the entries: the general loop, for darks and frames with pixels of their own
        // to leave out, keeps reading the pixel-major matrix. The azimuthal error model never uses it.)
        cells = azimuthal && options.sigmaClip == nil && options.errorModel != .azimuthal ? BinMajorMatrix(matrix, bins: bins) : nil
        binPixels = options.sigmaClip != nil ? BinPixels(BinMajorMatrix(matrix, bins: bins), pixelCount: n, normalization: norm32) : nil
    }

    /// The per-pixel positions an integrator with `options` is built from (`PixelGeometry.arrays`); computed ahead by
    /// a caller that also needs them (`MultiGeometry.ranges`) and handed to `init(…arrays:)`.
    public static func arrays(_ geometry: PONIGeometry, rows: Int, columns: Int, options: IntegrationOptions) throws -> PixelGeometry.Arrays {
        try PixelGeometry(geometry, rows: rows, columns: columns)
            .arrays(unit: options.unit, corners: options.splitting == .bbox, keepCorners: options.splitting == .full, fiber: options.fiber,
                    threads: options.threads)
    }

    /// Which pixel values are invalid in a frame besides the static mask.
    public struct ValidityRule: Sendable {
        /// Pixels equal to this value are masked (`--dummy`).
        public var dummy: Double?
        /// With `dummy`: pixels within this of it are masked (`--delta-dummy`, pyFAI's `delta_dummy`); 0 = equal only.
        public var deltaDummy: Double
        /// Negative pixels are masked (Pilatus/Eiger gaps in signed integer images).
        public var maskNegative: Bool
        public init(dummy: Double? = nil, deltaDummy: Double = 0, maskNegative: Bool = false) {
            self.dummy = dummy
            self.deltaDummy = deltaDummy
            self.maskNegative = maskNegative
        }

        /// The dummy test of pyFAI's preprocessing (`engines/preproc.py`, and its Cython twin): value,
        /// dummy and delta in float32 (`cdummy = dtype(dummy)`, `ddummy = dtype(delta_dummy)`, the
        /// frame cast to float32); `value == dummy` when the delta is 0, `|value − dummy| ≤ delta`
        /// otherwise. (A uint32 frame's 4294967295 and 4294967294 are one float32, so a dummy of
        /// either masks both, as in pyFAI.)
        @inline(__always) public func isDummy(_ value: Double) -> Bool {
            guard let dummy else { return false }
            return Self.isDummy(Float(value), dummy: Float(dummy), delta: Float(deltaDummy))
        }

        @inline(__always) static func isDummy(_ value: Float, dummy: Float, delta: Float) -> Bool {
            delta == 0 ? value == dummy : abs(value - dummy) <= delta
        }
    }

    /// Integrates the frames `range` of a stack, frames in parallel: `options.threads` workers,
    /// each reading (`frame(k)`) and integrating whole frames on one thread with the shared
    /// matrix. Results in frame order; the first error thrown (in frame order) is rethrown.
    /// A range of one frame (an image of one frame, as each file of a series) is integrated on `options.threads`
    /// threads instead.
    public func integrate(frames range: Range<Int>, reading frame: @Sendable (Int) throws -> [Double], dark: [Double]? = nil,
                          validity: ValidityRule = ValidityRule()) throws -> [IntegrationResult] {
        if range.count == 1 { return [try integrate(frame(range.lowerBound), dark: dark, validity: validity)] }
        return try parallelFrames(range) { try integrate(frame($0), dark: dark, validity: validity, threads: 1) }
    }

    /// As `integrate(frames:reading:)`, with each frame handed over as the file stores it:
    /// `withFrame(k, body)` calls `body` with frame k's bytes (for example a slice of a
    /// memory-mapped HDF5 stack), which are integrated in place, without a copy to `Double`.
    /// Each worker takes `frameGroup` consecutive frames at a time and integrates them in one
    /// pass over the split layout (`integrate(group:…)`). A range of one frame is integrated on
    /// `options.threads` threads (a series of one-frame files ran on one core: Pilatus 1M EDF, bbox,
    /// 8.2 ms a file).
    public func integrate(frames range: Range<Int>,
                          withFrame: @Sendable (Int, (RawFrame) throws -> Void) throws -> Void,
                          dark: [Double]? = nil, validity: ValidityRule = ValidityRule()) throws -> [IntegrationResult] {
        if range.count == 1 {
            var result: IntegrationResult?
            try withFrame(range.lowerBound) { result = try integrate($0, dark: dark, validity: validity) }
            guard let result else { throw RoentgenError.badParameter("frame \(range.lowerBound) of the stack was not handed over") }
            return [result]
        }
        return try parallelFrames(range, group: Self.frameGroup) { frames in
            // The frames' bytes are borrowed inside `withFrame`: nest the calls, integrate innermost.
            var raws: [RawFrame] = []
            var results: [IntegrationResult] = []
            try withoutActuallyEscaping(withFrame) { withFrame in
                func nest(_ k: Int) throws {
                    if k == frames.upperBound {
                        results = try integrate(group: raws, dark: dark, validity: validity)
                        return
                    }
                    try withFrame(k) { raw in
                        raws.append(raw)
                        try nest(k + 1)
                    }
                }
                try nest(frames.lowerBound)
            }
            guard results.count == frames.count else {
                throw RoentgenError.badParameter("frames \(frames.lowerBound)..<\(frames.upperBound) of the stack were not handed over")
            }
            return results
        }
    }

    /// Integrates frames of the same shape together, each on the calling thread: a group of
    /// `frameGroup` little-endian frames of one stored type, without a dark, goes through one
    /// pass of the fast loop, and a frame of it with a pixel invalid in it alone then through the
    /// general loop (the fast pass not repeated); any other frames as
    /// `integrate(_:dark:validity:threads:)` with one thread. Results in the frames' order,
    /// equal to integrating each frame alone.
    public func integrate(group frames: [RawFrame], dark: [Double]? = nil, validity: ValidityRule = ValidityRule()) throws -> [IntegrationResult] {
        let n = rows * columns
        let single = { (frame: RawFrame) in try self.integrate(frame, dark: dark, validity: validity, threads: 1) }
        guard let spans, frames.count == Self.frameGroup, dark == nil, options.errorModel != .azimuthal,
              let type = frames.first?.type, frames.allSatisfy({ $0.type == type && !$0.bigEndian && $0.bytes.count >= n * type.size }),
              let sums = fastSums(frames, spans: spans, validity: validity, threads: 1)
        else { return try frames.map(single) }
        return zip(frames, sums).map { frame, sum in
            sum.map(fastResult) ?? generalLoop(frame.doubles(count: n), dark: nil, validity: validity, threads: 1)
        }
    }

    /// The fast loop's sums for one frame (on `threads` threads) or a group of `frameGroup`
    /// frames of one stored type (one thread), read in place; nil when the stored type or the
    /// alignment does not allow it. A frame's entry is nil when it has a pixel invalid in it alone.
    private func fastSums(_ frames: [RawFrame], spans: RadialSpans, validity: ValidityRule,
                          threads: Int) -> [(signal: [Double], variance: [Double])?]? {
        struct Sums: PixelTypeDispatch {
            let integrator: AzimuthalIntegrator, frames: [RawFrame], spans: RadialSpans, validity: ValidityRule, threads: Int
            func run<T: FramePixel>(_ type: T.Type) -> [(signal: [Double], variance: [Double])?]? {
                let n = integrator.rows * integrator.columns
                var values: [UnsafeBufferPointer<T>] = []
                for frame in frames {
                    guard let pixels = frame.pixels(as: T.self, count: n) else { return nil }
                    values.append(pixels)
                }
                if values.count == 1 { return [integrator.accumulate(values[0], spans: spans, validity: validity, threads: threads)] }
                return integrator.accumulate(group: values, spans: spans, validity: validity)
            }
        }
        return frames.first?.type.dispatch(Sums(integrator: self, frames: frames, spans: spans, validity: validity, threads: threads)) ?? nil
    }

    /// The cake loop's sums for one frame read in place (`accumulateCells`): nil when the stored type
    /// or the alignment does not allow it; `.some(nil)` when the frame has a pixel invalid in it alone.
    private func cakeSums(_ frame: RawFrame, cells: BinMajorMatrix, validity: ValidityRule,
                          threads: Int) -> (signal: [Double], variance: [Double])?? {
        struct Sums: PixelTypeDispatch {
            let integrator: AzimuthalIntegrator, frame: RawFrame, cells: BinMajorMatrix, validity: ValidityRule, threads: Int
            func run<T: FramePixel>(_ type: T.Type) -> (signal: [Double], variance: [Double])?? {
                guard let pixels = frame.pixels(as: T.self, count: integrator.rows * integrator.columns) else { return nil }
                return .some(integrator.accumulateCells(pixels, cells: cells, validity: validity, threads: threads))
            }
        }
        return frame.type.dispatch(Sums(integrator: self, frame: frame, cells: cells, validity: validity, threads: threads)) ?? nil
    }

    /// `body(k)` for every k of `range` on `options.threads` workers (frame k on worker k mod workers).
    private func parallelFrames(_ range: Range<Int>, _ body: @Sendable (Int) throws -> IntegrationResult) throws -> [IntegrationResult] {
        try parallelFrames(range, group: 1) { frames in try frames.map(body) }
    }

    /// `body(frames)` for consecutive runs of `group` frames of `range` (the last may be
    /// shorter) on `options.threads` workers (run i on worker i mod workers); `body` returns one
    /// result per frame. Results in frame order; the first error (in frame order) is rethrown.
    private func parallelFrames(_ range: Range<Int>, group: Int,
                                _ body: @Sendable (Range<Int>) throws -> [IntegrationResult]) throws -> [IntegrationResult] {
        let runs = stride(from: range.lowerBound, to: range.upperBound, by: group).map { $0..<min($0 + group, range.upperBound) }
        let workers = max(1, min(options.threads, 8, runs.count))
        if workers == 1 { return try runs.flatMap(body) }
        var results = [Result<[IntegrationResult], Error>?](repeating: nil, count: runs.count)
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                for i in stride(from: w, to: runs.count, by: workers) {
                    out[i] = Result { try body(runs[i]) }
                }
            }
        }
        return try results.flatMap { slot in
            guard let slot else { throw RoentgenError.badParameter("a frame of the stack was not integrated") }
            return try slot.get()
        }
    }

    /// Integrates one frame given as the file stores it (`rows × columns` elements of
    /// `frame.type`). Little-endian 8/16/32-bit integer and float frames without a dark are read
    /// in place by the fast 1-D loop; everything else is converted to `Double` first.
    public func integrate(_ frame: RawFrame, dark: [Double]? = nil, validity: ValidityRule = ValidityRule(), threads: Int? = nil) throws -> IntegrationResult {
        let n = rows * columns
        guard frame.bytes.count >= n * frame.type.size else {
            throw RoentgenError.badParameter("frame of \(frame.bytes.count / max(1, frame.type.size)) pixels for a \(rows) × \(columns) geometry")
        }
        let workers = max(1, min(threads ?? options.threads, 8))
        if let clip = options.sigmaClip, let binPixels,
           let result = sigmaClipped(frame, dark: dark, validity: validity, clip: clip, binPixels: binPixels, threads: workers) {
            return result
        }
        if let spans, dark == nil, options.errorModel != .azimuthal, !frame.bigEndian,
           let sums = fastSums([frame], spans: spans, validity: validity, threads: workers) {
            // The fast loop ran: its sums, or (a pixel invalid in this frame alone) the general loop.
            return sums[0].map(fastResult) ?? generalLoop(frame.doubles(count: n), dark: nil, validity: validity, threads: workers)
        }
        if let cells, dark == nil, options.errorModel != .azimuthal, !frame.bigEndian,
           let sums = cakeSums(frame, cells: cells, validity: validity, threads: workers) {
            return sums.map(fastResult) ?? generalLoop(frame.doubles(count: n), dark: nil, validity: validity, threads: workers)
        }
        return try integrate(frame.doubles(count: n), dark: dark, validity: validity, threads: threads)
    }

    /// Integrates one frame (`rows × columns` values), with an optional dark frame subtracted,
    /// on `threads` threads (default `options.threads`).
    public func integrate(_ frame: [Double], dark: [Double]? = nil, validity: ValidityRule = ValidityRule(), threads: Int? = nil) throws -> IntegrationResult {
        let n = rows * columns
        guard frame.count == n else { throw RoentgenError.badParameter("frame of \(frame.count) pixels for a \(rows) × \(columns) geometry") }
        if let dark, dark.count != n { throw RoentgenError.badParameter("dark frame of \(dark.count) pixels for a \(rows) × \(columns) image") }
        let threads = max(1, min(threads ?? options.threads, 8))
        if let spans, dark == nil, options.errorModel != .azimuthal,
           let sums = frame.withUnsafeBufferPointer({ accumulate($0, spans: spans, validity: validity, threads: threads) }) {
            return fastResult(sums)
        }
        if let cells, dark == nil, options.errorModel != .azimuthal,
           let sums = frame.withUnsafeBufferPointer({ accumulateCells($0, cells: cells, validity: validity, threads: threads) }) {
            return fastResult(sums)
        }
        return generalLoop(frame, dark: dark, validity: validity, threads: threads)
    }

    /// The general loop (cakes, a dark, the azimuthal error model, or pixels invalid in this frame
    /// only), for a frame whose size (and its dark's) has been checked: each of `threads` threads
    /// accumulates its pixel range into its own arrays: signal, normalisation, count, variance, and
    /// (azimuthal model) Σ(c·norm)² for the second pass.
    private func generalLoop(_ frame: [Double], dark: [Double]?, validity: ValidityRule, threads: Int) -> IntegrationResult {
        if let clip = options.sigmaClip, let binPixels {
            return sigmaClipped(frame, dark: dark, validity: validity, clip: clip, binPixels: binPixels, threads: threads)
        }
        let n = rows * columns
        let bins = split.radialBins * split.azimuthBins
        let matrix = split.matrix
        let norm = normalization
        let maskNegative = validity.maskNegative
        let parts = perPixelRange(n, threads: threads) { pixels -> (sums: [Double], skipped: Int) in
            let first = pixels.lowerBound, last = pixels.upperBound
            var acc = [Double](repeating: 0, count: 4 * bins)
            var skipped = 0
            acc.withUnsafeMutableBufferPointer { a in
                frame.withUnsafeBufferPointer { raw in
                norm.withUnsafeBufferPointer { nv in
                matrix.rowStart.withUnsafeBufferPointer { start in
                matrix.columnIndex.withUnsafeBufferPointer { col in
                matrix.values.withUnsafeBufferPointer { w in
                    let darkValues = dark
                    for p in first..<last {
                        let e0 = start[p], e1 = start[p + 1]
                        if e0 == e1 { continue }
                        let v = raw[p]
                        if v.isNaN || (maskNegative && v < 0) || validity.isDummy(v) { skipped += 1; continue }
                        var signal = v, variance = max(v, 1)
                        // The dark is taken as noiseless: pyFAI 2026.9 computes the Poisson variance from the
                        // raw frame alone, max(raw, 1), with or without a dark (measured; its `preproc`
                        // docstring says raw + dark). The raw count already holds the dark counts' own noise.
                        if let darkValues { signal -= darkValues[p] }
                        let np = nv[p]
                        for e in e0..<e1 {
                            let b = 4 * Int(col[e])
                            let c = Double(w[e])
                            a[b] += c * signal
                            a[b + 1] += c * np
                            a[b + 2] += c
                            a[b + 3] += c * c * variance
                        }
                    }
                }}}}}
            }
            return (acc, skipped)
        }
        var signal = [Double](repeating: 0, count: bins), normSum = signal, count = signal, variance = signal
        for (acc, _) in parts {
            for b in 0..<bins {
                signal[b] += acc[4 * b]; normSum[b] += acc[4 * b + 1]; count[b] += acc[4 * b + 2]; variance[b] += acc[4 * b + 3]
            }
        }
        if options.errorModel == .azimuthal { variance = azimuthalVariance(frame, dark: dark, validity: validity) }
        return result(signal: signal, normalization: normSum, count: count, variance: variance, masked: staticMasked + parts.reduce(0) { $0 + $1.skipped })
    }

    /// The result of the fast loop: its signal and variance sums with the static normalisation and count.
    private func fastResult(_ sums: (signal: [Double], variance: [Double])) -> IntegrationResult {
        result(signal: sums.signal, normalization: staticNormalization, count: staticCount, variance: sums.variance, masked: staticMasked)
    }

    /// Intensity Σ signal / Σ norm (0 in empty bins), σ by the error model, and the bin centres.
    func result(signal: [Double], normalization normSum: [Double], count: [Double], variance: [Double], masked: Int) -> IntegrationResult {
        let bins = signal.count
        // Branch-free (a select per bin), so that a cake's 10⁵ bins divide and take roots in vector registers.
        let intensity = [Double](unsafeUninitializedCapacity: bins) { out, count in
            signal.withUnsafeBufferPointer { s in
                normSum.withUnsafeBufferPointer { d in
                    for b in 0..<bins {
                        let n = d[b], filled = n != 0
                        out[b] = filled ? s[b] / (filled ? n : 1) : 0
                    }
                }
            }
            count = bins
        }
        var sigma: [Double] = []
        if options.errorModel != .none {
            sigma = [Double](unsafeUninitializedCapacity: bins) { out, count in
                variance.withUnsafeBufferPointer { v in
                    normSum.withUnsafeBufferPointer { d in
                        for b in 0..<bins {
                            let n = d[b], filled = n != 0
                            out[b] = filled ? v[b].squareRoot() / (filled ? n : 1) : 0
                        }
                    }
                }
                count = bins
            }
        }
        let scale = options.fiber?.inPlaneUnit.scale ?? options.unit.scale
        let azimuthScale = options.fiber?.outOfPlaneUnit.scale ?? 180 / .pi
        let radial = (0..<split.radialBins).map { (split.radialLow + (Double($0) + 0.5) * split.radialStep) * scale }
        let azimuth = azimuthal ? (0..<split.azimuthBins).map { (split.azimuthLow + (Double($0) + 0.5) * split.azimuthStep) * azimuthScale } : []
        var result = IntegrationResult(radial: radial, azimuthal: azimuth, intensity: intensity, sigma: sigma, count: count,
                                       sumSignal: signal, sumNormalization: normSum, sumVariance: variance,
                                       unit: options.unit, splitting: options.splitting, maskedPixels: masked)
        result.fiber = options.fiber
        return result
    }
}
