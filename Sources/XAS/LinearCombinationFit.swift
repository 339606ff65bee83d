import Foundation
import XrayCore
import XrayNumerics

/// A reference spectrum for linear-combination fitting: y(x) on its own grid (energy in eV or k in Å⁻¹).
public struct LCFStandard: Sendable, Hashable {
    public var name: String
    public var x: [Double]
    public var y: [Double]
    public init(name: String, x: [Double], y: [Double]) { self.name = name; self.x = x; self.y = y }
}

/// Options of `linearCombinationFit`.
public struct LCFOptions: Sendable, Hashable, Codable {
    /// Fit range in the units of x; the grid point at or below `lower` and at or below `upper` are included (Larch's rule).
    public var lower: Double = -.infinity
    public var upper: Double = .infinity
    /// Weights ≥ 0 (Lawson–Hanson NNLS).
    public var nonNegative: Bool = true
    /// Σ weights = 1.
    public var sumToOne: Bool = true
    /// Fit an energy shift per standard (Levenberg–Marquardt over the shifts, weights solved exactly at each step).
    public var fitShifts: Bool = false
    public init() {}
    public init(lower: Double = -.infinity, upper: Double = .infinity, nonNegative: Bool = true, sumToOne: Bool = true, fitShifts: Bool = false) {
        self.lower = lower; self.upper = upper; self.nonNegative = nonNegative; self.sumToOne = sumToOne; self.fitShifts = fitShifts
    }
}

/// The outcome of a linear-combination fit.
public struct LCFResult: Sendable, Hashable, Codable {
    /// Standard names, in the order of `weights`.
    public var standards: [String]
    public var weights: [Double]
    /// One-standard-deviation uncertainties (covariance scaled by the reduced χ², as lmfit reports).
    public var weightErrors: [Double]
    /// Shifts (x units) per standard, and their uncertainties; zeros unless `fitShifts`.
    public var shifts: [Double]
    public var shiftErrors: [Double]
    /// Σ(data − fit)² (unweighted), χ²/(ndata − nvarys), and Σ(data − fit)²/Σ data².
    public var chiSquare: Double
    public var reducedChiSquare: Double
    public var rFactor: Double
    public var ndata: Int
    public var nvarys: Int
    /// The fitted grid, data and fit.
    public var x: [Double]
    public var y: [Double]
    public var fit: [Double]

    /// JSON keys are snake_case like every other Roentgen output (`two_theta`, `edge_step`).
    enum CodingKeys: String, CodingKey {
        case standards, weights, shifts, ndata, nvarys, x, y, fit
        case weightErrors = "weight_errors", shiftErrors = "shift_errors", chiSquare = "chi_square"
        case reducedChiSquare = "reduced_chi_square", rFactor = "r_factor"
    }
}

