import XrayNumerics

/// The one refinement engine every fit in Roentgen uses.
///
/// A model describes its weighted residuals (and optionally analytic derivatives); the engine
/// varies the free parameters by Levenberg–Marquardt with bounds (`levenbergMarquardt` in
/// XrayNumerics: MINPACK-style scaling, Nielsen's damping update, an active set at the bounds),
/// evaluates constrained parameters from their expressions after every step, adds soft restraints
/// as extra residuals, and reports esds from the covariance (JᵀJ)⁻¹ scaled by the reduced χ²
/// (χ²/(N − P), as lmfit and GSAS-II do), the correlation matrix and the convergence reason.
/// Esds of constrained parameters are propagated through their expressions (gᵀCg, g = ∂c/∂p).
public enum Refinement {
    /// Refines the varied parameters of `parameters` against `model`.
    public static func refine(_ model: some RefinementModel, parameters: ParameterSet,
                              options: RefinementOptions = .init()) throws -> RefinementResult {
        try Refiner(model: model, set: parameters, options: options).run()
    }

    /// A staged refinement: each step releases its parameters (cumulatively, on top of those the
    /// set already varies) and refines to convergence from where the previous step ended.
    public static func refine(_ model: some RefinementModel, parameters: ParameterSet, steps: [RefinementStep],
                              options: RefinementOptions = .init()) throws -> RefinementResult {
        guard !steps.isEmpty else { return try refine(model, parameters: parameters, options: options) }
        var set = parameters
        var summaries: [StepSummary] = []
        var last: RefinementResult?
        for step in steps {
            do {
                try set.release(step.release)
            } catch var e as RefinementError {
                e.message += " (named in step '\(step.name)')"
                throw e
            }
            var result = try Refiner(model: model, set: set, options: options).run()
            summaries.append(StepSummary(name: step.name, varied: result.variedNames, chiSquare: result.chiSquare,
                                         evaluations: result.evaluations, converged: result.converged,
                                         message: result.message))
            set = result.parameters
            result.steps = summaries
            last = result
        }
        guard var final = last else { throw RefinementError("no refinement steps") }
        final.initialValues = Dictionary(uniqueKeysWithValues: parameters.all.map { ($0.name, $0.value) })
        final.evaluations = summaries.reduce(0) { $0 + $1.evaluations }
        return final
    }
}

/// One refinement of a fixed choice of varied parameters.
struct Refiner<Model: RefinementModel> {
    let model: Model
    let set: ParameterSet
    let options: RefinementOptions
    let compiled: CompiledParameters
    let restraints: [(Restraint, CompiledExpression)]

    init(model: Model, set: ParameterSet, options: RefinementOptions) throws {
        self.model = model
        self.set = set
        self.options = options
        let compiled = try CompiledParameters(set, functions: options.functions)
        self.compiled = compiled
        restraints = try options.restraints.map { r in
            guard r.sigma > 0, r.sigma.isFinite else {
                throw RefinementError("restraint '\(r.expression)': sigma must be a positive number, not \(r.sigma)")
            }
            let e = try Expression(r.expression, parameter: nil)
            return (r, try e.compile(functions: options.functions) { compiled.position[$0] })
        }
    }

    func allResiduals(_ values: ParameterValues) throws -> [Double] {
        var r = try model.residuals(values)
        for (restraint, e) in restraints {
            r.append((e.evaluate { values.values[$0] } - restraint.target) / restraint.sigma)
        }
        return r
    }

    /// ∂(value of every slot)/∂(varied parameter k) for the constrained slots and the restraints, by
    /// central differences through the expressions (exact to ~1e-10 relative for smooth expressions).
    func expressionGradients(at free: [Double], slots: [Int]) -> (slots: [[Double]], restraints: [[Double]]) {
        var slotGrad = [[Double]](repeating: [Double](repeating: 0, count: slots.count), count: free.count)
        var restraintGrad = [[Double]](repeating: [Double](repeating: 0, count: restraints.count), count: free.count)
        for k in free.indices {
            let h = 1e-6 * max(abs(free[k]), 1e-6)
            var up = free, down = free
            up[k] += h; down[k] -= h
            let vu = compiled.values(free: up).values, vd = compiled.values(free: down).values
            for (s, slot) in slots.enumerated() { slotGrad[k][s] = (vu[slot] - vd[slot]) / (2 * h) }
            for (q, (_, e)) in restraints.enumerated() {
                restraintGrad[k][q] = (e.evaluate { vu[$0] } - e.evaluate { vd[$0] }) / (2 * h)
            }
        }
        return (slotGrad, restraintGrad)
    }

