import Foundation
import XrayCore

/// A PDFfit/PDFgui structure file (`.stru`, `format pdffit`): the cell, every atom of the
/// (super)cell in P1 with its occupancy and anisotropic U, and the phase settings of a PDFfit2
/// phase (scale, peak sharpening delta2/delta1/sratio/rcut, particle shape).
///
/// The layout, as PDFfit2 (`libpdffit2/stru.cc`, `Atom.cc`) and diffpy.structure
/// (`parsers/p_pdffit.py`) read it: header lines `title`, `format pdffit`, `scale s`,
/// `sharp delta2, delta1, sratio, rcut` (an older three-number form `delta2, sratio, rcut`),
/// `spcgr`, `shape sphere, d` or `shape stepcut, r`, `cell a, b, c, α, β, γ`, `dcell` (their
/// esds), `ncell na, nb, nc, natoms`; then `atoms` and six lines per atom:
/// `SYMBOL x y z occ`, `σx σy σz σocc`, `U11 U22 U33`, their esds, `U12 U13 U23`, their esds.
/// U are in Å², CIF convention U^ij (PDFfit2 rotates them with the reciprocal cell lengths).
public struct PDFfitStructure: Sendable, Hashable {
    /// The structure in P1: `sites` are all atoms in file order (PDFfit2's 1-based atom
    /// indices are positions in this list), each with `uAniso`.
    public var structure: CrystalStructure
    /// Phase scale factor `pscale`.
    public var scale: Double = 1
    /// Quadratic correlated-motion term delta2 (Å²).
    public var delta2: Double = 0
    /// Linear correlated-motion term delta1 (Å).
    public var delta1: Double = 0
    /// Peak-width ratio below `rcut`.
    public var sratio: Double = 1
    /// Distance (Å) below which peak widths are multiplied by `sratio`.
    public var rcut: Double = 0
    /// Spherical particle diameter (Å) of the shape envelope; 0 for none.
    public var spdiameter: Double = 0
    /// Step cutoff (Å) of the shape envelope; 0 for none.
    public var stepcut: Double = 0
    /// Space-group symbol as written after `spcgr` (information only: the atoms are the full cell).
    public var spaceGroup: String?
    /// Supercell multiplicities `ncell` (1, 1, 1 for a plain cell).
    public var ncell: [Int] = [1, 1, 1]
    /// Esds of the cell parameters from `dcell`, if given.
    public var cellEsd: [Double]?
    /// Lines of the header that were not understood (kept so nothing is silently dropped).
    public var warnings: [String] = []

    public init(structure: CrystalStructure) { self.structure = structure }
}

