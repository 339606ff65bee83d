import Foundation
import XrayCore

extension PatternCIF {
    /// The structure layer's view of `block`: its items and only the loops a crystal structure is
    /// built from (atom sites, anisotropic displacements, symmetry operations). A pdCIF's powder
    /// loops are left out, so its phase is read without tokenising the data a second time.
    /// Unquoted `?` and `.` (unknown, inapplicable) become nil; every value keeps its line.
    func structureBlock(_ block: Block) -> CIFDocument.Block {
        var out = CIFDocument.Block(name: block.name, line: block.line)
        for item in block.items where out.items[item.tag] == nil {
            let unknown = !item.quoted && (item.value == "?" || item.value == ".")
            out.items[item.tag] = CIFDocument.Value(text: unknown ? nil : item.value, line: item.line)
        }
        let structural = ["_atom_site", "_symmetry_equiv", "_space_group_symop"]
        for loop in block.loops where loop.tags.contains(where: { tag in structural.contains { tag.hasPrefix($0) } }) {
            let width = loop.tags.count
            let rows = stride(from: 0, to: loop.values.count, by: width).map { r in
                (0..<width).map { c -> CIFDocument.Value in
                    let token = loop.values[r + c]
                    let s = text(token)
                    return CIFDocument.Value(text: !token.quoted && (s == "?" || s == ".") ? nil : s, line: token.line)
                }
            }
            out.loops.append(CIFDocument.Loop(tags: loop.tags, rows: rows, line: loop.line))
        }
        return out
    }
}
