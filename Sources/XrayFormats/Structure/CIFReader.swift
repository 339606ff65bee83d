import Foundation
import XrayCore

/// Reads crystal structures from CIF files (CIF 1.1 core and the common DDL2-style tags).
///
/// Symmetry comes from the file's operator list (`_symmetry_equiv_pos_as_xyz`,
/// `_space_group_symop_operation_xyz`) or, where absent, from the space-group symbol, Hall
/// symbol or number through the 230-group table. Malformed files throw a `RoentgenError`
/// naming the file and line.
public enum CIF {
    /// Reads the first data block with atom sites from the CIF at `url`.
    public static func readStructure(url: URL) throws -> CrystalStructure {
        let path = url.path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RoentgenError(.io, FileManager.default.fileExists(atPath: path) ? "file is not readable" : "no such file", file: path)
        }
        return try readStructure(data: data, file: path)
    }

    /// Reads the first data block with atom sites from CIF bytes; `file` names it in errors.
    public static func readStructure(data: Data, file: String) throws -> CrystalStructure {
        try readStructures(data: data, file: file, all: false)[0]
    }

    /// Reads every data block with atom sites (`_atom_site_fract_x`) from CIF bytes, in file
    /// order; blocks without sites (a publication or powder-data block) are passed over. A file
    /// with no such block is read as its first block, which then fails with the missing item.
    public static func readStructures(data: Data, file: String) throws -> [CrystalStructure] {
        try readStructures(data: data, file: file, all: true)
    }

    /// The structure of one parsed block (the pdCIF reader's phase blocks).
    static func structure(block: CIFDocument.Block, file: String) throws -> CrystalStructure {
        var builder = StructureBuilder(file: file, block: block, warnings: [])
        return try builder.build()
    }

    private static func readStructures(data: Data, file: String, all: Bool) throws -> [CrystalStructure] {
        let cif = try PatternCIF.parse(data, file: file)
        guard !cif.blocks.isEmpty else {
            throw RoentgenError.badFile(file, line: 1, "no CIF content (expected data_ block with _cell_length_a and an _atom_site_ loop)")
        }
        var blocks = cif.blocks.filter { $0.loop(containing: "_atom_site_fract_x") != nil }
        if blocks.isEmpty { blocks = [cif.blocks[0]] }
        if !all { blocks = [blocks[0]] }
        var warnings: [String] = []
        if cif.missingDataHeader {
            warnings.append("no data_ block header; read the tags as one implicit block")
        }
        return try blocks.map { block in
            var builder = StructureBuilder(file: file, block: cif.structureBlock(block), warnings: warnings)
            return try builder.build()
        }
    }
}

/// Turns one parsed CIF block into a `CrystalStructure`.
private struct StructureBuilder {
    let file: String
    let block: CIFDocument.Block
    var warnings: [String]

    func error(_ line: Int?, _ message: String) -> RoentgenError {
        .badFile(file, line: line, message)
    }

    /// A number with its standard uncertainty in parentheses stripped: `3.5239(1)` → 3.5239.
    static func number(_ text: String?) -> Double? {
        guard var s = text?.trimmingCharacters(in: .whitespaces), !s.isEmpty else { return nil }
        if let paren = s.firstIndex(of: "(") { s = String(s[..<paren]) }
        if s.hasSuffix(".") { s.removeLast() }
        return Double(s)
    }

    func requiredNumber(_ tags: String..., what: String) throws -> Double {
        for tag in tags {
            if let v = block.items[tag] {
                guard let x = Self.number(v.text) else {
                    throw error(v.line, "\(tag) is '\(v.text ?? "?")' (expected a number)")
                }
                return x
            }
        }
        throw error(block.line, "missing \(tags[0]) (expected the \(what) in block data_\(block.name))")
    }

