import Foundation
import XrayCore

/// Bruker/Siemens UXD text (DIFFRAC-plus export): `;` comments, `_KEY=value` lines (file-wide
/// first, then per range after `_DRIVE` or `; (Data for Range …)`), and data blocks after
/// `_2THETACOUNTS` / `_2THETACPS` (two columns) or `_COUNTS` / `_CPS` (intensities only, 2θ from
/// `_START`/`_2THETA` and `_STEPSIZE`). Radiation from `_ANODE`, `_WL1`, `_WL2`, `_WL3` (Kβ), `_WLRATIO`.
enum BrukerUXDReader: FormatReader {
    static let id = "bruker-uxd"
    static let name = "Bruker/Siemens UXD text (.uxd)"
    static let kind = Scan.Kind.diffraction
    static let suffixes = ["uxd"]

    static func sniff(head: Data, suffix: String) -> SniffConfidence {
        guard PatternText.looksLikeText(head) else { return .no }
        guard let c = PatternText.firstNonBlank(head), c == 95 || c == 59 else { return suffix == "uxd" ? .suffixOnly : .no }
        let lines = PatternText.Lines(head.prefix(16_384))
        for i in 0..<min(lines.count, 300) where lines.firstByte(i) == 95 {
            if lines.hasPrefix(i, "_2THETACOUNTS") || lines.hasPrefix(i, "_2THETACPS") || lines.hasPrefix(i, "_FILEVERSION")
                || lines.hasPrefix(i, "_COUNTS") || lines.hasPrefix(i, "_CPS") { return .certain }
        }
        return suffix == "uxd" ? .suffixOnly : .no
    }

    private static let dataMarkers = ["_2THETACOUNTS", "_2THETACPS", "_COUNTS", "_CPS", "_COUNT"]

    static func read(_ data: Data, file: String) throws -> DataFile {
        let lines = PatternText.Lines(data)
        var fileMeta = Metadata()
        var rangeMeta: Metadata?
        var scans: [Scan] = []
        var comments = 0
        var i = 0
        func number(_ m: Metadata, _ key: String) -> Double? { m[key].flatMap { PatternText.number($0) } }
        while i < lines.count {
            defer { i += 1 }
            guard let first = lines.firstByte(i) else { continue }
            let text = lines.trimmed(i)
            if first == 59 {   // ';'
                if text.contains("Data for Range") {
                    rangeMeta = fileMeta
                } else {
                    comments += 1
                    if rangeMeta == nil { fileMeta["comment.\(comments)"] = String(text.dropFirst()).trimmingCharacters(in: .whitespaces) }
                }
                continue
            }
            guard first == 95 else {   // '_'
                throw RoentgenError.badFile(file, line: i + 1, "expected a `_KEY=value` line, a `;` comment or a data block, found '\(text.prefix(60))'")
            }
            let upper = text.uppercased()
            if let marker = dataMarkers.first(where: { upper == $0 }) {
                var m = rangeMeta ?? fileMeta
                let twoColumns = marker.hasPrefix("_2THETA")
                var x: [Double] = [], y: [Double] = []
                var v: [Double] = []
                var j = i + 1
                while j < lines.count {
                    guard let c = lines.firstByte(j) else { j += 1; continue }
                    if c == 95 || c == 59 { break }
                    guard twoColumns ? lines.scanNumbers(j, into: &v) : lines.appendNumbers(j, to: &y) else {
                        throw RoentgenError.badFile(file, line: j + 1, "expected numbers in the \(marker) data block, found '\(lines.trimmed(j).prefix(60))'")
                    }
                    if twoColumns {
                        guard v.count >= 2 else { throw RoentgenError.badFile(file, line: j + 1, "expected `2θ intensity` in the \(marker) data block") }
                        x.append(v[0]); y.append(v[1])
                    }
                    j += 1
                }
                if !twoColumns {
                    guard let start = number(m, "_START") ?? number(m, "_2THETA"), let step = number(m, "_STEPSIZE") else {
                        throw RoentgenError.badFile(file, line: i + 1, "\(marker) block without _START (or _2THETA) and _STEPSIZE to place the points in 2θ")
                    }
                    x = DiffractionScan.steps(start: start, step: step, count: y.count)
                }
                try DiffractionScan.check(x, y, file: file, what: "range \(scans.count + 1)")
                m["data block"] = marker
                let rad = DiffractionScan.radiation(anode: m["_ANODE"], kAlpha1: number(m, "_WL1"), kAlpha2: number(m, "_WL2"),
                                                    ratio: number(m, "_WLRATIO"), kBeta: number(m, "_WL3"))
                scans.append(DiffractionScan.make(name: "range \(scans.count + 1)", twoTheta: x, intensity: y,
                                                  intensityUnit: marker.hasSuffix("CPS") ? "counts/s" : "counts",
                                                  radiation: rad, metadata: m))
                rangeMeta = nil
                i = j - 1
                continue
            }
            guard let eq = text.firstIndex(of: "=") else {
                throw RoentgenError.badFile(file, line: i + 1, "unknown data marker '\(text.prefix(40))', expected _2THETACOUNTS, _2THETACPS, _COUNTS or _CPS")
            }
            let key = String(text[..<eq]).trimmingCharacters(in: .whitespaces)
            var value = text[text.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("'"), value.hasSuffix("'") { value = String(value.dropFirst().dropLast()) }
            if key.uppercased() == "_DRIVE", rangeMeta == nil { rangeMeta = fileMeta }
            if rangeMeta != nil { rangeMeta![key] = value } else { fileMeta[key] = value }
        }
        guard !scans.isEmpty else {
            throw RoentgenError.badFile(file, line: lines.count, "no data block (_2THETACOUNTS, _2THETACPS, _COUNTS or _CPS) found")
        }
        if scans.count == 1 { scans[0].name = DiffractionScan.stem(file) }
        return DataFile(format: id, file: file, scans: scans)
    }
}
