import Foundation
import XrayCore

/// One term of a derivative column: `weight` · ∂G/∂`variable` (of phase `phase`; ignored for the
/// data-set variables dscale, qdamp, qbroad, which act on every phase).
public struct PDFDerivativeTerm: Sendable, Hashable {
    public var variable: PDFfitVariable
    public var phase: Int
    public var weight: Double
    public init(_ variable: PDFfitVariable, phase: Int = 0, weight: Double = 1) {
        self.variable = variable; self.phase = phase; self.weight = weight
    }
}

/// Analytic derivatives of PDFfit2's G(r) (see `PDFfitCalculator`) with respect to its model variables,
/// accumulated in one pass over the pair list.
///
/// Each pair adds a Gaussian T = A·t(x), t = exp(−x²/2σ²)/(√(2π)σ), x = r − r_ij, whose derivative with
/// respect to a variable v is t·[∂A + A ∂r_ij x/σ² + A ∂σ (x²/σ³ − 1/σ)]: a quadratic in x times the
/// same Gaussian. Per pair the chain rule gives ∂r_ij, ∂σ_ij and ∂A_ij:
/// - r² = dᵀGd (d the fractional separation, G the metric): ∂r²/∂x_i = 2(Gd)_α (−… for atom j),
///   ∂r²/∂(lattice p) = dᵀ(∂G/∂p)d;
/// - σ′² = Q/r², Q = (Gd)ᵀ S (Gd), S = the fractional covariances C_i + C_j, C_kl = a*_k a*_l U^kl:
///   ∂Q/∂U^kl_i = a*_k a*_l (Gd)_k (Gd)_l (×2 off the diagonal), ∂Q/∂x_i = 2(G S G d)_α, and for the
///   lattice the metric and the reciprocal lengths (∂G* = −G*(∂G)G*);
/// - σ = σ′√c (·sratio below rcut), c = 1 − δ₂/r² − δ₁/r + qbroad²r²: ∂σ/σ = ½(∂σ′²/σ′² + ∂c/c);
/// - A = o_i o_j b_i b_j/⟨b⟩² (×2 for i ≠ j): ∂A/∂o_i = o_j b_i b_j/⟨b⟩² (the ⟨b⟩ = Σob/Σo part is a
///   multiple of the whole peak sum, added per phase).
/// The per-phase terms follow from G = dscale·pscale·E(r)·[P(r)/(N r) − 4πrN/V] (P the peak sum):
/// the volume ∂V/∂p = (V/2)·tr(G⁻¹ ∂G/∂p), N = Σo, the envelopes (qdamp, spdiameter), the scales.
/// The Qmax filter is linear, so each derivative column is filtered as G is. `rcut` and `stepcut`
/// move only the edges of steps (derivative zero, as a finite difference sees it almost everywhere).
///
/// Pairs of equal length and width (the calculator's groups) share one Gaussian; the variables'
/// coefficients are summed per column first. A column may combine several variables with weights
/// (the chain rule through constraints), so a column costs one Gaussian pass per group it touches.
extension PDFfitCalculator {
    /// ∂G/∂(column) at the fit points for every column Σ weight·∂G/∂variable (same order as `columns`).
    public func fitPointsDerivatives(phases: [PDFPhase], instrument: PDFInstrument, columns: [[PDFDerivativeTerm]]) throws -> [[Double]] {
        let all = try calculationRangeDerivatives(phases: phases, instrument: instrument, columns: columns)
        let fit = grid.fitIndices
        let offset = calcIndices.lowerBound
        return all.map { Array($0[(fit.lowerBound - offset)...(fit.upperBound - offset)]) }
    }

