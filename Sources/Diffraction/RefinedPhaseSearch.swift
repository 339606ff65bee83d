import Foundation
import Refinement
import XrayCore

/// Parameters of the refinement-judged phase search (`xrd identify --refine`), with defaults.
public struct PhaseSearchOptions: Sendable {
    /// Family-wise significance level of Hamilton's test in a round: each of the k candidates compared
    /// in the round is tested at α/k (Bonferroni), since the round keeps the best of k.
    public var alpha = 0.05
    /// A kept phase must also reach this weight fraction (0.5 wt %, about the detection limit of a lab
    /// pattern): a model that fits its data to the noise is significantly improved by almost any phase
    /// at a few 0.1 wt % absorbing small systematic errors (e.g. the 1/y_obs weights' bias).
    public var minWeightFraction = 0.005
    /// Chebyshev background terms.
    public var backgroundTerms = 6
    /// Most phases in the final model.
    public var maxPhases = 4
    /// Candidates refined in full per round (the best of the residual scan).
    public var refinedPerRound = 3
    /// Candidates scanned again in later rounds (the best of the previous scan).
    public var rescanCount = 10
    /// Relative isotropic cell scales scanned per candidate: ±`cellScan` in steps of `cellScanStep`
    /// (reference cells, e.g. computed ones, can be off by a percent or more).
    public var cellScan = 0.025, cellScanStep = 0.001
    /// Refined 2θ range in degrees (default: the whole pattern).
    public var range: ClosedRange<Double>?
    public var refinement: RefinementOptions = {
        var o = RefinementOptions()
        o.ftol = 1e-8
        return o
    }()
    public init() {}
}

/// What the search did with one candidate in one round.
public struct CandidateOutcome: Sendable {
    public var name: String
    /// Round (1 = the first further phase tried).
    public var round: Int
    /// Share of the current fit's χ² that the candidate's best cell-scaled pattern (one linear scale,
    /// all else as refined) removes from the residual; the scan's ranking key.
    public var scanGain: Double
    /// Best relative cell scale of the scan (1 = the CIF's cell).
    public var cellScale: Double
    /// Rwp (percent) of the current model without and with the candidate refined in (nil: not refined).
    public var rwpWithout: Double
    public var rwpWith: Double?
    public var test: HamiltonTest?
    /// The candidate's Rietveld weight fraction in the larger model.
    public var weightFraction: ValueWithEsd?
    /// Share of the candidate's calculated intensity (refined model, points in range) at points where it
    /// exceeds the other phases' contributions together: how much of it stands on lines of its own.
    public var ownLineShare: Double?
    public var accepted = false
    /// Why it was not refined or the refinement failed (empty otherwise).
    public var note = ""
}

/// The outcome of `RefinedPhaseSearch.run`.
public struct PhaseSearchResult: Sendable {
    /// The final model (phases judged present plus accepted candidates) and its refinement.
    public var model: RietveldModel
    public var result: RietveldResult
    /// The strategy of the first refinement, one line per stage.
    public var strategy: [String]
    public var candidates: [CandidateOutcome]
    /// The test used, in words.
    public var testDescription: String
}

/// Quantitative phase analysis with the Rietveld model, and the search for further phases the
/// refinement judges: the phases given as present are refined together with the quick form's strategy
/// (scale + background → cell + zero/displacement → profile; no atoms), then candidate phases are
/// added one at a time. Each round scans every remaining candidate against the refined fit's residual
/// (its pattern at the refined instrument and profile, over a range of isotropic cell scales, with one
/// least-squares amount), refines the best `refinedPerRound` of the scan into the model (fraction, then
/// cell), and keeps the one with the lowest Rwp among those for which Hamilton's R-factor ratio test
/// (`HamiltonTest`) at α/k (k candidates compared in the round) says its added parameters are significant
/// and whose weight fraction reaches `minWeightFraction`. Rounds stop when none is, or at `maxPhases`.
public enum RefinedPhaseSearch {
    public static let histogramNames = ["scale", "zero", "displacement", "U", "V", "W", "X", "Y", "SH_L", "ka2_ratio"]

