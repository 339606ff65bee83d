import Diffraction
import Foundation
import XrayCore
import XrayFormats

/// `roentgen pdf fit`'s work, shared with the API's `/api/pdf/fit`: PDF structure refinement as
/// PDFfit2/PDFgui do it, on the Refinement engine, from a fit file (YAML, docs/pdf-fit.md) or from a
/// G(r) file with one phase (the quick form).
public enum PDFFitOperations {
    public struct FitRequest: OperationRequest {
        /// Fit file (.yaml), or a G(r) data file for the quick form.
        public var file = ""
        /// Quick form: structure file (.cif or .stru) of the phase.
        public var phase: String?
        /// Quick form: Qmax of the data, Å⁻¹.
        public var qmax: Double?
        /// Quick form: radiation, X or N.
        public var radiation = "X"
        /// Quick form: fit range in Å, `start:end`.
        public var range: String?
        public init(file: String) { self.file = file }
        public static var defaults: FitRequest { FitRequest(file: "") }
    }

    /// A finished fit with what its report needs.
    public struct Fitted: @unchecked Sendable {
        public var loaded: PDFFitFile
        public var result: PDFFitResult
        /// Wall time of the refinement, s.
        public var seconds: Double
        /// `roentgen pdf fit --json`'s object.
        public var json: [String: Any] { PDFFitOperations.json(result, loaded: loaded, seconds: seconds) }
    }

    /// The problem of a request; `check` sees every file a fit file names before it is read.
    public static func load(_ r: FitRequest, check: @escaping InputCheck = { _ in }) throws -> PDFFitFile {
        let suffix = URL(fileURLWithPath: r.file).pathExtension.lowercased()
        if suffix == "yaml" || suffix == "yml" {
            guard r.phase == nil, r.qmax == nil else {
                throw RoentgenError.badParameter("--phase and --qmax belong to the quick form (a G(r) file); a fit file gives them itself")
            }
            return try PDFFitFile.load(r.file, check: check)
        }
        guard let phase = r.phase else { throw RoentgenError.badParameter("a G(r) file needs --phase STRUCTURE (.cif or .stru) and --qmax Q; or pass a fit file (.yaml)") }
        guard let qmax = r.qmax else { throw RoentgenError.badParameter("--qmax is required: the Qmax (Å⁻¹) of the G(r) transform") }
        return try PDFFitFile.quick(data: r.file, structure: phase, qmax: qmax, radiation: r.radiation, range: r.range.map { try RangeText.parse($0) })
    }

    /// Refines the problem.
    public static func fit(_ loaded: PDFFitFile) throws -> Fitted {
        let start = Date()
        let result = try loaded.problem.refine()
        return Fitted(loaded: loaded, result: result, seconds: Date().timeIntervalSince(start))
    }

    /// The `--json` object: rw, params, phases, pattern, provenance (+ fit statistics).
    public static func json(_ result: PDFFitResult, loaded: PDFFitFile, seconds: Double) -> [String: Any] {
        var params: [String: Any] = [:]
        for p in result.parameters {
            params[p.name] = ["value": JSONDocument.number(p.value), "esd": JSONDocument.number(p.esd), "esd_pdffit2": JSONDocument.number(p.esdPDFfit2)]
        }
        let phases: [[String: Any]] = result.phases.enumerated().map { p, phase in
            let esd = result.variableEsd[p] ?? [:]
            let c = phase.cell
            let sites: [[String: Any]] = phase.atoms.enumerated().map { k, a in
                var site: [String: Any] = ["element": a.element.symbol, "xyz": [a.fract.x, a.fract.y, a.fract.z], "occ": a.occupancy, "u": a.u]
                let xyzEsd = (0..<3).map { esd[.coordinate(atom: k + 1, axis: $0)] }
                if xyzEsd.contains(where: { $0 != nil }) { site["xyz_esd"] = xyzEsd.map { JSONDocument.number($0) } }
                let uEsd = (0..<6).map { esd[.u(atom: k + 1, component: $0)] }
                if uEsd.contains(where: { $0 != nil }) { site["u_esd"] = uEsd.map { JSONDocument.number($0) } }
                return site
            }
            var entry: [String: Any] = [
                "name": phase.name,
                "cell": ["a": c.a, "b": c.b, "c": c.c, "alpha": c.alpha, "beta": c.beta, "gamma": c.gamma],
                "cell_esd": Dictionary(uniqueKeysWithValues: zip(["a", "b", "c", "alpha", "beta", "gamma"], (1...6).map { JSONDocument.number(esd[.lattice($0)]) })),
                "sites": sites,
            ]
            for (key, v) in [("pscale", phase.scale), ("delta1", phase.delta1), ("delta2", phase.delta2), ("sratio", phase.sratio),
                             ("rcut", phase.rcut), ("spdiameter", phase.spdiameter)] { entry[key] = v }
            return entry
        }
        let diff = zip(result.gObserved, result.gCalculated).map { $0 - $1 }
        let inst = result.instrument
        return [
            "rw": JSONDocument.number(result.rw),
            "chi2": JSONDocument.number(result.chiSquare),
            "reduced_chi2": JSONDocument.number(result.reducedChiSquare),
            "n_points": result.nPoints,
            "converged": result.refinement.converged,
            "message": result.refinement.message,
            "evaluations": result.refinement.evaluations,
            "seconds": seconds,
            "params": params,
            "correlations": result.refinement.correlations.filter { abs($0.value) >= 0.8 }.map { ["first": $0.first, "second": $0.second, "value": $0.value] },
            "dataset": ["radiation": inst.radiation.rawValue, "qmax": inst.qmax, "qdamp": inst.qdamp, "qbroad": inst.qbroad, "dscale": inst.scale],
            "phases": phases,
            "pattern": ["r": result.r, "g_observed": result.gObserved, "g_calculated": result.gCalculated, "difference": diff],
            "provenance": JSONDocument.provenance(files: [loaded.dataFile] + loaded.structureFiles, parameters: [
                "title": loaded.title, "fit_range": [loaded.problem.fitMin, loaded.problem.fitMax], "qmax": inst.qmax,
                "radiation": inst.radiation.rawValue, "model": "PDFfit2 G(r) (diffpy.pdffit2 1.5.2 definitions)",
                "esd": "esd scaled by sqrt(reduced chi2) (Refinement engine); esd_pdffit2 unscaled sqrt(diag((J^T W J)^-1)) as PDFfit2 prints",
                "constraints": loaded.problem.constraints.map { "\($0.variable.isDataSetVariable ? "" : "phase \($0.phase + 1) ")\($0.variable) = \($0.formula)" },
            ]),
        ]
    }
}

