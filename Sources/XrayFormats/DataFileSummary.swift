import Foundation
import XrayCore

/// The human-readable summary `roentgen read` prints.
public enum DataFileSummary {
    /// One block per scan: points, axis range, columns, μ choice (absorption) or radiation
    /// (diffraction), then the warnings. `muExpression` overrides the default μ choice.
    public static func text(_ file: DataFile, muExpression: String? = nil) -> String {
        let readerName = FormatRegistry.readers.first { $0.id == file.format }?.name ?? file.format
        if !file.structures.isEmpty && file.scans.isEmpty {
            return structures(file, readerName: readerName)
        }
        if !file.images.isEmpty && file.scans.isEmpty {
            return DetectorImageSummary.text(file, readerName: readerName)
        }
        var out = "\(file.file): \(readerName) [\(file.format)], \(file.scans.count) scan\(file.scans.count == 1 ? "" : "s")\n"
        // A long series of frames (an HDF5 stack) shows its first three and last frames.
        func series(_ scan: Scan) -> Substring? {
            guard scan.metadata["frame"] != nil, let bracket = scan.name.lastIndex(of: "[") else { return nil }
            return scan.name[..<bracket]
        }
        let names = file.scans.map(series)
        var runStart = [Int](repeating: 0, count: names.count), runEnd = [Int](repeating: 0, count: names.count)
        for i in names.indices { runStart[i] = i > 0 && names[i] != nil && names[i] == names[i - 1] ? runStart[i - 1] : i }
        for i in names.indices.reversed() { runEnd[i] = i + 1 < names.count && names[i] != nil && names[i] == names[i + 1] ? runEnd[i + 1] : i }
        for (i, scan) in file.scans.enumerated() {
            let name = names[i]
            let (runStart, runEnd) = (runStart[i], runEnd[i])
            if runEnd - runStart + 1 > 6 && i - runStart >= 3 && i < runEnd {
                if i - runStart == 3, let name {
                    out += "  … \(runEnd - runStart - 3) more frames of \(name) (\(i + 1)–\(runEnd)); --group '\(name)[k]' shows one\n"
                }
                continue
            }
            let n = scan.columns.values.first?.count ?? 0
            // Archive entries say which reader took them.
            let entryFormat = scan.metadata["entry format"].map { " [\($0)]" } ?? ""
            out += "  \(i + 1). \(scan.name)\(entryFormat): \(n) points"
            if let e = scan.columns["energy"], let lo = e.min(), let hi = e.max() {
                out += ", energy \(format(lo))–\(format(hi)) eV"
            } else if let t = scan.columns["two_theta"], let lo = t.min(), let hi = t.max() {
                out += ", 2θ \(format(lo))–\(format(hi))°"
            } else if let name = scan.columns.keys.first, let axis = scan.columns[name], ["r", "q", "k"].contains(name),
                      let lo = axis.min(), let hi = axis.max() {
                // G(r), F(Q) … (total scattering) and χ(k) files: the axis in Å or Å⁻¹.
                out += ", \(name == "q" ? "Q" : name) \(format(lo))–\(format(hi)) \(scan.units[name] ?? (name == "r" ? "Å" : "Å^-1"))"
                if let quantity = scan.metadata["quantity"] { out += ", \(quantity)" }
            }
            out += "\n     columns: \(scan.columns.keys.joined(separator: ", "))\n"
            if scan.columns["energy"] != nil {
                do {
                    let s = try MuSelection.selectMu(scan, expression: muExpression)
                    out += "     μ(E) = \(s.muExpression ?? "")\(muExpression == nil ? " (default choice; change with --mu)" : "")\n"
                    // Which columns a sum(PATTERN) / mean(PATTERN) took.
                    if let text = s.muExpression, let expression = try? MuExpression(text) {
                        for (pattern, names) in expression.aggregatedColumns(Array(scan.columns.keys)).sorted(by: { $0.key < $1.key }) {
                            out += "       \(pattern): \(names.joined(separator: ", "))\n"
                        }
                    }
                } catch {
                    out += "     μ(E): \(error)\n"
                }
            }
            if let r = scan.radiation {
                var text = "\(r.anode ?? "λ") \(r.kAlpha1.map { "\($0) Å" } ?? "")"
                if let k2 = r.kAlpha2 { text += ", Kα2 \(k2) Å" + (r.kAlpha2Ratio.map { " (ratio \($0))" } ?? "") }
                out += "     radiation: \(text)\n"
            }
            for key in ["title", "Element.symbol", "Element.edge", "Sample.name", "bkg_e0"] {
                if let v = scan.metadata[key] { out += "     \(key): \(v)\n" }
            }
            // A frame of a series (an HDF5 stack): its index and what was recorded per frame.
            if let k = scan.metadata["frame"], let n = scan.metadata["frames"] {
                let values = scan.metadata.keys.filter { $0.hasPrefix("frame/") }.compactMap { key in
                    scan.metadata[key].map { "\(key.dropFirst("frame/".count)) \($0)" }
                }
                out += "     frame [\(k)] of \(n)\(values.isEmpty ? "" : ": " + values.joined(separator: ", "))\n"
            }
        }
        if !file.structures.isEmpty {
            out += "  \(file.structures.count) crystal structure\(file.structures.count == 1 ? "" : "s"):\n"
            for s in file.structures { out += "     " + structureLine(s) + "\n" }
        }
        for w in file.warnings { out += "  warning: \(w)\n" }
        return out
    }

