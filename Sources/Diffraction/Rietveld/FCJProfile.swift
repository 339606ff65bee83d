import Foundation

/// One powder line's shape as GSAS-II computes it for constant-wavelength data: the
/// Thompson–Cox–Hastings pseudo-Voigt (P. Thompson, D. E. Cox & J. B. Hastings, J. Appl. Cryst. 20
/// (1987) 79) convoluted with the Finger–Cox–Jephcoat axial-divergence asymmetry (L. W. Finger,
/// D. E. Cox & A. P. Jephcoat, J. Appl. Cryst. 27 (1994) 892) with S/L = H/L = SH/L ÷ 2.
///
/// Follows GSAS-II's `getFCJVoigt3` (its Fortran `PSVFCJO`, B. H. Toby 1995): the convolution over
/// the divergence angle 2φ from 2φ_min to 2θ is a Gauss–Legendre sum over the upper half of an
/// N-point rule on [−1, 1] (N from a fixed list, chosen so that the steps are about a fifth of the
/// Lorentzian width; the choice is made in single precision exactly as the Fortran does, since it
/// is discontinuous), each node weighted by the FCJ weight G(2φ) = (−1 + (S+H)/L · F)/cos 2φ,
/// F = |cos 2θ| / √(sin² 2θ − sin² 2φ). The pseudo-Voigt uses the total TCH FWHM for both its
/// Gaussian and Lorentzian parts and the mixing η = 1.36603 q − 0.47719 q² + 0.11116 q³ (q = Γ_L/Γ).
///
/// Units as in GSAS: `sigma2` is the Gaussian variance in centidegrees², `gamma` the Lorentzian
/// FWHM in centidegrees; `density(at:)` is per centidegree of 2θ (unit area in centidegrees), so a
/// line of integrated intensity I adds I·density to the counts (GSAS-II's scale convention).
public struct FCJProfile: Sendable {
    /// Line position 2θ in degrees.
    public let position: Double
    /// TCH total FWHM in centidegrees.
    public let fwhm: Double
    /// Lorentzian fraction η of the pseudo-Voigt.
    public let eta: Double
    /// Divergence-angle nodes 2φ_k in degrees (the line itself when there is no asymmetry).
    let nodes: [Double]
    /// Normalised FCJ weights w_k G_k / Σ w G.
    let weights: [Double]
    /// Low and high 2θ limits (degrees) of the window GSAS-II evaluates the line on.
    public let windowLow: Double, windowHigh: Double
    /// Outside [coreLow, coreHigh] (more than 12 FWHM from every node) the Gaussian part is at GSAS's
    /// exp(−20) floor and the node sum of Lorentzians equals one Lorentzian at the weighted mean node
    /// to second order in (node spread / distance), < 1e-5 of the value there: `density` uses that.
    let coreLow: Double, coreHigh: Double, meanNode: Double
    /// Per-centidegree constants of the tail: η·2/(πΓ), the Gaussian floor, 4/Γ².
    let tailLorentz: Double, tailFloor: Double, fourOverFWHM2: Double

    static let sqrt2Ln2x2 = 2.35482005
    static let sqrt2Pi = 2.506628275

    /// The 2θ window of a line and its tail constants, shared with `FCJLineShape`. GSAS-II
    /// getWidthsCW: 50 FWHM (plus the divergence reach) on the low side, 75 on the high side,
    /// swapped above 90°. `sqsg` is √σ² (centideg), `gamma` centideg, `fwhm` the TCH width.
    static func windowAndTails(position: Double, sqsg: Double, gamma: Double, shl: Double, fwhm: Double, eta: Double)
        -> (low: Double, high: Double, tailLorentz: Double, tailFloor: Double) {
        let (low, high) = window(position: position, sqsg: sqsg, gamma: gamma, shl: shl)
        return (low, high, eta * 2 / (Double.pi * fwhm), (1 - eta) * sqrt2Ln2x2 / (sqrt2Pi * fwhm) * exp(-20))
    }

    /// The 2θ window alone (degrees), as `windowAndTails`.
    @inline(__always)
    static func window(position: Double, sqsg: Double, gamma: Double, shl: Double) -> (low: Double, high: Double) {
        let fwhmDegrees = max(2.355 * sqsg / 100 + gamma / 100, 0.0001)
        let degree = Double.pi / 180
        var low = 50 * (fwhmDegrees + shl * abs(cos(position * degree))), high = 75 * fwhmDegrees
        if position > 90 { swap(&low, &high) }
        return (position - low, position + high)
    }

