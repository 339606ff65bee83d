import Foundation

/// One line's FCJ-asymmetric TCH pseudo-Voigt set up for fast repeated evaluation, with the analytic
/// derivatives of its value with respect to the line position, the Gaussian variance σ², the
/// Lorentzian FWHM γ and SH/L.
///
/// The value is exactly `FCJProfile.density(at:)` (same formulae, same order of operations: GSAS-II's
/// `getFCJVoigt3`), but the divergence nodes live in a caller-owned `FCJWorkspace`, so setting up a
/// line allocates nothing. Derivatives follow by differentiating that formula:
/// Ω(x) = Σ_k W_k·PV(100(x − δ_k); Γ, η) with δ_k = 2φ_min + (2θ − 2φ_min)·x_k, W_k = w_k g_k / Σ w g,
/// g_k = (−1 + SH/L·F_k)/cos δ_k, F_k = |cos 2θ|/√(cos²δ_k − cos²2θ), cos 2φ_min = √(1 + SH/L²)·cos 2θ,
/// and (Γ, η) the TCH total FWHM and mixing of (2.35482·σ, γ). The window and the quadrature rule are
/// held fixed (GSAS-II's choices are discontinuous in the parameters; derivatives keep them).
struct FCJLineShape {
    var position = 0.0
    var fwhm = 0.0, eta = 0.0
    var windowLow = 0.0, windowHigh = 0.0
    var coreLow = 0.0, coreHigh = 0.0
    var meanNode = 0.0
    var tailLorentz = 0.0, tailFloor = 0.0, fourOverFWHM2 = 0.0
    var nodeCount = 0
    var ruleCount = 0
    /// ∂Γ/∂σ², ∂Γ/∂γ, ∂η/∂σ², ∂η/∂γ.
    var dFWHMdS2 = 0.0, dFWHMdGamma = 0.0, dEtadS2 = 0.0, dEtadGamma = 0.0
    /// ∂(mean node)/∂2θ and ∂(mean node)/∂(SH/L), for the tail.
    var dMeanDPosition = 0.0, dMeanDSHL = 0.0
    /// Per-line constants of the evaluation: 100/Γ (u = (2θ − node)·100/Γ), the Lorentzian and
    /// Gaussian normalisations 2/(πΓ) and √(4 ln 2)/(√π Γ), and 1/Γ.
    var unitScale = 0.0, lorentzNorm = 0.0, gaussianNorm = 0.0, inverseFWHM = 0.0
    /// The Gaussian part at GSAS's exp(−20) floor, √(4 ln 2)/(√π Γ)·e⁻²⁰: a node farther than ≈ 2.7 Γ from
    /// the point takes it without calling `exp` (the same number `exp(max(−20, …))` gives there).
    var gaussianFloor = 0.0
    /// Outside [gaussLow, gaussHigh] (2θ, degrees) every node's Gaussian is at that floor (≈ 2.7 Γ from the
    /// outermost nodes, 1 % wider for safety): there the core's node sum needs no `exp` and runs four points
    /// at a time (`addFlooredValues`, `addFlooredDerivatives`; the same operations as the per-point path).
    var gaussLow = 0.0, gaussHigh = 0.0
    /// The tail's derivatives as c₀ + c₁/q + c₂·dx²/q² (σ², γ) and c·dx/q² (2θ, SH/L), q = 1 + 4dx²/Γ²:
    /// `derivatives(at:)`'s formulae with every per-line factor gathered once (`setTailDerivatives`).
    var tailS0 = 0.0, tailS1 = 0.0, tailS2 = 0.0, tailG0 = 0.0, tailG1 = 0.0, tailG2 = 0.0
    var tailPosition = 0.0, tailSHL = 0.0