/// Fits y(x) as Σ wᵢ·standardᵢ(x − ΔEᵢ) over the options' range.
///
/// Standards are interpolated onto the data grid with not-a-knot cubic splines (Larch uses
/// cubic interpolation too). Weights come from linear algebra: NNLS when `nonNegative`, with
/// Σw = 1 imposed exactly on the active set when `sumToOne`.
/// - Throws: `RoentgenError` for fewer points in range than parameters, or a range outside the data.
public func linearCombinationFit(x: [Double], y: [Double], standards: [LCFStandard], options: LCFOptions = LCFOptions()) throws -> LCFResult {
    guard !standards.isEmpty else { throw RoentgenError.badParameter("linear combination fit needs at least one standard") }
    guard x.count == y.count, x.count >= 2 else { throw RoentgenError(.badData, "data have \(x.count) x and \(y.count) y values; expected equal lengths ≥ 2") }
    guard let xlo = x.first, let xhi = x.last, options.lower < xhi, options.upper > xlo, options.lower < options.upper else {
        throw RoentgenError.badParameter("fit range \(options.lower) … \(options.upper) does not overlap the data (\(x.first ?? .nan) … \(x.last ?? .nan))")
    }
    let imin = options.lower.isFinite ? indexOf(x, options.lower) : 0
    let imax = options.upper.isFinite ? min(x.count, indexOf(x, options.upper) + 1) : x.count
    let xs = Array(x[imin..<imax]), ys = Array(y[imin..<imax])
    let n = standards.count
    let nvarys = n - (options.sumToOne ? 1 : 0) + (options.fitShifts ? n : 0)
    guard xs.count > nvarys, xs.count >= 2 else {
        throw RoentgenError(.badData, "only \(xs.count) data point\(xs.count == 1 ? "" : "s") in the fit range \(options.lower) … \(options.upper); a fit of \(nvarys) parameter\(nvarys == 1 ? "" : "s") needs at least \(max(2, nvarys + 1)): widen the range")
    }
    var splines: [NotAKnotCubicSpline] = []
    for s in standards {
        guard s.x.count == s.y.count, let sp = NotAKnotCubicSpline(nodes: s.x) else {
            throw RoentgenError(.badData, "standard '\(s.name)' needs a strictly increasing x grid with one y per x")
        }
        splines.append(sp)
    }
    func columns(_ shifts: [Double]) -> [[Double]] {
        (0..<n).map { i in splines[i].evaluate(y: standards[i].y, at: xs.map { $0 - shifts[i] }) }
    }
    var shifts = [Double](repeating: 0, count: n)
    var shiftErrors = shifts
    if options.fitShifts {
        let lm = levenbergMarquardt(initial: shifts, options: LevenbergMarquardtOptions(ftol: 1e-10, xtol: 1e-10)) { s in
            let cols = columns(s)
            let w = solveWeights(cols, ys, options) ?? [Double](repeating: 0, count: n)
            return (0..<xs.count).map { k in (0..<n).reduce(-ys[k]) { $0 + w[$1] * cols[$1][k] } }
        }
        shifts = lm.parameters
        let redchi = lm.chiSquare / Double(max(1, xs.count - nvarys))
        if let inv = lm.inverseNormalMatrix { shiftErrors = (0..<n).map { (max(0, inv[$0][$0]) * redchi).squareRoot() } }
    }
    let cols = columns(shifts)
    guard let w = solveWeights(cols, ys, options) else {
        throw RoentgenError(.badData, "the standards are linearly dependent over the fit range; expected distinct spectra")
    }
    var fit = [Double](repeating: 0, count: xs.count)
    for i in 0..<n { for k in 0..<xs.count { fit[k] += w[i] * cols[i][k] } }
    var chi2 = 0.0, sumY2 = 0.0
    for k in 0..<xs.count { chi2 += (ys[k] - fit[k]) * (ys[k] - fit[k]); sumY2 += ys[k] * ys[k] }
    let redchi = chi2 / Double(xs.count - nvarys)
    let errors = weightUncertainties(cols, sumToOne: options.sumToOne, reducedChiSquare: redchi)
    return LCFResult(standards: standards.map(\.name), weights: w, weightErrors: errors, shifts: shifts, shiftErrors: shiftErrors,
                     chiSquare: chi2, reducedChiSquare: redchi, rFactor: sumY2 > 0 ? chi2 / sumY2 : .nan,
                     ndata: xs.count, nvarys: nvarys, x: xs, y: ys, fit: fit)
}

/// Fits every combination of `minStandards…maxStandards` of the standards and returns the fits ranked by reduced χ² (best first).
public func linearCombinationFitAll(x: [Double], y: [Double], standards: [LCFStandard], maxStandards: Int,
                                    minStandards: Int = 2, options: LCFOptions = LCFOptions()) throws -> [LCFResult] {
    let hi = min(maxStandards, standards.count)
    let lo = max(1, min(minStandards, hi))
    guard hi >= 1 else { throw RoentgenError.badParameter("combinations: expected at least 1 standard per fit, got \(maxStandards)") }
    var results: [LCFResult] = []
    func subsets(_ size: Int, _ start: Int, _ current: [Int]) throws {
        if current.count == size {
            results.append(try linearCombinationFit(x: x, y: y, standards: current.map { standards[$0] }, options: options))
            return
        }
        guard start < standards.count else { return }
        for i in start..<standards.count { try subsets(size, i + 1, current + [i]) }
    }
    for size in lo...hi { try subsets(size, 0, []) }
    return results.sorted { $0.reducedChiSquare < $1.reducedChiSquare }
}

