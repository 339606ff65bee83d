import Foundation
import XrayCore

/// Crystal-structure CIFs (cell, space group or symmetry operations, atom sites) through the
/// registry, so `roentgen read` and `convert --to json` take them like any data file. The file
/// holds no scans: every data block with atom sites becomes one `CrystalStructure` in
/// `DataFile.structures` (the same structure `xrd simulate` and `pdf simulate` use).
/// Powder-data CIFs (`_pd_` loops) stay with `PdCIFReader`, which comes first in the registry.
enum CIFStructureReader: FormatReader {
    static let id = "cif"
    static let name = "Crystal structure CIF (cell, symmetry, atom sites; CIF 1.1 and DDL2-style tags)"
    static let kind = Scan.Kind.structure
    static let suffixes = ["cif"]

    static func sniff(head: Data, suffix: String) -> SniffConfidence {
        guard PatternText.looksLikeText(head) else { return .no }
        let start = head.prefix(8192)
        let hasCell = PatternText.contains(head, "_cell_length_a") || PatternText.contains(head, "_cell.length_a")
        if hasCell, PatternText.contains(start, "data_") || PatternText.contains(start, "_cell") {
            return .certain
        }
        // A `.cif` without a cell: read it anyway so the missing item is named in the error.
        return suffix == "cif" && PatternText.contains(start, "data_") ? .suffixOnly : .no
    }

    static func read(_ data: Data, file: String) throws -> DataFile {
        let structures = try CIF.readStructures(data: data, file: file)
        var warnings: [String] = []
        var seen = Set<String>()
        for s in structures {
            for w in s.warnings {
                let text = structures.count > 1 ? "\(s.name): \(w)" : w
                if seen.insert(text).inserted { warnings.append(text) }
            }
        }
        return DataFile(format: id, file: file, scans: [], structures: structures, warnings: warnings)
    }
}
