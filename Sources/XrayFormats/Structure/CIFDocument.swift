import Foundation
import XrayCore

/// The structure layer's view of a CIF data block: tag–value items and loops of values, each
/// value with the line it was read on so errors can point at it. `?` and `.` (unknown /
/// inapplicable) are `text == nil` when unquoted. Made from the one CIF syntax reader,
/// `PatternCIF`, by `PatternCIF.structureBlock`.
enum CIFDocument {
    struct Value {
        /// The text, or nil for unquoted `?` / `.`.
        var text: String?
        var line: Int
    }

    struct Loop {
        var tags: [String]
        var rows: [[Value]]
        var line: Int
        func column(_ tag: String) -> Int? { tags.firstIndex(of: tag) }
    }

    struct Block {
        var name: String
        var line: Int
        var items: [String: Value] = [:]
        var loops: [Loop] = []

        /// The loop holding `tag`, if any.
        func loop(with tag: String) -> Loop? { loops.first { $0.tags.contains(tag) } }
        /// The first of `tags` present as a single item.
        func item(_ tags: String...) -> (tag: String, value: Value)? {
            for tag in tags { if let v = items[tag] { return (tag, v) } }
            return nil
        }
    }
}
