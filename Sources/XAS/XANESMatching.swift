import Foundation
import XrayCore

/// Which similarity ranks the references.
public enum XANESMetric: String, Sendable, Codable, CaseIterable {
    /// Pearson correlation of normalised μ over the matching window (shape).
    case norm
    /// Pearson correlation of dμ/dE over the matching window (edge position and features).
    case derivative
    /// The mean of the two.
    case combined
}

/// Settings of `XANESMatcher.match`.
public struct XANESMatchOptions: Sendable, Hashable {
    public var metric: XANESMetric = .combined
    /// Largest energy shift searched, eV (in steps of the library grid, refined by a parabola).
    public var maxShift: Double = 3
    /// How many references to report.
    public var top: Int = 10
    public init(metric: XANESMetric = .combined, maxShift: Double = 3, top: Int = 10) {
        self.metric = metric; self.maxShift = maxShift; self.top = top
    }
}

/// One ranked reference.
public struct XANESMatch: Sendable, Hashable, Codable {
    /// Index in the library.
    public var index: Int
    public var entry: XANESEntry
    /// The ranking metric's value at the best shift (−1 … 1).
    public var score: Double
    /// Pearson correlations of normalised μ and of dμ/dE at the best shift.
    public var normCorrelation: Double
    public var derivativeCorrelation: Double
    /// Energy shift (eV) to add to the unknown's energies (relative to its E0) to align it with the reference.
    public var shift: Double

    enum CodingKeys: String, CodingKey {
        case index, entry, score, shift
        case normCorrelation = "norm_correlation", derivativeCorrelation = "derivative_correlation"
    }
}

/// An unknown spectrum prepared for matching: normalised μ on its own grid, with E0.
public struct XANESQuery: Sendable, Hashable {
    public var energy: [Double]
    public var norm: [Double]
    public var e0: Double
    public var edgeStep: Double
    /// The edge the library entries are compared on (`"Fe K"`), and its tabulated energy (eV).
    public var edgeLabel: String
    public var edgeEnergy: Double
}

/// Ranking of library references by shift-tolerant similarity of normalised XANES.
///
/// The similarity is a Pearson correlation coefficient (of normalised μ, of dμ/dE, or their
/// mean) over the library's matching window relative to E0, maximised over energy shifts of the
/// unknown in grid steps within ±`maxShift`; the best shift is refined by a parabola through the
/// three best scores. Comparing on E − E0 removes calibration offsets; the shift search absorbs
/// the difference between E0 picks and chemical shifts.
public enum XANESMatcher {
    /// Normalises the unknown and picks the library edge it is compared on.
    ///
    /// With `element`, the library's edges of that element are used (the one whose tabulated
    /// energy is nearest the unknown's E0). Without it, the library must hold one edge.
    /// - Throws: `RoentgenError` when the library holds several edges and no element is given
    ///   (listing them), holds none of `element`, or the edge's tabulated energy lies outside the data.
    public static func prepare(energy: [Double], mu: [Double], library: XANESLibrary, element: String?, source: String? = nil) throws -> (XANESQuery, [Int]) {
        let grid = try EnergyGrid.prepare(energy: energy, mu: mu, source: source)
        var pre = try preEdge(energy: grid.energy, mu: grid.mu)
        let held = library.edges()
        let heldText = held.map { "\($0.label) (\($0.count))" }.joined(separator: ", ")
        var labels: [String]
        if let element {
            guard let el = Element.named(element) else { throw RoentgenError.badParameter("--element '\(element)' is not an element symbol") }
            labels = held.map(\.label).filter { $0.hasPrefix(el.symbol + " ") }
            guard !labels.isEmpty else { throw RoentgenError.badParameter("the library holds no \(el.symbol) spectra; it holds \(heldText)") }
        } else {
            labels = held.map(\.label)
            guard labels.count == 1 else {
                let guess = AbsorptionEdge.guess(energy: pre.e0).map { " (this spectrum's E0 \(String(format: "%.1f", pre.e0)) eV looks like \($0.symbol) \($0.edge))" } ?? ""
                throw RoentgenError.badParameter("the library holds several edges: \(heldText); choose one with --element\(guess)")
            }
        }
        let edges = labels.compactMap { label -> (String, AbsorptionEdge)? in
            let p = label.split(separator: " ").map(String.init)
            return p.count == 2 ? AbsorptionEdge.named(p[0], p[1]).map { (label, $0) } : nil
        }
        guard let (label, edge) = edges.min(by: { abs($0.1.energy - pre.e0) < abs($1.1.energy - pre.e0) }) else {
            throw RoentgenError(.badData, "the library's edges \(labels.joined(separator: ", ")) are not tabulated")
        }
        let lo = grid.energy[0], hi = grid.energy[grid.energy.count - 1]
        guard edge.energy > lo, edge.energy < hi else {
            throw RoentgenError(.badData, String(format: "no %@ edge in range: the data cover %.1f…%.1f eV, the edge is at %.1f eV", label, lo, hi, edge.energy), file: source)
        }
        // E0 far from the tabulated edge (a glitch or pre-edge picked): search again near the edge.
        if abs(pre.e0 - edge.energy) > 50 {
            let near = grid.energy.indices.filter { abs(grid.energy[$0] - edge.energy) <= 50 }
            if near.count >= 10 {
                let e0 = findE0(energy: near.map { grid.energy[$0] }, mu: near.map { grid.mu[$0] })
                pre = try preEdge(energy: grid.energy, mu: grid.mu, parameters: PreEdgeParameters(e0: e0))
            }
        }
        let candidates = library.entries(withEdge: label)
        return (XANESQuery(energy: grid.energy, norm: pre.norm, e0: pre.e0, edgeStep: pre.edgeStep, edgeLabel: label, edgeEnergy: edge.energy), candidates)
    }

