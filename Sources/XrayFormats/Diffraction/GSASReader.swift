import Foundation
import XrayCore

/// GSAS powder data (`.gsa`, `.gsas`, `.raw`, `.xra`, `.fxye`): a title line, optional `#`
/// comments, then one or more `BANK` records. Constant-step banks (`CONST`/`CONS`) give 2θ in
/// centidegrees: `BCOEF1` is the start and `BCOEF2` the step. Data types: `STD` (10 fixed
/// 8-character fields per line, each `I2` counter number + `F6.0` intensity; esd = √(I/n)),
/// `ESD` (5 intensity/esd pairs of 8 characters), `FXY`/`FXYE` (free format x in centidegrees,
/// y, esd). Time-of-flight binnings are rejected with a clear error.
enum GSASReader: FormatReader {
    static let id = "gsas"
    static let name = "GSAS powder data (STD, ESD, FXY/FXYE; .gsa .gsas .xra .fxye)"
    static let kind = Scan.Kind.diffraction
    static let suffixes = ["gsa", "gsas", "gss", "xra", "fxye", "fxy", "raw", "gda", "dat"]

    static func sniff(head: Data, suffix: String) -> SniffConfidence {
        let prefix = head.prefix(8192)
        // The first line is a free 80-byte title, which some writers fill with non-text bytes
        // (LaMnO3_50k.gsas even a NUL), but never longer than a card: a 512-byte tar header is.
        let titleEnd = head.firstIndex(of: 10)
        let titleIsCard = titleEnd.map { $0 - head.startIndex <= 160 } ?? false
        let afterTitle = titleEnd.map { head[head.index(after: $0)...] } ?? head
        guard PatternText.contains(prefix, "BANK") || PatternText.contains(prefix, "INS "),
              PatternText.looksLikeText(head) || (titleIsCard && PatternText.looksLikeText(Data(afterTitle))) else { return .no }
        let lines = PatternText.Lines(prefix)
        var instrumentLines = 0
        for i in 0..<min(lines.count, 100) {
            let c = lines.bytes[lines.starts[i]..<lines.ends[i]].first
            guard c == 66 || c == 73 else { continue }   // 'B', 'I'
            if isBankLine(lines, i) { return .certain }
            if lines.hasPrefix(i, "INS ", skipBlanks: false) { instrumentLines += 1 }
        }
        // A GSAS instrument parameter file: recognised so that it is rejected with a clear message.
        return instrumentLines >= 3 ? .certain : .no
    }

    static func isBankLine(_ lines: PatternText.Lines, _ i: Int) -> Bool {
        guard lines.hasPrefix(i, "BANK", skipBlanks: false) else { return false }
        let k = lines.starts[i] + 4
        guard k < lines.ends[i], PatternText.isBlank(lines.bytes[k]) else { return false }
        var j = k
        while j < lines.ends[i], PatternText.isBlank(lines.bytes[j]) { j += 1 }
        return j < lines.ends[i] && PatternText.isDigit(lines.bytes[j])
    }

    static func read(_ data: Data, file: String) throws -> DataFile {
        let lines = PatternText.Lines(data)
        guard lines.count > 0 else { throw RoentgenError.badFile(file, line: 1, "empty file: expected a GSAS title line and BANK records") }
        var metadata = Metadata()
        var banks: [Int] = []
        for i in 0..<lines.count where isBankLine(lines, i) { banks.append(i) }
        guard let firstBank = banks.first else {
            if (0..<min(lines.count, 200)).filter({ lines.hasPrefix($0, "INS ", skipBlanks: false) }).count >= 3 {
                throw RoentgenError(.unsupportedFormat,
                                    "GSAS instrument parameter file (INS lines): it describes the instrument, not a pattern; read the data file (.gsa, .xra, .fxye) instead, with `--instrument` naming this file",
                                    file: file, line: 1)
            }
            throw RoentgenError.badFile(file, line: lines.count, "no BANK line found: expected `BANK n nchan nrec CONST start step 0 0 STD`")
        }
        var wavelength: Double?
        var headerCount = 0
        for i in 0..<firstBank {
            let text = lines.trimmed(i)
            if text.isEmpty { continue }
            if i == 0 && !text.hasPrefix("#") { metadata["title"] = text; continue }
            var body = text
            while body.first == "#" { body.removeFirst() }
            body = body.trimmingCharacters(in: .whitespaces)
            if let eq = body.firstIndex(of: "=") ?? body.firstIndex(of: ":") {
                let key = body[..<eq].trimmingCharacters(in: .whitespaces)
                let value = body[body.index(after: eq)...].trimmingCharacters(in: .whitespaces)
                if !key.isEmpty && metadata[key] == nil {
                    metadata[key] = value
                    if key.lowercased().contains("wavelength"), let v = PatternText.number(value), v > 0 { wavelength = v }
                    continue
                }
            }
            headerCount += 1
            metadata["header.\(headerCount)"] = body
        }
        var scans: [Scan] = []
        var warnings: [String] = []
        for (b, bankLine) in banks.enumerated() {
            let end = b + 1 < banks.count ? banks[b + 1] : lines.count
            scans.append(try readBank(lines, bankLine, end, metadata: metadata, wavelength: wavelength,
                                      file: file, warnings: &warnings))
        }
        return DataFile(format: id, file: file, scans: scans, warnings: warnings)
    }

