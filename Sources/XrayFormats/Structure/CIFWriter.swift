import Foundation
import XrayCore

/// Writes a crystal structure as a CIF 1.1 file: cell (with esds where given), symmetry as listed
/// in the structure (P1 for a refined PDF phase), atom sites with occupancy and U_iso, and the
/// anisotropic U^ij loop for sites that carry them. Readable back with `CIF.readStructure`.
public enum CIFWriter {
    /// CIF text of `structure`; `cellEsd` [a, b, c, α, β, γ] are written as `value(esd)` where given.
    public static func text(_ structure: CrystalStructure, cellEsd: [Double?]? = nil, comment: String? = nil) -> String {
        var out = ""
        if let comment { for line in comment.split(separator: "\n") { out += "# \(line)\n" } }
        let block = structure.name.map { $0.isLetter || $0.isNumber ? $0 : "_" }
        out += "data_\(block.isEmpty ? "structure" : String(block))\n"
        let cell = structure.cell
        let names = ["_cell_length_a", "_cell_length_b", "_cell_length_c", "_cell_angle_alpha", "_cell_angle_beta", "_cell_angle_gamma"]
        let values = [cell.a, cell.b, cell.c, cell.alpha, cell.beta, cell.gamma]
        for k in 0..<6 {
            let esd = cellEsd.flatMap { $0.count == 6 ? $0[k] : nil }
            out += "\(names[k].padding(toLength: 20, withPad: " ", startingAt: 0)) \(valueWithEsd(values[k], esd))\n"
        }
        out += "_space_group_name_H-M_alt       '\(structure.spaceGroupSymbol ?? "P 1")'\n"
        out += "loop_\n_space_group_symop_operation_xyz\n"
        for op in structure.operations { out += "'\(op.xyz)'\n" }
        out += "loop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n_atom_site_occupancy\n_atom_site_U_iso_or_equiv\n"
        for s in structure.sites {
            let u = s.uAniso.map { cell.equivalentIsotropicU(uAniso: $0) } ?? s.uIso ?? 0
            out += String(format: "%@ %@ %.8f %.8f %.8f %.6f %.8f\n", s.label, s.element.symbol, s.fract.x, s.fract.y, s.fract.z, s.occupancy, u)
        }
        let aniso = structure.sites.filter { $0.uAniso?.count == 6 }
        if !aniso.isEmpty {
            out += "loop_\n_atom_site_aniso_label\n_atom_site_aniso_U_11\n_atom_site_aniso_U_22\n_atom_site_aniso_U_33\n_atom_site_aniso_U_12\n_atom_site_aniso_U_13\n_atom_site_aniso_U_23\n"
            for s in aniso {
                let u = s.uAniso ?? []
                out += s.label + u.map { String(format: " %.8f", $0) }.joined() + "\n"
            }
        }
        return out
    }

    /// `3.524231(36)`: the value with its esd in units of the last digit (2 significant digits).
    static func valueWithEsd(_ value: Double, _ esd: Double?) -> String {
        guard let esd, esd > 0, esd.isFinite else { return String(format: "%.6f", value) }
        let decimals = max(0, min(10, 1 - Int(floor(log10(esd)))))
        let scaled = Int((esd * pow(10, Double(decimals))).rounded())
        return String(format: "%.\(decimals)f(%d)", value, scaled)
    }
}
