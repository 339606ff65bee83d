import Diffraction
import Foundation
import Refinement
import XrayCore
import XrayFormats

/// Every file an operation is about to read, handed over first (the server refuses files outside
/// its workspace before they are opened; the CLI checks nothing). Paths are absolute or relative to
/// the current folder.
public typealias InputCheck = (String) throws -> Void

/// `roentgen xrd refine`'s work, shared with the API's `/api/xrd/refine`: Rietveld refinement and
/// Hill–Howard weight fractions from a refinement file (YAML, docs/rietveld.md) or from a data file
/// with phase CIFs (the quick form).
public enum RietveldOperations {
    public struct RefineRequest: OperationRequest {
        /// A refinement file (.yaml) or, for the quick form, a powder data file.
        public var file = ""
        /// Quick form: the phases' CIFs.
        public var phases: [String] = []
        /// Quick form: GSAS .prm or GSAS-II .instprm instrument file.
        public var instrument: String?
        /// Quick form: number of Chebyshev background terms.
        public var background = 6
        public init(file: String) { self.file = file }
        public static var defaults: RefineRequest { RefineRequest(file: "") }
    }

    /// A finished refinement with what its report needs.
    public struct Refined: @unchecked Sendable {
        public var setup: RietveldSetup
        public var result: RietveldResult
        /// Wall time of the refinement, s.
        public var seconds: Double
        /// `roentgen xrd refine --json`'s object.
        public var json: [String: Any] { RietveldReport.json(setup.model, result, provenance: setup.provenance, seconds: seconds) }
    }

    /// Whether `file` is a refinement file (by its suffix).
    public static func isRecipe(_ file: String) -> Bool {
        ["yaml", "yml"].contains(URL(fileURLWithPath: file).pathExtension.lowercased())
    }

    /// The model, parameters and release steps of a request; `check` sees every file a refinement
    /// file names before it is read.
    public static func setup(_ r: RefineRequest, check: InputCheck = { _ in }) throws -> RietveldSetup {
        if isRecipe(r.file) {
            guard r.phases.isEmpty, r.instrument == nil else {
                throw RoentgenError.badParameter("--phase and --instrument belong to the quick form; a refinement file names its phases and instrument")
            }
            let recipe = try RietveldRecipe.read(URL(fileURLWithPath: r.file))
            for url in [recipe.data] + (recipe.instrumentFile.map { [$0] } ?? []) + recipe.phases.map(\.cif) { try check(url.path) }
            return try RietveldSetup.load(recipe)
        }
        guard !r.phases.isEmpty else { throw RoentgenError.badParameter("give a refinement file (.yaml) or DATA with at least one --phase CIF") }
        guard (1...36).contains(r.background) else { throw RoentgenError.badParameter("--background \(r.background); expected 1…36 Chebyshev terms") }
        var seen = Set<String>()
        for phase in r.phases where !seen.insert(URL(fileURLWithPath: phase).standardizedFileURL.path).inserted {
            throw RoentgenError.badParameter("--phase \(phase) is given twice: two copies of one phase cannot be told apart")
        }
        return try RietveldSetup.quick(data: URL(fileURLWithPath: r.file), cifs: r.phases.map { URL(fileURLWithPath: $0) },
                                       instrumentFile: r.instrument.map { URL(fileURLWithPath: $0) }, backgroundTerms: r.background)
    }

    /// Runs the refinement (steps released in order, the last repeated to convergence when asked).
    public static func refine(_ setup: RietveldSetup, file: String) throws -> Refined {
        var options = RefinementOptions()
        options.ftol = 1e-8
        let started = Date()
        let result: RietveldResult
        do {
            result = try RietveldRefinement.run(setup.model, parameters: setup.parameters, steps: setup.steps, options: options,
                                                repeatLast: setup.repeatLast)
        } catch let e as RefinementError {
            throw RoentgenError(.badParameter, "refinement failed: \(e.description)", file: file)
        }
        return Refined(setup: setup, result: result, seconds: Date().timeIntervalSince(started))
    }
}
