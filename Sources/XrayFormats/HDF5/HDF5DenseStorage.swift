import Foundation
import XrayCore

/// The fractal heap that holds the link (and attribute) messages of "dense" new-style groups:
/// a root direct block, or a root indirect block of direct blocks and (for very large groups)
/// nested indirect blocks. Managed, tiny and huge (unfiltered) heap IDs are resolved.
struct HDF5FractalHeap {
    private let b: HDF5Bytes
    private let file: HDF5File
    private let idLength: Int
    /// The version 2 B-tree of huge objects (those stored outside the heap's blocks).
    private let hugeObjects: Int?
    private let offsetBytes: Int
    private let lengthBytes: Int
    /// Direct blocks: heap offset of the block start, its file address, its size.
    private var blocks: [(heapOffset: Int, address: Int, size: Int)] = []

    init(_ file: HDF5File, at address: Int) throws {
        b = file.b
        self.file = file
        try b.expectSignature(address, "FRHP", "fractal heap header")
        hugeObjects = try b.address(address + 14 + b.lengthSize, "fractal heap huge-object B-tree address")
        idLength = try b.u16(address + 5)
        let filterLength = try b.u16(address + 7)
        let flags = try b.u8(address + 9)
        let maxManaged = try b.u32(address + 10)
        var p = address + 14 + 10 * b.lengthSize + 2 * b.offsetSize
        let width = try b.u16(p)
        let start = try b.length(p + 2, "fractal heap starting block size")
        let maxDirect = try b.length(p + 2 + b.lengthSize, "fractal heap maximum direct block size")
        p += 2 + 2 * b.lengthSize
        let maxHeapBits = try b.u16(p)
        let rootAddress = try b.address(p + 4, "fractal heap root block address")
        let rows = try b.u16(p + 4 + b.offsetSize)
        guard filterLength == 0 else { throw b.unsupported(address, "fractal heap with I/O filters (compressed dense group storage); not supported") }
        guard width > 0, width <= 65536, start > 0, start.nonzeroBitCount == 1, maxDirect >= start, maxDirect.nonzeroBitCount == 1,
              (1...64).contains(maxHeapBits) else {
            throw b.fail(address, "fractal heap header with impossible geometry (width \(width), blocks \(start)…\(maxDirect), \(maxHeapBits) offset bits)")
        }
        offsetBytes = (maxHeapBits + 7) / 8
        func encodedSize(_ x: Int) -> Int { (Int.bitWidth - 1 - x.leadingZeroBitCount) / 8 + 1 }
        lengthBytes = min((maxDirect.trailingZeroBitCount + 7) / 8, encodedSize(maxManaged))
        let checksummed = flags & 0x02 != 0
        func blockSize(_ row: Int) -> Int { row == 0 ? start : start << (row - 1) }
        let headerSize = 5 + b.offsetSize + offsetBytes + (checksummed ? 4 : 0)
        func direct(_ at: Int, _ size: Int) throws {
            try b.expectSignature(at, "FHDB", "fractal heap direct block")
            try b.need(at, size, "fractal heap direct block")
            let heapOffset = try b.int(at + 5 + b.offsetSize, offsetBytes, "direct block offset")
            guard size > headerSize else { throw b.fail(at, "fractal heap direct block smaller than its header") }
            blocks.append((heapOffset, at, size))
        }
        guard let root = rootAddress else { return }   // empty heap
        if rows == 0 {
            try direct(root, start)
            return
        }
        // Rows below `maxDirectRows` hold direct blocks; rows above, indirect blocks of their
        // own (a very large group: more than about 26,000 links), each with as many rows as
        // its size allows.
        let maxDirectRows = maxDirect.trailingZeroBitCount - start.trailingZeroBitCount + 2
        var visited = Set<Int>()
        var entries = 0
        func indirect(_ at: Int, rows: Int, depth: Int) throws {
            guard depth < 16, visited.insert(at).inserted else { throw b.fail(at, "fractal heap indirect blocks nested in a loop") }
            try b.expectSignature(at, "FHIB", "fractal heap indirect block")
            guard rows <= 64 - start.trailingZeroBitCount else { throw b.fail(at, "fractal heap indirect block of \(rows) rows") }
            var q = at + 5 + b.offsetSize + offsetBytes
            for row in 0..<rows {
                let size = blockSize(row)
                for _ in 0..<width {
                    entries += 1
                    guard entries <= 1 << 22 else { throw b.fail(at, "fractal heap with more than 4 million blocks") }
                    let child = try b.address(q, "fractal heap child block address")
                    q += b.offsetSize
                    guard let child else { continue }
                    if row < maxDirectRows {
                        try direct(child, size)
                    } else {
                        // A child indirect block of `size` bytes has log2(size) − log2(start × width) + 1 rows.
                        guard width.nonzeroBitCount == 1 else { throw b.fail(at, "fractal heap table width \(width) is not a power of two") }
                        let childRows = size.trailingZeroBitCount - start.trailingZeroBitCount - width.trailingZeroBitCount + 1
                        guard childRows > 0 else { throw b.fail(child, "fractal heap indirect block of \(size) bytes has no rows") }
                        try indirect(child, rows: childRows, depth: depth + 1)
                    }
                }
            }
        }
        try indirect(root, rows: rows, depth: 0)
        blocks.sort { $0.heapOffset < $1.heapOffset }
    }