    /// √σ² floored at 0.001 centideg, as the profile uses it (σ² in centideg²).
    @inline(__always)
    static func sqsg(sigma2: Double) -> Double { max(sigma2 > 0 ? sigma2.squareRoot() : 0, 0.001) }

    /// Number of points of the Gauss–Legendre rule used (0 without asymmetry).
    public let ruleCount: Int

    /// - Parameters: `position` 2θ in degrees; `sigma2` in centideg²; `gamma` in centideg; `shl` = (S+H)/L;
    ///   `ruleCount` forces the Gauss–Legendre rule (derivatives keep the rule of the point they start from,
    ///   since GSAS's choice of rule is discontinuous in the parameters).
    public init(position: Double, sigma2: Double, gamma: Double, shl: Double, ruleCount forced: Int? = nil) {
        self.position = position
        let sqsg = Self.sqsg(sigma2: sigma2)
        let (fwhm, eta) = Self.tch(gaussianFWHM: Self.sqrt2Ln2x2 * sqsg, lorentzianFWHM: gamma)
        self.fwhm = fwhm
        self.eta = eta
        let degree = Double.pi / 180
        (windowLow, windowHigh, tailLorentz, tailFloor) = Self.windowAndTails(position: position, sqsg: sqsg, gamma: gamma, shl: shl,
                                                                              fwhm: fwhm, eta: eta)
        fourOverFWHM2 = 4 / (fwhm * fwhm)
        guard shl != 0 else {
            nodes = [position]; weights = [1]
            ruleCount = 0
            meanNode = position
            coreLow = position - 0.12 * fwhm; coreHigh = position + 0.12 * fwhm
            return
        }
        let c2 = cos(position * degree), s2 = sin(position * degree)
        let tmp = (1 + shl * shl).squareRoot() * c2
        let emin = abs(tmp) <= 1 ? acos(tmp) / degree : (tmp > 0 ? 0 : 180)
        ruleCount = forced ?? Self.nodeCount(position: position, shl: shl, gamma: gamma)
        let rule = FCJQuadrature.rule(count: ruleCount)
        var nodes: [Double] = [], weights: [Double] = []
        nodes.reserveCapacity(rule.count); weights.reserveCapacity(rule.count)
        var sum = 0.0
        for (x, w) in rule {
            let delta = emin + (position - emin) * x
            let sd = sin(delta * degree), cd = cos(delta * degree)
            let t = position > 45 ? cd * cd - c2 * c2 : s2 * s2 - sd * sd
            let f = t > 0 ? abs(c2) / t.squareRoot() : 1
            let g = (-1 + shl * f) / cd
            nodes.append(delta)
            weights.append(w * g)
            sum += w * g
        }
        self.nodes = nodes
        let normalised = sum != 0 ? weights.map { $0 / sum } : weights
        self.weights = normalised
        meanNode = zip(nodes, normalised).reduce(0) { $0 + $1.0 * $1.1 }
        coreLow = min(nodes.min() ?? position, position) - 0.12 * fwhm
        coreHigh = max(nodes.max() ?? position, position) + 0.12 * fwhm
    }

    /// The TCH total FWHM and mixing η from the Gaussian and Lorentzian FWHMs (any common unit).
    public static func tch(gaussianFWHM g: Double, lorentzianFWHM l: Double) -> (fwhm: Double, eta: Double) {
        let g2 = g * g, l2 = l * l
        let sum = g2 * g2 * g + 2.69269 * g2 * g2 * l + 2.42843 * g2 * g * l2 + 4.47163 * g2 * l2 * l
            + 0.07842 * g * l2 * l2 + l2 * l2 * l
        let fwhm = exp(0.2 * log(sum))
        let q = l / fwhm
        return (fwhm, q * (1.36603 + q * (-0.47719 + q * 0.11116)))
    }

