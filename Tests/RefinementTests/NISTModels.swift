import Foundation
import Refinement

/// NIST Statistical Reference Datasets (StRD), nonlinear regression: data and certified values
/// (https://www.itl.nist.gov/div898/strd/nls/nls_main.shtml). Certified values were computed in
/// 128-bit arithmetic; the certified standard deviations use the covariance scaled by the residual
/// variance, the convention the engine follows.

/// Misra1a (lower difficulty): y = b1·(1 − exp(−b2·x)), 14 points.
struct Misra1a: RefinementModel {
    static let y = [10.07, 14.73, 17.94, 23.93, 29.61, 35.18, 40.02, 44.82, 50.76, 55.05, 61.01, 66.40, 75.47, 81.78]
    static let x = [77.6, 114.9, 141.1, 190.8, 239.9, 289.0, 332.8, 378.4, 434.8, 477.3, 536.8, 593.1, 689.1, 760.0]
    static let certified = (b1: 2.3894212918e+02, b1sd: 2.7070075241e+00,
                            b2: 5.5015643181e-04, b2sd: 7.2668688436e-06, rss: 1.2455138894e-01)
    /// Use analytic derivatives instead of the engine's differences.
    var analytic = false

    func residuals(_ p: ParameterValues) throws -> [Double] {
        let b1 = p["b1"]!, b2 = p["b2"]!
        return zip(Self.x, Self.y).map { x, y in y - b1 * (1 - exp(-b2 * x)) }
    }

    func derivatives(_ p: ParameterValues, for names: [String]) throws -> [[Double]]? {
        guard analytic else { return nil }
        let b1 = p["b1"]!, b2 = p["b2"]!
        return names.map { name in
            Self.x.map { x in name == "b1" ? -(1 - exp(-b2 * x)) : -b1 * x * exp(-b2 * x) }
        }
    }
}

/// DanWood (lower difficulty): y = b1·x^b2, 6 points.
struct DanWood: RefinementModel {
    static let x = [1.309, 1.471, 1.490, 1.565, 1.611, 1.680]
    static let y = [2.138, 3.421, 3.597, 4.340, 4.882, 5.660]
    static let certified = (b1: 7.6886226176e-01, b1sd: 1.8281973860e-02,
                            b2: 3.8604055871e+00, b2sd: 5.1726610913e-02, rss: 4.3173084083e-03)

    func residuals(_ p: ParameterValues) throws -> [Double] {
        let b1 = p["b1"]!, b2 = p["b2"]!
        return zip(Self.x, Self.y).map { x, y in y - b1 * pow(x, b2) }
    }
}
