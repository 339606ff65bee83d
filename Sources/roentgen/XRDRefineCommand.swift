import ArgumentParser
import Diffraction
import Foundation
import Refinement
import RoentgenOperations
import XrayCore
import XrayFormats

/// `roentgen xrd refine`: Rietveld refinement and quantitative phase analysis.
struct XRDRefine: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refine",
        abstract: "Rietveld refinement (and Hill–Howard weight fractions) from a refinement file or from DATA --phase CIF …",
        discussion: """
        roentgen xrd refine FILE.yaml [--json] [--plot OUT.svg] [--cif-out DIR]
        roentgen xrd refine DATA --phase CIF [--phase CIF …] [--instrument PRM] [--background N]
        The refinement file (YAML) is described in docs/rietveld.md; examples in examples/rietveld/.
        """
    )

    @Argument(help: "A refinement file (.yaml) or, for the quick form, a powder data file.") var input: String
    @Option(name: .customLong("phase"), help: "Quick form: a phase's CIF (repeat for several phases).") var phases: [String] = []
    @Option(help: "Quick form: GSAS .prm or GSAS-II .instprm instrument file (wavelengths, ratio, polarisation).") var instrument: String?
    @Option(help: "Quick form: number of Chebyshev background terms (default 6).") var background: Int?
    @Flag(help: "Print the results as JSON.") var json = false
    @Option(help: "Write an SVG plot: observed, calculated, difference, tick marks per phase.") var plot: String?
    @Option(name: .customLong("cif-out"), help: "Write each refined structure as CIF into this folder.") var cifOut: String?

    func run() async throws {
        var request = RietveldOperations.RefineRequest(file: input)
        if background != nil && RietveldOperations.isRecipe(input) {
            throw RoentgenError.badParameter("--background belongs to the quick form; a refinement file sets `background:` itself")
        }
        request.phases = phases; request.instrument = instrument; request.background = background ?? 6
        let setup = try RietveldOperations.setup(request)
        let refined = try RietveldOperations.refine(setup, file: input)
        // Printed once the refinement has succeeded (a failure prints only its error).
        if !RietveldOperations.isRecipe(input) && !json {
            print("Strategy (released in order, then repeated to convergence):")
            for (i, line) in setup.strategy.enumerated() { print("  \(i + 1). \(line)") }
        }
        let (result, seconds) = (refined.result, refined.seconds)
        if let cifOut { try writeCIFs(result, folder: cifOut) }
        if let plot { try writeText(RietveldReport.plot(setup.model, result), to: plot) }
        if json {
            try printJSONObject(refined.json)
        } else {
            print(RietveldReport.text(setup.model, result, seconds: seconds))
        }
    }

    func writeCIFs(_ result: RietveldResult, folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (i, structure) in result.structures.enumerated() {
            let key = RietveldPhase.identifier(structure.name)
            var esd: [String: Double] = [:]
            let prefix = (result.calculation.lines.count > i ? key : key) + "_"
            for (name, e) in result.refinement.esd where name.hasPrefix(prefix) {
                esd[String(name.dropFirst(prefix.count))] = e
            }
            let text = CIF.text(structure, esd: esd, comment: "Refined by roentgen xrd refine (Rietveld); Rwp \(String(format: "%.3f", result.statistics.rwp))%")
            try writeText(text, to: (folder as NSString).appendingPathComponent("\(key).cif"))
        }
    }
}
