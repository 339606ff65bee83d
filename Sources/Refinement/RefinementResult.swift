import Foundation

/// The outcome of a refinement: refined values with esds, fit statistics, the covariance and the
/// correlations, and why it stopped.
public struct RefinementResult: Sendable, Codable {
    /// The parameters with their refined values (constrained ones re-evaluated).
    public var parameters: ParameterSet
    /// Esd of every varied parameter and of every constrained one that depends on them.
    public var esd: [String: Double]
    /// Σ r² over the model's residuals and the restraints.
    public var chiSquare: Double
    /// χ²/(N − P); NaN when N ≤ P.
    public var reducedChiSquare: Double
    /// N: the number of residuals (data points plus restraints).
    public var nData: Int
    /// P: the number of varied parameters.
    public var nVarys: Int
    /// The varied parameters, in set order (the order of `covariance`).
    public var variedNames: [String]
    /// Covariance of the varied parameters, scaled as the esds are.
    public var covariance: [[Double]]?
    /// Pairs of varied parameters with |correlation| ≥ 0.1, strongest first.
    public var correlations: [Correlation]
    /// Whether a convergence criterion was met.
    public var converged: Bool
    /// Why the refinement stopped.
    public var message: String
    /// Residual evaluations (all steps).
    public var evaluations: Int
    /// One summary per step of a staged refinement (empty for a single refinement).
    public var steps: [StepSummary]
    /// The start values, for the report.
    public var initialValues: [String: Double]
    /// The residuals at the solution (not encoded).
    public var residuals: [Double] = []

    /// The refined value of `name`.
    public func value(_ name: String) -> Double? { parameters[name]?.value }

    /// Correlations with |value| above `threshold`.
    public func correlations(above threshold: Double) -> [Correlation] {
        correlations.filter { abs($0.value) > threshold }
    }

    /// The same result with every esd multiplied by `factor` and the covariance by factor², for
    /// conventions that scale uncertainties otherwise (Larch's feffit, PDFfit2's unscaled esds).
    public func rescaled(by factor: Double) -> RefinementResult {
        var r = self
        r.esd = esd.mapValues { $0 * factor }
        r.covariance = covariance?.map { $0.map { $0 * factor * factor } }
        return r
    }

    /// A text report in the manner of lmfit's `fit_report`: statistics, variables with esds and
    /// start values, constraints, correlations above 0.1.
    public func report(correlationThreshold: Double = 0.1) -> String {
        func g(_ x: Double) -> String {
            guard x.isFinite else { return "\(x)" }
            if x != 0 && (abs(x) < 1e-4 || abs(x) >= 1e6) { return String(format: "%.7e", x) }
            return String(format: "%.7g", x)
        }
        var out = "[[Fit Statistics]]\n"
        out += "    # function evals   = \(evaluations)\n"
        out += "    # data points      = \(nData)\n"
        out += "    # variables        = \(nVarys)\n"
        out += "    chi-square         = \(g(chiSquare))\n"
        out += "    reduced chi-square = \(g(reducedChiSquare))\n"
        out += "    converged          = \(converged ? "yes" : "no"): \(message)\n"
        if !steps.isEmpty {
            out += "[[Steps]]\n"
            for (i, s) in steps.enumerated() {
                out += "    \(i + 1). \(s.name): \(s.varied.count) varied, chi-square \(g(s.chiSquare)), \(s.evaluations) evals\(s.converged ? "" : " (not converged: \(s.message))")\n"
            }
        }
        out += "[[Variables]]\n"
        let width = parameters.names.map(\.count).max() ?? 0
        for p in parameters.all {
            let name = p.name.padding(toLength: width, withPad: " ", startingAt: 0)
            var line = "    \(name): \(g(p.value))"
            if let e = esd[p.name] {
                line += " +/- \(g(e))"
                if p.value != 0 { line += String(format: " (%.2f%%)", abs(e / p.value) * 100) }
            }
            if let expr = p.expression {
                line += " == '\(expr)'"
            } else if !p.isVaried {
                line += " (fixed)"
            } else if let start = initialValues[p.name] {
                line += " (init = \(g(start)))"
            }
            out += line + "\n"
        }
        let shown = correlations.filter { abs($0.value) >= correlationThreshold }
        if !shown.isEmpty {
            out += "[[Correlations]] (unreported correlations are < \(String(format: "%.3f", correlationThreshold)))\n"
            for c in shown { out += String(format: "    C(%@, %@) = %+.4f\n", c.first, c.second, c.value) }
        }
        return out
    }

