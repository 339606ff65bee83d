import Foundation
import XrayCore

/// Writes a scan as XDI 1.0 text that `XDIReader` (and libxdifile/Larch) read back.
///
/// `energy` (eV) is written first. Namespaced metadata (`Family.key`) is written as header
/// fields; keys without a namespace go under `Roentgen.<key>` with the key reduced to word
/// characters; `XDI.comments` become the user comments. Numbers are written as the shortest
/// text that reads back to the same Double, so a round trip is exact. Rows holding NaN or
/// infinity are left out (XDI allows only numbers) and counted in a user comment.
public enum XDIWriter {
    public static func write(_ scan: Scan, extraVersion: String = "Roentgen/0.1") -> String {
        var out = "# XDI/1.0 \(extraVersion)\n"
        var names = Array(scan.columns.keys)
        if let e = names.firstIndex(of: "energy"), e != 0 {
            names.remove(at: e)
            names.insert("energy", at: 0)
        }
        let safeNames = names.map { xdiWord($0) }
        for (i, name) in names.enumerated() {
            let unit = scan.units[name].map { " \(xdiWord($0))" } ?? ""
            out += "# Column.\(i + 1): \(safeNames[i])\(unit)\n"
        }
        for (key, value) in scan.metadata {
            if key.hasPrefix("XDI.") || key.lowercased().hasPrefix("column.") { continue }
            let v = value.replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
            if v.isEmpty { continue }
            let parts = key.split(separator: ".", omittingEmptySubsequences: false)
            let field: String
            if parts.count == 2, let f = parts[0].first, f.isLetter, !parts[1].isEmpty,
               parts.allSatisfy({ $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } }) {
                field = key
            } else {
                field = "Roentgen." + xdiWord(key.replacingOccurrences(of: ".", with: "_"))
            }
            out += "# \(field): \(v)\n"
        }
        out += "# ///\n"
        if let comments = scan.metadata["XDI.comments"] {
            for line in comments.split(separator: "\n", omittingEmptySubsequences: false) { out += "# \(line)\n" }
        }
        let columns = names.map { scan.columns[$0] ?? [] }
        let rows = columns.map(\.count).min() ?? 0
        // XDI has no NaN or infinity: rows holding one are left out, and counted in a comment.
        let finiteRows = (0..<rows).filter { r in columns.allSatisfy { $0[r].isFinite } }
        if finiteRows.count < rows {
            out += "# \(rows - finiteRows.count) row(s) with NaN or infinite values left out (XDI allows only numbers)\n"
        }
        out += "#----\n# " + safeNames.joined(separator: " ") + "\n"
        out.reserveCapacity(out.utf8.count + rows * columns.count * 24)
        for r in finiteRows {
            var line = ""
            for (c, column) in columns.enumerated() {
                if c > 0 { line += " " }
                line += formatNumber(column[r])
            }
            out += line + "\n"
        }
        return out
    }

    /// Shortest text that reads back to the same Double.
    static func formatNumber(_ x: Double) -> String { "\(x)" }

    /// A label reduced to XDI word characters (letters, digits, `_`).
    static func xdiWord(_ s: String) -> String {
        let w = String(s.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
        return w.isEmpty ? "_" : w
    }
}
