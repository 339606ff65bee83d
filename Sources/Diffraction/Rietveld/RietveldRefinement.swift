import Foundation
import Refinement
import XrayCore

/// A value with its standard uncertainty (esd; 0 when the value was not refined).
public struct ValueWithEsd: Sendable, Codable, Equatable {
    public var value: Double
    public var esd: Double
    public init(_ value: Double, esd: Double = 0) { self.value = value; self.esd = esd }
}

/// Everything a Rietveld refinement reports.
public struct RietveldResult: Sendable {
    /// The engine's result: refined values, esds (scaled by √χ²ᵥ), covariance, correlations, steps.
    public var refinement: RefinementResult
    /// The pattern at the refined values.
    public var calculation: RietveldCalculation
    public var statistics: RietveldStatistics
    /// Hill–Howard weight fractions per phase, W_p = f_p (ZM)_p / Σ f_j (ZM)_j, esd from the fractions' covariance.
    public var weightFractions: [ValueWithEsd]
    /// Per phase, per line family: the observed integrated intensity by Rietveld partitioning.
    public var observedIntensities: [[Double]]
    /// The refined structures (cell, coordinates, U_iso, occupancies).
    public var structures: [CrystalStructure]
    /// Number of Jacobian evaluations (least-squares cycles) of the refinement (0 when not counted).
    public var jacobianEvaluations: Int = 0

    /// What is physically implausible in the refined structures, one sentence each: a negative U_iso, an
    /// anisotropic U that is not positive definite (no real vibration ellipsoid), an occupancy outside
    /// 0…1. A refinement may converge there (absorption, surface roughness or a missing correction
    /// drive U_iso below zero in Bragg–Brentano data); the numbers are reported, with this said.
    public var warnings: [String] {
        var out: [String] = []
        for s in structures {
            for site in s.sites {
                if let u = site.uAniso, u.count == 6 {
                    if !AtomSite.isPositiveDefinite(uAniso: u) {
                        out.append("\(s.name) \(site.label): the refined anisotropic U is not positive definite (non-physical)")
                    }
                } else if let u = site.uIso, u < 0 {
                    out.append(String(format: "%@ %@: U_iso %.4f Å² is negative (non-physical; absorption, surface roughness or a missing correction?)", s.name, site.label, u))
                }
                if site.occupancy < -1e-9 || site.occupancy > 1 + 1e-9 {
                    out.append(String(format: "%@ %@: occupancy %.4f lies outside 0…1", s.name, site.label, site.occupancy))
                }
            }
        }
        return out
    }
}

/// The model as the engine sees it during `RietveldRefinement.run`, counting Jacobian evaluations
/// (one per least-squares cycle) for the report.
private struct CountingModel: RefinementModel {
    final class Counter { var jacobians = 0 }
    let model: RietveldModel
    let counter = Counter()
    func residuals(_ p: ParameterValues) throws -> [Double] { try model.residuals(p) }
    func derivatives(_ p: ParameterValues, for names: [String]) throws -> [[Double]]? {
        counter.jacobians += 1
        return try model.derivatives(p, for: names)
    }
}

/// Runs a Rietveld refinement on the shared `Refinement` engine and derives the crystallographic results.
public enum RietveldRefinement {
    /// The convergence criterion of every release step but the last: the relative change of χ² below
    /// 1e-6, the recipes' ("each step run to convergence (relative chi^2 change < 1e-6)") and GSAS-II's
    /// ('min dM/M' = 1e-6, MINPACK's ftol). The last step refines to `options.ftol`.
    public static let stepTolerance = 1e-6

    /// Refines `model` from `parameters` releasing `steps` in order; with `repeatLast` the final set of
    /// parameters is refined once more from where it ended (the recipes' "repeat until converged").
    /// Every step but the last stops at `stepTolerance` (when that is looser than `options.ftol`); the
    /// last one at `options.ftol`, so the answer is converged as tightly as asked.
    public static func run(_ model: RietveldModel, parameters: ParameterSet, steps: [RefinementStep],
                           options: RefinementOptions = .init(), repeatLast: Bool = true) throws -> RietveldResult {
        var steps = steps
        if repeatLast, !steps.isEmpty { steps.append(RefinementStep("final", release: [])) }
        let counting = CountingModel(model: model)
        var refinement: RefinementResult
        if steps.count > 1, options.ftol < stepTolerance {
            var early = options
            early.ftol = stepTolerance
            let first = try Refinement.refine(counting, parameters: parameters, steps: Array(steps.dropLast()), options: early)
            refinement = try Refinement.refine(counting, parameters: first.parameters, steps: [steps[steps.count - 1]], options: options)
            refinement.steps = first.steps + refinement.steps
            refinement.evaluations += first.evaluations
            refinement.initialValues = first.initialValues
        } else {
            refinement = try Refinement.refine(counting, parameters: parameters, steps: steps, options: options)
        }
        // A singular normal matrix (also one that inverts only numerically, such as the histogram scale
        // and a phase fraction released together) is a RefinementError from the engine naming the pair.
        var out = try result(model, refinement: refinement)
        out.jacobianEvaluations = counting.counter.jacobians
        return out
    }

