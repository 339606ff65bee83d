import Foundation
import XrayCore

/// Numeric columns found in a text file: separator and decimal-mark detection, data rows versus
/// header and comment lines. Shared by the column-text readers (xy, xye, csv, tsv, exports).
struct PatternColumns {
    /// Column values (the first row with numbers fixes the column count).
    var columns: [[Double]] = []
    /// Indices of lines that are not data rows, in order.
    var otherLines: [Int] = []
    /// Index of the first data row, if any.
    var firstDataLine: Int?
    /// Column labels from the header line just above the data, if it has one label per column.
    var labels: [String] = []
    /// The field separator (nil: blanks).
    var separator: UInt8?
    var decimalComma = false
    /// Data-region lines that held some but not all numbers (skipped, reported as warnings).
    var partialRows: [Int] = []

    var rowCount: Int { columns.first?.count ?? 0 }

    private static let semicolon: UInt8 = 59, bar: UInt8 = 124, comma: UInt8 = 44, tab: UInt8 = 9, dot: UInt8 = 46

    /// Whether a line can start a data row: a digit, sign or decimal mark after blanks.
    @inline(__always) static func startsNumeric(_ c: UInt8?) -> Bool {
        guard let c else { return false }
        return PatternText.isDigit(c) || c == 43 || c == 45 || c == 46 || c == 44
    }

    /// Lines starting with these (after blanks) are comments: `#`, `!`, `%`.
    @inline(__always) static func isCommentStart(_ c: UInt8?) -> Bool { c == 35 || c == 33 || c == 37 }

    /// Finds the separator and decimal mark from the first numeric-looking lines of `lines[range]`.
    static func detectSeparator(_ lines: PatternText.Lines, _ range: Range<Int>) -> (UInt8?, Bool) {
        var semicolons = 0, bars = 0, commas = 0, dots = 0, tabs = 0, blanksBetween = 0, seen = 0
        for i in range where seen < 200 {
            guard startsNumeric(lines.firstByte(i)) else { continue }
            seen += 1
            var sawBlankInside = false, started = false, pendingBlank = false
            for k in lines.starts[i]..<lines.ends[i] {
                let c = lines.bytes[k]
                switch c {
                case semicolon: semicolons += 1
                case bar: bars += 1
                case comma: commas += 1
                case dot: dots += 1
                case tab: tabs += 1
                default: break
                }
                if PatternText.isBlank(c) { if started { pendingBlank = true } } else {
                    if pendingBlank { sawBlankInside = true }
                    started = true; pendingBlank = false
                }
            }
            if sawBlankInside { blanksBetween += 1 }
        }
        if semicolons > 0 { return (semicolon, commas > 0) }
        if bars > 0 { return (bar, false) }
        if commas > 0 {
            // "1,5 2,3": commas inside blank-separated numbers and no dots → decimal commas.
            if dots == 0 && blanksBetween == seen && seen > 0 { return (nil, true) }
            return (comma, false)
        }
        _ = tabs
        return (nil, false)
    }

    /// Splits line `i` into fields; calls `body(start, end)` per field (blanks trimmed).
    @inline(__always)
    static func forEachField(_ lines: PatternText.Lines, _ i: Int, separator: UInt8?, _ body: (Int, Int) -> Void) {
        let bytes = lines.bytes
        let end = lines.ends[i]
        guard let sep = separator else {
            PatternText.forEachToken(bytes, lines.starts[i], end, commaSeparates: false, body)
            return
        }
        var k = lines.starts[i]
        while true {
            var s = k
            while k < end, bytes[k] != sep { k += 1 }
            var e = k
            while s < e, PatternText.isBlank(bytes[s]) { s += 1 }
            while e > s, PatternText.isBlank(bytes[e - 1]) { e -= 1 }
            body(s, e)
            if k >= end { break }
            k += 1
        }
    }

    /// Parses `lines[range]`; rows need at least two leading numeric fields.
    static func parse(_ lines: PatternText.Lines, _ range: Range<Int>, maxColumns: Int = 16) -> PatternColumns {
        var result = PatternColumns()
        let (sep, decimalComma) = detectSeparator(lines, range)
        result.separator = sep
        result.decimalComma = decimalComma
        var ncols = 0
        var row = [Double](repeating: .nan, count: maxColumns)
        lines.bytes.withUnsafeBufferPointer { p in
            for i in range {
                let first = lines.firstByte(i)
                guard first != nil, !isCommentStart(first), startsNumeric(first) else {
                    if first != nil { result.otherLines.append(i) }
                    continue
                }
                var n = 0, leading = 0, broken = false
                forEachField(lines, i, separator: sep) { s, e in
                    guard n < maxColumns else { return }
                    if !broken, let v = PatternText.number(p, s, e, decimalComma: decimalComma) {
                        row[n] = v
                        leading += 1
                    } else {
                        broken = true
                    }
                    n += 1
                }
                if leading < 2 {
                    result.otherLines.append(i)
                    if ncols > 0 && n >= 2 { result.partialRows.append(i) }
                    continue
                }
                if ncols == 0 {
                    ncols = leading
                    result.columns = Array(repeating: [], count: ncols)
                    for c in 0..<ncols { result.columns[c].reserveCapacity(lines.count) }
                    result.firstDataLine = i
                }
                for c in 0..<ncols { result.columns[c].append(c < leading ? row[c] : .nan) }
            }
        }
        if let first = result.firstDataLine {
            // Labels: the nearest non-blank header line above the data with one field per column.
            if let labelLine = result.otherLines.last(where: { $0 < first }) {
                var text = lines.trimmed(labelLine)
                while let c = text.first, c == "#" || c == "!" || c == "%" { text.removeFirst() }
                let fields: [String]
                if let sep {
                    fields = text.split(separator: Character(Unicode.Scalar(sep)), omittingEmptySubsequences: false)
                        .map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
                } else {
                    fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                }
                if fields.count == ncols, fields.allSatisfy({ !$0.isEmpty && PatternText.number($0) == nil }) {
                    result.labels = fields
                }
            }
        }
        return result
    }

    /// Header/comment lines as metadata: `key = value` / `key: value` pairs by key, others as `header.N`.
    static func headerMetadata(_ lines: PatternText.Lines, _ indices: [Int], into metadata: inout Metadata) {
        var n = 0
        for i in indices {
            var text = lines.trimmed(i)
            while let c = text.first, c == "#" || c == "!" || c == "%" || c == ";" { text.removeFirst() }
            text = PatternText.trimmingBlanks(text)
            guard !text.isEmpty else { continue }
            if let eq = text.firstIndex(where: { $0 == "=" || $0 == ":" }), eq != text.startIndex {
                let key = PatternText.trimmingBlanks(text[..<eq])
                let value = PatternText.trimmingBlanks(text[text.index(after: eq)...])
                if !key.isEmpty, key.count <= 80, metadata[key] == nil, !key.contains("\\") {
                    metadata[key] = value
                    continue
                }
            }
            n += 1
            metadata["header.\(n)"] = text
        }
    }
}