    static let sqrt2Ln2x2 = FCJProfile.sqrt2Ln2x2
    static let sqrt2Pi = FCJProfile.sqrt2Pi
    static let gaussExponent = 0.5 * sqrt2Ln2x2 * sqrt2Ln2x2
    static let gaussNorm = sqrt2Ln2x2 / sqrt2Pi
    static let floorFactor = exp(-20.0)
    /// The distance (degrees per centidegree of Γ) beyond which exp(−gaussExponent·u²) < e⁻²⁰ for
    /// u = 100·distance/Γ: √(20/gaussExponent)/100, 1 % more (the per-point path decides exactly inside it).
    static let gaussianReach = 1.01 * (20 / gaussExponent).squareRoot() / 100

    /// Sets up the line (nodes into `ws`); `derivatives` also computes the node derivatives.
    init(position: Double, sigma2: Double, gamma: Double, shl: Double, ruleCount forced: Int?,
         workspace ws: FCJWorkspace, derivatives: Bool) {
        self.position = position
        let root = sigma2 > 0 ? sigma2.squareRoot() : 0
        let sqsg = max(root, 0.001)
        let g = Self.sqrt2Ln2x2 * sqsg, l = gamma
        let g2 = g * g, l2 = l * l
        let sum = g2 * g2 * g + 2.69269 * g2 * g2 * l + 2.42843 * g2 * g * l2 + 4.47163 * g2 * l2 * l
            + 0.07842 * g * l2 * l2 + l2 * l2 * l
        let f = exp(0.2 * log(sum))
        let q = l / f
        fwhm = f
        eta = q * (1.36603 + q * (-0.47719 + q * 0.11116))
        if derivatives {
            let dSdg = 5 * g2 * g2 + 4 * 2.69269 * g2 * g * l + 3 * 2.42843 * g2 * l2 + 2 * 4.47163 * g * l2 * l
                + 0.07842 * l2 * l2
            let dSdl = 2.69269 * g2 * g2 + 2 * 2.42843 * g2 * g * l + 3 * 4.47163 * g2 * l2 + 4 * 0.07842 * g * l2 * l
                + 5 * l2 * l2
            let dFdg = f / (5 * sum) * dSdg, dFdl = f / (5 * sum) * dSdl
            let dEtadq = 1.36603 + q * (-2 * 0.47719 + q * 3 * 0.11116)
            let dgdS2 = root > 0.001 ? Self.sqrt2Ln2x2 / (2 * root) : 0
            dFWHMdS2 = dFdg * dgdS2
            dFWHMdGamma = dFdl
            dEtadS2 = dEtadq * (-l / (f * f) * dFdg) * dgdS2
            dEtadGamma = dEtadq * (1 / f - l / (f * f) * dFdl)
        }
        let degree = Double.pi / 180
        (windowLow, windowHigh, tailLorentz, tailFloor) = FCJProfile.windowAndTails(position: position, sqsg: sqsg, gamma: gamma, shl: shl,
                                                                                    fwhm: f, eta: eta)
        fourOverFWHM2 = 4 / (f * f)
        unitScale = 100 / f
        lorentzNorm = 2 / (Double.pi * f)
        gaussianNorm = Self.sqrt2Ln2x2 / (Self.sqrt2Pi * f)
        gaussianFloor = gaussianNorm * Self.floorFactor
        inverseFWHM = 1 / f
        let nodes = ws.nodes, weights = ws.weights
        guard shl != 0 else {
            nodes[0] = position; weights[0] = 1
            ws.dNodePosition[0] = 1; ws.dNodeSHL[0] = 0; ws.dWeightPosition[0] = 0; ws.dWeightSHL[0] = 0
            nodeCount = 1
            ruleCount = 0
            meanNode = position
            dMeanDPosition = 1; dMeanDSHL = 0
            coreLow = position - 0.12 * f; coreHigh = position + 0.12 * f
            gaussLow = position - Self.gaussianReach * f; gaussHigh = position + Self.gaussianReach * f
            if derivatives { setTailDerivatives() }
            return
        }
        let c2 = cos(position * degree), s2 = sin(position * degree)
        let a = (1 + shl * shl).squareRoot()
        let tmp = a * c2
        let emin = abs(tmp) <= 1 ? acos(tmp) / degree : (tmp > 0 ? 0 : 180)
        var dEminDPos = 0.0, dEminDSHL = 0.0
        if derivatives, abs(tmp) < 1 {
            let r = (1 - tmp * tmp).squareRoot()
            dEminDPos = a * s2 / r
            dEminDSHL = -(shl / a) * c2 / r / degree
        }
        ruleCount = forced ?? FCJProfile.nodeCount(position: position, shl: shl, gamma: gamma)
        let rule = FCJQuadrature.rule(count: ruleCount)
        precondition(rule.count <= ws.capacity, "FCJ rule larger than the workspace")
        nodeCount = rule.count
        var total = 0.0, dTotalPos = 0.0, dTotalSHL = 0.0
        let absC2 = abs(c2), signC2 = c2 < 0 ? -1.0 : 1.0
        var lowest = position, highest = position
        for k in 0..<rule.count {
            let x = rule[k].x, w = rule[k].w
            let delta = emin + (position - emin) * x
            let sd = sin(delta * degree), cd = cos(delta * degree)
            let t = position > 45 ? cd * cd - c2 * c2 : s2 * s2 - sd * sd
            let ff = t > 0 ? absC2 / t.squareRoot() : 1
            let gk = (-1 + shl * ff) / cd
            nodes[k] = delta
            weights[k] = w * gk
            total += w * gk
            lowest = min(lowest, delta); highest = max(highest, delta)
            if derivatives {
                let dDeltaPos = dEminDPos * (1 - x) + x
                let dDeltaSHL = dEminDSHL * (1 - x)
                var dfPos = 0.0, dfSHL = 0.0
                if t > 0 {
                    let dtPos = 2 * degree * (s2 * c2 - sd * cd * dDeltaPos)
                    let dtSHL = -2 * degree * sd * cd * dDeltaSHL
                    let rt = t.squareRoot()
                    dfPos = -signC2 * s2 * degree / rt - absC2 * dtPos / (2 * t * rt)
                    dfSHL = -absC2 * dtSHL / (2 * t * rt)
                }
                let secTan = (-1 + shl * ff) * sd * degree / (cd * cd)
                let dgPos = shl * dfPos / cd + secTan * dDeltaPos
                let dgSHL = (ff + shl * dfSHL) / cd + secTan * dDeltaSHL
                ws.dNodePosition[k] = dDeltaPos
                ws.dNodeSHL[k] = dDeltaSHL
                ws.dWeightPosition[k] = w * dgPos
                ws.dWeightSHL[k] = w * dgSHL
                dTotalPos += w * dgPos
                dTotalSHL += w * dgSHL
            }
        }
        var mean = 0.0, dMeanPos = 0.0, dMeanSHL = 0.0
        if total != 0 {
            for k in 0..<rule.count {
                let wk = weights[k] / total
                weights[k] = wk
                if derivatives {
                    ws.dWeightPosition[k] = (ws.dWeightPosition[k] - wk * dTotalPos) / total
                    ws.dWeightSHL[k] = (ws.dWeightSHL[k] - wk * dTotalSHL) / total
                }
            }
        }
        for k in 0..<rule.count {
            mean += nodes[k] * weights[k]
            if derivatives {
                dMeanPos += ws.dWeightPosition[k] * nodes[k] + weights[k] * ws.dNodePosition[k]
                dMeanSHL += ws.dWeightSHL[k] * nodes[k] + weights[k] * ws.dNodeSHL[k]
            }
        }
        meanNode = mean
        dMeanDPosition = dMeanPos; dMeanDSHL = dMeanSHL
        coreLow = lowest - 0.12 * f
        coreHigh = highest + 0.12 * f
        gaussLow = lowest - Self.gaussianReach * f
        gaussHigh = highest + Self.gaussianReach * f
        if derivatives { setTailDerivatives() }
    }