    static func readBank(_ lines: PatternText.Lines, _ bankLine: Int, _ end: Int, metadata fileMetadata: Metadata,
                         wavelength: Double?, file: String, warnings: inout [String]) throws -> Scan {
        let fields = lines.trimmed(bankLine).split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let lineNo = bankLine + 1
        guard fields.count >= 5, let bank = Int(fields[1]), let nchan = Int(fields[2]), nchan > 0, nchan < 100_000_000 else {
            throw RoentgenError.badFile(file, line: lineNo, "malformed BANK line: expected `BANK n nchan nrec bintyp bcoef… [type]`")
        }
        let binType = fields[4].uppercased()
        guard binType == "CONST" || binType == "CONS" else {
            throw RoentgenError(.unsupportedFormat,
                                "BANK binning '\(fields[4])' (time of flight or log binning) is not supported; expected CONST/CONS (constant-wavelength 2θ)",
                                file: file, line: lineNo)
        }
        let coefficients = fields.dropFirst(5).prefix(4).compactMap { PatternText.number($0) }
        let last = fields.last!.uppercased()
        let dataType = ["STD", "ESD", "ALT", "FXY", "FXYE"].contains(last) ? last : "STD"
        var metadata = fileMetadata
        metadata["BANK"] = fields.dropFirst().joined(separator: " ")
        metadata["bank"] = String(bank)
        metadata["data type"] = dataType
        var twoTheta: [Double] = [], intensity: [Double] = [], esd: [Double] = []
        let capacity = min(nchan, 10 * (end - bankLine))
        twoTheta.reserveCapacity(capacity); intensity.reserveCapacity(capacity); esd.reserveCapacity(capacity)
        switch dataType {
        case "STD", "ESD":
            guard coefficients.count >= 2, coefficients[1] > 0 else {
                throw RoentgenError.badFile(file, line: lineNo, "BANK CONST needs a start and a positive step (BCOEF1, BCOEF2 in centidegrees)")
            }
            let isSTD = dataType == "STD"
            var i = bankLine + 1
            lines.bytes.withUnsafeBufferPointer { p in
                while i < end && intensity.count < nchan {
                    var k = lines.starts[i]
                    let e = lines.ends[i]
                    var pending: Double?
                    while k < e && intensity.count < nchan {
                        let fieldEnd = min(k + 8, e)
                        var s = k
                        while s < fieldEnd, PatternText.isBlank(p[s]) { s += 1 }
                        if s == fieldEnd { break }   // blank field: rest of the line is padding
                        if isSTD {
                            // I2 counter number in columns 1-2, F6.0 intensity in columns 3-8.
                            let split = min(k + 2, fieldEnd)
                            var ns = k
                            while ns < split, PatternText.isBlank(p[ns]) { ns += 1 }
                            let n = ns < split ? PatternText.number(p, ns, split) ?? 1 : 1
                            var ys = max(split, s)
                            while ys < fieldEnd, PatternText.isBlank(p[ys]) { ys += 1 }
                            let y = PatternText.number(p, ys, fieldEnd) ?? PatternText.number(p, s, fieldEnd) ?? .nan
                            intensity.append(y)
                            esd.append((max(y, 1) / max(n, 1)).squareRoot())
                        } else {
                            let v = PatternText.number(p, s, fieldEnd) ?? .nan
                            if let y = pending { intensity.append(y); esd.append(v); pending = nil } else { pending = v }
                        }
                        k = fieldEnd
                    }
                    i += 1
                }
            }
            // A bank holding fewer points than its BANK line declares is read as far as it goes,
            // with a warning naming both counts (GSAS-II pads such a bank with zero counts).
            guard !intensity.isEmpty, intensity.count <= nchan else {
                throw RoentgenError.badFile(file, line: end, "BANK \(bank) holds \(intensity.count) points where its BANK line declares \(nchan)")
            }
            if intensity.count < nchan {
                warnings.append("BANK \(bank) declares \(nchan) points but the file holds \(intensity.count) (truncated file?); the \(intensity.count) were read")
            }
            if let bad = intensity.firstIndex(where: { !$0.isFinite }) {
                throw RoentgenError.badFile(file, line: lineNo, "BANK \(bank): point \(bad + 1) is not a number")
            }
            twoTheta = DiffractionScan.steps(start: coefficients[0] / 100, step: coefficients[1] / 100, count: intensity.count)
        case "FXY", "FXYE":
            var v: [Double] = []
            v.reserveCapacity(8)
            for i in (bankLine + 1)..<end {
                guard let first = lines.firstByte(i) else { continue }
                if first == 35 { continue }
                guard lines.scanNumbers(i, into: &v), v.count >= 2 else {
                    throw RoentgenError.badFile(file, line: i + 1, "expected x (centidegrees), y\(dataType == "FXYE" ? ", esd" : "") on each line of BANK \(bank)")
                }
                twoTheta.append(v[0] / 100)
                intensity.append(v[1])
                if dataType == "FXYE" { esd.append(v.count >= 3 ? v[2] : .nan) }
            }
            if twoTheta.count != nchan {
                warnings.append("BANK \(bank) announces \(nchan) points but holds \(twoTheta.count); all \(twoTheta.count) were read")
            }
        default:
            throw RoentgenError(.unsupportedFormat, "GSAS data type ALT is not supported for constant-wavelength banks",
                                file: file, line: lineNo)
        }
        try DiffractionScan.check(twoTheta, intensity, file: file, what: "BANK \(bank)")
        return DiffractionScan.make(name: "bank \(bank)", twoTheta: twoTheta, intensity: intensity,
                                    esd: esd.isEmpty ? nil : esd,
                                    radiation: wavelength.map { .monochromatic($0) }, metadata: metadata)
    }
}
