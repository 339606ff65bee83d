import Foundation
import Refinement
import XrayCore
import XrayNumerics

/// Settings of a feffit run besides the data sets and parameters.
public struct FeffitOptions: Sendable {
    /// Relative tolerances of the Levenberg–Marquardt stop: Larch's (MINPACK's ftol = xtol = 1e-6).
    /// Against 1e-10 the eight example fits take 1–4 fewer evaluations and their values move by
    /// at most 4.5e-4 of their esds (χ² by at most 4e-8 relative).
    public var ftol: Double = 1e-6
    public var xtol: Double = 1e-6
    /// Maximum residual evaluations (0: the engine's default).
    public var maxEvaluations: Int = 0
    /// Highest R of the output χ(R) arrays, Å (Larch's `rmax_out`).
    public var rmaxOut: Double = 10
    /// Fix varied parameters that no path uses (Larch's `fix_unused_variables`).
    public var fixUnusedVariables = true
    public init() {}
}

/// EXAFS path fitting as Larch's `feffit` (`xafs/feffit.py`), on the shared `Refinement` engine.
///
/// The residual of each data set is Larch's `_residual`: (χ_data − Σ paths)/ε transformed into the
/// fit space (R: Re and Im of χ(R) for rmin ≤ R < rmax, interleaved; q: Re of the back-transform for
/// kmin ≤ q < kmax; k: kʷ·χ for kmin ≤ k < kmax), one block per k-weight, blocks and data sets
/// concatenated. ε is Larch's noise estimate unless given. Statistics are Larch's: with N residuals
/// and N_idp = Σ(1 + 2ΔkΔR/π), χ² = Σr²·N_idp/N, reduced χ² = χ²/(N_idp − N_varys), R-factor =
/// Σr²/Σr_data², and esds = √diag((JᵀJ)⁻¹)·√(Σr²/(N_idp − N_varys)) (lmfit's unscaled covariance
/// times its reduced χ² times (N − N_varys)/(N_idp − N_varys)).
public enum Feffit {
    /// Functions path expressions may call besides the standard ones (`sigma2_eins`, `sigma2_debye`
    /// are bound to each path when its expressions are compiled).
    public static var functions: FunctionTable { .standard }

    /// Fits the paths of `datasets` to their data, varying the varied parameters of `parameters`.
    public static func fit(datasets: [FeffitDataSet], parameters: ParameterSet,
                           options: FeffitOptions = FeffitOptions()) throws -> FeffitResult {
        guard !datasets.isEmpty else { throw RoentgenError.badParameter("feffit needs at least one data set") }
        guard options.rmaxOut.isFinite, options.rmaxOut > 0 else {
            throw RoentgenError.badParameter("rmax_out = \(options.rmaxOut) Å; expected a positive distance")
        }
        var ids = Set<String>()
        for ds in datasets where !ids.insert(ds.id).inserted { throw RoentgenError.badParameter("data set id '\(ds.id)' is used twice") }
        var paths = try PathExpressions(datasets: datasets, parameters: parameters, functions: functions)
        let prepared = try datasets.enumerated().map { d, ds in try PreparedDataSet(ds, parameterNames: paths.names[d]) }

        // Larch fixes varied parameters that no expression uses.
        var fixed: [String] = []
        if options.fixUnusedVariables {
            // Used: read by a path directly or named in any expression.
            let used = Set(paths.names.flatMap { $0.flatMap { $0 } }).union(paths.namesInExpressions)
            for p in paths.parameters.all where p.isVaried && !used.contains(p.name) {
                fixed.append(p.name)
            }
            try paths.parameters.fix(fixed)
        }
        let nIdp = prepared.reduce(0) { $0 + $1.independentPoints }
        let nVarys = paths.parameters.all.filter(\.isVaried).count
        guard Double(nVarys) < nIdp else {
            throw RoentgenError.badParameter(String(format: "%d variables but only %.3f independent points (N_idp = Σ 1 + 2·ΔR·Δk/π): fix or constrain variables, or widen the k or R range", nVarys, nIdp))
        }
        let model = FeffitModel(datasets: prepared)
        var engine = RefinementOptions()
        engine.ftol = options.ftol
        engine.xtol = options.xtol
        engine.maxEvaluations = options.maxEvaluations
        engine.functions = paths.functions
        engine.scaleCovariance = false
        let raw = try Refinement.refine(model, parameters: paths.parameters, options: engine)

        // Every value at the solution (the engine's result holds the constrained ones evaluated), in set order.
        let names = raw.parameters.names
        let values = raw.parameters.all.map(\.value)
        let position = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        let slots = model.slots(names: names) { position[$0] }
        let residual = raw.residuals
        let sumSquares = residual.reduce(0) { $0 + $1 * $1 }
        let dataOnly = model.residuals(values, slots: slots, dataOnly: true)
        let dataSquares = dataOnly.reduce(0) { $0 + $1 * $1 }
        let npts = Double(residual.count)
        let chiSquare = sumSquares * nIdp / npts
        let reduced = chiSquare / (nIdp - Double(raw.nVarys))
        let scale = (sumSquares / (nIdp - Double(raw.nVarys))).squareRoot()
        let result = raw.rescaled(by: scale)
        let logLikelihood = nIdp * log(chiSquare / nIdp)
        let statistics = FeffitStatistics(
            nFunctionCalls: raw.evaluations, nVarys: raw.nVarys, nDataPoints: residual.count, nIndependent: nIdp,
            chiSquare: chiSquare, chi2Reduced: reduced, rfactor: sumSquares / dataSquares,
            aic: logLikelihood + 2 * Double(raw.nVarys), bic: logLikelihood + log(nIdp) * Double(raw.nVarys),
            converged: raw.converged, message: raw.message)
        // The output arrays (each path's χ(k), χ(R) of data and model) are made when first read.
        let esd = result.esd, rmaxOut = options.rmaxOut
        let outputs = FeffitResult.Outputs {
            prepared.enumerated().map { d, ds in FeffitDataSetResult(ds, values: values, slots: slots[d], esd: esd, rmaxOut: rmaxOut) }
        }
        return FeffitResult(refinement: result, statistics: statistics, privateNames: paths.privateNames,
                            fixedUnused: fixed, outputs: outputs, userParameters: parameters.names)
    }

