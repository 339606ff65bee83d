import Foundation
import XrayCore

/// The constant-wavelength instrument description GSAS keeps beside a data file: the old GSAS
/// `.prm`/`.iparm` file (`INS  n ICONS …` records) or GSAS-II's `.instprm` (`Lam1:1.5405;…`).
///
/// GSAS data files (`.gsa`, `.xra`, `.fxye`) carry no wavelength; the radiation lives here. Only the
/// facts a reader needs are interpreted (wavelengths, intensity ratio, zero, polarisation, the
/// Caglioti U, V, W of GSAS-II files); every record is also kept verbatim in `metadata`.
public struct GSASInstrumentParameters: Sendable, Equatable {
    /// One bank's constants.
    public struct Bank: Sendable, Equatable {
        /// GSAS histogram type, e.g. `PXC` (powder, X-ray, constant wavelength).
        public var histogramType: String?
        /// Primary wavelength λ1 in Å.
        public var lambda1: Double?
        /// Second wavelength λ2 in Å (Kα2); nil for a single wavelength.
        public var lambda2: Double?
        /// Intensity ratio I(λ2)/I(λ1).
        public var intensityRatio: Double?
        /// Zero shift of 2θ, in centidegrees (GSAS) or degrees (GSAS-II), as in the file.
        public var zero: Double?
        /// Polarisation fraction (GSAS POLA / GSAS-II `Polariz.`).
        public var polarization: Double?
        /// GSAS radiation code (`IRAD`): 3 is Cu Kα, 0 none.
        public var radiationCode: Int?
        /// Every record of the bank, keyed by its GSAS name (`ICONS`, `PRCF11`, `Lam1`, …).
        public var metadata = Metadata()

        /// The radiation these constants describe, with the anode named when λ1 matches a tube's Kα1.
        public var radiation: Radiation? {
            guard let l1 = lambda1, l1 > 0 else { return nil }
            let anode = AnodeLines.all.first { abs($0.kAlpha1 - l1) < 0.0005 }
            guard let l2 = lambda2, l2 > 0 else {
                return Radiation(anode: anode?.anode, kAlpha1: l1)
            }
            return Radiation(anode: anode?.anode, kAlpha1: l1, kAlpha2: l2,
                             kAlpha2Ratio: intensityRatio ?? AnodeLines.kAlpha2Ratio)
        }
    }

    /// Banks by number (1-based as in the file).
    public var banks: [Int: Bank]
    /// The file the parameters were read from.
    public var file: String

    /// The bank for data bank `number`: that bank if present, else the only bank the file has.
    public func bank(_ number: Int) -> Bank? {
        if let bank = banks[number] { return bank }
        return banks.count == 1 ? banks.values.first : nil
    }