    /// GSAS's choice of the Gauss–Legendre rule: the interval 2θ − 2φ_min (degrees) divided into steps
    /// of about Γ_L/300 (centidegrees), made in single precision like the Fortran (REAL*4).
    static func nodeCount(position: Double, shl: Double, gamma: Double) -> Int {
        let rpd = Float(0.017453292519943)
        let tth = Float(0.01) * (Float(position) * Float(100))
        let c2 = cos(tth * rpd)
        let apb = Float(shl) / 2 + Float(shl) / 2
        let tmp = (Float(1) + apb * apb).squareRoot() * c2
        let emin: Float = abs(tmp) <= 1 ? acos(min(1, max(-1, tmp))) / rpd : (tmp > 0 ? 0 : 180)
        let span = abs(tth - emin)
        // In Float as the Fortran; a Γ_L that rounds to 0 in single precision (or a NaN) takes the largest rule.
        let kf = gamma > 0 ? Float(300) * span / Float(gamma) : span * 200
        guard kf.isFinite, kf < Float(Int32.max) else { return FCJQuadrature.counts[FCJQuadrature.counts.count - 1] }
        let k = Int(kf)
        return FCJQuadrature.counts.first { k <= $0 } ?? FCJQuadrature.counts[FCJQuadrature.counts.count - 1]
    }

    /// Profile value per centidegree at 2θ (degrees).
    @inline(__always)
    public func density(at twoTheta: Double) -> Double {
        if twoTheta < coreLow || twoTheta > coreHigh {
            let dx = 100 * (twoTheta - meanNode)
            return tailLorentz / (1 + fourOverFWHM2 * dx * dx) + tailFloor
        }
        var sum = 0.0
        for k in 0..<nodes.count {
            sum += weights[k] * Self.pseudoVoigt(100 * (twoTheta - nodes[k]), fwhm: fwhm, eta: eta)
        }
        return sum
    }

    /// The area-normalised TCH pseudo-Voigt at offset `dx` (centidegrees), per centidegree; the
    /// Gaussian exponent is floored at −20 as in GSAS's `PSVOIGT`.
    @inline(__always)
    static func pseudoVoigt(_ dx: Double, fwhm: Double, eta: Double) -> Double {
        let u = dx / fwhm
        let lorentz = 2 / (Double.pi * fwhm) / (1 + 4 * u * u)
        let gauss = sqrt2Ln2x2 / (sqrt2Pi * fwhm) * exp(max(-20, -0.5 * sqrt2Ln2x2 * sqrt2Ln2x2 * u * u))
        return eta * lorentz + (1 - eta) * gauss
    }
}

/// The Gauss–Legendre rules GSAS's FCJ convolution draws from: N ∈ {2, 4, …, 400} points on [−1, 1],
/// of which the upper N/2 (abscissae in (0, 1)) are used.
enum FCJQuadrature {
    static let counts = [2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 40, 50, 60, 70, 80, 90,
                         100, 110, 120, 140, 160, 180, 200, 220, 240, 260, 280, 300, 400]

    /// The rules computed so far, each on first use (a refinement needs a few of the 34; computing all
    /// of them at start-up took ~10 ms).
    private final class Cache: @unchecked Sendable {
        let lock = NSLock()
        var rules: [[(x: Double, w: Double)]?] = Array(repeating: nil, count: counts.count)
    }
    private static let cache = Cache()

    static func rule(count: Int) -> [(x: Double, w: Double)] {
        guard let i = counts.firstIndex(of: count) else { return upperHalf(count) }
        cache.lock.lock()
        defer { cache.lock.unlock() }
        if let rule = cache.rules[i] { return rule }
        let rule = upperHalf(count)
        cache.rules[i] = rule
        return rule
    }

    /// The positive abscissae and their weights of the n-point Gauss–Legendre rule (Newton iteration on
    /// Pₙ from the Chebyshev guess, as in Numerical Recipes' `gauleg`).
    static func upperHalf(_ n: Int) -> [(x: Double, w: Double)] {
        var out: [(x: Double, w: Double)] = []
        let m = (n + 1) / 2
        for i in 1...m {
            var z = cos(Double.pi * (Double(i) - 0.25) / (Double(n) + 0.5))
            var pp = 0.0
            for _ in 0..<100 {
                var p1 = 1.0, p2 = 0.0
                for j in 1...n {
                    let p3 = p2
                    p2 = p1
                    p1 = ((2 * Double(j) - 1) * z * p2 - (Double(j) - 1) * p3) / Double(j)
                }
                pp = Double(n) * (z * p1 - p2) / (z * z - 1)
                let z1 = z
                z = z1 - p1 / pp
                if abs(z - z1) < 1e-15 { break }
            }
            out.append((z, 2 / ((1 - z * z) * pp * pp)))
        }
        return out.reversed()
    }
}