    /// χ(k) of each path and their sum for fixed parameter values (Larch's `ff2chi`), on k = kstep·i
    /// up to `kmax`, or on `k` when given.
    public static func sumOfPaths(_ paths: [FeffitPath], parameters: ParameterSet, k: [Double]) throws -> (chi: [Double], paths: [[Double]], values: [PathParameterValues]) {
        let ds = FeffitDataSet(id: "ff2chi", k: k, chi: k.map { _ in 0 }, transform: FeffitTransform(), paths: paths)
        let built = try PathExpressions(datasets: [ds], parameters: parameters, functions: functions)
        let values = try built.parameters.evaluated(functions: built.functions)
        var sum = [Double](repeating: 0, count: k.count)
        var each: [[Double]] = [], used: [PathParameterValues] = []
        for (j, fp) in paths.enumerated() {
            let model = try FeffPathModel(path: fp.path)
            var v = PathParameterValues(degen: 0)
            for (i, name) in PathParameterValues.names.enumerated() { v[name] = values[built.names[0][j][i]] ?? 0 }
            let chi = model.chi(k: k, v).chi
            for i in sum.indices { sum[i] += chi[i] }
            each.append(chi)
            used.append(v)
        }
        return (sum, each, used)
    }
}

/// The feffit residual as a `RefinementModel`.
struct FeffitModel: LinearlyMappedModel {
    let datasets: [PreparedDataSet]
    /// Interpolated path tables (per data set and path) and scratch arrays, reused between
    /// evaluations; the engine evaluates one point at a time.
    final class Workspace {
        var tables: [[[FeffPathModel.GridTables]]]
        var sum: [[Double]], diff: [[Double]], re: [Double], im: [Double]
        /// Each path's χ̃ from the last residual evaluation (per data set and path).
        let pathChi: [[PreparedDataSet.PathChi]]
        var slots: (names: [String], slots: [[[Int]]])?
        /// Per derivative request (its names): per data set and path, the indices in
        /// `PathParameterValues.names` wanted and the column each feeds.
        var requests: (names: [String], wanted: [[(indices: [Int], columns: [Int])]])?
        /// Working memory of the transforms (regions 0–2) and of the path derivatives (region 3).
        let scratch = FitSpaceTransform.Scratch()
        init(_ datasets: [PreparedDataSet]) {
            tables = datasets.map { [[FeffPathModel.GridTables]](repeating: [], count: $0.models.count) }
            sum = datasets.map { [Double](repeating: 0, count: $0.modelK.count) }
            diff = datasets.map { [Double](repeating: 0, count: $0.chiData.count) }
            let nfft = datasets.map(\.transform.settings.nfft).max() ?? 2048
            re = [Double](repeating: 0, count: nfft); im = re
            pathChi = datasets.map { ds in ds.models.map { _ in PreparedDataSet.PathChi(count: ds.activeCount) } }
        }
    }
    let workspace: Workspace
    /// Parameter name → every (data set, path, index in `PathParameterValues.names`) that reads it.
    let pathParameter: [String: [(Int, Int, Int)]]
    /// First residual of each data set.
    let offsets: [Int]
    let residualCount: Int
    /// First point of each data set in the model vector of `modelDerivatives` (its `activeCount` points).
    let modelOffsets: [Int]
    let modelCount: Int

