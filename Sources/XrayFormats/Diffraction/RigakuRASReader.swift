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
        // One pass over the bytes in place: lines are walked with a cursor (no line table), data
        // rows parsed straight into the columns, header keys and values copied once each.
        try data.withUnsafeBytes { raw -> DataFile in
            var buffer = raw.bindMemory(to: UInt8.self)
            if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF {
                buffer = UnsafeBufferPointer(rebasing: buffer[3...])
            }
            var lines = PatternText.LineCursor(buffer)
            let p = lines.p
            var line = 0
            var scans: [Scan] = []
            var header = Metadata()
            var inHeader = false
            while let (ls, e) = lines.next() {
                line += 1
                var k = ls
                while k < e, PatternText.isBlank(p[k]) { k += 1 }
                guard k < e, p[k] == 42 else { continue }   // only '*' lines outside data blocks
                // Only `*R…` lines can be block markers; the ~300 `*KEY "value"` lines skip the prefix tests.
                if !(k + 1 < e && PatternText.lower(p[k + 1]) == 114) {
                    if inHeader { headerField(p, k, e, into: &header) }
                } else if hasPrefix(p, k, e, "*RAS_HEADER_START") {
                    header = Metadata(); inHeader = true
                    header.reserveCapacity(512)
                } else if hasPrefix(p, k, e, "*RAS_HEADER_END") {
                    inHeader = false
                } else if hasPrefix(p, k, e, "*RAS_INT_START") {
                    let startLine = line
                    var x: [Double] = [], counts: [Double] = [], att: [Double] = []
                    // The announced point count (`1401.0000000000`) only sizes the arrays.
                    if let expected = header["MEAS_DATA_COUNT"].flatMap({ PatternText.number($0) }), expected >= 1, expected < 1e7 {
                        let n = Int(expected)
                        x.reserveCapacity(n); counts.reserveCapacity(n); att.reserveCapacity(n)
                    }
                    var closed = false
                    while let (rs, re) = lines.next() {
                        line += 1
                        var k = rs
                        while k < re, PatternText.isBlank(p[k]) { k += 1 }
                        if k == re { continue }
                        if p[k] == 42, hasPrefix(p, k, re, "*RAS_INT_END") { closed = true; break }
                        // `2θ counts [attenuator …]`: every blank-separated token a number.
                        var v0 = 0.0, v1 = 0.0, v2 = 1.0, count = 0
                        while k < re {
                            guard let r = PatternText.scanNumber(p, k, re), r.end == re || PatternText.isBlank(p[r.end]) else { count = -1; break }
                            switch count {
                            case 0: v0 = r.value
                            case 1: v1 = r.value
                            case 2: v2 = r.value
                            default: break
                            }
                            count += 1
                            k = r.end
                            while k < re, PatternText.isBlank(p[k]) { k += 1 }
                        }
                        guard count >= 2 else {
                            throw RoentgenError.badFile(file, line: line, "expected `2θ counts [attenuator]` in the *RAS_INT block, found '\(trimmedText(p, rs, re).prefix(60))'")
                        }
                        x.append(v0); counts.append(v1); att.append(v2)
                    }
                    guard closed else {
                        throw RoentgenError.badFile(file, line: line, "*RAS_INT_START at line \(startLine) has no *RAS_INT_END (truncated file?)")
                    }
                    try DiffractionScan.check(x, counts, file: file, what: "scan \(scans.count + 1)")
                    var intensity = counts
                    for k in intensity.indices { intensity[k] *= att[k] }
                    scans.append(DiffractionScan.make(name: "scan \(scans.count + 1)", twoTheta: x, intensity: intensity,
                                                      extra: [("counts", counts, "counts"), ("attenuator", att, "")],
                                                      radiation: radiation(header), metadata: header))
                } else if inHeader {
                    headerField(p, k, e, into: &header)
                }
            }
            guard !scans.isEmpty else {
                throw RoentgenError.badFile(file, line: line, "no *RAS_INT_START … *RAS_INT_END data block found")
            }
            if scans.count == 1 { scans[0].name = DiffractionScan.stem(file) }
            return DataFile(format: id, file: file, scans: scans)
        }
    }

    /// Whether `p[k..<e]` starts with the ASCII `prefix`, case-insensitively.
    @inline(__always)
    static func hasPrefix(_ p: UnsafePointer<UInt8>, _ k: Int, _ e: Int, _ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard e - k >= count else { return false }
        let q = prefix.utf8Start
        for j in 0..<count where PatternText.lower(p[k + j]) != PatternText.lower(q[j]) { return false }
        return true
    }

    /// `p[s..<e]` with blanks trimmed, as text (for error messages).
    static func trimmedText(_ p: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> String {
        var s = s, e = e
        while s < e, PatternText.isBlank(p[s]) { s += 1 }
        while e > s, PatternText.isBlank(p[e - 1]) { e -= 1 }
        return PatternText.string(UnsafeBufferPointer(start: p + s, count: e - s))
    }

    /// Stores the header line `*KEY "value"` at `p[k..<e]` (`k` at the '*') in `header`.
    @inline(__always)
    static func headerField(_ p: UnsafePointer<UInt8>, _ k: Int, _ e: Int, into header: inout Metadata) {
        var k = k + 1   // '*'
        var e = e
        let keyStart = k
        while k < e, !PatternText.isBlank(p[k]) { k += 1 }
        let key = PatternText.string(UnsafeBufferPointer(start: p + keyStart, count: k - keyStart))
        while k < e, PatternText.isBlank(p[k]) { k += 1 }
        while e > k, PatternText.isBlank(p[e - 1]) { e -= 1 }
        if e - k >= 2, p[k] == 34, p[e - 1] == 34 { k += 1; e -= 1 }
        header[key] = PatternText.string(UnsafeBufferPointer(start: p + k, count: e - k))
    }

    static func radiation(_ h: Metadata) -> Radiation? {
        DiffractionScan.radiation(anode: h["HW_XG_TARGET_NAME"],
                                  kAlpha1: h["HW_XG_WAVE_LENGTH_ALPHA1"].flatMap { PatternText.number($0) },
                                  kAlpha2: h["HW_XG_WAVE_LENGTH_ALPHA2"].flatMap { PatternText.number($0) },
                                  ratio: nil,
                                  kBeta: h["HW_XG_WAVE_LENGTH_BETA"].flatMap { PatternText.number($0) })
    }
}
