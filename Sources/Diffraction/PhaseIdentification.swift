import Foundation
import XrayNumerics
import XrayCore

/// Parameters of phase identification, with defaults.
public struct IdentificationOptions: Sendable {
    /// What the commands accept (`xrd identify`, its batch step): candidates ranked, 1…1000; the
    /// zero shift searched, 0…2° 2θ (a goniometer's zero error, not a lattice mismatch).
    public static let rankedRange = 1...1000
    public static let maxShiftRange: ClosedRange<Double> = 0...2
    /// 2θ window compared (intersected with the scan), degrees.
    public var window: ClosedRange<Double> = 10...80
    /// Largest zero shift searched, degrees 2θ, and its step.
    public var maxShift = 0.30, shiftStep = 0.02
    /// How many screened candidates are refined with full profiles.
    public var refineCount = 25
    /// Most phases reported for a mixture.
    public var maxPhases = 4
    /// A further phase must explain this fraction of the measured signal's Σy² …
    public var minPhaseGain = 0.01
    /// … and match the residual with at least this cosine.
    public var minResidualScore = 0.25
    /// Fraction of a further phase's strong-line intensity the residual must account for.
    public var minLineCoverage = 0.7
    /// Further phases must have the first phase's zero shift within this, degrees.
    public var sharedShiftTolerance = 0.06
    /// Libraries larger than this are screened in two stages: fingerprints (each reference's 12
    /// strongest lines) over the whole library, then all lines of the best `preselectCount`.
    public var fullScreenLimit = 50_000
    public var preselectCount = 2_000
    /// Bins of the dilated pattern below this fraction of its maximum are not looked up in the fingerprint index.
    public var indexThreshold = 0.1
    /// Wavelength in Å (default: the pattern's Kα1, else 1.5406).
    public var wavelength: Double?
    /// Line FWHM in degrees at 2θ = 0 for the candidate profiles, growing as 1/cos θ (default: estimated from the pattern).
    public var fwhm: Double?
    public init() {}
}

/// One candidate in the ranking.
public struct RankedCandidate: Sendable, Hashable {
    /// Index in the library.
    public var index: Int
    public var name: String
    /// Cosine similarity (0…1) at the best shift.
    public var score: Double
    /// Best zero shift in degrees 2θ (added to the candidate's positions).
    public var shift: Double
    /// Whether the candidate is one of the phases judged present (`IdentificationResult.phases`).
    /// The ranking lists those first, most abundant first, so `score` decreases only within each group.
    public var present = false
}

/// A phase judged present.
public struct IdentifiedPhase: Sendable, Hashable {
    public var index: Int
    public var name: String
    public var formula: String
    /// Weight fraction (RIR-type: scale / intensity per unit weight, from the structure), 0…1.
    public var fraction: Double
    /// Scale of the candidate's profile (normalised to max 1) in the normalised measured pattern.
    public var scale: Double
    public var shift: Double
    /// Cosine with the residual when the phase was added (the first: with the pattern).
    public var score: Double
}

public struct IdentificationResult: Sendable {
    /// Phases judged present first (most abundant first, `present` set), then the other refined candidates
    /// by decreasing score; scores are therefore monotonic only within each of the two groups.
    public var ranking: [RankedCandidate]
    public var phases: [IdentifiedPhase]
    public var wavelength: Double
    public var fwhm: Double
    /// Fraction of Σy² of the measured pattern the phases leave unexplained.
    public var residual: Double
}

/// Ranks library phases against a measured pattern: a fast screen over the whole library
/// (lines against the shift-dilated pattern on a Q grid), a refinement of the best with full
/// profiles and a zero-shift search, then a residual search for further phases with
/// non-negative least-squares scales and weight fractions from computed intensities per unit mass.
public enum PhaseIdentifier {
    /// The measured pattern prepared for matching: background-free, on a uniform grid, max 1.
    struct Prepared {
        var x0: Double, step: Double
        var y: [Double]
        var wavelength: Double
        /// Line FWHM in degrees reduced to 2θ = 0; at 2θ it is fwhm / cos θ.
        var fwhm: Double
        func width(at twoTheta: Double) -> Double { fwhm / cos(twoTheta * Double.pi / 360) }
    }