    /// The derivative columns over the calculation range, after the Qmax filter.
    public func calculationRangeDerivatives(phases: [PDFPhase], instrument: PDFInstrument, columns: [[PDFDerivativeTerm]]) throws -> [[Double]] {
        guard !phases.isEmpty else { throw RoentgenError.badParameter("a PDF model needs at least one phase") }
        resizeCaches(phases.count)
        let n = calcIndices.count
        let nOut = columns.count
        var total = [[Double]](repeating: [Double](repeating: 0, count: n), count: nOut)
        for (p, phase) in phases.enumerated() {
            var entries: [(id: Int, out: Int, weight: Double)] = []
            for (out, terms) in columns.enumerated() {
                for t in terms where t.weight != 0 && (t.variable.isDataSetVariable || t.phase == p) {
                    if let a = t.variable.atom, a > phase.atoms.count {
                        throw RoentgenError.badParameter("\(t.variable): phase '\(phase.name)' has \(phase.atoms.count) atoms")
                    }
                    entries.append((DerivativeSlots.id(t.variable), out, t.weight))
                }
            }
            if entries.isEmpty { continue }
            let slots = DerivativeSlots(atomCount: phase.atoms.count, entries: entries)
            try addPhaseDerivatives(phase: phase, index: p, instrument: instrument, slots: slots, nOut: nOut, into: &total)
        }
        if instrument.qmax > 0 {
            for k in 0..<nOut { applyQmaxCutoff(&total[k], qmax: instrument.qmax) }
        }
        return total
    }