    /// The tail (one Lorentzian at the mean node plus the Gaussian floor, see `value(at:)`):
    /// value = L + F with L = T/q, T = η·2/(πΓ), F the floor, q = 1 + 4dx²/Γ², dx = 100(2θ − mean), so
    /// ∂/∂2θ = −100 (∂value/∂dx) ∂mean/∂2θ with ∂value/∂dx = −8T dx/(Γ² q²) (likewise SH/L), and
    /// ∂/∂Γ = −T/(Γq) + 8T dx²/(Γ³q²) − F/Γ, ∂/∂η = 2/(πΓq) − √(4 ln 2)/(√π Γ)·e⁻²⁰, chained to σ² and γ.
    private mutating func setTailDerivatives() {
        let f = fwhm, t = tailLorentz
        let dF1 = -t / f, dF2 = 8 * t / (f * f * f), dF0 = -tailFloor / f
        let dEta1 = 2 / (Double.pi * f), dEta0 = -Self.gaussNorm / f * Self.floorFactor
        tailS0 = dF0 * dFWHMdS2 + dEta0 * dEtadS2
        tailS1 = dF1 * dFWHMdS2 + dEta1 * dEtadS2
        tailS2 = dF2 * dFWHMdS2
        tailG0 = dF0 * dFWHMdGamma + dEta0 * dEtadGamma
        tailG1 = dF1 * dFWHMdGamma + dEta1 * dEtadGamma
        tailG2 = dF2 * dFWHMdGamma
        tailPosition = 800 * t / (f * f) * dMeanDPosition
        tailSHL = 800 * t / (f * f) * dMeanDSHL
    }

