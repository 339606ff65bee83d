import Foundation
import OrderedCollections
import XrayCore

/// Total-scattering (PDF) results as column text: G(r), F(Q), S(Q) or I(Q), as PDFgetX3 and
/// PDFgetX2 write them (their configuration as a header, then `#L` column labels), as diffpy
/// writes `.fgr` fits and RMCProfile `.fq` data. These are not 2θ patterns: a G(r) file read as
/// one would give "peaks" in Å. Columns are named for the quantity: `r` (Å) and `g_r` (Å⁻²), or
/// `q` (Å⁻¹) and `f_q` (Å⁻¹), `s_q`, `i_q`. Further columns keep the `#L` labels; without
/// labels a third column is the uncertainty of the second (`d_g_r`, …) and a fourth pair is
/// taken as the uncertainties of both (`d_r`, `d_g_r`), diffpy's `.fgr` layout.
/// The quantity comes from PDFgetX3's `outputtype`, else the `#L` labels, else the suffix.
enum TotalScatteringReader: FormatReader {
    static let id = "pdf-data"
    static let name = "Total-scattering data: G(r) (.gr .fgr), F(Q) (.fq), S(Q) (.sq), I(Q) (.iq); PDFgetX2/X3, diffpy, RMCProfile"
    static let kind = Scan.Kind.other
    static let suffixes = ["gr", "fgr", "fq", "sq", "iq"]

    /// What a file holds: the axis and the function of it.
    enum Quantity: String {
        case gr, fq, sq, iq

        var axis: (name: String, unit: String) { self == .gr ? ("r", "Å") : ("q", "Å^-1") }
        var value: (name: String, unit: String) {
            switch self {
            case .gr: ("g_r", "Å^-2")
            case .fq: ("f_q", "Å^-1")
            case .sq: ("s_q", "")
            case .iq: ("i_q", "")
            }
        }
        var title: String {
            switch self {
            case .gr: "G(r)"
            case .fq: "F(Q)"
            case .sq: "S(Q)"
            case .iq: "I(Q)"
            }
        }
    }

    static func sniff(head: Data, suffix: String) -> SniffConfidence {
        guard PatternText.looksLikeText(head) else { return .no }
        let start = head.prefix(8192)
        // PDFgetX3 (its configuration, then the data) and PDFgetX2 (`####### Get_XPDF`).
        if PatternText.contains(start, "[DEFAULT]") && PatternText.contains(start, "outputtype") {
            // With data: a result file; without: the configuration alone, rejected by `read`.
            return .certain
        }
        if PatternText.contains(start, "Get_XPDF") && PatternText.contains(head, "start data") { return .certain }
        // No other X-ray format uses these suffixes: numeric columns under one are this format.
        guard suffixes.contains(suffix) else { return .no }
        let lines = PatternText.Lines(head.prefix(32_768))
        return PatternColumns.parse(lines, 0..<min(lines.count, 600)).rowCount >= 1 ? .certain : .suffixOnly
    }

    static func read(_ data: Data, file: String) throws -> DataFile {
        let lines = PatternText.Lines(data)
        // PDFgetX2/X3 headers hold numeric settings lines: the data start after `#### start data`.
        let marker = (0..<lines.count).first { i in
            lines.firstByte(i) == 35 && lines.trimmed(i).contains("start data")
        }
        if marker == nil, PatternText.contains(data.prefix(8192), "[DEFAULT]"), PatternText.contains(data.prefix(8192), "outputtype") {
            throw RoentgenError.badFile(file, line: 1, "PDFgetX3 configuration file: it describes a reduction (composition, qmax, rpoly …), it holds no data; read the .gr/.fq/.sq/.iq file it produced, or run `roentgen pdf reduce` with its values")
        }
        let dataStart = marker.map { $0 + 1 } ?? 0
        let parsed = PatternColumns.parse(lines, dataStart..<lines.count)
        guard parsed.rowCount > 0, let firstData = parsed.firstDataLine else {
            throw RoentgenError.badFile(file, line: max(lines.count, 1),
                                        "no data rows: expected columns of r and G(r) (or Q and F(Q), S(Q), I(Q))")
        }
        var metadata = Metadata()
        PatternColumns.headerMetadata(lines, Array(0..<dataStart) + parsed.otherLines, into: &metadata)
        // The `#L` label line of PDFgetX2/X3 (SPEC style) just above the data.
        let labelLine = parsed.otherLines.last { $0 < firstData && lines.firstByte($0) == 35 && lines.trimmed($0).hasPrefix("#L") }
        let labels = labelLine.map { lines.trimmed($0).dropFirst(2).split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init) } ?? []
        if !labels.isEmpty { metadata["columns"] = labels.joined(separator: ", ") }
        let suffix = FileName.suffix(file)
        var warnings: [String] = []
        guard let quantity = quantity(outputType: metadata["outputtype"], labels: labels, suffix: suffix) else {
            throw RoentgenError.badFile(file, line: firstData + 1,
                                        "cannot tell which function the columns hold (expected PDFgetX3's outputtype, #L labels such as 'r G(r)', or a .gr/.fq/.sq/.iq suffix)")
        }
        let columns = parsed.columns
        let axis = quantity.axis, value = quantity.value
        var out: OrderedDictionary<String, [Double]> = [axis.name: columns[0], value.name: columns[1]]
        var units = [axis.name: axis.unit]
        if !value.unit.isEmpty { units[value.name] = value.unit }
        if labels.count == columns.count {
            // Further columns keep the file's labels (`d_r`, `d_Gr` → `d_r`, `d_gr`).
            for c in 2..<columns.count {
                var name = String(labels[c].lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
                if name.isEmpty || out[name] != nil { name = "column_\(c + 1)" }
                out[name] = columns[c]
            }
        } else {
            switch columns.count {
            case 2: break
            case 3: out["d_" + value.name] = columns[2]
            default:
                out["d_" + axis.name] = columns[2]
                out["d_" + value.name] = columns[3]
                for c in 4..<columns.count { out["column_\(c + 1)"] = columns[c] }
            }
            for (name, values) in out where name.hasPrefix("d_") && values.contains(where: { $0 < 0 }) {
                warnings.append("column \(name) (taken as an uncertainty, no labels in the file) has negative values")
            }
        }
        if !parsed.partialRows.isEmpty {
            warnings.append("\(parsed.partialRows.count) row(s) with fewer numbers than the \(columns.count) columns left out (first at line \(parsed.partialRows[0] + 1))")
        }
        metadata["quantity"] = quantity.title
        let scan = Scan(name: DiffractionScan.stem(file), kind: .other, columns: out, units: units, metadata: metadata)
        return DataFile(format: id, file: file, scans: [scan], warnings: warnings)
    }

    /// The function a file holds, from PDFgetX3's `outputtype`, the `#L` labels (`r G(r)`,
    /// `r(Å) G(Å$^{-2}$)`, `Q F(Q)`), or the suffix.
    static func quantity(outputType: String?, labels: [String], suffix: String) -> Quantity? {
        if let t = outputType?.lowercased().split(whereSeparator: { $0 == " " || $0 == "," }).first, let q = Quantity(rawValue: String(t)) {
            return q
        }
        if labels.count >= 2 {
            let axis = labels[0].lowercased(), value = labels[1].lowercased()
            if axis.hasPrefix("r") && value.hasPrefix("g") { return .gr }
            if axis.hasPrefix("q") {
                if value.hasPrefix("f") { return .fq }
                if value.hasPrefix("s") { return .sq }
                if value.hasPrefix("i") { return .iq }
            }
        }
        return suffix == "fgr" ? .gr : Quantity(rawValue: suffix)
    }
}
