import Foundation
import OrderedCollections
import XrayCore

/// LNLS (Brazil) XAFS files: a tab-separated line of quoted Portuguese labels
/// (`"Data" "Hora" "Energia" … "Amostra" "Referencia" "Fluorescencia"`), then rows whose first
/// two fields are the date and time. Date and time are kept as metadata (first and last row);
/// the numeric columns keep their (sanitised) labels; `Energia` is the energy in eV.
public enum LNLSReader: FormatReader {
    public static let id = "lnls"
    public static let name = "LNLS XAFS (quoted tab-separated, date/time columns)"
    public static let kind = Scan.Kind.absorption
    public static let suffixes = ["dat"]

    public static func sniff(head: Data, suffix: String) -> SniffConfidence {
        let start = String(decoding: head.prefix(300), as: UTF8.self)
        return start.hasPrefix("\"Data\"") && start.contains("\"Energia\"") ? .certain : .no
    }

    public static func read(_ data: Data, file: String) throws -> DataFile {
        let text = XASText(data)
        guard let first = text.lines.indices.first(where: { !text.isBlank($0) }) else {
            throw RoentgenError.badFile(file, line: 1, "empty file; expected a line of quoted labels")
        }
        let rawLabels = text.string(text.lines[first]).split(separator: "\t").map {
            $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        let textColumns = Set(rawLabels.indices.filter { ["data", "hora", "date", "time"].contains(rawLabels[$0].lowercased()) })
        let numeric = rawLabels.indices.filter { !textColumns.contains($0) }
        let names = XASColumns.uniqued(numeric.map { xasSanitizedName(rawLabels[$0]) })
        var values: [Double] = []
        var rows = 0
        var firstStamp = "", lastStamp = ""
        for i in (first + 1)..<text.lines.count {
            let r = text.trimmed(text.lines[i])
            if r.isEmpty { continue }
            // Split the row at tabs without building strings for the numeric fields.
            var fields: [Range<Int>] = []
            fields.reserveCapacity(rawLabels.count)
            var a = r.lowerBound
            for k in r where text.bytes[k] == 9 {
                fields.append(a..<k)
                a = k + 1
            }
            fields.append(a..<r.upperBound)
            guard fields.count == rawLabels.count else {
                throw RoentgenError.badFile(file, line: i + 1, "expected \(rawLabels.count) tab-separated fields (as the labels), found \(fields.count)")
            }
            let stamp = textColumns.sorted().map { text.string(fields[$0]) }.joined(separator: " ")
            if rows == 0 { firstStamp = stamp }
            lastStamp = stamp
            for c in numeric {
                let f = text.trimmed(fields[c])
                guard let v = text.bytes.withUnsafeBufferPointer({ XASText.parseNumber($0, f, allowNonFinite: true) }) else {
                    throw RoentgenError.badFile(file, line: i + 1, "'\(text.string(f))' in column \(rawLabels[c]) is not a number")
                }
                values.append(v)
            }
            rows += 1
        }
        guard rows > 0 else { throw RoentgenError.badFile(file, line: first + 1, "no data rows after the label line") }
        var metadata = Metadata()
        metadata["header"] = text.string(text.lines[first])
        if !textColumns.isEmpty {
            metadata["start_time"] = firstStamp
            metadata["end_time"] = lastStamp
        }
        // "Amostra" (sample) is the sample's μ(E) as the LNLS software writes it.
        if names.contains("amostra") { metadata["suggested_mu"] = "amostra" }
        var warnings: [String] = []
        let scan = ColumnASCIIReader.absorptionScan(file: file, columns: XASColumns.split(values, rows: rows, columns: numeric.count, names: names),
                                                    header: [], metadata: metadata, warnings: &warnings)
        return DataFile(format: id, file: file, scans: [scan], warnings: warnings)
    }
}