    private func addPhaseDerivatives(phase: PDFPhase, index p: Int, instrument: PDFInstrument, slots: DerivativeSlots,
                                     nOut: Int, into total: inout [[Double]]) throws {
        guard !phase.atoms.isEmpty else { throw RoentgenError.badParameter("phase '\(phase.name)' has no atoms") }
        guard phase.cell.isValid else { throw RoentgenError.badParameter("phase '\(phase.name)': cell \(phase.cell) is not a valid lattice") }
        let cell = phase.cell
        let fract = phase.atoms.map(\.fract)
        try ensurePairList(index: p, cell: cell, fract: fract)
        guard let list = pairLists[p] else { return }
        let rUpper = rcMax + 1, rLower = rcMin - 1
        let rmin2 = max(0.01, rLower * rLower * (rLower < 0 ? -1 : 1)), rmax2 = rUpper * rUpper
        let atomCount = phase.atoms.count
        let np = phase.atoms.reduce(0) { $0 + $1.occupancy }
        guard np > 0 else { throw RoentgenError.badParameter("phase '\(phase.name)': the occupancies sum to zero") }
        let sf = try phase.atoms.map { try instrument.radiation.scatteringFactor($0.element) }
        let bavg = zip(phase.atoms, sf).reduce(0) { $0 + $1.0.occupancy * $1.1 } / np
        guard bavg != 0 else { throw RoentgenError.badParameter("phase '\(phase.name)': the mean scattering factor is zero") }
        let w = sf.map { $0 / bavg }
        let occ = phase.atoms.map(\.occupancy)
        // Reciprocal lengths and their products R_c (c = 11, 22, 33, 12, 13, 23): C_c = U_c·R_c.
        let gInv = cell.reciprocalMetric
        let ra = gInv[0].squareRoot(), rb = gInv[4].squareRoot(), rc = gInv[8].squareRoot()
        let recip = SIMD8<Double>(ra * ra, rb * rb, rc * rc, ra * rb, ra * rc, rb * rc, 0, 0)
        let uRaw: [SIMD8<Double>] = phase.atoms.map { a in
            a.u.count == 6 ? SIMD8(a.u[0], a.u[1], a.u[2], a.u[3], a.u[4], a.u[5], 0, 0) : SIMD8(repeating: 0)
        }
        let cov = uRaw.map { $0 * recip }
        let g = cell.metric
        let metric = SymmetricMetric(g[0], g[1], g[2], g[4], g[5], g[8])
        // Lattice derivatives: ∂G/∂p, ∂R_c/∂p and ∂V/∂p for p = a, b, c, α, β, γ (angles in degrees).
        let volume = cell.volume
        var dMetric: [SymmetricMetric] = [], dRecip: [SIMD8<Double>] = [], dVolume: [Double] = []
        let degree = Double.pi / 180
        let (sa, sb, sg) = (sin(cell.alpha * degree), sin(cell.beta * degree), sin(cell.gamma * degree))
        let (ca, cb, cg) = (cos(cell.alpha * degree), cos(cell.beta * degree), cos(cell.gamma * degree))
        let (la, lb, lc) = (cell.a, cell.b, cell.c)
        for k in 0..<6 {
            let d: SymmetricMetric
            switch k {
            case 0: d = SymmetricMetric(2 * la, lb * cg, lc * cb, 0, 0, 0)
            case 1: d = SymmetricMetric(0, la * cg, 0, 2 * lb, lc * ca, 0)
            case 2: d = SymmetricMetric(0, 0, la * cb, 0, lb * ca, 2 * lc)
            case 3: d = SymmetricMetric(0, 0, 0, 0, -lb * lc * sa * degree, 0)
            case 4: d = SymmetricMetric(0, 0, -la * lc * sb * degree, 0, 0, 0)
            default: d = SymmetricMetric(0, -la * lb * sg * degree, 0, 0, 0, 0)
            }
            dMetric.append(d)
            // ∂G* = −G*(∂G)G*; diagonal only is needed: ∂G*_kk = −(G* ∂G G*)_kk.
            let dm = d.full
            var dInvDiag = [0.0, 0.0, 0.0]
            var trace = 0.0
            for q in 0..<3 {
                var s = 0.0
                for u in 0..<3 { for v in 0..<3 { s += gInv[3 * q + u] * dm[3 * u + v] * gInv[3 * v + q] } }
                dInvDiag[q] = -s
                for u in 0..<3 { trace += gInv[3 * q + u] * dm[3 * u + q] }
            }
            let (dra, drb, drc) = (dInvDiag[0] / (2 * ra), dInvDiag[1] / (2 * rb), dInvDiag[2] / (2 * rc))
            dRecip.append(SIMD8(2 * ra * dra, 2 * rb * drb, 2 * rc * drc, dra * rb + ra * drb, dra * rc + ra * drc, drb * rc + rb * drc, 0, 0))
            dVolume.append(volume / 2 * trace)
        }
        let n = calcIndices.count
        let dr = grid.step, r0 = grid.r0, c0 = calcIndices.lowerBound
        let rcMin = self.rcMin, rcMax = min(self.rcMax, phase.stepcut > 0 ? phase.stepcut : .infinity)
        let delta1 = phase.delta1, delta2 = phase.delta2, qbroad = instrument.qbroad, qb2 = qbroad * qbroad
        let rcut = phase.rcut, sratio = phase.sratio
        let pairCount = list.first.count
        let nChunks = pairCount >= 2000 ? 2 : 1
        // Each column's direction in the variables: the lattice as one combined ∂G, ∂R; per atom the
        // coordinate, U and occupancy weights; the peak-width variables' weights.
        let directions = DerivativeDirections(slots: slots, atomCount: atomCount, nOut: nOut, dMetric: dMetric, dRecip: dRecip, recip: recip)
        // Per chunk: the peak sum P (n) then the columns ∂P (nOut × n).
        let stride = n * (nOut + 1)
        let buffer = UnsafeMutablePointer<Double>.allocate(capacity: stride * nChunks)
        buffer.initialize(repeating: 0, count: stride * nChunks)
        defer { buffer.deallocate() }
        list.first.withUnsafeBufferPointer { first in
            list.second.withUnsafeBufferPointer { second in
                list.translation.withUnsafeBufferPointer { trans in
                    DispatchQueue.concurrentPerform(iterations: nChunks) { chunk in
                        let acc = GroupAccumulator(nOut: nOut, n: n)
                        defer { acc.deallocate() }
                        let peak = PeakGrid(r0: r0, dr: dr, c0: c0, rcMin: rcMin, rcMax: rcMax)
                        let ppp = buffer + chunk * stride
                        let columns = ppp + n
                        let lo = chunk * pairCount / nChunks, hi = (chunk + 1) * pairCount / nChunks
                        var groupDist = 0.0, groupSigma = 0.0, groupAmpl = 0.0
                        var open = false
                        for k in lo..<hi {
                            let i = Int(first[k]), j = Int(second[k])
                            let mult = i == j ? 1.0 : 2.0
                            let ampl = mult * occ[i] * occ[j] * w[i] * w[j]
                            let occI = directions.hasOccupancy(i), occJ = directions.hasOccupancy(j)
                            if ampl == 0 && !occI && !occJ { continue }
                            let d = fract[i] - fract[j] - trans[k]
                            let gv = metric.times(d)
                            let dist2 = d.x * gv.x + d.y * gv.y + d.z * gv.z
                            if dist2 < rmin2 || dist2 > rmax2 { continue }
                            let dist = dist2.squareRoot()
                            let s = cov[i] + cov[j]
                            // h = S·(Gd); Q = (Gd)·h.
                            let h = SIMD3(s[0] * gv.x + s[3] * gv.y + s[4] * gv.z, s[3] * gv.x + s[1] * gv.y + s[5] * gv.z, s[4] * gv.x + s[5] * gv.y + s[2] * gv.z)
                            let qq = gv.x * h.x + gv.y * h.y + gv.z * h.z
                            let msd = qq / dist2
                            guard msd > 0 else { continue }
                            let corfact = 1 - delta2 / dist2 - delta1 / dist + qb2 * dist2
                            guard corfact > 0 else { continue }
                            let sigma0 = (msd * corfact).squareRoot()
                            let sigma = dist < rcut ? sigma0 * sratio : sigma0
                            if open && !(abs(dist - groupDist) <= 1e-11 * dist && abs(sigma - groupSigma) <= 1e-11 * sigma) {
                                acc.flush(peak, dist: groupDist, sigma: groupSigma, ampl: groupAmpl, ppp: ppp, columns: columns)
                                open = false
                            }
                            if !open { groupDist = dist; groupSigma = sigma; groupAmpl = 0; open = true }
                            groupAmpl += ampl
                            // ∂σ/σ = ½(∂Q/Q − ∂r²/r² + ∂c/c); ∂c/∂r = 2δ₂/r³ + δ₁/r² + 2qbroad² r.
                            let halfSigma = 0.5 * sigma
                            let dcdr = 2 * delta2 / (dist2 * dist) + delta1 / dist2 + 2 * qb2 * dist
                            let rTerm = dcdr / (2 * dist * corfact) - 1 / dist2
                            let aR = ampl / (2 * dist), aS = ampl * halfSigma
                            let mono = SIMD8<Double>(gv.x * gv.x, gv.y * gv.y, gv.z * gv.z, 2 * gv.x * gv.y, 2 * gv.x * gv.z, 2 * gv.y * gv.z, 0, 0)
                            // Lattice: one combined ∂G, ∂R per column.
                            for e in 0..<directions.lattice.count {
                                let dir = directions.lattice[e]
                                let dg = dir.metric.times(d)
                                let dr2 = d.x * dg.x + d.y * dg.y + d.z * dg.z
                                let dQ = 2 * (dg.x * h.x + dg.y * h.y + dg.z * h.z) + ((uRaw[i] + uRaw[j]) * dir.recip * mono).sum()
                                acc.add(dir.out, 0, aR * dr2, aS * (dQ / qq + rTerm * dr2))
                            }
                            // Coordinates: atom i moves d by +e, atom j by −e (they cancel for i = j).
                            let ci = directions.coordinateRange(i), cj = directions.coordinateRange(j)
                            if !ci.isEmpty || !cj.isEmpty {
                                let gh = metric.times(h)
                                for e in ci {
                                    let v = directions.coordinateWeights[e]
                                    let dr2 = 2 * (gv * v).sum(), dQ = 2 * (gh * v).sum()
                                    acc.add(directions.coordinateOuts[e], 0, aR * dr2, aS * (dQ / qq + rTerm * dr2))
                                }
                                for e in cj {
                                    let v = directions.coordinateWeights[e]
                                    let dr2 = -2 * (gv * v).sum(), dQ = -2 * (gh * v).sum()
                                    acc.add(directions.coordinateOuts[e], 0, aR * dr2, aS * (dQ / qq + rTerm * dr2))
                                }
                            }
                            // U: ∂Q = Σ_c w_c R_c mono_c (the weights already times R).
                            for e in directions.uRange(i) { acc.add(directions.uOuts[e], 0, 0, aS * (directions.uWeights[e] * mono).sum() / qq) }
                            for e in directions.uRange(j) { acc.add(directions.uOuts[e], 0, 0, aS * (directions.uWeights[e] * mono).sum() / qq) }
                            if occI { for e in directions.occupancyRange(i) { acc.add(directions.occupancyOuts[e], directions.occupancyWeights[e] * mult * occ[j] * w[i] * w[j], 0, 0) } }
                            if occJ { for e in directions.occupancyRange(j) { acc.add(directions.occupancyOuts[e], directions.occupancyWeights[e] * mult * occ[i] * w[i] * w[j], 0, 0) } }
                            if !directions.width.isEmpty {
                                let k2 = aS / corfact
                                let below = dist < rcut
                                for e in 0..<directions.width.count {
                                    let wd = directions.width[e]
                                    var aDs = k2 * (-wd.delta2 / dist2 - wd.delta1 / dist + wd.qbroad * 2 * qbroad * dist2)
                                    if below { aDs += wd.sratio * ampl * sigma0 }
                                    acc.add(wd.out, 0, 0, aDs)
                                }
                            }
                        }
                        if open { acc.flush(peak, dist: groupDist, sigma: groupSigma, ampl: groupAmpl, ppp: ppp, columns: columns) }
                    }
                }
            }
        }
        let anyLattice = (0..<6).contains { !slots.isEmpty(DerivativeSlots.lattice + $0) }
        // Sum the chunks, then the per-phase terms on the calculation range.
        if nChunks > 1 {
            for c in 1..<nChunks {
                let part = buffer + c * stride
                for k in 0..<stride { buffer[k] += part[k] }
            }
        }
        let ppp = buffer, dppp = buffer + n
        let rho0 = np / volume
        let pscale = phase.scale, dscale = instrument.scale, factor = dscale * pscale
        let qdamp = instrument.qdamp, spd = phase.spdiameter
        for k in 0..<n {
            let r = r0 + Double(c0 + k) * dr
            guard r > 0 else { continue }
            if phase.stepcut > 0, r > phase.stepcut { continue }
            let eq = qdamp > 0 ? exp(-(r * qdamp) * (r * qdamp) / 2) : 1
            let sphere = spd > 0 ? Self.sphereEnvelope(r, spd) : 1
            let envelope = eq * sphere
            let bracket = ppp[k] / np / r - 4 * Double.pi * r * rho0
            let pairScale = factor * envelope / (np * r)
            for out in 0..<nOut { total[out][k] += pairScale * dppp[out * n + k] }
            // Per-phase variables: each slot's weight onto its columns.
            func add(_ id: Int, _ value: Double) {
                guard value != 0 else { return }
                for e in slots.start[id]..<slots.start[id + 1] { total[slots.outs[e]][k] += slots.weights[e] * value }
            }
            if anyLattice {
                for lp in 0..<6 where !slots.isEmpty(DerivativeSlots.lattice + lp) {
                    add(DerivativeSlots.lattice + lp, factor * envelope * 4 * Double.pi * r * np * dVolume[lp] / (volume * volume))
                }
            }
            for a in 0..<atomCount where !slots.isEmpty(DerivativeSlots.occupancy(a)) {
                let dBavg = (sf[a] - bavg) / np
                add(DerivativeSlots.occupancy(a), factor * envelope * (-2 * ppp[k] * dBavg / bavg / (np * r) - ppp[k] / (np * np * r) - 4 * Double.pi * r / volume))
            }
            add(DerivativeSlots.pscale, dscale * envelope * bracket)
            add(DerivativeSlots.dscale, pscale * envelope * bracket)
            add(DerivativeSlots.qdamp, -factor * r * r * qdamp * envelope * bracket)
            if spd > 0, r < spd {
                add(DerivativeSlots.spdiameter, factor * eq * 1.5 * (1 - (r / spd) * (r / spd)) * r / (spd * spd) * bracket)
            }
        }
    }
}

