import ArgumentParser
import Foundation
import RoentgenOperations
import XAS
import XrayCore
import XrayFormats

/// `roentgen xas fit FILE.yaml`: EXAFS path fitting with FEFF paths (Larch's feffit).
struct XASFit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit FEFF paths to χ(k) as Larch's feffit does (R, q or k space; several data sets and k-weights).",
        discussion: "FILE.yaml lists parameters, data sets (χ(k) file, transform, paths with their parameter expressions); see docs/feffit.md."
    )
    @Argument(help: "The fit file (YAML).") var file: String
    @Flag(help: "Print JSON: params, chi_square, chi2_reduced, rfactor, n_independent, nvarys, correlations, datasets.") var json = false
    @Option(help: "Write an SVG of data and fit in k and R, with the fit window.") var plot: String?

    func run() async throws {
        let fitted = try FeffitOperations.fit(FeffitOperations.FitRequest(file: file))
        let (recipe, result) = (fitted.recipe, fitted.result)
        if let plot {
            try writeText(FeffitPlot.svg(result, title: recipe.title ?? (file as NSString).lastPathComponent), to: plot)
        }
        if json {
            try Output.printJSON(fitted.json)
            return
        }
        print(FeffitReport.text(result))
        if let plot { print("plot written to \(plot)") }
    }
}
