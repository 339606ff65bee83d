import ArgumentParser
import Foundation
import RoentgenOperations
import XrayCore
import XrayFormats

/// `roentgen read FILE... [--json] [--group NAME] [--mu EXPR]`
///
/// One summary (or JSON object) per file; a folder stands for the files in it. With several
/// files, `--json` prints JSON Lines (one
/// object per line, in argument order); a file that fails is reported on stderr, the others
/// are still read, and the exit status is then 1.
struct ReadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Read data files (format detected from content) and print a summary or JSON.")

    @Argument(help: "The file(s) to read; a folder stands for the files in it.")
    var files: [String] = []

    @Flag(help: "Print the file as JSON: format, scans (columns, units, radiation, metadata) or structures (CIF), warnings. Several files: one JSON object per line.")
    var json = false

    @Option(help: "Only this group/scan (Athena label or Larch's sanitised name, e.g. moo3_defaults), or this structure of a CIF.")
    var group: String?

    @Option(help: "GSAS instrument file (.prm, .instprm) giving the radiation of a GSAS data file (default: the one beside it).")
    var instrument: String?

    @Option(help: "Pixel → energy calibration A,B[,C[,D]] for pixel-indexed (energy-dispersive) files: E = A + B·p + C·p² + D·p³ in eV.")
    var pixelEnergy: String?

    @Option(help: "μ(E) expression over column names, e.g. 'ln(i0/itrans)', '(if1+if2)/i0', 'sum(ifch*)/i0' (all channels matching a pattern), 'mutrans'. Refused on a file with no energy axis, or when no point of it is finite.")
    var mu: String?

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name at least one file to read") }
    }

    func run() throws {
        let inputs = try InputFiles.expand(files)
        guard inputs.count > 1 || files.contains(where: InputFiles.isFolder) else {
            print(try render(inputs[0]), terminator: "")
            return
        }
        var failed = 0
        for (k, file) in inputs.enumerated() {
            do {
                let text = try render(file)
                print((json || k == 0 ? "" : "\n") + text, terminator: "")
            } catch {
                failed += 1
                let message = InputFiles.describe(error, for: file)
                FileHandle.standardError.write(Data("error: \(message)\n".utf8))
            }
        }
        if failed > 0 {
            FileHandle.standardError.write(Data("\(failed) of \(inputs.count) files not read\n".utf8))
            throw ExitCode.failure
        }
    }

    /// The summary or JSON (with a final newline) of one file.
    func render(_ file: String) throws -> String {
        var data = try ReadOperation.read(file, group: group, instrument: instrument,
                                          pixelEnergy: try pixelEnergy.map(PixelCalibrationArgument.parse))
        if let mu {
            // An explicit --mu must work on every absorption scan shown, or the command fails.
            for scan in data.scans where scan.columns["energy"] != nil { _ = try MuSelection.selectMu(scan, expression: mu) }
            for warning in try MuOption.check(mu, scans: data.scans, file: file) {
                FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
            }
        }
        if json {
            if mu != nil { data.scans = try data.scans.map { try DataFileExport.withMu($0, expression: mu, required: true) } }
            return DataFileJSON.encode(data) + "\n"
        }
        return DataFileSummary.text(data, muExpression: mu)
    }
}

/// An explicit `--mu` checked on the scans it applies to (read, convert): refused on a file with no
/// absorption scan (no energy axis: it would be ignored) and when it gives no finite value on a scan
/// (a file of NaN, or no rows at all in XDI); the warnings say how many points are not finite where some are.
enum MuOption {
    static func check(_ expression: String, scans: [Scan], file: String) throws -> [String] {
        let absorption = scans.filter { $0.columns["energy"] != nil }
        guard !absorption.isEmpty else {
            let kinds = Set(scans.map(\.kind.rawValue)).sorted().joined(separator: ", ")
            throw RoentgenError(.badParameter, "--mu applies to absorption data (an energy axis); this file has none"
                                + (kinds.isEmpty ? "" : " (\(kinds))") + ": leave --mu out", file: file)
        }
        var warnings: [String] = []
        for scan in absorption {
            let mu = try MuSelection.selectMu(scan, expression: expression).mu ?? []
            let finite = mu.reduce(0) { $0 + ($1.isFinite ? 1 : 0) }
            guard finite > 0 else {
                throw RoentgenError(.badParameter, "--mu '\(expression)' gives no finite value on scan '\(scan.name)' (\(mu.count) points, NaN or infinite: a logarithm of a negative ratio, a division by zero?)", file: file)
            }
            if finite < mu.count {
                warnings.append("\(file): --mu '\(expression)' is NaN or infinite at \(mu.count - finite) of \(mu.count) points of scan '\(scan.name)'")
            }
        }
        return warnings
    }
}

/// Parses `--pixel-energy A,B[,C[,D]]`.
enum PixelCalibrationArgument {
    static func parse(_ text: String) throws -> [Double] {
        let values = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard values.count >= 2, values.allSatisfy({ $0 != nil }) else {
            throw RoentgenError.badParameter("--pixel-energy expects comma-separated numbers A,B[,C[,D]] (E = A + B·p + C·p² + D·p³ in eV), got '\(text)'")
        }
        return values.map { $0! }
    }
}
