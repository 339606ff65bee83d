import Diffraction
import Foundation
import XAS
import XrayCore
import XrayFormats
import XrayNumerics

/// What one item gave: a summary for its record, and the files it wrote (paths relative to the
/// run's `outputs/` folder, with their bytes).
public struct ItemOutcome: Sendable {
    public var summary: [String: BatchValue]
    public var outputs: [(path: String, data: Data)]

    public init(summary: [String: BatchValue] = [:], outputs: [(path: String, data: Data)] = []) {
        self.summary = summary
        self.outputs = outputs
    }
}

/// Runs a plan's step on one item. Built once per run: the phase-identification library is
/// read once, not per item.
public struct BatchStepExecutor: Sendable {
    public let step: BatchStep
    let base: URL
    let library: ReferenceLibrary?

    public init(plan: BatchPlan) throws {
        step = plan.step
        base = plan.base
        if plan.step.verb == .xrdIdentify {
            let inputs = (plan.step.options["candidates"]?.list ?? []).map { BatchInputs.absolute($0, base: plan.base) }
            library = try CandidateLibrary.build(inputs, plan: plan)
        } else {
            library = nil
        }
    }

    func text(_ key: String) -> String? { step.options[key]?.text }
    func number(_ key: String) -> Double? { step.options[key]?.number }

    /// The item's outcome; `stem` is the output path without suffix (`bruker_raw/BT86`).
    public func run(_ item: BatchItem, stem: String) throws -> ItemOutcome {
        let instrument = text("instrument").map { URL(fileURLWithPath: BatchInputs.absolute($0, base: base)) }
        let file = try item.read(instrument: instrument)
        switch step.verb {
        case .read: return try read(file, stem: stem)
        case .convert: return try convert(file, stem: stem)
        case .xas: return try xas(file, item: item, stem: stem)
        case .xrdIdentify: return try identify(file, item: item, stem: stem)
        }
    }

    private func read(_ file: DataFile, stem: String) throws -> ItemOutcome {
        var data = file
        data.scans = try DataFileExport.select(file, group: text("group"))
        var outcome = ItemOutcome(summary: [
            "format": .string(file.format),
            "scans": .number(Double(data.scans.count)),
            "structures": .number(Double(file.structures.count)),
            "kinds": .array(Array(Set(data.scans.map(\.kind.rawValue))).sorted().map(BatchValue.string)),
            "points": .number(Double(data.scans.reduce(0) { $0 + ($1.columns.values.first?.count ?? 0) })),
            "warnings": .number(Double(file.warnings.count)),
        ])
        if step.options["json"]?.flag == true {
            outcome.outputs.append((stem + ".json", Data((DataFileJSON.encode(data) + "\n").utf8)))
        }
        return outcome
    }

    /// As `roentgen convert` into a folder: one output per scan (`stem.xy`, or `stem_scan.xy`
    /// when the file holds several), one `stem.json` per file.
    private func convert(_ file: DataFile, stem: String) throws -> ItemOutcome {
        guard let target = DataFileExport.Target(rawValue: text("to") ?? "") else {
            throw RoentgenError.badParameter("convert needs to: xy, xdi, csv or json")
        }
        let mu = text("mu")
        var outcome = ItemOutcome(summary: ["format": .string(file.format)])
        if target == .json || file.scans.isEmpty {
            outcome.outputs.append((stem + "." + target.rawValue, Data(try DataFileExport.convert(file, to: target, group: text("group"), muExpression: mu).utf8)))
        } else {
            let scans = try DataFileExport.select(file, group: text("group"))
            var used = Set<String>()
            for scan in scans {
                var one = file
                one.scans = [scan]
                var name = scans.count == 1 ? stem : stem + "_" + Self.safeName(scan.name)
                var k = 2
                while used.contains(name) { name = (scans.count == 1 ? stem : stem + "_" + Self.safeName(scan.name)) + "_\(k)"; k += 1 }
                used.insert(name)
                outcome.outputs.append((name + "." + target.rawValue, Data(try DataFileExport.convert(one, to: target, muExpression: mu).utf8)))
            }
        }
        outcome.summary["scans"] = .number(Double(outcome.outputs.count))
        return outcome
    }

    /// A scan name as part of a file name: letters, digits and `-_.+` kept, the rest `_`.
    static func safeName(_ name: String) -> String {
        let kept = name.map { $0.isLetter || $0.isNumber || "-_.+".contains($0) ? $0 : "_" }
        let text = String(kept).trimmingCharacters(in: CharacterSet(charactersIn: "._"))
        return text.isEmpty ? "scan" : text
    }

