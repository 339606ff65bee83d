import Foundation
import XrayCore
import XrayNumerics

/// G(r) of periodic structure models exactly as PDFfit2 computes it
/// (Farrow et al., J. Phys.: Condens. Matter 19 (2007) 335219; diffpy.pdffit2 `libpdffit2/pdf.cc`):
///
/// G(r) = Σ_phases dscale·pscale·E(r)·[ (1/(N r)) Σ_{i,j} o_i o_j (b_i b_j/⟨b⟩²) T_ij(r) − 4π r ρ₀ ]
///
/// with T_ij Gaussians of area 1 at every pair distance r_ij (i ≠ j or a lattice translation apart,
/// r_ij within the calculation range ± 1 Å) cut at ±5σ_ij, N = Σ o_i, ρ₀ = N/V, b the X-ray Z or
/// neutron b_c, and the peak width
/// σ_ij = σ′_ij·√(1 − δ₂/r_ij² − δ₁/r_ij + qbroad²·r_ij²)  (pairs with a non-positive radicand are left out),
/// times `sratio` below `rcut`, where σ′² is the mean-square displacement of the two atoms along the pair
/// direction from U_i + U_j. The envelope E(r) = exp(−(qdamp r)²/2) × the sphere envelope
/// 1 − 3x/2 + x³/2 (x = r/spdiameter < 1) × the step at `stepcut`.
/// The calculation range is the fit range extended by 6 termination ripples (6·2π/Qmax, not below the
/// data's first r); G there is Fourier filtered at Qmax: zero-padded to the next power of two ≥ 2× its
/// length, transformed, the components from ceil(Qmax/ΔQ) with ΔQ = 2π/((n−1)Δr) (PDFfit2's step)
/// zeroed, transformed back.
///
/// Speed: the pair list (atom pairs and lattice translations within reach) is built once and
/// reused while the geometry stays within its margin; each Gaussian is summed by a multiplicative
/// recurrence (a few exponentials per peak, not one per point, four points at a time); pairs of equal
/// length and width are summed into one peak; the pairs run in two chunks on two cores; the peak sum
/// of a phase is cached and reused when only scales or envelopes change. Not thread-safe: one calculator per task.
public final class PDFfitCalculator {
    public let grid: PDFGrid
    /// Calculation range indices (data grid) before the Qmax filter.
    public let calcIndices: ClosedRange<Int>
    /// The r limits (Å) of the calculation range.
    public let rcMin: Double, rcMax: Double

    var pairLists: [PairList?] = []
    private var peakCache: [(key: PeakKey, ppp: [Double])?] = []
    /// The half-length complex FFT of the real Qmax filter and its twiddles.
    private var fftPlan: FFTPlan?
    private var twiddleRe: [Double] = [], twiddleIm: [Double] = []

    /// A calculator for data on `grid` with Qmax `qmax` (the calculation range depends on it).
    public init(grid: PDFGrid, qmax: Double) {
        self.grid = grid
        var lo = grid.fitMin, hi = grid.fitMax
        if qmax > 0 {
            let ripples = 6 * 2 * Double.pi / qmax
            lo = max(grid.r0, grid.fitMin - ripples)
            hi = grid.fitMax + ripples
        }
        rcMin = lo; rcMax = hi
        calcIndices = PDFGrid.nint((lo - grid.r0) / grid.step)...PDFGrid.nint((hi - grid.r0) / grid.step)
    }

    /// G(r) at the fit points (`grid.fitIndices`) of `phases` measured with `instrument`.
    public func fitPointsG(phases: [PDFPhase], instrument: PDFInstrument) throws -> [Double] {
        let all = try calculationRangeG(phases: phases, instrument: instrument)
        let fit = grid.fitIndices
        let offset = calcIndices.lowerBound
        return Array(all[(fit.lowerBound - offset)...(fit.upperBound - offset)])
    }

