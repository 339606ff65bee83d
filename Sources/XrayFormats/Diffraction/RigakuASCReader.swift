import Foundation
import XrayCore

/// Rigaku ASC text (older Rigaku software): `*KEY = value` header lines, then per group a
/// `*BEGIN … *END` block with `*START`, `*STOP`, `*STEP`, `*COUNT` and rows of comma-separated
/// counts. 2θ is `START + i·STEP`. Repeated keys (`*SLIT_NAME`) are numbered `[2]`, `[3]` ….
enum RigakuASCReader: FormatReader {
    static let id = "rigaku-asc"
    static let name = "Rigaku ASC (*KEY = value header, *BEGIN/*END groups; .asc)"
    static let kind = Scan.Kind.diffraction
    static let suffixes = ["asc"]

    static func sniff(head: Data, suffix: String) -> SniffConfidence {
        guard PatternText.firstNonBlank(head) == 42, !PatternText.contains(head.prefix(512), "*RAS_") else { return .no }   // RAS is not ASC
        let lines = PatternText.Lines(head.prefix(8192))
        var stars = 0
        for i in 0..<min(lines.count, 60) {
            if lines.hasPrefix(i, "*BEGIN") { return .certain }
            if lines.firstByte(i) == 42, lines.contains(i, 61) { stars += 1 }   // '*…=…
        }
        return stars >= 5 ? .certain : .no
    }

    static func read(_ data: Data, file: String) throws -> DataFile {
        let lines = PatternText.Lines(data)
        var fileMeta = Metadata()
        var scans: [Scan] = []
        var i = 0
        func keyValue(_ i: Int) -> (String, String)? {
            lines.firstByte(i) == 42 ? lines.keyValue(i, separator: 61, skip: 1) : nil
        }
        func store(_ key: String, _ value: String, in m: inout Metadata) {
            if m[key] == nil { m[key] = value; return }
            var n = 2
            while m["\(key)[\(n)]"] != nil { n += 1 }
            m["\(key)[\(n)]"] = value
        }
        while i < lines.count {
            if lines.hasPrefix(i, "*BEGIN") {
                let beginLine = i
                var m = fileMeta
                var y: [Double] = []
                i += 1
                while i < lines.count, !lines.hasPrefix(i, "*END") {
                    if lines.firstByte(i) == 42 {
                        if let (k, v) = keyValue(i) { store(k, v, in: &m) }
                    } else if !lines.isBlank(i) {
                        guard lines.appendNumbers(i, commaSeparates: true, to: &y) else {
                            throw RoentgenError.badFile(file, line: i + 1, "expected comma-separated counts in the *BEGIN block, found '\(lines.trimmed(i).prefix(60))'")
                        }
                    }
                    i += 1
                }
                guard i < lines.count else {
                    throw RoentgenError.badFile(file, line: lines.count, "*BEGIN at line \(beginLine + 1) has no *END (truncated file?)")
                }
                guard let start = m["START"].flatMap({ PatternText.number($0) }),
                      let step = m["STEP"].flatMap({ PatternText.number($0) }) else {
                    throw RoentgenError.badFile(file, line: beginLine + 1, "group lacks *START or *STEP, expected both to place the points in 2θ")
                }
                if let count = m["COUNT"].flatMap({ Int($0) }), count != y.count {
                    throw RoentgenError.badFile(file, line: i + 1, "group announces *COUNT = \(count) but holds \(y.count) values")
                }
                let x = DiffractionScan.steps(start: start, step: step, count: y.count)
                try DiffractionScan.check(x, y, file: file, what: "group \(scans.count + 1)")
                let target = m["TARGET"].flatMap { Int($0) }.flatMap { Element.withAtomicNumber($0)?.symbol }
                let rad = DiffractionScan.radiation(anode: target, kAlpha1: m["WAVE_LENGTH1"].flatMap { PatternText.number($0) },
                                                    kAlpha2: m["WAVE_LENGTH2"].flatMap { PatternText.number($0) },
                                                    ratio: nil, kBeta: nil)
                scans.append(DiffractionScan.make(name: "group \(scans.count + 1)", twoTheta: x, intensity: y,
                                                  radiation: rad, metadata: m))
            } else if lines.firstByte(i) == 42, let (k, v) = keyValue(i) {
                store(k, v, in: &fileMeta)
            }
            i += 1
        }
        guard !scans.isEmpty else { throw RoentgenError.badFile(file, line: lines.count, "no *BEGIN … *END data group found") }
        if scans.count == 1 { scans[0].name = DiffractionScan.stem(file) }
        return DataFile(format: id, file: file, scans: scans)
    }
}