    /// `roentgen xas analyze --json` on the item: the full report (arrays) as `stem.json`, the
    /// scalars in the record.
    private func xas(_ file: DataFile, item: BatchItem, stem: String) throws -> ItemOutcome {
        guard var scan = file.scans.first(where: { $0.columns["energy"] != nil }) else {
            throw RoentgenError(.badData, "no absorption scan (an energy column) in the file (format \(file.format))", file: item.location)
        }
        if let group = text("group") {
            guard let found = AthenaGroupLookup.scan(named: group, in: file) else {
                throw RoentgenError(.badParameter, "no group '\(group)'; groups: \(file.scans.map(\.name).joined(separator: ", "))", file: item.location)
            }
            scan = found
        }
        let spectrum = try MuSelection.selectMu(scan, expression: text("mu"))
        guard let mu = spectrum.mu else { throw RoentgenError(.badData, "no μ(E) selected", file: item.location) }
        var p = XASParameters()
        p.preEdge = PreEdgeParameters(e0: number("e0"), pre1: number("pre1"), pre2: number("pre2"), norm1: number("norm1"),
                                      norm2: number("norm2"), nnorm: number("nnorm").map { Int($0) })
        if let v = number("rbkg") { p.autobk.rbkg = v }
        if let v = number("bkg_kweight") { p.autobk.kweight = v }
        if let v = number("bkg_kmin") { p.autobk.kmin = v }
        p.autobk.kmax = number("bkg_kmax")
        let shape = text("window").flatMap { TaperShape(name: $0) } ?? .kaiser
        p.transform = ForwardTransformParameters(kmin: number("kmin") ?? 0, kmax: number("kmax") ?? 20, dk: number("dk") ?? 1,
                                                 kweight: number("kweight") ?? 2, window: shape)
        let result: XASResult
        do { result = try XASAnalysis.run(energy: spectrum.energy, mu: mu, parameters: p, source: item.location) } catch var error as RoentgenError {
            if error.file == nil { error.file = item.location }
            throw error
        }
        let provenance = Provenance(file: item.id, sha256: try item.sha256(), reader: file.format, group: scan.name)
        let report = XASReport(result: result, provenance: provenance, muExpression: spectrum.muExpression)
        return ItemOutcome(summary: [
            "group": .string(scan.name), "mu": .text(spectrum.muExpression), "e0": .finite(report.e0),
            "edge_step": .finite(report.edgeStep), "element": .text(report.element), "edge": .text(report.edge),
            "points": .number(Double(report.energy.count)), "chi_points": .number(Double(report.k.count)),
            "exafs_skipped": .text(report.exafsSkipped),
        ], outputs: [(stem + ".json", try BatchJSON.pretty(report))])
    }

    /// `roentgen xrd identify` on the item: the ranking as `stem.json`, the phases in the record.
    private func identify(_ file: DataFile, item: BatchItem, stem: String) throws -> ItemOutcome {
        guard let library else { throw RoentgenError.badParameter("xrd identify needs candidates") }
        guard let pattern = file.scans.lazy.compactMap(\.diffractionPattern).first else {
            throw RoentgenError(.badData, "no diffraction scan (two_theta, intensity) in the file (format \(file.format))", file: item.location)
        }
        var options = IdentificationOptions()
        if let range = text("range") {
            let parts = range.split(separator: ":").compactMap { Double($0) }
            guard parts.count == 2, parts[0] < parts[1] else { throw RoentgenError.badParameter("range '\(range)' not understood (start:end in degrees)") }
            options.window = parts[0]...parts[1]
        }
        if let v = number("max_shift") { options.maxShift = v }
        if let w = text("wavelength") { options.wavelength = try WavelengthSpec.parse(w) }
        let top = Int(number("top") ?? 10)
        options.refineCount = max(options.refineCount, top)
        let result: IdentificationResult
        do { result = try PhaseIdentifier.identify(pattern, library: library, options: options) } catch var error as RoentgenError {
            if error.file == nil { error.file = item.location }
            throw error
        }
        let phases: [BatchValue] = result.phases.map {
            .object(["candidate": .string($0.name), "formula": .string($0.formula), "fraction": .finite($0.fraction), "shift": .finite($0.shift)])
        }
        let ranking: [BatchValue] = result.ranking.prefix(top).map {
            .object(["candidate": .string($0.name), "score": .finite($0.score), "shift": .finite($0.shift), "present": .bool($0.present),
                     "formula": .string(library.formulas[$0.index])])
        }
        let document: [String: BatchValue] = ["file": .string(item.id), "wavelength": .finite(result.wavelength), "fwhm": .finite(result.fwhm),
                                              "residual": .finite(result.residual), "phases": .array(phases), "ranking": .array(ranking)]
        return ItemOutcome(summary: ["wavelength": .finite(result.wavelength), "phases": .array(phases)],
                           outputs: [(stem + ".json", try BatchJSON.pretty(document))])
    }
}

/// The candidates of `xrd identify` in a plan: CIF files, folders of CIFs, zip/tar archives of
/// CIFs, or `.rxl` libraries (`roentgen xrd library`). A CIF that cannot be used is an error
/// naming it: a plan's candidate list is fixed, and every item must be compared with the same one.
enum CandidateLibrary {
    static func build(_ inputs: [String], plan: BatchPlan) throws -> ReferenceLibrary {
        var library = ReferenceLibrary()
        var files: [String] = []
        for input in inputs {
            if BatchInputs.isFolder(input) {
                files += BatchInputs.files(under: input, recursive: false).filter { !$0.lowercased().hasSuffix(".md") }.map { input + "/" + $0 }
            } else {
                guard FileManager.default.fileExists(atPath: input) else {
                    throw RoentgenError(.notFound, "candidate '\(input)' does not exist", file: plan.file, line: plan.step.line)
                }
                files.append(input)
            }
        }
        for file in files {
            let url = URL(fileURLWithPath: file)
            if file.lowercased().hasSuffix(".rxl") {
                guard let data = FileManager.default.contents(atPath: file) else { throw RoentgenError(.io, "file is not readable", file: file) }
                library.append(contentsOf: try ReferenceLibrary(serialized: data, file: file))
            } else {
                let structures = try FormatRegistry.read(url).structures
                guard !structures.isEmpty else { throw RoentgenError(.badData, "no crystal structure in the candidate file", file: file) }
                let name = BatchInputs.relative(file, to: plan.base.standardizedFileURL.path)
                for s in structures { try library.append(name: structures.count == 1 ? name : "\(name)!/\(s.name)", structure: s) }
            }
        }
        guard library.count > 0 else { throw RoentgenError(.badParameter, "no candidates found in \(inputs.joined(separator: ", "))", file: plan.file, line: plan.step.line) }
        return library
    }
}