    public static func run(twoTheta: [Double], observed: [Double], instrument: RietveldInstrument, present: [RietveldPhase],
                           candidates: [RietveldPhase], options: PhaseSearchOptions = .init()) throws -> PhaseSearchResult {
        var phases = present
        var model = try RietveldModel(twoTheta: twoTheta, observed: observed, range: options.range, instrument: instrument,
                                      phases: phases, backgroundTerms: options.backgroundTerms)
        var strategy = QuickRefinementStrategy.description(model, atoms: false)
        var (result, fixed) = try refineFailing("refinement of \(present.map(\.name).joined(separator: " + "))") {
            try refineFixingUndetermined(model, parameters: try model.defaultParameters(),
                                         steps: QuickRefinementStrategy.steps(model, atoms: false), options: options.refinement)
        }
        if !fixed.isEmpty { strategy.append("fixed at their start values (not determined by the data): \(fixed.joined(separator: ", "))") }
        var remaining = candidates.filter { c in !phases.contains { $0.key == c.key } }
        var outcomes: [CandidateOutcome] = []
        var round = 1
        while phases.count < options.maxPhases, !remaining.isEmpty {
            // Round 1 scans every candidate; later rounds rescan only the best `rescanCount` of the last scan.
            let scans = try scanAll(remaining, model: model, result: result, options: options)
            let order = scans.indices.filter { scans[$0].gain > 0 }.sorted { scans[$0].gain > scans[$1].gain }
            let keep = Set(order.prefix(options.rescanCount).map { remaining[$0].key })
            var best: (index: Int, outcome: Int, model: RietveldModel, result: RietveldResult)?
            for (rank, c) in order.enumerated() {
                var outcome = CandidateOutcome(name: remaining[c].name, round: round, scanGain: scans[c].gain,
                                               cellScale: scans[c].scale, rwpWithout: result.statistics.rwp)
                guard rank < options.refinedPerRound else {
                    outcome.note = "not refined: scan rank \(rank + 1) (the best \(options.refinedPerRound) are refined)"
                    if rank < 10 { outcomes.append(outcome) }
                    continue
                }
                do {
                    let (extended, refined) = try extend(model, result: result, with: remaining[c], scan: scans[c], options: options)
                    let test = HamiltonTest(rwpWithout: result.statistics.rwp, parametersWithout: result.statistics.nParameters,
                                            rwpWith: refined.statistics.rwp, parametersWith: refined.statistics.nParameters,
                                            residuals: weightedResiduals(extended, refined), alpha: options.alpha / Double(order.count))
                    outcome.rwpWith = refined.statistics.rwp
                    outcome.test = test
                    outcome.weightFraction = refined.weightFractions.last
                    outcome.ownLineShare = ownLineShare(extended, refined)
                    let amount = refined.weightFractions.last?.value ?? 0
                    if test.significant, amount < options.minWeightFraction {
                        outcome.note = String(format: "below the %.2g wt %% kept at least", 100 * options.minWeightFraction)
                    }
                    if test.significant, amount >= options.minWeightFraction,
                       best.map({ refined.statistics.rwp < $0.result.statistics.rwp }) ?? true {
                        best = (c, outcomes.count, extended, refined)
                    }
                } catch let e as RefinementError {
                    outcome.note = "refinement failed: \(e.description)"
                } catch let e as RoentgenError {
                    outcome.note = "refinement failed: \(e.message)"
                }
                outcomes.append(outcome)
            }
            guard let chosen = best else { break }
            outcomes[chosen.outcome].accepted = true
            phases.append(remaining[chosen.index])
            remaining.remove(at: chosen.index)
            remaining = remaining.filter { keep.contains($0.key) }
            model = chosen.model
            result = chosen.result
            round += 1
        }
        let test = String(format: "Hamilton's R-factor ratio test (Hamilton 1965) at α = %.2g per round (α/k for each of the k candidates compared, Bonferroni), n reduced for serially correlated residuals to n(1 − ρ)/(1 + ρ); a kept phase also reaches %.2g wt %%", options.alpha, 100 * options.minWeightFraction)
        return PhaseSearchResult(model: model, result: result, strategy: strategy, candidates: outcomes, testDescription: test)
    }