    /// The crystallographic results of a finished refinement.
    public static func result(_ model: RietveldModel, refinement: RefinementResult) throws -> RietveldResult {
        let values = try refinement.parameters.evaluated()
        let calc = try model.calculate(values)
        let stats = RietveldStatistics(observed: model.observed, calculated: calc.calculated, background: calc.background,
                                       weight: model.weight, included: model.included, parameterCount: refinement.nVarys)
        // Hill–Howard weight fractions.
        let masses = try model.phases.enumerated().map { index, phase -> Double in
            let occupancies = try model.siteKeys(phase: index).map { key -> Double in
                guard let v = values["\(phase.key)_\(key)_occ"] else {
                    throw RoentgenError.badParameter("parameter '\(phase.key)_\(key)_occ' is missing")
                }
                return v
            }
            return phase.cellMass(occupancies: occupancies)
        }
        let fractions = model.phases.map { values["\($0.key)_fraction"] ?? 1 }
        let total = zip(fractions, masses).reduce(0) { $0 + $1.0 * $1.1 }
        var weightFractions: [ValueWithEsd] = []
        for p in model.phases.indices {
            let w = total > 0 ? fractions[p] * masses[p] / total : 0
            // Gradient of W_p with respect to each varied phase fraction, then gᵀCg.
            var variance = 0.0
            if let cov = refinement.covariance, total > 0 {
                let names = refinement.variedNames
                var g = [Double](repeating: 0, count: names.count)
                for (j, phase) in model.phases.enumerated() {
                    guard let k = names.firstIndex(of: "\(phase.key)_fraction") else { continue }
                    g[k] = masses[j] * ((j == p ? total : 0) - fractions[p] * masses[p]) / (total * total)
                }
                for a in 0..<g.count where g[a] != 0 {
                    for b in 0..<g.count where g[b] != 0 { variance += g[a] * cov[a][b] * g[b] }
                }
            }
            weightFractions.append(ValueWithEsd(w, esd: max(variance, 0).squareRoot()))
        }
        let observed = try partition(model, values: values, calculation: calc)
        let structures = model.phases.enumerated().map { index, phase -> CrystalStructure in
            var s = phase.structure
            s.name = phase.name
            let k = phase.key
            s.cell = UnitCell(a: values["\(k)_a"] ?? s.cell.a, b: values["\(k)_b"] ?? s.cell.b, c: values["\(k)_c"] ?? s.cell.c,
                              alpha: values["\(k)_alpha"] ?? s.cell.alpha, beta: values["\(k)_beta"] ?? s.cell.beta,
                              gamma: values["\(k)_gamma"] ?? s.cell.gamma)
            for (i, key) in model.siteKeys(phase: index).enumerated() {
                let base = "\(k)_\(key)"
                s.sites[i].fract = SIMD3(values["\(base)_x"] ?? s.sites[i].fract.x, values["\(base)_y"] ?? s.sites[i].fract.y,
                                         values["\(base)_z"] ?? s.sites[i].fract.z)
                let uij = DisplacementSymmetry.names.compactMap { values["\(base)_\($0)"] }
                if uij.count == 6 {
                    s.sites[i].uAniso = uij
                    s.sites[i].uIso = s.cell.equivalentIsotropicU(uAniso: uij)
                } else {
                    s.sites[i].uIso = values["\(base)_uiso"]
                    s.sites[i].uAniso = nil
                }
                s.sites[i].occupancy = values["\(base)_occ"] ?? s.sites[i].occupancy
            }
            return s
        }
        return RietveldResult(refinement: refinement, calculation: calc, statistics: stats, weightFractions: weightFractions,
                              observedIntensities: observed, structures: structures)
    }

    /// Rietveld's partitioning: I_obs(hkl) = Σᵢ I_calc(hkl)·Ω_hkl(2θᵢ)·(yoᵢ − bᵢ)/(ycᵢ − bᵢ)·Δ2θᵢ, on the
    /// Kα1 scale (the Kα2 share divided out), over the points where the calculated peak signal is positive.
    static func partition(_ model: RietveldModel, values: ParameterValues,
                          calculation calc: RietveldCalculation) throws -> [[Double]] {
        let (_, profiles) = try model.evaluate(values, record: true)
        let ratio = values["ka2_ratio"] ?? 0
        let doublet = model.instrument.lambda2 != nil
        let n = model.twoTheta.count
        var share = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let peak = calc.calculated[i] - calc.background[i]
            share[i] = peak > 0 && model.included[i] ? (model.observed[i] - calc.background[i]) / peak : 0
        }
        func step(_ i: Int) -> Double {
            100 * (i + 1 < n ? model.twoTheta[i + 1] - model.twoTheta[i] : model.twoTheta[i] - model.twoTheta[max(i - 1, 0)])
        }
        return calc.lines.enumerated().map { ph, lines in
            lines.enumerated().map { l, line in
                let prof = profiles[ph][l]
                var sum = 0.0
                for (j, v) in prof.values.enumerated() { sum += v * share[prof.start + j] * step(prof.start + j) }
                for (j, v) in prof.values2.enumerated() { sum += ratio * v * share[prof.start2 + j] * step(prof.start2 + j) }
                return line.intensity * sum / (doublet ? 1 + ratio : 1)
            }
        }
    }
}