/// Weights for columns `cols` and data `y` under the options' constraints; nil if degenerate.
func solveWeights(_ cols: [[Double]], _ y: [Double], _ options: LCFOptions) -> [Double]? {
    let n = cols.count
    if !options.sumToOne {
        return options.nonNegative ? nonNegativeLeastSquares(columns: cols, b: y) : solveLinearLeastSquares(columns: cols, b: y)?.coefficients
    }
    if !options.nonNegative { return sumToOneWeights(cols, y, active: Array(0..<n)) }
    // NNLS with a heavily weighted Σw = 1 row finds the active set; then solve exactly on it.
    let scale = cols.map { c in c.reduce(0) { $0 + $1 * $1 }.squareRoot() }.max() ?? 1
    let lambda = 1e4 * max(scale, 1)
    let augmented = cols.map { $0 + [lambda] }
    guard let approx = nonNegativeLeastSquares(columns: augmented, b: y + [lambda]) else { return nil }
    var active = (0..<n).filter { approx[$0] > 0 }
    if active.isEmpty { active = [0] }
    guard var w = sumToOneWeights(cols, y, active: active) else { return approx }
    if w.contains(where: { $0 < 0 }) { w = approx.map { max(0, $0) }; let s = w.reduce(0, +); if s > 0 { w = w.map { $0 / s } } }
    return w
}

/// Least squares with Σw = 1 over the `active` columns (others 0), by eliminating the last active weight.
func sumToOneWeights(_ cols: [[Double]], _ y: [Double], active: [Int]) -> [Double]? {
    var w = [Double](repeating: 0, count: cols.count)
    guard let last = active.last else { return nil }
    if active.count == 1 { w[last] = 1; return w }
    let rest = Array(active.dropLast())
    let reduced = rest.map { i in zip(cols[i], cols[last]).map { $0 - $1 } }
    let target = zip(y, cols[last]).map { $0 - $1 }
    guard let sol = solveLinearLeastSquares(columns: reduced, b: target) else { return nil }
    var sum = 0.0
    for (k, i) in rest.enumerated() { w[i] = sol.coefficients[k]; sum += sol.coefficients[k] }
    w[last] = 1 - sum
    return w
}

/// Standard errors of the weights from the (reduced-χ²-scaled) covariance of the linear model,
/// with the last weight expressed as 1 − Σ others when `sumToOne`.
func weightUncertainties(_ cols: [[Double]], sumToOne: Bool, reducedChiSquare: Double) -> [Double] {
    let n = cols.count
    if !sumToOne {
        guard let inv = solveLinearLeastSquares(columns: cols, b: [Double](repeating: 0, count: cols[0].count))?.inverseNormalMatrix else {
            return [Double](repeating: .nan, count: n)
        }
        return (0..<n).map { (max(0, inv[$0][$0]) * reducedChiSquare).squareRoot() }
    }
    if n == 1 { return [0] }
    let reduced = (0..<(n - 1)).map { i in zip(cols[i], cols[n - 1]).map { $0 - $1 } }
    guard let inv = solveLinearLeastSquares(columns: reduced, b: [Double](repeating: 0, count: cols[0].count))?.inverseNormalMatrix else {
        return [Double](repeating: .nan, count: n)
    }
    var errs = (0..<(n - 1)).map { (max(0, inv[$0][$0]) * reducedChiSquare).squareRoot() }
    var total = 0.0
    for i in 0..<(n - 1) { for j in 0..<(n - 1) { total += inv[i][j] } }
    errs.append((max(0, total) * reducedChiSquare).squareRoot())
    return errs
}
