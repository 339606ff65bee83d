import Foundation
import XrayCore

/// Conversions of read files to other formats (`roentgen convert`).
public enum DataFileExport {
    /// Target formats of `roentgen convert --to`.
    public enum Target: String, CaseIterable, Sendable {
        case xdi, xy, csv, json
    }

    /// Converts `file` (one scan chosen with `group` if it holds several) to `target` text.
    ///
    /// - xdi: absorption scans only (needs an `energy` column); every column and metadata field.
    /// - xy: diffraction → `two_theta intensity [esd]`; absorption → `energy mu`, μ from
    ///   `muExpression` or the default choice; other data (G(r), Q-axis, χ(k)) → its first two columns.
    /// - csv: every column, a header row of names.
    /// - json: `DataFileJSON` of the chosen scan(s).
    public static func convert(_ file: DataFile, to target: Target, group: String? = nil, muExpression: String? = nil) throws -> String {
        if file.scans.isEmpty && !file.structures.isEmpty {
            // A structure file: JSON only (there is no measured pattern to write as columns).
            var copy = file
            copy.structures = try selectStructures(file, name: group)
            guard target == .json else {
                throw RoentgenError(.badParameter, "a crystal structure holds no measured pattern to write as \(target.rawValue); `--to json` writes the structure, `roentgen xrd simulate \(file.file)` computes its powder pattern", file: file.file)
            }
            return DataFileJSON.encode(copy) + "\n"
        }
        let scans = try select(file, group: group)
        if target == .json {
            var copy = file
            copy.scans = try scans.map { try withMu($0, expression: muExpression, required: false) }
            return DataFileJSON.encode(copy) + "\n"
        }
        guard scans.count == 1, let scan = scans.first else {
            throw RoentgenError.badParameter("\(file.file) holds \(scans.count) scans (\(scans.map(\.name).joined(separator: ", "))); choose one with --group, or give -o a folder (ending in /) for one output per scan")
        }
        switch target {
        case .xdi:
            guard scan.columns["energy"] != nil else {
                throw RoentgenError.badParameter("\(file.file): scan '\(scan.name)' has no energy column; XDI is for absorption data (try --to xy or csv)")
            }
            let s = try withMu(scan, expression: muExpression, required: false)
            return XDIWriter.write(s)
        case .xy:
            if let tth = scan.columns["two_theta"], let intensity = scan.columns["intensity"] {
                var cols = [tth, intensity]
                var header = "# two_theta intensity"
                if let esd = scan.columns["esd"] { cols.append(esd); header += " esd" }
                return table(cols, header: header, separator: " ")
            }
            guard let energy = scan.columns["energy"] else {
                // Other x–y data (G(r), Q-axis patterns, χ(k), pixel-indexed): its first two columns.
                guard scan.columns.count >= 2 else {
                    throw RoentgenError.badParameter("\(file.file): scan '\(scan.name)' has fewer than two columns; .xy needs x and y")
                }
                let names = Array(scan.columns.keys.prefix(2))
                return table(names.map { scan.columns[$0]! }, header: "# " + names.joined(separator: " "), separator: " ")
            }
            let spectrum = try MuSelection.selectMu(scan, expression: muExpression)
            return table([energy, spectrum.mu ?? []], header: "# energy mu   (mu = \(spectrum.muExpression ?? ""))", separator: " ")
        case .csv:
            let s = try withMu(scan, expression: muExpression, required: false)
            return table(Array(s.columns.values), header: s.columns.keys.map(csvField).joined(separator: ","), separator: ",")
        case .json:
            return ""
        }
    }

    /// The scans named by `group` (label, Larch name or key; all scans if nil).
    public static func select(_ file: DataFile, group: String?) throws -> [Scan] {
        guard let group else { return file.scans }
        if let scan = AthenaGroupLookup.scan(named: group, in: file) { return [scan] }
        // A series' name without `[k]` (an HDF5 stack): every frame.
        let prefix = group.lowercased() + "["
        let frames = file.scans.filter { $0.metadata["frame"] != nil && $0.name.lowercased().hasPrefix(prefix) }
        if !frames.isEmpty { return frames }
        throw RoentgenError(.notFound, "no group '\(group)'; the groups are: \(file.scans.map { "\($0.name) (\(AthenaGroupLookup.larchName($0.name)))" }.joined(separator: ", "))", file: file.file)
    }

    /// The structures named `name` (all if nil) of a structure file.
    public static func selectStructures(_ file: DataFile, name: String?) throws -> [CrystalStructure] {
        guard let name else { return file.structures }
        let found = file.structures.filter { $0.name == name || $0.name.lowercased() == name.lowercased() }
        guard !found.isEmpty else {
            throw RoentgenError(.notFound, "no structure '\(name)'; the structures are: \(file.structures.map(\.name).joined(separator: ", "))", file: file.file)
        }
        return found
    }

    /// The scan with a `mu` column from `expression` (kept as is if no expression and not required).
    public static func withMu(_ scan: Scan, expression: String?, required: Bool) throws -> Scan {
        guard expression != nil || required, scan.columns["energy"] != nil else { return scan }
        let spectrum = try MuSelection.selectMu(scan, expression: expression)
        var s = scan
        if let mu = spectrum.mu, spectrum.muExpression != "mu" { s.columns["mu"] = mu }
        s.metadata["mu_expression"] = spectrum.muExpression
        return s
    }

    static func csvField(_ s: String) -> String {
        s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    static func table(_ columns: [[Double]], header: String, separator: String) -> String {
        let rows = columns.map(\.count).min() ?? 0
        var out = header + "\n"
        out.reserveCapacity(rows * columns.count * 20)
        for r in 0..<rows {
            for (c, col) in columns.enumerated() {
                if c > 0 { out += separator }
                out += col[r].isNaN ? "nan" : "\(col[r])"
            }
            out += "\n"
        }
        return out
    }
}

/// The table of registered readers (`roentgen formats`, the README).
public enum FormatTable {
    public struct Row: Sendable {
        public var id: String
        public var kind: String
        public var suffixes: String
        public var name: String
    }

    public static var rows: [Row] {
        FormatRegistry.readers.map { Row(id: $0.id, kind: $0.kind.rawValue, suffixes: $0.suffixes.joined(separator: " "), name: $0.name) }
            .sorted { ($0.kind, $0.id) < ($1.kind, $1.id) }
    }

    /// A plain-text table with aligned columns.
    public static func text() -> String {
        let header = Row(id: "id", kind: "kind", suffixes: "suffixes", name: "format")
        let all = [header] + rows
        let w0 = all.map(\.id.count).max() ?? 0, w1 = all.map(\.kind.count).max() ?? 0, w2 = all.map(\.suffixes.count).max() ?? 0
        func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(0, w - s.count)) }
        return all.map { "\(pad($0.id, w0))  \(pad($0.kind, w1))  \(pad($0.suffixes, w2))  \($0.name)" }.joined(separator: "\n") + "\n"
    }

    /// A Markdown table for the README.
    public static func markdown() -> String {
        "| id | kind | suffixes | format |\n| --- | --- | --- | --- |\n" +
            rows.map { "| `\($0.id)` | \($0.kind) | \($0.suffixes) | \($0.name) |" }.joined(separator: "\n") + "\n"
    }
}
