import Foundation
import XrayCore
import XrayNumerics

/// A FEFF path as used in a fit: the path, its label, and the expressions of its path parameters.
public struct FeffitPath: Sendable {
    /// Label in reports and JSON (unique within its data set).
    public var label: String
    public var path: FeffPath
    /// Where the path came from (shown in the report).
    public var file: String
    /// Degeneracy override (nil: the file's).
    public var degen: Double?
    /// Expression (or number) per path parameter: `s02`, `e0`, `deltar`, `sigma2`, `third`, `fourth`,
    /// `ei`. Missing ones take Larch's defaults (S0² = 1, the others 0). Besides the fit parameters, an
    /// expression may use the path's own `reff`, `degen`, `nleg`, `rmass`, `rnorman`, `gam_ch`,
    /// `rs_int`, `vint`, `vmu`, `vfermi` and call `sigma2_eins(t, theta)`, `sigma2_debye(t, theta)`.
    public var expressions: [String: String]

    public init(label: String, path: FeffPath, file: String, degen: Double? = nil, expressions: [String: String]) {
        self.label = label; self.path = path; self.file = file; self.degen = degen; self.expressions = expressions
    }

    /// The path parameters an expression may set (Larch's `PATH_PARS`).
    public static let parameterNames = ["s02", "e0", "deltar", "sigma2", "third", "fourth", "ei"]

    /// The path's own values usable in its expressions (Larch's `FEFFDAT_VALUES`).
    public var localValues: [(String, Double)] {
        var out: [(String, Double)] = [("reff", path.reff), ("degen", path.degeneracy), ("nleg", Double(path.nleg)),
                                        ("rmass", path.reducedMass), ("rnorman", path.rnorman)]
        if let v = path.gammaCh { out.append(("gam_ch", v)) }
        if let v = path.rsInt { out.append(("rs_int", v)) }
        if let v = path.vint { out.append(("vint", v)) }
        if let v = path.vmu { out.append(("vmu", v)) }
        if let v = path.vfermi { out.append(("vfermi", v)) }
        return out
    }
}

/// One data set of a fit: χ(k) data, its transform and fit ranges, and its paths (Larch's `FeffitDataSet`).
public struct FeffitDataSet: Sendable {
    /// Name in reports and JSON.
    public var id: String
    /// Data k (Å⁻¹) and χ(k); interpolated linearly onto kstep·i as Larch does.
    public var k: [Double]
    public var chi: [Double]
    public var transform: FeffitTransform
    public var paths: [FeffitPath]
    /// Noise in χ(k); nil: estimated from the data's χ(R) between 15 and 30 Å (Larch's default).
    public var epsilonK: Double?

    public init(id: String, k: [Double], chi: [Double], transform: FeffitTransform, paths: [FeffitPath], epsilonK: Double? = nil) {
        self.id = id; self.k = k; self.chi = chi; self.transform = transform; self.paths = paths; self.epsilonK = epsilonK
    }
}

/// A data set prepared for fitting: model grid, data on it, windows, noise, path models.
/// A reference (immutable), so that the fit's loops pass it without copying its arrays.
final class PreparedDataSet: Sendable {
    let dataset: FeffitDataSet
    let transform: PreparedTransform
    /// k = kstep·i for i < int(1.01 + max(data k)/kstep).
    let modelK: [Double]
    /// The data interpolated onto `modelK`.
    let chiData: [Double]
    let models: [FeffPathModel]
    let epsilonK: [Double]
    let epsilonR: [Double]
    /// χ(R) of the data for the first k-weight (`PreparedTransform.forward`) when the noise
    /// estimate computed it on the way, else nil.
    let dataChiR: (re: [Double], im: [Double])?
    let independentPoints: Double
    /// Parameter-set names of each path's parameters (`names[path][PathParameterValues.names index]`).
    let parameterNames: [[String]]
    /// Points of the model grid the residual depends on (see `activeCount`).
    let activeCount: Int
    /// The first `activeCount` points of `modelK`.
    let activeK: [Double]
    /// R and q space: the partial transforms onto the residual points, and per k-weight the factor
    /// kʷ/ε_R applied to χ(k) before it (`activeCount` long).
    let fitMap: FitSpaceTransform?
    let inputWeights: [[Double]]

