import Foundation
import XrayCore
import ZIPFoundation

/// Chunked storage: finding every chunk through its index (v1 B-tree; single chunk, implicit,
/// fixed array, extensible array and v2 B-tree indexes of HDF5 1.10+), undoing the filters
/// (deflate, shuffle, Fletcher-32, LZF, and the plug-ins of `HDF5PluginFilters`) and placing
/// each chunk in the row-major result.
extension HDF5File {
    /// One stored chunk: its first element's coordinates, where it is, its stored size and
    /// which filters were skipped for it (bit k set: filter k not applied).
    struct Chunk {
        let origin: [Int]
        let address: Int
        let size: Int
        let filterMask: Int
    }

    func chunkedData(_ d: HDF5Dataset, chunk: [Int], index: HDF5Dataset.ChunkIndex, total: Int) throws -> [UInt8] {
        let dims = d.space.dims
        let rank = dims.count
        let elementSize = d.type.size
        guard chunk.count == rank, rank > 0, chunk.allSatisfy({ $0 > 0 }) else {
            throw b.fail(d.address, "chunk shape \(chunk) does not fit the dataset shape \(dims)")
        }
        var chunkBytes = elementSize
        for c in chunk {
            let (m, overflow) = chunkBytes.multipliedReportingOverflow(by: c)
            guard !overflow, m <= 1 << 30 else { throw b.fail(d.address, "chunks of \(chunk) elements are too large") }
            chunkBytes = m
        }
        // Compressed data may expand, but not without bound: 1024 times the file plus 16 MiB.
        guard total <= 1024 * b.bytes.count + (16 << 20) else {
            throw b.fail(d.address, "dataset of \(dims) elements (\(total) bytes) is implausibly large for a \(b.bytes.count)-byte file")
        }
        let chunks = try self.chunks(d, chunk: chunk, index: index, chunkBytes: chunkBytes)
        var out = d.filled(total)
        for c in chunks {
            guard c.origin.count == rank else { throw b.fail(c.address, "chunk with \(c.origin.count) coordinates in a rank-\(rank) dataset") }
            if zip(c.origin, dims).contains(where: { $0 >= $1 }) { continue }   // beyond the current extent
            let stored = try b.slice(c.address, c.size, "data chunk")
            let bytes = try unfilter(Array(stored), d, mask: c.filterMask, expected: chunkBytes, at: c.address)
            guard bytes.count >= chunkBytes else {
                throw b.fail(c.address, "chunk decodes to \(bytes.count) bytes; \(chunkBytes) expected")
            }
            place(bytes, chunk: chunk, origin: c.origin, dims: dims, elementSize: elementSize, into: &out)
        }
        return out
    }

    /// Copies a chunk's rows into the row-major array of shape `dims` (clipped at its edges).
    private func place(_ bytes: [UInt8], chunk: [Int], origin: [Int], dims: [Int], elementSize: Int, into out: inout [UInt8]) {
        let rank = dims.count
        let rowLength = min(chunk[rank - 1], dims[rank - 1] - origin[rank - 1]) * elementSize
        var position = [Int](repeating: 0, count: rank)   // within the chunk, last index unused
        outer: while true {
            var target = 0
            var source = 0
            var inside = true
            for k in 0..<rank {
                let coordinate = origin[k] + (k < rank - 1 ? position[k] : 0)
                if coordinate >= dims[k] { inside = false }
                target = target * dims[k] + coordinate
                source = source * chunk[k] + (k < rank - 1 ? position[k] : 0)
            }
            if inside, rowLength > 0 {
                out.withUnsafeMutableBytes { o in
                    bytes.withUnsafeBytes { s in
                        guard let to = o.baseAddress, let from = s.baseAddress else { return }
                        (to + target * elementSize).copyMemory(from: from + source * elementSize, byteCount: rowLength)
                    }
                }
            }
            var k = rank - 2
            while k >= 0 {
                position[k] += 1
                if position[k] < chunk[k], origin[k] + position[k] < dims[k] { continue outer }
                position[k] = 0
                k -= 1
            }
            break
        }
    }

