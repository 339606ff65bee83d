import Foundation
import XrayCore
import XrayFormats

/// The labels and metadata of one pattern of an ML dataset (empty strings where unknown).
public struct MLLabels: Sendable, Codable, Equatable {
    /// `file` for a file with one pattern, `file[k]` (0-based) for the k-th of several.
    public var id: String
    public var split: String
    /// The input file: its path below the input named on the command line, with a folder's name first.
    public var file: String
    public var source: String
    public var doi: String
    public var formula: String
    public var spaceGroup: String
    /// Phases named by the file (formulas, `; `-separated).
    public var phases: String
    public var licence: String
    /// The pattern's own wavelength, Å (NaN when the file gives none).
    public var wavelength: Double
    public var coverage: Double
    /// The measured range in the file's own 2θ, degrees.
    public var twoThetaMin: Double
    public var twoThetaMax: Double

    enum CodingKeys: String, CodingKey {
        case id, split, file, source, doi, formula, spaceGroup = "space_group", phases, licence, wavelength, coverage
        case twoThetaMin = "two_theta_min", twoThetaMax = "two_theta_max"
    }

    /// Formula, space group, phases, DOI, licence and source from a reader's flattened metadata
    /// (opXRD: `powder_experiment.phases.0.chemical_composition`, `….spacegroup`; CIF-like
    /// `chemical_formula_sum`, `space_group_name_H-M`; any key naming a DOI or licence).
    static func from(_ metadata: Metadata) -> (formula: String, spaceGroup: String, phases: [String], doi: String, licence: String, source: String) {
        var formulas: [String] = [], groups: [String] = [], doi = "", licence = "", source = ""
        for (key, raw) in metadata {
            let value = Self.trimmed(raw)
            guard !value.isEmpty, value != "null", value != "None" else { continue }
            // Keys are ASCII paths (`powder_experiment.phases.0.spacegroup`): compared byte-wise,
            // lower-cased only when they hold a capital (every pattern has dozens of keys).
            let k = Self.asciiLowercased(key)
            let last = k.utf8.lastIndex(of: UInt8(ascii: ".")).map { String(k[k.index(after: $0)...]) } ?? k
            if Self.formulaKeys.contains(last) {
                if !formulas.contains(value) { formulas.append(value) }
            } else if Self.spaceGroupKeys.contains(last) {
                if !groups.contains(value) { groups.append(value) }
            } else if doi.isEmpty && Self.bytes(k, contain: "doi") {
                doi = value
            } else if licence.isEmpty && Self.bytes(k, contain: "licen") {
                licence = value
            } else if source.isEmpty && Self.sourceKeys.contains(last) {
                source = value
            }
        }
        return (formulas.first ?? "", groups.first ?? "", formulas, doi, licence, source)
    }

    static let formulaKeys: Set<String> = ["chemical_composition", "formula", "chemical_formula", "chemical_formula_sum", "composition", "formula_sum"]
    static let spaceGroupKeys: Set<String> = ["spacegroup", "space_group", "space_group_symbol", "spacegroup_symbol", "space_group_name_h-m",
                                              "space_group_name_h-m_alt", "symmetry_space_group_name_h-m"]
    static let sourceKeys: Set<String> = ["institution", "contributor_name", "source", "facility", "instrument.source"]

    /// `s` without leading and trailing spaces and tabs (`s` itself when it has none).
    static func trimmed(_ s: String) -> String {
        let u = s.utf8
        guard let first = u.first, let last = u.last else { return s }
        func blank(_ b: UInt8) -> Bool { b == 32 || b == 9 }
        guard blank(first) || blank(last) else { return s }
        return s.trimmingCharacters(in: .whitespaces)
    }

    /// `s` with ASCII capitals lower-cased (`s` itself when it has none).
    static func asciiLowercased(_ s: String) -> String {
        s.utf8.contains { $0 >= 65 && $0 <= 90 } ? s.lowercased() : s
    }

    /// Whether the UTF-8 bytes of `s` contain those of `needle`.
    static func bytes(_ s: String, contain needle: StaticString) -> Bool {
        let n = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        let u = Array(s.utf8)
        guard u.count >= n.count, let head = n.first else { return n.isEmpty }
        for i in 0...(u.count - n.count) where u[i] == head {
            var j = 1
            while j < n.count, u[i + j] == n[j] { j += 1 }
            if j == n.count { return true }
        }
        return false
    }
}