    init(_ ds: FeffitDataSet, parameterNames: [[String]]) throws {
        guard ds.k.count >= 4, ds.k.count == ds.chi.count else {
            throw RoentgenError(.badData, "data set '\(ds.id)': χ(k) needs at least 4 points and as many k as χ values (got \(ds.k.count) and \(ds.chi.count))")
        }
        for i in 1..<ds.k.count where !(ds.k[i] > ds.k[i - 1]) {
            throw RoentgenError(.badData, "data set '\(ds.id)': k is not increasing at point \(i + 1) (k = \(ds.k[i]))")
        }
        guard !ds.paths.isEmpty else { throw RoentgenError.badParameter("data set '\(ds.id)' has no paths") }
        let kLast = ds.k[ds.k.count - 1]
        do { try ds.transform.validate(kmaxData: kLast) } catch var e as RoentgenError {
            e.message = "data set '\(ds.id)': " + e.message
            throw e
        }
        dataset = ds
        let t = ds.transform
        let count = min(t.nfft, Int(1.01 + kLast / t.kstep))
        let prepared = try PreparedTransform(ds.transform, points: count)
        transform = prepared
        modelK = (0..<count).map { t.kstep * Double($0) }
        chiData = interpolateLinear(x: ds.k, y: ds.chi, at: modelK)
        models = try ds.paths.map { p in
            do { return try FeffPathModel(path: p.path) } catch var e as RoentgenError {
                e.message = "path '\(p.label)' (\(p.file)): " + e.message
                throw e
            }
        }
        if let eps = ds.epsilonK {
            guard eps > 0, eps.isFinite else { throw RoentgenError.badParameter("data set '\(ds.id)': epsilon_k = \(eps); expected > 0") }
            epsilonK = t.kweights.map { _ in eps }
            epsilonR = t.kweights.map { prepared.epsilonR(fromEpsilonK: eps, kweight: $0) }
            dataChiR = nil
        } else {
            let noise = prepared.estimateNoise(chi: chiData)
            (epsilonK, epsilonR, dataChiR) = (noise.epsilonK, noise.epsilonR, noise.chiR)
            guard epsilonR.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw RoentgenError(.badData, "data set '\(ds.id)': the noise estimated from χ(R) at 15–30 Å is zero; give epsilon_k")
            }
        }
        independentPoints = t.independentPoints
        self.parameterNames = parameterNames
        let active = Self.activeCount(fitspace: t.fitspace, modelCount: modelK.count, transform: prepared)
        activeCount = active
        activeK = Array(modelK.prefix(active))
        switch t.fitspace {
        case .k:
            fitMap = nil
            inputWeights = []
        case .r, .q:
            let q = t.fitspace == .q
            fitMap = FitSpaceTransform(nfft: t.nfft, kstep: t.kstep, kwin: prepared.kwin, inputCount: active,
                                       rRange: prepared.irmin..<max(prepared.irmin, prepared.irmax),
                                       rwin: q ? prepared.rwin : nil,
                                       qRange: q ? prepared.iqmin..<max(prepared.iqmin, prepared.iqmax) : nil)
            let epsR = epsilonR
            inputWeights = t.kweights.indices.map { b in (0..<active).map { prepared.kpowers[b][$0] / epsR[b] } }
        }
    }

    /// Path parameter values of path `j` read from the fit's parameter values.
    func pathValues(_ j: Int, _ p: [Double], _ slots: [[Int]]) -> PathParameterValues {
        let s = slots[j]
        return PathParameterValues(degen: p[s[0]], s02: p[s[1]], e0: p[s[2]], deltar: p[s[3]], sigma2: p[s[4]],
                                   third: p[s[5]], fourth: p[s[6]], ei: p[s[7]])
    }

    /// Points of the model grid the residual depends on: up to the end of the k window (R and q
    /// space) or of the k range (k space); at least 3.
    static func activeCount(fitspace: FeffitTransform.FitSpace, modelCount n: Int, transform: PreparedTransform) -> Int {
        switch fitspace {
        case .k: return max(3, min(n, transform.iqmax))
        case .r, .q:
            var last = min(n, transform.kwin.count) - 1
            while last > 0 && transform.kwin[last] == 0 { last -= 1 }
            return max(3, min(n, last + 2))
        }
    }

    /// Σ of the paths' χ(k) on the first `activeCount` points into `sum` (the rest left zero), reusing
    /// each path's interpolated tables from `cache` (the last three E0, Eᵢ pairs per path: a
    /// difference step in E0 and the point it started from).
    /// Each path's χ̃ is kept in `last` with its values, for `chiDerivatives` at the same point.
    func modelChi(_ p: [Double], _ slots: [[Int]], cache: inout [[FeffPathModel.GridTables]], sum: inout [Double],
                  last: [PathChi]) {
        let n = activeCount
        sum.withUnsafeMutableBufferPointer { sum in
            sum.update(repeating: 0)
            for j in models.indices {
                let v = pathValues(j, p, slots)
                let t = cachedTables(j, v, cache: &cache)
                let chi = last[j]
                chi.re.withUnsafeMutableBufferPointer { re in
                    chi.im.withUnsafeMutableBufferPointer { im in
                        models[j].complexChi(t, v, count: n, re: re.baseAddress!, im: im.baseAddress!)
                        for i in 0..<n { sum[i] += im[i] }
                    }
                }
                chi.values = v
            }
        }
    }

    /// A path's χ̃ on the first `activeCount` points (re, im) and the values it was computed for
    /// (nil: none yet); overwritten in place by each residual evaluation.
    final class PathChi {
        var values: PathParameterValues?
        var re: [Double], im: [Double]
        init(count: Int) { re = [Double](repeating: 0, count: count); im = re }
    }

    /// Path `j`'s tables on the first `activeCount` points for the E0 and Eᵢ of `v`, from `cache`
    /// (the last three E0, Eᵢ pairs per path, most recent first) or interpolated and added to it.
    func cachedTables(_ j: Int, _ v: PathParameterValues, cache: inout [[FeffPathModel.GridTables]]) -> FeffPathModel.GridTables {
        if let hit = cache[j].firstIndex(where: { $0.e0 == v.e0 && $0.ei == v.ei }) {
            if hit != 0 { cache[j].swapAt(0, hit) }
        } else {
            // The oldest of three is overwritten in place when no one else holds it (no allocation).
            var recycled: FeffPathModel.GridTables?
            if cache[j].count >= 3 {
                var oldest = cache[j].removeLast()
                if isKnownUniquelyReferenced(&oldest) { recycled = oldest }
            }
            cache[j].insert(models[j].tables(k: activeK, e0: v.e0, ei: v.ei, reusing: recycled), at: 0)
        }
        return cache[j][0]
    }

    /// Number of residuals this data set gives.
    var residualCount: Int {
        let t = transform, blocks = dataset.transform.kweights.count
        switch dataset.transform.fitspace {
        case .r: return blocks * 2 * max(0, t.irmax - t.irmin)
        case .q: return blocks * max(0, t.iqmax - t.iqmin)
        case .k: return blocks * max(0, min(t.iqmax, modelK.count) - t.iqmin)
        }
    }

    /// Larch's `_residual`: the transform of (χ_data − χ_model)/ε in the fit space, appended to `out`
    /// (`scratch`, when given, holds the map's working arrays).
    func appendResidual(difference diff: [Double], to out: inout [Double], re: inout [Double], im: inout [Double],
                        scratch: FitSpaceTransform.Scratch? = nil) {
        let t = transform
        let settings = dataset.transform
        if let map = fitMap, diff.count >= map.inputCount {
            // Every k-weight's block through the map together (the blocks follow each other in `out`).
            let start = out.count, size = map.outputCount, n = map.inputWidth, first = map.firstInput, blocks = inputWeights.count
            out.append(contentsOf: repeatElement(0, count: size * blocks))
            let work = scratch ?? FitSpaceTransform.Scratch()
            defer { withExtendedLifetime(work) {} }
            let x = work.inputs(n * blocks)
            diff.withUnsafeBufferPointer { diff in
                for (b, weight) in inputWeights.enumerated() {
                    weight.withUnsafeBufferPointer { weight in
                        for m in first..<map.inputCount { x[b * n + m - first] = diff[m] * weight[m] }
                    }
                }
            }
            out.withUnsafeMutableBufferPointer { o in map.apply(x, count: blocks, into: o.baseAddress! + start, scratch: work) }
            return
        }
        for b in settings.kweights.indices {
            switch settings.fitspace {
            case .k:
                let power = t.kpowers[b], eps = epsilonK[b]
                for i in t.iqmin..<max(t.iqmin, min(t.iqmax, diff.count)) { out.append(diff[i] / eps * power[i]) }
            case .r:
                t.forward(diff, kweightIndex: b, re: &re, im: &im)
                let eps = epsilonR[b]
                for i in t.irmin..<max(t.irmin, t.irmax) { out.append(re[i] / eps); out.append(im[i] / eps) }
            case .q:
                t.forward(diff, kweightIndex: b, re: &re, im: &im)
                t.reverse(re: &re, im: &im)
                let eps = epsilonR[b]
                for i in t.iqmin..<max(t.iqmin, t.iqmax) { out.append(re[i] / eps) }
            }
        }
    }
}
