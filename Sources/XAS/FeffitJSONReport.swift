import Foundation
import Refinement

/// The JSON document of `roentgen xas fit --json`: `params` {name: {value, stderr}}, `chi_square`,
/// `chi2_reduced`, `rfactor`, `n_independent`, `nvarys`, `correlations`, `datasets` [{`id`, `k`,
/// `chi_model`, `r`, `chir_mag_model`, `paths` {label: {reff, r, degen, s02, e0, deltar, sigma2,
/// third, fourth, ei, stderr}}}], plus `n_data_points`, `n_function_calls`, `aic`, `bic`, `converged`,
/// `message` and, per data set, `chi`, `chir_mag`, `kwin`, `epsilon_k`, `epsilon_r`, `n_idp`.
public struct FeffitJSONReport: Encodable, Sendable {
    public struct Param: Encodable, Sendable {
        public var value: Double
        public var stderr: Double?
        public var vary: Bool
        public var expr: String?
        public var initValue: Double?
        enum CodingKeys: String, CodingKey { case value, stderr, vary, expr, initValue = "init_value" }
    }
    public struct PathEntry: Encodable, Sendable {
        public var file: String
        public var geometry: String
        public var nleg: Int
        public var reff: Double
        public var r: Double
        public var degen: Double
        public var s02: Double
        public var e0: Double
        public var deltar: Double
        public var sigma2: Double
        public var third: Double
        public var fourth: Double
        public var ei: Double
        public var stderr: [String: Double]
        public var chi: [Double]
    }
    public struct DataSet: Encodable, Sendable {
        public var id: String
        public var fitspace: String
        public var kweight: [Double]
        public var nIdp: Double
        public var epsilonK: [Double]
        public var epsilonR: [Double]
        public var k: [Double]
        public var chi: [Double]
        public var chiModel: [Double]
        public var kwin: [Double]
        public var r: [Double]
        public var chirMag: [Double]
        public var chirMagModel: [Double]
        public var paths: [String: PathEntry]
        enum CodingKeys: String, CodingKey {
            case id, fitspace, kweight, nIdp = "n_idp", epsilonK = "epsilon_k", epsilonR = "epsilon_r", k, chi
            case chiModel = "chi_model", kwin, r, chirMag = "chir_mag", chirMagModel = "chir_mag_model", paths
        }
    }
    public struct Pair: Encodable, Sendable { public var a: String; public var b: String; public var value: Double }

    public var params: [String: Param]
    public var chiSquare: Double
    public var chi2Reduced: Double
    public var rfactor: Double
    public var nIndependent: Double
    public var nvarys: Int
    public var nDataPoints: Int
    public var nFunctionCalls: Int
    public var aic: Double
    public var bic: Double
    public var converged: Bool
    public var message: String
    public var correlations: [Pair]
    public var datasets: [DataSet]

    enum CodingKeys: String, CodingKey {
        case params, chiSquare = "chi_square", chi2Reduced = "chi2_reduced", rfactor, nIndependent = "n_independent"
        case nvarys, nDataPoints = "n_data_points", nFunctionCalls = "n_function_calls", aic, bic, converged, message
        case correlations, datasets
    }

    public init(_ result: FeffitResult) {
        var params: [String: Param] = [:]
        for (p, e) in result.variables {
            params[p.name] = Param(value: p.value, stderr: e.flatMap { $0.isFinite ? $0 : nil }, vary: p.isVaried, expr: p.expression,
                                   initValue: p.isVaried ? result.refinement.initialValues[p.name] : nil)
        }
        self.params = params
        let s = result.statistics
        chiSquare = s.chiSquare; chi2Reduced = s.chi2Reduced; rfactor = s.rfactor; nIndependent = s.nIndependent
        nvarys = s.nVarys; nDataPoints = s.nDataPoints; nFunctionCalls = s.nFunctionCalls; aic = s.aic; bic = s.bic
        converged = s.converged; message = s.message
        correlations = result.correlations.map { Pair(a: $0.first, b: $0.second, value: $0.value) }
        datasets = result.datasets.map { ds in
            var paths: [String: PathEntry] = [:]
            for p in ds.paths {
                let v = p.values
                paths[p.label] = PathEntry(file: p.file, geometry: p.geometry, nleg: p.nleg, reff: p.reff, r: p.r, degen: v.degen,
                                           s02: v.s02, e0: v.e0, deltar: v.deltar, sigma2: v.sigma2, third: v.third,
                                           fourth: v.fourth, ei: v.ei, stderr: p.stderr.filter { $0.value.isFinite }, chi: p.chi)
            }
            return DataSet(id: ds.id, fitspace: ds.transform.fitspace.rawValue, kweight: ds.transform.kweights, nIdp: ds.nIndependent,
                           epsilonK: ds.epsilonK, epsilonR: ds.epsilonR, k: ds.k, chi: ds.chi, chiModel: ds.chiModel, kwin: ds.kwin,
                           r: ds.r, chirMag: ds.chirMag, chirMagModel: ds.chirMagModel, paths: paths)
        }
    }
}
