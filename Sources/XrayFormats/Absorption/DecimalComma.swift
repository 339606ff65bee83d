import Foundation

/// Tables written with a decimal comma (`41110,0001736 0,29 -0,75 390,05`: four numbers, as a
/// German or French locale writes them) in whitespace-separated columns.
///
/// A line is such a row when its two or more fields are separated by blanks or tabs, every field is a
/// number with at most one comma between digits and no '.', and at least one field has a comma.
/// A file whose numeric rows are all such rows (and at least two of them) is read with the
/// commas of those rows taken as decimal points; comma-separated values (`1.5,2.5`) never are.
enum DecimalComma {
    /// Whether `line` is a whitespace table row of decimal-comma numbers.
    static func isRow(_ line: Substring) -> Bool {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        // Two or more blank-separated fields: `8000,12345` alone is a CSV row of two integers.
        guard fields.count >= 2 else { return false }
        var withComma = 0
        for f in fields {
            var digits = 0, commas = 0
            for (k, c) in f.enumerated() {
                if c.isASCII && c.isNumber { digits += 1 }
                else if c == "," { commas += 1 }
                else if (c == "-" || c == "+") && k == 0 { continue }
                else if c == "e" || c == "E" { continue }
                else { return false }
            }
            guard digits > 0, commas <= 1, f.last != ",", f.first != "," else { return false }
            if commas == 1 { withComma += 1 }
        }
        return withComma > 0
    }

    /// The file with the commas of its decimal-comma rows made points, or nil when the file is not
    /// a decimal-comma table (some numeric-looking row has a '.', or fewer than two such rows).
    static func normalised(_ data: Data) -> Data? {
        guard data.contains(UInt8(ascii: ",")), !data.prefix(4096).contains(0) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
        var rows = 0
        for (k, raw) in lines.enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw[...]
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard let first = trimmed.first, first.isNumber || first == "-" || first == "+" else { continue }
            if isRow(trimmed[...]) {
                lines[k] = raw.replacingOccurrences(of: ",", with: ".")
                rows += 1
            } else if trimmed.contains(",") || trimmed.contains(".") {
                return nil   // a row of point decimals or comma-separated values: not this case
            }
        }
        return rows >= 2 ? Data(lines.joined(separator: "\n").utf8) : nil
    }
}