    static func prepare(_ pattern: DiffractionPattern, options: IdentificationOptions) throws -> Prepared {
        try PeakAnalysis.validate(pattern)
        let x = pattern.twoTheta, yIn = pattern.intensity
        let lo = max(options.window.lowerBound, x[0]), hi = min(options.window.upperBound, x[x.count - 1])
        guard hi - lo >= 2 else {
            throw RoentgenError(.badData, "pattern '\(pattern.name)' covers \(x[0])–\(x[x.count - 1])° 2θ, outside the compared window \(options.window.lowerBound)–\(options.window.upperBound)°")
        }
        let lambda = options.wavelength ?? pattern.radiation?.kAlpha1 ?? 1.5406
        guard lambda > 0, lambda.isFinite else { throw RoentgenError.badParameter("wavelength must be positive (got \(lambda) Å)") }
        let step = options.shiftStep
        let n = Int(((hi - lo) / step).rounded(.down)) + 1
        var y = [Double](repeating: 0, count: n)
        var j = 0
        for i in 0..<n {
            let t = lo + Double(i) * step
            while j + 1 < x.count - 1, x[j + 1] < t { j += 1 }
            let f = (t - x[j]) / (x[j + 1] - x[j])
            y[i] = yIn[j] + min(max(f, 0), 1) * (yIn[j + 1] - yIn[j])
        }
        let points = max(2, Int((3.0 / step).rounded()))
        let background = Background.snip(Smoothing.movingAverage(y, halfWidth: 3), width: points)
        for i in 0..<n { y[i] = max(0, y[i] - background[i]) }
        let top = y.max() ?? 0
        guard top > 0 else { throw RoentgenError(.badData, "pattern '\(pattern.name)' has no signal above its background") }
        for i in 0..<n { y[i] /= top }
        var fwhm = options.fwhm ?? 0
        if fwhm <= 0 {
            let xs = (0..<n).map { lo + Double($0) * step }
            let found = PeakSearch.find(x: xs, net: Smoothing.savitzkyGolay(y, halfWidth: 2), threshold: 0.05)
            // Widths reduced to 2θ = 0 as FWHM·cos θ (size broadening scales as 1/cos θ).
            let widths = found.sorted { $0.height > $1.height }.prefix(10).map { $0.fwhm * cos($0.twoTheta * Double.pi / 360) }.sorted()
            fwhm = widths.isEmpty ? 0.15 : min(max(widths[widths.count / 2], 0.04), 2.0)
        }
        return Prepared(x0: lo, step: step, y: y, wavelength: lambda, fwhm: fwhm)
    }

    @inline(__always)
    static func lorentzPolarisation(theta: Double) -> Double {
        let c = cos(2 * theta), s = sin(theta)
        return (1 + c * c) / (s * s * cos(theta))
    }

    /// The screen's lookup table: per Q bin, the LP-weighted dilated pattern at three trial shifts
    /// (−maxShift, 0, +maxShift), and LP alone (zero outside the compared window).
    struct ScreenTable {
        var weighted: [SIMD4<Float>]
        var lp: [Float]
        /// The dilated pattern (max over the trial shifts), without LP.
        var peak: [Float]
        var binCount: Int
    }

