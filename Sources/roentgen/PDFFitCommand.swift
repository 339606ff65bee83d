import ArgumentParser
import Diffraction
import Foundation
import Refinement
import XrayCore
import XrayFormats

/// `roentgen pdf fit`: PDF structure refinement as PDFfit2/PDFgui do it, on the Refinement engine.
struct PDFFitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Refine structure models against G(r) (PDFfit2 model: lattice, positions, Uij, delta1/delta2, qdamp, qbroad, spdiameter).",
        discussion: """
        FILE is a fit file (YAML, see docs/pdf-fit.md and examples/pdf-fit/), or a G(r) file with --phase and --qmax
        for the default refinement: dscale, lattice (one parameter per symmetry-independent length), one Uiso per
        element, qdamp and delta2.
        """
    )

    @Argument(help: "Fit file (.yaml), or a G(r) data file for the quick form.") var file: String
    @Option(help: "Quick form: structure file (.cif or .stru) of the phase.") var phase: String?
    @Option(help: "Quick form: Qmax of the data in Å⁻¹.") var qmax: Double?
    @Option(help: "Quick form: radiation, X or N.") var radiation = "X"
    @Option(help: "Quick form: fit range in Å, start:end (default 1.5:the data's end).") var range: String?
    @Flag(help: "Print the result as JSON.") var json = false
    @Option(help: "Write an SVG plot of G_obs, G_calc and the difference.") var plot: String?
    @Option(name: .customLong("cif-out"), help: "Write each refined phase as a CIF into this folder.") var cifOut: String?

    func run() async throws {
        let loaded: PDFFitFile
        let suffix = URL(fileURLWithPath: file).pathExtension.lowercased()
        if suffix == "yaml" || suffix == "yml" {
            guard phase == nil, qmax == nil else {
                throw RoentgenError.badParameter("--phase and --qmax belong to the quick form (a G(r) file); a fit file gives them itself")
            }
            loaded = try PDFFitFile.load(file)
        } else {
            guard let phase else { throw RoentgenError.badParameter("a G(r) file needs --phase STRUCTURE (.cif or .stru) and --qmax Q; or pass a fit file (.yaml)") }
            guard let qmax else { throw RoentgenError.badParameter("--qmax is required: the Qmax (Å⁻¹) of the G(r) transform") }
            loaded = try PDFFitFile.quick(data: file, structure: phase, qmax: qmax, radiation: radiation, range: range.map(parseRange))
        }
        let start = Date()
        let result = try loaded.problem.refine()
        let seconds = Date().timeIntervalSince(start)
        if let cifOut {
            try FileManager.default.createDirectory(atPath: cifOut, withIntermediateDirectories: true)
            for (p, phase) in result.phases.enumerated() {
                let esd = result.variableEsd[p] ?? [:]
                var cellEsd: [String: Double] = [:]
                for (k, key) in ["a", "b", "c", "alpha", "beta", "gamma"].enumerated() { cellEsd[key] = esd[.lattice(k + 1)] }
                let name = phase.name.isEmpty ? "phase\(p + 1)" : phase.name
                let safe = String(name.map { $0.isLetter || $0.isNumber ? $0 : "_" })
                let text = CIF.text(phase.crystalStructure, esd: cellEsd,
                                    comment: "Refined by roentgen pdf fit (\(loaded.title)), phase \(p + 1); Rw \(String(format: "%.6f", result.rw))")
                try text.write(toFile: (cifOut as NSString).appendingPathComponent("\(safe).cif"), atomically: true, encoding: .utf8)
            }
        }
        if let plot {
            let diff = zip(result.gObserved, result.gCalculated).map { $0 - $1 }
            let low = (result.gObserved + result.gCalculated).min() ?? 0
            let offset = low - (diff.max() ?? 0) - 0.1 * abs(low)
            let panel = SVGLinePlot.Panel(title: "\(loaded.title): Rw \(String(format: "%.4f", result.rw))", xLabel: "r (Å)", yLabel: "G (Å⁻²)", series: [
                .init(label: "G observed", x: result.r, y: result.gObserved),
                .init(label: "G calculated", x: result.r, y: result.gCalculated),
                .init(label: "difference (offset)", x: result.r, y: diff.map { $0 + offset }),
            ])
            try SVGLinePlot(panels: [panel]).svg().write(toFile: plot, atomically: true, encoding: .utf8)
        }
        if json {
            try printJSONObject(Self.json(result, loaded: loaded, seconds: seconds))
        } else {
            print(Self.text(result, loaded: loaded, seconds: seconds))
        }
    }

    /// The `--json` object: rw, params, phases, pattern, provenance (+ fit statistics).
    static func json(_ result: PDFFitResult, loaded: PDFFitFile, seconds: Double) -> [String: Any] {
        var params: [String: Any] = [:]
        for p in result.parameters {
            params[p.name] = ["value": jsonNumber(p.value), "esd": jsonNumber(p.esd), "esd_pdffit2": jsonNumber(p.esdPDFfit2)]
        }
        let phases: [[String: Any]] = result.phases.enumerated().map { p, phase in
            let esd = result.variableEsd[p] ?? [:]
            let c = phase.cell
            let sites: [[String: Any]] = phase.atoms.enumerated().map { k, a in
                var site: [String: Any] = ["element": a.element.symbol, "xyz": [a.fract.x, a.fract.y, a.fract.z], "occ": a.occupancy, "u": a.u]
                let xyzEsd = (0..<3).map { esd[.coordinate(atom: k + 1, axis: $0)] }
                if xyzEsd.contains(where: { $0 != nil }) { site["xyz_esd"] = xyzEsd.map { jsonNumber($0) } }
                let uEsd = (0..<6).map { esd[.u(atom: k + 1, component: $0)] }
                if uEsd.contains(where: { $0 != nil }) { site["u_esd"] = uEsd.map { jsonNumber($0) } }
                return site
            }
            var entry: [String: Any] = [
                "name": phase.name,
                "cell": ["a": c.a, "b": c.b, "c": c.c, "alpha": c.alpha, "beta": c.beta, "gamma": c.gamma],
                "cell_esd": Dictionary(uniqueKeysWithValues: zip(["a", "b", "c", "alpha", "beta", "gamma"], (1...6).map { jsonNumber(esd[.lattice($0)]) })),
                "sites": sites,
            ]
            for (key, v) in [("pscale", phase.scale), ("delta1", phase.delta1), ("delta2", phase.delta2), ("sratio", phase.sratio),
                             ("rcut", phase.rcut), ("spdiameter", phase.spdiameter)] { entry[key] = v }
            return entry
        }
        let diff = zip(result.gObserved, result.gCalculated).map { $0 - $1 }
        let inst = result.instrument
        return [
            "rw": jsonNumber(result.rw),
            "chi2": jsonNumber(result.chiSquare),
            "reduced_chi2": jsonNumber(result.reducedChiSquare),
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
            "provenance": provenanceJSON(files: [loaded.dataFile] + loaded.structureFiles, parameters: [
                "title": loaded.title, "fit_range": [loaded.problem.fitMin, loaded.problem.fitMax], "qmax": inst.qmax,
                "radiation": inst.radiation.rawValue, "model": "PDFfit2 G(r) (diffpy.pdffit2 1.5.2 definitions)",
                "esd": "esd scaled by sqrt(reduced chi2) (Refinement engine); esd_pdffit2 unscaled sqrt(diag((J^T W J)^-1)) as PDFfit2 prints",
                "constraints": loaded.problem.constraints.map { "\($0.variable.isDataSetVariable ? "" : "phase \($0.phase + 1) ")\($0.variable) = \($0.formula)" },
            ]),
        ]
    }

    static func text(_ result: PDFFitResult, loaded: PDFFitFile, seconds: Double) -> String {
        var lines = ["\(loaded.title): Rw \(String(format: "%.6f", result.rw)), reduced chi2 \(String(format: "%.6g", result.reducedChiSquare)), \(result.nPoints) points, \(result.refinement.evaluations) evaluations, \(String(format: "%.3f", seconds)) s (\(result.refinement.message))"]
        lines.append("parameter         value            esd         esd (PDFfit2)")
        for p in result.parameters {
            lines.append(String(format: "%-10@ %16.8g %14.3g %14.3g", p.name as NSString, p.value, p.esd ?? .nan, p.esdPDFfit2 ?? .nan))
        }
        for (k, phase) in result.phases.enumerated() {
            let c = phase.cell
            lines.append(String(format: "phase %d %@: a %.6f b %.6f c %.6f alpha %.4f beta %.4f gamma %.4f", k + 1, phase.name as NSString, c.a, c.b, c.c, c.alpha, c.beta, c.gamma))
        }
        return lines.joined(separator: "\n")
    }
}

