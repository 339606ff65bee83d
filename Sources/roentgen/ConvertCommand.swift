import ArgumentParser
import Foundation
import XAS
import XrayCore
import XrayFormats

extension DataFileExport.Target: ExpressibleByArgument {}

/// `roentgen convert FILE --to xdi|xy|csv|json [-o OUT] [--group NAME] [--mu EXPR]`
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a data file to XDI (absorption), .xy, CSV or JSON.")

    @Argument(help: "The file to convert.")
    var file: String

    @Option(help: "Target format: xdi, xy, csv or json.")
    var to: DataFileExport.Target

    @Option(name: .shortAndLong, help: "Output file (default: standard output).")
    var output: String?

    @Option(help: "The group/scan to convert when the file holds several.")
    var group: String?

    @Option(help: "GSAS instrument file (.prm, .instprm) giving the radiation of a GSAS data file (default: the one beside it).")
    var instrument: String?

    @Option(help: "Pixel → energy calibration A,B[,C] for pixel-indexed (energy-dispersive) files: E = A + B·p + C·p² in eV.")
    var pixelEnergy: String?

    @Option(help: "μ(E) expression for absorption data (default: guessed from the labels).")
    var mu: String?

    func run() throws {
        var data = try FormatRegistry.read(URL(fileURLWithPath: file),
                                           instrument: instrument.map { URL(fileURLWithPath: $0) })
        if let pixelEnergy { data = try PixelIndexedData.calibrated(data, coefficients: try PixelCalibrationArgument.parse(pixelEnergy)) }
        if to == .xdi {
            for note in XDIElementGuess.fill(&data, muExpression: mu) {
                FileHandle.standardError.write(Data("note: \(note)\n".utf8))
            }
        }
        let text = try DataFileExport.convert(data, to: to, group: group, muExpression: mu)
        if let output {
            do {
                try text.write(toFile: output, atomically: true, encoding: .utf8)
            } catch {
                throw RoentgenError(.io, "cannot write (\(error.localizedDescription))", file: output)
            }
        } else {
            print(text, terminator: "")
        }
    }
}

/// XDI requires `Element.symbol` and `Element.edge`. Where a file does not give them, they are
/// guessed as `roentgen xas` does: E0 by Larch's `find_e0` on μ(E), then the element and edge by
/// XrayDB's `guess_edge` rule; the guess is kept as `Roentgen.element_guess` and said on stderr.
enum XDIElementGuess {
    /// Fills the fields in every absorption scan that lacks them; returns one note per guess.
    static func fill(_ file: inout DataFile, muExpression: String?) -> [String] {
        var notes: [String] = []
        for k in file.scans.indices {
            let scan = file.scans[k]
            guard scan.columns["energy"] != nil, scan.metadata["Element.symbol"] == nil || scan.metadata["Element.edge"] == nil,
                  let spectrum = try? MuSelection.selectMu(scan, expression: muExpression), let mu = spectrum.mu,
                  let grid = try? EnergyGrid.prepare(energy: spectrum.energy, mu: mu, source: file.file), grid.energy.count >= 10 else { continue }
            let e0 = findE0(energy: grid.energy, mu: grid.mu)
            guard let edge = AbsorptionEdge.guess(energy: e0) else { continue }
            if scan.metadata["Element.symbol"] == nil { file.scans[k].metadata["Element.symbol"] = edge.symbol }
            if scan.metadata["Element.edge"] == nil { file.scans[k].metadata["Element.edge"] = edge.edge }
            let text = String(format: "%@ %@ guessed from E0 = %.2f eV (find_e0, guess_edge)", edge.symbol, edge.edge, e0)
            file.scans[k].metadata["element_guess"] = text
            notes.append("\(scan.name): Element.symbol and Element.edge not in the file: \(text)")
        }
        return notes
    }
}