    init(datasets: [PreparedDataSet]) {
        self.datasets = datasets
        workspace = Workspace(datasets)
        var map: [String: [(Int, Int, Int)]] = [:]
        for (d, ds) in datasets.enumerated() {
            for (j, names) in ds.parameterNames.enumerated() {
                for (i, name) in names.enumerated() { map[name, default: []].append((d, j, i)) }
            }
        }
        pathParameter = map
        var start = 0, offsets: [Int] = []
        for ds in datasets { offsets.append(start); start += ds.residualCount }
        self.offsets = offsets
        residualCount = start
        var point = 0, modelOffsets: [Int] = []
        for ds in datasets { modelOffsets.append(point); point += ds.activeCount }
        self.modelOffsets = modelOffsets
        modelCount = point
    }

    /// Analytic ∂r/∂(path parameter): the k-space derivatives of the path sum (`modelDerivatives`)
    /// through the residual's transform (`residualColumns`).
    func derivatives(_ p: ParameterValues, for names: [String]) throws -> [[Double]]? {
        try modelDerivatives(p, for: names).map { try residualColumns($0) }
    }

    /// Per data set and path: the parameter indices wanted for `names` and the columns they feed
    /// (kept for the last list of names: the engine asks with the same names every time).
    func requests(for names: [String]) -> [[(indices: [Int], columns: [Int])]] {
        let w = workspace
        if let cached = w.requests, cached.names == names { return cached.wanted }
        var wanted = datasets.map { [(indices: [Int], columns: [Int])](repeating: ([], []), count: $0.models.count) }
        for (c, name) in names.enumerated() {
            for (d, j, i) in pathParameter[name] ?? [] {
                wanted[d][j].indices.append(i)
                wanted[d][j].columns.append(c)
            }
        }
        w.requests = (names, wanted)
        return wanted
    }

    /// ∂χ_model(k)/∂(path parameter) on the first `activeCount` points of each data set's grid,
    /// data sets concatenated (`modelOffsets`): the paths' `chiDerivatives` summed over the paths
    /// that read the name; zero for names no path reads directly (the engine's chain rule carries
    /// fit parameters through the path expressions, in k space, before the transform).
    func modelDerivatives(_ p: ParameterValues, for names: [String]) throws -> [[Double]]? {
        let slots = self.slots(p)
        let requests = self.requests(for: names)
        var columns = names.map { _ in [Double](repeating: 0, count: modelCount) }
        let w = workspace
        for (d, ds) in datasets.enumerated() {
            let n = ds.activeCount, base = modelOffsets[d]
            for (j, wanted) in requests[d].enumerated() where !wanted.indices.isEmpty {
                let v = ds.pathValues(j, p.values, slots[d])
                let t = ds.cachedTables(j, v, cache: &w.tables[d])
                let out = w.scratch.region(3, n * (wanted.indices.count + 3))
                let last = w.pathChi[d][j]
                if last.values == v {
                    last.re.withUnsafeBufferPointer { re in
                        last.im.withUnsafeBufferPointer { im in
                            ds.models[j].chiDerivatives(t, v, count: n, wanted: wanted.indices, into: out, stride: n,
                                                        chi: (re.baseAddress!, im.baseAddress!), scratch: out + n * wanted.indices.count)
                        }
                    }
                } else {
                    ds.models[j].chiDerivatives(t, v, count: n, wanted: wanted.indices, into: out, stride: n, chi: nil,
                                                scratch: out + n * wanted.indices.count)
                }
                for (k, c) in wanted.columns.enumerated() {
                    columns[c].withUnsafeMutableBufferPointer { col in
                        let from = out + k * n
                        for i in 0..<n { col[base + i] += from[i] }
                    }
                }
            }
        }
        return columns
    }