    /// Profile value per centidegree at 2θ (degrees): `FCJProfile.density(at:)` (the same formulae, with
    /// the per-line factors 100/Γ, 2/(πΓ) and √(4 ln 2)/(√π Γ) taken once).
    @inline(__always)
    func value(at x: Double, _ ws: FCJWorkspace) -> Double {
        if x < coreLow || x > coreHigh {
            let dx = 100 * (x - meanNode)
            return tailLorentz / (1 + fourOverFWHM2 * dx * dx) + tailFloor
        }
        let nodes = ws.nodes, weights = ws.weights
        let e = eta, scale = unitScale, ln = lorentzNorm, gn = gaussianNorm, gFloor = gaussianFloor
        var sum = 0.0
        for k in 0..<nodeCount {
            let u = (x - nodes[k]) * scale
            let u2 = u * u
            let lorentz = ln / (1 + 4 * u2)
            let exponent = -Self.gaussExponent * u2
            let gauss = exponent < -20 ? gFloor : gn * exp(exponent)
            sum += weights[k] * (e * lorentz + (1 - e) * gauss)
        }
        return sum
    }

    /// The points of `range` (2θ ascending in `x`) inside the core [coreLow, coreHigh]: [first, end).
    @inline(__always)
    func coreIndices(_ x: UnsafePointer<Double>, _ range: Range<Int>) -> (Int, Int) {
        Self.indices(x, range, from: coreLow, to: coreHigh)
    }

    /// y[i] += `intensity`·value(at: x[i]) for i in `range` (2θ ascending): the node sum in the core, the
    /// tails (the same formula as `value(at:)`) four points at a time.
    @inline(__always)
    func addValues(_ intensity: Double, x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>,
                   _ range: Range<Int>, _ ws: FCJWorkspace) {
        let (c0, c1) = coreIndices(x, range)
        let (g0, g1) = Self.indices(x, c0..<c1, from: gaussLow, to: gaussHigh)
        addTailValues(intensity, x: x, into: y, range.lowerBound..<c0)
        addFlooredValues(intensity, x: x, into: y, c0..<g0, ws)
        for i in g0..<g1 { y[i] += intensity * value(at: x[i], ws) }
        addFlooredValues(intensity, x: x, into: y, g1..<c1, ws)
        addTailValues(intensity, x: x, into: y, c1..<range.upperBound)
    }