    static func screenTable(_ p: Prepared, options: IdentificationOptions) -> ScreenTable {
        let n = p.y.count
        let shiftCount = 3
        let spacing = options.maxShift
        let trialShifts = (0..<shiftCount).map { -options.maxShift + Double($0) * spacing }
        let k = Int(((spacing / 2 + p.width(at: p.x0 + Double(n) * p.step) / 2) / p.step).rounded(.up))
        var dilated = p.y
        for i in 0..<n {
            var m = 0.0
            for j in max(0, i - k)...min(n - 1, i + k) where p.y[j] > m { m = p.y[j] }
            dilated[i] = m
        }
        let bw = ReferenceLibrary.binWidth
        let hi = p.x0 + Double(n - 1) * p.step
        let qMax = DiffractionAxes.q(twoTheta: hi + options.maxShift, wavelength: p.wavelength)
        let nb = Int(qMax / bw) + 2
        // weighted[b][s]: LP × dilated pattern at the bin's 2θ moved by trial shift s.
        var weighted = [SIMD4<Float>](repeating: .zero, count: nb), lp = [Float](repeating: 0, count: nb)
        var peak = [Float](repeating: 0, count: nb)
        for b in 0..<nb {
            let base = DiffractionAxes.twoTheta(q: (Double(b) + 0.5) * bw, wavelength: p.wavelength)
            guard base.isFinite else { continue }
            let l = lorentzPolarisation(theta: base * Double.pi / 360)
            if base >= p.x0 && base <= hi { lp[b] = Float(l) }
            for (s, shift) in trialShifts.enumerated() {
                let tth = base + shift
                guard tth >= p.x0, tth <= hi else { continue }
                let f = (tth - p.x0) / p.step
                let i = min(Int(f), n - 2), t = f - Double(i)
                let m = dilated[i] * (1 - t) + dilated[i + 1] * t
                weighted[b][s] = Float(l * m)
                peak[b] = max(peak[b], Float(m))
            }
        }
        return ScreenTable(weighted: weighted, lp: lp, peak: peak, binCount: nb)
    }

    /// Screen score of one reference's lines: Σ w·LP·M⁺(Q) / √Σ(w·LP)², the best of the three shifts.
    @inline(__always)
    static func screenScore(_ bins: UnsafePointer<UInt16>, _ weights: UnsafePointer<Float>, _ range: Range<Int>,
                            _ wp: UnsafePointer<SIMD4<Float>>, _ lpp: UnsafePointer<Float>, _ nb: Int) -> Double {
        var dots = SIMD4<Float>.zero
        var norm: Float = 0
        for j in range {
            let b = Int(bins[j])
            guard b < nb else { continue }
            let w = weights[j]
            dots += w * wp[b]
            let a = w * lpp[b]
            norm += a * a
        }
        return norm > 0 ? Double(dots.max() / norm.squareRoot()) : 0
    }

