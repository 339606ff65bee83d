import Foundation
import Refinement
import XrayCore

/// What a model parameter is, for the analytic derivatives.
enum RietveldParameterKind: Sendable, Equatable {
    case scale, background(Int), zero, displacement, u, v, w, x, y, shl, ratio
    case fraction(phase: Int), cell(phase: Int, index: Int), sizeX(phase: Int), marchDollase(phase: Int)
    /// component 0…10: x, y, z, U_iso, occupancy, U11, U22, U33, U12, U13, U23.
    case site(phase: Int, site: Int, component: Int)
}

/// Analytic derivatives of the weighted residuals, evaluated line by line over each line's window
/// (GSAS-II's window), as Rietveld programs do:
///
/// y(2θᵢ) = b(2θᵢ) + Σ_lines I·[Ω(2θᵢ; 2θ, σ², γ, SH/L) + r·Ω(2θᵢ; 2θ₂, σ², γ, SH/L)], so with the
/// profile's own derivatives (`FCJLineShape`) every parameter's column is a sum over lines of six
/// per-point channels — ∂y/∂I, ∂y/∂2θ (through the profile, L·P and the θ-dependence of the widths),
/// ∂y/∂σ², ∂y/∂γ, ∂y/∂(SH/L), ∂y/∂r — times per-line coefficients: ∂I/∂p for the scale, phase fraction,
/// coordinates, U_iso, occupancies (structure-factor derivatives computed with F), March–Dollase r and
/// the cell (through |F|²(sin θ/λ), March–Dollase and V); ∂2θ/∂p for the cell (Bragg's law), zero and
/// displacement; ∂σ²/∂(U, V, W) = tan²θ, tan θ, 1; ∂γ/∂(X, Y, size) = 1/cos θ, tan θ, 1/cos θ.
/// Background columns are the Chebyshev terms. The quadrature rules and the windows are those of the
/// current point (GSAS-II's are discontinuous in the parameters).
extension RietveldModel {
    public func derivatives(_ p: ParameterValues, for names: [String]) throws -> [[Double]]? {
        let n = twoTheta.count
        let histogram = try histogramTerms(p)
        var kinds: [RietveldParameterKind?] = []
        for name in names {
            if let kind = parameterKinds[name] {
                kinds.append(kind)
            } else if p.index(of: name) != nil {
                kinds.append(nil)   // a parameter of the set that the model does not read: zero column
            } else {
                throw RefinementError("unknown parameter '\(name)'")
            }
        }
        var columns = [Double](repeating: 0, count: names.count * n)
        // Every phase's lines first (each may share its families among the cores), then one parallel region
        // over point ranges common to all phases: each thread adds, at its points, phase after phase and line
        // after line, the same sums in the same order as phase by phase.
        var work: [(phase: CompiledPhase, lines: PhaseLines, windows: [Int], touching: [(column: Int, kind: RietveldParameterKind)])] = []
        for ph in compiled.indices {
            // The columns this phase's lines feed.
            var touching: [(column: Int, kind: RietveldParameterKind)] = []
            for (k, kind) in kinds.enumerated() {
                guard let kind else { continue }
                switch kind {
                case .background: continue
                case .fraction(let q), .cell(let q, _), .sizeX(let q), .marchDollase(let q), .site(let q, _, _):
                    if q == ph { touching.append((k, kind)) }
                default: touching.append((k, kind))
                }
            }
            guard !touching.isEmpty else { continue }
            let c = compiled[ph]
            let pl = try c.phaseLines(p, histogram: histogram, instrument: instrument, derivatives: true)
            work.append((c, pl, lineWindows(pl, histogram: histogram), touching))
        }
        if !work.isEmpty {
            // Per point, six channels summed over the line being added: ∂y/∂I, ∂y/∂2θ, ∂y/∂σ², ∂y/∂γ, ∂y/∂(SH/L), ∂y/∂r.
            var channels = [Double](repeating: 0, count: 6 * n)
            let chunks = pointChunks(work.flatMap(\.windows))
            columns.withUnsafeMutableBufferPointer { colsBuffer in
                channels.withUnsafeMutableBufferPointer { chBuffer in
                    twoTheta.withUnsafeBufferPointer { xBuffer in
                        // The threads write disjoint point ranges of the same columns and channels.
                        guard let cols = colsBuffer.baseAddress, let x = xBuffer.baseAddress, let vI = chBuffer.baseAddress else { return }
                        DispatchQueue.concurrentPerform(iterations: chunks.count) { t in
                            for w in work {
                                addLineColumns(w.lines, phase: w.phase, histogram: histogram, windows: w.windows, within: chunks[t],
                                               touching: w.touching, x: x, channels: vI, columns: cols)
                            }
                        }
                    }
                }
            }
        }
        // Weighted residual columns −∂y/∂p·√w at the points in the fit (background columns from the Chebyshev
        // terms), the columns shared among the cores.
        var out = [[Double]](repeating: [], count: names.count)
        let threads = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8, names.count))
        columns.withUnsafeBufferPointer { colsBuffer in
            usedIndices.withUnsafeBufferPointer { used in
                sqrtWeight.withUnsafeBufferPointer { weight in
                    out.withUnsafeMutableBufferPointer { outBuffer in
                        guard let cols = colsBuffer.baseAddress, let result = outBuffer.baseAddress else { return }
                        DispatchQueue.concurrentPerform(iterations: threads) { t in
                            for k in stride(from: t, to: names.count, by: threads) {
                                let background: Int?
                                if case .background(let b)? = kinds[k] { background = b } else { background = nil }
                                result[k] = [Double](unsafeUninitializedCapacity: used.count) { column, count in
                                    if let b = background {
                                        backgroundBasis[b].withUnsafeBufferPointer { basis in
                                            for r in 0..<used.count { column[r] = -basis[used[r]] * weight[used[r]] }
                                        }
                                    } else {
                                        let source = cols + k * n
                                        for r in 0..<used.count { column[r] = -source[used[r]] * weight[used[r]] }
                                    }
                                    count = used.count
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Adds every line's contribution to the `touching` columns (column-major, `twoTheta.count` rows) at
    /// the points of `range`, through the six per-point channels (zero on entry and on return there).
    func addLineColumns(_ pl: PhaseLines, phase c: CompiledPhase, histogram: HistogramTerms, windows: [Int], within range: Range<Int>,
                        touching: [(column: Int, kind: RietveldParameterKind)], x: UnsafePointer<Double>,
                        channels vI: UnsafeMutablePointer<Double>, columns cols: UnsafeMutablePointer<Double>) {
        let n = twoTheta.count
        let ws = FCJWorkspace()
        let nSites = c.siteKeys.count
        let shift = kAlpha2Shift ?? 0
        let vPos = vI + n, vS = vI + 2 * n, vG = vI + 3 * n, vH = vI + 4 * n, vR = vI + 5 * n
        var intensityColumns = [UnsafeMutablePointer<Double>](repeating: cols, count: 4)
        var intensityFactors = [Double](repeating: 0, count: 4)
        var pending = 0
        // The SH/L and Kα2-ratio channels only when a column reads them.
        let withSHL = touching.contains { $0.kind == .shl }, withRatio = touching.contains { $0.kind == .ratio }
        let channelCount = withRatio ? 6 : (withSHL ? 5 : 4)
        for l in 0..<pl.count {
            let intensity = pl.intensity[l]
            var lo = n, hi = 0
            forEachLine(pl, l, histogram: histogram, windows: windows, within: range, rules: nil, workspace: ws,
                        derivatives: true) { shape, lineI, second, a, b in
                lo = min(lo, a); hi = max(hi, b)
                let share = second ? histogram.ratio : 1
                let posFactor = second ? 1 + shift * (Double.pi / 360) / pow(cos(pl.position[l] * Double.pi / 360), 2) : 1
                shape.addDerivatives(x: x, a..<b, ws, share: share, intensity: lineI, positionScale: lineI * posFactor,
                                     ratioScale: second && withRatio ? intensity : nil, withSHL: withSHL, channels: vI, stride: n)
            }
            guard lo < hi else { continue }
            let dIdPos = pl.dIntensityDPosition[l], dSdPos = pl.dSigma2DPosition[l], dGdPos = pl.dGammaDPosition[l]
            for i in lo..<hi { vPos[i] += dIdPos * vI[i] + dSdPos * vS[i] + dGdPos * vG[i] }
            let tanT = pl.tanTheta[l], secT = pl.secTheta[l]
            for (column, kind) in touching {
                var cI = 0.0, cP = 0.0
                var other: UnsafeMutablePointer<Double>? = nil, cO = 0.0
                switch kind {
                case .scale: cI = pl.dIntensityDScale[l]
                case .fraction: cI = pl.dIntensityDFraction[l]
                case .marchDollase: cI = pl.dIntensityDMarchDollase[l]
                case .site(_, let s, let comp): cI = pl.dIntensityDSite[(l * nSites + s) * 11 + comp]
                case .cell(_, let q): cI = pl.dIntensityDCell[6 * l + q]; cP = pl.dPositionDCell[6 * l + q]
                case .zero: cP = pl.dPositionDZero[l]
                case .displacement: cP = pl.dPositionDDisplacement[l]
                case .u: other = vS; cO = tanT * tanT
                case .v: other = vS; cO = tanT
                case .w: other = vS; cO = 1
                case .x, .sizeX: other = vG; cO = secT
                case .y: other = vG; cO = tanT
                case .shl: other = vH; cO = 1
                case .ratio: other = vR; cO = 1
                case .background: continue
                }
                let col = cols + column * n
                if let other {
                    if cO != 0 { for i in lo..<hi { col[i] += cO * other[i] } }
                } else if cP == 0 {
                    // Columns fed by ∂y/∂I alone (scale, fractions, coordinates, U, occupancies): gathered and
                    // added four at a time below, ∂y/∂I read once for the four (same sums as one at a time).
                    if cI != 0 { intensityColumns[pending] = col; intensityFactors[pending] = cI; pending += 1 }
                    if pending == 4 {
                        let c0 = intensityColumns[0], c1 = intensityColumns[1], c2 = intensityColumns[2], c3 = intensityColumns[3]
                        let a0 = intensityFactors[0], a1 = intensityFactors[1], a2 = intensityFactors[2], a3 = intensityFactors[3]
                        for i in lo..<hi {
                            let v = vI[i]
                            c0[i] += a0 * v; c1[i] += a1 * v; c2[i] += a2 * v; c3[i] += a3 * v
                        }
                        pending = 0
                    }
                } else {
                    for i in lo..<hi { col[i] += cI * vI[i] + cP * vPos[i] }
                }
            }
            for q in 0..<pending {
                let col = intensityColumns[q], a = intensityFactors[q]
                for i in lo..<hi { col[i] += a * vI[i] }
            }
            pending = 0
            for q in 0..<channelCount { (vI + q * n + lo).update(repeating: 0, count: hi - lo) }
        }
    }

    /// The kind of every parameter `defaultParameters` defines, by name.
    static func parameterKinds(backgroundTerms: Int, compiled: [CompiledPhase]) -> [String: RietveldParameterKind] {
        var kinds: [String: RietveldParameterKind] = [
            "scale": .scale, "zero": .zero, "displacement": .displacement, "U": .u, "V": .v, "W": .w, "X": .x, "Y": .y,
            "SH_L": .shl, "ka2_ratio": .ratio,
        ]
        for b in 0..<backgroundTerms { kinds["bkg_\(b)"] = .background(b) }
        for (ph, c) in compiled.enumerated() {
            let k = c.phase.key
            kinds["\(k)_fraction"] = .fraction(phase: ph)
            kinds["\(k)_size_X"] = .sizeX(phase: ph)
            kinds["\(k)_md_r"] = .marchDollase(phase: ph)
            for (i, name) in CellConstraints.names.enumerated() { kinds["\(k)_\(name)"] = .cell(phase: ph, index: i) }
            for (s, key) in c.siteKeys.enumerated() {
                for (comp, suffix) in (["x", "y", "z", "uiso", "occ"] + DisplacementSymmetry.names).enumerated() {
                    kinds["\(k)_\(key)_\(suffix)"] = .site(phase: ph, site: s, component: comp)
                }
            }
        }
        return kinds
    }
}