    /// G(r) over the calculation range (`calcIndices`), after the Qmax filter.
    public func calculationRangeG(phases: [PDFPhase], instrument: PDFInstrument) throws -> [Double] {
        guard !phases.isEmpty else { throw RoentgenError.badParameter("a PDF model needs at least one phase") }
        let n = calcIndices.count
        var total = [Double](repeating: 0, count: n)
        resizeCaches(phases.count)
        let dr = grid.step, r0 = grid.r0, c0 = calcIndices.lowerBound
        for (p, phase) in phases.enumerated() {
            let ppp = try peakSum(phase: phase, index: p, instrument: instrument)
            let np = phase.atoms.reduce(0) { $0 + $1.occupancy }
            let rho0 = np / phase.cell.volume
            let factor = instrument.scale * phase.scale
            for k in 0..<n {
                let r = r0 + Double(c0 + k) * dr
                guard r > 0 else { continue }
                var g = ppp[k] / np / r - 4 * Double.pi * r * rho0
                if instrument.qdamp > 0 { g *= exp(-(r * instrument.qdamp) * (r * instrument.qdamp) / 2) }
                if phase.spdiameter > 0 { g *= Self.sphereEnvelope(r, phase.spdiameter) }
                if phase.stepcut > 0, r > phase.stepcut { g = 0 }
                total[k] += factor * g
            }
        }
        if instrument.qmax > 0 { applyQmaxCutoff(&total, qmax: instrument.qmax) }
        return total
    }

    /// One pair list and peak cache per phase (emptied when the number of phases changes).
    func resizeCaches(_ count: Int) {
        if pairLists.count != count {
            pairLists = Array(repeating: nil, count: count)
            peakCache = Array(repeating: nil, count: count)
        }
    }

    /// The spherical-particle envelope γ₀(r; d) = 1 − 3x/2 + x³/2 for x = r/d < 1, else 0
    /// (Kodama et al., Acta Cryst. A62 (2006) 444).
    public static func sphereEnvelope(_ r: Double, _ d: Double) -> Double {
        let x = r / d
        return x < 1 ? 1 - 1.5 * x + 0.5 * x * x * x : 0
    }

    // MARK: - Pair sums

    /// What the peak sum of a phase depends on (scales and envelopes excluded).
    private struct PeakKey: Equatable {
        var cell: UnitCell
        var atoms: [PDFAtom]
        var delta1: Double, delta2: Double, sratio: Double, rcut: Double, stepcut: Double
        var qbroad: Double
        var radiation: PDFRadiation
    }

    /// Atom pairs i ≤ j and lattice translations t (fractional) for which |x_i − x_j − t| lies within
    /// reach of the calculation range, for one reference geometry; flat arrays, ordered in groups of
    /// pairs that had the same length and peak width (symmetry equivalents) when last grouped.
    struct PairList {
        var cell: UnitCell
        var fract: [SIMD3<Double>]
        var reach: Double
        /// Pair k: atoms first[k] ≤ second[k], separation x_i − x_j − translation[k].
        var first: [Int32], second: [Int32]
        var translation: [SIMD3<Double>]
        /// Group g is pairs groupStart[g] ..< groupStart[g + 1]; empty until grouped.
        var groupStart: [Int32] = []
        /// Pairs that left their group at the last evaluation (regroup when many).
        var stragglers = 0

        /// Whether `cell`/`fract` stay close enough to the reference that no pair within `needed` Å is missing.
        func covers(cell c: UnitCell, fract f: [SIMD3<Double>], needed: Double) -> Bool {
            guard f.count == fract.count else { return false }
            let lengths = [cell.a, cell.b, cell.c], now = [c.a, c.b, c.c]
            var relative = 0.0
            for k in 0..<3 { relative = max(relative, abs(now[k] / lengths[k] - 1)) }
            let angles = max(abs(c.alpha - cell.alpha), abs(c.beta - cell.beta), abs(c.gamma - cell.gamma)) * Double.pi / 180
            var shift = 0.0
            let longest = max(c.a, c.b, c.c)
            for k in 0..<f.count {
                let d = f[k] - fract[k]
                shift = max(shift, max(abs(d.x), abs(d.y), abs(d.z)) * longest * 3)
            }
            // A pair's length changes by at most |Δ(metric)|·r + the atoms' own shifts.
            let change = (relative + 2 * angles) * reach * 1.5 + 2 * shift
            return needed + change < reach
        }
    }