    /// Undoes the filter pipeline (in reverse order) on one stored chunk.
    func unfilter(_ stored: [UInt8], _ d: HDF5Dataset, mask: Int, expected: Int, at address: Int) throws -> [UInt8] {
        var bytes = stored
        for (k, filter) in d.filters.enumerated().reversed() where mask & (1 << k) == 0 {
            switch filter.id {
            case 1: bytes = try inflateZlib(bytes, expected: expected, at: address)
            case 2: bytes = unshuffle(bytes, elementSize: filter.clientData.first ?? d.type.size)
            case 3:
                guard bytes.count >= 4 else { throw b.fail(address, "Fletcher-32 chunk shorter than its checksum") }
                bytes.removeLast(4)
            case 32000:
                bytes = try lzfDecompress(bytes, limit: expected, at: address)
            case 32001, 32004, 32008, 32015:
                let name = [32001: "Blosc", 32004: "LZ4", 32008: "bitshuffle", 32015: "Zstandard"][filter.id] ?? ""
                do {
                    switch filter.id {
                    case 32001: bytes = try HDF5PluginFilters.bloscFilter(bytes, limit: expected)
                    case 32004: bytes = try HDF5PluginFilters.lz4Filter(bytes, limit: expected)
                    case 32015: bytes = try HDF5PluginFilters.zstandardFilter(bytes, limit: expected)
                    default: bytes = try HDF5PluginFilters.bitshuffleFilter(bytes, clientData: filter.clientData, elementSize: d.type.size, limit: expected)
                    }
                } catch let e as HDF5PluginFilters.Corrupt {
                    throw b.fail(address, "\(name)-compressed chunk is corrupt: \(e.what)")
                } catch let e as HDF5PluginFilters.Unsupported {
                    throw b.unsupported(address, "chunk compressed with \(e.what), which this reader does not decode")
                }
            default:
                let known = [4: "szip", 5: "N-bit", 6: "scale-offset", 307: "bzip2", 32026: "Blosc2"]
                let name = known[filter.id] ?? (filter.name.isEmpty ? "filter \(filter.id)" : "'\(filter.name)' (filter \(filter.id))")
                throw b.unsupported(address, "chunk compressed with \(name); this reader undoes deflate (gzip), LZF, LZ4, Zstandard, bitshuffle, Blosc (BloscLZ, LZ4, zlib, Zstandard), shuffle and Fletcher-32")
            }
        }
        return bytes
    }

    /// A zlib stream (RFC 1950: 2-byte header, deflate data, Adler-32) inflated.
    private func inflateZlib(_ z: [UInt8], expected: Int, at address: Int) throws -> [UInt8] {
        guard z.count >= 2, z[0] & 0x0F == 8, (Int(z[0]) << 8 | Int(z[1])) % 31 == 0 else {
            throw b.fail(address, "deflate-filtered chunk does not start with a zlib header")
        }
        do {
            return [UInt8](try XASGzip.inflate(raw: Data(z[2...]), limit: expected + 64, expectedSize: expected, crc: false).0)
        } catch XASGzip.InflateFailure.truncated {
            throw b.fail(address, "deflate-filtered chunk ends before its deflate stream does; file truncated or corrupt")
        } catch XASGzip.InflateFailure.tooLarge {
            throw b.fail(address, "deflate-filtered chunk inflates beyond its \(expected) bytes; corrupt")
        } catch {
            throw b.fail(address, "deflate-filtered chunk is corrupt (\(error))")
        }
    }

