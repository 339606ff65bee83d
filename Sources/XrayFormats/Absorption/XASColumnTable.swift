import Foundation
import OrderedCollections
import XrayCore

/// A numeric table found in a text file: the last block of numeric rows, with the text above it.
///
/// Shared by the column-ASCII family of absorption readers (generic beamline files, SPEC scans,
/// old NSLS/SSRL/Daresbury formats). Rows are split at blanks, tabs, commas and semicolons.
struct XASColumnTable {
    /// Header lines (text above the table), as written.
    var header: [String]
    /// Header line numbers (1-based), parallel to `header`.
    var headerLineNumbers: [Int]
    /// Row-major values, `rows` × `columns` (short rows padded with NaN).
    var values: [Double]
    var rows: Int
    var columns: Int
    /// 1-based line of the first data row.
    var firstDataLine: Int
    /// Warnings about the table itself (ragged rows, text after the data).
    var warnings: [String]

    /// Finds the last run of numeric rows in `lines[range]` (blank lines inside the run are skipped).
    static func find(in text: XASText, lines range: Range<Int>? = nil, file: String,
                     separators: XASText.Separators = XASText.Separators(comma: true, semicolon: true)) throws -> XASColumnTable {
        let all = range ?? 0..<text.lines.count
        var scratch: [Double] = []
        // Walk up from the end: footer (text), then the data run, then the header.
        var end = all.upperBound  // one past the last data line
        var start = all.upperBound
        var footer = 0
        var k = all.upperBound - 1
        var inData = false
        while k >= all.lowerBound {
            let r = text.trimmed(text.lines[k])
            if r.isEmpty { k -= 1; continue }
            scratch.removeAll(keepingCapacity: true)
            let first = text.bytes[r.lowerBound]
            var numeric = false
            if !isCommentByte(first),
               case .numbers(let n) = text.scanNumbers(r, separators: separators, allowNonFinite: true, into: &scratch), n > 0 {
                numeric = true
            }
            if numeric {
                if !inData { inData = true; end = k + 1 }
                start = k
            } else if inData {
                break
            } else {
                footer += 1
            }
            k -= 1
        }
        guard inData else {
            throw RoentgenError.badFile(file, line: max(1, all.upperBound),
                                        "no rows of numbers found; expected a table of numeric columns after the header")
        }
        var values: [Double] = []
        values.reserveCapacity((end - start) * 8)
        var counts: [Int] = []
        counts.reserveCapacity(end - start)
        var rowValues: [Double] = []
        var maxCols = 0
        for line in start..<end {
            let r = text.trimmed(text.lines[line])
            if r.isEmpty { continue }
            rowValues.removeAll(keepingCapacity: true)
            _ = text.scanNumbers(r, separators: separators, allowNonFinite: true, into: &rowValues)
            counts.append(rowValues.count)
            maxCols = max(maxCols, rowValues.count)
            values.append(contentsOf: rowValues)
        }
        var warnings: [String] = []
        let rows = counts.count
        if counts.contains(where: { $0 != maxCols }) {
            // Pad short rows with NaN, as Larch does.
            var padded: [Double] = []
            padded.reserveCapacity(rows * maxCols)
            var offset = 0
            var short = 0
            for c in counts {
                padded.append(contentsOf: values[offset..<(offset + c)])
                if c < maxCols { padded.append(contentsOf: repeatElement(.nan, count: maxCols - c)); short += 1 }
                offset += c
            }
            values = padded
            warnings.append("\(short) data row\(short == 1 ? "" : "s") had fewer than \(maxCols) values; padded with NaN")
        }
        if footer > 0 {
            warnings.append("\(footer) line\(footer == 1 ? "" : "s") of text after the data table ignored")
        }
        var header: [String] = []
        var numbers: [Int] = []
        for line in all.lowerBound..<start {
            header.append(text.string(line))
            numbers.append(line + 1)
        }
        return XASColumnTable(header: header, headerLineNumbers: numbers, values: values, rows: rows,
                              columns: maxCols, firstDataLine: start + 1, warnings: warnings)
    }

    static func isCommentByte(_ b: UInt8) -> Bool {
        // # ; % * ! $ < as Larch's COMMENTCHARS (plus '<' for XML-ish headers)
        b == 35 || b == 59 || b == 37 || b == 42 || b == 33 || b == 36 || b == 60
    }

    /// The columns under `names` (which must have `columns` entries).
    func namedColumns(_ names: [String]) -> OrderedDictionary<String, [Double]> {
        XASColumns.split(values, rows: rows, columns: columns, names: names)
    }
}
