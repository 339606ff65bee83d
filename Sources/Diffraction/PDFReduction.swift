import Foundation
import XrayNumerics
import XrayCore

/// Parameters of the PDFgetX3-style reduction, with PDFgetX3's names and defaults.
public struct PDFReductionOptions: Sendable, Hashable {
    /// Q range used for the Fourier transform, Å⁻¹.
    public var qMin = 0.0, qMax = 26.0
    /// Highest Q of usable data; the correction polynomial is fitted up to here.
    public var qMaxInst = 26.5
    /// r limit of the correction polynomial's highest frequency, Å (degree n = rpoly·qmaxinst/π, fractional
    /// degrees interpolated between the fits of degree ⌊n⌋ and ⌈n⌉).
    public var rPoly = 0.9
    /// Output r grid, Å.
    public var rMin = 0.0, rMax = 30.0, rStep = 0.01
    public init() {}

    /// Most r points of the output: 100,000 (0…1000 Å at 0.01 Å); each costs a sine sum over the data.
    public static let maxPoints = 100_000
    /// Highest degree rpoly·qmaxinst/π of the correction polynomial (PDFgetX3's usual is 5…15).
    public static let maxPolynomialDegree = 100.0

    /// The number of output r points (rmin, rmin + rstep, … ≤ rmax), as a Double (it may be huge or not finite).
    public var pointCount: Double { ((rMax + 1e-9 - rMin) / rStep).rounded(.down) + 1 }

    /// Refuses options the reduction cannot use, naming the option (the CLI's and the API's names) and
    /// the condition that fails.
    /// `qMaxInstDefaulted`: qmaxinst was not given but set to qmax + 0.5 (the messages then name qmax).
    public func validate(qMaxInstDefaulted: Bool = false) throws {
        func bad(_ message: String) -> RoentgenError { RoentgenError.badParameter(message) }
        guard qMin.isFinite, qMin >= 0 else { throw bad("--qmin \(qMin): expected a finite Q ≥ 0 Å⁻¹") }
        guard qMax.isFinite, qMax > 0 else { throw bad("--qmax \(qMax): expected a finite Q > 0 Å⁻¹") }
        guard qMin < qMax else { throw bad("--qmin \(qMin) is not below --qmax \(qMax) (need qmin < qmax)") }
        guard qMaxInst.isFinite, qMaxInst > 0 else { throw bad("--qmaxinst \(qMaxInst): expected a finite Q > 0 Å⁻¹") }
        guard qMax <= qMaxInst else { throw bad("--qmax \(qMax) is above --qmaxinst \(qMaxInst), the highest usable Q (need qmax ≤ qmaxinst)") }
        guard rPoly.isFinite, rPoly > 0 else { throw bad("--rpoly \(rPoly): expected a finite r > 0 Å (the correction's r limit, typically 0.9)") }
        let order = rPoly * qMaxInst / Double.pi
        guard order <= Self.maxPolynomialDegree else {
            if qMaxInstDefaulted {
                throw bad("--qmax \(qMax) (with the default --qmaxinst = qmax + 0.5) and --rpoly \(rPoly) ask for a correction polynomial of degree rpoly·qmaxinst/π = \(String(format: "%.4g", order)); at most \(Int(Self.maxPolynomialDegree)): lower --qmax (to the data's Q range) or --rpoly")
            }
            throw bad("--rpoly \(rPoly) with --qmaxinst \(qMaxInst) asks for a correction polynomial of degree rpoly·qmaxinst/π = \(String(format: "%.4g", order)); at most \(Int(Self.maxPolynomialDegree)): lower --rpoly")
        }
        let range = "\(rMin):\(rMax)"
        guard rMin.isFinite, rMax.isFinite else { throw bad("--range \(range): expected finite r values in Å") }
        guard rMin >= 0 else { throw bad("--range \(range): r must start at 0 Å or above") }
        guard rMin < rMax else { throw bad("--range \(range): need rmin < rmax") }
        guard rStep.isFinite, rStep > 0 else { throw bad("--rstep \(rStep): expected a finite step > 0 Å") }
        let n = pointCount
        guard n >= 2 else { throw bad("--rstep \(rStep) gives a single r point on --range \(range); need at least two (rstep ≤ rmax − rmin)") }
        guard n <= Double(Self.maxPoints) else {
            throw bad("--range \(range) with --rstep \(rStep) gives \(String(format: "%.3g", n)) r points; at most \(Self.maxPoints) (e.g. 0:1000 at 0.01 Å)")
        }
    }
}