    /// The operations of a magnetic CIF (`_space_group_symop_magn_operation.xyz`, each
    /// `x,y,z,+1` with its time-reversal sign last) composed with its centrings
    /// (`_space_group_symop_magn_centering.xyz`): r' = C(R r + t) + c for every pair, duplicates
    /// removed. Nil when the block has no magnetic operations.
    func magneticOperations() throws -> [SymmetryOperation]? {
        func list(_ tags: [String]) throws -> [SymmetryOperation]? {
            for tag in tags {
                guard let loop = block.loop(with: tag), let column = loop.column(tag) else {
                    if let v = block.items[tag] { return [try spatial(v)] }
                    continue
                }
                return try loop.rows.map { try spatial($0[column]) }
            }
            return nil
        }
        func spatial(_ value: CIFDocument.Value) throws -> SymmetryOperation {
            let parts = (value.text ?? "").split(separator: ",", omittingEmptySubsequences: false)
            guard parts.count == 4, let op = SymmetryOperation(xyz: parts.prefix(3).joined(separator: ",")) else {
                throw error(value.line, "magnetic operation '\(value.text ?? "?")' is not of the form x,y,z,±1")
            }
            return op
        }
        guard let ops = try list(["_space_group_symop_magn_operation.xyz", "_space_group_symop.magn_operation_xyz"]), !ops.isEmpty else { return nil }
        let centrings = try list(["_space_group_symop_magn_centering.xyz", "_space_group_symop.magn_centering_xyz"]) ?? [.identity]
        var out: [SymmetryOperation] = []
        var seen = Set<String>()
        for c in centrings {
            for o in ops {
                var rotation = [Int](repeating: 0, count: 9)
                for i in 0..<3 { for j in 0..<3 { for k in 0..<3 { rotation[3 * i + j] += c.rotation[3 * i + k] * o.rotation[3 * k + j] } } }
                let combined = SymmetryOperation(rotation: rotation, translation: c.apply(o.translation)).normalized
                if seen.insert(combined.xyz).inserted { out.append(combined) }
            }
        }
        return out
    }

    mutating func build() throws -> CrystalStructure {
        let a = try requiredNumber("_cell_length_a", "_cell.length_a", what: "cell edge a in Å")
        let b = try requiredNumber("_cell_length_b", "_cell.length_b", what: "cell edge b in Å")
        let c = try requiredNumber("_cell_length_c", "_cell.length_c", what: "cell edge c in Å")
        var angles: [Double] = []
        for name in ["alpha", "beta", "gamma"] {
            if block.items["_cell_angle_\(name)"] == nil, block.items["_cell.angle_\(name)"] == nil {
                warnings.append("_cell_angle_\(name) missing: taken as 90°")
                angles.append(90)
            } else {
                angles.append(try requiredNumber("_cell_angle_\(name)", "_cell.angle_\(name)", what: "cell angle \(name)"))
            }
        }
        let cell = UnitCell(a: a, b: b, c: c, alpha: angles[0], beta: angles[1], gamma: angles[2])
        guard cell.isValid, cell.volume > 1e-3 * a * b * c else {
            throw error(block.items["_cell_length_a"]?.line ?? block.line,
                        "cell a=\(a) b=\(b) c=\(c) α=\(angles[0]) β=\(angles[1]) γ=\(angles[2]) is not a valid lattice (expected positive edges and angles that close a cell)")
        }

        let sites = try readSites(cell: cell)
        let symbolItem = block.item("_symmetry_space_group_name_h-m", "_space_group_name_h-m_alt", "_space_group.name_h-m_alt",
                                    "_space_group_name_h-m")
        let hallItem = block.item("_symmetry_space_group_name_hall", "_space_group_name_hall", "_space_group.name_hall")
        let numberItem = block.item("_symmetry_int_tables_number", "_space_group_it_number", "_space_group.it_number")
        let symbol = symbolItem?.value.text?.trimmingCharacters(in: .whitespaces)
        var number = numberItem.flatMap { Self.number($0.value.text) }.map { Int($0) }

        var operations: [SymmetryOperation] = []
        var source = "cif"
        let opTags = ["_symmetry_equiv_pos_as_xyz", "_space_group_symop_operation_xyz", "_space_group_symop.operation_xyz"]
        let block = self.block
        let opLoop = opTags.compactMap { tag in block.loop(with: tag).flatMap { loop in loop.column(tag).map { (loop, $0) } } }.first
        let opItem = opTags.compactMap { tag in block.items[tag] }.first
        if let (loop, column) = opLoop {
            for row in loop.rows {
                let value = row[column]
                guard let text = value.text, let op = SymmetryOperation(xyz: text) else {
                    throw error(value.line, "symmetry operation '\(value.text ?? "?")' is not of the form x,y,z (e.g. '-x+1/2,y,-z')")
                }
                operations.append(op)
            }
        } else if let v = opItem {
            guard let text = v.text, let op = SymmetryOperation(xyz: text) else {
                throw error(v.line, "symmetry operation '\(v.text ?? "?")' is not of the form x,y,z")
            }
            operations = [op]
        }
        if operations.isEmpty, let magnetic = try magneticOperations() {
            // magCIF: the spatial parts of every operation, combined with every centring.
            operations = magnetic
            warnings.append("magnetic CIF: the spatial parts of its \(operations.count) magnetic operations (with centrings) applied; time reversal and moments are not read")
        }
        if operations.isEmpty {
            source = "table"
            if let symbol, !symbol.isEmpty {
                guard let group = SpaceGroup.named(symbol) ?? hallItem?.value.text.flatMap(SpaceGroup.hall) else {
                    throw error(symbolItem?.value.line,
                                "space-group symbol '\(symbol)' is not recognised and the file lists no symmetry operations (expected a Hermann–Mauguin symbol such as 'P 21/c' or 'F d -3 m:2', or a _symmetry_equiv_pos_as_xyz loop)")
                }
                operations = group.operations
                number = number ?? group.number
                if group.symbol.hasSuffix(":2") && !symbol.contains(":") {
                    warnings.append("space group '\(symbol)' has two origin choices; origin choice 2 assumed")
                }
            } else if let hall = hallItem?.value.text {
                guard let group = SpaceGroup.hall(hall) else {
                    throw error(hallItem?.value.line, "Hall symbol '\(hall)' is not recognised and the file lists no symmetry operations")
                }
                operations = group.operations
                number = number ?? group.number
            } else if let n = number {
                guard let group = SpaceGroup.number(n) else {
                    throw error(numberItem?.value.line, "space-group number \(n) is outside 1…230")
                }
                operations = group.operations
            } else {
                warnings.append("no symmetry operations or space group given: P 1 assumed")
                operations = [.identity]
            }
        }

        var name = block.name
        if name.isEmpty || name.lowercased() == "global" {
            name = block.item("_chemical_name_mineral", "_chemical_name_common", "_chemical_name_systematic")?.value.text
                ?? FileName.stem(file)
        }
        // Operations listed, no number given: the number of the symbol's group when that group
        // has as many operations as the file lists.
        if number == nil, source == "cif", let symbol, let group = SpaceGroup.named(symbol), group.operations.count == operations.count {
            number = group.number
        }
        return CrystalStructure(name: name, cell: cell, spaceGroupSymbol: symbol, spaceGroupNumber: number,
                                operations: operations, operationsSource: source, sites: sites, warnings: warnings)
    }