    private func buildPairList(cell: UnitCell, fract: [SIMD3<Double>], reach: Double) throws -> PairList {
        let (ra, rb, rc) = cell.reciprocalLengths
        // Counted in Double first: an infinite or huge reach must be refused, not overflow Int.
        let fa = (reach * ra).rounded(.up) + 1, fb = (reach * rb).rounded(.up) + 1, fc = (reach * rc).rounded(.up) + 1
        let work = (2 * fa + 1) * (2 * fb + 1) * (2 * fc + 1) * Double(fract.count * (fract.count + 1) / 2)
        guard work < 5e8 else {
            throw RoentgenError.badParameter("G(r) to \(String(format: "%.1f", reach)) Å needs \(String(format: "%.3g", work)) pair images for this cell (limit 5e8): lower rmax")
        }
        let na = Int(fa), nb = Int(fb), nc = Int(fc)
        let g = cell.metric
        let reach2 = reach * reach
        var first: [Int32] = [], second: [Int32] = []
        var translation: [SIMD3<Double>] = []
        for i in 0..<fract.count {
            for j in i..<fract.count {
                let base = fract[i] - fract[j]
                for a in -na...na {
                    for b in -nb...nb {
                        for c in -nc...nc {
                            let t = SIMD3(Double(a), Double(b), Double(c))
                            let d = base - t
                            let d2 = d.x * (g[0] * d.x + g[1] * d.y + g[2] * d.z)
                                + d.y * (g[3] * d.x + g[4] * d.y + g[5] * d.z)
                                + d.z * (g[6] * d.x + g[7] * d.y + g[8] * d.z)
                            if d2 <= reach2 && d2 > 1e-12 {
                                first.append(Int32(i)); second.append(Int32(j)); translation.append(t)
                            }
                        }
                    }
                }
            }
        }
        return PairList(cell: cell, fract: fract, reach: reach, first: first, second: second, translation: translation)
    }

    /// Makes `pairLists[p]` cover every pair within rcMax + 1 Å of `cell`/`fract` (rebuilt when the geometry left its margin).
    func ensurePairList(index p: Int, cell: UnitCell, fract: [SIMD3<Double>]) throws {
        let needed = rcMax + 1
        if pairLists[p] == nil || !(pairLists[p]!.covers(cell: cell, fract: fract, needed: needed)) {
            pairLists[p] = try buildPairList(cell: cell, fract: fract, reach: needed + 1.5)
        }
    }

    /// Reorders the pairs of `list` into groups of equal (r, σ) (to 1e-11 relative) at the given per-pair values.
    private static func group(_ list: inout PairList, dist: [Double], sigma: [Double]) {
        let n = list.first.count
        let order = (0..<n).sorted { a, b in dist[a] != dist[b] ? dist[a] < dist[b] : sigma[a] < sigma[b] }
        list.first = order.map { list.first[$0] }
        list.second = order.map { list.second[$0] }
        list.translation = order.map { list.translation[$0] }
        var starts: [Int32] = [0]
        for k in 1..<max(n, 1) {
            let a = order[k - 1], b = order[k]
            if !(abs(dist[a] - dist[b]) <= 1e-11 * dist[b] && abs(sigma[a] - sigma[b]) <= 1e-11 * max(sigma[b], 1e-12)) { starts.append(Int32(k)) }
        }
        starts.append(Int32(n))
        list.groupStart = starts
        list.stragglers = 0
    }

