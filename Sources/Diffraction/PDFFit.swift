import Foundation
import Refinement
import XrayCore

/// The engine's parameter (the name `Parameter` is taken by `PDFFitProblem.Parameter` inside the problem).
typealias EngineParameter = Parameter

/// A PDF structure refinement set up as in PDFfit2/PDFgui: phases and data-set settings, the
/// observed G(r), refinement parameters and constraints "variable = formula of parameters".
public struct PDFFitProblem: Sendable {
    /// One refinement parameter (PDFfit2's `@n`): name as the user writes it (`@1`, `a`), start value.
    public struct Parameter: Sendable, Hashable {
        public var name: String
        public var value: Double
        public var vary: Bool
        public var lower: Double, upper: Double
        public init(_ name: String, _ value: Double, vary: Bool = true, lower: Double = -.infinity, upper: Double = .infinity) {
            self.name = name; self.value = value; self.vary = vary; self.lower = lower; self.upper = upper
        }
    }

    /// `variable = formula` (PDFfit2's `constrain`); `phase` is the 0-based phase of a phase variable.
    public struct Constraint: Sendable, Hashable {
        public var variable: PDFfitVariable
        public var phase: Int
        public var formula: String
        /// Where the constraint was written (file and line), for errors.
        public var source: String?
        public init(_ variable: PDFfitVariable, phase: Int = 0, formula: String, source: String? = nil) {
            self.variable = variable; self.phase = phase; self.formula = formula; self.source = source
        }
    }

    public var phases: [PDFPhase]
    public var instrument: PDFInstrument
    /// Observed data: r (Å, equally spaced), G (Å⁻²) and weights (1/dG², or 1).
    public var r: [Double], gObserved: [Double], weights: [Double]
    public var fitMin: Double, fitMax: Double
    public var parameters: [Parameter]
    public var constraints: [Constraint]

    public init(phases: [PDFPhase], instrument: PDFInstrument, r: [Double], gObserved: [Double], weights: [Double],
                fitMin: Double, fitMax: Double, parameters: [Parameter], constraints: [Constraint]) {
        self.phases = phases; self.instrument = instrument
        self.r = r; self.gObserved = gObserved; self.weights = weights
        self.fitMin = fitMin; self.fitMax = fitMax
        self.parameters = parameters; self.constraints = constraints
    }

    /// PDFfit2's weights: 1/dG² when every dG is positive, else all 1.
    public static func weights(dG: [Double]?, count: Int) -> [Double] {
        guard let dG, dG.count == count, dG.allSatisfy({ $0 > 0 && $0.isFinite }) else { return [Double](repeating: 1, count: count) }
        return dG.map { 1 / ($0 * $0) }
    }

    /// The engine's name of a user parameter (`@12` → `at12`: expressions take identifiers).
    static func engineName(_ name: String) -> String {
        name.hasPrefix("@") ? "at" + name.dropFirst() : name
    }

    /// A formula with `@n` written as engine names.
    static func engineFormula(_ formula: String) -> String {
        formula.replacingOccurrences(of: "@", with: "at")
    }

    /// The engine's name of a constrained model variable (`lat(1)` of phase 1 → `ph1_lat_1`, `qdamp` → `ds_qdamp`).
    static func variableName(_ c: Constraint) -> String {
        let text = c.variable.description.replacingOccurrences(of: "(", with: "_").replacingOccurrences(of: ")", with: "")
        return c.variable.isDataSetVariable ? "ds_" + text : "ph\(c.phase + 1)_" + text
    }
}

/// The residuals of a PDF refinement for the `Refinement` engine: (G_obs − G_calc)·√w at the fit points.
public struct PDFFitModel: RefinementModel {
    public let problem: PDFFitProblem
    public let grid: PDFGrid
    let calculator: PDFfitCalculator
    let bindings: [(constraint: PDFFitProblem.Constraint, name: String)]
    /// The constrained model variable behind each engine name.
    let variableByName: [String: PDFFitProblem.Constraint]
    let observed: [Double], sqrtWeights: [Double]

    public init(problem: PDFFitProblem) throws {
        self.problem = problem
        guard problem.r.count == problem.gObserved.count else {
            throw RoentgenError.badParameter("r has \(problem.r.count) values, G \(problem.gObserved.count)")
        }
        grid = try PDFGrid(r: problem.r, fitMin: problem.fitMin, fitMax: problem.fitMax)
        if let why = PDFInstrument.qmaxProblem(problem.instrument.qmax) {
            throw RoentgenError.badParameter("qmax \(problem.instrument.qmax): \(why)")
        }
        calculator = PDFfitCalculator(grid: grid, qmax: problem.instrument.qmax)
        bindings = problem.constraints.map { ($0, PDFFitProblem.variableName($0)) }
        variableByName = Dictionary(bindings.map { ($0.name, $0.constraint) }, uniquingKeysWith: { a, _ in a })
        let fit = grid.fitIndices
        observed = Array(problem.gObserved[fit])
        sqrtWeights = problem.weights[fit].map { $0.squareRoot() }
        for (p, phase) in problem.phases.enumerated() {
            guard !phase.atoms.isEmpty else { throw RoentgenError.badParameter("phase \(p + 1) ('\(phase.name)') has no atoms") }
        }
    }