    /// Undoes h5py's LZF filter (id 32000): a bare LZF stream (Lehmann's liblzf format) of one
    /// chunk. Each control byte starts either a run of 1–32 literal bytes (values 0–31) or a
    /// back reference: length from its top 3 bits (7: plus the next byte) + 2, distance from
    /// its low 5 bits and the next byte + 1.
    func lzfDecompress(_ input: [UInt8], limit: Int, at address: Int) throws -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(limit)
        var i = 0
        func corrupt(_ what: String) -> RoentgenError { b.fail(address, "LZF-compressed chunk is corrupt: \(what)") }
        while i < input.count {
            let control = Int(input[i])
            i += 1
            if control < 32 {
                let n = control + 1
                guard i + n <= input.count else { throw corrupt("a literal run ends past the chunk's data") }
                guard out.count + n <= limit else { throw corrupt("it decodes to more than \(limit) bytes") }
                out.append(contentsOf: input[i..<(i + n)])
                i += n
            } else {
                var length = control >> 5
                guard i < input.count else { throw corrupt("a back reference is cut off") }
                if length == 7 {
                    length += Int(input[i])
                    i += 1
                    guard i < input.count else { throw corrupt("a back reference is cut off") }
                }
                let distance = ((control & 0x1F) << 8) + Int(input[i]) + 1
                i += 1
                length += 2
                guard distance <= out.count else { throw corrupt("a back reference points before the chunk's start") }
                guard out.count + length <= limit else { throw corrupt("it decodes to more than \(limit) bytes") }
                var from = out.count - distance
                for _ in 0..<length {   // byte by byte: the copy may overlap what it writes
                    out.append(out[from])
                    from += 1
                }
            }
        }
        return out
    }

    /// Undoes the shuffle filter: byte k of every element was stored in plane k.
    private func unshuffle(_ bytes: [UInt8], elementSize: Int) -> [UInt8] {
        guard elementSize > 1, bytes.count >= elementSize else { return bytes }
        let n = bytes.count / elementSize
        var out = bytes   // a trailing partial element (n·size …) stays as stored
        out.withUnsafeMutableBufferPointer { o in
            bytes.withUnsafeBufferPointer { s in
                for k in 0..<elementSize {
                    let plane = k * n
                    for e in 0..<n { o[e &* elementSize &+ k] = s[plane &+ e] }
                }
            }
        }
        return out
    }

    // MARK: Chunk indexes

    func chunks(_ d: HDF5Dataset, chunk: [Int], index: HDF5Dataset.ChunkIndex, chunkBytes: Int) throws -> [Chunk] {
        let rank = chunk.count
        let dims = d.space.dims
        let grid = zip(dims, chunk).map { ($0 + $1 - 1) / $1 }
        /// The origin of the chunk with row-major linear index `i` in a grid.
        func origin(_ i: Int, _ grid: [Int]) -> [Int] {
            var rest = i
            var out = [Int](repeating: 0, count: rank)
            for k in stride(from: rank - 1, through: 0, by: -1) {
                out[k] = (rest % max(1, grid[k])) * chunk[k]
                rest /= max(1, grid[k])
            }
            return out
        }
        let filtered = !d.filters.isEmpty
        switch index {
        case .btree1(let address):
            guard let address else { return [] }
            return try btree1Children(at: address, type: 1, dimensions: rank + 1).map { entry in
                let size = try b.u32(entry.key)
                let mask = try b.u32(entry.key + 4)
                let origin = try (0..<rank).map { try b.int(entry.key + 8 + 8 * $0, 8, "chunk offset") }
                return Chunk(origin: origin, address: entry.child, size: size, filterMask: mask)
            }
        case .single(let address, let filteredSize, let mask):
            guard let address else { return [] }
            return [Chunk(origin: [Int](repeating: 0, count: rank), address: address, size: filteredSize ?? chunkBytes, filterMask: mask)]
        case .implicit(let address):
            guard let address else { return [] }
            let count = grid.reduce(1, *)
            let (span, overflow) = count.multipliedReportingOverflow(by: chunkBytes)
            guard !overflow else { throw b.fail(address, "implicit chunk index for \(count) chunks") }
            try b.need(address, span, "implicitly indexed chunks")
            return (0..<count).map { Chunk(origin: origin($0, grid), address: address + $0 * chunkBytes, size: chunkBytes, filterMask: 0) }
        case .fixedArray(let address):
            guard let address else { return [] }
            let maxGrid = zip(d.space.maxDims, zip(dims, chunk)).map { (($0 ?? $1.0) + $1.1 - 1) / $1.1 }
            let entries = try fixedArrayEntries(address, filtered: filtered, chunkBytes: chunkBytes)
            return entries.enumerated().compactMap { i, e in
                e.address.map { Chunk(origin: origin(i, maxGrid), address: $0, size: e.size ?? chunkBytes, filterMask: e.mask) }
            }
        case .extensibleArray(let address):
            guard let address else { return [] }
            // One unlimited dimension u; the array is indexed with u moved first ("swizzled"),
            // the other dimensions counted in chunks of their maximum extent.
            let u = d.space.maxDims.firstIndex(where: { $0 == nil }) ?? 0
            let order = [u] + (0..<rank).filter { $0 != u }
            let radix = order.map { k in ((d.space.maxDims[k] ?? dims[k]) + chunk[k] - 1) / chunk[k] }
            var count = grid[u]
            for r in radix.dropFirst() {
                let (m, overflow) = count.multipliedReportingOverflow(by: r)
                guard !overflow, m <= 1 << 32 else { throw b.fail(address, "extensible-array chunk index over \(grid) chunks of maximum \(radix)") }
                count = m
            }
            let entries = try extensibleArrayEntries(address, count: count, filtered: filtered)
            return entries.enumerated().compactMap { i, e in
                guard let at = e.address else { return nil }
                var rest = i
                var origin = [Int](repeating: 0, count: rank)
                for k in stride(from: rank - 1, through: 1, by: -1) {
                    origin[order[k]] = (rest % max(1, radix[k])) * chunk[order[k]]
                    rest /= max(1, radix[k])
                }
                origin[u] = rest * chunk[u]
                return Chunk(origin: origin, address: at, size: e.size ?? chunkBytes, filterMask: e.mask)
            }
        case .btree2(let address):
            guard let address else { return [] }
            let recordSize = try b.u16(address + 10)
            let sizeBytes = recordSize - b.offsetSize - 8 * rank - (filtered ? 4 : 0)
            guard filtered ? (1...8).contains(sizeBytes) : sizeBytes == 0 else {
                throw b.fail(address + 10, "chunk B-tree records of \(recordSize) bytes do not fit a rank-\(rank) dataset")
            }
            return try btree2Records(at: address, expectType: filtered ? 11 : 10).compactMap { r in
                guard let at = try b.address(r, "chunk address") else { return nil }
                var q = r + b.offsetSize
                var size = chunkBytes
                var mask = 0
                if filtered {
                    size = try b.int(q, sizeBytes, "chunk size")
                    mask = try b.u32(q + sizeBytes)
                    q += sizeBytes + 4
                }
                let scaled = try (0..<rank).map { try b.int(q + 8 * $0, 8, "chunk coordinate") }
                return Chunk(origin: zip(scaled, chunk).map { $0 * $1 }, address: at, size: size, filterMask: mask)
            }
        }
    }

    /// A chunk index entry: address (nil: not allocated), stored size and filter mask for
    /// filtered chunks.
    private struct IndexEntry {
        let address: Int?
        let size: Int?
        let mask: Int
    }

    private func indexEntry(_ p: Int, entrySize: Int, filtered: Bool) throws -> IndexEntry {
        let address = try b.address(p, "chunk address")
        guard filtered else { return IndexEntry(address: address, size: nil, mask: 0) }
        let sizeBytes = entrySize - b.offsetSize - 4
        guard (1...8).contains(sizeBytes) else { throw b.fail(p, "chunk index entries of \(entrySize) bytes") }
        return IndexEntry(address: address, size: try b.int(p + b.offsetSize, sizeBytes, "chunk size"),
                          mask: try b.u32(p + b.offsetSize + sizeBytes))
    }

    private func fixedArrayEntries(_ header: Int, filtered: Bool, chunkBytes: Int) throws -> [IndexEntry] {
        try b.expectSignature(header, "FAHD", "fixed array header")
        let entrySize = try b.u8(header + 6)
        let pageBits = try b.u8(header + 7)
        let count = try b.length(header + 8, "fixed array entry count")
        guard let block = try b.address(header + 8 + b.lengthSize, "fixed array data block address") else { return [] }
        try b.expectSignature(block, "FADB", "fixed array data block")
        guard entrySize >= b.offsetSize, pageBits < 32, count <= b.bytes.count / entrySize else {
            throw b.fail(header, "fixed array header with \(count) entries of \(entrySize) bytes (more than the file holds)")
        }
        var p = block + 6 + b.offsetSize
        let pageEntries = 1 << pageBits
        var out: [IndexEntry] = []
        out.reserveCapacity(count)
        if count > pageEntries {
            let pages = (count + pageEntries - 1) / pageEntries
            p += (pages + 7) / 8 + 4   // page-initialised bitmap, prefix checksum
            for page in 0..<pages {
                let n = min(pageEntries, count - page * pageEntries)
                try b.need(p, n * entrySize + 4, "fixed array page")
                for k in 0..<n { out.append(try indexEntry(p + k * entrySize, entrySize: entrySize, filtered: filtered)) }
                p += n * entrySize + 4
            }
        } else {
            try b.need(p, count * entrySize, "fixed array entries")
            for k in 0..<count { out.append(try indexEntry(p + k * entrySize, entrySize: entrySize, filtered: filtered)) }
        }
        return out
    }

    private func extensibleArrayEntries(_ header: Int, count: Int, filtered: Bool) throws -> [IndexEntry] {
        try b.expectSignature(header, "EAHD", "extensible array header")
        let entrySize = try b.u8(header + 6)
        let maxBits = try b.u8(header + 7)
        let indexElements = try b.u8(header + 8)
        let dataBlockMin = try b.u8(header + 9)
        let superMinPointers = try b.u8(header + 10)
        let pageBits = try b.u8(header + 11)
        guard entrySize >= b.offsetSize, dataBlockMin.nonzeroBitCount == 1, superMinPointers.nonzeroBitCount == 1, pageBits < 32, maxBits <= 64 else {
            throw b.fail(header, "extensible array header with impossible parameters")
        }
        guard let indexBlock = try b.address(header + 12 + 6 * b.lengthSize, "extensible array index block address") else { return [] }
        try b.expectSignature(indexBlock, "EAIB", "extensible array index block")
        var out: [IndexEntry] = []
        var p = indexBlock + 6 + b.offsetSize
        for _ in 0..<indexElements {
            if out.count < count { out.append(try indexEntry(p, entrySize: entrySize, filtered: filtered)) }
            p += entrySize
        }
        // Super block s holds 2^⌊s/2⌋ data blocks of min·2^⌊(s+1)/2⌋ elements. The index block
        // points straight at the data blocks of super blocks 0 … 2·log2(min pointers) − 1, and
        // then at the later super blocks (each a list of its data blocks' addresses).
        let directSuperBlocks = 2 * superMinPointers.trailingZeroBitCount
        let blockOffsetBytes = (maxBits + 7) / 8
        func dataBlock(_ at: Int?, elements: Int) throws {
            guard out.count < count else { return }
            guard let at else {
                out += [IndexEntry](repeating: IndexEntry(address: nil, size: nil, mask: 0), count: min(elements, count - out.count))
                return
            }
            try b.expectSignature(at, "EADB", "extensible array data block")
            guard elements <= 1 << pageBits else {
                throw b.unsupported(at, "paged extensible-array data block (a resizable dataset of more than \(out.count) chunks); not supported")
            }
            let q = at + 6 + b.offsetSize + blockOffsetBytes
            let n = min(elements, count - out.count)
            try b.need(q, n * entrySize, "extensible array data block entries")
            for k in 0..<n { out.append(try indexEntry(q + k * entrySize, entrySize: entrySize, filtered: filtered)) }
        }
        for s in 0..<directSuperBlocks {
            for _ in 0..<(1 << (s / 2)) {
                let at = try b.address(p, "extensible array data block address")
                p += b.offsetSize
                try dataBlock(at, elements: dataBlockMin << ((s + 1) / 2))
            }
        }
        let superBlocks = 1 + maxBits - dataBlockMin.trailingZeroBitCount
        var s = directSuperBlocks
        while out.count < count, s < superBlocks, s < 64 {
            let superBlock = try b.address(p, "extensible array super block address")
            p += b.offsetSize
            let blocks = 1 << (s / 2)
            let elements = dataBlockMin << ((s + 1) / 2)
            if let superBlock {
                try b.expectSignature(superBlock, "EASB", "extensible array super block")
                guard elements <= 1 << pageBits else {
                    throw b.unsupported(superBlock, "paged extensible-array data blocks (a resizable dataset of more than \(out.count) chunks); not supported")
                }
                let q = superBlock + 6 + b.offsetSize + blockOffsetBytes
                try b.need(q, blocks * b.offsetSize, "extensible array super block")
                for k in 0..<blocks { try dataBlock(try b.address(q + k * b.offsetSize, "extensible array data block address"), elements: elements) }
            } else {
                for _ in 0..<blocks { try dataBlock(nil, elements: elements) }
            }
            s += 1
        }
        return out
    }
}