    /// `Fe3+` → (Fe, 3); `O2-` → (O, -2); `AL` → (Al, 0); `Ca1` (a label) → (Ca, 0).
    static func element(from text: String) -> (Element, Int)? {
        let letters = text.prefix { $0.isLetter }
        guard !letters.isEmpty else { return nil }
        var element: Element?
        if letters.count >= 2, let e = Element.named(String(letters.prefix(2))) { element = e }
        if element == nil, let e = Element.named(String(letters.prefix(1))) { element = e }
        if element == nil, letters.prefix(1).uppercased() == "D" { element = Element.named("H") }
        guard let element else { return nil }
        var charge = 0
        let rest = text.dropFirst(letters.count)
        if let sign = rest.last, sign == "+" || sign == "-" {
            let digits = rest.dropLast().filter { $0.isNumber }
            charge = (Int(String(digits)) ?? 1) * (sign == "-" ? -1 : 1)
        }
        return (element, charge)
    }

    mutating func readSites(cell: UnitCell) throws -> [AtomSite] {
        guard let loop = block.loop(with: "_atom_site_fract_x") else {
            throw error(block.line, "no _atom_site_fract_x loop in data_\(block.name) (expected atom sites with fractional coordinates)")
        }
        guard let cx = loop.column("_atom_site_fract_x"), let cy = loop.column("_atom_site_fract_y"),
              let cz = loop.column("_atom_site_fract_z") else {
            throw error(loop.line, "atom-site loop lacks _atom_site_fract_y or _atom_site_fract_z")
        }
        let cLabel = loop.column("_atom_site_label")
        let cType = loop.column("_atom_site_type_symbol")
        let cOcc = loop.column("_atom_site_occupancy")
        let cU = loop.column("_atom_site_u_iso_or_equiv")
        let cB = loop.column("_atom_site_b_iso_or_equiv")
        var sites: [AtomSite] = []
        var skipped = 0, unknownOccupancy = 0
        for (index, row) in loop.rows.enumerated() {
            guard let xText = row[cx].text, let yText = row[cy].text, let zText = row[cz].text else {
                skipped += 1
                continue
            }
            guard let x = Self.number(xText), let y = Self.number(yText), let z = Self.number(zText) else {
                throw error(row[cx].line, "atom site \(index + 1): coordinates '\(xText) \(yText) \(zText)' are not numbers")
            }
            let label = cLabel.flatMap { row[$0].text } ?? "site\(index + 1)"
            let typeText = cType.flatMap { row[$0].text } ?? label
            guard let (element, charge) = Self.element(from: typeText) ?? Self.element(from: label) else {
                throw error(row[cType ?? cLabel ?? cx].line, "atom site '\(label)': '\(typeText)' is not an element symbol (expected e.g. 'Fe', 'O2-')")
            }
            var occupancy = 1.0
            if let cOcc {
                if let text = row[cOcc].text {
                    guard let o = Self.number(text) else {
                        throw error(row[cOcc].line, "atom site '\(label)': occupancy '\(text)' is not a number")
                    }
                    occupancy = o
                } else {
                    unknownOccupancy += 1
                }
            }
            var uIso: Double?
            if let cU, let u = Self.number(row[cU].text) { uIso = u }
            else if let cB, let bIso = Self.number(row[cB].text) { uIso = bIso / (8 * Double.pi * Double.pi) }
            sites.append(AtomSite(label: label, typeSymbol: typeText, element: element, charge: charge,
                                  fract: SIMD3(x, y, z), occupancy: occupancy, uIso: uIso))
        }
        if skipped > 0 { warnings.append("\(skipped) atom site(s) with unknown coordinates skipped") }
        if unknownOccupancy > 0 { warnings.append("\(unknownOccupancy) atom site(s) with unknown occupancy '?' taken as 1") }
        guard !sites.isEmpty else {
            throw error(loop.line, "atom-site loop has no site with known coordinates (expected at least one row of numbers)")
        }
        try readAniso(into: &sites, cell: cell)
        return sites
    }

