import Foundation
import XrayCore

/// PANalytical HighScore / Data Collector CSV export: a `[Measurement conditions]` section of
/// `key,value` lines (anode, Kα1, Kα2, ratio, scan settings …), then `[Scan points]` with a
/// header (`Angle,Intensity[,ESD]`) and comma-separated rows.
enum PanalyticalCSVReader: FormatReader {
    static let id = "panalytical-csv"
    static let name = "PANalytical CSV export ([Measurement conditions] / [Scan points])"
    static let kind = Scan.Kind.diffraction
    static let suffixes = ["csv"]

    static func sniff(head: Data, suffix: String) -> SniffConfidence {
        guard PatternText.firstNonBlank(head) == 91 else { return .no }   // '['
        return PatternText.contains(head.prefix(2048), "[Measurement conditions]") || PatternText.contains(head.prefix(2048), "[Scan points]")
            ? .certain : .no
    }

    static func read(_ data: Data, file: String) throws -> DataFile {
        let lines = PatternText.Lines(data)
        guard let pointsLine = (0..<lines.count).first(where: { lines.hasPrefix($0, "[Scan points]") }) else {
            throw RoentgenError.badFile(file, line: lines.count, "no [Scan points] section found")
        }
        var m = Metadata()
        for i in 0..<pointsLine where !lines.isBlank(i) {
            let text = lines.trimmed(i)
            if text.hasPrefix("[") { continue }
            if let comma = text.firstIndex(of: ",") {
                var value = PatternText.trimmingBlanks(text[text.index(after: comma)...])
                if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
                m[String(text[..<comma])] = value
            } else {
                m[text] = ""
            }
        }
        let parsed = PatternColumns.parse(lines, (pointsLine + 1)..<lines.count)
        guard parsed.rowCount > 0 else {
            throw RoentgenError.badFile(file, line: lines.count, "[Scan points] section holds no `angle,intensity` rows")
        }
        if !parsed.labels.isEmpty { m["columns"] = parsed.labels.joined(separator: ", ") }
        func number(_ key: String) -> Double? { m[key].flatMap { PatternText.number($0) } }
        var scan = ColumnTextReader.scan(parsed, suffix: "csv", metadata: m, file: file)
        scan.radiation = DiffractionScan.radiation(anode: m["Anode material"], kAlpha1: number("K-Alpha1 wavelength"),
                                                   kAlpha2: number("K-Alpha2 wavelength"), ratio: number("Ratio K-Alpha2/K-Alpha1"),
                                                   kBeta: number("K-Beta wavelength"))
        return DataFile(format: id, file: file, scans: [scan], warnings: ColumnTextReader.warnings(parsed, lines))
    }
}
