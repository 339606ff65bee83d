import Foundation
import Refinement
import XrayCore

/// One computed Bragg line family of a phase.
public struct RietveldLine: Sendable, Hashable, Codable {
    public var hkl: [Int]
    public var multiplicity: Int
    /// d-spacing in Å.
    public var d: Double
    /// Kα1 peak position 2θ in degrees (zero and displacement applied).
    public var twoTheta: Double
    /// |F|² in electrons² (Friedel mean, anomalous terms included).
    public var fSquared: Double
    /// Integrated intensity of the Kα1 line in counts·centidegree (the Kα2 line adds ratio × this).
    public var intensity: Double
    /// Gaussian variance (centideg²) and Lorentzian FWHM (centideg) at this line.
    public var sigma2: Double, gamma: Double
}

/// A calculated pattern over the points in range.
public struct RietveldCalculation: Sendable {
    /// Background plus every phase's lines.
    public var calculated: [Double]
    public var background: [Double]
    /// Per phase: that phase's contribution (no background).
    public var phaseContributions: [[Double]]
    /// Per phase: its line families.
    public var lines: [[RietveldLine]]
}

/// The Rietveld model of one constant-wavelength X-ray pattern (the manifest of
/// ../shared/data/xrd/rietveld states the conventions, which are GSAS-II's):
///
/// y(2θᵢ) = b(2θᵢ) + Σ_phases Σ_hkl Σ_{k=Kα1,Kα2} S·f_p·m·L(θ)·P(2θ)·PO·|F|²/V_p · r_k · Ω(2θᵢ − 2θ_hkl,k)
///
/// with L = 1/(2 sin²θ cos θ), P = K + (1 − K) cos² 2θ, Ω the FCJ-asymmetric TCH pseudo-Voigt
/// (`FCJProfile`, per centidegree: GSAS-II's scale convention), Gaussian variance U tan²θ + V tanθ + W
/// (centideg²), Lorentzian FWHM X/cosθ + Y tanθ + X_p/cosθ (centideg, X_p the phase's size term),
/// positions from Bragg's law at λ1 plus Zero and the displacement shift −(0.36/π) s cosθ/R, the Kα2 line
/// at 2θ + (360/π)(Δλ/λ1) tanθ, |F|² from f0 (International Tables 4-Gaussian) + f′ + i f″ with
/// isotropic Debye–Waller factors and occupancies, March–Dollase PO, Chebyshev background.
///
/// Parameter names: `scale`, `bkg_0`…, `zero` (deg), `displacement` (µm), `U`, `V`, `W`, `X`, `Y`, `SH_L`,
/// `ka2_ratio`; per phase P (its `key`): `P_fraction`, `P_a` … `P_gamma`, `P_size_X` (centideg), `P_md_r`,
/// and per site L: `P_L_x`, `P_L_y`, `P_L_z`, `P_L_uiso` (Å²), `P_L_occ`.
public struct RietveldModel: RefinementModel, Sendable {
    /// Every point inside the refined range (excluded regions included, for display).
    public let twoTheta: [Double]
    public let observed: [Double]
    /// Least-squares weights 1/σ² (1/counts by default).
    public let weight: [Double]
    /// Whether a point is outside every excluded region (only these enter the residuals).
    public let included: [Bool]
    public let instrument: RietveldInstrument
    public let phases: [RietveldPhase]
    public let backgroundTerms: Int
    let backgroundBasis: [[Double]]
    let compiled: [CompiledPhase]
    let usedIndices: [Int]
    let sqrtWeight: [Double]
    /// Every model parameter's kind by name (for the analytic derivatives).
    let parameterKinds: [String: RietveldParameterKind]

