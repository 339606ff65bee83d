import Foundation

/// Decoders for the HDF5 plug-in filters that beamline and detector data use most, written from
/// their published formats: LZ4 (filter 32004), bitshuffle alone or with LZ4 (32008: Dectris
/// Eiger and Jungfrau data at the ESRF, PSI, DESY, MAX IV), and Blosc 1 (32001: PyTables and
/// hdf5plugin users) with its BloscLZ, LZ4, zlib and Zstandard codecs, and Zstandard
/// (32015; `Zstandard`).
enum HDF5PluginFilters {
    /// What is wrong with a compressed chunk (the caller adds where it is).
    struct Corrupt: Error { let what: String }
    /// A codec this reader does not have (the caller reports the dataset as not read).
    struct Unsupported: Error { let what: String }

    // MARK: LZ4

    /// Appends exactly `size` bytes decoded from one LZ4 block (the raw block format: sequences
    /// of a token, literals, a 2-byte little-endian offset and a match; no frame) to `out`.
    /// Matches refer only to this block's output.
    static func lz4Block(_ input: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], size: Int) throws {
        let base = out.count
        let target = base + size
        let end = input.count
        var i = 0
        func length(_ start: Int) throws -> Int {
            var n = start
            guard n == 15 else { return n }
            while true {
                guard i < end else { throw Corrupt(what: "an LZ4 length runs past the block") }
                let x = Int(input[i])
                i += 1
                n += x
                if x != 255 { return n }
            }
        }
        while true {
            guard i < end else { throw Corrupt(what: "an LZ4 block ends before its last sequence") }
            let token = Int(input[i])
            i += 1
            let literals = try length(token >> 4)
            guard literals <= end - i else { throw Corrupt(what: "LZ4 literals run past the block") }
            guard literals <= target - out.count else { throw Corrupt(what: "an LZ4 block decodes to more than \(size) bytes") }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: input[i..<(i + literals)]))
            i += literals
            if i == end { break }   // the last sequence has literals only
            guard end - i >= 2 else { throw Corrupt(what: "an LZ4 match offset is cut off") }
            let offset = Int(input[i]) | Int(input[i + 1]) << 8
            i += 2
            guard offset > 0, offset <= out.count - base else { throw Corrupt(what: "an LZ4 match points before the block's start") }
            let match = try length(token & 15) + 4
            guard match <= target - out.count else { throw Corrupt(what: "an LZ4 block decodes to more than \(size) bytes") }
            Zstandard.copyMatch(&out, offset: offset, length: match)
        }
        guard out.count == target else { throw Corrupt(what: "an LZ4 block decodes to \(out.count - base) bytes, not \(size)") }
    }

    /// The HDF5 LZ4 filter (32004): the original size (8 bytes, big-endian) and block size
    /// (4 bytes), then per block its stored size (4 bytes) and the LZ4 block, or the block's
    /// bytes as they are when the stored size equals it.
    static func lz4Filter(_ stored: [UInt8], limit: Int) throws -> [UInt8] {
        try stored.withUnsafeBufferPointer { p in
            guard p.count >= 12 else { throw Corrupt(what: "LZ4 chunk shorter than its 12-byte header") }
            let total = Int(clamping: bigEndian(p, 0, 8))
            let blockSize = Int(bigEndian(p, 8, 4))
            guard total <= limit else { throw Corrupt(what: "LZ4 chunk claims \(total) bytes; the chunk holds \(limit)") }
            guard blockSize > 0 || total == 0 else { throw Corrupt(what: "LZ4 chunk with block size 0") }
            var out = [UInt8]()
            out.reserveCapacity(total)
            var i = 12
            while out.count < total {
                let size = min(blockSize, total - out.count)
                guard p.count - i >= 4 else { throw Corrupt(what: "LZ4 chunk ends before block \(out.count / blockSize)") }
                let stored = Int(bigEndian(p, i, 4))
                i += 4
                guard stored <= p.count - i else { throw Corrupt(what: "an LZ4 block runs past the chunk") }
                let block = UnsafeBufferPointer(rebasing: p[i..<(i + stored)])
                if stored == size { out.append(contentsOf: block) } else { try lz4Block(block, into: &out, size: size) }
                i += stored
            }
            return out
        }
    }

    // MARK: Bitshuffle

    /// The bitshuffle filter (32008). Client data: major and minor version, element size,
    /// block size in elements (0: the default, 8 kB worth), compression (0 none, 2 LZ4,
    /// 3 Zstandard). Compressed, the chunk starts with its size (8 bytes, big-endian) and the
    /// block size in bytes (4 bytes), and each block is a stored size (4 bytes) and an LZ4
    /// block or a Zstandard frame. Blocks of the block size are bit-transposed, then the last whole-8 elements; the
    /// last `count % 8` elements are stored as they are.
    static func bitshuffleFilter(_ stored: [UInt8], clientData: [Int], elementSize typeSize: Int, limit: Int) throws -> [UInt8] {
        let elementSize = clientData.count > 2 && clientData[2] > 0 ? clientData[2] : typeSize
        let compression = clientData.count > 4 ? clientData[4] : 0
        guard elementSize > 0, elementSize <= 1 << 20 else { throw Corrupt(what: "bitshuffle element size \(elementSize)") }
        return try stored.withUnsafeBufferPointer { p in
            var total = p.count
            var blockElements = clientData.count > 3 && clientData[3] > 0 ? clientData[3] : defaultBitshuffleBlock(elementSize)
            var i = 0
            switch compression {
            case 0: break
            case 2, 3:
                let codec = compression == 2 ? "LZ4" : "Zstandard"
                guard p.count >= 12 else { throw Corrupt(what: "bitshuffle/\(codec) chunk shorter than its 12-byte header") }
                total = Int(clamping: bigEndian(p, 0, 8))
                let blockBytes = Int(bigEndian(p, 8, 4))
                guard blockBytes % elementSize == 0, blockBytes / elementSize % 8 == 0, blockBytes > 0 else {
                    throw Corrupt(what: "bitshuffle/\(codec) block of \(blockBytes) bytes for \(elementSize)-byte elements")
                }
                blockElements = blockBytes / elementSize
                i = 12
            default: throw Corrupt(what: "bitshuffle compression code \(compression)")
            }
            guard total <= limit else { throw Corrupt(what: "bitshuffle chunk claims \(total) bytes; the chunk holds \(limit)") }
            guard blockElements % 8 == 0, blockElements > 0 else { throw Corrupt(what: "bitshuffle block of \(blockElements) elements, not a multiple of 8") }
            let count = total / elementSize
            var out = [UInt8]()
            out.reserveCapacity(total)
            var block = [UInt8]()
            var done = 0
            while count - done >= 8 {
                let n = min(blockElements, (count - done) / 8 * 8)
                let bytes = n * elementSize
                block.removeAll(keepingCapacity: true)
                if compression != 0 {
                    let codec = compression == 2 ? "LZ4" : "Zstandard"
                    guard p.count - i >= 4 else { throw Corrupt(what: "bitshuffle/\(codec) chunk ends before its block at element \(done)") }
                    let size = Int(bigEndian(p, i, 4))
                    i += 4
                    guard size <= p.count - i else { throw Corrupt(what: "a bitshuffle/\(codec) block runs past the chunk") }
                    let data = UnsafeBufferPointer(rebasing: p[i..<(i + size)])
                    if compression == 2 { try lz4Block(data, into: &block, size: bytes) } else { try zstandard(data, into: &block, size: bytes) }
                    i += size
                } else {
                    guard bytes <= p.count - i else { throw Corrupt(what: "bitshuffle chunk shorter than its \(count) elements") }
                    block.append(contentsOf: UnsafeBufferPointer(rebasing: p[i..<(i + bytes)]))
                    i += bytes
                }
                bitUnshuffle(block, elements: n, elementSize: elementSize, into: &out)
                done += n
            }
            // The last count % 8 elements (and any bytes past the last element) as stored.
            let rest = total - out.count
            guard rest <= p.count - i else { throw Corrupt(what: "bitshuffle chunk ends before its last \(rest) bytes") }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: p[i..<(i + rest)]))
            return out
        }
    }

    /// Bitshuffle's default block: 8 kB of elements, a multiple of 8, at least 128.
    static func defaultBitshuffleBlock(_ elementSize: Int) -> Int {
        max(128, 8192 / elementSize / 8 * 8)
    }

    /// Appends `elements` (a multiple of 8) elements of `elementSize` bytes undone from their
    /// bit transpose: the block holds, for each byte k of an element and each bit j, the row of
    /// bit j of byte k of every element (elements/8 bytes, element 0 in the lowest bit).
    static func bitUnshuffle(_ block: [UInt8], elements: Int, elementSize: Int, into out: inout [UInt8]) {
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: elements * elementSize))
        let rowBytes = elements / 8
        block.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                for k in 0..<elementSize {
                    for g in 0..<rowBytes {
                        // The 8 × 8 bit matrix: rows are bits j of byte k, columns elements 8g…8g+7.
                        var x: UInt64 = 0
                        for j in 0..<8 { x |= UInt64(s[(k &* 8 &+ j) &* rowBytes &+ g]) << UInt64(8 &* j) }
                        x = transposed8x8(x)
                        for e in 0..<8 { o[start &+ (g &* 8 &+ e) &* elementSize &+ k] = UInt8(truncatingIfNeeded: x >> UInt64(8 &* e)) }
                    }
                }
            }
        }
    }

    /// The transpose of an 8 × 8 bit matrix held as 8 bytes (byte r, bit c → byte c, bit r):
    /// three delta swaps (Warren, Hacker's Delight, §7-3).
    @inline(__always)
    static func transposed8x8(_ v: UInt64) -> UInt64 {
        var x = v
        var t = (x ^ (x >> 7)) & 0x00AA_00AA_00AA_00AA
        x ^= t ^ (t << 7)
        t = (x ^ (x >> 14)) & 0x0000_CCCC_0000_CCCC
        x ^= t ^ (t << 14)
        t = (x ^ (x >> 28)) & 0x0000_0000_F0F0_F0F0
        x ^= t ^ (t << 28)
        return x
    }

    // MARK: Blosc

    /// A Blosc 1 buffer (filter 32001): a 16-byte header (version, codec version, flags, type
    /// size, then uncompressed size, block size and buffer size, little-endian), the blocks'
    /// start offsets, and per block one stream (or one per byte of the type: "split") of a
    /// stored size and codec data, stored as is when the size equals the stream's. Flags: byte
    /// shuffle (0x01, for types over 1 byte; it wins over bit shuffle), stored uncompressed
    /// (0x02), bit shuffle (0x04; applied to blocks of a multiple of 8 elements only), not split
    /// (0x10), codec
    /// in the top 3 bits (0 BloscLZ, 1 LZ4, 3 zlib, 4 Zstandard).
    static func bloscFilter(_ stored: [UInt8], limit: Int) throws -> [UInt8] {
        try stored.withUnsafeBufferPointer { p in
            guard p.count >= 16 else { throw Corrupt(what: "Blosc chunk shorter than its 16-byte header") }
            let version = Int(p[0]), flags = Int(p[2]), typeSize = max(1, Int(p[3]))
            let total = Int(littleEndian(p, 4)), blockSize = Int(littleEndian(p, 8)), size = Int(littleEndian(p, 12))
            guard version <= 2 else { throw Unsupported(what: "Blosc 2 buffer (format version \(version))") }
            guard total <= limit else { throw Corrupt(what: "Blosc chunk claims \(total) bytes; the chunk holds \(limit)") }
            guard size <= p.count, size >= 16 else { throw Corrupt(what: "Blosc chunk claims \(size) stored bytes; \(p.count) are stored") }
            if flags & 0x02 != 0 {
                guard total <= size - 16 else { throw Corrupt(what: "uncompressed Blosc chunk shorter than its \(total) bytes") }
                return Array(p[16..<(16 + total)])
            }
            let codec = flags >> 5
            guard [0, 1, 3, 4].contains(codec) else {
                throw Unsupported(what: "Blosc's \(codec == 2 ? "Snappy" : "codec \(codec)")")
            }
            guard blockSize > 0 || total == 0 else { throw Corrupt(what: "Blosc chunk with block size 0") }
            let blocks = total == 0 ? 0 : (total + blockSize - 1) / blockSize
            guard 16 + 4 * blocks <= size else { throw Corrupt(what: "Blosc chunk too short for its \(blocks) block offsets") }
            var out = [UInt8]()
            out.reserveCapacity(total)
            var block = [UInt8]()
            for k in 0..<blocks {
                let isLeftover = k == blocks - 1 && total % blockSize != 0
                let bytes = isLeftover ? total % blockSize : blockSize
                let split = flags & 0x10 == 0 && !isLeftover && typeSize <= 16 && bytes / typeSize >= 128
                let streams = split ? typeSize : 1
                let streamBytes = bytes / streams
                var i = Int(littleEndian(p, 16 + 4 * k))
                block.removeAll(keepingCapacity: true)
                for _ in 0..<streams {
                    guard i >= 16 + 4 * blocks, size - i >= 4 else { throw Corrupt(what: "a Blosc block offset points outside the chunk") }
                    let stored = Int(Int32(bitPattern: littleEndian(p, i)))
                    i += 4
                    guard stored >= 0, stored <= size - i else { throw Corrupt(what: "a Blosc stream of \(stored) bytes runs past the chunk") }
                    let data = UnsafeBufferPointer(rebasing: p[i..<(i + stored)])
                    if stored == streamBytes {
                        block.append(contentsOf: data)
                    } else {
                        switch codec {
                        case 0: try bloscLZ(data, into: &block, size: streamBytes)
                        case 1: try lz4Block(data, into: &block, size: streamBytes)
                        case 3: try zlib(data, into: &block, size: streamBytes)
                        default: try zstandard(data, into: &block, size: streamBytes)
                        }
                    }
                    i += stored
                }
                if flags & 0x01 != 0, typeSize > 1 {
                    let n = bytes / typeSize
                    let start = out.count
                    out.append(contentsOf: block)   // a trailing partial element stays as stored
                    out.withUnsafeMutableBufferPointer { o in
                        for b in 0..<typeSize {
                            for e in 0..<n { o[start &+ e &* typeSize &+ b] = block[b &* n &+ e] }
                        }
                    }
                } else if flags & 0x04 != 0, (bytes / typeSize) % 8 == 0 {
                    // Blosc 1 bit-shuffles a block only when its element count is a multiple of 8.
                    let n = bytes / typeSize
                    bitUnshuffle(block, elements: n, elementSize: typeSize, into: &out)
                    out.append(contentsOf: block[(n * typeSize)...])
                } else {
                    out.append(contentsOf: block)
                }
            }
            return out
        }
    }

    /// Appends exactly `size` bytes decoded from a BloscLZ stream (FastLZ's level-1 format): a
    /// control byte below 32 starts a run of that many + 1 literals; otherwise its top 3 bits
    /// are the match length − 2 (7: plus following bytes while 255), its low 5 bits and the
    /// next byte the distance − 1, and a distance byte of 255 after 31 means a 16-bit distance
    /// follows, added to 8191. (The first control byte's top 3 bits are a marker.)
    static func bloscLZ(_ input: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], size: Int) throws {
        let base = out.count
        let target = base + size
        let end = input.count
        guard end > 0 else { throw Corrupt(what: "empty BloscLZ stream") }
        var i = 1
        var control = Int(input[0]) & 31
        while true {
            if control < 32 {
                let n = control + 1
                guard n <= end - i else { throw Corrupt(what: "BloscLZ literals run past the stream") }
                guard n <= target - out.count else { throw Corrupt(what: "a BloscLZ stream decodes to more than \(size) bytes") }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: input[i..<(i + n)]))
                i += n
            } else {
                var length = (control >> 5) - 1
                var distance = (control & 31) << 8
                if length == 6 {
                    while true {
                        guard i < end else { throw Corrupt(what: "a BloscLZ match length runs past the stream") }
                        let x = Int(input[i])
                        i += 1
                        length += x
                        if x != 255 { break }
                    }
                }
                guard i < end else { throw Corrupt(what: "a BloscLZ match distance is cut off") }
                let code = Int(input[i])
                i += 1
                distance += code
                if code == 255 && distance == 31 << 8 + 255 {
                    guard end - i >= 2 else { throw Corrupt(what: "a BloscLZ long distance is cut off") }
                    distance = (Int(input[i]) << 8 | Int(input[i + 1])) + 8191
                    i += 2
                }
                length += 3
                guard distance + 1 <= out.count - base else { throw Corrupt(what: "a BloscLZ match points before the stream's start") }
                guard length <= target - out.count else { throw Corrupt(what: "a BloscLZ stream decodes to more than \(size) bytes") }
                Zstandard.copyMatch(&out, offset: distance + 1, length: length)
            }
            guard i < end else { break }
            control = Int(input[i])
            i += 1
        }
        guard out.count == target else { throw Corrupt(what: "a BloscLZ stream decodes to \(out.count - base) bytes, not \(size)") }
    }

    /// Appends exactly `size` bytes decompressed from Zstandard frames.
    static func zstandard(_ input: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], size: Int) throws {
        let decoded: [UInt8]
        do {
            decoded = try Zstandard.decompress(input, limit: size)
        } catch let e as Zstandard.Failure {
            throw Corrupt(what: e.what)
        }
        guard decoded.count == size else { throw Corrupt(what: "a Zstandard stream decodes to \(decoded.count) bytes, not \(size)") }
        out.append(contentsOf: decoded)
    }

    /// The HDF5 Zstandard filter (32015): the chunk is one Zstandard frame.
    static func zstandardFilter(_ stored: [UInt8], limit: Int) throws -> [UInt8] {
        do {
            return try stored.withUnsafeBufferPointer { try Zstandard.decompress($0, limit: limit) }
        } catch let e as Zstandard.Failure {
            throw Corrupt(what: e.what)
        }
    }

    /// Appends exactly `size` bytes inflated from a zlib stream.
    static func zlib(_ input: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], size: Int) throws {
        guard input.count >= 2, input[0] & 0x0F == 8, (Int(input[0]) << 8 | Int(input[1])) % 31 == 0 else {
            throw Corrupt(what: "a Blosc zlib stream without its zlib header")
        }
        let inflated: Data
        do {
            inflated = try XASGzip.inflate(raw: Data(input[2...]), limit: size + 64, expectedSize: size, crc: false).0
        } catch {
            throw Corrupt(what: "a Blosc zlib stream does not inflate (\(error))")
        }
        guard inflated.count == size else { throw Corrupt(what: "a Blosc zlib stream inflates to \(inflated.count) bytes, not \(size)") }
        out.append(contentsOf: inflated)
    }

    // MARK: Integers

    /// `count` bytes at `at` as a big-endian unsigned integer (the caller checked the range).
    static func bigEndian(_ p: UnsafeBufferPointer<UInt8>, _ at: Int, _ count: Int) -> UInt64 {
        (0..<count).reduce(0) { $0 << 8 | UInt64(p[at + $1]) }
    }

    /// Four bytes at `at` as a little-endian unsigned integer (the caller checked the range).
    static func littleEndian(_ p: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt32 {
        UInt32(p[at]) | UInt32(p[at + 1]) << 8 | UInt32(p[at + 2]) << 16 | UInt32(p[at + 3]) << 24
    }
}