    /// Σ_pairs o_i o_j w_i w_j T_ij(r) on the calculation range (PDFfit2's `ppp`), cached per phase.
    private func peakSum(phase: PDFPhase, index p: Int, instrument: PDFInstrument) throws -> [Double] {
        let key = PeakKey(cell: phase.cell, atoms: phase.atoms, delta1: phase.delta1, delta2: phase.delta2, sratio: phase.sratio,
                          rcut: phase.rcut, stepcut: phase.stepcut, qbroad: instrument.qbroad, radiation: instrument.radiation)
        if let cached = peakCache[p], cached.key == key { return cached.ppp }
        guard !phase.atoms.isEmpty else { throw RoentgenError.badParameter("phase '\(phase.name)' has no atoms") }
        guard phase.cell.isValid else { throw RoentgenError.badParameter("phase '\(phase.name)': cell \(phase.cell) is not a valid lattice") }
        let cell = phase.cell
        let fract = phase.atoms.map(\.fract)
        // Pairs are taken between rcmin − 1 and rcmax + 1 Å (PDFfit2's rmin2/rmax2).
        let rUpper = rcMax + 1
        let rLower = rcMin - 1
        let rmin2 = max(0.01, rLower * rLower * (rLower < 0 ? -1 : 1))
        let rmax2 = rUpper * rUpper
        try ensurePairList(index: p, cell: cell, fract: fract)
        // Weights b_i/⟨b⟩ and the fractional covariances C_i = a*_i a*_j U_ij.
        let np = phase.atoms.reduce(0) { $0 + $1.occupancy }
        guard np > 0 else { throw RoentgenError.badParameter("phase '\(phase.name)': the occupancies sum to zero") }
        let sf = try phase.atoms.map { try instrument.radiation.scatteringFactor($0.element) }
        let bavg = zip(phase.atoms, sf).reduce(0) { $0 + $1.0.occupancy * $1.1 } / np
        guard bavg != 0 else { throw RoentgenError.badParameter("phase '\(phase.name)': the mean scattering factor is zero") }
        let ow = zip(phase.atoms, sf).map { $0.occupancy * $1 / bavg }
        let (ra, rb, rc) = cell.reciprocalLengths
        let cov: [SIMD8<Double>] = phase.atoms.map { a in
            let u = a.u
            return SIMD8(u[0] * ra * ra, u[1] * rb * rb, u[2] * rc * rc, u[3] * ra * rb, u[4] * ra * rc, u[5] * rb * rc, 0, 0)
        }
        let g = cell.metric
        let (g00, g01, g02, g11, g12, g22) = (g[0], g[1], g[2], g[4], g[5], g[8])
        let n = calcIndices.count
        var ppp = [Double](repeating: 0, count: n)
        let dr = grid.step, r0 = grid.r0, c0 = calcIndices.lowerBound
        let rcMin = self.rcMin, rcMax = min(self.rcMax, phase.stepcut > 0 ? phase.stepcut : .infinity)
        let delta1 = phase.delta1, delta2 = phase.delta2, qb2 = instrument.qbroad * instrument.qbroad
        let rcut = phase.rcut, sratio = phase.sratio
        let inverseSqrt2Pi = 1 / (2 * Double.pi).squareRoot()
        var list = pairLists[p]!
        let needsGrouping = list.groupStart.isEmpty || list.stragglers * 20 > list.first.count
        var pairDist = needsGrouping ? [Double](repeating: .infinity, count: list.first.count) : []
        var pairSigma = needsGrouping ? [Double](repeating: .infinity, count: list.first.count) : []
        let pairCount = list.first.count
        // Pairs in chunks run on the cores at once (large lists only), each into its own buffer, summed after.
        let groups: [Int32] = needsGrouping ? [0, Int32(pairCount / 2), Int32(pairCount)] : list.groupStart
        let nChunks = pairCount >= 2000 ? 2 : 1
        var split = groups.count - 1
        if nChunks == 2 {
            split = groups.firstIndex { Int($0) >= pairCount / 2 } ?? groups.count - 1
            split = min(max(split, 1), groups.count - 1)
        }
        let chunkGroups = nChunks == 2 ? [0..<split, split..<(groups.count - 1)] : [0..<(groups.count - 1)]
        let scratch = UnsafeMutablePointer<Double>.allocate(capacity: n * nChunks)
        scratch.initialize(repeating: 0, count: n * nChunks)
        let straggling = UnsafeMutablePointer<Int>.allocate(capacity: nChunks)
        straggling.initialize(repeating: 0, count: nChunks)
        defer { scratch.deallocate(); straggling.deallocate() }
        /// Adds the Gaussian of area `ampl` at `dist` with width `sigma` (cut at ±5σ) to `out`.
        func addPeak(_ out: UnsafeMutablePointer<Double>, dist: Double, sigma: Double, ampl: Double) {
            let rb = max(rcMin, dist - 5 * sigma), re = min(rcMax, dist + 5 * sigma)
            let ib = PDFGrid.nint((rb - r0) / dr), ie = PDFGrid.nint((re - r0) / dr)
            if ib > ie { return }
            let height = ampl * inverseSqrt2Pi / sigma
            let inv2s2 = 1 / (2 * sigma * sigma)
            let x0 = r0 + Double(ib) * dr - dist
            if ie - ib < 8 || dr * dr * inv2s2 > 2 {
                for ig in ib...ie {
                    let x = r0 + Double(ig) * dr - dist
                    out[ig - c0] += height * exp(-x * x * inv2s2)
                }
            } else {
                // exp(−x²/2σ²) along x_k = x0 + kΔr: value, ratio and the ratio's ratio, four points at a time
                // (lane l holds point k + l; its four-step ratio is exp(−(8x_{k+l}Δr + 16Δr²)/2σ²), which
                // changes by exp(−32Δr²/2σ²) from one block to the next).
                let a = dr * dr * inv2s2
                var value = height * exp(-x0 * x0 * inv2s2)
                var ratio = exp(-(2 * x0 * dr + dr * dr) * inv2s2)
                var ig = ib
                let count = ie - ib + 1
                if count >= 16 {
                    let step = exp(-2 * a)
                    var v = SIMD4<Double>(repeating: 0)
                    var lane = value, laneRatio = ratio
                    for l in 0..<4 { v[l] = lane; lane *= laneRatio; laneRatio *= step }
                    let r0 = exp(-(8 * x0 * dr + 16 * dr * dr) * inv2s2), perLane = exp(-8 * a)
                    var r = SIMD4<Double>(r0, r0 * perLane, r0 * perLane * perLane, r0 * perLane * perLane * perLane)
                    let q4 = SIMD4<Double>(repeating: exp(-32 * a))
                    let base = out + (ib - c0)
                    let blocks = count / 4
                    for b in 0..<blocks {
                        let p = UnsafeMutableRawPointer(base + 4 * b)
                        let current = p.loadUnaligned(as: SIMD4<Double>.self)
                        p.storeBytes(of: current + v, as: SIMD4<Double>.self)
                        v *= r
                        r *= q4
                    }
                    ig = ib + 4 * blocks
                    value = v[0]
                    ratio = exp(-(2 * (x0 + Double(4 * blocks) * dr) * dr + dr * dr) * inv2s2)
                }
                let q = exp(-2 * a)
                while ig <= ie {
                    out[ig - c0] += value
                    value *= ratio
                    ratio *= q
                    ig += 1
                }
            }
        }
        pairDist.withUnsafeMutableBufferPointer { pdBuffer in
            pairSigma.withUnsafeMutableBufferPointer { psBuffer in
                list.first.withUnsafeBufferPointer { first in
                    list.second.withUnsafeBufferPointer { second in
                        list.translation.withUnsafeBufferPointer { trans in
                            let pd = pdBuffer.baseAddress, ps = psBuffer.baseAddress
                            DispatchQueue.concurrentPerform(iterations: nChunks) { c in
                                let out = scratch + c * n
                                var chunkStragglers = 0
                                for g in chunkGroups[c] {
                                    // The group's peak: pairs of equal r and σ add their amplitudes.
                                    var groupDist = 0.0, groupSigma = 0.0, groupAmpl = 0.0
                                    for k in Int(groups[g])..<Int(groups[g + 1]) {
                                        let i = Int(first[k]), j = Int(second[k])
                                        var ampl = ow[i] * ow[j]
                                        if i != j { ampl += ampl }
                                        if ampl == 0 { continue }
                                        let d = fract[i] - fract[j] - trans[k]
                                        // Covariant components G·d; r² = d·G·d.
                                        let gx = g00 * d.x + g01 * d.y + g02 * d.z
                                        let gy = g01 * d.x + g11 * d.y + g12 * d.z
                                        let gz = g02 * d.x + g12 * d.y + g22 * d.z
                                        let dist2 = d.x * gx + d.y * gy + d.z * gz
                                        if dist2 < rmin2 || dist2 > rmax2 { continue }
                                        let dist = dist2.squareRoot()
                                        // Mean-square displacement along the pair: (G d)ᵀ (C_i + C_j) (G d) / r².
                                        let s = cov[i] + cov[j]
                                        let msd = (s[0] * gx * gx + s[1] * gy * gy + s[2] * gz * gz
                                                   + 2 * (s[3] * gx * gy + s[4] * gx * gz + s[5] * gy * gz)) / dist2
                                        guard msd > 0 else { continue }
                                        let corfact = 1 - delta2 / dist2 - delta1 / dist + qb2 * dist2
                                        guard corfact > 0 else { continue }
                                        var sigma = (msd * corfact).squareRoot()
                                        if dist < rcut { sigma *= sratio }
                                        if needsGrouping {
                                            pd![k] = dist; ps![k] = sigma
                                            addPeak(out, dist: dist, sigma: sigma, ampl: ampl)
                                        } else if groupAmpl == 0 {
                                            groupDist = dist; groupSigma = sigma; groupAmpl = ampl
                                        } else if abs(dist - groupDist) <= 1e-11 * dist && abs(sigma - groupSigma) <= 1e-11 * sigma {
                                            groupAmpl += ampl
                                        } else {
                                            chunkStragglers += 1
                                            addPeak(out, dist: dist, sigma: sigma, ampl: ampl)
                                        }
                                    }
                                    if groupAmpl != 0 { addPeak(out, dist: groupDist, sigma: groupSigma, ampl: groupAmpl) }
                                }
                                straggling[c] = chunkStragglers
                            }
                        }
                    }
                }
            }
        }
        ppp.withUnsafeMutableBufferPointer { out in
            for c in 0..<nChunks {
                let part = scratch + c * n
                for k in 0..<n { out[k] += part[k] }
            }
        }
        var stragglers = 0
        for c in 0..<nChunks { stragglers += straggling[c] }
        if needsGrouping {
            Self.group(&list, dist: pairDist, sigma: pairSigma)
        } else {
            list.stragglers = stragglers
        }
        pairLists[p] = list
        peakCache[p] = (key, ppp)
        return ppp
    }

