import Foundation
import XrayCore

extension CIF {
    /// A structure as CIF text: cell, space group (symbol and every operation), the atom sites with
    /// fractional coordinates, occupancy and U_iso (U_eq for anisotropic sites), and the U^ij loop
    /// for sites that carry them. Used by `xrd refine` and `pdf fit` (`--cif-out`); reads back with
    /// `CIF.readStructure`. `esd` maps `a`…`gamma` and `LABEL_x|y|z|uiso|occ`
    /// to standard uncertainties, written in the CIF's parenthesis notation (e.g. 8.48189(10)).
    public static func text(_ s: CrystalStructure, esd: [String: Double] = [:], comment: String? = nil) -> String {
        var out = ""
        if let comment { out += comment.split(separator: "\n").map { "# \($0)\n" }.joined() }
        let block = s.name.map { $0.isWhitespace ? "_" : $0 }
        out += "data_\(String(block))\n"
        let cell = [("a", s.cell.a), ("b", s.cell.b), ("c", s.cell.c), ("alpha", s.cell.alpha), ("beta", s.cell.beta), ("gamma", s.cell.gamma)]
        for (name, value) in cell {
            let tag = name.count == 1 ? "_cell_length_\(name)" : "_cell_angle_\(name)"
            out += "\(tag.padding(toLength: 24, withPad: " ", startingAt: 0)) \(number(value, esd[name]))\n"
        }
        out += "_cell_volume             \(String(format: "%.4f", s.cell.volume))\n"
        if let symbol = s.spaceGroupSymbol { out += "_symmetry_space_group_name_H-M '\(symbol)'\n" }
        if let n = s.spaceGroupNumber { out += "_space_group_IT_number   \(n)\n" }
        out += "loop_\n_space_group_symop_operation_xyz\n"
        for op in s.operations { out += "'\(op.xyz)'\n" }
        out += "loop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n"
        out += "_atom_site_occupancy\n_atom_site_adp_type\n_atom_site_U_iso_or_equiv\n"
        for site in s.sites {
            let l = site.label
            out += [l, site.typeSymbol, number(site.fract.x, esd["\(l)_x"]), number(site.fract.y, esd["\(l)_y"]),
                    number(site.fract.z, esd["\(l)_z"]), number(site.occupancy, esd["\(l)_occ"]), site.uAniso == nil ? "Uiso" : "Uani",
                    number(site.uAniso.map { s.cell.equivalentIsotropicU(uAniso: $0) } ?? site.uIso ?? 0,
                           esd["\(l)_uiso"])].joined(separator: " ") + "\n"
        }
        let aniso = s.sites.filter { $0.uAniso?.count == 6 }
        if !aniso.isEmpty {
            out += "loop_\n_atom_site_aniso_label\n_atom_site_aniso_U_11\n_atom_site_aniso_U_22\n_atom_site_aniso_U_33\n"
            out += "_atom_site_aniso_U_12\n_atom_site_aniso_U_13\n_atom_site_aniso_U_23\n"
            for site in aniso {
                out += site.label + (site.uAniso ?? []).map { String(format: " %.8f", $0) }.joined() + "\n"
            }
        }
        return out
    }

    /// `value(esd)` with the esd in units of the last digit shown (two significant digits when below 20).
    static func number(_ value: Double, _ esd: Double?) -> String {
        guard let e = esd, e > 0, e.isFinite else { return String(format: "%.6f", value) }
        var digits = max(0, -Int(floor(log10(e))) + 1)
        var scaled = (e * pow(10, Double(digits))).rounded()
        if scaled >= 20, digits > 0 { digits -= 1; scaled = (e * pow(10, Double(digits))).rounded() }
        return String(format: "%.\(digits)f(%d)", value, Int(scaled))
    }
}
