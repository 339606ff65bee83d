import ArgumentParser
import Foundation
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
        let text: String
        do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
            throw RoentgenError(.io, FileManager.default.fileExists(atPath: file) ? "cannot read the fit file" : "no such file", file: file)
        }
        let recipe = try FeffitFile.parse(text, file: file)
        var paths: [String: FeffPath] = [:]
        let result = try recipe.fit(readPath: { name in
            if let p = paths[name] { return p }
            let p = try FeffPathReader.read(URL(fileURLWithPath: name))
            paths[name] = p
            return p
        }, readData: readChi)
        if let plot {
            try writeText(FeffitPlot.svg(result, title: recipe.title ?? (file as NSString).lastPathComponent), to: plot)
        }
        if json {
            try Output.printJSON(FeffitJSONReport(result))
            return
        }
        print(FeffitReport.text(result))
        if let plot { print("plot written to \(plot)") }
    }
}

/// k and χ(k) of a data file: its first column and the column named `chi` (else the second).
func readChi(_ path: String) throws -> (k: [Double], chi: [Double]) {
    let data = try FormatRegistry.read(URL(fileURLWithPath: path))
    guard let scan = data.scans.first, scan.columns.count >= 2 else {
        throw RoentgenError(.badData, "expected a χ(k) file with columns k and chi", file: path)
    }
    let k = scan.columns.values[0]
    let chi = scan.columns["chi"] ?? scan.columns.values[1]
    return (k, chi)
}