    /// Runs the refinement; when the normal matrix is singular because of parameters other than the
    /// amounts (e.g. W with no effect once the Lorentzian terms carry the width), fixes those at their
    /// start values and runs again (at most three times). Returns the result and the names fixed.
    static func refineFixingUndetermined(_ model: RietveldModel, parameters: ParameterSet, steps: [RefinementStep],
                                         options: RefinementOptions) throws -> (RietveldResult, [String]) {
        var steps = steps, fixed: [String] = []
        let amounts = Set(["scale"] + model.phases.map { "\($0.key)_fraction" })
        for attempt in 0..<4 {
            do {
                return (try RietveldRefinement.run(model, parameters: parameters, steps: steps, options: options), fixed)
            } catch let e as RefinementError {
                // The engine may annotate a name ("W (no effect on the fit)"): keep the name itself.
                let names = e.correlatedParameters.map { String($0.split(separator: " ").first ?? "") }
                    .filter { !$0.isEmpty && !amounts.contains($0) }
                guard attempt < 3, !names.isEmpty else { throw e }
                // Fix the specimen displacement first when it is named (it and the zero shift lines alike,
                // and a phase's cell matters more to the search), else the last-named one (of a correlated
                // pair, the later-released parameter).
                let drop = names.contains("displacement") ? ["displacement"] : [names[names.count - 1]]
                fixed += drop
                steps = steps.map { RefinementStep($0.name, release: $0.release.filter { !drop.contains($0) }) }
            }
        }
        throw RoentgenError(.badData, "the refinement stayed singular after fixing \(fixed.joined(separator: ", "))")
    }

    /// Share of the last phase's calculated intensity at the points where it exceeds the sum of the
    /// other phases' contributions (points in range only); 0 when it has no intensity.
    static func ownLineShare(_ model: RietveldModel, _ result: RietveldResult) -> Double {
        let contributions = result.calculation.phaseContributions
        guard let last = contributions.last else { return 0 }
        var own = 0.0, total = 0.0
        for i in last.indices where model.included[i] {
            var others = 0.0
            for p in 0..<(contributions.count - 1) { others += contributions[p][i] }
            total += last[i]
            if last[i] > others { own += last[i] }
        }
        return total > 0 ? own / total : 0
    }

    /// Weighted residuals (yo − yc)·√w over the points used.
    static func weightedResiduals(_ model: RietveldModel, _ result: RietveldResult) -> [Double] {
        model.twoTheta.indices.filter { model.included[$0] }.map {
            (model.observed[$0] - result.calculation.calculated[$0]) * model.weight[$0].squareRoot()
        }
    }

    static func refineFailing<T>(_ what: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as RefinementError {
            throw RoentgenError(.badData, "\(what) failed: \(e.description)")
        }
    }

    /// The best of the candidate's cell-scaled patterns against the current residual.
    struct Scan { var scale = 1.0, amount = 0.0, gain = 0.0 }