    /// Builds the model from the points of a pattern: those inside `range` are kept, those inside an
    /// excluded region are kept for display but left out of the fit. Weights default to 1/counts.
    public init(twoTheta allTwoTheta: [Double], observed allObserved: [Double], weights allWeights: [Double]? = nil,
                range: ClosedRange<Double>? = nil, excludedRegions: [ClosedRange<Double>] = [],
                instrument: RietveldInstrument, phases: [RietveldPhase], backgroundTerms: Int) throws {
        guard allTwoTheta.count == allObserved.count, !allTwoTheta.isEmpty else {
            throw RoentgenError(.badData, "the pattern has no points (or 2θ and intensity differ in length)")
        }
        guard instrument.lambda1 > 0, instrument.lambda1.isFinite else {
            throw RoentgenError.badParameter("wavelength λ1 must be positive (got \(instrument.lambda1) Å)")
        }
        guard !phases.isEmpty else { throw RoentgenError.badParameter("a Rietveld model needs at least one phase") }
        guard backgroundTerms >= 0, backgroundTerms <= 36 else {
            throw RoentgenError.badParameter("background terms must be 0…36 (got \(backgroundTerms))")
        }
        let r = range ?? (allTwoTheta.min()!...allTwoTheta.max()!)
        var tt: [Double] = [], yo: [Double] = [], w: [Double] = [], inc: [Bool] = []
        for i in 0..<allTwoTheta.count where r.contains(allTwoTheta[i]) {
            tt.append(allTwoTheta[i]); yo.append(allObserved[i])
            let wi = allWeights?[i] ?? (allObserved[i] > 0 ? 1 / allObserved[i] : 0)
            w.append(wi.isFinite ? max(wi, 0) : 0)
            inc.append(!excludedRegions.contains { $0.contains(allTwoTheta[i]) })
        }
        guard tt.count > 1 else {
            throw RoentgenError.badParameter("no data points inside the range \(r.lowerBound)…\(r.upperBound)°")
        }
        twoTheta = tt; observed = yo; weight = w; included = inc
        self.instrument = instrument
        self.phases = phases
        self.backgroundTerms = backgroundTerms
        backgroundBasis = ChebyshevBackground.basis(twoTheta: tt, first: tt.first!, last: tt.last!, count: backgroundTerms)
        usedIndices = inc.indices.filter { inc[$0] }
        sqrtWeight = w.map { $0.squareRoot() }
        var seen = Set<String>()
        for phase in phases where !seen.insert(phase.key).inserted {
            throw RoentgenError.badParameter("two phases share the name '\(phase.key)'")
        }
        let reach = (tt.first! - 3)...(tt.last! + 3)
        compiled = try phases.map { try CompiledPhase($0, instrument: instrument, range: reach) }
        parameterKinds = Self.parameterKinds(backgroundTerms: backgroundTerms, compiled: compiled)
    }

    // MARK: parameters

    /// Histogram parameter names in order.
    public var histogramParameterNames: [String] {
        ["scale"] + (0..<backgroundTerms).map { "bkg_\($0)" } + ["zero", "displacement", "U", "V", "W", "X", "Y", "SH_L", "ka2_ratio"]
    }

