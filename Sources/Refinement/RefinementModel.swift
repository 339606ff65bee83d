/// What a fit hands to the engine: weighted residuals as a function of the parameters, and
/// optionally their analytic derivatives.
///
/// Rietveld, PDF and EXAFS path fits and detector calibration each describe their model this way;
/// the engine owns the optimiser, the constraints, the restraints and the uncertainties.
public protocol RefinementModel {
    /// Weighted residuals rᵢ = (obsᵢ − calcᵢ)·√wᵢ at these parameter values. The length must be
    /// the same on every call. Throwing at a trial point rejects that step; throwing at the start
    /// fails the refinement with that error.
    func residuals(_ p: ParameterValues) throws -> [Double]

    /// Analytic derivatives ∂rᵢ/∂p, one column per name in `names` (same order, each as long as
    /// the residuals). `names` may include constrained parameters: the engine applies the chain
    /// rule through their expressions. Return nil to let the engine use forward differences.
    func derivatives(_ p: ParameterValues, for names: [String]) throws -> [[Double]]?

    /// The Jacobian columns of the varied parameters with the chain rule through the constraints
    /// applied: column k = ∂r/∂varied[k] + Σₛ chain[k][s]·∂r/∂dependent[s], where `dependent` are the
    /// constrained parameters that depend on varied ones and chain[k][s] = ∂dependent[s]/∂varied[k]
    /// (the engine's differences through the expressions). The default asks `derivatives(_:for:)` for
    /// varied + dependent and combines the columns. A model with many constrained variables that move
    /// with few parameters (a PDF model: one per atom coordinate and U) may instead sum the weighted
    /// contributions as it computes them, which costs per varied parameter, not per constrained one.
    func derivatives(_ p: ParameterValues, varied: [String], dependent: [String], chain: [[Double]]) throws -> [[Double]]?
}

extension RefinementModel {
    public func derivatives(_ p: ParameterValues, for names: [String]) throws -> [[Double]]? { nil }

    public func derivatives(_ p: ParameterValues, varied: [String], dependent: [String], chain: [[Double]]) throws -> [[Double]]? {
        guard let columns = try derivatives(p, for: varied + dependent) else { return nil }
        return try applyChainRule(columns, varied: varied.count, chain: chain)
    }
}

/// Column k of the result = columns[k] + Σₛ chain[k][s]·columns[nVar + s]: the chain rule through
/// constraints, for columns given for the varied names followed by the dependent (constrained) ones.
func applyChainRule(_ columns: [[Double]], varied nVar: Int, chain: [[Double]]) throws -> [[Double]] {
    let nDependent = chain.first?.count ?? 0
    guard columns.count == nVar + nDependent else {
        throw RefinementError("the model gave \(columns.count) derivative columns for \(nVar + nDependent) parameters")
    }
    var result = Array(columns.prefix(nVar))
    for k in 0..<nVar {
        for s in 0..<nDependent {
            let g = chain[k][s]
            guard g != 0 else { continue }
            let dc = columns[nVar + s]
            for i in result[k].indices { result[k][i] += g * dc[i] }
        }
    }
    return result
}

/// A model whose residuals are a fixed linear map L of a model vector m(p) (for example a Fourier
/// transform of a calculated curve, r = L(obs − m)). It gives ∂m/∂p instead of ∂r/∂p, and the map;
/// the engine applies the chain rule through constraints to the ∂m/∂p columns and maps only one
/// column per varied parameter (∂r/∂p = L(∂m/∂p) by linearity), instead of one per name.
public protocol LinearlyMappedModel: RefinementModel {
    /// ∂m/∂p, one column per name in `names` (same order, all the same length); nil: the engine
    /// uses `derivatives(_:for:)`.
    func modelDerivatives(_ p: ParameterValues, for names: [String]) throws -> [[Double]]?
    /// ∂r/∂p for each column of ∂m/∂p (each as long as the residuals).
    func residualColumns(_ modelColumns: [[Double]]) throws -> [[Double]]
}

/// A soft restraint: adds the residual (value of `expression` − `target`)/`sigma` to the fit, so
/// that the expression is pulled towards the target with the weight 1/σ².
public struct Restraint: Sendable, Codable, Equatable {
    public var expression: String
    public var target: Double
    public var sigma: Double

    public init(_ expression: String, target: Double, sigma: Double) {
        self.expression = expression
        self.target = target
        self.sigma = sigma
    }
}

/// One step of a staged refinement: the parameters it releases (they stay released in the later
/// steps), then a refinement to convergence.
public struct RefinementStep: Sendable, Codable, Equatable {
    public var name: String
    public var release: [String]

    public init(_ name: String, release: [String]) {
        self.name = name
        self.release = release
    }
}

/// Settings of a refinement.
public struct RefinementOptions: Sendable {
    /// Maximum number of residual evaluations per step (0: 200·(n+1), as MINPACK).
    public var maxEvaluations: Int = 0
    /// Stop when the relative reduction of χ² (actual and predicted) is below this.
    public var ftol: Double = 1e-10
    /// Stop when the relative change of the scaled parameters is below this.
    public var xtol: Double = 1e-10
    /// Soft restraints added to the residuals.
    public var restraints: [Restraint] = []
    /// Functions expressions may call.
    public var functions: FunctionTable = .standard
    /// Scale the covariance (and so every esd) by the reduced χ² (lmfit's and GSAS-II's default).
    public var scaleCovariance: Bool = true
    /// When the normal matrix at the solution is singular: false (default) throws an error naming
    /// the parameters involved; true returns the result without esds, the names in `message`.
    public var allowSingular: Bool = false

    public init() {}
}

/// A pair of varied parameters and their correlation coefficient.
public struct Correlation: Sendable, Codable, Equatable {
    public var first: String
    public var second: String
    public var value: Double

    public init(first: String, second: String, value: Double) {
        self.first = first
        self.second = second
        self.value = value
    }
}

/// How one step of a staged refinement ended.
public struct StepSummary: Sendable, Codable, Equatable {
    public var name: String
    public var varied: [String]
    public var chiSquare: Double
    public var evaluations: Int
    public var converged: Bool
    public var message: String
}