/// The reduction's intermediate and final functions.
public struct PDFReduction: Sendable {
    public var q: [Double]
    /// Background-subtracted intensity on `q`.
    public var iq: [Double]
    public var sq: [Double]
    public var fq: [Double]
    public var r: [Double]
    public var g: [Double]
    /// Degree of the correction polynomial, rounded (the larger of the two blended fits when n is fractional).
    public var polynomialDegree: Int
    /// The exact degree n = rpoly·qmaxinst/π.
    public var polynomialOrder: Double
}

/// Total-scattering reduction after PDFgetX3 (Juhás et al., J. Appl. Cryst. 46 (2013) 560): the measured
/// intensity is taken as a(Q)·I_coh + b(Q) with slowly varying a, b. F₁ = Q·I/⟨f⟩² is corrected by
/// subtracting a polynomial through the origin of degree n = rpoly·qmaxinst/π, which removes every
/// component slower than rpoly in r. n is rarely an integer: the correction is the blend
/// (⌈n⌉ − n)·P⌊n⌋ + (n − ⌊n⌋)·P⌈n⌉ of the two least-squares fits (PDFgetX3's Ni example: G(r) shape within
/// 0.09 % with the blend, 1.1 % with the single rounded degree). The scale is set by the self-scattering
/// asymptote (Q·I/⟨f⟩² ≈ a·N·Q·⟨f²⟩/⟨f⟩², least squares over every measured point with non-zero
/// intensity, beyond qmaxinst too: qmaxinst bounds the polynomial fits only). PDFgetX3 does not publish
/// its estimator; this one reproduces its Ni example to 0.4 % rms (up to qmaxinst only: 6 %).
/// G(r) = (2/π) ∫ F(Q) sin(Qr) dQ over qmin…qmax.
public enum PDFReducer {
    public static func reduce(q qIn: [Double], intensity: [Double], composition: ChemicalFormula,
                              options: PDFReductionOptions = PDFReductionOptions()) throws -> PDFReduction {
        try options.validate()
        var q: [Double] = [], iq: [Double] = []
        for (x, y) in zip(qIn, intensity) where x > 0 && x <= options.qMaxInst && x.isFinite && y.isFinite {
            q.append(x); iq.append(y)
        }
        guard q.count >= 20 else {
            throw RoentgenError(.badData, "only \(q.count) points with 0 < Q ≤ qmaxinst = \(options.qMaxInst) Å⁻¹ (expected at least 20)")
        }
        for i in 1..<q.count where !(q[i] > q[i - 1]) {
            throw RoentgenError(.badData, "Q must increase (point \(i + 1): Q = \(q[i]) Å⁻¹)")
        }
        // Composition-averaged form factors.
        let total = composition.amounts.reduce(0) { $0 + $1.count }
        var factors: [(AtomicScatteringFactor, Double)] = []
        for (element, count) in composition.amounts {
            guard let f = AtomicScatteringFactor.neutral(element.atomicNumber) else {
                throw RoentgenError.badParameter("no X-ray form factor for \(element.symbol)")
            }
            factors.append((f, count / total))
        }
        /// ⟨f⟩² and ⟨f²⟩ at Q (Å⁻¹).
        func averages(_ q: Double) -> (fMean2: Double, f2Mean: Double) {
            let s = q / (4 * Double.pi)
            var m = 0.0, m2 = 0.0
            for (f, c) in factors { let v = f.f0(s2: s * s); m += c * v; m2 += c * v * v }
            return (m * m, m2)
        }
        var fMean2 = [Double](repeating: 0, count: q.count)
        for i in 0..<q.count { fMean2[i] = averages(q[i]).fMean2 }
        let f1 = (0..<q.count).map { q[$0] * iq[$0] / fMean2[$0] }
        // Polynomials through the origin, Σ_{k=1..d} c_k (Q/Qmax)^k, by least squares; fractional n blends ⌊n⌋ and ⌈n⌉.
        let order = max(1, options.rPoly * options.qMaxInst / Double.pi)
        let low = Int(order.rounded(.down)), high = Int(order.rounded(.up))
        var poly = try originPolynomialFit(q, f1, degree: max(1, low))
        if high > low {
            let upper = try originPolynomialFit(q, f1, degree: high)
            let w = order - Double(low)
            for i in poly.indices { poly[i] = (1 - w) * poly[i] + w * upper[i] }
        }
        let degree = high
        // Self-scattering asymptote: Q·I/⟨f⟩² ≈ (aN) Q ⟨f²⟩/⟨f⟩², least squares over every measured
        // point with non-zero intensity — the whole range, not only Q ≤ qmaxinst, which bounds the
        // polynomial fits (PDFgetX3's configuration says so of qmaxinst; normalising over the whole
        // range reproduces its Ni example to 0.4 %, normalising up to qmaxinst only leaves it 6 % off).
        var num = 0.0, den = 0.0
        for (x, y) in zip(qIn, intensity) where x > 0 && x.isFinite && y.isFinite && y != 0 {
            let (m2, f2) = averages(x)
            let t = x * f2 / m2
            num += x * y / m2 * t; den += t * t
        }
        let aN = num / den
        guard aN > 0, aN.isFinite else { throw RoentgenError(.badData, "cannot normalise: the smooth part of Q·I(Q) does not grow with Q (is the background larger than the sample?)") }
        let fq = (0..<q.count).map { (f1[$0] - poly[$0]) / aN }
        let sq = (0..<q.count).map { 1 + fq[$0] / q[$0] }
        // Sine transform with trapezoid weights over qmin…qmax.
        let r = stride(from: options.rMin, through: options.rMax + 1e-9, by: options.rStep).map { $0 }
        var weights = [Double](repeating: 0, count: q.count)
        for i in 0..<q.count where q[i] >= options.qMin && q[i] <= options.qMax {
            let lo = i > 0 && q[i - 1] >= options.qMin ? q[i - 1] : q[i]
            let hi = i + 1 < q.count && q[i + 1] <= options.qMax ? q[i + 1] : q[i]
            weights[i] = (hi - lo) / 2 * fq[i]
        }
        let active = (0..<q.count).filter { weights[$0] != 0 }
        var g = [Double](repeating: 0, count: r.count)
        for (m, rv) in r.enumerated() {
            var s = 0.0
            for i in active { s += weights[i] * sin(q[i] * rv) }
            g[m] = 2 / Double.pi * s
        }
        return PDFReduction(q: q, iq: iq, sq: sq, fq: fq, r: r, g: g, polynomialDegree: degree, polynomialOrder: order)
    }

    /// Least-squares values on `q` of Σ_{k=1..degree} c_k (Q/Q_last)^k fitted to `y`.
    static func originPolynomialFit(_ q: [Double], _ y: [Double], degree: Int) throws -> [Double] {
        let scale = q[q.count - 1]
        var a = [Double](repeating: 0, count: degree * degree), b = [Double](repeating: 0, count: degree)
        var powers = [Double](repeating: 0, count: degree)
        for i in 0..<q.count {
            let x = q[i] / scale
            var p = x
            for k in 0..<degree { powers[k] = p; p *= x }
            for j in 0..<degree {
                b[j] += powers[j] * y[i]
                for k in j..<degree { a[j * degree + k] += powers[j] * powers[k] }
            }
        }
        for j in 0..<degree { for k in 0..<j { a[j * degree + k] = a[k * degree + j] } }
        guard let c = solveLinearSystem(a, b) else {
            throw RoentgenError(.badData, "the correction polynomial of degree \(degree) cannot be fitted to these data")
        }
        var values = [Double](repeating: 0, count: q.count)
        for i in 0..<q.count {
            let x = q[i] / scale
            var p = x, v = 0.0
            for k in 0..<degree { v += c[k] * p; p *= x }
            values[i] = v
        }
        return values
    }
}
