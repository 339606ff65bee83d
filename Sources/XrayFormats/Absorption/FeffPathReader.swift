import Foundation
import XrayCore

/// Reads FEFF path files (`feffNNNN.dat` from FEFF6L, FEFF8L and FEFF9) into a `FeffPath`.
///
/// The layout follows Larch's `FeffDatFile._read` (`xafs/feffdat.py`): header lines may start
/// with `#`; the first line is the title (columns 1–64) and FEFF version; `Abs Z=… Rmt=… Rnm=… K shell`
/// and `Pot N Z=…` give the potentials, `Gam_ch=…` and `Mu=… kf=… Vint=… Rs_int=…` the
/// energies; other header lines (Atoms' `name:`, `formula:`, FEFF's `POT …`, `Path … icalc`) are
/// skipped. After the `-----` rule come `nleg, deg, reff, rnrmav(bohr), edge`, a column-label line
/// and one `x y z pot at# [label]` line per atom; then `k real[2*phc] mag[feff] phase[feff] red
/// factor lambda real[p]@#` and the table, seven numbers a row.
///
/// Unlike Larch, which skips rows that do not hold seven numbers, a short or unparsable table row,
/// a missing path line or atom list, or fewer than four table rows is an error naming the line:
/// such a file was cut short.
public enum FeffPathReader {
    /// Reads the file at `url`.
    public static func read(_ url: URL) throws -> FeffPath {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw RoentgenError(.io, "cannot read the FEFF path file (\(FileManager.default.fileExists(atPath: url.path) ? "not readable" : "no such file"))", file: url.path)
        }
        return try parse(String(decoding: data, as: UTF8.self), file: url.path)
    }

    /// Whether `text` looks like a FEFF path file (its table header line is present).
    public static func looksLikeFeffPath(_ text: Substring) -> Bool {
        text.contains("real[2*phc]") && text.contains("nleg, deg, reff")
    }

    private enum Mode { case header, path, arrays }

    /// Parses the text of a FEFF path file; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws -> FeffPath {
        var title = "", version = "", shell = ""
        var potentials: [FeffPath.Potential] = []
        var gammaCh: Double?, exchange: String?, vmu: Double?, vfermi: Double?, vint: Double?, rsInt: Double?
        var nleg: Int?, degeneracy = 0.0, reff = 0.0, rnorman = 0.0, edge = 0.0
        var atoms: [FeffPath.Atom] = []
        var columns = [[Double]](repeating: [], count: 7)
        var mode = Mode.header
        var pathLine = 0
        var lineNumber = 0
        var sawTableHeader = false
        func bad(_ message: String) -> RoentgenError { RoentgenError.badFile(file, line: lineNumber, message) }
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.hasPrefix("#") { line = String(line.dropFirst()).trimmingCharacters(in: .whitespaces) }
            if lineNumber == 1 {
                // Larch splits at column 64; the version text starts at "Feff" where the title is longer.
                let split = line.range(of: "Feff", options: .backwards).map { line.distance(from: line.startIndex, to: $0.lowerBound) } ?? 64
                title = String(line.prefix(split)).trimmingCharacters(in: .whitespaces)
                version = String(line.dropFirst(split)).trimmingCharacters(in: .whitespaces)
                continue
            }
            if line.isEmpty { continue }
            if line.hasPrefix("k") && line.hasSuffix("real[p]@#") {
                mode = .arrays; sawTableHeader = true
                continue
            }
            if line.count > 2, line.dropFirst(2).prefix(8).contains("----") {
                mode = .path
                continue
            }
            switch mode {
            case .header:
                let words = line.replacingOccurrences(of: "=", with: " ").split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                guard let first = words.first else { continue }
                if (first == "Abs" || (first == "Pot" && words.count > 1 && Int(words[1]) != nil)) && line.contains("Z") {
                    var w = Array(words.dropFirst())
                    var ipot = 0
                    if first == "Pot" { ipot = Int(w.removeFirst()) ?? 0 }
                    guard w.count >= 6, w[0] == "Z", let z = Int(w[1]), let rmt = Double(w[3]), let rnm = Double(w[5]) else {
                        throw bad("potential line '\(line)' not understood; expected 'Abs Z=29 Rmt= 1.289 Rnm= 1.424 K shell' or 'Pot 1 Z=… Rmt=… Rnm=…'")
                    }
                    if first == "Abs", w.count >= 7 { shell = w[6] }
                    potentials.append(.init(ipot: ipot, z: z, rmt: rmt, rnm: rnm))
                } else if first == "Gam_ch", words.count >= 2 {
                    gammaCh = parseFortran(words[1])
                    exchange = words.dropFirst(2).joined(separator: " ")
                } else if first == "Mu", words.count >= 8 {
                    let cleaned = words.filter { $0 != "eV" }
                    vmu = parseFortran(cleaned[1])
                    if let kf = parseFortran(cleaned[3]) { vfermi = kf * kf * 3.8099821109685847 }
                    vint = parseFortran(cleaned[5])
                    rsInt = parseFortran(cleaned[7])
                }
            case .path:
                pathLine += 1
                let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                if pathLine == 1 {
                    let values = words.prefix(5).compactMap(parseFortran)
                    guard values.count == 5 else {
                        throw bad("path line '\(line)' not understood; expected 'nleg, deg, reff, rnrmav(bohr), edge' (five numbers)")
                    }
                    guard values[0] >= 2, values[0] <= 100, values[0] == values[0].rounded() else {
                        throw bad("path line '\(line)': nleg \(values[0]); a path has a whole number of legs, at least 2")
                    }
                    guard values[1] >= 0, values[2] > 0 else {
                        throw bad("path line '\(line)': degeneracy \(values[1]) and reff \(values[2]) Å; expected deg ≥ 0 and reff > 0")
                    }
                    nleg = Int(values[0]); degeneracy = values[1]; reff = values[2]; rnorman = values[3]; edge = values[4]
                } else if pathLine > 2 {
                    guard words.count >= 5, let x = parseFortran(words[0]), let y = parseFortran(words[1]), let zp = parseFortran(words[2]),
                          let ipot = Int(words[3]), let z = Int(words[4]) else {
                        throw bad("atom line '\(line)' not understood; expected 'x y z pot at# [label]'")
                    }
                    guard let element = Element.withAtomicNumber(z) else { throw bad("atomic number \(z) out of range 1…118") }
                    let label = words.count > 5 ? words[5] : element.symbol
                    // Larch rounds positions to 5 decimals ("%8.5f") before using them.
                    func r5(_ v: Double) -> Double { (v * 1e5).rounded() / 1e5 }
                    atoms.append(.init(symbol: label, z: z, ipot: ipot, mass: element.molarMass, x: r5(x), y: r5(y), zPosition: r5(zp)))
                }
            case .arrays:
                let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                let values = words.compactMap { parseFortran(String($0)) }
                guard words.count == 7, values.count == 7 else {
                    throw bad("table row has \(words.count) field(s)\(values.count != words.count ? ", not all numbers" : ""); expected 7 (k real[2*phc] mag[feff] phase[feff] red factor lambda real[p]): truncated or damaged file?")
                }
                for c in 0..<7 { columns[c].append(values[c]) }
            }
        }
        guard let nleg else {
            throw RoentgenError.badFile(file, line: lineNumber, "no path line 'nleg, deg, reff, rnrmav(bohr), edge' after a '-----' rule: not a FEFF path file, or cut short")
        }
        guard atoms.count == nleg else {
            throw RoentgenError.badFile(file, line: lineNumber, "\(atoms.count) atom line(s) for nleg = \(nleg): cut short?")
        }
        guard sawTableHeader else {
            throw RoentgenError.badFile(file, line: lineNumber, "no table header 'k real[2*phc] mag[feff] phase[feff] red factor lambda real[p]@#': cut short?")
        }
        guard columns[0].count >= 4 else {
            throw RoentgenError.badFile(file, line: lineNumber, "the k table has \(columns[0].count) row(s); at least 4 are needed: cut short?")
        }
        for i in 1..<columns[0].count where !(columns[0][i] > columns[0][i - 1]) {
            throw RoentgenError.badFile(file, "k column not increasing at table row \(i + 1) (k = \(columns[0][i]))")
        }
        guard reff > 0 else { throw RoentgenError.badFile(file, "reff = \(reff) Å; expected > 0") }
        if shell.isEmpty { shell = "K" }
        return FeffPath(title: title, version: version, shell: shell, potentials: potentials, gammaCh: gammaCh, exchange: exchange,
                        vmu: vmu, vfermi: vfermi, vint: vint, rsInt: rsInt, nleg: nleg, degeneracy: degeneracy, reff: reff,
                        rnorman: rnorman, edge: edge, atoms: atoms, k: columns[0], realPhc: columns[1], magFeff: columns[2],
                        phaseFeff: columns[3], redFactor: columns[4], lambda: columns[5], realP: columns[6])
    }

    /// A Fortran real (`1.2E+00`, `.000`, `1.2D-03`); nil when not a finite number.
    static func parseFortran(_ text: String) -> Double? {
        var t = text
        if t.contains("D") || t.contains("d") { t = t.replacingOccurrences(of: "D", with: "E").replacingOccurrences(of: "d", with: "E") }
        guard let v = Double(t), v.isFinite else { return nil }
        return v
    }
}
