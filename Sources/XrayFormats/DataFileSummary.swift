import Foundation
import XrayCore

/// The human-readable summary `roentgen read` prints.
public enum DataFileSummary {
    /// One block per scan: points, axis range, columns, μ choice (absorption) or radiation
    /// (diffraction), then the warnings. `muExpression` overrides the default μ choice.
    public static func text(_ file: DataFile, muExpression: String? = nil) -> String {
        let readerName = FormatRegistry.readers.first { $0.id == file.format }?.name ?? file.format
        var out = "\(file.file): \(readerName) [\(file.format)], \(file.scans.count) scan\(file.scans.count == 1 ? "" : "s")\n"
        for (i, scan) in file.scans.enumerated() {
            let n = scan.columns.values.first?.count ?? 0
            out += "  \(i + 1). \(scan.name): \(n) points"
            if let e = scan.columns["energy"], let lo = e.min(), let hi = e.max() {
                out += ", energy \(format(lo))–\(format(hi)) eV"
            } else if let t = scan.columns["two_theta"], let lo = t.min(), let hi = t.max() {
                out += ", 2θ \(format(lo))–\(format(hi))°"
            }
            out += "\n     columns: \(scan.columns.keys.joined(separator: ", "))\n"
            if scan.columns["energy"] != nil {
                do {
                    let s = try MuSelection.selectMu(scan, expression: muExpression)
                    out += "     μ(E) = \(s.muExpression ?? "")\(muExpression == nil ? " (default choice; change with --mu)" : "")\n"
                } catch {
                    out += "     μ(E): \(error)\n"
                }
            }
            if let r = scan.radiation {
                var text = "\(r.anode ?? "λ") \(r.kAlpha1.map { "\($0) Å" } ?? "")"
                if let k2 = r.kAlpha2 { text += ", Kα2 \(k2) Å" + (r.kAlpha2Ratio.map { " (ratio \($0))" } ?? "") }
                out += "     radiation: \(text)\n"
            }
            for key in ["Element.symbol", "Element.edge", "Sample.name", "bkg_e0"] {
                if let v = scan.metadata[key] { out += "     \(key): \(v)\n" }
            }
        }
        for w in file.warnings { out += "  warning: \(w)\n" }
        return out
    }

    static func format(_ x: Double) -> String {
        if x == x.rounded() && abs(x) < 1e9 { return String(Int(x)) }
        return abs(x) >= 0.1 && abs(x) < 1e7 ? String(format: "%.2f", x) : String(format: "%.4g", x)
    }
}
