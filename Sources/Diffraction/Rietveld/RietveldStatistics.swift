import Foundation

/// Agreement indices of a Rietveld fit, as the recipes define them (R-factors in percent):
/// Rwp = √(Σw(yo − yc)²/Σw yo²), Rp = Σ|yo − yc|/Σ yo, Rexp = √((N − P)/Σw yo²), GoF = Rwp/Rexp =
/// √(χ²/(N − P)), χ² = Σw(yo − yc)², over the N points used (excluded regions left out), P refined parameters.
public struct RietveldStatistics: Sendable, Codable, Equatable {
    public var rwp: Double, rp: Double, rexp: Double, gof: Double, chi2: Double
    public var nPoints: Int, nParameters: Int

    public init(observed: [Double], calculated: [Double], background: [Double], weight: [Double], included: [Bool],
                parameterCount: Int) {
        var chi2 = 0.0, wyo2 = 0.0, absDiff = 0.0, sumYo = 0.0
        var n = 0
        for i in 0..<observed.count where included[i] {
            let d = observed[i] - calculated[i]
            chi2 += weight[i] * d * d
            wyo2 += weight[i] * observed[i] * observed[i]
            absDiff += abs(d)
            sumYo += observed[i]
            n += 1
        }
        self.chi2 = chi2
        nPoints = n
        nParameters = parameterCount
        let dof = Double(max(n - parameterCount, 1))
        rwp = 100 * (chi2 / wyo2).squareRoot()
        rp = 100 * absDiff / sumYo
        rexp = 100 * (dof / wyo2).squareRoot()
        gof = (chi2 / dof).squareRoot()
    }
}