    /// Phases and instrument with the constrained variables set from `p`.
    public func model(_ p: ParameterValues) throws -> (phases: [PDFPhase], instrument: PDFInstrument) {
        var phases = problem.phases
        var instrument = problem.instrument
        var scratch = phases[0]
        for (c, name) in bindings {
            guard let value = p[name] else { throw RoentgenError.badParameter("no value for \(c.variable)") }
            if c.variable.isDataSetVariable {
                c.variable.set(value, phase: &scratch, instrument: &instrument)
            } else {
                c.variable.set(value, phase: &phases[c.phase], instrument: &instrument)
            }
        }
        return (phases, instrument)
    }

    /// G_calc at the fit points.
    public func calculated(_ p: ParameterValues) throws -> [Double] {
        let (phases, instrument) = try model(p)
        return try calculator.fitPointsG(phases: phases, instrument: instrument)
    }

    public func residuals(_ p: ParameterValues) throws -> [Double] {
        let g = try calculated(p)
        var r = [Double](repeating: 0, count: g.count)
        for k in 0..<g.count { r[k] = (observed[k] - g[k]) * sqrtWeights[k] }
        return r
    }

    /// ∂r/∂(name) = −√w·∂G/∂(variable) for each constrained model variable named (analytic, one pass over
    /// the pair list: `PDFfitCalculator.fitPointsDerivatives`); zero columns for the user parameters,
    /// which act on G only through the constraints (the engine applies the chain rule).
    public func derivatives(_ p: ParameterValues, for names: [String]) throws -> [[Double]]? {
        let (phases, instrument) = try model(p)
        let columns = names.map { name -> [PDFDerivativeTerm] in
            guard let c = variableByName[name] else { return [] }
            return [PDFDerivativeTerm(c.variable, phase: c.phase)]
        }
        return try weighted(calculator.fitPointsDerivatives(phases: phases, instrument: instrument, columns: columns))
    }

    /// The Jacobian of the varied parameters, the chain rule through the constraints applied while the pair
    /// loop runs: column k sums chain[k][s]·∂G/∂(variable s) per Gaussian, so its cost grows with the
    /// parameters, not with the (many) constrained variables.
    public func derivatives(_ p: ParameterValues, varied: [String], dependent: [String], chain: [[Double]]) throws -> [[Double]]? {
        let (phases, instrument) = try model(p)
        let columns = varied.indices.map { k -> [PDFDerivativeTerm] in
            var terms: [PDFDerivativeTerm] = []
            if let c = variableByName[varied[k]] { terms.append(PDFDerivativeTerm(c.variable, phase: c.phase)) }
            for (s, name) in dependent.enumerated() where chain[k][s] != 0 {
                if let c = variableByName[name] { terms.append(PDFDerivativeTerm(c.variable, phase: c.phase, weight: chain[k][s])) }
            }
            return terms
        }
        return try weighted(calculator.fitPointsDerivatives(phases: phases, instrument: instrument, columns: columns))
    }

    /// Columns of ∂G turned into ∂r = −√w·∂G.
    func weighted(_ columns: [[Double]]) -> [[Double]] {
        columns.map { col in
            var out = [Double](repeating: 0, count: col.count)
            for k in 0..<col.count { out[k] = -col[k] * sqrtWeights[k] }
            return out
        }
    }
}

/// The outcome of a PDF refinement.
public struct PDFFitResult: Sendable {
    /// Rw = √(Σw(G_obs − G_calc)²/Σw G_obs²) over the fit points (PDFfit2's definition).
    public var rw: Double
    public var chiSquare: Double, reducedChiSquare: Double
    public var nPoints: Int
    /// Refined parameters: value, esd as the engine scales it (by √χ²_red) and PDFfit2's esd
    /// (the unscaled √diag((JᵀWJ)⁻¹)).
    public var parameters: [(name: String, value: Double, esd: Double?, esdPDFfit2: Double?)]
    /// The refined phases and data-set settings.
    public var phases: [PDFPhase]
    public var instrument: PDFInstrument
    /// Esds (engine convention) of the constrained model variables, by variable name per phase
    /// (`lat(1)` …) and for the data set.
    public var variableEsd: [Int: [PDFfitVariable: Double]]
    /// Fit points: r, G_obs, G_calc.
    public var r: [Double], gObserved: [Double], gCalculated: [Double]
    public var refinement: RefinementResult
}

