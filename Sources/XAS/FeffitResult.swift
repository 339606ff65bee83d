import Foundation
import Refinement
import XrayCore

/// Larch's feffit statistics (`feffit()` result attributes).
public struct FeffitStatistics: Sendable, Codable, Hashable {
    public var nFunctionCalls: Int
    public var nVarys: Int
    /// N: the number of residuals.
    public var nDataPoints: Int
    /// N_idp = Σ over data sets of 1 + 2·ΔR·Δk/π.
    public var nIndependent: Double
    /// Σr²·N_idp/N.
    public var chiSquare: Double
    /// χ²/(N_idp − N_varys).
    public var chi2Reduced: Double
    /// Σr²/Σr_data² (the data's own transform in the denominator).
    public var rfactor: Double
    /// N_idp·ln(χ²/N_idp) + 2·N_varys, and with ln(N_idp)·N_varys.
    public var aic: Double
    public var bic: Double
    public var converged: Bool
    public var message: String
}

/// A path after the fit: its parameter values, their esds and its χ(k).
public struct FeffitPathResult: Sendable, Codable {
    public var label: String
    public var file: String
    public var geometry: String
    public var reff: Double
    public var nleg: Int
    /// reff + ΔR, Å.
    public var r: Double
    public var values: PathParameterValues
    /// Esds of the path parameters that depend on varied parameters (`r` shares ΔR's).
    public var stderr: [String: Double]
    /// The expressions as written.
    public var expressions: [String: String]
    /// χ(k) of the path on the data set's model grid.
    public var chi: [Double]
}

/// One data set after the fit: data and model on the fit grid, in k and R, and its paths.
public struct FeffitDataSetResult: Sendable, Codable {
    public var id: String
    public var transform: FeffitTransform
    public var nIndependent: Double
    /// ε_k and ε_R, one per k-weight.
    public var epsilonK: [Double]
    public var epsilonR: [Double]
    /// k = kstep·i up to the last data k; the data interpolated there; the model; the k window.
    public var k: [Double]
    public var chi: [Double]
    public var chiModel: [Double]
    public var kwin: [Double]
    /// R = rstep·i up to `rmaxOut`: |χ(R)| and its parts for data and model (first k-weight), the R window.
    public var r: [Double]
    public var chirMag: [Double]
    public var chirRe: [Double]
    public var chirIm: [Double]
    public var chirMagModel: [Double]
    public var chirReModel: [Double]
    public var chirImModel: [Double]
    public var rwin: [Double]
    public var paths: [FeffitPathResult]

    init(_ ds: PreparedDataSet, values: [Double], slots: [[Int]], esd: [String: Double], rmaxOut: Double) {
        let t = ds.transform
        id = ds.dataset.id
        transform = ds.dataset.transform
        nIndependent = ds.independentPoints
        epsilonK = ds.epsilonK
        epsilonR = ds.epsilonR
        k = ds.modelK
        chi = ds.chiData
        // Each path's χ(k) once; the model is their sum (as `modelChi` adds them, in path order).
        let pathChi = ds.models.indices.map { j in ds.models[j].chi(k: ds.modelK, ds.pathValues(j, values, slots)).chi }
        var sum = [Double](repeating: 0, count: ds.modelK.count)
        for chi in pathChi { for i in sum.indices { sum[i] += chi[i] } }
        chiModel = sum
        kwin = Array(t.kwin[0..<k.count])
        let n = t.settings.nfft
        let nr = Int(min(Double(n / 2), 1.01 + rmaxOut / t.settings.rstep))
        r = (0..<nr).map { t.settings.rstep * Double($0) }
        var re = [Double](repeating: 0, count: n), im = re
        if let data = ds.dataChiR {
            chirRe = Array(data.re[0..<nr]); chirIm = Array(data.im[0..<nr])
        } else {
            t.forward(chi, kweightIndex: 0, re: &re, im: &im)
            chirRe = Array(re[0..<nr]); chirIm = Array(im[0..<nr])
        }
        chirMag = zip(chirRe, chirIm).map { ($0 * $0 + $1 * $1).squareRoot() }
        t.forward(chiModel, kweightIndex: 0, re: &re, im: &im)
        chirReModel = Array(re[0..<nr]); chirImModel = Array(im[0..<nr])
        chirMagModel = zip(chirReModel, chirImModel).map { ($0 * $0 + $1 * $1).squareRoot() }
        rwin = Array(t.rwin[0..<nr])
        var paths: [FeffitPathResult] = []
        for (j, fp) in ds.dataset.paths.enumerated() {
            let v = ds.pathValues(j, values, slots)
            var stderr: [String: Double] = [:]
            for (i, name) in PathParameterValues.names.enumerated() {
                if let e = esd[ds.parameterNames[j][i]] { stderr[name] = e }
            }
            if let e = stderr["deltar"] { stderr["r"] = e }
            paths.append(FeffitPathResult(label: fp.label, file: fp.file, geometry: fp.path.geometryLabel, reff: fp.path.reff,
                                          nleg: fp.path.nleg, r: fp.path.reff + v.deltar, values: v, stderr: stderr,
                                          expressions: fp.expressions, chi: pathChi[j]))
        }
        self.paths = paths
    }
}

/// The outcome of `Feffit.fit`: the engine's result with Larch's esd scaling, Larch's statistics,
/// and each data set's arrays and paths.
public struct FeffitResult: Sendable {
    /// The engine's result, esds and covariance rescaled to Larch's convention. Its parameter set
    /// holds the private path parameters too (see `variables`).
    public var refinement: RefinementResult
    public var statistics: FeffitStatistics
    /// Names in `refinement.parameters` that are path values or path parameters, not fit parameters.
    public var privateNames: Set<String>
    /// Varied parameters that no path used, fixed as Larch does.
    public var fixedUnused: [String]
    /// Each data set's arrays and paths, made when first read (the fit itself does not need them).
    public var datasets: [FeffitDataSetResult] { outputs.value }
    let outputs: Outputs
    /// The user's parameter names in order.
    public var userParameters: [String]

    /// The data sets' results, computed on first use and kept (safe to read from several threads).
    final class Outputs: @unchecked Sendable {
        private let lock = NSLock()
        private var made: [FeffitDataSetResult]?
        private let make: @Sendable () -> [FeffitDataSetResult]
        init(_ make: @escaping @Sendable () -> [FeffitDataSetResult]) { self.make = make }
        var value: [FeffitDataSetResult] {
            lock.lock()
            defer { lock.unlock() }
            if let made { return made }
            let value = make()
            made = value
            return value
        }
    }

    /// The fit parameters (varied, fixed and constrained) in the user's order, with value and esd.
    public var variables: [(parameter: Parameter, stderr: Double?)] {
        userParameters.compactMap { name in refinement.parameters[name].map { ($0, refinement.esd[name]) } }
    }

    /// Correlations between varied parameters, strongest first.
    public var correlations: [Correlation] { refinement.correlations }
}