    /// The points of `range` (2θ ascending in `x`) inside [low, high]: [first, end).
    @inline(__always)
    static func indices(_ x: UnsafePointer<Double>, _ range: Range<Int>, from low: Double, to high: Double) -> (Int, Int) {
        var lo = range.lowerBound, hi = range.upperBound
        while lo < hi { let mid = (lo + hi) / 2; if x[mid] < low { lo = mid + 1 } else { hi = mid } }
        let first = lo
        hi = range.upperBound
        while lo < hi { let mid = (lo + hi) / 2; if x[mid] <= high { lo = mid + 1 } else { hi = mid } }
        return (first, lo)
    }

    /// `value(at:)`'s node sum where every Gaussian is at its floor (outside [gaussLow, gaussHigh], inside
    /// the core), four points at a time: the same operations in the same order, without `exp`.
    @inline(__always)
    private func addFlooredValues(_ intensity: Double, x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>,
                                  _ range: Range<Int>, _ ws: FCJWorkspace) {
        typealias V = SIMD4<Double>
        var i = range.lowerBound
        let end = range.upperBound
        let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
        let nodes = ws.nodes, weights = ws.weights
        let e = V(repeating: eta), oneMinusE = V(repeating: 1 - eta), scale = V(repeating: unitScale)
        let ln = V(repeating: lorentzNorm), gFloor = V(repeating: gaussianFloor), scaleI = V(repeating: intensity)
        while i + 4 <= end {
            let xv = rx.loadUnaligned(fromByteOffset: 8 * i, as: V.self)
            var sum = V()
            for k in 0..<nodeCount {
                let u = (xv - V(repeating: nodes[k])) * scale
                let u2 = u * u
                let lorentz = ln / (1 + 4 * u2)
                sum += V(repeating: weights[k]) * (e * lorentz + oneMinusE * gFloor)
            }
            let old = ry.loadUnaligned(fromByteOffset: 8 * i, as: V.self)
            ry.storeBytes(of: old + scaleI * sum, toByteOffset: 8 * i, as: V.self)
            i += 4
        }
        while i < end { y[i] += intensity * value(at: x[i], ws); i += 1 }
    }

    @inline(__always)
    private func addTailValues(_ intensity: Double, x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>,
                               _ range: Range<Int>) {
        var i = range.lowerBound
        let end = range.upperBound
        let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
        let mean = SIMD4(repeating: meanNode), q = SIMD4(repeating: fourOverFWHM2)
        let t = SIMD4(repeating: tailLorentz), floor = SIMD4(repeating: tailFloor), scale = SIMD4(repeating: intensity)
        while i + 4 <= end {
            let dx = 100 * (rx.loadUnaligned(fromByteOffset: 8 * i, as: SIMD4<Double>.self) - mean)
            let v = t / (1 + q * dx * dx) + floor
            let old = ry.loadUnaligned(fromByteOffset: 8 * i, as: SIMD4<Double>.self)
            ry.storeBytes(of: old + scale * v, toByteOffset: 8 * i, as: SIMD4<Double>.self)
            i += 4
        }
        while i < end {
            let dx = 100 * (x[i] - meanNode)
            y[i] += intensity * (tailLorentz / (1 + fourOverFWHM2 * dx * dx) + tailFloor)
            i += 1
        }
    }