extension PDFFitProblem {
    /// The engine's parameter set: user parameters, and one constrained parameter per model variable.
    public func parameterSet() throws -> ParameterSet {
        var set = ParameterSet()
        var known = Set<String>()
        for p in parameters {
            let name = Self.engineName(p.name)
            guard EngineParameter.isValidName(name) else {
                throw RoentgenError.badParameter("parameter '\(p.name)': names are @n or identifiers (letters, digits, _)")
            }
            do {
                try set.add(EngineParameter(name, p.value, vary: p.vary, lower: p.lower, upper: p.upper))
            } catch let e as RefinementError {
                throw RoentgenError.badParameter("parameter '\(p.name)': \(e.message)")
            }
            known.insert(name)
        }
        var seen = Set<String>()
        for c in constraints {
            let where_ = c.source.map { " (\($0))" } ?? ""
            if !c.variable.isDataSetVariable {
                guard c.phase >= 0, c.phase < phases.count else {
                    throw RoentgenError.badParameter("constraint \(c.variable)\(where_): there is no phase \(c.phase + 1)")
                }
                try c.variable.validate(in: phases[c.phase])
            }
            let name = Self.variableName(c)
            guard seen.insert(name).inserted else {
                throw RoentgenError.badParameter("constraint \(c.variable)\(where_): the variable is constrained twice")
            }
            // Every name in the formula must be a parameter (`pi` and `e` are constants).
            let formula = Self.engineFormula(c.formula)
            let names: [(name: String, column: Int)]
            do {
                names = try Expression(formula, parameter: name).names
            } catch let e as RefinementError {
                throw RoentgenError.badParameter("constraint \(c.variable) = \(c.formula)\(where_): \(e.message)")
            }
            for (token, _) in names where !known.contains(token) && token != "pi" && token != "e" {
                let shown = token.hasPrefix("at") && Int(token.dropFirst(2)) != nil ? "@" + token.dropFirst(2) : token
                throw RoentgenError.badParameter("constraint \(c.variable) = \(c.formula)\(where_): unknown variable '\(shown)' (parameters: \(parameters.map(\.name).joined(separator: ", ")))")
            }
            do {
                try set.add(EngineParameter(name, expression: formula))
            } catch let e as RefinementError {
                throw RoentgenError.badParameter("constraint \(c.variable) = \(c.formula)\(where_): \(e.message)")
            }
        }
        return set
    }

    /// Refines the problem with the `Refinement` engine.
    public func refine(options: RefinementOptions = RefinementOptions()) throws -> PDFFitResult {
        let model = try PDFFitModel(problem: self)
        let set = try parameterSet()
        let result: RefinementResult
        do {
            result = try Refinement.refine(model, parameters: set, options: options)
        } catch let e as RefinementError {
            throw RoentgenError(.badData, "refinement failed: \(e.description)")
        }
        let values = try result.parameters.evaluated(functions: options.functions)
        let (phases, instrument) = try model.model(values)
        let g = try model.calculator.fitPointsG(phases: phases, instrument: instrument)
        let fit = model.grid.fitIndices
        var chi2 = 0.0, norm = 0.0
        for (k, i) in fit.enumerated() {
            let w = weights[i]
            chi2 += w * (gObserved[i] - g[k]) * (gObserved[i] - g[k])
            norm += w * gObserved[i] * gObserved[i]
        }
        let nVary = result.nVarys
        let reduced = chi2 / Double(max(fit.count - nVary, 1))
        // PDFfit2's esds are the unscaled √diag((JᵀWJ)⁻¹): the engine's divided by √χ²_red when it scaled them.
        let toPDFfit2 = options.scaleCovariance && result.reducedChiSquare > 0 ? 1 / result.reducedChiSquare.squareRoot() : 1
        let params = parameters.map { p -> (name: String, value: Double, esd: Double?, esdPDFfit2: Double?) in
            let name = Self.engineName(p.name)
            let esd = result.esd[name]
            return (p.name, values[name] ?? p.value, esd, esd.map { $0 * toPDFfit2 })
        }
        var variableEsd: [Int: [PDFfitVariable: Double]] = [:]
        for c in constraints {
            if let e = result.esd[Self.variableName(c)] { variableEsd[c.variable.isDataSetVariable ? -1 : c.phase, default: [:]][c.variable] = e }
        }
        return PDFFitResult(rw: norm > 0 ? (chi2 / norm).squareRoot() : .nan, chiSquare: chi2, reducedChiSquare: reduced,
                            nPoints: fit.count, parameters: params, phases: phases, instrument: instrument, variableEsd: variableEsd,
                            r: fit.map { model.grid.r($0) }, gObserved: Array(gObserved[fit]), gCalculated: g, refinement: result)
    }
}