    /// Anisotropic U (or B) from the `_atom_site_aniso_` loop, matched by label.
    func readAniso(into sites: inout [AtomSite], cell: UnitCell) throws {
        guard let loop = block.loop(with: "_atom_site_aniso_label") else {
            // TOPAS-style: U_ij in the atom-site loop itself.
            guard let main = block.loop(with: "_atom_site_fract_x"), main.column("_atom_site_aniso_u_11") != nil else { return }
            try fillAniso(from: main, labelTag: "_atom_site_label", into: &sites, cell: cell)
            return
        }
        try fillAniso(from: loop, labelTag: "_atom_site_aniso_label", into: &sites, cell: cell)
    }

    func fillAniso(from loop: CIFDocument.Loop, labelTag: String, into sites: inout [AtomSite], cell: UnitCell) throws {
        guard let cLabel = loop.column(labelTag) else { return }
        let names = ["11", "22", "33", "12", "13", "23"]
        var scale = 1.0
        var columns = names.map { loop.column("_atom_site_aniso_u_\($0)") }
        if columns.contains(where: { $0 == nil }) {
            columns = names.map { loop.column("_atom_site_aniso_b_\($0)") }
            scale = 1 / (8 * Double.pi * Double.pi)
            if columns.contains(where: { $0 == nil }) { return }
        }
        var byLabel: [String: Int] = [:]
        for (i, s) in sites.enumerated() where byLabel[s.label] == nil { byLabel[s.label] = i }
        for row in loop.rows {
            guard let label = row[cLabel].text, let i = byLabel[label] else { continue }
            var u: [Double] = []
            for column in columns {
                let value = row[column!]
                guard value.text != nil else { break } // '?': no tensor for this site
                guard let x = Self.number(value.text) else {
                    throw error(value.line, "anisotropic displacement '\(value.text ?? "?")' for '\(label)' is not a number")
                }
                u.append(x * scale)
            }
            guard u.count == 6 else { continue }
            sites[i].uAniso = u
            // U_eq = ⅓ Σ C_ij G_ij (Fischer & Tillmanns 1988), not (U11+U22+U33)/3, which is wrong in oblique cells.
            if sites[i].uIso == nil { sites[i].uIso = cell.equivalentIsotropicU(uAniso: u) }
        }
    }
}
