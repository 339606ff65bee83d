import Foundation
import XrayCore

/// Virtual datasets (HDF5 1.10+): a dataset whose elements are mapped from selections of other
/// datasets, in the same file (`.`) or in files beside it, as facilities combine detector
/// modules, counters written by several processes, or scan files. The layout message points at
/// a global heap object listing the mappings (source file, source dataset, source selection,
/// virtual selection); each source dataset is read and its selected elements are placed, in
/// order, at the virtual selection's elements. Elements no mapping covers read as the fill value.
extension HDF5File {
    /// A dataspace selection as HDF5 serialises it.
    enum Selection {
        case none, all
        /// Points, in the order they were selected.
        case points([[Int]])
        /// An irregular hyperslab: a union of blocks (inclusive corners).
        case blocks([(start: [Int], end: [Int])])
        /// A regular hyperslab; a count of nil is unlimited (as far as the extent goes).
        case regular(start: [Int], stride: [Int], count: [Int?], block: [Int])
    }

    /// One mapping of a virtual dataset.
    struct VirtualMapping {
        let file: String
        let dataset: String
        let source: Selection
        let target: Selection
    }

    /// At most this many elements are mapped in one virtual dataset.
    static let virtualElementLimit = 1 << 24

    /// The mappings in global heap object `index` of the collection at `collection`.
    func virtualMappings(collection: Int, index: Int) throws -> [VirtualMapping] {
        let (start, size) = try globalHeapObject(address: collection, index: index)
        var p = start
        let end = start + size
        let version = try b.u8(p)
        guard version <= 1 else { throw b.fail(p, "virtual dataset mapping list version \(version); expected 0 or 1") }
        let count = try b.length(p + 1, "virtual mapping count")
        p += 1 + b.lengthSize
        guard count <= 1_000_000 else { throw b.fail(start, "virtual dataset with \(count) mappings") }
        var out: [VirtualMapping] = []
        for _ in 0..<count {
            var flags = 0
            if version >= 1 { flags = try b.u8(p); p += 1 }
            func name(sharedBit: Int, sameFileBit: Int?, previous: (VirtualMapping) -> String) throws -> String {
                if let sameFileBit, flags & sameFileBit != 0 { return "." }
                if flags & sharedBit != 0 {
                    let origin = try b.length(p, "shared name origin")
                    p += b.lengthSize
                    guard origin < out.count else { throw b.fail(p, "virtual mapping shares the name of mapping \(origin), which is not before it") }
                    return previous(out[origin])
                }
                let s = try b.cString(p, limit: end - p)
                p += s.utf8.count + 1
                return s
            }
            let file = try name(sharedBit: 0x01, sameFileBit: 0x04) { $0.file }
            let dataset = try name(sharedBit: 0x02, sameFileBit: nil) { $0.dataset }
            let source = try selection(&p)
            let target = try selection(&p)
            guard p <= end else { throw b.fail(start, "virtual mapping list runs past its heap object") }
            out.append(VirtualMapping(file: file, dataset: dataset, source: source, target: target))
        }
        return out
    }