    /// Reads a GSAS `.prm` or GSAS-II `.instprm` file.
    public static func read(_ url: URL) throws -> GSASInstrumentParameters {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw RoentgenError(.io, "instrument parameter file is not readable", file: url.path)
        }
        return try read(data, file: url.path)
    }

    /// Parses the bytes of a `.prm` or `.instprm` file; `file` names it in errors.
    public static func read(_ data: Data, file: String) throws -> GSASInstrumentParameters {
        guard let text = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1) else {
            throw RoentgenError.badFile(file, line: 1, "not a text file: expected GSAS `INS` records or GSAS-II `key:value` lines")
        }
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        if lines.contains(where: { $0.hasPrefix("INS ") }) {
            return try readGSAS(lines, file: file)
        }
        return try readGSASII(lines, file: file)
    }

    // MARK: GSAS `.prm`

    /// `INS  n NAME  values…`: columns 1–3 `INS`, 4–6 the bank, 7–12 the record name, then data.
    private static func readGSAS(_ lines: [Substring], file: String) throws -> GSASInstrumentParameters {
        var banks: [Int: Bank] = [:]
        for (index, raw) in lines.enumerated() where raw.hasPrefix("INS ") {
            let line = Array(raw.utf8)
            let lineNo = index + 1
            guard line.count >= 12 else { continue }
            let bankField = PatternText.trimmingBlanks(string(line, 3..<6))
            // File-wide records (`INS   BANK      1`, `INS   HTYPE …`) have no bank number.
            guard let bankNumber = Int(bankField) else { continue }
            let name = PatternText.trimmingBlanks(string(line, 6..<12))
            let value = line.count > 12 ? string(line, 12..<line.count) : ""
            var bank = banks[bankNumber] ?? Bank()
            bank.metadata[name] = PatternText.trimmingBlanks(value)
            switch name {
            case "ICONS":
                // Fixed format (GSAS manual, "Instrument parameter file"): λ1 F10, λ2 F10, zero F10,
                // (unused) F10, POLA F10, IPOLA I5, KRATIO F10.
                let fields = fixedFields(Array(line.dropFirst(12)), widths: [10, 10, 10, 10, 10, 5, 10])
                guard let l1 = fields[0], l1 > 0, l1 < 10 else {
                    throw RoentgenError.badFile(file, line: lineNo, "ICONS: expected λ1 in Å in columns 13–22, found `\(PatternText.trimmingBlanks(value))`")
                }
                bank.lambda1 = l1
                bank.lambda2 = (fields[1] ?? 0) > 0 ? fields[1] : nil
                bank.zero = fields[2]
                bank.polarization = fields[4]
                bank.intensityRatio = bank.lambda2 == nil ? nil : fields[6]
            case "IRAD":
                bank.radiationCode = Int(PatternText.trimmingBlanks(value))
            default:
                break
            }
            banks[bankNumber] = bank
        }
        if let htype = lines.first(where: { $0.hasPrefix("INS   HTYPE") }) {
            let type = PatternText.trimmingBlanks(htype.dropFirst(11))
            for key in banks.keys { banks[key]?.histogramType = type }
        }
        guard !banks.isEmpty, banks.values.contains(where: { $0.lambda1 != nil }) else {
            throw RoentgenError.badFile(file, line: lines.count, "no `INS  n ICONS` record with a wavelength: expected a constant-wavelength GSAS instrument file")
        }
        return GSASInstrumentParameters(banks: banks, file: file)
    }

    // MARK: GSAS-II `.instprm`

    /// `#` comments, then `name:value` pairs separated by newlines or `;`; `Bank n` lines start a bank.
    private static func readGSASII(_ lines: [Substring], file: String) throws -> GSASInstrumentParameters {
        var banks: [Int: Bank] = [:]
        var current = 1
        var sawPair = false
        for (index, raw) in lines.enumerated() {
            let line = PatternText.trimmingBlanks(raw)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.lowercased().hasPrefix("bank"), let n = Int(line.dropFirst(4).trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: ":")))) {
                current = n
                continue
            }
            for pair in line.split(separator: ";") {
                guard let colon = pair.firstIndex(of: ":") else {
                    throw RoentgenError.badFile(file, line: index + 1, "expected `name:value` pairs (GSAS-II .instprm), found `\(pair)`")
                }
                let key = PatternText.trimmingBlanks(pair[..<colon])
                let value = PatternText.trimmingBlanks(pair[pair.index(after: colon)...])
                var bank = banks[current] ?? Bank()
                bank.metadata[key] = value
                let number = Double(value)
                switch key {
                case "Type": bank.histogramType = value
                case "Lam", "Lam1": bank.lambda1 = number
                case "Lam2": bank.lambda2 = (number ?? 0) > 0 ? number : nil
                case "I(L2)/I(L1)": bank.intensityRatio = number
                case "Zero": bank.zero = number
                case "Polariz.": bank.polarization = number
                default: break
                }
                banks[current] = bank
                sawPair = true
            }
        }
        guard sawPair, banks.values.contains(where: { ($0.lambda1 ?? 0) > 0 }) else {
            throw RoentgenError.badFile(file, line: max(lines.count, 1), "no wavelength (`Lam:` or `Lam1:`) found: expected a GSAS .prm or GSAS-II .instprm instrument file")
        }
        return GSASInstrumentParameters(banks: banks, file: file)
    }

    // MARK: Finding the companion file

    /// Suffixes instrument parameter files use, lower-cased.
    static let suffixes: Set<String> = ["prm", "iparm", "instprm"]

    /// What `companion(of:)` found beside a data file.
    public enum Companion: Equatable {
        /// One instrument file, and how it was chosen.
        case found(URL, reason: String)
        /// Several candidates and no way to choose: the user must name one.
        case ambiguous([String])
        /// No instrument file in the folder.
        case none
    }

    /// The instrument file that goes with `dataURL`: one with the same name stem and an instrument
    /// suffix (any case); else the only instrument file in the folder that is not named after
    /// another file there (`11bmb_8716.prm` belongs to `11bmb_8716.fxye`).
    public static func companion(of dataURL: URL) -> Companion {
        let folder = dataURL.deletingLastPathComponent()
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return .none }
        switch companion(named: dataURL.lastPathComponent, among: names) {
        case .found(let name, let reason): return .found(folder.appendingPathComponent(name), reason: reason)
        case .ambiguous(let names): return .ambiguous(names)
        case .none: return .none
        }
    }

    /// What the rule finds among names: the instrument file's name, or why there is none.
    enum CompanionName: Equatable {
        case found(String, reason: String)
        case ambiguous([String])
        case none
    }

    /// The rule of `companion(of:)` on names alone (a folder's files, or the entries of one folder
    /// of an archive). `x.gsas.gz` goes with `x.prm` as `x.gsas` does.
    static func companion(named dataName: String, among names: [String]) -> CompanionName {
        func stem(_ name: String) -> String { FileName.stem(GzipReader.contentName(name)).lowercased() }
        let isInstrument = { (name: String) in suffixes.contains(FileName.suffix(name)) }
        let candidates = names.filter(isInstrument).sorted()
        if candidates.isEmpty { return .none }
        let dataStem = stem(dataName)
        if let same = candidates.first(where: { stem($0) == dataStem }) {
            return .found(same, reason: "same name as the data file")
        }
        let otherStems = Set(names.filter { !isInstrument($0) }.map(stem))
        let unclaimed = candidates.filter { !otherStems.contains(stem($0)) }
        if unclaimed.count == 1 {
            return .found(unclaimed[0], reason: "the only instrument file beside the data not named after another data file")
        }
        // Several: the one whose name begins as the data file's does (`11bmb_8716.fxye` with
        // `11bmb.prm`, not `polaris.prm`), when one shares a longer start than every other.
        let pool = unclaimed.isEmpty ? candidates : unclaimed
        func shared(_ name: String) -> Int { zip(stem(name), dataStem).prefix { $0 == $1 }.count }
        let ranked = pool.map { ($0, shared($0)) }.sorted { $0.1 > $1.1 }
        if let best = ranked.first, best.1 >= 3, ranked.count == 1 || ranked[1].1 < best.1 {
            let prefix = String(dataStem.prefix(best.1))
            return .found(best.0, reason: "its name begins '\(prefix)' as the data file's does (the other instrument files beside it, \(pool.filter { $0 != best.0 }.joined(separator: ", ")), do not)")
        }
        return .ambiguous(pool)
    }

    // MARK: Helpers

    private static func string(_ bytes: [UInt8], _ range: Range<Int>) -> String {
        String(decoding: bytes[range.clamped(to: 0..<bytes.count)], as: UTF8.self)
    }

    /// Splits `bytes` into fixed-width fields and parses each as a number (nil where blank or not a number).
    private static func fixedFields(_ bytes: [UInt8], widths: [Int]) -> [Double?] {
        var start = 0
        return widths.map { width in
            defer { start += width }
            guard start < bytes.count else { return nil }
            return Double(PatternText.trimmingBlanks(string(bytes, start..<min(start + width, bytes.count))))
        }
    }
}