    /// Adds the line's contribution to the six derivative channels at the points of `range` (2θ
    /// ascending): ∂y/∂I (× `share`), ∂y/∂2θ (× `positionScale`), ∂y/∂σ², ∂y/∂γ, ∂y/∂(SH/L) (× `intensity`)
    /// and, when `ratioScale` is not nil, ∂y/∂r (value × it). The tails four points at a time. Without
    /// `withSHL` the SH/L channel is left untouched (no parameter reads it).
    @inline(__always)
    func addDerivatives(x: UnsafePointer<Double>, _ range: Range<Int>, _ ws: FCJWorkspace, share: Double, intensity: Double,
                        positionScale: Double, ratioScale: Double?, withSHL: Bool = true, channels c: UnsafeMutablePointer<Double>,
                        stride n: Int) {
        let (c0, c1) = coreIndices(x, range)
        let (g0, g1) = Self.indices(x, c0..<c1, from: gaussLow, to: gaussHigh)
        addTailDerivatives(x: x, range.lowerBound..<c0, ws, share: share, intensity: intensity, positionScale: positionScale,
                           ratioScale: ratioScale, withSHL: withSHL, channels: c, stride: n)
        addFlooredDerivatives(x: x, c0..<g0, ws, share: share, intensity: intensity, positionScale: positionScale,
                              ratioScale: ratioScale, withSHL: withSHL, channels: c, stride: n)
        addPointDerivatives(x: x, g0..<g1, ws, share: share, intensity: intensity, positionScale: positionScale,
                            ratioScale: ratioScale, withSHL: withSHL, channels: c, stride: n)
        addFlooredDerivatives(x: x, g1..<c1, ws, share: share, intensity: intensity, positionScale: positionScale,
                              ratioScale: ratioScale, withSHL: withSHL, channels: c, stride: n)
        addTailDerivatives(x: x, c1..<range.upperBound, ws, share: share, intensity: intensity, positionScale: positionScale,
                           ratioScale: ratioScale, withSHL: withSHL, channels: c, stride: n)
    }

    @inline(__always)
    private func addTailDerivatives(x: UnsafePointer<Double>, _ range: Range<Int>, _ ws: FCJWorkspace, share: Double, intensity: Double,
                                    positionScale: Double, ratioScale: Double?, withSHL: Bool, channels c: UnsafeMutablePointer<Double>,
                                    stride n: Int) {
        var i = range.lowerBound
        let end = range.upperBound
        typealias V = SIMD4<Double>
        let rx = UnsafeRawPointer(x), rc = UnsafeMutableRawPointer(c)
        let mean = V(repeating: meanNode), q = V(repeating: fourOverFWHM2)
        let t = V(repeating: tailLorentz), floor = V(repeating: tailFloor)
        let sI = V(repeating: share), sPos = V(repeating: positionScale * tailPosition), sSHL = V(repeating: intensity * tailSHL)
        let s0 = V(repeating: intensity * tailS0), s1 = V(repeating: intensity * tailS1), s2 = V(repeating: intensity * tailS2)
        let g0 = V(repeating: intensity * tailG0), g1 = V(repeating: intensity * tailG1), g2 = V(repeating: intensity * tailG2)
        let sR = V(repeating: ratioScale ?? 0), withRatio = ratioScale != nil
        let bytes = 8 * n
        @inline(__always) func add(_ channel: Int, _ offset: Int, _ v: V) { Self.add(v, to: rc, at: channel * bytes + offset) }
        while i + 4 <= end {
            let o = 8 * i
            let dx = 100 * (rx.loadUnaligned(fromByteOffset: o, as: V.self) - mean)
            let inv = 1 / (1 + q * dx * dx)
            let inv2 = inv * inv, dxInv2 = dx * inv2, dx2Inv2 = dx * dxInv2
            let value = t * inv + floor
            add(0, o, sI * value)
            add(1, o, sPos * dxInv2)
            add(2, o, s0 + s1 * inv + s2 * dx2Inv2)
            add(3, o, g0 + g1 * inv + g2 * dx2Inv2)
            if withSHL { add(4, o, sSHL * dxInv2) }
            if withRatio { add(5, o, sR * value) }
            i += 4
        }
        addPointDerivatives(x: x, i..<end, ws, share: share, intensity: intensity, positionScale: positionScale,
                            ratioScale: ratioScale, withSHL: withSHL, channels: c, stride: n)
    }