    /// A serialised selection at `p` (type, then a version-specific body), moving `p` past it.
    private func selection(_ p: inout Int) throws -> Selection {
        let type = try b.u32(p), version = try b.u32(p + 4)
        let at = p
        p += 8
        switch type {
        case 0, 3:   // none, all: reserved and length words (version 1) or nothing more (version 2)
            if version == 1 { p += 8 }
            return type == 0 ? .none : .all
        case 2:
            switch version {
            case 1:
                let rank = try b.u32(p + 8), blocks = try b.u32(p + 12)
                p += 16
                guard rank > 0, rank <= 32, blocks <= 1 << 20 else { throw b.fail(at, "hyperslab selection of rank \(rank) with \(blocks) blocks") }
                var out: [(start: [Int], end: [Int])] = []
                for _ in 0..<blocks {
                    var s: [Int] = [], e: [Int] = []
                    for _ in 0..<rank { s.append(try b.u32(p)); p += 4 }
                    for _ in 0..<rank { e.append(try b.u32(p)); p += 4 }
                    out.append((s, e))
                }
                return .blocks(out)
            case 2, 3:
                let flags = try b.u8(p)
                let width = version == 2 ? 8 : try b.u8(p + 1)
                guard [2, 4, 8].contains(width) else { throw b.fail(p + 1, "hyperslab selection with \(width)-byte numbers") }
                p += version == 2 ? 5 : 2   // version 2: flags and a 4-byte length
                let rank = try b.u32(p)
                p += 4
                guard rank > 0, rank <= 32 else { throw b.fail(at, "hyperslab selection of rank \(rank)") }
                let unlimited: UInt64 = width == 8 ? .max : (1 << UInt64(8 * width)) - 1
                func number() throws -> UInt64 {
                    defer { p += width }
                    var v: UInt64 = 0
                    for k in stride(from: width - 1, through: 0, by: -1) { v = v << 8 | UInt64(try b.u8(p + k)) }
                    return v
                }
                if flags & 0x01 != 0 {
                    var start: [Int] = [], stride: [Int] = [], count: [Int?] = [], block: [Int] = []
                    for _ in 0..<rank {
                        let s = try number(), t = try number(), c = try number(), k = try number()
                        guard s < 1 << 40, t < 1 << 40, k < 1 << 40, c == unlimited || c < 1 << 40 else { throw b.fail(at, "hyperslab selection out of range") }
                        start.append(Int(s)); stride.append(Int(t)); count.append(c == unlimited ? nil : Int(c)); block.append(Int(k))
                    }
                    return .regular(start: start, stride: stride, count: count, block: block)
                }
                guard version == 3 else { throw b.fail(at, "irregular hyperslab in a version 2 selection") }
                let n = try number()
                guard n <= 1 << 20 else { throw b.fail(at, "hyperslab selection with \(n) blocks") }
                var out: [(start: [Int], end: [Int])] = []
                for _ in 0..<n {
                    var s: [Int] = [], e: [Int] = []
                    for _ in 0..<rank { s.append(Int(clamping: try number())) }
                    for _ in 0..<rank { e.append(Int(clamping: try number())) }
                    out.append((s, e))
                }
                return .blocks(out)
            default:
                throw b.fail(at, "hyperslab selection version \(version); expected 1 to 3")
            }
        case 1:
            let width: Int, rank: Int, n: Int
            switch version {
            case 1:
                rank = try b.u32(p + 8); n = try b.u32(p + 12); width = 4
                p += 16
            case 2:
                width = try b.u8(p)
                guard [2, 4, 8].contains(width) else { throw b.fail(p, "point selection with \(width)-byte numbers") }
                rank = try b.u32(p + 1)
                n = try b.int(p + 5, width, "point count")
                p += 5 + width
            default:
                throw b.fail(at, "point selection version \(version); expected 1 or 2")
            }
            guard rank > 0, rank <= 32, n <= 1 << 24 else { throw b.fail(at, "point selection of rank \(rank) with \(n) points") }
            var points: [[Int]] = []
            for _ in 0..<n {
                var point: [Int] = []
                for _ in 0..<rank { point.append(try b.int(p, width, "point coordinate")); p += width }
                points.append(point)
            }
            return .points(points)
        default:
            throw b.fail(at, "selection type \(type); expected 0 to 3")
        }
    }