    /// Screen scores of `references` (every reference when nil), in that order: max over three trial
    /// shifts (−maxShift, 0, +maxShift) of Σ w·LP·M⁺(Q) / √Σ(w·LP)², with M⁺ the pattern dilated by
    /// half the shift spacing (so together they cover ±maxShift). With `fingerprints`, only each
    /// reference's `ReferenceLibrary.fingerprintLength` strongest lines are compared. The references
    /// are split over the cores in contiguous runs; each reads its lines from the (memory-mapped)
    /// columns in place.
    static func screen(_ table: ScreenTable, library: ReferenceLibrary, references: [Int]? = nil, fingerprints: Bool = false) -> [Double] {
        let nb = table.binCount
        let total = references?.count ?? library.count
        var scores = [Double](repeating: 0, count: total)
        let chunks = max(1, min(8, total / 1000))
        let per = (total + chunks - 1) / chunks
        let k = ReferenceLibrary.fingerprintLength
        let binColumn = fingerprints ? library.fingerprintBins : library.bins
        let weightColumn = fingerprints ? library.fingerprintWeights : library.weights
        library.offsets.withUnsafeBufferPointer { offsets in
            binColumn.withUnsafeBufferPointer { bins in
                weightColumn.withUnsafeBufferPointer { weights in
                    table.weighted.withUnsafeBufferPointer { wp in
                        table.lp.withUnsafeBufferPointer { lpp in
                            scores.withUnsafeMutableBufferPointer { out in
                                guard let outBase = out.baseAddress, let bp = bins.baseAddress, let wtp = weights.baseAddress,
                                      let wpp = wp.baseAddress, let lp = lpp.baseAddress else { return }
                                DispatchQueue.concurrentPerform(iterations: chunks) { c in
                                    for i in (c * per)..<min(total, (c + 1) * per) {
                                        let r = references?[i] ?? i
                                        let range = fingerprints ? (r * k)..<(r * k + k) : Int(offsets[r])..<Int(offsets[r + 1])
                                        outBase[i] = screenScore(bp, wtp, range, wpp, lp, nb)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return scores
    }

    /// A screened reference: its index in the library and its screen score.
    struct Screened: Sendable {
        var index: Int
        var score: Double
    }

    /// The screened references ranking draws from: every reference for libraries up to
    /// `fullScreenLimit`; above, the `preselectCount` references the fingerprint index (or, in a
    /// library without one, the fingerprint screen) preselects, with their full screen scores.
    /// `scratch` is reused between calls (one accumulator per reference).
    static func candidates(_ p: Prepared, library: ReferenceLibrary, options: IdentificationOptions, scratch: inout [Float]) -> [Screened] {
        let table = screenTable(p, options: options)
        guard library.count > options.fullScreenLimit else {
            return screen(table, library: library).enumerated().map { Screened(index: $0.offset, score: $0.element) }
        }
        let subset: [Int]
        if library.postingOffsets.count > 1 {
            subset = indexedPreselection(table, library: library, options: options, scratch: &scratch)
        } else {
            let coarse = screen(table, library: library, fingerprints: true).enumerated().map { Screened(index: $0.offset, score: $0.element) }
            subset = best(coarse, count: min(library.count, options.preselectCount))
        }
        return zip(subset, screen(table, library: library, references: subset)).map { Screened(index: $0, score: $1) }
    }

    /// The `preselectCount` references whose fingerprints best cover the pattern, through the inverted
    /// fingerprints: Σ strength·M⁺(bin) accumulated over the postings of the bins where the dilated
    /// pattern M⁺ exceeds `indexThreshold` of its maximum (weaker bins add little and are skipped).
    ///
    /// The references are split into one contiguous run per core; each core accumulates only its
    /// run (a bin's postings are in reference order, so a binary search finds where the run starts),
    /// so no two cores write the same accumulator. The best k then come from a 4096-slot histogram
    /// of the scores (a cut that keeps at least k), in linear time, and a sort of those kept.
    static func indexedPreselection(_ table: ScreenTable, library: ReferenceLibrary, options: IdentificationOptions,
                                    scratch: inout [Float]) -> [Int] {
        let top = table.peak.max() ?? 0
        let n = library.count
        guard top > 0, n > 0 else { return [] }
        let threshold = Float(options.indexThreshold) * top
        let active = (0..<min(table.binCount, library.postingOffsets.count - 1)).filter { table.peak[$0] > threshold }
        let strengthOfBin = active.map { table.peak[$0] }
        if scratch.count != n { scratch = [Float](repeating: 0, count: n) }
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8, n / 10_000))
        let per = (n + workers - 1) / workers
        let slots = 4096
        var maxima = [Float](repeating: 0, count: workers)
        library.postingOffsets.withUnsafeBufferPointer { offsets in
            library.postingReferences.withUnsafeBufferPointer { refs in
                library.postingStrengths.withUnsafeBufferPointer { strengths in
                    scratch.withUnsafeMutableBufferPointer { acc in
                        maxima.withUnsafeMutableBufferPointer { mx in
                            guard let accBase = acc.baseAddress, let mxBase = mx.baseAddress else { return }
                            DispatchQueue.concurrentPerform(iterations: workers) { w in
                                let lo = w * per, hi = min(n, lo + per)
                                guard lo < hi else { return }
                                (accBase + lo).update(repeating: 0, count: hi - lo)
                                for (b, m) in zip(active, strengthOfBin) {
                                    // First posting of the bin at or after reference `lo`.
                                    var first = Int(offsets[b])
                                    let end = Int(offsets[b + 1])
                                    var count = end - first
                                    while count > 0 {
                                        let half = count / 2
                                        if Int(refs[first + half]) < lo { first += half + 1; count -= half + 1 } else { count = half }
                                    }
                                    while first < end {
                                        let r = Int(refs[first])
                                        if r >= hi { break }
                                        if r >= lo { accBase[r] += strengths[first] * m }
                                        first += 1
                                    }
                                }
                                var best: Float = 0
                                for r in lo..<hi where accBase[r] > best { best = accBase[r] }
                                mxBase[w] = best
                            }
                        }
                    }
                }
            }
        }
        let k = min(n, options.preselectCount)
        let best = maxima.max() ?? 0
        guard best > 0 else { return [] }
        let scale = Float(slots - 1) / best
        // Histogram per run, then the cut, then the kept references per run (in reference order).
        var histograms = [[Int]](repeating: [], count: workers)
        var kept = [[Int]](repeating: [], count: workers)
        scratch.withUnsafeBufferPointer { acc in
            histograms.withUnsafeMutableBufferPointer { hs in
                guard let accBase = acc.baseAddress, let hsBase = hs.baseAddress else { return }
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    var h = [Int](repeating: 0, count: slots)
                    for r in (w * per)..<min(n, (w + 1) * per) where accBase[r] > 0 { h[Int(accBase[r] * scale)] += 1 }
                    hsBase[w] = h
                }
            }
        }
        var cut = 0, total = 0
        for slot in stride(from: slots - 1, through: 0, by: -1) {
            total += histograms.reduce(0) { $0 + $1[slot] }
            if total >= k { cut = slot; break }
        }
        let floor = Float(cut) / scale
        scratch.withUnsafeBufferPointer { acc in
            kept.withUnsafeMutableBufferPointer { ks in
                guard let accBase = acc.baseAddress, let ksBase = ks.baseAddress else { return }
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    var out: [Int] = []
                    for r in (w * per)..<min(n, (w + 1) * per) where accBase[r] > 0 && accBase[r] >= floor { out.append(r) }
                    ksBase[w] = out
                }
            }
        }
        let score = scratch
        var order = kept.flatMap { $0 }
        order.sort { score[$0] > score[$1] || (score[$0] == score[$1] && $0 < $1) }
        if order.count > k { order.removeLast(order.count - k) }
        return order
    }

    /// The profile of reference `r` on the prepared grid extended by `pad` points each side, max 1.
    static func profile(_ r: Int, _ p: Prepared, library: ReferenceLibrary, pad: Int) -> [Double] {
        var positions: [Double] = [], heights: [Double] = []
        let lo = p.x0 - Double(pad + 6) * p.step - 6 * p.width(at: p.x0)
        let hi = p.x0 + Double(p.y.count + pad + 6) * p.step + 6 * p.width(at: p.x0 + Double(p.y.count) * p.step)
        for line in library.lines(r) {
            let tth = DiffractionAxes.twoTheta(q: line.q, wavelength: p.wavelength)
            guard tth.isFinite, tth > lo, tth < hi else { continue }
            positions.append(tth)
            heights.append(line.weight * lorentzPolarisation(theta: tth * Double.pi / 360))
        }
        // Lines below 0.1 % of the strongest change no score: skip them (large cells have thousands).
        let cut = 1e-3 * (heights.max() ?? 0)
        let kept = heights.indices.filter { heights[$0] >= cut }
        positions = kept.map { positions[$0] }
        heights = kept.map { heights[$0] }
        var y = [Double](repeating: 0, count: p.y.count + 2 * pad)
        renderPseudoVoigt(into: &y, x0: p.x0 - Double(pad) * p.step, step: p.step, positions: positions, intensities: heights) { p.width(at: $0) }
        let top = y.max() ?? 0
        if top > 0 { for i in y.indices { y[i] /= top } }
        return y
    }

    /// `PowderProfile.render` with η = 0.5 (each line's pseudo-Voigt summed over ±6 FWHM), with its
    /// Gaussian on the uniform grid by a product recurrence instead of one `exp` per point:
    /// G(x + δ) = G(x)·R(x), R(x + δ) = R(x)·e^(−2aδ²) with G = e^(−a(x − c)²), a = 4 ln 2 / w², so three
    /// `exp` per line (identical to rounding; grids coarser than the line width take `exp` per point).
    static func renderPseudoVoigt(into y: inout [Double], x0: Double, step: Double, positions: [Double], intensities: [Double],
                                  fwhm: (Double) -> Double) {
        let n = y.count
        let eta = 0.5
        y.withUnsafeMutableBufferPointer { out in
            for (center, intensity) in zip(positions, intensities) where intensity != 0 && center.isFinite {
                let w = fwhm(center)
                let lo = max(0, Int(((center - 6 * w - x0) / step).rounded(.down)))
                let hi = min(n - 1, Int(((center + 6 * w - x0) / step).rounded(.up)))
                guard lo <= hi else { continue }
                guard step <= w else {
                    let scale = intensity / PseudoVoigt.height(fwhm: w, eta: eta)
                    for i in lo...hi { out[i] += scale * PseudoVoigt.value(x0 + Double(i) * step - center, fwhm: w, eta: eta) }
                    continue
                }
                let scale = intensity / PseudoVoigt.height(fwhm: w, eta: eta)
                let gauss = (1 - eta) * PseudoVoigt.value(0, fwhm: w, eta: 0) * scale   // (1 − η)·√(4 ln 2/π)/w
                let lorentz = eta * PseudoVoigt.value(0, fwhm: w, eta: 1) * scale       // η·2/(π w)
                let a = 4 * log(2.0) / (w * w)
                let d0 = x0 + Double(lo) * step - center
                var g = exp(-a * d0 * d0), r = exp(-a * (2 * d0 * step + step * step))
                let q = exp(-2 * a * step * step)
                let invW2 = 4 / (w * w)
                for i in lo...hi {
                    let d = x0 + Double(i) * step - center
                    out[i] += lorentz / (1 + invW2 * d * d) + gauss * g
                    g *= r; r *= q
                }
            }
        }
    }

    /// Best cosine of `target` with `profile` (padded by `pad`) over integer shifts −pad…pad.
    static func bestShift(_ target: [Double], _ profile: [Double], pad: Int, around center: Int = 0, within: Int? = nil) -> (score: Double, shift: Int) {
        let n = target.count
        let tn = target.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard tn > 0, profile.count >= n + 2 * pad else { return (0, 0) }
        var best = (score: -1.0, shift: 0)
        let lo = max(-pad, center - (within ?? 2 * pad)), hi = min(pad, center + (within ?? 2 * pad))
        guard lo <= hi else { return (0, 0) }
        target.withUnsafeBufferPointer { t in
            profile.withUnsafeBufferPointer { pr in
                guard let tp = t.baseAddress, let pp = pr.baseAddress else { return }
                for k in lo...hi {
                    // Candidate shifted by +k points: value at i is profile[pad + i − k].
                    let v = pp + (pad - k)
                    var dot = 0.0, pn = 0.0
                    for i in 0..<n {
                        dot += tp[i] * v[i]; pn += v[i] * v[i]
                    }
                    let s = pn > 0 ? dot / (tn * pn.squareRoot()) : 0
                    if s > best.score + 1e-12 || (abs(s - best.score) <= 1e-12 && abs(k) < abs(best.shift)) { best = (s, k) }
                }
            }
        }
        return best
    }

    /// Non-negative least squares for a few columns (exact: best over all column subsets).
    static func nnls(_ target: [Double], _ columns: [[Double]]) -> (coefficients: [Double], rss: Double) {
        let m = columns.count
        var best = (coefficients: [Double](repeating: 0, count: m), rss: target.reduce(0) { $0 + $1 * $1 })
        guard m > 0, m <= 8 else { return best }
        for mask in 1..<(1 << m) {
            let chosen = (0..<m).filter { mask & (1 << $0) != 0 }
            let k = chosen.count
            var a = [Double](repeating: 0, count: k * k), b = [Double](repeating: 0, count: k)
            for (p, cp) in chosen.enumerated() {
                for (q, cq) in chosen.enumerated() where q >= p {
                    var s = 0.0
                    for i in 0..<target.count { s += columns[cp][i] * columns[cq][i] }
                    a[p * k + q] = s; a[q * k + p] = s
                }
                var s = 0.0
                for i in 0..<target.count { s += columns[cp][i] * target[i] }
                b[p] = s
            }
            guard let x = solveLinearSystem(a, b), x.allSatisfy({ $0 >= 0 }) else { continue }
            var rss = 0.0
            for i in 0..<target.count {
                var model = 0.0
                for (p, cp) in chosen.enumerated() { model += x[p] * columns[cp][i] }
                rss += (target[i] - model) * (target[i] - model)
            }
            if rss < best.rss {
                var c = [Double](repeating: 0, count: m)
                for (p, cp) in chosen.enumerated() { c[cp] = x[p] }
                best = (c, rss)
            }
        }
        return best
    }

    /// Indices of the `count` best screened references, best first (ties: lower index first), in
    /// one pass with a small sorted buffer.
    static func best(_ screened: [Screened], count: Int) -> [Int] {
        var top: [Screened] = []
        top.reserveCapacity(count + 1)
        func before(_ a: Screened, _ b: Screened) -> Bool { a.score > b.score || (a.score == b.score && a.index < b.index) }
        for c in screened where top.count < count || before(c, top[top.count - 1]) {
            let position = top.firstIndex { before(c, $0) } ?? top.count
            top.insert(c, at: position)
            if top.count > count { top.removeLast() }
        }
        return top.map(\.index)
    }

    /// `body` of every element of `items`, computed on all cores, in order.
    static func parallelMap<T>(_ items: [Int], _ body: (Int) -> T) -> [T] {
        var out = [T?](repeating: nil, count: items.count)
        out.withUnsafeMutableBufferPointer { slots in
            guard let base = slots.baseAddress else { return }
            DispatchQueue.concurrentPerform(iterations: items.count) { i in base[i] = body(items[i]) }
        }
        return out.compactMap { $0 }
    }

    /// Identifies the phases of `pattern` among `library`.
    public static func identify(_ pattern: DiffractionPattern, library: ReferenceLibrary,
                                options: IdentificationOptions = IdentificationOptions()) throws -> IdentificationResult {
        guard library.count > 0 else { throw RoentgenError.badParameter("no candidate phases to compare with") }
        let p = try prepare(pattern, options: options)
        var scratch: [Float] = []
        let refineCount = min(library.count, max(1, options.refineCount))
        let order = best(candidates(p, library: library, options: options, scratch: &scratch), count: refineCount)
        let pad = Int((options.maxShift / p.step).rounded())
        var profiles: [Int: [Double]] = [:]
        /// Renders (on all cores) the profiles of `references` not rendered yet.
        func render(_ references: [Int]) {
            let missing = references.filter { profiles[$0] == nil }
            for (r, made) in zip(missing, parallelMap(missing) { profile($0, p, library: library, pad: pad) }) { profiles[r] = made }
        }
        func profileOf(_ r: Int) -> [Double] {
            if let cached = profiles[r] { return cached }
            render([r])
            return profiles[r] ?? []
        }
        render(order)
        let rendered = profiles
        var refined = zip(order, parallelMap(order) { bestShift(p.y, rendered[$0] ?? [], pad: pad) }).map { r, best in
            RankedCandidate(index: r, name: library.names[r], score: best.score, shift: Double(best.shift) * p.step)
        }
        refined.sort { $0.score > $1.score }

        // Multi-phase: add the candidate that best matches what the chosen phases leave unexplained.
        func shifted(_ c: RankedCandidate) -> [Double] {
            let profile = profileOf(c.index)
            let k = Int((c.shift / p.step).rounded())
            return (0..<p.y.count).map { profile[pad + $0 - k] }
        }
        let total = p.y.reduce(0) { $0 + $1 * $1 }
        var chosen: [RankedCandidate] = [], residualScores: [Double] = []
        var columns: [[Double]] = []
        var fit = (coefficients: [Double](), rss: total)
        if let first = refined.first, first.score > 0 {
            chosen.append(first); residualScores.append(first.score); columns.append(shifted(first))
            fit = nnls(p.y, columns)
        }
        // A further phase lowers the residual sum of squares by at most all of it: once that is below
        // `minPhaseGain` of the signal no phase can pass the gain test, and the search stops unscreened.
        while chosen.count < options.maxPhases, !chosen.isEmpty, fit.rss / total >= options.minPhaseGain {
            var residual = p.y
            for (c, column) in zip(fit.coefficients, columns) { for i in residual.indices { residual[i] -= c * column[i] } }
            for i in residual.indices { residual[i] = max(0, residual[i]) }
            var best: (RankedCandidate, Double)?
            // Screen the whole library against what is left, then refine the best of that screen.
            var left = p
            left.y = residual
            let chosenIndices = Set(chosen.map(\.index))
            let residualOrder = Self.best(candidates(left, library: library, options: options, scratch: &scratch)
                .filter { !chosenIndices.contains($0.index) }, count: refineCount)
            render(residualOrder)
            let known = profiles
            let center = Int((chosen[0].shift / p.step).rounded())
            let within = max(1, Int((options.sharedShiftTolerance / p.step).rounded()))
            let scored = parallelMap(residualOrder) { r -> (score: Double, residual: Double, shift: Int) in
                let profile = known[r] ?? []
                let own = refined.first { $0.index == r }?.score ?? bestShift(p.y, profile, pad: pad).score
                // The zero shift is the instrument's: further phases share the first phase's, within ±0.06°.
                let (score, k) = bestShift(residual, profile, pad: pad, around: center, within: within)
                return (own, score, k)
            }
            for (r, s) in zip(residualOrder, scored) where s.residual > (best?.1 ?? -1) {
                best = (RankedCandidate(index: r, name: library.names[r], score: s.score, shift: Double(s.shift) * p.step), s.residual)
            }
        guard let (candidate, score) = best, score >= options.minResidualScore else { break }
            let trial = nnls(p.y, columns + [shifted(candidate)])
            guard (fit.rss - trial.rss) / total >= options.minPhaseGain, let c = trial.coefficients.last, c > 0 else { break }
            // Its strong lines must be there: where the scaled candidate is above half its maximum, the
            // unexplained signal must cover at least half of it (rejects phases that fit noise between lines).
            let column = shifted(candidate)
            var covered = 0.0, expected = 0.0
            for i in residual.indices where column[i] > 0.5 {
                expected += c * column[i]
                covered += min(residual[i], c * column[i])
            }
            guard expected > 0, covered / expected >= options.minLineCoverage else { break }
            chosen.append(candidate); residualScores.append(score); columns.append(shifted(candidate))
            fit = trial
        }
        // Weight fractions: scale / (intensity per unit weight), the RIR principle with computed RIRs.
        var amounts: [Double] = []
        for (c, coefficient) in zip(chosen, fit.coefficients) {
            let lines = library.lines(c.index)
            // Profiles are normalised to max 1: recover the absolute scale of the rendered profile.
            var raw = [Double](repeating: 0, count: p.y.count + 2 * pad)
            var positions: [Double] = [], heights: [Double] = []
            for line in lines {
                let tth = DiffractionAxes.twoTheta(q: line.q, wavelength: p.wavelength)
                guard tth.isFinite else { continue }
                positions.append(tth); heights.append(line.weight * lorentzPolarisation(theta: tth * Double.pi / 360))
            }
            PowderProfile.render(into: &raw, x0: p.x0 - Double(pad) * p.step, step: p.step, positions: positions, intensities: heights, eta: 0.5) { p.width(at: $0) }
            let norm = raw.max() ?? 1
            let scale = library.weightScale[c.index]
            amounts.append(scale.isFinite && scale > 0 ? coefficient / (norm * scale) : coefficient)
        }
        let sum = amounts.reduce(0, +)
        var phases: [IdentifiedPhase] = []
        for (i, c) in chosen.enumerated() where fit.coefficients[i] > 0 {
            phases.append(IdentifiedPhase(index: c.index, name: c.name, formula: library.formulas[c.index],
                                          fraction: sum > 0 ? amounts[i] / sum : 0, scale: fit.coefficients[i], shift: c.shift,
                                          score: residualScores[i]))
        }
        phases.sort { $0.fraction > $1.fraction }
        var ranking = phases.compactMap { phase -> RankedCandidate? in
            var entry = refined.first { $0.index == phase.index }
                ?? chosen.first { $0.index == phase.index }.map { RankedCandidate(index: $0.index, name: $0.name, score: $0.score, shift: $0.shift) }
            entry?.present = true
            return entry
        }
        ranking += refined.filter { c in !phases.contains { $0.index == c.index } }
        return IdentificationResult(ranking: ranking, phases: phases, wavelength: p.wavelength, fwhm: p.fwhm, residual: fit.rss / total)
    }
}
