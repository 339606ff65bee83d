import Foundation
import OrderedCollections
import XrayCore

/// The Lytle EXAFS database format (1983): line 1 names header quantities
/// (`NPTS NS CUEDGE CUHITE DSPACE STPDEG …`), line 2 gives their values, a few more header
/// lines (DELTA, DELEND, SEC, OFFSET, title), then rows of monochromator ENCODER STEPS and four
/// detector counts (i0, it, if, ir as Demeter reads them). Fortran fields may run together.
///
/// Energy: E = hc / (2 d sin(steps / STPDEG degrees)), d = DSPACE (Å). The step column is kept
/// as `steps`.
public enum LytleReader: FormatReader {
    public static let id = "lytle"
    public static let name = "Lytle EXAFS database (encoder steps, 1983)"
    public static let kind = Scan.Kind.absorption
    public static let suffixes = ["dat"]

    public static func sniff(head: Data, suffix: String) -> SniffConfidence {
        let text = XASText(head.prefix(400))
        guard let first = text.lines.first else { return .no }
        let line = text.string(first).uppercased()
        return line.contains("NPTS") && line.contains("DSPACE") && line.contains("STPDEG") ? .certain : .no
    }

    public static func read(_ data: Data, file: String) throws -> DataFile {
        let text = XASText(data)
        guard text.lines.count >= 3 else {
            throw RoentgenError.badFile(file, line: text.lines.count, "expected a line of header names, a line of their values and data")
        }
        let names = text.string(0).split(separator: " ").map(String.init)
        let valuesLine = text.string(1).split(separator: " ").map(String.init)
        var metadata = Metadata()
        for (k, name) in names.enumerated() where k < valuesLine.count { metadata[name] = valuesLine[k] }
        guard let d = metadata["DSPACE"].flatMap({ Double($0) }), d > 0,
              let stepsPerDegree = metadata["STPDEG"].flatMap({ Double($0) }), stepsPerDegree > 0 else {
            throw RoentgenError.badFile(file, line: 2, "expected positive DSPACE and STPDEG values under the header names")
        }
        var header = [text.string(0), text.string(1)]
        var values: [Double] = []
        var columns = 0
        var rows = 0
        for i in 2..<text.lines.count {
            let r = text.trimmed(text.lines[i])
            if r.isEmpty { continue }
            var row: [Double] = []
            let bad = text.fortranNumbers(r, into: &row)
            if rows == 0 && (bad != nil || row.count < 3) {
                header.append(text.string(r))
                continue
            }
            if let bad {
                throw RoentgenError.badFile(file, line: i + 1, "'\(text.string(bad))' is not a number; expected encoder steps and detector counts")
            }
            if columns == 0 { columns = row.count }
            guard row.count == columns else {
                throw RoentgenError.badFile(file, line: i + 1, "expected \(columns) values (as the first data row), found \(row.count)")
            }
            values += row
            rows += 1
        }
        guard rows > 0 else { throw RoentgenError.badFile(file, line: text.lines.count, "no data rows") }
        var labels = ["steps", "i0", "it", "if", "ir"]
        while labels.count < columns { labels.append("col\(labels.count + 1)") }
        var named = XASColumns.split(values, rows: rows, columns: columns, names: Array(labels.prefix(columns)))
        let energy = (named["steps"] ?? []).map { XASEnergyAxis.energy(fromAngleDegrees: $0 / stepsPerDegree, dSpacing: d) }
        named.updateValue(energy, forKey: "energy", insertingAt: 0)
        metadata["header"] = header.joined(separator: "\n")
        metadata["Mono.d_spacing"] = String(d)   // XDI's name for DSPACE
        if columns >= 3 { metadata["suggested_mu"] = "ln(i0/it)" }
        let stem = FileName.stem(file)
        let scan = Scan(name: stem, kind: .absorption, columns: named, units: ["energy": "eV", "steps": "encoder steps"], metadata: metadata)
        return DataFile(format: id, file: file, scans: [scan],
                        warnings: ["energy computed from encoder steps with DSPACE = \(d) Å and STPDEG = \(stepsPerDegree)"])
    }
}