    /// The row-major element offsets a selection picks in an extent, in selection order
    /// (row-major for hyperslabs, as given for points).
    func offsets(_ s: Selection, in dims: [Int], at address: Int) throws -> [Int] {
        let total = dims.reduce(1, *)
        func linear(_ point: [Int]) throws -> Int {
            guard point.count == dims.count else { throw b.fail(address, "selection of rank \(point.count) in a dataspace of rank \(dims.count)") }
            var o = 0
            for (x, n) in zip(point, dims) {
                guard x >= 0, x < n else { throw b.fail(address, "selection point \(point) outside the extent \(dims)") }
                o = o * n + x
            }
            return o
        }
        switch s {
        case .none: return []
        case .all:
            guard total <= Self.virtualElementLimit else { throw b.unsupported(address, "virtual dataset mapping of \(total) elements; too large") }
            return Array(0..<total)
        case .points(let points):
            return try points.map(linear)
        case .blocks(let blocks):
            var set = Set<Int>()
            for block in blocks {
                guard block.start.count == dims.count, block.end.count == dims.count else { throw b.fail(address, "hyperslab block of another rank than its dataspace") }
                let counts = zip(block.start, block.end).map { $1 - $0 + 1 }
                guard counts.allSatisfy({ $0 > 0 }), counts.reduce(1, *) + set.count <= Self.virtualElementLimit else {
                    throw b.fail(address, "hyperslab block \(block.start)…\(block.end) empty or too large")
                }
                try forEachIndex(counts) { set.insert(try linear(zip(block.start, $0).map(+))) }
            }
            return set.sorted()
        case .regular(let start, let stride, let count, let block):
            guard start.count == dims.count else { throw b.fail(address, "hyperslab of rank \(start.count) in a dataspace of rank \(dims.count)") }
            // The selected indices of each dimension, ascending; the selection is their product.
            var axes: [[Int]] = []
            for d in 0..<dims.count {
                var indices = Set<Int>()
                var c = 0
                while count[d].map({ c < $0 }) ?? true {
                    let first = start[d] + c * max(stride[d], 1)
                    if first >= dims[d] { break }
                    for k in 0..<block[d] where first + k < dims[d] { indices.insert(first + k) }
                    guard indices.count <= Self.virtualElementLimit else { throw b.fail(address, "hyperslab selection too large") }
                    c += 1
                    if stride[d] == 0 { break }
                }
                if let n = count[d], n > c, block[d] > 0 {
                    throw b.fail(address, "hyperslab selection runs past the extent \(dims) in dimension \(d)")
                }
                axes.append(indices.sorted())
            }
            let n = axes.reduce(1) { $0 * $1.count }
            guard n <= Self.virtualElementLimit else { throw b.unsupported(address, "virtual dataset mapping of \(n) elements; too large") }
            var out: [Int] = []
            out.reserveCapacity(n)
            try forEachIndex(axes.map(\.count)) { k in out.append(try linear(zip(axes, k).map { $0[$1] })) }
            return out
        }
    }

