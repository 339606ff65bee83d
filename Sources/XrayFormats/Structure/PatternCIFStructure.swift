import Foundation
import XrayCore

extension PatternCIF {
    /// The structure layer's view of `block`: its items and only the loops a crystal structure is
    /// built from (atom sites, anisotropic displacements, symmetry operations). A pdCIF's powder
    /// loops are left out, so its phase is read without tokenising the data a second time.
    /// Items carry no line numbers here (0); loop values keep theirs.
    func structureBlock(_ block: Block) -> CIFDocument.Block {
        var out = CIFDocument.Block(name: block.name, line: 0)
        for (tag, value) in block.items where out.items[tag] == nil {
            out.items[tag] = CIFDocument.Value(text: value == "?" || value == "." ? nil : value, line: 0)
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
            out.loops.append(CIFDocument.Loop(tags: loop.tags, rows: rows, line: loop.values.first?.line ?? 0))
        }
        return out
    }
}