    /// Every parameter with its starting value, none varied: the CIF's cell, coordinates, U_iso (0.01 Å²
    /// where the CIF has none) and occupancies; cell and special-position coordinates constrained by
    /// symmetry (expressions); profile and instrument terms as given (defaults U 2, V −2, W 5 (≥ 0),
    /// X Y 0 centideg, SH/L 0.015), background c0 = 1.
    public func defaultParameters(profile: [String: Double] = [:]) throws -> ParameterSet {
        var set = ParameterSet()
        func add(_ name: String, _ value: Double, lower: Double = -.infinity, upper: Double = .infinity) throws {
            try set.add(Parameter(name, profile[name] ?? value, vary: false, lower: lower, upper: upper))
        }
        try add("scale", 1, lower: 0)
        for n in 0..<backgroundTerms { try add("bkg_\(n)", n == 0 ? 1 : 0) }
        try add("zero", 0)
        try add("displacement", 0)
        // W ≥ 0: the Gaussian variance at 2θ → 0 cannot be negative (below zero variance everywhere the
        // Gaussian width sits at its floor, W no longer acts, and a refinement could not come back).
        try add("U", 2); try add("V", -2); try add("W", 5, lower: 0); try add("X", 0); try add("Y", 0)
        try add("SH_L", 0.015, lower: 0)
        try add("ka2_ratio", instrument.intensityRatio, lower: 0)
        for c in compiled {
            let k = c.phase.key
            try add("\(k)_fraction", 1, lower: 0)
            let cell = c.phase.structure.cell
            let values = [cell.a, cell.b, cell.c, cell.alpha, cell.beta, cell.gamma]
            for (i, rule) in c.cellRules.enumerated() {
                let name = "\(k)_\(CellConstraints.names[i])"
                switch rule {
                case .free: try add(name, values[i], lower: 0)
                case .equals(let other): try set.add(Parameter(name, expression: "\(k)_\(other)"))
                case .fixed(let v): try set.add(Parameter(name, expression: Self.number(v)))
                }
            }
            try add("\(k)_size_X", 0, lower: 0)
            try add("\(k)_md_r", 1, lower: 0.05)
            for (s, site) in c.phase.structure.sites.enumerated() {
                let base = "\(k)_\(c.siteKeys[s])"
                let axes = ["x", "y", "z"]
                for i in 0..<3 {
                    let name = "\(base)_\(axes[i])"
                    if let dep = c.siteSymmetry[s].dependence[i] {
                        var expr = Self.number(dep.constant)
                        for term in dep.terms {
                            expr += " + " + Self.number(term.coefficient) + "*" + "\(base)_\(axes[term.index])"
                        }
                        try set.add(Parameter(name, expression: expr))
                    } else {
                        try add(name, site.fract[i])
                    }
                }
                if c.displacementSymmetry[s] == nil { try add("\(base)_uiso", site.uIso ?? 0.01) }
                try add("\(base)_occ", site.occupancy, lower: 0)
                if let symmetry = c.displacementSymmetry[s] {
                    // U_ij from the CIF, else the isotropic U in this cell; dependent components by symmetry.
                    let start = site.uAniso.flatMap { $0.count == 6 ? $0 : nil } ?? cell.isotropicUAniso(site.uIso ?? 0.01)
                    for (q, component) in DisplacementSymmetry.names.enumerated() {
                        let name = "\(base)_\(component)"
                        if let terms = symmetry.dependence[q] {
                            let expr = terms.isEmpty ? "0" : terms.map { Self.number($0.coefficient) + "*\(base)_\(DisplacementSymmetry.names[$0.index])" }
                                .joined(separator: " + ")
                            try set.add(Parameter(name, expression: expr))
                        } else {
                            try add(name, start[q])
                        }
                    }
                    // U_iso of an anisotropic site is its U_eq = ⅓ Σ a*_i a*_j G_ij U_ij (Fischer & Tillmanns 1988),
                    // with the starting cell's metric: a reported quantity, not refined on its own.
                    let (ra, rb, rc) = cell.reciprocalLengths
                    let star = [ra, rb, rc], g = cell.metric
                    let pairs = [(0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2)]
                    let terms = pairs.enumerated().compactMap { q, ij -> String? in
                        let k = (ij.0 == ij.1 ? 1.0 : 2.0) * star[ij.0] * star[ij.1] * g[ij.0 * 3 + ij.1] / 3
                        return abs(k) < 1e-12 ? nil : Self.number(k) + "*\(base)_\(DisplacementSymmetry.names[q])"
                    }
                    try set.add(Parameter("\(base)_uiso", expression: terms.joined(separator: " + ")))
                }
            }
        }
        return set
    }

    static func number(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e6 { return String(Int(v)) }
        return String(v)
    }

    /// The names of the symmetry-free coordinates of every site of phase `index` (for "xyz of all atoms").
    public func freeCoordinateNames(phase index: Int) -> [String] {
        let c = compiled[index]
        var out: [String] = []
        for s in 0..<c.siteKeys.count {
            for (i, axis) in ["x", "y", "z"].enumerated() where c.siteSymmetry[s].free[i] {
                out.append("\(c.phase.key)_\(c.siteKeys[s])_\(axis)")
            }
        }
        return out
    }

    /// The free cell parameter names of phase `index` (a, b, c, angles the crystal system leaves free).
    public func freeCellNames(phase index: Int) -> [String] {
        let c = compiled[index]
        return c.cellRules.indices.filter { c.cellRules[$0] == .free }.map { "\(c.phase.key)_\(CellConstraints.names[$0])" }
    }

    /// The names of the symmetry-free U_ij of the anisotropic sites of phase `index`.
    public func freeAnisotropicNames(phase index: Int) -> [String] {
        let c = compiled[index]
        var out: [String] = []
        for s in 0..<c.siteKeys.count {
            guard let symmetry = c.displacementSymmetry[s] else { continue }
            for (q, component) in DisplacementSymmetry.names.enumerated() where symmetry.free[q] {
                out.append("\(c.phase.key)_\(c.siteKeys[s])_\(component)")
            }
        }
        return out
    }

    /// The site keys (`label` made an identifier) of phase `index`, in CIF order.
    public func siteKeys(phase index: Int) -> [String] { compiled[index].siteKeys }