    /// The Jacobian (one column per varied parameter) from the model's analytic derivatives and the
    /// chain rule through constraints, or nil when the model gives none.
    func analyticJacobian(_ free: [Double], dependent: [Int]) throws -> [[Double]]? {
        let values = compiled.values(free: free)
        let variedNames = compiled.varied.map { compiled.names[$0] }
        let dependentNames = dependent.map { compiled.names[$0] }
        let (slotGrad, restraintGrad) = expressionGradients(at: free, slots: dependent)
        let columns: [[Double]]
        if let mapped = model as? any LinearlyMappedModel, let modelColumns = try mapped.modelDerivatives(values, for: variedNames + dependentNames) {
            // The chain rule on ∂m/∂p first, then the linear map on one column per varied parameter.
            columns = try mapped.residualColumns(try applyChainRule(modelColumns, varied: variedNames.count, chain: slotGrad))
        } else {
            guard let c = try model.derivatives(values, varied: variedNames, dependent: dependentNames, chain: slotGrad) else { return nil }
            columns = c
        }
        guard columns.count == variedNames.count else {
            throw RefinementError("the model gave \(columns.count) derivative columns for \(variedNames.count) varied parameters")
        }
        return columns.enumerated().map { k, col in col + restraintGrad[k] }
    }

    func run() throws -> RefinementResult {
        let varied = compiled.varied
        let variedNames = varied.map { compiled.names[$0] }
        let free0 = compiled.freeStart
        let start = compiled.values(free: free0)
        let r0 = try allResiduals(start)
        let m = r0.count
        if let bad = r0.firstIndex(where: { !$0.isFinite }) {
            // Name the likely cause: start values (given or computed by constraints) that are not finite or huge.
            let suspects = zip(start.names, start.values).filter { !$0.1.isFinite || abs($0.1) > 1e30 }.map { "\($0.0) = \($0.1)" }
            throw RefinementError("the residuals are not finite at the start values (residual \(bad) is \(r0[bad]))"
                                  + (suspects.isEmpty ? "" : "; start values out of any physical range: " + suspects.prefix(5).joined(separator: ", ")))
        }
        guard !varied.isEmpty else {
            return makeResult(free: free0, residuals: r0, inverse: nil, evaluations: 1, converged: true,
                              message: "no parameter varied: residuals evaluated once")
        }
        guard m > varied.count else {
            throw RefinementError("\(varied.count) varied parameters but only \(m) residuals: the fit is underdetermined",
                                  correlatedParameters: variedNames)
        }
        var lengthError: RefinementError?
        func residuals(_ free: [Double]) -> [Double] {
            do {
                let r = try allResiduals(compiled.values(free: free))
                if r.count != m {
                    lengthError = RefinementError("the model returned \(r.count) residuals, not \(m) as at the start")
                    return [Double](repeating: .nan, count: m)
                }
                return r
            } catch {
                return [Double](repeating: .nan, count: m)
            }
        }
        let dependent = compiled.constrainedOnVaried
        // The Jacobian at the start tells whether the model is analytic; the optimiser's first request is for it.
        var startJacobian = try analyticJacobian(free0, dependent: dependent)
        let analytic = startJacobian != nil
        var jacobianError: Error?
        var lm = LevenbergMarquardtOptions(ftol: options.ftol, xtol: options.xtol, gtol: 0,
                                           maxEvaluations: options.maxEvaluations)
        let lower = varied.map { set.all[$0].lower }, upper = varied.map { set.all[$0].upper }
        if lower.contains(where: { $0.isFinite }) { lm.lower = lower }
        if upper.contains(where: { $0.isFinite }) { lm.upper = upper }
        let outcome: LevenbergMarquardtResult
        if analytic {
            outcome = levenbergMarquardt(initial: free0, options: lm, residuals: residuals) { free in
                if let j = startJacobian, free == free0 {
                    startJacobian = nil
                    return j
                }
                do {
                    return try analyticJacobian(free, dependent: dependent) ?? []
                } catch {
                    jacobianError = error
                    return [[Double]](repeating: [Double](repeating: 0, count: m), count: free.count)
                }
            }
        } else {
            outcome = levenbergMarquardt(initial: free0, options: lm, residuals: residuals)
        }
        if let lengthError { throw lengthError }
        if let jacobianError { throw jacobianError }
        var inverse = outcome.inverseNormalMatrix
        // A matrix that inverts only numerically (two proportional columns, such as a histogram scale
        // and a phase fraction) shows as a correlation of ±1 or a non-positive variance: name them.
        var degenerate: [String] = []
        var degenerateText = ""
        if let inv = inverse, !inv.contains(where: { $0.contains { !$0.isFinite } }) {
            let n = inv.count
            for a in 0..<n where !(inv[a][a] > 0) { degenerate.append(variedNames[a]) }
            if degenerate.isEmpty {
                outer: for a in 0..<n {
                    for b in (a + 1)..<n {
                        let c = inv[a][b] / (inv[a][a] * inv[b][b]).squareRoot()
                        if abs(c) > 1 - 1e-9 {
                            degenerate = [variedNames[a], variedNames[b]]
                            degenerateText = String(format: " (fully correlated, r = %.6f)", c)
                            break outer
                        }
                    }
                }
            }
        }
        if inverse == nil || inverse!.contains(where: { $0.contains { !$0.isFinite } }) || !degenerate.isEmpty {
            inverse = nil
            let names = degenerate.isEmpty
                ? try singularParameters(at: outcome.parameters, analytic: analytic, dependent: dependent) : degenerate
            let text = "the normal matrix is singular at the solution: \(names.joined(separator: ", ")) cannot be determined together" + degenerateText
            if !options.allowSingular {
                throw RefinementError(text + " (fix one of them or constrain them)", correlatedParameters: names)
            }
            return makeResult(free: outcome.parameters, residuals: outcome.residuals, inverse: nil,
                              evaluations: outcome.evaluations, converged: outcome.converged,
                              message: outcome.message + "; " + text)
        }
        return makeResult(free: outcome.parameters, residuals: outcome.residuals, inverse: inverse,
                          evaluations: outcome.evaluations, converged: outcome.converged && outcome.chiSquare.isFinite,
                          message: outcome.message)
    }