    /// `P 42/m n m (No. 136)`, or that the file gives none.
    static func spaceGroup(_ s: CrystalStructure) -> String {
        let group = [s.spaceGroupSymbol, s.spaceGroupNumber.map { "(No. \($0))" }].compactMap { $0 }.joined(separator: " ")
        return group.isEmpty ? "space group not given" : group
    }

    /// `name: formula, space group, a b c α β γ` on one line.
    static func structureLine(_ s: CrystalStructure) -> String {
        let c = s.cell
        return "\(s.name): \(s.cellFormula), \(spaceGroup(s)), "
            + String(format: "a %.5g b %.5g c %.5g Å, α %.5g β %.5g γ %.5g°", c.a, c.b, c.c, c.alpha, c.beta, c.gamma)
    }

    /// One block per structure: formula, space group and operations, cell, then the sites.
    static func structures(_ file: DataFile, readerName: String) -> String {
        let count = file.structures.count
        var out = "\(file.file): \(readerName) [\(file.format)], \(count) structure\(count == 1 ? "" : "s")\n"
        for (i, s) in file.structures.enumerated() {
            out += "  \(i + 1). \(s.name): \(s.cellFormula), \(spaceGroup(s)), "
            out += "\(s.operations.count) symmetry operation\(s.operations.count == 1 ? "" : "s") (\(s.operationsSource == "cif" ? "listed in the file" : "from the space-group table"))\n"
            let c = s.cell
            out += String(format: "     cell: a %.5g  b %.5g  c %.5g Å,  α %.5g  β %.5g  γ %.5g°,  V %.2f Å³\n", c.a, c.b, c.c, c.alpha, c.beta, c.gamma, c.volume)
            out += "     \(s.sites.count) site\(s.sites.count == 1 ? "" : "s") (asymmetric unit), \(s.unitCellAtoms().count) atoms in the cell:\n"
            out += "       label     element      x         y         z       occ     U_iso (Å²)\n"
            for site in s.sites {
                let u = site.uIso.map { String(format: "%.5f", $0) } ?? (site.uAniso != nil ? "aniso" : "–")
                out += "       " + site.label.padding(toLength: max(8, site.label.count), withPad: " ", startingAt: 0)
                out += "  " + site.element.symbol.padding(toLength: 7, withPad: " ", startingAt: 0)
                out += String(format: "  %8.5f  %8.5f  %8.5f  %6.4g", site.fract.x, site.fract.y, site.fract.z, site.occupancy)
                out += "  \(u)\n"
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