    /// The site symmetry of each site of phase `index`.
    public func siteSymmetries(phase index: Int) -> [SiteSymmetry] { compiled[index].siteSymmetry }

    // MARK: calculation

    /// The calculated pattern at these parameter values.
    public func calculate(_ p: ParameterValues) throws -> RietveldCalculation {
        try evaluate(p, record: false).calculation
    }

    /// One line's profile on its window: unit-intensity Kα1 values from `start`, and Kα2 values from `start2`.
    struct LineProfile {
        var start = 0, values: [Double] = []
        var start2 = 0, values2: [Double] = []
    }

    /// The calculation, and (with `record`) every line's unit-intensity profile (for Rietveld partitioning).
    func evaluate(_ p: ParameterValues, record: Bool) throws -> (calculation: RietveldCalculation, profiles: [[LineProfile]]) {
        let (background, histogram) = try backgroundAndHistogram(p)
        var total = background
        var contributions: [[Double]] = []
        var allLines: [[RietveldLine]] = []
        var allProfiles: [[LineProfile]] = []
        let ws = FCJWorkspace()
        for c in compiled {
            var y = [Double](repeating: 0, count: twoTheta.count)
            let pl = try c.phaseLines(p, histogram: histogram, instrument: instrument, derivatives: false)
            let windows = lineWindows(pl, histogram: histogram)
            var profiles: [LineProfile] = []
            for l in 0..<pl.count {
                var out = LineProfile()
                forEachLine(pl, l, histogram: histogram, windows: windows, within: 0..<twoTheta.count, rules: nil, workspace: ws,
                            derivatives: false) { shape, intensity, second, lo, hi in
                    var values = record ? [Double](repeating: 0, count: hi - lo) : []
                    for i in lo..<hi {
                        let d = shape.value(at: twoTheta[i], ws)
                        y[i] += intensity * d
                        if record { values[i - lo] = d }
                    }
                    if record {
                        if second { out.start2 = lo; out.values2 = values } else { out.start = lo; out.values = values }
                    }
                }
                if record { profiles.append(out) }
            }
            for i in 0..<y.count { total[i] += y[i] }
            contributions.append(y)
            allLines.append(try c.lines(p, histogram: histogram, instrument: instrument))
            allProfiles.append(profiles)
        }
        return (RietveldCalculation(calculated: total, background: background, phaseContributions: contributions,
                                    lines: allLines), allProfiles)
    }

    /// The calculated pattern only (the residuals' fast path): no line records, no per-phase copies,
    /// the points shared among threads (`pointChunks`).
    /// `frozen` (from `lineLayout`, per phase six numbers per line: the Kα1 and Kα2 Gauss–Legendre rules
    /// and index windows) holds every line's rule and window fixed, for checking the derivatives.
    func calculatedPattern(_ p: ParameterValues, frozen: [[Int]]? = nil) throws -> [Double] {
        var (total, histogram) = try backgroundAndHistogram(p)
        // Every phase's lines first, then one parallel region over point ranges common to all phases: each
        // thread adds, at its points, phase after phase and line after line (the same sums, same order).
        var work: [(lines: PhaseLines, windows: [Int], kept: [Int]?)] = []
        for (ph, c) in compiled.enumerated() {
            let pl = try c.phaseLines(p, histogram: histogram, instrument: instrument, derivatives: false)
            let kept = frozen.flatMap { $0[ph].count == 6 * pl.count ? $0[ph] : nil }
            let windows = kept.map { k in (0..<pl.count).flatMap { k[(6 * $0 + 2)..<(6 * $0 + 6)] } }
                ?? lineWindows(pl, histogram: histogram)
            work.append((pl, windows, kept))
        }
        let chunks = pointChunks(work.flatMap(\.windows))
        total.withUnsafeMutableBufferPointer { yBuffer in
            twoTheta.withUnsafeBufferPointer { xBuffer in
                guard let y = yBuffer.baseAddress, let x = xBuffer.baseAddress else { return }
                DispatchQueue.concurrentPerform(iterations: chunks.count) { t in
                    let ws = FCJWorkspace()
                    for w in work {
                        for l in 0..<w.lines.count {
                            forEachLine(w.lines, l, histogram: histogram, windows: w.windows, within: chunks[t],
                                        rules: w.kept.map { ($0[6 * l], $0[6 * l + 1]) }, workspace: ws,
                                        derivatives: false) { shape, intensity, _, lo, hi in
                                shape.addValues(intensity, x: x, into: y, lo..<hi, ws)
                            }
                        }
                    }
                }
            }
        }
        return total
    }