    /// The parameters involved in the near-null direction of the normal matrix: those with no
    /// effect on the residuals, else the largest components of the eigenvector of the smallest
    /// eigenvalue of the normalised JᵀJ.
    func singularParameters(at free: [Double], analytic: Bool, dependent: [Int]) throws -> [String] {
        let names = compiled.varied.map { compiled.names[$0] }
        var jacobian: [[Double]]
        if analytic, let j = try analyticJacobian(free, dependent: dependent) {
            jacobian = j
        } else {
            let r = try allResiduals(compiled.values(free: free))
            jacobian = []
            for k in free.indices {
                var q = free
                let h = 1.49e-8 * max(abs(free[k]), 1)
                q[k] += h
                let rq = try allResiduals(compiled.values(free: q))
                jacobian.append(zip(rq, r).map { ($0 - $1) / h })
            }
        }
        let n = jacobian.count
        let norms = jacobian.map { $0.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        let dead = (0..<n).filter { norms[$0] == 0 || !norms[$0].isFinite }
        if !dead.isEmpty { return dead.map { names[$0] + " (no effect on the fit)" } }
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in i..<n {
                var s = 0.0
                for k in jacobian[i].indices { s += jacobian[i][k] * jacobian[j][k] }
                a[i * n + j] = s / (norms[i] * norms[j]); a[j * n + i] = a[i * n + j]
            }
        }
        let (values, vectors) = symmetricEigen(a, n: n)
        guard let smallest = values.indices.min(by: { values[$0] < values[$1] }) else { return names }
        let v = (0..<n).map { vectors[$0 * n + smallest] }
        let big = v.map(abs).max() ?? 0
        return (0..<n).filter { abs(v[$0]) >= 0.2 * big }.map { names[$0] }
    }