/// A symmetric 3×3 metric (G00, G01, G02, G11, G12, G22).
struct SymmetricMetric {
    var g00, g01, g02, g11, g12, g22: Double
    init(_ g00: Double, _ g01: Double, _ g02: Double, _ g11: Double, _ g12: Double, _ g22: Double) {
        self.g00 = g00; self.g01 = g01; self.g02 = g02; self.g11 = g11; self.g12 = g12; self.g22 = g22
    }
    @inline(__always) func times(_ d: SIMD3<Double>) -> SIMD3<Double> {
        SIMD3(g00 * d.x + g01 * d.y + g02 * d.z, g01 * d.x + g11 * d.y + g12 * d.z, g02 * d.x + g12 * d.y + g22 * d.z)
    }
    var full: [Double] { [g00, g01, g02, g01, g11, g12, g02, g12, g22] }
}

/// The model variables of one phase numbered for the derivative pass, each with the columns it
/// feeds and their weights (compressed rows: `start[id] ..< start[id + 1]` into `outs`/`weights`).
struct DerivativeSlots {
    static let lattice = 0, delta1 = 6, delta2 = 7, qbroad = 8, sratio = 9, pscale = 10, spdiameter = 11
    static let dscale = 12, qdamp = 13, inert = 14, atomBase = 15
    static func coordinate(_ atom: Int, _ axis: Int) -> Int { atomBase + 10 * atom + axis }
    static func u(_ atom: Int, _ component: Int) -> Int { atomBase + 10 * atom + 3 + component }
    static func occupancy(_ atom: Int) -> Int { atomBase + 10 * atom + 9 }

