import ArgumentParser
import Foundation
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
