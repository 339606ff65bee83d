import Foundation
import XrayCore

/// The JSON form of a `DataFile`, as `roentgen read --json` prints it:
///
/// ```json
/// {"format": "xdi", "scans": [{"name": …, "columns": {"energy": [..], …}, "units": {…},
///   "radiation": {…}, "metadata": {…}}], "warnings": [...]}
/// ```
/// exactly the shape issue 3 specifies (`radiation` is `{}` for absorption scans; its keys are
/// `anode`, `k_alpha1`, `k_alpha2`, `k_alpha2_ratio`, `k_beta`, wavelengths in Å).
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
        out += "], \"warnings\": [" + file.warnings.map(quoted).joined(separator: ", ") + "]}"
        return out
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