    /// Every line's Gauss–Legendre rules and index windows at these values, per phase six numbers per
    /// line (rule Kα1, rule Kα2, window Kα1 low/high, window Kα2 low/high).
    func lineLayout(_ p: ParameterValues) throws -> [[Int]] {
        let histogram = try histogramTerms(p)
        let ws = FCJWorkspace()
        return try compiled.map { c in
            let pl = try c.phaseLines(p, histogram: histogram, instrument: instrument, derivatives: false)
            let windows = lineWindows(pl, histogram: histogram)
            var layout = [Int](repeating: 0, count: 6 * pl.count)
            for l in 0..<pl.count {
                forEachLine(pl, l, histogram: histogram, windows: windows, within: 0..<twoTheta.count, rules: nil, workspace: ws,
                            derivatives: false) { shape, _, second, lo, hi in
                    layout[6 * l + (second ? 1 : 0)] = shape.ruleCount
                    layout[6 * l + (second ? 4 : 2)] = lo
                    layout[6 * l + (second ? 5 : 3)] = hi
                }
            }
            return layout
        }
    }

    func backgroundAndHistogram(_ p: ParameterValues) throws -> ([Double], HistogramTerms) {
        let n = twoTheta.count
        var background = [Double](repeating: 0, count: n)
        for k in 0..<backgroundTerms {
            let c = try Self.value(p, "bkg_\(k)")
            if c == 0 { continue }
            let basis = backgroundBasis[k]
            for i in 0..<n { background[i] += c * basis[i] }
        }
        return (background, try histogramTerms(p))
    }

    static func value(_ p: ParameterValues, _ name: String) throws -> Double {
        guard let v = p[name] else { throw RoentgenError.badParameter("parameter '\(name)' is missing") }
        return v
    }

    func histogramTerms(_ p: ParameterValues) throws -> HistogramTerms {
        try HistogramTerms(
            scale: Self.value(p, "scale"), zero: Self.value(p, "zero"), displacement: Self.value(p, "displacement"),
            u: Self.value(p, "U"), v: Self.value(p, "V"), w: Self.value(p, "W"), x: Self.value(p, "X"),
            y: Self.value(p, "Y"), shl: Self.value(p, "SH_L"), ratio: Self.value(p, "ka2_ratio"))
    }

    /// The Kα2 position shift factor: 2θ₂ = 2θ₁ + shift·tan θ₁ (degrees), nil without Kα2.
    var kAlpha2Shift: Double? {
        instrument.lambda2.map { 360 * ($0 - instrument.lambda1) / (Double.pi * instrument.lambda1) }
    }

    /// The Kα2 line position (degrees) of the Kα1 line at `position`, nil without a Kα2 line there.
    @inline(__always)
    func kAlpha2Position(_ position: Double, histogram h: HistogramTerms) -> Double? {
        guard let shift = kAlpha2Shift, h.ratio != 0 else { return nil }
        let pos2 = position + shift * tan(position * Double.pi / 360)
        return pos2 < 180 ? pos2 : nil
    }

    /// Per line of `pl`, four point indices: its Kα1 window [lo, hi) and its Kα2 window (empty without
    /// one), GSAS-II's windows (`FCJProfile.window`), as the line shapes compute them.
    func lineWindows(_ pl: PhaseLines, histogram h: HistogramTerms) -> [Int] {
        var out = [Int](repeating: 0, count: 4 * pl.count)
        for l in 0..<pl.count where pl.intensity[l].isFinite {
            let sqsg = FCJProfile.sqsg(sigma2: pl.sigma2[l])
            let w1 = FCJProfile.window(position: pl.position[l], sqsg: sqsg, gamma: pl.gamma[l], shl: h.shl)
            out[4 * l] = lowerIndex(w1.low); out[4 * l + 1] = lowerIndex(w1.high)
            if let pos2 = kAlpha2Position(pl.position[l], histogram: h) {
                let w2 = FCJProfile.window(position: pos2, sqsg: sqsg, gamma: pl.gamma[l], shl: h.shl)
                out[4 * l + 2] = lowerIndex(w2.low); out[4 * l + 3] = lowerIndex(w2.high)
            }
        }
        return out
    }

