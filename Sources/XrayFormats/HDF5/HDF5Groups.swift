import Foundation
import XrayCore

/// Group membership: the links of a group object, in the group's name order for old-style
/// groups and in storage order for new-style ones.
extension HDF5File {
    /// Whether the object is a group (it has a symbol table, link or link-info message).
    func isGroup(_ o: Object) -> Bool {
        o.first(0x11) != nil || o.first(0x02) != nil || o.first(0x06) != nil
    }

    /// The links of a group object, in name order (as HDF5's own iteration by name index lists
    /// them, for ASCII names).
    func links(of o: Object) throws -> [Link] {
        if let table = o.first(0x11) {
            guard let tree = try b.address(table.offset, "symbol table B-tree address"),
                  let heap = try b.address(table.offset + b.offsetSize, "symbol table local heap address") else {
                throw b.fail(table.offset, "symbol table message with an undefined B-tree or heap address")
            }
            return try symbolTableLinks(tree: tree, heap: heap)
        }
        var out: [Link] = []
        for m in o.all(0x06) { out.append(try linkMessage(m.offset, end: m.offset + m.size)) }
        if let info = o.first(0x02) {
            let flags = try b.u8(info.offset + 1)
            var p = info.offset + 2
            if flags & 1 != 0 { p += 8 }
            if let heap = try b.address(p, "link fractal heap address"),
               let tree = try b.address(p + b.offsetSize, "link name index B-tree address") {
                let fh = try HDF5FractalHeap(self, at: heap)
                for record in try btree2Records(at: tree, expectType: 5) {
                    // Link name record: 4-byte name hash, then the heap ID.
                    let object = try fh.object(idAt: record + 4)
                    out.append(try linkMessage(object.offset, end: object.offset + object.count))
                }
            }
        }
        return out.sorted { $0.name < $1.name }
    }

    /// A link message (type 0x06) whose data start at `p`.
    func linkMessage(_ start: Int, end: Int) throws -> Link {
        var p = start
        let version = try b.u8(p)
        guard version == 1 else { throw b.fail(p, "link message version \(version); expected 1") }
        let flags = try b.u8(p + 1)
        p += 2
        var type = 0
        if flags & 0x08 != 0 { type = try b.u8(p); p += 1 }
        if flags & 0x04 != 0 { p += 8 }
        if flags & 0x10 != 0 { p += 1 }
        let lengthBytes = 1 << (flags & 3)
        let nameLength = try b.int(p, lengthBytes, "link name length")
        p += lengthBytes
        let name = String(decoding: try b.slice(p, nameLength, "link name"), as: UTF8.self)
        p += nameLength
        switch type {
        case 0:
            guard let address = try b.address(p, "hard link address") else { throw b.fail(p, "hard link '\(name)' has an undefined address") }
            return Link(name: name, target: .hard(address))
        case 1:
            let n = try b.u16(p)
            return Link(name: name, target: .soft(String(decoding: try b.slice(p + 2, n, "soft link value"), as: UTF8.self)))
        case 64:
            let n = try b.u16(p)
            let value = try b.slice(p + 2, n, "external link value")
            // Version/flags byte, then the file name and the object path, each NUL-terminated.
            let parts = value.dropFirst().split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            return Link(name: name, target: .external(file: parts.first ?? "", path: parts.count > 1 ? parts[1] : ""))
        default:
            throw b.unsupported(start, "link '\(name)' has link type \(type) (user-defined); not supported")
        }
    }

    // MARK: Old-style groups

    /// The entries of an old-style group: v1 B-tree (type 0) → symbol table nodes, names in
    /// the local heap.
    func symbolTableLinks(tree: Int, heap: Int) throws -> [Link] {
        try b.expectSignature(heap, "HEAP", "local heap")
        let dataSize = try b.length(heap + 8, "local heap data size")
        guard let data = try b.address(heap + 8 + 2 * b.lengthSize, "local heap data address") else {
            throw b.fail(heap, "local heap with an undefined data segment")
        }
        try b.need(data, dataSize, "local heap data segment")
        var out: [Link] = []
        for node in try btree1Children(at: tree, type: 0) {
            try b.expectSignature(node.child, "SNOD", "symbol table node")
            let count = try b.u16(node.child + 6)
            var p = node.child + 8
            let entrySize = 2 * b.offsetSize + 24
            try b.need(p, count * entrySize, "symbol table node entries")
            for _ in 0..<count {
                let nameOffset = try b.length(p, "symbol name offset")
                guard nameOffset < dataSize else { throw b.fail(p, "symbol name offset \(nameOffset) outside the local heap (\(dataSize) bytes)") }
                let name = try b.cString(data + nameOffset, limit: dataSize - nameOffset)
                let cache = try b.u32(p + 2 * b.offsetSize)
                if cache == 2 {
                    // Soft link: the scratch pad holds the offset of the link value in the heap.
                    let valueOffset = try b.u32(p + 2 * b.offsetSize + 8)
                    guard valueOffset < dataSize else { throw b.fail(p, "soft link value offset outside the local heap") }
                    out.append(Link(name: name, target: .soft(try b.cString(data + valueOffset, limit: dataSize - valueOffset))))
                } else {
                    guard let address = try b.address(p + b.offsetSize, "symbol object header address") else {
                        throw b.fail(p, "symbol '\(name)' has an undefined object header address")
                    }
                    out.append(Link(name: name, target: .hard(address)))
                }
                p += entrySize
            }
        }
        return out
    }

    /// One entry of a v1 B-tree leaf: the key before the child (its bytes start at `key`) and
    /// the child's address (a symbol table node for type 0, a raw data chunk for type 1).
    struct BTree1Entry {
        let key: Int
        let child: Int
    }

    /// Every leaf entry of the v1 B-tree at `address` (`type` 0: group nodes, 1: raw data
    /// chunks with `dimensions` key offsets), left to right. Depth and node count are bounded.
    func btree1Children(at address: Int, type: Int, dimensions: Int = 0) throws -> [BTree1Entry] {
        let keySize = type == 0 ? b.lengthSize : 8 + 8 * dimensions
        var out: [BTree1Entry] = []
        var visited = 0
        func walk(_ node: Int, _ expectedLevel: Int?) throws {
            visited += 1
            guard visited <= 1_000_000 else { throw b.fail(node, "v1 B-tree has more than a million nodes (a loop?)") }
            try b.expectSignature(node, "TREE", "v1 B-tree node")
            let nodeType = try b.u8(node + 4)
            guard nodeType == type else { throw b.fail(node + 4, "v1 B-tree node type \(nodeType); expected \(type)") }
            let level = try b.u8(node + 5)
            if let expectedLevel, level != expectedLevel { throw b.fail(node + 5, "v1 B-tree node level \(level); its parent expects \(expectedLevel)") }
            let used = try b.u16(node + 6)
            var p = node + 8 + 2 * b.offsetSize
            try b.need(p, used * (keySize + b.offsetSize) + keySize, "v1 B-tree node entries")
            for _ in 0..<used {
                guard let child = try b.address(p + keySize, "v1 B-tree child address") else { throw b.fail(p + keySize, "v1 B-tree child address undefined") }
                if level == 0 { out.append(BTree1Entry(key: p, child: child)) } else { try walk(child, level - 1) }
                p += keySize + b.offsetSize
            }
        }
        try walk(address, nil)
        return out
    }
}