    /// The slot of `variable` (atoms 1-based in the variable, 0-based here); rcut and stepcut share
    /// an inert slot (their derivative is zero).
    static func id(_ variable: PDFfitVariable) -> Int {
        switch variable {
        case .lattice(let k): return lattice + k - 1
        case .coordinate(let a, let axis): return coordinate(a - 1, axis)
        case .u(let a, let c): return u(a - 1, c)
        case .occupancy(let a): return occupancy(a - 1)
        case .delta1: return delta1
        case .delta2: return delta2
        case .qbroad: return qbroad
        case .sratio: return sratio
        case .pscale: return pscale
        case .spdiameter: return spdiameter
        case .dscale: return dscale
        case .qdamp: return qdamp
        case .rcut, .stepcut: return inert
        }
    }

    let start: [Int], outs: [Int], weights: [Double]
    let coordinateAtoms: [Bool], uAtoms: [Bool]

    init(atomCount: Int, entries: [(id: Int, out: Int, weight: Double)]) {
        let count = Self.atomBase + 10 * atomCount
        var start = [Int](repeating: 0, count: count + 1)
        for e in entries where e.id != Self.inert { start[e.id + 1] += 1 }
        for k in 0..<count { start[k + 1] += start[k] }
        var fill = start
        var outs = [Int](repeating: 0, count: start[count]), weights = [Double](repeating: 0, count: start[count])
        for e in entries where e.id != Self.inert {
            outs[fill[e.id]] = e.out; weights[fill[e.id]] = e.weight; fill[e.id] += 1
        }
        self.start = start; self.outs = outs; self.weights = weights
        coordinateAtoms = (0..<atomCount).map { a in (0..<3).contains { start[Self.coordinate(a, $0) + 1] > start[Self.coordinate(a, $0)] } }
        uAtoms = (0..<atomCount).map { a in (0..<6).contains { start[Self.u(a, $0) + 1] > start[Self.u(a, $0)] } }
    }