    /// `derivatives(at:)`'s node sums where every Gaussian is at its floor (∂Gauss/∂u = 0), four points at a
    /// time, added to the channels as `addPointDerivatives` does: the same operations in the same order.
    @inline(__always)
    private func addFlooredDerivatives(x: UnsafePointer<Double>, _ range: Range<Int>, _ ws: FCJWorkspace, share: Double,
                                       intensity: Double, positionScale: Double, ratioScale: Double?, withSHL: Bool,
                                       channels c: UnsafeMutablePointer<Double>, stride n: Int) {
        typealias V = SIMD4<Double>
        var i = range.lowerBound
        let end = range.upperBound
        let rx = UnsafeRawPointer(x), rc = UnsafeMutableRawPointer(c)
        let nodes = ws.nodes, weights = ws.weights
        let dNodePos = ws.dNodePosition, dNodeSHL = ws.dNodeSHL
        let dWeightPos = ws.dWeightPosition, dWeightSHL = ws.dWeightSHL
        let e = V(repeating: eta), oneMinusE = V(repeating: 1 - eta), scale = V(repeating: unitScale)
        let invF = V(repeating: inverseFWHM), lNorm = V(repeating: lorentzNorm), gauss = V(repeating: gaussianFloor)
        let sI = V(repeating: share), sPosition = V(repeating: positionScale), sIntensity = V(repeating: intensity)
        let fS = V(repeating: dFWHMdS2), eS = V(repeating: dEtadS2), fG = V(repeating: dFWHMdGamma), eG = V(repeating: dEtadGamma)
        let sR = V(repeating: ratioScale ?? 0), withRatio = ratioScale != nil
        let bytes = 8 * n
        @inline(__always) func add(_ channel: Int, _ offset: Int, _ v: V) { Self.add(v, to: rc, at: channel * bytes + offset) }
        while i + 4 <= end {
            let o = 8 * i
            let xv = rx.loadUnaligned(fromByteOffset: o, as: V.self)
            var sum = V(), sPos = V(), sSHL = V(), sF = V(), sEta = V()
            for k in 0..<nodeCount {
                let u = (xv - V(repeating: nodes[k])) * scale
                let invD = 1 / (1 + 4 * u * u)
                let lorentz = lNorm * invD
                let pv = e * lorentz + oneMinusE * gauss
                let dLdu = -lorentz * 8 * u * invD
                let dPVdDx = (e * dLdu) * invF
                let dPVdF = (e * (-lorentz - u * dLdu) + oneMinusE * (-gauss)) * invF
                let w = V(repeating: weights[k])
                sum += w * pv
                sPos += V(repeating: dWeightPos[k]) * pv - 100 * w * dPVdDx * V(repeating: dNodePos[k])
                sSHL += V(repeating: dWeightSHL[k]) * pv - 100 * w * dPVdDx * V(repeating: dNodeSHL[k])
                sF += w * dPVdF
                sEta += w * (lorentz - gauss)
            }
            add(0, o, sI * sum)
            add(1, o, sPosition * sPos)
            add(2, o, sIntensity * (sF * fS + sEta * eS))
            add(3, o, sIntensity * (sF * fG + sEta * eG))
            if withSHL { add(4, o, sIntensity * sSHL) }
            if withRatio { add(5, o, sR * sum) }
            i += 4
        }
        addPointDerivatives(x: x, i..<end, ws, share: share, intensity: intensity, positionScale: positionScale,
                            ratioScale: ratioScale, withSHL: withSHL, channels: c, stride: n)
    }