    /// ∂r/∂p from ∂χ_model/∂p: r = T((χ_data − χ_model)/ε), so each column is −T(column/ε) with the
    /// residual's transform T, per data set and k-weight (R and q space: all columns through the
    /// partial transforms together).
    func residualColumns(_ modelColumns: [[Double]]) throws -> [[Double]] {
        let count = modelColumns.count
        var columns = modelColumns.map { _ in [Double](repeating: 0, count: residualCount) }
        guard count > 0 else { return columns }
        let scratch = workspace.scratch
        for (d, ds) in datasets.enumerated() {
            let base = modelOffsets[d], n = ds.activeCount
            if let map = ds.fitMap {
                // Vector c·blocks + b: column c weighted for k-weight b; all through the map together.
                let nIn = map.inputWidth, first = map.firstInput, size = map.outputCount, blocks = ds.inputWeights.count
                let x = scratch.inputs(count * blocks * nIn)
                let y = scratch.outputs(count * blocks * size)
                for c in 0..<count {
                    modelColumns[c].withUnsafeBufferPointer { col in
                        for (b, weight) in ds.inputWeights.enumerated() {
                            weight.withUnsafeBufferPointer { weight in
                                let v = x + (c * blocks + b) * nIn - first
                                for m in first..<map.inputCount { v[m] = col[base + m] * weight[m] }
                            }
                        }
                    }
                }
                map.apply(x, count: count * blocks, into: y, scratch: scratch)
                for c in 0..<count {
                    columns[c].withUnsafeMutableBufferPointer { col in
                        let from = y + c * blocks * size
                        for i in 0..<(blocks * size) { col[offsets[d] + i] = -from[i] }
                    }
                }
            } else {
                // k space (R and q space always have a map): −kʷ·column/ε_k on the fit range, one
                // block per k-weight, as `appendResidual` forms the residual.
                let t = ds.transform
                let upper = max(t.iqmin, min(t.iqmax, ds.modelK.count))
                for c in 0..<count {
                    modelColumns[c].withUnsafeBufferPointer { col in
                        columns[c].withUnsafeMutableBufferPointer { out in
                            var o = offsets[d]
                            for b in ds.dataset.transform.kweights.indices {
                                let power = t.kpowers[b], eps = ds.epsilonK[b]
                                for i in t.iqmin..<upper {
                                    out[o] = -((i < n ? col[base + i] : 0) / eps * power[i])
                                    o += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        return columns
    }

    /// Index of each path parameter in the values array, per data set and path.
    /// The engine passes the same names on every call: the slots are looked up once for them (the
    /// workspace keeps those names, so a different list is recognised).
    func slots(_ p: ParameterValues) -> [[[Int]]] { slots(names: p.names) { p.index(of: $0) } }

    /// `slots(_:)` for values named `names`, `index` giving each name's position.
    func slots(names: [String], _ index: (String) -> Int?) -> [[[Int]]] {
        let w = workspace
        if let cached = w.slots, cached.names == names { return cached.slots }
        let slots = datasets.map { ds in ds.parameterNames.map { names in names.map { index($0) ?? 0 } } }
        w.slots = (names, slots)
        return slots
    }

    func residuals(_ p: ParameterValues) throws -> [Double] { residuals(p.values, slots: slots(p), dataOnly: false) }

    /// The residual for parameter values `values` read through `slots` (model χ left out: `dataOnly`).
    func residuals(_ values: [Double], slots: [[[Int]]], dataOnly: Bool) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(residualCount)
        let w = workspace
        for (d, ds) in datasets.enumerated() {
            if !dataOnly { ds.modelChi(values, slots[d], cache: &w.tables[d], sum: &w.sum[d], last: w.pathChi[d]) }
            let n = dataOnly ? 0 : ds.activeCount
            ds.chiData.withUnsafeBufferPointer { data in
                w.sum[d].withUnsafeBufferPointer { model in
                    w.diff[d].withUnsafeMutableBufferPointer { diff in
                        for i in 0..<n { diff[i] = data[i] - model[i] }
                        for i in n..<data.count { diff[i] = data[i] }
                    }
                }
            }
            ds.appendResidual(difference: w.diff[d], to: &out, re: &w.re, im: &w.im, scratch: w.scratch)
        }
        return out
    }
}