    @inline(__always) func isEmpty(_ id: Int) -> Bool { start[id + 1] == start[id] }
    @inline(__always) func hasCoordinates(_ atom: Int) -> Bool { coordinateAtoms[atom] }
    @inline(__always) func hasU(_ atom: Int) -> Bool { uAtoms[atom] }
}

/// The columns' directions in the variables of one phase, laid out for the pair loop: a lattice
/// direction is one combined ∂G = Σ w_p ∂G/∂p (and ∂R), a coordinate direction per atom the weights of
/// x, y, z, a U direction per atom the weights of U11…U23 times R_c.
struct DerivativeDirections {
    struct Lattice { var out: Int; var metric: SymmetricMetric; var recip: SIMD8<Double> }
    struct Width { var out: Int; var delta1 = 0.0, delta2 = 0.0, qbroad = 0.0, sratio = 0.0 }
    var lattice: [Lattice] = []
    var width: [Width] = []
    var coordinateStart: [Int], coordinateOuts: [Int] = [], coordinateWeights: [SIMD3<Double>] = []
    var uStart: [Int], uOuts: [Int] = [], uWeights: [SIMD8<Double>] = []
    var occupancyStart: [Int], occupancyOuts: [Int] = [], occupancyWeights: [Double] = []

    init(slots: DerivativeSlots, atomCount: Int, nOut: Int, dMetric: [SymmetricMetric], dRecip: [SIMD8<Double>], recip: SIMD8<Double>) {
        func weights(_ id: Int) -> [(out: Int, weight: Double)] {
            (slots.start[id]..<slots.start[id + 1]).map { (slots.outs[$0], slots.weights[$0]) }
        }
        var latticeByOut: [Int: Lattice] = [:]
        for p in 0..<6 {
            for (out, wt) in weights(DerivativeSlots.lattice + p) {
                var dir = latticeByOut[out] ?? Lattice(out: out, metric: SymmetricMetric(0, 0, 0, 0, 0, 0), recip: SIMD8(repeating: 0))
                let m = dMetric[p]
                dir.metric = SymmetricMetric(dir.metric.g00 + wt * m.g00, dir.metric.g01 + wt * m.g01, dir.metric.g02 + wt * m.g02,
                                             dir.metric.g11 + wt * m.g11, dir.metric.g12 + wt * m.g12, dir.metric.g22 + wt * m.g22)
                dir.recip += wt * dRecip[p]
                latticeByOut[out] = dir
            }
        }
        lattice = latticeByOut.keys.sorted().compactMap { latticeByOut[$0] }
        var widthByOut: [Int: Width] = [:]
        for (id, keyPath) in [(DerivativeSlots.delta1, \Width.delta1), (DerivativeSlots.delta2, \Width.delta2),
                              (DerivativeSlots.qbroad, \Width.qbroad), (DerivativeSlots.sratio, \Width.sratio)] {
            for (out, wt) in weights(id) { widthByOut[out, default: Width(out: out)][keyPath: keyPath] += wt }
        }
        width = widthByOut.keys.sorted().compactMap { widthByOut[$0] }
        coordinateStart = [0]; uStart = [0]; occupancyStart = [0]
        for a in 0..<atomCount {
            var coordinate: [Int: SIMD3<Double>] = [:], u: [Int: SIMD8<Double>] = [:], occupancy: [Int: Double] = [:]
            for axis in 0..<3 { for (out, wt) in weights(DerivativeSlots.coordinate(a, axis)) { coordinate[out, default: .zero][axis] += wt } }
            for c in 0..<6 { for (out, wt) in weights(DerivativeSlots.u(a, c)) { u[out, default: .zero][c] += wt * recip[c] } }
            for (out, wt) in weights(DerivativeSlots.occupancy(a)) { occupancy[out, default: 0] += wt }
            for out in coordinate.keys.sorted() { coordinateOuts.append(out); coordinateWeights.append(coordinate[out]!) }
            for out in u.keys.sorted() { uOuts.append(out); uWeights.append(u[out]!) }
            for out in occupancy.keys.sorted() { occupancyOuts.append(out); occupancyWeights.append(occupancy[out]!) }
            coordinateStart.append(coordinateOuts.count); uStart.append(uOuts.count); occupancyStart.append(occupancyOuts.count)
        }
    }