    /// Adds four values to the four doubles at byte offset `offset` of `base`.
    @inline(__always)
    static func add(_ v: SIMD4<Double>, to base: UnsafeMutableRawPointer, at offset: Int) {
        base.storeBytes(of: base.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self) + v, toByteOffset: offset,
                        as: SIMD4<Double>.self)
    }

    /// The points' contributions to the six derivative channels, one point at a time (the full line
    /// shape, no tail shortcut): the Gaussian core, and what the four-point loops leave over.
    @inline(__always)
    private func addPointDerivatives(x: UnsafePointer<Double>, _ points: Range<Int>, _ ws: FCJWorkspace, share: Double,
                                     intensity: Double, positionScale: Double, ratioScale: Double?, withSHL: Bool,
                                     channels c: UnsafeMutablePointer<Double>, stride n: Int) {
        for i in points {
            let d = derivatives(at: x[i], ws)
            c[i] += share * d.value
            c[n + i] += positionScale * d.position
            c[2 * n + i] += intensity * d.sigma2
            c[3 * n + i] += intensity * d.gamma
            if withSHL { c[4 * n + i] += intensity * d.shl }
            if let ratioScale { c[5 * n + i] += ratioScale * d.value }
        }
    }

    /// The value and its derivatives with respect to 2θ of the line, σ², γ and SH/L at 2θ = `x`.
    @inline(__always)
    func derivatives(at x: Double, _ ws: FCJWorkspace)
        -> (value: Double, position: Double, sigma2: Double, gamma: Double, shl: Double) {
        if x < coreLow || x > coreHigh {
            // `setTailDerivatives` holds the per-line factors.
            let dx = 100 * (x - meanNode)
            let inv = 1 / (1 + fourOverFWHM2 * dx * dx)
            let inv2 = inv * inv, dxInv2 = dx * inv2, dx2Inv2 = dx * dxInv2
            return (tailLorentz * inv + tailFloor, tailPosition * dxInv2, tailS0 + tailS1 * inv + tailS2 * dx2Inv2,
                    tailG0 + tailG1 * inv + tailG2 * dx2Inv2, tailSHL * dxInv2)
        }
        let e = eta, scale = unitScale, invF = inverseFWHM
        let nodes = ws.nodes, weights = ws.weights
        let dNodePos = ws.dNodePosition, dNodeSHL = ws.dNodeSHL
        let dWeightPos = ws.dWeightPosition, dWeightSHL = ws.dWeightSHL
        var sum = 0.0, sPos = 0.0, sSHL = 0.0, sF = 0.0, sEta = 0.0
        let lNorm = lorentzNorm, gNorm = gaussianNorm, gFloor = gaussianFloor
        for k in 0..<nodeCount {
            let u = (x - nodes[k]) * scale
            let invD = 1 / (1 + 4 * u * u)
            let lorentz = lNorm * invD
            let exponent = -Self.gaussExponent * u * u
            let floored = exponent < -20
            let gauss = floored ? gFloor : gNorm * exp(exponent)
            let pv = e * lorentz + (1 - e) * gauss
            // ∂PV/∂(dx) with dx = 100 (x − δ) in centidegrees, and ∂PV/∂Γ.
            let dLdu = -lorentz * 8 * u * invD
            let dGdu = floored ? 0 : -gauss * 2 * Self.gaussExponent * u
            let dPVdDx = (e * dLdu + (1 - e) * dGdu) * invF
            let dPVdF = (e * (-lorentz - u * dLdu) + (1 - e) * (-gauss - u * dGdu)) * invF
            let w = weights[k]
            sum += w * pv
            sPos += dWeightPos[k] * pv - 100 * w * dPVdDx * dNodePos[k]
            sSHL += dWeightSHL[k] * pv - 100 * w * dPVdDx * dNodeSHL[k]
            sF += w * dPVdF
            sEta += w * (lorentz - gauss)
        }
        return (sum, sPos, sF * dFWHMdS2 + sEta * dEtadS2, sF * dFWHMdGamma + sEta * dEtadGamma, sSHL)
    }
}

/// Caller-owned storage for one line's divergence nodes (and their derivatives), reused line after line.
final class FCJWorkspace {
    let capacity = 256
    let storage: UnsafeMutablePointer<Double>
    var nodes: UnsafeMutablePointer<Double> { storage }
    var weights: UnsafeMutablePointer<Double> { storage + capacity }
    var dNodePosition: UnsafeMutablePointer<Double> { storage + 2 * capacity }
    var dNodeSHL: UnsafeMutablePointer<Double> { storage + 3 * capacity }
    var dWeightPosition: UnsafeMutablePointer<Double> { storage + 4 * capacity }
    var dWeightSHL: UnsafeMutablePointer<Double> { storage + 5 * capacity }

    init() {
        storage = .allocate(capacity: 6 * capacity)
        storage.initialize(repeating: 0, count: 6 * capacity)
    }

    deinit { storage.deallocate() }
}
