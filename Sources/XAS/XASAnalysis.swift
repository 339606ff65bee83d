import Foundation
import XrayCore
import XrayNumerics

/// Every setting of the standard chain (pre-edge → AUTOBK → forward transform), with Larch's defaults.
public struct XASParameters: Sendable, Codable, Hashable {
    public var preEdge = PreEdgeParameters()
    public var autobk = AutobkParameters()
    public var transform = ForwardTransformParameters()
    public init() {}
    public init(preEdge: PreEdgeParameters = PreEdgeParameters(), autobk: AutobkParameters = AutobkParameters(),
                transform: ForwardTransformParameters = ForwardTransformParameters()) {
        self.preEdge = preEdge; self.autobk = autobk; self.transform = transform
    }
}

/// The outcome of `XASAnalysis.run`: normalisation, χ(k) and χ(R) on the input grid.
public struct XASResult: Sendable, Hashable {
    /// Energy (eV) and μ after sorting / de-duplication (see `EnergyGrid.prepare`).
    public var energy: [Double]
    public var mu: [Double]
    public var preEdge: PreEdgeResult
    /// Nil when the data do not reach far enough above E0 for EXAFS (then `exafsSkippedReason` says why).
    public var autobk: AutobkResult?
    public var transform: ForwardTransformResult?
    public var exafsSkippedReason: String?
    /// Element and edge guessed from E0 with the XrayDB table.
    public var edge: AbsorptionEdge?
    /// The parameters actually used (defaults resolved).
    public var parameters: XASParameters
}

/// The standard XAS chain as one pure function.
public enum XASAnalysis {
    /// Minimum k (Å⁻¹) the data must reach above E0 for AUTOBK and the transform to run (the reference set's rule).
    public static let minimumKForEXAFS = 6.0

    /// Runs pre-edge normalisation, AUTOBK and the forward transform on μ(E).
    ///
    /// The input is tidied by `EnergyGrid.prepare` (non-finite pairs dropped, sorted, repeated
    /// energies separated). EXAFS is skipped (not an error) when the data end below
    /// `minimumKForEXAFS` above E0, e.g. for XANES-only scans.
    /// - Throws: `RoentgenError` for unusable data or parameters.
    public static func run(energy: [Double], mu: [Double], parameters: XASParameters = XASParameters(),
                           source: String? = nil) throws -> XASResult {
        let grid = try EnergyGrid.prepare(energy: energy, mu: mu, source: source)
        var used = parameters
        let pre = try preEdge(energy: grid.energy, mu: grid.mu, parameters: parameters.preEdge)
        used.preEdge.e0 = pre.e0
        used.preEdge.pre1 = pre.pre1; used.preEdge.pre2 = pre.pre2
        used.preEdge.norm1 = pre.norm1; used.preEdge.norm2 = pre.norm2
        used.preEdge.nnorm = pre.nnorm; used.preEdge.nvict = pre.nvict
        var result = XASResult(energy: grid.energy, mu: grid.mu, preEdge: pre, autobk: nil, transform: nil,
                               exafsSkippedReason: nil, edge: AbsorptionEdge.guess(energy: pre.e0), parameters: used)
        let kLast = (XASConstants.etok * max(0, grid.energy[grid.energy.count - 1] - pre.e0)).squareRoot()
        guard kLast >= minimumKForEXAFS else {
            result.exafsSkippedReason = String(format: "data end at k = %.2f Å⁻¹ above E0, below %.1f Å⁻¹: no EXAFS", kLast, minimumKForEXAFS)
            return result
        }
        let bkg = try autobk(energy: grid.energy, mu: grid.mu, e0: pre.e0, edgeStep: pre.edgeStep, parameters: parameters.autobk)
        used.autobk.kmax = bkg.kmax
        used.autobk.nknots = bkg.nspl
        used.autobk.rbkg = bkg.rbkg
        let ft = try forwardTransform(k: bkg.k, chi: bkg.chi, parameters: parameters.transform)
        used.transform.dk2 = parameters.transform.dk2 ?? parameters.transform.dk
        result.autobk = bkg
        result.transform = ft
        result.parameters = used
        return result
    }
}
