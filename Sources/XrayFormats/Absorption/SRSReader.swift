import Foundation
import OrderedCollections
import XrayCore

/// Daresbury SRS files (also ESRF DUBBLE): a Fortran namelist header `&SRS … &END`, optional
/// `C` comment lines (the last one may label the columns), then numbers. Rows may be wrapped
/// over several lines (6 + 4 + 4 + 1 values in DUBBLE files); the record length is the count up
/// to the next line as long as the first, and every record must be complete. Without column
/// labels, the SRS XAS stations' layout applies: monochromator angle in millidegrees (turned
/// into energy), time, I0, It, If, Im, and the elements of a multi-element detector.
public enum SRSReader: FormatReader {
    public static let id = "srs"
    public static let name = "Daresbury SRS / ESRF DUBBLE (&SRS namelist header)"
    public static let kind = Scan.Kind.absorption
    public static let suffixes = ["dat"]

    public static func sniff(head: Data, suffix: String) -> SniffConfidence {
        let text = XASText(head.prefix(512))
        guard let first = text.lines.indices.first(where: { !text.isBlank($0) }) else { return .no }
        return text.string(text.trimmed(text.lines[first])).uppercased() == "&SRS" ? .certain : .no
    }

    public static func read(_ data: Data, file: String) throws -> DataFile {
        let text = XASText(data)
        guard let end = text.lines.indices.first(where: { text.string(text.trimmed(text.lines[$0])).uppercased() == "&END" }) else {
            throw RoentgenError.badFile(file, line: text.lines.count, "no '&END' line closing the &SRS header")
        }
        var header: [String] = []
        var metadata = Metadata()
        for i in 0...end {
            let line = text.string(i)
            header.append(line)
            for pair in line.split(separator: ",") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                guard kv.count == 2 else { continue }
                let key = kv[0].trimmingCharacters(in: .whitespaces)
                let value = kv[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
                    .trimmingCharacters(in: .whitespaces)
                if !key.isEmpty, !key.contains(" ") { metadata[key] = value }
            }
        }
        var comments: [String] = []
        var values: [Double] = []
        var counts: [(line: Int, count: Int)] = []
        var labelLine: [String]?
        for i in (end + 1)..<text.lines.count {
            let r = text.trimmed(text.lines[i])
            if r.isEmpty { continue }
            if text.string(r).uppercased().hasPrefix("END OF DATA") { break }
            if text.bytes[r.lowerBound] == UInt8(ascii: "C") || text.bytes[r.lowerBound] == UInt8(ascii: "#") {
                comments.append(text.string(r))
                continue
            }
            let before = values.count
            // Diamond's GDA writes the column labels on the first line after &END (tab-separated).
            if counts.isEmpty, labelLine == nil, !(text.string(r).first.map { $0.isNumber || "+-.".contains($0) } ?? true) {
                let words = XASLabelGuesser.words(text.string(r))
                if XASLabelGuesser.looksLikeLabels(words) { labelLine = words; continue }
            }
            if let bad = text.fortranNumbers(r, into: &values) {
                throw RoentgenError.badFile(file, line: i + 1, "'\(text.string(bad))' is not a number; expected data values after &END")
            }
            counts.append((i + 1, values.count - before))
        }
        guard let first = counts.first else {
            throw RoentgenError.badFile(file, line: text.lines.count, "no data after the &SRS header")
        }
        // Record length: values up to the next line as long as the first line.
        var recordLength = first.count
        if counts.contains(where: { $0.count != first.count }) {
            recordLength = 0
            for (k, c) in counts.enumerated() {
                if k > 0 && c.count == first.count { break }
                recordLength += c.count
            }
        }
        guard recordLength > 0, values.count % recordLength == 0 else {
            let complete = recordLength > 0 ? values.count / recordLength * recordLength : 0
            var seen = 0
            let line = counts.first(where: { seen += $0.count; return seen > complete })?.line ?? first.line
            throw RoentgenError.badFile(file, line: line, "data records of \(recordLength) values expected (as the first record); the last record is incomplete")
        }
        let rows = values.count / recordLength
        header += comments
        var labels = (1...recordLength).map { "col\($0)" }
        if let words = labelLine, words.count == recordLength {
            labels = XASLabelGuesser.finish(words, recordLength)
        } else if let last = comments.last {
            let words = XASLabelGuesser.words(String(last.dropFirst()))
            if words.count == recordLength, XASLabelGuesser.looksLikeLabels(words) {
                labels = XASLabelGuesser.finish(words, recordLength)
            }
        }
        metadata["header"] = header.joined(separator: "\n")
        var warnings: [String] = []
        if recordLength != first.count { warnings.append("data rows wrapped over several lines; re-joined as records of \(recordLength) values") }
        var columns = XASColumns.split(values, rows: rows, columns: recordLength, names: labels)
        // Without labels, the SRS XAS stations' layout (as Athena reads it): the monochromator
        // angle in millidegrees, time, I0, It, If, Im, then one column per element of a
        // multi-element detector. Energy from the angle with Si(111), d = 3.13543 Å, unless
        // the header gives a d-spacing.
        if labels.first == "col1", recordLength >= 6, let angles = columns["col1"], angles.allSatisfy({ $0 > 1000 && $0 < 80000 }) {
            labels = ["angle_mdeg", "time", "i0", "it", "if", "im"] + (0..<(recordLength - 6)).map { "g\($0 + 1)" }
            columns = XASColumns.split(values, rows: rows, columns: recordLength, names: labels)
            let d = ColumnASCIIReader.dSpacing(in: header) ?? 3.13543
            let energy = XASEnergyAxis.energies(fromAngles: angles.map { $0 / 1000 }, dSpacing: d)
            columns.updateValue(energy, forKey: "energy", insertingAt: 0)
            metadata["Mono.d_spacing"] = String(d)
            metadata["column_labels_source"] = "SRS station layout (no labels in the file)"
            // A multi-element detector means fluorescence (as Athena suggests); else transmission.
            metadata["suggested_mu"] = recordLength > 6 ? "sum(g*)/i0" : "ln(i0/it)"
            warnings.append("no column labels: read as the SRS XAS layout (angle in millidegrees, time, i0, it, if, im\(recordLength > 6 ? ", g1…g\(recordLength - 6) detector elements" : "")); energy from the angle with d = \(d) Å\(d == 3.13543 ? " (Si(111), the header gives none)" : "")")
            let stem = FileName.stem(file)
            return DataFile(format: id, file: file, scans: [Scan(name: stem, kind: .absorption, columns: columns,
                                                                  units: ["energy": "eV", "angle_mdeg": "millidegrees"], metadata: metadata)], warnings: warnings)
        }
        let scan = ColumnASCIIReader.absorptionScan(file: file, columns: columns, header: header, metadata: metadata, warnings: &warnings)
        return DataFile(format: id, file: file, scans: [scan], warnings: warnings)
    }
}