/// An ML dataset in memory: patterns on one grid (row-major float32), their labels, and what failed.
public struct MLDataset: Sendable {
    public var options: MLExportOptions
    public var grid: [Double]
    /// rows × grid.count intensities.
    public var x: [Float]
    public var labels: [MLLabels]
    /// Inputs (or patterns) left out, with the reason.
    public var failures: [(input: String, error: String)]
    /// Input files read.
    public var files: Int

    public var rows: Int { labels.count }
}

/// Builds ML datasets from pattern files (every format the readers know, xrdpattern / opXRD JSON
/// among them); files are read in parallel, rows sorted by id so the result does not depend on
/// the order or the number of threads.
public enum MLExport {
    public static func build(inputs: [String], options: MLExportOptions, base: URL? = nil) throws -> MLDataset {
        try options.validate()
        let cwd = base ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        // Ids are paths below each input, prefixed with a folder input's own name
        // (`bruker_raw/BT86.raw`), so they do not depend on where the data sit on a machine.
        var items: [BatchItem] = []
        var seen: [String: String] = [:]
        for input in inputs {
            let plan = BatchPlan(file: "(export inputs)", base: cwd, inputs: [BatchInputSpec(kind: .file, path: input)], step: BatchStep(verb: .read))
            let absolute = BatchInputs.absolute(input, base: cwd)
            let prefix = BatchInputs.isFolder(absolute) ? URL(fileURLWithPath: absolute).lastPathComponent + "/" : ""
            for var item in try BatchInputs.items(of: plan) {
                item.name = prefix + item.name
                if let other = seen[item.name], other != item.location {
                    throw RoentgenError.badParameter("two inputs give the same pattern id '\(item.name)' (\(other) and \(item.location)); rename a folder")
                }
                guard seen[item.name] == nil else { continue }
                seen[item.name] = item.location
                items.append(item)
            }
        }
        guard !items.isEmpty else { throw RoentgenError.badParameter("no input files in \(inputs.joined(separator: ", "))") }
        let width = options.grid.count
        let work = items
        // Every item read and resampled on all cores; the single pattern of a file (the usual
        // case) is resampled straight into its row of X (row = item index), so X is not copied
        // when the ids' order is the items' order and nothing failed.
        var outcomes = [MLItemOutcome](repeating: MLItemOutcome(), count: work.count)
        var x = [Float](unsafeUninitializedCapacity: work.count * width) { buffer, initialized in
            let rowsOut = UnsafeMutableSendableBuffer(buffer)
            outcomes.withUnsafeMutableBufferPointer { slots in
                let slots = UnsafeMutableSendableBuffer(slots)
                DispatchQueue.concurrentPerform(iterations: work.count) { i in
                    let row = UnsafeMutableBufferPointer(rebasing: rowsOut.buffer[(i * width)..<((i + 1) * width)])
                    slots.buffer[i] = process(work[i], options: options, row: row)
                }
            }
            initialized = work.count * width
        }
        // Rows in id order: (item, pattern k) of each row; k == -1 for a row already in place.
        var order: [(id: String, item: Int, k: Int)] = []
        order.reserveCapacity(work.count)
        for (i, o) in outcomes.enumerated() {
            if o.inPlace { order.append((o.rows[0].labels.id, i, -1)) } else { for k in o.rows.indices { order.append((o.rows[k].labels.id, i, k)) } }
        }
        let inPlace = order.count == work.count && order.allSatisfy { $0.k == -1 }
            && zip(order, order.dropFirst()).allSatisfy { $0.id < $1.id }
        if !inPlace {
            order.sort { $0.id < $1.id }
            let sorted = order, results = outcomes, source = x
            x = [Float](unsafeUninitializedCapacity: sorted.count * width) { buffer, initialized in
                let out = UnsafeMutableSendableBuffer(buffer)
                DispatchQueue.concurrentPerform(iterations: max(1, min(64, sorted.count))) { c in
                    let per = (sorted.count + 63) / 64
                    for r in (c * per)..<min(sorted.count, (c + 1) * per) {
                        let (_, i, k) = sorted[r]
                        let target = UnsafeMutableBufferPointer(rebasing: out.buffer[(r * width)..<((r + 1) * width)])
                        if k == -1 {
                            source.withUnsafeBufferPointer { _ = target.initialize(from: $0[(i * width)..<((i + 1) * width)]) }
                        } else {
                            results[i].rows[k].values.withUnsafeBufferPointer { _ = target.initialize(from: $0) }
                        }
                    }
                }
                initialized = sorted.count * width
            }
        }
        let labels = order.map { outcomes[$0.item].rows[max(0, $0.k)].labels }
        let failures = outcomes.flatMap(\.failures).sorted { $0.0 < $1.0 }
        return MLDataset(options: options, grid: options.grid.values, x: x, labels: labels,
                         failures: failures.map { (input: $0.0, error: $0.1) }, files: items.count)
    }