    @inline(__always) func coordinateRange(_ a: Int) -> Range<Int> { coordinateStart[a]..<coordinateStart[a + 1] }
    @inline(__always) func uRange(_ a: Int) -> Range<Int> { uStart[a]..<uStart[a + 1] }
    @inline(__always) func occupancyRange(_ a: Int) -> Range<Int> { occupancyStart[a]..<occupancyStart[a + 1] }
    @inline(__always) func hasOccupancy(_ a: Int) -> Bool { occupancyStart[a + 1] > occupancyStart[a] }
}

/// Where a peak lands on the calculation range (PDFfit2's ±5σ window, clipped to the range).
struct PeakGrid {
    var r0: Double, dr: Double, c0: Int, rcMin: Double, rcMax: Double
}

/// One chunk's scratch for the derivative pass: per column the summed coefficients (ΣdA, ΣA∂r, ΣA∂σ)
/// of the current group of equal peaks, which columns the group touched, and the group's Gaussian.
/// Pointers, so the hot loop pays no exclusivity checks.
struct GroupAccumulator {
    let coefficients: UnsafeMutablePointer<Double>
    let touched: UnsafeMutablePointer<Bool>
    let touchedList: UnsafeMutablePointer<Int>
    let touchedCount: UnsafeMutablePointer<Int>
    let gauss: UnsafeMutablePointer<Double>
    /// Length of a column (the calculation range).
    let length: Int