    /// The bytes of the object whose heap ID starts at `id`: where they are and how many.
    func object(idAt id: Int) throws -> (offset: Int, count: Int) {
        try b.need(id, idLength, "fractal heap ID")
        let first = try b.u8(id)
        switch (first >> 4) & 3 {
        case 0:
            let offset = try b.int(id + 1, offsetBytes, "heap ID offset")
            let length = try b.int(id + 1 + offsetBytes, lengthBytes, "heap ID length")
            // The last block starting at or before the offset (blocks are sorted by heap offset).
            var lo = 0, hi = blocks.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if blocks[mid].heapOffset <= offset { lo = mid + 1 } else { hi = mid }
            }
            guard lo > 0, case let block = blocks[lo - 1], offset < block.heapOffset + block.size else {
                throw b.fail(id, "heap ID points at heap offset \(offset), in no direct block of the heap")
            }
            let inBlock = offset - block.heapOffset
            guard length <= block.size - inBlock else { throw b.fail(id, "heap object (\(length) bytes at \(offset)) runs past its direct block") }
            return (block.address + inBlock, length)
        case 2:
            let length = Int(first & 0x0F) + 1
            guard length <= idLength - 1 else { throw b.fail(id, "tiny heap object longer than its ID") }
            return (id + 1, length)
        case 1:
            // A huge object: its address and length in the ID if they fit, else found by the
            // ID's key in the huge-object B-tree (records: address, length, key).
            if idLength - 1 >= b.offsetSize + b.lengthSize {
                guard let at = try b.address(id + 1, "huge object address") else { throw b.fail(id, "huge heap object with an undefined address") }
                let length = try b.length(id + 1 + b.offsetSize, "huge object length")
                try b.need(at, length, "huge heap object")
                return (at, length)
            }
            let key = try b.int(id + 1, min(idLength - 1, 8), "huge object key")
            guard let tree = hugeObjects else { throw b.fail(id, "huge heap object in a heap without a huge-object B-tree") }
            for record in try file.btree2Records(at: tree, expectType: 1) {
                guard try b.length(record + b.offsetSize + b.lengthSize, "huge object key") == key else { continue }
                guard let at = try b.address(record, "huge object address") else { break }
                let length = try b.length(record + b.offsetSize, "huge object length")
                try b.need(at, length, "huge heap object")
                return (at, length)
            }
            throw b.fail(id, "huge heap object \(key) is not in the heap's huge-object B-tree")
        default:
            throw b.fail(id, "fractal heap ID of the reserved type 3")
        }
    }
}