    /// Calls `body` with every index of a box of `counts`, in row-major order.
    private func forEachIndex(_ counts: [Int], _ body: ([Int]) throws -> Void) throws {
        guard !counts.isEmpty, counts.allSatisfy({ $0 > 0 }) else { return }
        var index = [Int](repeating: 0, count: counts.count)
        while true {
            try body(index)
            var d = counts.count - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < counts[d] { break }
                index[d] = 0
                d -= 1
            }
            if d < 0 { return }
        }
    }

    /// The raw bytes of a virtual dataset: the fill value, overwritten by each mapping's source
    /// elements. Sources in other files are read from files beside this one; a source that
    /// cannot be read makes the dataset unreadable (rather than silently filled).
    func virtualData(_ d: HDF5Dataset, collection: Int, index: Int, total: Int, depth: Int) throws -> [UInt8] {
        guard depth < 4 else { throw b.unsupported(d.address, "virtual dataset mapped from virtual datasets more than 4 deep") }
        // Mappings describe data held elsewhere, but not without bound: as for compressed chunks.
        guard total <= 1024 * b.bytes.count + (16 << 20) else {
            throw b.fail(d.address, "virtual dataset of \(d.space.dims) elements (\(total) bytes) from a \(b.bytes.count)-byte file; refusing")
        }
        let size = d.type.size
        var out = d.filled(total)
        for mapping in try virtualMappings(collection: collection, index: index) {
            let (sourceBytes, sourceDims) = try sourceData(mapping, type: d.type, at: d.address, depth: depth)
            let from = try offsets(mapping.source, in: sourceDims, at: d.address)
            var to = try offsets(mapping.target, in: d.space.dims, at: d.address)
            // An unlimited virtual selection takes as many elements as the source gives.
            if case .regular(_, _, let count, _) = mapping.target, count.contains(where: { $0 == nil }), to.count > from.count { to.removeLast(to.count - from.count) }
            guard from.count == to.count else {
                throw b.fail(d.address, "virtual mapping from \(mapping.file):\(mapping.dataset) selects \(from.count) source elements for \(to.count) virtual ones")
            }
            for (s, t) in zip(from, to) {
                out.replaceSubrange((t * size)..<((t + 1) * size), with: sourceBytes[(s * size)..<((s + 1) * size)])
            }
        }
        return out
    }

    /// A mapping's source dataset: its raw bytes and dimensions (same element type required).
    private func sourceData(_ mapping: VirtualMapping, type: HDF5Datatype, at address: Int, depth: Int) throws -> ([UInt8], [Int]) {
        func read(_ h5: HDF5File) throws -> ([UInt8], [Int]) {
            guard let object = try h5.lookup(mapping.dataset), let source = try h5.dataset(object) else {
                throw b.unsupported(address, "virtual dataset source \(mapping.file):\(mapping.dataset) does not exist")
            }
            guard source.type == type else {
                throw b.unsupported(address, "virtual dataset source \(mapping.file):\(mapping.dataset) is \(source.type.description), the virtual dataset \(type.description); conversion not supported")
            }
            return (try h5.rawData(source, depth: depth + 1), source.space.dims)
        }
        if mapping.file == "." { return try read(self) }
        // Another file, named relative to this one's folder.
        let here = URL(fileURLWithPath: b.file).deletingLastPathComponent()
        let url = mapping.file.hasPrefix("/") ? URL(fileURLWithPath: mapping.file) : here.appendingPathComponent(mapping.file)
        guard !b.file.contains("!/"), FormatRegistry.isRegularFile(url.path) else {
            throw b.unsupported(address, "virtual dataset source file \(mapping.file) not found beside \(FileName.last(b.file))")
        }
        guard ReadConfinement.allows(url.path) else {
            throw b.unsupported(address, "virtual dataset source file \(mapping.file) lies outside the served workspace")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw b.unsupported(address, "virtual dataset source file \(mapping.file) cannot be read (\(error.localizedDescription))")
        }
        return try data.withUnsafeBytes { try read(HDF5File($0, file: url.path)) }
    }

    /// The object a path names, following hard and soft links from the root.
    func lookup(_ path: String) throws -> Object? {
        var object = try self.object(at: rootAddress)
        var hops = 0
        var parts = path.split(separator: "/").map(String.init)
        var k = 0
        while k < parts.count {
            guard isGroup(object), let link = try links(of: object).first(where: { $0.name == parts[k] }) else { return nil }
            switch link.target {
            case .hard(let address):
                object = try self.object(at: address)
                k += 1
            case .soft(let target):
                hops += 1
                guard hops < 32 else { return nil }
                let rest = Array(parts[(k + 1)...])
                if target.hasPrefix("/") {
                    object = try self.object(at: rootAddress)
                    parts = target.split(separator: "/").map(String.init) + rest
                } else {
                    parts = Array(parts[..<k]) + target.split(separator: "/").map(String.init) + rest
                    object = try self.object(at: rootAddress)
                }
                k = 0
            case .external:
                return nil
            }
        }
        return object
    }

    /// Where object `index` of the global heap collection at `address` lies, and its size.
    func globalHeapObject(address: Int, index: Int) throws -> (offset: Int, size: Int) {
        try b.expectSignature(address, "GCOL", "global heap collection")
        let size = try b.length(address + 8, "global heap collection size")
        try b.need(address, size, "global heap collection")
        var p = address + 8 + b.lengthSize
        let end = address + size
        while p + 8 + b.lengthSize <= end {
            let i = try b.u16(p)
            let objectSize = try b.length(p + 8, "global heap object size")
            if i == 0 { break }
            guard objectSize <= end - p - 8 - b.lengthSize else { throw b.fail(p, "global heap object runs past its collection") }
            if i == index { return (p + 8 + b.lengthSize, objectSize) }
            p += 8 + b.lengthSize + (objectSize + 7) / 8 * 8
        }
        throw b.fail(address, "global heap object \(index) does not exist in the collection at byte \(address)")
    }
}
