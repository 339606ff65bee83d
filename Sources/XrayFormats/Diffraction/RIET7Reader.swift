import Foundation
import XrayCore

/// RIET7 / LHPM / DBWS / ILL & PSI `.dat` step-scan text: a few title lines, one line
/// `start step end …`, then `(end − start)/step + 1` intensities, several per line, optionally
/// followed by as many esds, then optional trailing text. 2θ is `start + i·step`.
/// A wavelength given as `lambda= 1.494` or `1.9114 A` in the title lines is kept.
enum RIET7Reader: FormatReader {
    static let id = "riet7"
    static let name = "RIET7 / LHPM / DBWS / PSI-DMC step-scan .dat"
    static let kind = Scan.Kind.diffraction
    static let suffixes = ["dat", "rit", "dbw"]

    /// The `start step end` line and the point count, if the layout fits: within the first 8
    /// lines, three numbers with `(end − start)/step + 1` a whole number ≥ 10, followed by lines of
    /// at least 4 numbers each (intensity blocks, not 2θ/intensity pairs).
    static func layout(_ lines: PatternText.Lines) -> (line: Int, start: Double, step: Double, count: Int)? {
        for i in 0..<min(lines.count, 8) {
            guard let first = lines.firstByte(i), PatternColumns.startsNumeric(first) else { continue }
            var tokens: [Double] = []
            PatternText.forEachToken(lines.bytes, lines.starts[i], lines.ends[i], commaSeparates: true) { s, e in
                if tokens.count < 3, let v = PatternText.number(lines.bytes, s, e) { tokens.append(v) } else if tokens.count < 3 { tokens.append(.nan) }
            }
            guard tokens.count == 3, tokens.allSatisfy({ $0.isFinite }) else { continue }
            let (start, step, end) = (tokens[0], tokens[1], tokens[2])
            guard step > 0, end > start else { continue }
            let exact = (end - start) / step + 1
            guard exact.isFinite, exact >= 10, exact < 10_000_000 else { continue }
            let n = Int(exact.rounded())
            guard abs(exact - Double(n)) < 1e-3 else { continue }
            // The next lines (up to 3) hold at least 4 numbers each, or all remaining values.
            var checked = 0, k = i + 1, values = 0
            while k < lines.count, checked < 3, let count = lines.countNumbers(k) {
                if count > 0 {
                    guard count >= 4 || values + count >= n else { break }
                    values += count
                    checked += 1
                }
                k += 1
            }
            guard checked > 0, checked == 3 || values >= n else { continue }
            return (i, start, step, n)
        }
        return nil
    }

    static func sniff(head: Data, suffix: String) -> SniffConfidence {
        if let c = PatternText.firstNonBlank(head), c == 60 || c == 123 || c == 91 || c == 42 || c == 95 { return .no }
        guard PatternText.looksLikeText(head) else { return .no }
        return layout(PatternText.Lines(head.prefix(2048))) != nil ? .certain : .no
    }

    static func read(_ data: Data, file: String) throws -> DataFile {
        let lines = PatternText.Lines(data)
        guard let (line, start, step, n) = layout(lines) else {
            throw RoentgenError.badFile(file, "no `start step end` line followed by (end − start)/step + 1 intensities in the first 8 lines")
        }
        var metadata = Metadata()
        var radiation: Radiation?
        for i in 0..<line where !lines.isBlank(i) {
            let text = lines.trimmed(i)
            metadata["header.\(i + 1)"] = text
            if radiation == nil, let w = wavelength(in: text) { radiation = .monochromatic(w) }
        }
        metadata["scan"] = lines.trimmed(line)
        var values: [Double] = []
        values.reserveCapacity(2 * n)
        var k = line + 1
        while k < lines.count, lines.appendNumbers(k, to: &values) { k += 1 }
        var trailer = 0
        for i in k..<lines.count where !lines.isBlank(i) {
            trailer += 1
            metadata["trailer.\(trailer)"] = lines.trimmed(i)
        }
        guard values.count >= n else {
            throw RoentgenError.badFile(file, line: k, "\(values.count) intensities for the \(n) points of `\(lines.trimmed(line))` (truncated file?)")
        }
        let intensity = Array(values.prefix(n))
        let esd: [Double]? = values.count >= 2 * n ? Array(values[n..<(2 * n)]) : nil
        var warnings: [String] = []
        if values.count != n && values.count != 2 * n {
            warnings.append("\(values.count) values for \(n) points: read \(n) intensities\(esd == nil ? "" : " and \(n) esds"), ignored the rest")
        }
        let x = DiffractionScan.steps(start: start, step: step, count: n)
        return DataFile(format: id, file: file,
                        scans: [DiffractionScan.make(name: DiffractionScan.stem(file), twoTheta: x, intensity: intensity, esd: esd,
                                                     radiation: radiation, metadata: metadata)],
                        warnings: warnings)
    }

    /// `lambda= 1.494` or `1.9114 A` in a title line.
    static func wavelength(in text: String) -> Double? {
        // "lambda" in any case, on the bytes (Foundation's range(of:) cost more than the data rows).
        let u = Array(text.utf8), key = Array("lambda".utf8)
        if u.count >= key.count,
           let s = (0...(u.count - key.count)).first(where: { s in key.indices.allSatisfy { PatternText.lower(u[s + $0]) == key[$0] } }) {
            var k = s + key.count
            while k < u.count, u[k] == 32 || u[k] == 61 || u[k] == 58 { k += 1 }   // ' ', '=', ':'
            let t = k
            while k < u.count, PatternText.isDigit(u[k]) || u[k] == 46 { k += 1 }
            if let v = PatternText.number(u, t, k), v > 0.05, v < 20 { return v }
        }
        let words = text.split(separator: " ")
        for (a, b) in zip(words, words.dropFirst()) where b == "A" || b == "Å" {
            if let v = PatternText.number(String(a)), v > 0.05, v < 20 { return v }
        }
        return nil
    }
}
