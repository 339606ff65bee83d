import ArgumentParser
import Foundation
import XAS
import XrayCore
import XrayFormats

extension DataFileExport.Target: ExpressibleByArgument {}

/// `roentgen convert FILE... --to xdi|xy|csv|json [-o OUT] [--group NAME] [--mu EXPR]`
///
/// One file: the converted text to OUT or standard output. Several files (or OUT an existing
/// folder, or ending in `/`): every file into the folder OUT, one output per scan
/// (`stem.xy`, or `stem_scan.xy` when a file holds several; one `stem.json` per file); a file
/// that fails is reported and the others still convert; the exit status then says so.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert data files to XDI (absorption), .xy, CSV or JSON.")

    @Argument(help: "The file(s) to convert; a folder stands for the files in it. With several, -o names a folder for the outputs.")
    var files: [String] = []

    @Option(help: "Target format: xdi, xy, csv or json.")
    var to: DataFileExport.Target

    @Option(name: .shortAndLong, help: "Output file (default: standard output), or the output folder for several files.")
    var output: String?

    @Option(help: "The group/scan to convert when the file holds several.")
    var group: String?

    @Option(help: "GSAS instrument file (.prm, .instprm) giving the radiation of a GSAS data file (default: the one beside it).")
    var instrument: String?

    @Option(help: "Pixel → energy calibration A,B[,C[,D]] for pixel-indexed (energy-dispersive) files: E = A + B·p + C·p² + D·p³ in eV.")
    var pixelEnergy: String?

    @Option(help: "μ(E) expression for absorption data (default: guessed from the labels); refused on a file with no energy axis, or when no point of it is finite.")
    var mu: String?

    /// Several inputs, or an output that is (or is named as) a folder.
    var isBatch: Bool {
        var isDirectory: ObjCBool = false
        let outputIsFolder = output.map { $0.hasSuffix("/") || (FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) && isDirectory.boolValue) } ?? false
        return files.count > 1 || outputIsFolder || files.contains(where: InputFiles.isFolder)
    }

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name at least one file to convert") }
        if (files.count > 1 || files.contains(where: InputFiles.isFolder)) && output == nil {
            throw ValidationError("with several files, name an output folder with -o DIR (one output per scan is written there)")
        }
    }

    func run() throws {
        if isBatch {
            try runBatch(into: URL(fileURLWithPath: output ?? ".", isDirectory: true))
            return
        }
        let text = try DataFileExport.convert(try read(files[0]), to: to, group: group, muExpression: mu)
        if let output {
            try write(text, to: output)
        } else {
            print(text, terminator: "")
        }
    }

    /// Reads `path` with the command's options applied (and XDI's required fields filled).
    func read(_ path: String) throws -> DataFile {
        var data = try FormatRegistry.read(URL(fileURLWithPath: path), instrument: instrument.map { URL(fileURLWithPath: $0) })
        if let pixelEnergy { data = try PixelIndexedData.calibrated(data, coefficients: try PixelCalibrationArgument.parse(pixelEnergy)) }
        if let mu {
            for warning in try MuOption.check(mu, scans: try DataFileExport.select(data, group: group), file: path) {
                FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
            }
        }
        if to == .xdi {
            for note in XDIElementGuess.fill(&data, muExpression: mu) {
                FileHandle.standardError.write(Data("note: \(note)\n".utf8))
            }
        }
        return data
    }

    func write(_ text: String, to path: String) throws {
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw RoentgenError(.io, "cannot write (\(error.localizedDescription))", file: path)
        }
    }

    /// Every file into `folder`; failures are listed on stderr and make the exit status 1.
    func runBatch(into folder: URL) throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw RoentgenError(.io, "cannot create the output folder (\(error.localizedDescription))", file: folder.path)
        }
        var written = Set<String>()
        var outputs = 0, failed = 0, converted = 0
        func report(_ what: String, _ error: Error) {
            failed += 1
            let text = InputFiles.describe(error, for: what)
            FileHandle.standardError.write(Data("error: \(text)\n".utf8))
        }
        /// `stem.ext`, made unique within this run.
        func outputName(_ base: String) -> String {
            var name = base + "." + to.rawValue, k = 2
            while written.contains(name) { name = "\(base)_\(k).\(to.rawValue)"; k += 1 }
            written.insert(name)
            return name
        }
        let inputs = try InputFiles.expand(files)
        for path in inputs {
            let data: DataFile
            do { data = try read(path) } catch { report(path, error); continue }
            let stem = Self.safeName(URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent)
            var fileOK = true
            if to == .json || data.scans.isEmpty {
                do {
                    try write(try DataFileExport.convert(data, to: to, group: group, muExpression: mu),
                              to: folder.appendingPathComponent(outputName(stem)).path)
                    outputs += 1
                } catch { report(path, error); fileOK = false }
            } else {
                let scans: [Scan]
                do { scans = try DataFileExport.select(data, group: group) } catch { report(path, error); continue }
                for scan in scans {
                    var one = data
                    one.scans = [scan]
                    let base = scans.count == 1 ? stem : stem + "_" + Self.safeName(scan.name)
                    do {
                        try write(try DataFileExport.convert(one, to: to, muExpression: mu), to: folder.appendingPathComponent(outputName(base)).path)
                        outputs += 1
                    } catch { report("\(path) [\(scan.name)]", error); fileOK = false }
                }
            }
            if fileOK { converted += 1 }
        }
        print("converted \(converted) of \(inputs.count) file\(inputs.count == 1 ? "" : "s") into \(folder.path) (\(outputs) output\(outputs == 1 ? "" : "s"))"
              + (failed > 0 ? "; \(failed) failure\(failed == 1 ? "" : "s") listed on stderr" : ""))
        if failed > 0 { throw ExitCode.failure }
    }

    /// A scan or file name as a file-name part: letters, digits, `-`, `_`, `.`, `+` kept, the rest `_`.
    static func safeName(_ name: String) -> String {
        let kept = name.map { $0.isLetter || $0.isNumber || "-_.+".contains($0) ? $0 : "_" }
        let text = String(kept).trimmingCharacters(in: CharacterSet(charactersIn: "._"))
        return text.isEmpty ? "scan" : text
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