    init(nOut: Int, n: Int) {
        length = n
        coefficients = .allocate(capacity: 3 * max(nOut, 1)); coefficients.initialize(repeating: 0, count: 3 * max(nOut, 1))
        touched = .allocate(capacity: max(nOut, 1)); touched.initialize(repeating: false, count: max(nOut, 1))
        touchedList = .allocate(capacity: max(nOut, 1)); touchedList.initialize(repeating: 0, count: max(nOut, 1))
        touchedCount = .allocate(capacity: 1); touchedCount.initialize(to: 0)
        gauss = .allocate(capacity: max(n, 1)); gauss.initialize(repeating: 0, count: max(n, 1))
    }

    func deallocate() {
        coefficients.deallocate(); touched.deallocate(); touchedList.deallocate(); touchedCount.deallocate(); gauss.deallocate()
    }

    @inline(__always) func add(_ out: Int, _ dA: Double, _ aDr: Double, _ aDs: Double) {
        if !touched[out] { touched[out] = true; touchedList[touchedCount.pointee] = out; touchedCount.pointee += 1 }
        coefficients[3 * out] += dA; coefficients[3 * out + 1] += aDr; coefficients[3 * out + 2] += aDs
    }

    /// Adds the group's Gaussian (area `ampl`) to `ppp` and t·(α + βx + γx²) to each touched column
    /// (α = ΣdA − ΣA∂σ/σ, β = ΣA∂r/σ², γ = ΣA∂σ/σ³), then clears the group.
    func flush(_ grid: PeakGrid, dist: Double, sigma: Double, ampl: Double, ppp: UnsafeMutablePointer<Double>, columns: UnsafeMutablePointer<Double>) {
        let count0 = touchedCount.pointee
        touchedCount.pointee = 0
        let rb = max(grid.rcMin, dist - 5 * sigma), re = min(grid.rcMax, dist + 5 * sigma)
        let ib = PDFGrid.nint((rb - grid.r0) / grid.dr), ie = PDFGrid.nint((re - grid.r0) / grid.dr)
        let n = ie - ib + 1
        let dr = grid.dr
        let x0 = grid.r0 + Double(ib) * dr - dist
        let inv2s2 = 1 / (2 * sigma * sigma)
        if n > 0 {
            let height = 1 / ((2 * Double.pi).squareRoot() * sigma)
            if dr * dr * inv2s2 > 2 {
                for k in 0..<n { let x = x0 + Double(k) * dr; gauss[k] = height * exp(-x * x * inv2s2) }
            } else {
                var value = height * exp(-x0 * x0 * inv2s2)
                var ratio = exp(-(2 * x0 * dr + dr * dr) * inv2s2)
                let q = exp(-2 * dr * dr * inv2s2)
                for k in 0..<n { gauss[k] = value; value *= ratio; ratio *= q }
            }
            let base = ib - grid.c0
            if ampl != 0 {
                let out = ppp + base
                for k in 0..<n { out[k] += ampl * gauss[k] }
            }
        }
        let s2 = sigma * sigma
        for m in 0..<count0 {
            let out = touchedList[m]
            touched[out] = false
            let a0 = coefficients[3 * out], a1 = coefficients[3 * out + 1], a2 = coefficients[3 * out + 2]
            coefficients[3 * out] = 0; coefficients[3 * out + 1] = 0; coefficients[3 * out + 2] = 0
            guard n > 0 else { continue }
            let alpha = a0 - a2 / sigma, beta = a1 / s2, gamma = a2 / (s2 * sigma)
            let column = columns + out * length + (ib - grid.c0)
            for k in 0..<n {
                let x = x0 + Double(k) * dr
                column[k] += gauss[k] * (alpha + x * (beta + gamma * x))
            }
        }
    }
}
