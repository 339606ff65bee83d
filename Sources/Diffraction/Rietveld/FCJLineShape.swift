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

    static let sqrt2Ln2x2 = FCJProfile.sqrt2Ln2x2
    static let sqrt2Pi = FCJProfile.sqrt2Pi
    static let gaussExponent = 0.5 * sqrt2Ln2x2 * sqrt2Ln2x2
    static let gaussNorm = sqrt2Ln2x2 / sqrt2Pi
    static let floorFactor = exp(-20.0)

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
        let nodes = ws.nodes, weights = ws.weights
        guard shl != 0 else {
            nodes[0] = position; weights[0] = 1
            ws.dNodePosition[0] = 1; ws.dNodeSHL[0] = 0; ws.dWeightPosition[0] = 0; ws.dWeightSHL[0] = 0
            nodeCount = 1
            ruleCount = 0
            meanNode = position
            dMeanDPosition = 1; dMeanDSHL = 0
            coreLow = position - 0.12 * f; coreHigh = position + 0.12 * f
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
    }

    /// Profile value per centidegree at 2θ (degrees): `FCJProfile.density(at:)`.
    @inline(__always)
    func value(at x: Double, _ ws: FCJWorkspace) -> Double {
        if x < coreLow || x > coreHigh {
            let dx = 100 * (x - meanNode)
            return tailLorentz / (1 + fourOverFWHM2 * dx * dx) + tailFloor
        }
        let nodes = ws.nodes, weights = ws.weights
        let f = fwhm, e = eta
        var sum = 0.0
        for k in 0..<nodeCount {
            let u = 100 * (x - nodes[k]) / f
            let lorentz = 2 / (Double.pi * f) / (1 + 4 * u * u)
            let gauss = Self.sqrt2Ln2x2 / (Self.sqrt2Pi * f) * exp(max(-20, -0.5 * Self.sqrt2Ln2x2 * Self.sqrt2Ln2x2 * u * u))
            sum += weights[k] * (e * lorentz + (1 - e) * gauss)
        }
        return sum
    }

    /// The value and its derivatives with respect to 2θ of the line, σ², γ and SH/L at 2θ = `x`.
    @inline(__always)
    func derivatives(at x: Double, _ ws: FCJWorkspace)
        -> (value: Double, position: Double, sigma2: Double, gamma: Double, shl: Double) {
        let f = fwhm, e = eta
        if x < coreLow || x > coreHigh {
            let dx = 100 * (x - meanNode)
            let qd = 1 + fourOverFWHM2 * dx * dx
            let lorentz = tailLorentz / qd
            let value = lorentz + tailFloor
            let dDx = -lorentz * fourOverFWHM2 * 2 * dx / qd
            let dF = -lorentz / f + lorentz / qd * 8 * dx * dx / (f * f * f) - tailFloor / f
            let dEta = 2 / (Double.pi * f) / qd - Self.gaussNorm / f * Self.floorFactor
            return (value, -100 * dDx * dMeanDPosition, dF * dFWHMdS2 + dEta * dEtadS2,
                    dF * dFWHMdGamma + dEta * dEtadGamma, -100 * dDx * dMeanDSHL)
        }
        let nodes = ws.nodes, weights = ws.weights
        let dNodePos = ws.dNodePosition, dNodeSHL = ws.dNodeSHL
        let dWeightPos = ws.dWeightPosition, dWeightSHL = ws.dWeightSHL
        var sum = 0.0, sPos = 0.0, sSHL = 0.0, sF = 0.0, sEta = 0.0
        let lNorm = 2 / (Double.pi * f), gNorm = Self.gaussNorm / f
        for k in 0..<nodeCount {
            let u = 100 * (x - nodes[k]) / f
            let d = 1 + 4 * u * u
            let lorentz = lNorm / d
            let exponent = -Self.gaussExponent * u * u
            let floored = exponent < -20
            let gauss = gNorm * exp(max(-20, exponent))
            let pv = e * lorentz + (1 - e) * gauss
            // ∂PV/∂(dx) with dx = 100 (x − δ) in centidegrees, and ∂PV/∂Γ.
            let dLdu = -lorentz * 8 * u / d
            let dGdu = floored ? 0 : -gauss * 2 * Self.gaussExponent * u
            let dPVdDx = (e * dLdu + (1 - e) * dGdu) / f
            let dPVdF = e * (-lorentz - u * dLdu) / f + (1 - e) * (-gauss - u * dGdu) / f
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