extension GSASInstrumentParameters {
    /// Gives the scans of a GSAS data file the radiation of `parameters`, bank by bank, and keeps
    /// the instrument constants in each scan's metadata under `instrument.`. A wavelength the data
    /// file states itself is kept, with a warning if the instrument file disagrees.
    public func apply(to dataFile: inout DataFile, reason: String) {
        let name = String(FileName.last(file))
        var used = false
        for index in dataFile.scans.indices {
            let scan = dataFile.scans[index]
            let bankNumber = Int(scan.name.split(separator: " ").last ?? "") ?? 1
            guard let bank = bank(bankNumber), let radiation = bank.radiation else { continue }
            used = true
            var updated = scan
            updated.metadata["instrument.file"] = file
            for (key, value) in bank.metadata { updated.metadata["instrument.\(key)"] = value }
            if let own = scan.radiation?.kAlpha1 {
                if abs(own - (radiation.kAlpha1 ?? own)) > 1e-4 {
                    dataFile.warnings.append("\(scan.name): the data file states λ = \(own) Å but \(name) gives \(radiation.kAlpha1!) Å; the data file's value is kept")
                }
            } else {
                updated.radiation = radiation
            }
            dataFile.scans[index] = updated
        }
        if used { dataFile.warnings.append("instrument parameters from \(name) (\(reason))") }
    }
}
