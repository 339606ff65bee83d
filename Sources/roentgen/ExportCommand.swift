import ArgumentParser
import Batch
import Catalog
import Foundation
import XrayCore

/// `roentgen export …`: collections as datasets for other tools.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export collections as datasets (ml: patterns on one grid as NumPy .npz and HDF5, with labels and a datasheet).",
        subcommands: [ExportML.self]
    )
}

struct ExportML: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ml",
        abstract: "Every diffraction pattern on one 2θ (or Q) grid, normalised, with labels, splits and a datasheet.",
        discussion: """
        Writes DATASET/dataset.npz (X float32 patterns × grid, the grid, labels), DATASET/dataset.h5 (NXdata), \
        metadata.csv, failures.jsonl, datasheet.md and datasheet.json. Inputs: files or folders (read recursively) \
        of any pattern format, xrdpattern / opXRD JSON among them.
        """)

    @Argument(help: "Pattern files or folders.") var inputs: [String]
    @Option(help: "The grid, start:stop:step (degrees 2θ within 0…180, or Å⁻¹ from 0 with --q; 2 to 10⁷ points).") var grid: String
    @Flag(help: "Put the patterns on a Q grid (Å⁻¹) instead of 2θ.") var q = false
    @Option(help: "The one wavelength of the 2θ grid: Å or a line (CuKa1, MoKa1 …).") var wavelength = "CuKa1"
    @Option(help: "Wavelength assumed for files that give none (default: such files are left out, with the reason).") var assumeWavelength: String?
    @Option(help: "max (maximum 1), area (unit area over the grid) or none.") var normalize = "max"
    @Option(help: "Train/validation/test percentages, e.g. 80/10/10.") var split: String?
    @Option(help: "Seed of the split.") var seed: UInt64 = 0
    @Option(help: "Source name for patterns whose file names none (default: the file).") var source: String?
    @Option(help: "DOI for patterns whose file gives none.") var doi: String?
    @Option(help: "Licence for patterns whose file gives none.") var licence: String?
    @Option(name: .shortAndLong, help: "The dataset folder.") var output: String
    @Flag(help: "Print the datasheet as JSON.") var json = false

    func run() async throws {
        var options = MLExportOptions(grid: try MLGrid.parse(grid))
        options.axis = q ? .q : .twoTheta
        options.wavelength = try WavelengthSpec.parse(wavelength)
        options.assumedWavelength = try assumeWavelength.map(WavelengthSpec.parse)
        guard let n = MLExportOptions.Normalization(rawValue: normalize) else {
            throw RoentgenError.badParameter("--normalize '\(normalize)'; expected max, area or none")
        }
        options.normalization = n
        options.split = try split.map { try MLSplit.parse($0, seed: seed) }
        options.source = source
        if let doi {
            guard let normalised = DOI.normalise(doi) else {
                throw RoentgenError.badParameter("--doi '\(doi)' is not a DOI (10.NNNN/suffix, doi:… or https://doi.org/…)")
            }
            options.doi = normalised
        }
        options.licence = licence
        let start = Date()
        let dataset = try MLExport.build(inputs: inputs, options: options)
        guard dataset.rows > 0 else {
            let first = dataset.failures.prefix(5).map { "  \($0.error)" }.joined(separator: "\n")
            throw RoentgenError.badParameter("no pattern could be exported (\(dataset.failures.count) failures), e.g.:\n\(first)")
        }
        let built = Date()
        let folder = URL(fileURLWithPath: output)
        try MLDatasetWriter.write(dataset, to: folder)
        let end = Date()
        if json { try Output.printJSON(MLDatasetWriter.datasheet(dataset)); return }
        print(String(format: "%d patterns × %d points (%@) from %d files in %.2f s (read and resample %.2f s, write %.2f s) → %@",
                     dataset.rows, dataset.grid.count, (q ? "Q" : "2θ") as NSString, dataset.files, end.timeIntervalSince(start),
                     built.timeIntervalSince(start), end.timeIntervalSince(built), folder.path as NSString))
        if dataset.failures.count > 0 { print("\(dataset.failures.count) left out, with reasons in \(folder.path)/failures.jsonl") }
    }
}
