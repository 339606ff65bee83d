import Foundation
import XrayCore

/// The JSON form of a `DataFile`, as `roentgen read --json` prints it:
///
/// ```json
/// {"format": "xdi", "scans": [{"name": …, "columns": {"energy": [..], …}, "units": {…},
///   "radiation": {…}, "metadata": {…}}], "warnings": [...]}
/// ```
/// exactly the shape issue 3 specifies (`radiation` is `{}` for absorption scans; its keys are
/// `anode`, `k_alpha1`, `k_alpha2`, `k_alpha2_ratio`, `k_beta`, wavelengths in Å). Structure
/// files (CIF) have no scans and a `structures` array before `warnings` (see `structure(_:)`).
/// Column and metadata order follow the file. Non-finite numbers are written as `null`
/// (JSON has no NaN); finite numbers use the shortest text that reads back to the same Double.
public enum DataFileJSON {
    public static func encode(_ file: DataFile) -> String {
        var out = ""
        out.reserveCapacity(file.scans.reduce(256) { $0 + $1.columns.values.reduce(0) { $0 + $1.count * 20 } })
        out += "{\"format\": \(quoted(file.format)), \"scans\": ["
        for (s, scan) in file.scans.enumerated() {
            if s > 0 { out += ", " }
            out += "{\"name\": \(quoted(scan.name)), \"columns\": {"
            for (c, (name, values)) in scan.columns.enumerated() {
                if c > 0 { out += ", " }
                out += quoted(name) + ": ["
                for (i, v) in values.enumerated() {
                    if i > 0 { out += ", " }
                    out += v.isFinite ? "\(v)" : "null"
                }
                out += "]"
            }
            out += "}, \"units\": {"
            out += scan.units.sorted { $0.key < $1.key }.map { "\(quoted($0.key)): \(quoted($0.value))" }.joined(separator: ", ")
            out += "}, \"radiation\": \(radiation(scan.radiation)), \"metadata\": {"
            out += scan.metadata.map { "\(quoted($0.key)): \(quoted($0.value))" }.joined(separator: ", ")
            out += "}}"
        }
        out += "]"
        if !file.structures.isEmpty {
            out += ", \"structures\": [" + file.structures.map(structure).joined(separator: ", ") + "]"
        }
        if !file.images.isEmpty {
            out += ", \"images\": [" + file.images.map(DetectorImageSummary.json).joined(separator: ", ") + "]"
        }
        out += ", \"warnings\": [" + file.warnings.map(quoted).joined(separator: ", ") + "]}"
        return out
    }

    /// A crystal structure: `name`, `formula` (unit-cell contents), `cell` (Å, degrees, Å³),
    /// `space_group` (`symbol`, `number`, null where unknown), `operations` as x,y,z strings with
    /// `operations_source` (`cif` or `table`), and the asymmetric-unit `sites` (fractional
    /// coordinates, occupancy, `u_iso` in Å², `u_aniso` as U11 U22 U33 U12 U13 U23 in Å²).
    static func structure(_ s: CrystalStructure) -> String {
        func number(_ x: Double?) -> String { x.flatMap { $0.isFinite ? "\($0)" : nil } ?? "null" }
        let cell = s.cell
        var out = "{\"name\": \(quoted(s.name)), \"formula\": \(quoted(s.cellFormula)), \"cell\": {"
        out += "\"a\": \(number(cell.a)), \"b\": \(number(cell.b)), \"c\": \(number(cell.c)), "
        out += "\"alpha\": \(number(cell.alpha)), \"beta\": \(number(cell.beta)), \"gamma\": \(number(cell.gamma)), "
        out += "\"volume\": \(number(cell.volume))}, "
        out += "\"space_group\": {\"symbol\": \(s.spaceGroupSymbol.map(quoted) ?? "null"), \"number\": \(s.spaceGroupNumber.map(String.init) ?? "null")}, "
        out += "\"operations_source\": \(quoted(s.operationsSource)), "
        out += "\"operations\": [" + s.operations.map { quoted($0.xyz) }.joined(separator: ", ") + "], \"sites\": ["
        out += s.sites.map { site in
            var fields = ["\"label\": \(quoted(site.label))", "\"type_symbol\": \(quoted(site.typeSymbol))",
                          "\"element\": \(quoted(site.element.symbol))", "\"charge\": \(site.charge)",
                          "\"x\": \(number(site.fract.x))", "\"y\": \(number(site.fract.y))", "\"z\": \(number(site.fract.z))",
                          "\"occupancy\": \(number(site.occupancy))", "\"u_iso\": \(number(site.uIso))"]
            fields.append("\"u_aniso\": " + (site.uAniso.map { "[" + $0.map { number($0) }.joined(separator: ", ") + "]" } ?? "null"))
            return "{" + fields.joined(separator: ", ") + "}"
        }.joined(separator: ", ")
        return out + "]}"
    }

    static func radiation(_ r: Radiation?) -> String {
        guard let r else { return "{}" }
        var parts: [String] = []
        if let a = r.anode { parts.append("\"anode\": \(quoted(a))") }
        if let v = r.kAlpha1 { parts.append("\"k_alpha1\": \(v)") }
        if let v = r.kAlpha2 { parts.append("\"k_alpha2\": \(v)") }
        if let v = r.kAlpha2Ratio { parts.append("\"k_alpha2_ratio\": \(v)") }
        if let v = r.kBeta { parts.append("\"k_beta\": \(v)") }
        return "{" + parts.joined(separator: ", ") + "}"
    }

    /// A JSON string literal.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    out += String(format: "\\u%04x", u.value)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