extension HDF5File {
    /// The byte offsets of every record of the version 2 B-tree at `address`, in key order.
    /// Internal nodes hold records too (between their children's); a child pointer is its
    /// address, its record count and, below depth 1, its subtree's record count, each count in
    /// as few bytes as its maximum needs (the maxima follow from the node and record sizes).
    func btree2Records(at address: Int, expectType: Int? = nil) throws -> [Int] {
        try b.expectSignature(address, "BTHD", "version 2 B-tree header")
        let type = try b.u8(address + 5)
        if let expectType, type != expectType {
            throw b.fail(address + 5, "version 2 B-tree of type \(type); expected type \(expectType)")
        }
        let nodeSize = try b.u32(address + 6)
        let recordSize = try b.u16(address + 10)
        let depth = try b.u16(address + 12)
        let root = try b.address(address + 16, "B-tree root node address")
        let rootCount = try b.u16(address + 16 + b.offsetSize)
        guard recordSize > 0, nodeSize > 10 + recordSize, depth <= 16 else {
            throw b.fail(address, "version 2 B-tree with record size \(recordSize), node size \(nodeSize) and depth \(depth)")
        }
        guard let root else { return [] }
        /// Bytes that hold any count up to `x`.
        func countBytes(_ x: Int) -> Int { (Int.bitWidth - 1 - max(1, x).leadingZeroBitCount) / 8 + 1 }
        let leafMaximum = (nodeSize - 10) / recordSize
        let recordCountBytes = countBytes(leafMaximum)
        var maximum = [leafMaximum]          // records in a node at each depth
        var subtreeMaximum = [leafMaximum]   // records in a subtree rooted at each depth
        var subtreeBytes = [0]
        if depth > 0 {
            for d in 1...depth {
                let pointer = b.offsetSize + recordCountBytes + (d > 1 ? subtreeBytes[d - 1] : 0)
                let m = max(0, (nodeSize - 10 - pointer) / (recordSize + pointer))
                maximum.append(m)
                let (product, overflow) = (m + 1).multipliedReportingOverflow(by: subtreeMaximum[d - 1])
                subtreeMaximum.append(overflow ? Int.max / 2 : product + m)
                subtreeBytes.append(countBytes(subtreeMaximum[d]))
            }
        }
        var out: [Int] = []
        var nodes = 0
        func node(_ at: Int, _ count: Int, _ level: Int) throws {
            nodes += 1
            guard nodes <= 1_000_000 else { throw b.fail(at, "version 2 B-tree has more than a million nodes (a loop?)") }
            guard count <= maximum[level] else { throw b.fail(at, "B-tree node claims \(count) records; at most \(maximum[level]) fit") }
            if level == 0 {
                try b.expectSignature(at, "BTLF", "version 2 B-tree leaf node")
                try b.need(at + 6, count * recordSize, "B-tree leaf records")
                out += (0..<count).map { at + 6 + $0 * recordSize }
                return
            }
            try b.expectSignature(at, "BTIN", "version 2 B-tree internal node")
            let records = at + 6
            var p = records + count * recordSize
            let pointerSize = b.offsetSize + recordCountBytes + (level > 1 ? subtreeBytes[level - 1] : 0)
            try b.need(p, (count + 1) * pointerSize, "B-tree child pointers")
            for k in 0...count {
                guard let child = try b.address(p, "B-tree child address") else { throw b.fail(p, "B-tree child address undefined") }
                let n = try b.int(p + b.offsetSize, recordCountBytes, "B-tree child record count")
                try node(child, n, level - 1)
                if k < count { out.append(records + k * recordSize) }
                p += pointerSize
            }
        }
        try node(root, rootCount, depth)
        return out
    }
}
