import Foundation
import XrayCore

/// Rigaku RAS text (SmartLab Studio / Guidance): `*RAS_DATA_START`, then per scan a
/// `*RAS_HEADER_START … *RAS_HEADER_END` block of `*KEY "value"` lines and a
/// `*RAS_INT_START … *RAS_INT_END` block of `2θ counts attenuator` rows. Intensity is counts ×
/// attenuator coefficient (both kept as columns). Header text may be Latin-1 or Shift-JIS;
/// values are kept as decoded (UTF-8, else Latin-1).
enum RigakuRASReader: FormatReader {
    static let id = "rigaku-ras"
    static let name = "Rigaku RAS (.ras)"
    static let kind = Scan.Kind.diffraction
    static let suffixes = ["ras"]

    static func sniff(head: Data, suffix: String) -> SniffConfidence {
        guard PatternText.firstNonBlank(head) == 42 else { return suffix == "ras" ? .suffixOnly : .no }   // '*'
        return PatternText.contains(head.prefix(512), "*RAS_DATA_START") || PatternText.contains(head.prefix(512), "*RAS_HEADER_START")
            ? .certain : (suffix == "ras" ? .suffixOnly : .no)
    }

    static func read(_ data: Data, file: String) throws -> DataFile {
        let lines = PatternText.Lines(data)
        var scans: [Scan] = []
        var header = Metadata()
        var inHeader = false
        var i = 0
        while i < lines.count {
            guard lines.firstByte(i) == 42 else { i += 1; continue }   // only '*' lines outside data blocks
            // Only `*R…` lines can be block markers; the ~300 `*KEY "value"` lines skip the three prefix tests.
            if !lines.secondByteIs(i, 82) {
                if inHeader { headerField(lines, i, into: &header) }
            } else if lines.hasPrefix(i, "*RAS_HEADER_START") {
                header = Metadata(); inHeader = true
                header.reserveCapacity(512)
            } else if lines.hasPrefix(i, "*RAS_HEADER_END") {
                inHeader = false
            } else if lines.hasPrefix(i, "*RAS_INT_START") {
                let startLine = i
                var x: [Double] = [], counts: [Double] = [], att: [Double] = []
                var v: [Double] = []
                i += 1
                while i < lines.count, !(lines.firstByte(i) == 42 && lines.hasPrefix(i, "*RAS_INT_END")) {
                    if !lines.isBlank(i) {
                        guard lines.scanNumbers(i, into: &v), v.count >= 2 else {
                            throw RoentgenError.badFile(file, line: i + 1, "expected `2θ counts [attenuator]` in the *RAS_INT block, found '\(lines.trimmed(i).prefix(60))'")
                        }
                        x.append(v[0]); counts.append(v[1]); att.append(v.count >= 3 ? v[2] : 1)
                    }
                    i += 1
                }
                guard i < lines.count else {
                    throw RoentgenError.badFile(file, line: lines.count, "*RAS_INT_START at line \(startLine + 1) has no *RAS_INT_END (truncated file?)")
                }
                try DiffractionScan.check(x, counts, file: file, what: "scan \(scans.count + 1)")
                var intensity = counts
                for k in intensity.indices { intensity[k] *= att[k] }
                scans.append(DiffractionScan.make(name: "scan \(scans.count + 1)", twoTheta: x, intensity: intensity,
                                                  extra: [("counts", counts, "counts"), ("attenuator", att, "")],
                                                  radiation: radiation(header), metadata: header))
            } else if inHeader {
                headerField(lines, i, into: &header)
            }
            i += 1
        }
        guard !scans.isEmpty else {
            throw RoentgenError.badFile(file, line: lines.count, "no *RAS_INT_START … *RAS_INT_END data block found")
        }
        if scans.count == 1 { scans[0].name = DiffractionScan.stem(file) }
        return DataFile(format: id, file: file, scans: scans)
    }

    /// Stores header line `i` (`*KEY "value"`) in `header`, split on the bytes (hundreds of lines per header).
    @inline(__always)
    static func headerField(_ lines: PatternText.Lines, _ i: Int, into header: inout Metadata) {
        let b = lines.bytes
        var k = lines.starts[i], e = lines.ends[i]
        while k < e, PatternText.isBlank(b[k]) { k += 1 }
        k += 1   // '*'
        let keyStart = k
        while k < e, !PatternText.isBlank(b[k]) { k += 1 }
        let key = PatternText.string(b, keyStart..<k)
        while k < e, PatternText.isBlank(b[k]) { k += 1 }
        while e > k, PatternText.isBlank(b[e - 1]) { e -= 1 }
        if e - k >= 2, b[k] == 34, b[e - 1] == 34 { k += 1; e -= 1 }
        header[key] = PatternText.string(b, k..<e)
    }

    static func radiation(_ h: Metadata) -> Radiation? {
        DiffractionScan.radiation(anode: h["HW_XG_TARGET_NAME"],
                                  kAlpha1: h["HW_XG_WAVE_LENGTH_ALPHA1"].flatMap { PatternText.number($0) },
                                  kAlpha2: h["HW_XG_WAVE_LENGTH_ALPHA2"].flatMap { PatternText.number($0) },
                                  ratio: nil,
                                  kBeta: h["HW_XG_WAVE_LENGTH_BETA"].flatMap { PatternText.number($0) })
    }
}
