import ArgumentParser
import Diffraction
import Foundation
import Refinement
import RoentgenOperations
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
    @Option(help: "Quick form: Qmax of the data in Å⁻¹ (0 for no termination, else ≥ 1).") var qmax: Double?
    @Option(help: "Quick form: radiation, X or N.") var radiation = "X"
    @Option(help: "Quick form: fit range in Å, start:end (default 1.5:the data's end).") var range: String?
    @Flag(help: "Print the result as JSON.") var json = false
    @Option(help: "Write an SVG plot of G_obs, G_calc and the difference.") var plot: String?
    @Option(name: .customLong("cif-out"), help: "Write each refined phase as a CIF into this folder.") var cifOut: String?

    func run() async throws {
        var request = PDFFitOperations.FitRequest(file: file)
        request.phase = phase; request.qmax = qmax; request.radiation = radiation; request.range = range
        let loaded = try PDFFitOperations.load(request)
        let fitted = try PDFFitOperations.fit(loaded)
        let (result, seconds) = (fitted.result, fitted.seconds)
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
            try printJSONObject(fitted.json)
        } else {
            print(Self.text(result, loaded: loaded, seconds: seconds))
        }
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