    enum CodingKeys: String, CodingKey {
        case parameters, esd, chiSquare = "chi_square", reducedChiSquare = "reduced_chi_square", nData = "n_data"
        case nVarys = "n_varys", variedNames = "varied", covariance, correlations, converged, message
        case evaluations, steps, initialValues = "initial_values"
    }

    public init(parameters: ParameterSet, esd: [String: Double], chiSquare: Double, reducedChiSquare: Double,
                nData: Int, nVarys: Int, variedNames: [String], covariance: [[Double]]?,
                correlations: [Correlation], converged: Bool, message: String, evaluations: Int,
                steps: [StepSummary], initialValues: [String: Double], residuals: [Double] = []) {
        self.parameters = parameters; self.esd = esd; self.chiSquare = chiSquare
        self.reducedChiSquare = reducedChiSquare; self.nData = nData; self.nVarys = nVarys
        self.variedNames = variedNames; self.covariance = covariance; self.correlations = correlations
        self.converged = converged; self.message = message; self.evaluations = evaluations
        self.steps = steps; self.initialValues = initialValues; self.residuals = residuals
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        parameters = try c.decode(ParameterSet.self, forKey: .parameters)
        esd = try c.decode([String: Double].self, forKey: .esd)
        chiSquare = try c.decodeIfPresent(Double.self, forKey: .chiSquare) ?? .nan
        reducedChiSquare = try c.decodeIfPresent(Double.self, forKey: .reducedChiSquare) ?? .nan
        nData = try c.decode(Int.self, forKey: .nData)
        nVarys = try c.decode(Int.self, forKey: .nVarys)
        variedNames = try c.decode([String].self, forKey: .variedNames)
        covariance = try c.decodeIfPresent([[Double]].self, forKey: .covariance)
        correlations = try c.decode([Correlation].self, forKey: .correlations)
        converged = try c.decode(Bool.self, forKey: .converged)
        message = try c.decode(String.self, forKey: .message)
        evaluations = try c.decode(Int.self, forKey: .evaluations)
        steps = try c.decode([StepSummary].self, forKey: .steps)
        initialValues = try c.decodeIfPresent([String: Double].self, forKey: .initialValues) ?? [:]
    }

    /// JSON has no NaN or infinity: non-finite statistics are left out.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(parameters, forKey: .parameters)
        try c.encode(esd.filter { $0.value.isFinite }, forKey: .esd)
        if chiSquare.isFinite { try c.encode(chiSquare, forKey: .chiSquare) }
        if reducedChiSquare.isFinite { try c.encode(reducedChiSquare, forKey: .reducedChiSquare) }
        try c.encode(nData, forKey: .nData)
        try c.encode(nVarys, forKey: .nVarys)
        try c.encode(variedNames, forKey: .variedNames)
        if let covariance, covariance.allSatisfy({ $0.allSatisfy(\.isFinite) }) {
            try c.encode(covariance, forKey: .covariance)
        }
        try c.encode(correlations, forKey: .correlations)
        try c.encode(converged, forKey: .converged)
        try c.encode(message, forKey: .message)
        try c.encode(evaluations, forKey: .evaluations)
        try c.encode(steps, forKey: .steps)
        try c.encode(initialValues.filter { $0.value.isFinite }, forKey: .initialValues)
    }
}