extension PDFFitFile {
    /// The quick form's default refinement of one phase: dscale, the lattice (a = b = c in a cubic cell,
    /// a = b in a tetragonal or hexagonal one), one Uiso per element, qdamp and delta2.
    public static func quick(data: String, structure: String, qmax: Double, radiation: String, range: ClosedRange<Double>?) throws -> PDFFitFile {
        if let why = PDFInstrument.qmaxProblem(qmax) { throw RoentgenError.badParameter("--qmax \(qmax): \(why)") }
        let observed = try readData(data)
        let phase = try readPhase(structure)
        let rad: PDFRadiation
        switch radiation.lowercased() {
        case "x", "xray", "x-ray": rad = .xray
        case "n", "neutron": rad = .neutron
        default: throw RoentgenError.badParameter("--radiation '\(radiation)': expected X or N")
        }
        let first = observed.r.first ?? 0, last = observed.r.last ?? 0
        let fit = range ?? max(first, 1.5)...last
        guard fit.lowerBound >= first - 1e-9, fit.upperBound <= last + 1e-9 else {
            throw RoentgenError(.badParameter, "--range \(fit.lowerBound):\(fit.upperBound) is outside the data (r = \(first)…\(last) Å)", file: data)
        }
        var parameters: [PDFFitProblem.Parameter] = [.init("scale", 1, lower: 0), .init("qdamp", 0.04, lower: 0), .init("delta2", 0, lower: 0)]
        var constraints: [PDFFitProblem.Constraint] = [.init(.dscale, formula: "scale"), .init(.qdamp, formula: "qdamp"), .init(.delta2, formula: "delta2")]
        let c = phase.cell
        let close = { (x: Double, y: Double) in abs(x - y) < 1e-6 * max(abs(x), 1) }
        if close(c.a, c.b) && close(c.b, c.c) {
            parameters.append(.init("a", c.a)); constraints += (1...3).map { .init(.lattice($0), formula: "a") }
        } else if close(c.a, c.b) {
            parameters += [.init("a", c.a), .init("c", c.c)]
            constraints += [.init(.lattice(1), formula: "a"), .init(.lattice(2), formula: "a"), .init(.lattice(3), formula: "c")]
        } else {
            parameters += [.init("a", c.a), .init("b", c.b), .init("c", c.c)]
            constraints += (1...3).map { .init(.lattice($0), formula: ["a", "b", "c"][$0 - 1]) }
        }
        // One Uiso per element: U^ij = Uiso·(U^ij of unit isotropic U in this cell).
        let unit = c.isotropicUAniso(1)
        var seen: [String] = []
        for (k, atom) in phase.atoms.enumerated() {
            let name = "Uiso_" + atom.element.symbol
            if !seen.contains(name) {
                seen.append(name)
                parameters.append(.init(name, max(c.equivalentIsotropicU(uAniso: atom.u), 0.001), lower: 0))
            }
            for comp in 0..<6 where abs(unit[comp]) > 1e-12 {
                constraints.append(.init(.u(atom: k + 1, component: comp), formula: abs(unit[comp] - 1) < 1e-12 ? name : "\(unit[comp])*\(name)"))
            }
            for comp in 0..<6 where abs(unit[comp]) <= 1e-12 {
                constraints.append(.init(.u(atom: k + 1, component: comp), formula: "0"))
            }
        }
        let problem = PDFFitProblem(phases: [phase], instrument: PDFInstrument(radiation: rad, qmax: qmax), r: observed.r, gObserved: observed.g,
                                    weights: PDFFitProblem.weights(dG: observed.dG, count: observed.r.count),
                                    fitMin: fit.lowerBound, fitMax: fit.upperBound, parameters: parameters, constraints: constraints)
        return PDFFitFile(problem: problem, title: URL(fileURLWithPath: data).lastPathComponent, dataFile: data, structureFiles: [structure])
    }
}