    // MARK: - Qmax termination

    /// PDFfit2's Qmax cutoff of `y` (in place): zero-padded to padlen = the power of two ≥ 2·len, Fourier
    /// transformed, the components ceil(Qmax/ΔQ) … padlen − ceil(Qmax/ΔQ) zeroed (ΔQ = 2π/((padlen − 1)Δr)),
    /// transformed back. The real signal goes through a complex FFT of half the length (even samples as real,
    /// odd as imaginary parts; Press et al., Numerical Recipes, §12.3).
    func applyQmaxCutoff(_ y: inout [Double], qmax: Double) {
        let len = y.count
        var padlen = 4
        while padlen < 2 * len { padlen <<= 1 }
        let m = padlen / 2
        if fftPlan?.count != m {
            fftPlan = FFTPlan(count: m)
            twiddleRe = (0...m).map { cos(-2 * Double.pi * Double($0) / Double(padlen)) }
            twiddleIm = (0...m).map { sin(-2 * Double.pi * Double($0) / Double(padlen)) }
        }
        guard let plan = fftPlan else { return }
        let dQ = 2 * Double.pi / (Double(padlen - 1) * grid.step)
        // Components k ≥ lo = ⌈Qmax/ΔQ⌉ (up to the Nyquist index m) are cut; nothing to do when lo > m
        // (compared before the conversion to Int, which a huge or infinite Qmax would overflow).
        let ratio = qmax / dQ
        guard ratio.isFinite, ratio <= Double(m) else { return }
        let lo = Int(ratio.rounded(.up))
        var re = [Double](repeating: 0, count: m), im = re
        let twiddleRe = self.twiddleRe, twiddleIm = self.twiddleIm
        re.withUnsafeMutableBufferPointer { zr in
            im.withUnsafeMutableBufferPointer { zi in
                y.withUnsafeMutableBufferPointer { x in
                    for k in 0..<m {
                        zr[k] = 2 * k < len ? x[2 * k] : 0
                        zi[k] = 2 * k + 1 < len ? x[2 * k + 1] : 0
                    }
                }
            }
        }
        plan.forward(real: &re, imag: &im)
        re.withUnsafeMutableBufferPointer { zr in
            im.withUnsafeMutableBufferPointer { zi in
                twiddleRe.withUnsafeBufferPointer { wr in
                    twiddleIm.withUnsafeBufferPointer { wi in
                        // X[k] = E[k] + W^k O[k] with E = (Z[k] + Z*[m−k])/2, O = (Z[k] − Z*[m−k])/2i, kept for k < lo;
                        // then E′, O′ of the filtered X back into Z′ = E′ + i O′ (k and m − k together).
                        var k = 0
                        while k <= m - k {
                            let j = k == 0 ? 0 : m - k
                            let (ar, ai, br, bi) = (zr[k], zi[k], zr[j], zi[j])
                            // Spectrum at k and at j (as X[k], X[j]); k = 0 also gives X[m] (Z[m] = Z[0]).
                            func spectrum(_ q: Int, _ pr: Double, _ pi: Double, _ cr: Double, _ ci: Double) -> (Double, Double) {
                                let er = (pr + cr) / 2, ei = (pi - ci) / 2
                                let orr = (pi + ci) / 2, oi = -(pr - cr) / 2
                                return (er + wr[q] * orr - wi[q] * oi, ei + wr[q] * oi + wi[q] * orr)
                            }
                            var (xkr, xki) = spectrum(k, ar, ai, br, bi)
                            var (xjr, xji) = k == 0 ? spectrum(m, ar, ai, br, bi) : spectrum(j, br, bi, ar, ai)
                            let qj = k == 0 ? m : j
                            if k >= lo { xkr = 0; xki = 0 }
                            if qj >= lo { xjr = 0; xji = 0 }
                            // Back: E′[k] = (X[k] + X*[m−k])/2 · …; with X[m−k] given as X[qj] for k > 0, X[m] for k = 0.
                            func halves(_ q: Int, _ pr: Double, _ pi: Double, _ cr: Double, _ ci: Double) -> (Double, Double) {
                                let er = (pr + cr) / 2, ei = (pi - ci) / 2
                                // O = (X[q] − X*[m−q]) / (2 W^q): divide by W^q = multiply by its conjugate.
                                let dr = (pr - cr) / 2, di = (pi + ci) / 2
                                let orr = dr * wr[q] + di * wi[q], oi = di * wr[q] - dr * wi[q]
                                // Z′ = E + i O
                                return (er - oi, ei + orr)
                            }
                            let (nkr, nki) = halves(k, xkr, xki, xjr, xji)
                            zr[k] = nkr; zi[k] = nki
                            if k != j {
                                let (njr, nji) = halves(j, xjr, xji, xkr, xki)
                                zr[j] = njr; zi[j] = nji
                            }
                            k += 1
                        }
                    }
                }
            }
        }
        plan.inverse(real: &re, imag: &im)
        re.withUnsafeBufferPointer { zr in
            im.withUnsafeBufferPointer { zi in
                y.withUnsafeMutableBufferPointer { x in
                    for k in 0..<len { x[k] = k % 2 == 0 ? zr[k / 2] : zi[k / 2] }
                }
            }
        }
    }
}