    /// Ranks `candidates` (library indices) against the query, best first.
    /// - Throws: `RoentgenError.badData` when the query has fewer than 4 points in the matching window.
    public static func match(_ q: XANESQuery, library: XANESLibrary, candidates: [Int], options: XANESMatchOptions = XANESMatchOptions()) throws -> [XANESMatch] {
        let g = library.grid
        let k = max(0, Int((options.maxShift / g.step).rounded(.down)))
        let nShift = 2 * k + 1
        let length = library.featureLength, half = g.windowCount
        // Query feature vectors for every trial shift, the metric applied by zeroing a half.
        var queries = [Float](repeating: 0, count: nShift * length)
        for s in 0..<nShift {
            let shift = Double(s - k) * g.step
            // The unknown moved by +shift: its value at relative energy w is u(E0 + w − shift).
            let window = (0..<half).map { i -> Double in
                let e = q.e0 + g.energy(g.windowStart + i) - shift
                return interpolateHolding(q.energy, q.norm, at: e)
            }
            guard var f = XANESFeatures.vector(window: window) else {
                throw RoentgenError(.badData, "the spectrum has fewer than 4 points in the matching window around E0 = \(q.e0) eV, or is flat there")
            }
            switch options.metric {
            case .combined: break
            case .norm: for i in 0..<half { f[i] *= 2; f[half + i] = 0 }
            case .derivative: for i in 0..<half { f[half + i] *= 2; f[i] = 0 }
            }
            for i in 0..<length { queries[s * length + i] = f[i] }
        }
        // scores[c * nShift + s]
        var scores = [Float](repeating: 0, count: candidates.count * nShift)
        library.withFeatures { features in
            queries.withUnsafeBufferPointer { qp in
                scores.withUnsafeMutableBufferPointer { out in
                    let chunks = candidates.count >= 2000 ? 4 : 1
                    let per = (candidates.count + chunks - 1) / chunks
                    let outBase = out.baseAddress!, fBase = features.baseAddress!, qBase = qp.baseAddress!
                    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                        for c in (chunk * per)..<min(candidates.count, (chunk + 1) * per) {
                            let r = fBase + candidates[c] * length
                            for s in 0..<nShift { outBase[c * nShift + s] = dot(r, qBase + s * length, length) }
                        }
                    }
                }
            }
        }
        var best: [(c: Int, s: Int, score: Float)] = []
        best.reserveCapacity(candidates.count)
        for c in 0..<candidates.count {
            var bs = 0, bv = -Float.infinity
            for s in 0..<nShift where scores[c * nShift + s] > bv || (scores[c * nShift + s] == bv && abs(s - k) < abs(bs - k)) {
                bs = s; bv = scores[c * nShift + s]
            }
            best.append((c, bs, bv))
        }
        best.sort { $0.score > $1.score }
        return best.prefix(max(0, options.top)).map { b in
            let row = b.c * nShift
            var shift = Double(b.s - k) * g.step
            var score = Double(b.score)
            if b.s > 0, b.s < nShift - 1 {
                let y0 = Double(scores[row + b.s - 1]), y1 = Double(scores[row + b.s]), y2 = Double(scores[row + b.s + 1])
                let curvature = y0 - 2 * y1 + y2
                if curvature < 0 {
                    let offset = 0.5 * (y0 - y2) / curvature
                    shift += offset * g.step
                    score = y1 - 0.25 * (y0 - y2) * offset
                }
            }
            // Both correlations at the best grid shift from the feature halves (each half has norm 1/√2).
            let r = candidates[b.c]
            var cn = 0.0, cd = 0.0
            library.withFeatures { f in
                let base = r * length
                let qs = b.s * length
                for i in 0..<half {
                    cn += Double(f[base + i]) * Double(queries[qs + i])
                    cd += Double(f[base + half + i]) * Double(queries[qs + half + i])
                }
            }
            switch options.metric {
            case .combined: cn *= 2; cd *= 2
            case .norm: cd = .nan
            case .derivative: cn = .nan
            }
            return XANESMatch(index: r, entry: library.entry(r), score: min(1, score), normCorrelation: cn, derivativeCorrelation: cd, shift: shift)
        }
    }

    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>.zero
        var i = 0
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        while i + 8 <= n {
            acc += ra.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            i += 8
        }
        var s = acc.sum()
        while i < n { s += a[i] * b[i]; i += 1 }
        return s
    }

    /// Linear interpolation of y(x) at `e`, holding the end values outside.
    static func interpolateHolding(_ x: [Double], _ y: [Double], at e: Double) -> Double {
        let n = x.count
        if e <= x[0] { return y[0] }
        if e >= x[n - 1] { return y[n - 1] }
        var lo = 0, hi = n - 1
        while hi - lo > 1 { let mid = (lo + hi) / 2; if x[mid] <= e { lo = mid } else { hi = mid } }
        let t = (e - x[lo]) / (x[hi] - x[lo])
        return y[lo] + t * (y[hi] - y[lo])
    }

    /// Library entry `r` as an LCF standard: normalised μ on absolute energy (its E0 + grid), measured points only.
    public static func standard(_ r: Int, library: XANESLibrary) -> LCFStandard {
        let e0 = library.e0(r)
        let norm = library.norm(r)
        var x: [Double] = [], y: [Double] = []
        for i in 0..<library.grid.count where norm[i].isFinite { x.append(e0 + library.grid.energy(i)); y.append(Double(norm[i])) }
        return LCFStandard(name: library.entry(r).name, x: x, y: y)
    }
}