    /// Reads one item and resamples its patterns: a single pattern into `row` (the outcome is
    /// then `inPlace`, its row's `values` empty), several into rows of their own.
    static func process(_ item: BatchItem, options: MLExportOptions, row: UnsafeMutableBufferPointer<Float>) -> MLItemOutcome {
        var outcome = MLItemOutcome()
        let file: DataFile
        do { file = try item.read(plausibility: false) } catch {
            outcome.failures.append((item.name, describe(error, item)))
            return outcome
        }
        let patterns = file.scans.compactMap(\.diffractionPattern)
        if patterns.isEmpty {
            outcome.failures.append((item.name, "\(item.location): no diffraction pattern (two_theta, intensity) in the file (format \(file.format))"))
        }
        for (k, pattern) in patterns.enumerated() {
            let id = patterns.count == 1 ? item.name : "\(item.name)[\(k)]"
            do {
                let r: (coverage: Double, wavelength: Double?)
                var values: [Float] = []
                if patterns.count == 1 {
                    r = try MLResampling.resample(pattern, options: options, source: item.location, into: row)
                } else {
                    let full = try MLResampling.resample(pattern, options: options, source: item.location)
                    r = (full.coverage, full.wavelength)
                    values = full.values
                }
                let m = MLLabels.from(pattern.metadata)
                var lo = Double.infinity, hi = -Double.infinity
                for t in pattern.twoTheta where t.isFinite { lo = min(lo, t); hi = max(hi, t) }
                let labels = MLLabels(id: id, split: options.split.map { MLSplit.names[$0.index(of: id)] } ?? "", file: item.name,
                                      source: m.source.isEmpty ? (options.source ?? String(item.name.split(separator: "/").first ?? "")) : m.source,
                                      doi: m.doi.isEmpty ? (options.doi ?? "") : m.doi, formula: m.formula, spaceGroup: m.spaceGroup,
                                      phases: m.phases.joined(separator: "; "), licence: m.licence.isEmpty ? (options.licence ?? "") : m.licence,
                                      wavelength: r.wavelength ?? .nan, coverage: r.coverage,
                                      twoThetaMin: lo <= hi ? lo : .nan, twoThetaMax: lo <= hi ? hi : .nan)
                outcome.rows.append(MLRow(labels: labels, values: values))
                outcome.inPlace = patterns.count == 1
            } catch {
                outcome.failures.append((id, describe(error, item)))
            }
        }
        return outcome
    }

    static func describe(_ error: Error, _ item: BatchItem) -> String {
        (error as? RoentgenError).map { $0.file == nil ? "\(item.location): \($0)" : "\($0)" } ?? "\(item.location): \(error)"
    }
}

struct MLRow: Sendable { var labels: MLLabels; var values: [Float] }
struct MLItemOutcome: Sendable {
    var rows: [MLRow] = []
    var failures: [(String, String)] = []
    /// The one row's values are in the item's row of X.
    var inPlace = false
}

/// A buffer shared by `concurrentPerform`'s iterations, each writing its own index only.
struct UnsafeMutableSendableBuffer<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<T>
    init(_ buffer: UnsafeMutableBufferPointer<T>) { self.buffer = buffer }
}