extension PDFfitStructure {
    /// Reads a `.stru` file.
    public static func read(url: URL) throws -> PDFfitStructure {
        let path = url.path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RoentgenError(.io, FileManager.default.fileExists(atPath: path) ? "file is not readable" : "no such file", file: path)
        }
        return try read(data: data, file: path)
    }

    /// Reads `.stru` bytes; `file` names them in errors.
    public static func read(data: Data, file: String) throws -> PDFfitStructure {
        guard let text = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1) else {
            throw RoentgenError.badFile(file, line: 1, "not a text file (expected a PDFfit structure file)")
        }
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }).map(String.init)
        func numbers(_ line: Int, _ rest: Substring, count: Int, what: String) throws -> [Double] {
            let words = rest.replacingOccurrences(of: ",", with: " ").split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count >= count else {
                throw RoentgenError.badFile(file, line: line + 1, "\(what): expected \(count) numbers, found \(words.count)")
            }
            return try words.prefix(count).map { w in
                guard let v = Double(w), v.isFinite else {
                    throw RoentgenError.badFile(file, line: line + 1, "\(what): '\(w)' is not a number")
                }
                return v
            }
        }
        var title = ""
        var cell: UnitCell?
        var out = PDFfitStructure(structure: CrystalStructure(name: "", cell: UnitCell(a: 1, b: 1, c: 1, alpha: 90, beta: 90, gamma: 90), sites: []))
        var declaredAtoms: Int?
        var atomsLine: Int?
        var i = 0
        header: while i < lines.count {
            let line = lines[i].trimmingCharacters(in: .whitespaces)
            defer { i += 1 }
            guard let keyEnd = line.firstIndex(where: { $0 == " " || $0 == "\t" }) ?? (line.isEmpty ? nil : line.endIndex) else { continue }
            let key = line[..<keyEnd], rest = line[keyEnd...]
            switch key {
            case _ where key.hasPrefix("#"): continue
            case "title": title = rest.trimmingCharacters(in: .whitespaces)
            case "format":
                let format = rest.trimmingCharacters(in: .whitespaces)
                guard format.lowercased().hasPrefix("pdffit") else {
                    throw RoentgenError.badFile(file, line: i + 1, "format '\(format)' is not supported (expected 'format pdffit'; DISCUS files give B, not Uij)")
                }
            case "scale": out.scale = try numbers(i, rest, count: 1, what: "scale")[0]
            case "sharp":
                let words = rest.replacingOccurrences(of: ",", with: " ").split(whereSeparator: { $0 == " " || $0 == "\t" })
                let v = try numbers(i, rest, count: min(max(words.count, 3), 4), what: "sharp (delta2, delta1, sratio, rcut)")
                if v.count == 4 {
                    (out.delta2, out.delta1, out.sratio, out.rcut) = (v[0], v[1], v[2], v[3])
                } else {
                    (out.delta2, out.delta1, out.sratio, out.rcut) = (v[0], 0, v[1], v[2])
                }
            case "spcgr": out.spaceGroup = rest.trimmingCharacters(in: .whitespaces)
            case "shape":
                let words = rest.replacingOccurrences(of: ",", with: " ").split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard let kind = words.first else { throw RoentgenError.badFile(file, line: i + 1, "shape: expected 'sphere, d' or 'stepcut, r'") }
                let value = try numbers(i, rest.drop(while: { $0 == " " || $0 == "\t" }).dropFirst(kind.count), count: 1, what: "shape \(kind)")[0]
                switch kind {
                case "sphere": out.spdiameter = value
                case "stepcut": out.stepcut = value
                default: throw RoentgenError.badFile(file, line: i + 1, "unknown shape correction '\(kind)' (expected sphere or stepcut)")
                }
            case "cell":
                let v = try numbers(i, rest, count: 6, what: "cell (a, b, c, alpha, beta, gamma)")
                let c = UnitCell(a: v[0], b: v[1], c: v[2], alpha: v[3], beta: v[4], gamma: v[5])
                guard c.isValid else { throw RoentgenError.badFile(file, line: i + 1, "cell \(v.map { String($0) }.joined(separator: ", ")) is not a valid lattice") }
                cell = c
            case "dcell": out.cellEsd = try numbers(i, rest, count: 6, what: "dcell")
            case "ncell":
                let v = try numbers(i, rest, count: 4, what: "ncell (na, nb, nc, natoms)")
                guard v.allSatisfy({ $0 >= 1 && $0 == $0.rounded() && $0 < 1e6 }) else {
                    throw RoentgenError.badFile(file, line: i + 1, "ncell: expected four positive integers")
                }
                out.ncell = v.prefix(3).map { Int($0) }
                declaredAtoms = Int(v[3])
            case "atoms":
                atomsLine = i  // the deferred increment moves past this line
                break header
            default:
                out.warnings.append("line \(i + 1): unknown keyword '\(key)' ignored")
            }
        }
        guard let cell else {
            throw RoentgenError.badFile(file, line: max(1, min(i, lines.count)), "no 'cell' line before 'atoms': not a PDFfit structure file")
        }
        guard atomsLine != nil else {
            throw RoentgenError.badFile(file, line: max(1, lines.count), "no 'atoms' line: the structure has no atoms")
        }
        // Atoms: whitespace-separated tokens, 21 per atom (as PDFfit2 streams them), tracked by line.
        var tokens: [(text: Substring, line: Int)] = []
        while i < lines.count {
            let line = lines[i]
            if !line.trimmingCharacters(in: .whitespaces).hasPrefix("#") {
                for w in line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }) { tokens.append((w, i + 1)) }
            }
            i += 1
        }
        var sites: [AtomSite] = []
        var t = 0
        while t < tokens.count {
            let symbolToken = tokens[t]
            guard t + 21 <= tokens.count else {
                throw RoentgenError.badFile(file, line: tokens[tokens.count - 1].line,
                                           "atom \(sites.count + 1) (\(symbolToken.text)) is incomplete: expected 6 lines (x y z occ, their esds, U11 U22 U33, esds, U12 U13 U23, esds)")
            }
            let symbol = String(symbolToken.text)
            let letters = symbol.prefix(while: { $0.isLetter })
            guard let element = Element.named(String(letters)), !letters.isEmpty else {
                throw RoentgenError.badFile(file, line: symbolToken.line, "'\(symbol)' is not an element symbol (expected an atom line: SYMBOL x y z occupancy)")
            }
            var v = [Double](repeating: 0, count: 20)
            for k in 0..<20 {
                let tok = tokens[t + 1 + k]
                guard let x = Double(tok.text), x.isFinite else {
                    throw RoentgenError.badFile(file, line: tok.line, "atom \(sites.count + 1) (\(symbol)): '\(tok.text)' is not a number")
                }
                v[k] = x
            }
            // v: x y z occ | σx σy σz σocc | U11 U22 U33 | σ | U12 U13 U23 | σ
            let u = [v[8], v[9], v[10], v[14], v[15], v[16]]
            guard v[3] >= 0 else { throw RoentgenError.badFile(file, line: symbolToken.line, "atom \(sites.count + 1) (\(symbol)): negative occupancy \(v[3])") }
            let name = String(letters.prefix(1).uppercased() + letters.dropFirst().lowercased())
            let uIso = (u[0] + u[1] + u[2]) / 3
            sites.append(AtomSite(label: "\(name)\(sites.count + 1)", typeSymbol: name, element: element,
                                  fract: SIMD3(v[0], v[1], v[2]), occupancy: v[3], uIso: uIso, uAniso: u))
            t += 21
        }
        guard !sites.isEmpty else {
            throw RoentgenError.badFile(file, line: max(1, lines.count), "the structure has no atoms (expected six lines per atom after 'atoms')")
        }
        if let declaredAtoms, declaredAtoms != sites.count {
            throw RoentgenError.badFile(file, line: max(1, lines.count), "ncell declares \(declaredAtoms) atoms, the file lists \(sites.count)")
        }
        if title.isEmpty { title = (file as NSString).lastPathComponent }
        out.structure = CrystalStructure(name: title, cell: cell, spaceGroupSymbol: out.spaceGroup, sites: sites, warnings: out.warnings)
        return out
    }
}

/// `.stru` files through the registry (`roentgen read`): the P1 structure as `DataFile.structures`.
enum PDFfitStructureReader: FormatReader {
    static let id = "pdffit-stru"
    static let name = "PDFfit/PDFgui structure (.stru, format pdffit)"
    static let kind = Scan.Kind.structure
    static let suffixes = ["stru"]

    static func sniff(head: Data, suffix: String) -> SniffConfidence {
        guard PatternText.looksLikeText(head) else { return .no }
        let start = head.prefix(4096)
        if PatternText.contains(start, "format pdffit") && PatternText.contains(head, "cell") { return .certain }
        return suffix == "stru" ? .suffixOnly : .no
    }

    static func read(_ data: Data, file: String) throws -> DataFile {
        let s = try PDFfitStructure.read(data: data, file: file)
        return DataFile(format: id, file: file, scans: [], structures: [s.structure], warnings: s.warnings)
    }
}
