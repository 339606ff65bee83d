import Foundation
import OrderedCollections
import XrayCore

/// NSLS X10C files: a first line starting `EXAFS`, a block of labelled header values, then
/// `DATA START` and Fortran rows whose fields may run together (`3.39370E+04-1.00000E+00`).
/// Columns are unlabelled: `energy` (eV) then `col2…`; Demeter's transmission choice
/// `ln(col4/col6)` is recorded as `suggested_mu`. NUL bytes in the header are dropped.
public enum X10CReader: FormatReader {
    public static let id = "x10c"
    public static let name = "NSLS X10C (EXAFS … DATA START)"
    public static let kind = Scan.Kind.absorption
    public static let suffixes = ["dat"]

    public static func sniff(head: Data, suffix: String) -> SniffConfidence {
        guard String(decoding: head.prefix(5), as: UTF8.self).uppercased() == "EXAFS" else { return .no }
        let start = String(decoding: [UInt8](head.prefix(4096)).filter { $0 != 0 }, as: UTF8.self).uppercased()
        return start.contains("DATA START") ? .certain : .no
    }

    public static func read(_ data: Data, file: String) throws -> DataFile {
        let text = XASText(Data([UInt8](data).filter { $0 != 0 }))
        guard let start = text.lines.indices.first(where: { text.string($0).uppercased().trimmingCharacters(in: .whitespaces).hasPrefix("DATA START") }) else {
            throw RoentgenError.badFile(file, line: text.lines.count, "no 'DATA START' line; expected the X10C header to end with it")
        }
        let header = (0..<start).map { text.string($0) }
        var values: [Double] = []
        var columns = 0, rows = 0
        for i in (start + 1)..<text.lines.count {
            let r = text.trimmed(text.lines[i])
            if r.isEmpty { continue }
            let before = values.count
            if let bad = text.fortranNumbers(r, into: &values) {
                throw RoentgenError.badFile(file, line: i + 1, "'\(text.string(bad))' is not a number; expected data after DATA START")
            }
            let n = values.count - before
            if columns == 0 { columns = n }
            guard n == columns else {
                throw RoentgenError.badFile(file, line: i + 1, "expected \(columns) values (as the first data row), found \(n)")
            }
            rows += 1
        }
        guard rows > 0 else { throw RoentgenError.badFile(file, line: start + 1, "no data after DATA START") }
        var metadata = Metadata()
        metadata["header"] = header.joined(separator: "\n")
        // Header pairs: a line of names followed by a line of as many numbers.
        for k in 0..<max(0, header.count - 1) {
            let names = header[k].split(separator: " ").map(String.init)
            let nums = header[k + 1].split(separator: " ").map(String.init)
            if names.count == nums.count, !names.isEmpty, names.allSatisfy({ Double($0) == nil }), nums.allSatisfy({ Double($0) != nil }) {
                for (n, v) in zip(names, nums) { metadata[n] = v }
            }
        }
        if columns >= 6 { metadata["suggested_mu"] = "ln(col4/col6)" }
        let labels = ["energy"] + (1..<columns).map { "col\($0 + 1)" }
        var warnings: [String] = []
        let scan = ColumnASCIIReader.absorptionScan(file: file, columns: XASColumns.split(values, rows: rows, columns: columns, names: labels),
                                                    header: header, metadata: metadata, warnings: &warnings)
        return DataFile(format: id, file: file, scans: [scan], warnings: warnings)
    }
}
