import Foundation
import XrayNumerics

/// Hamilton's R-factor ratio test (W. C. Hamilton, Acta Cryst. 18 (1965) 502–510) of a model with `b`
/// more parameters against the nested model without them, at significance level α: the extra
/// parameters are significant when R = Rwp(without) / Rwp(with) exceeds
/// R_{b, n−m, α} = √(1 + b/(n − m) · F_{b, n−m}(1 − α)), with m the larger model's parameter count.
///
/// Neighbouring residuals of a powder pattern are not independent (a misfitting profile leaves runs of
/// residuals of one sign), so n is taken as the effective number of observations of an AR(1) series,
/// n_eff = n (1 − ρ)/(1 + ρ) for a lag-1 autocorrelation ρ > 0 of the larger model's weighted residuals
/// (the serial-correlation argument of Bérar & Lelann, J. Appl. Cryst. 24 (1991) 1–5). With
/// uncorrelated residuals (ρ ≤ 0) the test is Hamilton's as published.
public struct HamiltonTest: Sendable, Codable, Equatable {
    /// R = Rwp(without) / Rwp(with).
    public var ratio: Double
    /// The critical ratio R_{b, n_eff − m, α}.
    public var critical: Double
    /// b: parameters the larger model adds.
    public var addedParameters: Int
    /// n_eff − m, the degrees of freedom of the F quantile.
    public var degreesOfFreedom: Int
    /// n: observations (points used) and ρ: lag-1 autocorrelation of the larger model's weighted residuals.
    public var observations: Int
    public var serialCorrelation: Double
    public var alpha: Double
    /// Whether the larger model is significantly better (R > critical).
    public var significant: Bool { ratio > critical }

    /// Compares the nested fits: `rwp0` with `p0` parameters against `rwp1` with `p1` > `p0`, over `n`
    /// points whose weighted residuals under the larger model are `residuals`.
    public init(rwpWithout rwp0: Double, parametersWithout p0: Int, rwpWith rwp1: Double, parametersWith p1: Int,
                residuals: [Double], alpha: Double = 0.05) {
        let n = residuals.count
        var lag = 0.0, sum = 0.0
        for i in 0..<n {
            sum += residuals[i] * residuals[i]
            if i > 0 { lag += residuals[i] * residuals[i - 1] }
        }
        let rho = sum > 0 ? lag / sum : 0
        let effective = rho > 0 ? Double(n) * (1 - rho) / (1 + rho) : Double(n)
        let b = max(p1 - p0, 1)
        let dof = max(Int(effective.rounded(.down)) - p1, 1)
        let f = FDistribution.quantile(1 - alpha, d1: Double(b), d2: Double(dof))
        ratio = rwp1 > 0 ? rwp0 / rwp1 : .infinity
        critical = (1 + Double(b) / Double(dof) * f).squareRoot()
        addedParameters = b
        degreesOfFreedom = dof
        observations = n
        serialCorrelation = rho
        self.alpha = alpha
    }

    /// One line: "R = 1.0523 > R(2, 412, 0.05) = 1.0074: significant".
    public var summary: String {
        String(format: "R = %.4f %@ R(%d, %d, %.2g) = %.4f (n %d, ρ %.3f): %@", ratio, significant ? ">" : "≤", addedParameters,
               degreesOfFreedom, alpha, critical, observations, serialCorrelation, significant ? "significant" : "not significant")
    }
}