    /// The point ranges the threads share the lines' work by: contiguous, each with about the same
    /// number of (line, point) pairs inside the windows `windows` (as from `lineWindows`). One range
    /// per available core (at most 8), and one alone for small patterns.
    func pointChunks(_ windows: [Int]) -> [Range<Int>] {
        let n = twoTheta.count
        let threads = min(ProcessInfo.processInfo.activeProcessorCount, 8)
        guard threads > 1, n >= 1000 else { return [0..<n] }
        var cover = [Int](repeating: 0, count: n + 1)
        var total = 0
        for q in stride(from: 0, to: windows.count, by: 2) where windows[q] < windows[q + 1] {
            cover[windows[q]] += 1; cover[windows[q + 1]] -= 1
            total += windows[q + 1] - windows[q]
        }
        var chunks: [Range<Int>] = []
        var start = 0, depth = 0, done = 0
        for i in 0..<n {
            depth += cover[i]
            done += depth
            if chunks.count < threads - 1, done * threads >= total * (chunks.count + 1), i + 1 > start {
                chunks.append(start..<(i + 1)); start = i + 1
            }
        }
        chunks.append(start..<n)
        return chunks
    }

    /// Calls `body` with the line shape, integrated intensity and point range of the Kα1 line and (when
    /// present) the Kα2 line of line `l` (`second` true for Kα2), their windows (from `lineWindows`)
    /// clipped to `range`; a line with nothing inside `range` is not set up. The shape's nodes live in
    /// `ws` until the next call.
    @inline(__always)
    func forEachLine(_ pl: PhaseLines, _ l: Int, histogram h: HistogramTerms, windows: [Int], within range: Range<Int>,
                     rules: (Int, Int)?, workspace ws: FCJWorkspace, derivatives: Bool,
                     _ body: (FCJLineShape, Double, Bool, Int, Int) -> Void) {
        let intensity = pl.intensity[l]
        guard intensity.isFinite else { return }
        let keep1 = rules.flatMap { $0.0 > 0 ? $0.0 : nil }, keep2 = rules.flatMap { $0.1 > 0 ? $0.1 : nil }
        let pos = pl.position[l]
        let lo = max(windows[4 * l], range.lowerBound), hi = min(windows[4 * l + 1], range.upperBound)
        if lo < hi {
            body(FCJLineShape(position: pos, sigma2: pl.sigma2[l], gamma: pl.gamma[l], shl: h.shl, ruleCount: keep1,
                              workspace: ws, derivatives: derivatives), intensity, false, lo, hi)
        }
        let lo2 = max(windows[4 * l + 2], range.lowerBound), hi2 = min(windows[4 * l + 3], range.upperBound)
        if lo2 < hi2, let pos2 = kAlpha2Position(pos, histogram: h) {
            body(FCJLineShape(position: pos2, sigma2: pl.sigma2[l], gamma: pl.gamma[l], shl: h.shl, ruleCount: keep2,
                              workspace: ws, derivatives: derivatives), intensity * h.ratio, true, lo2, hi2)
        }
    }

    /// First index with 2θ ≥ `x` (numpy's searchsorted, left). On a (nearly) even grid the index guessed
    /// from the mean step is corrected by a few steps; otherwise, a bisection.
    func lowerIndex(_ x: Double) -> Int {
        let n = twoTheta.count
        let first = twoTheta[0], step = (twoTheta[n - 1] - first) / Double(n - 1)
        if step > 0, x.isFinite {
            var i = Int(max(0, min(Double(n), ((x - first) / step).rounded(.up))))
            for _ in 0..<4 {
                if i > 0, twoTheta[i - 1] >= x { i -= 1 } else if i < n, twoTheta[i] < x { i += 1 } else { return i }
            }
        }
        var lo = 0, hi = n
        while lo < hi {
            let mid = (lo + hi) / 2
            if twoTheta[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    // MARK: RefinementModel

    public func residuals(_ p: ParameterValues) throws -> [Double] {
        let calc = try calculatedPattern(p)
        return usedIndices.map { (observed[$0] - calc[$0]) * sqrtWeight[$0] }
    }
}

/// The histogram-wide terms of one evaluation.
struct HistogramTerms {
    var scale, zero, displacement, u, v, w, x, y, shl, ratio: Double
}