    func makeResult(free: [Double], residuals: [Double], inverse: [[Double]]?, evaluations: Int,
                    converged: Bool, message: String) -> RefinementResult {
        let values = compiled.values(free: free)
        var refined = set
        for (i, name) in compiled.names.enumerated() { refined[name]?.value = values.values[i] }
        let chi2 = residuals.reduce(0) { $0 + $1 * $1 }
        let nVar = compiled.varied.count
        let dof = residuals.count - nVar
        let reduced = dof > 0 ? chi2 / Double(dof) : .nan
        let variedNames = compiled.varied.map { compiled.names[$0] }
        var esd: [String: Double] = [:]
        var covariance: [[Double]]?
        var correlations: [Correlation] = []
        if let inverse, nVar > 0 {
            let scale = options.scaleCovariance && reduced.isFinite ? reduced : 1
            let cov = inverse.map { $0.map { $0 * scale } }
            covariance = cov
            for k in 0..<nVar { esd[variedNames[k]] = cov[k][k].squareRoot() }
            let dependent = compiled.constrainedOnVaried
            if !dependent.isEmpty {
                let (slotGrad, _) = expressionGradients(at: free, slots: dependent)
                for (s, slot) in dependent.enumerated() {
                    var variance = 0.0
                    for a in 0..<nVar { for b in 0..<nVar { variance += slotGrad[a][s] * cov[a][b] * slotGrad[b][s] } }
                    esd[compiled.names[slot]] = max(variance, 0).squareRoot()
                }
            }
            for a in 0..<nVar {
                for b in (a + 1)..<nVar {
                    let d = (cov[a][a] * cov[b][b]).squareRoot()
                    guard d > 0 else { continue }
                    let c = cov[a][b] / d
                    if abs(c) >= 0.1 { correlations.append(Correlation(first: variedNames[a], second: variedNames[b], value: c)) }
                }
            }
            correlations.sort { abs($0.value) > abs($1.value) }
        }
        return RefinementResult(parameters: refined, esd: esd, chiSquare: chi2, reducedChiSquare: reduced,
                                nData: residuals.count, nVarys: nVar, variedNames: variedNames,
                                covariance: covariance, correlations: correlations, converged: converged,
                                message: message, evaluations: evaluations, steps: [],
                                initialValues: Dictionary(uniqueKeysWithValues: set.all.map { ($0.name, $0.value) }),
                                residuals: residuals)
    }
}

/// Eigenvalues and eigenvectors (columns of the returned row-major matrix) of a symmetric n×n
/// matrix by cyclic Jacobi rotations; small n only (diagnostics).
func symmetricEigen(_ matrix: [Double], n: Int) -> (values: [Double], vectors: [Double]) {
    var a = matrix
    var v = [Double](repeating: 0, count: n * n)
    for i in 0..<n { v[i * n + i] = 1 }
    for _ in 0..<100 {
        var off = 0.0
        for i in 0..<n { for j in (i + 1)..<n where j < n { off += a[i * n + j] * a[i * n + j] } }
        if off < 1e-30 { break }
        for p in 0..<n {
            for q in (p + 1)..<n where q < n {
                let apq = a[p * n + q]
                guard abs(apq) > 1e-300 else { continue }
                let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
                let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), s = t * c
                for k in 0..<n {
                    let akp = a[k * n + p], akq = a[k * n + q]
                    a[k * n + p] = c * akp - s * akq
                    a[k * n + q] = s * akp + c * akq
                }
                for k in 0..<n {
                    let apk = a[p * n + k], aqk = a[q * n + k]
                    a[p * n + k] = c * apk - s * aqk
                    a[q * n + k] = s * apk + c * aqk
                }
                for k in 0..<n {
                    let vkp = v[k * n + p], vkq = v[k * n + q]
                    v[k * n + p] = c * vkp - s * vkq
                    v[k * n + q] = s * vkp + c * vkq
                }
            }
        }
    }
    return ((0..<n).map { a[$0 * n + $0] }, v)
}