extension PDFPhase {
    /// The phase as a P1 crystal structure (for CIF output).
    var crystalStructure: CrystalStructure {
        let sites = atoms.enumerated().map { k, a in
            AtomSite(label: "\(a.element.symbol)\(k + 1)", typeSymbol: a.element.symbol, element: a.element, fract: a.fract,
                     occupancy: a.occupancy, uIso: cell.equivalentIsotropicU(uAniso: a.u), uAniso: a.u)
        }
        return CrystalStructure(name: name, cell: cell, spaceGroupSymbol: "P 1", spaceGroupNumber: 1, sites: sites)
    }
}

extension PDFFitFile {
    /// The quick form's default refinement of one phase: dscale, the lattice (a = b = c in a cubic cell,
    /// a = b in a tetragonal or hexagonal one), one Uiso per element, qdamp and delta2.
    static func quick(data: String, structure: String, qmax: Double, radiation: String, range: ClosedRange<Double>?) throws -> PDFFitFile {
        let observed = try readData(data)
        let phase = try readPhase(structure)
        let rad: PDFRadiation
        switch radiation.lowercased() {
        case "x", "xray", "x-ray": rad = .xray
        case "n", "neutron": rad = .neutron
        default: throw RoentgenError.badParameter("--radiation '\(radiation)': expected X or N")
        }
        guard qmax >= 0 else { throw RoentgenError.badParameter("--qmax must be ≥ 0") }
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