    /// `scan` of every candidate, the candidates shared over the cores (each scan is independent);
    /// the first error in candidate order is thrown.
    static func scanAll(_ candidates: [RietveldPhase], model: RietveldModel, result: RietveldResult,
                        options: PhaseSearchOptions) throws -> [Scan] {
        var outcomes = [Result<Scan, Error>](repeating: .success(Scan()), count: candidates.count)
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, candidates.count))
        // Each worker takes every workers-th candidate and writes only its own slots.
        outcomes.withUnsafeMutableBufferPointer { slots in
            guard let base = slots.baseAddress else { return }
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                for c in stride(from: w, to: candidates.count, by: workers) {
                    base[c] = Result { try scan(candidates[c], model: model, result: result, options: options) }
                }
            }
        }
        return try outcomes.map { try $0.get() }
    }

    /// Scans isotropic cell scales: at each, the candidate's pattern c (fraction 1, the fit's histogram
    /// terms but symmetric lines) and its least-squares amount k = Σw r c / Σw c² on the residual r; the gain is
    /// (Σw r c)² / Σw c² (the χ² it removes) as a share of χ², for k > 0.
    static func scan(_ candidate: RietveldPhase, model: RietveldModel, result: RietveldResult,
                     options: PhaseSearchOptions) throws -> Scan {
        let single = try RietveldModel(twoTheta: model.twoTheta, observed: model.observed, weights: model.weight,
                                       instrument: model.instrument, phases: [candidate], backgroundTerms: 0)
        var set = try single.defaultParameters()
        for name in histogramNames { if let v = result.refinement.value(name) { set[name]?.value = v } }
        // Symmetric lines for the scan (no FCJ integration): a ranking, several times cheaper.
        set["SH_L"]?.value = 0
        let lengths = single.freeCellNames(phase: 0).filter { $0.hasSuffix("_a") || $0.hasSuffix("_b") || $0.hasSuffix("_c") }
        let start = lengths.map { set[$0]?.value ?? 0 }
        let residual = zip(model.observed, result.calculation.calculated).map { $0 - $1 }
        let chi2 = max(result.statistics.chi2, .leastNonzeroMagnitude)
        var best = Scan()
        let steps = Int((options.cellScan / options.cellScanStep).rounded())
        for s in -steps...steps {
            let scale = 1 + Double(s) * options.cellScanStep
            for (name, v) in zip(lengths, start) { set[name]?.value = v * scale }
            let column = try single.calculatedPattern(try set.evaluated())
            var rc = 0.0, cc = 0.0
            for i in column.indices where model.included[i] {
                let w = model.weight[i]
                rc += w * residual[i] * column[i]
                cc += w * column[i] * column[i]
            }
            guard cc > 0, rc > 0 else { continue }
            let gain = rc * rc / cc / chi2
            if gain > best.gain { best = Scan(scale: scale, amount: rc / cc, gain: gain) }
        }
        return best
    }

    /// The current model with the candidate added, started from the refined values (the candidate at its
    /// scanned cell and amount) and refined: every parameter varied so far plus the candidate's fraction,
    /// then its free cell parameters. With one phase before, the histogram scale is fixed at its value
    /// and the phase fractions carry the amounts.
    static func extend(_ model: RietveldModel, result: RietveldResult, with candidate: RietveldPhase, scan: Scan,
                       options: PhaseSearchOptions) throws -> (RietveldModel, RietveldResult) {
        let extended = try RietveldModel(twoTheta: model.twoTheta, observed: model.observed, weights: model.weight,
                                         instrument: model.instrument, phases: model.phases + [candidate],
                                         backgroundTerms: model.backgroundTerms)
        var set = try extended.defaultParameters()
        for p in result.refinement.parameters.all where p.expression == nil {
            if set[p.name]?.expression == nil { set[p.name]?.value = p.value }
        }
        let key = candidate.key
        let index = extended.phases.count - 1
        for name in extended.freeCellNames(phase: index) where name.hasSuffix("_a") || name.hasSuffix("_b") || name.hasSuffix("_c") {
            set[name]?.value *= scan.scale
        }
        set["\(key)_fraction"]?.value = scan.amount
        var carried = result.refinement.variedNames.filter { $0 != "scale" }
        carried += model.phases.map { "\($0.key)_fraction" }.filter { !carried.contains($0) }
        let steps = [
            RefinementStep("add \(candidate.name): fraction", release: carried + ["\(key)_fraction"]),
            RefinementStep("add \(candidate.name): cell", release: extended.freeCellNames(phase: index)),
        ]
        // Fitted points of both models must be the same for the R-factor ratio to compare like with like.
        let (refined, _) = try refineFixingUndetermined(extended, parameters: set, steps: steps, options: options.refinement)
        return (extended, refined)
    }
}
